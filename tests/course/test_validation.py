"""Tests of dnn_ref.validation: each check passes good input and names the problem otherwise."""

import numpy as np
import pytest

from dnn_ref.validation import (
    as_matrix,
    check_binary_labels,
    check_one_hot_labels,
    check_same_shape,
    n_layers,
    require_keys,
)


def test_as_matrix_converts_lists_and_ints_to_float64():
    a = as_matrix([[1, 2, 3]], "Y")
    assert a.dtype == np.float64 and a.shape == (1, 3)
    np.testing.assert_array_equal(a, [[1.0, 2.0, 3.0]])


@pytest.mark.parametrize(("shape", "hint"), [
    ((3,), "X_batch.reshape(-1, 1)"), ((2, 2, 2), "X_batch.reshape(m, -1).T"),
    ((), "np.reshape(X_batch, (1, 1))")])
def test_as_matrix_rejects_other_dimensions_naming_array_and_shape(shape, hint):
    with pytest.raises(ValueError) as info:
        as_matrix(np.zeros(shape), "X_batch")
    message = str(info.value)
    assert "X_batch must be a 2-D array" in message
    assert str(shape) in message
    assert hint in message


def test_an_input_vector_gets_both_readings():
    # (n,) is one feature over n examples, or one example with n features: name both.
    with pytest.raises(ValueError) as info:
        as_matrix(np.zeros(4), "X")
    message = str(info.value)
    assert "row X.reshape(1, -1)" in message and "column X.reshape(-1, 1)" in message


@pytest.mark.parametrize("name", ["Y", "AL", "Y_pred"])
def test_labels_of_shape_m_get_the_row_hint(name):
    # The forum's most common shape mistake: labels (m,) must become (1, m), not (m, 1).
    with pytest.raises(ValueError) as info:
        as_matrix(np.zeros(5), name)
    message = str(info.value)
    assert f"{name}.reshape(1, -1)" in message
    assert "(1, m)" in message
    assert as_matrix(np.zeros(5).reshape(1, -1), name).shape == (1, 5)   # the hint works


def test_check_one_hot_labels_names_the_first_bad_column():
    check_one_hot_labels(np.eye(3)[:, [0, 2, 1]])
    with pytest.raises(ValueError, match=r"exactly one 1 per column.*column 1 has 2"):
        check_one_hot_labels(np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]))
    with pytest.raises(ValueError, match="0 or 1"):
        check_one_hot_labels(np.array([[0.5], [0.5]]))


def test_as_matrix_rejects_nan_naming_array():
    with pytest.raises(ValueError, match=r"AL contains NaN \(shape \(1, 2\)\)"):
        as_matrix([[0.5, np.nan]], "AL")


def test_check_same_shape_passes_equal_shapes():
    check_same_shape(np.zeros((2, 3)), "A", np.ones((2, 3)), "B")


def test_check_same_shape_names_both_arrays_and_shapes():
    with pytest.raises(ValueError) as info:
        check_same_shape(np.zeros((1, 3)), "AL", np.zeros((3, 1)), "Y")
    assert str(info.value) == (
        "AL and Y must have the same shape, got AL (1, 3) and Y (3, 1)"
    )


def test_check_binary_labels_accepts_zeros_and_ones():
    check_binary_labels(np.array([[0.0, 1.0, 1.0, 0.0]]))


def test_check_binary_labels_counts_and_shows_bad_values():
    with pytest.raises(ValueError) as info:
        check_binary_labels(np.array([[0.0, 2.0, -1.0, 1.0, 0.5, 3.0]]))
    message = str(info.value)
    assert "0 or 1" in message
    assert "4 other value(s)" in message
    assert "[2.0, -1.0, 0.5]" in message            # the first three offenders


def test_require_keys_names_first_missing_key_and_lists_present_ones():
    with pytest.raises(ValueError, match=r"grads has no key 'db1' \(it has: dW1, dW2\)"):
        require_keys({"dW2": 0, "dW1": 0}, ["dW1", "db1", "db2"], "grads")


def test_require_keys_on_an_empty_dict_says_nothing():
    with pytest.raises(ValueError, match=r"it has: nothing"):
        require_keys({}, ["W1"], "parameters")


def test_n_layers_counts_weight_matrices():
    params = {"W1": 0, "b1": 0, "W2": 0, "b2": 0, "W3": 0, "b3": 0}
    assert n_layers(params) == 3


def test_n_layers_ignores_keys_that_are_not_layer_weights():
    params = {"W1": 0, "b1": 0, "Wx": 0, "dW1": 0}
    assert n_layers(params) == 1


def test_n_layers_empty_points_to_init_params():
    with pytest.raises(ValueError, match=r"no weight matrix 'W1'.*init_params"):
        n_layers({"b1": 0})


@pytest.mark.parametrize(("params", "missing"), [
    ({"W1": 0, "W2": 0, "b1": 0}, "'b2'"),
    ({"W1": 0, "W3": 0, "b1": 0, "b3": 0}, "'W2'"),
])
def test_n_layers_names_a_missing_key(params, missing):
    with pytest.raises(ValueError, match=missing):
        n_layers(params)
