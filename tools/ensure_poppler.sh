#!/usr/bin/env bash
# `make pdf` joins the printed pages with poppler's pdfunite, and the PDF's test reads
# it back with pdftotext, pdfimages and pdffonts. Install poppler-utils with apt-get
# when we are root, otherwise say exactly what to install.
set -euo pipefail
if command -v pdfunite >/dev/null && command -v pdftotext >/dev/null; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's poppler-utils for the book's PDF (apt-get)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
    exit 0
fi
echo "make pdf needs poppler-utils (pdfunite, pdftotext, pdfimages, pdffonts)." >&2
echo "Install it as root with:  apt-get update && apt-get install -y poppler-utils" >&2
exit 1
