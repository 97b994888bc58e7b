"""What a student puts in the exchange is made safe before the grader (root) copies it.

The red team's route: a student's server wrote, into their own submission folder, symbolic
links to the course secret and /etc/shadow; nbgrader's collect (copytree, as root) copied
what they point to into the course, and the student's notebook printed it into their
feedback. Also a folder named after a classmate, and a timestamp of the student's choosing.
"""

from __future__ import annotations

import os
import pwd
import stat
from pathlib import Path

from autograder.hub.inbound import secure

ME = pwd.getpwuid(os.getuid()).pw_name
SEEN = 1_800_000_000.0         # 2027-01-15 08:00:00 UTC


def submission(inbound: Path, name: str) -> Path:
    folder = inbound / name
    folder.mkdir(parents=True)
    (folder / "forward.ipynb").write_text("{}")
    (folder / "timestamp.txt").write_text("2000-01-01 00:00:00.000000 UTC")
    return folder


def test_a_submission_holding_a_link_is_removed_and_its_target_untouched(tmp_path) -> None:
    secret = tmp_path / "course" / ".course_secret"
    secret.parent.mkdir()
    secret.write_text("s3cret")
    folder = submission(tmp_path / "inbound", f"{ME}+forward+2026-12-06 05:00:00+abc")
    (folder / "secret.txt").symlink_to(secret)
    removed = secure(tmp_path / "inbound", ME, "forward", SEEN)
    assert removed == {folder.name: ["secret.txt is a symbolic link"]}
    assert not folder.exists() and secret.read_text() == "s3cret"


def test_a_link_as_the_submission_folder_itself_is_removed(tmp_path) -> None:
    (tmp_path / "inbound").mkdir()
    link = tmp_path / "inbound" / f"{ME}+forward+2026-12-06 05:00:00+abc"
    link.symlink_to(tmp_path)
    assert link.name in secure(tmp_path / "inbound", ME, "forward", SEEN)
    assert not link.is_symlink() and tmp_path.is_dir()


def test_a_folder_named_after_a_classmate_is_not_collected_for_them(tmp_path) -> None:
    other = next(u.pw_name for u in pwd.getpwall() if u.pw_uid != os.getuid())
    folder = submission(tmp_path / "inbound", f"{other}+forward+2026-12-06 05:00:00+abc")
    removed = secure(tmp_path / "inbound", other, "forward", SEEN)
    assert removed == {folder.name: ["the submission folder belongs to another account"]}


def test_a_plain_submission_is_frozen_and_timestamped_by_the_hub(tmp_path) -> None:
    folder = submission(tmp_path / "inbound", f"{ME}+forward+2026-12-06 05:00:00+abc")
    assert secure(tmp_path / "inbound", ME, "forward", SEEN) == {}
    assert (folder / "timestamp.txt").read_text() == "2027-01-15 08:00:00.000000 UTC"
    for path in (folder, folder / "forward.ipynb", folder / "timestamp.txt"):
        st = os.lstat(path)
        assert st.st_uid == 0 and not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
