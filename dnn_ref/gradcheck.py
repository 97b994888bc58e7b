"""Gradient checking: compare backprop's gradients with finite differences.

For every parameter θ we nudge one element at a time and measure the cost on
both sides (the centred difference)::

    ∂C/∂θ ≈ (C(θ + ε) − C(θ − ε)) / 2ε

whose error shrinks like ε², against ε for a one-sided difference. The
analytic and numerical gradients are compared with cs231n's relative error,
``|a − b| / max(|a| + |b|, floor)``, taken elementwise and reported by its
maximum. In float64, below 1e-7 the backward pass is right; around 1e-2 or
more it is wrong.

Two things spoil the comparison without any bug in backprop:

* rounding: C is computed to about 1e-16 relative, so the numerical gradient
  carries an absolute noise of roughly 2e-16·|C|/ε (1.5e-11 for C = ln 2 and
  ε = 1e-5). An element whose true gradient is 1e-4 would show a relative
  error near 1e-7, one of 1e-6 (the first layer of a net initialised at
  scale 0.01) near 1e-5. :func:`gradient_check` therefore takes the floor
  of the denominator from the cost: ``NOISE_FLOOR · |C|`` (cs231n's fixed
  1e-8 when that is smaller). An element smaller than the floor is judged
  by its absolute difference, which rounding keeps below 1e-10·|C|; a
  wrong gradient of the same element still gives an error far above 1e-7;
* kinks: a ReLU unit whose z is within ε of 0 is differentiated on both
  sides of the kink. Zero biases cause this (z = 0 exactly when the previous
  layer outputs 0), so check with small random biases.

The default ε = 1e-5 (cs231n's) balances the two errors of the centred
difference, rounding ∝ 1/ε and truncation ∝ ε²; on the course's networks it
gives errors about ten times smaller than ε = 1e-6.

Keys follow the course: the gradient of parameter ``'W1'`` is ``'dW1'``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dnn_ref.network import backprop, forward_prop
from dnn_ref.output_layer import cost_from_logits

Array = NDArray[np.float64]

DEFAULT_THRESHOLD = 1e-7
"""A gradient passes when every element's relative error is below this."""

NOISE_FLOOR = 1e-2
"""The denominator of :func:`gradient_check`'s relative error is at least this times |C|.

With ε = 1e-5 the centred difference's rounding noise is about 2e-16·|C|/ε =
2e-11·|C|; divided by 1e-2·|C| it stays near 2e-9, under the threshold, while
an element g that is wrong by r·g shows an error of r·|g| / (1e-2·|C|): a
gradient of 1e-6 that is twice too large shows 1.4e-4 at C = ln 2.
"""


def relative_error(a: ArrayLike, b: ArrayLike, floor: float = 1e-8) -> float:
    """Largest elementwise relative error max |a − b| / max(|a| + |b|, floor).

    Parameters
    ----------
    a, b : array_like, same shape
        Typically an analytic and a numerical gradient.
    floor : float
        Lower bound of the denominator, so two zeros give 0 rather than
        0/0. cs231n uses 1e-8.

    Returns
    -------
    float
        0 for identical arrays, at most 1 (reached when one is 0 and the
        other is not, or they have opposite signs).

    Raises
    ------
    ValueError
        If the shapes differ.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs two arrays of one shape, got {a.shape} and "
                         f"{b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(_elementwise_error(a, b, floor)))


def _elementwise_error(a: Array, b: Array, floor: float = 1e-8) -> Array:
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)


def numerical_gradient(
    f: Callable[[dict[str, Array]], float], parameters: Mapping[str, ArrayLike],
    eps: float = 1e-5,
) -> dict[str, Array]:
    """Centred-difference gradient of ``f`` with respect to every parameter.

    Parameters
    ----------
    f : callable
        ``f(parameters) -> float``, e.g. the cost of a network as a function
        of its weights and biases. It is called twice per parameter element.
    parameters : dict of array_like
        Point at which to differentiate, e.g. ``{'W1': (n1, n0), 'b1': …}``.
        It is not modified: ``f`` receives a copy, in which one element at a
        time is moved to θ + ε, then θ − ε, then restored exactly.
    eps : float
        Step ε.

    Returns
    -------
    dict
        ``'d' + key`` for every key (``'dW1'`` for ``'W1'``), each array of
        its parameter's shape: (f(θ + ε) − f(θ − ε)) / 2ε elementwise.
    """
    work = {key: np.array(value, dtype=np.float64) for key, value in parameters.items()}
    grads: dict[str, Array] = {}
    for key, theta in work.items():
        grad = np.zeros_like(theta)
        for idx in np.ndindex(theta.shape):
            original = theta[idx]
            theta[idx] = original + eps
            f_plus = float(f(work))
            theta[idx] = original - eps
            f_minus = float(f(work))
            theta[idx] = original
            grad[idx] = (f_plus - f_minus) / (2.0 * eps)
        grads[f"d{key}"] = grad
    return grads


@dataclass(frozen=True)
class GradCheckResult:
    """Outcome of :func:`gradient_check`.

    Attributes
    ----------
    errors : dict
        Largest relative error of each parameter, keyed like ``'W1'``.
    worst_indices : dict
        Index of the element with that error, per parameter.
    threshold : float
        A parameter passes when its error is below this.
    floor : float
        Smallest denominator of the relative errors (see :data:`NOISE_FLOOR`).
    """

    errors: dict[str, float]
    worst_indices: dict[str, tuple[int, ...]]
    threshold: float = DEFAULT_THRESHOLD
    floor: float = 1e-8

    @property
    def worst_key(self) -> str:
        """The parameter with the largest relative error."""
        return max(self.errors, key=self.errors.__getitem__)

    @property
    def worst_error(self) -> float:
        """The largest relative error over all parameters."""
        return self.errors[self.worst_key]

    @property
    def worst_index(self) -> tuple[int, ...]:
        """Index of the worst element inside ``worst_key``."""
        return self.worst_indices[self.worst_key]

    @property
    def passed(self) -> bool:
        """True when every parameter's relative error is below ``threshold``."""
        return self.worst_error < self.threshold

    def __str__(self) -> str:
        rows = [("parameter", "max rel. error", "at index", "")]
        for key, err in self.errors.items():
            rows.append((key, f"{err:.3e}", str(self.worst_indices[key]),
                         "ok" if err < self.threshold else "FAIL"))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                 for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        verdict = "PASSED" if self.passed else f"FAILED: worst is {self.worst_key}"
        if self.floor > 1e-8:
            lines.append(f"(elements below {self.floor:.1e}, the rounding floor, are compared "
                         f"to it)")
        lines.append(f"{verdict} (threshold {self.threshold:.0e})")
        return "\n".join(lines)


def gradient_check(
    f: Callable[[dict[str, Array]], float], parameters: Mapping[str, ArrayLike],
    grads: Mapping[str, ArrayLike], eps: float = 1e-5, threshold: float = DEFAULT_THRESHOLD,
) -> GradCheckResult:
    """Compare analytic gradients with centred differences of ``f``.

    Parameters
    ----------
    f : callable
        ``f(parameters) -> float``, the function ``grads`` claims to be the
        gradient of.
    parameters : dict of array_like
        ``{'W1': …, 'b1': …}``; not modified.
    grads : dict of array_like
        Must hold ``'d' + key`` for every parameter key, of the same shape;
        other keys (such as ``'dA0'``) are ignored.
    eps : float
        Finite-difference step.
    threshold : float
        Largest relative error that still passes.

    The relative errors' denominators are at least ``NOISE_FLOOR · |f(θ)|``
    (and 1e-8): rounding makes smaller gradient elements unresolvable
    relative to themselves, so they are compared to that floor instead.

    Returns
    -------
    GradCheckResult
        Printing it gives a table with one row per parameter.

    Raises
    ------
    ValueError
        If ``parameters`` is empty, a gradient is missing (naming its key) or
        a gradient's shape differs from its parameter's.
    """
    if not parameters:
        raise ValueError("parameters is empty: there is nothing to check")
    for key, value in parameters.items():
        gkey = f"d{key}"
        if gkey not in grads:
            have = ", ".join(sorted(grads)) or "nothing"
            raise ValueError(f"grads has no key {gkey!r} for parameter {key!r} (it has: {have})")
        if np.shape(grads[gkey]) != np.shape(value):
            raise ValueError(f"grads[{gkey!r}] has shape {np.shape(grads[gkey])} but parameter "
                             f"{key!r} has shape {np.shape(value)}")
    numeric = numerical_gradient(f, parameters, eps)
    work = {key: np.array(value, dtype=np.float64) for key, value in parameters.items()}
    floor = max(1e-8, NOISE_FLOOR * abs(float(f(work))))
    errors: dict[str, float] = {}
    worst: dict[str, tuple[int, ...]] = {}
    for key in parameters:
        err = _elementwise_error(np.asarray(grads[f"d{key}"], dtype=np.float64),
                                 numeric[f"d{key}"], floor)
        if err.size == 0:
            errors[key], worst[key] = 0.0, ()
            continue
        idx = np.unravel_index(int(np.argmax(err)), err.shape)
        errors[key] = float(err[idx])
        worst[key] = tuple(int(i) for i in idx)
    return GradCheckResult(errors, worst, threshold, floor)


def check_network_gradients(
    X: ArrayLike, Y: ArrayLike, parameters: Mapping[str, ArrayLike],
    hidden_activation: str = "sigmoid", lambd: float = 0.0, eps: float = 1e-5,
    threshold: float = DEFAULT_THRESHOLD, *, output: str = "sigmoid",
) -> GradCheckResult:
    """Gradient-check :func:`dnn_ref.network.backprop` on one batch.

    The cost differentiated is the one :func:`dnn_ref.training.train`
    records, :func:`dnn_ref.output_layer.cost_from_logits` (with its L2 term).

    Parameters
    ----------
    X : array_like, shape (n0, m)
    Y : array_like, shape (nL, m)
    parameters : dict
        ``W1, b1, …, WL, bL``.
    hidden_activation : str
        Activation of the hidden layers, as in :func:`dnn_ref.network.forward_prop`.
    lambd : float
        L2 strength, used both in the cost and in the gradients.
    eps, threshold
        As in :func:`gradient_check`.
    output : {"sigmoid", "softmax"}
        The output layer, as in :func:`dnn_ref.network.forward_prop`.

    Returns
    -------
    GradCheckResult
    """
    params = {key: np.asarray(value, dtype=np.float64) for key, value in parameters.items()}
    AL, caches = forward_prop(X, params, hidden_activation, output=output)
    grads = backprop(AL, Y, caches, hidden_activation, lambd)

    def cost(p: dict[str, Array]) -> float:
        ZL = forward_prop(X, p, hidden_activation, output=output)[1][-1][1]
        return cost_from_logits(ZL, Y, p, lambd, output=output)

    return gradient_check(cost, params, grads, eps, threshold)
