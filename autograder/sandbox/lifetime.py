"""How long a sandbox's processes live, and what is left once they are gone.

The launcher (``autograder/sandbox/kernel.py``) records, per kernel start, the
host pid of the sandbox's PID-1 process and its PID namespace; killing that
process kills every process of the sandbox. A grader killed outright takes its
sandboxes with it (bwrap's ``--die-with-parent``) but leaves its state folder
(submission copies, cases) and cgroups: the next sandbox sweeps them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CGROUP_CONTROLLERS = ("cpu", "pids", "memory")


def cgroup_dirs(uid: int) -> list[Path]:
    """The cgroup (v1) folders of the sandbox running as ``uid``, one per controller of
    :data:`CGROUP_CONTROLLERS` mounted here, nested in the grader's own cgroup.

    Each is a child of the grader's own cgroup, so the memory cgroup still counts
    towards the grader's (hierarchical accounting) while capping the sandbox's total:
    RLIMIT_AS caps one process, the cgroup all of them together. On a cgroup v2
    (unified) machine the list is empty and the rlimits alone apply.
    """
    folders = []
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(","):
            root = Path("/sys/fs/cgroup") / name
            if name in CGROUP_CONTROLLERS and (root / "cgroup.procs").is_file():
                folders.append(root / path.lstrip("/") / f"dnn-sandbox-{uid}")
    return folders


def remove_cgroups(folders: Sequence[str | Path]) -> None:
    """rmdir the emptied cgroups of a sandbox (a cgroup in use again is left alone)."""
    deadline = time.monotonic() + 2
    for folder in map(Path, folders):
        while folder.is_dir():
            try:
                folder.rmdir()
            except OSError:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)


STATE_PREFIX = "dnnsb-"


def process_id(pid: int) -> str:
    """``pid`` and its start time: names one process even after pids are reused."""
    try:
        start = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19]
    except (OSError, IndexError):
        return f"{pid} gone"
    return f"{pid} {start}"


def remove_stale_states() -> None:
    """Delete the state folders (submission copies, cases) of graders that died (SIGKILL)
    inside a sandbox, killing what is left of their sandboxes first."""
    for state in Path(tempfile.gettempdir()).glob(f"{STATE_PREFIX}*"):
        with contextlib.suppress(OSError, ValueError):
            st = state.lstat()
            if state.is_symlink() or st.st_uid != os.geteuid():
                continue
            owner = (state / "owner").read_text()
            if process_id(int(owner.split()[0])) != owner:
                kill_recorded(state / "pids")
                remove_cgroups(launch_config(state).get("cgroups", []))
                shutil.rmtree(state, ignore_errors=True)


def launch_config(state: Path) -> dict[str, Any]:
    """The launcher's configuration in a state folder ({} if there is none)."""
    try:
        return json.loads((state / "launch.json").read_text())
    except (OSError, ValueError):
        return {}


def kill_recorded(pids_file: Path) -> None:
    """SIGKILL the PID-1 process of every sandbox the launcher recorded (so all of its
    processes die), after checking that the pid still names that PID namespace."""
    if not pids_file.is_file():
        return
    for line in pids_file.read_text().splitlines():
        with contextlib.suppress(ValueError, KeyError, TypeError):
            entry = json.loads(line)
            pid, ns = int(entry["pid"]), int(entry["pidns"])
            if _running(pid, ns):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while _running(pid, ns) and time.monotonic() < deadline:
                time.sleep(0.02)


def _running(pid: int, ns: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process in PID namespace ``ns``."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        return state not in ("Z", "X") and os.stat(f"/proc/{pid}/ns/pid").st_ino == ns
    except (OSError, IndexError):
        return False
