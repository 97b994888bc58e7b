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

from dnn_ref.i18n import N_, _, language, notebook_language

REPAIRS_KEY = "autograder_repairs"
CELL_TYPES = {"code": N_("a code cell"), "markdown": N_("a markdown cell"),
              "raw": N_("a raw cell")}
"""How the notes name a kind of cell."""


def cell_type_name(cell_type: str) -> str:
    """``"a code cell"`` for ``"code"``, in the current language."""
    return _(CELL_TYPES[cell_type]) if cell_type in CELL_TYPES else repr(cell_type)


def grade_id_of(cell: NotebookNode) -> str | None:
    """The cell's nbgrader grade_id; None when it has none or its metadata is not a dict."""
    meta = cell.get("metadata", {}).get("nbgrader")
    grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
    return grade_id if isinstance(grade_id, str) and grade_id else None


class RepairCells(NbGraderPreprocessor):
    """Make a copy-pasted notebook gradable, and say what was changed."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict
                   ) -> tuple[NotebookNode, ResourcesDict]:
        with language(notebook_language(nb)):   # the notes in the notebook's language
            return self._repair(nb, resources)

    def _repair(self, nb: NotebookNode, resources: ResourcesDict
                ) -> tuple[NotebookNode, ResourcesDict]:
        notes: list[str] = []
        # the key is ours: whatever a submission brought under it is not a note from grading
        forged = nb.metadata.pop(REPAIRS_KEY, None)
        if forged is not None:
            notes.append(_("The notebook's metadata held text under the grader's own notes "
                           "key; it was removed (only the grader writes these notes)."))
        known = self._source_cells(resources)
        if known is not None and (restored := restore_dropped(nb, known)):
            notes.append(_("{n} cells had lost their grading metadata (an editor dropped it); "
                           "they were recognised by their text and place and graded as the "
                           "released cells.").format(n=restored))
        seen: Counter[str] = Counter()
        for index, cell in enumerate(nb.cells, start=1):
            meta = cell.get("metadata", {})
            if "nbgrader" not in meta:
                continue
            grade_id = grade_id_of(cell)
            if not isinstance(meta["nbgrader"], dict) or not grade_id:
                del meta["nbgrader"]
                notes.append(_("Cell {index} had incomplete grading metadata (no grade_id); "
                               "it was graded as an ordinary cell.").format(index=index))
                continue
            if known is not None and grade_id not in known:
                del meta["nbgrader"]
                notes.append(_("Cell {index} named itself {grade_id}, a cell this assignment "
                               "does not have; it was graded as an ordinary cell.").format(
                                   index=index, grade_id=repr(grade_id)))
                continue
            seen[grade_id] += 1
            if seen[grade_id] > 1:
                del meta["nbgrader"]
                notes.append(_("Cell {index} is a copy of cell {grade_id} (same grading "
                               "metadata); the first one keeps that role, this copy ran as an "
                               "ordinary cell, in its place.").format(
                                   index=index, grade_id=repr(grade_id)))
                continue
            if known is not None and cell.cell_type != known[grade_id][0]:
                notes.append(_("Cell {grade_id} had been changed to {changed}; it was changed "
                               "back to {released}.").format(
                                   grade_id=repr(grade_id), changed=cell_type_name(cell.cell_type),
                                   released=cell_type_name(known[grade_id][0])))
            if known is not None and (changed := _restore_flags(meta["nbgrader"],
                                                                known[grade_id][1])):
                flags = ", ".join(f"`{key}`" for key in changed)
                notes.append(_("Cell {grade_id} had its grading metadata changed ({flags}); "
                               "the released values were put back.").format(
                                   grade_id=repr(grade_id), flags=flags))
        if notes:
            self.log.warning("Repaired %s: %s", resources.get("nbgrader", {}).get("student"),
                             "; ".join(notes))
            nb.metadata[REPAIRS_KEY] = notes
        return nb, resources

    @staticmethod
    def _source_cells(resources: ResourcesDict
                      ) -> dict[str, tuple[str, dict[str, object], str]] | None:
        """grade_id -> (cell type, grading flags, source) of the released notebook's cells.

        In the notebook's order; None without a gradebook. The flags are grade, solution,
        locked and (for grade cells) points, as the released notebook has them; the source
        is the instructor's (hidden tests included).
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
                                             if c.name in points else {})}, c.source)
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


def released_text(source: str, begin: str, end: str) -> str:
    """``source`` as the student received it: hidden-test regions (markers included) removed."""
    kept, hiding = [], False
    for line in source.split("\n"):
        if begin in line:
            hiding = True
        elif end in line:
            hiding = False
        elif not hiding:
            kept.append(line)
    return "\n".join(kept)


def same_text(a: str, b: str) -> bool:
    """Equal up to line endings and trailing white space (what editors change on save)."""
    def norm(s: str) -> str:
        return "\n".join(line.rstrip() for line in s.replace("\r\n", "\n").split("\n")).strip()
    return norm(a) == norm(b)


def restore_dropped(nb: NotebookNode,
                    released: dict[str, tuple[str, dict[str, object], str]]) -> int:
    """Give back their grading metadata to cells an editor stripped of it; how many.

    A cell without nbgrader metadata whose text is a released locked or test cell's
    (as the student received it: hidden tests removed, line endings ignored) becomes
    that cell; then an answer cell still missing becomes the one cell of its type
    between its released neighbours, where exactly one such cell is there.
    """
    def bare(i: int) -> bool:
        return "nbgrader" not in nb.cells[i].get("metadata", {})

    place = {g: i for i, c in enumerate(nb.cells) if (g := grade_id_of(c))}
    order = list(released)
    found: dict[str, int] = {}
    for name, (cell_type, flags, source) in released.items():
        if name in place or not flags["locked"]:
            continue
        given = released_text(source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
        match = next((i for i, c in enumerate(nb.cells) if bare(i) and i not in found.values()
                      and c.cell_type == cell_type and same_text(c.source, given)), None)
        if match is not None:
            found[name] = match
    where = {**place, **found}
    for k, name in enumerate(order):
        cell_type, flags, _ = released[name]
        if name in where or not flags["solution"]:
            continue
        before = max((where[p] for p in order[:k] if p in where), default=-1)
        after = min((where[p] for p in order[k + 1:] if p in where), default=len(nb.cells))
        spots = [i for i in range(before + 1, after)
                 if bare(i) and nb.cells[i].cell_type == cell_type and i not in found.values()]
        if len(spots) == 1:
            found[name] = where[name] = spots[0]
    for name, i in found.items():
        nb.cells[i].setdefault("metadata", {})["nbgrader"] = {
            **released[name][1], "grade_id": name, "schema_version": 3}
    return len(found)
