"""Tests of dnn_ref.activations: values, derivatives, stability, the two API styles."""

import math
import warnings

import numpy as np
import pytest

from dnn_ref import activations as act

FUNCTIONS = {
    "sigmoid": (act.sigmoid, act.sigmoid_derivative),
    "tanh": (act.tanh, act.tanh_derivative),
    "relu": (act.relu, act.relu_derivative),
    "leaky_relu": (act.leaky_relu, act.leaky_relu_derivative),
    "step": (act.step, act.step_derivative),
}
CLASSES = {
    "sigmoid": act.Sigmoid, "tanh": act.Tanh, "relu": act.ReLU,
    "leaky_relu": act.LeakyReLU, "step": act.Step, "softmax": act.Softmax,
}


def centred_difference(f, z, h=1e-6):
    """Elementwise (f(z + h) − f(z − h)) / 2h."""
    return (f(z + h) - f(z - h)) / (2 * h)


# ---------------------------------------------------------------- values at known points

def test_sigmoid_known_values():
    # σ(0) = 1/2 and σ(ln 3) = 1 / (1 + 1/3) = 3/4.
    np.testing.assert_allclose(act.sigmoid([0.0, math.log(3)]), [0.5, 0.75], rtol=1e-15)
    # σ′ = σ(1 − σ): 1/4 at 0, 3/4 · 1/4 = 3/16 at ln 3.
    np.testing.assert_allclose(act.sigmoid_derivative([0.0, math.log(3)]), [0.25, 0.1875],
                               rtol=1e-15)


def test_sigmoid_is_symmetric():
    z = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(act.sigmoid(-z), 1.0 - act.sigmoid(z), atol=1e-15)


def test_tanh_known_values():
    # tanh(ln 2) = (2 − 1/2) / (2 + 1/2) = 3/5; tanh′ = 1 − 9/25 = 16/25.
    np.testing.assert_allclose(act.tanh([0.0, math.log(2)]), [0.0, 0.6], atol=1e-15)
    np.testing.assert_allclose(act.tanh_derivative([0.0, math.log(2)]), [1.0, 0.64],
                               rtol=1e-14)


def test_relu_known_values_and_derivative_convention_at_zero():
    np.testing.assert_array_equal(act.relu([-2.0, 0.0, 3.0]), [0.0, 0.0, 3.0])
    # The package documents ReLU′(0) = 0 (seeds 000/004), not the slides' 1.
    np.testing.assert_array_equal(act.relu_derivative([-2.0, 0.0, 3.0]), [0.0, 0.0, 1.0])


def test_leaky_relu_known_values():
    np.testing.assert_allclose(act.leaky_relu([-2.0, 0.0, 3.0]), [-0.02, 0.0, 3.0])
    np.testing.assert_allclose(act.leaky_relu([-2.0, 3.0], alpha=0.1), [-0.2, 3.0])
    np.testing.assert_allclose(act.leaky_relu_derivative([-2.0, 0.0, 3.0], alpha=0.1),
                               [0.1, 0.1, 1.0])


def test_step_known_values_and_zero_derivative():
    np.testing.assert_array_equal(act.step([-1.0, 0.0, 2.0]), [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(act.step_derivative([-1.0, 0.0, 2.0]), [0.0, 0.0, 0.0])


def test_softmax_known_value():
    # Scores 0 and ln 3 give probabilities 1/(1 + 3) and 3/(1 + 3).
    np.testing.assert_allclose(act.softmax([[0.0], [math.log(3)]]), [[0.25], [0.75]],
                               rtol=1e-15)


# ---------------------------------------------------------------- derivatives

@pytest.mark.parametrize("name", FUNCTIONS)
def test_derivative_matches_centred_differences(name):
    f, df = FUNCTIONS[name]
    z = np.linspace(-5, 5, 201)
    z = z[np.abs(z) > 1e-3]           # stay away from the kink of relu/leaky/step at 0
    np.testing.assert_allclose(df(z), centred_difference(f, z), rtol=1e-6, atol=1e-9)


def test_leaky_relu_derivative_matches_differences_for_other_alpha():
    z = np.array([-3.0, -0.5, 0.5, 3.0])
    numeric = centred_difference(lambda t: act.leaky_relu(t, alpha=0.3), z)
    np.testing.assert_allclose(act.leaky_relu_derivative(z, alpha=0.3), numeric, rtol=1e-6)


# ---------------------------------------------------------------- stability and shapes

# Underflow of e^(−1000) to 0 is the correct answer, and numpy ignores it by
# default; overflow, division by zero and invalid operations must not happen.
STRICT = {"over": "raise", "divide": "raise", "invalid": "raise"}


def test_sigmoid_stable_at_extremes_without_any_warning():
    z = np.array([-1000.0, -745.0, 0.0, 745.0, 1000.0])
    with warnings.catch_warnings(), np.errstate(**STRICT):
        warnings.simplefilter("error")
        s = act.sigmoid(z)
        ds = act.sigmoid_derivative(z)
        t = act.tanh(z)
        dt = act.tanh_derivative(z)
    assert np.isfinite(s).all() and np.isfinite(ds).all()
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    np.testing.assert_array_equal(ds[[0, -1]], [0.0, 0.0])
    np.testing.assert_array_equal(t[[0, -1]], [-1.0, 1.0])
    np.testing.assert_array_equal(dt[[0, -1]], [0.0, 0.0])


def test_softmax_large_scores_without_overflow():
    z = np.array([[1000.0, -1000.0], [1001.0, -1000.0]])
    with warnings.catch_warnings(), np.errstate(**STRICT):
        warnings.simplefilter("error")
        p = act.softmax(z)
    e = math.exp(-1.0)
    np.testing.assert_allclose(p, [[e / (1 + e), 0.5], [1 / (1 + e), 0.5]], rtol=1e-14)


def test_softmax_columns_sum_to_one_and_shift_invariance():
    rng = np.random.default_rng(0)
    z = rng.normal(scale=5.0, size=(4, 7))
    p = act.softmax(z)
    assert p.shape == (4, 7)
    assert (p > 0).all()
    np.testing.assert_allclose(p.sum(axis=0), np.ones(7), rtol=1e-14)
    shift = rng.normal(scale=100.0, size=(1, 7))      # a different constant per column
    np.testing.assert_allclose(act.softmax(z + shift), p, rtol=1e-12)


def test_softmax_rejects_a_vector_and_names_its_shape():
    with pytest.raises(ValueError, match=r"\(n_classes, m\).*\(3,\)"):
        act.softmax(np.array([1.0, 2.0, 3.0]))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_elementwise_on_any_shape_and_input_untouched(name):
    f, df = FUNCTIONS[name]
    z = np.random.default_rng(1).normal(size=(2, 3, 4))
    before = z.copy()
    assert f(z).shape == z.shape and df(z).shape == z.shape
    assert f(z).dtype == np.float64 and df(z).dtype == np.float64
    np.testing.assert_array_equal(z, before)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_scalar_input_gives_a_scalar_shaped_result(name):
    f, df = FUNCTIONS[name]
    for z in (1.5, -2.0):
        assert np.shape(f(z)) == () and np.shape(df(z)) == ()
        assert float(f(z)) == f(np.array([z]))[0]
        assert float(df(z)) == df(np.array([z]))[0]


def test_integer_and_list_inputs_give_float64():
    assert act.relu([1, -2]).dtype == np.float64
    assert act.step(np.array([0, 1])).dtype == np.float64


# ---------------------------------------------------------------- objects vs functions

@pytest.mark.parametrize("name", FUNCTIONS)
def test_class_equals_functions(name):
    f, df = FUNCTIONS[name]
    obj = CLASSES[name]()
    z = np.linspace(-4, 4, 33).reshape(3, 11)
    np.testing.assert_array_equal(obj(z), f(z))
    np.testing.assert_array_equal(obj.derivative(z), df(z))
    assert obj.name == name


def test_leaky_relu_object_passes_its_alpha():
    obj = act.LeakyReLU(alpha=0.2)
    z = np.array([-5.0, 5.0])
    np.testing.assert_allclose(obj(z), [-1.0, 5.0])
    np.testing.assert_allclose(obj.derivative(z), [0.2, 1.0])
    assert repr(obj) == "LeakyReLU(alpha=0.2)"


def test_registry_holds_every_class():
    assert act.ACTIVATIONS == CLASSES


@pytest.mark.parametrize("name", FUNCTIONS)
def test_get_activation_by_name(name):
    assert isinstance(act.get_activation(name), CLASSES[name])


def test_get_activation_returns_an_object_unchanged():
    obj = act.LeakyReLU(alpha=0.3)
    assert act.get_activation(obj) is obj


@pytest.mark.parametrize("bad", ["swish", "Sigmoid", "", 3, None])
def test_get_activation_unknown_names_it_and_lists_the_choices(bad):
    with pytest.raises(ValueError) as info:
        act.get_activation(bad)
    message = str(info.value)
    assert repr(bad) in message
    for known in CLASSES:
        assert repr(known) in message
