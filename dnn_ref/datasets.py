"""Data sets for the course, all available offline, in the course's shapes.

Every loader returns X with shape (features, examples) and Y with shape
(outputs, examples), both float64, so a batch goes straight into
:func:`dnn_ref.network.forward_prop`.

* Real data, from the copies bundled with scikit-learn (nothing is
  downloaded): :func:`load_breast_cancer`, :func:`load_digits_binary` and
  :func:`load_digits_multiclass`. They come split into a training and a test
  set (stratified, reproducible from ``seed``) and, when ``validation_size``
  is given, a validation set too, and are standardised with the statistics of
  the *training* set only, as :func:`standardize` explains. Choose
  hyperparameters (λ, the learning rate, the architecture, the epoch count)
  by validation accuracy and report the test accuracy of that one choice: a
  test accuracy that was also used to choose is an optimistic estimate.
* Generated 2-D toy problems that no straight line can separate, for
  pictures of decision boundaries: :func:`make_moons`, :func:`make_circles`
  and :func:`make_xor` (defined in :mod:`dnn_ref.toy_problems`, importable
  from here). They return a pair ``(X, Y)``.
"""

from __future__ import annotations

import importlib.util
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from dnn_ref.toy_problems import make_circles, make_moons, make_xor

__all__ = ["BREAST_CANCER_FEATURES", "DIGITS_FEATURES", "EVEN_DIGITS", "Dataset",
           "load_breast_cancer", "load_digits_binary", "load_digits_multiclass",
           "make_circles", "make_moons", "make_xor", "standardize"]

Array = NDArray[np.float64]

EVEN_DIGITS = (0, 2, 4, 6, 8)
"""Default positive class of :func:`load_digits_binary`: "is the digit even?"."""

_NUCLEUS = ("radius", "texture", "perimeter", "area", "smoothness", "compactness",
            "concavity", "concave points", "symmetry", "fractal dimension")
BREAST_CANCER_FEATURES = (tuple(f"mean {m}" for m in _NUCLEUS)
                          + tuple(f"{m} error" for m in _NUCLEUS)
                          + tuple(f"worst {m}" for m in _NUCLEUS))
"""The 30 measurements of the breast-cancer set, in its column order."""

DIGITS_FEATURES = tuple(f"pixel_{r}_{c}" for r in range(8) for c in range(8))
"""Pixel ``pixel_r_c`` is row r, column c of the 8×8 image."""


@dataclass(frozen=True, repr=False, eq=False)
class Dataset:
    """A training/validation/test split in the course's shapes.

    Attributes
    ----------
    X_train : ndarray, shape (n_features, m_train)
    Y_train : ndarray, shape (n_outputs, m_train)
        0/1 labels (one row) or one-hot labels (one row per class).
    X_test : ndarray, shape (n_features, m_test)
    Y_test : ndarray, shape (n_outputs, m_test)
    X_val : ndarray, shape (n_features, m_val)
    Y_val : ndarray, shape (n_outputs, m_val)
        The validation set, for choosing hyperparameters; m_val = 0 (empty
        arrays) unless the loader was given ``validation_size``.
    feature_names : tuple of str, length n_features
    target_names : tuple of str
        What a 1 in each row of Y means (binary sets: the positive class).
    mean, std : ndarray, shape (n_features, 1)
        The training-set statistics used to standardise both X's: a raw
        example ``x`` becomes ``(x - mean) / std``.
    """

    X_train: Array
    Y_train: Array
    X_test: Array
    Y_test: Array
    X_val: Array
    Y_val: Array
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    mean: Array
    std: Array

    def __repr__(self) -> str:
        return (
            f"Dataset(X_train {self.X_train.shape}, Y_train {self.Y_train.shape}, "
            f"X_test {self.X_test.shape}, Y_test {self.Y_test.shape}, "
            f"X_val {self.X_val.shape}, Y_val {self.Y_val.shape}, "
            f"targets {list(self.target_names)})"
        )


def standardize(X_train: Array, X_test: Array) -> tuple[Array, Array, Array, Array]:
    """Shift and scale every feature to mean 0 and standard deviation 1 on the training set.

    The test set is transformed with the *training* mean and standard
    deviation: the test examples stand for data the network has never seen,
    so nothing about them may leak into the preprocessing. A feature that is
    constant on the training set (many border pixels of the digits are always
    0) has standard deviation 0; it is divided by 1 instead, so it becomes 0
    rather than NaN.

    Parameters
    ----------
    X_train : ndarray, shape (n_features, m_train)
    X_test : ndarray, shape (n_features, m_test)

    Returns
    -------
    X_train_std, X_test_std : ndarrays, same shapes as the inputs
    mean, std : ndarrays, shape (n_features, 1)
        ``std`` has the zeros of constant features replaced by 1.
    """
    mean = X_train.mean(axis=1, keepdims=True)
    std = X_train.std(axis=1, keepdims=True)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std, mean, std


def load_breast_cancer(
    test_size: float = 0.2, seed: int = 0, validation_size: float = 0.0
) -> Dataset:
    """Wisconsin breast-cancer diagnosis: 569 tumours, 30 features, is it benign?

    The binary task of the course's real-data chapters. Y = 1 means benign
    (357 cases), Y = 0 malignant (212), scikit-learn's coding. Features are
    measurements of cell nuclei (radius, texture, …); they live on very
    different scales, so standardising them matters.

    Parameters
    ----------
    test_size : float in (0, 1)
        Fraction of the examples kept aside for the test set.
    seed : int
        Seed of the stratified split (same seed, same split).
    validation_size : float in [0, 1 − test_size)
        Fraction of the examples kept aside for the validation set (0: none).
        The test set does not depend on it; the validation examples are
        taken from what would otherwise be the training set.

    Returns
    -------
    Dataset
        X's with 30 rows, Y's with shape (1, m); m_train + m_val + m_test = 569.
    """
    table = _bundled_table("breast_cancer.csv", skiprows=1)
    data, target = table[:, :-1], table[:, -1].astype(int)
    return _split(
        data, target.astype(np.float64)[None, :], target, test_size, seed, validation_size,
        feature_names=BREAST_CANCER_FEATURES, target_names=("benign",),
    )


def load_digits_binary(
    positive: int | Iterable[int] = EVEN_DIGITS, test_size: float = 0.2, seed: int = 0,
    validation_size: float = 0.0,
) -> Dataset:
    """8×8 handwritten digits (1797 images, 64 pixels) as a yes/no question.

    Y = 1 when the digit is in ``positive``. The default, "is the digit
    even?", is the course's binary digits task: the classes are balanced
    (about 50 % each) and no single pixel decides the answer, so a hidden
    layer clearly beats logistic regression (on the default split, about
    90 % test accuracy without a hidden layer, 97 % with 32 ReLU units).
    ``positive=0`` ("is it a 0?") is an easier, unbalanced variant (about
    10 % positives).

    Parameters
    ----------
    positive : int or iterable of int
        The digit(s) of the positive class, each in 0…9; not all ten.
    test_size : float in (0, 1)
    seed : int
        Seed of the stratified split.
    validation_size : float in [0, 1 − test_size)
        As in :func:`load_breast_cancer`.

    Returns
    -------
    Dataset
        X's with 64 rows (pixel ``pixel_r_c`` is row r, column c of the
        image), Y's with shape (1, m).
    """
    digits = _positive_digits(positive)
    data, target = _digits()
    Y = np.isin(target, digits).astype(np.float64)[None, :]
    name = "digit in {" + ", ".join(str(d) for d in digits) + "}"
    return _split(
        data, Y, target, test_size, seed, validation_size,
        feature_names=DIGITS_FEATURES, target_names=(name,),
    )


def load_digits_multiclass(
    test_size: float = 0.2, seed: int = 0, validation_size: float = 0.0
) -> Dataset:
    """8×8 handwritten digits with one-hot labels, for the log-loss discussion.

    Parameters
    ----------
    test_size, seed, validation_size
        As in :func:`load_breast_cancer`.

    Returns
    -------
    Dataset
        X's with 64 rows; Y's with shape (10, m), where ``Y[k, i] = 1``
        exactly when example i is the digit k (each column sums to 1).
    """
    data, target = _digits()
    Y = np.eye(10)[:, target]
    return _split(
        data, Y, target, test_size, seed, validation_size, feature_names=DIGITS_FEATURES,
        target_names=tuple(str(k) for k in range(10)),
    )


def _split(
    data: NDArray, Y: Array, strata: NDArray, test_size: float, seed: int,
    validation_size: float, *, feature_names: tuple[str, ...], target_names: tuple[str, ...],
) -> Dataset:
    """Stratified split of (examples, features) ``data``, transposed and standardised."""
    if not (isinstance(test_size, numbers.Real) and 0.0 < test_size < 1.0):
        raise ValueError(
            f"test_size is the fraction of examples kept for testing and must lie strictly "
            f"between 0 and 1, got {test_size!r}"
        )
    if not (isinstance(validation_size, numbers.Real)
            and 0.0 <= validation_size < 1.0 - test_size):
        raise ValueError(
            f"validation_size is the fraction of examples kept for validation and must lie "
            f"in [0, 1 - test_size) = [0, {1.0 - test_size:g}) so that training examples "
            f"remain, got {validation_size!r}"
        )
    rng = np.random.default_rng(seed)
    is_test = _stratified_pick(strata, test_size, np.ones(strata.size, dtype=bool), rng)
    is_val = _stratified_pick(strata, validation_size, ~is_test, rng)
    idx_train, idx_val, idx_test = (np.flatnonzero(~is_test & ~is_val),
                                    np.flatnonzero(is_val), np.flatnonzero(is_test))
    X = np.asarray(data, dtype=np.float64).T
    X_train, X_test, mean, std = standardize(X[:, idx_train], X[:, idx_test])
    return Dataset(
        X_train, Y[:, idx_train], X_test, Y[:, idx_test], (X[:, idx_val] - mean) / std,
        Y[:, idx_val], feature_names=feature_names, target_names=target_names,
        mean=mean, std=std,
    )


def _stratified_pick(
    strata: NDArray, size: float, candidates: NDArray, rng: np.random.Generator
) -> NDArray:
    """Boolean mask of ceil(size · m) examples, drawn from ``candidates``, class by class.

    As in scikit-learn's stratified split, each class gives its share of the
    picked examples (size · its count in the whole set, rounded down, the
    leftovers going to the classes with the largest remainders), drawn at
    random among that class's candidates. ``size = 0`` picks nothing.
    """
    classes, counts = np.unique(strata, return_counts=True)
    share = size * counts
    n_pick = np.floor(share).astype(int)
    leftover = int(np.ceil(size * strata.size)) - n_pick.sum()
    n_pick[np.argsort(n_pick - share, kind="stable")[:leftover]] += 1
    picked = np.zeros(strata.size, dtype=bool)
    for c, k in zip(classes, n_pick, strict=True):
        picked[rng.permutation(np.flatnonzero((strata == c) & candidates))[:k]] = True
    return picked


def _bundled_table(filename: str, skiprows: int = 0) -> NDArray:
    """A data file that scikit-learn ships, read with numpy (no download, no sklearn import).

    Importing scikit-learn costs most of a second, which every graded notebook
    that loads data would pay; the files themselves load in milliseconds.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("the real data sets come with scikit-learn: pip install scikit-learn")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / filename
    return np.loadtxt(path, delimiter=",", skiprows=skiprows)


def _digits() -> tuple[NDArray, NDArray]:
    """The 1797 digits: pixels (examples, 64) and labels (examples,)."""
    table = _bundled_table("digits.csv.gz")
    return table[:, :-1], table[:, -1].astype(int)


def _positive_digits(positive: int | Iterable[int]) -> tuple[int, ...]:
    """Check ``positive`` of :func:`load_digits_binary` and return it as a sorted tuple."""
    if isinstance(positive, numbers.Integral):
        items = [positive]
    elif isinstance(positive, Iterable) and not isinstance(positive, str):
        items = list(positive)
    else:
        items = [None]
    if not all(isinstance(d, numbers.Integral) and 0 <= d <= 9 for d in items):
        raise ValueError(f"positive must hold digits 0…9, got {positive!r}")
    digits = tuple(sorted({int(d) for d in items}))
    if not 1 <= len(digits) <= 9:
        raise ValueError(
            f"positive must name between 1 and 9 digits so that both classes occur, "
            f"got {positive!r}"
        )
    return digits
