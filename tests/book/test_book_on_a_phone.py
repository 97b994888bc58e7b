"""A reader finds their way around the built book, on a 390 px phone and on a desktop.

In headless chromium, as in tests/book/test_book_in_browser.py (whose local
server and browser this module reuses): the ☰ button opens the chapter list
and a chapter link in it navigates; the page-contents button opens the
page's contents; on the desktop ☰ hides and shows the sidebar and there is a
single search field; no page is wider than a 390 px screen, and whatever is
wider than the column (maths, code, tables, multi-panel figures) scrolls in
its own box, with a shadow on the side that has more; search results quote
the pages' text. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest
from book_site import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    SITE_PAGES,
    TABLET,
    require_build,
)
from book_site import open_page as _open

#: Boxes that scroll sideways in place (book/_static/readers.js marks them).
SCROLL_BOXES = ", ".join([
    "article.bd-article div.math", "article.bd-article span.math",
    'article.bd-article mjx-container[display="true"]', "article.bd-article pre",
    "article.bd-article .cell_output .output",
    "article.bd-article .pst-scrollable-table-container",
    "article.bd-article .dnn-figure-scroll",
])

# Elements that stick out of the viewport without a scroll box that fits it,
# and boxes that hide part of their content without a cue.
_LAYOUT = """(boxes) => {
  const vw = document.documentElement.clientWidth;
  const scrolls = s => s.overflowX === 'auto' || s.overflowX === 'scroll';
  const inHiddenPart = e => !!e.closest('.toggle-hidden, details:not([open])');
  const name = e => e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined
      ? '.' + e.className.split(' ').join('.') : '') + ' "' +
      (e.innerText || '').slice(0, 60).replace(/\\s+/g, ' ') + '"';
  const stickingOut = [];
  for (const e of document.querySelectorAll(
      'article.bd-article *, .prev-next-area *, .bd-footer-content *')) {
    if (inHiddenPart(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1) continue;
    let p = e.parentElement, boxed = false;
    while (p && p !== document.body) {
      if (scrolls(getComputedStyle(p)) && p.getBoundingClientRect().right <= vw + 1) {
        boxed = true; break;
      }
      p = p.parentElement;
    }
    if (!boxed) stickingOut.push(name(e) + ' ends at ' + Math.round(r.right) + ' px');
  }
  const noCue = [...document.querySelectorAll(boxes)]
      .filter(b => !inHiddenPart(b) && b.scrollWidth > b.clientWidth + 6 &&
                   scrolls(getComputedStyle(b)) && getComputedStyle(b).boxShadow === 'none')
      .map(name);
  const wide = [...document.querySelectorAll('article.bd-article .cell_output img')]
      .filter(i => i.naturalWidth > 1.8 * i.naturalHeight)
      .map(i => ({width: i.getBoundingClientRect().width,
                  boxed: !!i.closest('.dnn-figure-scroll')}));
  return {pageWidth: document.documentElement.scrollWidth, viewport: vw,
          stickingOut: stickingOut.slice(0, 10), noCue: noCue.slice(0, 10), wide};
}"""


def _visible(page, selector: str):
    return page.locator(f"{selector}:visible").first


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["", "pt/"], ids=["en", "pt"])
@pytest.mark.parametrize("doc", SITE_PAGES)
def test_nothing_scrolls_the_page_sideways_on_a_phone(browser, site, doc, edition):
    """Both editions: a Portuguese word is often longer ("computacionais"), and the
    next-page link at the foot of a page must not cut it off."""
    doc = edition + doc
    page = _open(browser, site, doc, PHONE)
    try:
        page.wait_for_timeout(300)       # readers.js marks boxes once MathJax is done
        layout = page.evaluate(_LAYOUT, SCROLL_BOXES)
        shot = f"phone_{edition.replace('/', '_')}{Path(doc).name}.png"
        page.screenshot(path=str(SCREENSHOTS / shot))
    finally:
        page.close()
    assert layout["pageWidth"] <= layout["viewport"], (
        f"{doc} is {layout['pageWidth']} px wide on a {layout['viewport']} px phone")
    assert not layout["stickingOut"], (
        f"{doc}: these stick out of the phone's screen instead of scrolling in their own "
        f"box: {layout['stickingOut']}")
    assert not layout["noCue"], f"{doc}: boxes that scroll without a cue: {layout['noCue']}"
    for figure in layout["wide"]:
        assert figure["boxed"] and figure["width"] >= 600, (
            f"{doc}: a multi-panel figure is shrunk to {figure['width']:.0f} px on a phone")


@pytest.mark.slow
def test_multi_panel_figures_keep_a_legible_size_on_a_phone(browser, site):
    page = _open(browser, site, "book/03_gradient_descent", PHONE)
    try:
        layout = page.evaluate(_LAYOUT, SCROLL_BOXES)
    finally:
        page.close()
    assert layout["wide"], "chapter 3's three-panel figures were not recognised as wide"


@pytest.mark.slow
@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_the_menu_button_opens_the_chapter_list_and_a_chapter_link_navigates(
        browser, site, viewport):
    page = _open(browser, site, "book/intro", viewport)
    try:
        _visible(page, ".primary-toggle").click()
        menu = page.locator("#pst-primary-sidebar-modal")
        menu.wait_for(state="visible", timeout=5000)
        link = menu.get_by_role("link", name="Gradient descent")
        assert link.is_visible(), "the chapter list shows no 'Gradient descent' link"
        page.screenshot(path=str(SCREENSHOTS / f"menu_open_{viewport['width']}px.png"))
        link.click()
        page.wait_for_url("**/book/03_gradient_descent.html", timeout=10_000)
        assert page.locator("h1").first.inner_text().startswith("Gradient descent")
        assert not page.errors, f"JavaScript errors: {page.errors}"
    finally:
        page.close()


@pytest.mark.slow
def test_the_contents_button_opens_the_page_contents_on_a_phone(browser, site):
    page = _open(browser, site, "book/03_gradient_descent", PHONE)
    try:
        _visible(page, ".secondary-toggle").click()
        contents = page.locator("#pst-secondary-sidebar-modal")
        contents.wait_for(state="visible", timeout=5000)
        assert contents.get_by_role("link", name="The gradient vector").is_visible(), (
            "the page-contents panel does not list the chapter's sections")
    finally:
        page.close()


@pytest.mark.slow
def test_the_menu_button_hides_and_shows_the_sidebar_on_a_desktop(browser, site):
    page = _open(browser, site, "book/intro", DESKTOP)
    try:
        sidebar = page.locator("#pst-primary-sidebar")
        assert sidebar.is_visible(), "no chapter list beside the page on a desktop"
        _visible(page, ".primary-toggle").click()
        sidebar.wait_for(state="hidden", timeout=5000)
        _visible(page, ".primary-toggle").click()
        sidebar.wait_for(state="visible", timeout=5000)
    finally:
        page.close()


@pytest.mark.slow
def test_a_desktop_page_has_one_search_field_and_no_header_bar(browser, site):
    page = _open(browser, site, "book/intro", DESKTOP)
    try:
        fields = page.locator(".search-button-field:visible").count()
        header_items = page.locator("header.bd-header *").count()
        mode = page.evaluate("() => document.documentElement.dataset.mode")
    finally:
        page.close()
    assert fields == 1, f"{fields} search fields on the page"
    assert header_items == 0, (
        "pydata-sphinx-theme's header bar is back (a second search field, and a hidden ☰ "
        "that takes the click handlers of the visible one)")
    assert mode == "light", f"colour mode {mode!r}"


@pytest.mark.slow
def test_search_results_quote_the_pages_text(browser, site):
    require_build()
    page = _open(browser, site, "search", DESKTOP)
    try:
        page.goto(urljoin(site, "search.html?q=gradient"))
        page.wait_for_function(
            "() => /Search finished/.test(document.querySelector('#search-results').innerText)",
            timeout=30_000)
        page.wait_for_load_state("networkidle")
        summaries = page.locator("#search-results p.context").all_inner_texts()
        assert not page.errors, f"JavaScript errors: {page.errors}"
    finally:
        page.close()
    assert len(summaries) >= 5, f"only {len(summaries)} results for 'gradient'"
    bad = [s[:80] for s in summaries if ".pdf" in s or s.startswith("....") or
           s.lstrip(".").startswith("Contents")]
    assert not bad, f"search summaries quote the page's buttons or print contents: {bad}"
