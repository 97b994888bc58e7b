"""grades-canvas.csv: the gradebook in the CSV layout Canvas's gradebook import accepts.

Canvas imports a CSV whose columns are ``Student`` (``Last, First``), ``ID``
(Canvas's user id), ``SIS User ID``, ``SIS Login ID`` and ``Section``, then one
column per assignment; an assignment column named ``<name> (<assignment id>)``
updates that Canvas assignment, one with a new name creates an assignment. A
second row, ``Points Possible``, gives each column's maximum, as in Canvas's
own export.

:class:`CanvasExport` is an ``nbgrader export`` plugin (``make grades-canvas``).
It takes each student's Canvas user id from the LMS download
(``autograder/lms/collect.py``). Given Canvas's own gradebook export
(``--CanvasExport.roster=export.csv``, ``make grades-canvas ROSTER=export.csv``)
it also takes every student's name, SIS ids and section from it, matching by
Canvas user id or, only for a student whose Canvas user id is unknown, by the
``lastfirst`` name Canvas puts in its download file names when no other roster row
has that name (:func:`roster_match`), and names each assignment column exactly as Canvas does
(``Backprop (41234)``). Only graded results are written; every other cell is
left blank, which Canvas's import leaves unchanged.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.plugins import ExportPlugin
from traitlets import Dict, Unicode

from autograder.lms.grades import GRADED, GradeRow, class_rows
from autograder.lms.names import name_key
from autograder.spreadsheet import safe_row

IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_ROW = "    Points Possible"


def lastfirst(name: str) -> str:
    """Canvas's download-file name part for a roster name: ``"Smith, Jane"`` -> ``"smithjane"``.

    Canvas keeps every Unicode letter (``"Müller, Jörg"`` -> ``"müllerjörg"``), compared in NFC.
    """
    return name_key(name)


def roster_match(roster: list[dict[str, str]], rows: list[GradeRow]) -> list[str | None]:
    """The student id of each roster row, or None: by Canvas user id, else by a unique name.

    A row is matched by name only when its ``ID`` is no student's, the name is on no other
    roster row, and the student of that name has no Canvas user id at all (collected from
    a folder, say): a student whose id is known is never given another row's grades, and
    of two John Smiths neither gets the other's.
    """
    by_lms_id = {r.lms_user_id: r.student_id for r in rows if r.lms_user_id}
    with_id = set(by_lms_id.values())
    students = {r.student_id for r in rows}
    names = Counter(lastfirst(p["Student"]) for p in roster)
    matched = []
    for person in roster:
        name = lastfirst(person["Student"])
        if person["ID"] in by_lms_id:
            matched.append(by_lms_id[person["ID"]])
        elif names[name] == 1 and name in students and name not in with_id:
            matched.append(name)
        else:
            matched.append(None)
    return matched


def read_roster(path: Path) -> tuple[list[dict[str, str]], list[str]]:
    """Students and assignment column names of a Canvas gradebook export.

    Returns
    -------
    students : list of dict
        One dict per student row, with the five identity columns.
    columns : list of str
        The header's other columns (assignments and Canvas's computed totals).
    """
    with open(path, newline="", encoding="utf-8-sig") as f:
        table = list(csv.reader(f))
    if not table or not {"Student", "ID"} <= set(table[0]):
        raise ValueError(f"{path} is not a Canvas gradebook export: its header should start "
                         f"with {', '.join(IDENTITY)}; got {table[0][:5] if table else 'nothing'}")
    header = table[0]
    students = [dict(zip(header, row, strict=False)) for row in table[1:]
                if row and row[0].strip() not in ("Points Possible", "Student, Test")]
    students = [{k: s.get(k, "") for k in IDENTITY} for s in students]
    return students, [h for h in header if h not in IDENTITY]


def canvas_column(assignment: str, columns: list[str], names: dict[str, str]) -> str:
    """The Canvas column of an nbgrader assignment: configured, as in the roster, or its name."""
    name = names.get(assignment, assignment)
    for column in columns:
        if re.sub(r"\s*\(\d+\)$", "", column).strip().lower() == name.lower():
            return column
    return name


def canvas_table(rows: list[GradeRow], roster: list[dict[str, str]] | None,
                 columns: list[str], names: dict[str, str]) -> tuple[list[list[str]], list[str]]:
    """The CSV's rows (header, points, students) and the students that could not be matched.

    Parameters
    ----------
    rows : list of GradeRow
        From :func:`autograder.lms.grades.class_rows`.
    roster : list of dict or None
        Canvas's students (from :func:`read_roster`), or None to list the gradebook's.
    columns : list of str
        The roster's assignment columns (for their exact names).
    names : dict
        nbgrader assignment -> Canvas assignment name, where they differ.
    """
    assignments = list(dict.fromkeys(r.assignment for r in rows))
    header = IDENTITY + [canvas_column(a, columns, names) for a in assignments]
    max_score = {r.assignment: r.max_score for r in rows}
    points = [POINTS_ROW, "", "", "", ""] + [f"{max_score[a]:g}" for a in assignments]
    by_student: dict[str, dict[str, GradeRow]] = {}
    for r in rows:
        by_student.setdefault(r.student_id, {})[r.assignment] = r
    unmatched: list[str] = []
    if roster is None:
        people = []
        for student, results in by_student.items():
            first = next(iter(results.values()))
            name = ", ".join(p for p in (first.last_name, first.first_name) if p) or student
            ids = {r.lms_user_id for r in results.values() if r.lms_user_id}
            people.append(({"Student": name, "ID": min(ids) if ids else "", "SIS User ID": "",
                            "SIS Login ID": "", "Section": ""}, student))
    else:
        people = list(zip(roster, roster_match(roster, rows), strict=True))
        matched = {s for _, s in people}
        unmatched = sorted(s for s, results in by_student.items() if s not in matched and any(
            r.status == GRADED for r in results.values()))
    table = [header, points]
    for person, student in people:
        results = by_student.get(student, {}) if student else {}
        cells = [f"{results[a].score:g}" if a in results and results[a].status == GRADED else ""
                 for a in assignments]
        table.append([person[k] for k in IDENTITY] + cells)
    return table, unmatched


class CanvasExport(ExportPlugin):
    """``nbgrader export`` plugin writing Canvas's gradebook-import CSV."""

    roster = Unicode("", help="Canvas's gradebook export (CSV): names, ids, sections and "
                              "assignment column names are taken from it.").tag(config=True)
    assignment_names = Dict(key_trait=Unicode(), value_trait=Unicode(),
                            help="nbgrader assignment -> Canvas assignment name, where they "
                                 "differ.").tag(config=True)

    def export(self, gradebook: Gradebook) -> None:
        dest = Path(self.to or "grades-canvas.csv")
        course = Path(self.parent.coursedir.root)
        rows = class_rows(gradebook, course, [str(a) for a in self.assignment],
                          [str(s) for s in self.student])
        roster, columns = read_roster(Path(self.roster)) if self.roster else (None, [])
        table, unmatched = canvas_table(rows, roster, columns, dict(self.assignment_names))
        with open(dest, "w", newline="") as f:
            csv.writer(f).writerows(safe_row(r) for r in table)
        self.log.info("%s: %d students, columns %s", dest, len(table) - 2,
                      ", ".join(table[0][len(IDENTITY):]))
        if roster is None and any(not row[1] for row in table[2:]):
            self.log.warning("some students have no Canvas user id (ID); Canvas matches them "
                             "by name only. Pass ROSTER=<Canvas gradebook export> to match all.")
        for student in unmatched:
            self.log.warning("%s has grades but is not in the Canvas roster %s; add the "
                             "grade by hand", student, self.roster)
