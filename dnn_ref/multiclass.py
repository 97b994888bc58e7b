"""Multi-class classification: one-hot labels, class numbers, the confusion matrix.

The network itself is the course's, with a softmax output layer
(``output="softmax"`` in :mod:`dnn_ref.network` and :mod:`dnn_ref.training`,
a ``Layer(..., "softmax")`` last in a :class:`dnn_ref.layers.Network`). For K
classes its output AL is (K, m), column i the probabilities of example i's
classes, and the labels Y are one-hot: Y[k, i] = 1 exactly when example i is
of class k. Its cost is the categorical cross-entropy, computed from Z by
log-sum-exp (:func:`dnn_ref.losses.softmax_cross_entropy_with_logits`), and
its output error is dZ = AL − Y, the vector–Jacobian product of softmax
(:func:`dnn_ref.activations.softmax_backward`) with ∂C/∂a = −y/a.

This module turns between one-hot columns and class numbers and counts which
class is taken for which: the confusion matrix.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dnn_ref.validation import as_matrix, check_one_hot_labels

Array = NDArray[np.float64]


def one_hot(classes: ArrayLike, n_classes: int) -> Array:
    """One-hot labels (K, m) from class numbers.

    Parameters
    ----------
    classes : array_like of int, shape (m,)
        Class numbers 0 … K−1, one per example.
    n_classes : int
        K.

    Returns
    -------
    ndarray, shape (K, m)
        Column i is 1 in row ``classes[i]`` and 0 elsewhere.

    Raises
    ------
    ValueError
        If ``classes`` is not 1-D or holds something other than whole
        numbers 0 … K−1.
    """
    c = np.asarray(classes)
    if c.ndim != 1:
        raise ValueError(f"classes must be a 1-D array of class numbers, shape (m,); got shape "
                         f"{c.shape}")
    if c.size and (not np.all(np.equal(np.mod(c, 1), 0)) or c.min() < 0
                   or c.max() >= n_classes):
        raise ValueError(f"classes must be whole numbers 0 … {n_classes - 1}; got values from "
                         f"{c.min()} to {c.max()}")
    return np.eye(n_classes)[:, c.astype(int)]


def class_numbers(Y: ArrayLike) -> NDArray[np.int64]:
    """Class number of each column, shape (m,): the row of its largest entry.

    For one-hot labels it is the labelled class; for probabilities AL the
    predicted one (the first, on a tie, as ``np.argmax``).
    """
    return np.argmax(as_matrix(Y, "Y"), axis=0)


def confusion_matrix(Y_true: ArrayLike, Y_pred: ArrayLike) -> NDArray[np.int64]:
    """Counts of (true class, predicted class) pairs, shape (K, K).

    Parameters
    ----------
    Y_true : array_like, shape (K, m)
        One-hot labels.
    Y_pred : array_like, shape (K, m)
        Predictions: one-hot (:func:`dnn_ref.network.predict` with
        ``output="softmax"``) or the probabilities AL (the largest counts).

    Returns
    -------
    ndarray of int, shape (K, K)
        Entry [j, k] counts the examples of class j predicted as class k: the
        diagonal holds the correct ones, each row sums to the number of
        examples of its class, and ``trace / m`` is the accuracy.

    Raises
    ------
    ValueError
        If the shapes differ or a column of ``Y_true`` is not one-hot.
    """
    Y_true, Y_pred = _labels_and_predictions(Y_true, Y_pred)
    K = Y_true.shape[0]
    counts = np.zeros((K, K), dtype=np.int64)
    np.add.at(counts, (class_numbers(Y_true), class_numbers(Y_pred)), 1)
    return counts


def misclassified(Y_true: ArrayLike, Y_pred: ArrayLike) -> NDArray[np.int64]:
    """Indices (columns) of the examples whose predicted class is not the labelled one.

    ``Y_true`` and ``Y_pred`` as in :func:`confusion_matrix`; shape (n_wrong,).
    """
    Y_true, Y_pred = _labels_and_predictions(Y_true, Y_pred)
    return np.flatnonzero(class_numbers(Y_true) != class_numbers(Y_pred))


def _labels_and_predictions(Y_true: ArrayLike, Y_pred: ArrayLike) -> tuple[Array, Array]:
    Y_true = as_matrix(Y_true, "Y")
    Y_pred = as_matrix(Y_pred, "Y_pred")
    if Y_true.shape != Y_pred.shape:
        raise ValueError(f"Y and Y_pred must have the same shape (K, m), got Y {Y_true.shape} "
                         f"and Y_pred {Y_pred.shape}")
    check_one_hot_labels(Y_true)
    return Y_true, Y_pred
