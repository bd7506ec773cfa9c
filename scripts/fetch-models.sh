#!/usr/bin/env bash
# Fetches what jixiao's OCR path needs at run time into models/ (or $JIXIAO_MODELS):
#   libonnxruntime.so*            from the PyPI wheel onnxruntime==1.32.0
#   ch_PP-OCRv4_det_infer.onnx    from the PyPI wheel rapidocr-onnxruntime==1.4.4
#   ch_PP-OCRv4_rec_infer.onnx    (same wheel; its metadata key `character` is the charset)
# Idempotent: wheels are cached in $JIXIAO_WHEEL_CACHE (default ~/.cache/jixiao/wheels) and
# files already in place are kept. Nothing is compiled; nothing is committed.
set -euo pipefail

ORT_VERSION=1.32.0
RAPIDOCR_VERSION=1.4.4
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${JIXIAO_MODELS:-$root/models}"
cache="${JIXIAO_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jixiao/wheels}"
pip="${PIP:-python3 -m pip}"

mkdir -p "$dest" "$cache"

have_all() {
    compgen -G "$dest/libonnxruntime.so*" >/dev/null \
        && [ -s "$dest/ch_PP-OCRv4_det_infer.onnx" ] \
        && [ -s "$dest/ch_PP-OCRv4_rec_infer.onnx" ]
}

if ! have_all; then
    shopt -s nullglob
    ort_wheels=("$cache"/onnxruntime-"$ORT_VERSION"-*.whl)
    ocr_wheels=("$cache"/rapidocr_onnxruntime-"$RAPIDOCR_VERSION"-*.whl)
    if [ ${#ort_wheels[@]} -eq 0 ] || [ ${#ocr_wheels[@]} -eq 0 ]; then
        echo "downloading wheels into $cache ..."
        $pip download --quiet --no-deps --only-binary=:all: \
            "onnxruntime==$ORT_VERSION" "rapidocr-onnxruntime==$RAPIDOCR_VERSION" -d "$cache"
        ort_wheels=("$cache"/onnxruntime-"$ORT_VERSION"-*.whl)
        ocr_wheels=("$cache"/rapidocr_onnxruntime-"$RAPIDOCR_VERSION"-*.whl)
    fi
    [ ${#ort_wheels[@]} -gt 0 ] || { echo "error: no onnxruntime $ORT_VERSION wheel in $cache" >&2; exit 1; }
    [ ${#ocr_wheels[@]} -gt 0 ] || { echo "error: no rapidocr-onnxruntime $RAPIDOCR_VERSION wheel in $cache" >&2; exit 1; }

    python3 - "${ort_wheels[0]}" "${ocr_wheels[0]}" "$dest" <<'PY'
import os, re, sys, zipfile
ort_wheel, ocr_wheel, dest = sys.argv[1:4]
wanted = [
    (ort_wheel, re.compile(r"^onnxruntime/capi/(libonnxruntime\.so[.0-9]*)$")),
    (ocr_wheel, re.compile(r"^rapidocr_onnxruntime/models/(ch_PP-OCRv4_(?:det|rec)_infer\.onnx)$")),
]
for wheel, pattern in wanted:
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            m = pattern.match(name)
            if m:
                tmp = os.path.join(dest, m.group(1) + ".part")
                with z.open(name) as src, open(tmp, "wb") as out:
                    out.write(src.read())
                os.replace(tmp, os.path.join(dest, m.group(1)))
PY
fi

have_all || { echo "error: models incomplete in $dest" >&2; exit 1; }
# Verify: the ONNX files start with a protobuf field 1 (ir_version), the library is ELF.
for f in "$dest"/ch_PP-OCRv4_det_infer.onnx "$dest"/ch_PP-OCRv4_rec_infer.onnx; do
    [ "$(head -c1 "$f" | od -An -tx1 | tr -d ' ')" = "08" ] || { echo "error: $f is not an ONNX model" >&2; exit 1; }
done
lib="$(compgen -G "$dest/libonnxruntime.so*" | sort | tail -n1)"
[ "$(head -c4 "$lib" | tail -c3)" = "ELF" ] || { echo "error: $lib is not a shared library" >&2; exit 1; }

echo "OCR models and runtime ready in $dest:"
ls -l "$dest"
echo "(set JIXIAO_MODELS=$dest when running from elsewhere)"
