"""Tests of dnn_ref.figures.explorers: the precomputed results behind the book's slider figures."""

import numpy as np
import pytest

import dnn_ref
from dnn_ref.activations import sigmoid_derivative
from dnn_ref.datasets import make_moons
from dnn_ref.figures.explorers import DecisionMaps, chain_gradients, decision_maps, descent_paths


def bowl_gradient(w):
    return np.array([2 * w[0], 20 * w[1]])


def test_descent_paths_follow_the_update_rule():
    start = np.array([3.0, 1.0])
    (path,) = descent_paths(bowl_gradient, start, [0.05], steps=4, bound=100)
    assert path.shape == (2, 5)
    w = start
    for k in range(1, 5):
        w = w - 0.05 * bowl_gradient(w)
        np.testing.assert_allclose(path[:, k], w)
    np.testing.assert_array_equal(start, [3.0, 1.0])       # input not changed


def test_a_diverging_path_stops_once_it_leaves_the_square():
    small, large = descent_paths(bowl_gradient, [3.0, 1.0], [0.01, 0.11], steps=60, bound=20)
    assert small.shape == (2, 61)
    # w2 is multiplied by 1 − 20·0.11 = −1.2 per step: 1.2^k > 20 from k = 17 on
    assert large.shape[1] - 1 == int(np.ceil(np.log(20) / np.log(1.2)))
    assert np.abs(large[:, -1]).max() > 20 and np.abs(large[:, -2]).max() <= 20


@pytest.mark.parametrize("bad, message", [
    ({"start": [1.0, 2.0, 3.0]}, "shape \\(2,\\)"),
    ({"steps": 0}, "steps"),
    ({"bound": 0.0}, "bound"),
    ({"learning_rates": [0.1, -0.1]}, "learning rate"),
])
def test_descent_paths_name_a_bad_argument(bad, message):
    args = {"grad": bowl_gradient, "start": [1.0, 1.0], "learning_rates": [0.1], "steps": 3,
            "bound": 10.0} | bad
    with pytest.raises(ValueError, match=message):
        descent_paths(**args)


def test_chain_gradients_match_the_chain_rule():
    w, L = 1.5, 6
    gradients, z = chain_gradients([w], L)
    assert gradients.shape == z.shape == (1, L)
    # forward: z_l = w·a_{l−1}, a_l = σ(z_l); backward: ∂a_L/∂a_{L−k} = Π w·σ'(z)
    a, zs = 0.5, []
    for _ in range(L):
        zs.append(w * a)
        a = 1 / (1 + np.exp(-zs[-1]))
    np.testing.assert_allclose(z[0], zs)
    expected = np.cumprod([w * sigmoid_derivative(v) for v in reversed(zs)])
    np.testing.assert_allclose(gradients[0], expected)


def test_chain_gradients_of_relu_are_powers_of_the_weight():
    gradients, _ = chain_gradients([0.5, 1.0, 2.0], 5, "relu")
    np.testing.assert_allclose(gradients, [[0.5 ** k for k in range(1, 6)],
                                           [1.0] * 5,
                                           [2.0 ** k for k in range(1, 6)]])


def test_chain_gradients_reject_a_bad_length():
    with pytest.raises(ValueError, match="layers"):
        chain_gradients([1.0], 0)


def fit(X, Y, hidden, activation):
    return dnn_ref.train(X, Y, [2, *hidden, 1], epochs=200, learning_rate=1.0,
                         hidden_activation=activation, init="xavier", progress=False)[0]


def test_decision_maps_are_the_networks_outputs_on_the_grid():
    X, Y = make_moons(m=60, noise=0.2, seed=0)
    settings = [([], "tanh"), ([8], "tanh")]
    maps = decision_maps(fit, X, Y, settings, resolution=7)
    assert isinstance(maps, DecisionMaps)
    assert maps.probabilities.shape == (2, 7, 7) and maps.probabilities.dtype == np.uint8
    params = fit(X, Y, [8], "tanh")
    corner = np.array([[maps.x_range[1]], [maps.y_range[0]]])       # last column, first row
    expected = dnn_ref.forward_prop(corner, params, "tanh")[0][0, 0]
    assert abs(maps.probabilities[1, 0, -1] / 255 - expected) <= 0.5 / 255 + 1e-12
    accuracy = dnn_ref.accuracy(dnn_ref.predict(X, params, "tanh"), Y)
    assert maps.accuracy[1] == pytest.approx(accuracy)
    assert maps.x_range[0] < X[0].min() and maps.x_range[1] > X[0].max()


def test_decision_maps_reject_labels_that_do_not_match():
    X, Y = make_moons(m=20, noise=0.2, seed=0)
    with pytest.raises(ValueError, match="shape"):
        decision_maps(fit, X, Y[:, :10], [([2], "tanh")])
