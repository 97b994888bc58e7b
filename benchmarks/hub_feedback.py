"""Seconds from a student's submit on the course hub to their feedback being released.

    hub/venv/bin/python benchmarks/hub_feedback.py [--alone 5] [--class 20] [--within 60]

Run as root after ``make hub`` has built ``hub/venv`` (the hub's own Python). It builds a
course in a temporary folder as the hub's tests do (the checkout's course files,
``make release``), creates ``--class`` local accounts (``hubbench-01``...; removed at
the end), and runs the hub's grading queue (:class:`autograder.hub.grading_queue.GradingQueue`,
the code of the ``grading`` service) in this process. Each submission is nbgrader's own
exchange submit, run as the student's account (a new Python under the student's uid;
the clock starts at the timestamp nbgrader's submit records), of the released backprop
notebook with correct answers. Two scenarios:

* one student alone, ``--alone`` times in a row;
* ``--class`` students submitting at even intervals within ``--within`` seconds.

For each it prints the median, 95th percentile and max of the seconds from the submit to
the feedback released to the exchange (what the Assignments tab fetches), split into
queue wait (submit until the queue starts grading it), collect, kernel start, execution,
judging, and feedback (generate and release). Targets on two cores: alone <= 10 s median;
the class <= 30 s at the 95th percentile.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

import nbformat  # noqa: E402
from submissions import Submission, submission_text  # noqa: E402
from submissions.roster import VECTORISED  # noqa: E402

from autograder.hub.accounts import add_users  # noqa: E402
from autograder.hub.grading_queue import GradingQueue, Job  # noqa: E402
from autograder.hub.settings import course  # noqa: E402

COURSE_FILES = ("Makefile", "nbgrader_config.py", "requirements.txt", "pyproject.toml",
                "tools", "assignments", "solutions", "exercises")
KEEP = ["-o", ".venv/.installed", "-o", "hub/venv/.installed"]
STEPS = ("queue_wait", "collect", "kernel_start", "execution", "judging", "feedback")


def make_course() -> Path:
    """A course folder like the checkout's, with the checkout's environments linked."""
    folder = Path(tempfile.mkdtemp(prefix="dnn-hub-bench-"))
    folder.chmod(0o755)
    for name in COURSE_FILES:
        subprocess.run(["cp", "-a", str(ROOT / name), str(folder / name)], check=True)
    (folder / "hub").mkdir()
    (folder / ".venv").symlink_to(ROOT / ".venv")
    for name in ("venv", "node_modules"):
        (folder / "hub" / name).symlink_to(ROOT / "hub" / name)
    subprocess.run(["make", *KEEP, "release"], cwd=folder, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "autograder.hub.setup"], cwd=folder, check=True,
                   capture_output=True, env={**os.environ, "DNN_COURSE_ROOT": str(folder)})
    return folder


def fetched_notebook(folder: Path, student: str) -> Path:
    """The student's fetched copy, answered: ~/<course>/backprop/backprop.ipynb."""
    account = pwd.getpwnam(student)
    target = Path(account.pw_dir) / "dnn-from-scratch" / "backprop"
    target.mkdir(parents=True, exist_ok=True)
    released = nbformat.read(folder / "exercises" / "backprop" / "backprop.ipynb", as_version=4)
    (target / "backprop.ipynb").write_text(submission_text(released,
                                                          Submission(student, VECTORISED)))
    for path in (target.parent, target, target / "backprop.ipynb"):
        os.chown(path, account.pw_uid, account.pw_gid)
    return target


SUBMIT = """
import sys
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import ExchangeSubmit
from traitlets.config import Config
exchange, cache, root = sys.argv[1:4]
config = Config()
config.CourseDirectory.course_id = "dnn-from-scratch"
config.CourseDirectory.root = root
config.CourseDirectory.assignment_id = "backprop"
config.Exchange.root = exchange
config.Exchange.path_includes_course = True
config.Exchange.cache = cache
ExchangeSubmit(coursedir=CourseDirectory(config=config),
               authenticator=Authenticator(config=config), config=config).start()
"""


def submit_as(student: str, folder: Path, assignment_dir: Path) -> subprocess.Popen:
    """nbgrader's exchange submit, run as the student's account (a new Python)."""
    account = pwd.getpwnam(student)
    return subprocess.Popen(
        [sys.executable, "-c", SUBMIT, str(folder / "exchange"),
         f"{account.pw_dir}/.local/share/jupyter/nbgrader_cache", str(assignment_dir.parent)],
        user=account.pw_uid, group=account.pw_gid, extra_groups=[], cwd=account.pw_dir,
        env={"HOME": account.pw_dir, "PATH": "/usr/bin:/bin"}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)


def submitted_at(job: Job) -> float:
    """When nbgrader's submit started copying (the timestamp in the inbound folder's name)."""
    return datetime.strptime(job.timestamp, "%Y-%m-%d %H:%M:%S.%f %Z").replace(
        tzinfo=UTC).timestamp()


def run(queue: GradingQueue, folder: Path, students: list[str], within: float) -> list[dict]:
    """Submit for ``students`` at even intervals within ``within`` s; wait for all grades."""
    dirs = {s: fetched_notebook(folder, s) for s in students}
    start, known = time.time(), len(queue.jobs)
    children = []
    for i, student in enumerate(students):
        time.sleep(max(0.0, start + i * within / max(1, len(students)) - time.time()))
        children.append(submit_as(student, folder, dirs[student]))
    for child in children:
        if child.wait() != 0:
            raise SystemExit(f"nbgrader submit failed: {child.stderr.read().decode()[-2000:]}")
    deadline = time.time() + 600
    while time.time() < deadline:
        with queue.lock:
            jobs = queue.jobs[known:]
        if len(jobs) >= len(students) and all(j.state in ("graded", "failed") for j in jobs):
            break
        time.sleep(0.1)
    rows = []
    for job in jobs:
        if job.state != "graded" or job.score != job.max_score:
            raise SystemExit(f"{job.student}: {job.state} {job.score}/{job.max_score} "
                             f"{job.error}")
        t, submitted = job.timings, submitted_at(job)
        rows.append({"total": job.finished - submitted, "queue_wait": job.started - submitted,
                     **{k: t.get(k, 0.0) for k in STEPS[1:]}})
    return rows


def report(title: str, rows: list[dict]) -> None:
    totals = sorted(r["total"] for r in rows)
    p95 = totals[min(len(totals) - 1, round(0.95 * (len(totals) - 1)))]
    print(f"\n{title}: {len(rows)} submissions, submit -> feedback released (s)")
    print(f"  median {statistics.median(totals):.1f}   p95 {p95:.1f}   max {totals[-1]:.1f}")
    print("  median of each step: " + "  ".join(
        f"{k.replace('_', ' ')} {statistics.median(r[k] for r in rows):.2f}" for k in STEPS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alone", type=int, default=5)
    parser.add_argument("--class", dest="size", type=int, default=20)
    parser.add_argument("--within", type=float, default=60.0)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: it creates accounts and grades in the sandbox")
    folder = make_course()
    students = [f"hubbench-{i:02d}" for i in range(1, args.size + 1)]
    try:
        add_users(course(folder), students, [])
        queue = GradingQueue(course(folder), poll_s=0.1)
        threading.Thread(target=queue.run, daemon=True).start()
        alone = [run(queue, folder, [students[0]], 0)[0] for _ in range(args.alone)]
        report("one student alone", alone)
        report(f"{args.size} students within {args.within:g} s",
               run(queue, folder, students, args.within))
    finally:
        for student in students:
            subprocess.run(["userdel", "--remove", "--force", student], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
