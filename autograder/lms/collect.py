"""Files from an LMS download, matched to students: nobody vanishes, nobody files for another.

``nbgrader zip_collect`` asks a collector plugin, file by file, which student
and which notebook a downloaded file is. :class:`LmsCollector` looks at the
whole download first (:func:`plan_download`):

* a file counts only by the name the LMS wrote, at the top level of the download:
  ``FileNameCollectorPlugin.named_regexp`` is matched against ``/`` + the file's
  path inside the download, in Unicode NFC, so a file inside a folder (or a
  folder named after a classmate) never matches a pattern anchored with ``^/``;
  nested archives and links never get here (``autograder/lms/extract.py``);
* students are keyed by the LMS user id when the pattern captures one
  (``lms_user_id``): two students with the same name part get two student ids
  (``<name>_<user id>``, see ``autograder/lms/names.py``); one user id whose files
  carry two names is refused, with a line saying so;
* for each student it files the one notebook that is theirs (the released name;
  else the one whose name contains it, e.g. ``Backprop_final``; else their only
  notebook; among equals the latest: Canvas's highest ``-<n>``, else the latest
  timestamp) under the released name.

Every fact the file names give is kept in ``downloaded/<assignment>/lms.json``:
the LMS user id, Canvas's ``_LATE`` marker, a timestamp when the pattern captures
one, what was refused, and for a student none of whose files could be graded,
why ("not graded: file named notes.txt"). :func:`load_manifest` reads it back for
the grades (``autograder/lms/grades.py``). The log has one line per student
problem and the summary last; nbgrader's own per-file lines are dropped.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nbgrader.plugins import FileNameCollectorPlugin
from nbgrader.utils import find_all_notebooks

from autograder.lms.choose import Upload, choose_notebook, iso_timestamp
from autograder.lms.extract import REFUSED_FILE
from autograder.lms.names import (
    MANIFEST,
    REFUSED,
    known_students,
    nfc,
    printable,
    student_ids,
)

#: Folders of editors and archivers, never anyone's upload.
NOT_UPLOADS = (".ipynb_checkpoints", "__MACOSX")


@dataclass
class LmsRecord:
    """What the LMS download says about one student.

    Attributes
    ----------
    student_id : str
        nbgrader student id (the name part of the file names, or ``<name>_<user id>``).
    files : list of str
        Every file the student uploaded, as the student named it (LMS prefix removed).
    collected : str or None
        The uploaded name of the notebook filed for grading, or None.
    status : str
        ``"collected"`` or ``"not graded: …"``.
    late : bool
        The LMS marked the submission late (Canvas's ``_LATE``).
    lms_user_id : str or None
        The LMS's id of the student (Canvas's user id, the ``ID`` column of its gradebook).
    timestamp : str or None
        Submission time, when the file names carry one.
    refused : list of str
        Uploads that were not unpacked or copied, each with the reason.
    """

    student_id: str
    files: list[str] = field(default_factory=list)
    collected: str | None = None
    status: str = "collected"
    late: bool = False
    lms_user_id: str | None = None
    timestamp: str | None = None
    refused: list[str] = field(default_factory=list)


@dataclass
class DownloadPlan:
    """What :func:`plan_download` decided: files to file, records, the log's problems and notes."""

    files: dict[str, dict] = field(default_factory=dict)
    records: dict[str, LmsRecord] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)


def _lms_name(path: Path, top: Path) -> str | None:
    rel = path.relative_to(top)
    if any(part in NOT_UPLOADS for part in rel.parts):
        return None
    return "/" + nfc(rel.as_posix())


def plan_download(extracted: Path, pattern: str, released: list[str],
                  refused: list[dict[str, str]], known: dict[str, str]) -> DownloadPlan:
    """Match every file of an extracted LMS download to its student and notebook.

    Parameters
    ----------
    extracted : Path
        ``downloaded/<assignment>/extracted/``.
    pattern : str
        ``FileNameCollectorPlugin.named_regexp``, matched against ``/`` + the NFC path
        inside the download.
    released : list of str
        The assignment's released notebooks (``["backprop.ipynb"]``).
    refused : list of dict
        The extractor's refusals (``{"name", "reason"}``).
    known : dict
        LMS user id -> student id the course already gave (``names.known_students``).
    """
    plan = DownloadPlan()
    by_key: dict[str, list[Upload]] = {}
    refused_by_key: dict[str, list[str]] = {}
    names: dict[str, set[str]] = {}

    def key_of(groups: dict) -> str:
        name = nfc(groups["student_id"]).lower()
        key = groups.get("lms_user_id") or f"name:{name}"
        names.setdefault(key, set()).add(name)
        return key

    for path in sorted(p for p in extracted.rglob("*") if p.is_file() and not p.is_symlink()):
        lms_name = _lms_name(path, extracted)
        if lms_name is None:
            continue
        match = re.match(pattern, lms_name)
        if match is None:
            plan.unrecognised.append(lms_name[1:])
            continue
        groups = match.groupdict()
        by_key.setdefault(key_of(groups), []).append(Upload(str(path), groups))
    for item in refused:
        match = re.match(pattern, "/" + item["name"])
        if match is None:
            plan.lines.append(f"{printable(item['name'])}: refused: {item['reason']}")
            continue
        groups = match.groupdict()
        upload = groups["file_id"] + os.path.splitext(item["name"])[1]
        refused_by_key.setdefault(key_of(groups), []).append(f"{upload}: {item['reason']}")

    lms_people = {k: next(iter(n)) for k, n in names.items()
                  if len(n) == 1 and not k.startswith("name:")}
    ids = student_ids(lms_people, known)
    for key in sorted(names, key=lambda k: (min(names[k]), k)):
        uploads = by_key.get(key, [])
        lms_id = None if key.startswith("name:") else key
        student = ids.get(key) or (key[5:] if lms_id is None else f"{min(names[key])}_{lms_id}")
        record = LmsRecord(
            student_id=student, files=sorted(u.name for u in uploads),
            late=any(u.groups.get("late") for u in uploads), lms_user_id=lms_id,
            timestamp=max((iso_timestamp(u.groups["timestamp"]) for u in uploads
                           if u.groups.get("timestamp")), default=None),
            refused=refused_by_key.get(key, []))
        who = printable(student)
        if len(names[key]) > 1:
            record.status = (f"{REFUSED}: the files of LMS user id {lms_id} carry different "
                             f"names ({', '.join(sorted(names[key]))}); none was filed, check "
                             "the download by hand")
            plan.lines.append(f"{who}: {printable(record.status)}")
            plan.records[student] = record
            continue
        chosen, reason = choose_notebook(uploads, released)
        for target, upload in chosen.items():
            info = {"student_id": student, "file_id": target[: -len(".ipynb")]}
            if record.timestamp:
                info["timestamp"] = record.timestamp
            plan.files[os.path.normpath(upload.path)] = info
            if upload.name != target:
                plan.notes.append(f"{who}: filed {printable(upload.name)} as {target}")
        record.collected = ", ".join(sorted(u.name for u in chosen.values())) or None
        if reason:
            record.status = reason + "".join(f"; refused {r}" for r in record.refused)
            plan.lines.append(f"{who}: {printable(record.status)}")
        else:
            plan.lines += [f"{who}: refused {printable(r)}" for r in record.refused]
        plan.records[student] = record
    plan.lines += [f"{printable(name)} does not follow the LMS file-name pattern "
                   "(FileNameCollectorPlugin.named_regexp): not filed for anyone; check it "
                   "by hand" for name in plan.unrecognised]
    return plan


class _NbgraderFileLines(logging.Filter):
    """Drop zip_collect's own per-file lines (below ERROR); the collector reports instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return (record.levelno >= logging.ERROR
                or f"{os.sep}nbgrader{os.sep}" not in record.pathname)


logging.getLogger("ZipCollectApp").addFilter(_NbgraderFileLines())


class LmsCollector(FileNameCollectorPlugin):
    """zip_collect's collector: plans the whole download, then answers file by file."""

    def _plan(self) -> dict[str, dict]:
        app = self.parent
        assignment = app.coursedir.assignment_id
        extracted = Path(app._format_collect_path(app.extracted_directory))
        released = [nb for nb in find_all_notebooks(app.coursedir.format_path(
            app.coursedir.release_directory, ".", assignment))
            if not set(Path(nb).parts) & set(NOT_UPLOADS)]
        if not released:
            raise RuntimeError(f"no released notebook for {assignment!r}: run `make release` "
                               "before collecting")
        refused_file = extracted.parent / REFUSED_FILE
        refused = json.loads(refused_file.read_text()) if refused_file.is_file() else []
        plan = plan_download(extracted, self.named_regexp, released, refused,
                             known_students(Path(app.coursedir.root)))
        write_manifest(extracted.parent, assignment, released, plan)
        for note in plan.notes:
            self.log.info("%s", note)
        for line in plan.lines:
            self.log.warning("%s", line)
        not_graded = [r for r in plan.records.values() if r.status != "collected"]
        self.log.info("LMS download: %d students, %d collected, %d not graded, %d uploads "
                      "refused, %d files matching no student (%s)", len(plan.records),
                      len(plan.records) - len(not_graded), len(not_graded),
                      sum(len(r.refused) for r in plan.records.values()),
                      len(plan.unrecognised), extracted.parent / MANIFEST)
        return plan.files

    def collect(self, submitted_file: str) -> dict | None:
        """nbgrader's hook: the student and notebook of ``submitted_file``, or None to skip it."""
        if not hasattr(self, "_planned"):
            self._planned = self._plan()
        return self._planned.get(os.path.normpath(submitted_file))


def write_manifest(folder: Path, assignment: str, released: list[str],
                   plan: DownloadPlan) -> Path:
    """Keep ``plan``'s records in ``<folder>/lms.json`` (``folder``: downloaded/<assignment>)."""
    manifest = {"assignment": assignment, "released": released,
                "students": {s: asdict(r) for s, r in plan.records.items()},
                "unrecognised": plan.unrecognised}
    path = Path(folder) / MANIFEST
    path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return path


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
