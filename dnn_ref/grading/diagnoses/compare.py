"""Comparing a student's result with the right answer, and naming the kind of difference.

Every diagnoser in :mod:`dnn_ref.grading.diagnoses` is built from these pieces. A
comparison that finds a fault raises :class:`Wrong`, which carries a stable
slug for the kind of mistake (``"wrong_values"``, ``"dw_missing_1_over_m"``,
…) and the sentence the student reads.

Results are compared as float arrays (``np.asarray(x, dtype=float)``), so an
object with a rigged ``__eq__`` cannot pass, and nested lists (a JSON round
trip) compare like the arrays they came from.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from dnn_ref.i18n import _

Array = np.ndarray

Variants = Sequence[tuple[str, str, object]]
"""Known mistakes of one output: (slug, cause for the student, what the mistake returns)."""


class Wrong(Exception):
    """A fault found in a result: ``mistake`` is its slug, ``message`` the student's text."""

    def __init__(self, mistake: str, message: str) -> None:
        super().__init__(message)
        self.mistake = mistake
        self.message = message


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence numpy floating-point warnings, Python warnings and writes to sys.stderr.

    nbgrader gives zero to a test cell that writes to stderr, so student code
    and comparisons run inside this.
    """
    with np.errstate(all="ignore"), warnings.catch_warnings(), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


def show(a: Array) -> str:
    """``shape (3, 1): [0.1234, -0.5, …]`` — the shape and the first four values."""
    flat = a.ravel()
    values = ", ".join(f"{v:.4g}" for v in flat[:4]) + (", …" if flat.size > 4 else "")
    return _("shape {shape}: [{values}]").format(shape=a.shape, values=values)


def describe(x: object) -> str:
    """A short description of any object, for 'returned …' in messages."""
    if isinstance(x, np.ndarray):
        return _("an array of shape {shape}").format(shape=x.shape)
    if isinstance(x, (tuple, list)):
        return _("a {type} of {n} items").format(type=type(x).__name__, n=len(x))
    return _("a {type}").format(type=type(x).__name__) if x is not None else "None"


def close(got: Array, expected: Array) -> bool:
    """Same shape and equal up to rounding (tolerance relative to the expected scale)."""
    if got.shape != expected.shape:
        return False
    scale = float(np.abs(expected).max()) if expected.size else 0.0
    return bool(np.allclose(got, expected, rtol=1e-5, atol=1e-7 * scale + 1e-12))


def to_array(x: object) -> Array | None:
    """``x`` as a float array, or None if it is not an array of numbers."""
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        return None


def matches(x: object, expected: object) -> bool:
    """Whether ``x`` is an array of numbers equal to ``expected`` (shape included)."""
    a = to_array(x)
    return a is not None and close(a, np.asarray(expected, dtype=float))


def as_array(value: object, label: str) -> Array:
    """``value`` as a float array, or raise :class:`Wrong` saying why it cannot be one."""
    if value is None:
        raise Wrong("returned_none", _("{label} is None: a `return` is missing, or returns "
                                       "nothing.").format(label=label))
    a = to_array(value)
    if a is None:
        raise Wrong("not_an_array", _("{label} is {what}, not an array of numbers; return a "
                                      "numpy array.").format(label=label, what=describe(value)))
    if not np.isfinite(a).all():
        bad = int((~np.isfinite(a)).sum())
        raise Wrong("not_finite", _("{label} contains NaN or inf ({bad} of {size} entries). "
                                    "Usual causes: np.exp overflowing, the log of 0, or a "
                                    "division by 0.").format(label=label, bad=bad, size=a.size))
    return a


def compare(label: str, got: object, expected: object, variants: Variants = ()) -> None:
    """Raise :class:`Wrong` unless ``got`` equals ``expected``; name a known mistake if one fits.

    Parameters
    ----------
    label : str
        How the value is called in the message, e.g. ``"dW"`` or ``"grads['dW2']"``.
    got, expected : array_like
        The student's value and the right one (any shapes).
    variants : sequence of (slug, cause, array_like)
        What each known mistake would return; a variant equal to ``expected``
        (e.g. "missing 1/m" when m = 1) is ignored. The first that matches wins.
    """
    g, e = as_array(got, label), np.asarray(expected, dtype=float)
    if close(g, e):
        return
    found = _("  expected {expected}\n  found    {found}").format(expected=show(e), found=show(g))
    for slug, cause, v in variants:
        v = np.asarray(v, dtype=float)
        if close(g, v) and not close(v, e):
            raise Wrong(slug, _("{label} is wrong. Likely cause: {cause}").format(
                label=label, cause=_(cause)) + "\n" + found)
    if g.shape == e.shape:
        raise Wrong("wrong_values", _("{label} has the right shape {shape} but wrong values.")
                    .format(label=label, shape=e.shape) + "\n" + found)
    if g.size == e.size and close(g.reshape(e.shape), e):
        raise Wrong("right_values_wrong_shape",
                    _("{label} has the right values but shape {found} instead of {expected}; "
                      "keep the course's shapes (e.g. np.sum(..., keepdims=True)).").format(
                          label=label, found=g.shape, expected=e.shape))
    raise Wrong("wrong_shape", _("{label} has shape {found}, expected {expected}.").format(
        label=label, found=g.shape, expected=e.shape) + "\n" + found)


def unpack(result: object, names: tuple[str, ...], expected: Mapping[str, object]) -> dict:
    """Check ``result`` is a tuple of len(names) values in the right order; return them by name."""
    want = f"({', '.join(names)})"
    if result is None:
        raise Wrong("returned_none", _("it returned None; end it with `return {names}`.").format(
            names=", ".join(names)))
    if not isinstance(result, (tuple, list)):
        raise Wrong("not_a_tuple", _("it should return a tuple {want}, but returned {what}.")
                    .format(want=want, what=describe(result)))
    if len(result) != len(names):
        raise Wrong("wrong_number_of_values", _("it returned {n} values; it should return "
                                                "{expected}: {want}.").format(
                                                    n=len(result), expected=len(names), want=want))
    for i, x in enumerate(result):
        if names[i] in expected and matches(x, expected[names[i]]):
            continue
        other = next((n for n in names if n in expected and matches(x, expected[n])), None)
        if other is not None:
            raise Wrong("wrong_return_order", _("it returned the values in the wrong order: "
                                                "value {i} is {other}; return them as {want}.")
                        .format(i=i + 1, other=other, want=want))
    return dict(zip(names, result, strict=True))


def as_dict(result: object, what: str, ret: str) -> Mapping:
    """Check ``result`` is a dict-like object; ``ret`` is the variable to return in the hint."""
    if result is None:
        raise Wrong("returned_none", _("it returned None; it should return {what}: end it "
                                       "with `return {ret}`.").format(what=what, ret=ret))
    if not isinstance(result, Mapping):
        raise Wrong("not_a_dict", _("it should return {what}, but returned {got}.").format(
            what=what, got=describe(result)))
    return result


def list_keys(d: Mapping) -> str:
    """The keys of ``d`` as ``'a', 'b'`` (or "no keys at all")."""
    return ", ".join(repr(k) for k in d) or _("no keys at all")
