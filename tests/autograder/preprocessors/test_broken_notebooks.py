"""Notebooks an editor or a student broke are graded, with feedback, and raise no false alarm.

With the real ``nbgrader autograde`` and ``generate_feedback`` (sandbox on), one class of
the backprop assignment: a correct notebook; the same with every cell's metadata dropped
(as old VS Code saves it); the same saved with Windows line endings; an empty notebook;
and one whose visible test cell was edited to always pass. Every one is graded (a score in
the gradebook, a feedback page); the dropped-metadata and CRLF notebooks keep their 20
points; the log has no "Attribute 'checksum'" warning for what students cannot help
(hidden tests removed at release, line endings) and still has it for the real edit.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader_course import COURSE_ID, nbgrader, new_course, points_by_function, released
from submissions import Submission, submission_text
from submissions.roster import VECTORISED

pytestmark = pytest.mark.slow


def correct(course: Path) -> nbformat.NotebookNode:
    return nbformat.reads(submission_text(released(course, "backprop"),
                                          Submission("x", VECTORISED)), as_version=4)


def no_metadata(nb: nbformat.NotebookNode) -> str:
    for cell in nb.cells:
        cell.metadata = {}
    return nbformat.writes(nb)


def crlf(nb: nbformat.NotebookNode) -> str:
    for cell in nb.cells:
        cell.source = cell.source.replace("\n", "\r\n")
    return nbformat.writes(nb)


def empty(nb: nbformat.NotebookNode) -> str:
    nb.cells = []
    return nbformat.writes(nb)


def edited_test(nb: nbformat.NotebookNode) -> str:
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                == "test_one_layer_backward")
    cell.source = "pass  # the check always passes now"
    return nbformat.writes(nb)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    course = new_course(tmp_path_factory.mktemp("broken"), ["backprop"])
    uploads = {"honest": nbformat.writes(correct(course)),
               "stripped": no_metadata(correct(course)), "windows": crlf(correct(course)),
               "empty": empty(correct(course)), "edited": edited_test(correct(course))}
    for student, text in uploads.items():
        folder = course / "submitted" / student / "backprop"
        folder.mkdir(parents=True)
        (folder / "backprop.ipynb").write_text(text, encoding="utf-8", newline="")
    log = nbgrader(course, "autograde", "backprop", "--force", check=False).stderr
    nbgrader(course, "generate_feedback", "backprop", "--force", check=False)
    return {"course": course, "log": log, "students": list(uploads)}


def total(course: Path, student: str) -> float:
    return sum(score for score, _ in points_by_function(course, "backprop", student).values())


def test_every_notebook_is_graded_and_gets_a_feedback_page(graded) -> None:
    course = graded["course"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        for student in graded["students"]:
            sub = gb.find_submission("backprop", student)
            assert not sub.needs_manual_grade, student
    for student in graded["students"]:
        page = course / "feedback" / student / "backprop" / "backprop.html"
        assert page.is_file(), f"{student} has no feedback page"
        grading = course / "autograded" / student / "backprop" / "grading.json"
        assert json.loads(grading.read_text()), student


def test_dropped_metadata_and_line_endings_cost_no_point(graded) -> None:
    course = graded["course"]
    assert total(course, "honest") == 20
    assert total(course, "stripped") == 20
    assert total(course, "windows") == 20


def test_an_empty_notebook_scores_zero_and_its_feedback_says_why(graded) -> None:
    course = graded["course"]
    assert total(course, "empty") == 0
    page = (course / "feedback" / "empty" / "backprop" / "backprop.html").read_text()
    assert "one_layer_backward" in page and "NameError" in page


def test_checksum_alarms_only_for_a_real_edit(graded) -> None:
    alarms = re.findall(r"Attribute 'checksum' for cell (\S+) has changed", graded["log"])
    assert alarms == ["test_one_layer_backward"], alarms
    assert total(graded["course"], "edited") == 20   # the released test ran, not the edit
