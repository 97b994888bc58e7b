"""What issue 17's reader on a phone, in dark mode or searching sees, in headless chromium.

The colour-mode button changes the colours at its first click (light → dark,
not light → auto, which looks the same); chapter 9's summary table scrolls
sideways on a 390 px phone instead of breaking words mid-word; chapter 7's
decision-boundary figures keep a legible width there; in dark mode the
shadow that marks a box with more to scroll (the cut columns of equation
(6.7)) is light, so it shows; search summaries do not quote a chapter's cell
of imports; and chapter 4's slider figure labels its axis in words. The
browser and the local server are tests/fixtures/book_site.py's (tests/conftest.py
provides them); screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

import pytest
from book_site import (
    DESKTOP,
    HTML,
    PHONE,
    SCREENSHOTS,
    open_page,
    require_build,
)

pytestmark = pytest.mark.slow

#: The figures of chapter 7's section "What shapes can a network draw?".
SHAPES = "section#what-shapes-can-a-network-draw .cell_output img"


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"readers_{name}.png"))


def test_each_click_of_the_colour_mode_button_changes_the_colours(browser, site):
    page = open_page(browser, site, "book/intro", DESKTOP)
    try:
        themes = [page.evaluate("() => document.documentElement.dataset.theme")]
        for _ in range(3):
            page.locator(".theme-switch-button:visible").first.click()
            themes.append(page.evaluate("() => document.documentElement.dataset.theme"))
        modes = page.evaluate("() => localStorage.getItem('mode')")
        _shot(page, "after_three_clicks")
        assert not page.errors, page.errors
    finally:
        page.close()
    assert themes[0] == "light", themes
    assert all(a != b for a, b in zip(themes, themes[1:], strict=False)), (
        f"a click of the colour-mode button left the colours as they were: {themes}")
    assert modes in ("light", "dark", "auto"), modes


def test_chapter_9s_table_scrolls_on_a_phone_instead_of_breaking_words(browser, site):
    page = open_page(browser, site, "book/09_common_mistakes", PHONE)
    try:
        page.wait_for_timeout(300)
        table = page.evaluate("""() => {
          const box = [...document.querySelectorAll(
              'article.bd-article .pst-scrollable-table-container')].pop();
          box.scrollIntoView();
          const wraps = [...box.querySelectorAll('td p, td code')]
              .map(e => getComputedStyle(e).overflowWrap);
          return {scrolls: box.scrollWidth > box.clientWidth + 6, cue: box.className,
                  anywhere: wraps.filter(w => w === 'anywhere').length, cells: wraps.length};
        }""")
        _shot(page, "phone_ch9_table")
    finally:
        page.close()
    assert table["cells"] > 20, table
    assert table["anywhere"] == 0, f"table cells still break words anywhere: {table}"
    assert table["scrolls"], f"chapter 9's table is squeezed into the phone's width: {table}"
    assert "dnn-scrolls-right" in table["cue"], f"the table scrolls without a cue: {table}"


def test_chapter_7s_decision_boundaries_stay_legible_on_a_phone(browser, site):
    page = open_page(browser, site, "book/07_training", PHONE)
    try:
        page.wait_for_timeout(300)
        # the decision-boundary figures: three panels, drawn 13 inches wide
        widths = page.evaluate(f"""() => [...document.querySelectorAll('{SHAPES}')]
            .filter(i => i.naturalWidth > 1000).map(i => i.getBoundingClientRect().width)""")
        page.locator(SHAPES).first.scroll_into_view_if_needed()
        _shot(page, "phone_ch7_shapes")
    finally:
        page.close()
    assert len(widths) >= 6, f"expected one figure per network in section 7.6: {widths}"
    narrow = [round(w) for w in widths if w < 600]
    assert not narrow, f"decision-boundary figures shrunk to {narrow} px on a 390 px phone"


def test_the_scroll_cue_shows_in_dark_mode(browser, site):
    page = browser.new_page(viewport=PHONE)
    try:
        page.add_init_script("localStorage.setItem('mode', 'dark');"
                             "localStorage.setItem('theme', 'dark');")
        page.goto(urljoin(site, "book/06_backpropagation.html"), wait_until="load")
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
        page.wait_for_timeout(500)
        cue = page.evaluate("""() => {
          const box = document.querySelector('#equation-bp-batch mjx-container');
          box.scrollIntoView({block: 'center'});
          return {theme: document.documentElement.dataset.theme, classes: box.className,
                  hidden: box.scrollWidth - box.clientWidth,
                  shadow: getComputedStyle(box).boxShadow};
        }""")
        _shot(page, "phone_dark_eq_6_7")
    finally:
        page.close()
    assert cue["theme"] == "dark", cue
    assert cue["hidden"] > 6, f"equation (6.7) fits a phone now; pick a wider one: {cue}"
    assert "dnn-scrolls-right" in cue["classes"], cue
    assert "255, 255, 255" in cue["shadow"], f"the dark-mode cue is not light: {cue}"


def test_search_summaries_do_not_quote_the_imports(browser, site):
    require_build()
    page = open_page(browser, site, "search", DESKTOP)
    try:
        page.goto(urljoin(site, "search.html?q=dnn_ref"))
        page.wait_for_function(
            "() => /Search finished/.test(document.querySelector('#search-results').innerText)",
            timeout=30_000)
        page.wait_for_load_state("networkidle")
        summaries = page.locator("#search-results p.context").all_inner_texts()
    finally:
        page.close()
    assert len(summaries) >= 5, summaries
    quoting = [s[:80] for s in summaries if "import " in s]
    assert not quoting, f"search summaries quote a chapter's imports: {quoting}"


def test_chapter_4s_slider_figure_labels_its_axis_in_words():
    require_build()
    page = (HTML / "book" / "04_activations.html").read_text(encoding="utf-8")
    found = re.findall(r'"axis_label":"((?:[^"\\]|\\.)*)"', page)
    labels = []
    for label in found:       # the figure's JSON sits in a string: escaped twice
        while "\\u" in label or '\\"' in label:
            label = json.loads(f'"{label}"')
        labels.append(label)
    assert "size of the gradient that reaches layer L \u2212 k" in labels, labels
    pseudo = [label for label in labels if "_(" in label or "∂" in label]
    assert not pseudo, f"the slider figure's axis labels are pseudo-TeX: {pseudo}"
