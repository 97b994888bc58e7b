"""Write a finished shard into the course, one student at a time, and journal each student.

Only the coordinator writes the course: :func:`merge` copies each student's
results into ``gradebook.db`` (:mod:`autograder.class_grading.gradebook_merge`, manual grades
kept), puts ``autograded/<student>/<assignment>/`` in place, then appends the
student to ``autograded/.class_grade_journal.jsonl`` (:class:`Journal`). A
student is done once journaled: a killed run resumes with the rest.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook

from autograder.class_grading.course import Course, write_tree
from autograder.class_grading.gradebook_merge import merge_student

JOURNAL = ".class_grade_journal.jsonl"


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


@dataclass
class Outcome:
    student: str
    status: str  # graded | failed | missing
    score: float | None = None
    max_score: float | None = None
    reason: str | None = None


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
