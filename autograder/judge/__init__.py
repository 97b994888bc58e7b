"""Judge a test cell from what the sandboxed kernel recorded, with the reference, outside.

A test cell calls ``check_<name>(fn)`` or ``check_<name>(fn, hidden=True)``;
inside the sandbox that only writes a record (:mod:`dnn_ref.grading.recording`): what
``fn`` returned or raised on each case. :func:`judge_check` turns the records a
test cell left into a :class:`Verdict`, using :func:`dnn_ref.grading.diagnoses.diagnose`
on the plain values. Nothing the kernel printed counts; a check that left no
record fails, and the message says why (the kernel's error, a timeout, ...).

Composites (``backprop``, ``graph_gradients``) are graded on their own work:
right with the student's own helpers, they pass; wrong that way but right when
the kernel ran them with probe helpers (see :mod:`dnn_ref.grading.recording`), they
pass with a note naming the student's faulty helper; otherwise they fail.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dnn_ref.grading.cases import Case
from dnn_ref.grading.diagnoses import Diagnosis, diagnose, exception_diagnosis
from dnn_ref.grading.recording import COMPOSITES, PROBES, from_plain
from dnn_ref.i18n import N_, _, joined, retranslate

MAX_FILE_BYTES = 16 * 2**20
"""A record file larger than this is not read (the kernel's writer stays far below)."""
MAX_FILES_PER_CELL = 50
UNREADABLE = (N_("more than {n} records in one cell"), N_("not a regular file"),
              N_("not a JSON object"))
"""Why a record could not be read (besides an exception's type name)."""
RECORD_NAME = re.compile(r"^\d+-(\w+)-(visible|hidden)\.json$")
CHECK_CALL = re.compile(r"\bcheck_(\w+)\(\s*\w+\s*(,\s*hidden\s*=\s*(True|False)\s*)?\)")
"""A checker call in a test cell: ``check_<name>(<fn>)`` or ``check_<name>(<fn>, hidden=True)``."""


TITLES: dict[str, str] = {
    "not_run": N_("the test could not run (the function was not defined, ...)"),
    "timeout": N_("the test ran out of time"),
    "not_checked": N_("the test cell recorded nothing (checker replaced or test cell changed)"),
    "malformed_record": N_("a result the grader could not read"),
    "not_a_function": N_("the graded name is not a function"),
}
"""The judge's own mistake slugs (grading.json), besides
:data:`dnn_ref.grading.diagnoses.TITLES`."""


@dataclass(frozen=True)
class Verdict:
    """The verdict on one check of a test cell (a row of grading.json without grade_id/points)."""

    function: str
    hidden: bool
    passed: bool
    message: str
    mistake: str | None = None
    helper_note: str | None = None

    def row(self, grade_id: str, points: float) -> dict[str, Any]:
        return {"grade_id": grade_id, **asdict(self), "points": points}


@dataclass
class Records:
    """The record files in ``<grading dir>/out``, read once each, in the order written."""

    folder: Path
    seen: set[str] = field(default_factory=set)

    def new(self) -> list[tuple[str, bool, dict[str, Any]]]:
        """(name, hidden, record) of every file not returned before; unreadable ones flagged.

        More than :data:`MAX_FILES_PER_CELL` records at once is a flood (records forged
        ahead of the real one, to push it out of what is read): every check they name
        gets one unreadable record instead, so it fails.
        """
        if not self.folder.is_dir():
            return []
        names = sorted(p.name for p in self.folder.iterdir() if p.name not in self.seen)
        self.seen.update(names)
        found = [(m.group(1), m.group(2) == "hidden", name) for name in names
                 if (m := RECORD_NAME.match(name))]
        if len(found) > MAX_FILES_PER_CELL:
            flood = {"unreadable": UNREADABLE[0].format(n=MAX_FILES_PER_CELL)}
            return [(n, h, dict(flood)) for n, h in sorted({(n, h) for n, h, _ in found})]
        return [(n, h, _read(self.folder / name)) for n, h, name in found]


def _read(path: Path) -> dict[str, Any]:
    """A record file as a dict; never follows a symlink, never blocks on a FIFO, size-capped."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        return {"unreadable": type(exc).__name__}
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return {"unreadable": UNREADABLE[1]}
        if info.st_size > MAX_FILE_BYTES:
            return {"too_large": info.st_size}
        with os.fdopen(os.dup(fd), "rb") as f:
            data = json.loads(f.read(MAX_FILE_BYTES + 1))
    except (OSError, ValueError, RecursionError) as exc:
        return {"unreadable": type(exc).__name__}
    finally:
        os.close(fd)
    return data if isinstance(data, dict) else {"unreadable": UNREADABLE[2]}


def checks_in(source: str) -> list[tuple[str, bool]]:
    """The (function name, hidden) pairs a test cell's source checks."""
    return [(m.group(1), m.group(3) == "True") for m in CHECK_CALL.finditer(source)]


# ------------------------------------------------------------------------ expected probe runs
def probe_expected(name: str, args: tuple) -> dict[str, Any]:
    """What a correctly wired composite returns when its helpers are the probes."""
    if name == "backprop":
        AL, Y, caches = args
        grads, dA = {}, -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
        for l in range(len(caches), 0, -1):
            dA, grads[f"dW{l}"], grads[f"db{l}"] = PROBES["one_layer_backward"](dA, caches[l - 1])
            grads[f"dA{l - 1}"] = dA
        return grads
    x, y, z = args
    dp, dz = PROBES["multiply_backward"](np.add(x, y), z, 1.0)
    dx, dy = PROBES["add_backward"](dp)
    return {"x": dx, "y": dy, "z": dz}


def _probe_right(name: str, cases: list[Case], probe: Any) -> bool:
    """True if the probe run returned the correctly wired result on every case."""
    if not isinstance(probe, dict) or not probe.get("swapped"):
        return False
    results = probe.get("results")
    if not isinstance(results, list) or len(results) != len(cases):
        return False
    for case, outcome in zip(cases, results, strict=True):
        if not isinstance(outcome, dict) or "returned" not in outcome:
            return False
        got, expected = from_plain(outcome["returned"]), probe_expected(name, case.args)
        if not isinstance(got, dict) or any(k not in got for k in expected):
            return False
        for k, v in expected.items():
            try:
                g = np.asarray(got[k], dtype=float)
            except (TypeError, ValueError):
                return False
            if g.shape != np.shape(v) or not np.allclose(g, v, rtol=1e-6, atol=1e-9):
                return False
    return True


# ------------------------------------------------------------------------ verdicts
def _case_diagnosis(name: str, case: Case, outcome: Any) -> Diagnosis | None:
    """The diagnosis of one recorded call (None if right)."""
    if not isinstance(outcome, dict):
        return Diagnosis("malformed_record", _("the grader could not read this result."))
    if "raised" in outcome:
        r = outcome["raised"] if isinstance(outcome["raised"], dict) else {}
        return exception_diagnosis(name, str(r.get("type", "Exception")),
                                   str(r.get("message", ""))[:2000],
                                   r.get("line") if isinstance(r.get("line"), str) else None,
                                   where=r.get("where") if isinstance(r.get("where"), str)
                                   else None)
    returned = from_plain(outcome.get("returned"))
    after = from_plain(outcome.get("args_after"))
    return diagnose(name, case, returned, args_after=after if isinstance(after, tuple) else None)


def _first_failure(name: str, cases: list[Case], results: Any) -> tuple[str, Diagnosis] | None:
    """(message, diagnosis) of the first failing case, or None if every case is right."""
    if not isinstance(results, list) or len(results) != len(cases):
        unread = _("the grader could not read its results.")
        return f"{name}: {unread}", Diagnosis("malformed_record", unread)
    for i, (case, outcome) in enumerate(zip(cases, results, strict=True), start=1):
        d = _case_diagnosis(name, case, outcome)
        if d is not None:
            return _("{name} failed check {index} of {total} ({case}):").format(
                name=name, index=i, total=len(cases), case=case.title()) + f"\n{d.message}", d
    return None


def _not_run(name: str, hidden: bool, kernel_error: tuple[str, str] | None,
             earlier_errors: list[str]) -> Verdict:
    """The verdict on a check that left no record: the kernel's error says why."""
    if kernel_error is None:
        message = _("check_{name} did not run on the grader's cases: the test cell finished "
                    "without calling it (was check_{name} or the test cell changed?).").format(
                        name=name)
        return Verdict(name, hidden, False, message, "not_checked")
    ename, evalue = kernel_error
    if ename in ("CellTimeoutError", "KeyboardInterrupt"):
        message = _("the test of {name} did not finish in time ({ename}): {name} seems to "
                    "run forever on one of the cases (an endless loop?).").format(
                        name=name, ename=ename)
        return Verdict(name, hidden, False, message, "timeout")
    message = _("the test of {name} could not run:").format(name=name) + f" {ename}: {evalue}"
    if ename == "NameError":
        message += "\n" + _("Likely cause: {name} was never defined, because the cell that "
                            "defines it did not run to the end.").format(name=name)
    if earlier_errors:
        message += "\n" + _("An earlier cell failed:") + " " + earlier_errors[-1]
    return Verdict(name, hidden, False, message, "not_run")


def judge_check(name: str, hidden: bool, cases: list[Case], records: list[dict[str, Any]],
                kernel_error: tuple[str, str] | None, earlier_errors: list[str],
                earlier: Mapping[str, bool]) -> Verdict:
    """The verdict on ``check_<name>(..., hidden=hidden)`` from the records its test cell left.

    Parameters
    ----------
    cases : list of Case
        The cases the grader wrote for this check (visible, or hidden from the secret).
    records : list of dict
        The records of this check that the test cell wrote (normally one).
    kernel_error : (ename, evalue) or None
        The first error the kernel reported for the test cell.
    earlier_errors : list of str
        ``"<cell>: <ename>: <evalue>"`` of earlier cells that failed, for the message.
    earlier : mapping of str to bool
        Graded function -> whether its last test earlier in the notebook passed
        (to name a composite's faulty helper).
    """
    if not records:
        return _not_run(name, hidden, kernel_error, earlier_errors)
    for rec in records:
        if "too_large" in rec:
            return Verdict(name, hidden, False, _("{name} returned results too large to grade "
                           "({size} bytes).").format(name=name, size=rec["too_large"]),
                           "malformed_record")
        if "unreadable" in rec:
            return Verdict(name, hidden, False, _("the result of {name} could not be read "
                           "({why}).").format(name=name, why=retranslate(
                               str(rec["unreadable"]), UNREADABLE)),
                           "malformed_record")
        if "not_callable" in rec:
            return Verdict(name, hidden, False, _("{name} should be a function, but it is "
                           "a {kind}.").format(name=name, kind=rec["not_callable"]),
                           "not_a_function")
        verdict = _judge_record(name, hidden, cases, rec, earlier)
        if not verdict.passed:
            return verdict
    return verdict


def _judge_record(name: str, hidden: bool, cases: list[Case], rec: dict[str, Any],
                  earlier: Mapping[str, bool]) -> Verdict:
    failure = _first_failure(name, cases, rec.get("results"))
    passed_line = _("✓ {name}: passed all {n} checks").format(name=name, n=len(cases))
    if failure is None:
        return Verdict(name, hidden, True, passed_line)
    message, diagnosis = failure
    if name not in COMPOSITES:
        return Verdict(name, hidden, False, message, diagnosis.mistake)
    probe = rec.get("probe") if isinstance(rec.get("probe"), dict) else {}
    swapped = [h for h in probe.get("swapped", []) if h in COMPOSITES[name]]
    faulty = [h for h in swapped if earlier.get(h) is False]
    if swapped and _probe_right(name, cases, probe):
        stand_in = joined(swapped)
        if faulty:
            note = _("{name} itself is right; the fault is in your {faulty}, see its own "
                     "test.").format(name=name, faulty=joined(faulty))
        elif any(earlier.get(h) for h in swapped):
            note = _("{name} itself is right, but it fails with the {helpers} defined when "
                     "this test ran, although your {helpers} passed its own test: was it "
                     "redefined after that test?").format(name=name, helpers=stand_in)
        else:
            note = _("{name} itself is right, but it fails with your own {helpers}: look at "
                     "how {name} calls it.").format(name=name, helpers=stand_in)
        text = _("{passed} with your {helpers} replaced by a stand-in: {note}\n\n"
                 "With your own {helpers}: {message}").format(
                     passed=passed_line, helpers=stand_in, note=note, message=message)
        return Verdict(name, hidden, True, text, None, note)
    if swapped and diagnosis.mistake != "not_implemented":
        message += "\n\n" + _("(Run again with a stand-in for your {helpers}, it fails too, "
                               "so the fault is in {name} itself.)").format(
                                   helpers=joined(swapped), name=name)
    if faulty:
        message += "\n\n" + _("Your {helpers} fails its own checks too; fix it first.").format(
            helpers=joined(faulty))
    return Verdict(name, hidden, False, message, diagnosis.mistake)

