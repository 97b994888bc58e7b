"""The book's pictures (book-only code; the course's maths is in the modules beside this package).

* :mod:`~dnn_ref.figures.plots` — cost curves, decision boundaries, activations, descent paths;
* :mod:`~dnn_ref.figures.explorers` — the numbers behind the slider figures, computed at build time;
* :mod:`~dnn_ref.figures.explorer_figures` — those slider figures, drawn by Bokeh in the browser;
* :mod:`~dnn_ref.figures.multiclass` — a confusion matrix and the misclassified digits.

Each loads on first use (``dnn_ref.figures.plots`` after ``import dnn_ref``), so the
package does not pull in matplotlib or Bokeh until a figure is asked for.
"""

import importlib
from types import ModuleType

_LAZY = ("plots", "explorers", "explorer_figures", "multiclass")


def __getattr__(name: str) -> ModuleType:
    if name in _LAZY:
        return importlib.import_module(f"dnn_ref.figures.{name}")
    raise AttributeError(f"module 'dnn_ref.figures' has no attribute {name!r}")
