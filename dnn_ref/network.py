"""The functional network API: initialise, forward, cost, backward, update, predict.

Names and signatures are those of the numpy article [Numpy-RO], with its bugs fixed.
Shapes, for a network with ``layer_dims = [n0, n1, …, nL]`` and m examples:

========  ==============  =====================================
name      shape           meaning
========  ==============  =====================================
X, A0     (n0, m)         inputs, one column per example
W{l}      (n_l, n_{l−1})  weights of layer l
b{l}      (n_l, 1)        biases of layer l (broadcast over m)
Z{l}      (n_l, m)        pre-activations W{l}·A{l−1} + b{l}
A{l}      (n_l, m)        activations g(Z{l})
AL, Y     (nL, m)         output probabilities and labels: (1, m) 0/1
                          for a sigmoid output, (K, m) one-hot for softmax
========  ==============  =====================================

A cache is ``((A_prev, W, b), Z)``: the linear cache and the activation
cache of one layer. The output layer is a sigmoid (``output="softmax"`` for K
classes); hidden layers use ``hidden_activation``. The backward pass is
BP1–BP4 in batch form:

* BP1 ``dZL = dAL ⊙ σ′(ZL)``, which for cross-entropy multiplies out to
  ``dZL = AL − Y`` (softmax too); :func:`backprop` uses that form, exact
  where AL rounds to 0 or 1;
* BP2 ``dZ{l} = (W{l+1}ᵀ·dZ{l+1}) ⊙ g′(Z{l})``, i.e. ``dA_prev = Wᵀ·dZ`` then ⊙ g′;
* BP3 ``db{l} = (1/m) Σ_examples dZ{l}``;
* BP4 ``dW{l} = (1/m) dZ{l}·A{l−1}ᵀ``.

The training loop that strings these together is :func:`dnn_ref.training.train`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dnn_ref.activations import Softmax, get_activation
from dnn_ref.losses import binary_cross_entropy
from dnn_ref.output_layer import cost_from_logits as cost_from_logits  # re-exported
from dnn_ref.output_layer import l2_penalty, output_activation, output_error, predictions
from dnn_ref.validation import as_matrix, check_same_shape, n_layers

Array = NDArray[np.float64]
Params = dict[str, Array]
Cache = tuple[tuple[Array, Array, Array], Array]

INITS = ("random", "he", "xavier")


def init_params(
    layer_dims: Iterable[int], seed: int | None = 3, scale: float = 0.01, method: str = "random"
) -> Params:
    """Initialise weights and biases for ``layer_dims = [n0, n1, …, nL]``.

    Parameters
    ----------
    layer_dims : iterable of int
        Units per layer, input layer first; at least two entries.
    seed : int or None
        Seed of ``np.random.seed`` ([Numpy-RO] uses 3), so results match the
        course's published numbers. ``None`` leaves the global state alone.
    scale : float
        Factor for ``method="random"``: W{l} = randn(n_l, n_{l−1}) · scale.
    method : {"random", "he", "xavier"}
        "he" scales by √(2/n_{l−1}) (for ReLU), "xavier" by √(1/n_{l−1}) (LeCun's
        scale, for tanh; Glorot's own is √(2/(n_{l−1}+n_l))); both ignore ``scale``.

    Returns
    -------
    dict
        ``{'W1': (n1, n0), 'b1': (n1, 1), …}``; biases are zero.
    """
    dims = list(layer_dims)
    if any(not float(n).is_integer() for n in dims):
        raise ValueError(f"layer_dims must be whole numbers of units; got {dims}")
    dims = [int(n) for n in dims]
    if len(dims) < 2 or min(dims) < 1:
        raise ValueError(
            f"layer_dims needs at least an input and an output size, all ≥ 1; got {dims}"
        )
    if method not in INITS:
        raise ValueError(f"unknown init method {method!r}; choose one of {INITS}")
    if seed is not None:
        np.random.seed(seed)  # noqa: NPY002 - the legacy global RNG reproduces [Numpy-RO]'s numbers
    params: Params = {}
    for l in range(1, len(dims)):
        factor = {"random": scale, "he": np.sqrt(2.0 / dims[l - 1]),
                  "xavier": np.sqrt(1.0 / dims[l - 1])}[method]
        params[f"W{l}"] = np.random.randn(dims[l], dims[l - 1]) * factor  # noqa: NPY002
        params[f"b{l}"] = np.zeros((dims[l], 1))
    return params


def forward_prop(
    X: ArrayLike, parameters: Mapping[str, Array], hidden_activation: str = "sigmoid", *,
    output: str = "sigmoid",
) -> tuple[Array, list[Cache]]:
    """Run the network forward on a batch.

    Parameters
    ----------
    X : array_like, shape (n0, m)
    parameters : dict
        ``W1, b1, …, WL, bL`` as made by :func:`init_params`.
    hidden_activation : {"sigmoid", "relu", "tanh", "leaky_relu"}
        Activation of layers 1 … L−1.
    output : {"sigmoid", "softmax"}
        Activation of layer L: a sigmoid per unit, or a softmax over the
        nL = K units of each column (class probabilities).

    Returns
    -------
    AL : ndarray, shape (nL, m)
        Output activations.
    caches : list of L caches ``((A_prev, W, b), Z)``
        ``caches[l-1]`` belongs to layer l.
    """
    A = as_matrix(X, "X")
    L = n_layers(parameters)
    g = get_activation(hidden_activation)
    f = output_activation(output)
    if isinstance(g, Softmax):
        raise ValueError("softmax is an output activation: pass output='softmax' and a "
                         "hidden_activation such as 'relu'")
    caches: list[Cache] = []
    for l in range(1, L + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        if W.shape[1] != A.shape[0] or b.shape != (W.shape[0], 1):
            prev = "X" if l == 1 else f"A{l - 1}"
            raise ValueError(
                f"layer {l}: W{l} {W.shape} and b{l} {b.shape} do not fit {prev} {A.shape}; "
                f"W{l} must be (n{l}, {A.shape[0]}) and b{l} (n{l}, 1)"
            )
        Z = W @ A
        Z += b
        caches.append(((A, W, b), Z))
        A = f(Z) if l == L else g(Z)
    return A, caches


def cost_function(
    AL: ArrayLike, Y: ArrayLike, parameters: Mapping[str, Array] | None = None,
    lambd: float = 0.0,
) -> float:
    """Binary cross-entropy, plus the L2 term (λ/2m) Σ_l ‖W{l}‖² when ``lambd`` > 0.

    Parameters
    ----------
    AL, Y : array_like, shape (1, m)
        Predicted probabilities and 0/1 labels.
    parameters : dict, optional
        Needed only when ``lambd`` > 0.
    lambd : float
        L2 strength λ (``lambda`` is a Python keyword).
    """
    return binary_cross_entropy(AL, Y) + l2_penalty(parameters, lambd, np.shape(Y)[1])


def linear_backward(
    dZ: Array, linear_cache: tuple[Array, Array, Array], *, need_dA_prev: bool = True
) -> tuple[Array | None, Array, Array]:
    """Gradients of the linear step Z = W·A_prev + b, averaged over the batch.

    Parameters
    ----------
    dZ : ndarray, shape (n_l, m)
    linear_cache : (A_prev (n_{l−1}, m), W (n_l, n_{l−1}), b (n_l, 1))
    need_dA_prev : bool
        False skips Wᵀ·dZ and returns None for it (training never uses the
        gradient with respect to the input X, and it is the costliest product
        of the first layer).

    Returns
    -------
    dA_prev : ndarray, shape (n_{l−1}, m), or None
        Wᵀ·dZ, *not* averaged: it is passed on to the previous layer.
    dW : ndarray, shape (n_l, n_{l−1})
        (1/m) dZ·A_prevᵀ (BP4).
    db : ndarray, shape (n_l, 1)
        (1/m) Σ over examples of dZ (BP3).
    """
    A_prev, W, _ = linear_cache
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T                            # BP4, averaged in place below:
    dW /= m                                       # one (n_l, n_{l−1}) array, not two
    db = dZ.sum(axis=1, keepdims=True) / m        # BP3
    dA_prev = W.T @ dZ if need_dA_prev else None  # the Wᵀ·δ half of BP2
    return dA_prev, dW, db


def one_layer_backward(
    dA: ArrayLike, cache: Cache, activation: str = "sigmoid", *, need_dA_prev: bool = True,
    A: Array | None = None,
) -> tuple[Array | None, Array, Array]:
    """Backward step through one layer: activation, then linear.

    Parameters
    ----------
    dA : array_like, shape (n_l, m)
        Per example ∂C_x/∂A of this layer's output (no 1/m: that is in dW, db).
    cache : ((A_prev, W, b), Z)
        As stored by :func:`forward_prop` for this layer.
    activation : str
        The layer's activation, to differentiate at the cached Z.
    need_dA_prev : bool
        Passed to :func:`linear_backward`.
    A : ndarray, shape (n_l, m), optional
        This layer's output g(Z), if the caller has it (:func:`backprop` passes
        a hidden layer's, cached as the next layer's A_prev). A sigmoid's
        derivative is then σ′(Z) = A(1 − A), with no exponential to compute.

    Returns
    -------
    dA_prev (n_{l−1}, m) or None, dW (n_l, n_{l−1}), db (n_l, 1)
    """
    linear_cache, Z = cache
    dA = np.asarray(dA, dtype=np.float64)
    check_same_shape(dA, "dA", Z, "the cached Z")
    # BP1 (output layer) / second half of BP2 (hidden layers): dZ = dA ⊙ g′(Z).
    if activation == "sigmoid" and A is not None:
        check_same_shape(A, "A", Z, "the cached Z")
        dZ = dA * A * (1.0 - A)               # σ′(Z) = σ(Z)(1 − σ(Z)) = A(1 − A)
    else:
        dZ = dA * get_activation(activation).derivative(Z)
    return linear_backward(dZ, linear_cache, need_dA_prev=need_dA_prev)


def backprop(
    AL: ArrayLike, Y: ArrayLike, caches: list[Cache], hidden_activation: str = "sigmoid",
    lambd: float = 0.0, *, need_dA0: bool = True,
) -> dict[str, Array]:
    """Gradients of the cost for every layer.

    The output layer's error is taken as frameworks take it, dZL = AL − Y
    (BP1 with the cross-entropy's dAL and σ′ multiplied out; the same for a
    softmax output with categorical cross-entropy). Formed as dAL ⊙ σ′(ZL) it
    would be wrong where AL rounds to 1 or 0: at z = 37 with label 0 it
    gives 8.5e-5 instead of 1, and learning stops. Hidden layers are BP2 as
    :func:`one_layer_backward` computes it.

    Parameters
    ----------
    AL : array_like, shape (nL, m)
        Output of :func:`forward_prop` (for these caches).
    Y : array_like, shape (nL, m)
        0/1 labels, or one-hot columns for a softmax output.
    caches : list of L caches from :func:`forward_prop`.
    hidden_activation : str
        Must match the one used in the forward pass.
    lambd : float
        L2 strength; adds (λ/m)·W{l} to every dW{l}, the gradient of the L2
        term of :func:`cost_function`. (Seed 000 adds the same term inside its
        update rule instead; the resulting step is identical.)
    need_dA0 : bool
        False leaves out ``dA0``, the gradient with respect to X, which
        training does not need (:func:`train` passes False).

    Returns
    -------
    dict
        ``dW1…dWL`` and ``db1…dbL`` (averaged over the m examples) and
        ``dA0…dA{L−1}`` where ``dA{l−1}`` = W{l}ᵀ·dZ{l} (not averaged).
    """
    L = len(caches)
    if L == 0:
        raise ValueError("caches is empty; pass the caches returned by forward_prop")
    dZ = output_error(AL, Y)  # BP1 for cross-entropy: dZL = AL − Y
    m = dZ.shape[1]
    grads: dict[str, Array] = {}
    dA = None  # layer L starts from dZ, each layer below from the dA_prev of the one above
    for l in range(L, 0, -1):
        need = l > 1 or need_dA0
        if l == L:
            dA_prev, dW, db = linear_backward(dZ, caches[l - 1][0], need_dA_prev=need)
        else:  # BP2; a hidden layer's output A is the next layer's cached input
            A = caches[l][0][0]
            dA_prev, dW, db = one_layer_backward(dA, caches[l - 1], hidden_activation,
                                                 need_dA_prev=need, A=A)
        if lambd:
            dW += (lambd / m) * caches[l - 1][0][1]
        grads[f"dW{l}"], grads[f"db{l}"] = dW, db
        if need:
            grads[f"dA{l - 1}"] = dA_prev
        dA = dA_prev
    return grads


def update_parameters(
    parameters: Mapping[str, Array], grads: Mapping[str, Array], learning_rate: float
) -> Params:
    """One gradient-descent step, W ← W − α·dW and b ← b − α·db, for every layer.

    Returns a new dict; ``parameters`` and ``grads`` are not modified, so
    calling it twice on the same inputs gives the same answer.

    Raises
    ------
    ValueError
        If a gradient is missing (naming its key, e.g. ``'dW2'``) or has
        another shape than its parameter.
    """
    L = n_layers(parameters)
    new: Params = {}
    for l in range(1, L + 1):
        for p in "Wb":
            key, gkey = f"{p}{l}", f"d{p}{l}"
            if gkey not in grads:
                raise ValueError(
                    f"grads has no key {gkey!r} for parameter {key!r}; gradient keys are "
                    f"'dW1', 'db1', … (it has: {', '.join(sorted(grads))})"
                )
            if np.shape(grads[gkey]) != parameters[key].shape:
                raise ValueError(
                    f"grads[{gkey!r}] has shape {np.shape(grads[gkey])} but {key} has shape "
                    f"{parameters[key].shape}"
                )
            new[key] = parameters[key] - learning_rate * grads[gkey]
    return new


def predict(
    X: ArrayLike, parameters: Mapping[str, Array], hidden_activation: str = "sigmoid",
    threshold: float = 0.5, *, output: str = "sigmoid",
) -> Array:
    """Class predictions of 0.0 and 1.0, in the shape of the labels, (nL, m).

    A sigmoid output predicts 1 where AL > ``threshold``; a softmax output
    predicts the one-hot column of its most probable class (``threshold`` is
    not used).
    """
    AL, _ = forward_prop(X, parameters, hidden_activation, output=output)
    return predictions(AL, output, threshold)


def accuracy(Y_pred: ArrayLike, Y: ArrayLike) -> float:
    """Fraction of examples (columns) whose prediction equals the label, in [0, 1].

    Y_pred and Y are (1, m) 0/1 rows or (K, m) one-hot columns: an example
    counts when its whole column agrees.
    """
    Y_pred = as_matrix(Y_pred, "Y_pred")
    Y = as_matrix(Y, "Y")
    check_same_shape(Y_pred, "Y_pred", Y, "Y")
    return float(np.mean(np.all(Y_pred == Y, axis=0)))
