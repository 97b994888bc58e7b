"""The book's own CSS and JavaScript, and BokehJS for the slider figures, all served locally.

* ``book/_static`` becomes a static folder of the HTML build, and every page
  loads ``readers.css`` and ``readers.js`` from it (phone layout: nothing
  scrolls the page sideways; boxes that scroll show a cue).
* Pages with a slider figure (an element of class ``dnn-explorer``, made by
  :mod:`dnn_ref.figures.explorer_figures`) also load BokehJS, copied from the
  installed ``bokeh`` wheel into ``_static/bokeh/`` with the version in the
  file name: the figure's JSON and the script that draws it always come from
  the same Bokeh, and no page asks a CDN for anything.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

STATIC = Path(__file__).resolve().parents[1] / "_static"
#: Marker class of a slider figure's container in a page's HTML.
EXPLORER_CLASS = "dnn-explorer"
#: BokehJS bundles a standalone figure with sliders needs.
BOKEH_BUNDLES = ("bokeh", "bokeh-widgets")


def bokeh_files() -> dict[str, Path]:
    """``{path under _static: file in the bokeh wheel}`` of the BokehJS bundles."""
    try:
        import bokeh
    except ImportError as err:
        raise ExtensionError(
            "reader_assets: bokeh is not installed; pip install -r requirements.txt") from err
    src = Path(bokeh.__file__).parent / "server" / "static" / "js"
    files = {f"bokeh/{name}-{bokeh.__version__}.min.js": src / f"{name}.min.js"
             for name in BOKEH_BUNDLES}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise ExtensionError(f"reader_assets: the bokeh wheel lacks {missing}; reinstall bokeh")
    return files


def _add_static(app: Sphinx, config: Config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def _page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: object) -> None:
    if f'class="{EXPLORER_CLASS}' in context.get("body", ""):
        for target in bokeh_files():
            app.add_js_file(target, priority=400)


def _copy_bokeh(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for target, src in bokeh_files().items():
        dest = Path(app.outdir) / "_static" / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)


def setup(app: Sphinx) -> dict[str, object]:
    bokeh_files()  # fail early, before any page is read
    app.connect("config-inited", _add_static)
    app.add_css_file("readers.css")
    app.add_js_file("readers.js")
    app.connect("html-page-context", _page_scripts)
    app.connect("build-finished", _copy_bokeh)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
