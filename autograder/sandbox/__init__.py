"""A bubblewrap sandbox for the kernel that runs one submission during grading.

:class:`Sandbox` is a context manager: on entry it writes a kernelspec that
nbclient (and so nbgrader's Execute) can start, whose argv is
``autograder/sandbox/kernel.py``; that launcher starts ipykernel inside
``bwrap`` with

* a read-only view of the system (``/usr``, ``/etc``) and of the Python
  installation (the virtualenv and its base interpreter), and nothing else of
  the host: not the course folder (gradebook.db, source/solutions, other
  submissions, autograded/, the course secret, autograder/), not HOME, not the
  host's /tmp (other kernels' connection files);
* ``dnn_ref`` replaced by the student view of :mod:`autograder.sandbox.student_view`
  (bound over the package's folder, editable install or not);
* private, size-limited tmpfs scratch: /tmp (with HOME and IPYTHONDIR), /dev/shm,
  the working folder (a copy of the submission's folder, at its own path, so
  writes there never reach the original), and ``$DNN_GRADING_DIR/out``;
* no network (own network namespace; the kernel talks to nbclient over ZMQ ipc
  sockets in a 1 MiB tmpfs of its own, which the client reaches through
  ``/proc/<pid>/root``), its own PID, IPC and UTS namespaces, a new session,
  and ``--die-with-parent``: every process of the sandbox, double-forked
  daemons included, dies with it;
* limits (:class:`Limits`) as rlimits, under a uid of its own (setpriv; one
  uid per live sandbox, so RLIMIT_NPROC binds even when grading as root and a
  fork bomb cannot starve a classmate's kernel graded in parallel);
* a seccomp filter that refuses new user namespaces (which would let the
  kernel mount tmpfs of unlimited size), foreign-ABI system calls, reaching
  into another process (ptrace, pidfd_getfd, process_vm_*) and the kernel
  keyring (keys outlive the sandbox);
* none of the grader's file descriptors: the kernel's stdin, stdout and stderr
  are /dev/null and a log inside the sandbox, and so are those of the shell
  that holds it (nothing the student's code writes reaches nbgrader's output);
* ``OPENBLAS_NUM_THREADS=1`` and friends;
* grading as root on a machine with cgroup v1 ``cpu`` and ``pids`` controllers,
  a cgroup of its own for each (:func:`cgroup_dirs`): all of a sandbox's
  processes share one CPU share, so a busy fork bomb slows its own kernel, not
  a classmate's graded in parallel, and pids.max caps them all together.

Outside, :attr:`Sandbox.grading_dir` holds ``cases/`` (written by the judge,
read-only inside) and ``out/`` (the records the kernel writes; once the kernel
runs, ``out`` is a link into the sandbox's own size-limited tmpfs through
``/proc/<pid>/root``, so a disk bomb there fills only the sandbox's memory
quota, and it vanishes with the sandbox).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from types import TracebackType
from typing import Any

from autograder.sandbox import student_view
from autograder.sandbox.command import (
    INSIDE_GRADING,
    INSIDE_HOME,
    INSIDE_SOCKETS,
    INSIDE_STAGE,
    Limits,
    bwrap_command,
    thread_env,
)
from autograder.sandbox.lifetime import (
    STATE_PREFIX,
    cgroup_dirs,
    kill_recorded,
    launch_config,
    process_id,
    remove_cgroups,
    remove_stale_states,
)

DEFAULT_LIMITS = Limits()

__all__ = ["INSIDE_GRADING", "INSIDE_HOME", "INSIDE_SOCKETS", "INSIDE_STAGE", "Limits", "Sandbox",
           "SandboxUnavailable", "cgroup_dirs", "check_available"]

TRANSPORT = "ipc"
UID_BASE, UID_COUNT = 61000, 1000
"""Grading as root, each live sandbox runs under its own uid from this range."""
KERNEL_SCRIPT = Path(__file__).with_name("kernel.py")
INSTALL_HINT = ("install bubblewrap (`bash tools/ensure_bubblewrap.sh`, or as root: apt-get "
                "install bubblewrap), or grade without isolation by passing --unsandboxed "
                "(student code then runs with your permissions; the feedback says so)")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces here; the message says what to do."""


# ------------------------------------------------------------------------- availability
@functools.cache
def _problem() -> str | None:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return f"bubblewrap (bwrap) is not installed: {INSTALL_HINT}"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return ("setpriv (util-linux) is missing; grading as root needs it to run student "
                f"code under an unprivileged uid: apt-get install util-linux, or {INSTALL_HINT}")
    unshare = (["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
               if os.geteuid() == 0 else ["--unshare-all"])
    probe = [bwrap, *unshare, "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc",
             "--dev", "/dev", "true"]
    try:
        run = subprocess.run(probe, capture_output=True, text=True, timeout=30,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap could not be run ({exc}): {INSTALL_HINT}"
    if run.returncode != 0:
        return (f"bwrap cannot create its namespaces here ({run.stderr.strip() or run.returncode});"
                " unprivileged user namespaces may be disabled (sysctl "
                "kernel.unprivileged_userns_clone=1, or on Ubuntu "
                f"kernel.apparmor_restrict_unprivileged_userns=0), or {INSTALL_HINT}")
    sized = subprocess.run([*probe[:-1], "--perms", "1777", "--size", "1048576", "--tmpfs", "/tmp",
                            "--remount-ro", "/", "true"], capture_output=True, text=True,
                           timeout=30, stdin=subprocess.DEVNULL)
    if sized.returncode != 0:
        return (f"this bwrap cannot make size-limited tmpfs mounts ({sized.stderr.strip()}); "
                f"bubblewrap 0.8 or newer is needed (Debian 12, Ubuntu 23.04): {INSTALL_HINT}")
    return None


def check_available() -> None:
    """Raise :class:`SandboxUnavailable` (saying how to fix it) unless bwrap works here."""
    problem = _problem()
    if problem:
        raise SandboxUnavailable(f"cannot sandbox student code: {problem}")


def _matplotlib_fontlists() -> list[Path]:
    """The host's matplotlib font cache files (copied in: rebuilding them takes seconds)."""
    config = os.environ.get("MPLCONFIGDIR")
    cache = Path(config) if config else Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matplotlib"
    return sorted(cache.glob("fontlist-*.json")) if cache.is_dir() else []


# ----------------------------------------------------------------------------- uids
def _claim_uid() -> tuple[int, int]:
    """A free uid of the sandbox range, held by an flock for the sandbox's lifetime."""
    folder = Path(tempfile.gettempdir()) / "dnn-sandbox-uids"
    folder.mkdir(mode=0o700, exist_ok=True)
    st = folder.lstat()
    if folder.is_symlink() or st.st_uid != 0 or st.st_mode & 0o077:
        raise SandboxUnavailable(f"{folder} must be a folder of root's with mode 700")
    for uid in range(UID_BASE, UID_BASE + UID_COUNT):
        with contextlib.suppress(KeyError):
            pwd.getpwuid(uid)
            continue                      # a real account: never borrow it
        fd = os.open(folder / str(uid), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return uid, fd
    raise SandboxUnavailable(f"all {UID_COUNT} sandbox uids from {UID_BASE} are in use")


# ----------------------------------------------------------------------------- sandbox
class Sandbox:
    """The sandbox of one submission's kernel; a context manager.

    Parameters
    ----------
    assignment : str
        The assignment's name (selects the student view of dnn_ref).
    workdir : Path
        The submission's folder; the kernel's cwd is a private writable copy
        of it at the same path.
    graded : sequence of str
        The graded function names (their reference code is stubbed in the view).
    limits : Limits
    unsandboxed : bool
        Run the same kernel without bwrap (explicit instructor opt-in: no
        isolation at all; only the student view of dnn_ref is kept).
    hide : sequence of Path
        More folders to keep invisible should they lie inside a folder the
        sandbox shows (the course folder, HOME and dnn_ref's checkout are
        always in this list).

    Attributes
    ----------
    grading_dir : Path
        Outside path of ``$DNN_GRADING_DIR``: ``cases/`` (write before the
        kernel starts) and ``out/`` (the kernel's records).
    kernel_name : str
        The kernelspec to start (found through JUPYTER_PATH while entered).
    runtime_dir : Path
        Where the kernel manager writes the connection file (see :meth:`configure`).
    socket_dir : Path
        Where the client finds the kernel's ipc sockets: once the kernel runs, a
        link to the sandbox's own socket tmpfs (so nothing the kernel writes
        lands on the host's disk).
    """

    def __init__(self, *, assignment: str, workdir: Path, graded: Sequence[str],
                 limits: Limits = DEFAULT_LIMITS, unsandboxed: bool = False,
                 hide: Sequence[Path] = ()) -> None:
        self.assignment, self.workdir = assignment, Path(workdir).resolve()
        self.graded, self.limits, self.unsandboxed = list(graded), limits, unsandboxed
        self.hide = [Path(p).resolve() for p in hide]
        self.kernel_name = f"dnn-sandbox-{secrets.token_hex(4)}"
        self.uid: int | None = None
        self._uid_fd: int | None = None
        self._saved_env: dict[str, str | None] = {}
        self._state: Path | None = None

    # --- paths ---------------------------------------------------------------------
    @property
    def state(self) -> Path:
        if self._state is None:
            raise RuntimeError("use the Sandbox as a context manager (with Sandbox(...) as box)")
        return self._state

    @property
    def grading_dir(self) -> Path:
        return self.state / "grading"

    @property
    def runtime_dir(self) -> Path:
        return self.state / "conn"

    @property
    def socket_dir(self) -> Path:
        return self.state / "rt"

    # --- life cycle ----------------------------------------------------------------
    def __enter__(self) -> Sandbox:
        if not self.unsandboxed:
            check_available()
        if not self.workdir.is_dir():
            raise FileNotFoundError(f"the submission's folder {self.workdir} does not exist")
        remove_stale_states()
        self._state = Path(tempfile.mkdtemp(prefix=STATE_PREFIX))
        (self._state / "owner").write_text(process_id(os.getpid()))
        try:
            self._prepare()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _prepare(self) -> None:
        if not self.unsandboxed and os.geteuid() == 0:
            self.uid, self._uid_fd = _claim_uid()
        (self.grading_dir / "cases").mkdir(parents=True)
        (self.grading_dir / "out").mkdir()
        self.grading_dir.chmod(0o755)
        (self.grading_dir / "cases").chmod(0o755)
        self.runtime_dir.mkdir(mode=0o700)
        if self.unsandboxed:
            self.socket_dir.mkdir(mode=0o700)
        view = student_view.build_view(self.assignment, self.graded)
        spec_dir = self.state / "jupyter" / "kernels" / self.kernel_name
        spec_dir.mkdir(parents=True)
        spec = {"argv": self._kernel_argv(view), "display_name":
                f"Python 3 ({'UNSANDBOXED' if self.unsandboxed else 'sandboxed'} grading of "
                f"{self.assignment})", "language": "python", "interrupt_mode": "message",
                "metadata": {"debugger": False}}
        if self.unsandboxed:
            spec["env"] = {**thread_env(), "DNN_GRADING_DIR": str(self.grading_dir),
                           "PYTHONPATH": str(view.parent)}
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
        for key, value in (("JUPYTER_PATH", os.pathsep.join(
                filter(None, [str(self.state / "jupyter"), os.environ.get("JUPYTER_PATH")]))),
                ("JUPYTER_RUNTIME_DIR", str(self.runtime_dir))):
            self._saved_env[key] = os.environ.get(key)
            os.environ[key] = value

    def _kernel_argv(self, view: Path) -> list[str]:
        if self.unsandboxed:
            return [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        stage = self.state / "stage"
        (stage / "mpl").mkdir(parents=True)
        for fontlist in _matplotlib_fontlists():
            shutil.copyfile(fontlist, stage / "mpl" / fontlist.name)
        launch = {"argv": self.bwrap_argv(view), "runtime_dir": str(self.runtime_dir),
                  "socket_dir": str(self.socket_dir), "inside_sockets": INSIDE_SOCKETS,
                  "uid": self.uid, "workdir": str(self.workdir), "stage": str(stage),
                  "links": {str(self.grading_dir / "out"): f"{INSIDE_GRADING}/out",
                            str(self.socket_dir): INSIDE_SOCKETS},
                  "pids": str(self.state / "pids"), "limits": asdict(self.limits),
                  "cgroups": [str(c) for c in cgroup_dirs(self.uid)] if self.uid else []}
        path = self.state / "launch.json"
        path.write_text(json.dumps(launch, indent=1))
        path.chmod(0o600)
        return [sys.executable, "-I", str(KERNEL_SCRIPT), str(path), "{connection_file}"]

    def bwrap_argv(self, view: Path) -> list[str]:
        """The command line that starts the kernel (the launcher fills in the fds)."""
        return bwrap_command(workdir=self.workdir, view=view, grading_dir=self.grading_dir,
                             stage=self.state / "stage", limits=self.limits, uid=self.uid,
                             hide=self.hide)

    def configure(self, km: Any) -> Any:
        """Make a jupyter_client kernel manager talk to this sandbox's kernel (ipc sockets).

        Call it on the manager before ``start_kernel`` (in nbclient:
        ``create_kernel_manager``); it returns ``km``. A kernel in its own
        network namespace cannot be reached over TCP, and jupyter_client's
        default ipc socket path is relative to the current folder.
        """
        name = f"kernel-{secrets.token_hex(8)}"
        km.transport = TRANSPORT
        km.connection_file = str(self.runtime_dir / f"{name}.json")
        km.ip = str(self.socket_dir / f"{name}-ipc")
        return km

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._state is not None:
            kill_recorded(self.state / "pids")
            remove_cgroups(launch_config(self.state).get("cgroups", []))
            shutil.rmtree(self._state, ignore_errors=True)
            self._state = None
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env = {}
        if self._uid_fd is not None:
            os.close(self._uid_fd)
            self._uid_fd, self.uid = None, None
