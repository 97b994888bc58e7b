"""Tests of dnn_ref.grading: the check_<name> entry points a test cell calls."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import pytest
from grading_mistakes import CORRECT, MISTAKES, load

import dnn_ref
from dnn_ref import grading
from dnn_ref.grading import ASSIGNMENTS, CHECKERS, Case, cases, diagnose

NAMES = [name for names in ASSIGNMENTS.values() for name in names]
NETWORK_NAMES = ASSIGNMENTS["backprop"] + ["sigmoid", "relu", "forward_prop", "cost_function"]


def failure(name: str, source: str) -> str:
    """The check's message for the function ``name`` defined by ``source``."""
    with pytest.raises(AssertionError) as info:
        CHECKERS[name](load(source)[name])
    return str(info.value)


@pytest.mark.parametrize("name", NETWORK_NAMES)
def test_handing_in_the_reference_itself_is_told_it_scores_0(name):
    # graded, dnn_ref's own version raises in the sandbox: the check says so at home
    # (the reference's right answers: test_diagnoses's reference-passes-every-case test)
    fn = getattr(dnn_ref, name)
    with pytest.raises(AssertionError) as info:
        CHECKERS[name](fn)
    assert f"calls dnn_ref.{fn.__module__.removeprefix('dnn_ref.')}.{name}" in str(info.value)
    assert "score 0" in str(info.value)


@pytest.mark.parametrize("name", NAMES)
def test_correct_student_code_passes(name, capsys):
    CHECKERS[name](load(CORRECT[name])[name])
    assert capsys.readouterr().out.startswith(f"✓ {name}: passed all ")


@pytest.mark.parametrize("key", list(MISTAKES))
def test_mistake_fails_the_check_with_its_diagnosis(key):
    mistake = MISTAKES[key]
    message = failure(mistake.function, mistake.source)
    assert message.startswith(f"{mistake.function} failed check ")
    for phrase in mistake.phrases:
        assert phrase in message, f"{phrase!r} not in:\n{message}"


@pytest.mark.parametrize("name", NAMES)
def test_hidden_tests_at_home_say_when_they_run_and_do_not_fail(name, capsys, monkeypatch):
    monkeypatch.delenv(grading.GRADING_DIR_ENV, raising=False)
    wrong = MISTAKES["dW without 1/m"].source if name == "one_layer_backward" else "x = 1"
    CHECKERS[name](load(wrong).get(name), hidden=True)
    out = capsys.readouterr().out
    assert out.startswith(f"Hidden tests of {name} run only when your notebook is graded")
    assert "✓" not in out and "failed" not in out


def test_message_names_the_case_and_shows_values():
    message = failure("one_layer_backward", MISTAKES["dW without 1/m"].source)
    first = cases("one_layer_backward")[0]
    assert f"check 1 of 5 ({first.name})" in message
    assert "expected shape (3, 3): [" in message and "found    shape (3, 3): [" in message


def test_cost_as_1x1_array_is_accepted(capsys):
    fixed_seed_002 = """
def cost_function(A, Y):
    m = Y.shape[1]
    return (-1 / m) * (np.dot(np.log(A), Y.T) + np.dot(np.log(1 - A), 1 - Y.T))
"""
    grading.check_cost_function(load(fixed_seed_002)["cost_function"])
    assert capsys.readouterr().out.startswith("✓ cost_function")


def test_relu_that_modifies_its_input_in_place_passes(capsys):
    grading.check_relu(load("def relu(Z):\n    Z[Z < 0] = 0\n    return Z\n")["relu"])
    assert capsys.readouterr().out.startswith("✓ relu")


def test_non_callable_is_reported():
    with pytest.raises(AssertionError, match="relu should be a function, but it is None"):
        grading.check_relu(None)


def test_unknown_name_is_refused():
    with pytest.raises(ValueError, match="unknown graded function 'softmax'"):
        grading.check("softmax", print)


def test_rigged_eq_object_fails():
    rigged = """
class Anything:
    def __eq__(self, other):
        return True
def relu(Z):
    return Anything()
"""
    assert "not an array of numbers" in failure("relu", rigged)


def test_rigged_eq_array_subclass_is_compared_by_value():
    rigged = """
class Equal(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)
def relu(Z):
    return np.zeros_like(Z).view(Equal)
"""
    assert "wrong values" in failure("relu", rigged)


def test_stderr_stays_empty_when_student_code_warns(capfd):
    noisy = """
import sys, warnings
def sigmoid(Z):
    warnings.warn("a student's warning")
    print("debug output on stderr", file=sys.stderr)
    return 1 / (1 + np.exp(-Z))
"""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grading.check_sigmoid(load(noisy)["sigmoid"])
        failure("sigmoid", MISTAKES["sigmoid unstable"].source)
    captured = capfd.readouterr()
    assert captured.err == ""
    assert "✓ sigmoid" in captured.out


def test_while_graded_the_check_only_records(tmp_path, monkeypatch, capsys):
    """With $DNN_GRADING_DIR set, check_* writes what the function returned and judges nothing."""
    from dnn_ref.grading import recording
    monkeypatch.setenv(grading.GRADING_DIR_ENV, str(tmp_path))
    (tmp_path / "out").mkdir()
    visible = cases("relu")
    recording.write_cases(tmp_path, "relu", False, [(c.name, c.args) for c in visible])
    grading.check_relu(load(MISTAKES["relu derivative"].source)["relu"])   # wrong: no failure
    records = list((tmp_path / "out").glob("*-relu-visible.json"))
    assert len(records) == 1
    assert "✓" not in capsys.readouterr().out


def test_a_grading_dir_that_does_not_exist_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv(grading.GRADING_DIR_ENV, str(tmp_path / "missing"))
    with pytest.raises(AssertionError, match="relu failed check 1 of 4"):
        grading.check_relu(load(MISTAKES["relu derivative"].source)["relu"])


def test_importing_grading_loads_no_answer_code():
    """Inside the sandbox dnn_ref.grading.diagnoses is replaced; the checks must not need it."""
    code = ("import sys, dnn_ref.grading as g; g.check_relu; g.cases('relu'); "
            "print(sorted(m for m in sys.modules if m.startswith('dnn_ref.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONWARNINGS": "error"}).stdout
    assert "dnn_ref.grading.diagnoses" not in out and "dnn_ref.grading.checking" not in out
    assert "dnn_ref.grading" in out


def test_answer_names_are_re_exported_lazily():
    case = cases("relu")[0]
    assert diagnose("relu", case, dnn_ref.relu(*case.args)) is None
    assert grading.Diagnosis("wrong_values", "x").mistake == "wrong_values"
    assert grading.exception_diagnosis("relu", "NameError", "name 'maximum' is not defined"
                                       ).mistake == "numpy_name_without_np"
    assert grading.REFERENCES["relu"] is dnn_ref.relu
    assert isinstance(grading.cases("relu")[0], Case)
    with pytest.raises(AttributeError, match="has no attribute 'secret'"):
        grading.secret  # noqa: B018


def test_every_graded_function_has_a_checker():
    assert set(CHECKERS) == set(NAMES)
    assert all(callable(getattr(grading, f"check_{name}")) for name in NAMES)
