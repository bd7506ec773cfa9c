"""Running the real PDF producers: Chromium (HTML print-to-PDF) and LibreOffice (flat ODT)."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from fodt_out import render_fodt
from html_out import render_html
from layout import Block, Style

# Debian packages that provide each producer (for the error message and the README).
PACKAGES = {
    "chromium": "chromium fonts-noto-cjk",
    "libreoffice": "libreoffice-writer fonts-arphic-uming fonts-wqy-zenhei",
}
TIMEOUT_S = 600


class ProducerMissing(RuntimeError):
    """A producer's executable is not installed."""


def _exe(producer: str) -> str:
    name = {"chromium": "chromium", "libreoffice": "soffice"}[producer]
    path = shutil.which(name)
    if path is None:
        raise ProducerMissing(f"{name} not found: apt-get install {PACKAGES[producer]}")
    return path


def chromium_pdf(src: Path, out: Path, profile: Path) -> None:
    """Prints the HTML file `src` to the PDF `out` with headless Chromium (profile dir `profile`)."""
    cmd = [
        _exe("chromium"),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={out}",
        src.as_uri(),
    ]
    subprocess.run(cmd, check=True, timeout=TIMEOUT_S, capture_output=True)


def libreoffice_pdf(srcs: list[Path], outdir: Path, profile: Path) -> None:
    """Converts documents to PDFs named after them in `outdir` with headless LibreOffice
    (user profile `profile`; one profile serves one conversion at a time)."""
    cmd = [
        _exe("libreoffice"),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(outdir),
        *map(str, srcs),
    ]
    subprocess.run(cmd, check=True, timeout=TIMEOUT_S, capture_output=True)


def _chromium(blocks: list[Block], style: Style, out: Path, work: Path) -> None:
    src = work / "doc.html"
    src.write_text(render_html(blocks, style), encoding="utf-8")
    profile = work / "profile"
    profile.mkdir()
    chromium_pdf(src, out, profile)


def _libreoffice(blocks: list[Block], style: Style, out: Path, work: Path) -> None:
    src = work / f"{out.stem}.fodt"
    src.write_text(render_fodt(blocks, style), encoding="utf-8")
    libreoffice_pdf([src], work, work / "lo-profile")
    shutil.move(work / f"{out.stem}.pdf", out)


RENDERERS = {"chromium": _chromium, "libreoffice": _libreoffice}

FIXED_DATE = b"20240801000000"
_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{14})")
_DIGESTS = re.compile(
    rb"(/ID\s*\[\s*<)([0-9A-Fa-f]{32})(>\s*<)([0-9A-Fa-f]{32})(>)|(/DocChecksum\s*/)([0-9A-Fa-f]{32})"
)


def stabilise(pdf: bytes) -> bytes:
    """Makes a producer's output reproducible by patching bytes in place (same lengths, so
    offsets and xref stay valid): creation/modification dates become FIXED_DATE, and the
    random /ID and LibreOffice's /DocChecksum become the MD5 of the file with them blanked."""
    pdf = _DATE.sub(lambda m: m.group(1) + FIXED_DATE, pdf)
    blank = _DIGESTS.sub(lambda m: re.sub(rb"[0-9A-Fa-f]{32}", b"0" * 32, m.group(0)), pdf)
    digest = hashlib.md5(blank).hexdigest().upper().encode()
    return _DIGESTS.sub(lambda m: re.sub(rb"[0-9A-Fa-f]{32}", digest, m.group(0)), pdf)


def render_pdf(producer: str, blocks: list[Block], style: Style, out: Path, keep_source: Path | None = None) -> None:
    """Renders `blocks` to `out` with `producer`; optionally keeps the HTML/FODT source."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"jixiao-{producer}-") as tmp:
        work = Path(tmp)
        RENDERERS[producer](blocks, style, out.resolve(), work)
        out.write_bytes(stabilise(out.read_bytes()))
        if keep_source is not None:
            for f in work.iterdir():
                if f.suffix in (".html", ".fodt"):
                    shutil.copy(f, keep_source / f.name)
    if not out.exists():
        raise RuntimeError(f"{producer} produced no {out}")


def check_producers(names: list[str]) -> list[str]:
    """Messages for every producer in `names` that is not installed."""
    missing = []
    for n in names:
        try:
            _exe(n)
        except ProducerMissing as e:
            missing.append(str(e))
    return missing
