"""The cases a test cell is graded on: the package's visible ones, or hidden ones from the secret.

Visible cases are :func:`dnn_ref.grading.cases` (students run the same ones at
home). Hidden cases are the same public recipes,
``dnn_ref.grading.build_cases(name, rng, vary=True)``, drawn from a generator
seeded with HMAC(course secret, ``"<assignment>/<name>/hidden"``): shapes and
values change with the secret, so nobody without it can compute them (or the
reference's answers to them) ahead of grading.
"""

from __future__ import annotations

import numpy as np

from autograder.judge.secret import seed
from dnn_ref import grading
from dnn_ref.grading import Case


def cases_for(name: str, *, hidden: bool, secret: bytes, assignment: str) -> list[Case]:
    """The cases of graded function ``name`` for a visible or a hidden test cell."""
    if not hidden:
        return grading.cases(name)
    rng = np.random.default_rng(seed(secret, f"{assignment}/{name}/hidden"))
    return grading.build_cases(name, rng, vary=True)
