"""Prepare the server for the course hub (run as root by ``make hub`` before JupyterHub starts).

    python -m autograder.hub.setup

1. the grader account ``grader-<course>`` (no password, home 700) with its nbgrader
   and Jupyter configuration: the course folder, the exchange, the formgrader on;
2. the course folder's private parts (:data:`PRIVATE`: solutions, sources, tests,
   git history, gradebook, submissions, feedback, grades, the secret) readable by
   root and the grader's group only, never by students' accounts; the folder itself
   group-writable for the gradebook's journal;
3. the configuration every user's server loads (``hub/jupyter/config``, root's):
   the exchange with ``path_includes_course`` and ``JupyterHubAuthPlugin``, ipc
   kernel sockets, nbgrader's formgrader and create-assignment tools off, the book's
   launch button (:mod:`autograder.hub.open_chapter`), MyST markdown opened as a
   notebook; and the
   only kernelspec users' servers see (``hub/jupyter/data/kernels/python3``), whose
   kernel runs in the sandbox (:mod:`autograder.hub.student_kernel`);
4. the ``.pth`` file that loads :mod:`autograder.hub.config_guard` in the hub's Python,
   and ``hub/jupyterhub_config.py``, which calls :func:`autograder.hub.hub_config.configure`;
5. every assignment of ``exercises/`` released to the exchange.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from autograder.hub.accounts import ensure_account
from autograder.hub.settings import Course, course
from autograder.sandbox import check_available

PRIVATE = ("solutions", "assignments", "tests", ".git", "gradebook.db", "submitted",
           "autograded", "feedback", "downloaded", "report", "grades.csv", "grades-canvas.csv")
"""Course-folder entries no student account may read (the grader's group may)."""
GRADER_WRITES = ("gradebook.db", "submitted", "autograded", "feedback")
ROOT_ONLY = (".course_secret", "hub/passwords.csv")


def _walk(path: Path) -> list[Path]:
    return [path, *path.rglob("*")] if path.is_dir() and not path.is_symlink() else [path]


def lock_down(c: Course, gid: int) -> None:
    """Give the private parts of the course folder to root and the grader's group only."""
    for name in ("submitted", "autograded", "feedback"):
        (c.root / name).mkdir(exist_ok=True)
    for name in PRIVATE:
        top = c.root / name
        if not top.exists():
            continue
        for path in _walk(top):
            if path.is_symlink():
                continue
            st = path.stat()
            os.chown(path, -1, gid)
            mode = st.st_mode & 0o7777 & ~0o007 | 0o040 | (0o010 if st.st_mode & 0o100 else 0)
            if name in GRADER_WRITES:
                mode |= 0o020 | (0o2000 if path.is_dir() else 0)
            path.chmod(mode)
    for name in ROOT_ONLY:
        if (c.root / name).exists():
            os.chown(c.root / name, 0, 0)
            (c.root / name).chmod(0o600)
    os.chown(c.root, -1, gid)                       # sqlite writes a journal next to the db
    c.root.chmod(c.root.stat().st_mode & 0o7777 | 0o070)


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    path.write_text(json.dumps(data, indent=1) + "\n")
    path.chmod(0o644)


def nbgrader_lines(c: Course) -> list[str]:
    return ["c = get_config()  # noqa: F821",
            f"c.CourseDirectory.course_id = {c.course_id!r}",
            f"c.Exchange.root = {str(c.exchange)!r}",
            "c.Exchange.path_includes_course = True",
            "from nbgrader.auth import JupyterHubAuthPlugin",
            "c.Authenticator.plugin_class = JupyterHubAuthPlugin"]


def user_server_config(c: Course) -> None:
    """hub/jupyter/{config,data}: what every user's server loads, and its one kernelspec."""
    config, data = c.hub / "jupyter" / "config", c.hub / "jupyter" / "data"
    for folder in (c.hub, c.hub / "jupyter", config, data):
        folder.mkdir(exist_ok=True)
        folder.chmod(0o755)
    (config / "migrated").write_text("")   # jupyter_core's one-time migration: nothing to do
    write_json(config / "jupyter_server_config.json", {"ServerApp": {"jpserver_extensions": {
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.course_list": False,
        "autograder.hub.open_chapter": True}}})
    write_json(Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json",
               {"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {
                   "markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}}})
    write_json(config / "labconfig" / "page_config.json", {"disabledExtensions": {
        "@jupyter/nbgrader:formgrader": True, "@jupyter/nbgrader:create-assignment": True,
        "@jupyter/nbgrader:course-list": True}})
    lines = [*nbgrader_lines(c), 'c.KernelManager.transport = "ipc"',
             "import os  # noqa: E402 -- the student's own nbgrader cache (submit keeps one)",
             'c.Exchange.cache = os.path.expanduser("~/.local/share/jupyter/nbgrader_cache")']
    (config / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
    (config / "nbgrader_config.py").chmod(0o644)
    write_json(data / "kernels" / "python3" / "kernel.json", {
        "argv": [sys.executable, "-I", "-m", "autograder.hub.student_kernel",
                 "{connection_file}"],
        "display_name": "Python 3 (sandboxed)", "language": "python",
        "interrupt_mode": "message", "metadata": {"debugger": False}})


def grader_config(c: Course) -> None:
    """The grader account's nbgrader configuration: the course folder is the checkout."""
    account = pwd.getpwnam(c.grader)
    folder = Path(account.pw_dir) / ".jupyter"
    folder.mkdir(exist_ok=True)
    lines = [*nbgrader_lines(c), f"c.CourseDirectory.root = {str(c.root)!r}"]
    (folder / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
    os.chown(folder, account.pw_uid, account.pw_gid)      # the server writes there
    os.chown(folder / "nbgrader_config.py", 0, account.pw_gid)
    (folder / "nbgrader_config.py").chmod(0o640)


HUB_CONFIG = """\"\"\"The course hub's JupyterHub configuration (by autograder/hub/setup.py).\"\"\"

from autograder.hub.hub_config import configure

configure(get_config())  # noqa: F821 -- defined by traitlets when it executes this file
"""


def install_guard() -> None:
    """A .pth file in the hub's environment that imports the config guard at start-up."""
    site = Path(sysconfig.get_paths()["purelib"])
    (site / "dnn_hub_config_guard.pth").write_text("import autograder.hub.config_guard\n")


def release(c: Course) -> list[str]:
    """Release every assignment of the release folder (``exercises/``) to the exchange."""
    c.exchange.mkdir(exist_ok=True)
    c.exchange.chmod(0o755)
    names = sorted(p.name for p in (c.root / "exercises").iterdir() if p.is_dir())
    nbgrader = shutil.which("nbgrader", path=str(Path(sys.executable).parent))
    for name in names:
        subprocess.run([nbgrader, "release_assignment", name, "--force", "--log-level=WARN",
                        "--Exchange.path_includes_course=True"], cwd=c.root, check=True,
                       env={**os.environ, "PATH": f"{Path(sys.executable).parent}:"
                            f"{os.environ.get('PATH', '')}"})
    return names


def private_hub_state(hub: Path) -> None:
    """The hub's database (users, cookie ids, server ports) readable by root only: SQLite
    would create it 644 in a folder every account can enter (hub/venv must stay runnable).
    JupyterHub itself keeps its cookie secret 600."""
    path = hub / "jupyterhub.sqlite"
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)


def main() -> int:
    if os.geteuid() != 0:
        raise SystemExit("the hub runs as root (it logs users in with PAM and starts their "
                         "servers as them): run `sudo make hub`")
    check_available()
    c = course()
    ensure_account(c.grader, login=False)
    gid = grp.getgrnam(c.grader).gr_gid
    lock_down(c, gid)
    user_server_config(c)
    grader_config(c)
    install_guard()
    (c.hub / "jupyterhub_config.py").write_text(HUB_CONFIG)
    private_hub_state(c.hub)
    names = release(c)
    print(f"course {c.course_id}: released {', '.join(names)} to {c.exchange}; "
          f"formgrader run by {c.grader}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
