"""Tests of dnn_ref.figures.explorer_figures: the HTML a slider figure leaves in the book.

That the sliders redraw the plot in a browser is tested on the built book,
in chromium, by tests/book/test_book_in_browser.py.
"""

import json
import re

import numpy as np
import pytest

from dnn_ref.datasets import make_moons
from dnn_ref.figures.explorer_figures import (
    EXPLORER_CLASS,
    boundary_explorer,
    chain_explorer,
    descent_explorer,
)
from dnn_ref.figures.explorers import chain_gradients, decision_maps, descent_paths


def bowl(w):
    return w[0] ** 2 + 10 * w[1] ** 2


def bowl_gradient(w):
    return np.array([2 * w[0], 20 * w[1]])


def docs_json(html: str) -> dict:
    """The Bokeh document embedded in an explorer's HTML."""
    match = re.search(r"const docs_json = '(.*?)';\n", html)
    assert match, "no Bokeh document in the HTML"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def descent_html() -> str:
    rates = np.round(np.arange(0.01, 0.121, 0.01), 3)
    paths = descent_paths(bowl_gradient, [3.0, 1.0], rates, steps=20, bound=20)
    return descent_explorer(bowl, paths, rates, radius=4.5, fallback="use the widget",
                            initial=0.05)._repr_html_()


def test_the_html_loads_no_script_from_anywhere(descent_html):
    assert f'class="{EXPLORER_CLASS}"' in descent_html
    assert "<script src" not in descent_html and "http" not in descent_html
    # the drawing code runs only where the page has loaded BokehJS
    assert "if (window.Bokeh) {" in descent_html


def test_without_bokehjs_the_reader_is_told_where_to_go(descent_html):
    assert '<p class="dnn-explorer-fallback">use the widget</p>' in descent_html


def test_the_descent_figure_holds_one_path_per_rate_and_starts_at_the_chosen_one(descent_html):
    text = json.dumps(docs_json(descent_html))
    assert "learning rate" in text and "CustomJS" in text
    assert '"value": 0.05' in text


def test_descent_explorer_needs_a_path_per_rate():
    paths = descent_paths(bowl_gradient, [3.0, 1.0], [0.01, 0.02], steps=5, bound=20)
    with pytest.raises(ValueError, match="one path per learning rate"):
        descent_explorer(bowl, paths, [0.01, 0.02, 0.03], radius=4.5, fallback="")


def test_chain_and_boundary_explorers_make_html():
    weights = [0.5, 1.0, 1.5]
    chain = chain_explorer(weights, {a: chain_gradients(weights, 4, a)
                                     for a in ("sigmoid", "relu")}, fallback="x")
    assert "sigmoid" in json.dumps(docs_json(chain._repr_html_()))

    X, Y = make_moons(m=30, noise=0.2, seed=0)

    def fit(X, Y, hidden, activation):
        from dnn_ref import train
        return train(X, Y, [2, *hidden, 1], epochs=20, learning_rate=1.0,
                     hidden_activation=activation, progress=False)[0]

    settings = [([w] * d, a) for a in ("tanh",) for d in (1, 2) for w in (1, 3)]
    maps = {"moons": decision_maps(fit, X, Y, settings, resolution=5)}
    figure = boundary_explorer({"moons": (X, Y)}, maps, [1, 3], [1, 2], ["tanh"], fallback="x")
    assert "accuracy" in figure._repr_html_()
    with pytest.raises(ValueError, match="4 maps for 8 settings"):
        boundary_explorer({"moons": (X, Y)}, maps, [1, 3], [1, 2], ["tanh", "relu"],
                          fallback="x")
