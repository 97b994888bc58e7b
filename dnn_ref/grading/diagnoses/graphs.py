"""The graph assignment: reference nodes and the diagnosers of add, multiply and f = (x + y)·z.

Arguments and results are scalars or arrays of one shape (the nodes work
elementwise).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dnn_ref.grading.diagnoses.compare import Wrong, as_dict, compare, list_keys, unpack
from dnn_ref.i18n import _


def add_backward(dout: Any) -> tuple[Any, Any]:
    """Backward of out = x + y: both inputs receive the upstream gradient unchanged."""
    return dout, dout


def multiply_backward(x: Any, y: Any, dout: Any) -> tuple[Any, Any]:
    """Backward of out = x·y: each input receives the *other* input times dout."""
    return y * dout, x * dout


def graph_gradients(x: Any, y: Any, z: Any) -> dict[str, Any]:
    """Gradients of f = (x + y)·z by a forward then a backward pass through the two nodes."""
    p = x + y
    dp, dz = multiply_backward(p, z, 1.0)
    dx, dy = add_backward(dp)
    return {"x": dx, "y": dy, "z": dz}


def diagnose_add_backward(args: tuple, result: object, args_after: tuple | None) -> None:
    """``add_backward(dout) -> (dx, dy)``."""
    (dout,) = args
    expected = dict(zip(("dx", "dy"), add_backward(dout), strict=True))
    got = unpack(result, ("dx", "dy"), expected)
    for key in ("dx", "dy"):
        compare(key, got[key], expected[key], [
            ("add_without_upstream", "the upstream gradient is missing: an add node passes "
                                     "dout on unchanged, dx = dy = 1·dout.",
             np.ones_like(np.asarray(dout, dtype=float)))])


def diagnose_multiply_backward(args: tuple, result: object, args_after: tuple | None) -> None:
    """``multiply_backward(x, y, dout) -> (dx, dy)``."""
    x, y, dout = args
    expected = dict(zip(("dx", "dy"), multiply_backward(x, y, dout), strict=True))
    got = unpack(result, ("dx", "dy"), expected)
    add_rule = ("multiply_uses_add_rule", "that is an add node's rule; for a product each "
                "input gets the *other* input times dout: dx = y·dout, dy = x·dout.", dout)
    compare("dx", got["dx"], expected["dx"], [
        ("multiply_dx_dy_swapped", "dx and dy are swapped: each input gets the *other* input "
                                   "times dout: dx = y·dout, dy = x·dout.", x * dout),
        ("multiply_without_upstream", "the upstream gradient is missing: multiply the local "
                                      "gradient y by dout.", y), add_rule])
    compare("dy", got["dy"], expected["dy"], [
        ("multiply_without_upstream", "the upstream gradient is missing: multiply the local "
                                      "gradient x by dout.", x), add_rule])


def diagnose_graph_gradients(args: tuple, result: object, args_after: tuple | None) -> None:
    """``graph_gradients(x, y, z) -> {'x': ∂f/∂x, 'y': ∂f/∂y, 'z': ∂f/∂z}``."""
    x, y, z = args
    expected = graph_gradients(x, y, z)
    got = as_dict(result, _("a dict {'x': ∂f/∂x, 'y': ∂f/∂y, 'z': ∂f/∂z}"), "grads")
    missing = [k for k in expected if k not in got]
    if missing:
        raise Wrong("missing_key", _("the returned dict has no key {key}; it has {keys}. Use "
                                     "the keys 'x', 'y' and 'z'.").format(key=repr(missing[0]),
                                                                          keys=list_keys(got)))
    p = x + y
    swapped = ("graph_multiply_inputs_swapped",
               "f = p·z, so ∂f/∂p = z and ∂f/∂z = p = x + y; check the order of "
               "multiply_backward's inputs and outputs.")
    compare("grads['x']", got["x"], expected["x"], [(*swapped, p)])
    compare("grads['y']", got["y"], expected["y"], [(*swapped, p)])
    compare("grads['z']", got["z"], expected["z"], [(*swapped, z)])
