"""``make report``: the class misconception report agrees with the gradebook and shows copies.

A temporary course holds the released backprop notebook, the submitted
notebooks of a small class (tests/similarity_class.py's one_layer_backward
answers, the roster's vectorised backprop and update_parameters), a gradebook
filled through nbgrader's API with the scores autograde stores, and for each
student the ``grading.json`` the judge records (fixture files written here in
the judge's format). The report is made by the real command line and the page
is opened in chromium at 390 px and on a desktop.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import bs4
import nbformat
import pytest
from nbgrader.api import Gradebook
from similarity_class import ANSWERS
from submissions import Submission, submission_text
from submissions.roster import VECTORISED

from dnn_ref.grading.diagnoses.catalogue import TITLES

pytestmark = pytest.mark.slow   # real nbgrader commands / chromium

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
ARTIFACTS = ROOT / "test-artifacts"
POINTS = {"test_one_layer_backward": 3, "hidden_one_layer_backward": 4, "test_backprop": 3,
          "hidden_backprop": 4, "test_update_parameters": 3, "hidden_update_parameters": 3}
ONE_OVER_M = ("dW1 is wrong. Likely cause: the 1/m is missing: dW = (1/m) dZ·A_prevᵀ.\n"
              "expected 0.25, found 1.0")
#: student -> {grade_id: (mistake, message)} of the failed test cells; all others pass.
FAILED = {
    "dee": {"test_one_layer_backward": ("dw_missing_1_over_m", ONE_OVER_M),
            "hidden_one_layer_backward": ("dw_missing_1_over_m", ONE_OVER_M)},
    "cy": {"hidden_one_layer_backward": ("dw_missing_1_over_m", ONE_OVER_M)},
    "bo": {"test_update_parameters": ("mutates_parameters", "update_parameters changed "
                                      "its parameters argument in place.")},
    "eve": {"hidden_backprop": ("raised", "backprop raised ValueError: shapes (3,4) and "
                                          "(5,4) not aligned")},
}


def grading_entries(student: str) -> list[dict]:
    out = []
    for grade_id, points in POINTS.items():
        mistake, message = FAILED.get(student, {}).get(grade_id, (None, "✓ passed"))
        out.append({"grade_id": grade_id, "function": grade_id.split("_", 1)[1],
                    "hidden": grade_id.startswith("hidden_"), "points": points,
                    "passed": mistake is None, "mistake": mistake, "message": message,
                    "helper_note": None})
    return out


def make_course(course: Path) -> Path:
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "exercises" / "backprop", course / "exercises" / "backprop")
    released = nbformat.read(course / "exercises" / "backprop" / "backprop.ipynb", as_version=4)
    path = os.environ["PATH"]
    os.environ["PATH"] = f"{BIN}{os.pathsep}{path}"   # nbgrader runs alembic to create the db
    try:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "dnn-from-scratch") as gb:
            gb.add_assignment("backprop")
            gb.add_notebook("backprop", "backprop")
            for grade_id, points in POINTS.items():
                gb.add_grade_cell(grade_id, "backprop", "backprop", max_score=points,
                                  cell_type="code")
            for student, code in ANSWERS.items():
                gb.update_or_create_student(student)
                gb.add_submission("backprop", student)
                entries = grading_entries(student)
                for e in entries:
                    grade = gb.find_grade(e["grade_id"], "backprop", "backprop", student)
                    grade.auto_score = float(e["points"]) if e["passed"] else 0.0
                    grade.needs_manual_grade = False
                sub = Submission(student, {**VECTORISED, "one_layer_backward": code})
                folder = course / "submitted" / student / "backprop"
                folder.mkdir(parents=True)
                (folder / "backprop.ipynb").write_text(submission_text(released, sub))
                graded = course / "autograded" / student / "backprop"
                graded.mkdir(parents=True)
                (graded / "grading.json").write_text(json.dumps(entries))
            gb.db.commit()
    finally:
        os.environ["PATH"] = path
    return course


def report(course: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "report", "backprop", "--course",
                           str(course)], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict:
    course = make_course(tmp_path_factory.mktemp("course"))
    proc = report(course)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"course": course, "out": course / "report" / "backprop", "proc": proc}


def test_mistakes_csv_counts_students_per_mistake(made):
    with open(made["out"] / "mistakes.csv", newline="") as f:
        rows = {(r["function"], r["mistake"]): r for r in csv.DictReader(f)}
    assert {k: (r["students"], r["student_ids"]) for k, r in rows.items()} == {
        ("one_layer_backward", "passed"): ("5", "ada bo copier eve refcopy"),
        ("one_layer_backward", "dw_missing_1_over_m"): ("2", "cy dee"),   # dee counts once
        ("backprop", "passed"): ("6", "ada bo copier cy dee refcopy"),
        ("backprop", "raised"): ("1", "eve"),
        ("update_parameters", "passed"): ("6", "ada copier cy dee eve refcopy"),
        ("update_parameters", "mutates_parameters"): ("1", "bo"),
    }
    assert {r["graded"] for r in rows.values()} == {"7"}
    assert rows["one_layer_backward", "dw_missing_1_over_m"]["label"] == \
        TITLES["dw_missing_1_over_m"]
    # a slug with no title is named by itself, never by a message: a message can quote what
    # a student's code raised or printed, and the label heads a group of students
    assert rows["update_parameters", "mutates_parameters"]["label"] == "mutates parameters"


def test_the_page_shows_counts_students_and_the_flagged_pairs(made):
    page = (made["out"] / "index.html").read_text()
    assert 'data-slug="dw_missing_1_over_m">2 of 7<' in page
    assert 'data-slug="dw_missing_1_over_m">cy, dee<' in page
    assert "No near-copies found" not in page
    with open(made["out"] / "similarity.csv", newline="") as f:
        flagged = {(r["function"], r["student"], r["similar_to"]) for r in csv.DictReader(f)}
    assert flagged == {("one_layer_backward", "ada", "copier"),
                       ("one_layer_backward", "refcopy", "dnn_ref/network.py")}
    assert "<mark>" in page and "Does not agree with the gradebook" not in page


def test_a_verdict_that_disagrees_with_the_gradebook_is_reported(tmp_path):
    course = make_course(tmp_path)
    path = os.environ["PATH"]
    os.environ["PATH"] = f"{BIN}{os.pathsep}{path}"
    try:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "dnn-from-scratch") as gb:
            gb.find_grade("hidden_backprop", "backprop", "backprop", "eve").auto_score = 4.0
            gb.db.commit()
    finally:
        os.environ["PATH"] = path
    (course / "autograded" / "ada" / "backprop" / "grading.json").unlink()
    proc = report(course)
    assert proc.returncode == 1
    assert ("eve: hidden_backprop recorded failed but the gradebook has 4.0 of 4.0"
            in proc.stderr)
    assert "ada: graded, but no autograded/ada/backprop/grading.json" in proc.stderr
    page = (course / "report" / "backprop" / "index.html").read_text()
    assert "Does not agree with the gradebook" in page


@pytest.mark.parametrize(("width", "height", "name"), [(390, 844, "phone"),
                                                       (1280, 900, "desktop")])
def test_the_page_fits_the_screen_and_requests_nothing(made, width, height, name):
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": width, "height": height})
        page.set_default_timeout(180_000)     # the machine may be busy; this is no speed test
        page.on("request", lambda r: requests.append(r.url))
        page.goto((made["out"] / "index.html").as_uri())
        page.wait_for_load_state("load")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        page.locator("details").first.evaluate("d => d.open = true")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"report-{name}.png"), full_page=True)
        bar = page.locator(".bar").nth(1).bounding_box()
        browser.close()
    assert overflow <= 0, f"the page is {overflow} px wider than a {width} px screen"
    assert [u for u in requests if not u.startswith("file://")] == []
    assert bar["width"] > 0


# ------------------------------------------------------------ the real pipeline, end to end

CANVAS_ZIP = {   # Canvas download file name -> the roster submission in it
    "correctann_1001_9001_backprop.ipynb": "correct_vectorised",
    "loopsbob_1002_9002_backprop.ipynb": "correct_loops",
    "nomcara_1003_9003_Backprop_final.ipynb": "dw_without_1_over_m",
    "dbdan_LATE_1004_9004_backprop (1).ipynb": "db_without_1_over_m",
    "notesfay_1005_9005_notes.txt": None,
}


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run([str(BIN / "nbgrader"), *args, f"--CourseDirectory.root={course}"],
                          cwd=course, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)}:\n{proc.stderr[-3000:]}"
    return proc


def test_canvas_zip_to_report_with_the_real_nbgrader_and_judge(tmp_path):
    import zipfile

    from submissions.roster import BACKPROP

    course = tmp_path
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions" / "backprop", course / "solutions" / "backprop")
    nbgrader(course, "generate_assignment", "backprop", "--force")
    released = nbformat.read(course / "exercises" / "backprop" / "backprop.ipynb", as_version=4)
    roster = {sub.student: sub for sub in BACKPROP}
    archive = course / "downloaded" / "backprop" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as z:
        for name, student in CANVAS_ZIP.items():
            z.writestr(name, submission_text(released, roster[student]) if student else "notes")
    nbgrader(course, "zip_collect", "backprop", "--force")
    nbgrader(course, "autograde", "backprop", "--force")
    nbgrader(course, "export", "--to", "grades.csv")
    nbgrader(course, "export", "--exporter=autograder.lms.canvas.CanvasExport",
             "--to", "canvas.csv")
    proc = report(course)
    assert proc.returncode == 0, proc.stderr[-3000:]     # the report agrees with the gradebook

    with open(course / "report" / "backprop" / "mistakes.csv", newline="") as f:
        found = {(r["function"], r["mistake"]): r["student_ids"] for r in csv.DictReader(f)}
    assert found["one_layer_backward", "passed"] == "correctann loopsbob"
    assert found["one_layer_backward", "dw_missing_1_over_m"] == "nomcara"
    assert found["one_layer_backward", "db_missing_1_over_m"] == "dbdan"
    assert found["backprop", "passed"] == found["update_parameters", "passed"] == \
        "correctann dbdan loopsbob nomcara"
    with open(course / "grades.csv", newline="") as f:
        grades = {r["student_id"]: r for r in csv.DictReader(f)}
    assert {s: (r["status"], r["score"], r["late"]) for s, r in grades.items()} == {
        "correctann": ("graded", "20.0", ""), "loopsbob": ("graded", "20.0", ""),
        "nomcara": ("graded", "13.0", ""), "dbdan": ("graded", "13.0", "yes"),
        "notesfay": ("not graded: file named notes.txt (no backprop.ipynb)", "0.0", ""),
    }
    with open(course / "canvas.csv", newline="") as f:
        canvas = {row[1]: row[5] for row in list(csv.reader(f))[2:]}
    assert canvas == {"1001": "20", "1002": "20", "1003": "13", "1004": "13", "1005": ""}


def test_make_report_runs_the_report_module():
    out = subprocess.run(["make", "-n", "--no-print-directory", "report", "ASSIGNMENT=graphs",
                          "STAMP="], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "-m autograder report graphs --out report/graphs" in out


def _visible_words(page: Path) -> set[str]:
    """The words of a report page a reader sees, outside code (<pre>, <code>) and styles."""
    soup = bs4.BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for tag in soup.find_all(["style", "pre", "code", "small"]):
        tag.decompose()
    return {w.lower() for w in re.findall(r"(?<![\w/.])[A-Za-z][a-z]+(?![\w/.])",
                                          soup.get_text(" "))}


def test_the_report_in_portuguese_has_no_english_word_of_its_own(made):
    out = made["course"] / "report-pt"
    proc = subprocess.run([sys.executable, "-m", "autograder", "report", "backprop", "--course",
                           str(made["course"]), "--out", str(out)], cwd=ROOT,
                          env={**os.environ, "COURSE_LANGUAGE": "pt_BR"},
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    names = set(ANSWERS) | {"backprop", "mutates", "parameters", "raised"}   # ids, untitled slugs
    kept = {"copydetect", "strings", "as"}   # a library, a loanword, a Portuguese word too
    english = _visible_words(made["out"] / "index.html") - names - kept
    assert {"what", "the", "class", "got", "wrong", "passed", "every", "test", "of",
            "near", "copies", "and", "code"} <= english
    left = english & _visible_words(out / "index.html")
    assert not left, f"English on the Portuguese report: {sorted(left)}"
    with open(out / "mistakes.csv", newline="") as f:
        labels = {(r["function"], r["mistake"]): r["label"] for r in csv.DictReader(f)}
    assert labels["backprop", "passed"] == "passou em todos os testes"
