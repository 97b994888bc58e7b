"""Serial ``nbgrader autograde`` against ``python -m autograder grade-class`` on one class.

    .venv/bin/python benchmarks/autograde_speed.py [--students 200] [--workers N]

Builds a course in a temporary folder (backprop released with the real
``nbgrader generate_assignment``, one course secret) and a class of synthetic
submissions that cycles through the scripted students of
tests/fixtures/submissions/roster.py: correct answers in two styles and every mistake
the checkers diagnose (the infinite loop and the corrupt upload are left out:
they measure a timeout, not grading). Two copies of that course are graded,
sandbox on, one by a plain serial ``nbgrader autograde``, one by the parallel
tool (CSV export included). Every gradebook row must be equal. It prints
seconds per submission for both, the ratio, and where the serial run's time
goes, from the arrival time of each log line:

* start-up: nbgrader's own start, before the first student;
* sanitize: reading the submission, repairing and restoring cells, writing it;
* sandbox: the student view of dnn_ref, the cases (visible and hidden) written;
* kernel: the sandboxed kernel starting;
* cells + judge: the notebook's one execution, each test cell judged outside
  (the judging alone is also logged and shown), the grades saved;
* write: the graded notebook written, permissions set.

``--where`` also times, on one correct submission, each cell of the notebook in
a sandboxed kernel.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from submissions import submission_text  # noqa: E402
from submissions.roster import BACKPROP  # noqa: E402

from autograder.class_grading.grade_class import DEFAULT_WORKERS  # noqa: E402
from autograder.class_grading.gradebook_merge import gradebook_rows  # noqa: E402

ASSIGNMENT = "backprop"
COURSE_ID = "dnn-from-scratch"
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
LEFT_OUT = {"infinite_loop", "corrupt_upload"}


def nbgrader(course: Path, *args: str) -> None:
    subprocess.run([str(BIN / "nbgrader"), *args, f"--CourseDirectory.root={course}"],
                   cwd=course, env=ENV, check=True, capture_output=True)


def build_class(course: Path, n: int) -> None:
    """A released backprop course with ``n`` submissions from the scripted roster."""
    course.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    subprocess.run([sys.executable, "-m", "autograder", "secret", str(course)], check=True,
                   capture_output=True)           # both copies grade the same hidden cases
    released = nbformat.read(course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                             as_version=4)
    roster = [s for s in BACKPROP if s.student not in LEFT_OUT]
    for i in range(n):
        sub = roster[i % len(roster)]
        folder = course / "submitted" / f"s{i:03d}_{sub.student}" / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(submission_text(released, sub))


def timed_lines(cmd: list[str], cwd: Path) -> tuple[float, float, list[tuple[float, str]]]:
    """Run ``cmd``: wall seconds, CPU seconds (it and every process under it, kernels
    included) and each output line with its arrival time."""
    start, cpu = time.monotonic(), _children_cpu()
    proc = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines = [(time.monotonic() - start, line.rstrip()) for line in proc.stdout]
    proc.wait()
    return time.monotonic() - start, _children_cpu() - cpu, lines


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


PHASES = [("sanitize", "INFO] Sanitizing"), ("sandbox", "INFO] Autograding"),
          ("kernel", "INFO] Sandbox ready"), ("cells + judge", "INFO] Kernel up"),
          ("write", "INFO] Writing"), ("end", "Setting destination file permissions")]
JUDGED = re.compile(r"Judged \d+ test cells in ([\d.]+) s")


def phases(lines: list[tuple[float, str]]) -> tuple[float, dict[str, list[float]]]:
    """nbgrader's start-up time and, per phase, each student's seconds (and the judging)."""
    starts = [i for i, (_, text) in enumerate(lines) if "Creating/updating student" in text]
    startup = lines[starts[0]][0] if starts else float("nan")
    per: dict[str, list[float]] = {name: [] for name, _ in PHASES[:-1]}
    for a, b in zip(starts, [*starts[1:], len(lines)], strict=True):
        marks = {}
        for t, text in lines[a:b]:
            for name, needle in PHASES:
                if needle in text:
                    marks[name] = t  # the last "Writing" is the graded notebook's
        if len(marks) == len(PHASES):
            for (name, _), (after, _) in zip(PHASES, PHASES[1:], strict=False):
                per[name].append(marks[after] - marks[name])
        per.setdefault("(of which judging)", []).extend(
            float(m.group(1)) for _, text in lines[a:b] if (m := JUDGED.search(text)))
    return startup, per


def where(course: Path) -> None:
    """Cell-by-cell times of one correct submission in a sandboxed kernel."""
    from nbclient import NotebookClient

    from autograder.judge import secret
    from autograder.judge.hidden_cases import cases_for
    from autograder.sandbox import Sandbox
    from dnn_ref.grading.cases import ASSIGNMENTS
    from dnn_ref.grading.recording import write_cases

    graded = next((course / "autograded").glob(f"*correct_vectorised/{ASSIGNMENT}/*.ipynb"))
    nb = nbformat.read(graded, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    key = secret.load(secret.path_in(course))
    start = time.monotonic()
    with Sandbox(assignment=ASSIGNMENT, workdir=graded.parent,
                 graded=ASSIGNMENTS[ASSIGNMENT]) as box:
        for name in ASSIGNMENTS[ASSIGNMENT]:
            for hidden in (False, True):
                write_cases(box.grading_dir, name, hidden, [(c.name, c.args) for c in cases_for(
                    name, hidden=hidden, secret=key, assignment=ASSIGNMENT)])
        ready = time.monotonic() - start
        client = NotebookClient(nb, kernel_name=box.kernel_name, allow_errors=True)
        client.km = box.configure(client.create_kernel_manager())
        with client.setup_kernel():
            up = time.monotonic() - start - ready
            times = {}
            for i, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    t = time.monotonic()
                    client.execute_cell(cell, i)
                    times[cell.metadata.get("nbgrader", {}).get("grade_id", str(i))] = \
                        time.monotonic() - t
    print(f"\none correct notebook in a sandboxed kernel: sandbox and cases ready in "
          f"{ready:.2f} s, "
          f"kernel up in {up:.2f} s, cells {sum(times.values()):.2f} s (slowest below)")
    for name, t in sorted(times.items(), key=lambda x: -x[1])[:5]:
        print(f"  {name:<28} {t:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help="workers of the parallel tool (default: its own, two per core)")
    parser.add_argument("--shard-size", type=int)
    parser.add_argument("--where", action="store_true",
                        help="also time one notebook's cells in a sandboxed kernel")
    parser.add_argument("--keep", type=Path, help="build the courses here and keep them")
    args = parser.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="autograde_speed_"))
    n = args.students
    try:
        print(f"building a class of {n} submissions in {tmp} ...", flush=True)
        build_class(tmp / "serial", n)
        shutil.copytree(tmp / "serial", tmp / "parallel")

        serial_s, serial_cpu, lines = timed_lines(
            [str(BIN / "nbgrader"), "autograde", ASSIGNMENT, "--force",
             f"--CourseDirectory.root={tmp / 'serial'}"], tmp / "serial")
        print(f"serial nbgrader autograde: {serial_s:.1f} s", flush=True)
        cmd = [sys.executable, "-m", "autograder", "grade-class", ASSIGNMENT,
               "--course-dir", str(tmp / "parallel"), "--workers", str(args.workers)]
        if args.shard_size:
            cmd += ["--shard-size", str(args.shard_size)]
        parallel_s, parallel_cpu, tool_lines = timed_lines(cmd, tmp / "parallel")
        print(f"class_grade --workers {args.workers}: {parallel_s:.1f} s", flush=True)
        summary = [t for _, t in tool_lines if re.match(r"\d+ submissions:", t)]

        serial_rows = gradebook_rows(f"sqlite:///{tmp / 'serial' / 'gradebook.db'}",
                                     COURSE_ID, ASSIGNMENT)
        parallel_rows = gradebook_rows(f"sqlite:///{tmp / 'parallel' / 'gradebook.db'}",
                                       COURSE_ID, ASSIGNMENT)
        differ = sorted(k for k in serial_rows.keys() | parallel_rows.keys()
                        if serial_rows.get(k) != parallel_rows.get(k))
        students = len({k[0] for k in serial_rows})
        print(f"\n{students} submissions graded; gradebook rows compared: {len(serial_rows)}, "
              f"different: {len(differ)}" + (f" (first: {differ[0]})" if differ else ""))
        print(f"tool: {summary[0] if summary else tool_lines[-3:]}")
        print(f"serial   {serial_s / n:6.2f} s per submission (CPU {serial_cpu / n:.2f} s)")
        print(f"parallel {parallel_s / n:6.2f} s per submission (CPU {parallel_cpu / n:.2f} s; "
              f"{args.workers} workers, {os.cpu_count()} cores)")
        print(f"speed-up {serial_s / parallel_s:6.2f}x  (15-minute load average, this "
              f"benchmark included: {os.getloadavg()[2]:.1f} on {os.cpu_count()} cores)")

        startup, per = phases(lines)
        print(f"\nwhere the serial run's time goes (median per submission; nbgrader start-up "
              f"{startup:.1f} s once):")
        for name, values in per.items():
            if values:
                print(f"  {name:<14} {statistics.median(values):6.2f} s")
        if args.where:
            where(tmp / "serial")
        if differ:
            sys.exit(1)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
