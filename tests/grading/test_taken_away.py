"""Every route in dnn_ref to a graded answer is taken away while that answer is graded.

A new helper that computes a graded function's answer (the exact output layer added
``Layer.backward_from_dz``, ``cost_from_logits`` and ``binary_cross_entropy_with_logits``)
would let a student delegate to it: the table must list it, and the student view built
from the table must stub it.
"""

from __future__ import annotations

import pytest

from dnn_ref.grading.taken_away import assignment_of, taken_away

ROUTES = [
    ("one_layer_backward", "layers", "Layer.backward"),
    ("one_layer_backward", "layers", "Layer.backward_from_dz"),
    ("one_layer_backward", "network", "linear_backward"),
    ("backprop", "layers", "Layer.backward_from_dz"),
    ("backprop", "layers", "Network.backward"),
    ("update_parameters", "layers", "Layer.backward_from_dz"),
    ("cost_function", "losses", "binary_cross_entropy"),
    ("cost_function", "losses", "binary_cross_entropy_with_logits"),
    ("cost_function", "output_layer", "cost_from_logits"),
    ("forward_prop", "layers", "Network.forward"),
]


@pytest.mark.parametrize(("graded", "module", "qualname"), ROUTES)
def test_each_route_to_an_answer_is_taken_away(graded: str, module: str, qualname: str) -> None:
    assert taken_away(assignment_of(graded), module, qualname) is not None


@pytest.mark.parametrize(("graded", "module", "qualname"), ROUTES)
def test_each_route_exists_in_dnn_ref(graded: str, module: str, qualname: str) -> None:
    import importlib

    obj = importlib.import_module(f"dnn_ref.{module}")
    for part in qualname.split("."):
        obj = getattr(obj, part)
    assert callable(obj)
