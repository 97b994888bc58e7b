"""Grade every submission of an assignment in parallel with the real nbgrader.

    python -m autograder grade-class ASSIGNMENT [--workers N] [--scheduler tls://host:port]
                                  [--course-dir DIR] [--csv grades.csv] [--unsandboxed]
                                  [--write-jobs DIR | --merge-results DIR]

The students are split into shards. A shard is graded by
:func:`autograder.class_grading.shard.grade_shard`:
the real ``nbgrader autograde`` CLI, with the course's own ``nbgrader_config.py``
(so the same preprocessors and limits as ``make autograde``), in a private
temporary course folder that holds the assignment's source, a snapshot of the
course gradebook and the shard's submissions. Its inputs and outputs are plain
bytes and strings, so the same function runs in a local thread that drives a
subprocess (the default, ``--workers`` at a time, two per core) or on a Dask cluster
(``--scheduler``), possibly on another machine with the same packages
(:mod:`autograder.class_grading.executors`), or as job files that a cluster's own
scheduler runs (``--write-jobs``, then ``--merge-results``;
:mod:`autograder.class_grading.job_files`, book/guides/large_class.md).

Only this process writes the course (:mod:`autograder.class_grading.merge`): it merges
each finished shard into ``gradebook.db`` one student at a time (manual grades
kept), copies ``autograded/<student>/<assignment>/`` into place and then appends
the student to ``autograded/.class_grade_journal.jsonl``. A student is done once
journaled: killed and restarted, the tool grades only the rest (and anyone whose
submission changed since). ``--force`` regrades all. What the instructor reads (a
line per student, the summary, grades.csv) is :mod:`autograder.class_grading.summary`.

Every kernel runs in the bubblewrap sandbox (:mod:`autograder.preprocessors.execute`); the tool
refuses to start where bwrap cannot run unless ``--unsandboxed`` is given, and then says so in its
summary (and every feedback page says so). The course secret that seeds the hidden
cases (:mod:`autograder.judge.secret`) is created if missing and never leaves this
process: each shard gets the seeds of the assignment's hidden cases
(:func:`autograder.judge.hidden_cases.case_seeds`).

Nothing is lost: nbgrader goes on past a student it cannot grade; a shard
that crashes or exceeds its time (``--timeout`` per submission) is graded
again one student at a time; the nbgrader process and the kernels it starts
run under an address-space limit (``--memory-mb``), so a memory bomb is a
``MemoryError`` in that student's cell. Each failure is reported for its student.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook
from tqdm import tqdm

from autograder.class_grading.course import Course, digest, read_tree
from autograder.class_grading.executors import executor_for
from autograder.class_grading.job_files import read_results
from autograder.class_grading.job_files import write_jobs as write_jobs_to
from autograder.class_grading.merge import JOURNAL, Journal, Outcome, merge
from autograder.class_grading.shard import stop_all
from autograder.class_grading.summary import export_csv, line, summarise
from autograder.judge import secret
from autograder.judge.hidden_cases import case_seeds
from autograder.sandbox import SandboxUnavailable, check_available

__all__ = ["JOURNAL", "main", "run"]

TIMEOUT_S = 900.0
"""Default wall-clock limit per submission: nbgrader stops each cell after 60 s, but an
answer that loops in every graded function costs one timeout per cell that calls it."""
DEFAULT_WORKERS = 2 * (os.cpu_count() or 1)
"""An nbgrader run waits on its kernel about a third of the time (measured: 2 workers kept
1.3 of 2 cores busy), so two runs per core keep every core busy."""
MEMORY_MB = 4096
"""Default address-space limit of each nbgrader run (its sandboxed kernels get the sandbox's own
per-process limits, autograder.sandbox.Limits)."""


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


def run(course: Course, assignment: str, *, workers: int, scheduler: str | None,
        shard_size: int | None, timeout_s: float, memory_mb: int, force: bool,
        unsandboxed: bool = False, write_jobs: Path | None = None,
        merge_results: Path | None = None, out=sys.stdout) -> list[Outcome]:
    """Grade the class; returns one outcome per submitted student folder.

    ``write_jobs``: write the shard jobs there (:mod:`autograder.class_grading.job_files`)
    instead of running them; ``merge_results``: merge the results of such jobs, run
    elsewhere, instead of grading.
    """
    started = time.monotonic()
    if merge_results is not None:
        return _merge_results(course, assignment, merge_results, started, out)
    if not unsandboxed and write_jobs is None:
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
    if write_jobs is not None:
        jobs = _jobs(course, assignment, todo, shard_size or 8, timeout_s, memory_mb,
                     unsandboxed)
        paths = write_jobs_to(write_jobs, jobs)
        print(f"{assignment}: {len(students)} to grade in {len(paths)} job files in "
              f"{write_jobs} (mode 600: they hold submissions and the hidden cases' seeds)."
              "\nRun each: python -m autograder.class_grading.shard JOB.json OUT_DIR, then "
              "merge: --merge-results with the folder of the OUT_DIRs.", file=out, flush=True)
        return list(todo.skipped) + list(todo.missing)
    executor = executor_for(workers, scheduler) if students else None
    print(f"{assignment}: {len(todo.todo)} to grade, {len(todo.skipped)} already graded, "
          f"{len(todo.missing)} without a notebook; "
          + (executor.describe() if executor else f"{workers} workers"),
          file=out, flush=True)
    outcomes = list(todo.skipped) + list(todo.missing)
    for o in todo.missing:
        print(line(o), file=out, flush=True)
    try:
        if executor is not None:
            size = shard_size or default_shard_size(len(students), executor.threads)
            jobs = _jobs(course, assignment, todo, size, timeout_s, memory_mb, unsandboxed)
            with tqdm(total=len(students), unit="submission", file=sys.stderr,
                      dynamic_ncols=True) as bar:
                for result in executor.results(jobs):
                    for o in merge(course, assignment, result, journal, todo.digests):
                        outcomes.append(o)
                        bar.write(line(o), file=out)
                        bar.update(1)
    except KeyboardInterrupt:
        stop_all()
        merged = len(outcomes) - len(todo.skipped) - len(todo.missing)
        print(f"\ninterrupted: {merged} of {len(students)} merged into the gradebook; "
              "run the same command again to grade the rest.", file=out, flush=True)
        raise SystemExit(130) from None
    finally:
        if executor is not None:
            executor.close()
    elapsed = time.monotonic() - started
    summarise(outcomes, len(students), elapsed, out)
    if unsandboxed:
        print("WARNING: graded WITHOUT the sandbox (--unsandboxed): student code ran with "
              "your permissions; every feedback page says so.", file=out, flush=True)
    return outcomes


def _jobs(course: Course, assignment: str, todo: Plan, size: int, timeout_s: float,
          memory_mb: int, unsandboxed: bool) -> list[dict]:
    """The shard jobs of the students to grade: what a shard needs, never the secret."""
    base = {"assignment": assignment, "config": course.config_text,
            "source_dir": course.source, "submitted_dir": course.submitted,
            "autograded_dir": course.autograded,
            "source": read_tree(course.root / course.source / assignment),
            "gradebook": course.snapshot_db(), "timeout_s": timeout_s,
            "memory_mb": memory_mb, "unsandboxed": unsandboxed,
            "case_seeds": case_seeds(secret.ensure(course.secret_file), assignment)}
    return [dict(base, submissions={s: todo.todo[s] for s in group})
            for group in shards(sorted(todo.todo), size)]


def _merge_results(course: Course, assignment: str, folder: Path, started: float,
                   out) -> list[Outcome]:
    """Merge the result files of shard jobs run elsewhere (``--merge-results``)."""
    journal = Journal(course.root / course.autograded / JOURNAL)
    submitted = course.root / course.submitted
    outcomes: list[Outcome] = []
    for result in read_results(folder):
        students = [s for part in result["parts"] for s in part["students"]]
        digests = {s: digest(read_tree(submitted / s / assignment)) for s in students}
        for o in merge(course, assignment, result, journal, digests):
            outcomes.append(o)
            print(line(o), file=out, flush=True)
    summarise(outcomes, len(outcomes), time.monotonic() - started, out)
    return outcomes


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
    parser.add_argument("--write-jobs", type=Path, metavar="DIR",
                        help="write one job file per shard there instead of grading (for a "
                             "Kubernetes Job or a Slurm array: book/guides/large_class.md)")
    parser.add_argument("--merge-results", type=Path, metavar="DIR",
                        help="merge the result.json files of shard jobs run elsewhere")
    args = parser.parse_args(argv)
    course = Course.load(args.course_dir.resolve())
    run(course, args.assignment, workers=max(1, args.workers), scheduler=args.scheduler,
        shard_size=args.shard_size, timeout_s=args.timeout, memory_mb=args.memory_mb,
        force=args.force, unsandboxed=args.unsandboxed, write_jobs=args.write_jobs,
        merge_results=args.merge_results)
    if args.write_jobs:
        return 0
    csv = args.csv if args.csv.is_absolute() else course.root / args.csv
    export_csv(course, csv)
    print(f"grades exported to {csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
