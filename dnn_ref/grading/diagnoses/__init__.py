"""Diagnoses: what a student's result or exception says about their mistake.

This subpackage is the only part of :mod:`dnn_ref`'s grading code that
computes right answers and mistake variants; the grading sandbox replaces
it wholesale, so that student code never sees it while it runs. Everything
here works on plain data (arrays may come back as nested lists from JSON),
so the judge outside the sandbox calls it on what the sandbox recorded.

A :class:`Diagnosis` carries a stable slug (``mistake``) for the class
report and the sentence the student reads (``message``). Named mistakes
have their own slug (``"dw_missing_1_over_m"``, ``"sigma_prime_of_z"``,
…); the generic kinds are ``"wrong_values"``, ``"wrong_shape"``,
``"right_values_wrong_shape"``, ``"returned_none"``, ``"not_an_array"``,
``"not_finite"``, ``"not_a_tuple"``, ``"not_a_dict"``,
``"wrong_number_of_values"``, ``"wrong_return_order"``, ``"missing_key"``,
``"uncheckable"`` and, for exceptions, ``"raised"`` (or a named cause such
as ``"not_implemented"`` or ``"shapes_do_not_fit"``); a function that calls what
grading takes away is ``"calls_the_reference"`` or ``"uses_autodiff_library"``
(:mod:`~dnn_ref.grading.diagnoses.delegation`, at home only). :data:`TITLES` lists
every slug with a short title (:mod:`dnn_ref.grading.diagnoses.catalogue`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dnn_ref import network as ref
from dnn_ref.activations import relu, sigmoid
from dnn_ref.grading.cases import Case
from dnn_ref.grading.diagnoses import backward, exceptions, forward, graphs, update
from dnn_ref.grading.diagnoses.catalogue import TITLES
from dnn_ref.grading.diagnoses.compare import Wrong, describe, quiet
from dnn_ref.i18n import _

__all__ = ["REFERENCES", "TITLES", "Diagnosis", "diagnose", "exception_diagnosis"]


@dataclass(frozen=True)
class Diagnosis:
    """What is wrong with one result: a stable slug and the message for the student."""

    mistake: str
    message: str


REFERENCES: dict[str, Callable] = {
    "sigmoid": sigmoid, "relu": relu, "forward_prop": ref.forward_prop,
    "cost_function": ref.cost_function, "one_layer_backward": ref.one_layer_backward,
    "backprop": ref.backprop, "update_parameters": ref.update_parameters,
    "add_backward": graphs.add_backward, "multiply_backward": graphs.multiply_backward,
    "graph_gradients": graphs.graph_gradients,
}
"""A correct implementation of every graded function (swapped in to locate a helper's fault)."""

_DIAGNOSERS: dict[str, Callable[[tuple, object, tuple | None], None]] = {
    "sigmoid": forward.diagnose_sigmoid, "relu": forward.diagnose_relu,
    "forward_prop": forward.diagnose_forward_prop,
    "cost_function": forward.diagnose_cost_function,
    "one_layer_backward": backward.diagnose_one_layer_backward,
    "backprop": backward.diagnose_backprop,
    "update_parameters": update.diagnose_update_parameters,
    "add_backward": graphs.diagnose_add_backward,
    "multiply_backward": graphs.diagnose_multiply_backward,
    "graph_gradients": graphs.diagnose_graph_gradients,
}


def _known(name: str) -> None:
    """Raise ValueError unless ``name`` is a graded function."""
    if name not in _DIAGNOSERS:
        raise ValueError(f"unknown graded function {name!r}; choose one of {list(_DIAGNOSERS)}")


def diagnose(name: str, case: Case, result: object, *, args_after: tuple | None = None
             ) -> Diagnosis | None:
    """Compare what a student's function returned on ``case`` with the reference.

    Parameters
    ----------
    name : str
        The graded function (see :data:`dnn_ref.grading.cases.ASSIGNMENTS`).
    case : Case
        The case it was called on (visible or hidden).
    result : object
        What the student's function returned; arrays may come back as nested
        lists (e.g. from JSON).
    args_after : tuple, optional
        The (copied) arguments after the call, to recognise in-place updates.

    Returns
    -------
    Diagnosis or None
        None if the result is right.
    """
    _known(name)
    with quiet():
        try:
            _DIAGNOSERS[name](case.args, result, args_after)
        except Wrong as wrong:
            return Diagnosis(wrong.mistake, wrong.message)
        except Exception as exc:  # a result too odd to compare is still a wrong result
            return Diagnosis("uncheckable", _(
                "its result could not be checked ({error}); it returned {what}.").format(
                    error=f"{type(exc).__name__}: {exc}", what=describe(result)))
    return None


def exception_diagnosis(name: str, exc_type: str, message: str, line: str | None = None, *,
                        where: str | None = None) -> Diagnosis:
    """The diagnosis of an exception raised while ``name`` ran on a case.

    Parameters
    ----------
    name : str
        The graded function that was called.
    exc_type : str
        The exception's type name, ``type(exc).__name__`` (e.g. ``"KeyError"``).
    message : str
        ``str(exc)`` (for a KeyError, the quoted key, e.g. ``"'dW1'"``).
    line : str, optional
        The student's source line where it was raised, if known.
    where : str, optional
        The student's function whose frame raised (a helper of ``name``, maybe).

    Returns
    -------
    Diagnosis
        ``mistake`` is ``"not_implemented"``, a named cause (``"shapes_do_not_fit"``,
        ``"numpy_name_without_np"``, …) or ``"raised"``.
    """
    _known(name)
    wrong = exceptions.exception_wrong(name, exc_type, message, line, where=where)
    return Diagnosis(wrong.mistake, wrong.message)
