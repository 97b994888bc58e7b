"""Grade one shard of students with the real nbgrader, in a private course copy.

    python -m autograder.class_grading.shard JOB.json OUT_DIR    # writes OUT_DIR/result.json

:func:`grade_shard` is self-contained (plain bytes and strings in and out), so
:mod:`autograder.class_grading.grade_class` runs it in a local thread that drives a
subprocess, on a Dask worker, or as this standalone command (one job file in,
one result file out: a Kubernetes Job or a Slurm array task,
:mod:`autograder.class_grading.job_files`). Each run grades its students one
by one with nbgrader's own API (:mod:`autograder.class_grading.autograde_run`)
and reports each outcome in a progress file no kernel can reach; the shard
follows that file, kills a run that takes longer than its time per submission
(kernels included), grades the students it had not reached in a new run, and
says for each student whether it was graded and, if not, why
(:func:`classify`). Whether a student was graded is nbgrader's own verdict plus
the autograded files and the gradebook, never text a kernel could print.
"""

from __future__ import annotations

import json
import os
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
from autograder.class_grading.job_files import read_job, write_result

CASE_SEEDS = ".case_seeds.json"
"""In a shard's course folder: the seeds of the hidden cases (never the course secret)."""
PROGRESS = ".autograde_progress.jsonl"
"""In a shard's course folder: what :mod:`autograder.class_grading.autograde_run` reports."""


def grade_shard(job: dict[str, Any]) -> dict[str, Any]:
    """Grade some students' submissions with nbgrader's autograde; self-contained.

    Parameters
    ----------
    job : dict
        ``assignment`` (str), ``config`` (text of nbgrader_config.py),
        ``source_dir`` / ``submitted_dir`` / ``autograded_dir`` (folder names),
        ``source`` (relative path -> bytes, the assignment's source folder),
        ``gradebook`` (bytes of a gradebook.db that knows the assignment),
        ``submissions`` (student -> relative path -> bytes), ``timeout_s`` (per
        submission), ``memory_mb``, ``case_seeds`` (graded function -> seed of
        its hidden cases, :func:`autograder.judge.hidden_cases.case_seeds`; the
        course secret itself never leaves the coordinator) and ``unsandboxed`` (bool).

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


def _autograde(job: dict[str, Any], students: list[str]
               ) -> tuple[dict[str, Any], str, list[str]]:
    """One nbgrader run in a fresh course folder, followed through its progress file.

    Returns the part (see :func:`grade_shard`), the log and the students not reached.
    """
    assignment = job["assignment"]
    with tempfile.TemporaryDirectory(prefix="class_grade_") as tmp:
        root = Path(tmp)
        (root / "nbgrader_config.py").write_text(job["config"])
        (root / "gradebook.db").write_bytes(job["gradebook"])
        seeds = root / CASE_SEEDS
        seeds.write_text(json.dumps(job["case_seeds"]))
        seeds.chmod(0o600)
        write_tree(root / job["source_dir"] / assignment, job["source"])
        for s in students:
            write_tree(root / job["submitted_dir"] / s / assignment, job["submissions"][s])
        progress = root / PROGRESS
        progress.touch()
        proc = _start_nbgrader(root, job, students, progress)
        _LIVE.add(proc)
        try:
            log, stuck = _watch(proc, progress, float(job["timeout_s"]))
        finally:
            _LIVE.discard(proc)
        events = _events(progress, students)
        db = sqlite3.connect(root / "gradebook.db")  # rolls back a commit cut by a kill
        db.execute("SELECT count(*) FROM sqlite_master").fetchall()
        db.close()
        part: dict[str, Any] = {"gradebook": (root / "gradebook.db").read_bytes(),
                                "students": {}}
        left = []
        for s in students:
            if s not in events:
                left.append(s)
                continue
            done = events[s]
            if done is None:        # the student nbgrader was busy with when it stopped
                reason = (f"timeout: still running after {job['timeout_s']:g} s" if stuck else
                          f"nbgrader died while grading it (exit code {proc.returncode})")
                part["students"][s] = {"ok": False, "merge": False, "reason": reason,
                                       "autograded": {}}
                continue
            graded = root / job["autograded_dir"] / s / assignment
            text = str(done.get("log", ""))
            ok = done.get("success") is True and graded.is_dir()
            files = read_tree(graded) if ok else {}
            part["students"][s] = {"ok": ok, "merge": True,
                                   "reason": _notes(files, text) if ok else classify(text),
                                   "autograded": files}
        return part, log, left


def _events(progress: Path, students: list[str]) -> dict[str, dict[str, Any] | None]:
    """Student -> the run's "done" entry (None: started, not done), for those it reached."""
    out: dict[str, dict[str, Any] | None] = {}
    for line in progress.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue                      # a line cut short by a kill
        student = entry.get("student") if isinstance(entry, dict) else None
        if student in students and entry.get("event") in ("start", "done"):
            out[student] = entry if entry["event"] == "done" else None
    return out


def _start_nbgrader(root: Path, job: dict[str, Any], students: list[str], progress: Path
                    ) -> subprocess.Popen:
    """The nbgrader run of ``students`` in ``root``, in a session of its own."""
    execute: dict[str, Any] = {"case_seeds_file": str(root / CASE_SEEDS),
                               "skip_ungraded_tail": True}  # autograder.preprocessors.execute
    if job.get("unsandboxed"):
        execute["unsandboxed"] = True
    run = {"root": str(root), "assignment": job["assignment"], "students": students,
           "progress": str(progress), "memory_mb": int(job["memory_mb"]),
           "overrides": {"CourseDirectory": {"root": str(root),
                                             "db_url": f"sqlite:///{root / 'gradebook.db'}"},
                         "SandboxedExecute": execute}}
    run_file = root / ".autograde_run.json"
    run_file.write_text(json.dumps(run))
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep
               + os.environ.get("PATH", ""))
    return subprocess.Popen([sys.executable, "-m", "autograder.class_grading.autograde_run",
                             str(run_file)], cwd=root, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _watch(proc: subprocess.Popen, progress: Path, timeout_s: float) -> tuple[str, bool]:
    """Wait for the run; kill it when one student (or the start) takes over ``timeout_s``.

    Progress comes from the run's progress file, never from its log. Returns the
    log and whether the run was killed for time.
    """
    chunks: list[bytes] = []
    pump = threading.Thread(target=lambda: chunks.extend(iter(proc.stdout.readline, b"")),
                            daemon=True)
    pump.start()
    seen, since, stuck = 0, time.monotonic(), False
    while proc.poll() is None:
        time.sleep(0.25)
        lines = progress.read_bytes().count(b"\n")
        if lines != seen:
            seen, since = lines, time.monotonic()
        elif time.monotonic() - since > timeout_s:
            stuck = True
            _kill_group(proc)
            break
    proc.wait()
    pump.join(timeout=5)     # a kernel may hold the pipe until it notices
    return b"".join(chunks).decode(errors="replace"), stuck


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
    lines = text.strip().splitlines()
    return (errors[-1] if errors else lines[-1] if lines else "(no log)")[:200]


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


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.class_grading.shard JOB.json OUT_DIR``: grade one job file."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        raise SystemExit("usage: python -m autograder.class_grading.shard JOB.json OUT_DIR")
    result = grade_shard(read_job(Path(args[0])))
    out = write_result(Path(args[1]), result)
    print(f"{out}: {sum(len(p['students']) for p in result['parts'])} students, "
          f"{result['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
