"""Files from an LMS download, matched to students: nobody silently vanishes.

``nbgrader zip_collect`` asks a collector plugin, file by file, which student
and which notebook a downloaded file is. Canvas's *Download Submissions* zip
names a file ``<lastfirst>[_LATE]_<user id>_<submission id>_<file name>[-<n>].<ext>``,
where ``<file name>`` is whatever the student uploaded: ``backprop.ipynb``,
but also ``Backprop_final.ipynb`` or ``backprop (1).ipynb``. nbgrader's own
plugin skips those with a warning that does not name the student, who then has
no grade at all.

:class:`LmsCollector` looks at the whole download before answering: for each
student it files the one notebook that is theirs (the released name; else the
one whose name contains it, e.g. ``Backprop_final``; else their only notebook;
among equals the latest: Canvas's highest ``-<n>``, else the latest timestamp)
under the released name, and keeps
every fact the file names give in ``downloaded/<assignment>/lms.json``: the LMS
user id, Canvas's ``_LATE`` marker, a timestamp when the pattern captures one,
and, for a student none of whose files could be graded, the reason
("not graded: file named notes.txt"). :func:`load_manifest` reads it back for
the grades (``autograder/lms/grades.py``).

The file-name pattern is ``FileNameCollectorPlugin.named_regexp`` in
``nbgrader_config.py``; it must capture ``student_id`` and ``file_id`` (the
uploaded name without extension) and may capture ``late``, ``lms_user_id``,
``resubmission`` and ``timestamp``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nbgrader.plugins import FileNameCollectorPlugin
from nbgrader.utils import find_all_notebooks

MANIFEST = "lms.json"


@dataclass
class LmsRecord:
    """What the LMS download says about one student.

    Attributes
    ----------
    student_id : str
        nbgrader student id (the name part of the file names).
    files : list of str
        Every file the student uploaded, as the student named it (LMS prefix removed).
    collected : str or None
        The uploaded name of the notebook filed for grading, or None.
    status : str
        ``"collected"`` or ``"not graded: file named …"``.
    late : bool
        The LMS marked the submission late (Canvas's ``_LATE``).
    lms_user_id : str or None
        The LMS's id of the student (Canvas's user id, the ``ID`` column of its gradebook).
    timestamp : str or None
        Submission time, when the file names carry one.
    """

    student_id: str
    files: list[str] = field(default_factory=list)
    collected: str | None = None
    status: str = "collected"
    late: bool = False
    lms_user_id: str | None = None
    timestamp: str | None = None


@dataclass
class _Upload:
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


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def choose_notebook(uploads: list[_Upload], released: list[str]) -> tuple[dict[str, _Upload], str]:
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
    chosen: dict[str, _Upload] = {}
    for target in released:
        stem = target[: -len(".ipynb")]
        tiers = [
            [u for u in notebooks if u.groups["file_id"].lower() == stem.lower()],
            [u for u in notebooks if _letters(stem) in _letters(u.groups["file_id"])],
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
    return chosen, f"not graded: file named {names} (no {missing})"


class LmsCollector(FileNameCollectorPlugin):
    """zip_collect's collector: plans the whole download, then answers file by file."""

    def _plan(self) -> dict[str, dict | None]:
        app = self.parent
        assignment = app.coursedir.assignment_id
        extracted = Path(app._format_collect_path(app.extracted_directory))
        released = sorted(find_all_notebooks(app.coursedir.format_path(
            app.coursedir.release_directory, ".", assignment)))
        if not released:
            raise RuntimeError(f"no released notebook for {assignment!r}: run `make release` "
                               "before collecting")
        by_student: dict[str, list[_Upload]] = {}
        unrecognised: list[str] = []
        for path in sorted(str(p) for p in extracted.rglob("*") if p.is_file()):
            match = re.match(self.named_regexp, path)
            if match is None:
                unrecognised.append(os.path.relpath(path, extracted))
                continue
            groups = match.groupdict()
            by_student.setdefault(groups["student_id"].lower(), []).append(_Upload(path, groups))

        plan: dict[str, dict | None] = {}
        records: dict[str, LmsRecord] = {}
        for student, uploads in sorted(by_student.items()):
            chosen, reason = choose_notebook(uploads, released)
            first = uploads[0].groups
            record = LmsRecord(
                student_id=student, files=sorted(u.name for u in uploads),
                late=any(u.groups.get("late") for u in uploads),
                lms_user_id=first.get("lms_user_id"),
                timestamp=max((iso_timestamp(u.groups["timestamp"]) for u in uploads
                               if u.groups.get("timestamp")), default=None))
            for target, upload in chosen.items():
                info = {"student_id": student, "file_id": target[: -len(".ipynb")]}
                if record.timestamp:
                    info["timestamp"] = record.timestamp
                plan[upload.path] = info
                if upload.name != target:
                    self.log.info("%s: filed %s as %s", student, upload.name, target)
            record.collected = ", ".join(sorted(u.name for u in chosen.values())) or None
            if reason:
                record.status = reason
                self.log.warning("%s: %s", student, reason)
            records[student] = record
        for name in unrecognised:
            self.log.warning("%s does not follow the LMS file-name pattern "
                             "(FileNameCollectorPlugin.named_regexp); no student is named "
                             "by it, so check it by hand", name)
        manifest = {"assignment": assignment, "released": released,
                    "students": {s: asdict(r) for s, r in records.items()},
                    "unrecognised": unrecognised}
        (extracted.parent / MANIFEST).write_text(json.dumps(manifest, indent=1))
        not_graded = [r for r in records.values() if r.status != "collected"]
        self.log.info("LMS download: %d students, %d collected, %d not graded%s",
                      len(records), len(records) - len(not_graded), len(not_graded),
                      "".join(f"\n  {r.student_id}: {r.status}" for r in not_graded))
        return plan

    def collect(self, submitted_file: str) -> dict | None:
        """nbgrader's hook: the student and notebook of ``submitted_file``, or None to skip it."""
        if not hasattr(self, "_planned"):
            self._planned = self._plan()
        return self._planned.get(submitted_file)


def load_manifest(course: Path, assignment: str) -> dict[str, LmsRecord]:
    """The LMS facts of ``assignment``'s last collect, by student id ({} if none was collected).

    Parameters
    ----------
    course : Path
        The course folder.
    assignment : str
        nbgrader assignment name.
    """
    path = Path(course) / "downloaded" / assignment / MANIFEST
    if not path.is_file():
        return {}
    data = json.loads(path.read_text())
    return {s: LmsRecord(**r) for s, r in data["students"].items()}
