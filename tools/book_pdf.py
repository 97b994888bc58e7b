"""Print a built edition of the book into one PDF: every page of its table of contents, in order.

``make pdf`` runs it once per edition, after both are built::

    python tools/book_pdf.py _build/html _build/html/dnn-from-scratch.pdf
    python tools/book_pdf.py _build/html/pt _build/html/pt/dnn-from-scratch.pdf \\
        --toc _build/_toc.pt.yml

Debian's chromium, driven by Playwright, opens each page from a local server
(so MathJax, its fonts and the figures load as they do for a reader, with no
internet), waits until MathJax has typeset the maths and every image has
loaded, unfolds the exercises' solutions, and prints the page with the theme's
print stylesheet. poppler's ``pdfunite`` joins the pages into one file at the
root of the edition's site; every page of that edition links to it
(book/_static/readers.js and the introduction). The only words this script adds
to the pages are the footer's page title, which is each page's own ``<title>``,
so every edition's PDF is in its own language; pdfunite writes no document
title.

Usage::

    python tools/book_pdf.py HTML_DIR OUT.pdf [--toc _toc.yml]
"""

from __future__ import annotations

import argparse
import functools
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Seconds a page may take to load and typeset (a busy 2-core machine is slow).
PAGE_TIMEOUT = 120
#: Page footer: the page's own <title> (in the edition's language) and the page number.
FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#555;">'
          '<span class="title"></span> · <span class="pageNumber"></span></div>')

_READY = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await Promise.all([...document.images].map((img) => img.complete ? null :
      new Promise((done) => {
        img.addEventListener('load', done);
        img.addEventListener('error', done);
      })));
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  return document.images.length;
}"""


def toc_pages(toc: Path) -> list[str]:
    """Document names of ``_toc.yml`` in reading order, e.g. ``book/intro``."""
    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    pages = [data["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections", []))

    for part in data.get("parts", []):
        walk(part.get("chapters", []))
    walk(data.get("chapters", []))
    return [str(Path(page).with_suffix("")) for page in pages]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _print_page(page: Page, url: str, out: Path) -> None:
    page.goto(url, wait_until="load")
    page.evaluate(_READY)
    page.emulate_media(media="print")
    page.pdf(path=str(out), format="A4", print_background=True, display_header_footer=True,
             header_template="<span></span>", footer_template=FOOTER,
             margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"})


def build_pdf(html: Path, out: Path, toc: Path) -> list[str]:
    """Print every page of ``toc`` from the site ``html`` and join them into ``out``.

    Parameters
    ----------
    html
        A built edition's site, e.g. ``_build/html`` or ``_build/html/pt``.
    out
        The PDF to write.
    toc
        That edition's table of contents (its pages have the same names in every edition).

    Returns
    -------
    list[str]
        The pages printed, in order (e.g. ``book/intro``).
    """
    if not (html / "index.html").is_file():
        raise SystemExit(f"book_pdf: {html} has no built book; run `make book` first")
    if shutil.which("pdfunite") is None:
        raise SystemExit("book_pdf: pdfunite not found; install poppler-utils "
                         "(bash tools/ensure_poppler.sh)")
    pages = toc_pages(toc)
    missing = [p for p in pages if not (html / f"{p}.html").is_file()]
    if missing:
        raise SystemExit(f"book_pdf: {html} lacks the pages {missing}; rebuild the book")
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1000, "height": 1300})
            page.set_default_timeout(PAGE_TIMEOUT * 1000)
            parts = []
            for number, name in enumerate(pages):
                parts.append(Path(tmp) / f"{number:03d}.pdf")
                _print_page(page, f"{base}/{name}.html", parts[-1])
            browser.close()
            out.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["pdfunite", *map(str, parts), str(out)], check=True)
    finally:
        server.shutdown()
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path,
                        help="a built edition's site, e.g. _build/html or _build/html/pt")
    parser.add_argument("out", type=Path, help="the PDF to write")
    parser.add_argument("--toc", type=Path, default=ROOT / "_toc.yml",
                        help="the edition's table of contents (default: the English _toc.yml)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    pages = build_pdf(args.html, args.out, args.toc)
    print(f"{args.out}: {len(pages)} pages of the book printed in "
          f"{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
