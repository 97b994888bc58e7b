"""Serve MathJax 3 from the book itself, so pages render maths with no internet.

The PyPI wheel ``django-static-mathjax`` ships the MathJax 3 distribution
(``mathjax/static/mathjax/es5``). This extension copies the parts a page
needs (the ``tex-chtml`` component, its lazily loaded extensions, the menu
and accessibility code, and the CHTML web fonts) into
``<html output>/_static/mathjax/``; ``_config.yml`` points Sphinx's
``mathjax_path`` at the copy, and the build stops if it does not. MathJax
finds its fonts and extensions relative to the script's own URL, so nothing
is requested from a CDN.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import mathjax
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

#: Relative to the MathJax ``es5`` folder: what ``tex-chtml.js`` loads.
NEEDED = ["tex-chtml.js", "input", "output/chtml", "ui", "a11y", "sre", "adaptors"]

#: Where the copy goes, relative to the HTML ``_static`` folder.
TARGET = "mathjax"


def mathjax_source() -> Path:
    """The ``es5`` folder of the installed MathJax 3 distribution."""
    src = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (src / "tex-chtml.js").is_file():
        raise ExtensionError(
            f"local_mathjax: no tex-chtml.js in {src}; reinstall django-static-mathjax "
            "(pip install -r requirements.txt)"
        )
    return src


def _check(app: Sphinx) -> None:
    """Fail before any page is read if MathJax is missing or not pointed at the copy."""
    mathjax_source()
    expected = f"{TARGET}/tex-chtml.js"
    if app.config.mathjax_path != expected:
        raise ExtensionError(
            f"local_mathjax: mathjax_path is {app.config.mathjax_path!r}; set it to "
            f"{expected!r} under sphinx: config: in _config.yml so no page loads a CDN"
        )


def _copy(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    src = mathjax_source()
    dest = Path(app.outdir) / "_static" / TARGET
    for rel in NEEDED:
        s, d = src / rel, dest / rel
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, d)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _check)
    app.connect("build-finished", _copy)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
