"""What the class grading tool tells the instructor: a line per student, a summary, grades.csv."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from autograder.class_grading.course import Course
from autograder.class_grading.merge import Outcome
from autograder.quiet import escaped


def printable(text: object) -> str:
    """``text`` on one line, every control character (terminal escapes, newlines, bidi
    overrides) shown as ``\\xNN`` / ``\\uNNNN``: student ids and reasons come from student
    files and nbgrader's log of student code."""
    return escaped(str(text)).replace("\n", "\\x0a").replace("\t", "\\x09")


def line(o: Outcome) -> str:
    """The instructor's line for one student (everything from student data escaped)."""
    student = printable(o.student)
    if o.status == "graded":
        note = f"  ({printable(o.reason)})" if o.reason else ""
        return f"{student:<24} {o.score:g}/{o.max_score:g}{note}"
    return f"{student:<24} FAILED  {printable(o.reason)}"


def summarise(outcomes: list[Outcome], n_graded_now: int, elapsed: float, out) -> None:
    graded = [o for o in outcomes if o.status == "graded"]
    failed = [o for o in outcomes if o.status != "graded"]
    print(f"\n{len(outcomes)} submissions: {len(graded)} graded, {len(failed)} not graded "
          f"({n_graded_now} processed in this run, {elapsed:.0f} s"
          + (f", {elapsed / n_graded_now:.1f} s per submission)" if n_graded_now else ")"),
          file=out)
    if graded:
        mean = sum(o.score for o in graded) / len(graded)
        print(f"mean score {mean:.2f}/{graded[0].max_score:g}", file=out)
    for o in failed:
        print(f"  not graded: {printable(o.student)}: {printable(o.reason)}", file=out)
    out.flush()


def export_csv(course: Course, csv: Path) -> None:
    """``nbgrader export`` of the course gradebook (every assignment) to ``csv``."""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep
               + os.environ.get("PATH", ""))
    subprocess.run([sys.executable, "-m", "nbgrader", "export", "--to", str(csv),
                    f"--CourseDirectory.root={course.root}",
                    f"--CourseDirectory.db_url={course.db_url}"],
                   cwd=course.root, env=env, check=True, capture_output=True)
