"""Scripted student submissions for tests/test_instructor_autograde.py.

A submission is what a student uploads: the released notebook with some answer
cells' source replaced (the student rewrote the whole cell, stub and all), or,
for the one corrupt upload, bytes that are not a notebook at all. Each
:class:`Submission` also says what grading must find: which graded functions
score zero (every other one must get its full points) and which words the
feedback of each zero-scored function must contain.

The mistakes themselves come from ``tests/grading_mistakes.py``, the checkers'
own catalogue (kept next to the diagnoses it is tested against); this package
adds the notebook-level cases: two correct styles, an in-place update, an
untouched stub, a syntax error, an infinite loop and a corrupt file.
``submissions.styles`` adds the ways honest students shape a notebook (magics,
scratch cells, copied cells) and ``submissions.attacks`` the attacks on grading.
"""

from __future__ import annotations

import copy
import json
import textwrap
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import nbformat
from nbformat.notebooknode import NotebookNode


@dataclass(frozen=True)
class Submission:
    """One student's upload and what grading it must produce.

    Attributes
    ----------
    student : str
        nbgrader student id (also the folder name under submitted/).
    answers : dict
        Answer cell grade_id -> the cell's new source.
    zero : frozenset of str
        Graded functions that must score 0; all others must get full points.
    phrases : dict
        Graded function -> words its feedback (test cell output) must contain.
    raw : str or None
        If set, the uploaded file's whole content instead of a notebook.
    edit : callable or None
        Applied to the notebook after the answers: extra cells, copied cells, ...
    strip_ids : bool
        Upload the notebook without cell ids (as old front ends write it).
    points : dict
        Graded function -> the points it must get when that is neither 0 nor full.
    """

    student: str
    answers: dict[str, str] = field(default_factory=dict)
    zero: frozenset[str] = frozenset()
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    raw: str | None = None
    edit: Callable[[NotebookNode], None] | None = None
    strip_ids: bool = False
    points: dict[str, float] = field(default_factory=dict)


def cell_source(source: str) -> str:
    """Normalise a source snippet as a notebook cell holds it (no common indent, no blank ends)."""
    return textwrap.dedent(source).strip("\n")


def submission_text(released: NotebookNode, sub: Submission) -> str:
    """The file ``sub.student`` uploads, built from the released notebook."""
    if sub.raw is not None:
        return sub.raw
    nb = copy.deepcopy(released)
    ids = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for grade_id, source in sub.answers.items():
        cell = ids[grade_id]     # KeyError here means the roster names a cell that is gone
        if not cell.metadata["nbgrader"]["solution"]:
            raise ValueError(f"cell {grade_id!r} is not an answer cell; students cannot edit it")
        cell.source = cell_source(source)
    if sub.edit is not None:
        sub.edit(nb)
    text = nbformat.writes(nb)
    if sub.strip_ids:   # nbformat would add them back on writing, so strip them from the JSON
        data = json.loads(text)
        for cell in data["cells"]:
            cell.pop("id", None)
        text = json.dumps(data, indent=1, ensure_ascii=False)
    return text


def _index(nb: NotebookNode, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells)
                if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def insert_after(nb: NotebookNode, grade_id: str, source: str) -> None:
    """A new ordinary code cell right after the cell ``grade_id``."""
    cell = nbformat.v4.new_code_cell(cell_source(source))
    nb.cells.insert(_index(nb, grade_id) + 1, cell)


def copy_cell(nb: NotebookNode, grade_id: str, source: str) -> None:
    """Copy the cell ``grade_id`` *with its metadata* right after it, then edit the copy."""
    i = _index(nb, grade_id)
    cell = copy.deepcopy(nb.cells[i])
    cell.id = uuid.uuid4().hex[:8]
    cell.source = cell_source(source)
    nb.cells.insert(i + 1, cell)
