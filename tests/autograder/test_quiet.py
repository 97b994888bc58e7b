"""Instructor commands stay quiet unless something needs attention (autograder/quiet.py)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from sqlalchemy.exc import SAWarning

from autograder import quiet

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.mark.slow
def test_releasing_twice_prints_nothing_at_warning_level(tmp_path):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions" / "graphs", tmp_path / "solutions" / "graphs")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    for run in ("first", "again"):
        proc = subprocess.run([str(BIN / "nbgrader"), "generate_assignment", "graphs", "--force",
                               "--log-level=WARN", f"--CourseDirectory.root={tmp_path}"],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert proc.stderr == "", f"{run} release printed:\n{proc.stderr}"
    assert (tmp_path / "exercises" / "graphs" / "graphs.ipynb").is_file()


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_only_the_routine_messages_are_dropped():
    quiet.install()
    log = logging.getLogger("GenerateAssignmentApp")
    handler = Collect()
    log.addHandler(handler)
    try:
        log.warning("Removing existing assignment: /course/exercises/graphs")
        log.warning("Attribute 'checksum' for cell hidden_backprop has changed!")
    finally:
        log.removeHandler(handler)
    assert handler.messages == ["Attribute 'checksum' for cell hidden_backprop has changed!"]


def test_only_nbgrader_api_sawarnings_are_dropped():
    quiet.install()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        quiet.install()        # install() puts its filter in front again
        for module in ("nbgrader.api", "autograder.class_grading.gradebook_merge"):
            warnings.warn_explicit(SAWarning("Object of type <SubmittedNotebook> not in session"),
                                   SAWarning, filename=f"/x/{module}.py", lineno=1,
                                   module=module)
    assert [w.filename for w in seen] == ["/x/autograder.class_grading.gradebook_merge.py"]
