"""Input checks shared by the package, with errors a student can act on.

Every check raises :class:`ValueError` with a sentence naming the array (or
key), what was expected and what was found.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def as_matrix(x: ArrayLike, name: str) -> Array:
    """Return ``x`` as a 2-D float64 array, or raise naming ``name``.

    Raises
    ------
    ValueError
        If ``x`` is not 2-D (the course keeps even a single example as a
        column, shape (n, 1)) or contains NaN.
    """
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array (rows = units or features, columns = examples), "
            f"got shape {a.shape}; {_reshape_hint(name, a.ndim)}"
        )
    if np.isnan(a).any():
        raise ValueError(f"{name} contains NaN (shape {a.shape}); check the data or the step size")
    return a


ROW_NAMES = ("Y", "AL", "Y_pred", "Y_batch", "labels", "predictions")
"""Names of arrays with one row per output: labels and predictions, (1, m) when binary."""


def _reshape_hint(name: str, ndim: int) -> str:
    """How to turn a vector called ``name`` into the course's 2-D shape."""
    if ndim == 0:
        return f"a single number is the (1, 1) array np.reshape({name}, (1, 1))"
    if ndim > 2:
        return (f"flatten each example into a column: m images of shape (m, h, w) become "
                f"{name}.reshape(m, -1).T")
    if name in ROW_NAMES:
        return (f"labels of shape (m,) become the row (1, m) with {name}.reshape(1, -1) "
                f"(.reshape(-1, 1) would make the column (m, 1), one example per row)")
    return (f"one feature over m examples is the row {name}.reshape(1, -1); a single "
            f"example with n features is the column {name}.reshape(-1, 1)")


def check_same_shape(a: Array, a_name: str, b: Array, b_name: str) -> None:
    """Raise if ``a`` and ``b`` differ in shape, naming both."""
    if a.shape != b.shape:
        raise ValueError(
            f"{a_name} and {b_name} must have the same shape, got {a_name} {a.shape} "
            f"and {b_name} {b.shape}"
        )


def check_binary_labels(Y: Array) -> None:
    """Raise if a label is neither 0 nor 1."""
    bad = (Y != 0) & (Y != 1)
    if bad.any():
        raise ValueError(
            f"binary labels must be 0 or 1; Y has {int(bad.sum())} other value(s), "
            f"e.g. {Y[bad][:3].tolist()}"
        )


def check_one_hot_labels(Y: Array) -> None:
    """Raise if a column of Y is not one-hot (zeros and a single 1), naming the first."""
    check_binary_labels(Y)
    counts = Y.sum(axis=0)
    bad = np.flatnonzero(counts != 1)
    if bad.size:
        raise ValueError(
            f"one-hot labels need exactly one 1 per column (example); column {int(bad[0])} "
            f"has {int(counts[bad[0]])} ({bad.size} such column(s)). From class numbers c of "
            f"shape (m,), np.eye(K)[:, c] gives the (K, m) one-hot Y"
        )


def require_keys(d: Mapping[str, object], keys: list[str], dict_name: str) -> None:
    """Raise if any of ``keys`` is missing from ``d``, naming the first missing key."""
    for key in keys:
        if key not in d:
            have = ", ".join(sorted(d)) or "nothing"
            raise ValueError(f"{dict_name} has no key {key!r} (it has: {have})")


def n_layers(parameters: Mapping[str, object]) -> int:
    """Number of layers L of a parameters dict ``{'W1','b1',…,'WL','bL'}``.

    Raises
    ------
    ValueError
        If the dict is empty or a ``W``/``b`` key is missing.
    """
    L = sum(1 for k in parameters if k.startswith("W") and k[1:].isdigit())
    if L == 0:
        raise ValueError("parameters has no weight matrix 'W1'; build it with init_params")
    require_keys(parameters, [f"{p}{l}" for l in range(1, L + 1) for p in "Wb"], "parameters")
    return L
