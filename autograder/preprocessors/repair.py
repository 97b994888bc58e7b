"""Repair the metadata damage copy-paste does to a notebook, before nbgrader checks its cells.

Students copy cells, paste cells between notebooks and change cell types by
accident (missing or duplicated cell ids need nothing here: nbformat gives new
ones when it reads the notebook). nbgrader 0.9's sanitize steps then fail the whole notebook: a
duplicated grade_id makes :class:`~nbgrader.preprocessors.DeduplicateIds` leave
an empty ``nbgrader`` dict behind, on which ``OverwriteCells`` raises
``KeyError: 'grade_id'`` (0 points, no feedback); so does a cell whose grade_id
the gradebook does not know. :class:`RepairCells` runs first in the sanitize
pipeline and, for each notebook,

* keeps the nbgrader metadata of the first cell with a given grade_id and
  makes the later copies ordinary cells (they still run, in order, so each test
  cell sees the definitions in force when it runs);
* makes ordinary cells of cells whose nbgrader metadata is unusable (no
  grade_id, or one the gradebook does not know);
* notes cells whose type was changed (``OverwriteCells`` changes it back);
* puts back the grading flags (grade, solution, locked, points) of a cell
  whose flags were changed (a test cell made an answer cell fails nbgrader's
  checksum check: "Inconsistent checksums", the notebook not graded).

What it repaired is stored in the notebook's metadata under :data:`REPAIRS_KEY`
(whatever the submission itself brought under that key is dropped first);
:class:`autograder.preprocessors.execute.SandboxedExecute` shows it at the top of the graded
notebook, hence in the feedback.
"""

from __future__ import annotations

from collections import Counter

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

REPAIRS_KEY = "autograder_repairs"


def _grade_id(cell: NotebookNode) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta.get("grade_id") if isinstance(meta, dict) else None


class RepairCells(NbGraderPreprocessor):
    """Make a copy-pasted notebook gradable, and say what was changed."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict
                   ) -> tuple[NotebookNode, ResourcesDict]:
        notes: list[str] = []
        # the key is ours: whatever a submission brought under it is not a note from grading
        forged = nb.metadata.pop(REPAIRS_KEY, None)
        if forged is not None:
            notes.append("The notebook's metadata held text under the grader's own notes key; "
                         "it was removed (only the grader writes these notes).")
        known = self._source_cells(resources)
        seen: Counter[str] = Counter()
        for index, cell in enumerate(nb.cells, start=1):
            meta = cell.get("metadata", {})
            if "nbgrader" not in meta:
                continue
            grade_id = _grade_id(cell)
            if not isinstance(meta["nbgrader"], dict) or not grade_id:
                del meta["nbgrader"]
                notes.append(f"Cell {index} had incomplete grading metadata (no grade_id); it "
                             "was graded as an ordinary cell.")
                continue
            if known is not None and grade_id not in known:
                del meta["nbgrader"]
                notes.append(f"Cell {index} named itself {grade_id!r}, a cell this assignment "
                             "does not have; it was graded as an ordinary cell.")
                continue
            seen[grade_id] += 1
            if seen[grade_id] > 1:
                del meta["nbgrader"]
                notes.append(f"Cell {index} is a copy of cell {grade_id!r} (same grading "
                             "metadata); the first one keeps that role, this copy ran as an "
                             "ordinary cell, in its place.")
                continue
            if known is not None and cell.cell_type != known[grade_id][0]:
                notes.append(f"Cell {grade_id!r} had been changed to a {cell.cell_type} cell; "
                             f"it was changed back to a {known[grade_id][0]} cell.")
            if known is not None and (changed := _restore_flags(meta["nbgrader"],
                                                                known[grade_id][1])):
                notes.append(f"Cell {grade_id!r} had its grading metadata changed "
                             f"({', '.join(changed)}); the released values were put back.")
        if notes:
            self.log.warning("Repaired %s: %s", resources.get("nbgrader", {}).get("student"),
                             "; ".join(notes))
            nb.metadata[REPAIRS_KEY] = notes
        return nb, resources

    @staticmethod
    def _source_cells(resources: ResourcesDict
                      ) -> dict[str, tuple[str, dict[str, object]]] | None:
        """grade_id -> (cell type, grading flags) of the released notebook's cells.

        None without a gradebook. The flags are grade, solution, locked and (for grade
        cells) points, as the released notebook has them.
        """
        info = resources.get("nbgrader", {})
        if not {"db_url", "notebook", "assignment"} <= set(info):
            return None
        with Gradebook(info["db_url"]) as gb:
            try:
                notebook = gb.find_notebook(info["notebook"], info["assignment"])
            except MissingEntry:
                return None
            points = {c.name: c.max_score for c in notebook.grade_cells}
            solutions = {c.name for c in notebook.solution_cells}
            return {c.name: (c.cell_type, {
                "grade": c.name in points, "solution": c.name in solutions,
                "locked": bool(c.locked), **({"points": points[c.name]}
                                             if c.name in points else {})})
                for c in notebook.source_cells}


def _restore_flags(meta: dict[str, object], released: dict[str, object]) -> list[str]:
    """Set ``meta``'s grading flags to the released ones; the names of those that differed."""
    changed = [key for key, value in released.items() if not _same(meta.get(key), value)]
    meta.update(released)
    if "points" not in released:
        meta.pop("points", None)
    return changed


def _same(have: object, want: object) -> bool:
    if isinstance(want, bool):
        return have is want
    try:
        return float(have) == want  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
