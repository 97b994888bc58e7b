"""Drop repeated inline scripts from the HTML pages.

sphinx-thebe and sphinx-togglebutton register inline configuration scripts
(``const THEBE_JS_URL = …``, ``var togglebuttonSelector = …``) after the HTML
builder has started. Sphinx 7.4 then puts each of them on every page twice:
once as added (file name ``None``) and once more from its registry (file name
``''``), and the two do not compare equal. A second ``const`` declaration is a
JavaScript SyntaxError on every page. This extension keeps the first copy of
each script (same ``src`` and same body) and drops the rest.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _dedupe(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
            doctree: object) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for js in scripts:
        key = (js.filename or "", js.attributes.get("body", ""))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("html-page-context", _dedupe, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
