"""Cost functions and their gradients with respect to the output activation.

Both requirements the course puts on a cost function hold for all three:
the cost is an average of per-example costs, and it is a function of the
output activations ``AL`` (and the labels ``Y``) only.

Shapes follow the course: ``AL`` and ``Y`` are (n_outputs, m), one column per
example. Predictions of exactly 0 or 1 never produce ``inf`` or ``nan``: the
logarithms are taken of values clipped to [EPS, 1 − EPS].
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dnn_ref.validation import as_matrix, check_binary_labels, check_same_shape

Array = NDArray[np.float64]

EPS = 1e-12
"""Predictions are clipped to [EPS, 1 − EPS] before taking a logarithm."""


def _pair(AL: ArrayLike, Y: ArrayLike) -> tuple[Array, Array]:
    AL = as_matrix(AL, "AL")
    Y = as_matrix(Y, "Y")
    check_same_shape(AL, "AL", Y, "Y")
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
    """∂C/∂AL of :func:`quadratic_cost`: (2/m)(AL − Y), shape (n_outputs, m)."""
    AL, Y = _pair(AL, Y)
    return 2.0 * (AL - Y) / Y.shape[1]


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

    This is the ``dAL`` that starts backpropagation. Like the course code it
    leaves out the 1/m, which :func:`dnn_ref.network.one_layer_backward`
    applies to dW and db. The formula is used as it stands (so it agrees with
    published values even for an ``AL`` outside (0, 1)); only predictions of
    exactly 0 or 1, where it would divide by zero, are moved to EPS or 1 − EPS.

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
    """
    AL, Y = _pair(AL, Y)
    return float(-np.sum(Y * np.log(np.clip(AL, EPS, 1.0))) / Y.shape[1])


def categorical_cross_entropy_gradient(AL: ArrayLike, Y: ArrayLike) -> Array:
    """Per-example ∂C/∂AL of the log loss: −Y / AL, shape (K, m)."""
    AL, Y = _pair(AL, Y)
    return -Y / np.clip(AL, EPS, 1.0)
