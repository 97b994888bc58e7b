"""Tests of dnn_ref.grading.cases: visible cases are fixed, drawn ones vary but keep every kind."""

from __future__ import annotations

import numpy as np
import pytest

import dnn_ref
from dnn_ref.grading.cases import ASSIGNMENTS, NAMES, Case, build_cases, cases
from dnn_ref.grading.diagnoses import REFERENCES

SEEDS = range(25)


def leaves(x: object) -> list[np.ndarray]:
    """Every array or number inside nested tuples, lists and dicts, in order."""
    if isinstance(x, dict):
        return [a for k in sorted(x) for a in leaves(x[k])]
    if isinstance(x, tuple | list):
        return [a for i in x for a in leaves(i)]
    return [np.asarray(x, dtype=float)]


def data(cs: list[Case]) -> set[tuple]:
    """The values of every array of more than one entry that is not all 0/1 labels."""
    return {tuple(x.ravel()) for c in cs for x in leaves(c.args)
            if x.size > 1 and not np.isin(x, (0.0, 1.0)).all()}


def drawn(name: str, seed: int) -> list[Case]:
    return build_cases(name, np.random.default_rng(seed), vary=True)


@pytest.mark.parametrize("name", NAMES)
def test_visible_cases_are_the_same_every_call(name):
    first, second = cases(name), cases(name)
    assert [c.name for c in first] == [c.name for c in second]
    for a, b in zip(first, second, strict=True):
        for x, y in zip(leaves(a.args), leaves(b.args), strict=True):
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("name", NAMES)
def test_drawn_cases_follow_the_generator(name):
    again = drawn(name, 3)
    for a, b in zip(drawn(name, 3), again, strict=True):
        assert a.name == b.name
        for x, y in zip(leaves(a.args), leaves(b.args), strict=True):
            np.testing.assert_array_equal(x, y)
    assert data(drawn(name, 3)) != data(drawn(name, 4))
    assert not data(cases(name)) & data(drawn(name, 3))


@pytest.mark.parametrize("name", ["forward_prop", "one_layer_backward", "relu", "cost_function",
                                  "graph_gradients"])
def test_drawn_shapes_vary(name):
    shapes = {tuple(x.shape for x in leaves(c.args)) for s in SEEDS for c in drawn(name, s)}
    assert len(shapes) > 2 * len(cases(name))


@pytest.mark.parametrize("seed", SEEDS)
def test_every_kind_of_network_is_drawn(seed):
    nets = drawn("forward_prop", seed)
    assert [c.name.split(",")[0] for c in nets] == [c.name.split(",")[0]
                                                    for c in cases("forward_prop")]
    seed002, one_layer, single, square, deep = (c.args for c in nets)
    W = {k: v for k, v in seed002[1].items() if k[0] == "W"}
    assert all(np.abs(w).max() < 0.05 for w in W.values())          # randn · 0.01
    assert not any(seed002[1][f"b{l}"].any() for l in (1, 2))        # zero biases
    assert len(one_layer[1]) == 2
    assert single[0].shape[1] == 1
    assert square[1]["W2"].shape[0] == square[1]["W2"].shape[1]
    assert len(deep[1]) // 2 >= 4
    for X, params in (c.args for c in nets):
        dims = [X.shape[0]] + [params[f"W{l}"].shape[0] for l in range(1, len(params) // 2 + 1)]
        assert dims[-1] == 1 and all(2 <= n <= 7 for n in dims[:-1]) and X.shape[1] <= 10


@pytest.mark.parametrize("seed", SEEDS)
def test_every_kind_of_layer_is_drawn(seed):
    square, output, hidden, single, wide = drawn("one_layer_backward", seed)
    W = lambda c: c.args[1][0][1]  # noqa: E731
    assert W(square).shape[0] == W(square).shape[1]
    assert W(output).shape[0] == 1
    assert single.args[0].shape[1] == 1
    assert min(W(wide).shape) >= 4
    for c in (square, output, hidden, single, wide):
        dA, ((A_prev, Wc, b), Z) = c.args
        np.testing.assert_allclose(Z, Wc @ A_prev + b)
        assert dA.shape == Z.shape and b.shape == (Wc.shape[0], 1)
        n_prev, m = A_prev.shape
        assert m == 1 or n_prev not in (m, m * m)    # dZ·A_prev cannot fit; m ≠ n_prev


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ["sigmoid", "relu"])
def test_pre_activations_have_zeros_and_very_large_values(name, seed):
    zs = [c.args[0] for c in drawn(name, seed)]
    assert any((z == 0).any() for z in zs[:-1])                 # relu at exactly 0
    assert np.abs(zs[-1]).max() > 710 and (zs[-1] == 0).any()     # e^z overflows float64
    assert zs[1].shape == (1, 1)


@pytest.mark.parametrize("seed", SEEDS)
def test_costs_include_a_single_example_and_both_labels(seed):
    cs = drawn("cost_function", seed)
    assert [c.args[1].shape[1] == 1 for c in cs] == [False, True, False]
    for AL, Y in (c.args for c in cs):
        assert ((AL > 0) & (AL < 1)).all() and set(np.unique(Y)) <= {0.0, 1.0}
        assert Y.shape[1] == 1 or set(np.unique(Y)) == {0.0, 1.0}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ASSIGNMENTS["graphs"])
def test_graph_nodes_get_scalars_and_arrays(name, seed):
    *scalars, arrays = drawn(name, seed)
    for c in scalars:
        assert all(isinstance(v, float) and 1.5 <= abs(v) <= 5 for v in c.args)
        assert len({abs(v) for v in c.args}) == len(c.args)     # x + y ≠ 0, no coincidences
        assert not any(abs(a * b) in {abs(v) for v in c.args}
                       for i, a in enumerate(c.args) for b in c.args[i + 1:])
    assert all(isinstance(a, np.ndarray) and a.ndim == 2 for a in arrays.args)


@pytest.mark.parametrize("seed", [None, *SEEDS])
def test_update_parameters_cases_do_not_carry_the_reference_gradients(seed):
    ups, bps = ((cases(n) if seed is None else drawn(n, seed))
                for n in ("update_parameters", "backprop"))
    for up, bp in zip(ups, bps, strict=True):
        params, grads, rate = up.args
        assert set(grads) == {f"d{k}" for k in params}
        assert all(grads[f"d{k}"].shape == v.shape for k, v in params.items())
        assert 0.005 < rate <= 2.0
        reference = dnn_ref.backprop(*bp.args)   # the same network's true gradients
        assert not any(np.allclose(grads[k], reference[k]) for k in grads
                       if reference[k].shape == grads[k].shape)


@pytest.mark.parametrize("seed", [None, *SEEDS])
@pytest.mark.parametrize("name", ["sigmoid", "forward_prop", "cost_function",
                                  "one_layer_backward", "backprop", "update_parameters"])
def test_no_case_contains_its_own_reference_answer(name, seed):
    """(add_backward, graph_gradients and relu are left out: by the maths their answer may
    be an input, dx = dout, ∂f/∂x = z, relu(Z) = Z when Z ≥ 0.)"""
    all_cases = cases(name) if seed is None else drawn(name, seed)
    inputs = {x.tobytes() for c in all_cases for x in leaves(c.args) if x.size > 1}
    for c in all_cases:
        with np.errstate(over="ignore"):
            answer = REFERENCES[name](*c.args)
        if name == "forward_prop":  # its caches hold its inputs by design; AL and Z are computed
            answer = (answer[0], [z for _, z in answer[1]])
        assert not {x.tobytes() for x in leaves(answer) if x.size > 1} & inputs, c.name


def test_backprop_cases_are_forward_prop_outputs():
    for AL, Y, caches in (c.args for c in cases("backprop")):
        A = caches[-1]
        assert np.allclose(AL, dnn_ref.sigmoid(A[1])) and AL.shape == Y.shape


def test_unknown_name_raises():
    with pytest.raises(ValueError, match="unknown graded function 'softmax'"):
        build_cases("softmax", np.random.default_rng(0))
    with pytest.raises(ValueError, match="unknown graded function"):
        cases("softmax")
