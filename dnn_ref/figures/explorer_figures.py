"""Slider figures for the static web book, drawn by Bokeh in the reader's browser.

Each function takes the precomputed results of :mod:`dnn_ref.figures.explorers`
(one per slider position), builds a Bokeh layout whose sliders choose, in
JavaScript (``CustomJS``), which result is drawn, and returns it as a
:class:`StaticExplorer`: displayed in a notebook cell, it becomes HTML that
the book keeps. BokehJS itself is not in that HTML: the book serves it from
its own ``_static`` folder (``book/_ext/reader_assets.py``), so the page makes
no request to another host. In JupyterLab, where BokehJS is not loaded, the
output is only a note pointing at the ipywidgets explorer of the same cell
group, which runs the Python live.

Every word a figure shows (axis labels, slider titles, the title its
JavaScript writes) comes from a ``words`` function
(:class:`dnn_ref.figures.editions.Words`), so that the book's build draws
the figure once per edition's language (:func:`dnn_ref.figures.editions.html_bundle`).
A title the JavaScript fills in is a template with named fields,
``"α = {rate}: cost {cost} after {k} steps"``, filled by ``fill`` in the browser.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dnn_ref.activations import get_activation
from dnn_ref.figures.editions import Words, html_bundle
from dnn_ref.figures.explorers import DecisionMaps
from dnn_ref.figures.plots import CLASS_COLOURS

Array = NDArray[np.float64]

#: Class of the HTML element that holds a slider figure (book/_ext/reader_assets.py
#: loads BokehJS on the pages that have one).
EXPLORER_CLASS = "dnn-explorer"
#: ``fill(template, {field: value})`` in a figure's JavaScript: the template's ``{field}``s
#: replaced by the values (templates come translated from ``words``).
FILL_JS = "const fill = (t, v) => t.replace(/\\{(\\w+)\\}/g, (m, k) => (k in v ? v[k] : m));\n"


@dataclass(frozen=True)
class StaticExplorer:
    """A Bokeh slider figure, shown as self-contained HTML (without BokehJS).

    ``layout(words)`` builds the Bokeh layout with its words taken from ``words``.
    """

    name: str
    layout: Callable[[Words], object]
    fallback: str

    def __repr__(self) -> str:
        return self.fallback

    def _repr_html_(self) -> str:
        return self._html(Words(None))

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict:
        return html_bundle(self._html)

    def _html(self, words: Words) -> str:
        from bokeh.embed import components

        script, div = components(self.layout(words), wrap_script=False)
        note = html.escape(self.fallback)
        return (
            f'<div class="{EXPLORER_CLASS}" data-explorer="{html.escape(self.name)}">'
            f'{div}<p class="dnn-explorer-fallback">{note}</p></div>\n'
            "<script>\nif (window.Bokeh) {\n"
            f'  document.querySelectorAll(\'[data-explorer="{html.escape(self.name)}"] '
            ".dnn-explorer-fallback').forEach(e => e.remove());\n"
            f"{script}\n}}\n</script>"
        )


def _round(values: ArrayLike, digits: int = 4) -> list:
    """Nested lists of floats with ``digits`` significant digits (smaller pages)."""
    a = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.vectorize(lambda v: float(f"{v:.{digits}g}"))(a).tolist() if a.size else []


def descent_explorer(
    f: Callable[[Array], ArrayLike], paths: Sequence[Array], learning_rates: Sequence[float],
    radius: float, fallback: str, initial: float | None = None,
) -> StaticExplorer:
    """Gradient descent on a function of two variables, one path per learning rate.

    Parameters
    ----------
    f : callable
        The cost; shape (2, ...) in, shape (...) out (drawn as contour lines).
    paths : sequence of ndarray, each of shape (2, k + 1)
        From :func:`dnn_ref.figures.explorers.descent_paths`, one per learning rate.
    learning_rates : sequence of float
        Equally spaced, increasing; the slider's positions.
    radius : float
        The figure shows the square [−radius, radius]².
    fallback : str
        What the output says where BokehJS is not loaded (JupyterLab).
    initial : float, optional
        The learning rate shown first (the nearest one offered); default the middle one.
    """
    import contourpy
    from bokeh.layouts import column
    from bokeh.models import ColumnDataSource, CustomJS, Slider
    from bokeh.plotting import figure

    rates = np.asarray(learning_rates, dtype=np.float64)
    if len(paths) != rates.size or rates.size < 2 or not np.all(np.diff(rates) > 0):
        raise ValueError("need one path per learning rate, and at least two increasing rates")
    steps = max(p.shape[1] for p in paths) - 1
    grid = np.linspace(-radius, radius, 201)
    gx, gy = np.meshgrid(grid, grid)
    levels = np.asarray(f(np.stack([gx, gy])), dtype=np.float64)
    generator = contourpy.contour_generator(gx, gy, levels)
    xs, ys = [], []
    for level in np.geomspace(0.05, levels.max(), 12):
        for line in generator.lines(level):
            xs.append(_round(line[:, 0], 3))
            ys.append(_round(line[:, 1], 3))
    costs = [_round(np.asarray(f(p), dtype=np.float64)) for p in paths]

    first = len(paths) // 2 if initial is None else int(np.argmin(np.abs(rates - initial)))
    shown = {"ok": "α = {rate}: cost {cost} after {k} steps",
             "diverges": "α = {rate}: diverges, left the picture after {k} steps"}

    def layout(words: Words) -> object:
        plot = figure(x_range=(-radius, radius), y_range=(-radius, radius), width=460,
                      height=460, match_aspect=True, sizing_mode="scale_width",
                      toolbar_location=None, x_axis_label="w1", y_axis_label="w2")
        plot.multi_line(xs, ys, color="#aaaaaa")
        plot.scatter([0], [0], marker="x", size=12, color="black")
        path = ColumnDataSource({"x": paths[first][0].tolist(), "y": paths[first][1].tolist()})
        plot.line("x", "y", source=path, color="#c0392b", line_width=2)
        plot.scatter("x", "y", source=path, color="#c0392b", size=6)
        rate = Slider(start=float(rates[0]), end=float(rates[-1]), value=float(rates[first]),
                      step=float(rates[1] - rates[0]), title=words("learning rate α"),
                      format="0.000", sizing_mode="stretch_width")
        n = Slider(start=1, end=steps, value=steps, step=1, title=words("steps"),
                   sizing_mode="stretch_width")
        redraw = CustomJS(
            args={"rate": rate, "n": n, "path": path, "plot": plot,
                  "paths": [_round(p) for p in paths], "costs": costs,
                  "shown": {key: words(text) for key, text in shown.items()}},
            code=FILL_JS + """
const i = Math.round((rate.value - rate.start) / rate.step);
const p = paths[i], k = Math.min(n.value, p[0].length - 1);
path.data = {x: p[0].slice(0, k + 1), y: p[1].slice(0, k + 1)};
const r = rate.value.toFixed(3);
plot.title.text = k < n.value ? fill(shown.diverges, {rate: r, k: k})
    : fill(shown.ok, {rate: r, cost: costs[i][k].toPrecision(3), k: k});
""")
        rate.js_on_change("value", redraw)
        n.js_on_change("value", redraw)
        plot.title.text = words(shown["ok"], rate=f"{rates[first]:.3f}",
                                cost=f"{costs[first][-1]:.3g}", k=paths[first].shape[1] - 1)
        return column(rate, n, plot, sizing_mode="stretch_width", max_width=520)

    return StaticExplorer("descent", layout, fallback)


def chain_explorer(
    weights: Sequence[float], results: dict[str, tuple[Array, Array]], fallback: str,
) -> StaticExplorer:
    """The gradient down a chain of neurons, per weight size and activation.

    Parameters
    ----------
    weights : sequence of float
        Equally spaced, increasing; the slider's positions.
    results : dict
        ``{activation name: (gradients, z)}`` as returned by
        :func:`dnn_ref.figures.explorers.chain_gradients` for ``weights``; gradients
        and z have shape (len(weights), L).
    fallback : str
        What the output says where BokehJS is not loaded (JupyterLab).
    """
    from bokeh.layouts import column
    from bokeh.models import ColumnDataSource, CustomJS, RadioButtonGroup, Slider
    from bokeh.plotting import figure

    names = list(results)
    ws = np.asarray(weights, dtype=np.float64)
    layers = next(iter(results.values()))[0].shape[1]
    z_grid = np.linspace(-8, 8, 321)
    slopes = {a: get_activation(a).derivative(z_grid) for a in names}
    on_slope = {a: get_activation(a).derivative(results[a][1]) for a in names}
    positive = np.concatenate([results[a][0][results[a][0] > 0] for a in names])
    low, high = max(positive.min(), 1e-30) / 3, max(positive.max(), 1.0) * 3
    first, a0 = len(ws) // 2, names[0]

    title = "{activation}, w = {w}: {gradient} at layer 1"

    def layout(words: Words) -> object:
        slope_plot = figure(width=460, height=260, x_range=(-8, 8), toolbar_location=None,
                            sizing_mode="scale_width", x_axis_label="z", y_axis_label="f′(z)",
                            title=words("where the neurons sit on f′"))
        curve = ColumnDataSource({"z": z_grid.tolist(), "d": _round(slopes[a0])})
        slope_plot.line("z", "d", source=curve, color="#555555", line_width=2)
        dots = ColumnDataSource({"z": _round(results[a0][1][first]),
                                 "d": _round(on_slope[a0][first])})
        slope_plot.scatter("z", "d", source=dots, size=8, color="#c0392b")
        grad_plot = figure(width=460, height=300, y_axis_type="log", y_range=(low, high),
                           toolbar_location=None, sizing_mode="scale_width",
                           x_axis_label=words("layers back from the output, k"),
                           y_axis_label=words("size of the gradient that reaches layer L − k"))
        ks = list(range(1, layers + 1))
        grads = ColumnDataSource({"k": ks, "g": _round(results[a0][0][first])})
        grad_plot.line(ks, [1.0] * layers, color="#aaaaaa", line_dash="dashed")
        grad_plot.line("k", "g", source=grads, color="#2471a3", line_width=2)
        grad_plot.scatter("k", "g", source=grads, color="#2471a3", size=7)

        weight = Slider(start=float(ws[0]), end=float(ws[-1]), value=float(ws[first]),
                        step=float(ws[1] - ws[0]), title=words("every weight w"),
                        format="0.00", sizing_mode="stretch_width")
        activation = RadioButtonGroup(labels=[words(a) for a in names], active=0)
        redraw = CustomJS(
            args={"weight": weight, "activation": activation, "curve": curve, "dots": dots,
                  "grads": grads, "plot": grad_plot, "names": names,
                  "title": words(title),
                  "slopes": {a: _round(slopes[a]) for a in names},
                  "z": {a: _round(results[a][1]) for a in names},
                  "on_slope": {a: _round(on_slope[a]) for a in names},
                  "g": {a: _round(results[a][0]) for a in names}},
            code=FILL_JS + """
const a = names[activation.active];
const i = Math.round((weight.value - weight.start) / weight.step);
curve.data = {z: curve.data.z, d: slopes[a]};
dots.data = {z: z[a][i], d: on_slope[a][i]};
grads.data = {k: grads.data.k, g: g[a][i]};
const last = g[a][i][g[a][i].length - 1];
plot.title.text = fill(title, {activation: activation.labels[activation.active],
                               w: weight.value.toFixed(2), gradient: last.toExponential(1)});
""")
        weight.js_on_change("value", redraw)
        activation.js_on_change("active", redraw)
        grad_plot.title.text = words(title, activation=words(a0), w=f"{ws[first]:.2f}",
                                     gradient=f"{results[a0][0][first][-1]:.1e}")
        return column(activation, weight, grad_plot, slope_plot, sizing_mode="stretch_width",
                      max_width=520)

    return StaticExplorer("chain", layout, fallback)


def boundary_explorer(
    problems: dict[str, tuple[Array, Array]], maps: dict[str, DecisionMaps],
    widths: Sequence[int], depths: Sequence[int], activations: Sequence[str], fallback: str,
) -> StaticExplorer:
    """What a trained network's output looks like, per problem, width, depth and activation.

    Parameters
    ----------
    problems : dict
        ``{name: (X, Y)}``, X of shape (2, m), Y of shape (1, m).
    maps : dict
        ``{name: DecisionMaps}`` from :func:`dnn_ref.figures.explorers.decision_maps`,
        whose settings run over ``activations``, then ``depths``, then
        ``widths`` (widths fastest): setting (a, d, w) has index
        ``(a·len(depths) + d)·len(widths) + w``.
    widths, depths, activations : sequence
        The values the controls offer.
    fallback : str
        What the output says where BokehJS is not loaded (JupyterLab).
    """
    from bokeh.layouts import column
    from bokeh.models import (
        ColumnDataSource,
        CustomJS,
        CustomJSTickFormatter,
        LinearColorMapper,
        RadioButtonGroup,
        Slider,
    )
    from bokeh.palettes import RdBu11, interp_palette
    from bokeh.plotting import figure

    names = list(problems)
    n_settings = len(widths) * len(depths) * len(activations)
    for name in names:
        if maps[name].probabilities.shape[0] != n_settings:
            raise ValueError(f"{name}: {maps[name].probabilities.shape[0]} maps for "
                             f"{n_settings} settings")
    points = {name: {"x": _round(X[0], 3), "y": _round(X[1], 3),
                     "colour": [CLASS_COLOURS[int(v)] for v in np.ravel(Y)]}
              for name, (X, Y) in problems.items()}
    extents = {name: [*maps[name].x_range, *maps[name].y_range] for name in names}
    accuracy = {name: _round(maps[name].accuracy, 3) for name in names}

    first = names[0]
    x0, x1, y0, y1 = extents[first]
    title = "{problem}: {depth} × {width} {activation} units, accuracy {accuracy}"

    def layout(words: Words) -> object:
        library = {name: ColumnDataSource({"image": list(maps[name].probabilities)})
                   for name in names}
        plot = figure(width=460, height=460, toolbar_location=None, sizing_mode="scale_width",
                      x_range=(x0, x1), y_range=(y0, y1))
        # red for probability 0, blue for 1, as dnn_ref.figures.plots.plot_decision_boundary
        mapper = LinearColorMapper(palette=interp_palette(tuple(reversed(RdBu11)), 256),
                                   low=0, high=255)
        shown = ColumnDataSource({"image": [maps[first].probabilities[0]], "x": [x0], "y": [y0],
                                  "dw": [x1 - x0], "dh": [y1 - y0]})
        plot.image("image", x="x", y="y", dw="dw", dh="dh", source=shown, color_mapper=mapper,
                   alpha=0.8)
        dots = ColumnDataSource(points[first])
        plot.scatter("x", "y", source=dots, color="colour", line_color="white", size=6)

        problem = RadioButtonGroup(labels=[words(name) for name in names], active=0)
        activation = RadioButtonGroup(labels=[words(a) for a in activations], active=0)
        width = Slider(start=0, end=len(widths) - 1, value=0, step=1,
                       title=words("units per hidden layer"), sizing_mode="stretch_width",
                       format=CustomJSTickFormatter(args={"widths": list(widths)},
                                                    code="return String(widths[tick])"))
        depth = Slider(start=1, end=len(depths), value=1, step=1, title=words("hidden layers"),
                       sizing_mode="stretch_width")
        redraw = CustomJS(
            args={"problem": problem, "activation": activation, "width": width, "depth": depth,
                  "shown": shown, "dots": dots, "plot": plot, "library": library,
                  "points": points, "extents": extents, "accuracy": accuracy, "names": names,
                  "title": words(title), "widths": list(widths), "depths": list(depths),
                  "n_depths": len(depths)},
            code=FILL_JS + """
const name = names[problem.active];
const i = (activation.active * n_depths + (depth.value - 1)) * widths.length + width.value;
const [x0, x1, y0, y1] = extents[name];
shown.data = {image: [library[name].data.image[i]], x: [x0], y: [y0],
              dw: [x1 - x0], dh: [y1 - y0]};
dots.data = points[name];
plot.x_range.setv({start: x0, end: x1});
plot.y_range.setv({start: y0, end: y1});
plot.title.text = fill(title, {problem: problem.labels[problem.active],
    depth: depths[depth.value - 1], width: widths[width.value],
    activation: activation.labels[activation.active],
    accuracy: accuracy[name][i].toFixed(2)});
""")
        for control, attr in ((problem, "active"), (activation, "active"), (width, "value"),
                              (depth, "value")):
            control.js_on_change(attr, redraw)
        plot.title.text = words(title, problem=words(first), depth=depths[0], width=widths[0],
                                activation=words(activations[0]),
                                accuracy=f"{maps[first].accuracy[0]:.2f}")
        return column(problem, activation, width, depth, plot, sizing_mode="stretch_width",
                      max_width=520)

    return StaticExplorer("boundary", layout, fallback)
