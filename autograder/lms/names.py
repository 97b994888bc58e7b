"""Who a downloaded file belongs to: LMS names in Unicode, students keyed by their LMS user id.

Canvas writes each file of its *Download Submissions* zip as
``<lastfirst>[_LATE]_<user id>_<submission id>_<file name>``, where ``<lastfirst>``
keeps every Unicode word character of the student's name (``müllerjörg``,
``王小明``) and a macOS re-zip stores it decomposed (NFD: ``u`` + U+0308). This
module compares names in NFC, lower case, and gives each LMS user id one nbgrader
student id: the name part, or ``<name>_<user id>`` when two different user ids share
the name part (two John Smiths), so neither is merged into the other. An id once
given (in the gradebook or an earlier download's ``lms.json``) is kept.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from pathlib import Path

#: The collector's manifest, one per assignment: downloaded/<assignment>/lms.json.
MANIFEST = "lms.json"
#: How the status of uploads whose names disagree (one user id, two names) begins.
REFUSED = "not graded: refused"


def nfc(text: str) -> str:
    """``text`` in Unicode's composed form (NFC), as Canvas and Linux file systems store it."""
    return unicodedata.normalize("NFC", text)


def _is_word(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char).startswith("M")


def _marks_class() -> str:
    """A regex character class body of Unicode's combining marks (categories Mn, Mc, Me)."""
    ranges: list[list[int]] = []
    for code in [*range(0x300, 0x20000), *range(0xE0100, 0xE01F0)]:
        if unicodedata.category(chr(code)).startswith("M"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


#: One character of a name as Canvas keeps it (Ruby's [[:word:]] without ``_``): a letter, a
#: digit or a combining mark. Python's ``\w`` has no marks, so Hindi ``अनिल`` or Thai
#: ``ภูมิ`` would not match it; the collector's pattern in nbgrader_config.py uses this.
WORD = rf"(?:[^\W_]|[{_marks_class()}])"


def name_key(text: str) -> str:
    """A name as compared: NFC, lower case, only its letters, digits and combining marks.

    ``"Núñez, Lucía"`` (or its NFD spelling) -> ``"núñezlucía"``; ``"王 小明"`` -> ``"王小明"``.
    """
    return "".join(c for c in nfc(text).lower() if _is_word(c))


def known_students(course: Path) -> dict[str, str]:
    """LMS user id -> nbgrader student id, as the course already knows them.

    Read from ``gradebook.db``'s students (without creating the database) and from
    every assignment's ``downloaded/<assignment>/lms.json``.

    Parameters
    ----------
    course : Path
        The course folder.
    """
    known: dict[str, str] = {}
    for manifest in sorted(Path(course).glob(f"downloaded/*/{MANIFEST}")):
        try:
            students = json.loads(manifest.read_text())["students"]
        except (ValueError, KeyError, OSError):
            continue
        for student_id, record in students.items():
            if record.get("lms_user_id") and not record.get("status", "").startswith(REFUSED):
                known.setdefault(record["lms_user_id"], student_id)
    db = Path(course) / "gradebook.db"
    if db.is_file() and db.stat().st_size:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            try:
                rows = con.execute("SELECT id, lms_user_id FROM student "
                                   "WHERE lms_user_id IS NOT NULL").fetchall()
            except sqlite3.Error:
                rows = []
        known.update({lms_id: student_id for student_id, lms_id in rows})
    return known


def student_ids(people: dict[str, str], known: dict[str, str]) -> dict[str, str]:
    """One nbgrader student id per LMS user id, never the same for two of them.

    Parameters
    ----------
    people : dict
        LMS user id -> the name part of that student's file names (``name_key``).
    known : dict
        LMS user id -> student id already given (:func:`known_students`).

    Returns
    -------
    dict
        LMS user id -> student id: the known one; else the name part, unless another
        user id has (or had) the same name part, then ``<name>_<user id>``.
    """
    taken = {student: lms_id for lms_id, student in known.items()}
    sharing: dict[str, set[str]] = {}
    for lms_id, name in people.items():
        sharing.setdefault(name, set()).add(lms_id)
    ids = {}
    for lms_id, name in sorted(people.items()):
        if lms_id in known:
            ids[lms_id] = known[lms_id]
        elif len(sharing[name]) > 1 or taken.get(name, lms_id) != lms_id:
            ids[lms_id] = f"{name}_{lms_id}"
        else:
            ids[lms_id] = name
    return ids


def printable(text: str) -> str:
    """``text`` safe for a terminal or a log: control and escape characters written as ``\\x1b``.

    File names come from students; a name holding ``ESC ]0;…`` must not retitle the
    instructor's terminal.
    """
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
