"""The bwrap command line of a grading kernel (autograder/sandbox/command.py), as data."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from autograder.sandbox import command as command_line
from autograder.sandbox.command import INSIDE_GRADING, INSIDE_SOCKETS, Limits, bwrap_command
from autograder.sandbox.student_view import package_dir

MiB = 2**20
LIMITS = Limits(memory_mb=1000, cpu_s=10, nproc=20, file_mb=3, scratch_mb=7)
MOUNTS = {"--ro-bind": 2, "--bind": 2, "--tmpfs": 1, "--dir": 1, "--symlink": 2, "--proc": 1,
          "--dev": 1}


def course_at(root: Path) -> Path:
    """A course folder as nbgrader leaves it: config, gradebook, secret, a submission."""
    work = root / "autograded/ann/backprop"
    work.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    db = sqlite3.connect(root / "gradebook.db")
    db.execute("create table grade (student text, score real)")
    db.commit()
    db.close()
    (root / ".course_secret").write_text("s" * 64 + "\n")
    (work / "backprop.ipynb").write_text("{}")
    return root


def command(tmp_path: Path, uid: int | None, hide: list[Path] | None = None) -> list[str]:
    course = tmp_path / "course"
    if not course.exists():
        course_at(course)
    return bwrap_command(workdir=course / "autograded/ann/backprop",
                         view=tmp_path / "view/dnn_ref", grading_dir=tmp_path / "grading",
                         stage=tmp_path / "stage", limits=LIMITS, uid=uid, hide=hide or [])


def shown_from(argv: list[str], path: Path) -> str | None:
    """The host path the sandbox shows at ``path`` (None: absent, or in a fresh tmpfs)."""
    shown = None
    for option, dest, src in mounts(argv):
        if str(path) == dest or str(path).startswith(dest.rstrip("/") + "/"):
            rel = str(path)[len(dest):]
            shown = src + rel if option in ("--ro-bind", "--bind") else None
    return shown


def mounts(argv: list[str]) -> list[tuple[str, str, str | None]]:
    """(option, destination, source) of every mount operation, in order."""
    out, i = [], 0
    while i < len(argv) and argv[i] != "--chdir":
        option = argv[i]
        if option in MOUNTS:
            n = MOUNTS[option]
            out.append((option, argv[i + n], argv[i + 1] if n == 2 else None))
            i += n + 1
        else:
            i += 1
    return out


def test_every_mount_point_has_its_parent_before_it(tmp_path: Path) -> None:
    made, binds = {"/"}, []
    for option, dest, _ in mounts(command(tmp_path, 61000)):
        parent = str(Path(dest).parent)
        inside_bind = any(parent == b or parent.startswith(b + "/") for b in binds)
        assert parent in made or (inside_bind and Path(parent).is_dir()), (option, dest)
        made.add(dest)
        if option in ("--ro-bind", "--bind"):
            binds.append(dest)


def test_what_is_shown_writable_and_how_big(tmp_path: Path) -> None:
    argv = command(tmp_path, 61000)
    found = mounts(argv)
    writable = {dest for option, dest, _ in found if option in ("--tmpfs", "--bind")}
    work = str(tmp_path / "course/autograded/ann/backprop")
    assert writable == {"/dev/shm", "/tmp", INSIDE_SOCKETS, f"{INSIDE_GRADING}/out", work}
    sizes = {argv[i + 3]: int(argv[i + 1]) for i, a in enumerate(argv)
             if a == "--size" and argv[i + 2] == "--tmpfs"}
    assert sizes == {"/dev/shm": 3 * MiB, "/tmp": 7 * MiB, INSIDE_SOCKETS: MiB,
                     f"{INSIDE_GRADING}/out": 3 * MiB, work: 7 * MiB}
    shown = {dest: src for option, dest, src in found if option == "--ro-bind"}
    assert shown[str(package_dir())] == str(tmp_path / "view/dnn_ref")
    assert {"/usr", "/etc", str(Path(sys.prefix).resolve())} <= set(shown)
    assert not any(dest.startswith(str(tmp_path / "course")) for dest in shown)
    remounts = [argv[i + 1] for i, a in enumerate(argv) if a == "--remount-ro"]
    assert remounts[-2:] == ["/dev", "/"]
    assert argv.index("--remount-ro") > max(argv.index(o) for o in ("--tmpfs", "--ro-bind"))


def test_root_drops_to_the_sandbox_uid_and_a_user_gets_a_user_namespace(tmp_path: Path) -> None:
    as_root = command(tmp_path, 61000)
    assert "--unshare-all" not in as_root and "--unshare-net" in as_root
    setpriv = as_root.index("setpriv")
    assert as_root[setpriv:setpriv + 6] == ["setpriv", "--reuid=61000", "--regid=61000",
                                            "--clear-groups", "--bounding-set=-all",
                                            "--inh-caps=-all"]
    assert as_root.index("--info-fd") < setpriv < as_root.index("sh")
    as_user = command(tmp_path, None)
    assert "--unshare-all" in as_user and "setpriv" not in as_user
    for argv in (as_root, as_user):
        assert {"--die-with-parent", "--new-session", "--clearenv"} <= set(argv)
        env = {argv[i + 1]: argv[i + 2] for i, a in enumerate(argv) if a == "--setenv"}
        assert env["OPENBLAS_NUM_THREADS"] == "1" and env["DNN_GRADING_DIR"] == INSIDE_GRADING
        assert env["JPY_PARENT_PID"] == "2" and env["HOME"].startswith("/tmp/")
        assert argv[-4:-2] == ["sh", "-c"] and "ipykernel_launcher" in argv[-2]


def test_a_hidden_folder_inside_a_shown_one_is_shown_empty(tmp_path: Path) -> None:
    lib = Path(sys.prefix).resolve() / "include"
    argv = command(tmp_path, 61000, hide=[lib])
    found = mounts(argv)
    assert ("--tmpfs", str(lib), None) in found
    assert str(lib) in [argv[i + 1] for i, a in enumerate(argv) if a == "--remount-ro"]
    assert ("--tmpfs", str(tmp_path / "elsewhere"), None) not in mounts(
        command(tmp_path, 61000, hide=[tmp_path / "elsewhere"]))    # not shown: nothing to hide


COURSE_FILES = ("nbgrader_config.py", "gradebook.db", ".course_secret",
                "autograded/ann/backprop/backprop.ipynb")


def test_the_course_is_never_shown(tmp_path: Path) -> None:
    argv = command(tmp_path, 61000)
    for name in COURSE_FILES:
        assert shown_from(argv, tmp_path / "course" / name) is None, name


def test_a_course_inside_a_shown_folder_is_covered_by_an_empty_tmpfs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A course folder inside one the sandbox must show (here the Python installation's,
    as with a course kept under a conda root at /opt): its files are covered by an empty
    read-only tmpfs, while the rest of that folder stays shown."""
    course = course_at(tmp_path / "opt/course")
    monkeypatch.setattr(command_line, "python_roots", lambda: [tmp_path / "opt"])
    argv = bwrap_command(workdir=course / "autograded/ann/backprop",
                         view=tmp_path / "view/dnn_ref", grading_dir=tmp_path / "grading",
                         stage=tmp_path / "stage", limits=LIMITS, uid=61000)
    assert shown_from(argv, tmp_path / "opt/bin/python") == str(tmp_path / "opt/bin/python")
    for name in COURSE_FILES:
        assert shown_from(argv, course / name) is None, name
    assert ("--tmpfs", str(course), None) in mounts(argv)
    assert str(course) in [argv[i + 1] for i, a in enumerate(argv) if a == "--remount-ro"]
