"""The grading sandbox (autograder/sandbox.py) with real bubblewrap and real kernels.

One sandboxed kernel, started through the sandbox's kernelspec with
jupyter_client, serves most tests (they only read, or write inside their own
scratch); tests that must end or kill a kernel start their own.
"""

from __future__ import annotations

import ast
import json
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from jupyter_client import AsyncKernelManager, KernelManager
from nbclient import NotebookClient

import autograder
from autograder import sandbox
from autograder.sandbox import (
    Limits,
    Sandbox,
    SandboxUnavailable,
    blocked_packages,
    check_available,
)
from autograder.sandbox.kernel import REFUSED_CALLS
from autograder.sandbox.student_view import package_dir

REPO = Path(autograder.__file__).resolve().parent.parent
LIMITS = Limits(memory_mb=1536, cpu_s=600, nproc=64, file_mb=8, scratch_mb=32)
GRADED = ["one_layer_backward", "backprop", "update_parameters"]
MiB = 2**20


# ------------------------------------------------------------------------------ helpers
def run(kc, code: str, timeout: float = 60) -> tuple[str, str]:
    """Run ``code`` in the kernel; (status, everything it printed or raised).

    An error does not abort the requests queued after it (each test stands alone)."""
    out: list[str] = []

    def hook(msg: dict) -> None:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            out.append(f"{content['ename']}: {content['evalue']}")
        elif kind in ("execute_result", "display_data"):
            out.append(content["data"].get("text/plain", ""))

    reply = kc.execute_interactive(code, timeout=timeout, output_hook=hook, stop_on_error=False)
    return reply["content"]["status"], "".join(out)


def run_json(kc, code: str, timeout: float = 60) -> object:
    """Run ``code`` whose last line prints one JSON value; that value."""
    status, text = run(kc, code, timeout)
    assert status == "ok", text
    return json.loads(text.strip().splitlines()[-1])


def start(box: Sandbox, workdir: Path) -> tuple[KernelManager, object]:
    km = box.configure(KernelManager(kernel_name=box.kernel_name))
    km.start_kernel(cwd=str(workdir))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    return km, kc


def processes_of(uid: int) -> list[int]:
    """Host pids of the processes running under ``uid``."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    pids.append(int(entry))
            except OSError:
                continue
    return pids


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def wait_until(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course folder as nbgrader leaves it, with things no kernel may see."""
    root = tmp_path_factory.mktemp("course")
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    db = sqlite3.connect(root / "gradebook.db")
    db.execute("create table grade (student text, score real)")
    db.commit()
    db.close()
    (root / ".course_secret").write_text("course-secret-value\n")
    for folder, text in (("solutions/backprop", "SOLUTION"), ("source/backprop", "SOURCE"),
                         ("submitted/bob/backprop", "BOB'S ANSWER"),
                         ("autograded/bob/backprop", "BOB GRADED"),
                         ("autograded/alice/backprop", "ALICE")):
        (root / folder).mkdir(parents=True)
        (root / folder / "backprop.ipynb").write_text(text)
    (root / "autograded/alice/backprop/data.txt").write_text("alice's data\n")
    return root


@pytest.fixture(scope="module")
def workdir(course: Path) -> Path:
    return course / "autograded/alice/backprop"


@pytest.fixture(scope="module")
def box(workdir: Path) -> Iterator[Sandbox]:
    with Sandbox(assignment="backprop", workdir=workdir, graded=GRADED, limits=LIMITS,
                 hide=[Path(sys.prefix) / "include"]) as b:
        yield b


@pytest.fixture(scope="module")
def kc(box: Sandbox, workdir: Path) -> Iterator[object]:
    km, client = start(box, workdir)
    yield client
    client.stop_channels()
    km.shutdown_kernel(now=True)


# ------------------------------------------------------------------------ availability
def test_bwrap_is_available_here() -> None:
    check_available()


def test_missing_bwrap_is_refused_with_what_to_do(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    sandbox._problem.cache_clear()
    try:
        with pytest.raises(SandboxUnavailable, match="bubblewrap.*ensure_bubblewrap.*unsandboxed"):
            check_available()
        with pytest.raises(SandboxUnavailable):
            Sandbox(assignment="backprop", workdir=tmp_path, graded=GRADED).__enter__()
    finally:
        sandbox._problem.cache_clear()


# -------------------------------------------------------------------- what the kernel sees
def test_kernel_is_unprivileged_in_a_copy_of_the_submission(kc, workdir: Path) -> None:
    seen = run_json(kc, "import os, json; open('new.txt', 'w').write('x'); "
                        "open('data.txt', 'a').write('changed'); print(json.dumps("
                        "[os.getcwd(), os.getuid(), sorted(os.listdir('.'))]))")
    assert seen[0] == str(workdir)
    assert seen[1] != 0
    assert seen[2] == ["backprop.ipynb", "data.txt", "new.txt"]
    assert sorted(p.name for p in workdir.iterdir()) == ["backprop.ipynb", "data.txt"]
    assert (workdir / "data.txt").read_text() == "alice's data\n"


def test_course_files_and_other_kernels_are_invisible(kc, box: Sandbox, course: Path,
                                                      workdir: Path) -> None:
    marker = Path(tempfile.gettempdir()) / f"host-tmp-marker-{os.getpid()}"
    marker.write_text("host")
    with Sandbox(assignment="backprop", workdir=workdir, graded=GRADED) as other:
        (other.runtime_dir / "kernel-other.json").write_text("{}")
        secret_paths = [course / "gradebook.db", course / ".course_secret",
                        course / "nbgrader_config.py", course / "solutions", course / "source",
                        course / "submitted/bob/backprop/backprop.ipynb", course / "autograded/bob",
                        REPO / "autograder" / "sandbox", REPO / "solutions", REPO / "source",
                        REPO / "nbgrader_config.py", REPO / "gradebook.db", REPO / "README.md",
                        REPO / ".course_secret", REPO / "autograded", REPO / "submitted",
                        Path.home() / ".bash_history", Path.home() / ".cache", marker,
                        other.runtime_dir / "kernel-other.json", other.grading_dir,
                        Path(sys.base_prefix) / "include"]
        assert (Path(sys.base_prefix) / "include").exists()
        seen = run_json(kc, "import errno, os, json\nseen = {}\n"
                            f"for p in {[str(p) for p in secret_paths]!r}:\n"
                            "    try:\n        os.lstat(p)\n        seen[p] = 'exists'\n"
                            "    except OSError as e:\n        seen[p] = errno.errorcode[e.errno]\n"
                            "print(json.dumps(seen))")
    marker.unlink()
    # absent (ENOENT), not merely unreadable (EACCES): a course bound read-only, or shown
    # with its permissions only, fails here; the base interpreter's folder is shown
    # (read-only), so the probe can see what is there
    include = str(Path(sys.base_prefix) / "include")
    assert seen == {**{str(p): "ENOENT" for p in secret_paths}, include: "exists"}
    listing = run_json(kc, f"import os, json; print(json.dumps([sorted(os.listdir(p)) for p in "
                           f"({str(course)!r}, {str(REPO)!r}, '/', "
                           f"{str(Path(sys.prefix) / 'include')!r})]))")
    assert listing[3] == []                  # hide=: a folder inside the venv shown empty
    assert listing[0] == ["autograded"]                    # only the path to the working copy
    assert set(listing[1]) <= {".venv", "dnn_ref"}
    assert REPO.parts[1] in listing[2]                          # the way to the venv
    assert "home" not in listing[2] or REPO.parts[1] == "home"


def test_reference_source_is_not_on_the_sandbox_disk(kc) -> None:
    real = (package_dir() / "network.py").read_text()
    tree = ast.parse(real)
    lines = real.splitlines()
    bodies = ["\n".join(lines[node.body[1].lineno - 1:node.end_lineno]) for node in tree.body
              if isinstance(node, ast.FunctionDef) and node.name in (*GRADED, "linear_backward")]
    assert len(bodies) == 4 and all(len(b) > 80 for b in bodies)
    inside = run_json(kc, "import dnn_ref, json, pathlib; p = pathlib.Path(dnn_ref.__file__)"
                          ".parent; print(json.dumps([str(p), *(f.read_text() for f in "
                          "sorted(p.rglob('*.py')))]))")
    assert inside[0] == str(package_dir())
    for body in bodies:
        assert not any(body in text for text in inside[1:]), body
    status, text = run(kc, "import dnn_ref; dnn_ref.backprop(None, None, [])")
    assert status == "error"
    assert "ReferenceUnavailable: dnn_ref.network.backprop is not available while your " \
           "notebook is graded" in text


def test_system_venv_and_package_are_read_only(kc) -> None:
    site = next(p for p in sys.path if p.endswith("site-packages"))
    targets = ["/evil", "/usr/evil", "/etc/evil", f"{site}/evil.pth",
               f"{sys.prefix}/bin/evil", f"{package_dir()}/grading.py", "/dev/evil",
               f"{sandbox.INSIDE_GRADING}/cases/evil.json", f"{sandbox.INSIDE_STAGE}/evil"]
    failures = run_json(kc, "import json\nout = {}\nfor p in " + repr(targets) + ":\n"
                            "    try:\n        open(p, 'a').close(); out[p] = 'written'\n"
                            "    except OSError as e:\n        out[p] = e.__class__.__name__\n"
                            "print(json.dumps(out))")
    assert all(v != "written" for v in failures.values()), failures
    assert not (Path(site) / "evil.pth").exists()


def test_every_writable_mount_is_a_sandbox_tmpfs(kc, workdir: Path) -> None:
    mounts = run_json(kc, "import json\nrows = []\nfor line in open('/proc/self/mountinfo'):\n"
                          "    left, _, right = line.partition(' - ')\n    f = left.split()\n"
                          "    rows.append([f[4], f[5].split(',')[0], right.split()[0]])\n"
                          "print(json.dumps(rows))")
    devices = {f"/dev/{d}" for d in ("null", "zero", "full", "random", "urandom", "tty")}
    writable = {point: fs for point, mode, fs in mounts if mode == "rw" and point not in devices}
    assert all(fs in ("tmpfs", "proc", "devpts", "mqueue") for fs in writable.values()), writable
    assert {"/tmp", "/dev/shm", str(workdir), f"{sandbox.INSIDE_GRADING}/out",
            sandbox.INSIDE_SOCKETS} <= set(writable)
    assert ("/", "ro") in {(p, m) for p, m, _ in mounts}


def test_no_network_even_to_the_host_loopback(kc) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    outcome = run_json(kc, "import socket, json\ntry:\n"
                           f"    socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
                           "    r = 'connected'\nexcept OSError as e:\n    r = type(e).__name__\n"
                           "print(json.dumps(r))")
    with pytest.raises(TimeoutError):
        server.accept()
    server.close()
    assert outcome in ("ConnectionRefusedError", "OSError", "TimeoutError")
    status, text = run(kc, "import socket; socket.getaddrinfo('pypi.org', 443)")
    assert status == "error" and "gaierror" in text


def test_links_and_fifos_in_the_submission_are_not_followed(course: Path, tmp_path: Path) -> None:
    work = tmp_path / "carol" / "backprop"
    work.mkdir(parents=True)
    (work / "backprop.ipynb").write_text("CAROL")
    (work / "grades").symlink_to(course / "gradebook.db")
    os.mkfifo(work / "pipe")
    with Sandbox(assignment="backprop", workdir=work, graded=GRADED, limits=LIMITS) as b:
        km, client = start(b, work)
        try:
            seen = run_json(client, "import os, json; print(json.dumps([sorted(os.listdir('.')), "
                                    "os.readlink('grades'), os.path.exists('grades')]))")
        finally:
            client.stop_channels()
            km.shutdown_kernel(now=True)
    assert seen == [["backprop.ipynb", "grades"], str(course / "gradebook.db"), False]


def test_no_nested_user_namespace_but_threads_and_processes_work(kc) -> None:
    seen = run_json(kc, "import ctypes, json, os, subprocess, threading\n"
                        "libc = ctypes.CDLL(None, use_errno=True)\n"
                        "rc = libc.unshare(0x10000000); err = ctypes.get_errno()\n"
                        "box = []; t = threading.Thread(target=box.append, args=(1,)); t.start()\n"
                        "t.join()\nout = subprocess.run(['sh', '-c', 'echo child'], "
                        "capture_output=True, text=True).stdout\n"
                        "print(json.dumps([rc, err, box, out]))")
    assert seen == [-1, 1, [1], "child\n"]                 # EPERM
    assert "Operation not permitted" in run(kc, "!unshare -Ur true")[1]


def test_no_keyring_and_no_reaching_into_another_process(kc) -> None:
    """Keys would outlive the sandbox (the next submission graded under the same uid read
    them); ptrace, pidfd_getfd and process_vm_* would reach the shell that holds the kernel."""
    nr = REFUSED_CALLS[platform.machine()]
    seen = run_json(kc, "import ctypes, json\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                        "def call(nr, *args):\n    rc = libc.syscall(nr, *args)\n"
                        "    return [rc, ctypes.get_errno()]\n"
                        f"out = {{'add_key': call({nr['add_key']}, b'user', b'left-by-alice', "
                        "b'secret', 6, -4),\n"
                        f"       'request_key': call({nr['request_key']}, b'user', "
                        "b'left-by-alice', None, -4),\n"
                        f"       'keyctl': call({nr['keyctl']}, 0, -4, 0),\n"
                        f"       'ptrace': call({nr['ptrace']}, 16, 2, 0, 0),\n"
                        "       'pidfd_getfd': call(438, "
                        "libc.syscall(434, 2, 0), 1, 0)}\nprint(json.dumps(out))")
    assert seen == {name: [-1, 1] for name in seen}          # EPERM, every one


def test_nothing_the_kernel_writes_reaches_the_graders_output(workdir: Path,
                                                             tmp_path: Path) -> None:
    """Terminal escapes (title, clipboard) and fake log lines, written every way the kernel
    has: its own stdout/stderr, its parent shell's and bwrap's through /proc, pidfd_getfd."""
    forged = "\x1b]0;pwned\x07\x1b]52;c;cHduZWQ=\x07[ERROR] There was an error processing\n"
    grader_out = tmp_path / "grader-output"
    with Sandbox(assignment="backprop", workdir=workdir, graded=GRADED, limits=LIMITS) as b, \
            open(grader_out, "wb") as out:
        km = b.configure(KernelManager(kernel_name=b.kernel_name))
        km.start_kernel(cwd=str(workdir), stdout=out, stderr=out)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=120)
            getfd = 438                  # pidfd_getfd, on x86_64 and aarch64 alike
            status, text = run(kc, f"import ctypes, json, os, sys\nforged = {forged.encode()!r}\n"
                                "os.write(1, forged); os.write(2, forged)\n"
                                "libc = ctypes.CDLL(None, use_errno=True)\n"
                                "pidfd = libc.syscall(434, 2, 0)\n"
                                "for fd in (0, 1, 2):\n"
                                f"    got = libc.syscall({getfd}, pidfd, fd, 0)\n"
                                "    if got >= 0:\n        os.write(got, forged)\n"
                                "held = {}\nfor pid in (1, 2, os.getpid()):\n"
                                "    for fd in (0, 1, 2):\n        p = f'/proc/{pid}/fd/{fd}'\n"
                                "        try:\n            held[p] = os.readlink(p)\n"
                                "            with open(p, 'wb') as f:\n"
                                "                f.write(forged)\n"
                                "        except OSError as e:\n"
                                "            held.setdefault(p, e.strerror)\n"
                                "print('HELD', json.dumps(held))")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    assert status == "ok", text
    held = json.loads(text.split("HELD ", 1)[1].splitlines()[0])
    shown = {p: link for p, link in held.items() if link.startswith("/")}
    assert set(shown.values()) <= {"/dev/null", "/tmp/.kernel.log"}, held
    assert {f"/proc/2/fd/{fd}" for fd in (0, 1, 2)} <= set(shown)   # the shell's: swapped
    written = grader_out.read_bytes()
    assert b"pwned" not in written and b"There was an error" not in written, written


# ------------------------------------------------------------------------------- limits
def test_file_size_limit(kc) -> None:
    size = run_json(kc, "import json, os\ntry:\n    with open('big.bin', 'wb') as f:\n"
                        f"        f.write(b'x' * {2 * LIMITS.file_mb * MiB})\n"
                        "except OSError as e:\n    err = e.errno\nelse:\n    err = None\n"
                        "print(json.dumps([err, os.path.getsize('big.bin')]))\n"
                        "os.remove('big.bin')")
    assert size == [27, LIMITS.file_mb * MiB]            # EFBIG at exactly the limit


def test_scratch_is_size_limited(kc) -> None:
    total = run_json(kc, "import json, os, errno\ntotal = 0\nfor i in range(20):\n    try:\n"
                         f"        with open(f'/tmp/fill{{i}}', 'wb') as f:\n"
                         f"            f.write(b'x' * {LIMITS.file_mb * MiB // 2})\n"
                         "    except OSError as e:\n        assert e.errno == errno.ENOSPC, e\n"
                         "        break\n    total += os.path.getsize(f'/tmp/fill{i}')\n"
                         "for i in range(20):\n    try:\n        os.remove(f'/tmp/fill{i}')\n"
                         "    except FileNotFoundError:\n        pass\nprint(json.dumps(total))")
    assert 0 < total <= LIMITS.scratch_mb * MiB


def test_memory_limit_gives_memory_error_and_the_kernel_lives_on(kc) -> None:
    status, text = run(kc, f"x = bytearray({LIMITS.memory_mb + 512} * 2**20)")
    assert status == "error" and text.startswith("MemoryError")
    assert run(kc, "print(6 * 7)") == ("ok", "42\n")


def test_memory_of_all_processes_together_is_bounded(kc) -> None:
    # each child stays under RLIMIT_AS, together they are over the sandbox's total:
    # the memory cgroup ends some of them, not the machine
    per_child = LIMITS.memory_mb // 3
    ended = run_json(kc, "import subprocess, sys, json\n"
                         f"code = 'x = bytearray({per_child} * 2**20); x[::4096] = b\"y\" * "
                         f"len(x[::4096]); import time; time.sleep(20)'\n"
                         "procs = [subprocess.Popen([sys.executable, '-c', code]) "
                         "for _ in range(5)]\n"
                         "import time; time.sleep(8)\n"
                         "codes = [p.poll() for p in procs]\n"
                         "for p in procs:\n    p.kill(); p.wait()\n"
                         "print(json.dumps(codes))")
    assert any(code is not None and code != 0 for code in ended), ended
    assert run(kc, "print(6 * 7)") == ("ok", "42\n")


def test_fork_bomb_is_bounded(kc) -> None:
    started = run_json(kc, "import subprocess, json\nprocs = []\ntry:\n"
                           f"    for _ in range({4 * LIMITS.nproc}):\n"
                           "        procs.append(subprocess.Popen(['sleep', '60']))\n"
                           "except OSError as e:\n    err = type(e).__name__\n"
                           "for p in procs:\n    p.kill(); p.wait()\n"
                           "print(json.dumps([len(procs), err]))")
    assert started[1] == "BlockingIOError"
    assert 0 < started[0] < LIMITS.nproc


def test_the_whole_sandbox_shares_one_cpu_pids_and_memory_cgroup(kc, box: Sandbox) -> None:
    folders = {f.relative_to("/sys/fs/cgroup").parts[0]: f for f in sandbox.cgroup_dirs(box.uid)}
    assert set(folders) == {"cpu", "pids", "memory"}        # this machine: cgroup v1
    pid = next(p for p in processes_of(box.uid) if b"ipykernel" in _cmdline(p))
    mine = {line.split(":")[1]: line.split(":")[2]
            for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines()}
    assert mine["cpu"].endswith(f"/dnn-sandbox-{box.uid}")
    assert mine["pids"].endswith(f"/dnn-sandbox-{box.uid}")
    assert mine["memory"].endswith(f"/dnn-sandbox-{box.uid}")
    assert (folders["pids"] / "pids.max").read_text().strip() == str(LIMITS.nproc)
    assert (folders["cpu"] / "cpu.cfs_quota_us").read_text().strip() == \
        (folders["cpu"] / "cpu.cfs_period_us").read_text().strip()          # one core
    limit = int((folders["memory"] / "memory.limit_in_bytes").read_text())
    assert limit == LIMITS.memory_mb * MiB
    # inside, its own cgroup namespace: the kernel sees its cgroup as the root
    assert "dnn-sandbox" not in run(kc, "print(open('/proc/self/cgroup').read())")[1]


def test_threads_of_blas_are_one(kc) -> None:
    env = run_json(kc, "import os, json; print(json.dumps([os.environ.get(k) for k in "
                       "('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'HOME', 'DNN_GRADING_DIR')]))")
    assert env == ["1", "1", sandbox.INSIDE_HOME, sandbox.INSIDE_GRADING]


# ----------------------------------------------------------------- kernel semantics
def test_ipython_magics_and_shell_escapes_work(kc) -> None:
    status, text = run(kc, "%%time\nimport numpy as np\ny = np.arange(4).sum()\nprint(y)")
    assert status == "ok" and "6" in text and "Wall time" in text
    assert run(kc, "!echo from-the-shell") == ("ok", "from-the-shell\r\n")
    assert run(kc, "files = !ls /run/dnn-grading\nprint(sorted(files))")[1] == "['cases', 'out']\n"
    status, text = run(kc, "%matplotlib inline\nimport matplotlib.pyplot as plt\n"
                           "plt.plot([0, 1])\nplt.show()")
    assert status == "ok" and text.startswith("<Figure size") and "cache" not in text


def test_interrupt_stops_a_loop_and_the_kernel_survives(kc, box: Sandbox) -> None:
    pid = run_json(kc, "import os, json; print(json.dumps(os.getpid()))")
    msg_id = kc.execute("while True:\n    pass", stop_on_error=False)
    while not (msg := kc.get_iopub_msg(timeout=60))["msg_type"] == "execute_input" \
            or msg["parent_header"].get("msg_id") != msg_id:
        pass                                   # interrupt once the loop is running
    time.sleep(0.5)
    kc.control_channel.send(kc.session.msg("interrupt_request", {}))
    while (reply := kc.get_shell_msg(timeout=60))["parent_header"].get("msg_id") != msg_id:
        pass
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert run_json(kc, "import os, json; print(json.dumps(os.getpid()))") == pid


def test_records_in_out_are_read_outside_and_cases_inside(kc, box: Sandbox) -> None:
    (box.grading_dir / "cases" / "backprop-visible.json").write_text('{"cases": []}')
    seen = run_json(kc, "import os, json\nd = os.environ['DNN_GRADING_DIR']\n"
                        "open(f'{d}/out/1-backprop-visible.json', 'w').write('{\"ok\": 1}')\n"
                        "print(json.dumps(open(f'{d}/cases/backprop-visible.json').read()))")
    assert seen == '{"cases": []}'
    out = box.grading_dir / "out"
    assert json.loads((out / "1-backprop-visible.json").read_text()) == {"ok": 1}
    assert out.resolve() != out.parent / "out"         # the sandbox's own tmpfs, not host disk


def test_nbclient_runs_a_notebook_in_the_sandbox(box: Sandbox, workdir: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%%time\nimport os\nprint(os.getuid())"),
        nbformat.v4.new_code_cell("import dnn_ref.grading, dnn_ref.datasets, "
                                  "dnn_ref.figures.plots\n"
                                  "print(sorted(dnn_ref.grading.ASSIGNMENTS))")])
    km = box.configure(AsyncKernelManager(kernel_name=box.kernel_name))
    NotebookClient(nb, km=km, timeout=120,
                   resources={"metadata": {"path": str(workdir)}}).execute()
    texts = ["".join(o.get("text", "") for o in c.outputs) for c in nb.cells]
    assert texts[0].splitlines()[0] == str(box.uid)
    assert "'backprop'" in texts[1]


# ------------------------------------------------------------------- process lifetime
@pytest.mark.slow
def test_no_process_outlives_the_kernel(workdir: Path) -> None:
    with Sandbox(assignment="backprop", workdir=workdir, graded=GRADED, limits=LIMITS) as b:
        km, client = start(b, workdir)
        status, _ = run(client, "import os\nif os.fork() == 0:\n    os.setsid()\n"
                                "    if os.fork() == 0:\n        os.execvp('sleep', ['sleep', "
                                "'300'])\n    os._exit(0)\nos.wait()")
        assert status == "ok"
        uid = b.uid
        assert uid is not None
        assert wait_until(lambda: any(_cmdline(p).startswith(b"sleep") for p in processes_of(uid)))
        client.stop_channels()
        km.shutdown_kernel(now=True)
        assert wait_until(lambda: not processes_of(uid)), processes_of(uid)
    # and a sandbox (default limits) left without shutting its kernel down dies in __exit__
    with Sandbox(assignment="backprop", workdir=workdir, graded=GRADED) as b:
        km, client = start(b, workdir)
        uid = b.uid
        assert processes_of(uid)
        client.stop_channels()
    assert wait_until(lambda: not processes_of(uid)), processes_of(uid)
    assert not any(f.exists() for f in sandbox.cgroup_dirs(uid))
    km.cleanup_resources()


GRADER_KILLED = """
import os, signal, sys
from pathlib import Path
from jupyter_client import KernelManager
from autograder.sandbox import Sandbox
box = Sandbox(assignment="backprop", workdir=Path(sys.argv[1]), graded=["backprop"]).__enter__()
km = box.configure(KernelManager(kernel_name=box.kernel_name))
km.start_kernel(cwd=sys.argv[1])
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=120)
kc.execute_interactive("import subprocess; p = subprocess.Popen(['sleep', '300'], "
                       "start_new_session=True)", timeout=60)
print(box.uid, box.grading_dir.parent, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.slow
def test_a_grader_killed_mid_kernel_leaves_no_process_and_its_files_are_swept(
        workdir: Path) -> None:
    run_ = subprocess.run([sys.executable, "-c", GRADER_KILLED, str(workdir)], cwd=REPO,
                          capture_output=True, text=True, timeout=180)
    assert run_.returncode == -9, run_.stderr
    uid, state = run_.stdout.splitlines()[-1].split()
    assert wait_until(lambda: not processes_of(int(uid))), processes_of(int(uid))
    assert Path(state, "stage", "submission", "data.txt").is_file()
    with Sandbox(assignment="backprop", workdir=workdir, graded=GRADED):
        assert not Path(state).exists()
        assert not any(f.exists() for f in sandbox.cgroup_dirs(int(uid)))


@pytest.mark.slow
def test_cpu_limit_ends_a_runaway_kernel(workdir: Path) -> None:
    with Sandbox(assignment="backprop", workdir=workdir, graded=GRADED,
                 limits=Limits(cpu_s=3, memory_mb=1536, nproc=64)) as b:
        km, client = start(b, workdir)
        client.execute("while True:\n    pass")
        assert wait_until(lambda: not km.is_alive(), 30)
        client.stop_channels()
        km.shutdown_kernel(now=True)


def test_autodiff_packages_and_the_graph_engine_cannot_answer(workdir: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    # hypothesis stands in for an autodiff library (none is a requirement of the course)
    monkeypatch.setattr(blocked_packages, "AUTODIFF", ("hypothesis",))
    real = (blocked_packages.installed()["hypothesis"] / "__init__.py").read_text()
    with Sandbox(assignment="backprop", workdir=workdir, graded=GRADED) as b:
        km, client = start(b, workdir)
        try:
            status, text = run(client, "import hypothesis")
            listing = run_json(client, "import json, os, sys\nimport importlib.util as u\n"
                               "d = os.path.dirname(u.find_spec('hypothesis').origin)\n"
                               "print(json.dumps([open(os.path.join(d, f)).read() "
                               "for f in os.listdir(d) if f.endswith('.py')]))")
            graph = run(client, "from dnn_ref.graph import Value\n"
                                "x = Value(2.0)\n(x * x).backward()")
        finally:
            client.stop_channels()
            km.shutdown_kernel(now=True)
    assert status == "error"
    assert "ImportError: hypothesis is not available while your notebook is graded" in text
    assert real not in listing and len(listing) == 1          # only the stand-in's __init__
    assert graph[0] == "error" and "ReferenceUnavailable" in graph[1]


# ------------------------------------------------------------------------ unsandboxed
def test_unsandboxed_runs_the_same_kernel_with_the_student_view(workdir: Path) -> None:
    with Sandbox(assignment="backprop", workdir=workdir, graded=GRADED, unsandboxed=True) as b:
        km, client = start(b, workdir)
        try:
            seen = run_json(client, "import os, json, dnn_ref\ntry:\n    dnn_ref.backprop(1, 2, 3)"
                                    "\nexcept Exception as e:\n    err = type(e).__name__\n"
                                    "print(json.dumps([os.environ['DNN_GRADING_DIR'], err, "
                                    "os.getuid()]))")
        finally:
            client.stop_channels()
            km.shutdown_kernel(now=True)
        assert seen == [str(b.grading_dir), "ReferenceUnavailable", os.getuid()]
        assert b.uid is None


def test_environment_is_restored_after_the_sandbox(workdir: Path) -> None:
    before = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "JUPYTER_RUNTIME_DIR")}
    with Sandbox(assignment="backprop", workdir=workdir, graded=GRADED) as b:
        assert os.environ["JUPYTER_RUNTIME_DIR"] == str(b.runtime_dir)
        state = b.grading_dir.parent
    assert {k: os.environ.get(k) for k in before} == before
    assert not state.exists()


def test_the_kernel_refuses_a_manager_without_ipc(box: Sandbox, workdir: Path) -> None:
    km = KernelManager(kernel_name=box.kernel_name)
    km.start_kernel(cwd=str(workdir))
    assert wait_until(lambda: not km.is_alive(), 20)
    assert km.provisioner.process.returncode == 2
    km.cleanup_resources()
    argv = subprocess.run([sys.executable, "-I", str(sandbox.KERNEL_SCRIPT)],
                          capture_output=True, text=True)
    assert argv.returncode == 2 and "usage" in argv.stderr
