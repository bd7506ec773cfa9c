"""Seeded scanner/photocopier degradations of rendered report pages.

`draw_params(rng)` draws one page's degradation from wide ranges; `scan_page(src, page, p)`
rasterises that page with `pdftoppm` at the drawn dpi and applies it; `write_pdf` wraps the
pages as an image-only PDF (DCT for grey/colour pages, CCITT G4 for bilevel ones, via
`img2pdf`, no `/Rotate`: a page fed sideways is stored sideways).

Everything is drawn from the page's own scale (dpi) so that the same parameters mean the same
thing at 100 and at 400 dpi. Deterministic for a given seed and tool versions.
"""

from __future__ import annotations

import io
import math
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SEAL_FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
]
SEAL_TEXT = "上海市某某区财政局绩效评价专用章"


@dataclass
class Params:
    """One page's degradation (all drawn by `draw_params`)."""

    dpi: int
    skew: float  # degrees, positive = counter-clockwise
    turn: int  # 0, 90, 180, 270: how the sheet was fed (clockwise)
    colour: bool  # RGB scan (else greyscale)
    bilevel: bool  # fax-style 1-bit CCITT G4
    paper: float  # paper brightness 0..1
    tint: tuple[float, float, float]  # paper colour multiplier (colour scans)
    rules: str  # "as-drawn", "faint", "hairline"
    rule_ink: float  # darkness of the redrawn rules 0..1 (1 = black)
    text_ink: float  # darkness of the text 0..1
    blur: float  # Gaussian sigma in pixels at 200 dpi (scaled with dpi)
    noise: float  # Gaussian noise sigma in grey levels
    quality: int  # JPEG quality
    seal: bool  # red 公章 over the table
    signature: bool  # handwritten strokes over the table
    shadow: bool  # dark margins / edge shadow of a photocopy
    bleed: float  # bleed-through strength 0..1 (0 = none)
    holes: bool  # punch holes in the margin

    def labels(self) -> list[str]:
        """The degradation classes this page belongs to (for the benchmark's breakdown)."""
        out = [f"dpi {100 * (self.dpi // 100)}-{100 * (self.dpi // 100) + 99}"]
        out.append("bilevel" if self.bilevel else ("colour" if self.colour else "grey"))
        out.append(f"turn {self.turn}")
        if abs(self.skew) >= 1.5:
            out.append("skew >=1.5")
        out.append(f"rules {self.rules}")
        if self.paper < 0.9:
            out.append("dark paper")
        if self.blur >= 0.8:
            out.append("blur >=0.8")
        if self.noise >= 12:
            out.append("noise >=12")
        if not self.bilevel and self.quality < 50:
            out.append("jpeg q<50")
        for flag in ("seal", "signature", "shadow", "holes"):
            if getattr(self, flag):
                out.append(flag)
        if self.bleed > 0:
            out.append("bleed-through")
        return out


def draw_params(rng: np.random.Generator) -> Params:
    """A random degradation across wide ranges."""
    colour = bool(rng.random() < 0.4)
    bilevel = (not colour) and bool(rng.random() < 0.2)
    rules = str(rng.choice(["as-drawn", "faint", "hairline"], p=[0.35, 0.3, 0.35]))
    return Params(
        dpi=int(rng.integers(100, 401)),
        skew=round(float(rng.uniform(-3.0, 3.0)), 2),
        turn=int(rng.choice([0, 90, 180, 270], p=[0.55, 0.15, 0.15, 0.15])),
        colour=colour,
        bilevel=bilevel,
        paper=round(float(rng.uniform(0.82, 1.0)), 3),
        tint=(1.0, round(float(rng.uniform(0.95, 1.0)), 3), round(float(rng.uniform(0.86, 1.0)), 3)),
        rules=rules,
        rule_ink=round(float(rng.uniform(0.35, 0.7) if rules == "hairline" else rng.uniform(0.45, 1.0)), 3),
        text_ink=round(float(rng.uniform(0.75, 1.0)), 3),
        blur=round(float(rng.uniform(0.0, 1.2)), 2),
        noise=round(float(rng.uniform(0.0, 18.0)), 1),
        quality=int(rng.integers(30, 96)),
        seal=bool(rng.random() < 0.35),
        signature=bool(rng.random() < 0.3),
        shadow=bool(rng.random() < 0.25),
        bleed=round(float(rng.uniform(0.04, 0.15)), 3) if rng.random() < 0.25 else 0.0,
        holes=bool(rng.random() < 0.15),
    )


def rasterise(src: Path, page: int, dpi: int) -> np.ndarray:
    """Page `page` (1-based) of `src` as an RGB float array 0..1 (white = 1)."""
    with tempfile.TemporaryDirectory(prefix="jixiao-degrade-") as tmp:
        subprocess.run(
            ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-png", "-singlefile", str(src), f"{tmp}/p"],
            check=True,
            timeout=120,
        )
        with Image.open(f"{tmp}/p.png") as im:
            return np.asarray(im.convert("RGB"), dtype=np.float32) / 255.0


def _runs_at_least(mask: np.ndarray, length: int) -> np.ndarray:
    """Pixels of `mask` lying in a horizontal run of at least `length` (per row)."""
    h, w = mask.shape
    m = np.zeros((h, w + 1), dtype=bool)
    m[:, :w] = mask
    flat = m.ravel()
    starts = flat & ~np.concatenate(([False], flat[:-1]))
    ids = np.cumsum(starts) * flat
    counts = np.bincount(ids)
    counts[0] = 0
    return (counts[ids] >= length).reshape(h, w + 1)[:, :w]


def redraw_rules(gray: np.ndarray, p: Params) -> tuple[np.ndarray, np.ndarray]:
    """Finds the table rules of a clean raster (long straight dark runs) and redraws them
    faint or as hairlines. Returns (the new grey raster, the mask of rule pixels drawn)."""
    dark = gray < 0.6
    length = round(8 / 25.4 * p.dpi)  # 8 mm: longer than any stroke of text
    rules = _runs_at_least(dark, length) | _runs_at_least(dark.T, length).T
    out = gray.copy()
    if p.rules == "as-drawn":
        return out, rules
    # Rule pixels back to paper, then each rule redrawn along its centre line.
    grown = rules | np.roll(rules, 1, 0) | np.roll(rules, -1, 0) | np.roll(rules, 1, 1) | np.roll(rules, -1, 1)
    out[grown & (gray < 0.95)] = 1.0
    value = 1.0 - p.rule_ink
    if p.rules == "faint":
        out[rules] = np.minimum(out[rules], value)
        return out, rules
    # Hairline: 0.1 pt, i.e. a 1-pixel line at any dpi up to 720: keep one row/column per rule.
    h_rules = _runs_at_least(dark, length)
    v_rules = _runs_at_least(dark.T, length).T
    thin = np.zeros_like(rules)
    thin |= h_rules & ~np.roll(h_rules, 1, 0)  # first row of each horizontal rule
    thin |= v_rules & ~np.roll(v_rules, 1, 1)  # first column of each vertical rule
    out[thin] = np.minimum(out[thin], value)
    return out, thin


def _seal(rgb: np.ndarray, rng: np.random.Generator, dpi: int) -> None:
    """A red official seal (ring, star, text on the arc), multiplied onto the page."""
    h, w, _ = rgb.shape
    r = int(rng.uniform(19, 23) / 25.4 * dpi)  # 38-46 mm across, like a 公章
    cx = int(rng.uniform(0.35, 0.85) * w)
    cy = int(rng.uniform(0.3, 0.9) * h)
    size = 2 * r + 4
    layer = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(layer)
    ring = max(2, int(1.2 / 25.4 * dpi))
    d.ellipse([2, 2, size - 3, size - 3], outline=255, width=ring)
    c = size / 2
    star = [
        (
            c + 0.28 * r * math.cos(math.radians(-90 + k * 36)) * (1 if k % 2 == 0 else 0.4),
            c + 0.28 * r * math.sin(math.radians(-90 + k * 36)) * (1 if k % 2 == 0 else 0.4),
        )
        for k in range(10)
    ]
    d.polygon(star, fill=255)
    font_path = next((f for f in SEAL_FONTS if Path(f).exists()), None)
    if font_path:
        font = ImageFont.truetype(font_path, max(8, int(0.22 * r)))
        n = len(SEAL_TEXT)
        for k, ch in enumerate(SEAL_TEXT):
            a = math.radians(-210 + 240 * k / (n - 1))
            glyph = Image.new("L", (int(0.3 * r), int(0.3 * r)), 0)
            ImageDraw.Draw(glyph).text((0, 0), ch, fill=255, font=font)
            glyph = glyph.rotate(-math.degrees(a) - 90, expand=True)
            gx = int(c + 0.72 * r * math.cos(a) - glyph.width / 2)
            gy = int(c + 0.72 * r * math.sin(a) - glyph.height / 2)
            layer.paste(255, (gx, gy), glyph)
    layer = layer.rotate(float(rng.uniform(0, 360)), resample=Image.Resampling.BILINEAR)
    alpha = np.asarray(layer, dtype=np.float32) / 255.0 * float(rng.uniform(0.55, 0.95))
    # Uneven ink: the pad leaves some parts lighter.
    alpha *= rng.uniform(0.6, 1.0, size=alpha.shape).astype(np.float32)
    red = np.array([0.85, 0.1, 0.12], dtype=np.float32) * float(rng.uniform(0.8, 1.0))
    x0, y0 = cx - size // 2, cy - size // 2
    xs, ys = slice(max(0, x0), min(w, x0 + size)), slice(max(0, y0), min(h, y0 + size))
    a = alpha[ys.start - y0 : ys.stop - y0, xs.start - x0 : xs.stop - x0, None]
    rgb[ys, xs] = rgb[ys, xs] * (1 - a) + (rgb[ys, xs] * red) * a


def _signature(rgb: np.ndarray, rng: np.random.Generator, dpi: int) -> None:
    """Handwritten strokes (blue or black ink): a few smooth random curves."""
    h, w, _ = rgb.shape
    layer = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(layer)
    x = rng.uniform(0.3, 0.7) * w
    y = rng.uniform(0.4, 0.9) * h
    width = max(1, int(rng.uniform(0.3, 0.7) / 25.4 * dpi))
    for _ in range(int(rng.integers(2, 5))):
        pts = []
        phase = rng.uniform(0, 2 * math.pi)
        span = rng.uniform(15, 40) / 25.4 * dpi
        amp = rng.uniform(3, 9) / 25.4 * dpi
        for t in np.linspace(0, 1, 60):
            pts.append((x + span * t, y + amp * math.sin(phase + 9 * t) + 0.3 * amp * math.sin(23 * t)))
        d.line(pts, fill=255, width=width, joint="curve")
        x += span * rng.uniform(0.6, 1.0)
        y += rng.uniform(-3, 3) / 25.4 * dpi
    a = np.asarray(layer, dtype=np.float32)[..., None] / 255.0
    ink = np.array([0.1, 0.15, 0.55], dtype=np.float32) if rng.random() < 0.6 else np.array([0.1, 0.1, 0.1])
    rgb[:] = rgb * (1 - a) + ink.astype(np.float32) * a


def _holes(rgb: np.ndarray, rng: np.random.Generator, dpi: int) -> None:
    """Two punch holes in the left margin, dark (the scanner lid behind them)."""
    h, w, _ = rgb.shape
    r = 3 / 25.4 * dpi
    cx = rng.uniform(6, 10) / 25.4 * dpi
    yy, xx = np.mgrid[0:h, 0:w]
    for cy in (0.5 * h - 40 / 25.4 * dpi, 0.5 * h + 40 / 25.4 * dpi):
        hole = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
        rgb[hole] = rng.uniform(0.05, 0.3)


def _shadow(gray_factor: np.ndarray, rng: np.random.Generator, dpi: int) -> None:
    """Dark margins and a soft edge shadow (photocopy of a sheet smaller than the glass)."""
    h, w = gray_factor.shape
    for side in rng.choice(4, size=int(rng.integers(1, 4)), replace=False):
        depth = rng.uniform(3, 12) / 25.4 * dpi
        soft = rng.uniform(1, 4) / 25.4 * dpi
        dark = float(rng.uniform(0.15, 0.5))
        dist = {
            0: np.arange(w)[None, :].repeat(h, 0),
            1: (w - 1 - np.arange(w))[None, :].repeat(h, 0),
            2: np.arange(h)[:, None].repeat(w, 1),
            3: (h - 1 - np.arange(h))[:, None].repeat(w, 1),
        }[int(side)].astype(np.float32)
        f = np.clip((dist - depth) / soft, 0, 1)
        gray_factor *= dark + (1 - dark) * f


def scan_page(src: Path, page: int, p: Params, rng: np.random.Generator) -> Image.Image:
    """Page `page` of `src` degraded by `p`: an L, RGB or 1-bit image, turned as fed."""
    rgb = rasterise(src, page, p.dpi)
    gray = rgb.mean(axis=2)
    gray, _ = redraw_rules(gray, p)
    # Text lighter (worn toner): map ink towards paper.
    gray = 1.0 - (1.0 - gray) * np.where(gray < 0.6, p.text_ink, 1.0)
    rgb = np.repeat(gray[..., None], 3, axis=2)
    if p.bleed > 0:  # the back page (this page mirrored, shifted) shows through
        back = np.roll(gray[:, ::-1], (int(rng.integers(-20, 20)), int(rng.integers(-20, 20))), (0, 1))
        rgb *= (1 - p.bleed * (1 - back))[..., None]
    if p.seal:
        _seal(rgb, rng, p.dpi)
    if p.signature:
        _signature(rgb, rng, p.dpi)
    paper = np.full(gray.shape, p.paper, dtype=np.float32)
    if p.shadow:
        _shadow(paper, rng, p.dpi)
    rgb *= paper[..., None]
    if p.colour:
        rgb *= np.array(p.tint, dtype=np.float32)
    if p.holes:
        _holes(rgb, rng, p.dpi)
    img = Image.fromarray(np.clip(rgb * 255, 0, 255).astype(np.uint8), "RGB")
    img = img.rotate(p.skew, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(250, 250, 250))
    sigma = p.blur * p.dpi / 200
    if sigma > 0.05:
        img = img.filter(ImageFilter.GaussianBlur(sigma))
    a = np.asarray(img, dtype=np.float32)
    n = rng.normal(0.0, p.noise, size=a.shape[:2]).astype(np.float32)
    a = a + n[..., None]
    specks = rng.random(a.shape[:2]) < 0.0004
    a[specks] = 40.0
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")
    if not p.colour:
        img = img.convert("L")
    if p.bilevel:
        # A fax machine's fixed threshold on the page's own paper/ink levels.
        g = np.asarray(img, dtype=np.float32)
        t = 0.5 * (np.percentile(g, 90) + np.percentile(g, 1))
        img = Image.fromarray(np.where(g < t, 0, 255).astype(np.uint8), "L").convert("1")
    if p.turn:
        img = img.rotate(-p.turn, expand=True)  # fed turned clockwise
    return img


def encode(img: Image.Image, p: Params) -> bytes:
    """The page image as img2pdf embeds it unchanged: JPEG, or a single-strip G4 TIFF."""
    buf = io.BytesIO()
    if p.bilevel:
        img.save(buf, "TIFF", compression="group4", dpi=(p.dpi, p.dpi))
    else:
        img.save(buf, "JPEG", quality=p.quality, dpi=(p.dpi, p.dpi))
    return buf.getvalue()


def write_pdf(images: list[bytes], out: Path) -> None:
    """An image-only PDF, one image per page, page size from each image's dpi."""
    import img2pdf

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(img2pdf.convert(images, rotation=img2pdf.Rotation.ifvalid))


def params_json(p: Params) -> dict:
    d = asdict(p)
    d["labels"] = p.labels()
    return d
