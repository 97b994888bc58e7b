"""nbgrader's OverwriteCells, quiet about what students cannot help and sound where cells are gone.

``OverwriteCells`` puts the instructor's version of every locked and test cell back
before a submission runs. In nbgrader 0.9 it also

* warns "Attribute 'checksum' ... has changed!" for every test cell with hidden tests,
  because the gradebook's checksum is of the cell *with* them and the student received
  it without (nbgrader #1961), and for every locked cell a Windows editor saved with
  CRLF line endings: warnings an instructor reads as tampering;
* raises ``KeyError`` while putting back a missing test cell whose previous source
  cell is not a test or answer cell (an instruction cell), or is missing too: an empty
  notebook, or one whose cell metadata an editor dropped, was then "needs manual
  grading" with no feedback page.

:class:`OverwriteReleasedCells` restores silently a locked cell whose text is what the
student was given (hidden tests removed, line endings ignored), so the warning is left
for real edits; and puts a missing test cell back after the nearest earlier released
cell the notebook still has (or first), so every notebook is graded and gets feedback.
"""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import OverwriteCells
from traitlets import Unicode

from autograder.preprocessors.repair import grade_id_of, released_text, same_text


class OverwriteReleasedCells(OverwriteCells):
    """OverwriteCells that warns only about real edits and never fails on a missing cell."""

    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end_test_delimeter = Unicode("END HIDDEN TESTS").tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
                        ) -> tuple[NotebookNode, ResourcesDict]:
        grade_id = grade_id_of(cell)
        if grade_id is not None:
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id,
                                                         self.assignment_id)
            except MissingEntry:
                source = None
            if source is not None and source.locked and source.cell_type == cell.cell_type:
                given = released_text(source.source, self.begin_test_delimeter,
                                      self.end_test_delimeter)
                if same_text(cell.source, given) or same_text(cell.source, source.source):
                    cell.source = source.source
        return super().preprocess_cell(cell, resources, cell_index)

    def add_missing_grade_cells(self, nb: NotebookNode, resources: ResourcesDict
                                ) -> tuple[NotebookNode, ResourcesDict]:
        released = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        order = [c.name for c in released.source_cells]
        source = {c.name: c for c in released.source_cells}
        grades = {c.name: c for c in released.grade_cells}
        solutions = {c.name for c in released.solution_cells}
        for name in order:
            present = {grade_id_of(c): i for i, c in enumerate(nb.cells) if grade_id_of(c)}
            if name not in grades or name in present:
                continue
            self.log.warning("Missing grade cell %s encountered, adding to notebook", name)
            earlier = order[:order.index(name)]
            at = next((present[p] + 1 for p in reversed(earlier) if p in present), 0)
            nb.cells.insert(at, self.missing_cell_transform(
                source[name], grades[name].max_score, is_solution=name in solutions))
        return nb, resources
