"""Where the course hub keeps things and what its accounts and groups are called.

The course folder is the checkout (its ``nbgrader_config.py`` names the course);
the hub's runtime state is in ``<course>/hub/`` (git-ignored): the hub's Python
environment ``hub/venv`` (built from a Python every account may run),
configurable-http-proxy in ``hub/node_modules``, the roster ``hub/users.json``,
the initial passwords ``hub/passwords.csv`` (root only), JupyterHub's database and
cookie secret, and the grading queue's log. nbgrader's exchange is
``<course>/exchange`` (the course's ``Exchange.root``).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

NAME = re.compile(r"[a-z_][a-z0-9_-]{0,30}")
"""A login name the hub accepts (Debian's useradd rule, lower case)."""


@dataclass(frozen=True)
class Course:
    """The course on this hub.

    Attributes
    ----------
    root : Path
        The course folder (the checkout, with nbgrader_config.py and gradebook.db).
    course_id : str
        nbgrader's ``CourseDirectory.course_id``.
    """

    root: Path
    course_id: str

    @property
    def hub(self) -> Path:
        return self.root / "hub"

    @property
    def venv(self) -> Path:
        return self.hub / "venv"

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    @property
    def users_file(self) -> Path:
        return self.hub / "users.json"

    @property
    def passwords(self) -> Path:
        return self.hub / "passwords.csv"

    @property
    def grader(self) -> str:
        """The account that runs the course's formgrader service."""
        return f"grader-{self.course_id}"

    @property
    def students_group(self) -> str:
        return f"nbgrader-{self.course_id}"

    @property
    def staff_group(self) -> str:
        return f"formgrade-{self.course_id}"

    def roster(self) -> dict[str, list[str]]:
        """``{"students": [...], "instructors": [...]}`` as ``make hub-users`` wrote it."""
        try:
            data = json.loads(self.users_file.read_text())
        except FileNotFoundError:
            return {"students": [], "instructors": []}
        return {key: sorted(n for n in data.get(key, []) if NAME.fullmatch(n))
                for key in ("students", "instructors")}


def course(root: Path | None = None) -> Course:
    """The course of ``root`` (default: $DNN_COURSE_ROOT, else the current folder)."""
    root = Path(root or os.environ.get("DNN_COURSE_ROOT") or Path.cwd()).resolve()
    config = root / "nbgrader_config.py"
    match = re.search(r"""^c\.CourseDirectory\.course_id\s*=\s*["']([^"']+)["']""",
                      config.read_text(), re.M) if config.is_file() else None
    if match is None or not NAME.fullmatch(match.group(1)):
        raise SystemExit(f"{config} must set c.CourseDirectory.course_id to a lower-case name "
                         "(letters, digits, - and _): the hub's groups and grader account "
                         "are named after it")
    return Course(root, match.group(1))
