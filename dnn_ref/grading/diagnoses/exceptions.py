"""What an exception raised by a student's function most likely means.

The exception arrives as plain data (its type name, its message and the
student's source line where it was raised), so the same diagnosis is given
whether the function ran here or inside the grading sandbox.
"""

from __future__ import annotations

import re

import numpy as np

from dnn_ref.grading.diagnoses.compare import Wrong
from dnn_ref.grading.taken_away import UNAVAILABLE
from dnn_ref.i18n import N_, _, retranslate

SHAPE_WORDS = ("matmul", "aligned", "broadcast", "shape")
"""Words of numpy's messages when array shapes do not fit."""

SHAPES_HINT = N_("the array shapes do not fit: check the transposes (Z = W·A_prev + b, "
                 "dW = (1/m)·dZ·A_prevᵀ, dA_prev = Wᵀ·dZ) and that layer l uses caches[l − 1].")


def _quoted(message: str) -> str:
    """The first quoted name in an exception message ('' if none)."""
    return next(iter(re.findall(r"'([^']*)'", message)), "")


def _key_hint(key: str, line: str) -> tuple[str, str]:
    """(slug, hint) for a KeyError on ``key`` raised at the student's ``line``."""
    if re.fullmatch(r"d?[WbA]0", key) and key != "dA0":
        return "layer_numbered_from_zero", (
            _("there is no layer 0, so no {key}: layers are numbered 1 … L "
              "(range(1, L + 1)), and layer l's cache is caches[l − 1].").format(key=repr(key)))
    grads_with_d = "grads[" not in line or re.search(r"grads\[\s*f?['\"]d", line)
    if re.fullmatch(r"[Wb]([2-9]|\d\d+)", key) and "parameters[" in line and grads_with_d:
        return "layer_beyond_last", (
            _("there is no {key}: the network has L = len(parameters) // 2 layers "
              "(parameters holds a W and a b per layer), so loop over range(1, L + 1).")
            .format(key=repr(key)))
    if re.fullmatch(r"[Wb]\d+", key):
        return "grads_key_without_d", (
            _("gradients are stored under 'd{key}' (with a d): read grads['d{key}'], not "
              "grads[{quoted}]. If it was parameters[{quoted}], check your loop runs over "
              "layers 1 … L.").format(key=key, quoted=repr(key)))
    if re.fullmatch(r"d[WbA]\d+", key):
        return "gradient_never_stored", (
            _("gradient {key} was never stored: check the index under which each layer's "
              "gradients are filed (dW1 … dWL, db1 … dbL, dA0 … dA(L−1)).").format(
                  key=repr(key)))
    return "key_error", _("the dict has no key {key}.").format(key=repr(key))


def _shape_hint(name: str, line: str) -> tuple[str, str]:
    """(slug, hint) for arrays whose shapes do not fit, recognising the usual line."""
    code = line.replace(" ", "")
    words = re.findall(r"\w+", code)
    transposed = ".T" in code or "transpose" in code
    if name == "cost_function" and ("dot" in words or "@" in code):
        return "cost_dot_without_transpose", (
            "Y and AL are both (1, m): multiply them elementwise and sum, "
            "np.sum(Y * np.log(AL)), or transpose one of them, np.dot(Y, np.log(AL).T).")
    if code.startswith("dW=") and "A_prev" in words and not transposed:
        return "a_prev_not_transposed", (
            "A_prev is not transposed: dW = (1/m)·dZ·A_prevᵀ, dZ @ A_prev.T / m.")
    if code.startswith("dA_prev=") and "W" in words and not transposed:
        return "da_prev_without_transpose", (
            "dA_prev needs the transpose: dA_prev = Wᵀ·dZ (W.T @ dZ), not W·dZ.")
    return "shapes_do_not_fit", SHAPES_HINT


def _hint(name: str, exc_type: str, message: str, line: str) -> tuple[str, str]:
    """(slug, likely cause) of an exception; the cause may be ''."""
    if exc_type == "TypeError" and 'concatenate str (not "int")' in message:
        return "key_built_from_int", ("a key was built by adding a number to a string: "
                                      "write 'W' + str(l) (or f'W{l}').")
    if "converted to Python scalars" in message:
        return "math_function_on_array", (
            "a function of Python's math module (math.exp, math.log) takes one number; "
            "use numpy's, np.exp or np.log, which work on whole arrays.")
    if "truth value of an array" in message:
        return "python_max_or_if_on_array", (
            "Python's max() or an `if` compares single numbers, not arrays: use numpy's "
            "elementwise functions, e.g. np.maximum(Z, 0).")
    if exc_type == "NameError":
        name = _quoted(message)
        if name and hasattr(np, name):
            return "numpy_name_without_np", (
                _("`{name}` is not defined in the notebook; use numpy's np.{name}.").format(
                    name=name))
        return "undefined_name", ("a name your code uses is not defined: check its spelling, "
                                  "or run the cell that defines it.")
    if exc_type == "KeyError" and re.fullmatch(r"'[^']*'", message.strip()):
        return _key_hint(message.strip()[1:-1], line)
    if "unpack" in message:
        return "wrong_unpack_count", (
            "a function returned a different number of values than you unpacked: sigmoid "
            "returns only A here, one_layer_backward returns (dA_prev, dW, db).")
    if any(s in message for s in SHAPE_WORDS):
        return _shape_hint(name, line)
    if exc_type == "TypeError" and "'tuple'" in message and "operand" in message:
        return "helper_returned_a_pair", (
            "a function returned a tuple where an array was expected: is it a sigmoid that "
            "returns (A, cache)? Take its first element, or return A only.")
    if exc_type == "TypeError" and "NoneType" in message:
        return "helper_returned_none", "one of your functions returned None: is a `return` " \
                                       "missing?"
    if exc_type == "IndexError" and "caches[" in line:
        return "wrong_cache_index", ("caches holds L caches, caches[0] … caches[L − 1]; the "
                                     "cache of layer l (l = 1 … L) is caches[l − 1].")
    if exc_type == "IndexError":
        return "index_out_of_range", (
            "an index is out of range: arrays here are 2-D (so .shape has two entries) and "
            "caches[l − 1] belongs to layer l, l = 1 … L.")
    return "raised", ""


def exception_wrong(name: str, exc_type: str, message: str, line: str | None = None, *,
                    where: str | None = None) -> Wrong:
    """The :class:`Wrong` for an exception the student's function ``name`` raised.

    Parameters
    ----------
    name : str
        The graded function that was called.
    exc_type, message : str
        ``type(exc).__name__`` and ``str(exc)``.
    line : str, optional
        The student's source line where it was raised (the deepest frame of
        student code), stripped.
    where : str, optional
        The name of the student's function that raised (it may be a helper
        that ``name`` called).
    """
    who = where or name
    message = retranslate(message, UNAVAILABLE)   # a stand-in's reason, raised in English
    if exc_type == "NotImplementedError":
        return Wrong("not_implemented",
                     _("you have not implemented {who} yet: it still raises "
                       "NotImplementedError. Replace the `raise NotImplementedError()` line "
                       "with your code.").format(who=who))
    at = _(", at `{line}`").format(line=line) if line else ""
    raised = _("it raised {exc_type} in {who}{at}:").format(exc_type=exc_type, who=who, at=at)
    if exc_type == "ReferenceUnavailable":   # graded: a call into the reference (delegation)
        return Wrong("calls_the_reference", f"{raised} {message}")
    slug, hint = _hint(name, exc_type, message, line or "")
    return Wrong(slug, f"{raised} {message}"
                       + ("\n" + _("Likely cause: {hint}").format(hint=_(hint)) if hint else ""))
