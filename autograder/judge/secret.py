"""The course secret: the seed of every hidden test case, never given to students.

One random 256-bit key per course, in ``<course>/.course_secret`` (mode 600,
git-ignored, outside ``exercises/`` and everything else released). It is made
once, by ``make release`` or by the first grading run if it is missing, and
then kept: the same secret gives the same hidden cases, so a regrade gives
the same scores. Lose it and the next grading makes a new one (other hidden
cases, so a regrade may differ); copy it with the course to grade elsewhere.

    python -m autograder.judge.secret [COURSE_DIR]     # create it if missing, print where it is
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
from pathlib import Path

FILE_NAME = ".course_secret"


def path_in(course: Path) -> Path:
    """Where the secret of the course folder ``course`` is kept."""
    return Path(course) / FILE_NAME


def ensure(path: Path) -> bytes:
    """The secret stored at ``path``; a new one is created (mode 600) if there is none."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:   # another grading process made it just now
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
    return load(path)


def load(path: Path) -> bytes:
    """The secret stored at ``path``; a clear error if it is missing or unreadable."""
    try:
        text = Path(path).read_text().strip()
    except OSError as exc:
        raise SystemExit(f"cannot read the course secret {path}: {exc}. It seeds the hidden "
                         "tests; `make release` creates it.") from None
    if len(text) < 32:
        raise SystemExit(f"the course secret {path} is too short (empty or truncated); "
                         "restore it from a backup, or delete it to make a new one.")
    return text.encode()


def seed(secret: bytes, label: str) -> int:
    """A 128-bit seed for ``np.random.default_rng`` from HMAC-SHA256(secret, label)."""
    return int.from_bytes(hmac.new(secret, label.encode(), hashlib.sha256).digest()[:16], "big")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = path_in(Path(args[0]) if args else Path.cwd())
    existed = path.exists()
    ensure(path)
    print(f"course secret: {path} ({'kept' if existed else 'created'}; keep it private, "
          "outside git and outside anything released)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
