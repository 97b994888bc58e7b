"""Catch, at home, a graded function that hands its work to code grading takes away.

A student's ``one_layer_backward`` that returns ``dnn_ref.one_layer_backward(...)``,
or differentiates with PyTorch, gives right answers at home; graded, it scores 0,
because the graded kernel's ``dnn_ref`` raises in place of the reference and
cannot import an autodiff library (:mod:`dnn_ref.grading.taken_away`).
:func:`watch` observes every function call while the student's function runs
(``sys.setprofile``) and keeps the first one into such code, so the check can
give grading's verdict, and why, before the notebook is submitted.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, FrameType

from dnn_ref.grading.taken_away import AUTODIFF, assignment_of, taken_away, wholesale
from dnn_ref.i18n import _

_PACKAGE = Path(__file__).resolve().parents[2]
_SELF = os.path.realpath(__file__)


def _blocked_folders() -> dict[str, str]:
    """Folder (with a trailing separator) -> name, for each installed autodiff package."""
    out = {}
    for name in AUTODIFF:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        for folder in (spec.submodule_search_locations or []) if spec else []:
            out[os.path.join(os.path.realpath(folder), "")] = name
    return out


def _module_of(filename: str) -> str | None:
    """``network`` for dnn_ref/network.py, ``grading.diagnoses`` for its __init__; None
    outside dnn_ref."""
    try:
        rel = Path(os.path.realpath(filename)).relative_to(_PACKAGE)
    except ValueError:
        return None
    parts = list(rel.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _classify(code: CodeType, blocked: dict[str, str], graded: list[str]
              ) -> tuple[str, ...] | None:
    """("library", package), ("checker", module), ("reference", module, graded name) or None
    for a function grading leaves alone."""
    path = os.path.realpath(code.co_filename)
    if path == _SELF:            # leaving watch() itself
        return None
    package = next((n for folder, n in blocked.items() if path.startswith(folder)), None)
    if package:
        return ("library", package)
    module = _module_of(path)
    if module is None:
        return None
    if wholesale(module) or module.startswith("grading._answers"):
        return ("checker", module)
    graded_name = taken_away(graded, module, code.co_qualname)
    return None if graded_name is None else ("reference", module, graded_name)


@dataclass
class Seen:
    """The first call into code grading takes away, as the sentence the student reads."""

    name: str
    mistake: str = ""
    message: str = ""
    allowed: frozenset[CodeType] = frozenset()
    _inside_allowed: int = field(default=0, repr=False)

    def _reference(self, module: str, qualname: str, graded: str) -> None:
        what = (_("the course's reference {graded}") if graded == qualname else
                _("reference code that computes most of {graded}, which this assignment asks "
                  "you to write")).format(graded=graded)
        self.mistake = "calls_the_reference"
        self.message = _(
            "{name} calls dnn_ref.{module}.{qualname}, {what}. When your notebook is "
            "graded, that function is not there (it raises ReferenceUnavailable), so this "
            "test and the hidden ones score 0. Write {name} yourself with numpy").format(
                name=self.name, module=module, qualname=qualname, what=what) + (
            "." if graded == self.name else _(" and call your own functions."))

    def _checker(self, module: str, qualname: str) -> None:
        self.mistake = "calls_the_reference"
        self.message = _(
            "{name} calls dnn_ref.{module}.{qualname}, the checker's own answers. "
            "When your notebook is graded they are not there, so this test and the hidden "
            "ones score 0. Write {name} yourself with numpy.").format(
                name=self.name, module=module, qualname=qualname)

    def _library(self, package: str) -> None:
        self.mistake = "uses_autodiff_library"
        self.message = _(
            "{name} uses {package}, which computes gradients automatically. A graded "
            "notebook cannot import {package} (this course grades the gradients you derive "
            "yourself), so this test and the hidden ones score 0. Compute them with numpy."
        ).format(name=self.name, package=package)

    def profile(self, blocked: dict[str, str], graded: list[str]) -> Callable:
        """The ``sys.setprofile`` function that fills this in."""
        verdicts: dict[CodeType, tuple[str, ...] | None] = {}

        def observe(frame: FrameType, event: str, arg: object) -> None:
            if self.mistake:
                return
            # Python functions only: differentiating with a library runs its Python code
            # (tensor.backward, jax.grad, autograd.grad), even when the arithmetic is in C
            if event not in ("call", "return"):
                return
            code = frame.f_code
            if code in self.allowed:
                self._inside_allowed += 1 if event == "call" else -1
                return
            if event == "return" or self._inside_allowed:
                return
            if code not in verdicts:
                verdicts[code] = _classify(code, blocked, graded)
            found = verdicts[code]
            if found is None:
                return
            if found[0] == "library":
                self._library(found[1])
            elif found[0] == "checker":
                self._checker(found[1], code.co_qualname)
            else:
                self._reference(found[1], code.co_qualname, found[2])
        return observe


@contextlib.contextmanager
def watch(name: str, allowed: tuple[Callable, ...] = ()) -> Iterator[Seen]:
    """Observe the calls made inside the block; the :class:`Seen` says what was caught.

    Parameters
    ----------
    name : str
        The graded function the student's code implements.
    allowed : tuple of callables
        Reference functions the check itself swapped in (calls into and within
        them are not the student's).
    """
    seen = Seen(name, allowed=frozenset(getattr(f, "__code__", None) for f in allowed) - {None})
    previous = sys.getprofile()
    sys.setprofile(seen.profile(_blocked_folders(), assignment_of(name)))
    try:
        yield seen
    finally:
        sys.setprofile(previous)
