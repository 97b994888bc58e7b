"""Training a classifier by (mini-batch) gradient descent with the functional API.

:func:`train` is the loop of the numpy article [Numpy-RO]: initialise, then every
epoch run the forward pass on the whole training set, record the cost, and for
each mini-batch backpropagate and update (:mod:`dnn_ref.network` holds each
step). Shapes as there: ``X`` is (n0, m), ``Y`` is (1, m), or (K, m) one-hot
with ``output="softmax"``.

The loop runs with as many BLAS threads as the matrices are worth
(:func:`blas_threads`): for the course's small products, handing work to a
second thread costs more than it saves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from threadpoolctl import ThreadpoolController
from tqdm.auto import tqdm

from dnn_ref.network import (
    Cache,
    Params,
    backprop,
    forward_prop,
    init_params,
    update_parameters,
)
from dnn_ref.output_layer import cost_from_logits
from dnn_ref.validation import as_matrix

Array = NDArray[np.float64]


def train(
    X: ArrayLike, Y: ArrayLike, layer_dims: Iterable[int], epochs: int, learning_rate: float,
    *, hidden_activation: str = "sigmoid", init: str = "random", seed: int | None = 3,
    scale: float = 0.01, batch_size: int | None = None, lambd: float = 0.0,
    progress: bool = True, output: str = "sigmoid",
) -> tuple[Params, list[float]]:
    """Train a classifier by (mini-batch) gradient descent.

    Parameters
    ----------
    X : array_like, shape (n0, m)
    Y : array_like, shape (nL, m)
        0/1 labels, (1, m) for the default sigmoid output; one-hot columns,
        (K, m), for ``output="softmax"``.
    layer_dims : iterable of int
        ``[n0, n1, …, nL]``; the first entry must equal X's number of rows
        and the last Y's (1, or K classes).
    epochs : int
        Passes over the training set.
    learning_rate : float
    hidden_activation, init, seed, scale
        Passed to :func:`forward_prop` and :func:`init_params`.
    batch_size : int or None
        ``None`` (default) is full-batch gradient descent; 1 is stochastic
        gradient descent. Examples are shuffled every epoch with a generator
        seeded by ``seed``.
    lambd : float
        L2 strength λ. The recorded cost has the term (λ/2m) Σ_l ‖W{l}‖², m the
        training-set size; every step, on a mini-batch or on the whole set, adds
        its gradient (λ/m)·W{l} to the batch's mean data gradient, so, taken at
        the same parameters, the mean of one epoch's equal mini-batch gradients
        is the gradient of the recorded cost (see :func:`_batch_gradients`).
    progress : bool
        Show a tqdm progress bar.
    output : {"sigmoid", "softmax"}
        The output layer, as in :func:`dnn_ref.network.forward_prop`.

    Returns
    -------
    parameters : dict
        The trained parameters.
    cost_history : list of float
        The cost on the whole training set at the start of each epoch, before
        its updates ([Numpy-RO]'s convention), one entry per epoch. It is
        computed from the output layer's Z (:func:`dnn_ref.output_layer.cost_from_logits`),
        exact even where AL rounds to 0 or 1.
    """
    X = as_matrix(X, "X")
    Y = as_matrix(Y, "Y")
    dims = list(layer_dims)
    if dims and dims[0] != X.shape[0]:
        raise ValueError(f"layer_dims[0] is {dims[0]} but X has {X.shape[0]} features (rows)")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} examples (columns) but Y has {Y.shape[1]}")
    if dims and dims[-1] != Y.shape[0]:
        raise ValueError(f"layer_dims[-1] is {dims[-1]} but Y has {Y.shape[0]} rows (outputs)")
    m = X.shape[1]
    batch = m if batch_size is None else int(batch_size)
    if not 1 <= batch:
        raise ValueError(f"batch_size must be ≥ 1, got {batch_size}")
    if epochs < 1 or learning_rate <= 0 or lambd < 0:
        raise ValueError(f"train needs epochs ≥ 1, learning_rate > 0 and lambd ≥ 0; got "
                         f"epochs={epochs}, learning_rate={learning_rate}, lambd={lambd}")
    params = init_params(dims, seed=seed, scale=scale, method=init)
    rng = np.random.default_rng(seed)
    history: list[float] = []
    with blas_threads(dims, min(batch, m)):
        for _ in tqdm(range(epochs), disable=not progress, desc="training", unit="epoch"):
            AL, caches = forward_prop(X, params, hidden_activation, output=output)
            ZL = caches[-1][1]
            history.append(cost_from_logits(ZL, Y, params, lambd, output=output))
            for idx in _batches(m, batch, rng):
                grads = _batch_gradients(params, X, Y, idx, hidden_activation, lambd,
                                         full_forward=(AL, caches), output=output)
                params = update_parameters(params, grads, learning_rate)
    return params, history


SINGLE_THREAD_WORK = 30_000_000
"""Multiply-adds of a layer's W·A below which one BLAS thread is faster (2-core machine)."""


def blas_threads(layer_dims: Sequence[int], batch: int) -> AbstractContextManager:
    """Limit numpy's BLAS to one thread while a layer's product W·A is small.

    The largest layer's W·A on a batch takes n_l·n_{l−1}·B multiply-adds.
    Below :data:`SINGLE_THREAD_WORK` (the course net [64, 32, 16, 1] on 1797
    digits does 3.7 million) a second thread's hand-offs cost more than its
    half of the work saves: on a 2-core machine that step takes 0.5–1.6 ms on
    one OpenBLAS thread and 3–4.5 ms on two (``benchmarks/train_speed.py``).
    Larger products keep the BLAS's own setting.

    Returns
    -------
    context manager
        Restores the previous thread count on exit.
    """
    dims = list(layer_dims)
    work = max(dims[l] * dims[l - 1] for l in range(1, len(dims))) * batch
    return _blas().limit(limits=1 if work < SINGLE_THREAD_WORK else None, user_api="blas")


@cache
def _blas() -> ThreadpoolController:
    """The loaded thread pools, found once (a search costs ~20 ms; a limit then 0.04 ms)."""
    return ThreadpoolController()


def _batch_gradients(
    params: Params, X: Array, Y: Array, idx: Array | None, hidden_activation: str,
    lambd: float, full_forward: tuple[Array, list[Cache]] | None = None,
    output: str = "sigmoid",
) -> dict[str, Array]:
    """Gradient of one mini-batch's estimate of the cost that :func:`train` records.

    The estimate is the batch's mean cross-entropy plus the *whole* L2 term
    (λ/2m) Σ_l ‖W{l}‖², with m = ``X.shape[1]`` the training-set size, not the
    batch size B. Its gradient is the batch's mean data gradient plus (λ/m)·W{l},
    so for equal mini-batches that partition the m examples, the mean of their
    gradients (taken at the same parameters) is the full-batch gradient of the
    recorded cost.

    Parameters
    ----------
    params : dict
        Current ``W1, b1, …``.
    X : ndarray, shape (n0, m)
    Y : ndarray, shape (1, m)
    idx : ndarray of int, shape (B,), or None
        The batch's example indices; None is the whole training set.
    hidden_activation : str
    lambd : float
        λ of the recorded cost.
    full_forward : (AL, caches), optional
        A forward pass of ``params`` on all of X, reused when ``idx`` is None.
    output : {"sigmoid", "softmax"}

    Returns
    -------
    dict
        ``dW1…dWL``, ``db1…dbL`` (and ``dA1…dA{L−1}``), as :func:`backprop`.
    """
    m = X.shape[1]
    if idx is None:
        AL, caches = full_forward or forward_prop(X, params, hidden_activation, output=output)
        Y_batch = Y
    else:
        AL, caches = forward_prop(X[:, idx], params, hidden_activation, output=output)
        Y_batch = Y[:, idx]
    # backprop adds (λ_B/B)·W for a batch of B examples; λ_B = λ·(B/m) makes it (λ/m)·W.
    lambd_batch = lambd * (Y_batch.shape[1] / m)
    return backprop(AL, Y_batch, caches, hidden_activation, lambd_batch, need_dA0=False)


def _batches(m: int, batch: int, rng: np.random.Generator) -> Iterable[Array | None]:
    """Index arrays of one epoch's shuffled mini-batches; a single ``None`` for full batch."""
    if batch >= m:
        yield None
        return
    order = rng.permutation(m)
    for start in range(0, m, batch):
        yield order[start:start + batch]
