"""Tests of dnn_ref.layers: Layer and Network against hand values and the functional API."""

import numpy as np
import pytest

from dnn_ref.activations import ReLU, Sigmoid, sigmoid
from dnn_ref.layers import Layer, Network
from dnn_ref.losses import binary_cross_entropy
from dnn_ref.network import (
    backprop,
    forward_prop,
    init_params,
    one_layer_backward,
    predict,
    update_parameters,
)
from dnn_ref.training import train

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu"]


def data(n0=3, m=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n0, m))
    Y = (X[0:1] + 0.5 * X[1:2] > 0).astype(np.float64)
    return X, Y


def params(dims=(3, 5, 4, 1), seed=3):
    p = init_params(list(dims), seed=seed, method="xavier")
    rng = np.random.default_rng(seed)
    return {k: (0.1 * rng.standard_normal(v.shape) if k.startswith("b") else v)
            for k, v in p.items()}


# --- Layer --------------------------------------------------------------------

def test_layer_shapes_and_defaults():
    layer = Layer(3, 2, seed=0)
    assert layer.weights.shape == (2, 3) and layer.biases.shape == (2, 1)
    assert np.all(layer.biases == 0)
    assert 0 < np.abs(layer.weights).max() < 0.1                    # randn · 0.01
    assert isinstance(layer.activation, Sigmoid)
    assert layer.inputs is None and layer.outputs is None
    assert np.array_equal(Layer(3, 2, seed=0).weights, layer.weights)
    assert not np.array_equal(Layer(3, 2, seed=1).weights, layer.weights)


def test_layer_accepts_activation_names_and_objects():
    assert isinstance(Layer(2, 2, "relu").activation, ReLU)
    relu = ReLU()
    assert Layer(2, 2, relu).activation is relu
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        Layer(2, 2, "softplus")


def test_layer_copies_given_weights():
    W, b = np.ones((2, 3)), np.zeros((2, 1))
    layer = Layer(3, 2, weights=W, biases=b)
    layer.weights[0, 0] = 5.0
    layer.biases[0, 0] = 5.0
    assert W[0, 0] == 1.0 and b[0, 0] == 0.0


@pytest.mark.parametrize(("name", "kwargs", "shape"), [
    ("weights", {"weights": np.ones((3, 2))}, r"\(2, 3\).*got \(3, 2\)"),
    ("biases", {"biases": np.ones(2)}, r"\(2, 1\).*got \(2,\)"),
])
def test_layer_rejects_weights_of_the_wrong_shape(name, kwargs, shape):
    with pytest.raises(ValueError, match=f"{name} must have shape.*{shape}"):
        Layer(3, 2, **kwargs)


def test_layer_rejects_empty_sizes():
    with pytest.raises(ValueError, match="n_inputs=0"):
        Layer(0, 2)


def test_forward_by_hand():
    layer = Layer(2, 1, weights=[[1.0, 2.0]], biases=[[0.5]])
    x = np.array([[1.0, 0.0], [-1.0, 1.0]])                          # two examples
    a = layer.forward(x)
    np.testing.assert_array_equal(layer.inputs, x)
    np.testing.assert_array_equal(layer.outputs, [[-0.5, 2.5]])      # z, not a
    np.testing.assert_allclose(a, sigmoid(np.array([[-0.5, 2.5]])), rtol=0, atol=1e-15)


def test_forward_rejects_inputs_with_the_wrong_number_of_rows():
    layer = Layer(3, 2)
    with pytest.raises(ValueError, match=r"expects inputs of shape.*\(3, m\), got \(4, 5\)"):
        layer.forward(np.zeros((4, 5)))


def test_forward_rejects_a_vector():
    with pytest.raises(ValueError, match=r"inputs must be a 2-D array.*shape \(3,\)"):
        Layer(3, 2).forward(np.zeros(3))


def test_backward_on_one_example_follows_seed_004():
    # m = 1: dz = da ⊙ f'(z), dW = dz·a_prevᵀ, db = dz, da_prev = Wᵀ·dz
    W = np.array([[0.2, -0.4, 0.1], [0.5, 0.3, -0.2]])
    b = np.array([[0.1], [-0.3]])
    layer = Layer(3, 2, "relu", weights=W, biases=b)
    x = np.array([[1.0], [-2.0], [0.5]])
    layer.forward(x)
    z = W @ x + b                                                    # [[1.15], [-0.6]]
    da = np.array([[0.3], [-0.7]])
    dz = da * (z > 0)
    da_prev = layer.backward(da, learning_rate=0.1)
    np.testing.assert_allclose(da_prev, W.T @ dz, rtol=0, atol=1e-15)    # old weights
    np.testing.assert_allclose(layer.d_weights, dz @ x.T, rtol=0, atol=1e-15)
    np.testing.assert_allclose(layer.d_biases, dz, rtol=0, atol=1e-15)
    np.testing.assert_allclose(layer.weights, W - 0.1 * dz @ x.T, rtol=0, atol=1e-15)
    np.testing.assert_allclose(layer.biases, b - 0.1 * dz, rtol=0, atol=1e-15)
    assert layer.weights[1, 0] == W[1, 0]          # the inactive unit did not move


def test_backward_on_a_batch_averages_and_returns_shapes():
    rng = np.random.default_rng(1)
    layer = Layer(4, 3, "tanh", seed=2)
    W0 = layer.weights.copy()
    x = rng.standard_normal((4, 7))
    layer.forward(x)
    da = rng.standard_normal((3, 7))
    da_prev = layer.backward(da, 0.5)
    assert da_prev.shape == (4, 7)
    assert layer.d_weights.shape == (3, 4) and layer.d_biases.shape == (3, 1)
    dz = da * (1 - np.tanh(W0 @ x) ** 2)
    np.testing.assert_allclose(layer.d_weights, dz @ x.T / 7, rtol=1e-13)
    np.testing.assert_allclose(layer.d_biases, dz.mean(axis=1, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(layer.weights, W0 - 0.5 * layer.d_weights, rtol=1e-13)


@pytest.mark.parametrize("activation", HIDDEN)
def test_layer_backward_equals_one_layer_backward(activation):
    p = params((3, 4))
    X, _ = data()
    layer = Layer(3, 4, activation, weights=p["W1"], biases=p["b1"])
    layer.forward(X)
    da = np.random.default_rng(5).standard_normal((4, 20))
    cache = ((X, p["W1"], p["b1"]), p["W1"] @ X + p["b1"])
    dA_prev, dW, db = one_layer_backward(da, cache, activation)
    np.testing.assert_array_equal(layer.backward(da, 0.1), dA_prev)
    np.testing.assert_array_equal(layer.d_weights, dW)
    np.testing.assert_array_equal(layer.d_biases, db)


def test_learning_rate_zero_leaves_the_layer_unchanged():
    layer = Layer(3, 2, seed=0)
    W0, b0 = layer.weights.copy(), layer.biases.copy()
    layer.forward(np.ones((3, 4)))
    layer.backward(np.ones((2, 4)), 0.0)
    assert np.array_equal(layer.weights, W0) and np.array_equal(layer.biases, b0)


def test_backward_before_forward_raises():
    with pytest.raises(RuntimeError, match="call forward first"):
        Layer(3, 2).backward(np.ones((2, 1)), 0.1)


def test_backward_rejects_da_of_the_wrong_shape():
    layer = Layer(3, 2)
    layer.forward(np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"da \(5, 2\).*\(2, 5\)"):
        layer.backward(np.ones((5, 2)), 0.1)


# --- Network against the functional API ---------------------------------------

@pytest.mark.parametrize("hidden", HIDDEN)
def test_network_forward_equals_forward_prop(hidden):
    p = params()
    X, _ = data()
    AL, _ = forward_prop(X, p, hidden)
    np.testing.assert_allclose(Network.from_parameters(p, hidden).forward(X), AL,
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("hidden", HIDDEN)
def test_one_training_step_equals_backprop_and_update(hidden):
    p = params()
    X, Y = data()
    net = Network.from_parameters(p, hidden)
    AL = net.forward(X)
    dA0 = net.backward(AL, Y, learning_rate=0.3)
    AL_f, caches = forward_prop(X, p, hidden)
    grads = backprop(AL_f, Y, caches, hidden)
    expected = update_parameters(p, grads, 0.3)
    got = net.parameters()
    assert sorted(got) == sorted(expected)
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=0, atol=1e-12, err_msg=key)
    np.testing.assert_allclose(dA0, grads["dA0"], rtol=0, atol=1e-12)
    for k, layer in enumerate(net.layers, start=1):
        np.testing.assert_allclose(layer.d_weights, grads[f"dW{k}"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("hidden", HIDDEN)
def test_fit_equals_full_batch_train(hidden):
    X, Y = data()
    dims = [3, 5, 4, 1]
    trained, history = train(X, Y, dims, epochs=25, learning_rate=0.5,
                              hidden_activation=hidden, init="xavier", seed=3, progress=False)
    net = Network.from_parameters(init_params(dims, seed=3, method="xavier"), hidden)
    net_history = net.fit(X, Y, epochs=25, learning_rate=0.5)
    np.testing.assert_allclose(net_history, history, rtol=0, atol=1e-12)
    got = net.parameters()
    for key in trained:
        np.testing.assert_allclose(got[key], trained[key], rtol=0, atol=1e-12, err_msg=key)
    np.testing.assert_array_equal(net.predict(X), predict(X, trained, hidden))


def test_train_step_returns_the_cost_before_the_step_and_fit_learns():
    X, Y = data()
    net = Network([Layer(3, 4, "tanh", seed=0), Layer(4, 1, "sigmoid", seed=1)])
    net.layers[0].weights *= 50                       # xavier-sized instead of 0.01
    before = binary_cross_entropy(net.forward(X), Y)
    first = net.train_step(X, Y, 1.0)
    assert first == pytest.approx(before, rel=1e-14)   # from z, not from the clipped a
    assert binary_cross_entropy(net.forward(X), Y) < before
    history = net.fit(X, Y, epochs=200, learning_rate=1.0)
    assert len(history) == 200
    assert history[-1] < 0.2 < first
    assert history[0] < first
    assert np.mean(net.predict(X) == Y) >= 0.95


def test_from_parameters_copies_both_ways():
    p = params()
    before = {k: v.copy() for k, v in p.items()}
    X, Y = data()
    net = Network.from_parameters(p, "relu")
    net.fit(X, Y, epochs=3, learning_rate=0.5)
    for key in p:
        assert np.array_equal(p[key], before[key]), key
    out = net.parameters()
    out["W1"][0, 0] = 99.0
    assert net.layers[0].weights[0, 0] != 99.0
    p["W2"][0, 0] = 99.0
    assert net.layers[1].weights[0, 0] != 99.0


def test_from_parameters_uses_the_hidden_activation_and_a_sigmoid_output():
    net = Network.from_parameters(params(), "tanh")
    assert [layer.activation.name for layer in net.layers] == ["tanh", "tanh", "sigmoid"]
    assert repr(net) == ("Network([Layer(3, 5, 'tanh'), Layer(5, 4, 'tanh'), "
                         "Layer(4, 1, 'sigmoid')])")


def test_from_parameters_names_a_missing_key():
    p = params()
    del p["b2"]
    with pytest.raises(ValueError, match="no key 'b2'"):
        Network.from_parameters(p)


# --- Network errors -----------------------------------------------------------

def test_network_rejects_layers_that_do_not_fit():
    with pytest.raises(ValueError, match=r"layers\[1\] expects 4 inputs but layers\[0\] has 5"):
        Network([Layer(3, 5), Layer(4, 1)])


def test_network_rejects_no_layers():
    with pytest.raises(ValueError, match="at least one Layer"):
        Network([])


def test_network_forward_names_the_first_layer_on_bad_input():
    net = Network.from_parameters(params())
    with pytest.raises(ValueError, match=r"Layer\(3, 5, 'sigmoid'\) expects .*got \(20, 3\)"):
        net.forward(data()[0].T)


def test_network_backward_checks_labels():
    net = Network.from_parameters(params())
    X, Y = data()
    AL = net.forward(X)
    with pytest.raises(ValueError, match=r"same shape.*AL \(1, 20\) and Y \(20, 1\)"):
        net.backward(AL, Y.T, 0.1)
    with pytest.raises(ValueError, match="0 or 1"):
        net.backward(AL, 2 * Y + 1, 0.1)


def test_fit_rejects_mismatched_example_counts():
    X, Y = data()
    with pytest.raises(ValueError, match="X has 20 examples .* Y has 19"):
        Network.from_parameters(params()).fit(X, Y[:, :19], epochs=1, learning_rate=0.1)
