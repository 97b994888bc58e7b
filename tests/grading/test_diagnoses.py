"""dnn_ref.grading.diagnoses: every known mistake is named, on visible and on drawn cases."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest
from grading_mistakes import CORRECT, MISTAKES, load

from dnn_ref.grading.cases import NAMES, Case, build_cases, cases
from dnn_ref.grading.checking import run_case
from dnn_ref.grading.diagnoses import REFERENCES, TITLES, Diagnosis, diagnose, exception_diagnosis

SEEDS = range(8)
"""Generator seeds of the drawn (hidden-style) cases the mistakes are tried on."""


def drawn(name: str, seed: int) -> list[Case]:
    return build_cases(name, np.random.default_rng(seed), vary=True)


def first_diagnosis(name: str, source: str, all_cases: list[Case]) -> Diagnosis | None:
    """The diagnosis of the first case on which the function ``name`` of ``source`` fails."""
    fn = load(source)[name]
    return next((d for c in all_cases if (d := run_case(name, fn, c)) is not None), None)


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


@pytest.mark.parametrize("seed", [None, *SEEDS])
@pytest.mark.parametrize("key", list(MISTAKES))
def test_mistake_is_named_with_its_slug(key, seed):
    mistake = MISTAKES[key]
    name = mistake.function
    diagnosis = first_diagnosis(name, mistake.source,
                                cases(name) if seed is None else drawn(name, seed))
    assert diagnosis is not None, f"{key}: no case failed"
    assert diagnosis.mistake == mistake.mistake, diagnosis
    for phrase in mistake.phrases:
        assert phrase in diagnosis.message, f"{phrase!r} not in:\n{diagnosis.message}"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", NAMES)
def test_right_code_and_the_reference_pass_every_drawn_case(name, seed):
    for fn in (load(CORRECT[name])[name], REFERENCES[name]):
        for case in drawn(name, seed):
            # the reference runs as a check's own swapped-in helper would (allowed)
            assert run_case(name, fn, case, allowed=(REFERENCES[name],)) is None, case.name


def slugs_in_the_code() -> set[str]:
    """The slugs of the diagnoses package: its snake_case string literals with an underscore,
    bar function names, and its two one-word slugs."""
    folder = Path(__file__).resolve().parents[2] / "dnn_ref" / "grading" / "diagnoses"
    found = {node.value for path in folder.glob("*.py") if path.name != "catalogue.py"
             for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", node.value)}
    return (found - set(NAMES) - {"exception_diagnosis"}) | {"raised", "uncheckable"}


def test_every_slug_is_catalogued_and_every_catalogued_slug_is_used():
    assert slugs_in_the_code() == set(TITLES)
    assert all(title for title in TITLES.values())
    assert {m.mistake for m in MISTAKES.values()} <= set(TITLES)


def test_slugs_are_stable_identifiers():
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", s) for s in TITLES)
    assert len({m.mistake for m in MISTAKES.values()}) >= 60


def test_diagnosis_is_a_frozen_pair():
    d = Diagnosis("wrong_values", "dW is wrong")
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.mistake = "other"  # type: ignore[misc]
    assert [f.name for f in dataclasses.fields(Diagnosis)] == ["mistake", "message"]


def test_generic_wrong_values_shows_expected_and_found():
    off = CORRECT["one_layer_backward"].replace("dW = dZ @ A_prev.T / m",
                                                "dW = dZ @ A_prev.T / m + 0.001")
    d = first_diagnosis("one_layer_backward", off, cases("one_layer_backward"))
    assert d.mistake == "wrong_values"
    assert "dW has the right shape (3, 3) but wrong values" in d.message
    assert "expected shape (3, 3): [" in d.message and "found    shape (3, 3): [" in d.message


def test_values_that_are_not_numbers_are_named():
    case = cases("backprop")[0]
    keys = ("dW1", "db1", "dA0", "dW2", "db2", "dA1")
    assert diagnose("backprop", case, {k: object() for k in keys}).mistake == "not_an_array"


def test_a_result_that_cannot_be_compared_is_uncheckable():
    case = cases("update_parameters")[0]
    d = diagnose("update_parameters", case, None, args_after=("not a dict",))
    assert d.mistake == "uncheckable"
    assert "could not be checked (AttributeError" in d.message and "returned None" in d.message


@pytest.mark.parametrize("name", NAMES)
def test_diagnose_accepts_json_lists(name):
    fn = load(CORRECT[name])[name]
    for case in cases(name) + drawn(name, 5):
        with np.errstate(over="ignore"):
            result = fn(*case.args)
        assert diagnose(name, case, jsonable(result)) is None


def test_diagnose_names_a_mistake_from_json_lists():
    case = cases("one_layer_backward")[0]
    wrong = load(MISTAKES["dW transposed"].source)["one_layer_backward"](*case.args)
    assert diagnose("one_layer_backward", case, jsonable(wrong)).mistake == "dw_transposed"


def test_seed_002_backprop_names_the_last_layers_key_for_a_deep_net():
    deep = cases("backprop")[-1]
    L = len(deep.args[2])
    grads = load(MISTAKES["seed 002 backprop"].source)["backprop"](*deep.args)
    d = diagnose("backprop", deep, grads)
    assert f"no key 'dW{L}'" in d.message and f"'db{L}'" in d.message
    assert d.mistake == "last_layer_filed_under_l_minus_1"
    # students see the source by the name the book's references use, not our file label
    assert "Romanian numpy article's bug" in d.message and "seed 00" not in d.message


def test_seed_002_backprop_one_layer_net_says_where_the_value_went():
    one_layer = next(c for c in cases("backprop") if len(c.args[2]) == 1)
    grads = load(MISTAKES["seed 002 backprop"].source)["backprop"](*one_layer.args)
    d = diagnose("backprop", one_layer, grads)
    assert "no key 'dW1'" in d.message and "stored under 'dW0'" in d.message
    assert d.mistake == "last_layer_filed_under_l_minus_1"  # the more specific slip wins


def test_misnamed_key_is_not_mistaken_for_seed_002s_index_slip():
    d = first_diagnosis("backprop", MISTAKES["misnamed key"].source, cases("backprop"))
    assert "stored under 'dw2'" in d.message and "numpy article's bug" not in d.message


def test_exception_diagnosis_matches_the_local_check():
    """The judge gets exceptions as plain data; its message must be the local one."""
    source = MISTAKES["A_prev not transposed"].source
    fn = load(source)["one_layer_backward"]
    case = cases("one_layer_backward")[0]
    local = run_case("one_layer_backward", fn, case)
    try:
        fn(*case.args)
    except ValueError as exc:
        plain = exception_diagnosis("one_layer_backward", type(exc).__name__, str(exc),
                                    "dW = dZ @ A_prev / m", where="one_layer_backward")
    assert plain == local


@pytest.mark.parametrize(("exc_type", "message", "line", "slug", "phrase"), [
    ("NotImplementedError", "", "raise NotImplementedError()", "not_implemented",
     "not implemented backprop yet"),
    ("NameError", "name 'exp' is not defined", "A = 1 / (1 + exp(-Z))",
     "numpy_name_without_np", "np.exp"),
    ("NameError", "name 'sigmoidd' is not defined", "A = sigmoidd(Z)", "undefined_name",
     "spelling"),
    ("KeyError", "'W2'", "W = grads['W2']", "grads_key_without_d", "grads['dW2']"),
    ("KeyError", "'dW0'", "dW = grads['dW' + str(l)]", "layer_numbered_from_zero",
     "no layer 0"),
    ("KeyError", "'dA3'", "dA = grads['dA3']", "gradient_never_stored", "never stored"),
    ("KeyError", "'x'", "x = d['x']", "key_error", "no key 'x'"),
    ("ValueError", "too many values to unpack (expected 2)", "A, cache = sigmoid(Z)",
     "wrong_unpack_count", "sigmoid returns only A"),
    ("ValueError", "matmul: Input operand 1 has a mismatch in its core dimension 0",
     "dA_prev = W @ dZ", "da_prev_without_transpose", "W.T @ dZ"),
    ("ValueError", "operands could not be broadcast together with shapes (3,4) (2,4)",
     "dZ = dA * s * (1 - s)", "shapes_do_not_fit", "caches[l − 1]"),
    ("TypeError", "unsupported operand type(s) for -: 'int' and 'tuple'",
     "dZ = dA * sigmoid(Z) * (1 - sigmoid(Z))", "helper_returned_a_pair", "(A, cache)"),
    ("TypeError", "unsupported operand type(s) for *: 'NoneType' and 'float'",
     "dZ = dA * s", "helper_returned_none", "return"),
    ("IndexError", "list index out of range", "cache = caches[l]", "wrong_cache_index",
     "caches[l − 1]"),
    ("IndexError", "tuple index out of range", "m = A.shape[2]", "index_out_of_range", "2-D"),
    ("ZeroDivisionError", "division by zero", "x = 1 / 0", "raised", "ZeroDivisionError"),
])
def test_exception_kinds_are_named(exc_type, message, line, slug, phrase):
    d = exception_diagnosis("backprop", exc_type, message, line)
    assert d.mistake == slug
    assert phrase in d.message
    assert not line or f"`{line}`" in d.message or slug == "not_implemented"


def test_exception_names_the_helper_that_raised():
    d = exception_diagnosis("backprop", "IndexError", "tuple index out of range",
                            "m = A_prev.shape[2]", where="one_layer_backward")
    assert "in one_layer_backward, at `m = A_prev.shape[2]`" in d.message


def test_unknown_names_raise():
    with pytest.raises(ValueError, match="unknown graded function 'softmax'"):
        diagnose("softmax", Case("x", ()), None)
    with pytest.raises(ValueError, match="unknown graded function 'softmax'"):
        exception_diagnosis("softmax", "KeyError", "'a'")
