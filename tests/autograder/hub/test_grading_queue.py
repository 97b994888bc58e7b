"""The hub's grading queue: submissions in arrival order, each student's place, hostile names."""

from __future__ import annotations

from pathlib import Path

from autograder.hub.grading_queue import GradingQueue
from autograder.hub.settings import course

STAMPS = [f"2026-12-06 04:00:0{i}.000000 UTC" for i in range(5)]


def _course(tmp_path: Path) -> GradingQueue:
    (tmp_path / "nbgrader_config.py").write_text('c.CourseDirectory.course_id = "dnn-x"\n')
    queue = GradingQueue(course(tmp_path))
    queue.inbound.mkdir(parents=True)
    return queue


def _submit(queue: GradingQueue, student: str, stamp: str) -> None:
    (queue.inbound / f"{student}+backprop+{stamp}+r4nd0m").mkdir()


def test_students_see_their_place_in_arrival_order(tmp_path: Path) -> None:
    queue = _course(tmp_path)
    for student, stamp in (("ana", STAMPS[0]), ("bruno", STAMPS[1]), ("carla", STAMPS[2])):
        _submit(queue, student, stamp)
    queue.scan()
    assert [queue.position(queue.of(s)[0]) for s in ("ana", "bruno", "carla")] == [1, 2, 3]
    job = queue._next()                       # the worker takes the first
    assert job is not None and job.student == "ana" and job.state == "grading"
    assert [queue.position(queue.of(s)[0]) for s in ("ana", "bruno", "carla")] == [0, 1, 2]


def test_a_newer_submission_replaces_a_waiting_one(tmp_path: Path) -> None:
    queue = _course(tmp_path)
    _submit(queue, "ana", STAMPS[0])
    _submit(queue, "bruno", STAMPS[1])
    _submit(queue, "ana", STAMPS[2])
    queue.scan()
    assert queue._next().student == "bruno"   # ana's first is superseded, not graded
    assert [j.state for j in queue.of("ana")] == ["superseded", "queued"]
    assert queue._next().timestamp == STAMPS[2]
    assert (tmp_path / "hub" / "grading" / "log.jsonl").read_text().count("superseded") == 1


def test_names_that_are_not_a_students_submission_are_ignored(tmp_path: Path) -> None:
    queue = _course(tmp_path)
    for name in ("Ana+backprop+x+y", "ana+backprop", "..+backprop+x+y", "ana;rm+backprop+x+y"):
        (queue.inbound / name).mkdir()
    queue.scan()
    assert queue.jobs == []
