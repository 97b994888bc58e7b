"""An instructor grades a class with the real nbgrader command line.

In a temporary copy of the course folder (nbgrader_config.py and solutions/),
the assignments are released with ``nbgrader generate_assignment``; the scripted
class of tests/fixtures/submissions is written to submitted/<student>/<assignment>/;
each assignment is graded in ONE ``nbgrader autograde`` run, then
``nbgrader generate_feedback`` and ``nbgrader export`` follow. Scores are read
back from the gradebook, per graded function (visible + hidden test cell).
A second course checks ``nbgrader zip_collect`` on a zip named the way Canvas
names its "Download Submissions" files, with the pattern of nbgrader_config.py.

Per-submission autograde times are written to test-artifacts/autograde_times.json
(they are reported, never asserted).
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import time
import zipfile

import nbformat
import pytest
from nbgrader_course import (
    ARTIFACTS,
    ROOT,
    feedback_text,
    nbgrader,
    new_course,
    points_by_function,
    released,
    student_times,
    submit,
)
from submissions import Submission, submission_text
from submissions.roster import CLASSES, VECTORISED

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    """Release, submit, autograde (one run per assignment), feedback and export."""
    course = new_course(tmp_path_factory.mktemp("course"), list(CLASSES))
    out = {"course": course, "autograde": {}, "times": {}}
    for assignment, roster in CLASSES.items():
        for sub in roster:
            submit(course, assignment, sub)
        start = time.monotonic()
        proc = nbgrader(course, "autograde", assignment, "--force", check=False)
        elapsed = time.monotonic() - start
        out["autograde"][assignment] = proc
        out["times"][assignment] = {
            "total_seconds": round(elapsed, 1), "students": len(roster),
            "per_student": student_times(proc.stderr, assignment, elapsed)}
        nbgrader(course, "generate_feedback", assignment, "--force", check=False)
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "autograde_times.json").write_text(json.dumps(out["times"], indent=1))
    with open(course / "grades.csv", newline="") as f:
        out["rows"] = list(csv.DictReader(f))
    return out


CASES = [(a, sub) for a, roster in CLASSES.items() for sub in roster]
IDS = [f"{a}-{sub.student}" for a, sub in CASES]


@pytest.mark.parametrize(("assignment", "sub"), CASES, ids=IDS)
def test_each_graded_function_gets_its_points(graded, assignment, sub):
    scores = points_by_function(graded["course"], assignment, sub.student)
    expected = {f: (0.0 if f in sub.zero else full, full) for f, (_, full) in scores.items()}
    assert scores == expected
    assert sub.zero <= set(scores), f"the roster names unknown functions {sub.zero - set(scores)}"


@pytest.mark.parametrize(("assignment", "sub"), CASES, ids=IDS)
def test_feedback_names_the_mistake(graded, assignment, sub):
    if sub.raw is not None:   # nothing could be run, so there is no feedback page
        assert not (graded["course"] / "feedback" / sub.student).exists()
        return
    text = feedback_text(graded["course"], assignment, sub.student)
    for function, phrases in sub.phrases.items():
        for phrase in phrases:
            assert phrase in text, f"{function}: {phrase!r} is not in the feedback"
    if not sub.zero:
        assert text.count("✓") >= 2 * len(set(points_by_function(
            graded["course"], assignment, sub.student)))


def test_every_student_has_a_row_in_the_export(graded):
    rows = {(r["assignment"], r["student_id"]): r for r in graded["rows"]}
    students = {sub.student for _, sub in CASES}
    assert set(rows) == {(a, s) for a in CLASSES for s in students}
    for (a, s), row in rows.items():     # nbgrader lists every student under every assignment
        if s not in {sub.student for sub in CLASSES[a]}:
            assert float(row["score"]) == 0
    for a, sub in CASES:
        scores = points_by_function(graded["course"], a, sub.student)
        expected = sum(full for f, (_, full) in scores.items() if f not in sub.zero)
        assert float(rows[a, sub.student]["score"]) == expected
        assert float(rows[a, sub.student]["max_score"]) == sum(f for _, f in scores.values())


def test_a_corrupt_upload_is_reported_and_the_rest_graded(graded):
    proc = graded["autograde"]["backprop"]
    assert proc.returncode != 0
    assert "There was an error processing assignment 'backprop' for student " \
           "'corrupt_upload'" in proc.stderr
    failed = set(re.findall(r"for student '([^']+)'", proc.stderr))
    assert failed == {"corrupt_upload"}
    course = graded["course"]
    for sub in CLASSES["backprop"]:
        graded_nb = course / "autograded" / sub.student / "backprop" / "backprop.ipynb"
        assert graded_nb.exists() == (sub.raw is None), sub.student


def test_the_runaway_loop_is_stopped_by_the_cell_timeout(graded):
    nb = nbformat.read(graded["course"] / "autograded" / "infinite_loop" / "backprop" /
                       "backprop.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") ==
                "update_parameters")
    errors = [o.ename for o in cell.outputs if o.output_type == "error"]
    # the interrupt surfaces as the kernel's KeyboardInterrupt, then nbgrader's verdict
    assert errors[-1] == "CellTimeoutError" and set(errors) <= {"KeyboardInterrupt",
                                                                "CellTimeoutError"}
    assert "Timeout waiting for execute reply (60s)" in graded["autograde"]["backprop"].stderr


def test_forward_and_graphs_runs_have_no_errors(graded):
    for assignment in ("forward", "graphs"):
        assert graded["autograde"][assignment].returncode == 0, \
            graded["autograde"][assignment].stderr[-3000:]


# ------------------------------------------------------------------ zip_collect from an LMS zip

def test_zip_collect_files_canvas_downloads_under_each_student(tmp_path):
    (tmp_path / "course").mkdir()
    course = new_course(tmp_path / "course", ["backprop"])
    good = submission_text(released(course, "backprop"), Submission("x", VECTORISED))
    archive = course / "downloaded" / "backprop" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as z:
        z.writestr("smithjane_104233_5501267_backprop.ipynb", good)
        z.writestr("doejohn_LATE_88112_5501300_backprop-1.ipynb", good)
        z.writestr("leekim_99001_5501311_notes.txt", "not a notebook")
        z.writestr("leekim_99001_5501312_homework.ipynb", good)
    proc = nbgrader(course, "zip_collect", "backprop", "--force")
    submitted = course / "submitted"
    assert sorted(p.relative_to(submitted).as_posix() for p in submitted.rglob("*.ipynb")) == [
        "doejohn/backprop/backprop.ipynb", "leekim/backprop/backprop.ipynb",
        "smithjane/backprop/backprop.ipynb"]
    assert (submitted / "smithjane" / "backprop" / "backprop.ipynb").read_text() == good
    # a student's only notebook is theirs whatever its name (autograder/lms/collect.py)
    assert "leekim: filed homework.ipynb as backprop.ipynb" in proc.stderr


# ------------------------------------------------------------------ the Makefile's wrappers

def make_dry_run(*args: str) -> str:
    """The commands ``make <args>`` would run (make -n), with the install step left out."""
    return subprocess.run(["make", "-n", "--no-print-directory", *args, "STAMP="], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize(("target", "command"), [
    (["release"], "nbgrader generate_assignment $a --force"),
    (["collect-zip", "ZIP=canvas.zip", "ASSIGNMENT=backprop"],
     "nbgrader zip_collect backprop --force"),
    (["collect", "DIR=folder"], "nbgrader zip_collect $a --force"),
    (["autograde", "ASSIGNMENT=backprop"], "nbgrader autograde backprop --force"),
    (["feedback", "ASSIGNMENT=graphs"], "nbgrader generate_feedback graphs --force"),
    (["grades"], "nbgrader export --to grades.csv"),
])
def test_make_targets_are_thin_wrappers_of_the_nbgrader_cli(target, command):
    assert command in make_dry_run(*target)
