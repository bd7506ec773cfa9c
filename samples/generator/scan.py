"""Scanned variants: rasterise a rendered PDF, degrade it like a scanner, wrap as image-only PDF.

Per page: `pdftoppm` at the variant's dpi, rotation by a seeded angle within ±`max_rotate`
degrees (white fill), Gaussian noise plus sparse dark specks, a slight blur, JPEG at the given
quality; each page of the output holds exactly one DCT image filling a MediaBox equal to the
source page's size. Deterministic for a given seed and tool versions.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "100000", str(pdf)], check=True, capture_output=True, timeout=60)
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info.stdout.decode())
    return [(float(w), float(h)) for w, h in sizes]


def degrade(img: Image.Image, rng: np.random.Generator, max_rotate: float, noise: float, gray: bool) -> Image.Image:
    """One page image as a scanner would return it."""
    angle = float(rng.uniform(-max_rotate, max_rotate))
    img = img.convert("L" if gray else "RGB")
    fill = 255 if gray else (255, 255, 255)
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=fill)
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    a = np.asarray(img, dtype=np.float32)
    n = rng.normal(0.0, noise, size=a.shape[:2]).astype(np.float32)
    a = a + (n if gray else n[..., None])
    specks = rng.random(a.shape[:2]) < 0.0004
    a[specks] = 40.0
    if not gray:
        a = a * np.array([1.0, 0.985, 0.95], dtype=np.float32)  # slightly yellowed paper
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def _pdf(pages: list[tuple[bytes, int, int, bool, float, float]]) -> bytes:
    """An image-only PDF: one DCT image per page, scaled to the page's MediaBox."""
    objs: list[bytes] = []
    n = len(pages)
    kids = " ".join(f"{3 + 3 * i} 0 R" for i in range(n))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    for i, (jpeg, w, h, gray, pw, ph) in enumerate(pages):
        content, image = 4 + 3 * i, 5 + 3 * i
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2f} {ph:.2f}] "
            f"/Resources << /XObject << /Im0 {image} 0 R >> >> /Contents {content} 0 R >>".encode()
        )
        draw = f"q {pw:.2f} 0 0 {ph:.2f} 0 0 cm /Im0 Do Q".encode()
        objs.append(b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"\nendstream")
        cs = "/DeviceGray" if gray else "/DeviceRGB"
        objs.append(
            f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace {cs} "
            f"/BitsPerComponent 8 /Filter /DCTDecode /Length {len(jpeg)} >>\nstream\n".encode()
            + jpeg
            + b"\nendstream"
        )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % k + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def scan_pdf(
    src: Path, out: Path, dpi: int, quality: int, max_rotate: float, noise: float, gray: bool, seed: int
) -> None:
    """Writes the scanned variant of `src` to `out`."""
    rng = np.random.default_rng(seed)
    sizes = _page_sizes(src)
    pages = []
    with tempfile.TemporaryDirectory(prefix="jixiao-scan-") as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(src), f"{tmp}/p"], check=True, timeout=600)
        files = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))
        if len(files) != len(sizes):
            raise RuntimeError(f"{src}: {len(files)} images for {len(sizes)} pages")
        for f, (pw, ph) in zip(files, sizes):
            img = degrade(Image.open(f), rng, max_rotate, noise, gray)
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=quality, optimize=True)
            pages.append((buf.getvalue(), img.width, img.height, gray, pw, ph))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(_pdf(pages))
