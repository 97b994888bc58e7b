"""The cases a test cell is graded on: the package's visible ones, or hidden ones from the secret.

Visible cases are :func:`dnn_ref.grading.cases` (students run the same ones at
home). Hidden cases are the same public recipes,
``dnn_ref.grading.build_cases(name, rng, vary=True)``, drawn from a generator
seeded with HMAC(course secret, ``"<assignment>/<name>/hidden"``): shapes and
values change with the secret, so nobody without it can compute them (or the
reference's answers to them) ahead of grading. When grading a submission they are
also drawn per student and per submission (:func:`submission_seed`): a leaked case
is worth nothing at the next submission. A grader on another machine
gets only those seeds (:func:`case_seeds`), never the secret.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from autograder.judge.secret import seed
from dnn_ref import grading
from dnn_ref.grading import Case
from dnn_ref.grading.cases import ASSIGNMENTS


def hidden_seed(secret: bytes, assignment: str, name: str) -> int:
    """The seed of the hidden cases of graded function ``name`` in ``assignment``."""
    return seed(secret, f"{assignment}/{name}/hidden")


def case_seeds(secret: bytes, assignment: str) -> dict[str, int]:
    """The hidden cases' seed of every graded function, for ``assignment``: all a remote
    grader needs (the secret cannot be recovered from them)."""
    names = sorted({n for names in ASSIGNMENTS.values() for n in names})
    return {name: hidden_seed(secret, assignment, name) for name in names}


def submission_seed(base: int, student: str, submitted: str) -> int:
    """The seed of one submission's hidden cases: HMAC(``base``, "<student>/<submitted>").

    ``base`` is the function's seed for the assignment (:func:`hidden_seed`, or a shard's
    :func:`case_seeds`); ``submitted`` is the submission's timestamp. A regrade of the same
    submission draws the same cases, a new submission (or another student) other ones, so
    hidden cases printed into one feedback page say nothing about the next grading.
    """
    return seed(base.to_bytes(16, "big"), f"{student}/{submitted}")


def cases_for(name: str, *, hidden: bool, secret: bytes | None, assignment: str,
              seeds: Mapping[str, int] | None = None, student: str = "",
              submitted: str = "") -> list[Case]:
    """The cases of graded function ``name`` for a visible or a hidden test cell.

    Hidden cases come from ``seeds[name]`` when ``seeds`` is given (a shard graded
    elsewhere, :func:`case_seeds`), else from the course ``secret``; with a ``student``,
    they are that student's for the submission made at ``submitted``
    (:func:`submission_seed`).
    """
    if not hidden:
        return grading.cases(name)
    if seeds is not None:
        if name not in seeds:
            raise KeyError(f"no hidden-case seed for {name} in the shard's case seeds")
        value = int(seeds[name])
    elif secret is not None:
        value = hidden_seed(secret, assignment, name)
    else:
        raise ValueError("hidden cases need the course secret or their seeds")
    if student:
        value = submission_seed(value, student, submitted)
    return grading.build_cases(name, np.random.default_rng(value), vary=True)
