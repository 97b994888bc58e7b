"""grades.csv and Canvas's import CSV, written by the real ``nbgrader export`` command.

A temporary course gets the repository's nbgrader_config.py and the released
backprop notebook; a Canvas zip is collected with ``nbgrader zip_collect`` (a
student on time, one marked late, one who uploaded only a text file, one whose
notebook cannot be graded); the gradebook is filled through nbgrader's own API
(the scores the autograder would store), as is a student who submitted nothing.
Then ``nbgrader export`` writes grades.csv and, with the Canvas exporter,
grades-canvas.csv, with and without Canvas's own gradebook export as roster.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

pytestmark = pytest.mark.slow   # real nbgrader commands / chromium

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
COURSE_ID = "dnn-from-scratch"
NOTEBOOK = (ROOT / "exercises" / "backprop" / "backprop.ipynb").read_text()
#: grade cell -> points of a small backprop assignment
CELLS = {"test_backprop": 4.0, "hidden_backprop": 6.0}
SCORES = {"smithjane": {"test_backprop": 4.0, "hidden_backprop": 6.0},
          "doejohn": {"test_backprop": 4.0, "hidden_backprop": 0.0},
          "leeann": {"test_backprop": 2.0, "hidden_backprop": 6.0},
          "latelou": {"test_backprop": 2.0, "hidden_backprop": 0.0}}
#: late-submission penalties nbgrader's AssignLatePenalties would store (one above the score)
PENALTIES = {"doejohn": 1.5, "latelou": 5.0}


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run([str(BIN / "nbgrader"), *args, f"--CourseDirectory.root={course}"],
                          cwd=course, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)}:\n{proc.stderr[-3000:]}"
    return proc


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "exercises" / "backprop", course / "exercises" / "backprop")
    archive = course / "downloaded" / "backprop" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "canvas.zip", "w") as z:
        z.writestr("smithjane_104233_5501267_backprop.ipynb", NOTEBOOK)
        z.writestr("doejohn_LATE_88112_5501300_Backprop_final.ipynb", NOTEBOOK)
        z.writestr("ortizluis_557_6003_backprop.txt", "could not upload")
        z.writestr("brokenbob_559_6006_backprop.ipynb", "not a notebook")
    nbgrader(course, "zip_collect", "backprop", "--force")
    path = os.environ["PATH"]
    os.environ["PATH"] = f"{BIN}{os.pathsep}{path}"   # nbgrader runs alembic to create the db
    try:
        fill_gradebook(course)
    finally:
        os.environ["PATH"] = path
    return course


def fill_gradebook(course: Path) -> None:
    """What release and autograde would store: assignments, students, scores."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        for assignment in ("forward", "backprop"):   # nobody's forward was collected
            gb.add_assignment(assignment)
            gb.add_notebook(assignment, assignment)
            for cell, points in CELLS.items():
                gb.add_grade_cell(cell.replace("backprop", assignment), assignment, assignment,
                                  max_score=points, cell_type="code")
        gb.update_or_create_student("smithjane", first_name="Jane", last_name="Smith")
        gb.update_or_create_student("doejohn", first_name="John", last_name="Doe")
        gb.update_or_create_student("absentann", first_name="Ann", last_name="Absent")
        gb.update_or_create_student("leeann", first_name="Ann", last_name="Lee")  # no Canvas id
        gb.update_or_create_student("latelou", first_name="Lou", last_name="Late",
                                    lms_user_id="777")
        for student, scores in SCORES.items():
            gb.add_submission("backprop", student)
            for cell, score in scores.items():
                grade = gb.find_grade(cell, "backprop", "backprop", student)
                grade.auto_score = score
                grade.needs_manual_grade = False   # as nbgrader's SaveAutoGrades sets it
            notebook = gb.find_submission_notebook("backprop", "backprop", student)
            notebook.late_submission_penalty = PENALTIES.get(student)
        gb.db.commit()


def test_grades_csv_has_only_graded_assignments_with_status_and_late(course):
    nbgrader(course, "export", "--to", "grades.csv")
    with open(course / "grades.csv", newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert {r["assignment"] for r in rows.values()} == {"backprop"}
    assert {s: (r["status"], r["raw_score"], r["late_submission_penalty"], r["score"],
                r["late"]) for s, r in rows.items()} == {
        "smithjane": ("graded", "10.0", "0.0", "10.0", ""),
        "doejohn": ("graded", "4.0", "1.5", "2.5", "yes"),
        "leeann": ("graded", "8.0", "0.0", "8.0", ""),
        "latelou": ("graded", "2.0", "5.0", "0.0", ""),     # never below zero
        "absentann": ("not submitted", "0.0", "0.0", "0.0", ""),
        "ortizluis": ("not graded: file named backprop.txt (no backprop.ipynb)",
                      "0.0", "0.0", "0.0", ""),
        "brokenbob": ("not graded: autograde failed (the autograde log says why)",
                      "0.0", "0.0", "0.0", ""),
    }
    assert rows["smithjane"]["lms_user_id"] == "104233"
    assert rows["latelou"]["lms_user_id"] == "777"        # from the gradebook's student
    assert rows["doejohn"]["max_score"] == "10.0"


def test_canvas_csv_without_roster_has_canvas_columns_and_blank_ungraded_cells(course):
    proc = nbgrader(course, "export", "--exporter=autograder.lms.canvas.CanvasExport",
                    "--to", "canvas.csv")
    table = read_csv(course / "canvas.csv")
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "backprop"]
    assert table[1] == ["    Points Possible", "", "", "", "", "10"]
    body = {row[0]: (row[1], row[5]) for row in table[2:]}
    assert body == {"Smith, Jane": ("104233", "10"), "Doe, John": ("88112", "2.5"),
                    "Lee, Ann": ("", "8"), "Late, Lou": ("777", "0"),
                    "Absent, Ann": ("", ""), "ortizluis": ("557", ""),
                    "brokenbob": ("559", "")}
    assert "no Canvas user id" in proc.stderr


def test_canvas_csv_with_roster_matches_students_and_names_columns_as_canvas(course):
    roster = course / "canvas-export.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Backprop (41234),Current Score\n"
        "    Points Possible,,,,,10,(read only)\n"
        '"Smith, Jane",104233,S1,jsmith,DNN 101,,\n'
        '"Doe, John",99999,S2,jdoe,DNN 101,,\n'    # another id than doejohn's 88112: not his
        '"Lee, Ann",4242,S4,alee,DNN 101,,\n'      # leeann has no Canvas id: matched by name
        '"Late, Lou",777,S5,llate,DNN 101,,\n'
        '"Ortiz, Luis",557,S3,lortiz,DNN 102,,\n'
        '"Student, Test",1,,,DNN 101,,\n')
    proc = nbgrader(course, "export", "--exporter=autograder.lms.canvas.CanvasExport",
                    "--to", "canvas.csv", f"--CanvasExport.roster={roster}")
    assert read_csv(course / "canvas.csv") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Backprop (41234)"],
        ["    Points Possible", "", "", "", "", "10"],
        ["Smith, Jane", "104233", "S1", "jsmith", "DNN 101", "10"],
        ["Doe, John", "99999", "S2", "jdoe", "DNN 101", ""],
        ["Lee, Ann", "4242", "S4", "alee", "DNN 101", "8"],
        ["Late, Lou", "777", "S5", "llate", "DNN 101", "0"],
        ["Ortiz, Luis", "557", "S3", "lortiz", "DNN 102", ""],
    ]
    assert "doejohn has grades but is not in the Canvas roster" in proc.stderr
    assert "brokenbob" not in proc.stderr      # nothing graded, so nothing to add by hand


def test_a_file_that_is_not_a_canvas_export_is_refused_by_name(course):
    bad = course / "not-canvas.csv"
    bad.write_text("name,score\nJane,10\n")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run([str(BIN / "nbgrader"), "export", "--exporter="
                           "autograder.lms.canvas.CanvasExport", "--to", "x.csv",
                           f"--CanvasExport.roster={bad}", f"--CourseDirectory.root={course}"],
                          cwd=course, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert f"{bad} is not a Canvas gradebook export" in proc.stderr


@pytest.mark.parametrize(("target", "command"), [
    (["grades"], "nbgrader export --to grades.csv"),
    (["grades-canvas", "ROSTER=export.csv"],
     "nbgrader export --exporter=autograder.lms.canvas.CanvasExport --to grades-canvas.csv "
     '--CanvasExport.roster="export.csv"'),
])
def test_make_targets_wrap_nbgrader_export(target, command):
    out = subprocess.run(["make", "-n", "--no-print-directory", *target, "STAMP="], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert command in " ".join(out.replace("\\\n", " ").split())
