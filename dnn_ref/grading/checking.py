"""Checking a student's function at home: run the visible cases here and explain a failure.

:mod:`dnn_ref.grading` calls :func:`check_locally` when the notebook is not
being graded. A failure raises :class:`CheckFailed`, an ``AssertionError``
whose traceback in IPython/Jupyter is the diagnosis alone (no frames of this
package): the student reads what is wrong first, nbgrader still sees a
failed cell. A composite (``backprop``, ``graph_gradients``) that fails is
re-run with the reference helpers swapped into its globals, to tell a fault
of its own from one of the student's helper functions: right with the
reference helpers, it passes, and its pass line names the helper at fault.
A function that calls code grading takes away (the reference's own
version, an automatic-differentiation library) fails its check with that
reason even when its answers are right: graded, it scores 0
(:mod:`~dnn_ref.grading.diagnoses.delegation`).

Every input is deep-copied before student code sees it, so in-place updates
never corrupt the cases, and warnings or stderr writes of student code are
silenced (nbgrader gives zero to a test cell that writes to stderr).
"""

from __future__ import annotations

import contextlib
import copy
import os
import textwrap
import traceback
from collections.abc import Callable, Iterator

from dnn_ref.grading.cases import Case, cases
from dnn_ref.grading.diagnoses import REFERENCES, Diagnosis, diagnose, exception_diagnosis
from dnn_ref.grading.diagnoses.compare import quiet
from dnn_ref.grading.diagnoses.delegation import watch
from dnn_ref.i18n import _, joined

WIDTH = 86
"""Longest line of a rendered failure (nbgrader's Validate cuts lines at 87 characters)."""

HELPERS = {"backprop": ("one_layer_backward",),
           "graph_gradients": ("add_backward", "multiply_backward"),
           "forward_prop": ("sigmoid",)}
"""Graded functions a composite calls through its globals."""

SWAP = ("backprop", "graph_gradients")
"""Composites re-run with reference helpers to locate a fault (forward_prop is not: a student's
forward_prop may rightly unpack the (A, cache) their own sigmoid returns)."""

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def failure_lines(message: str) -> list[str]:
    """The lines a failing check shows as its traceback: the diagnosis, wrapped, nothing else.

    The first line (what failed) is bold red in Jupyter; continuation lines
    are indented under their line, and no line is longer than :data:`WIDTH`.
    """
    lines = []
    for raw in message.splitlines() or [""]:
        indent = raw[:len(raw) - len(raw.lstrip())]
        lines += textwrap.wrap(raw, WIDTH, subsequent_indent=indent + "    ",
                               break_long_words=False, break_on_hyphens=False) or [""]
    return [f"\x1b[1;31m{lines[0]}\x1b[0m", *lines[1:]]


class CheckFailed(AssertionError):
    """A check failed; ``str(error)`` is the diagnosis.

    IPython shows ``_render_traceback_()`` instead of a traceback, so a
    failing test cell displays the diagnosis and none of the checker's frames.
    """

    def _render_traceback_(self) -> list[str]:
        return failure_lines(str(self))


def failure_message(name: str, index: int, total: int, case: Case, diagnosis: Diagnosis) -> str:
    """``<name> failed check <index> of <total> (<case>):`` and the diagnosis below it."""
    return _("{name} failed check {index} of {total} ({case}):").format(
        name=name, index=index, total=total, case=case.title()) + f"\n{diagnosis.message}"


def raised_diagnosis(name: str, exc: BaseException) -> Diagnosis:
    """The diagnosis of an exception the student's code raised, naming its own line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not os.path.abspath(f.filename).startswith(_PACKAGE)
              and f"{os.sep}numpy{os.sep}" not in f.filename]
    frame = frames[-1] if frames else None
    return exception_diagnosis(name, type(exc).__name__, str(exc),
                               frame.line if frame and frame.line else None,
                               where=frame.name if frame else None)


def run_case(name: str, fn: Callable, case: Case, allowed: tuple[Callable, ...] = ()
             ) -> Diagnosis | None:
    """Run ``fn`` on a deep copy of the case's arguments; the diagnosis, or None if right.

    A call into code that grading takes away (the reference, an autodiff
    library: :mod:`dnn_ref.grading.diagnoses.delegation`) is the diagnosis
    whatever ``fn`` returns, since graded it scores 0; ``allowed`` are the
    reference helpers a check swapped in itself.
    """
    args = copy.deepcopy(case.args)
    raised = None
    with quiet(), watch(name, allowed) as seen:
        try:
            result = fn(*args)
        except Exception as exc:  # student code may raise anything; report it
            raised = exc
    if seen.mistake:
        return Diagnosis(seen.mistake, seen.message)
    if raised is not None:
        return raised_diagnosis(name, raised)
    return diagnose(name, case, result, args_after=args)


def first_failure(name: str, fn: Callable, allowed: tuple[Callable, ...] = ()
                  ) -> tuple[str | None, int]:
    """(message of the first failing visible case or None, number of cases)."""
    visible = cases(name)
    for i, case in enumerate(visible, start=1):
        diagnosis = run_case(name, fn, case, allowed)
        if diagnosis is not None:
            return failure_message(name, i, len(visible), case, diagnosis), len(visible)
    return None, len(visible)


@contextlib.contextmanager
def _swapped(namespace: dict, names: list[str]) -> Iterator[None]:
    """Temporarily put the reference versions of ``names`` into ``namespace``."""
    saved = {n: namespace[n] for n in names}
    namespace.update({n: REFERENCES[n] for n in names})
    try:
        yield
    finally:
        namespace.update(saved)


def _blame(name: str, fn: Callable, helpers: list[str], failure: str) -> tuple[bool, str]:
    """Locate the fault of a failing composite: (is it right on its own, message).

    If the student's helpers pass their own checks, the fault is the
    composite's and ``failure`` (its run with those helpers) says what it is.
    Otherwise it is re-run with the reference helpers swapped in.
    """
    namespace = fn.__globals__
    own = {h: namespace[h] for h in helpers}
    failing = {h: f for h in helpers if (f := first_failure(h, own[h])[0])}
    swapped = joined(helpers)
    if not failing:
        own_note = (_("(Your {helpers} passes its own checks, so the fault is in {name} itself.)")
                    if len(helpers) == 1 else
                    _("(Your {helpers} pass their own checks, so the fault is in {name} itself.)"))
        return False, failure + "\n\n" + own_note.format(helpers=swapped, name=name)
    with _swapped(namespace, helpers):
        with_reference, n = first_failure(name, fn, tuple(REFERENCES[h] for h in helpers))
    culprit = joined(failing)
    if with_reference is None:
        return True, (_("✓ {name}: passed all {n} checks with the reference {helpers} swapped "
                        "in: {name} itself is right; the fault is in your {culprit}, see its "
                        "own test.").format(name=name, n=n, helpers=swapped, culprit=culprit)
                      + "\n\n" + "\n\n".join(failing.values()))
    return False, (with_reference + "\n\n" + _(
        "(Checked with the reference {helpers} swapped in, so the fault is in {name} itself.)"
        "\n\nYour {culprit} fails its own checks too:").format(
            helpers=swapped, name=name, culprit=culprit) + "\n" + "\n\n".join(failing.values()))


def check_locally(name: str, fn: Callable) -> None:
    """Run the visible cases of ``name`` on ``fn``; print one pass line or raise CheckFailed.

    Raises
    ------
    CheckFailed
        With the diagnosis: which case failed, what is wrong, the likely cause.
    """
    __tracebackhide__ = True
    failure, n = first_failure(name, fn)
    if failure is None:
        print(_("✓ {name}: passed all {n} checks").format(name=name, n=n))
        return
    namespace = getattr(fn, "__globals__", {})
    helpers = [h for h in HELPERS.get(name, ()) if callable(namespace.get(h))]
    if name in SWAP and helpers:
        passed, message = _blame(name, fn, helpers, failure)
        if passed:
            print(message)
            return
        failure = message
    else:
        for h in helpers:
            note = first_failure(h, namespace[h])[0]
            if note:
                failure += "\n\n" + _("Note: your {helper} fails its own check too; fix it "
                                       "first.").format(helper=h) + f"\n{note}"
    raise CheckFailed(failure)
