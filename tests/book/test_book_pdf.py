"""The whole book as one PDF per edition (``make pdf``): every chapter, its figures, its language.

``make test`` builds ``_build/html/dnn-from-scratch.pdf`` (English) and
``_build/html/pt/dnn-from-scratch.pdf`` (Portuguese) with tools/book_pdf.py
(chromium prints every page of the edition's table of contents, poppler's
pdfunite joins them) before pytest runs. This module reads each file back with
poppler's pdftotext, pdfimages and pdffonts and compares it with its edition's
built HTML pages: every page's title is in its text in reading order, it holds
at least as many images as the pages show figures, every numbered equation is
there with MathJax's fonts, it is not older than the pages, and the
introduction links to it. The Portuguese PDF has the Portuguese pages' words
(titles, each page's first sentence, the footer's book title) and none of the
English ones. In chromium, each edition's PDF button leads to its own PDF,
titled in the page's language.
"""

from __future__ import annotations

import functools
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
from book_site import DESKTOP, HTML, PAGES, open_page, require_build

PDF_NAME = "dnn-from-scratch.pdf"
PT = HTML / "pt"
#: Each edition's site; its PDF is PDF_NAME at the site's root.
EDITIONS = {"en": HTML, "pt": PT}
#: The footer of every printed page ends with the page's <title>, which ends with the book's.
BOOK_TITLE = {"en": "Deep Neural Networks from Scratch", "pt": "Redes Neurais Profundas do Zero"}
PDF_LINK_TITLE = {"en": "Download the whole book (PDF)", "pt": "Baixar o livro inteiro (PDF)"}
#: Words a run of prose needs to identify its page's sentence in the PDF's text.
RUN = 6

pytestmark = pytest.mark.slow


class _Page(HTMLParser):
    """The title (h1), figure images, equation numbers and paragraphs of one built page's article.

    ``paragraphs`` holds, per ``<p>`` of the article, its runs of plain words: the text
    between its maths, code and footnote marks, which print differently from the HTML.
    """

    def __init__(self) -> None:
        super().__init__()
        self.title, self.images, self.equations = "", 0, []
        self.paragraphs: list[list[str]] = []
        self._in_article = self._in_h1 = self._in_eqno = False
        self._in_p = False
        self._skip: list[str] = []     # open tags whose text is not plain prose

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self._in_p and (tag in ("code", "sup", "script") or "math" in classes):
            self._skip.append(tag)
            self.paragraphs[-1].append("")
        elif self._skip and tag == self._skip[-1]:
            self._skip.append(tag)
        if tag == "article" and "bd-article" in classes:
            self._in_article = True
        elif self._in_article and tag == "p":
            self._in_p = True
            self.paragraphs.append([""])
        elif self._in_article and tag == "h1" and not self.title:
            self._in_h1 = True
        elif self._in_article and tag == "img":
            self.images += 1
        elif self._in_article and tag == "span" and "eqno" in classes:
            self._in_eqno = True

    def handle_endtag(self, tag: str) -> None:
        if self._skip and tag == self._skip[-1]:
            self._skip.pop()
            if not self._skip:
                self.paragraphs[-1].append("")
        if tag == "p":
            self._in_p = False
        elif tag == "h1":
            self._in_h1 = False
        elif tag == "span":
            self._in_eqno = False
        elif tag == "article":
            self._in_article = False

    def handle_data(self, data: str) -> None:
        if self._in_p and not self._skip:
            self.paragraphs[-1][-1] += data
        if self._in_h1:
            self.title += data
        elif self._in_eqno and data.strip().startswith("("):
            self.equations.append(data.strip())


def _page(doc: str, html: Path = HTML) -> _Page:
    parser = _Page()
    parser.feed((html / f"{doc}.html").read_text(encoding="utf-8"))
    parser.title = " ".join(parser.title.replace("#", " ").split())
    return parser


def _words(text: str) -> str:
    return " ".join(text.split())


def _first_sentence(page: _Page) -> str:
    """The first RUN plain words of the page's prose: a phrase only its language has."""
    for paragraph in page.paragraphs:
        for run in paragraph:
            words = run.split()
            if len(words) >= RUN:
                return " ".join(words[:RUN])
    raise AssertionError(f"the page titled {page.title!r} has no run of {RUN} plain words")


@pytest.fixture(scope="module", params=sorted(EDITIONS))
def edition(request) -> str:
    """An edition's name ("en", "pt") whose site and PDF are built."""
    require_build()
    pdf = EDITIONS[request.param] / PDF_NAME
    if not pdf.is_file():
        pytest.fail(f"{pdf} is missing; run `make pdf` (make test builds it)")
    return request.param


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@functools.cache
def _text(language: str) -> str:
    """The text of an edition's PDF, its whitespace collapsed (pdftotext)."""
    return _words(_run("pdftotext", str(EDITIONS[language] / PDF_NAME), "-"))


def test_every_page_of_the_book_is_in_the_pdf_in_reading_order(edition):
    text = _text(edition)
    titles = [_page(doc, EDITIONS[edition]).title for doc in PAGES]
    assert all(titles), f"a page without an h1 title: {dict(zip(PAGES, titles, strict=True))}"
    missing = [t for t in titles if t not in text]
    assert not missing, f"the {edition} PDF lacks the pages titled {missing}"
    # A page starts where its first footer is ("<title> — <book title> · 1"); the
    # introduction's list of the chapters would be found first by the bare titles.
    footers = [text.find(f"{t} — {BOOK_TITLE[edition]} · ") for t in titles]
    assert -1 not in footers, [t for t, f in zip(titles, footers, strict=True) if f < 0]
    assert footers == sorted(footers), f"pages out of reading order: {titles}"
    chapters = [t for t in titles if re.match(r"\d+\. ", t)]
    assert len(chapters) == 10 and chapters[-1].startswith("10. "), chapters
    expected = {"en": "6. Backpropagation", "pt": "6. Retropropagação"}[edition]
    assert expected in chapters, chapters


def test_the_pdf_has_every_figure_and_equation(edition):
    pdf = EDITIONS[edition] / PDF_NAME
    pages = [_page(doc, EDITIONS[edition]) for doc in PAGES]
    listed = _run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    images = [line for line in listed if line.split()[2] == "image"]
    figures = sum(p.images for p in pages)
    assert figures > 30, f"only {figures} images in the built pages: is the build complete?"
    assert len(images) >= figures, (
        f"the {edition} PDF holds {len(images)} images, the pages show {figures} figures")
    text = _text(edition)
    numbers = [n for p in pages for n in p.equations]
    assert "(6.7)" in numbers, numbers
    lost = [n for n in numbers if n not in text]
    assert not lost, f"numbered equations missing from the {edition} PDF: {lost}"
    fonts = _run("pdffonts", str(pdf))
    assert "Type 3" in fonts, "no MathJax (Type 3) font in the PDF: the maths was not typeset"
    assert "∂" in text and "δ" in text, "the PDF's text has no maths symbols"


def test_the_pdf_is_not_older_than_the_pages_and_the_book_links_to_it(edition):
    html = EDITIONS[edition]
    pdf = html / PDF_NAME
    newest = max((html / f"{doc}.html").stat().st_mtime for doc in PAGES)
    assert pdf.stat().st_mtime >= newest, "the PDF is older than the built pages; run make pdf"
    intro = (html / "book" / "intro.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*dnn-from-scratch\.pdf)"', intro)
    assert links, "the introduction does not link to the whole-book PDF"
    assert all((html / "book" / link).resolve() == pdf.resolve() for link in links), links


def test_the_portuguese_pdf_is_in_portuguese_not_english():
    require_build()
    if not (PT / PDF_NAME).is_file():
        pytest.fail(f"{PT / PDF_NAME} is missing; run `make pdf` (make test builds it)")
    english, portuguese = _text("en"), _text("pt")
    pt_pages = [_page(doc, PT) for doc in PAGES]
    en_pages = [_page(doc, HTML) for doc in PAGES]
    # Each page's title and first sentence: the Portuguese ones are there, the English
    # ones (which the English PDF has, so the check can fail) are not.
    phrases = [(e.title, p.title) for e, p in zip(en_pages, pt_pages, strict=True)]
    phrases += [(_first_sentence(e), _first_sentence(p))
                for e, p in zip(en_pages, pt_pages, strict=True)]
    phrases += [("Contents", "Conteúdo")]       # the theme's heading of a page's sections
    same = [en for en, pt in phrases if en == pt]
    assert not same, f"phrases the same in both editions' pages: {same}"
    assert all(en in english for en, _ in phrases), (
        [en for en, _ in phrases if en not in english])
    lacking = [pt for _, pt in phrases if pt not in portuguese]
    assert not lacking, f"the Portuguese PDF lacks its pages' phrases {lacking}"
    left = [en for en, _ in phrases if en in portuguese]
    assert not left, f"English phrases in the Portuguese PDF: {left}"
    # The footer (tools/book_pdf.py) of every printed page names the book in its language.
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(PT / PDF_NAME))).group(1))
    assert portuguese.count(BOOK_TITLE["pt"]) >= pages, "a page's footer is not Portuguese"
    assert BOOK_TITLE["en"] not in portuguese
    assert english.count(BOOK_TITLE["en"]) >= pages / 2


@pytest.mark.parametrize("language", sorted(EDITIONS))
def test_each_editions_pdf_button_leads_to_its_own_pdf_in_its_language(browser, site, language):
    prefix = "" if language == "en" else "pt/"
    page = open_page(browser, site, f"{prefix}book/06_backpropagation", DESKTOP)
    try:
        link = page.locator(".article-header-buttons a.dnn-pdf-link")
        assert link.count() == 1, "no PDF button in the page's header"
        href = link.evaluate("a => a.href")
        assert href == urljoin(site, f"{prefix}{PDF_NAME}"), href
        assert link.get_attribute("title") == PDF_LINK_TITLE[language]
        assert link.get_attribute("aria-label") == PDF_LINK_TITLE[language]
        response = page.request.get(href)
        assert response.ok and response.body().startswith(b"%PDF"), f"{href} is not a PDF"
        assert page.errors == [], page.errors
    finally:
        page.close()
