"""Autograder checkers: run a student's function on test cases and say what is wrong.

A test cell of an assignment calls one checker per graded function::

    check_one_layer_backward(one_layer_backward)

The checker runs the function on several cases (seed 002's initialisation,
random shapes, a single example m = 1, a one-layer and a deep network) and
compares what it returns with the reference in :mod:`dnn_ref.network`. On
success it prints one line, ``✓ one_layer_backward: passed all 5 checks``;
on failure it raises :class:`AssertionError` whose message is the diagnosis.

How a diagnosis is found
------------------------
For every output we compute the right answer *and* the answers that the
known mistakes produce (dW without 1/m is m·dW, σ(Z) where σ′(Z) belongs,
gradient ascent, ...). If the student's output matches a mistake, the
message names it; otherwise it shows the expected and found shapes and
first values. A composite function (``backprop``, ``graph_gradients``) that
fails is re-run with the reference helpers swapped into its globals, to
tell a fault of its own from one of the student's helper functions. It is
graded on its own work: right with the reference helpers, it passes, and its
pass line names the student's helper as the fault.

Two layers of API
-----------------
:func:`cases` and :func:`diagnose` work on plain data, so the class-grading
tool can run student code in another process and send back only arrays
(even as JSON lists). The ``check_<name>`` functions run the student's
function in this process on top of them.

Rules the checkers keep
-----------------------
* nbgrader gives zero to a test cell that writes to stderr, so numpy and
  Python warnings are silenced while student code and comparisons run.
* Every input is deep-copied before student code sees it: in-place updates
  never corrupt the reference answer, and calling order does not matter.
* Results are compared as float arrays (``np.asarray(x, dtype=float)``), so
  an object with a rigged ``__eq__`` cannot pass.
* No module-level state: cases are rebuilt from fixed seeds on every call.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import re
import traceback
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from dnn_ref import network as ref
from dnn_ref.activations import relu, sigmoid, sigmoid_derivative
from dnn_ref.losses import binary_cross_entropy, binary_cross_entropy_gradient

Array = np.ndarray

ASSIGNMENTS: dict[str, list[str]] = {
    "forward": ["sigmoid", "relu", "forward_prop", "cost_function"],
    "backprop": ["one_layer_backward", "backprop", "update_parameters"],
    "graphs": ["add_backward", "multiply_backward", "graph_gradients"],
}
"""Graded function names of each assignment, as the notebooks define them."""


@dataclass(frozen=True)
class Case:
    """One test case: a description used in messages and the arguments to pass."""

    name: str
    args: tuple


class _Wrong(Exception):
    """Raised inside a diagnoser; its text is the message for the student."""


# --------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence numpy floating-point warnings, Python warnings and writes to sys.stderr."""
    with np.errstate(all="ignore"), warnings.catch_warnings(), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


def _show(a: Array) -> str:
    """``shape (3, 1): [0.1234, -0.5, …]`` — the shape and the first four values."""
    flat = a.ravel()
    values = ", ".join(f"{v:.4g}" for v in flat[:4]) + (", …" if flat.size > 4 else "")
    return f"shape {a.shape}: [{values}]"


def _describe(x: object) -> str:
    """A short description of any object, for 'got …' in messages."""
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape}"
    if isinstance(x, (tuple, list)):
        return f"a {type(x).__name__} of {len(x)} items"
    return f"a {type(x).__name__}" if x is not None else "None"


def _close(got: Array, expected: Array) -> bool:
    """Same shape and equal up to rounding (tolerance relative to the expected scale)."""
    if got.shape != expected.shape:
        return False
    scale = float(np.abs(expected).max()) if expected.size else 0.0
    return bool(np.allclose(got, expected, rtol=1e-5, atol=1e-7 * scale + 1e-12))


def _to_array(x: object) -> Array | None:
    """``x`` as a float array, or None if it is not an array of numbers."""
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        return None


def _matches(x: object, expected: Array) -> bool:
    a = _to_array(x)
    return a is not None and _close(a, np.asarray(expected, dtype=float))


def _as_array(value: object, label: str) -> Array:
    """Convert a returned value to a float array, or raise _Wrong saying why it cannot be."""
    if value is None:
        raise _Wrong(f"{label} is None: a `return` is missing, or returns nothing.")
    a = _to_array(value)
    if a is None:
        raise _Wrong(f"{label} is {_describe(value)}, not an array of numbers; "
                     "return a numpy array.")
    if not np.isfinite(a).all():
        bad = int((~np.isfinite(a)).sum())
        raise _Wrong(f"{label} contains NaN or inf ({bad} of {a.size} entries). Usual causes: "
                     "np.exp overflowing, the log of 0, or a division by 0.")
    return a


Variants = list[tuple[str, Any]]


def _compare(label: str, got: object, expected: object, variants: Variants = ()) -> None:
    """Raise _Wrong unless ``got`` equals ``expected``, naming a known mistake if one matches.

    Parameters
    ----------
    label : str
        How the value is called in the message, e.g. ``"dW"`` or ``"grads['dW2']"``.
    got, expected : array_like
    variants : list of (cause, array)
        What each known mistake would return; a variant equal to ``expected``
        (e.g. "missing 1/m" when m = 1) is ignored.
    """
    g, e = _as_array(got, label), np.asarray(expected, dtype=float)
    if _close(g, e):
        return
    for cause, v in variants:
        v = np.asarray(v, dtype=float)
        if _close(g, v) and not _close(v, e):
            raise _Wrong(f"{label} is wrong. Likely cause: {cause}\n"
                         f"  expected {_show(e)}\n  found    {_show(g)}")
    if g.shape == e.shape:
        raise _Wrong(f"{label} has the right shape {e.shape} but wrong values.\n"
                     f"  expected {_show(e)}\n  found    {_show(g)}")
    if g.size == e.size and _close(g.reshape(e.shape), e):
        raise _Wrong(f"{label} has the right values but shape {g.shape} instead of {e.shape}; "
                     "keep the course's shapes (e.g. np.sum(..., keepdims=True)).")
    raise _Wrong(f"{label} has shape {g.shape}, expected {e.shape}.\n"
                 f"  expected {_show(e)}\n  found    {_show(g)}")


def _unpack(result: object, names: tuple[str, ...], expected: Mapping[str, object]) -> dict:
    """Check ``result`` is a tuple of len(names) values in the right order; return them by name."""
    want = f"({', '.join(names)})"
    if result is None:
        raise _Wrong(f"it returned None; end it with `return {', '.join(names)}`.")
    if not isinstance(result, (tuple, list)):
        raise _Wrong(f"it should return a tuple {want}, but returned {_describe(result)}.")
    if len(result) != len(names):
        raise _Wrong(f"it returned {len(result)} values; it should return {len(names)}: {want}.")
    for i, x in enumerate(result):
        if names[i] in expected and _matches(x, expected[names[i]]):
            continue
        other = next((n for n in names if n in expected and _matches(x, expected[n])), None)
        if other is not None:
            raise _Wrong(f"it returned the values in the wrong order: value {i + 1} is {other}; "
                         f"return them as {want}.")
    return dict(zip(names, result, strict=True))


def _as_dict(result: object, what: str, ret: str) -> Mapping:
    """Check ``result`` is a dict-like object; ``ret`` is the variable to return in the hint."""
    if result is None:
        raise _Wrong(f"it returned None; it should return {what}: end it with `return {ret}`.")
    if not isinstance(result, Mapping):
        raise _Wrong(f"it should return {what}, but returned {_describe(result)}.")
    return result


def _list_keys(d: Mapping) -> str:
    return ", ".join(repr(k) for k in d) or "no keys at all"


# --------------------------------------------------------------------------- references


def _add_backward(dout: Any) -> tuple[Any, Any]:
    """Backward of out = x + y: both inputs receive the upstream gradient unchanged."""
    return dout, dout


def _multiply_backward(x: Any, y: Any, dout: Any) -> tuple[Any, Any]:
    """Backward of out = x·y: each input receives the *other* input times dout."""
    return y * dout, x * dout


def _graph_gradients(x: Any, y: Any, z: Any) -> dict[str, Any]:
    """Gradients of f = (x + y)·z by a forward then a backward pass through the two nodes."""
    p = x + y
    dp, dz = _multiply_backward(p, z, 1.0)
    dx, dy = _add_backward(dp)
    return {"x": dx, "y": dy, "z": dz}


def _backprop_from(dAL: Array, caches: list) -> dict[str, Array]:
    """Reference backprop (sigmoid everywhere) started from a given dAL."""
    grads, dA = {}, dAL
    for l in range(len(caches), 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = ref.one_layer_backward(dA, caches[l - 1])
        grads[f"dA{l - 1}"] = dA
    return grads


REFERENCES: dict[str, Callable] = {
    "sigmoid": sigmoid, "relu": relu, "forward_prop": ref.forward_prop,
    "cost_function": ref.cost_function, "one_layer_backward": ref.one_layer_backward,
    "backprop": ref.backprop, "update_parameters": ref.update_parameters,
    "add_backward": _add_backward, "multiply_backward": _multiply_backward,
    "graph_gradients": _graph_gradients,
}
"""A correct implementation of every graded function (used to swap helpers in)."""


# --------------------------------------------------------------------------- cases


def _rng(tag: str, hidden: bool) -> np.random.Generator:
    """A generator seeded from the function name and visibility (same numbers every run)."""
    return np.random.default_rng(zlib.crc32(f"{tag}:{'hidden' if hidden else 'visible'}".encode()))


# (description, layer_dims, m, seed of seed 002's randn·0.01 init or None for random weights)
_NETS = {
    False: [("two-layer net with seed 002's initialisation", [3, 4, 1], 5, 3),
            ("one-layer net (logistic regression)", [4, 1], 6, None),
            ("single example", [3, 2, 1], 1, None),
            ("square hidden layers", [3, 3, 3, 1], 4, None),
            ("deep net", [5, 4, 3, 2, 1], 7, None)],
    True: [("two-layer net with seed 002's initialisation", [5, 2, 1], 4, 11),
           ("one-layer net (logistic regression)", [2, 1], 9, None),
           ("single example", [5, 3, 1], 1, None),
           ("square hidden layers", [2, 2, 2, 1], 6, None),
           ("deep net", [6, 5, 4, 3, 1], 3, None)],
}


def _params(rng: np.random.Generator, dims: list[int], seed002: int | None) -> dict:
    """Parameters as seed 002 makes them (randn·0.01, zero biases) or larger random ones."""
    if seed002 is not None:
        state = np.random.RandomState(seed002)   # like np.random.seed, without global state
        return {k: v for l in range(1, len(dims)) for k, v in (
            (f"W{l}", state.randn(dims[l], dims[l - 1]) * 0.01),
            (f"b{l}", np.zeros((dims[l], 1))))}
    return {k: v for l in range(1, len(dims)) for k, v in (
        (f"W{l}", rng.standard_normal((dims[l], dims[l - 1])) * 0.8),
        (f"b{l}", rng.standard_normal((dims[l], 1)) * 0.3))}


def _labels(rng: np.random.Generator, m: int) -> Array:
    """0/1 labels of shape (1, m), with both classes present when m ≥ 2."""
    Y = rng.integers(0, 2, size=(1, m)).astype(float)
    Y[0, :2] = [0.0, 1.0][:m]
    return Y


def _net_cases(tag: str, hidden: bool) -> list[tuple[str, Array, dict, Array]]:
    """(description, X, parameters, Y) for every network of the visible or hidden set."""
    rng, out = _rng(tag, hidden), []
    for desc, dims, m, seed002 in _NETS[hidden]:
        params = _params(rng, dims, seed002)
        X, Y = rng.standard_normal((dims[0], m)), _labels(rng, m)
        out.append((f"{desc}, layer_dims {dims}, m = {m}", X, params, Y))
    return out


def _layer_cases(hidden: bool) -> list[Case]:
    """Single sigmoid layers ``(dA, ((A_prev, W, b), Z))``; the first has a square W."""
    rng = _rng("one_layer_backward", hidden)
    shapes = [(3, 3, 4), (1, 4, 6), (4, 3, 5), (2, 3, 1), (5, 6, 7)] if not hidden else \
        [(4, 4, 3), (1, 2, 8), (3, 5, 6), (3, 2, 1), (6, 4, 5)]
    kinds = ["square W", "output layer", "hidden layer", "single example", "wide layer"]
    out = []
    for kind, (n, n_prev, m) in zip(kinds, shapes, strict=True):
        A_prev = sigmoid(rng.standard_normal((n_prev, m)))
        W, b = rng.standard_normal((n, n_prev)) * 0.8, rng.standard_normal((n, 1)) * 0.3
        dA = rng.standard_normal((n, m))
        out.append(Case(f"{kind}: W {W.shape}, m = {m}", (dA, ((A_prev, W, b), W @ A_prev + b))))
    return out


def _z_cases(tag: str, hidden: bool) -> list[Case]:
    """Pre-activations for sigmoid and relu, including exact zeros and very large |z|."""
    rng = _rng(tag, hidden)
    big = [-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0] if not hidden else \
        [-800.0, -35.0, -0.5, 0.0, 0.5, 35.0, 800.0]
    shapes = [(3, 4), (1, 1), (5, 1)] if not hidden else [(4, 2), (1, 1), (2, 6)]
    out = []
    for shape in shapes:
        Z = np.round(rng.standard_normal(shape) * 3, 1)
        out.append(Case(f"Z of shape {shape}", (Z,)))
    out.append(Case("very large |z| (numerical stability)", (np.array([big]),)))
    return out


def _cost_cases(hidden: bool) -> list[Case]:
    rng = _rng("cost_function", hidden)
    out = []
    for m in ([5, 1, 8] if not hidden else [7, 1, 3]):
        AL = rng.uniform(0.05, 0.95, size=(1, m))
        out.append(Case(f"AL and Y of shape (1, {m})", (AL, _labels(rng, m))))
    return out


def _graph_cases(name: str, hidden: bool) -> list[Case]:
    """Scalars (seed 003's worked example among them) and arrays for the graph nodes."""
    rng = _rng(name, hidden)
    arrays = tuple(np.round(rng.standard_normal((2, 3)), 2) for _ in range(3))
    scalars = {  # visible: seed 003's x = 1, y = 3, z = −3 (p = 4, dp = −3)
        "add_backward": [(1.0,), (-3.0,)] if not hidden else [(2.5,), (-0.5,)],
        "multiply_backward": [(4.0, -3.0, 1.0), (2.0, 5.0, -1.5)] if not hidden
        else [(-2.0, 0.5, 3.0), (1.5, -4.0, 2.0)],
        "graph_gradients": [(1.0, 3.0, -3.0), (2.0, -1.0, 0.5)] if not hidden
        else [(-2.0, 4.0, 1.5), (0.5, 0.25, -2.0)],
    }[name]
    n_args = len(scalars[0])
    out = [Case(f"scalars {args}", args) for args in scalars]
    out.append(Case("arrays of shape (2, 3)", arrays[:n_args]))
    return out


def cases(name: str, hidden: bool = False) -> list[Case]:
    """The test cases of a graded function; the same list every call.

    Parameters
    ----------
    name : str
        A graded function name (see :data:`ASSIGNMENTS`).
    hidden : bool
        False for the cases students run themselves, True for the hidden
        tests (other seeds and shapes).

    Returns
    -------
    list of Case
        ``case.args`` is the argument tuple to call the function with.
    """
    if name in ("sigmoid", "relu"):
        return _z_cases(name, hidden)
    if name == "cost_function":
        return _cost_cases(hidden)
    if name == "one_layer_backward":
        return _layer_cases(hidden)
    if name in ("add_backward", "multiply_backward", "graph_gradients"):
        return _graph_cases(name, hidden)
    if name not in ("forward_prop", "backprop", "update_parameters"):
        raise ValueError(f"unknown graded function {name!r}; choose one of {list(REFERENCES)}")
    out = []
    rates = iter([0.1, 0.5, 2.0, 0.05, 0.01])
    for desc, X, params, Y in _net_cases(name, hidden):
        AL, caches = ref.forward_prop(X, params)
        args = {"forward_prop": (X, params), "backprop": (AL, Y, caches),
                "update_parameters": (params, ref.backprop(AL, Y, caches), next(rates))}[name]
        out.append(Case(desc, args))
    return out


# --------------------------------------------------------------------------- diagnosers


def _diagnose_sigmoid(case: Case, result: object, args_after: tuple | None) -> None:
    (Z,) = case.args
    A = sigmoid(Z)
    if isinstance(result, (tuple, list)) and len(result) == 2 and _matches(result[0], A):
        raise _Wrong("it returned a pair (A, cache). This assignment's sigmoid returns A only "
                     "(seed 002's returns (A, cache)); end it with `return A`.")
    a = _to_array(result)
    if a is not None and a.shape == A.shape and not np.isfinite(a).all():
        raise _Wrong(f"sigmoid gives NaN or inf for large |z| (this case has |z| up to "
                     f"{np.abs(Z).max():g}): e^z overflowed. Write it as 1 / (1 + np.exp(-Z)), "
                     "whose overflow only makes the denominator inf, or use np.exp(-np.abs(Z)).")
    _compare("A", result, A, [
        ("you computed 1/(1 + e^z) = σ(−z); the exponent needs a minus: 1/(1 + e^(−z)).",
         sigmoid(-Z)),
        ("you returned the derivative σ(z)·(1 − σ(z)); sigmoid returns σ(z) itself.",
         sigmoid_derivative(Z))])


def _diagnose_relu(case: Case, result: object, args_after: tuple | None) -> None:
    (Z,) = case.args
    A = relu(Z)
    if isinstance(result, (tuple, list)) and len(result) == 2 and _matches(result[0], A):
        raise _Wrong("it returned a pair (A, cache); relu returns A only: `return A`.")
    _compare("A", result, A, [
        ("you returned the derivative (1 where z > 0, else 0); relu returns max(0, z).",
         (Z > 0).astype(float)),
        ("you kept the negative part: relu is max(0, z), np.maximum(Z, 0).", np.minimum(Z, 0)),
        ("np.max(Z, 0) takes the largest entry of each column; the elementwise maximum "
         "is np.maximum(Z, 0).", Z.max(axis=0)),
        ("Z came back unchanged: negative entries must become 0.", Z)])


def _diagnose_forward_prop(case: Case, result: object, args_after: tuple | None) -> None:
    X, params = case.args
    AL, caches = ref.forward_prop(X, params)
    got = _unpack(result, ("AL", "caches"), {"AL": AL})
    L = len(caches)
    ZL = caches[-1][1]
    _compare("AL", got["AL"], AL, [
        ("AL is Z of the last layer: apply sigmoid to it too.", ZL),
        ("hidden layers used ReLU; in this assignment every layer is a sigmoid.",
         ref.forward_prop(X, params, "relu")[0]),
        (f"the loop stops one layer early: layers run from 1 to L = {L} "
         "(range(1, L + 1)).", caches[-1][0][0])])
    got_caches = got["caches"]
    if not isinstance(got_caches, (list, tuple)) or len(got_caches) != L:
        raise _Wrong(f"caches should be a list of L = {L} caches, one per layer; "
                     f"found {_describe(got_caches)}.")
    for l, (c, expected) in enumerate(zip(got_caches, caches, strict=True), start=1):
        _check_cache(l, c, expected)


def _check_cache(l: int, c: object, expected: tuple) -> None:
    """Check caches[l-1] is ((A_prev, W, b), Z) of layer l."""
    (A_prev, W, b), Z = expected
    label = f"caches[{l - 1}]"
    if not (isinstance(c, (tuple, list)) and len(c) == 2):
        raise _Wrong(f"{label} should be a pair ((A_prev, W, b), Z), the linear cache and the "
                     f"activation cache of layer {l}; found {_describe(c)}.")
    linear, z = c
    if not (isinstance(linear, (tuple, list)) and len(linear) == 3):
        raise _Wrong(f"{label}[0] should be the linear cache (A_prev, W, b) of layer {l}; "
                     f"found {_describe(linear)}.")
    _compare(f"{label}[0][0] (A_prev, the input of layer {l})", linear[0], A_prev,
             [(f"you stored the layer's output A{l} where its input A_prev belongs.",
               sigmoid(Z))])
    _compare(f"{label}[0][1] (W{l})", linear[1], W)
    _compare(f"{label}[0][2] (b{l})", linear[2], b)
    _compare(f"{label}[1] (Z{l})", z, Z,
             [(f"you stored A{l} = σ(Z{l}); backprop needs Z{l} itself.", sigmoid(Z))])


def _as_cost(result: object, Y: Array) -> Array:
    """The returned cost as a 0-d array; a float, a 0-d, (1,) or (1, 1) array are all fine."""
    a = _as_array(result, "the cost")
    if a.size != 1:
        looks = " It looks like the per-example losses: take their average." \
            if a.size == Y.size else ""
        raise _Wrong(f"cost_function should return one number (the average over the m "
                     f"examples); it returned an array of shape {a.shape}.{looks}")
    return a.reshape(())


def _diagnose_cost_function(case: Case, result: object, args_after: tuple | None) -> None:
    AL, Y = case.args
    m = Y.shape[1]
    cost = binary_cross_entropy(AL, Y)
    _compare("the cost", _as_cost(result, Y), cost, [
        ("the sign is wrong: C = −(1/m) Σ [y·log(a) + (1 − y)·log(1 − a)] is positive.", -cost),
        ("the 1/m is missing: the cost is the average over the m examples, not the sum.",
         cost * m),
        ("only the y·log(a) term is there; add (1 − y)·log(1 − a).",
         -np.sum(Y * np.log(AL)) / m),
        ("only the (1 − y)·log(1 − a) term is there; add y·log(a).",
         -np.sum((1 - Y) * np.log(1 - AL)) / m),
        ("you used log10; the cost uses the natural logarithm, np.log.", cost / np.log(10))])


_OLB = ("dA_prev", "dW", "db")


def _one_layer_variants(dA: Array, cache: tuple) -> dict[str, Variants]:
    """What each known mistake of one_layer_backward returns, per output."""
    (A_prev, W, _), Z = cache
    m = A_prev.shape[1]
    dZ, dZ_sig = dA * sigmoid_derivative(Z), dA * sigmoid(Z)
    dA_prev, dW, db = W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m
    sig = ("you used σ(Z) where the derivative σ′(Z) = σ(Z)·(1 − σ(Z)) belongs: "
           "dZ = dA ⊙ σ(Z)·(1 − σ(Z)).")
    no_deriv = "the activation derivative is missing: dZ = dA ⊙ σ′(Z), not dA."
    square = [("dA_prev needs the transpose: dA_prev = Wᵀ·dZ (W.T @ dZ), not W·dZ.", W @ dZ)] \
        if W.shape[0] == W.shape[1] else []
    return {
        "dA_prev": square + [
            (no_deriv + " dA_prev = Wᵀ·dZ with dZ = dA ⊙ σ′(Z).", W.T @ dA),
            (sig, W.T @ dZ_sig),
            ("dA_prev must not be divided by m: only dW and db are averaged.", dA_prev / m),
            ("the sign is flipped.", -dA_prev)],
        "dW": [
            ("the 1/m is missing: dW = (1/m)·dZ·A_prevᵀ.", dW * m),
            ("dW is transposed: it must have W's shape (n_l, n_prev), dW = (1/m)·dZ·A_prevᵀ.",
             dW.T),
            ("dW is divided by m twice.", dW / m),
            (no_deriv, dA @ A_prev.T / m), (sig, dZ_sig @ A_prev.T / m),
            ("the sign is flipped.", -dW)],
        "db": [
            (f"db has shape ({db.shape[0]},) instead of ({db.shape[0]}, 1): sum with "
             "keepdims=True, np.sum(dZ, axis=1, keepdims=True) / m.", db.ravel()),
            ("the 1/m is missing: db = (1/m)·Σ dZ over the examples.", db * m),
            ("you summed over the units (axis=0); sum over the examples, axis=1.",
             dZ.sum(axis=0, keepdims=True) / m),
            ("you summed over the units (axis=0); sum over the examples, axis=1.",
             dZ.sum(axis=0) / m),
            ("you summed every entry of dZ; sum over the examples only "
             "(axis=1, keepdims=True).", dZ.sum() / m),
            (no_deriv, dA.sum(axis=1, keepdims=True) / m),
            (sig, dZ_sig.sum(axis=1, keepdims=True) / m)],
    }


def _diagnose_one_layer_backward(case: Case, result: object, args_after: tuple | None) -> None:
    dA, cache = case.args
    expected = dict(zip(_OLB, ref.one_layer_backward(dA, cache), strict=True))
    got = _unpack(result, _OLB, expected)
    variants = _one_layer_variants(dA, cache)
    for key in _OLB:
        _compare(key, got[key], expected[key], variants[key])


def _grad_keys(L: int) -> list[str]:
    """Gradient keys from the last layer back: dWL, dbL, dA(L−1), …, dW1, db1, dA0."""
    return [k for l in range(L, 0, -1) for k in (f"dW{l}", f"db{l}", f"dA{l - 1}")]


def _missing_key_message(grads: Mapping, key: str, missing: list[str], expected: Mapping,
                         L: int) -> str:
    """Explain a missing gradient key: where its value went, or which slip is likely."""
    text = f"grads has no key {key!r}"
    if len(missing) > 1:
        text += f" (also missing: {', '.join(repr(k) for k in missing[1:])})"
    text += f". It has {_list_keys(grads)}."
    elsewhere = next((k for k in grads if k not in expected
                      and _matches(grads[k], expected[key])), None)
    if elsewhere is not None:
        text += f" The value that belongs under {key!r} is stored under {elsewhere!r}."
    lower = {str(k).lower(): k for k in grads}
    if key.lower() in lower and lower[key.lower()] != key:
        text += f" Keys are case-sensitive: rename {lower[key.lower()]!r} to {key!r}."
    index_slip = elsewhere in (None, f"{key[:2]}{L - 1}") and key.lower() not in lower
    if index_slip and key in (f"dW{L}", f"db{L}") and f"{key[:2]}{L - 1}" in grads:
        text += (f" Layer {L} is the last layer (L = len(caches) = {L}); its gradients go under "
                 f"'dW{L}' and 'db{L}'. Filing them under index L − 1 = {L - 1} (seed 002's bug) "
                 "puts them under the wrong layer, and the loop then overwrites them.")
    return text + f" Expected keys: {', '.join(repr(k) for k in sorted(expected))}."


def _backprop_variants(AL: Array, Y: Array, caches: list, expected: dict) -> dict[str, Variants]:
    """What each known mistake of backprop itself stores under every key."""
    m = AL.shape[1]
    dAL = binary_cross_entropy_gradient(AL, Y)
    whole = [
        ("dAL has the wrong sign: dAL = −(Y/AL − (1 − Y)/(1 − AL)).", _backprop_from(-dAL, caches)),
        ("dAL already includes 1/m, and one_layer_backward divides dW and db by m again.",
         _backprop_from(dAL / m, caches)),
        ("you started from dAL = AL − Y, which is dZ of the last layer; start from "
         "dAL = −(Y/AL − (1 − Y)/(1 − AL)).", _backprop_from(AL - Y, caches))]
    out = {k: [(cause, g[k]) for cause, g in whole] for k in expected}
    for k in expected:
        out[k] += [(f"it holds the value that belongs under {k2!r}: check the layer index "
                    "you store each gradient under.", expected[k2])
                   for k2 in expected if k2 != k and k2[:2] == k[:2]]
    return out


def _diagnose_backprop(case: Case, result: object, args_after: tuple | None) -> None:
    AL, Y, caches = case.args
    expected = ref.backprop(AL, Y, caches)
    grads = _as_dict(result, "a dict of gradients ('dW1', 'db1', …)", "grads")
    keys = _grad_keys(len(caches))
    missing = [k for k in keys if k not in grads]
    if missing:
        raise _Wrong(_missing_key_message(grads, missing[0], missing, expected, len(caches)))
    variants = _backprop_variants(AL, Y, caches, expected)
    for key in keys:
        _compare(f"grads[{key!r}]", grads[key], expected[key], variants[key])


def _diagnose_update_parameters(case: Case, result: object, args_after: tuple | None) -> None:
    params, grads, lr = case.args
    expected = ref.update_parameters(params, grads, lr)
    if result is None and args_after is not None and \
            all(_matches(args_after[0].get(k), v) for k, v in expected.items()):
        raise _Wrong("it updated parameters in place (fine) but returned None; end it with "
                     "`return parameters`.")
    new = _as_dict(result, "a dict of the updated parameters", "parameters")
    missing = [k for k in expected if k not in new]
    if missing:
        raise _Wrong(f"the returned dict has no key {missing[0]!r}; it has {_list_keys(new)}. "
                     f"Expected keys: {', '.join(repr(k) for k in expected)}.")
    for key, value in expected.items():
        old, g = params[key], grads[f"d{key}"]
        only_w = " Only the weights were updated; update the biases too, b ← b − α·db." \
            if key[0] == "b" else ""
        _compare(key, new[key], value, [
            (f"gradient ascent: the step was added. Gradient descent subtracts it: "
             f"{key} ← {key} − α·d{key}.", old + lr * g),
            (f"{key} was not updated (it still holds its old value).{only_w}", old),
            (f"the learning rate is missing: {key} − α·d{key}, not {key} − d{key}.", old - g)])


def _diagnose_add_backward(case: Case, result: object, args_after: tuple | None) -> None:
    (dout,) = case.args
    expected = dict(zip(("dx", "dy"), _add_backward(dout), strict=True))
    got = _unpack(result, ("dx", "dy"), expected)
    for key in ("dx", "dy"):
        _compare(key, got[key], expected[key], [
            ("the upstream gradient is missing: an add node passes dout on unchanged, "
             "dx = dy = 1·dout.", np.ones_like(np.asarray(dout, dtype=float)))])


def _diagnose_multiply_backward(case: Case, result: object, args_after: tuple | None) -> None:
    x, y, dout = case.args
    expected = dict(zip(("dx", "dy"), _multiply_backward(x, y, dout), strict=True))
    got = _unpack(result, ("dx", "dy"), expected)
    swap = "each input gets the *other* input times dout: dx = y·dout, dy = x·dout."
    _compare("dx", got["dx"], expected["dx"], [
        ("dx and dy are swapped: " + swap, x * dout),
        ("the upstream gradient is missing: multiply the local gradient y by dout.", y),
        ("that is an add node's rule; for a product " + swap, dout)])
    _compare("dy", got["dy"], expected["dy"], [
        ("the upstream gradient is missing: multiply the local gradient x by dout.", x),
        ("that is an add node's rule; for a product " + swap, dout)])


def _diagnose_graph_gradients(case: Case, result: object, args_after: tuple | None) -> None:
    x, y, z = case.args
    expected = _graph_gradients(x, y, z)
    got = _as_dict(result, "a dict {'x': ∂f/∂x, 'y': ∂f/∂y, 'z': ∂f/∂z}", "grads")
    missing = [k for k in expected if k not in got]
    if missing:
        raise _Wrong(f"the returned dict has no key {missing[0]!r}; it has {_list_keys(got)}. "
                     "Use the keys 'x', 'y' and 'z'.")
    p = x + y
    swapped = "f = p·z, so ∂f/∂p = z and ∂f/∂z = p = x + y; check the order of " \
        "multiply_backward's inputs and outputs."
    _compare("grads['x']", got["x"], expected["x"], [(swapped, p)])
    _compare("grads['y']", got["y"], expected["y"], [(swapped, p)])
    _compare("grads['z']", got["z"], expected["z"], [(swapped, z)])


_DIAGNOSERS: dict[str, Callable[[Case, object, tuple | None], None]] = {
    "sigmoid": _diagnose_sigmoid, "relu": _diagnose_relu,
    "forward_prop": _diagnose_forward_prop, "cost_function": _diagnose_cost_function,
    "one_layer_backward": _diagnose_one_layer_backward, "backprop": _diagnose_backprop,
    "update_parameters": _diagnose_update_parameters, "add_backward": _diagnose_add_backward,
    "multiply_backward": _diagnose_multiply_backward,
    "graph_gradients": _diagnose_graph_gradients,
}


def diagnose(name: str, case: Case, result: object, *, args_after: tuple | None = None
             ) -> str | None:
    """Compare what a student's function returned on ``case`` with the reference.

    Parameters
    ----------
    name : str
        The graded function (see :data:`ASSIGNMENTS`).
    case : Case
        One of ``cases(name, hidden)``.
    result : object
        What the student's function returned; arrays may come back as nested
        lists (e.g. from JSON).
    args_after : tuple, optional
        The (copied) arguments after the call, to recognise in-place updates.

    Returns
    -------
    str or None
        None if the result is right, else the diagnosis for the student.
    """
    if name not in _DIAGNOSERS:
        raise ValueError(f"unknown graded function {name!r}; choose one of {list(_DIAGNOSERS)}")
    with _quiet():
        try:
            _DIAGNOSERS[name](case, result, args_after)
        except _Wrong as wrong:
            return str(wrong)
        except Exception as exc:  # a result too odd to compare is still a wrong result
            return f"its result could not be checked ({type(exc).__name__}: {exc}); it " \
                   f"returned {_describe(result)}."
    return None


# --------------------------------------------------------------------------- running student code


def _student_frame(exc: BaseException) -> traceback.FrameSummary | None:
    """The deepest traceback frame in student code (not numpy, not dnn_ref)."""
    here = os.path.dirname(os.path.abspath(__file__))
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not os.path.abspath(f.filename).startswith(here)
              and f"{os.sep}numpy{os.sep}" not in f.filename]
    return frames[-1] if frames else None


def _exception_hint(exc: Exception) -> str:
    """The likely cause of a common exception in this course's code, or ''."""
    msg = str(exc)
    if isinstance(exc, NameError):
        name = getattr(exc, "name", None) or next(iter(re.findall(r"'(\w+)'", msg)), "")
        if name and hasattr(np, name):
            return f"`{name}` is not defined in the notebook; use numpy's np.{name}."
        return "a name your code uses is not defined: check its spelling, or run the cell " \
               "that defines it."
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
        key = exc.args[0]
        if re.fullmatch(r"[Wb]\d+", key):
            return (f"gradients are stored under 'd{key}' (with a d): read grads['d{key}'], not "
                    f"grads[{key!r}]. If it was parameters[{key!r}], check your loop runs over "
                    "layers 1 … L.")
        if re.fullmatch(r"d[WbA]\d+", key):
            return (f"gradient {key!r} was never stored: check the index under which each "
                    "layer's gradients are filed (dW1 … dWL, db1 … dbL, dA0 … dA(L−1)).")
        return f"the dict has no key {key!r}."
    if "unpack" in msg:
        return ("a function returned a different number of values than you unpacked: sigmoid "
                "returns only A here, one_layer_backward returns (dA_prev, dW, db).")
    if any(s in msg for s in ("matmul", "aligned", "broadcast", "shape")):
        return ("the array shapes do not fit: check the transposes (Z = W·A_prev + b, "
                "dW = (1/m)·dZ·A_prevᵀ, dA_prev = Wᵀ·dZ) and that layer l uses caches[l − 1].")
    if isinstance(exc, TypeError) and "NoneType" in msg:
        return "one of your functions returned None: is a `return` missing?"
    if isinstance(exc, IndexError):
        return ("an index is out of range: arrays here are 2-D (so .shape has two entries) "
                "and caches[l − 1] belongs to layer l, l = 1 … L.")
    return ""


def _exception_message(exc: Exception) -> str:
    """Say which exception the student's code raised, where, and the likely cause."""
    frame = _student_frame(exc)
    who = frame.name if frame else "the function"
    if isinstance(exc, NotImplementedError):
        return (f"you have not implemented {who} yet: it still raises NotImplementedError. "
                "Replace the `raise NotImplementedError()` line with your code.")
    where = f" in {who}" + (f", at `{frame.line}`" if frame and frame.line else "")
    hint = _exception_hint(exc)
    return f"it raised {type(exc).__name__}{where}: {exc}" + \
        (f"\nLikely cause: {hint}" if hint else "")


def _run_case(name: str, fn: Callable, case: Case) -> str | None:
    """Run ``fn`` on a deep copy of the case's arguments; the diagnosis or None."""
    args = copy.deepcopy(case.args)
    with _quiet():
        try:
            result = fn(*args)
        except Exception as exc:  # student code may raise anything; report it
            return _exception_message(exc)
    return diagnose(name, case, result, args_after=args)


def _first_failure(name: str, fn: Callable, hidden: bool) -> tuple[str | None, int]:
    """(message of the first failing case or None, number of cases)."""
    all_cases = cases(name, hidden)
    for i, case in enumerate(all_cases, start=1):
        msg = _run_case(name, fn, case)
        if msg is not None:
            return f"{name} failed check {i} of {len(all_cases)} ({case.name}):\n{msg}", \
                len(all_cases)
    return None, len(all_cases)


_HELPERS = {"backprop": ("one_layer_backward",),
            "graph_gradients": ("add_backward", "multiply_backward"),
            "forward_prop": ("sigmoid",)}
"""Graded functions a composite calls through its globals."""

_SWAP = ("backprop", "graph_gradients")
"""Composites re-run with reference helpers to locate a fault (forward_prop is not: a student's
forward_prop may rightly unpack the (A, cache) their own sigmoid returns)."""


@contextlib.contextmanager
def _swapped(namespace: dict, names: list[str]) -> Iterator[None]:
    """Temporarily put the reference versions of ``names`` into ``namespace``."""
    saved = {n: namespace[n] for n in names}
    namespace.update({n: REFERENCES[n] for n in names})
    try:
        yield
    finally:
        namespace.update(saved)


def _blame(name: str, fn: Callable, hidden: bool, helpers: list[str]) -> tuple[bool, str]:
    """Re-run a failing composite with reference helpers: (is it right that way, message).

    A composite is graded on its own work: if it passes with the reference
    helpers swapped in, it keeps its points and the message (a note under the
    pass line) names the student's helper as the fault. ``failure`` is the
    message of the run with the student's own helpers.
    """
    namespace = fn.__globals__
    own = {h: namespace[h] for h in helpers}
    with _swapped(namespace, helpers):
        with_reference, n = _first_failure(name, fn, hidden)
    failing = {h: f for h in helpers if (f := _first_failure(h, own[h], hidden)[0])}
    swapped = " and ".join(helpers)
    if with_reference is None:
        culprit = " and ".join(failing or helpers)
        detail = "\n\n" + "\n\n".join(failing.values()) if failing else (
            f" Your {swapped} passes its own checks, so look at how {name} calls it.")
        return True, (f"✓ {name}: passed all {n} checks with the reference {swapped} swapped "
                      f"in: {name} itself is right; the fault is in your {culprit}, see its "
                      f"own test.{detail}")
    note = f"\n\n(Checked with the reference {swapped} swapped in, so the fault is in {name} " \
        "itself.)"
    if failing:
        note += f"\n\nYour {' and '.join(failing)} fails its own checks too:\n" + \
            "\n\n".join(failing.values())
    return False, with_reference + note


def _check(name: str, fn: Callable, hidden: bool) -> None:
    """Run every case; print one pass line or raise AssertionError with the diagnosis."""
    failure, n = _first_failure(name, fn, hidden)
    if failure is None:
        print(f"✓ {name}: passed all {n} checks")
        return
    namespace = getattr(fn, "__globals__", {})
    helpers = [h for h in _HELPERS.get(name, ()) if callable(namespace.get(h))]
    if name in _SWAP and helpers:
        passed, message = _blame(name, fn, hidden, helpers)
        if passed:
            print(message)
            return
        failure = message
    else:
        for h in helpers:
            note, _ = _first_failure(h, namespace[h], hidden)
            if note:
                failure += f"\n\nNote: your {h} fails its own check too; fix it first.\n{note}"
    raise AssertionError(failure)


def check(name: str, fn: Callable, *, hidden: bool = False) -> None:
    """Check the student's implementation ``fn`` of the graded function ``name``.

    Prints ``✓ <name>: passed all N checks`` or raises AssertionError whose
    message says what is wrong, on which case, and the likely cause.
    """
    if name not in _DIAGNOSERS:
        raise ValueError(f"unknown graded function {name!r}; choose one of {list(_DIAGNOSERS)}")
    if not callable(fn):
        raise AssertionError(f"{name} should be a function, but it is {_describe(fn)}.")
    _check(name, fn, hidden)


def check_sigmoid(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``sigmoid(Z) -> A``, including very large |z| and an (A, cache) return."""
    check("sigmoid", fn, hidden=hidden)


def check_relu(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``relu(Z) -> A``."""
    check("relu", fn, hidden=hidden)


def check_forward_prop(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``forward_prop(X, parameters) -> (AL, caches)`` and each ((A_prev, W, b), Z)."""
    check("forward_prop", fn, hidden=hidden)


def check_cost_function(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``cost_function(AL, Y) -> float`` (a 0-d or (1, 1) array is accepted)."""
    check("cost_function", fn, hidden=hidden)


def check_one_layer_backward(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``one_layer_backward(dA, cache) -> (dA_prev, dW, db)`` of a sigmoid layer."""
    check("one_layer_backward", fn, hidden=hidden)


def check_backprop(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``backprop(AL, Y, caches) -> grads``; blames one_layer_backward if it is at fault."""
    check("backprop", fn, hidden=hidden)


def check_update_parameters(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``update_parameters(parameters, grads, learning_rate) -> new parameters``."""
    check("update_parameters", fn, hidden=hidden)


def check_add_backward(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``add_backward(dout) -> (dx, dy)`` for out = x + y."""
    check("add_backward", fn, hidden=hidden)


def check_multiply_backward(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``multiply_backward(x, y, dout) -> (dx, dy)`` for out = x·y."""
    check("multiply_backward", fn, hidden=hidden)


def check_graph_gradients(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``graph_gradients(x, y, z) -> {'x', 'y', 'z'}`` for f = (x + y)·z."""
    check("graph_gradients", fn, hidden=hidden)


CHECKERS: dict[str, Callable[..., None]] = {
    name: globals()[f"check_{name}"] for names in ASSIGNMENTS.values() for name in names
}
"""``check_<name>`` by graded function name."""
