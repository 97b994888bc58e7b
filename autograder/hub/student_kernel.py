"""Start a student's interactive kernel on the hub inside bubblewrap (the kernelspec's argv).

The hub's ``python3`` kernelspec runs ``python -I -m autograder.hub.student_kernel
{connection_file}`` as the student (their own server starts it). The kernel then
runs in the grading sandbox's mounts (:class:`autograder.sandbox.command._Mounts`)
with these differences: the student's home is bound read-write at its own path
(notebooks and the kernel's ipc sockets live there), it keeps the student's uid
(an unprivileged bwrap in a user namespace), and dnn_ref is the package students
get, not the grading view. So the kernel sees

* the system, the hub's Python environment and dnn_ref, all read-only;
* its own home, writable; private size-limited ``/tmp`` and ``/dev/shm``;
* nothing else of the host: no other home, no course folder (solutions,
  gradebook, secret, submissions), no exchange;
* no network at all (own network namespace: the hub's API and the internet are
  unreachable), its own PID, IPC and UTS namespaces, no new user namespaces
  (the grading seccomp filter);
* rlimits (:data:`LIMITS`): a 10 GB allocation fails with MemoryError, a fork
  bomb with EAGAIN. The spawner (:mod:`autograder.hub.spawner`) adds a cgroup per
  student around their whole server: one core, a memory and a process cap.

The server must use ipc sockets (``KernelManager.transport = "ipc"``) in the
student's home; the hub's configuration sets that.
"""

from __future__ import annotations

import json
import os
import platform
import pwd
import sys
from dataclasses import asdict
from pathlib import Path

from autograder.sandbox import student_view
from autograder.sandbox.command import Limits, _inside, _Mounts, python_roots, thread_env
from autograder.sandbox.kernel import SECCOMP_ARCH, fail, seccomp_fd, set_limits

LIMITS = Limits(memory_mb=3072, cpu_s=24 * 3600, nproc=96, file_mb=512, scratch_mb=512)
"""Per kernel: address space 3 GiB per process, 96 processes/threads beyond those the
student already runs, 512 MiB per file and per tmpfs. CPU time is not limited here (a
student may train for an hour); the student's cgroup gives them one core."""

KERNEL_SHELL = """trap : INT
"$0" -m ipykernel_launcher -f "$1"
"""
"""PID 2 in the sandbox, the kernel's parent (ipykernel must not be PID 2: it takes a
parent of PID 1 for a dead parent); JPY_PARENT_PID=2 makes the kernel watch it."""


def check_connection(connection_file: Path, home: Path) -> None:
    """Refuse a connection file the sandboxed kernel could not use (TCP, or outside home)."""
    try:
        info = json.loads(connection_file.read_text())
    except (OSError, ValueError) as exc:
        fail(f"cannot read the connection file {connection_file}: {exc}")
    ip = os.path.abspath(str(info.get("ip", "")))
    if info.get("transport") != "ipc":
        fail("the kernel has no network, so the server must use ipc sockets: set "
             "KernelManager.transport = 'ipc' (the hub's jupyterhub_config does)")
    for path in (str(connection_file.resolve()), ip):
        if not _inside(path, str(home)):
            fail(f"{path} is outside your home {home}; the sandboxed kernel sees only your home")


def bwrap_argv(home: Path, cwd: Path, user: str, connection_file: Path) -> list[str]:
    """The bubblewrap command line of one interactive kernel.

    Parameters
    ----------
    home : Path
        The student's home (resolved); bound read-write.
    cwd : Path
        The kernel's working folder (the notebook's), inside ``home``.
    user : str
        The student's login name (USER inside).
    connection_file : Path
        Written by the student's server, inside ``home``.

    Returns
    -------
    list of str
        argv with ``{seccomp_fd}`` still to be replaced.
    """
    m = _Mounts()
    m.system()
    m.tmpfs("/dev/shm", LIMITS.file_mb)
    m.tmpfs("/tmp", LIMITS.scratch_mb)
    roots = python_roots()
    for root in roots:
        m.bind(root, root)
    package = student_view.package_dir()     # an editable dnn_ref lives in the checkout
    if not any(_inside(str(package), str(r)) for r in roots):
        m.bind(package, package)
    m.bind(home, home, writable=True)
    m.args += ["--proc", "/proc", "--dev", "/dev"]
    m.made.update(("/proc", "/dev"))
    for path in [*m.read_only, "/dev", "/"]:
        m.args += ["--remount-ro", path]
    prefix = Path(sys.prefix).resolve()        # the venv's real folder: what is bound inside
    env = {"PATH": f"{prefix}/bin:/usr/local/bin:/usr/bin:/bin", "HOME": str(home),
           "USER": user, "LOGNAME": user, "LANG": "C.UTF-8", "TMPDIR": "/tmp",
           "VIRTUAL_ENV": str(prefix), "JPY_PARENT_PID": "2",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1", **thread_env()}
    argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
            "--hostname", "sandbox", *m.args, "--chdir", str(cwd), "--clearenv"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    argv += ["--seccomp", "{seccomp_fd}"]
    return [*argv, "sh", "-c", KERNEL_SHELL, str(prefix / "bin" / "python"),
            str(connection_file)]


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        fail("usage: python -I -m autograder.hub.student_kernel <connection file>")
    account = pwd.getpwuid(os.getuid())
    home = Path(account.pw_dir).resolve()
    connection_file = Path(argv[0]).absolute()
    check_connection(connection_file, home)
    cwd = Path.cwd().resolve()
    if not _inside(str(cwd), str(home)):
        cwd = home
    command = bwrap_argv(home, cwd, account.pw_name, connection_file)
    at = command.index("{seccomp_fd}")
    if platform.machine() in SECCOMP_ARCH:
        command[at] = str(seccomp_fd())
    else:
        del command[at - 1:at + 1]
    set_limits({"limits": asdict(LIMITS), "uid": None})
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
