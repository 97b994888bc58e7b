"""The course's assignments, checked before any command that takes ``ASSIGNMENT=``.

A mistyped ``make autograde ASSIGNMENT=backprp`` used to end in a 40-line nbgrader
traceback advising ``make release`` (and left ``downloaded/backprp/``); ``make report``
as the first command left an empty ``gradebook.db`` that ``make grade-class`` then
took for a released course. ``python -m autograder assignments`` lists the
assignments in one line; ``--check NAME…`` exits

* 0 when every name is an assignment and ``gradebook.db`` has it released;
* 2, printing the valid names in one line, when a name is not an assignment;
* 3, saying so, when ``gradebook.db`` is missing, empty or lacks one of them: the
  Makefile then runs ``make release`` before going on. A gradebook a crash left
  half-made (tables, no alembic version, nothing in them) is removed first.

An assignment is a folder of ``solutions/`` (or ``exercises/``) holding a notebook.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

NOT_RELEASED = 3
UNKNOWN = 2


def course_assignments(course: Path) -> list[str]:
    """Names of the assignments: folders of solutions/ or exercises/ that hold a notebook."""
    return sorted({p.parent.name for folder in ("solutions", "exercises")
                   for p in (course / folder).glob("*/*.ipynb")})


def released_in_gradebook(course: Path) -> set[str]:
    """Assignments ``gradebook.db`` knows (none when it is missing, empty or not a gradebook).

    Read without creating or migrating the database.
    """
    db = course / "gradebook.db"
    if not db.is_file() or not db.stat().st_size:
        return set()
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            return {name for (name,) in con.execute("SELECT name FROM assignment")}
    except sqlite3.Error:
        return set()


def remove_crash_remnant(course: Path) -> bool:
    """Delete ``gradebook.db`` if a crash left it half-made: no alembic version, nothing in it.

    nbgrader creates the tables first and asks ``alembic`` (from PATH) for the version
    last; when that fails the file has tables and no version, and nbgrader would use
    it as it is. With no assignment and no student in it there is nothing to lose.
    """
    db = course / "gradebook.db"
    if not db.is_file():
        return False
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            tables = {t for (t,) in con.execute("SELECT name FROM sqlite_master "
                                                "WHERE type='table'")}
            if "alembic_version" in tables or not tables:
                return False
            if any(con.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
                   for t in ("assignment", "student") if t in tables):
                return False
    except sqlite3.Error:
        return False
    db.unlink()
    return True


def check(course: Path, names: list[str]) -> tuple[int, str]:
    """Exit code and message for ``--check names`` (see the module docstring)."""
    valid = course_assignments(course)
    unknown = [n for n in names if n not in valid]
    if unknown:
        return UNKNOWN, (f"ASSIGNMENT={' '.join(unknown)} is not an assignment of this course; "
                         f"the assignments are: {' '.join(valid) or '(none: no solutions/)'}")
    remnant = remove_crash_remnant(course)
    missing = [n for n in names if n not in released_in_gradebook(course)]
    if missing:
        state = ("gradebook.db was left half-made by an earlier crash (removed, it was empty);"
                 " nothing released" if remnant else
                 "gradebook.db has not released" if (course / "gradebook.db").is_file()
                 else "there is no gradebook.db yet for")
        return NOT_RELEASED, f"{state} {' '.join(missing)}: running `make release` first"
    return 0, ""


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder assignments [--check NAME…] [--course DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m autograder assignments",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", nargs="*", metavar="NAME",
                        help="exit 2 for a name that is not an assignment, 3 when not released")
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="the course folder")
    args = parser.parse_args(argv)
    if args.check is None:
        print(" ".join(course_assignments(args.course)))
        return 0
    code, message = check(args.course, args.check)
    if message:
        print(message, file=sys.stderr)
    return code
