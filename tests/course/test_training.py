"""Tests of dnn_ref.training: train's loop, its mini-batch L2 gradient, its argument errors."""

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from dnn_ref.datasets import load_breast_cancer
from dnn_ref.network import accuracy, backprop, cost_function, forward_prop, init_params, predict
from dnn_ref.training import (
    SINGLE_THREAD_WORK,
    _batch_gradients,
    _batches,
    blas_threads,
    train,
)

X_HAND = np.array([[1.0, 2.0], [-1.0, 1.0]])  # hand-worked data of test_network.py
Y_HAND = np.array([[1.0, 0.0]])


# ---------------------------------------------------------------- training on real data

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_minibatch_training_on_breast_cancer(seed):
    data = load_breast_cancer(seed=seed)
    params, history = train(
        data.X_train, data.Y_train, [30, 8, 1], epochs=30, learning_rate=0.05,
        hidden_activation="relu", init="he", seed=seed, batch_size=32, lambd=1.0,
        progress=False,
    )
    assert len(history) == 30
    assert history[-1] < 0.5 * history[0]
    assert all(np.diff(history[:5]) < 0)
    # Over split/initialisation seeds 0–9 this setting reaches 0.974–0.991.
    assert accuracy(predict(data.X_test, params, "relu"), data.Y_test) >= 0.95


def test_sgd_batch_size_1_trains():
    data = load_breast_cancer(seed=0)
    params, history = train(
        data.X_train, data.Y_train, [30, 8, 1], epochs=3, learning_rate=0.01,
        hidden_activation="tanh", init="xavier", seed=0, batch_size=1, progress=False,
    )
    assert len(history) == 3 and history[2] < history[1] < history[0]
    assert accuracy(predict(data.X_test, params, "tanh"), data.Y_test) >= 0.93


# ---------------------------------------------------------------- mini-batch L2 gradient
#
# train records C = mean cross-entropy + (λ/2m) Σ‖W‖², m the training-set size. A
# mini-batch step must use an unbiased estimate of ∇C: the batch's mean data gradient
# plus (λ/m)·W, not (λ/B)·W, so that one epoch's equal batches average to ∇C exactly.

def test_an_epochs_equal_minibatch_gradients_average_to_the_full_gradient():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(3, 12))
    Y = (rng.random((1, 12)) < 0.5).astype(float)
    params = init_params([3, 4, 1], seed=2, scale=1.0)
    AL, caches = forward_prop(X, params, "tanh")
    full = backprop(AL, Y, caches, "tanh", lambd=0.7)
    batches = list(_batches(12, 4, np.random.default_rng(0)))
    assert len(batches) == 3 and sorted(np.concatenate(batches)) == list(range(12))
    per_batch = [_batch_gradients(params, X, Y, idx, "tanh", 0.7) for idx in batches]
    for key in ("dW1", "db1", "dW2", "db2"):
        mean = np.mean([g[key] for g in per_batch], axis=0)
        np.testing.assert_allclose(mean, full[key], rtol=1e-13, atol=1e-15, err_msg=key)


def test_minibatch_l2_gradient_is_lambda_over_m_times_W_exactly():
    # With X = 0 the data part of dW1 is exactly 0: what is left is the L2 gradient.
    # λ = 3, m = 12, B = 4: it must be (λ/m)·W1 = 0.25·W1 (the bug gave (λ/B)·W1 = 0.75·W1).
    params = init_params([2, 1], seed=1, scale=1.0)
    X, Y = np.zeros((2, 12)), np.tile([[1.0, 0.0]], 6)
    for idx in _batches(12, 4, np.random.default_rng(0)):
        grads = _batch_gradients(params, X, Y, idx, "sigmoid", 3.0)
        np.testing.assert_array_equal(grads["dW1"], 0.25 * params["W1"])
    full = _batch_gradients(params, X, Y, None, "sigmoid", 3.0)
    np.testing.assert_array_equal(full["dW1"], 0.25 * params["W1"])


def test_train_decays_weights_by_the_same_lambda_over_m_per_step_whatever_the_batch():
    # X = 0, so W1 changes only by weight decay: each step multiplies it by 1 − αλ/m.
    # α = 0.5, λ = 2, m = 4: 0.75 per step, so one epoch of SGD (4 steps) gives 0.75⁴·W1
    # and one full-batch epoch 0.75·W1. (With (λ/B)·W, SGD's factor was 1 − αλ = 0.)
    X, Y = np.zeros((2, 4)), np.array([[1.0, 0.0, 1.0, 0.0]])
    W0 = init_params([2, 1], seed=7, scale=1.0)["W1"]
    sgd, _ = train(X, Y, [2, 1], 1, 0.5, seed=7, scale=1.0, batch_size=1, lambd=2.0,
                   progress=False)
    full, _ = train(X, Y, [2, 1], 1, 0.5, seed=7, scale=1.0, lambd=2.0, progress=False)
    np.testing.assert_allclose(sgd["W1"], 0.31640625 * W0, rtol=1e-15)
    np.testing.assert_allclose(full["W1"], 0.75 * W0, rtol=1e-15)


def test_training_is_reproducible_and_full_batch_history_is_per_epoch():
    X, Y = X_HAND, Y_HAND
    a = train(X, Y, [2, 3, 1], epochs=5, learning_rate=0.5, progress=False)
    b = train(X, Y, [2, 3, 1], epochs=5, learning_rate=0.5, progress=False)
    assert a[1] == b[1]
    np.testing.assert_array_equal(a[0]["W1"], b[0]["W1"])
    # The first entry is the cost of the initial parameters.
    start = init_params([2, 3, 1])
    assert a[1][0] == pytest.approx(cost_function(forward_prop(X, start)[0], Y))


# ---------------------------------------------------------------- bad arguments

def test_train_layer_dims_must_start_with_the_number_of_features():
    with pytest.raises(ValueError, match=r"layer_dims\[0\] is 3 but X has 2 features"):
        train(X_HAND, Y_HAND, [3, 1], 1, 0.1, progress=False)


def test_train_example_counts_must_agree():
    with pytest.raises(ValueError, match=r"X has 2 examples.*Y has 3"):
        train(X_HAND, np.ones((1, 3)), [2, 1], 1, 0.1, progress=False)


def test_train_nan_in_X_is_named():
    X = X_HAND.copy()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN"):
        train(X, Y_HAND, [2, 1], 1, 0.1, progress=False)


@pytest.mark.parametrize("batch_size", [0, -4])
def test_train_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match=rf"batch_size must be ≥ 1, got {batch_size}"):
        train(X_HAND, Y_HAND, [2, 1], 1, 0.1, batch_size=batch_size, progress=False)


# ---------------------------------------------------------------- BLAS threads by problem size

def blas_threads_now():
    return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}


def test_small_products_run_on_one_blas_thread_and_the_setting_is_restored():
    before = blas_threads_now()
    with blas_threads([64, 32, 16, 1], 1797):        # the course net: 3.7 million per W·A
        assert blas_threads_now() == {1}
    assert blas_threads_now() == before


def test_large_products_keep_the_blas_setting():
    before = blas_threads_now()
    with threadpool_limits(2, user_api="blas"):
        with blas_threads([1024, 512, 256, 1], 4096):   # the wide net: 2.1 billion
            assert blas_threads_now() == {2}
    assert blas_threads_now() == before


def test_the_threshold_is_the_largest_layers_work():
    work = SINGLE_THREAD_WORK
    with threadpool_limits(2, user_api="blas"):
        with blas_threads([work, 1, 1], 1):             # just at the threshold: left alone
            assert blas_threads_now() == {2}
        with blas_threads([work - 1, 1, 1], 1):
            assert blas_threads_now() == {1}
