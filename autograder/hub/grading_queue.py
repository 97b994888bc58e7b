"""The hub's grading queue: every submission in the exchange, graded in order, in one process.

:class:`GradingQueue` watches ``<exchange>/<course>/inbound`` (what nbgrader's
submit writes: ``<student>+<assignment>+<timestamp>+<random>/``) and hands each new
submission, in arrival order, to one of :data:`WORKERS` long-lived grading processes
(:func:`grading_worker`), each a :class:`Grader` that keeps nbgrader's configuration
loaded and runs its steps itself (no new Python or nbgrader app per submission):

1. make that student's submissions safe to copy (:func:`autograder.hub.inbound.secure`:
   no link, no classmate's folder, root's and read-only, timestamped by the hub), then
   collect the latest (nbgrader's exchange collect) into ``submitted/``;
2. autograde it with the course's own ``nbgrader_config.py``: the same pipeline as
   ``make autograde`` (SandboxedExecute in the grading sandbox), late marked by
   the assignment's due date in the gradebook; as ``make grade-class`` does, code cells
   after the last test cell are kept but not run (they cannot change the score);
3. write the feedback page with the course's template (``make feedback``'s) and
   release it to the exchange, so the student's Assignments tab can fetch it.

A submission followed by a newer one of the same student and assignment before
its turn is not graded twice: collect takes the newest. What was graded is
appended to ``hub/grading/log.jsonl`` (one JSON object per submission with its
timings), which also tells a restarted queue what is already done.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from autograder.hub import inbound
from autograder.hub.settings import NAME, Course, course

WORKERS = min(2, os.cpu_count() or 1)
"""Grading processes working on the queue at once (each sandbox gets one core)."""

INBOUND_NAME = re.compile(r"(?P<student>[^+]+)\+(?P<assignment>[^+]+)\+(?P<timestamp>[^+]+)"
                          r"\+(?P<random>[^+]+)")


@dataclass
class Job:
    """One submission and what became of it (times are ``time.time()`` seconds)."""

    key: str
    student: str
    assignment: str
    timestamp: str
    seen: float
    state: str = "queued"          # queued, grading, graded, failed, superseded
    started: float = 0.0
    finished: float = 0.0
    score: float | None = None
    max_score: float | None = None
    late: bool = False
    error: str = ""
    timings: dict[str, float] = field(default_factory=dict)


class RefusedSubmission(Exception):
    """A submission folder that was not safe to collect (see :mod:`autograder.hub.inbound`)."""


class StepTimes(logging.Handler):
    """Splits SandboxedExecute's log into kernel start, execution and judging seconds."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.marks: dict[str, float] = {}
        self.judging = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        for mark in ("Sandbox ready", "Kernel up"):
            if text.startswith(mark):
                self.marks[mark] = record.created
        if text.startswith("Judged"):
            self.marks["Judged"] = record.created
            with contextlib.suppress(ValueError, IndexError):
                self.judging += float(text.split(" in ")[1].split()[0])

    def split(self) -> dict[str, float]:
        m = self.marks
        if not {"Sandbox ready", "Kernel up", "Judged"} <= m.keys():
            return {}
        return {"kernel_start": m["Kernel up"] - m["Sandbox ready"],
                "execution": m["Judged"] - m["Kernel up"] - self.judging,
                "judging": self.judging}


class Grader:
    """nbgrader's collect, autograde, generate and release feedback, configured once."""

    def __init__(self, course: Course) -> None:
        from nbgrader.apps.baseapp import NbGrader
        from nbgrader.auth import Authenticator, NoAuthPlugin
        from nbgrader.coursedir import CourseDirectory

        os.chdir(course.root)
        app = NbGrader()
        app.load_config_file()      # the course's nbgrader_config.py
        config = app.config
        config.CourseDirectory.root = str(course.root)
        config.Exchange.root = str(course.exchange)
        config.Exchange.path_includes_course = True
        config.Authenticator.plugin_class = NoAuthPlugin
        config.SandboxedExecute.skip_ungraded_tail = True   # as make grade-class: no score
        self.config, self.course = config, course
        self.coursedir = CourseDirectory(config=config)
        self.authenticator = Authenticator(config=config)
        self.log = logging.getLogger("dnn-grading")
        self.log.setLevel(logging.INFO)          # SandboxedExecute's steps reach StepTimes
        if not self.log.handlers:                # the hub's log shows warnings and errors
            shown = logging.StreamHandler()
            shown.setLevel(logging.WARNING)
            self.log.addHandler(shown)
        self.log.propagate = False

    def _run(self, app: Any) -> None:
        app.log = self.log
        app.start()

    def grade(self, job: Job) -> None:
        """Grade ``job``'s student's latest submission of its assignment; fill in the job."""
        from nbgrader.api import Gradebook
        from nbgrader.converters import Autograde, GenerateFeedback
        from nbgrader.exchange.default import ExchangeCollect, ExchangeReleaseFeedback
        from nbgrader.utils import temp_attrs

        times = job.timings
        removed = inbound.secure(self.course.exchange / self.course.course_id / "inbound",
                                 job.student, job.assignment, job.seen)
        for name, reasons in removed.items():
            self.log.warning("refused %s: %s", name.encode("unicode_escape").decode(),
                             "; ".join(reasons))
        if job.key in removed:
            raise RefusedSubmission("; ".join(removed[job.key]))
        with temp_attrs(self.coursedir, assignment_id=job.assignment, student_id=job.student):
            t = time.time()
            collect = ExchangeCollect(coursedir=self.coursedir, authenticator=self.authenticator,
                                      config=self.config)
            collect.update = True
            self._run(collect)
            times["collect"] = time.time() - t
            steps = StepTimes()
            self.log.addHandler(steps)
            try:
                t = time.time()
                autograde = Autograde(coursedir=self.coursedir, config=self.config)
                autograde.force, autograde.create_student = True, True
                self._run(autograde)
                times["autograde"] = time.time() - t
            finally:
                self.log.removeHandler(steps)
            times.update(steps.split())
            t = time.time()
            feedback = GenerateFeedback(coursedir=self.coursedir, config=self.config)
            feedback.force = True
            self._run(feedback)
            release = ExchangeReleaseFeedback(coursedir=self.coursedir,
                                              authenticator=self.authenticator,
                                              config=self.config)
            self._run(release)
            times["feedback"] = time.time() - t
        with Gradebook(self.config.CourseDirectory.db_url) as gb:
            submission = gb.find_submission(job.assignment, job.student)
            job.score, job.max_score = submission.score, submission.max_score
            job.late = bool(submission.total_seconds_late > 0)


class GradingQueue:
    """The submissions of the exchange, in order, handed to the grading processes.

    Parameters
    ----------
    course : Course
    poll_s : float
        How often the inbound folder is listed.
    """

    def __init__(self, course: Course, *, poll_s: float = 0.25) -> None:
        self.course, self.poll_s = course, poll_s
        self.inbound = course.exchange / course.course_id / "inbound"
        self.log_file = course.hub / "grading" / "log.jsonl"
        self.jobs: list[Job] = self._history()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self._known = {j.key for j in self.jobs}

    def _history(self) -> list[Job]:
        """What earlier runs of the queue graded (so a restart neither regrades nor forgets)."""
        if not self.log_file.is_file():
            return []
        jobs = []
        for line in self.log_file.read_text().splitlines():
            with contextlib.suppress(ValueError, TypeError):
                jobs.append(Job(**json.loads(line)))
        return jobs

    def scan(self) -> None:
        """Queue the inbound submissions not seen before (oldest timestamp first)."""
        try:
            names = sorted(os.listdir(self.inbound), key=lambda n: n.split("+")[2:3])
        except FileNotFoundError:
            return
        now = time.time()
        with self.lock:
            for name in names:
                match = INBOUND_NAME.fullmatch(name)
                if name in self._known or not match or not NAME.fullmatch(match["student"]):
                    continue
                self._known.add(name)
                self.jobs.append(Job(name, match["student"], match["assignment"],
                                     match["timestamp"], now))

    def position(self, job: Job) -> int:
        """1 for the next to be graded, 0 if it is not waiting."""
        with self.lock:
            waiting = [j for j in self.jobs if j.state == "queued"]
        return waiting.index(job) + 1 if job in waiting else 0

    def of(self, student: str) -> list[Job]:
        with self.lock:
            return [j for j in self.jobs if j.student == student]

    def _next(self) -> Job | None:
        with self.lock:
            for job in self.jobs:
                if job.state != "queued":
                    continue
                newer = [j for j in self.jobs if j.state == "queued" and j is not job
                         and (j.student, j.assignment) == (job.student, job.assignment)]
                if newer:
                    job.state, job.finished = "superseded", time.time()
                    self._record(job)
                    continue
                if any(j.state == "grading" and (j.student, j.assignment) ==
                       (job.student, job.assignment) for j in self.jobs):
                    continue                  # one grading of a student's work at a time
                job.state, job.started = "grading", time.time()
                return job
        return None

    def _record(self, job: Job) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.log_file, "a") as f:
            f.write(json.dumps(asdict(job)) + "\n")

    def _finish(self, job: Job, result: dict[str, Any]) -> None:
        for name in ("state", "score", "max_score", "late", "error", "timings"):
            setattr(job, name, result[name])
        job.finished = time.time()
        job.timings["queue_wait"] = job.started - job.seen
        with self.lock:
            self._record(job)

    def run(self, workers: int = WORKERS) -> None:
        """Grade forever (the service's thread): hand each waiting submission, in order, to
        the first idle one of ``workers`` grading processes (:func:`grading_worker`)."""
        ctx = multiprocessing.get_context("spawn")     # no fork of a threaded process
        pipes, busy = [], []
        for _ in range(workers):
            mine, theirs = ctx.Pipe()
            ctx.Process(target=grading_worker, args=(str(self.course.root), theirs),
                        daemon=True).start()
            pipes.append(mine)
            busy.append(None)
        while True:
            progress = False
            for i, conn in enumerate(pipes):
                if busy[i] is not None and conn.poll():
                    self._finish(busy[i], conn.recv())
                    busy[i], progress = None, True
            self.scan()
            for i, conn in enumerate(pipes):
                if busy[i] is None and (job := self._next()) is not None:
                    conn.send(asdict(job))
                    busy[i], progress = job, True
            if not progress:
                self.wake.wait(self.poll_s)
                self.wake.clear()


def grading_worker(course_root: str, conn: Any) -> None:
    """One grading process: nbgrader configured once, then a job in, its result out."""
    grader = Grader(course(Path(course_root)))
    while True:
        job = Job(**conn.recv())
        try:
            grader.grade(job)
            job.state = "graded"
        except Exception as exc:  # one bad submission must not stop the queue
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"[:500]
            grader.log.exception("grading %s failed", job.key)
        conn.send(asdict(job))
