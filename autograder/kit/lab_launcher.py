"""Start JupyterLab as a student of the course gets it: ``dnn-course-lab [jupyter lab options]``.

In the student kit this file is ``dnn_ref/lab.py`` (the ``dnn-course-lab``
command), next to ``lab_config/``: the Jupyter configuration that keeps
nbgrader's Validate button and turns off its instructor tools (formgrader,
Create Assignment) and the exchange-based Assignments and Courses lists
(a kit student hands in through the course's LMS). It is put first on
``JUPYTER_CONFIG_PATH``, so it wins over what nbgrader's installation
enables, and the student's own ``~/.jupyter`` still works. As root (a
container, a lab VM) it adds ``--allow-root``, which Jupyter otherwise demands.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CONFIG = Path(__file__).with_name("lab_config")


def command(argv: list[str], *, root: bool) -> list[str]:
    """The ``jupyter lab`` command line to run for ``dnn-course-lab argv``."""
    extra = ["--allow-root"] if root and "--allow-root" not in argv else []
    return [sys.executable, "-m", "jupyterlab", *extra, *argv]


def environment(base: dict[str, str]) -> dict[str, str]:
    """``base`` with the student configuration first on ``JUPYTER_CONFIG_PATH``."""
    paths = [str(CONFIG), *filter(None, base.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep))]
    return {**base, "JUPYTER_CONFIG_PATH": os.pathsep.join(paths)}


def main() -> None:
    """Replace this process by JupyterLab (on Windows, run it and return its exit code)."""
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    cmd, env = command(sys.argv[1:], root=root), environment(dict(os.environ))
    if os.name == "nt":
        import subprocess
        sys.exit(subprocess.call(cmd, env=env))
    os.execve(cmd[0], cmd, env)


if __name__ == "__main__":
    main()
