"""The multi-class network's pictures: its confusion matrix and the digits it gets wrong.

Both draw with matplotlib on Axes they are given (or a new figure) and return
what they drew on, like :mod:`dnn_ref.figures.plots`. The counting is
:mod:`dnn_ref.multiclass`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from dnn_ref.multiclass import class_numbers, confusion_matrix, misclassified
from dnn_ref.validation import as_matrix

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def plot_confusion_matrix(
    Y_true: ArrayLike, Y_pred: ArrayLike, class_names: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the confusion matrix as a grid of counts, true class down, predicted across.

    Parameters
    ----------
    Y_true, Y_pred : array_like, shape (K, m)
        One-hot labels and predictions (one-hot or probabilities), as in
        :func:`dnn_ref.multiclass.confusion_matrix`.
    class_names : sequence of K str, optional
        Tick labels; ``0 … K−1`` by default.
    ax : Axes, optional

    Returns
    -------
    Axes
        Cell [j, k] shows how many examples of class j were predicted as k;
        the diagonal (correct) is shaded by its share of the row, the rest
        by theirs, in another colour.
    """
    import matplotlib.pyplot as plt

    counts = confusion_matrix(Y_true, Y_pred)
    K = counts.shape[0]
    names = [str(k) for k in range(K)] if class_names is None else list(class_names)
    if len(names) != K:
        raise ValueError(f"class_names has {len(names)} names for {K} classes")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.45 * K + 1.6, 0.45 * K + 1.2))
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    right = np.where(np.eye(K, dtype=bool), share, np.nan)
    wrong = np.where(np.eye(K, dtype=bool), np.nan, share)
    ax.imshow(right, cmap="Greens", vmin=0, vmax=1)
    ax.imshow(wrong, cmap="Reds", vmin=0, vmax=0.5)
    for j in range(K):
        for k in range(K):
            if counts[j, k]:
                ax.text(k, j, str(counts[j, k]), ha="center", va="center", fontsize=8,
                        color="white" if share[j, k] > 0.6 else "black")
    ax.set(xticks=range(K), yticks=range(K), xticklabels=names, yticklabels=names,
           xlabel="predicted class", ylabel="true class")
    ax.set_title(f"{np.trace(counts)} of {counts.sum()} right", fontsize=10)
    return ax


def plot_misclassified(
    X: ArrayLike, Y_true: ArrayLike, AL: ArrayLike, *, mean: ArrayLike | None = None,
    std: ArrayLike | None = None, image_shape: tuple[int, int] = (8, 8),
    class_names: Sequence[str] | None = None, max_shown: int = 12, columns: int = 6,
) -> Figure:
    """Show the examples the network gets wrong, as images, most confident mistakes first.

    Parameters
    ----------
    X : array_like, shape (n_pixels, m)
        The inputs, one image per column (standardised is fine: give ``mean``
        and ``std`` to draw the original pixels).
    Y_true : array_like, shape (K, m)
        One-hot labels.
    AL : array_like, shape (K, m)
        The network's output probabilities.
    mean, std : array_like, shape (n_pixels, 1), optional
        The standardisation to undo (``Dataset.mean`` and ``Dataset.std``).
    image_shape : (int, int)
        Rows and columns of one image; their product is n_pixels.
    class_names : sequence of K str, optional
    max_shown : int
        At most this many images.
    columns : int
        Images per row.

    Returns
    -------
    Figure
        Each image is titled "true → predicted" with the probability the
        network gave its wrong answer; an empty figure says so if nothing is
        wrong.
    """
    import matplotlib.pyplot as plt

    X = as_matrix(X, "X")
    AL = as_matrix(AL, "AL")
    if X.shape[0] != image_shape[0] * image_shape[1]:
        raise ValueError(f"X has {X.shape[0]} rows but image_shape {image_shape} needs "
                         f"{image_shape[0] * image_shape[1]}")
    if X.shape[1] != AL.shape[1]:
        raise ValueError(f"X has {X.shape[1]} examples (columns) but AL has {AL.shape[1]}")
    pixels = X if mean is None or std is None else X * np.asarray(std) + np.asarray(mean)
    wrong = misclassified(Y_true, AL)
    confidence = AL.max(axis=0)
    wrong = wrong[np.argsort(-confidence[wrong], kind="stable")][:max_shown]
    K = AL.shape[0]
    names = [str(k) for k in range(K)] if class_names is None else list(class_names)
    true, said = class_numbers(Y_true), class_numbers(AL)
    rows = max(1, -(-len(wrong) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.8 * rows),
                             squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, i in zip(axes.ravel(), wrong, strict=False):
        ax.imshow(pixels[:, i].reshape(image_shape), cmap="gray_r")
        ax.set_title(f"{names[true[i]]} → {names[said[i]]}\np = {confidence[i]:.2f}",
                     fontsize=8)
    if not len(wrong):
        axes[0, 0].text(0, 0.5, "no example is misclassified", fontsize=9)
    fig.tight_layout()
    return fig
