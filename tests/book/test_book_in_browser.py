"""A reader opens the built book in a browser, with no internet.

Every page of the table of contents is served from ``_build/html`` on
127.0.0.1 and opened once in headless Debian chromium (through Playwright);
the tests below then check what a reader would see on that page: maths
typeset by the local MathJax, no request leaving the machine, no broken
internal link, figures that load, no error output and no raw widget text.
A full-page screenshot of each page goes to ``test-artifacts/screenshots/``.

Build the book first: ``make book`` (``make test`` does it for you).
"""

from __future__ import annotations

import functools
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from book_site import (
    CHAPTERS,
    HOST,
    HTML,
    PAGES,
    SCREENSHOTS,
    SITE_PAGES,
    require_build,
)

#: Text that means a widget was printed instead of displayed.
WIDGET_REPRS = ("interactive(children=", "Loading widget...", "VBox(children=",
                "HBox(children=", "IntSlider(value=", "FloatSlider(value=")

#: Maths delimiters that MathJax should have replaced.
RAW_MATH = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]")


@dataclass
class Visit:
    """What the browser saw while loading one page."""

    url: str
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    has_math: bool = False
    math_elements: int = 0
    math_unrendered: int = 0
    mjx_containers: int = 0
    prose_text: str = ""
    output_text: str = ""
    links: list[str] = field(default_factory=list)
    output_images: int = 0
    broken_images: list[str] = field(default_factory=list)
    error_outputs: list[str] = field(default_factory=list)
    exercises: int = 0
    solutions_shown: list[str] = field(default_factory=list)


# JavaScript run in the page once it has loaded and MathJax has finished.
_INSPECT = """() => {
  const article = document.querySelector('article.bd-article') || document.body;
  const prose = article.cloneNode(true);
  prose.querySelectorAll('pre, code, .cell_input, .cell_output, script, style, mjx-container')
       .forEach(e => e.remove());
  const outputs = [...article.querySelectorAll('.cell_output')];
  const maths = [...article.querySelectorAll('.math')];
  return {
    mathElements: maths.length,
    mathUnrendered: maths.filter(e => !e.querySelector('mjx-container')).length,
    mjx: document.querySelectorAll('mjx-container').length,
    proseText: prose.innerText || prose.textContent,
    outputText: outputs.map(e => e.innerText).join('\\n'),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    outputImages: article.querySelectorAll('.cell_output img').length,
    brokenImages: [...document.images]
        .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
    exercises: article.querySelectorAll('.exercise').length,
    solutionsShown: [...article.querySelectorAll('.solution')]
        .filter(e => !(e.classList.contains('dropdown') && e.classList.contains('toggle-hidden')))
        .map(e => e.querySelector('.admonition-title').innerText),
    errorOutputs: [...article.querySelectorAll(
        '.cell_output .traceback, .cell_output [class*="error"], .output.traceback')]
        .map(e => e.className + ': ' + e.innerText.slice(0, 200)),
  };
}"""

# Make lazy images load now and wait until every image has been fetched.
_LOAD_IMAGES = """async () => {
  const imgs = [...document.images];
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null :
      new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
}"""


@pytest.fixture(scope="module")
def visit(site: str, browser: object):
    """``visit(docname)`` opens a page once per session and returns its :class:`Visit`."""
    seen: dict[str, Visit] = {}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _visit(doc: str) -> Visit:
        if doc in seen:
            return seen[doc]
        v = Visit(url=urljoin(site, f"{doc}.html"))
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)    # a busy machine (make test on 2 cores) is slow
        page.on("request", lambda r: v.requests.append(r.url))
        page.on("requestfailed", lambda r: v.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and v.failed.append(f"{r.url} "
                                                                          f"(HTTP {r.status})"))
        page.on("pageerror", lambda e: v.page_errors.append(str(e)))
        page.on("console", lambda m: m.type in ("error", "warning")
                and v.console_errors.append(f"{m.type}: {m.text}"))
        try:
            response = page.goto(v.url, wait_until="load")
            assert response is not None and response.ok, f"{v.url} did not load"
            page.evaluate(_LOAD_IMAGES)
            v.has_math = page.evaluate("() => !!(window.MathJax && MathJax.startup)")
            if v.has_math:
                page.wait_for_function("() => MathJax.startup.promise !== undefined")
                page.evaluate("() => MathJax.startup.promise.then(() => true)")
            page.wait_for_load_state("networkidle")
            info = page.evaluate(_INSPECT)
            page.screenshot(path=str(SCREENSHOTS / f"{Path(doc).name}.png"), full_page=True)
        finally:
            page.close()
        v.math_elements = info["mathElements"]
        v.math_unrendered = info["mathUnrendered"]
        v.mjx_containers = info["mjx"]
        v.prose_text = info["proseText"]
        v.output_text = info["outputText"]
        v.links = info["links"]
        v.output_images = info["outputImages"]
        v.broken_images = info["brokenImages"]
        v.error_outputs = info["errorOutputs"]
        v.exercises = info["exercises"]
        v.solutions_shown = info["solutionsShown"]
        seen[doc] = v
        return v

    return _visit


@functools.cache
def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.slow
def test_every_toc_entry_is_built() -> None:
    require_build()
    missing = [doc for doc in PAGES if not (HTML / f"{doc}.html").is_file()]
    assert not missing, f"no HTML page for toc entries {missing}; rebuild with `make book`"
    assert len(PAGES) >= 11, f"the toc lists only {PAGES}"


@pytest.mark.slow
@pytest.mark.parametrize("doc", SITE_PAGES)
def test_page_loads_nothing_from_outside(visit, doc: str) -> None:
    v = visit(doc)
    outside = [u for u in v.requests
               if urlparse(u).scheme not in ("data", "blob") and urlparse(u).hostname != HOST]
    assert not outside, f"{doc} requests hosts other than {HOST}: {outside}"
    assert not v.failed, f"{doc} has failed requests: {v.failed}"
    assert not v.page_errors, f"{doc} raised JavaScript errors: {v.page_errors}"
    assert not v.console_errors, f"{doc} logged errors or warnings: {v.console_errors}"


@pytest.mark.slow
@pytest.mark.parametrize("doc", PAGES)
def test_math_is_typeset(visit, doc: str) -> None:
    v = visit(doc)
    if v.math_elements:
        assert v.has_math, f"{doc} has maths but MathJax was not loaded"
        assert v.mjx_containers >= v.math_elements, (
            f"{doc}: {v.math_elements} maths elements but only {v.mjx_containers} rendered")
        assert v.math_unrendered == 0, f"{doc}: {v.math_unrendered} maths elements not typeset"
    raw = RAW_MATH.findall(v.prose_text)
    assert not raw, f"{doc} shows raw maths delimiters {sorted(set(raw))} in its text"


@pytest.mark.slow
@pytest.mark.parametrize("doc", ["book/notation", "book/01_forward_pass", "book/02_loss_functions"])
def test_pages_with_formulas_have_math(visit, doc: str) -> None:
    v = visit(doc)
    assert v.math_elements > 0 and v.mjx_containers > 0, f"{doc}: no typeset maths found"


@pytest.mark.slow
@pytest.mark.parametrize("doc", SITE_PAGES)
def test_internal_links_resolve(visit, doc: str) -> None:
    """Every link into the site loads: pages, and the .ipynb/.md download buttons (the launch
    button's course hub, at another port of this machine, is not the site)."""
    v = visit(doc)
    site = urlparse(v.url).netloc
    internal = {urldefrag(u).url for u in v.links if urlparse(u).netloc == site}
    pages = [u for u in internal if urlparse(u).path.endswith(".html")]
    assert pages, f"{doc} has no internal links at all (navigation missing?)"
    broken = sorted(u for u in internal if _status(u) != 200)
    assert not broken, f"{doc} links to files that do not load: {broken}"


@pytest.mark.slow
@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_offers_downloads_and_launch_links(visit, doc: str) -> None:
    v = visit(doc)
    name = Path(doc).name
    for suffix in (".ipynb", ".md"):
        assert any(urlparse(u).hostname == HOST and urlparse(u).path.endswith(name + suffix)
                   for u in v.links), f"{doc} has no download link for its {suffix}"
    assert any("hub/user-redirect" in u for u in v.links), f"{doc} has no course-hub launch link"
    assert not [u for u in v.links if "mybinder.org" in u or "colab.research" in u], (
        f"{doc} launches on Binder or Colab, where this course's notebooks are not")


@pytest.mark.slow
@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_has_figures_that_load(visit, doc: str) -> None:
    v = visit(doc)
    assert v.output_images >= 1, f"{doc} has no figure produced by a cell"
    assert not v.broken_images, f"{doc} has images that did not load: {v.broken_images}"


@pytest.mark.slow
@pytest.mark.parametrize("doc", PAGES)
def test_no_error_outputs(visit, doc: str) -> None:
    v = visit(doc)
    assert not v.error_outputs, f"{doc} shows error outputs: {v.error_outputs}"
    assert "Traceback (most recent call last)" not in v.output_text, (
        f"{doc} shows a Python traceback in a cell output")


@pytest.mark.slow
@pytest.mark.parametrize("doc", PAGES)
def test_no_raw_widget_text(visit, doc: str) -> None:
    v = visit(doc)
    found = [w for w in WIDGET_REPRS if w in v.output_text]
    assert not found, (f"{doc} prints widgets as text {found}; a static book cannot run them, "
                       "show a figure instead and keep the widget for JupyterLab")


@pytest.mark.slow
@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_has_exercises_with_folded_solutions(visit, doc: str) -> None:
    v = visit(doc)
    assert v.exercises >= 1, f"{doc} has no sphinx-exercise exercise"
    assert not v.solutions_shown, (
        f"{doc} shows solutions unfolded at page load: {v.solutions_shown}; "
        "give each solution `:class: dropdown`")
