#!/usr/bin/env bash
# Installs what the real-client spreadsheet test needs, when missing: LibreOffice Calc
# headless (Debian libreoffice-calc-nogui, no recommended packages) and Python's openpyxl
# (Debian python3-openpyxl, or pip when python3 is not Debian's). Prints how long it took.
set -euo pipefail
start=$(date +%s)
if ! command -v soffice >/dev/null; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        echo "spreadsheet test: install LibreOffice Calc (Debian: libreoffice-calc-nogui)" >&2
        exit 1
    fi
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui python3-openpyxl >/dev/null
fi
python3 -c 'import openpyxl' 2>/dev/null || python3 -m pip install -q openpyxl
echo "spreadsheet tools ready in $(($(date +%s) - start)) s"
