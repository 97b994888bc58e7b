"""Which of one student's uploads is the notebook to grade, and when it was submitted.

A student uploads ``backprop.ipynb``, but also ``Backprop_final.ipynb``,
``backprop (1).ipynb`` or ``homework.ipynb``, sometimes several times (Canvas's
``-1``, ``-2``). :func:`choose_notebook` files the released name if there is one,
else the notebook whose name contains it, else the student's only notebook; among
equals the latest. Names are compared in Unicode NFC, letters and digits only.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from autograder.lms.names import name_key, nfc


@dataclass
class Upload:
    """One uploaded file: its path and what its LMS name says (the pattern's groups)."""

    path: str
    groups: dict[str, str | None]

    @property
    def name(self) -> str:
        return self.groups["file_id"] + os.path.splitext(self.path)[1]

    @property
    def rank(self) -> tuple[int, str]:
        """Later uploads rank higher: Canvas's -<n>, then the timestamp if the name has one."""
        return int(self.groups.get("resubmission") or 0), self.groups.get("timestamp") or ""


def iso_timestamp(text: str) -> str:
    """``2026-03-02-18-05-00`` (Blackboard's form) as ``2026-03-02 18:05:00``; others unchanged.

    nbgrader's own parser reads the dashed form's ``-05-00`` as a UTC offset.
    """
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)[-_ T](\d\d)[-:.](\d\d)[-:.](\d\d)", text.strip())
    return f"{m[1]}-{m[2]}-{m[3]} {m[4]}:{m[5]}:{m[6]}" if m else text


def choose_notebook(uploads: list[Upload], released: list[str]) -> tuple[dict[str, Upload], str]:
    """Which of one student's uploads is which released notebook.

    Parameters
    ----------
    uploads : list
        The student's files (any extension).
    released : list of str
        Released notebook names, e.g. ``["backprop.ipynb"]``.

    Returns
    -------
    chosen : dict
        Released notebook name -> the upload filed under it.
    reason : str
        Empty if every released notebook was found, else why not ("not graded: …").
    """
    notebooks = [u for u in uploads if u.path.endswith(".ipynb")]
    chosen: dict[str, Upload] = {}
    for target in released:
        stem = target[: -len(".ipynb")]
        tiers = [
            [u for u in notebooks if nfc(u.groups["file_id"]).lower() == stem.lower()],
            [u for u in notebooks if name_key(stem) in name_key(u.groups["file_id"])],
            notebooks if len(released) == 1 else [],
        ]
        for tier in tiers:
            if not tier:
                continue
            best = max(u.rank for u in tier)
            top = [u for u in tier if u.rank == best]
            if len(top) == 1:
                chosen[target] = top[0]
            break
    if len(chosen) == len(released):
        return chosen, ""
    names = ", ".join(sorted(u.name for u in uploads))
    if len(notebooks) > 1 and not chosen:
        return chosen, f"not graded: files named {names} (which one is {released[0]}?)"
    missing = ", ".join(sorted(set(released) - set(chosen)))
    if not uploads:
        return chosen, f"not graded: no file could be taken (no {missing})"
    return chosen, f"not graded: file named {names} (no {missing})"
