"""The nbgrader process of one shard run: autograde its students one by one, report each outcome.

    python -m autograder.class_grading.autograde_run RUN.json

``RUN.json`` names the private course folder (``root``), the ``assignment``,
the ``students`` in order, the ``progress`` file, ``memory_mb`` and the
configuration ``overrides`` (``{section: {trait: value}}``) laid over the
course's own ``nbgrader_config.py``. Each student is graded by nbgrader's own
API (:meth:`nbgrader.apps.NbGraderAPI.autograde`: the Autograde converter
and preprocessors of ``nbgrader autograde``, for that one student), and the
outcome is appended to the progress file as one JSON line:
``{"student": s, "event": "start"}`` before, ``{"student": s, "event":
"done", "success": bool, "log": str}`` after.

Nothing in the progress file is parsed out of text: ``success`` is nbgrader's
own verdict on that student, and the file lies in the private course folder,
which no sandboxed kernel can see (a kernel's stdout and stderr never reach
this process's either). The shard (:mod:`autograder.class_grading.shard`)
reads it to follow progress and to know which student a run was busy with.
"""

from __future__ import annotations

import ctypes
import json
import resource
import signal
import sys
from pathlib import Path
from typing import Any, TextIO

LOG_KEPT = 20_000
"""Characters of nbgrader's log kept per student (the end: where the error is)."""


def _event(out: TextIO, **entry: Any) -> None:
    out.write(json.dumps(entry) + "\n")
    out.flush()


def _die_with_parent() -> None:
    """SIGKILL this process when the thread that started it ends (Linux; else nothing)."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (AttributeError, OSError):
        pass


def main(run_file: str) -> int:
    run = json.loads(Path(run_file).read_text())
    _die_with_parent()
    limit = int(run["memory_mb"]) * 2**20      # inherited by the kernels nbgrader starts
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=run["root"]).load_config()
    config.merge(Config(run["overrides"]))
    api = NbGraderAPI(config=config)
    with open(run["progress"], "a") as progress:
        for student in run["students"]:
            _event(progress, student=student, event="start")
            result = api.autograde(run["assignment"], student, force=True, create=True)
            log = str(result.get("log") or "") + str(result.get("error") or "")
            sys.stdout.write(log)
            sys.stdout.flush()
            _event(progress, student=student, event="done", success=bool(result["success"]),
                   log=log[-LOG_KEPT:])
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m autograder.class_grading.autograde_run RUN.json")
    sys.exit(main(sys.argv[1]))
