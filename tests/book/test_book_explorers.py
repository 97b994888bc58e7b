"""A reader moves the sliders of the book's explorers, in the static HTML, offline.

Each explorer (chapters 3, 4 and 7; see dnn_ref.figures.explorer_figures) is opened
in headless chromium from the local server of tests/book/test_book_in_browser.py,
at desktop width and on a 390 px phone: BokehJS (served by the book) draws
it, moving a slider or pressing a button redraws the plot (the pixels of the
figure change), and no request leaves 127.0.0.1. Screenshots of each figure
before and after go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import pytest
from book_site import DESKTOP, HOST, PHONE, SCREENSHOTS
from book_site import open_page as _open

#: (page, explorer name, how to change it: "slider" or a button's label)
EXPLORERS = [
    ("book/03_gradient_descent", "descent", "slider"),
    ("book/04_activations", "chain", "slider"),
    ("book/04_activations", "chain", "relu"),
    ("book/07_training", "boundary", "slider"),
    ("book/07_training", "boundary", "circles"),
]


def _drawn(page, explorer) -> bytes:
    """A screenshot of the explorer once Bokeh has drawn it."""
    page.wait_for_timeout(400)
    return explorer.screenshot()


@pytest.mark.slow
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("doc, name, control", EXPLORERS)
def test_moving_a_control_redraws_the_figure(browser, site, doc, name, control, viewport):
    page = _open(browser, site, doc, viewport)
    try:
        explorer = page.locator(f'[data-explorer="{name}"]')
        assert explorer.count() == 1, f"{doc} has no {name} explorer"
        explorer.scroll_into_view_if_needed()
        explorer.locator("canvas").first.wait_for(timeout=15_000)
        assert explorer.locator(".dnn-explorer-fallback").count() == 0, (
            f"{doc}: BokehJS did not load, the {name} explorer shows its fallback text")
        box = explorer.bounding_box()
        assert box["width"] <= viewport["width"], f"the {name} explorer is wider than the screen"
        before = _drawn(page, explorer)
        if control == "slider":
            handle = explorer.locator(".noUi-handle").first
            handle.focus()
            for _ in range(5):
                page.keyboard.press("ArrowRight")
        else:
            explorer.get_by_role("button", name=control, exact=True).click()
        after = _drawn(page, explorer)
        tag = f"explorer_{name}_{control}_{viewport['width']}px"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)     # this may be the first browser test
        (SCREENSHOTS / f"{tag}_before.png").write_bytes(before)
        (SCREENSHOTS / f"{tag}_after.png").write_bytes(after)
        assert after != before, f"{doc}: moving the {control} of {name} changed nothing"
        assert not page.errors, f"{doc}: JavaScript errors: {page.errors}"
        assert not page.outside, f"{doc} requested hosts other than {HOST}: {page.outside}"
    finally:
        page.close()
