"""Tests of dnn_ref.losses: hand-computed values, gradients, edge cases, error messages."""

import math
import warnings

import numpy as np
import pytest

from dnn_ref import losses
from dnn_ref.activations import sigmoid, softmax
from dnn_ref.network import one_layer_backward

COSTS = [losses.quadratic_cost, losses.binary_cross_entropy, losses.categorical_cross_entropy]
GRADIENTS = [
    losses.quadratic_cost_gradient,
    losses.binary_cross_entropy_gradient,
    losses.categorical_cross_entropy_gradient,
]
STRICT = {"over": "raise", "divide": "raise", "invalid": "raise"}


def numerical_gradient(cost, AL, Y, h=1e-6):
    """Centred differences of ``cost(AL, Y)`` with respect to every entry of AL."""
    grad = np.zeros_like(AL)
    for idx in np.ndindex(AL.shape):
        plus, minus = AL.copy(), AL.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (cost(plus, Y) - cost(minus, Y)) / (2 * h)
    return grad


# ---------------------------------------------------------------- hand-computed values

def test_quadratic_cost_by_hand():
    # Errors 0.5 and 0, m = 2: (0.25 + 0) / 2.
    assert losses.quadratic_cost([[0.5, 1.0]], [[1.0, 1.0]]) == pytest.approx(0.125)
    # Two outputs: ‖y − a‖² is 0.1² + 0.2² = 0.05 and 0.3² + 0 = 0.09; mean 0.07.
    AL = [[0.9, 0.3], [0.2, 1.0]]
    Y = [[1.0, 0.0], [0.0, 1.0]]
    assert losses.quadratic_cost(AL, Y) == pytest.approx(0.07)


def test_quadratic_cost_gradient_by_hand():
    # Per example, like every gradient of the module: ∂‖y − a‖²/∂a = 2(a − y), no 1/m.
    np.testing.assert_allclose(losses.quadratic_cost_gradient([[0.5, 1.0]], [[1.0, 1.0]]),
                               [[-1.0, 0.0]])


def test_binary_cross_entropy_by_hand():
    # −(1/2)[1·ln 0.8 + (1 − 0)·ln(1 − 0.4)]
    expected = -(math.log(0.8) + math.log(0.6)) / 2
    assert losses.binary_cross_entropy([[0.8, 0.4]], [[1, 0]]) == pytest.approx(expected,
                                                                                  rel=1e-14)


def test_binary_cross_entropy_gradient_by_hand():
    # −(y/a − (1 − y)/(1 − a)): −1/0.8 for the positive, +1/0.6 for the negative.
    np.testing.assert_allclose(losses.binary_cross_entropy_gradient([[0.8, 0.4]], [[1, 0]]),
                               [[-1.25, 1 / 0.6]], rtol=1e-14)


def test_categorical_cross_entropy_by_hand():
    AL = [[0.7, 0.2], [0.2, 0.5], [0.1, 0.3]]
    Y = [[1, 0], [0, 1], [0, 0]]
    # Only the true classes count: −(ln 0.7 + ln 0.5) / 2.
    expected = -(math.log(0.7) + math.log(0.5)) / 2
    assert losses.categorical_cross_entropy(AL, Y) == pytest.approx(expected, rel=1e-14)
    np.testing.assert_allclose(losses.categorical_cross_entropy_gradient(AL, Y),
                               [[-1 / 0.7, 0], [0, -2.0], [0, 0]], rtol=1e-14)


@pytest.mark.parametrize("cost", COSTS)
def test_costs_return_python_floats(cost):
    value = cost([[0.3, 0.6]], [[0.0, 1.0]])
    assert type(value) is float


# ---------------------------------------------------------------- gradients vs differences

def test_quadratic_gradient_matches_differences_times_m():
    # Per example, as the cross-entropies' (the 1/m is applied later, to dW and db).
    rng = np.random.default_rng(0)
    AL, Y = rng.uniform(size=(3, 5)), rng.uniform(size=(3, 5))
    np.testing.assert_allclose(losses.quadratic_cost_gradient(AL, Y),
                               5 * numerical_gradient(losses.quadratic_cost, AL, Y), rtol=1e-6)


def test_binary_gradient_matches_differences_times_m():
    # The gradient is per example (the 1/m is applied later, to dW and db).
    rng = np.random.default_rng(1)
    m = 6
    AL = rng.uniform(0.05, 0.95, size=(1, m))
    Y = np.array([[0, 1, 1, 0, 1, 0]], dtype=float)
    numeric = numerical_gradient(losses.binary_cross_entropy, AL, Y)
    np.testing.assert_allclose(losses.binary_cross_entropy_gradient(AL, Y), m * numeric,
                               rtol=1e-6)


def test_categorical_gradient_matches_differences_times_m():
    rng = np.random.default_rng(2)
    K, m = 4, 5
    AL = rng.uniform(0.05, 0.95, size=(K, m))
    Y = np.eye(K)[:, rng.integers(0, K, size=m)]
    numeric = numerical_gradient(losses.categorical_cross_entropy, AL, Y)
    np.testing.assert_allclose(losses.categorical_cross_entropy_gradient(AL, Y), m * numeric,
                               rtol=1e-6, atol=1e-9)


def test_softmax_with_log_loss_has_gradient_AL_minus_Y():
    rng = np.random.default_rng(3)
    K, m = 3, 4
    Z = rng.normal(size=(K, m))
    Y = np.eye(K)[:, [0, 2, 1, 2]]
    numeric = numerical_gradient(lambda z, y: losses.categorical_cross_entropy(softmax(z), y),
                                 Z, Y)
    np.testing.assert_allclose(m * numeric, softmax(Z) - Y, rtol=1e-6, atol=1e-9)


def test_categorical_with_two_classes_equals_binary():
    p = np.array([[0.9, 0.2, 0.6, 0.35]])
    y = np.array([[1.0, 0.0, 0.0, 1.0]])
    two_class_AL = np.vstack([p, 1 - p])
    two_class_Y = np.vstack([y, 1 - y])
    assert losses.categorical_cross_entropy(two_class_AL, two_class_Y) == pytest.approx(
        losses.binary_cross_entropy(p, y), rel=1e-13)


# ---------------------------------------------------------------- predictions of 0 and 1

def test_binary_at_exact_zero_and_one_is_finite_without_warnings():
    AL = np.array([[0.0, 1.0, 0.0, 1.0]])
    right = np.array([[0.0, 1.0, 0.0, 1.0]])
    wrong = 1.0 - right
    with warnings.catch_warnings(), np.errstate(**STRICT):
        warnings.simplefilter("error")
        c_right = losses.binary_cross_entropy(AL, right)
        c_wrong = losses.binary_cross_entropy(AL, wrong)
        g_right = losses.binary_cross_entropy_gradient(AL, right)
        g_wrong = losses.binary_cross_entropy_gradient(AL, wrong)
    assert 0.0 <= c_right < 1e-10
    # Confidently wrong everywhere: −ln(EPS), large but finite.
    assert c_wrong == pytest.approx(-math.log(losses.EPS), rel=1e-6)
    assert np.isfinite(g_right).all() and np.isfinite(g_wrong).all()
    assert (g_wrong[:, [0, 2]] < 0).all() and (g_wrong[:, [1, 3]] > 0).all()


def test_categorical_at_exact_zero_is_finite_without_warnings():
    AL = np.array([[1.0, 0.0], [0.0, 1.0]])
    Y = np.array([[0.0, 0.0], [1.0, 1.0]])
    with warnings.catch_warnings(), np.errstate(**STRICT):
        warnings.simplefilter("error")
        cost = losses.categorical_cross_entropy(AL, Y)
        grad = losses.categorical_cross_entropy_gradient(AL, Y)
    assert np.isfinite(cost) and np.isfinite(grad).all()
    assert cost == pytest.approx(-math.log(losses.EPS) / 2, rel=1e-6)


# ---------------------------------------------------------------- errors a student can act on

@pytest.mark.parametrize("fn", [losses.binary_cross_entropy,
                                losses.binary_cross_entropy_gradient])
@pytest.mark.parametrize("labels", [[[0.0, 2.0]], [[-1.0, 1.0]], [[0.5, 1.0]]])
def test_binary_labels_outside_0_1_raise(fn, labels):
    with pytest.raises(ValueError, match=r"0 or 1"):
        fn([[0.3, 0.7]], labels)


@pytest.mark.parametrize("fn", COSTS + GRADIENTS)
def test_shape_mismatch_names_both_arrays_and_shapes(fn):
    with pytest.raises(ValueError) as info:
        fn(np.full((1, 3), 0.5), np.ones((1, 4)))
    message = str(info.value)
    for part in ("AL", "Y", "(1, 3)", "(1, 4)"):
        assert part in message


@pytest.mark.parametrize("fn", COSTS + GRADIENTS)
def test_vector_input_is_rejected_with_a_hint(fn):
    with pytest.raises(ValueError, match=r"AL must be a 2-D array.*\(3,\).*reshape"):
        fn(np.full(3, 0.5), np.ones((1, 3)))


@pytest.mark.parametrize("fn", COSTS + GRADIENTS)
def test_nan_prediction_is_named(fn):
    with pytest.raises(ValueError, match=r"AL contains NaN"):
        fn([[0.5, np.nan]], [[1.0, 0.0]])


@pytest.mark.parametrize("fn", COSTS + GRADIENTS)
def test_inputs_are_not_modified(fn):
    AL = np.array([[0.0, 0.4, 1.0]])
    Y = np.array([[0.0, 1.0, 1.0]])
    AL_before, Y_before = AL.copy(), Y.copy()
    fn(AL, Y)
    np.testing.assert_array_equal(AL, AL_before)
    np.testing.assert_array_equal(Y, Y_before)


# ---------------------------------------------------------------- one convention, fed to backprop

def test_every_gradient_fed_to_one_layer_backward_gives_the_cost_gradient():
    # The stated convention: a *_gradient is ∂C_x/∂a per example, so one_layer_backward's 1/m
    # makes dW the gradient of the averaged cost C(W) (checked by finite differences).
    rng = np.random.default_rng(5)
    A_prev, W, b = rng.standard_normal((3, 6)), rng.standard_normal((2, 3)), np.zeros((2, 1))
    Y = np.array([[0.0, 1.0, 1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0, 0.0, 1.0]])
    for cost, gradient in ((losses.quadratic_cost, losses.quadratic_cost_gradient),
                           (losses.binary_cross_entropy, losses.binary_cross_entropy_gradient)):
        Z = W @ A_prev + b
        dA = gradient(sigmoid(Z), Y)
        _, dW, _ = one_layer_backward(dA, ((A_prev, W, b), Z), "sigmoid")

        def C(W_, cost=cost):
            return cost(sigmoid(W_ @ A_prev + b), Y)

        numeric = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            plus, minus = W.copy(), W.copy()
            plus[idx] += 1e-6
            minus[idx] -= 1e-6
            numeric[idx] = (C(plus) - C(minus)) / 2e-6
        np.testing.assert_allclose(dW, numeric, rtol=1e-6, err_msg=cost.__name__)


# ---------------------------------------------------------------- costs from Z (logits)

def test_costs_from_z_equal_the_costs_from_a_where_a_is_not_rounded():
    rng = np.random.default_rng(6)
    Z = rng.standard_normal((1, 8)) * 3
    Y = (rng.random((1, 8)) < 0.5).astype(float)
    assert losses.binary_cross_entropy_with_logits(Z, Y) == pytest.approx(
        losses.binary_cross_entropy(1 / (1 + np.exp(-Z)), Y), rel=1e-13)
    Zk = rng.standard_normal((4, 8)) * 3
    Yk = np.eye(4)[:, rng.integers(0, 4, 8)]
    assert losses.softmax_cross_entropy_with_logits(Zk, Yk) == pytest.approx(
        losses.categorical_cross_entropy(softmax(Zk), Yk), rel=1e-13)


def test_gradients_from_z_match_differences_times_m():
    rng = np.random.default_rng(7)
    Z = rng.standard_normal((1, 5)) * 4
    Y = np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])
    np.testing.assert_allclose(losses.binary_cross_entropy_with_logits_gradient(Z, Y),
                               5 * numerical_gradient(losses.binary_cross_entropy_with_logits,
                                                      Z, Y), rtol=1e-6)
    Zk = rng.standard_normal((3, 5)) * 4
    Yk = np.eye(3)[:, [0, 1, 2, 2, 0]]
    np.testing.assert_allclose(
        losses.softmax_cross_entropy_with_logits_gradient(Zk, Yk),
        5 * numerical_gradient(losses.softmax_cross_entropy_with_logits, Zk, Yk),
        rtol=1e-6, atol=1e-9)


def test_costs_from_z_stay_exact_and_quiet_at_any_finite_z():
    Z = np.array([[1e308, -1e308, 800.0, -800.0]])
    Y = np.array([[0.0, 1.0, 0.0, 1.0]])
    with np.errstate(**STRICT):
        assert losses.binary_cross_entropy_with_logits(Z[:, 2:], Y[:, 2:]) == 800.0
        np.testing.assert_array_equal(
            losses.binary_cross_entropy_with_logits_gradient(Z, Y), [[1.0, -1.0, 1.0, -1.0]])
        Zk = np.array([[1000.0], [-1000.0]])
        assert losses.softmax_cross_entropy_with_logits(Zk, [[0.0], [1.0]]) == 2000.0
        assert losses.softmax_cross_entropy_with_logits(Zk, [[1.0], [0.0]]) == 0.0
