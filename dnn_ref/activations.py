"""Activation functions and their derivatives.

Every activation exists twice, in the two styles the course uses:

* as plain functions (``sigmoid(z)`` and ``sigmoid_derivative(z)``), the style
  of the functional network API in :mod:`dnn_ref.network`;
* as small objects with ``__call__`` and ``derivative`` (``Sigmoid()(z)`` and
  ``Sigmoid().derivative(z)``), the style of the layer objects in
  :mod:`dnn_ref.layers`.

All functions work elementwise on arrays of any shape, except :func:`softmax`,
which normalises each column (one column per example). Inputs are never
modified. Derivatives are taken with respect to the pre-activation ``z``.
An object's ``backward(z, da)`` is the vector–Jacobian product ∂C/∂z from
∂C/∂a: ``da ⊙ f′(z)`` for the elementwise ones, a full product for softmax.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def _as_float(z: ArrayLike) -> Array:
    return np.asarray(z, dtype=np.float64)


def sigmoid(z: ArrayLike) -> Array:
    """Logistic function σ(z) = 1 / (1 + e^(−z)), safe for any z.

    For z < −709, e^(−z) overflows to ``inf`` and 1 / (1 + inf) = 0, which is
    the right limit, so the formula needs no special case; only numpy's
    overflow warning is silenced. It is computed in place in one buffer: this
    function is on the hot path of every forward and backward pass.

    Parameters
    ----------
    z : array_like, any shape
        Pre-activations.

    Returns
    -------
    ndarray, same shape as ``z``
        Values in [0, 1].
    """
    z = _as_float(z)
    s = np.negative(z, out=np.empty_like(z))
    with np.errstate(over="ignore"):
        np.exp(s, out=s)
    s += 1.0
    return np.reciprocal(s, out=s)


def sigmoid_derivative(z: ArrayLike) -> Array:
    """σ′(z) = σ(z)·(1 − σ(z)), same shape as ``z``.

    Computed as e^(−|z|) / (1 + e^(−|z|))², the same value written with one
    exponential that never overflows. Unlike σ·(1 − σ), it keeps its relative
    accuracy for large positive z, where 1 − σ(z) rounds to 0.
    """
    z = _as_float(z)
    e = np.abs(z, out=np.empty_like(z))
    np.negative(e, out=e)
    np.exp(e, out=e)
    d = np.add(e, 1.0, out=np.empty_like(e))
    np.square(d, out=d)
    return np.divide(e, d, out=d)


def tanh(z: ArrayLike) -> Array:
    """Hyperbolic tangent, same shape as ``z``, values in [−1, 1]."""
    return np.tanh(_as_float(z))


def tanh_derivative(z: ArrayLike) -> Array:
    """tanh′(z) = 1 − tanh(z)², same shape as ``z``."""
    t = np.tanh(_as_float(z))
    return 1.0 - t * t


def relu(z: ArrayLike) -> Array:
    """ReLU(z) = max(0, z), same shape as ``z``."""
    return np.maximum(_as_float(z), 0.0)


def relu_derivative(z: ArrayLike) -> Array:
    """ReLU′(z): 1 where z > 0, else 0.

    ReLU has no derivative at 0; we use ReLU′(0) = 0, as seeds 000 and 004
    and most libraries do. The course slides [Salton] use 1 instead; either
    is a valid subgradient, but gradient checks only agree away from 0.
    """
    return (_as_float(z) > 0).astype(np.float64)


def leaky_relu(z: ArrayLike, alpha: float = 0.01) -> Array:
    """Leaky ReLU: z where z > 0, else ``alpha``·z."""
    z = _as_float(z)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_derivative(z: ArrayLike, alpha: float = 0.01) -> Array:
    """Derivative of leaky ReLU: 1 where z > 0, else ``alpha`` (also at 0)."""
    return np.where(_as_float(z) > 0, 1.0, alpha)


def step(z: ArrayLike) -> Array:
    """Heaviside step: 1 where z ≥ 0, else 0 (the perceptron's activation)."""
    return (_as_float(z) >= 0).astype(np.float64)


def step_derivative(z: ArrayLike) -> Array:
    """Derivative of the step function: 0 everywhere it exists.

    At z = 0 the step has no derivative at all; we return 0 there too. This
    is why the step function cannot be trained by gradient descent: every
    gradient that flows through it is zero.
    """
    return np.zeros_like(_as_float(z))


def softmax(z: ArrayLike) -> Array:
    """Column-wise softmax, shifted by the column maximum for stability.

    Parameters
    ----------
    z : array_like, shape (n_classes, m)
        One column of scores per example.

    Returns
    -------
    ndarray, shape (n_classes, m)
        Each column is a probability vector (non-negative, sums to 1).
    """
    z = _as_float(z)
    if z.ndim != 2:
        raise ValueError(
            f"softmax expects a 2-D array of shape (n_classes, m), got shape {z.shape}"
        )
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_backward(z: ArrayLike, da: ArrayLike) -> Array:
    """Vector–Jacobian product of softmax: ∂C/∂z from ∂C/∂a, column by column.

    For one column, a = softmax(z) has the Jacobian ∂a_i/∂z_j = a_i(δ_ij − a_j),
    J = diag(a) − a·aᵀ, which is symmetric. Backpropagation needs
    v = ∂C/∂z = Jᵀ·u for u = ∂C/∂a (a row vector times J, hence the name)::

        v_j = Σ_i u_i a_i (δ_ij − a_j) = a_j u_j − a_j Σ_i a_i u_i = a_j (u_j − a·u)

    so no K×K matrix is formed: v = a ⊙ (u − aᵀu). With categorical
    cross-entropy, u = −y/a and aᵀu = −Σ_i y_i = −1 for a one-hot y, so
    v = −y + a = a − y: the output error s − y of
    :func:`dnn_ref.losses.softmax_cross_entropy_with_logits_gradient`.

    Parameters
    ----------
    z : array_like, shape (K, m)
        Pre-activations, one column per example.
    da : array_like, shape (K, m)
        ∂C/∂a per example.

    Returns
    -------
    ndarray, shape (K, m)
        ∂C/∂z.
    """
    a = softmax(z)
    da = _as_float(da)
    if da.shape != a.shape:
        raise ValueError(f"softmax_backward: da {da.shape} and z {a.shape} must have one shape")
    return a * (da - np.sum(a * da, axis=0, keepdims=True))


class Activation:
    """An activation as an object: call it for f(z), ``derivative`` for f′(z)."""

    name = ""

    def __call__(self, z: ArrayLike) -> Array:
        raise NotImplementedError

    def derivative(self, z: ArrayLike) -> Array:
        raise NotImplementedError

    def backward(self, z: ArrayLike, da: ArrayLike) -> Array:
        """∂C/∂z = da ⊙ f′(z): an elementwise f has a diagonal Jacobian."""
        return _as_float(da) * self.derivative(z)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    """σ(z) = 1 / (1 + e^(−z)); derivative σ(z)·(1 − σ(z))."""

    name = "sigmoid"

    def __call__(self, z: ArrayLike) -> Array:
        return sigmoid(z)

    def derivative(self, z: ArrayLike) -> Array:
        return sigmoid_derivative(z)


class Tanh(Activation):
    """tanh(z); derivative 1 − tanh(z)²."""

    name = "tanh"

    def __call__(self, z: ArrayLike) -> Array:
        return tanh(z)

    def derivative(self, z: ArrayLike) -> Array:
        return tanh_derivative(z)


class ReLU(Activation):
    """max(0, z); derivative 1 where z > 0, else 0."""

    name = "relu"

    def __call__(self, z: ArrayLike) -> Array:
        return relu(z)

    def derivative(self, z: ArrayLike) -> Array:
        return relu_derivative(z)


class LeakyReLU(Activation):
    """z where z > 0, else alpha·z; derivative 1 or alpha."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01) -> None:
        self.alpha = alpha

    def __call__(self, z: ArrayLike) -> Array:
        return leaky_relu(z, self.alpha)

    def derivative(self, z: ArrayLike) -> Array:
        return leaky_relu_derivative(z, self.alpha)

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class Step(Activation):
    """Heaviside step; derivative 0 (no gradient can flow through it)."""

    name = "step"

    def __call__(self, z: ArrayLike) -> Array:
        return step(z)

    def derivative(self, z: ArrayLike) -> Array:
        return step_derivative(z)


class Softmax(Activation):
    """Column-wise softmax, for an output layer of K classes; backward is a full VJP."""

    name = "softmax"

    def __call__(self, z: ArrayLike) -> Array:
        return softmax(z)

    def derivative(self, z: ArrayLike) -> Array:
        raise ValueError("softmax is not elementwise: each output depends on every z of its "
                         "column, so there is no f′(z) to multiply da by; use "
                         "Softmax().backward(z, da), the vector–Jacobian product")

    def backward(self, z: ArrayLike, da: ArrayLike) -> Array:
        """∂C/∂z = a ⊙ (da − aᵀ·da) per column; see :func:`softmax_backward`."""
        return softmax_backward(z, da)


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, Step, Softmax)
}


def get_activation(name: str | Activation) -> Activation:
    """Return the activation object for ``name`` (or ``name`` itself if it is one).

    Raises
    ------
    ValueError
        If ``name`` is not one of ``ACTIVATIONS``.
    """
    if isinstance(name, Activation):
        return name
    try:
        return ACTIVATIONS[name]()
    except (KeyError, TypeError):
        known = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; choose one of {known}") from None
