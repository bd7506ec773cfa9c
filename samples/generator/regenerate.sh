#!/bin/sh
# Regenerates the sample PDFs, samples/expected/ and golden/ from samples/data/ and
# samples/documents.json. Installs nothing: checks the tools and says what is missing.
# Usage: samples/generator/regenerate.sh [--only NAME ...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing\n  $1 (apt-get install $2)"; }
need python3 python3
need chromium chromium
need soffice libreoffice-writer
need pdftoppm poppler-utils
need pdftotext poppler-utils
need pdfinfo poppler-utils
for f in "Noto Serif CJK SC:fonts-noto-cjk" "Noto Sans CJK SC:fonts-noto-cjk" "WenQuanYi Zen Hei:fonts-wqy-zenhei" "AR PL UMing CN:fonts-arphic-uming"; do
  fam=${f%%:*}
  fc-list "$fam" family 2>/dev/null | grep -q . || missing="$missing\n  font '$fam' (apt-get install ${f##*:})"
done
python3 -c 'import PIL, numpy' 2>/dev/null || missing="$missing\n  Pillow, numpy (pip install -r $here/requirements.txt)"
if [ -n "$missing" ]; then
  printf "missing:%b\n" "$missing" >&2
  exit 2
fi
cd "$here"
exec python3 render.py "$@"
