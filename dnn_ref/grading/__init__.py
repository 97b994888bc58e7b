"""The checks a graded assignment's test cells call: ``check_<name>(fn, hidden=...)``.

A visible test cell runs, for example::

    check_one_layer_backward(one_layer_backward)

At home this runs the visible cases (:func:`dnn_ref.grading.cases.cases`) and prints
``✓ one_layer_backward: passed all 5 checks``, or fails the cell with the
diagnosis of the first failing case (:mod:`dnn_ref.grading.checking`). A hidden test
cell (``hidden=True``) only says that its tests run when the notebook is
graded: the hidden cases are drawn from the course's secret, which only the
instructor's grading has.

While a notebook is graded, its kernel runs in a sandbox with
``$DNN_GRADING_DIR`` set; there each check only *records* what the function
returns on the grader's cases (:mod:`dnn_ref.grading.recording`), and the grader
judges those arrays outside the sandbox. So this module imports nothing
that computes answers: :mod:`dnn_ref.grading.diagnoses` and :mod:`dnn_ref.grading.checking`
are loaded only when a check is judged here, at home.

``Case``, ``cases``, ``build_cases`` and ``ASSIGNMENTS`` are re-exported from
:mod:`dnn_ref.grading.cases`; ``diagnose``, ``Diagnosis``, ``exception_diagnosis``
and ``REFERENCES`` from :mod:`dnn_ref.grading.diagnoses` (loaded on first use).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable

from dnn_ref.grading.cases import ASSIGNMENTS, NAMES, Case, build_cases, cases
from dnn_ref.i18n import _

__all__ = ["ASSIGNMENTS", "CHECKERS", "Case", "build_cases", "cases", "check",
           *(f"check_{name}" for name in NAMES)]

GRADING_DIR_ENV = "DNN_GRADING_DIR"
"""Set (to the sandbox's grading folder) only while a notebook is being graded."""

_FROM_DIAGNOSES = ("diagnose", "Diagnosis", "exception_diagnosis", "REFERENCES")


def __getattr__(name: str) -> object:
    """Load the answer-computing names from :mod:`dnn_ref.grading.diagnoses` on first use."""
    if name in _FROM_DIAGNOSES:
        return getattr(importlib.import_module("dnn_ref.grading.diagnoses"), name)
    raise AttributeError(f"module 'dnn_ref.grading' has no attribute {name!r}")


def check(name: str, fn: Callable, *, hidden: bool = False) -> None:
    """Check the student's implementation ``fn`` of the graded function ``name``.

    Parameters
    ----------
    name : str
        A graded function (see :data:`ASSIGNMENTS`).
    fn : callable
        The student's function.
    hidden : bool
        False: run the visible cases here; prints ``✓ <name>: passed all N
        checks`` or raises an AssertionError whose message is the diagnosis.
        True: the hidden tests, which run only when the notebook is graded;
        at home this prints a line saying so and does not fail.
    """
    __tracebackhide__ = True
    if name not in NAMES:
        raise ValueError(f"unknown graded function {name!r}; choose one of {NAMES}")
    if os.environ.get(GRADING_DIR_ENV):
        from dnn_ref.grading import recording
        if recording.active():
            recording.record(name, fn, hidden=hidden)
            return
    if hidden:
        print(_("Hidden tests of {name} run only when your notebook is graded (other shapes, "
                "seeds and values); the visible test above is the one to run now.").format(
                    name=name))
        return
    from dnn_ref.grading.checking import CheckFailed, check_locally
    if not callable(fn):
        kind = "None" if fn is None else _("a {type}").format(type=type(fn).__name__)
        raise CheckFailed(_("{name} should be a function, but it is {kind}: run the cell that "
                            "defines it (def {name}(...):) before this test.").format(
                                name=name, kind=kind))
    check_locally(name, fn)


def check_sigmoid(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``sigmoid(Z) -> A``, including very large |z| and an (A, cache) return."""
    __tracebackhide__ = True
    check("sigmoid", fn, hidden=hidden)


def check_relu(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``relu(Z) -> A``."""
    __tracebackhide__ = True
    check("relu", fn, hidden=hidden)


def check_forward_prop(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``forward_prop(X, parameters) -> (AL, caches)`` and each ((A_prev, W, b), Z)."""
    __tracebackhide__ = True
    check("forward_prop", fn, hidden=hidden)


def check_cost_function(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``cost_function(AL, Y) -> float`` (a 0-d or (1, 1) array is accepted)."""
    __tracebackhide__ = True
    check("cost_function", fn, hidden=hidden)


def check_one_layer_backward(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``one_layer_backward(dA, cache) -> (dA_prev, dW, db)`` of a sigmoid layer."""
    __tracebackhide__ = True
    check("one_layer_backward", fn, hidden=hidden)


def check_backprop(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``backprop(AL, Y, caches) -> grads``; blames one_layer_backward if it is at fault."""
    __tracebackhide__ = True
    check("backprop", fn, hidden=hidden)


def check_update_parameters(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``update_parameters(parameters, grads, learning_rate) -> new parameters``."""
    __tracebackhide__ = True
    check("update_parameters", fn, hidden=hidden)


def check_add_backward(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``add_backward(dout) -> (dx, dy)`` for out = x + y."""
    __tracebackhide__ = True
    check("add_backward", fn, hidden=hidden)


def check_multiply_backward(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``multiply_backward(x, y, dout) -> (dx, dy)`` for out = x·y."""
    __tracebackhide__ = True
    check("multiply_backward", fn, hidden=hidden)


def check_graph_gradients(fn: Callable, *, hidden: bool = False) -> None:
    """Check ``graph_gradients(x, y, z) -> {'x', 'y', 'z'}`` for f = (x + y)·z."""
    __tracebackhide__ = True
    check("graph_gradients", fn, hidden=hidden)


CHECKERS: dict[str, Callable[..., None]] = {name: globals()[f"check_{name}"] for name in NAMES}
"""``check_<name>`` by graded function name."""
