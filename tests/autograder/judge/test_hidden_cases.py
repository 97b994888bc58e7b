"""autograder.judge.secret and .hidden_cases: hidden cases follow the course secret."""

from __future__ import annotations

import json
import stat
import subprocess
import sys

import numpy as np
import pytest

from autograder.judge import secret
from autograder.judge.hidden_cases import case_seeds, cases_for
from dnn_ref.grading import cases


def _arrays(x) -> list:
    if isinstance(x, np.ndarray):
        return [x]
    if isinstance(x, (tuple, list)):
        return [a for v in x for a in _arrays(v)]
    if isinstance(x, dict):
        return [a for v in x.values() for a in _arrays(v)]
    return []


def test_the_secret_is_made_once_private_and_kept(tmp_path):
    path = secret.path_in(tmp_path)
    first = secret.ensure(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first) >= 64
    assert secret.ensure(path) == first == secret.load(path)
    run = subprocess.run([sys.executable, "-m", "autograder", "secret", str(tmp_path)],
                         capture_output=True, text=True, check=True)
    assert "kept" in run.stdout and secret.load(path) == first


def test_a_truncated_secret_is_refused_with_a_reason(tmp_path):
    path = secret.path_in(tmp_path)
    path.write_text("short\n")
    with pytest.raises(SystemExit, match="too short"):
        secret.load(path)


def signature(case_list) -> tuple[list, list]:
    """(shapes, values) of every array in the cases' arguments."""
    arrays = [a for case in case_list for a in _arrays(case.args)]
    return [a.shape for a in arrays], [a.ravel().tolist() for a in arrays]


@pytest.mark.parametrize("name", ["one_layer_backward", "backprop", "update_parameters",
                                  "forward_prop", "sigmoid", "graph_gradients"])
def test_hidden_cases_follow_the_secret_in_shapes_and_values(name):
    a, b = b"a" * 64, b"b" * 64
    first = signature(cases_for(name, hidden=True, secret=a, assignment="backprop"))
    assert signature(cases_for(name, hidden=True, secret=a, assignment="backprop")) == first
    other = signature(cases_for(name, hidden=True, secret=b, assignment="backprop"))
    assert other[1] != first[1]
    if name not in ("sigmoid", "graph_gradients"):     # layer and network sizes vary too
        assert other[0] != first[0]
    visible = cases_for(name, hidden=False, secret=a, assignment="backprop")
    assert signature(visible) == signature(cases(name))


@pytest.mark.parametrize("name", ["one_layer_backward", "update_parameters", "relu"])
def test_hidden_cases_differ_between_assignments(name):
    """The assignment is part of the seed: one course's hidden cases of a function are not
    those of the same function graded in another assignment."""
    key = b"k" * 64
    here = signature(cases_for(name, hidden=True, secret=key, assignment="backprop"))
    there = signature(cases_for(name, hidden=True, secret=key, assignment="forward"))
    assert here[1] != there[1]


def test_a_shard_gets_seeds_that_give_the_same_cases_and_not_the_secret():
    key = secret.ensure.__module__.encode() * 4           # any 64+ bytes
    seeds = case_seeds(key, "backprop")
    assert set(seeds) >= {"one_layer_backward", "backprop", "update_parameters"}
    assert all(isinstance(v, int) for v in seeds.values())
    assert key.decode() not in json.dumps(seeds)
    for name in ("one_layer_backward", "backprop"):
        assert signature(cases_for(name, hidden=True, secret=None, assignment="backprop",
                                   seeds=seeds)) == \
            signature(cases_for(name, hidden=True, secret=key, assignment="backprop"))
    assert case_seeds(key, "forward")["relu"] != seeds["relu"]
    with pytest.raises(KeyError, match="no hidden-case seed for backprop"):
        cases_for("backprop", hidden=True, secret=None, assignment="backprop", seeds={})
