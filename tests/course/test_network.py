"""Tests of dnn_ref.network: a network worked by hand, gradient checks, training, errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnn_ref.network import (
    accuracy,
    backprop,
    cost_from_logits,
    cost_function,
    forward_prop,
    init_params,
    linear_backward,
    one_layer_backward,
    output_error,
    predict,
    update_parameters,
)
from dnn_ref.training import train

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "step"]


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


# ---------------------------------------------------------------- a 2-2-1 network by hand
#
# Two examples (columns) x¹ = (1, −1) and x² = (2, 1), labels y = (1, 0).
# Hidden layer: ReLU, W1 = [[1, 2], [−1, 2]], b1 = (0.5, 2).  Output: sigmoid,
# W2 = [[1, −2]], b2 = 0.5.

X_HAND = np.array([[1.0, 2.0], [-1.0, 1.0]])
Y_HAND = np.array([[1.0, 0.0]])


def hand_params():
    return {
        "W1": np.array([[1.0, 2.0], [-1.0, 2.0]]), "b1": np.array([[0.5], [2.0]]),
        "W2": np.array([[1.0, -2.0]]), "b2": np.array([[0.5]]),
    }


def test_hand_network_forward():
    AL, caches = forward_prop(X_HAND, hand_params(), "relu")
    # Z1 = W1·X + b1, column by column:
    #   x¹: ( 1·1 + 2·(−1) + 0.5,  −1·1 + 2·(−1) + 2) = (−0.5, −1)
    #   x²: ( 1·2 + 2·1    + 0.5,  −1·2 + 2·1    + 2) = ( 4.5,  2)
    Z1 = np.array([[-0.5, 4.5], [-1.0, 2.0]])
    A1 = np.array([[0.0, 4.5], [0.0, 2.0]])                       # ReLU
    # Z2 = W2·A1 + b2 = (1·0 − 2·0 + 0.5,  1·4.5 − 2·2 + 0.5) = (0.5, 1)
    Z2 = np.array([[0.5, 1.0]])
    np.testing.assert_allclose(caches[0][1], Z1)
    np.testing.assert_allclose(caches[1][0][0], A1)
    np.testing.assert_allclose(caches[1][1], Z2)
    np.testing.assert_allclose(AL, [[sigma(0.5), sigma(1.0)]], rtol=1e-15)
    np.testing.assert_array_equal(caches[0][0][0], X_HAND)         # A0 = X


def test_hand_network_cost():
    AL, _ = forward_prop(X_HAND, hand_params(), "relu")
    # −(1/2)[ln σ(0.5) + ln(1 − σ(1))]
    expected = -(math.log(sigma(0.5)) + math.log(1 - sigma(1.0))) / 2
    assert cost_function(AL, Y_HAND) == pytest.approx(expected, rel=1e-14)
    # L2 with λ = 0.4: (λ/2m)·Σ‖W‖² = (0.4/4)·[(1 + 4 + 1 + 4) + (1 + 4)] = 0.1·15 = 1.5
    params = hand_params()
    assert cost_function(AL, Y_HAND, params, lambd=0.4) == pytest.approx(expected + 1.5,
                                                                        rel=1e-14)


def test_hand_network_gradients():
    params = hand_params()
    AL, caches = forward_prop(X_HAND, params, "relu")
    grads = backprop(AL, Y_HAND, caches, "relu")
    # Sigmoid output with cross-entropy: dZ2 = AL − Y = (σ(0.5) − 1, σ(1) − 0) = (d1, d2).
    d1, d2 = sigma(0.5) - 1.0, sigma(1.0)
    # dW2 = (1/2)·dZ2·A1ᵀ = (1/2)(d1·0 + d2·4.5, d1·0 + d2·2) = (2.25·d2, d2)
    expected_dW2 = [[2.25 * d2, 1.0 * d2]]
    expected_db2 = [[(d1 + d2) / 2]]
    # dA1 = W2ᵀ·dZ2 = [[1·d1, 1·d2], [−2·d1, −2·d2]]
    expected_dA1 = [[d1, d2], [-2 * d1, -2 * d2]]
    # dZ1 = dA1 ⊙ ReLU′(Z1); ReLU′(Z1) = [[0, 1], [0, 1]] → [[0, d2], [0, −2·d2]]
    # dW1 = (1/2)·dZ1·Xᵀ: row 1 = (1/2)·d2·x² = (d2, d2/2); row 2 = (1/2)(−2·d2)·x² = (−2·d2, −d2)
    expected_dW1 = [[d2, d2 / 2], [-2 * d2, -d2]]
    expected_db1 = [[d2 / 2], [-d2]]
    # dA0 = W1ᵀ·dZ1 = [[1, −1], [2, 2]]·[[0, d2], [0, −2·d2]] = [[0, 3·d2], [0, −2·d2]]
    expected_dA0 = [[0.0, 3 * d2], [0.0, -2 * d2]]
    expected = {"dW2": expected_dW2, "db2": expected_db2, "dA1": expected_dA1,
                "dW1": expected_dW1, "db1": expected_db1, "dA0": expected_dA0}
    assert set(grads) == set(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(grads[key], value, rtol=1e-14, atol=1e-16, err_msg=key)


def test_hand_network_l2_gradients_add_lambda_over_m_times_W():
    params = hand_params()
    AL, caches = forward_prop(X_HAND, params, "relu")
    plain = backprop(AL, Y_HAND, caches, "relu")
    l2 = backprop(AL, Y_HAND, caches, "relu", lambd=0.4)
    # (λ/m)·W = 0.2·W; biases and dA are not regularised.
    np.testing.assert_allclose(l2["dW1"], plain["dW1"] + 0.2 * params["W1"], rtol=1e-14)
    np.testing.assert_allclose(l2["dW2"], plain["dW2"] + 0.2 * params["W2"], rtol=1e-14)
    for key in ("db1", "db2", "dA0", "dA1"):
        np.testing.assert_array_equal(l2[key], plain[key])


def test_hand_network_update_and_predict():
    params = hand_params()
    AL, caches = forward_prop(X_HAND, params, "relu")
    grads = backprop(AL, Y_HAND, caches, "relu")
    new = update_parameters(params, grads, learning_rate=0.5)
    d2 = sigma(1.0)
    np.testing.assert_allclose(new["W2"], [[1.0 - 0.5 * 2.25 * d2, -2.0 - 0.5 * d2]])
    np.testing.assert_allclose(new["b1"], [[0.5 - 0.25 * d2], [2.0 + 0.5 * d2]])
    # σ(0.5) and σ(1) are both above 0.5: both examples are predicted 1.
    np.testing.assert_array_equal(predict(X_HAND, params, "relu"), [[1.0, 1.0]])
    assert accuracy(predict(X_HAND, params, "relu"), Y_HAND) == 0.5


def test_one_layer_backward_sigmoid_from_its_output_gives_the_derivatives_values():
    """σ′ as A(1 − A) from the layer's output (what backprop uses for hidden layers)
    agrees with sigmoid_derivative at Z, exact zeros and saturation included."""
    from dnn_ref.activations import sigmoid, sigmoid_derivative

    rng = np.random.default_rng(7)
    A_prev, W, b = rng.standard_normal((4, 6)), rng.standard_normal((3, 4)), np.zeros((3, 1))
    Z = W @ A_prev
    Z[0, :3] = [0.0, 40.0, -40.0]
    dA = rng.standard_normal((3, 6))
    cache = ((A_prev, W, b), Z)
    _, dW, db = linear_backward(dA * sigmoid_derivative(Z), cache[0])
    _, dW_fast, db_fast = one_layer_backward(dA, cache, "sigmoid", A=sigmoid(Z))
    np.testing.assert_allclose(dW_fast, dW, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(db_fast, db, rtol=1e-12, atol=1e-16)
    with pytest.raises(ValueError, match="A and the cached Z"):
        one_layer_backward(dA, cache, "sigmoid", A=sigmoid(Z)[:, :2])


def test_backprop_without_dA0_gives_the_same_parameter_gradients():
    params = hand_params()
    AL, caches = forward_prop(X_HAND, params, "relu")
    full = backprop(AL, Y_HAND, caches, "relu")
    lean = backprop(AL, Y_HAND, caches, "relu", need_dA0=False)
    assert set(full) - set(lean) == {"dA0"}
    for key, value in lean.items():
        np.testing.assert_array_equal(value, full[key])


def test_linear_backward_by_hand_and_without_dA_prev():
    A_prev = np.array([[1.0, 2.0], [-1.0, 1.0]])
    W = np.array([[1.0, -2.0]])
    dZ = np.array([[0.5, -1.0]])
    dA_prev, dW, db = linear_backward(dZ, (A_prev, W, np.zeros((1, 1))))
    # dW = (1/2)(0.5·(1, −1) + (−1)·(2, 1)) = (1/2)(−1.5, −1.5); db = (0.5 − 1)/2
    np.testing.assert_allclose(dW, [[-0.75, -0.75]])
    np.testing.assert_allclose(db, [[-0.25]])
    # dA_prev = Wᵀ·dZ = [[1·0.5, 1·(−1)], [−2·0.5, −2·(−1)]]
    np.testing.assert_allclose(dA_prev, [[0.5, -1.0], [-1.0, 2.0]])
    none, dW2, db2 = linear_backward(dZ, (A_prev, W, np.zeros((1, 1))), need_dA_prev=False)
    assert none is None
    np.testing.assert_array_equal(dW2, dW)
    np.testing.assert_array_equal(db2, db)


# ---------------------------------------------------------------- initialisation

def test_init_params_seed_3_reproduces_the_course_recipe():
    params = init_params([4, 3, 1])
    np.random.seed(3)  # noqa: NPY002 (the course recipe)
    W1 = np.random.randn(3, 4) * 0.01  # noqa: NPY002
    W2 = np.random.randn(1, 3) * 0.01  # noqa: NPY002
    np.testing.assert_array_equal(params["W1"], W1)
    np.testing.assert_array_equal(params["W2"], W2)
    # The first draws of np.random.seed(3), as published with seed 002's code.
    np.testing.assert_allclose(params["W1"][0, :2], [0.01788628, 0.00436510], atol=1e-8)
    np.testing.assert_array_equal(params["b1"], np.zeros((3, 1)))
    np.testing.assert_array_equal(params["b2"], np.zeros((1, 1)))
    assert sorted(params) == ["W1", "W2", "b1", "b2"]
    assert all(v.dtype == np.float64 for v in params.values())


def test_init_params_shapes_for_a_deep_network():
    dims = [5, 4, 3, 2, 1]
    params = init_params(dims)
    for l in range(1, len(dims)):
        assert params[f"W{l}"].shape == (dims[l], dims[l - 1])
        assert params[f"b{l}"].shape == (dims[l], 1)


def test_init_params_same_seed_same_values_and_none_uses_global_state():
    a, b = init_params([3, 2, 1], seed=11), init_params([3, 2, 1], seed=11)
    np.testing.assert_array_equal(a["W1"], b["W1"])
    np.random.seed(5)  # noqa: NPY002 (the course recipe)
    c = init_params([3, 2], seed=None)
    np.random.seed(5)  # noqa: NPY002 (the course recipe)
    np.testing.assert_array_equal(c["W1"], np.random.randn(2, 3) * 0.01)  # noqa: NPY002


@pytest.mark.parametrize(("method", "gain"), [("he", 2.0), ("xavier", 1.0)])
def test_he_and_xavier_scales(method, gain):
    n_prev = 400
    params = init_params([n_prev, 300, 200], seed=0, method=method, scale=123.0)
    for l, fan_in in ((1, n_prev), (2, 300)):
        W = params[f"W{l}"]
        assert W.std() == pytest.approx(math.sqrt(gain / fan_in), rel=0.03)
        assert abs(W.mean()) < 0.1 * W.std()


def test_random_init_scale():
    W = init_params([400, 300], seed=0, scale=0.5)["W1"]
    assert W.std() == pytest.approx(0.5, rel=0.03)


@pytest.mark.parametrize("dims", [[3], [], [3, 0, 1], [0, 2]])
def test_init_params_bad_layer_dims(dims):
    with pytest.raises(ValueError, match=r"layer_dims"):
        init_params(dims)


def test_init_params_unknown_method_is_named():
    with pytest.raises(ValueError, match=r"'kaiming'.*'random', 'he', 'xavier'"):
        init_params([2, 1], method="kaiming")


# ---------------------------------------------------------------- gradient checks

def all_parameters_gradient(params, X, Y, hidden, lambd, h=1e-6):
    """Centred differences of the cost with respect to every parameter entry."""
    def cost(p):
        return cost_function(forward_prop(X, p, hidden)[0], Y, p, lambd)

    numeric = {}
    for key, value in params.items():
        grad = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][idx] += h
            minus[key][idx] -= h
            grad[idx] = (cost(plus) - cost(minus)) / (2 * h)
        numeric["d" + key] = grad
    return numeric


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12)


def gradcheck_problem(dims, m=7, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(dims[0], m))
    Y = (rng.uniform(size=(1, m)) > 0.5).astype(float)
    params = init_params(dims, seed=seed, method="xavier")
    # Non-zero biases, so that the check also covers the bias gradients properly.
    for key in params:
        if key.startswith("b"):
            params[key] = rng.normal(scale=0.5, size=params[key].shape)
    return X, Y, params


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("dims", [[3, 1], [3, 4, 1], [3, 5, 4, 1]])
@pytest.mark.parametrize("lambd", [0.0, 0.7])
def test_backprop_matches_finite_differences(hidden, dims, lambd):
    X, Y, params = gradcheck_problem(dims)
    AL, caches = forward_prop(X, params, hidden)
    grads = backprop(AL, Y, caches, hidden, lambd)
    numeric = all_parameters_gradient(params, X, Y, hidden, lambd)
    for key, value in numeric.items():
        assert relative_error(grads[key], value) < 1e-7, (key, grads[key], value)
    if hidden == "step" and lambd == 0:
        # No gradient flows through a step function to the layers before it.
        for l in range(1, len(dims) - 1):
            np.testing.assert_array_equal(grads[f"dW{l}"], 0.0)
            np.testing.assert_array_equal(grads[f"db{l}"], 0.0)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "leaky_relu"])
def test_dA0_is_m_times_the_gradient_with_respect_to_X(hidden):
    X, Y, params = gradcheck_problem([3, 4, 1], m=5, seed=1)
    AL, caches = forward_prop(X, params, hidden)
    dA0 = backprop(AL, Y, caches, hidden)["dA0"]
    h = 1e-6
    numeric = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        plus, minus = X.copy(), X.copy()
        plus[idx] += h
        minus[idx] -= h
        numeric[idx] = (cost_function(forward_prop(plus, params, hidden)[0], Y)
                        - cost_function(forward_prop(minus, params, hidden)[0], Y)) / (2 * h)
    # dA{l} is Wᵀ·dZ, not averaged over the batch: m times the cost's gradient.
    assert relative_error(dA0, X.shape[1] * numeric) < 1e-7


# ---------------------------------------------------------------- property tests of shapes

@settings(max_examples=40, deadline=None)
@given(
    dims=st.lists(st.integers(1, 6), min_size=1, max_size=4).map(lambda d: d + [1]),
    m=st.integers(1, 8),
    hidden=st.sampled_from(HIDDEN),
    lambd=st.sampled_from([0.0, 0.3]),
    seed=st.integers(0, 2**16),
)
def test_every_gradient_has_its_parameters_shape(dims, m, hidden, lambd, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(dims[0], m))
    Y = rng.integers(0, 2, size=(1, m)).astype(float)
    params = init_params(dims, seed=seed % 1000)
    AL, caches = forward_prop(X, params, hidden)
    grads = backprop(AL, Y, caches, hidden, lambd)
    L = len(dims) - 1
    assert AL.shape == (1, m) and len(caches) == L
    assert set(grads) == ({f"dW{l}" for l in range(1, L + 1)} | {f"db{l}" for l in range(1, L + 1)}
                          | {f"dA{l}" for l in range(L)})
    for l in range(1, L + 1):
        assert grads[f"dW{l}"].shape == params[f"W{l}"].shape
        assert grads[f"db{l}"].shape == params[f"b{l}"].shape
        A_prev = caches[l - 1][0][0]                       # A{l−1}, with A0 = X
        assert grads[f"dA{l - 1}"].shape == A_prev.shape == (dims[l - 1], m)
        assert caches[l - 1][1].shape == (dims[l], m)      # Z{l}
    for value in grads.values():
        assert value.dtype == np.float64 and np.isfinite(value).all()


# ---------------------------------------------------------------- update_parameters

def test_update_parameters_returns_new_dict_and_leaves_inputs_alone():
    params = hand_params()
    grads = {"dW1": np.ones((2, 2)), "db1": np.ones((2, 1)),
             "dW2": np.full((1, 2), 2.0), "db2": np.full((1, 1), -1.0), "dA0": np.zeros((2, 2))}
    params_before = {k: v.copy() for k, v in params.items()}
    grads_before = {k: v.copy() for k, v in grads.items()}
    first = update_parameters(params, grads, 0.1)
    second = update_parameters(params, grads, 0.1)
    assert first is not params and sorted(first) == sorted(params)
    for key in params:
        np.testing.assert_array_equal(params[key], params_before[key])
        np.testing.assert_array_equal(first[key], second[key])
        assert first[key] is not params[key]
    for key in grads:
        np.testing.assert_array_equal(grads[key], grads_before[key])
    np.testing.assert_allclose(first["W2"], [[1.0 - 0.2, -2.0 - 0.2]])
    np.testing.assert_allclose(first["b2"], [[0.5 + 0.1]])


def test_update_parameters_missing_gradient_is_named():
    params = hand_params()
    grads = {"dW1": np.ones((2, 2)), "db1": np.ones((2, 1)), "db2": np.ones((1, 1))}
    with pytest.raises(ValueError, match=r"'dW2'"):
        update_parameters(params, grads, 0.1)


def test_update_parameters_with_seed_002_key_mistake_names_dW1():
    # Seed 002 reads grads['W1']: gradients stored without the 'd' are not gradients.
    params = hand_params()
    grads = {k: np.ones_like(v) for k, v in params.items()}
    with pytest.raises(ValueError, match=r"'dW1'.*'W1'"):
        update_parameters(params, grads, 0.1)


def test_update_parameters_gradient_shape_mismatch_names_key_and_shapes():
    params = hand_params()
    grads = {"dW1": np.ones((2, 2)), "db1": np.ones((2, 1)),
             "dW2": np.ones((2, 1)), "db2": np.ones((1, 1))}
    with pytest.raises(ValueError, match=r"'dW2'.*\(2, 1\).*W2.*\(1, 2\)"):
        update_parameters(params, grads, 0.1)


def test_predict_threshold_is_strict():
    # A net with zero weights outputs σ(0) = 0.5 exactly: not above the threshold.
    params = {"W1": np.zeros((1, 2)), "b1": np.zeros((1, 1))}
    np.testing.assert_array_equal(predict(X_HAND, params), [[0.0, 0.0]])
    np.testing.assert_array_equal(predict(X_HAND, params, threshold=0.4), [[1.0, 1.0]])


def test_accuracy_by_hand():
    assert accuracy([[1, 0, 1, 1]], [[1, 1, 1, 0]]) == 0.5
    assert accuracy([[0, 0]], [[0, 0]]) == 1.0


# ---------------------------------------------------------------- errors a student can act on

def test_forward_x_with_wrong_number_of_features_names_arrays_and_shapes():
    with pytest.raises(ValueError, match=r"W1 \(2, 2\).*b1 \(2, 1\).*X \(3, 2\)"):
        forward_prop(np.ones((3, 2)), hand_params())


def test_forward_hidden_layer_mismatch_names_A1():
    params = hand_params()
    params["W2"] = np.ones((1, 3))
    with pytest.raises(ValueError, match=r"layer 2: W2 \(1, 3\).*A1 \(2, 2\)"):
        forward_prop(X_HAND, params)


def test_forward_bias_of_wrong_shape_is_named():
    params = hand_params()
    params["b1"] = np.zeros(2)
    with pytest.raises(ValueError, match=r"b1 \(2,\)"):
        forward_prop(X_HAND, params)


def test_forward_missing_key_is_named():
    params = hand_params()
    del params["b2"]
    with pytest.raises(ValueError, match=r"no key 'b2'"):
        forward_prop(X_HAND, params)


def test_forward_empty_parameters():
    with pytest.raises(ValueError, match=r"'W1'.*init_params"):
        forward_prop(X_HAND, {})


def test_forward_nan_in_X_is_named():
    X = X_HAND.copy()
    X[1, 0] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN"):
        forward_prop(X, hand_params())


def test_forward_vector_X_is_rejected():
    with pytest.raises(ValueError, match=r"X must be a 2-D array.*\(2,\)"):
        forward_prop(np.ones(2), hand_params())


@pytest.mark.parametrize("fn", ["forward", "backprop", "predict", "train"])
def test_unknown_activation_is_named(fn):
    params = hand_params()
    with pytest.raises(ValueError, match=r"unknown activation 'swish'"):
        if fn == "forward":
            forward_prop(X_HAND, params, "swish")
        elif fn == "backprop":
            AL, caches = forward_prop(X_HAND, params, "relu")
            backprop(AL, Y_HAND, caches, "swish")
        elif fn == "predict":
            predict(X_HAND, params, "swish")
        else:
            train(X_HAND, Y_HAND, [2, 2, 1], 1, 0.1, hidden_activation="swish",
                  progress=False)


def test_cost_shape_mismatch_names_both():
    with pytest.raises(ValueError, match=r"AL \(1, 2\) and Y \(1, 3\)"):
        cost_function(np.full((1, 2), 0.5), np.ones((1, 3)))


@pytest.mark.parametrize("fn", ["cost", "backprop", "train"])
def test_labels_outside_0_1_raise(fn):
    Y = np.array([[-1.0, 1.0]])                  # the ±1 convention of SVMs
    with pytest.raises(ValueError, match=r"0 or 1"):
        if fn == "cost":
            cost_function(np.full((1, 2), 0.5), Y)
        elif fn == "backprop":
            AL, caches = forward_prop(X_HAND, hand_params())
            backprop(AL, Y, caches)
        else:
            train(X_HAND, Y, [2, 1], 1, 0.1, progress=False)


def test_cost_with_lambd_needs_parameters():
    with pytest.raises(ValueError, match=r"lambd > 0 needs the parameters"):
        cost_function(np.full((1, 2), 0.5), Y_HAND, lambd=0.1)


def test_backprop_shape_mismatch_names_both():
    AL, caches = forward_prop(X_HAND, hand_params())
    with pytest.raises(ValueError, match=r"AL \(1, 2\) and Y \(1, 1\)"):
        backprop(AL, np.ones((1, 1)), caches)


def test_backprop_empty_caches():
    with pytest.raises(ValueError, match=r"caches is empty"):
        backprop(np.full((1, 2), 0.5), Y_HAND, [])


def test_one_layer_backward_shape_mismatch_names_dA_and_Z():
    _, caches = forward_prop(X_HAND, hand_params())
    with pytest.raises(ValueError, match=r"dA \(1, 3\) and the cached Z \(1, 2\)"):
        one_layer_backward(np.ones((1, 3)), caches[1])


def test_accuracy_shape_mismatch_names_both():
    with pytest.raises(ValueError, match=r"Y_pred \(1, 2\) and Y \(1, 3\)"):
        accuracy(np.ones((1, 2)), np.ones((1, 3)))


def test_forward_and_backprop_do_not_modify_inputs():
    params = hand_params()
    X, Y = X_HAND.copy(), Y_HAND.copy()
    AL, caches = forward_prop(X, params, "relu")
    backprop(AL, Y, caches, "relu", lambd=0.3)
    for key, value in hand_params().items():
        np.testing.assert_array_equal(params[key], value)
    np.testing.assert_array_equal(X, X_HAND)
    np.testing.assert_array_equal(Y, Y_HAND)



# ---------------------------------------------------------------- the output layer, exact

def test_backprop_takes_the_output_error_a_minus_y_where_the_da_route_is_lost():
    # One sigmoid unit, z = 37 and 50 with label 0 (a rounds to 1), z = −800 with label 1
    # (a rounds to 0): dZ = a − y is ±1, so dW = mean of ±x.
    X = np.array([[37.0, 50.0, -800.0]])
    Y = np.array([[0.0, 0.0, 1.0]])
    params = {"W1": np.array([[1.0]]), "b1": np.zeros((1, 1))}
    AL, caches = forward_prop(X, params)
    np.testing.assert_array_equal(AL, [[1.0, 1.0, 0.0]])
    grads = backprop(AL, Y, caches)
    assert grads["dW1"][0, 0] == pytest.approx((37 + 50 + 800) / 3, rel=1e-15)
    assert grads["db1"][0, 0] == pytest.approx((1 + 1 - 1) / 3, rel=1e-15)
    np.testing.assert_array_equal(output_error(AL, Y), [[1.0, 1.0, -1.0]])


def test_cost_from_logits_is_exact_where_cost_function_clips():
    ZL = np.array([[37.0, 50.0, -800.0, 0.25]])
    Y = np.array([[0.0, 0.0, 1.0, 1.0]])
    expected = (37 + 50 + 800 + math.log1p(math.exp(-0.25))) / 4
    assert cost_from_logits(ZL, Y) == pytest.approx(expected, rel=1e-15)
    assert cost_function(1 / (1 + np.exp(-ZL[:, 3:])), Y[:, 3:]) == pytest.approx(
        cost_from_logits(ZL[:, 3:], Y[:, 3:]), rel=1e-14)       # the same where a is not rounded
    params = {"W1": np.array([[3.0, 4.0]]), "b1": np.zeros((1, 1))}
    assert cost_from_logits(ZL, Y, params, lambd=2.0) == pytest.approx(
        expected + 2.0 / 8 * 25, rel=1e-15)
    with pytest.raises(ValueError, match="lambd > 0 needs the parameters"):
        cost_from_logits(ZL, Y, lambd=1.0)
    with pytest.raises(ValueError, match="unknown output 'tanh'"):
        cost_from_logits(ZL, Y, output="tanh")


def test_train_records_the_exact_cost_and_leaves_the_confident_mistake():
    # The example through train: x = 1, label 0. init_params cannot start at W = 40,
    # so X = 40 with W ≈ 1 plays it: z starts near 40·W1 and the recorded cost is that z.
    X, Y = np.array([[40.0]]), np.array([[0.0]])
    params, history = train(X, Y, [1, 1], epochs=100, learning_rate=0.05, init="xavier",
                            seed=0, progress=False)
    W0 = init_params([1, 1], seed=0, method="xavier")["W1"].item()
    assert history[0] == pytest.approx(np.logaddexp(0, 40 * W0), rel=1e-15)
    assert history[0] > 27.64                        # beyond the clipped −log(EPS)
    assert history[-1] < 0.05
