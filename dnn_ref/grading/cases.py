"""Test cases of the graded functions: the visible ones, and the recipes hidden ones come from.

A student runs :func:`cases` (the visible cases, the same every call). The
instructor's grading draws hidden cases with :func:`build_cases` from a
generator seeded with the course's secret: ``vary=True`` draws the shapes,
sizes and values from that generator too, within the ranges below, while
keeping every kind of case ([Numpy-RO]'s randn·0.01 initialisation, a single example
m = 1, a one-layer and a deep network, a square W, very large |z|, exact
zeros for relu, scalars and arrays for the graph nodes, …).

A case never carries the reference's answer for its own function:
update_parameters gets random gradients of the right shapes, backprop the
output of forward_prop (another function's answer).

Conventions: X is (features, examples), W{l} (n_l, n_{l−1}), b{l} (n_l, 1),
labels Y of shape (1, m); float64 throughout.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from dnn_ref import network as ref
from dnn_ref.activations import sigmoid
from dnn_ref.i18n import N_, retranslate

Array = np.ndarray

ASSIGNMENTS: dict[str, list[str]] = {
    "forward": ["sigmoid", "relu", "forward_prop", "cost_function"],
    "backprop": ["one_layer_backward", "backprop", "update_parameters"],
    "graphs": ["add_backward", "multiply_backward", "graph_gradients"],
}
"""Graded function names of each assignment, as the notebooks define them."""

NAMES = [name for names in ASSIGNMENTS.values() for name in names]
"""Every graded function name."""


@dataclass(frozen=True)
class Case:
    """One test case: its name (English, one of :data:`NAME_TEMPLATES` formatted) and the
    arguments to pass. :meth:`title` is the name in the student's language."""

    name: str
    args: tuple

    def title(self) -> str:
        """The case's name in the current language (:func:`describe`)."""
        return describe(self.name)


NetSpec = tuple[str, list[int], int, int | None]
"""(name template, layer_dims, m, seed of [Numpy-RO]'s randn·0.01 init or None for random
weights)."""

_VISIBLE_NETS: list[NetSpec] = [
    (N_("two-layer net with the course's randn·0.01 initialisation, layer_dims {dims}, "
        "m = {m}"), [3, 4, 1], 5, 3),
    (N_("one-layer net (logistic regression), layer_dims {dims}, m = {m}"), [4, 1], 6, None),
    (N_("single example, layer_dims {dims}, m = {m}"), [3, 2, 1], 1, None),
    (N_("square hidden layers, layer_dims {dims}, m = {m}"), [3, 3, 3, 1], 4, None),
    (N_("deep net, layer_dims {dims}, m = {m}"), [5, 4, 3, 2, 1], 7, None)]

_VISIBLE_LAYERS = [(3, 3, 4), (1, 4, 6), (4, 3, 5), (2, 3, 1), (5, 6, 7)]
"""(n_l, n_{l−1}, m) of the visible one_layer_backward cases, one per kind below."""

_LAYER_KINDS = [N_("square W: W {shape}, m = {m}"), N_("output layer: W {shape}, m = {m}"),
                N_("hidden layer: W {shape}, m = {m}"), N_("single example: W {shape}, m = {m}"),
                N_("wide layer: W {shape}, m = {m}")]
"""The name templates of the one_layer_backward cases, one per kind of layer; the fourth
has a single example."""
_SINGLE_EXAMPLE = 3

_Z_SHAPE, _LARGE_Z = N_("Z of shape {shape}"), N_("very large |z| (numerical stability)")
_COST = N_("AL and Y of shape (1, {m})")
_SCALARS, _ARRAYS = N_("scalars {values}"), N_("arrays of shape {shape}")

NAME_TEMPLATES: tuple[str, ...] = (*(spec[0] for spec in _VISIBLE_NETS), *_LAYER_KINDS,
                                   _Z_SHAPE, _LARGE_Z, _COST, _SCALARS, _ARRAYS)
"""Every case's name is one of these (English, in the catalogue) with its values filled in."""


def describe(name: str) -> str:
    """A case's name (English, as :data:`NAME_TEMPLATES` make it) in the current language;
    any other text unchanged. The English name is what records and tables keep."""
    return retranslate(name, NAME_TEMPLATES)

_VISIBLE_SCALARS = {  # [Graphs-PT]'s worked example x = 1, y = 3, z = −3 (p = 4, dp = −3)
    "add_backward": [(1.0,), (-3.0,)],
    "multiply_backward": [(4.0, -3.0, 1.0), (2.0, 5.0, -1.5)],
    "graph_gradients": [(1.0, 3.0, -3.0), (2.0, -1.0, 0.5)],
}


def _int(rng: np.random.Generator, low: int, high: int) -> int:
    """A whole number from low to high, both included."""
    return int(rng.integers(low, high + 1))


def _net_specs(rng: np.random.Generator, vary: bool) -> list[NetSpec]:
    """The five kinds of network, with drawn sizes when ``vary``."""
    if not vary:
        return _VISIBLE_NETS
    square, depth = _int(rng, 2, 5), _int(rng, 4, 5)
    return [
        (_VISIBLE_NETS[0][0], [_int(rng, 2, 6), _int(rng, 2, 6), 1], _int(rng, 2, 8),
         _int(rng, 0, 2**31)),
        (_VISIBLE_NETS[1][0], [_int(rng, 2, 6), 1], _int(rng, 2, 10), None),
        (_VISIBLE_NETS[2][0], [_int(rng, 2, 6), _int(rng, 2, 5), 1], 1, None),
        (_VISIBLE_NETS[3][0], [square] * 3 + [1], _int(rng, 2, 8), None),
        (_VISIBLE_NETS[4][0], sorted((_int(rng, 2, 7) for _ in range(depth)), reverse=True)
         + [1], _int(rng, 2, 8), None)]


def _params(rng: np.random.Generator, dims: list[int], article_seed: int | None) -> dict:
    """Parameters as [Numpy-RO] makes them (randn·0.01, zero biases) or larger random ones."""
    if article_seed is not None:
        state = np.random.RandomState(article_seed)   # like np.random.seed, without global state
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


def _net_cases(name: str, rng: np.random.Generator, vary: bool) -> list[Case]:
    """forward_prop (X, parameters), backprop (AL, Y, caches) or update_parameters cases."""
    rates = iter([0.1, 0.5, 2.0, 0.05, 0.01])
    out = []
    for template, dims, m, article_seed in _net_specs(rng, vary):
        params = _params(rng, dims, article_seed)
        desc = template.format(dims=dims, m=m)
        if name == "update_parameters":
            grads = {f"d{k}": rng.standard_normal(v.shape) * 0.1 for k, v in params.items()}
            rate = round(float(10 ** rng.uniform(-2, 0.3)), 3) if vary else next(rates)
            out.append(Case(desc, (params, grads, rate)))
            continue
        X, Y = rng.standard_normal((dims[0], m)), _labels(rng, m)
        if name == "forward_prop":
            out.append(Case(desc, (X, params)))
        else:
            AL, caches = ref.forward_prop(X, params)
            out.append(Case(desc, (AL, Y, caches)))
    return out


def _examples(rng: np.random.Generator, n_prev: int) -> int:
    """A number of examples m, 2 … 10, with m ≠ n_prev and m² ≠ n_prev.

    So a forgotten transpose (dZ·A_prev) cannot fit, and m taken from the
    wrong axis (n_prev) cannot look like dW divided by m twice.
    """
    while True:
        m = _int(rng, 2, 10)
        if n_prev not in (m, m * m):
            return m


def _layer_cases(rng: np.random.Generator, vary: bool) -> list[Case]:
    """Single sigmoid layers ``(dA, ((A_prev, W, b), Z))``; the first has a square W."""
    shapes = _VISIBLE_LAYERS
    if vary:
        square = _int(rng, 2, 5)
        sizes = [(square, square), (1, _int(rng, 2, 6)), (_int(rng, 2, 6), _int(rng, 2, 6)),
                 (_int(rng, 1, 4), _int(rng, 2, 5)), (_int(rng, 4, 8), _int(rng, 4, 8))]
        shapes = [(n, n_prev, 1 if i == _SINGLE_EXAMPLE else _examples(rng, n_prev))
                  for i, (n, n_prev) in enumerate(sizes)]
    out = []
    for kind, (n, n_prev, m) in zip(_LAYER_KINDS, shapes, strict=True):
        A_prev = sigmoid(rng.standard_normal((n_prev, m)))
        W, b = rng.standard_normal((n, n_prev)) * 0.8, rng.standard_normal((n, 1)) * 0.3
        dA = rng.standard_normal((n, m))
        out.append(Case(kind.format(shape=W.shape, m=m), (dA, ((A_prev, W, b), W @ A_prev + b))))
    return out


def _z_cases(rng: np.random.Generator, vary: bool) -> list[Case]:
    """Pre-activations for sigmoid and relu, including exact zeros and very large |z|."""
    big = [-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0]
    shapes = [(3, 4), (1, 1), (5, 1)]
    if vary:
        # e^750 overflows float64 (its largest is about e^709.8): an unstable sigmoid shows
        top, mid, low = _int(rng, 750, 1000), _int(rng, 30, 50), _int(rng, 1, 9) / 10
        big = [-top, -mid, -low, 0.0, low, mid, top]
        shapes = [(_int(rng, 2, 5), _int(rng, 2, 6)), (1, 1), (_int(rng, 2, 6), 1)]
    out = []
    for i, shape in enumerate(shapes):
        Z = np.round(rng.standard_normal(shape) * 3, 1)
        if vary and i == 0:
            Z.flat[_int(rng, 0, Z.size - 1)] = 0.0   # an exact zero: relu'(0) and max(0, 0)
        out.append(Case(_Z_SHAPE.format(shape=shape), (Z,)))
    out.append(Case(_LARGE_Z, (np.array([big], dtype=float),)))
    return out


def _cost_cases(rng: np.random.Generator, vary: bool) -> list[Case]:
    """(AL, Y) of shape (1, m), one of them a single example."""
    out = []
    for m in ([_int(rng, 2, 10), 1, _int(rng, 2, 10)] if vary else [5, 1, 8]):
        AL = rng.uniform(0.05, 0.95, size=(1, m))
        out.append(Case(_COST.format(m=m), (AL, _labels(rng, m))))
    return out


def _scalars(rng: np.random.Generator, n_args: int) -> tuple[float, ...]:
    """Scalars ±1.5 … ±5 in steps of 0.5 with no coincidences.

    The sizes of the values, of their pairwise sums and of their pairwise
    products all differ, so no mistake (an output swapped, dout left out,
    x + y where z belongs) gives the right answer by chance.
    """
    while True:
        v = [float(x) for x in rng.choice([-1, 1], n_args) * rng.integers(3, 11, n_args) / 2]
        pairs = [(a, b) for i, a in enumerate(v) for b in v[i + 1:]]
        sizes = [abs(x) for x in v] + [abs(a + b) for a, b in pairs] + \
            [abs(a * b) for a, b in pairs]
        if len(set(sizes)) == len(sizes) and 0.0 not in sizes:
            return tuple(v)


def _graph_cases(name: str, rng: np.random.Generator, vary: bool) -> list[Case]:
    """Scalars ([Graphs-PT]'s worked example among the visible ones) and arrays for the nodes."""
    n_args = len(_VISIBLE_SCALARS[name][0])
    shape = (_int(rng, 1, 4), _int(rng, 2, 4)) if vary else (2, 3)
    arrays = tuple(np.round(rng.standard_normal(shape), 2) for _ in range(3))
    scalars = [_scalars(rng, n_args) for _ in range(2)] if vary else _VISIBLE_SCALARS[name]
    out = [Case(_SCALARS.format(values=args), args) for args in scalars]
    out.append(Case(_ARRAYS.format(shape=shape), arrays[:n_args]))
    return out


def build_cases(name: str, rng: np.random.Generator, *, vary: bool = True) -> list[Case]:
    """The test cases of the graded function ``name``, drawn from ``rng``.

    Parameters
    ----------
    name : str
        A graded function name (see :data:`ASSIGNMENTS`).
    rng : numpy.random.Generator
        Where every random number comes from; the same generator state gives
        the same cases.
    vary : bool
        True: the shapes and sizes are drawn from ``rng`` too (hidden cases).
        False: the visible cases' fixed shapes, with values from ``rng``.

    Returns
    -------
    list of Case
        ``case.args`` is the argument tuple to call the function with.
    """
    if name in ("sigmoid", "relu"):
        return _z_cases(rng, vary)
    if name == "cost_function":
        return _cost_cases(rng, vary)
    if name == "one_layer_backward":
        return _layer_cases(rng, vary)
    if name in _VISIBLE_SCALARS:
        return _graph_cases(name, rng, vary)
    if name not in ("forward_prop", "backprop", "update_parameters"):
        raise ValueError(f"unknown graded function {name!r}; choose one of {NAMES}")
    return _net_cases(name, rng, vary)


def cases(name: str) -> list[Case]:
    """The visible test cases of ``name``: the ones a student's check runs; the same every call."""
    rng = np.random.default_rng(zlib.crc32(f"{name}:visible".encode()))
    return build_cases(name, rng, vary=False)
