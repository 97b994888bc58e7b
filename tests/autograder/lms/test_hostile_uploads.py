"""One class whose uploads try every trick on collection, graded with the Makefile's commands.

A temporary course (the repository's Makefile and nbgrader_config.py, backprop
released, an ``.ipynb_checkpoints/`` folder in ``exercises/backprop/`` as JupyterLab
leaves it) collects a folder with ``make collect DIR=`` and then a Canvas download
with ``make collect-zip``, grades with ``make autograde`` (real nbgrader, the
sandbox: one run), and exports with ``make grades`` and ``make grades-canvas
ROSTER=``. Among honest students, the download holds: a zip uploaded next to a
notebook whose inner files are named as a classmate's notebook and as a LATE file
with the uploader's id; a nested zip that would unpack to 201 MB; a "notebook" of
201 MB of zeros (a zip bomb at the top level); a notebook that is a symbolic link to
the solution; students named in Unicode (NFC, NFD as a macOS
re-zip stores it, CJK); two John Smiths; one Canvas id under two names. The folder
holds a link to the solution, a student folder that is a link to a classmate's and a
folder named after a classmate inside the attacker's own. Every score, status and
Canvas row is asserted, and that no file outside the course's output folders changed.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import stat
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from nbgrader_course import COURSE_ID, ROOT, new_course, released
from submissions import Submission, submission_text
from submissions.roster import BACKPROP, VECTORISED

from autograder.class_grading.gradebook_merge import gradebook_rows

pytestmark = pytest.mark.slow   # real nbgrader commands in the sandbox

OUTPUTS = ("submitted/", "autograded/", "feedback/", "downloaded/", "report/", "gradebook.db",
           "grades.csv", "grades-canvas.csv")
NFD_LUCIA = unicodedata.normalize("NFD", "núñezlucía")
SOLUTION_LINK = "../../../solutions/backprop/backprop.ipynb"
VENV_BIN = ROOT / ".venv" / "bin"
BOMB_STATUS = ("not graded: no file could be taken (no backprop.ipynb); refused backprop.ipynb: "
               "compressed N:1 to 201 MB: a zip bomb, not unpacked (LmsExtractor.max_ratio)")


def ratio_free(text: str) -> str:
    """``text`` with the zip bomb's compression ratio (zlib's to choose) written as N."""
    return re.sub(r"compressed \d{3,}:1", "compressed N:1", text)


def make(course: Path, *args: str) -> subprocess.CompletedProcess:
    """``make <args>`` in ``course`` with the repository's .venv (the sandbox needs its real
    path, so BIN points there and PATH has it, as the Makefile's own PATH would)."""
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["make", "--no-print-directory", *args, "STAMP=",
                           f"BIN={VENV_BIN}"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=1200)


def fingerprint(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (links not followed), by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()}


def canvas_zip(path: Path, course: Path) -> None:
    """The Canvas download: Canvas's own names at the top level (see the module docstring)."""
    nb = released(course, "backprop")
    correct = submission_text(nb, Submission("x", VECTORISED))
    dw = submission_text(nb, next(s for s in BACKPROP if s.student == "dw_without_1_over_m"))
    stub = submission_text(nb, Submission("x", {}))
    inner = path.parent / "extra.zip"
    with zipfile.ZipFile(inner, "w") as z:           # evilemma's upload next to a notebook
        z.writestr("smithjane_104233_999_backprop-9.ipynb", stub)
        z.writestr("smithjane_LATE_700_1_late.txt", "late")
    bomb = path.parent / "data.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("zeros.bin", bytes(201 << 20))
    link = zipfile.ZipInfo("sneakysam_701_6005_backprop.ipynb")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("smithjane_104233_5501267_backprop.ipynb", correct)
        z.writestr("doejohn_LATE_88112_5501300_backprop-1.ipynb", correct)
        z.writestr("evilemma_700_6001_backprop.ipynb", dw)
        z.write(inner, "evilemma_700_6002_extra.zip")
        z.writestr("bombbo_800_6003_backprop.ipynb", correct)
        z.write(bomb, "bombbo_800_6004_data.zip")
        z.writestr("bigbea_802_6013_backprop.ipynb", bytes(201 << 20))   # ~200 KB zipped
        z.writestr(link, SOLUTION_LINK)
        z.writestr("müllerjörg_901_6006_backprop.ipynb", correct)
        z.writestr(f"{NFD_LUCIA}_902_6007_Backprop_final.ipynb", dw)
        z.writestr("王小明_903_6008_backprop.ipynb", correct)
        z.writestr("smithjohn_501_6009_backprop.ipynb", correct)
        z.writestr("smithjohn_502_6010_backprop.ipynb", dw)
        z.writestr("leekim_99001_6011_backprop.ipynb", correct)
        z.writestr("parkmin_99001_6012_backprop-1.ipynb", correct)


def folder_upload(folder: Path, course: Path) -> None:
    """A shared-drive folder: folder/<student>/backprop/…, with a link and a classmate's name."""
    nb = released(course, "backprop")
    for rel, sub in {"folderfay/backprop/backprop.ipynb": Submission("x", VECTORISED),
                     "evilemma/backprop/backprop.ipynb": Submission("x", VECTORISED),
                     "evilemma/backprop/smithjane/backprop/backprop.ipynb": Submission("x", {}),
                     }.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(submission_text(nb, sub), encoding="utf-8")
    (folder / "sneakysam" / "backprop").mkdir(parents=True)
    (folder / "sneakysam" / "backprop" / "backprop.ipynb").symlink_to(
        "../../../course/solutions/backprop/backprop.ipynb")
    (folder / "linkleo").symlink_to("folderfay")       # a student folder that is a link


ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,Backprop (41234)
    Points Possible,,,,,20
"Smith, Jane",104233,S1,,A,
"Doe, John",88112,S2,,A,
"Evil, Emma",700,S3,,A,
"Bo, Bomb",800,S4,,A,
"Big, Bea",802,S14,,A,
"Sam, Sneaky",701,S5,,A,
"Müller, Jörg",901,S6,,A,
"Núñez, Lucía",902,S7,,A,
"王, 小明",903,S8,,A,
"Smith, John",501,S9,,A,
"Smith, John",502,S10,,A,
"Smith, John",503,S11,,A,
"Lee, Kim",99001,S12,,A,
"Folder, Fay",4000,S13,,A,
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("hostile")
    course = tmp / "course"
    course.mkdir()
    new_course(course, ["backprop"])
    shutil.copy(ROOT / "Makefile", course / "Makefile")
    (course / "tools").symlink_to(ROOT / "tools")
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "autograder", "secret",
                    str(course)], check=True, capture_output=True)
    checkpoints = course / "exercises" / "backprop" / ".ipynb_checkpoints"
    checkpoints.mkdir()
    shutil.copy(course / "exercises" / "backprop" / "backprop.ipynb",
                checkpoints / "backprop-checkpoint.ipynb")
    uploads = tmp / "uploads"
    (uploads / "folder").mkdir(parents=True)
    folder_upload(uploads / "folder", course)
    canvas_zip(uploads / "canvas.zip", course)
    (uploads / "canvas-export.csv").write_text(ROSTER, encoding="utf-8")
    before, uploads_before = fingerprint(course), fingerprint(uploads)
    solution_before = fingerprint(ROOT / "solutions")
    out = {"course": course, "collect": make(course, f"DIR={uploads / 'folder'}", "collect")}
    out["folder_submitted"] = sorted(p.name for p in (course / "submitted").iterdir())
    out["collect_zip"] = make(course, "collect-zip", f"ZIP={uploads / 'canvas.zip'}",
                              "ASSIGNMENT=backprop")
    out["downloaded_bytes"] = sum(p.stat().st_size for p in (course / "downloaded").rglob("*")
                                  if p.is_file())
    twin = tmp / "course-graded-as-a-class"       # the same collected class, for make grade-class
    shutil.copytree(course, twin, symlinks=True)
    out["autograde"] = make(course, "autograde", "ASSIGNMENT=backprop")
    out["twin"] = twin
    out["grade_class"] = make(twin, "grade-class", "ASSIGNMENT=backprop", "WORKERS=2")
    out["grades"] = make(course, "grades")
    out["canvas"] = make(course, "grades-canvas", f"ROSTER={uploads / 'canvas-export.csv'}")
    after = fingerprint(course)
    out["changed"] = sorted(p for p in set(before) | set(after)
                            if before.get(p) != after.get(p) and not p.startswith(OUTPUTS))
    out["uploads_changed"] = uploads_before != fingerprint(uploads)
    out["solutions_changed"] = solution_before != fingerprint(ROOT / "solutions")
    return out


def test_the_folder_collect_follows_no_link_and_files_nothing_for_a_classmate(graded):
    proc = graded["collect"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert graded["folder_submitted"] == ["evilemma", "folderfay"]
    assert ("sneakysam: not graded: no file could be taken (no backprop.ipynb); refused "
            "backprop.ipynb: a symbolic link (to ../../../course/solutions/backprop/"
            "backprop.ipynb); not followed") in proc.stderr
    assert ("evilemma/backprop/smithjane/backprop/backprop.ipynb does not follow the LMS "
            "file-name pattern") in proc.stderr
    assert "linkleo: refused: a symbolic link (to folderfay); not followed" in proc.stderr


def test_the_zip_collect_reports_each_problem_once_and_the_summary_last(graded):
    proc = graded["collect_zip"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].endswith("LMS download: 12 students, 9 collected, 3 not graded, 4 uploads "
                              f"refused, 0 files matching no student "
                              f"({graded['course']}/downloaded/backprop/lms.json)")
    assert [ratio_free(line.split("] ", 1)[1]) for line in lines[:-1]] == [
        "núñezlucía: filed Backprop_final.ipynb as backprop.ipynb",
        f"bigbea: {BOMB_STATUS}",
        "bombbo: refused data.zip: an archive inside the download; not unpacked "
        "(nothing in it is graded)",
        "evilemma: refused extra.zip: an archive inside the download; not unpacked "
        "(nothing in it is graded)",
        "leekim_99001: not graded: refused: the files of LMS user id 99001 carry different "
        "names (leekim, parkmin); none was filed, check the download by hand",
        "sneakysam: not graded: no file could be taken (no backprop.ipynb); refused "
        "backprop.ipynb: a symbolic link; not followed",
    ]
    assert graded["downloaded_bytes"] < 2 << 20       # neither 201 MB was written


def test_every_student_has_the_score_and_status_of_their_own_work(graded):
    assert graded["autograde"].returncode == 0, graded["autograde"].stderr[-3000:]
    assert graded["grades"].returncode == 0, graded["grades"].stderr[-3000:]
    with open(graded["course"] / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {r["student_id"]: (ratio_free(r["status"]), r["score"], r["late"], r["lms_user_id"])
                for r in csv.DictReader(f)}
    assert rows == {
        "smithjane": ("graded", "20.0", "", "104233"),
        "doejohn": ("graded", "20.0", "yes", "88112"),
        "evilemma": ("graded", "13.0", "", "700"),
        "bombbo": ("graded", "20.0", "", "800"),
        "bigbea": (BOMB_STATUS, "0.0", "", "802"),
        "sneakysam": ("not graded: no file could be taken (no backprop.ipynb); refused "
                      "backprop.ipynb: a symbolic link; not followed", "0.0", "", "701"),
        "müllerjörg": ("graded", "20.0", "", "901"),
        "núñezlucía": ("graded", "13.0", "", "902"),
        "王小明": ("graded", "20.0", "", "903"),
        "smithjohn_501": ("graded", "20.0", "", "501"),
        "smithjohn_502": ("graded", "13.0", "", "502"),
        "leekim_99001": ("not graded: refused: the files of LMS user id 99001 carry different "
                         "names (leekim, parkmin); none was filed, check the download by hand",
                         "0.0", "", "99001"),
        "folderfay": ("graded", "20.0", "", ""),
    }


def test_each_canvas_row_gets_only_its_own_grade(graded):
    assert graded["canvas"].returncode == 0, graded["canvas"].stderr[-3000:]
    with open(graded["course"] / "grades-canvas.csv", newline="", encoding="utf-8") as f:
        table = [(row[0], row[1], row[5]) for row in csv.reader(f)]
    assert table[2:] == [
        ("Smith, Jane", "104233", "20"), ("Doe, John", "88112", "20"),
        ("Evil, Emma", "700", "13"), ("Bo, Bomb", "800", "20"), ("Big, Bea", "802", ""),
        ("Sam, Sneaky", "701", ""),
        ("Müller, Jörg", "901", "20"), ("Núñez, Lucía", "902", "13"), ("王, 小明", "903", "20"),
        ("Smith, John", "501", "20"), ("Smith, John", "502", "13"), ("Smith, John", "503", ""),
        ("Lee, Kim", "99001", ""), ("Folder, Fay", "4000", "20")]


def test_nothing_outside_the_course_output_folders_changed(graded):
    assert graded["changed"] == []
    assert not graded["uploads_changed"] and not graded["solutions_changed"]
    assert not any(p.is_symlink() for p in (graded["course"] / "submitted").rglob("*"))


def test_make_grade_class_gives_every_student_what_make_autograde_gave(graded):
    proc = graded["grade_class"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    serial, parallel = (gradebook_rows(f"sqlite:///{c / 'gradebook.db'}", COURSE_ID, "backprop")
                        for c in (graded["course"], graded["twin"]))
    scores = {k: v for k, v in serial.items() if k[3] != "timestamp"}
    assert scores and scores == {k: v for k, v in parallel.items() if k[3] != "timestamp"}
