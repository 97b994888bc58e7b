"""Hidden cases per student and per submission: a leaked case is worth nothing next time."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.judge.hidden_cases import case_seeds, cases_for
from dnn_ref.grading.cases import ASSIGNMENTS

SECRET = b"0" * 64
FIRST, SECOND = "2026-12-06 04:18:27.747109 UTC", "2026-12-06 04:21:31.600371 UTC"


def _flat(value) -> list[np.ndarray]:
    if isinstance(value, dict):
        return [x for key in sorted(value) for x in _flat(value[key])]
    if isinstance(value, list | tuple):
        return [x for item in value for x in _flat(item)]
    return [value] if isinstance(value, np.ndarray) else []


def _arrays(cases) -> list[np.ndarray]:
    return [a for c in cases for a in _flat(list(c.args))]


def _same(a, b) -> bool:
    xs, ys = _arrays(a), _arrays(b)
    return len(xs) == len(ys) and all(x.shape == y.shape and np.array_equal(x, y)
                                      for x, y in zip(xs, ys, strict=True))


@pytest.mark.parametrize("name", ASSIGNMENTS["backprop"])
def test_hidden_cases_follow_the_student_and_the_submission(name: str) -> None:
    def draw(student: str, submitted: str):
        return cases_for(name, hidden=True, secret=SECRET, assignment="backprop",
                         student=student, submitted=submitted)

    assert _arrays(draw("ana", FIRST))
    assert _same(draw("ana", FIRST), draw("ana", FIRST))          # a regrade keeps them
    assert not _same(draw("ana", FIRST), draw("ana", SECOND))     # a resubmission does not
    assert not _same(draw("ana", FIRST), draw("bruno", FIRST))    # nor another student


@pytest.mark.parametrize("name", ASSIGNMENTS["backprop"])
def test_a_shard_draws_the_same_cases_from_the_seeds_alone(name: str) -> None:
    seeds = case_seeds(SECRET, "backprop")
    from_secret = cases_for(name, hidden=True, secret=SECRET, assignment="backprop",
                            student="ana", submitted=FIRST)
    from_seeds = cases_for(name, hidden=True, secret=None, assignment="backprop",
                           seeds=seeds, student="ana", submitted=FIRST)
    assert _same(from_secret, from_seeds)
