"""Tests of dnn_ref.grading: right code passes, every known mistake is named."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from grading_mistakes import (
    BACKPROP_ONLY,
    CORRECT,
    HELPER_FAULTS,
    MISTAKES,
    SEED_002_BACKPROP,
    load,
)

import dnn_ref
from dnn_ref import grading
from dnn_ref.grading import ASSIGNMENTS, CHECKERS, Case, cases, diagnose

NAMES = [name for names in ASSIGNMENTS.values() for name in names]
NETWORK_NAMES = ASSIGNMENTS["backprop"] + ["sigmoid", "relu", "forward_prop", "cost_function"]


def failure(name: str, source: str, hidden: bool = False) -> str:
    """The checker's message for the function ``name`` defined by ``source``."""
    with pytest.raises(AssertionError) as info:
        CHECKERS[name](load(source)[name], hidden=hidden)
    return str(info.value)


def jsonable(x: object) -> object:
    """Arrays to nested lists and tuples to lists, as a JSON round trip leaves them."""
    def plain(v: object) -> object:
        if isinstance(v, np.ndarray | np.generic):
            return v.tolist()
        if isinstance(v, tuple | list):
            return [plain(i) for i in v]
        if isinstance(v, dict):
            return {k: plain(i) for k, i in v.items()}
        return v
    return json.loads(json.dumps(plain(x)))


def leaves(x: object) -> list[np.ndarray]:
    """Every array or number inside nested tuples, lists and dicts, in order."""
    if isinstance(x, dict):
        return [a for k in sorted(x) for a in leaves(x[k])]
    if isinstance(x, tuple | list):
        return [a for i in x for a in leaves(i)]
    return [np.asarray(x, dtype=float)]


# --------------------------------------------------------------------------- right code passes


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("name", NETWORK_NAMES)
def test_reference_passes(name, hidden, capsys):
    CHECKERS[name](getattr(dnn_ref, name), hidden=hidden)
    n = len(cases(name, hidden))
    assert capsys.readouterr().out == f"✓ {name}: passed all {n} checks\n"


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_correct_student_code_passes(name, hidden, capsys):
    CHECKERS[name](load(CORRECT[name])[name], hidden=hidden)
    assert capsys.readouterr().out.startswith(f"✓ {name}: passed all ")


def test_cost_as_1x1_array_is_accepted():
    fixed_seed_002 = """
def cost_function(A, Y):
    m = Y.shape[1]
    return (-1 / m) * (np.dot(np.log(A), Y.T) + np.dot(np.log(1 - A), 1 - Y.T))
"""
    grading.check_cost_function(load(fixed_seed_002)["cost_function"])


def test_relu_that_modifies_its_input_in_place_passes():
    in_place = """
def relu(Z):
    Z[Z < 0] = 0
    return Z
"""
    grading.check_relu(load(in_place)["relu"])


# --------------------------------------------------------------------------- mistakes are named


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("key", list(MISTAKES))
def test_mistake_is_diagnosed(key, hidden):
    mistake = MISTAKES[key]
    message = failure(mistake.function, mistake.source, hidden)
    assert message.startswith(f"{mistake.function} failed check ")
    for phrase in mistake.phrases:
        assert phrase in message, f"{phrase!r} not in:\n{message}"


def test_message_names_the_case_and_shows_values():
    message = failure("one_layer_backward", MISTAKES["dW without 1/m"].source)
    first = cases("one_layer_backward")[0]
    assert f"check 1 of 5 ({first.name})" in message
    assert "expected shape (3, 3): [" in message and "found    shape (3, 3): [" in message


def test_generic_message_shows_expected_and_found_values():
    off_by_a_bit = CORRECT["one_layer_backward"].replace("dW = dZ @ A_prev.T / m",
                                                         "dW = dZ @ A_prev.T / m + 0.001")
    message = failure("one_layer_backward", off_by_a_bit)
    assert "dW has the right shape (3, 3) but wrong values" in message
    assert "expected shape" in message and "found    shape" in message


def test_seed_002_backprop_names_the_last_layers_key_for_a_deep_net():
    deep = cases("backprop")[-1]
    L = len(deep.args[2])
    grads = load(SEED_002_BACKPROP)["backprop"](*deep.args)
    message = diagnose("backprop", deep, grads)
    assert f"no key 'dW{L}'" in message and f"'db{L}'" in message


def test_seed_002_backprop_one_layer_net_says_where_the_value_went():
    one_layer = next(c for c in cases("backprop") if len(c.args[2]) == 1)
    grads = load(SEED_002_BACKPROP)["backprop"](*one_layer.args)
    message = diagnose("backprop", one_layer, grads)
    assert "no key 'dW1'" in message
    assert "stored under 'dW0'" in message


def test_misnamed_key_is_not_mistaken_for_seed_002s_index_slip():
    message = failure("backprop", MISTAKES["misnamed key"].source)
    assert "stored under 'dw2'" in message and "seed 002's bug" not in message


def test_backprop_fault_of_its_own_is_blamed_on_backprop():
    message = failure("backprop", MISTAKES["wrong dAL sign"].source)
    assert "the fault is in backprop itself" in message
    assert "one_layer_backward fails its own checks" not in message


def test_backprop_with_an_unimplemented_one_layer_backward_keeps_its_points(capsys):
    stub = """
def one_layer_backward(dA, cache):
    # YOUR CODE HERE
    raise NotImplementedError()
"""
    grading.check_backprop(load(stub + BACKPROP_ONLY)["backprop"])
    out = capsys.readouterr().out
    assert out.startswith("✓ backprop: passed all ")
    assert "the fault is in your one_layer_backward" in out
    assert "you have not implemented one_layer_backward yet" in out


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("key", list(HELPER_FAULTS))
def test_composite_right_with_the_reference_helpers_passes_and_names_the_helper(
        key, hidden, capsys):
    fault = HELPER_FAULTS[key]
    grading.check(fault.function, load(fault.source)[fault.function], hidden=hidden)
    out = capsys.readouterr().out
    assert out.startswith(f"✓ {fault.function}: passed all ")
    for phrase in fault.phrases:
        assert phrase in out, f"{phrase!r} not in:\n{out}"


def test_messages_do_not_depend_on_what_was_checked_before():
    source = MISTAKES["gradient ascent"].source
    first = failure("update_parameters", source)
    grading.check_backprop(load(CORRECT["backprop"])["backprop"])
    failure("one_layer_backward", MISTAKES["dW transposed"].source)
    assert failure("update_parameters", source) == first


def test_swapped_helper_is_restored():
    namespace = load(HELPER_FAULTS["buggy one_layer_backward"].source)
    own = namespace["one_layer_backward"]
    grading.check_backprop(namespace["backprop"])
    assert namespace["one_layer_backward"] is own


def test_forward_prop_notes_a_failing_sigmoid():
    wrong_sigmoid = CORRECT["forward_prop"].replace("np.exp(-Z)", "np.exp(Z)")
    assert wrong_sigmoid != CORRECT["forward_prop"]
    message = failure("forward_prop", wrong_sigmoid)
    assert "Note: your sigmoid fails its own check" in message


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


def test_non_callable_is_reported():
    with pytest.raises(AssertionError, match="should be a function"):
        grading.check_relu(None)


# --------------------------------------------------------------------------- inputs and outputs


def test_in_place_update_passes_and_leaves_the_checkers_data_intact(capsys):
    in_place = """
def update_parameters(parameters, grads, learning_rate):
    for key in list(parameters):
        grads['d' + key] *= learning_rate
        parameters[key] -= grads['d' + key]
    return parameters
"""
    update = load(in_place)["update_parameters"]
    before = [leaves(c.args) for c in cases("update_parameters")]
    grading.check_update_parameters(update)
    grading.check_update_parameters(update)
    after = [leaves(c.args) for c in cases("update_parameters")]
    assert capsys.readouterr().out.count("✓ update_parameters: passed all 5 checks") == 2
    for b, a in zip(before, after, strict=True):
        for x, y in zip(b, a, strict=True):
            np.testing.assert_array_equal(x, y)


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


# --------------------------------------------------------------------------- data-level API


@pytest.mark.parametrize("name", NAMES)
def test_cases_are_deterministic_and_hidden_ones_differ(name):
    first, second, hidden = cases(name), cases(name), cases(name, hidden=True)
    assert [c.name for c in first] == [c.name for c in second]
    for a, b in zip(first, second, strict=True):
        for x, y in zip(leaves(a.args), leaves(b.args), strict=True):
            np.testing.assert_array_equal(x, y)
    def data(cs: list[Case]) -> set[tuple]:  # 0/1 labels may coincide by chance
        return {tuple(x.ravel()) for c in cs for x in leaves(c.args)
                if x.size > 1 and not np.isin(x, (0.0, 1.0)).all()}
    assert data(first) and not data(first) & data(hidden)


@pytest.mark.parametrize("name", NAMES)
def test_diagnose_accepts_json_lists(name):
    fn = load(CORRECT[name])[name]
    for case in cases(name) + cases(name, hidden=True):
        with np.errstate(over="ignore"):
            result = fn(*case.args)
        assert diagnose(name, case, jsonable(result)) is None


def test_diagnose_names_a_mistake_from_json_lists():
    case = cases("one_layer_backward")[0]
    wrong = load(MISTAKES["dW transposed"].source)["one_layer_backward"](*case.args)
    assert "transposed" in diagnose("one_layer_backward", case, jsonable(wrong))


def test_diagnose_of_an_unknown_name_raises():
    with pytest.raises(ValueError, match="unknown graded function 'softmax'"):
        diagnose("softmax", Case("x", ()), None)


def test_cases_of_an_unknown_name_raise():
    with pytest.raises(ValueError, match="unknown graded function"):
        cases("softmax")


def test_every_graded_function_has_a_checker():
    assert set(CHECKERS) == set(NAMES)
    assert all(callable(getattr(grading, f"check_{name}")) for name in NAMES)
