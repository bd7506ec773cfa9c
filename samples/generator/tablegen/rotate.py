"""Page orientation after rendering, with pikepdf:

- `rotate`: upright content, the page gets `/Rotate R` (a viewer shows it turned);
- `landscape`: the content is turned by −R with a `cm` onto a page of swapped size and the page
  gets `/Rotate R`, so a viewer shows it upright (a landscape report saved by rotating the page);
- `sideways`: the content is turned by R onto a portrait page, no `/Rotate` (a table printed
  sideways; the reader turns the paper).

Half the `/Rotate` pages get it from the page tree (inherited) rather than on the page itself.
"""

from __future__ import annotations

import random
from pathlib import Path

import pikepdf


def _turn(pdf: pikepdf.Pdf, page: pikepdf.Page, ccw: int) -> None:
    """Draws the page's content turned `ccw` degrees counter-clockwise, on a page whose
    size follows."""
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    w, h = x1 - x0, y1 - y0
    matrix = {
        90: (0, 1, -1, 0, h, 0),
        180: (-1, 0, 0, -1, w, h),
        270: (0, -1, 1, 0, 0, w),
    }[ccw]
    a, b, c, d, e, f = matrix
    pre = f"q {a} {b} {c} {d} {e - (a * x0 + c * y0)} {f - (b * x0 + d * y0)} cm\n".encode()
    page.contents_add(pikepdf.Stream(pdf, pre), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"\nQ\n"))
    size = [0, 0, h, w] if ccw in (90, 270) else [0, 0, w, h]
    page.obj.MediaBox = pikepdf.Array(size)
    for key in ("/CropBox", "/TrimBox", "/BleedBox", "/ArtBox"):
        if key in page.obj:
            del page.obj[key]


def orient(path: Path, orientation: str, rotate: int, rng: random.Random) -> None:
    """Applies `orientation` with angle `rotate` to every page of the PDF at `path`."""
    if orientation == "upright":
        return
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for page in pdf.pages:
            if orientation in ("landscape", "sideways"):
                _turn(pdf, page, rotate)
        if orientation in ("rotate", "landscape"):
            if rng.random() < 0.5:
                pdf.Root.Pages.Rotate = rotate
            else:
                for page in pdf.pages:
                    page.obj.Rotate = rotate
        pdf.save(path, deterministic_id=True)
