"""The bubblewrap command line of a sandboxed grading kernel (see :mod:`autograder.sandbox`).

The mounts, in order: the system (``/usr``, ``/etc`` and the ``/bin``-style
links), the Python installation (venv and base interpreter), empty read-only
tmpfs over hidden folders that lie inside those, the student view of dnn_ref
over the package's folder, ``/proc``, ``/dev``, then the size-limited
writable tmpfs mounts (``/dev/shm``, ``/tmp``, the socket folder,
``$DNN_GRADING_DIR/out``, the working folder) and the read-only cases and
stage; finally ``/``, ``/dev`` and the hiding tmpfs are remounted read-only.
Every other host path is simply absent.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox import blocked_packages, student_view

INSIDE_GRADING = "/run/dnn-grading"
"""$DNN_GRADING_DIR inside the sandbox."""
INSIDE_STAGE = "/run/dnn-stage"
"""Read-only inside: the submission's folder as it was when the kernel started."""
INSIDE_SOCKETS = "/run/dnn-rt"
"""Inside: the kernel's ipc sockets and its copy of the connection file (a small tmpfs)."""
INSIDE_HOME = "/tmp/home"

@dataclass(frozen=True)
class Limits:
    """Resource limits of a sandbox.

    Attributes
    ----------
    memory_mb : int
        RLIMIT_AS (address space) of every process, in MiB.
    cpu_s : int
        RLIMIT_CPU of every process, in CPU seconds (SIGXCPU, then SIGKILL 5 s later).
    nproc : int
        RLIMIT_NPROC: processes and threads of the sandbox's uid.
    file_mb : int
        RLIMIT_FSIZE: the largest file any process may write, in MiB; also the
        size of ``$DNN_GRADING_DIR/out`` and of /dev/shm.
    scratch_mb : int
        Size of each writable tmpfs: /tmp (HOME, IPYTHONDIR live there) and the
        working folder.
    """

    memory_mb: int = 4096
    cpu_s: int = 900
    nproc: int = 256
    file_mb: int = 64
    scratch_mb: int = 256


# ------------------------------------------------------------------------------ mounts
def _inside(path: str, tree: str) -> bool:
    return path == tree or path.startswith(tree.rstrip("/") + "/")


class _Mounts:
    """bwrap mount arguments, creating each destination's missing parents world-readable."""

    def __init__(self) -> None:
        self.args: list[str] = []
        self.trees: list[str] = []
        self.binds: list[str] = []
        self.made: set[str] = {"/"}
        self.read_only: list[str] = []

    def _parents(self, dest: str) -> None:
        parts = Path(dest).parts
        for i in range(2, len(parts)):
            parent = str(Path(*parts[:i]))
            if parent not in self.made and not any(_inside(parent, t) for t in self.binds):
                self.args += ["--perms", "0755", "--dir", parent]
                self.made.add(parent)

    def shows_host(self, path: str) -> bool:
        """Whether ``path`` lies in a folder bound from the host (not in a fresh tmpfs)."""
        return any(_inside(path, b) for b in self.binds)

    def bind(self, src: str | Path, dest: str | Path, *, writable: bool = False) -> None:
        self._parents(str(dest))
        self.args += ["--bind" if writable else "--ro-bind", str(src), str(dest)]
        self.made.add(str(dest))
        self.trees.append(str(dest))
        self.binds.append(str(dest))

    def tmpfs(self, dest: str | Path, size_mb: int, *, read_only: bool = False) -> None:
        self._parents(str(dest))
        self.args += ["--perms", "1777", "--size", str(size_mb * 2**20), "--tmpfs", str(dest)]
        self.made.add(str(dest))
        self.trees.append(str(dest))
        if read_only:
            self.read_only.append(str(dest))

    def system(self) -> None:
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            path = Path("/") / name
            if path.is_symlink():
                self.args += ["--symlink", os.readlink(path), str(path)]
                self.made.add(str(path))
            elif path.is_dir():
                self.bind(path, path)
        self.bind("/usr", "/usr")
        self.bind("/etc", "/etc")


def python_roots() -> list[Path]:
    """The folders the sandboxed Python needs: the venv and the interpreter's installation."""
    candidates = [Path(sys.prefix), Path(sys.base_prefix),
                  Path(os.path.realpath(sys.executable)).parent.parent]
    roots: list[Path] = []
    for path in sorted({p.resolve() for p in candidates}, key=lambda p: len(p.parts)):
        if not any(_inside(str(path), str(r)) for r in [*roots, Path("/usr"), Path("/etc")]):
            roots.append(path)
    return roots


def _course_root(workdir: Path) -> Path | None:
    for folder in [workdir, *workdir.parents]:
        if (folder / "nbgrader_config.py").is_file() or (folder / "gradebook.db").is_file():
            return folder
    return None



def bwrap_command(*, workdir: Path, view: Path, grading_dir: Path, stage: Path, limits: Limits,
                  uid: int | None, hide: Sequence[Path] = ()) -> list[str]:
    """The command line that starts a sandboxed kernel.

    Parameters
    ----------
    workdir : Path
        The submission's folder: a tmpfs at that path is the kernel's cwd, filled
        from ``stage/submission``.
    view : Path
        The student view's ``dnn_ref`` folder, bound over the installed package.
    grading_dir : Path
        Its ``cases/`` is shown read-only at ``INSIDE_GRADING/cases``.
    stage : Path
        Shown read-only at ``INSIDE_STAGE``: ``submission/``, ``mpl/`` (font
        cache) and ``connection.json`` (written by the launcher).
    limits : Limits
        Sizes of the tmpfs mounts (the rlimits are set by the launcher).
    uid : int or None
        Grading as root: the uid setpriv drops to inside. None: bwrap runs
        unprivileged, in a user namespace.
    hide : sequence of Path
        Folders to show empty should they lie inside a shown one; HOME, the
        current folder, the course folder and dnn_ref's checkout are added.

    Returns
    -------
    list of str
        argv; the launcher replaces ``{info_fd}`` and ``{seccomp_fd}``.
    """
    m = _Mounts()
    m.system()
    # the private /tmp first: a venv, a checkout or a course that lives under the host's
    # /tmp (a CI clone, pytest's folders) is bound on top of it below, not hidden by it
    m.tmpfs("/dev/shm", limits.file_mb)
    m.tmpfs("/tmp", limits.scratch_mb)
    roots = python_roots()
    for root in roots:
        m.bind(root, root)
    package = student_view.package_dir()
    hidden = {p for p in [*hide, Path.home().resolve(), Path.cwd().resolve(),
                          _course_root(workdir), package.parent,
                          Path(__file__).resolve().parents[1]] if p}  # autograder/
    for path in sorted(hidden, key=lambda p: len(p.parts)):
        if m.shows_host(str(path)) and str(path) not in ("/", "/usr", "/etc"):
            m.tmpfs(path, 1, read_only=True)
            for root in roots:        # e.g. a venv inside the course folder
                if _inside(str(root), str(path)) and root != path:
                    m.bind(root, root)
    m.bind(view, package)
    for stub, folder in blocked_packages.stubs():
        if m.shows_host(str(folder)):
            m.bind(stub, folder)
    m.args += ["--proc", "/proc", "--dev", "/dev"]
    m.made.update(("/proc", "/dev"))
    m.tmpfs(INSIDE_SOCKETS, 1)
    m.bind(grading_dir / "cases", f"{INSIDE_GRADING}/cases")
    m.tmpfs(f"{INSIDE_GRADING}/out", limits.file_mb)
    m.bind(stage, INSIDE_STAGE)
    m.tmpfs(workdir, limits.scratch_mb)
    for path in [*m.read_only, "/dev", "/"]:
        m.args += ["--remount-ro", path]
    env = {"PATH": f"{sys.prefix}/bin:/usr/local/bin:/usr/bin:/bin", "HOME": INSIDE_HOME,
           "USER": "student", "LOGNAME": "student", "LANG": "C.UTF-8", "TMPDIR": "/tmp",
           "IPYTHONDIR": f"{INSIDE_HOME}/.ipython",
           "MPLCONFIGDIR": f"{INSIDE_HOME}/.config/matplotlib",
           "JUPYTER_CONFIG_DIR": f"{INSIDE_HOME}/.jupyter",
           "JUPYTER_DATA_DIR": f"{INSIDE_HOME}/.local/share/jupyter",
           "JUPYTER_RUNTIME_DIR": INSIDE_SOCKETS, "VIRTUAL_ENV": sys.prefix,
           "DNN_GRADING_DIR": INSIDE_GRADING, "PYTHONDONTWRITEBYTECODE": "1",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1", "JPY_PARENT_PID": "2", **thread_env()}
    root = uid is not None             # grading as root: privileged bwrap, then setpriv
    unshare = (["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                "--unshare-cgroup-try"] if root else ["--unshare-all"])
    argv = ["bwrap", *unshare, "--die-with-parent", "--new-session", "--hostname", "sandbox",
            *m.args, "--chdir", str(workdir), "--clearenv"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    argv += ["--info-fd", "{info_fd}", "--seccomp", "{seccomp_fd}"]
    if root:
        argv += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                 "--bounding-set=-all", "--inh-caps=-all", "--"]
    return [*argv, "sh", "-c", KERNEL_SHELL, sys.executable]


KERNEL_SHELL = f"""set -e
mkdir -p "$HOME" "$IPYTHONDIR" "$MPLCONFIGDIR"
cp -R {INSIDE_STAGE}/mpl/. "$MPLCONFIGDIR"/
cp -R {INSIDE_STAGE}/submission/. .
cp {INSIDE_STAGE}/connection.json {INSIDE_SOCKETS}/kernel.json
exec </dev/null >/tmp/.kernel.log 2>&1
set +e
trap : INT
"$0" -m ipykernel_launcher -f {INSIDE_SOCKETS}/kernel.json
exit $?
"""
"""Runs as PID 2 (bwrap's init is PID 1) and stays the kernel's parent: ipykernel
must not be PID 2, as its parent poller takes a parent of PID 1 for a dead parent.
JPY_PARENT_PID=2 makes the kernel watch this shell (and silences its Ctrl-C note).
Before the kernel starts, the shell swaps its own stdin, stdout and stderr (the
grader's: nbgrader's log, maybe the instructor's terminal) for /dev/null and a log
inside the sandbox, so no process of the sandbox holds them: nothing the student's
code prints or forges reaches the grader's output, whose lines nbgrader and the
class tool read."""


def thread_env() -> dict[str, str]:
    """Single-threaded BLAS and OpenMP: the sandbox shares the machine with other graders."""
    return {k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                             "NUMEXPR_NUM_THREADS")}


