"""Shard jobs and results as files, for graders that run a shard as a command of its own.

A job (:func:`autograder.class_grading.shard.grade_shard`'s argument) and a
result are plain dicts whose leaves are strings, numbers, booleans and bytes;
on disk they are JSON with each ``bytes`` written as ``{"base64": "..."}``.

    python -m autograder grade-class A --write-jobs jobs/       # jobs/shard-000.json, ...
    python -m autograder.class_grading.shard jobs/shard-000.json results/shard-000/
    python -m autograder grade-class A --merge-results results/ # every results/*/result.json

A job file holds the students' submissions, the gradebook snapshot and the
hidden cases' seeds (never the course secret): keep it as private as the
course folder.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

RESULT = "result.json"


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"base64"} and isinstance(value["base64"], str):
            return base64.b64decode(value["base64"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _write_private(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(_encode(data), f)
    return path


def _read(path: Path, what: str) -> dict[str, Any]:
    try:
        data = _decode(json.loads(Path(path).read_text()))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"cannot read the {what} file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise SystemExit(f"{path} is not a {what} file (not a JSON object)")
    return data


def write_jobs(folder: Path, jobs: list[dict[str, Any]]) -> list[Path]:
    """``folder/shard-NNN.json`` for each job (mode 600); their paths."""
    return [_write_private(Path(folder) / f"shard-{i:03d}.json", job)
            for i, job in enumerate(jobs)]


def read_job(path: Path) -> dict[str, Any]:
    """A job written by :func:`write_jobs`."""
    job = _read(path, "shard job")
    missing = {"assignment", "submissions", "case_seeds", "gradebook"} - set(job)
    if missing:
        raise SystemExit(f"{path} is not a shard job: it lacks {', '.join(sorted(missing))}")
    return job


def write_result(folder: Path, result: dict[str, Any]) -> Path:
    """``folder/result.json`` (mode 600); its path."""
    return _write_private(Path(folder) / RESULT, result)


def read_results(folder: Path) -> list[dict[str, Any]]:
    """Every ``result.json`` under ``folder`` (one per shard), in name order."""
    paths = sorted(Path(folder).glob(f"*/{RESULT}")) + sorted(Path(folder).glob(RESULT))
    if not paths:
        raise SystemExit(f"no {RESULT} under {folder}: run the shard jobs first")
    return [_read(p, "shard result") for p in paths]
