"""Cost functions and their gradients, from the output activations or from Z.

Both requirements the course puts on a cost function hold for all of them:
the cost is an average of per-example costs, C = (1/m) Σₓ Cₓ, and it is a
function of the output layer (and the labels ``Y``) only.

One convention for every gradient: a ``*_gradient`` function returns the
**per-example** derivative ∂Cₓ/∂a (or ∂Cₓ/∂z), column x for example x, with no
1/m. That is the ``dA`` :func:`dnn_ref.network.one_layer_backward` expects: it
applies the 1/m once, in dW and db. (The derivative of the averaged cost C is
the returned array divided by m.)

Two routes to a cross-entropy:

* from probabilities ``AL`` (:func:`binary_cross_entropy`,
  :func:`categorical_cross_entropy`), for a reader's own predictions. Their
  logarithms are taken of values clipped to [EPS, 1 − EPS], so predictions of
  exactly 0 or 1 never give ``inf`` or ``nan``; but a confidently wrong
  prediction then costs −log(EPS) ≈ 27.63 however wrong it is;
* from the output layer's pre-activation ``Z`` (the ``*_with_logits``
  functions), the way frameworks compute it: exact for every finite z, with
  gradients σ(z) − y and softmax(z) − y. Training uses this route.

Shapes follow the course: ``AL``, ``Z`` and ``Y`` are (n_outputs, m), one
column per example.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dnn_ref.activations import sigmoid, softmax
from dnn_ref.validation import (
    as_matrix,
    check_binary_labels,
    check_one_hot_labels,
    check_same_shape,
)

Array = NDArray[np.float64]

EPS = 1e-12
"""Predictions are clipped to [EPS, 1 − EPS] before taking a logarithm."""


def _pair(AL: ArrayLike, Y: ArrayLike, name: str = "AL") -> tuple[Array, Array]:
    AL = as_matrix(AL, name)
    Y = as_matrix(Y, "Y")
    check_same_shape(AL, name, Y, "Y")
    return AL, Y


def quadratic_cost(AL: ArrayLike, Y: ArrayLike) -> float:
    """Quadratic cost C = (1/m) Σₓ ‖y − aᴸ‖², as in the course slides.

    Parameters
    ----------
    AL, Y : array_like, shape (n_outputs, m)
        Output activations and targets.

    Notes
    -----
    Nielsen's book puts a factor 1/2 in front; the slides do not. The factor
    only rescales the gradient (and so the learning rate).
    """
    AL, Y = _pair(AL, Y)
    return float(np.sum((Y - AL) ** 2) / Y.shape[1])


def quadratic_cost_gradient(AL: ArrayLike, Y: ArrayLike) -> Array:
    """Per-example ∂Cₓ/∂a of :func:`quadratic_cost`: 2(AL − Y), shape (n_outputs, m).

    Cₓ = ‖y − a‖² is example x's cost; like every gradient here it has no
    1/m, so it can be fed to :func:`dnn_ref.network.one_layer_backward` as
    ``dA``. The gradient of the averaged cost C is 2(AL − Y)/m.
    """
    AL, Y = _pair(AL, Y)
    return 2.0 * (AL - Y)


def binary_cross_entropy(AL: ArrayLike, Y: ArrayLike) -> float:
    """Binary cross-entropy C = −(1/m) Σ [y log a + (1 − y) log(1 − a)].

    Parameters
    ----------
    AL : array_like, shape (1, m)
        Predicted probabilities P(y = 1).
    Y : array_like, shape (1, m)
        Labels, each 0 or 1.

    Raises
    ------
    ValueError
        If the shapes differ or a label is not 0 or 1.
    """
    AL, Y = _pair(AL, Y)
    check_binary_labels(Y)
    A = np.clip(AL, EPS, 1.0 - EPS)
    return float(-np.sum(Y * np.log(A) + (1.0 - Y) * np.log(1.0 - A)) / Y.shape[1])


def binary_cross_entropy_gradient(AL: ArrayLike, Y: ArrayLike) -> Array:
    """Per-example ∂C/∂AL of binary cross-entropy: −(Y/AL − (1 − Y)/(1 − AL)).

    This is the ``dAL`` the course's backpropagation starts from. Like the
    course code it leaves out the 1/m, which
    :func:`dnn_ref.network.one_layer_backward` applies to dW and db. Where
    AL rounds to 0 or 1 it is wrong in float64 (its σ′(Z) factor cannot
    recover a − y); :func:`binary_cross_entropy_with_logits_gradient` is not.
    The formula is used as it stands (so it agrees with published values even
    for an ``AL`` outside (0, 1)); only predictions of exactly 0 or 1, where it
    would divide by zero, are moved to EPS or 1 − EPS.

    Raises
    ------
    ValueError
        If the shapes differ or a label is not 0 or 1.
    """
    AL, Y = _pair(AL, Y)
    check_binary_labels(Y)
    with np.errstate(divide="ignore", invalid="ignore"):
        dAL = -(Y / AL - (1.0 - Y) / (1.0 - AL))
    if not np.isfinite(dAL).all():
        A = np.where(AL == 0.0, EPS, np.where(AL == 1.0, 1.0 - EPS, AL))
        dAL = -(Y / A - (1.0 - Y) / (1.0 - A))
    return dAL


def categorical_cross_entropy(AL: ArrayLike, Y: ArrayLike) -> float:
    """Log loss for K ≥ 3 classes: C = −(1/m) Σₓ log P(true class).

    With one-hot labels this is −(1/m) Σ Σₖ yₖ log aₖ, the cross-entropy
    between the label distribution and the prediction; for K = 2 it reduces
    to :func:`binary_cross_entropy`.

    Parameters
    ----------
    AL : array_like, shape (K, m)
        Predicted class probabilities (columns sum to 1, e.g. from softmax).
    Y : array_like, shape (K, m)
        One-hot labels.

    See :func:`softmax_cross_entropy_with_logits` for the exact route from Z.
    """
    AL, Y = _pair(AL, Y)
    return float(-np.sum(Y * np.log(np.clip(AL, EPS, 1.0))) / Y.shape[1])


def categorical_cross_entropy_gradient(AL: ArrayLike, Y: ArrayLike) -> Array:
    """Per-example ∂C/∂AL of the log loss: −Y / AL, shape (K, m)."""
    AL, Y = _pair(AL, Y)
    return -Y / np.clip(AL, EPS, 1.0)


def binary_cross_entropy_with_logits(Z: ArrayLike, Y: ArrayLike) -> float:
    """Binary cross-entropy of a = σ(z), computed from z: (1/m) Σ [softplus(z) − y·z].

    With a = σ(z), −log a = log(1 + e^(−z)) and −log(1 − a) = log(1 + e^z),
    so −[y log a + (1 − y) log(1 − a)] = log(1 + e^z) − y·z. ``np.logaddexp(0, z)``
    is log(1 + e^z) without overflow, so the cost is exact for every finite z:
    37 at z = 37 with label 0 (the clipped route gives −log(EPS) ≈ 27.63), as
    PyTorch's ``binary_cross_entropy_with_logits``.

    Parameters
    ----------
    Z : array_like, shape (1, m)
        The output layer's pre-activations (the logits), ``caches[-1][1]``.
    Y : array_like, shape (1, m)
        Labels, each 0 or 1.
    """
    Z, Y = _pair(Z, Y, "Z")
    check_binary_labels(Y)
    return float(np.sum(np.logaddexp(0.0, Z) - Y * Z) / Y.shape[1])


def binary_cross_entropy_with_logits_gradient(Z: ArrayLike, Y: ArrayLike) -> Array:
    """Per-example ∂Cₓ/∂z of :func:`binary_cross_entropy_with_logits`: σ(Z) − Y, shape (1, m).

    This is dZ of a sigmoid output layer (BP1 with the cross-entropy's dAL
    and σ′ multiplied out: (a − y)/(a(1 − a)) · a(1 − a) = a − y). It is 1 at
    z = 37 with label 0, where dAL ⊙ σ′(Z) from clipped probabilities gives 8.5e-5.
    """
    Z, Y = _pair(Z, Y, "Z")
    check_binary_labels(Y)
    return sigmoid(Z) - Y


def softmax_cross_entropy_with_logits(Z: ArrayLike, Y: ArrayLike) -> float:
    """Categorical cross-entropy of a = softmax(z), from z by log-sum-exp.

    −log softmax(z)_k = logsumexp(z) − z_k, and logsumexp(z) = max z +
    log Σ_j e^(z_j − max z) never overflows, so for one-hot y the cost
    (1/m) Σₓ [logsumexp(zₓ) − y·zₓ] is exact, as PyTorch's ``cross_entropy``.

    Parameters
    ----------
    Z : array_like, shape (K, m)
        The output layer's pre-activations, one column of K scores per example.
    Y : array_like, shape (K, m)
        One-hot labels.
    """
    Z, Y = _pair(Z, Y, "Z")
    check_one_hot_labels(Y)
    top = Z.max(axis=0, keepdims=True)
    lse = top + np.log(np.exp(Z - top).sum(axis=0, keepdims=True))
    return float(np.sum(lse - np.sum(Y * Z, axis=0, keepdims=True)) / Y.shape[1])


def softmax_cross_entropy_with_logits_gradient(Z: ArrayLike, Y: ArrayLike) -> Array:
    """Per-example ∂Cₓ/∂z of :func:`softmax_cross_entropy_with_logits`: softmax(Z) − Y, (K, m).

    The vector–Jacobian product of softmax with ∂Cₓ/∂a = −y/a
    (:meth:`dnn_ref.activations.Softmax.backward` derives it) reduces to a − y.
    """
    Z, Y = _pair(Z, Y, "Z")
    check_one_hot_labels(Y)
    return softmax(Z) - Y
