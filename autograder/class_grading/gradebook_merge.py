"""Merge a shard's gradebook into the course gradebook, as if nbgrader had graded serially.

:mod:`autograder.class_grading.grade_class` grades each shard of students with the real
``nbgrader autograde`` in a private course folder whose ``gradebook.db`` starts
as a snapshot of the course's. Only the coordinator writes the course's
gradebook, one student at a time, through :class:`nbgrader.api.Gradebook`, so
no two processes ever write one SQLite file.

What ``nbgrader autograde`` writes for a student, and therefore what is copied:
the student, the submission's timestamp, each submitted notebook's late
penalty, each grade's ``auto_score`` and ``needs_manual_grade`` and each
comment's ``auto_comment``. What graders write (``manual_score``,
``manual_comment``, ``extra_credit``, flags, names) is never touched: a manual
grade entered before or during the run survives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nbgrader.api import Gradebook, MissingEntry


@dataclass(frozen=True)
class Merged:
    """A student's result in the course gradebook after the merge."""

    student: str
    score: float
    max_score: float


def merge_student(main: Gradebook, shard: Gradebook, assignment: str, student: str
                  ) -> Merged | None:
    """Copy ``student``'s autograde results for ``assignment`` from ``shard`` into ``main``.

    Returns None when the shard has no submission of that student (nbgrader
    failed before it recorded one); ``main`` is then left as it was.
    """
    try:
        source = shard.find_submission(assignment, student)
    except MissingEntry:
        return None
    main.update_or_create_student(student)
    stamp = {"timestamp": source.timestamp} if source.timestamp is not None else {}
    target = main.update_or_create_submission(assignment, student, **stamp)
    for notebook in source.notebooks:
        into = main.find_submission_notebook(notebook.name, assignment, student)
        into.late_submission_penalty = notebook.late_submission_penalty
        grades = {g.name: g for g in into.grades}
        for grade in notebook.grades:
            kept = grades[grade.name]
            kept.auto_score = grade.auto_score
            if kept.manual_score == grade.manual_score:
                kept.needs_manual_grade = grade.needs_manual_grade
            else:  # a grader typed a score while the shard ran: nbgrader's own rule
                kept.needs_manual_grade = (kept.manual_score is not None
                                           or kept.auto_score is None)
        comments = {c.name: c for c in into.comments}
        for comment in notebook.comments:
            comments[comment.name].auto_comment = comment.auto_comment
    main.db.commit()
    return Merged(student, float(target.score), float(target.max_score))


def gradebook_rows(db_url: str, course_id: str, assignment: str) -> dict[tuple, Any]:
    """Every row autograde writes for ``assignment``, keyed by (student, notebook, cell, kind).

    Two gradebooks graded the same way have equal rows: this is what the tests
    and the benchmark compare between a serial and a parallel run.
    """
    rows: dict[tuple, Any] = {}
    with Gradebook(db_url, course_id) as gb:
        for sub in gb.find_assignment(assignment).submissions:
            sid = sub.student.id
            rows[(sid, "", "", "timestamp")] = sub.timestamp
            for nb in sub.notebooks:
                rows[(sid, nb.name, "", "late_penalty")] = nb.late_submission_penalty
                for g in nb.grades:
                    rows[(sid, nb.name, g.name, "grade")] = (
                        g.auto_score, g.manual_score, g.needs_manual_grade)
                for c in nb.comments:
                    rows[(sid, nb.name, c.name, "comment")] = (c.auto_comment, c.manual_comment)
    return rows
