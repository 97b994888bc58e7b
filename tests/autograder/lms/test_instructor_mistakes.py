"""Ordinary instructor mistakes on a fresh copy of the course, through the Makefile.

A temporary course with the repository's Makefile, nbgrader_config.py, assignments,
solutions and exercises but no gradebook.db, as a fresh clone has it: a mistyped
``ASSIGNMENT=`` stops every target at once with the valid names in one line and
leaves nothing behind; ``make report`` as the very first command releases the course
first (nbgrader's ``alembic`` found on PATH), and a half-made ``gradebook.db`` left by
an earlier crash is replaced by a released one, not taken for a course.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from nbgrader_course import ROOT

pytestmark = pytest.mark.slow   # make release runs jupytext and nbgrader

VALID = "the assignments are: backprop forward graphs"


def make(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", *args, "STAMP="], cwd=course,
                          capture_output=True, text=True, timeout=900)


@pytest.fixture
def fresh(tmp_path) -> Path:
    """The course as a fresh clone has it: no gradebook.db, no downloads, no secret."""
    for name in ("Makefile", "nbgrader_config.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("assignments", "solutions", "exercises"):
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "tools").symlink_to(ROOT / "tools")
    return tmp_path


def released(course: Path) -> set[str]:
    with sqlite3.connect(course / "gradebook.db") as con:
        return {name for (name,) in con.execute("SELECT name FROM assignment")}


@pytest.mark.parametrize("target", [
    ["collect-zip", "ZIP=Makefile"], ["autograde", "UNSANDBOXED=1"], ["feedback"], ["report"],
    ["grade-class", "UNSANDBOXED=1"]])
def test_a_mistyped_assignment_stops_with_the_valid_names_and_leaves_nothing(fresh, target):
    before = sorted(p.name for p in fresh.iterdir())
    proc = make(fresh, *target, "ASSIGNMENT=backprp")
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0] == (
        f"ASSIGNMENT=backprp is not an assignment of this course; {VALID}")
    assert len(proc.stderr.splitlines()) == 2 and "Traceback" not in proc.stderr  # + make's
    assert sorted(p.name for p in fresh.iterdir()) == before   # no downloaded/, gradebook.db


def test_make_assignments_lists_the_names(fresh):
    proc = make(fresh, "assignments")
    assert proc.stdout == "assignments: backprop forward graphs\n"


def test_report_first_releases_the_course_and_a_half_made_gradebook_is_released(fresh):
    proc = make(fresh, "report", "ASSIGNMENT=backprop")
    assert "alembic" not in proc.stderr and "released backprop" in proc.stdout
    assert released(fresh) == {"forward", "graphs", "backprop"}
    (fresh / "gradebook.db").unlink()
    crash = subprocess.run(     # what `make report` used to leave: nbgrader without alembic
        [str(ROOT / ".venv" / "bin" / "python"), "-c", "from nbgrader.api import Gradebook; "
         "Gradebook('sqlite:///gradebook.db', 'dnn-from-scratch')"],
        cwd=fresh, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert "alembic" in crash.stderr and (fresh / "gradebook.db").stat().st_size > 0
    proc = make(fresh, "feedback", "ASSIGNMENT=graphs")
    assert ("gradebook.db was left half-made by an earlier crash (removed, it was empty); "
            "nothing released graphs: running `make release` first") in proc.stderr
    assert released(fresh) == {"forward", "graphs", "backprop"}
    # then feedback itself runs, on a released course: nothing is graded yet, and it says so
    assert "No notebooks were matched by" in proc.stderr
    assert "MissingEntry" not in proc.stderr and "Traceback" not in proc.stderr
