"""Create the hub's local accounts (``make hub-users``) and hand out their first passwords.

    python -m autograder.hub.accounts [--students "ana bruno"] [--roster roster.csv]
                                      [--instructors "marta"]

Each new account gets a home only its owner can read (mode 700), no login shell
(``/usr/sbin/nologin``: the hub is the way in, not ssh) and a random password,
written to ``hub/passwords.csv`` (``user,password``, mode 600, owned by root) for
the instructor to hand out. Accounts that exist keep their password; their home
is made 700 too. The roster (``hub/users.json``) says who is a student and who an
instructor; the hub puts them in the groups ``nbgrader-<course>`` and
``formgrade-<course>`` when it starts.

A roster CSV has a header; the login name is the column ``username``, ``user``,
``login``, ``student_id`` or ``id`` (the first one present), else the first column.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pwd
import secrets
import subprocess
import sys
from pathlib import Path

from autograder.hub.settings import NAME, Course, course

NAME_COLUMNS = ("username", "user", "login", "student_id", "id")
FIRST_UID = 1000
"""Accounts below this uid are the system's: never reused as a student or instructor."""


def roster_names(path: Path) -> list[str]:
    """The login names of a roster CSV (lower-cased, stripped)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise SystemExit(f"{path} is empty: a roster CSV needs a header and one row per student")
    header = [h.strip().lower() for h in rows[0]]
    column = next((header.index(c) for c in NAME_COLUMNS if c in header), 0)
    return [row[column].strip().lower() for row in rows[1:] if len(row) > column and row[column]]


def checked(names: list[str]) -> list[str]:
    """The names, refusing any that is not a safe login name or is a system account."""
    bad = [n for n in names if not NAME.fullmatch(n)]
    if bad:
        raise SystemExit(f"not usable as login names: {', '.join(map(repr, bad))} (lower-case "
                         "letters, digits, - and _, starting with a letter or _, at most 31)")
    for name in names:
        try:
            uid = pwd.getpwnam(name).pw_uid
        except KeyError:
            continue
        if uid < FIRST_UID:
            raise SystemExit(f"{name!r} is a system account (uid {uid}); choose another name")
    return list(dict.fromkeys(names))


def ensure_account(name: str, *, login: bool = True) -> str | None:
    """Create ``name`` if missing (home 700); return its new password, or None if it existed."""
    try:
        home = Path(pwd.getpwnam(name).pw_dir)
        password = None
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/usr/sbin/nologin",
                        "-K", "HOME_MODE=0700", name], check=True)
        home = Path(pwd.getpwnam(name).pw_dir)
        password = secrets.token_urlsafe(12) if login else None
        if password:
            subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
    home.chmod(0o700)
    return password


def write_passwords(path: Path, new: dict[str, str]) -> None:
    """Merge ``new`` into the passwords CSV (mode 600 from the start, replaced atomically)."""
    rows: dict[str, str] = {}
    if path.is_file():
        with open(path, newline="") as f:
            rows = {r["user"]: r["password"] for r in csv.DictReader(f)}
    rows.update(new)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["user", "password"])
        writer.writerows(sorted(rows.items()))
    os.chown(tmp, 0, 0)
    os.replace(tmp, path)


def add_users(c: Course, students: list[str], instructors: list[str]) -> dict[str, str]:
    """Create the accounts, record the roster; return the new passwords."""
    if os.geteuid() != 0:
        raise SystemExit("creating accounts needs root: run `sudo make hub-users ...`")
    students, instructors = checked(students), checked(instructors)
    both = set(students) & set(instructors)
    if both:
        raise SystemExit(f"both a student and an instructor: {', '.join(sorted(both))}")
    c.hub.mkdir(mode=0o711, exist_ok=True)
    new = {}
    for name in [*students, *instructors]:
        password = ensure_account(name)
        if password:
            new[name] = password
    write_passwords(c.passwords, new)
    roster = c.roster()
    for key, names in (("students", students), ("instructors", instructors)):
        roster[key] = sorted(set(roster[key]) | set(names))
    roster["students"] = sorted(set(roster["students"]) - set(roster["instructors"]))
    c.users_file.write_text(json.dumps(roster, indent=1) + "\n")
    return new


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", default="", help="login names, separated by spaces")
    parser.add_argument("--roster", type=Path, help="a CSV with a login-name column")
    parser.add_argument("--instructors", default="", help="login names, separated by spaces")
    args = parser.parse_args(argv)
    students = args.students.split() + (roster_names(args.roster) if args.roster else [])
    instructors = args.instructors.split()
    if not students and not instructors:
        parser.error('nobody to add: make hub-users STUDENTS="ana bruno" [INSTRUCTORS=marta] '
                     "or ROSTER=roster.csv")
    c = course()
    new = add_users(c, students, instructors)
    print(f"{len(new)} new account(s); passwords in {c.passwords} (root only). Restart "
          "`make hub` for new users to join the course's groups.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
