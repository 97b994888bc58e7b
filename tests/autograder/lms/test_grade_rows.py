"""grades.csv's rows and Canvas's roster matching, fast: a real nbgrader gradebook, no command.

The gradebook is made with nbgrader's own API in a temporary course, the LMS
manifest with the collector's own :func:`write_manifest`; :func:`class_rows` and
:func:`roster_match` are what ``make grades`` and ``make grades-canvas`` call.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.lms.canvas import roster_match
from autograder.lms.collect import DownloadPlan, LmsRecord, write_manifest
from autograder.lms.grades import class_rows

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """backprop (10 points): smithjane 10, doejohn 8 late with penalty 3, latelou 2 with 5."""
    tmp_path = tmp_path_factory.mktemp("course")
    path = os.environ["PATH"]
    os.environ["PATH"] = f"{BIN}{os.pathsep}{path}"   # nbgrader runs alembic to create the db
    plan = DownloadPlan(records={
        "doejohn": LmsRecord("doejohn", late=True, lms_user_id="88112"),
        "latelou": LmsRecord("latelou", late=True, lms_user_id="777")})
    (tmp_path / "downloaded" / "backprop").mkdir(parents=True)
    write_manifest(tmp_path / "downloaded" / "backprop", "backprop", ["backprop.ipynb"], plan)
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}", "dnn-from-scratch") as gb:
        gb.add_assignment("backprop")
        gb.add_notebook("backprop", "backprop")
        gb.add_grade_cell("test_backprop", "backprop", "backprop", max_score=10.0,
                          cell_type="code")
        for student, score, penalty in (("smithjane", 10.0, None), ("doejohn", 8.0, 3.0),
                                        ("latelou", 2.0, 5.0)):
            gb.update_or_create_student(student)
            gb.add_submission("backprop", student)
            grade = gb.find_grade("test_backprop", "backprop", "backprop", student)
            grade.auto_score = score
            grade.needs_manual_grade = False
            gb.find_submission_notebook("backprop", "backprop", student) \
                .late_submission_penalty = penalty
        gb.db.commit()
        os.environ["PATH"] = path
        yield gb, tmp_path


def test_the_late_penalty_is_taken_from_the_score_and_never_below_zero(gradebook):
    gb, course = gradebook
    rows = {r.student_id: r for r in class_rows(gb, course)}
    assert {s: (r.raw_score, r.late_submission_penalty, r.score, r.late)
            for s, r in rows.items()} == {
        "smithjane": (10.0, 0.0, 10.0, ""), "doejohn": (8.0, 3.0, 5.0, "yes"),
        "latelou": (2.0, 5.0, 0.0, "yes")}


def test_a_roster_row_gets_a_grade_by_id_or_by_a_name_only_its_own(gradebook):
    gb, course = gradebook
    rows = class_rows(gb, course)
    roster = [{"Student": "Doe, John", "ID": "99999"},      # doejohn is 88112: not him
              {"Student": "Late, Lou", "ID": "777"},
              {"Student": "Smith, Jane", "ID": "1"},        # smithjane has no id: by name
              {"Student": "Doe, John", "ID": "88112"}]
    assert roster_match(roster, rows) == [None, "latelou", "smithjane", "doejohn"]
    twins = [{"Student": "Smith, Jane", "ID": "1"}, {"Student": "Smith, Jane", "ID": "2"}]
    assert roster_match(twins, rows) == [None, None]        # a name two rows share: nobody's
