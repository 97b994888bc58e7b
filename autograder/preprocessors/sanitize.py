"""What a student wrote or printed, made inert before any page shows it.

A graded notebook is shown to people twice: to the student as a feedback page,
and to the instructor in nbgrader's formgrader, in a browser session that can
open terminals. Everything the student controls there (answer markdown, HTML,
markdown, LaTeX and JavaScript outputs) must not run script nor link to any.
:class:`SanitizeStudentContent` runs in both pipelines (``Autograde``, after the
one execution, so the autograded notebook the formgrader reads is clean; and
``GenerateFeedback``) and, in every cell but the course's locked ones,

* sends HTML through nbconvert's :class:`~nbconvert.preprocessors.SanitizeHTML`
  (bleach: no ``<script>``, no event handlers, no ``javascript:`` URL;
  JavaScript, SVG and other active outputs are dropped);
* keeps of an output's metadata only an image's ``width`` and ``height``, and only
  when they are numbers (nbconvert writes them into ``<img>`` unquoted: a width of
  ``1 onerror=...`` was a script);
* renders student markdown (cells and ``text/markdown`` outputs) to HTML first and
  sanitizes that, since ``[x](javascript:...)`` is a link only once rendered;
* defuses the TeX that MathJax would turn into links or new macros:
  ``\\href``, ``\\url``, ``\\def``, ``\\let``, ``\\newcommand``, ``\\require``,
  ``\\class``, ``\\style``, ... become plain text (:func:`defuse_tex`).

(nbconvert's own ``HTMLExporter.sanitize_html`` would do the last step at render
time, but its tag list escapes headings and table heads of the course's own cells.)
"""

from __future__ import annotations

import re

from nbconvert.exporters.exporter import ResourcesDict
from nbconvert.filters import markdown2html
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat.notebooknode import NotebookNode
from nbgrader import utils

#: Tags a student's HTML output keeps besides bleach's defaults (pandas tables, text).
TABLES_AND_TEXT = {"table", "thead", "tbody", "tr", "th", "td", "caption", "p", "div", "span",
                   "pre", "br", "hr", "sub", "sup", "h1", "h2", "h3", "h4", "h5", "h6"}
#: TeX control words that make links, load code, change the page or define macros
#: (a macro could rebuild any of the others).
UNSAFE_TEX = ("href", "url", "def", "edef", "gdef", "xdef", "let", "futurelet",
              "newcommand", "renewcommand", "providecommand", "DeclareMathOperator",
              "newenvironment", "renewenvironment", "require", "class", "cssId", "style",
              "data", "unicode", "html", "mmlToken", "csname", "expandafter")
_UNSAFE = re.compile(r"\\(" + "|".join(UNSAFE_TEX) + r")(?![A-Za-z])")
#: An image size nbconvert may write into a tag: digits, perhaps a decimal part or "px".
_SIZE = re.compile(r"\d{1,5}(\.\d{1,3})?(px)?")
#: Output types whose text MathJax typesets on a page.
TEX_OUTPUTS = ("text/latex", "text/markdown", "text/html")


def defuse_tex(text: str) -> str:
    r"""``text`` with each unsafe TeX control word written as plain text.

    ``\href{javascript:x}{y}`` becomes ``\backslash\mathrm{href}{javascript:x}{y}``
    inside maths and shows as that text; outside maths the backslash stays a
    visible backslash. Nothing else changes, so ordinary maths renders as before.

    Parameters
    ----------
    text : str
        Markdown, HTML or LaTeX a student wrote or printed.

    Returns
    -------
    str
    """
    return _UNSAFE.sub(lambda m: r"\backslash\mathrm{" + m.group(1) + "}", text)


def safe_output_metadata(metadata: object) -> dict:
    """An output's metadata reduced to numeric image sizes (everything else is dropped)."""
    kept: dict = {}
    if not isinstance(metadata, dict):
        return kept
    for mime, value in metadata.items():
        if not (isinstance(mime, str) and mime.startswith("image/") and isinstance(value, dict)):
            continue
        sizes = {k: v for k, v in value.items() if k in ("width", "height")
                 and (isinstance(v, int | float) and not isinstance(v, bool)
                      or isinstance(v, str) and _SIZE.fullmatch(v))}
        if sizes:
            kept[mime] = sizes
    return kept


def _defuse(value: str | list[str]) -> str | list[str]:
    if isinstance(value, list):
        return [defuse_tex(part) for part in value]
    return defuse_tex(value)


class SanitizeStudentContent(SanitizeHTML):
    """nbconvert's SanitizeHTML, plus defused TeX, on every cell but the locked ones."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.enabled = True
        self.tags = sorted(set(self.tags) | TABLES_AND_TEXT)

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int
                        ) -> tuple[NotebookNode, ResourcesDict]:
        if cell.cell_type == "markdown" and utils.is_locked(cell):
            return cell, resources
        if cell.cell_type == "markdown":
            cell.source = self.markdown_to_safe_html(cell.source)
        for output in cell.get("outputs", []):
            if "metadata" in output:
                output["metadata"] = safe_output_metadata(output["metadata"])
            data = output.get("data", {})
            if "text/markdown" in data:
                data["text/markdown"] = self.markdown_to_safe_html(data["text/markdown"])
        cell, resources = super().preprocess_cell(cell, resources, index)
        if cell.cell_type in ("markdown", "raw"):
            cell.source = defuse_tex(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for key in TEX_OUTPUTS:
                if key in data:
                    data[key] = _defuse(data[key])
        return cell, resources

    def markdown_to_safe_html(self, markdown: str | list[str]) -> str:
        """``markdown`` rendered as nbconvert renders it, then sanitized (links included)."""
        text = "".join(markdown) if isinstance(markdown, list) else markdown
        return self.sanitize_html_tags(markdown2html(text))
