"""Grade one shard of students with the real ``nbgrader autograde``, in a private course copy.

:func:`grade_shard` is self-contained (plain bytes and strings in and out), so
:mod:`autograder.class_grading.grade_class` runs it in a local thread that drives a
subprocess or on a Dask worker. It watches nbgrader's log student by student,
kills a run that takes longer than its time per submission (kernels
included), grades the students it had not reached in a new run, and says for
each student whether it was graded and, if not, why (:func:`classify`).
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from autograder.class_grading.course import read_tree, write_tree
from autograder.judge import secret


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
            "--SandboxedExecute.skip_ungraded_tail=True"]  # see autograder.preprocessors.execute
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


def stop_all() -> None:
    """Kill every nbgrader run of this process, kernels included (on Ctrl-C)."""
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
