"""Tests of dnn_ref.figures.plots: each picture returns its Axes with the expected artists."""

import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.contour import ContourSet

from dnn_ref.activations import LeakyReLU, relu_derivative, sigmoid
from dnn_ref.datasets import make_moons
from dnn_ref.figures import plots


def contour_sets(ax):
    return [c for c in ax.collections if isinstance(c, ContourSet)]


def scatters(ax):
    return [c for c in ax.collections
            if isinstance(c, PathCollection) and not isinstance(c, ContourSet)]


# ---------------------------------------------------------------- plot_cost

def test_plot_cost_draws_one_line_per_call():
    costs = [0.7, 0.5, 0.3, 0.25]
    ax = plots.plot_cost(costs)
    assert isinstance(ax, Axes)
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2, 3])
    np.testing.assert_array_equal(line.get_ydata(), costs)
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "cost"
    assert ax.get_title()
    assert ax.get_legend() is None
    assert ax.get_yscale() == "linear"


def test_plot_cost_on_given_axes_with_labels_and_log_scale():
    _, ax = plt.subplots()
    same = plots.plot_cost([1.0, 0.1], ax=ax, label="α = 0.1", log=True)
    plots.plot_cost([1.0, 0.5], ax=ax, label="α = 0.01", log=True)
    assert same is ax
    assert len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["α = 0.1", "α = 0.01"]
    assert ax.get_yscale() == "log"


@pytest.mark.parametrize("bad", [[], [[0.1, 0.2]]])
def test_plot_cost_rejects_non_histories(bad):
    with pytest.raises(ValueError, match=r"cost_history"):
        plots.plot_cost(bad)


# ---------------------------------------------------------------- plot_decision_boundary

def linear_probability(P):
    """P(y = 1) = σ(3·x1): the boundary is the line x1 = 0."""
    return sigmoid(3.0 * P[0:1])


def test_decision_boundary_artists():
    X, Y = make_moons(m=60, seed=0)
    ax = plots.plot_decision_boundary(linear_probability, X, Y, resolution=50)
    assert isinstance(ax, Axes)
    filled = [c for c in contour_sets(ax) if c.filled]
    lines = [c for c in contour_sets(ax) if not c.filled]
    assert len(filled) == 1
    assert len(lines) == 1 and list(lines[0].levels) == [0.5]
    points = scatters(ax)
    assert [len(p.get_offsets()) for p in points] == [int((Y == 0).sum()), int((Y == 1).sum())]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["y = 0", "y = 1"]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    # The view covers every point.
    x0, x1 = ax.get_xlim()
    assert x0 < X[0].min() and X[0].max() < x1
    # A colour bar explains the shading.
    assert len(ax.figure.axes) == 2


def test_decision_boundary_calls_predict_with_a_grid_of_points():
    seen = []

    def predict_fn(P):
        seen.append(P.shape)
        return linear_probability(P)

    X, Y = make_moons(m=20, seed=0)
    plots.plot_decision_boundary(predict_fn, X, Y, resolution=30)
    assert seen == [(2, 900)]


def test_decision_boundary_accepts_labels_and_flat_outputs():
    X, Y = make_moons(m=20, seed=0)
    ax = plots.plot_decision_boundary(lambda P: (P[0] > 0.5).astype(int), X, Y,
                                      resolution=20)
    assert len(contour_sets(ax)) == 2


def test_decision_boundary_constant_prediction_has_no_contour_and_no_warning():
    X, Y = make_moons(m=20, seed=0)
    ax = plots.plot_decision_boundary(lambda P: np.zeros((1, P.shape[1])), X, Y,
                                      resolution=20)
    assert [c.filled for c in contour_sets(ax)] == [True]


def test_decision_boundary_on_given_axes():
    X, Y = make_moons(m=20, seed=0)
    _, ax = plt.subplots()
    assert plots.plot_decision_boundary(linear_probability, X, Y, ax=ax, resolution=10) is ax


@pytest.mark.parametrize(("X", "Y", "match"), [
    (np.zeros((3, 4)), np.zeros((1, 4)), r"X must have 2 rows.*\(3, 4\)"),
    (np.zeros((2, 4)), np.zeros((1, 5)), r"Y must have shape \(1, 4\).*\(1, 5\)"),
    (np.zeros((2, 4)), np.full((1, 4), 2.0), r"0 or 1"),
    (np.zeros(4), np.zeros((1, 4)), r"X must be a 2-D array"),
])
def test_decision_boundary_bad_data(X, Y, match):
    with pytest.raises(ValueError, match=match):
        plots.plot_decision_boundary(linear_probability, X, Y)


def test_decision_boundary_bad_predict_fn_output_names_the_shape():
    X, Y = make_moons(m=10, seed=0)
    with pytest.raises(ValueError, match=r"predict_fn .* \(1, k\).*k = 100.*\(2, 100\)"):
        plots.plot_decision_boundary(lambda P: np.vstack([P[0], P[0]]), X, Y, resolution=10)


def test_decision_boundary_bad_resolution():
    X, Y = make_moons(m=10, seed=0)
    with pytest.raises(ValueError, match=r"resolution"):
        plots.plot_decision_boundary(linear_probability, X, Y, resolution=1)


# ---------------------------------------------------------------- plot_activation

def test_plot_activation_draws_f_and_its_derivative():
    ax = plots.plot_activation("sigmoid", z_range=(-3, 3))
    f, df = [line for line in ax.get_lines() if line.get_label().startswith("$f")]
    z = f.get_xdata()
    assert z[0] == -3 and z[-1] == 3
    np.testing.assert_allclose(f.get_ydata(), sigmoid(z))
    np.testing.assert_allclose(df.get_ydata(), sigmoid(z) * (1 - sigmoid(z)))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["$f(z)$", "$f'(z)$"]
    assert ax.get_title() == "sigmoid"


def test_plot_activation_accepts_objects_and_given_axes():
    _, ax = plt.subplots()
    same = plots.plot_activation(LeakyReLU(alpha=0.2), ax=ax)
    assert same is ax
    f, df = [line for line in ax.get_lines() if line.get_label().startswith("$f")]
    z = f.get_xdata()
    np.testing.assert_allclose(f.get_ydata(), np.where(z > 0, z, 0.2 * z))
    assert "0.2" in ax.get_title()


def test_plot_activation_relu_derivative_is_a_step():
    ax = plots.plot_activation("relu")
    _, df = [line for line in ax.get_lines() if line.get_label().startswith("$f")]
    np.testing.assert_array_equal(df.get_ydata(), relu_derivative(df.get_xdata()))


def test_plot_activation_unknown_name_and_bad_range():
    with pytest.raises(ValueError, match=r"unknown activation 'swish'"):
        plots.plot_activation("swish")
    with pytest.raises(ValueError, match=r"z_range"):
        plots.plot_activation("tanh", z_range=(2, -2))


# ---------------------------------------------------------------- plot_descent_path

def bowl(w):
    return w[0] ** 2 + 10 * w[1] ** 2


def bowl_grad(w):
    return np.array([2 * w[0], 20 * w[1]])


def path_line(ax):
    return next(line for line in ax.get_lines() if line.get_label().endswith("steps"))


def test_descent_path_iterates_by_hand():
    # w ← w − 0.01·(2·w1, 20·w2) multiplies w1 by 0.98 and w2 by 0.8 at every step.
    ax = plots.plot_descent_path(bowl, bowl_grad, (2.0, 1.0), 0.01, 10)
    line = path_line(ax)
    k = np.arange(11)
    np.testing.assert_allclose(line.get_xdata(), 2.0 * 0.98 ** k)
    np.testing.assert_allclose(line.get_ydata(), 0.8 ** k)
    assert line.get_label() == "10 steps"
    assert len(contour_sets(ax)) == 1
    assert "diverges" not in ax.get_title() and "0.01" in ax.get_title()


def test_descent_path_too_large_learning_rate_is_called_divergent():
    # 0.11·20 = 2.2 > 2: the w2 factor is 1 − 2.2 = −1.2, so |w2| grows.
    ax = plots.plot_descent_path(bowl, bowl_grad, (2.0, 1.0), 0.11, 20)
    np.testing.assert_allclose(path_line(ax).get_ydata()[:3], [1.0, -1.2, 1.44])
    assert "diverges" in ax.get_title()


def test_descent_path_stops_at_overflow_without_warnings():
    ax = plots.plot_descent_path(bowl, bowl_grad, (2.0, 1.0), 100.0, 500)
    line = path_line(ax)
    assert np.isfinite(line.get_ydata()).all()
    assert len(line.get_ydata()) < 501
    assert "diverges" in ax.get_title()


def test_descent_path_on_given_axes():
    _, ax = plt.subplots()
    assert plots.plot_descent_path(bowl, bowl_grad, (1.0, 1.0), 0.05, 3, ax=ax) is ax


@pytest.mark.parametrize(("start", "lr", "steps", "match"), [
    ((1.0, 2.0, 3.0), 0.1, 5, r"start"),
    ((1.0, np.nan), 0.1, 5, r"start"),
    ((1.0, 1.0), 0.0, 5, r"learning_rate must be > 0"),
    ((1.0, 1.0), 0.1, 0, r"steps must be an integer ≥ 1"),
    ((1.0, 1.0), 0.1, 2.5, r"steps must be an integer ≥ 1"),
])
def test_descent_path_bad_arguments(start, lr, steps, match):
    with pytest.raises(ValueError, match=match):
        plots.plot_descent_path(bowl, bowl_grad, start, lr, steps)


def test_importing_the_module_does_not_load_matplotlib():
    # matplotlib is imported on first use, so `import dnn_ref` stays fast.
    code = "import sys, dnn_ref.figures.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
