"""Diagnosers of the forward assignment: sigmoid, relu, forward_prop, cost_function.

Each ``diagnose_<name>(args, result, args_after)`` compares what the student's
function returned on the arguments ``args`` with the reference, and raises
:class:`~dnn_ref.grading.diagnoses.compare.Wrong` naming the mistake when it differs.
"""

from __future__ import annotations

import numpy as np

from dnn_ref import network as ref
from dnn_ref.activations import relu, sigmoid, sigmoid_derivative
from dnn_ref.grading.diagnoses.compare import (
    Wrong,
    as_array,
    compare,
    describe,
    matches,
    to_array,
    unpack,
)
from dnn_ref.i18n import _
from dnn_ref.losses import binary_cross_entropy

Array = np.ndarray


def _no_pair(result: object, A: Array, name: str) -> None:
    """Raise if the result is the pair (A, cache) instead of A alone."""
    if isinstance(result, (tuple, list)) and len(result) == 2 and matches(result[0], A):
        seed = _(" (the Romanian numpy article's returns (A, cache))") if name == "sigmoid" else ""
        raise Wrong("returns_a_pair", _("it returned a pair (A, cache). This assignment's {name} "
                                        "returns A only{seed}; end it with `return A`.").format(
                                            name=name, seed=seed))


def diagnose_sigmoid(args: tuple, result: object, args_after: tuple | None) -> None:
    """``sigmoid(Z) -> A``, Z of any shape; very large |z| must not give NaN."""
    (Z,) = args
    A = sigmoid(Z)
    _no_pair(result, A, "sigmoid")
    a = to_array(result)
    if a is not None and a.shape == A.shape and not np.isfinite(a).all():
        raise Wrong("sigmoid_overflow",
                    _("sigmoid gives NaN or inf for large |z| (this case has |z| up to "
                      "{largest}): e^z overflowed. Write it as 1 / (1 + np.exp(-Z)), "
                      "whose overflow only makes the denominator inf, or use np.exp(-np.abs(Z)).")
                    .format(largest=f"{np.abs(Z).max():g}"))
    compare("A", result, A, [
        ("sigmoid_missing_minus",
         "you computed 1/(1 + e^z) = σ(−z); the exponent needs a minus: 1/(1 + e^(−z)).",
         sigmoid(-Z)),
        ("sigmoid_returns_derivative",
         "you returned the derivative σ(z)·(1 − σ(z)); sigmoid returns σ(z) itself.",
         sigmoid_derivative(Z))])


def diagnose_relu(args: tuple, result: object, args_after: tuple | None) -> None:
    """``relu(Z) -> A``; exact zeros in Z must give 0."""
    (Z,) = args
    A = relu(Z)
    _no_pair(result, A, "relu")
    compare("A", result, A, [
        ("relu_returns_derivative",
         "you returned the derivative (1 where z > 0, else 0); relu returns max(0, z).",
         (Z > 0).astype(float)),
        ("relu_keeps_negative_part",
         "you kept the negative part: relu is max(0, z), np.maximum(Z, 0).", np.minimum(Z, 0)),
        ("relu_np_max", "np.max(Z, 0) takes the largest entry of each column; the elementwise "
                        "maximum is np.maximum(Z, 0).", Z.max(axis=0)),
        ("relu_unchanged", "Z came back unchanged: negative entries must become 0.", Z)])


def diagnose_forward_prop(args: tuple, result: object, args_after: tuple | None) -> None:
    """``forward_prop(X, parameters) -> (AL, caches)``, caches[l-1] = ((A_prev, W, b), Z)."""
    X, params = args
    AL, caches = ref.forward_prop(X, params)
    got = unpack(result, ("AL", "caches"), {"AL": AL})
    L = len(caches)
    no_bias = {k: (np.zeros_like(v) if k[0] == "b" else v) for k, v in params.items()}
    compare("AL", got["AL"], AL, [
        ("al_without_sigmoid", "AL is Z of the last layer: apply sigmoid to it too.",
         caches[-1][1]),
        ("hidden_layers_relu", "hidden layers used ReLU; in this assignment every layer is a "
                               "sigmoid.", ref.forward_prop(X, params, "relu")[0]),
        ("loop_stops_one_layer_early", _("the loop stops one layer early: layers run from 1 to "
                                         "L = {L} (range(1, L + 1)).").format(L=L),
         caches[-1][0][0]),
        ("forward_bias_missing", "the bias is missing: Z = W·A_prev + b (W @ A_prev + b).",
         ref.forward_prop(X, no_bias)[0])])
    got_caches = got["caches"]
    if not isinstance(got_caches, (list, tuple)) or len(got_caches) != L:
        raise Wrong("caches_wrong_length", _("caches should be a list of L = {L} caches, one "
                                             "per layer; found {found}.").format(
                                                 L=L, found=describe(got_caches)))
    for l, (c, expected) in enumerate(zip(got_caches, caches, strict=True), start=1):
        _check_cache(l, c, expected)


def _check_cache(l: int, c: object, expected: tuple) -> None:
    """Check caches[l-1] is ((A_prev, W, b), Z) of layer l."""
    (A_prev, W, b), Z = expected
    label = f"caches[{l - 1}]"
    if not (isinstance(c, (tuple, list)) and len(c) == 2):
        raise Wrong("cache_not_a_pair", _("{label} should be a pair ((A_prev, W, b), Z), the "
                                          "linear cache and the activation cache of layer {l}; "
                                          "found {found}.").format(label=label, l=l,
                                                                   found=describe(c)))
    linear, z = c
    if not (isinstance(linear, (tuple, list)) and len(linear) == 3):
        raise Wrong("linear_cache_not_a_triple", _("{label}[0] should be the linear cache "
                                                   "(A_prev, W, b) of layer {l}; found {found}.")
                    .format(label=label, l=l, found=describe(linear)))
    compare(_("{label}[0][0] (A_prev, the input of layer {l})").format(label=label, l=l),
            linear[0], A_prev,
            [("cache_stores_output_as_input",
              _("you stored the layer's output A{l} where its input A_prev belongs.").format(l=l),
              sigmoid(Z))])
    compare(f"{label}[0][1] (W{l})", linear[1], W)
    compare(f"{label}[0][2] (b{l})", linear[2], b)
    compare(f"{label}[1] (Z{l})", z, Z, [("cache_stores_a_for_z",
                                          _("you stored A{l} = σ(Z{l}); backprop needs Z{l} "
                                            "itself.").format(l=l), sigmoid(Z))])


def _as_cost(result: object, Y: Array) -> Array:
    """The returned cost as a 0-d array; a float, a 0-d, (1,) or (1, 1) array are all fine."""
    a = as_array(result, _("the cost"))
    if a.size != 1:
        looks = _(" It looks like the per-example losses: take their average.") \
            if a.size == Y.size else ""
        raise Wrong("cost_not_a_number", _("cost_function should return one number (the "
                                           "average over the m examples); it returned an array "
                                           "of shape {shape}.{looks}").format(shape=a.shape,
                                                                              looks=looks))
    return a.reshape(())


def diagnose_cost_function(args: tuple, result: object, args_after: tuple | None) -> None:
    """``cost_function(AL, Y) -> float``, AL and Y of shape (1, m)."""
    AL, Y = args
    m = Y.shape[1]
    cost = binary_cross_entropy(AL, Y)
    compare(_("the cost"), _as_cost(result, Y), cost, [
        ("cost_wrong_sign",
         "the sign is wrong: C = −(1/m) Σ [y·log(a) + (1 − y)·log(1 − a)] is positive.", -cost),
        ("cost_missing_1_over_m", "the 1/m is missing: the cost is the average over the m "
                                  "examples, not the sum (m = Y.shape[1]; Y.shape[0] is 1).",
         cost * m),
        ("cost_missing_second_term", "only the y·log(a) term is there; add (1 − y)·log(1 − a).",
         -np.sum(Y * np.log(AL)) / m),
        ("cost_missing_first_term", "only the (1 − y)·log(1 − a) term is there; add y·log(a).",
         -np.sum((1 - Y) * np.log(1 - AL)) / m),
        ("cost_log_of_a_in_both_terms", "both terms take log(a); the second is "
                                        "(1 − y)·log(1 − a).", -np.mean(np.log(AL))),
        ("cost_log10", "you used log10; the cost uses the natural logarithm, np.log.",
         cost / np.log(10))])
