"""Generated 2-D toy problems that no straight line can separate.

For pictures of decision boundaries (chapter 7): two moons, two circles and
XOR. Each returns ``X`` of shape (2, m) and ``Y`` of shape (1, m), float64,
0/1 labels in random order, reproducible from ``seed``; nothing is downloaded.
:mod:`dnn_ref.datasets` re-exports them next to the real data sets.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def make_moons(m: int = 200, noise: float = 0.2, seed: int = 0) -> tuple[Array, Array]:
    """Two interleaving half circles: class 0 arches up, class 1 arches down.

    Parameters
    ----------
    m : int ≥ 2
        Number of examples, split as evenly as possible between the classes.
    noise : float ≥ 0
        Standard deviation of the Gaussian noise added to each coordinate.
    seed : int
        Seed of the generator (same seed, same data).

    Returns
    -------
    X : ndarray, shape (2, m)
    Y : ndarray, shape (1, m)
        0/1 labels, examples in random order.
    """
    rng, Y = _start(m, noise, seed)
    t = rng.uniform(0.0, np.pi, size=m)
    upper = np.stack([np.cos(t), np.sin(t)])
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    X = np.where(Y == 1, lower, upper)
    return X + noise * rng.standard_normal((2, m)), Y


def make_circles(
    m: int = 200, noise: float = 0.1, factor: float = 0.5, seed: int = 0
) -> tuple[Array, Array]:
    """A small circle (class 1) inside a large one (class 0), both centred at 0.

    Parameters
    ----------
    m : int ≥ 2
    noise : float ≥ 0
        Standard deviation of the Gaussian noise added to each coordinate.
    factor : float in (0, 1)
        Radius of the inner circle; the outer circle has radius 1.
    seed : int

    Returns
    -------
    X : ndarray, shape (2, m)
    Y : ndarray, shape (1, m)
    """
    if not (isinstance(factor, numbers.Real) and 0.0 < factor < 1.0):
        raise ValueError(
            f"factor is the inner circle's radius relative to the outer one and must lie "
            f"strictly between 0 and 1, got {factor!r}"
        )
    rng, Y = _start(m, noise, seed)
    t = rng.uniform(0.0, 2.0 * np.pi, size=m)
    radius = np.where(Y[0] == 1, factor, 1.0)
    X = radius * np.stack([np.cos(t), np.sin(t)])
    return X + noise * rng.standard_normal((2, m)), Y


def make_xor(m: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[Array, Array]:
    """The XOR problem: four clusters at (±1, ±1); Y = 1 where the two signs differ.

    Class 1 sits at (1, −1) and (−1, 1), class 0 at (1, 1) and (−1, −1), so
    each class occupies two opposite corners and no line separates them.

    Parameters
    ----------
    m : int ≥ 2
    noise : float ≥ 0
        Standard deviation of the Gaussian spread of each cluster.
    seed : int

    Returns
    -------
    X : ndarray, shape (2, m)
    Y : ndarray, shape (1, m)
    """
    rng, Y = _start(m, noise, seed)
    first = rng.choice([-1.0, 1.0], size=m)
    second = np.where(Y[0] == 1, -first, first)
    X = np.stack([first, second])
    return X + noise * rng.standard_normal((2, m)), Y


def _start(m: int, noise: float, seed: int) -> tuple[np.random.Generator, Array]:
    """Check the common arguments of the toy sets; return a generator and shuffled labels."""
    if not (isinstance(m, numbers.Integral) and m >= 2):
        raise ValueError(f"m is the number of examples and must be an integer ≥ 2, got {m!r}")
    if not (isinstance(noise, numbers.Real) and np.isfinite(noise) and noise >= 0):
        raise ValueError(
            f"noise is a standard deviation and must be a finite number ≥ 0, got {noise!r}"
        )
    rng = np.random.default_rng(seed)
    labels = np.arange(m) % 2
    return rng, rng.permutation(labels).astype(np.float64)[None, :]
