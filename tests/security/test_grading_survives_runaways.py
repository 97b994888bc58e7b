"""A class whose notebooks run away, flood output or tamper with cells, graded by nbgrader.

Graded with ``nbgrader autograde`` (what ``make autograde`` runs) under short
limits (tests/fixtures/submissions/runaways.py): a cell's own failure (a timeout whose
interrupt takes longer than the IOPub wait, a dead kernel) costs that cell and
what depends on it, never the notebook; output is capped while the notebook
runs; a notebook's cells share a time limit; the feedback page runs none of a
student's HTML or JavaScript; a test cell whose metadata was changed is repaired.
The preflight of ``make autograde`` refuses a config nbgrader would silently
replace by its defaults (which run student code outside the sandbox).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader_course import (
    ROOT,
    feedback_text,
    nbgrader,
    new_course,
    points_by_function,
    released,
)
from submissions import Submission, insert_after, submission_text
from submissions.roster import VECTORISED
from submissions.runaways import IOPUB, NOTEBOOK_LIMIT, RUNAWAYS, TIMEOUT

from autograder.preprocessors.execute import preflight

pytestmark = pytest.mark.slow
FUNCTIONS = {"one_layer_backward", "backprop", "update_parameters"}
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    course = new_course(tmp_path_factory.mktemp("runaways"), ["backprop"])
    for sub in RUNAWAYS:
        folder = course / "submitted" / sub.student / "backprop"
        folder.mkdir(parents=True)
        (folder / "backprop.ipynb").write_text(
            submission_text(released(course, "backprop"), sub), encoding="utf-8")
    run = nbgrader(course, "autograde", "backprop", "--force",
                   f"--ExecutePreprocessor.timeout={TIMEOUT}",
                   f"--ExecutePreprocessor.iopub_timeout={IOPUB}",
                   f"--SandboxedExecute.notebook_time_limit={NOTEBOOK_LIMIT}", check=False)
    assert run.returncode == 0, run.stderr[-4000:]
    nbgrader(course, "generate_feedback", "backprop", "--force")
    return course


def graded_notebook(course: Path, student: str) -> Path:
    return course / "autograded" / student / "backprop" / "backprop.ipynb"


@pytest.mark.parametrize("sub", RUNAWAYS, ids=[s.student for s in RUNAWAYS])
def test_every_score_and_diagnosis(course, sub):
    points = points_by_function(course, "backprop", sub.student)
    assert set(points) == FUNCTIONS, f"{sub.student} was not graded: {points}"
    for function, (score, full) in points.items():
        want = 0.0 if function in sub.zero else full
        assert score == want, f"{sub.student}: {function} scored {score}/{full}"
    text = feedback_text(course, "backprop", sub.student)
    for phrases in sub.phrases.values():
        for phrase in phrases:
            assert phrase in text, f"{sub.student}: {phrase!r} missing from the feedback"


def test_a_cell_slow_to_stop_costs_only_itself(course):
    nb = nbformat.read(graded_notebook(course, "honest_slow_to_stop"), as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert [o.ename for o in errors] == ["CellTimeoutError"]
    assert "took more than" in errors[0].evalue


def test_output_is_capped_while_the_notebook_runs(course):
    path = graded_notebook(course, "floods_output")
    assert path.stat().st_size < 5_000_000, f"{path.stat().st_size} bytes kept"
    assert "output truncated while grading" in path.read_text()


def test_feedback_runs_no_student_script_and_keeps_the_diagnosis(course):
    page = (course / "feedback" / "shows_html" / "backprop" / "backprop.html").read_text()
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)
    assert scripts, "the page should keep its own (MathJax) script"
    assert not [s for s in scripts if "student-" in s], "a student's script is live"
    dying = feedback_text(course, "backprop", "dies_midway")
    assert "one_layer_backward: passed" in dying and "the kernel died" in dying
    assert "MathJax" in page


def test_a_changed_test_cell_is_repaired_and_named(course):
    text = feedback_text(course, "backprop", "flips_test_metadata")
    assert "Notes from grading" in text
    assert "test_backprop" in text


def test_preflight_refuses_a_config_that_fails(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(
        (ROOT / "nbgrader_config.py").read_text() + "\nfrom nbconvert import NoSuchName\n")
    with pytest.raises(SystemExit, match="ImportError.*NoSuchName.*outside the sandbox"):
        preflight(tmp_path, unsandboxed=False)
    (tmp_path / "nbgrader_config.py").write_text(
        (ROOT / "nbgrader_config.py").read_text() + "\nc.Autograde.autograde_preprocessors = []\n")
    with pytest.raises(SystemExit, match="does not run SandboxedExecute"):
        preflight(tmp_path, unsandboxed=False)
    assert not (tmp_path / ".course_secret").exists()


def test_a_display_flood_waits_in_the_kernel_not_in_the_graders_memory(tmp_path):
    """60 displays of 32 MB: nbgrader's peak memory stays far below the flood (it was over
    1 GB while the grader's client queued what the kernel sent)."""
    course = new_course(tmp_path, ["backprop"])
    nb = released(course, "backprop")
    flood = Submission("flooder", VECTORISED, edit=lambda nb: insert_after(
        nb, "one_layer_backward", "from IPython.display import display\nfor i in range(60):\n"
        "    display({'text/plain': 'x' * 32_000_000}, raw=True)"))
    folder = course / "submitted" / "flooder" / "backprop"
    folder.mkdir(parents=True)
    (folder / "backprop.ipynb").write_text(submission_text(nb, flood), encoding="utf-8")
    proc = subprocess.Popen([str(BIN / "nbgrader"), "autograde", "backprop", "--force",
                             f"--CourseDirectory.root={course}"], cwd=course,
                            env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    assert status == 0
    assert usage.ru_maxrss < 600 * 1024, f"peak {usage.ru_maxrss // 1024} MB"
    points = points_by_function(course, "backprop", "flooder")
    assert all(score == full for score, full in points.values()), points
