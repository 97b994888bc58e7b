"""The argv of a sandbox's kernelspec: start ipykernel inside bubblewrap.

Run by jupyter_client as ``python -I kernel.py <launch.json>
<connection file>`` (standard library only, so that ``-I`` keeps the
submission's folder, the kernel's cwd, off ``sys.path``). It

1. checks that the kernel manager uses ipc sockets in the sandbox's socket
   folder (see :meth:`autograder.sandbox.Sandbox.configure`) and stages the
   kernel's copy of the connection file, with the sockets' inside path;
2. copies the submission's folder to the read-only stage, owned by the
   sandbox's uid (links stay links: never followed here; FIFOs are skipped);
3. double-forks a watcher that reads bwrap's ``--info-fd``, records the
   sandbox's PID-1 process and its PID namespace (so that ``Sandbox.__exit__``
   can kill everything), points ``<grading dir>/out`` and the socket folder
   at the sandbox's own tmpfs mounts through ``/proc/<pid>/root``, and then
   relays bwrap's stderr to the grader's, escaped and capped (bwrap gets
   /dev/null and that pipe for its stdin, stdout and stderr: no process of the
   sandbox holds the grader's terminal or log);
4. hands bwrap a seccomp filter (:func:`seccomp_program`) through a pipe;
5. joins the sandbox's cgroups (if any), sets the rlimits and execs bwrap
   (so the kernel manager's pid is bwrap's, and killing it kills the sandbox
   through ``--die-with-parent``).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import struct
import sys
from pathlib import Path
from typing import Any

MIB = 2**20


def fail(message: str) -> None:
    """Print why the kernel cannot start (jupyter_client shows the kernel's stderr) and exit."""
    print(f"sandboxed kernel: {message}", file=sys.stderr)
    raise SystemExit(2)


def inside_connection(conf: dict[str, Any], connection_file: str) -> None:
    """Check the manager's connection file; stage the kernel's copy (sockets inside)."""
    info = json.loads(Path(connection_file).read_text())
    ip = str(info.get("ip"))
    if info.get("transport") != "ipc" or os.path.dirname(ip) != conf["socket_dir"] \
            or os.path.dirname(os.path.abspath(connection_file)) != conf["runtime_dir"]:
        fail("the kernel manager must use ipc sockets in the sandbox's folders (call "
             "Sandbox.configure(km) before starting the kernel); got "
             f"transport={info.get('transport')!r} ip={ip!r} connection file {connection_file}")
    info["ip"] = f"{conf['inside_sockets']}/{os.path.basename(ip)}"
    staged = Path(conf["stage"]) / "connection.json"
    staged.write_text(json.dumps(info))


def special_files(folder: str, names: list[str]) -> list[str]:
    """Entries that are neither files, folders nor links (a FIFO would block the copy)."""
    return [n for n in names if not (os.path.islink(os.path.join(folder, n))
                                     or os.path.isfile(os.path.join(folder, n))
                                     or os.path.isdir(os.path.join(folder, n)))]


def stage_submission(conf: dict[str, Any]) -> None:
    target = Path(conf["stage"]) / "submission"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(conf["workdir"], target, symlinks=True, ignore=special_files)
    uid = conf["uid"]
    for path in [Path(conf["stage"]), *Path(conf["stage"]).rglob("*")]:
        if uid is not None:
            os.lchown(path, uid, uid)
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o600 if path.name == "connection.json"
                       else 0o644)


def watch(read_fd: int, conf: dict[str, Any]) -> None:
    """Record the sandbox's PID 1 and link out/ and the socket folder into it (from bwrap's
    info JSON on ``read_fd``; nothing to do if bwrap ends before writing it)."""
    data = b""
    while True:
        chunk = os.read(read_fd, 4096)
        if not chunk:
            return
        data += chunk
        try:
            info = json.loads(data)
            break
        except ValueError:
            continue
    pid, ns = int(info["child-pid"]), int(info["pid-namespace"])
    with open(conf["pids"], "a") as f:
        f.write(json.dumps({"pid": pid, "pidns": ns}) + "\n")
    for outside, inside in conf["links"].items():
        link = Path(outside)
        tmp = link.with_name(f".{link.name}-{pid}")
        tmp.symlink_to(f"/proc/{pid}/root{inside}")
        if link.is_dir() and not link.is_symlink():
            os.rmdir(link)
        os.replace(tmp, link)


RELAYED_BYTES = 16384
"""At most this much of what bwrap and the sandbox write to their stderr reaches the grader's."""


def escaped(data: bytes) -> str:
    """``data`` as text whose control characters (terminal escapes too) are shown as ``\\xNN``."""
    text = data.decode("utf-8", errors="replace")
    return "".join(c if c in "\n\t" or (c.isprintable() and c not in "\u2028\u2029")
                   else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
                   for c in text)


def relay(err_fd: int) -> None:
    """Copy the sandbox's stderr (bwrap's messages) to the grader's, escaped, capped and
    each line marked ``[sandbox]`` (a line written there is never taken for the grader's)."""
    sent, line_start = 0, True
    with os.fdopen(err_fd, "rb", buffering=0) as source:
        while chunk := source.read(4096):
            if sent >= RELAYED_BYTES:
                continue
            chunk = chunk[:RELAYED_BYTES - sent]
            sent += len(chunk)
            text = escaped(chunk)
            marked = ("[sandbox] " if line_start else "") + text[:-1].replace(
                "\n", "\n[sandbox] ") + text[-1:]
            line_start = text.endswith("\n")
            os.write(2, marked.encode())
            if sent >= RELAYED_BYTES:
                os.write(2, b"\n[sandbox] more output dropped\n")


def start_watcher(conf: dict[str, Any]) -> tuple[int, int]:
    """Fork the watcher twice (so bwrap, exec'd here, never sees it as its child); return
    the fd bwrap writes its info JSON to, and the fd to give bwrap as stdout and stderr.

    The watcher records the sandbox (:func:`watch`), then relays that stderr to the
    grader's (:func:`relay`): no process of the sandbox holds a file descriptor of the
    grader's (bwrap's own init would otherwise keep its terminal or log)."""
    read_fd, write_fd = os.pipe()
    err_read, err_write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(write_fd)
        os.close(err_write)
        if os.fork() == 0:
            try:
                watch(read_fd, conf)
                relay(err_read)
            finally:
                os._exit(0)
        os._exit(0)
    os.close(read_fd)
    os.close(err_read)
    os.waitpid(child, 0)
    os.set_inheritable(write_fd, True)
    return write_fd, err_write


def tasks_of(uid: int) -> int:
    """Processes and threads running under ``uid`` now (RLIMIT_NPROC counts them all)."""
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry}/task"))
            except OSError:
                continue
    return count


SECCOMP_ARCH = {"x86_64": (0xC000003E, {"clone": 56, "unshare": 272, "clone3": 435}),
                "aarch64": (0xC00000B7, {"clone": 220, "unshare": 97, "clone3": 435})}
REFUSED_CALLS = {"x86_64": {"ptrace": 101, "add_key": 248, "request_key": 249, "keyctl": 250,
                            "process_vm_readv": 310, "process_vm_writev": 311,
                            "pidfd_getfd": 438},
                 "aarch64": {"ptrace": 117, "add_key": 217, "request_key": 218, "keyctl": 219,
                             "process_vm_readv": 270, "process_vm_writev": 271,
                             "pidfd_getfd": 438}}
"""System calls that fail with EPERM inside: no reaching into another process of the
sandbox (the shell that holds the kernel, bwrap's init: their file descriptors, their
memory) and no kernel keyring (keys outlive a sandbox: the next submission graded under
the same uid would read them)."""
CLONE_NEWUSER = 0x10000000


def seccomp_program(machine: str) -> bytes:
    """A classic-BPF seccomp filter: no new user namespaces, no foreign or x32 ABI, none
    of :data:`REFUSED_CALLS`.

    ``unshare`` and ``clone`` with CLONE_NEWUSER fail with EPERM (nested user
    namespaces would let the sandbox mount tmpfs without a size limit);
    ``clone3``, whose flags a filter cannot read, fails with ENOSYS (glibc
    then uses ``clone``); a system call of another architecture's ABI fails
    with EPERM (the same calls have other numbers there), and so does every
    call of :data:`REFUSED_CALLS`.
    """
    arch, nr = SECCOMP_ARCH[machine]
    refused = sorted(REFUSED_CALLS[machine].values())
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    # (code, jump if true: label or 0, jump if false: label or 0, k); labels resolved below
    program: list[tuple[int, int | str, int | str, int]] = [
        (ld, 0, 0, 4),                          # arch
        (jeq, 0, "deny", arch),
        (ld, 0, 0, 0),                          # syscall number
        (jge, "deny", 0, 0x40000000),           # x32 ABI
        (jeq, "enosys", 0, nr["clone3"]),
        *[(jeq, "deny", 0, n) for n in refused],
        (jeq, "flags", 0, nr["unshare"]),
        (jeq, "flags", "allow", nr["clone"]),
        ("flags", 0, 0, 0),
        (ld, 0, 0, 16),                         # low word of the first argument
        (jset, "deny", "allow", CLONE_NEWUSER),
        ("allow", 0, 0, 0), (ret, 0, 0, allow),
        ("deny", 0, 0, 0), (ret, 0, 0, eperm),
        ("enosys", 0, 0, 0), (ret, 0, 0, enosys),
    ]
    labels, code = {}, []
    for insn in program:
        if isinstance(insn[0], str):
            labels[insn[0]] = len(code)
        else:
            code.append(insn)
    out = b""
    for at, (op, jt, jf, k) in enumerate(code):
        jt = labels[jt] - at - 1 if isinstance(jt, str) else jt
        jf = labels[jf] - at - 1 if isinstance(jf, str) else jf
        out += struct.pack("=HBBI", op, jt, jf, k)
    return out


def seccomp_fd() -> int:
    """A pipe holding the filter, for bwrap's ``--seccomp``."""
    read_fd, write_fd = os.pipe()
    os.write(write_fd, seccomp_program(platform.machine()))
    os.close(write_fd)
    os.set_inheritable(read_fd, True)
    return read_fd


def join_cgroups(conf: dict[str, Any]) -> None:
    """Move this process (and so the whole sandbox) into the sandbox's cgroups; pids.max
    = nproc, memory.limit_in_bytes = memory_mb and one core's CPU time for all its
    processes together (a classmate graded in parallel keeps the other cores). Best
    effort: without them the rlimits still hold."""
    for folder in map(Path, conf["cgroups"]):
        try:
            folder.mkdir(exist_ok=True)
            if (folder / "pids.max").exists():
                (folder / "pids.max").write_text(str(conf["limits"]["nproc"]))
            if (folder / "cpu.cfs_quota_us").exists():      # one core at most, however
                (folder / "cpu.cfs_period_us").write_text("100000")   # many processes
                (folder / "cpu.cfs_quota_us").write_text("100000")
            if (folder / "memory.limit_in_bytes").exists():
                (folder / "memory.limit_in_bytes").write_text(
                    str(conf["limits"]["memory_mb"] * MIB))
            (folder / "cgroup.procs").write_text(str(os.getpid()))
        except OSError as exc:
            print(f"sandboxed kernel: cgroup {folder} not used ({exc}); rlimits only",
                  file=sys.stderr)


def set_limits(conf: dict[str, Any]) -> None:
    lim = conf["limits"]
    nproc = lim["nproc"] if conf["uid"] is not None else tasks_of(os.getuid()) + lim["nproc"]
    for which, soft, hard in (
            (resource.RLIMIT_AS, lim["memory_mb"] * MIB, lim["memory_mb"] * MIB),
            (resource.RLIMIT_CPU, lim["cpu_s"], lim["cpu_s"] + 5),
            (resource.RLIMIT_NPROC, nproc, nproc),
            (resource.RLIMIT_FSIZE, lim["file_mb"] * MIB, lim["file_mb"] * MIB),
            (resource.RLIMIT_CORE, 0, 0)):
        old_soft, old_hard = resource.getrlimit(which)
        if old_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, old_hard), min(hard, old_hard)
        resource.setrlimit(which, (soft, hard))


def main(launch_file: str, connection_file: str) -> None:
    conf = json.loads(Path(launch_file).read_text())
    inside_connection(conf, connection_file)
    stage_submission(conf)
    info_fd, err_fd = start_watcher(conf)
    argv = [a.replace("{info_fd}", str(info_fd)) for a in conf["argv"]]
    if platform.machine() in SECCOMP_ARCH:
        argv[argv.index("{seccomp_fd}")] = str(seccomp_fd())
    else:
        at = argv.index("{seccomp_fd}")
        del argv[at - 1:at + 1]
    join_cgroups(conf)
    set_limits(conf)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(err_fd, 1)
    os.dup2(err_fd, 2)
    os.close(devnull)
    os.close(err_fd)
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        fail("usage: kernel.py <launch.json> <connection file>")
    main(sys.argv[1], sys.argv[2])
