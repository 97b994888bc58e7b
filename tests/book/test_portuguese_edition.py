"""A reader opens the Portuguese edition (``_build/html/pt/``) in chromium, offline.

Both editions are served from ``_build/html`` on 127.0.0.1, as ``make serve``
does; every request to any other host is blocked and recorded. On every page
of the table of contents, at desktop width and on a 390 px phone: the page is
``lang="pt-BR"``, its maths is typeset by the book's own MathJax (no raw
``$$``), no paragraph is left in English (no ``.untranslated`` element: this
fails while translations are missing or out of date, by design), nothing
scrolls the page sideways on the phone, and the link to the English edition
leads to the same page, whose "Português" link leads back. A slider figure
redraws when its slider moves. Glued numbers are the English edition's,
page by page. Screenshots go to ``test-artifacts/screenshots/pt_*.png``.

Build both editions first: ``make book`` (``make test`` does it for you).
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from book_site import DESKTOP, HOST, HTML, PAGES, PHONE, ROOT, SCREENSHOTS

# `site` (both editions on 127.0.0.1, as `make serve`) and `browser` come from
# tests/fixtures/book_site.py through tests/conftest.py.

PT = HTML / "pt"


def require_build() -> None:
    for edition in (HTML, PT):
        if not (edition / "index.html").is_file():
            pytest.fail(f"{edition} has no built book; run `make book` (both editions)")


def _open(browser, url: str, viewport: dict, typeset: bool = True) -> object:
    """A page showing ``url`` (maths typeset unless ``typeset`` is False); requests off
    127.0.0.1 are blocked and recorded in ``page.outside``."""
    require_build()
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(120_000)       # a busy machine (make test on 2 cores) is slow
    page.outside, page.errors = [], []

    def route(r) -> None:
        parsed = urlparse(r.request.url)
        if parsed.scheme in ("data", "blob") or parsed.hostname == HOST:
            r.continue_()
        else:
            page.outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url} did not load"
    if typeset and page.evaluate("() => !!(window.MathJax && MathJax.startup)"):
        page.wait_for_function("() => MathJax.startup.promise !== undefined")
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
    page.wait_for_load_state("networkidle")
    return page


_READ = """() => {
  const article = document.querySelector('article.bd-article');
  const prose = article.cloneNode(true);
  prose.querySelectorAll('pre, code, .cell_input, .cell_output, script, style, mjx-container')
       .forEach(e => e.remove());
  const maths = [...article.querySelectorAll('.math')];
  return {
    lang: document.documentElement.lang,
    maths: maths.length,
    untypeset: maths.filter(e => !e.querySelector('mjx-container')).length,
    prose: prose.innerText,
    untranslated: [...article.querySelectorAll('.untranslated')]
        .map(e => e.innerText.slice(0, 80).replace(/\\s+/g, ' ')),
    pageWidth: document.documentElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
  };
}"""


@pytest.mark.slow
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("doc", PAGES)
def test_page_reads_in_portuguese(browser, site, doc: str, viewport: dict) -> None:
    page = _open(browser, urljoin(site, f"pt/{doc}.html"), viewport)
    try:
        seen = page.evaluate(_READ)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"pt_{viewport['width']}px_{Path(doc).name}.png"),
                        full_page=viewport is PHONE)
    finally:
        page.close()
    assert seen["lang"] == "pt-BR", f"pt/{doc}: <html lang={seen['lang']!r}>"
    assert not page.outside, f"pt/{doc} tried to load from other hosts: {page.outside}"
    assert not page.errors, f"pt/{doc}: JavaScript errors {page.errors}"
    assert seen["untypeset"] == 0, f"pt/{doc}: {seen['untypeset']} of {seen['maths']} not typeset"
    assert "$$" not in seen["prose"], f"pt/{doc} shows raw $$ maths"
    assert seen["pageWidth"] <= seen["viewport"], (
        f"pt/{doc} is {seen['pageWidth']} px wide on a {seen['viewport']} px screen")
    assert not seen["untranslated"], (
        f"pt/{doc} shows {len(seen['untranslated'])} paragraphs in English (missing or fuzzy "
        f"translations; `make i18n-check` lists them): {seen['untranslated'][:5]}")


@pytest.mark.slow
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("doc", PAGES)
def test_the_links_between_editions_lead_to_the_same_page(browser, site, doc: str,
                                                          viewport: dict) -> None:
    pt_url, en_url = urljoin(site, f"pt/{doc}.html"), urljoin(site, f"{doc}.html")
    page = _open(browser, pt_url, viewport, typeset=False)
    try:
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("link", name="English", exact=True).click()
        assert page.url == en_url, f"pt/{doc}: 'English' leads to {page.url}, not {en_url}"
        assert page.evaluate("() => document.documentElement.lang") == "en"
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("link", name="Português", exact=True).click()
        assert page.url == pt_url, f"{doc}: 'Português' leads to {page.url}, not {pt_url}"
        assert page.evaluate("() => document.documentElement.lang") == "pt-BR"
    finally:
        page.close()
    assert not page.outside, f"{doc}: requests to other hosts {page.outside}"


@pytest.mark.slow
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_slider_figure_redraws_in_the_portuguese_edition(browser, site, viewport) -> None:
    page = _open(browser, urljoin(site, "pt/book/03_gradient_descent.html"), viewport)
    try:
        explorer = page.locator('[data-explorer="descent"]')
        assert explorer.count() == 1, "pt/book/03_gradient_descent has no descent explorer"
        explorer.scroll_into_view_if_needed()
        explorer.locator("canvas").first.wait_for(timeout=15_000)
        assert explorer.locator(".dnn-explorer-fallback").count() == 0, "BokehJS did not load"
        page.wait_for_timeout(400)
        before = explorer.screenshot()
        explorer.locator(".noUi-handle").first.focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.wait_for_timeout(400)
        after = explorer.screenshot()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"pt_explorer_descent_{viewport['width']}px.png").write_bytes(after)
    finally:
        page.close()
    assert after != before, "moving the slider changed nothing in the Portuguese edition"
    assert not page.errors, f"JavaScript errors: {page.errors}"
    assert not page.outside, f"requests to other hosts: {page.outside}"


class _PastedText(HTMLParser):
    """Collects the text of every ``span.pasted-text`` (a glued value) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth:
            self._depth += tag == "span"
        elif tag == "span" and "pasted-text" in (dict(attrs).get("class") or "").split():
            self._depth = 1
            self.values.append("")

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag == "span":
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.values[-1] += data


def glued(path: Path) -> Counter:
    parser = _PastedText()
    parser.feed(path.read_text(encoding="utf-8"))
    return Counter(re.sub(r"\s+", " ", v).strip() for v in parser.values)


@pytest.mark.slow
def test_glued_numbers_are_the_english_editions() -> None:
    require_build()
    total = 0
    for doc in PAGES:
        english, portuguese = glued(HTML / f"{doc}.html"), glued(PT / f"{doc}.html")
        # a translation may reorder a sentence: compare each page's glued values as a multiset
        assert portuguese == english, (
            f"{doc}: glued values differ; only English {sorted((english - portuguese).elements())}"
            f", only Portuguese {sorted((portuguese - english).elements())}")
        total += sum(english.values())
    assert total >= 50, f"only {total} glued values in the whole book: is glue rendered at all?"


@pytest.mark.slow
def test_the_sidebar_and_the_theme_speak_portuguese() -> None:
    # part captions come from the root page's catalogue (tools/edition_config.py), the theme's
    # words from locale/pt_BR/LC_MESSAGES/sphinx.po
    import polib
    import yaml

    require_build()
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    catalogue = {e.msgid: e.msgstr for e in polib.pofile(
        str(ROOT / "locale" / "pt_BR" / "LC_MESSAGES" / f"{toc['root']}.po"))}
    page = (PT / "book" / "01_forward_pass.html").read_text(encoding="utf-8")
    for part in toc["parts"]:
        assert catalogue[part["caption"]] and catalogue[part["caption"]] in page, part["caption"]
        assert f">{part['caption']}<" not in page
    for english, portuguese in [("Skip to main content", "Pular para o conteúdo principal"),
                                ("Back to top", "Voltar ao topo"),
                                ("Search this book", "Pesquisar neste livro")]:
        assert portuguese in page and english not in page, english


class _OutputImages(HTMLParser):
    """The ``src`` of every image in a page's cell outputs, and the untranslated ones."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.untranslated: list[str] = []
        self._outputs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if self._outputs:
            self._outputs += tag == "div"
            if tag == "img":
                self.images.append(Path(found.get("src") or "").name)
                if "untranslated" in classes:
                    self.untranslated.append(self.images[-1])
        elif tag == "div" and "cell_output" in classes:
            self._outputs = 1

    def handle_endtag(self, tag: str) -> None:
        if self._outputs and tag == "div":
            self._outputs -= 1


def output_images(path: Path) -> _OutputImages:
    parser = _OutputImages()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.slow
def test_figures_are_drawn_with_portuguese_labels() -> None:
    """Each figure with words is its Portuguese drawing in pt/, its English one in English;
    a figure without words is the same file in both (book/_ext/figure_editions.py)."""
    import json

    require_build()
    labels = json.loads((ROOT / "_build" / "figure_labels.json").read_text(encoding="utf-8"))
    worded = [doc for doc in PAGES if labels.get(doc, {}).get("labels")]
    assert len(worded) >= 8, f"only {worded} have figures with words: were they drawn per language?"
    for doc in PAGES:
        english, portuguese = output_images(HTML / f"{doc}.html"), output_images(PT / f"{doc}.html")
        assert len(portuguese.images) == len(english.images), f"{doc}: not the same figures"
        assert not portuguese.untranslated, f"pt/{doc}: figures with English labels"
        redrawn = [pt for en, pt in zip(english.images, portuguese.images, strict=True)
                   if en != pt]
        assert bool(redrawn) == (doc in worded), (
            f"pt/{doc}: {len(redrawn)} of {len(english.images)} figures drawn in Portuguese")
        for name in redrawn:
            assert (PT / "_images" / name).is_file(), f"pt/{doc}: {name} is missing"
    chapter3 = (PT / "book" / "03_gradient_descent.html").read_text(encoding="utf-8")
    assert "taxa de aprendizado" in chapter3 and "learning rate" not in chapter3.split(
        'data-explorer="descent"')[1].split("</script>")[0], "the slider figure is in English"


#: Words a Portuguese page may share with the English one outside code: names, keys, file
#: types, and "Bug" (the loanword a Brazilian programmer uses, in chapter 9's headings).
SHARED_WORDS = {"JupyterHub", "Ctrl", "PDF", "Bug", "Numpy"}


class _ThemeWords(HTMLParser):
    """The words around a page's text: tooltips, image descriptions, screen-reader labels
    and the text outside the article (sidebar, header, footer), leaving out code and what
    only a printout shows (``.onlyprint``)."""

    LABELS = ("title", "aria-label", "alt", "placeholder")
    SKIPPED = {"script", "style", "article", "code", "pre"}

    def __init__(self) -> None:
        super().__init__()
        self.words: set[str] = set()
        self._open: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skipped for _, skipped in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        skipped = tag in self.SKIPPED or "onlyprint" in (found.get("class") or "").split()
        if tag not in ("meta", "link", "img", "input", "br", "hr", "source"):
            self._open.append((tag, skipped))
        if not (skipped or self._skipping()):
            self.words |= {" ".join(found[k].split()) for k in self.LABELS if found.get(k)}

    def handle_endtag(self, tag: str) -> None:
        if any(name == tag for name, _ in self._open):   # a stray end tag closes nothing
            while self._open.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._skipping():
            self.words.add(" ".join(data.split()))


def english_left(english: set[str], portuguese: set[str]) -> list[str]:
    """The words both editions show that are English: a word of three letters or more, not
    a file name or one of :data:`SHARED_WORDS`."""
    def is_english(text: str) -> bool:
        words = re.findall(r"[A-Za-z][A-Za-z_.]{2,}", re.sub(r"\S*[./]\S*", " ", text))
        return any(w not in SHARED_WORDS for w in words)
    return sorted(w for w in english & portuguese if is_english(w))


def _theme_words(path: Path) -> set[str]:
    parser = _ThemeWords()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.words


@pytest.mark.slow
def test_the_words_around_every_page_are_portuguese() -> None:
    """Tooltips, labels, image descriptions, sidebar and footer of every Portuguese page:
    the theme's (locale/pt_BR/LC_MESSAGES/booktheme.po, sphinx.po, book/_templates/),
    myst-nb's hidden-cell label and the authors' line (book/_ext/theme_words.py)."""
    require_build()
    left = {doc: english_left(_theme_words(HTML / f"{doc}.html"), _theme_words(PT / f"{doc}.html"))
            for doc in PAGES}
    assert not any(left.values()), {doc: words for doc, words in left.items() if words}
    footer = (PT / "book" / "01_forward_pass.html").read_text(encoding="utf-8")
    assert "Autoria:" in footer and "Equipe do curso Redes Neurais Profundas do Zero" in footer


def test_english_left_names_english_words_and_spares_names_and_files() -> None:
    english = {"Toggle primary sidebar", "JupyterHub", ".ipynb", "Ctrl", "1.2. Bug 3:", "Main"}
    portuguese = {"Toggle primary sidebar", "JupyterHub", ".ipynb", "Ctrl", "1.2. Bug 3:",
                  "Principal"}
    assert english_left(english, portuguese) == ["Toggle primary sidebar"]


_LABELS = """() => [...document.querySelectorAll('[title], [aria-label], [alt], [placeholder]')]
  .filter(e => !e.closest('code, pre, .onlyprint'))
  .flatMap(e => ['title', 'aria-label', 'alt', 'placeholder']
    .map(a => (e.getAttribute(a) || '').replace(/\\s+/g, ' ').trim()).filter(Boolean))"""


@pytest.mark.slow
@pytest.mark.parametrize("doc", ["book/intro", "book/01_forward_pass"])
def test_the_labels_the_page_scripts_add_are_portuguese(browser, site, doc: str) -> None:
    """What the page's scripts add once it has loaded (the PDF button of readers.js, the
    theme's buttons) has Portuguese tooltips and labels, as the built page does."""
    seen = {}
    for edition in ("", "pt/"):
        page = _open(browser, urljoin(site, f"{edition}{doc}.html"), DESKTOP, typeset=False)
        try:
            seen[edition] = set(page.evaluate(_LABELS))
        finally:
            page.close()
    assert "Baixar o livro inteiro (PDF)" in seen["pt/"], sorted(seen["pt/"])
    assert not english_left(seen[""], seen["pt/"]), english_left(seen[""], seen["pt/"])
