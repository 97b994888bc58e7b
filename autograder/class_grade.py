"""Grade every submission of an assignment in parallel with the real nbgrader.

    python -m autograder.class_grade ASSIGNMENT [--workers N] [--scheduler tcp://host:port]
                                                [--course-dir DIR] [--csv grades.csv]
                                                [--unsandboxed]

The students are split into shards. A shard is graded by :func:`grade_shard`:
the real ``nbgrader autograde`` CLI, with the course's own ``nbgrader_config.py``
(so the same preprocessors and limits as ``make autograde``), in a private
temporary course folder that holds the assignment's source, a snapshot of the
course gradebook and the shard's submissions. Its inputs and outputs are plain
bytes and strings, so the same function runs in a local thread that drives a
subprocess (the default, ``--workers`` at a time, two per core) or on a Dask cluster
(``--scheduler``), possibly on another machine with the same packages.

Only this process writes the course: it merges each finished shard into
``gradebook.db`` one student at a time (:mod:`autograder.gradebook_merge`,
manual grades kept), copies ``autograded/<student>/<assignment>/`` into place
and then appends the student to ``autograded/.class_grade_journal.jsonl``. A
student is done once journaled: killed and restarted, the tool grades only
the rest (and anyone whose submission changed since). ``--force`` regrades all.

Every kernel runs in the bubblewrap sandbox (:mod:`autograder.execute`); the tool refuses
to start where bwrap cannot run unless ``--unsandboxed`` is given, and then says so in its
summary (and every feedback page says so). The course secret that seeds the hidden
cases (:mod:`autograder.secret`) is created if missing and given to each shard.

Nothing is lost: nbgrader goes on past a student it cannot grade; a shard
that crashes or exceeds its time (``--timeout`` per submission) is graded
again one student at a time; the nbgrader process and the kernels it starts
run under an address-space limit (``--memory-mb``), so a memory bomb is a
``MemoryError`` in that student's cell. Each failure is reported for its student.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import queue
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook
from tqdm import tqdm
from traitlets.config.loader import PyFileConfigLoader

from autograder import secret
from autograder.gradebook_merge import merge_student
from autograder.sandbox import SandboxUnavailable, check_available

JOURNAL = ".class_grade_journal.jsonl"
TIMEOUT_S = 900.0
"""Default wall-clock limit per submission: nbgrader stops each cell after 60 s, but an
answer that loops in every graded function costs one timeout per cell that calls it."""
DEFAULT_WORKERS = 2 * (os.cpu_count() or 1)
"""An nbgrader run waits on its kernel about a third of the time (measured: 2 workers kept
1.3 of 2 cores busy), so two runs per core keep every core busy."""
MEMORY_MB = 4096
"""Default address-space limit of nbgrader and its kernels (the sandbox takes 2 GB of it)."""


# ------------------------------------------------------------------------ the course
@dataclass(frozen=True)
class Course:
    """The folders of an nbgrader course, as its ``nbgrader_config.py`` names them."""

    root: Path
    config_text: str
    course_id: str
    source: str
    submitted: str
    autograded: str
    db: Path
    secret_file: Path

    @classmethod
    def load(cls, root: Path) -> Course:
        path = root / "nbgrader_config.py"
        if not path.is_file():
            raise SystemExit(f"{root} is not an nbgrader course: it has no nbgrader_config.py.")
        cfg = PyFileConfigLoader(path.name, path=str(root)).load_config()
        cd = cfg.get("CourseDirectory", {})
        db_url = cd.get("db_url", f"sqlite:///{root / 'gradebook.db'}")
        if not db_url.startswith("sqlite:///"):
            raise SystemExit(f"class_grade merges SQLite gradebooks; {path} sets db_url={db_url}.")
        return cls(root=root, config_text=path.read_text(), course_id=cd.get("course_id", ""),
                   source=cd.get("source_directory", "source"),
                   submitted=cd.get("submitted_directory", "submitted"),
                   autograded=cd.get("autograded_directory", "autograded"),
                   db=Path(db_url.removeprefix("sqlite:///")),
                   secret_file=Path(cfg.get("SandboxedExecute", {}).get(
                       "secret_file", secret.path_in(root))))

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db}"

    def snapshot_db(self) -> bytes:
        """A consistent copy of the gradebook (SQLite's backup API), as bytes."""
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "gradebook.db"
            src, dst = sqlite3.connect(self.db), sqlite3.connect(copy)
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
            return copy.read_bytes()


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative POSIX path -> bytes), hidden ones excluded."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in
                                       p.relative_to(folder).parts)}


def write_tree(folder: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for rel, data in sorted(files.items()):
        h.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()[:16]


# ------------------------------------------------------------------------ the shard
def grade_shard(job: dict[str, Any]) -> dict[str, Any]:
    """Grade some students' submissions with ``nbgrader autograde``; self-contained.

    Parameters
    ----------
    job : dict
        ``assignment`` (str), ``config`` (text of nbgrader_config.py),
        ``source_dir`` / ``submitted_dir`` / ``autograded_dir`` (folder names),
        ``source`` (relative path -> bytes, the assignment's source folder),
        ``gradebook`` (bytes of a gradebook.db that knows the assignment),
        ``submissions`` (student -> relative path -> bytes), ``timeout_s`` (per
        submission), ``memory_mb``, ``secret`` (bytes of the course secret) and
        ``unsandboxed`` (bool).

    Returns
    -------
    dict
        ``parts``: one entry per nbgrader run, each ``{"gradebook": bytes,
        "students": {student: {"ok": bool, "merge": bool, "reason": str | None,
        "autograded": {relative path: bytes}}}}``; ``log`` (str); ``seconds``.
        Every student of the job appears in exactly one part. ``merge`` is False
        for a student nbgrader never finished (killed after ``timeout_s``, or
        nbgrader itself died): the course gradebook keeps what it had.

    Notes
    -----
    nbgrader goes on by itself past a student it cannot grade (corrupt file,
    dead kernel). When a student takes longer than ``timeout_s``, or nbgrader
    dies, the run is killed (kernels included) and a new run grades the
    students it had not reached.
    """
    start = time.monotonic()
    remaining = sorted(job["submissions"])
    parts, logs = [], []
    while remaining:
        part, log, left = _autograde(job, remaining)
        parts.append(part)
        logs.append(log)
        if len(left) == len(remaining):  # nbgrader graded nobody: it cannot start here
            why = "nbgrader could not start: " + _last_error(log)
            for s in left:
                part["students"][s] = {"ok": False, "merge": False, "reason": why,
                                       "autograded": {}}
            break
        remaining = left
    return {"parts": parts, "log": "\n".join(logs), "seconds": time.monotonic() - start}


_START = re.compile(r"Creating/updating student with ID '([^']+)'")
_DONE = "Setting destination file permissions"
_FAILED = ("There was an error processing assignment:", "the kernel became unresponsive")
_SUMMARY = re.compile(r"There was an error processing assignment '[^']*' for student '([^']+)'")


def _autograde(job: dict[str, Any], students: list[str]
               ) -> tuple[dict[str, Any], str, list[str]]:
    """One ``nbgrader autograde`` run in a fresh course folder, watched student by student.

    Returns the part (see :func:`grade_shard`), the log and the students not reached.
    """
    assignment = job["assignment"]
    with tempfile.TemporaryDirectory(prefix="class_grade_") as tmp:
        root = Path(tmp)
        (root / "nbgrader_config.py").write_text(job["config"])
        (root / "gradebook.db").write_bytes(job["gradebook"])
        secret_file = root / secret.FILE_NAME
        secret_file.write_bytes(job["secret"])
        secret_file.chmod(0o600)
        write_tree(root / job["source_dir"] / assignment, job["source"])
        for s in students:
            write_tree(root / job["submitted_dir"] / s / assignment, job["submissions"][s])
        proc = _start_nbgrader(root, assignment, int(job["memory_mb"]),
                               bool(job.get("unsandboxed")))
        _LIVE.add(proc)
        try:
            log, current, stuck = _watch(proc, float(job["timeout_s"]))
        finally:
            _LIVE.discard(proc)
        results = _read_log(log, students)
        db = sqlite3.connect(root / "gradebook.db")  # rolls back a commit cut by a kill
        db.execute("SELECT count(*) FROM sqlite_master").fetchall()
        db.close()
        part: dict[str, Any] = {"gradebook": (root / "gradebook.db").read_bytes(),
                                "students": {}}
        left = []
        for s in students:
            ok, reason, text = results[s]
            if reason is _UNFINISHED and s != current:
                left.append(s)
                continue
            killed = reason is _UNFINISHED
            if killed:  # the student nbgrader was busy with when it stopped
                reason = (f"timeout: still running after {job['timeout_s']:g} s" if stuck else
                          f"nbgrader died while grading it (exit code {proc.returncode})")
            graded = root / job["autograded_dir"] / s / assignment
            files = read_tree(graded) if ok and graded.is_dir() else {}
            if ok:
                reason = _notes(files, text)
            part["students"][s] = {"ok": ok, "merge": not killed, "reason": reason,
                                   "autograded": files}
        return part, log, left


def _start_nbgrader(root: Path, assignment: str, memory_mb: int, unsandboxed: bool
                    ) -> subprocess.Popen:
    """``nbgrader autograde`` in ``root`` under an address-space limit, in its own group."""
    limit = memory_mb * 2**20
    argv = ["nbgrader", "autograde", assignment, "--force",
            f"--CourseDirectory.root={root}",
            f"--CourseDirectory.db_url=sqlite:///{root / 'gradebook.db'}",
            f"--SandboxedExecute.secret_file={root / secret.FILE_NAME}",
            "--SandboxedExecute.skip_ungraded_tail=True"]  # see autograder.execute
    if unsandboxed:
        argv.append("--SandboxedExecute.unsandboxed=True")
    launcher = (  # the limit is inherited by the kernels nbgrader starts; nbgrader dies
        "import ctypes, resource, runpy, signal, sys\n"  # with the thread that started it
        "try:\n    ctypes.CDLL(None).prctl(1, signal.SIGKILL)\n"
        "except (AttributeError, OSError):\n    pass\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))\n"
        f"sys.argv = {argv!r}\n"
        "runpy.run_module('nbgrader', run_name='__main__', alter_sys=True)\n")
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep
               + os.environ.get("PATH", ""))
    return subprocess.Popen([sys.executable, "-c", launcher], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _watch(proc: subprocess.Popen, timeout_s: float) -> tuple[str, str | None, bool]:
    """Follow nbgrader's log; kill it when one student (or the start) takes over ``timeout_s``.

    Returns the log, the student in progress when it ended (None if between
    students) and whether it was killed for time.
    """
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for raw in proc.stdout:
            lines.put(raw.decode(errors="replace"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    log: list[str] = []
    current, since, stuck = None, time.monotonic(), False
    while True:
        try:
            item = lines.get(timeout=0.5)
        except queue.Empty:
            item = ""
        if item is None:
            break
        if item:
            log.append(item)
            if m := _START.search(item):
                current, since = m.group(1), time.monotonic()
            elif _DONE in item or any(f in item for f in _FAILED):
                current, since = None, time.monotonic()
        if time.monotonic() - since > timeout_s:
            stuck = True
            _kill_group(proc)
            break
    proc.wait()
    deadline = time.monotonic() + 5  # a kernel may hold the pipe until it notices
    while time.monotonic() < deadline:
        try:
            item = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if item is None:
            break
        log.append(item)
    return "".join(log), current, stuck


_LIVE: set[subprocess.Popen] = set()
"""The nbgrader processes this process is running (to stop them on Ctrl-C)."""


def _stop_all() -> None:
    for proc in list(_LIVE):
        _kill_group(proc)


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL nbgrader and everything under it (kernels run in sessions of their own)."""
    for pid in [*_descendants(proc.pid), proc.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


_UNFINISHED = "<unfinished>"


def _read_log(log: str, students: list[str]) -> dict[str, tuple[bool, str | None, str]]:
    """Each student's outcome in an nbgrader autograde log: (graded, why not, their lines)."""
    chunks: dict[str, list[str]] = {}
    failed = set(_SUMMARY.findall(log))
    current = None
    for line in log.splitlines():
        if _SUMMARY.search(line):
            continue
        m = _START.search(line)
        if m:
            current = m.group(1)
            chunks[current] = []
        if current is not None:
            chunks[current].append(line)
    results = {}
    for s in students:
        lines = chunks.get(s)
        text = "\n".join(lines or [])
        if lines is None:
            results[s] = (False, _UNFINISHED, text)
        elif s in failed or any(f in line for line in lines for f in _FAILED):
            results[s] = (False, classify(text), text)
        elif any(_DONE in line for line in lines):
            results[s] = (True, None, text)
        else:
            results[s] = (False, _UNFINISHED, text)
    return results


def classify(text: str) -> str:
    """Why nbgrader could not grade a submission, from its log, in a few words."""
    if "DeadKernelError" in text or "Kernel died" in text:
        return "kernel death: the kernel died while running the notebook"
    if "kernel became unresponsive" in text:
        return "kernel death or hang: the kernel stopped responding"
    if "NotJSONError" in text or "JSONDecodeError" in text or "NBFormatError" in text \
            or "Notebook does not appear to be JSON" in text:
        return "corrupt notebook: the file is not a readable .ipynb"
    if "Missing required" in text or "missing" in text.lower() and "cell" in text.lower():
        return "notebook missing cells: " + _last_error(text)
    if "MemoryError" in text:
        return "memory limit exceeded"
    return "nbgrader error: " + _last_error(text)


def _last_error(text: str) -> str:
    errors = [line.strip() for line in text.splitlines()
              if re.match(r"\s*[\w.]+(Error|Exception)\b", line)]
    return (errors[-1] if errors else text.strip().splitlines()[-1])[:200]


def _notes(files: dict[str, bytes], log: str) -> str | None:
    """What went wrong in a graded submission that the instructor should hear about."""
    notes = set()
    if "Missing grade cell" in log:
        notes.add("test cells had been deleted (nbgrader put them back)")
    if "Repaired " in log:
        notes.add("copy-paste damage repaired (see the feedback)")
    if "No submitted file" in log:
        notes.add("missing notebook (scored 0)")
    for rel, data in files.items():
        if not rel.endswith(".ipynb"):
            continue
        for cell in json.loads(data).get("cells", []):
            for out in cell.get("outputs", []):
                if out.get("output_type") != "error":
                    continue
                if "MemoryError" in out.get("ename", ""):
                    notes.add("a cell hit the memory limit")
                elif "CellTimeoutError" in out.get("ename", "") \
                        or "Timeout" in out.get("ename", ""):
                    notes.add("a cell timed out")
    return "; ".join(sorted(notes)) or None


# ------------------------------------------------------------------------ the journal
class Journal:
    """``autograded/.class_grade_journal.jsonl``: one line per student merged."""

    def __init__(self, path: Path):
        self.path = path

    def done(self, assignment: str) -> dict[str, dict[str, Any]]:
        """Student -> last entry of those graded (not failed) for ``assignment``."""
        latest: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            for line in self.path.read_text().splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by a kill
                if entry.get("assignment") == assignment:
                    latest[entry["student"]] = entry
        return {s: e for s, e in latest.items() if e.get("status") == "graded"}

    def add(self, entry: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as f:
            f.write(json.dumps(entry) + "\n")
            f.flush()
            os.fsync(f.fileno())


# ------------------------------------------------------------------------ the coordinator
@dataclass
class Outcome:
    student: str
    status: str  # graded | failed | missing
    score: float | None = None
    max_score: float | None = None
    reason: str | None = None


@dataclass
class Plan:
    todo: dict[str, dict[str, bytes]] = field(default_factory=dict)
    skipped: list[Outcome] = field(default_factory=list)
    missing: list[Outcome] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)


def plan(course: Course, assignment: str, journal: Journal, force: bool) -> Plan:
    """Which submissions to grade, which are already done, which have no notebook."""
    result = Plan()
    done = {} if force else journal.done(assignment)
    submitted = course.root / course.submitted
    for folder in sorted(submitted.glob(f"*/{assignment}")):
        student = folder.parent.name
        if student.startswith(".") or not folder.is_dir():
            continue
        files = read_tree(folder)
        if not any(rel.endswith(".ipynb") for rel in files):
            result.missing.append(Outcome(student, "missing",
                                          reason="missing notebook: no .ipynb submitted"))
            continue
        d = digest(files)
        entry = done.get(student)
        graded = course.root / course.autograded / student / assignment
        if entry and entry.get("digest") == d and graded.is_dir():
            result.skipped.append(Outcome(student, "graded", entry.get("score"),
                                          entry.get("max_score"), "already graded"))
            continue
        result.todo[student] = files
        result.digests[student] = d
    return result


def shards(students: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(students), size):
        yield students[i:i + size]


def default_shard_size(n: int, workers: int) -> int:
    """Small enough to keep every worker busy to the end, big enough to start nbgrader rarely."""
    return max(1, min(8, math.ceil(n / (2 * workers))))


def merge(course: Course, assignment: str, result: dict[str, Any], journal: Journal,
          digests: dict[str, str]) -> list[Outcome]:
    """Write one finished shard into the course: gradebook, autograded files, journal."""
    outcomes = []
    for part in result["parts"]:
        with tempfile.TemporaryDirectory(prefix="class_grade_merge_") as tmp:
            shard_db = Path(tmp) / "gradebook.db"
            shard_db.write_bytes(part["gradebook"])
            with Gradebook(course.db_url, course.course_id) as main, \
                    Gradebook(f"sqlite:///{shard_db}", course.course_id) as shard:
                for student, res in sorted(part["students"].items()):
                    merged = (merge_student(main, shard, assignment, student)
                              if res["merge"] else None)
                    dest = course.root / course.autograded / student / assignment
                    if dest.exists() and res["merge"]:
                        shutil.rmtree(dest)
                    if res["ok"] and merged is not None:
                        write_tree(dest, res["autograded"])
                        for p in dest.rglob("*"):
                            if p.is_file():
                                p.chmod(0o444)
                        outcome = Outcome(student, "graded", merged.score, merged.max_score,
                                          res["reason"])
                    else:
                        outcome = Outcome(student, "failed", reason=res["reason"])
                    journal.add({"assignment": assignment, "student": student,
                                 "digest": digests[student], "status": outcome.status,
                                 "score": outcome.score, "max_score": outcome.max_score,
                                 "reason": outcome.reason, "time": time.time()})
                    outcomes.append(outcome)
    return outcomes


def line(o: Outcome) -> str:
    if o.status == "graded":
        note = f"  ({o.reason})" if o.reason else ""
        return f"{o.student:<24} {o.score:g}/{o.max_score:g}{note}"
    return f"{o.student:<24} FAILED  {o.reason}"


def run(course: Course, assignment: str, *, workers: int, scheduler: str | None,
        shard_size: int | None, timeout_s: float, memory_mb: int, force: bool,
        unsandboxed: bool = False, out=sys.stdout) -> list[Outcome]:
    """Grade the class; returns one outcome per submitted student folder."""
    started = time.monotonic()
    if not unsandboxed:
        try:
            check_available()
        except SandboxUnavailable as exc:
            raise SystemExit(f"{exc}\nNot grading: student code runs only in the sandbox. "
                             "Pass --unsandboxed to grade without it anyway.") from None
    journal = Journal(course.root / course.autograded / JOURNAL)
    todo = plan(course, assignment, journal, force)
    if not course.db.is_file():
        raise SystemExit(f"{course.db} does not exist: release the assignment first "
                         f"(make release, or nbgrader generate_assignment {assignment}).")
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.find_assignment(assignment)  # MissingEntry names the assignment if unknown
    students = sorted(todo.todo)
    client = None
    if scheduler and students:
        from distributed import Client

        client = Client(scheduler)
        workers = max(1, sum(client.nthreads().values()))
    print(f"{assignment}: {len(todo.todo)} to grade, {len(todo.skipped)} already graded, "
          f"{len(todo.missing)} without a notebook; "
          + (f"Dask at {scheduler} ({workers} threads)" if scheduler else f"{workers} workers"),
          file=out, flush=True)
    outcomes = list(todo.skipped) + list(todo.missing)
    for o in todo.missing:
        print(line(o), file=out, flush=True)
    try:
        if students:
            size = shard_size or default_shard_size(len(students), workers)
            base = {"assignment": assignment, "config": course.config_text,
                    "source_dir": course.source, "submitted_dir": course.submitted,
                    "autograded_dir": course.autograded,
                    "source": read_tree(course.root / course.source / assignment),
                    "gradebook": course.snapshot_db(), "timeout_s": timeout_s,
                    "memory_mb": memory_mb, "unsandboxed": unsandboxed,
                    "secret": secret.ensure(course.secret_file)}
            jobs = [dict(base, submissions={s: todo.todo[s] for s in group})
                    for group in shards(students, size)]
            with tqdm(total=len(students), unit="submission", file=sys.stderr,
                      dynamic_ncols=True) as bar:
                for result in _execute(jobs, workers, client):
                    for o in merge(course, assignment, result, journal, todo.digests):
                        outcomes.append(o)
                        bar.write(line(o), file=out)
                        bar.update(1)
    except KeyboardInterrupt:
        _stop_all()
        merged = len(outcomes) - len(todo.skipped) - len(todo.missing)
        print(f"\ninterrupted: {merged} of {len(students)} merged into the gradebook; "
              "run the same command again to grade the rest.", file=out, flush=True)
        raise SystemExit(130) from None
    finally:
        if client is not None:
            client.close()
    elapsed = time.monotonic() - started
    summarise(outcomes, len(students), elapsed, out)
    if unsandboxed:
        print("WARNING: graded WITHOUT the sandbox (--unsandboxed): student code ran with "
              "your permissions; every feedback page says so.", file=out, flush=True)
    return outcomes


def _execute(jobs: list[dict[str, Any]], workers: int, client: Any
             ) -> Iterable[dict[str, Any]]:
    """Run :func:`grade_shard` on every job; yield results as they finish."""
    if client is not None:
        from distributed import as_completed as dask_completed

        futures = [client.submit(grade_shard, job, pure=False) for job in jobs]
        for future in dask_completed(futures):
            yield future.result()
        return
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures: list[Future] = [pool.submit(grade_shard, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def summarise(outcomes: list[Outcome], n_graded_now: int, elapsed: float, out) -> None:
    graded = [o for o in outcomes if o.status == "graded"]
    failed = [o for o in outcomes if o.status != "graded"]
    print(f"\n{len(outcomes)} submissions: {len(graded)} graded, {len(failed)} not graded "
          f"({n_graded_now} processed in this run, {elapsed:.0f} s"
          + (f", {elapsed / n_graded_now:.1f} s per submission)" if n_graded_now else ")"),
          file=out)
    if graded:
        mean = sum(o.score for o in graded) / len(graded)
        print(f"mean score {mean:.2f}/{graded[0].max_score:g}", file=out)
    for o in failed:
        print(f"  not graded: {o.student}: {o.reason}", file=out)
    out.flush()


def export_csv(course: Course, csv: Path) -> None:
    """``nbgrader export`` of the course gradebook (every assignment) to ``csv``."""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep
               + os.environ.get("PATH", ""))
    subprocess.run([sys.executable, "-m", "nbgrader", "export", "--to", str(csv),
                    f"--CourseDirectory.root={course.root}",
                    f"--CourseDirectory.db_url={course.db_url}"],
                   cwd=course.root, env=env, check=True, capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help="nbgrader runs at once on this machine (default: two per core)")
    parser.add_argument("--scheduler", help="address of a Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--course-dir", type=Path, default=Path.cwd(),
                        help="the course folder, with nbgrader_config.py (default: here)")
    parser.add_argument("--csv", type=Path, default=Path("grades.csv"),
                        help="where to export the grades (relative to the course folder)")
    parser.add_argument("--shard-size", type=int, help="students per nbgrader run")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S,
                        help=f"seconds allowed per submission (default {TIMEOUT_S:.0f})")
    parser.add_argument("--memory-mb", type=int, default=MEMORY_MB,
                        help=f"address-space limit of nbgrader and its kernels (MB, "
                             f"default {MEMORY_MB})")
    parser.add_argument("--force", action="store_true",
                        help="regrade every submission, even those already graded")
    parser.add_argument("--unsandboxed", action="store_true",
                        help="grade without the bubblewrap sandbox (only where bwrap cannot "
                             "run; student code then runs with your permissions)")
    args = parser.parse_args(argv)
    course = Course.load(args.course_dir.resolve())
    run(course, args.assignment, workers=max(1, args.workers), scheduler=args.scheduler,
        shard_size=args.shard_size, timeout_s=args.timeout, memory_mb=args.memory_mb,
        force=args.force, unsandboxed=args.unsandboxed)
    csv = args.csv if args.csv.is_absolute() else course.root / args.csv
    export_csv(course, csv)
    print(f"grades exported to {csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
