"""The whole book as one PDF (``make pdf``): every chapter, its figures and its equations.

``make test`` builds ``_build/html/dnn-from-scratch.pdf`` with tools/book_pdf.py
(chromium prints every page of the table of contents, poppler's pdfunite joins
them) before pytest runs. This module reads the file back with poppler's
pdftotext, pdfimages and pdffonts and compares it with the built HTML pages:
every page's title is in its text, it holds at least as many images as the
pages show figures, every numbered equation is there with MathJax's fonts, it
is not older than the pages, and the introduction links to it.
"""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from book_site import HTML, PAGES, require_build

PDF = HTML / "dnn-from-scratch.pdf"

pytestmark = pytest.mark.slow


class _Page(HTMLParser):
    """The title (h1), figure images and equation numbers of one built page's article."""

    def __init__(self) -> None:
        super().__init__()
        self.title, self.images, self.equations = "", 0, []
        self._in_article = self._in_h1 = self._in_eqno = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "article" and "bd-article" in classes:
            self._in_article = True
        elif self._in_article and tag == "h1" and not self.title:
            self._in_h1 = True
        elif self._in_article and tag == "img":
            self.images += 1
        elif self._in_article and tag == "span" and "eqno" in classes:
            self._in_eqno = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False
        elif tag == "span":
            self._in_eqno = False
        elif tag == "article":
            self._in_article = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.title += data
        elif self._in_eqno and data.strip().startswith("("):
            self.equations.append(data.strip())


def _page(doc: str) -> _Page:
    parser = _Page()
    parser.feed((HTML / f"{doc}.html").read_text(encoding="utf-8"))
    parser.title = " ".join(parser.title.replace("#", " ").split())
    return parser


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pdf() -> Path:
    require_build()
    if not PDF.is_file():
        pytest.fail(f"{PDF} is missing; run `make pdf` (make test builds it)")
    return PDF


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_every_page_of_the_book_is_in_the_pdf_in_reading_order(pdf):
    text = _words(_run("pdftotext", str(pdf), "-"))
    titles = [_page(doc).title for doc in PAGES]
    assert all(titles), f"a page without an h1 title: {dict(zip(PAGES, titles, strict=True))}"
    missing = [t for t in titles if t not in text]
    assert not missing, f"the PDF lacks the pages titled {missing}"
    chapters = [t for t in titles if re.match(r"\d+\. ", t)]
    positions = [text.index(t) for t in chapters]
    assert positions == sorted(positions), f"chapters out of order: {chapters}"
    assert any(t.startswith("10. ") for t in chapters), chapters


def test_the_pdf_has_every_figure_and_equation(pdf):
    pages = [_page(doc) for doc in PAGES]
    listed = _run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    images = [line for line in listed if line.split()[2] == "image"]
    figures = sum(p.images for p in pages)
    assert figures > 30, f"only {figures} images in the built pages: is the build complete?"
    assert len(images) >= figures, (
        f"the PDF holds {len(images)} images, the pages show {figures} figures")
    text = _words(_run("pdftotext", str(pdf), "-"))
    numbers = [n for p in pages for n in p.equations]
    assert "(6.7)" in numbers, numbers
    lost = [n for n in numbers if n not in text]
    assert not lost, f"numbered equations missing from the PDF: {lost}"
    fonts = _run("pdffonts", str(pdf))
    assert "Type 3" in fonts, "no MathJax (Type 3) font in the PDF: the maths was not typeset"
    assert "∂" in text and "δ" in text, "the PDF's text has no maths symbols"


def test_the_pdf_is_not_older_than_the_pages_and_the_book_links_to_it(pdf):
    newest = max((HTML / f"{doc}.html").stat().st_mtime for doc in PAGES)
    assert pdf.stat().st_mtime >= newest, "the PDF is older than the built pages; run make pdf"
    intro = (HTML / "book" / "intro.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*dnn-from-scratch\.pdf)"', intro)
    assert links, "the introduction does not link to the whole-book PDF"
    assert all((HTML / "book" / link).resolve() == pdf.resolve() for link in links), links
