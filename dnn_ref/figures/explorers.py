"""The numbers behind the book's slider figures, computed once at build time.

A static web page cannot run Python, so each explorer of the book is
precomputed: one result per slider position, all of them shipped in the
page, and the slider only chooses which one is drawn (see
:mod:`dnn_ref.figures.explorer_figures`). The functions here compute those results
with the course's own code and nothing else:

* :func:`descent_paths`: gradient descent from one start, one path per
  learning rate (chapter 3).
* :func:`chain_gradients`: the gradient that reaches each layer of a chain
  of single neurons, one curve per weight size (chapter 4).
* :func:`decision_maps`: a trained network's output over the plane, one map
  per architecture (chapter 7).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dnn_ref.network import accuracy as network_accuracy
from dnn_ref.network import forward_prop, one_layer_backward, predict
from dnn_ref.validation import as_matrix, check_binary_labels

Array = NDArray[np.float64]
Params = dict[str, Array]


def descent_paths(
    grad: Callable[[Array], ArrayLike], start: ArrayLike, learning_rates: Iterable[float],
    steps: int, bound: float,
) -> list[Array]:
    """Gradient descent ``w ← w − α·grad(w)`` from ``start``, once per learning rate α.

    Parameters
    ----------
    grad : callable
        The gradient of the cost: shape (2,) in, shape (2,) out.
    start : array_like, shape (2,)
    learning_rates : iterable of float > 0
    steps : int ≥ 1
        Steps per path.
    bound : float > 0
        A path stops after its first iterate outside the square [−bound, bound]²
        (it diverges; the figure need not follow it further).

    Returns
    -------
    list of ndarray, each of shape (2, k + 1)
        The iterates w₀ = start, w₁, …, w_k of each rate, k ≤ ``steps``.
    """
    w0 = np.asarray(start, dtype=np.float64)
    if w0.shape != (2,) or not np.isfinite(w0).all():
        raise ValueError(f"start must be a finite point (w1, w2), shape (2,); got {start!r}")
    if not (isinstance(steps, int) and steps >= 1):
        raise ValueError(f"steps must be an integer ≥ 1, got {steps!r}")
    if not bound > 0:
        raise ValueError(f"bound must be > 0, got {bound!r}")
    paths = []
    for rate in learning_rates:
        if not rate > 0:
            raise ValueError(f"every learning rate must be > 0, got {rate!r}")
        path = [w0]
        w = w0
        for _ in range(steps):
            w = w - rate * np.asarray(grad(w), dtype=np.float64)
            path.append(w)
            if not np.abs(w).max() <= bound:      # also stops on nan
                break
        paths.append(np.stack(path, axis=1))
    return paths


def chain_gradients(
    weights: Iterable[float], layers: int, activation: str = "sigmoid", a0: float = 0.5,
) -> tuple[Array, Array]:
    """Backpropagate through a chain of single neurons, once per weight size.

    The chain is ``a_l = f(w·a_{l−1})`` for l = 1, …, ``layers`` (all weights
    w, all biases 0), run forward from ``a0`` by :func:`dnn_ref.forward_prop`
    and backward from ∂a_L/∂a_L = 1 by :func:`dnn_ref.one_layer_backward`.

    Parameters
    ----------
    weights : iterable of float
        The weight sizes w, one chain each.
    layers : int ≥ 1
        L, the chain's length.
    activation : str
        The activation f of every neuron (a name :func:`dnn_ref.forward_prop`
        accepts for the hidden layers: "sigmoid", "tanh", "relu", ...).
    a0 : float
        The input.

    Returns
    -------
    gradients : ndarray, shape (len(weights), layers)
        ``gradients[i, k − 1]`` = |∂a_L/∂a_{L−k}| for the i-th weight: the size
        of the gradient k layers back from the output.
    z : ndarray, shape (len(weights), layers)
        ``z[i, l − 1]``, the pre-activation of layer l: where on f's slope that
        neuron sits.
    """
    ws = np.asarray(list(weights), dtype=np.float64)
    if ws.ndim != 1 or not np.isfinite(ws).all():
        raise ValueError(f"weights must be a sequence of finite numbers, got {weights!r}")
    if not (isinstance(layers, int) and layers >= 1):
        raise ValueError(f"layers must be an integer ≥ 1, got {layers!r}")
    gradients = np.empty((ws.size, layers))
    zs = np.empty((ws.size, layers))
    for i, w in enumerate(ws):
        # forward_prop's last layer is always a sigmoid: the chain is its L hidden
        # layers, and the extra output neuron is not backpropagated through.
        params = {}
        for l in range(1, layers + 2):
            params[f"W{l}"] = np.full((1, 1), w if l <= layers else 1.0)
            params[f"b{l}"] = np.zeros((1, 1))
        _, caches = forward_prop(np.full((1, 1), float(a0)), params, activation)
        grad = np.ones((1, 1))
        for k, cache in enumerate(reversed(caches[:layers]), start=1):
            grad, _, _ = one_layer_backward(grad, cache, activation)
            gradients[i, k - 1] = abs(grad[0, 0])
        zs[i] = [Z[0, 0] for _, Z in caches[:layers]]
    return gradients, zs


@dataclass(frozen=True)
class DecisionMaps:
    """A classifier's output over a square grid, for several trained networks.

    Attributes
    ----------
    probabilities : ndarray, shape (n_settings, resolution, resolution), uint8
        The output probability ×255, rounded; row index = second coordinate.
    accuracy : ndarray, shape (n_settings,)
        Training-set accuracy of each network.
    x_range, y_range : tuple of float
        The grid spans [x_range[0], x_range[1]] × [y_range[0], y_range[1]].
    """

    probabilities: NDArray[np.uint8]
    accuracy: Array
    x_range: tuple[float, float]
    y_range: tuple[float, float]


def decision_maps(
    fit: Callable[[Array, Array, list[int], str], Params], X: ArrayLike, Y: ArrayLike,
    settings: Sequence[tuple[list[int], str]], resolution: int = 60,
) -> DecisionMaps:
    """Train one network per setting and record its output over the plane.

    Parameters
    ----------
    fit : callable
        ``fit(X, Y, hidden_sizes, activation) -> params``: trains a binary
        classifier with hidden layers of the given sizes and activation.
    X : array_like, shape (2, m)
    Y : array_like, shape (1, m)
    settings : sequence of (list of int, str)
        (hidden layer sizes, activation) of each network.
    resolution : int ≥ 2
        Grid points along each axis.
    """
    X, Y = as_matrix(X, "X"), as_matrix(Y, "Y")
    if X.shape[0] != 2 or Y.shape != (1, X.shape[1]):
        raise ValueError(f"X must have shape (2, m) and Y (1, m); got {X.shape} and {Y.shape}")
    check_binary_labels(Y)
    if not (isinstance(resolution, int) and resolution >= 2):
        raise ValueError(f"resolution must be an integer ≥ 2, got {resolution!r}")
    x_range, y_range = (_padded(X[0]), _padded(X[1]))
    gx, gy = np.meshgrid(np.linspace(*x_range, resolution), np.linspace(*y_range, resolution))
    grid = np.stack([gx.ravel(), gy.ravel()])
    maps = np.empty((len(settings), resolution, resolution), dtype=np.uint8)
    accuracy = np.empty(len(settings))
    for i, (hidden, activation) in enumerate(settings):
        params = fit(X, Y, list(hidden), activation)
        P = forward_prop(grid, params, activation)[0].reshape(gx.shape)
        maps[i] = np.rint(255 * P).astype(np.uint8)
        accuracy[i] = network_accuracy(predict(X, params, activation), Y)
    return DecisionMaps(maps, accuracy, x_range, y_range)


def _padded(values: Array, pad: float = 0.1) -> tuple[float, float]:
    lo, hi = float(values.min()), float(values.max())
    margin = pad * (hi - lo or 1.0)
    return lo - margin, hi + margin
