"""Feedback pages that work offline and fit a phone.

nbgrader's ``generate_feedback`` renders each graded notebook with its
``feedback`` template, which loads MathJax 2 from a CDN, keeps Bootstrap 3's
fixed widths and prints long outputs on one line. The course's pages use the
``dnn_feedback`` template (``autograder/reports/templates/dnn_feedback``), which
extends nbgrader's and replaces its ``<head>``. It is :class:`FeedbackExporter`'s
own (``GenerateFeedback.exporter_class``), not every HTMLExporter's: the formgrader
renders submissions with an HTMLExporter and its own ``formgrade`` template, which a
global ``HTMLExporter.template_*`` setting would replace (its submission page then
answered 500, ``TemplateNotFound: bootstrap.min.css``).

* MathJax 3 (its ``tex-svg-full`` component: every TeX extension, maths drawn
  as SVG, so no font files) is inlined from the same ``django-static-mathjax``
  wheel the book serves (``book/_ext/local_mathjax.py``): a page is one file
  that makes no request at all, so it can be attached in the LMS and read
  anywhere;
* outputs (the diagnoses) wrap, code scrolls inside its own box, prompts are
  hidden on narrow screens, tables get borders and scroll when too wide;
* every word of the page is in the graded notebook's language (``metadata.dnn.language``):
  the template's own (``t("Score: ...")``, nbgrader's words rewritten in it, the same in
  English) and the marks nbgrader's ``LimitOutput`` leaves in long outputs.

:class:`FeedbackPage` is the preprocessor (last in
``GenerateFeedback.preprocessors``) that hands the template the script and
the style sheet; ``nbgrader_config.py`` selects the exporter.
"""

from __future__ import annotations

import functools
from pathlib import Path

import mathjax
import nbgrader
from nbconvert.exporters import HTMLExporter
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import default

from dnn_ref.i18n import N_, _, language, notebook_language, translated

#: Folders holding template directories: this package's and nbgrader's (for ``feedback``).
TEMPLATE_DIRS = [
    str(Path(__file__).parent / "templates"),
    str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"),
]
TEMPLATE = "dnn_feedback"
#: Its page template; it extends nbgrader's ``feedback/index.html.j2`` (found next).
TEMPLATE_FILE = "feedback_page.html.j2"
COMPONENT = "tex-svg-full.js"
#: The lines nbgrader's LimitOutput puts in place of what it cut (translated on the page).
TRUNCATED = {"... Output truncated ...": N_("... Output truncated ..."),
             "... Traceback truncated ...": N_("... Traceback truncated ...")}

CSS = """
body { font-size: 16px; line-height: 1.5; padding-top: 0.5em; }
.container { width: auto; max-width: 1100px; padding-left: 8px; padding-right: 8px; }
#notebook-container { padding: 0; box-shadow: none; }
div.nbgrader_cell .panel-heading { height: auto; overflow: hidden; }
div.nbgrader_cell .panel-heading .pull-right { margin-left: 0.5em; }
div.cell, div.inner_cell, div.output_wrapper, div.output, div.output_area,
div.output_subarea { min-width: 0; max-width: 100%; }
div.output_subarea { overflow-x: visible; padding: 0.3em 0.4em; }
div.output_subarea pre, div.output_text pre {
  white-space: pre-wrap; overflow-wrap: anywhere; word-break: normal; }
div.output_error pre, div.output_stderr pre { border-left: 4px solid #d9534f;
  background: #fff5f5; padding: 0.4em 0.6em; }
div.input_area pre, div.highlight pre { overflow-x: auto; white-space: pre; max-width: 100%; }
.rendered_html { overflow-wrap: anywhere; }
.rendered_html pre { overflow-x: auto; }
.rendered_html table { display: block; width: max-content; max-width: 100%; overflow-x: auto;
  margin: 0.8em 0; border-collapse: collapse; }
.rendered_html th, .rendered_html td { border: 1px solid #c8ccd4; padding: 0.3em 0.7em;
  overflow-wrap: normal; }
.rendered_html th { background: #eef0f5; }
.rendered_html tr:nth-child(even) td { background: #f7f8fa; }
mjx-container[display="true"] { display: block; overflow-x: auto; overflow-y: hidden;
  max-width: 100%; }
img { max-width: 100%; height: auto; }
@media (max-width: 640px) {
  div.prompt, div.input_prompt, div.output_prompt { display: none; }
  div.input, div.output_area { flex-direction: column; }
  div.nbgrader_cell .panel-heading .pull-right { float: none !important; display: block; }
  #toc ol { padding-left: 1.2em; }
}
#results li { margin: 0.3em 0; }
#results .verdict { display: block; color: #a94442; overflow-wrap: anywhere; }
#results .passed { color: #3c763d; }
"""


@functools.cache
def mathjax_script() -> str:
    """The MathJax 3 component inlined into every page (read once per process)."""
    path = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / COMPONENT
    if not path.is_file():
        raise FileNotFoundError(f"feedback pages need MathJax's {COMPONENT}; {path} is missing "
                                "(pip install -r requirements.txt installs django-static-mathjax)")
    text = path.read_text(encoding="utf-8")
    if "</script" in text.lower():
        raise ValueError(f"{path} contains '</script', which would end the inlined <script>")
    return text


def test_results(nb: NotebookNode) -> list[dict[str, object]]:
    """One entry per test cell, in order: what the page's summary at the top lists.

    ``function`` and ``kind`` come from the grade_id (``test_<f>`` visible, ``hidden_<f>``
    hidden); ``verdict`` is the judge's diagnosis (the line under its "failed check i of n"
    heading), or None when passed.
    """
    results = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if not (isinstance(meta, dict) and meta.get("grade") and not meta.get("solution")
                and cell.cell_type == "code"):
            continue
        grade_id = str(meta.get("grade_id", ""))
        kind, _sep, function = grade_id.partition("_")
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        lines = str(errors[0].get("evalue", "")).strip().splitlines() if errors else []
        verdict = [x.strip() for x in lines[1:] if x.strip()] or lines
        results.append({"grade_id": grade_id, "function": function or grade_id,
                        "kind": {"test": _("visible tests"), "hidden": _("hidden tests")}.get(
                            kind, _("tests")),
                        "score": float(meta.get("score") or 0), "points": float(meta.get(
                            "points") or 0),
                        "verdict": verdict[0] if verdict else None})
    return results


def translate_truncation_marks(nb: NotebookNode) -> None:
    """nbgrader's "... Output truncated ..." lines in the current language."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and isinstance(out.get("text"), str):
                out.text = "\n".join(_(TRUNCATED[line]) if line in TRUNCATED else line
                                     for line in out.text.split("\n"))
            elif out.get("output_type") == "error" and isinstance(out.get("traceback"), list):
                out.traceback = [_(TRUNCATED[line]) if line in TRUNCATED else line
                                 for line in out.traceback]


class FeedbackPage(NbGraderPreprocessor):
    """Give the ``dnn_feedback`` template its inlined MathJax, style sheet and test summary."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict
                   ) -> tuple[NotebookNode, ResourcesDict]:
        with language(notebook_language(nb)) as lang:   # the page in the notebook's language
            translate_truncation_marks(nb)
            resources["feedback_page"] = {"mathjax": mathjax_script(), "css": CSS,
                                          "tests": test_results(nb),
                                          "lang": lang.replace("_", "-")}
        return nb, resources


class FeedbackExporter(HTMLExporter):
    """nbgrader's HTML exporter with the ``dnn_feedback`` template, for feedback pages only;
    a page is rendered in its notebook's language (the template's ``t``)."""

    def from_notebook_node(self, nb: NotebookNode, resources: dict | None = None,
                           **kw: object) -> tuple[str, dict]:
        with language(notebook_language(nb)):
            return super().from_notebook_node(nb, resources, **kw)

    def _create_environment(self) -> object:
        environment = super()._create_environment()
        environment.globals["t"] = translated
        return environment

    @default("template_name")
    def _template_name_default(self) -> str:
        return TEMPLATE

    @default("template_file")
    def _template_file_default(self) -> str:
        return TEMPLATE_FILE

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return list(TEMPLATE_DIRS)
