"""An instructor collects a Canvas zip with the real ``nbgrader zip_collect``: nobody vanishes.

The course is a temporary folder with the repository's nbgrader_config.py and the
released backprop notebook. The zip holds what a class really uploads: the
released name, Canvas re-uploads (``-1``), a late marker, ``Backprop_final.ipynb``,
``backprop (1).ipynb``, a notebook named ``homework.ipynb``, a student with only
a text file, a student with two candidate notebooks and a file no pattern names.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.lms.collect import load_manifest

pytestmark = pytest.mark.slow   # real nbgrader commands / chromium

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def notebook(marker: str) -> str:
    """The released notebook with a first cell saying whose upload it is."""
    nb = nbformat.read(ROOT / "exercises" / "backprop" / "backprop.ipynb", as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(marker))
    return nbformat.writes(nb)


UPLOADS = {
    "smithjane_104233_5501267_backprop.ipynb": notebook("smithjane"),
    "doejohn_LATE_88112_5501299_backprop.ipynb": notebook("doejohn first"),
    "doejohn_LATE_88112_5501300_backprop-1.ipynb": notebook("doejohn re-upload"),
    "leekim_99001_5501311_notes.txt": "my notes",
    "leekim_99001_5501312_homework.ipynb": notebook("leekim"),
    "parkmin_555_6001_Backprop_final.ipynb": notebook("parkmin"),
    "ngoanh_556_6002_backprop (1).ipynb": notebook("ngoanh"),
    "ortizluis_557_6003_backprop.txt": "I could not upload the notebook",
    "chenwei_558_6004_attempt_one.ipynb": notebook("chenwei 1"),
    "chenwei_558_6005_attempt_two.ipynb": notebook("chenwei 2"),
    "README.txt": "not a submission",
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> dict:
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "exercises" / "backprop", course / "exercises" / "backprop")
    archive = course / "downloaded" / "backprop" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as z:
        for name, text in UPLOADS.items():
            z.writestr(name, text)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run([str(BIN / "nbgrader"), "zip_collect", "backprop", "--force",
                           f"--CourseDirectory.root={course}"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"course": course, "log": proc.stderr}


def filed(course: Path, student: str) -> str:
    nb = nbformat.read(course / "submitted" / student / "backprop" / "backprop.ipynb",
                       as_version=4)
    return nb.cells[0].source


def test_each_identifiable_notebook_is_filed_under_its_student(collected):
    course = collected["course"]
    assert sorted(p.relative_to(course / "submitted").as_posix()
                  for p in (course / "submitted").rglob("*.ipynb")) == [
        f"{s}/backprop/backprop.ipynb"
        for s in ("doejohn", "leekim", "ngoanh", "parkmin", "smithjane")]
    for student in ("smithjane", "leekim", "parkmin", "ngoanh"):
        assert filed(course, student) == student
    assert filed(course, "doejohn") == "doejohn re-upload"   # Canvas's -1 is the newer file


def test_the_manifest_keeps_late_ids_and_why_a_student_was_not_graded(collected):
    records = load_manifest(collected["course"], "backprop")
    assert set(records) == {"smithjane", "doejohn", "leekim", "parkmin", "ngoanh",
                            "ortizluis", "chenwei"}
    assert [s for s, r in sorted(records.items()) if r.late] == ["doejohn"]
    assert records["smithjane"].lms_user_id == "104233"
    assert records["parkmin"].collected == "Backprop_final.ipynb"
    assert records["ngoanh"].collected == "backprop (1).ipynb"
    assert records["leekim"].files == ["homework.ipynb", "notes.txt"]
    assert records["ortizluis"].status == \
        "not graded: file named backprop.txt (no backprop.ipynb)"
    assert records["chenwei"].status.startswith(
        "not graded: files named attempt_one.ipynb, attempt_two.ipynb")
    assert records["chenwei"].collected is None


def test_the_log_names_every_student_not_graded_and_every_unknown_file(collected):
    log = collected["log"]
    assert "ortizluis: not graded: file named backprop.txt" in log
    assert "chenwei: not graded: files named attempt_one.ipynb" in log
    assert "parkmin: filed Backprop_final.ipynb as backprop.ipynb" in log
    assert "README.txt does not follow the LMS file-name pattern" in log
    assert log.strip().splitlines()[-1].endswith(
        "LMS download: 7 students, 5 collected, 2 not graded, 0 uploads refused, "
        f"1 files matching no student ({collected['course']}/downloaded/backprop/lms.json)")
    assert len(log.strip().splitlines()) == 7     # one line per problem or renamed file


BLACKBOARD = (r"(?i).*/backprop_(?P<student_id>[a-z0-9]+)_attempt_"
              r"(?P<timestamp>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)_(?P<file_id>.+?)\.[^./]+$")


def test_an_lms_that_names_the_time_gives_timestamps_and_the_latest_attempt(tmp_path):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    shutil.copytree(ROOT / "exercises" / "backprop", tmp_path / "exercises" / "backprop")
    archive = tmp_path / "downloaded" / "backprop" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "blackboard.zip", "w") as z:
        z.writestr("backprop_jsmith_attempt_2026-03-01-09-30-00_backprop.ipynb",
                   notebook("first attempt"))
        z.writestr("backprop_jsmith_attempt_2026-03-02-18-05-00_backprop.ipynb",
                   notebook("second attempt"))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run([str(BIN / "nbgrader"), "zip_collect", "backprop", "--force",
                           f"--FileNameCollectorPlugin.named_regexp={BLACKBOARD}",
                           f"--CourseDirectory.root={tmp_path}"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert filed(tmp_path, "jsmith") == "second attempt"
    stamp = tmp_path / "submitted" / "jsmith" / "backprop" / "timestamp.txt"
    assert stamp.read_text().startswith("2026-03-02 18:05:00")
    assert load_manifest(tmp_path, "backprop")["jsmith"].timestamp == "2026-03-02 18:05:00"
