"""The instructor's verbs, one small surface: what the Makefile, the tests and other glue call.

    python -m autograder <verb> [arguments]      (python -m autograder --help lists them)

Each verb is a function here with a ``main(argv)`` behind it in the module that does
the work, so the command line and Python callers share one entry point, as
otter-grader's ``api.py`` and nbgrader's ``NbGraderAPI`` do. The nbgrader steps
themselves (generate_assignment, zip_collect, autograde, generate_feedback, export)
stay nbgrader's own CLI, configured by ``nbgrader_config.py``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

VERBS: dict[str, tuple[str, str]] = {
    "secret": ("autograder.judge.secret",
               "create the course secret (the hidden cases' seed) if there is none"),
    "preflight": ("autograder.preprocessors.execute",
                  "check that grading will run in the sandbox before nbgrader starts"),
    "grade-class": ("autograder.class_grading.grade_class",
                    "grade every submission of an assignment in parallel, then grades.csv"),
    "report": ("autograder.reports.misconceptions",
               "the class misconception and near-copy report of an assignment"),
    "assignments": ("autograder.lms.assignments",
                    "list the assignments; --check NAME... stops a mistyped or unreleased one"),
}
"""verb -> (module whose ``main(argv)`` runs it, what it does)."""


def _main_of(verb: str) -> Callable[[list[str] | None], int]:
    return importlib.import_module(VERBS[verb][0]).main


def ensure_secret(course: Path) -> int:
    """Create ``<course>/.course_secret`` if missing; see :mod:`autograder.judge.secret`."""
    return _main_of("secret")([str(course)])


def preflight(course: Path, *, unsandboxed: bool = False) -> int:
    """Refuse to grade outside the sandbox unless asked (see autograder.preprocessors.execute)."""
    return _main_of("preflight")([*(["--unsandboxed"] if unsandboxed else []), str(course)])


def grade_class(course: Path, assignment: str, *options: str) -> int:
    """Grade a class; ``options`` are the command line's (``--workers 4``, ``--force``, ...)."""
    return _main_of("grade-class")([assignment, "--course-dir", str(course), *options])


def report(course: Path, assignment: str, out: Path | None = None) -> int:
    """Write ``report/<assignment>/index.html``; non-zero when it disagrees with the gradebook."""
    return _main_of("report")([assignment, "--course", str(course),
                               *(["--out", str(out)] if out else [])])


def usage() -> str:
    width = max(map(len, VERBS))
    lines = ["usage: python -m autograder <verb> [arguments]", "", "verbs:"]
    lines += [f"  {verb:<{width}}  {what}" for verb, (_, what) in VERBS.items()]
    lines += ["", "python -m autograder <verb> --help describes a verb's arguments."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch ``argv[0]`` to its verb; an unknown verb is named, with the list of verbs."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return 0 if args else 2
    verb, rest = args[0], args[1:]
    if verb not in VERBS:
        print(f"autograder: unknown verb {verb!r}\n\n{usage()}", file=sys.stderr)
        return 2
    return _main_of(verb)(rest)
