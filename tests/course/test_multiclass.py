"""Tests of the softmax output layer (functional and Layer APIs) and dnn_ref.multiclass."""

import numpy as np
import pytest

from dnn_ref.activations import Softmax, softmax, softmax_backward
from dnn_ref.datasets import load_digits_multiclass
from dnn_ref.gradcheck import check_network_gradients, gradient_check, numerical_gradient
from dnn_ref.layers import Layer, Network
from dnn_ref.losses import categorical_cross_entropy, softmax_cross_entropy_with_logits
from dnn_ref.multiclass import class_numbers, confusion_matrix, misclassified, one_hot
from dnn_ref.network import (
    accuracy,
    backprop,
    cost_from_logits,
    forward_prop,
    init_params,
    predict,
)
from dnn_ref.training import train


def small_problem(K=3, n0=4, m=7, seed=0):
    """X (n0, m), one-hot Y (K, m) with every class present, He weights, small biases."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n0, m))
    Y = one_hot(np.arange(m) % K, K)
    params = init_params([n0, 5, K], seed=seed, method="he")
    params = {k: v + 0.1 * rng.standard_normal(v.shape) if k[0] == "b" else v
              for k, v in params.items()}
    return X, Y, params


# ---------------------------------------------------------------- the VJP of softmax

def test_softmax_backward_is_the_jacobian_transposed_times_da():
    rng = np.random.default_rng(1)
    z, da = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    expected = np.empty_like(z)
    for i in range(z.shape[1]):                       # the K×K Jacobian, column by column
        a = softmax(z[:, [i]]).ravel()
        J = np.diag(a) - np.outer(a, a)
        expected[:, i] = J.T @ da[:, i]
    np.testing.assert_allclose(softmax_backward(z, da), expected, rtol=1e-13, atol=1e-16)


def test_softmax_backward_agrees_with_finite_differences():
    # C(z) = Σ da ⊙ softmax(z) has ∂C/∂z = Jᵀ·da.
    rng = np.random.default_rng(2)
    z, da = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    numeric = numerical_gradient(lambda p: float(np.sum(da * softmax(p["z"]))), {"z": z})["dz"]
    np.testing.assert_allclose(softmax_backward(z, da), numeric, rtol=1e-7, atol=1e-10)


def test_softmax_backward_of_the_log_loss_is_a_minus_y():
    z = np.array([[2.0, -1.0], [0.5, 3.0], [-1.0, 0.0]])
    y = one_hot([0, 2], 3)
    a = softmax(z)
    np.testing.assert_allclose(softmax_backward(z, -y / a), a - y, rtol=1e-13, atol=1e-15)


def test_softmax_has_no_elementwise_derivative():
    with pytest.raises(ValueError, match="not elementwise.*backward"):
        Softmax().derivative(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="one shape"):
        softmax_backward(np.zeros((3, 2)), np.zeros((2, 3)))


# ---------------------------------------------------------------- functional API

def test_forward_with_a_softmax_output_gives_probability_columns():
    X, _, params = small_problem()
    AL, caches = forward_prop(X, params, "relu", output="softmax")
    assert AL.shape == (3, 7)
    np.testing.assert_allclose(AL.sum(axis=0), 1.0, rtol=1e-15)
    np.testing.assert_array_equal(AL, softmax(caches[-1][1]))


def test_cost_from_logits_is_the_categorical_cross_entropy():
    X, Y, params = small_problem()
    AL, caches = forward_prop(X, params, "relu", output="softmax")
    assert cost_from_logits(caches[-1][1], Y, output="softmax") == pytest.approx(
        categorical_cross_entropy(AL, Y), rel=1e-13)
    l2 = 0.7 / (2 * 7) * sum(np.sum(params[f"W{l}"] ** 2) for l in (1, 2))
    assert cost_from_logits(caches[-1][1], Y, params, 0.7, output="softmax") == pytest.approx(
        categorical_cross_entropy(AL, Y) + l2, rel=1e-13)


@pytest.mark.parametrize("hidden", ["relu", "tanh", "sigmoid"])
def test_softmax_backprop_passes_the_gradient_check(hidden):
    X, Y, params = small_problem(seed=3)
    result = check_network_gradients(X, Y, params, hidden, output="softmax")
    assert result.passed, str(result)
    assert result.worst_error < 1e-8
    with_l2 = check_network_gradients(X, Y, params, hidden, lambd=0.5, output="softmax")
    assert with_l2.passed, str(with_l2)


def test_gradient_check_catches_a_softmax_backward_that_forgets_the_jacobian():
    # A common slip: treating softmax as elementwise, dZ = dA ⊙ a(1 − a), with dA = −y/a.
    X, Y, params = small_problem(seed=3)
    AL, caches = forward_prop(X, params, "tanh", output="softmax")
    grads = backprop(AL, Y, caches, "tanh")
    dZ = (-Y / AL) * AL * (1 - AL)
    A1 = caches[1][0][0]
    grads["dW2"], grads["db2"] = dZ @ A1.T / 7, dZ.sum(axis=1, keepdims=True) / 7

    def cost(p):
        return cost_from_logits(forward_prop(X, p, "tanh", output="softmax")[1][-1][1], Y,
                                output="softmax")

    result = gradient_check(cost, params, grads)
    assert not result.passed and result.worst_key in ("W2", "b2")


def test_predict_returns_one_hot_columns_and_accuracy_counts_examples():
    X, Y, params = small_problem()
    Y_pred = predict(X, params, "relu", output="softmax")
    AL, _ = forward_prop(X, params, "relu", output="softmax")
    np.testing.assert_array_equal(Y_pred, one_hot(AL.argmax(axis=0), 3))
    # accuracy is the share of columns that agree, not of entries
    Y_wrong = Y_pred[[1, 2, 0]]                        # every prediction moved to another class
    assert accuracy(Y_wrong, Y_pred) == 0.0
    assert accuracy(Y_pred, Y_pred) == 1.0


def test_unknown_output_and_a_softmax_hidden_layer_are_refused():
    X, _, params = small_problem()
    with pytest.raises(ValueError, match=r"unknown output 'softmx'.*'sigmoid', 'softmax'"):
        forward_prop(X, params, output="softmx")
    with pytest.raises(ValueError, match="softmax is an output activation.*output='softmax'"):
        forward_prop(X, params, "softmax")


def test_softmax_cost_needs_one_hot_labels():
    Z = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"exactly one 1 per column.*column 1 has 0"):
        softmax_cross_entropy_with_logits(Z, [[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match=r"layer_dims\[-1\] is 3 but Y has 1 rows"):
        train(np.zeros((4, 2)), np.ones((1, 2)), [4, 3], 1, 0.1, progress=False,
              output="softmax")


def test_ten_digits_are_learnt():
    data = load_digits_multiclass()
    params, history = train(data.X_train, data.Y_train, [64, 32, 10], 200, 0.1,
                            hidden_activation="relu", init="he", batch_size=32,
                            progress=False, output="softmax")
    assert history[0] > 2.0 and history[-1] < 0.01    # from about ln 10 to almost 0
    test_accuracy = accuracy(predict(data.X_test, params, "relu", output="softmax"),
                             data.Y_test)
    assert test_accuracy >= 0.95                       # 0.961 (346 of 360) with these settings


# ---------------------------------------------------------------- Layer API

def test_softmax_layer_backward_is_the_vjp():
    rng = np.random.default_rng(4)
    layer = Layer(3, 4, "softmax", seed=0)
    a_prev, da = rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    layer.forward(a_prev)
    dz = softmax_backward(layer.outputs, da)
    W = layer.weights.copy()
    da_prev = layer.backward(da, learning_rate=0.0)
    np.testing.assert_allclose(da_prev, W.T @ dz, rtol=1e-13)
    np.testing.assert_allclose(layer.d_weights, dz @ a_prev.T / 5, rtol=1e-13)


def test_softmax_network_matches_the_functional_api():
    X, Y, params = small_problem(seed=5)
    net = Network.from_parameters(params, "tanh", output="softmax")
    assert repr(net.layers[-1]) == "Layer(5, 3, 'softmax')"
    history = net.fit(X, Y, epochs=20, learning_rate=0.3)
    p = {k: v.copy() for k, v in params.items()}
    costs = []
    for _ in range(20):
        AL, caches = forward_prop(X, p, "tanh", output="softmax")
        costs.append(cost_from_logits(caches[-1][1], Y, output="softmax"))
        grads = backprop(AL, Y, caches, "tanh")
        p = {k: p[k] - 0.3 * grads[f"d{k}"] for k in p}
    np.testing.assert_allclose(history, costs, rtol=1e-12)
    got = net.parameters()
    for key in p:
        np.testing.assert_allclose(got[key], p[key], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(net.predict(X), predict(X, p, "tanh", output="softmax"))


def test_network_output_layer_must_name_a_cross_entropy():
    with pytest.raises(ValueError, match=r"last layer's activation is ReLU\(\).*'sigmoid', "
                                         r"'softmax'"):
        Network([Layer(3, 4, "tanh"), Layer(4, 2, "relu")])


# ---------------------------------------------------------------- dnn_ref.multiclass

def test_one_hot_and_class_numbers_are_inverse():
    classes = np.array([2, 0, 1, 2])
    Y = one_hot(classes, 3)
    np.testing.assert_array_equal(Y, [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 1]])
    np.testing.assert_array_equal(class_numbers(Y), classes)
    with pytest.raises(ValueError, match=r"whole numbers 0 … 2; got values from 0 to 3"):
        one_hot([0, 3], 3)
    with pytest.raises(ValueError, match=r"1-D array.*\(1, 2\)"):
        one_hot([[0, 1]], 3)


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    Y = one_hot([0, 0, 1, 2, 2, 2], 3)
    AL = np.array([[0.8, 0.3, 0.1, 0.2, 0.1, 0.6],     # probabilities are fine: the largest counts
                   [0.1, 0.6, 0.7, 0.1, 0.2, 0.3],
                   [0.1, 0.1, 0.2, 0.7, 0.7, 0.1]])
    counts = confusion_matrix(Y, AL)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert counts.sum() == 6 and np.trace(counts) / 6 == accuracy(one_hot(AL.argmax(0), 3), Y)
    np.testing.assert_array_equal(misclassified(Y, AL), [1, 5])
    with pytest.raises(ValueError, match=r"Y \(3, 6\) and Y_pred \(3, 5\)"):
        confusion_matrix(Y, AL[:, :5])
