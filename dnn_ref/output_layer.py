"""The output layer: its activation, and its cost, error and predictions from Z or AL.

The course's network ends in a sigmoid (0/1 labels, shape (1, m)) or, for K
classes, a softmax (one-hot labels, shape (K, m)), each with its cross-entropy.
Both are computed here the way frameworks compute them: the cost from the output
layer's pre-activation ZL (softplus(z) − y·z, or log-sum-exp; see
:mod:`dnn_ref.losses`) and the error dZL = AL − Y, with no division by a rounded
probability. :mod:`dnn_ref.network`, :mod:`dnn_ref.training` and
:mod:`dnn_ref.layers` use them; ``dnn_ref.network`` re-exports
:func:`cost_from_logits` and :func:`output_error`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dnn_ref.activations import sigmoid, softmax
from dnn_ref.losses import binary_cross_entropy_with_logits, softmax_cross_entropy_with_logits
from dnn_ref.validation import as_matrix, check_binary_labels, check_same_shape, n_layers

Array = NDArray[np.float64]

OUTPUTS = ("sigmoid", "softmax")
"""Output layers: a sigmoid (binary cross-entropy) or a softmax over K classes
(categorical cross-entropy)."""


def output_activation(output: str) -> Callable[[ArrayLike], Array]:
    """The output layer's activation by name: :func:`sigmoid` or :func:`softmax`."""
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}; choose one of {OUTPUTS}")
    return sigmoid if output == "sigmoid" else softmax


def cost_from_logits(
    ZL: ArrayLike, Y: ArrayLike, parameters: Mapping[str, Array] | None = None,
    lambd: float = 0.0, *, output: str = "sigmoid",
) -> float:
    """The cross-entropy of the output layer, computed from its Z (plus the L2 term).

    What :func:`dnn_ref.network.cost_function` computes from AL, taken from ZL = ``caches[-1][1]``
    as frameworks do: softplus(z) − y·z for a sigmoid output, log-sum-exp for
    softmax (:mod:`dnn_ref.losses`). It is exact where AL rounds to 0 or 1,
    where the clipped logarithm of ``cost_function`` stops at 27.63 per
    example. :func:`dnn_ref.training.train` records this cost.

    Parameters
    ----------
    ZL : array_like, shape (nL, m)
    Y : array_like, shape (nL, m)
        0/1 labels (sigmoid) or one-hot columns (softmax).
    parameters, lambd
        As in :func:`dnn_ref.network.cost_function`.
    output : {"sigmoid", "softmax"}
    """
    output_activation(output)
    data = (binary_cross_entropy_with_logits if output == "sigmoid"
            else softmax_cross_entropy_with_logits)
    return data(ZL, Y) + l2_penalty(parameters, lambd, np.shape(Y)[1])


def l2_penalty(parameters: Mapping[str, Array] | None, lambd: float, m: int) -> float:
    """The L2 term (λ/2m) Σ_l ‖W{l}‖² of a cost on m examples; 0 when λ = 0."""
    if not lambd:
        return 0.0
    if parameters is None:
        raise ValueError("a cost with lambd > 0 needs the parameters for the L2 term")
    L = n_layers(parameters)
    return float(lambd / (2 * m) * sum(np.sum(parameters[f"W{l}"] ** 2)
                                       for l in range(1, L + 1)))


def output_error(AL: ArrayLike, Y: ArrayLike) -> Array:
    """dZL = AL − Y, the output layer's error for cross-entropy, shape (nL, m).

    For a sigmoid unit, dAL = (a − y)/(a(1 − a)) and σ′(z) = a(1 − a) cancel;
    for softmax the vector–Jacobian product of −y/a gives a − y too
    (:func:`dnn_ref.activations.softmax_backward`). Per example, no 1/m.

    Raises
    ------
    ValueError
        If the shapes differ or a label is not 0 or 1.
    """
    AL = as_matrix(AL, "AL")
    Y = as_matrix(Y, "Y")
    check_same_shape(AL, "AL", Y, "Y")
    check_binary_labels(Y)
    return AL - Y


def predictions(AL: Array, output: str = "sigmoid", threshold: float = 0.5) -> Array:
    """0/1 predictions from output activations AL (nL, m), in the labels' shape.

    Sigmoid: 1 where AL > ``threshold``. Softmax: the one-hot column of the
    most probable class (the first, on a tie).
    """
    output_activation(output)
    if output == "softmax":
        return np.eye(AL.shape[0])[:, AL.argmax(axis=0)]
    return (AL > threshold).astype(np.float64)
