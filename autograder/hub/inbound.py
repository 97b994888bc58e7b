"""A student's submission in the exchange, made safe before the grader (root) copies it.

nbgrader's exchange collect copies ``inbound/<student>+<assignment>+<timestamp>+<random>/``
into the course with ``shutil.copytree``, as root, and only *warns* when the folder's owner
is not the student it names. Everything in it was written by a student through their
(unsandboxed) Jupyter server: symbolic links to any file root can read (the course secret,
``/etc/shadow``, the hub's cookie secret), which copytree would copy as files; a folder
named after a classmate; a ``timestamp.txt`` of the student's choosing. Before each collect,
:func:`secure` takes every submission folder of the student and assignment and

1. removes it, with the reason, unless it is a plain folder owned by that student's
   account holding only plain files and folders of that account (no link, device or
   pipe), at most :data:`MAX_BYTES` in all;
2. makes what is left root's and read-only (``lchown``/``chmod``, never following a
   link), so nothing in it can change between this check and the copy;
3. writes ``timestamp.txt`` anew with the time the hub first saw the submission, so
   late marking uses that time, not one the student wrote.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

MAX_BYTES = 64 * 2**20
"""A submission's size at most (a notebook of this assignment is well under 1 MB)."""


def _uid(student: str) -> int | None:
    try:
        return pwd.getpwnam(student).pw_uid
    except KeyError:
        return None


def problems(folder: Path, uid: int | None) -> list[str]:
    """Why ``folder`` is not a submission of the account ``uid``; empty when it is one."""
    top = os.lstat(folder)
    if not stat.S_ISDIR(top.st_mode):
        return ["the submission is not a folder (a link or a file)"]
    if uid is None or top.st_uid != uid:
        return ["the submission folder belongs to another account"]
    found, size = [], 0
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = Path(root) / name
            st = os.lstat(path)
            rel = path.relative_to(folder)
            if stat.S_ISLNK(st.st_mode):
                found.append(f"{rel} is a symbolic link")
            elif not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                found.append(f"{rel} is not a plain file")
            elif st.st_uid != uid:
                found.append(f"{rel} belongs to another account")
            else:
                size += st.st_size
    if size > MAX_BYTES:
        found.append(f"the submission holds {size} bytes (at most {MAX_BYTES})")
    return found


def _freeze(folder: Path) -> None:
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = os.path.join(root, name)
            os.lchown(path, 0, 0)
            os.chmod(path, 0o555 if name in dirs else 0o444, follow_symlinks=False)
    os.lchown(folder, 0, 0)
    os.chmod(folder, 0o555)


def secure(inbound: Path, student: str, assignment: str, seen: float) -> dict[str, list[str]]:
    """Make the student's submissions of ``assignment`` in ``inbound`` safe to collect.

    Parameters
    ----------
    inbound : Path
        ``<exchange>/<course>/inbound``.
    student, assignment : str
        Whose submissions, of what.
    seen : float
        When the hub first saw the newest of them (``time.time()`` seconds).

    Returns
    -------
    dict
        Folder name -> the reasons it was removed, for each folder removed.
    """
    removed: dict[str, list[str]] = {}
    uid = _uid(student)
    for entry in sorted(inbound.iterdir()):
        if not entry.name.startswith(f"{student}+{assignment}+"):
            continue
        if entry.is_symlink() or not entry.is_dir():
            removed[entry.name] = ["the submission is not a folder (a link or a file)"]
            entry.unlink()
            continue
        reasons = problems(entry, uid)
        if reasons:
            removed[entry.name] = reasons
            shutil.rmtree(entry)
            continue
        _freeze(entry)
        stamp = entry / "timestamp.txt"
        os.chmod(entry, 0o755)
        stamp.unlink(missing_ok=True)
        stamp.write_text(datetime.fromtimestamp(seen, UTC).strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
        os.chmod(stamp, 0o444)
        os.chmod(entry, 0o555)
    return removed
