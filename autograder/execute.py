"""nbgrader's Execute preprocessor, able to leave out cells no grade depends on.

A notebook often ends with cells that no test cell follows: the backprop
assignment trains a network with the student's functions and plots the cost,
so the student sees their code learn. Nothing after the last grade cell can
change a score, yet nbgrader runs it for every submission. With
``GradedExecute.skip_ungraded_tail = True`` (what ``autograder.class_grade``
sets) those cells are kept, source and all, but not run: the gradebook is the
same as after a full run, and each submission costs less. By default nothing
is skipped, so ``nbgrader autograde`` behaves exactly as nbgrader's own Execute.
"""

from __future__ import annotations

from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import Bool

NOT_RUN = ("Not run while grading the class: no test cell comes after this cell, "
           "so it cannot change a score.\n")


class GradedExecute(Execute):
    """Execute, optionally skipping the code cells after the last grade cell."""

    skip_ungraded_tail = Bool(
        False, help="Do not run the code cells after the last grade cell.").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None
                   ) -> tuple[NotebookNode, Any]:
        grades = [i for i, c in enumerate(nb.cells) if utils.is_grade(c)]
        self._skipped = set()
        if self.skip_ungraded_tail and grades:
            self._skipped = {i for i, c in enumerate(nb.cells)
                             if i > grades[-1] and c.cell_type == "code"}
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int
                        ) -> tuple[NotebookNode, Any]:
        if index in self._skipped:
            cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=NOT_RUN)]
            return cell, resources
        return super().preprocess_cell(cell, resources, index)
