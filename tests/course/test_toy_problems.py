"""Tests of dnn_ref.toy_problems: the generated 2-D sets (moons, circles, XOR)."""

import numpy as np
import pytest

from dnn_ref import toy_problems

TOYS = [toy_problems.make_moons, toy_problems.make_circles, toy_problems.make_xor]


# ---------------------------------------------------------------- generated 2-D sets

@pytest.mark.parametrize("make", TOYS)
@pytest.mark.parametrize("m", [2, 7, 200])
def test_toy_shapes_dtypes_and_balance(make, m):
    X, Y = make(m=m, seed=1)
    assert X.shape == (2, m) and Y.shape == (1, m)
    assert X.dtype == Y.dtype == np.float64
    assert np.isfinite(X).all()
    assert set(np.unique(Y)) == {0.0, 1.0}
    assert Y.sum() in (m // 2, m - m // 2)


@pytest.mark.parametrize("make", TOYS)
def test_toy_reproducible(make):
    X1, Y1 = make(seed=5)
    X2, Y2 = make(seed=5)
    X3, Y3 = make(seed=6)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("make", TOYS)
def test_toy_labels_are_shuffled(make):
    _, Y = make(m=100, seed=0)
    assert not np.array_equal(Y, np.sort(Y)) and not np.array_equal(Y, np.sort(Y)[:, ::-1])


def test_circles_without_noise_lie_on_the_two_circles():
    X, Y = toy_problems.make_circles(m=50, noise=0.0, factor=0.3, seed=0)
    radius = np.hypot(X[0], X[1])
    np.testing.assert_allclose(radius[Y[0] == 0], 1.0)
    np.testing.assert_allclose(radius[Y[0] == 1], 0.3)


def test_moons_without_noise_lie_on_the_two_arcs():
    X, Y = toy_problems.make_moons(m=50, noise=0.0, seed=0)
    upper, lower = X[:, Y[0] == 0], X[:, Y[0] == 1]
    np.testing.assert_allclose(np.hypot(upper[0], upper[1]), 1.0)
    assert (upper[1] >= 0).all()
    np.testing.assert_allclose(np.hypot(lower[0] - 1.0, lower[1] - 0.5), 1.0)
    assert (lower[1] <= 0.5).all()


def test_xor_label_is_one_where_signs_differ():
    X, Y = toy_problems.make_xor(m=40, noise=0.0, seed=0)
    np.testing.assert_array_equal(np.abs(X), 1.0)
    np.testing.assert_array_equal(Y[0], (X[0] * X[1] < 0).astype(float))
    # With noise the clusters spread, but labels still follow the corners.
    X, Y = toy_problems.make_xor(m=400, noise=0.2, seed=0)
    assert np.mean(Y[0] == (X[0] * X[1] < 0)) > 0.95
    assert X.std() > 1.0


def test_noise_spreads_the_points():
    X0, _ = toy_problems.make_circles(m=300, noise=0.0, seed=0)
    X1, _ = toy_problems.make_circles(m=300, noise=0.2, seed=0)
    assert np.std(np.hypot(*X0)) < np.std(np.hypot(*X1))


@pytest.mark.parametrize("make", TOYS)
@pytest.mark.parametrize("m", [1, 0, 2.5, -3, "10"])
def test_toy_bad_m(make, m):
    with pytest.raises(ValueError, match=r"m is the number of examples.*≥ 2"):
        make(m=m)


@pytest.mark.parametrize("make", TOYS)
@pytest.mark.parametrize("noise", [-0.1, float("nan"), float("inf"), "0.1"])
def test_toy_bad_noise(make, noise):
    with pytest.raises(ValueError, match=r"noise .* ≥ 0"):
        make(noise=noise)


@pytest.mark.parametrize("factor", [0, 1, 1.5, -0.5])
def test_circles_bad_factor(factor):
    with pytest.raises(ValueError, match=r"factor .* between 0 and 1"):
        toy_problems.make_circles(factor=factor)
