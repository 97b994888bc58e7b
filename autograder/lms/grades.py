"""grades.csv from the gradebook: only what was graded, each row with its status and late flag.

nbgrader's own exporter writes a 0.0 row for every student under every
assignment in the gradebook, collected or not, and knows nothing of the LMS
download. :class:`GradesExport` (``nbgrader export``, configured in
``nbgrader_config.py``; ``make grades``) keeps nbgrader's columns and

* leaves out the assignments nobody's work was collected or graded for;
* adds ``status`` (``graded``, ``needs manual grading``, ``not submitted``,
  ``not graded: autograde failed …`` or the LMS collector's
  ``not graded: file named …``) and ``late`` (the LMS's late marker, or
  nbgrader's own due-date check);
* lists every student of the LMS download, graded or not.

A row that is not ``graded`` keeps score 0.0 (nbgrader's convention), so read
``status`` before using it; ``make grades-canvas`` (``autograder/lms/canvas.py``)
leaves such cells blank.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

from autograder.lms.collect import load_manifest
from autograder.lms.names import printable
from autograder.spreadsheet import safe_record

GRADED = "graded"
MANUAL = "needs manual grading"
NOT_SUBMITTED = "not submitted"
FAILED = "not graded: autograde failed (the autograde log says why)"


@dataclass
class GradeRow:
    """One student's result for one assignment (the columns of grades.csv)."""

    assignment: str
    duedate: str
    timestamp: str
    student_id: str
    last_name: str
    first_name: str
    email: str
    raw_score: float
    late_submission_penalty: float
    score: float
    max_score: float
    status: str
    late: str
    lms_user_id: str


COLUMNS = list(GradeRow.__dataclass_fields__)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def class_rows(gradebook: Gradebook, course: Path, assignments: list[str] | None = None,
               students: list[str] | None = None) -> list[GradeRow]:
    """Every (assignment, student) row to export, in gradebook order.

    Parameters
    ----------
    gradebook : Gradebook
        The course's open nbgrader gradebook.
    course : Path
        The course folder (for ``submitted/`` and the LMS manifests).
    assignments, students : list of str, optional
        Only these (all when None or empty).

    Returns
    -------
    list of GradeRow
        Assignments with no collected or graded work are left out.
    """
    rows: list[GradeRow] = []
    known = {s.id: s for s in gradebook.students}
    for assignment in gradebook.assignments:
        if assignments and assignment.name not in assignments:
            continue
        lms = load_manifest(course, assignment.name)
        submitted = course / "submitted"
        collected = {p.parent.name for p in submitted.glob(f"*/{assignment.name}")
                     if p.is_dir()} if submitted.is_dir() else set()
        if not assignment.submissions and not lms and not collected:
            continue
        for student_id in sorted(set(known) | set(lms) | collected):
            if students and student_id not in students:
                continue
            student = known.get(student_id)
            record = lms.get(student_id)
            row = GradeRow(
                assignment=assignment.name, duedate=_text(assignment.duedate), timestamp="",
                student_id=student_id,
                last_name=_text(student.last_name if student else None),
                first_name=_text(student.first_name if student else None),
                email=_text(student.email if student else None),
                raw_score=0.0, late_submission_penalty=0.0, score=0.0,
                max_score=assignment.max_score, status=NOT_SUBMITTED,
                late="yes" if record and record.late else "",
                lms_user_id=_text(record.lms_user_id if record and record.lms_user_id
                                  else getattr(student, "lms_user_id", None)))
            try:
                submission = gradebook.find_submission(assignment.name, student_id)
            except MissingEntry:
                if record and record.status != "collected":
                    row.status = record.status
                elif student_id in collected:
                    row.status = FAILED
                row.timestamp = _text(record.timestamp if record else None)
            else:
                penalty = submission.late_submission_penalty or 0.0
                row.timestamp = _text(submission.timestamp)
                row.raw_score = submission.score
                row.late_submission_penalty = penalty
                row.score = max(0.0, submission.score - penalty)
                row.status = MANUAL if submission.needs_manual_grade else GRADED
                if (submission.total_seconds_late or 0) > 0:
                    row.late = "yes"
            rows.append(row)
    return rows


class GradesExport(ExportPlugin):
    """``nbgrader export`` plugin writing grades.csv (see the module docstring)."""

    def export(self, gradebook: Gradebook) -> None:
        dest = Path(self.to or "grades.csv")
        course = Path(self.parent.coursedir.root)
        rows = class_rows(gradebook, course, [str(a) for a in self.assignment],
                          [str(s) for s in self.student])
        with open(dest, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(safe_record(asdict(r)) for r in rows)
        left_out = sorted({a.name for a in gradebook.assignments} - {r.assignment for r in rows})
        self.log.info("%s: %d rows%s", dest, len(rows),
                      f"; nothing collected yet for {', '.join(left_out)}" if left_out else "")
        for row in rows:
            if row.status not in (GRADED, NOT_SUBMITTED):
                self.log.warning("%s, %s: %s", row.assignment, printable(row.student_id),
                                 printable(row.status))   # upload names are the students'
