"""The book's pictures: cost curves, decision boundaries, activations, descent paths.

Every function draws on the Axes ``ax`` it is given (or on a new figure if
``ax`` is None) and returns that Axes, so pictures can be combined in
subplots and restyled afterwards. Only matplotlib is used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dnn_ref.activations import Activation, get_activation
from dnn_ref.validation import as_matrix, check_binary_labels

if TYPE_CHECKING:
    from matplotlib.axes import Axes

Array = NDArray[np.float64]

CLASS_COLOURS = ("#c0392b", "#2471a3")
"""Colours of class 0 (red) and class 1 (blue), matching the ends of ``CMAP``."""
CMAP = "RdBu"
"""Colour map of probability shading: red near 0, white at 0.5, blue near 1."""


def plot_cost(
    cost_history: Sequence[float], ax: Axes | None = None, label: str | None = None,
    log: bool = False,
) -> Axes:
    """Draw the training cost against the epoch.

    Call it several times on the same ``ax`` with different ``label``'s to
    compare runs (for example learning rates).

    Parameters
    ----------
    cost_history : sequence of float
        One cost per epoch, as returned by :func:`dnn_ref.training.train`.
    ax : Axes, optional
    label : str, optional
        Legend entry of this curve.
    log : bool
        Use a logarithmic cost axis (shows slow late progress better).
    """
    costs = np.asarray(cost_history, dtype=np.float64)
    if costs.ndim != 1 or costs.size == 0:
        raise ValueError(
            f"cost_history must be a non-empty list of costs, one per epoch; "
            f"got shape {costs.shape}"
        )
    ax = _axes(ax)
    ax.plot(np.arange(costs.size), costs, label=label)
    ax.set(xlabel="epoch", ylabel="cost", title="Training cost")
    if log:
        ax.set_yscale("log")
    if label is not None:
        ax.legend(frameon=False)
    return ax


def plot_decision_boundary(
    predict_fn: Callable[[Array], ArrayLike], X: ArrayLike, Y: ArrayLike,
    ax: Axes | None = None, resolution: int = 200,
) -> Axes:
    """Shade a classifier's output over the plane, draw its 0.5 contour and the data.

    Parameters
    ----------
    predict_fn : callable
        Maps points, shape (2, k), to probabilities or 0/1 labels, shape
        (1, k); for example ``lambda P: forward_prop(P, params)[0]``.
    X : array_like, shape (2, m)
        The examples, drawn as points.
    Y : array_like, shape (1, m)
        Their 0/1 labels, which give the points' colours.
    ax : Axes, optional
    resolution : int ≥ 2
        Grid points along each axis at which ``predict_fn`` is evaluated.
    """
    X = as_matrix(X, "X")
    Y = as_matrix(Y, "Y")
    if X.shape[0] != 2:
        raise ValueError(f"X must have 2 rows (the two coordinates), got shape {X.shape}")
    if Y.shape != (1, X.shape[1]):
        raise ValueError(f"Y must have shape (1, {X.shape[1]}) to match X {X.shape}, "
                         f"got {Y.shape}")
    check_binary_labels(Y)
    if not (isinstance(resolution, int) and resolution >= 2):
        raise ValueError(f"resolution must be an integer ≥ 2, got {resolution!r}")

    (x0, x1), (y0, y1) = (_padded_range(X[0]), _padded_range(X[1]))
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    points = np.stack([gx.ravel(), gy.ravel()])
    P = np.asarray(predict_fn(points), dtype=np.float64)
    if P.size != points.shape[1]:
        raise ValueError(
            f"predict_fn must map points of shape (2, k) to shape (1, k); for k = "
            f"{points.shape[1]} it returned shape {P.shape}"
        )
    P = P.reshape(gx.shape)

    ax = _axes(ax)
    shading = ax.contourf(gx, gy, P, levels=np.linspace(0, 1, 11), cmap=CMAP, alpha=0.6,
                          extend="both")
    if P.min() < 0.5 < P.max():
        ax.contour(gx, gy, P, levels=[0.5], colors="black", linewidths=1.5)
    for k in (0, 1):
        mask = Y[0] == k
        ax.scatter(X[0, mask], X[1, mask], s=18, c=CLASS_COLOURS[k], edgecolors="white",
                   linewidths=0.5, label=f"y = {k}")
    ax.figure.colorbar(shading, ax=ax, label="predicted P(y = 1)")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title="Decision boundary (P = 0.5)",
           xlim=(x0, x1), ylim=(y0, y1))
    ax.legend(loc="upper right", frameon=True)
    return ax


def plot_activation(
    name_or_obj: str | Activation, ax: Axes | None = None,
    z_range: tuple[float, float] = (-6.0, 6.0),
) -> Axes:
    """Draw an activation f(z) and its derivative f′(z).

    Parameters
    ----------
    name_or_obj : str or Activation
        A name of :data:`dnn_ref.activations.ACTIVATIONS` (``"relu"``) or an
        activation object (``LeakyReLU(alpha=0.1)``).
    ax : Axes, optional
    z_range : (float, float)
        The interval of z shown.
    """
    g = get_activation(name_or_obj)
    lo, hi = z_range
    if not lo < hi:
        raise ValueError(f"z_range must be (low, high) with low < high, got {z_range!r}")
    z = np.linspace(lo, hi, 601)
    ax = _axes(ax)
    ax.axhline(0, color="0.8", linewidth=0.8)
    ax.axvline(0, color="0.8", linewidth=0.8)
    ax.plot(z, g(z), label="$f(z)$", linewidth=2)
    ax.plot(z, g.derivative(z), label="$f'(z)$", linewidth=2, linestyle="--")
    ax.set(xlabel="$z$", title=repr(g) if g.name == "leaky_relu" else g.name)
    ax.legend(frameon=False)
    return ax


def plot_descent_path(
    f: Callable[[Array], ArrayLike], grad: Callable[[Array], ArrayLike],
    start: ArrayLike, learning_rate: float, steps: int, ax: Axes | None = None,
) -> Axes:
    """Run gradient descent on a function of two variables and draw its iterates.

    From ``w = start`` it takes ``steps`` steps ``w ← w − learning_rate·grad(w)``
    and draws them over the contour lines of ``f``: a learning rate that is too
    small crawls, a good one slides to the minimum, one that is too large
    zigzags and flies off (the title then says the run diverges). The picture
    shows the square [−r, r]² with r = 1.5·max(|start|), so put the minimum of
    ``f`` at the origin, as in the quadratic bowl of the example.

    Parameters
    ----------
    f : callable
        The function to minimise. It must accept an array of shape (2, ...)
        (first axis = the two coordinates) and return shape (...), for
        example ``lambda w: w[0]**2 + 10 * w[1]**2``.
    grad : callable
        Its gradient: shape (2,) in, shape (2,) out.
    start : array_like, shape (2,)
    learning_rate : float > 0
    steps : int ≥ 1
    ax : Axes, optional
    """
    w = np.asarray(start, dtype=np.float64)
    if w.shape != (2,) or not np.isfinite(w).all():
        raise ValueError(f"start must be a finite point (w1, w2), shape (2,); got {start!r}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
    if not (isinstance(steps, int) and steps >= 1):
        raise ValueError(f"steps must be an integer ≥ 1, got {steps!r}")

    path = [w]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            w = w - learning_rate * np.asarray(grad(w), dtype=np.float64)
            if not np.isfinite(w).all():
                break
            path.append(w)
    iterates = np.array(path)
    reach = 1.5 * np.abs(iterates[0]).max() + 1e-12
    diverged = np.abs(iterates[-1]).max() > reach

    ax = _axes(ax)
    grid = np.linspace(-reach, reach, 200)
    gx, gy = np.meshgrid(grid, grid)
    F = np.asarray(f(np.stack([gx, gy])), dtype=np.float64)
    # Levels equally spaced in √f: evenly spaced rings on a quadratic bowl.
    levels = np.unique(np.linspace(np.sqrt(max(F.min(), 0.0)), np.sqrt(F.max()), 12)[1:] ** 2)
    ax.contour(gx, gy, F, levels=levels, colors="0.6", linewidths=0.8)
    ax.plot(iterates[:, 0], iterates[:, 1], "o-", color=CLASS_COLOURS[0], markersize=4,
            linewidth=1.2, label=f"{len(iterates) - 1} steps")
    ax.plot(*iterates[0], "s", color="black", markersize=7, label="start")
    ax.set(xlabel="$w_1$", ylabel="$w_2$", xlim=(-reach, reach), ylim=(-reach, reach),
           aspect="equal")
    title = f"learning rate {learning_rate:g}"
    ax.set_title(title + (" (diverges)" if diverged else ""))
    ax.legend(loc="upper right", frameon=True)
    return ax


def _axes(ax: Axes | None) -> Axes:
    """``ax`` itself, or the Axes of a new figure; top and right spines removed.

    pyplot is imported here, not at the top, so that importing the package
    stays fast for code that draws nothing (tests, grading).
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5.5, 4))
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _padded_range(values: Array, pad: float = 0.1) -> tuple[float, float]:
    """(min, max) of ``values`` widened by ``pad`` of the span on each side."""
    lo, hi = float(values.min()), float(values.max())
    margin = pad * (hi - lo) if hi > lo else 1.0
    return lo - margin, hi + margin
