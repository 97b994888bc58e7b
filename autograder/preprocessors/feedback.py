"""Feedback that teaches without leaking: hidden tests' code never reaches the student.

nbgrader's ``generate_feedback`` turns the autograded notebook into HTML, and
the autograded notebook holds the full test cells, hidden tests included
(nbgrader issue #917: "by design"); a failing cell's traceback quotes the
failing lines too. :class:`HideHiddenTests` runs first in the feedback
pipeline and, in every test cell,

* replaces each hidden-test region by one comment line saying it ran there;
* reduces each error output to the judge's diagnosis alone (a test cell's outputs
  are the judge's verdict, so its ``AssertionError:`` prefix says nothing to a
  student), without the code that produced it.

:class:`~autograder.preprocessors.sanitize.SanitizeStudentContent` (next in the
pipeline) makes what a student wrote or printed inert.
"""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from dnn_ref.i18n import N_, _, language, notebook_language

PLACEHOLDER = N_("# Hidden tests ran here; their code is not shown. Their verdict is below.")


class HideHiddenTests(NbGraderPreprocessor):
    """Strip hidden-test source and tracebacks from test cells before feedback is rendered."""

    begin = Unicode("BEGIN HIDDEN TESTS", help="Marker opening a hidden-test region.").tag(
        config=True)
    end = Unicode("END HIDDEN TESTS", help="Marker closing a hidden-test region.").tag(
        config=True)

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict
                   ) -> tuple[NotebookNode, ResourcesDict]:
        with language(notebook_language(nb)):   # the placeholder in the notebook's language
            return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int
                        ) -> tuple[NotebookNode, ResourcesDict]:
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            cell.source = self.strip_source(cell.source)
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    out.traceback = [out.evalue]
        return cell, resources

    def strip_source(self, source: str) -> str:
        """``source`` with every hidden region (markers included) replaced by PLACEHOLDER
        (in the current language)."""
        kept: list[str] = []
        hiding = False
        for line in source.splitlines():
            if self.begin in line:
                hiding = True
                kept.append(_(PLACEHOLDER))
            elif self.end in line:
                hiding = False
            elif not hiding:
                kept.append(line)
        return "\n".join(kept)

