"""What grading takes away from a notebook's kernel: the reference's answers and autodiff.

While a notebook is graded, its kernel sees a copy of ``dnn_ref`` in which the
graded functions of the assignment, and the reference code that answers them
almost whole (:data:`RELATED`), raise instead of answering, and the packages
that differentiate automatically (:data:`AUTODIFF`) cannot be imported. The
grading sandbox builds that copy from these tables
(``autograder.sandbox.student_view``, ``autograder.sandbox.blocked_packages``),
and the at-home check reads them too (:mod:`dnn_ref.grading.diagnoses.delegation`), so a
student learns before submitting what grading will refuse.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from dnn_ref.grading.cases import ASSIGNMENTS
from dnn_ref.i18n import N_

RELATED: dict[str, dict[str, tuple[str, ...]]] = {
    "sigmoid": {"activations": ("sigmoid", "Sigmoid.__call__"), "graph": ("Value.sigmoid",)},
    "relu": {"activations": ("relu", "ReLU.__call__"), "graph": ("Value.relu",)},
    "forward_prop": {"network": ("forward_prop",),
                     "layers": ("Layer.forward", "Network.forward")},
    "cost_function": {"network": ("cost_function",),
                      "losses": ("binary_cross_entropy", "binary_cross_entropy_with_logits"),
                      "output_layer": ("cost_from_logits",)},
    "one_layer_backward": {"network": ("one_layer_backward", "linear_backward"),
                           "layers": ("Layer.backward", "Layer.backward_from_dz",
                                      "Network.backward"),
                           "graph": ("Value.backward", "Value.*._backward")},
    "backprop": {"network": ("backprop", "one_layer_backward", "linear_backward"),
                 "layers": ("Layer.backward", "Layer.backward_from_dz", "Network.backward"),
                 "graph": ("Value.backward", "Value.*._backward"),
                 "gradcheck": ("numerical_gradient", "gradient_check",
                               "check_network_gradients")},
    "update_parameters": {"network": ("update_parameters",),
                          "layers": ("Layer.backward", "Layer.backward_from_dz")},
    "add_backward": {"graph": ("Value.backward", "Value.*._backward")},
    "multiply_backward": {"graph": ("Value.backward", "Value.*._backward")},
    "graph_gradients": {"graph": ("Value.backward", "Value.*._backward"),
                        "gradcheck": ("numerical_gradient", "gradient_check")},
}
"""Graded name -> {module of dnn_ref: qualified names (fnmatch patterns) taken away}.

A graded name's own top-level definition is taken away in every module too."""

WHOLESALE = ("grading.diagnoses",)
"""Modules (or packages) of dnn_ref that compute answers and mistakes: taken away whole."""

AUTODIFF = ("torch", "jax", "jaxlib", "autograd", "tensorflow", "tinygrad", "micrograd",
            "mxnet", "chainer", "theano", "functorch")
"""Top-level packages that compute gradients automatically: a graded kernel cannot import them."""


UNAVAILABLE_OWN = N_("{qualname} is not available while your notebook is graded: this "
                     "assignment grades your own {graded}: write it and call yours.")
UNAVAILABLE_RELATED = N_("{qualname} is not available while your notebook is graded: it "
                         "computes most of {graded}, which this assignment asks you to write; "
                         "use your own functions.")
UNAVAILABLE_CHECKER = N_("{qualname} is not available while your notebook is graded: the "
                         "checker's reference answers are computed outside the sandbox; while "
                         "grading, check_<name> only records what your function returns.")
UNAVAILABLE_AUTODIFF = N_("{qualname} is not available while your notebook is graded: it "
                          "computes gradients automatically, and this course grades the "
                          "gradients you derive yourself.")
UNAVAILABLE = (UNAVAILABLE_OWN, UNAVAILABLE_RELATED, UNAVAILABLE_CHECKER, UNAVAILABLE_AUTODIFF)
"""What the graded kernel's stand-ins raise (``ReferenceUnavailable``, ``ImportError``), in
English: they are written before anyone knows the student's language, and shown in it with
:func:`dnn_ref.i18n.retranslate`."""


def assignment_of(name: str) -> list[str]:
    """The graded names of the assignment that grades ``name`` (graded together, stubbed
    together)."""
    for names in ASSIGNMENTS.values():
        if name in names:
            return list(names)
    raise ValueError(f"unknown graded function {name!r}")


def taken_away(graded: Iterable[str], module: str, qualname: str) -> str | None:
    """The graded name whose grading takes ``dnn_ref.<module>.<qualname>`` away, or None.

    Parameters
    ----------
    graded : iterable of str
        The graded names of one assignment.
    module : str
        A module of dnn_ref, dotted from the package (``"network"``, ``"graph"``).
    qualname : str
        A function's qualified name in it (``"Value.__mul__._backward"``).
    """
    for name in graded:
        patterns = (name, *RELATED.get(name, {}).get(module, ()))
        if any(fnmatch.fnmatchcase(qualname, p) for p in patterns):
            return name
    return None


def wholesale(module: str) -> bool:
    """Whether grading takes the module ``module`` of dnn_ref away whole."""
    return any(module == w or module.startswith(w + ".") for w in WHOLESALE)
