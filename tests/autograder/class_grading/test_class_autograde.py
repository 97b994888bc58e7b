"""An instructor grades a whole class at once with ``python -m autograder grade-class``.

Each test builds a small class in a temporary copy of the course (the real
``nbgrader generate_assignment`` releases backprop; the scripted submissions of
tests/fixtures/submissions are written to submitted/), runs the tool as a subprocess the
way ``make grade-class`` does, and reads the gradebook back. The reference is
always a plain serial ``nbgrader autograde`` of a copy of the same class: every
Grade, Comment and Submission row must be equal.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from submissions import Submission, submission_text
from submissions.roster import BACKPROP, VECTORISED

from autograder.class_grading.grade_class import JOURNAL
from autograder.class_grading.gradebook_merge import gradebook_rows

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
COURSE_ID = "dnn-from-scratch"
ASSIGNMENT = "backprop"
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def by_name(student: str) -> Submission:
    return next(s for s in BACKPROP if s.student == student)


def renamed(sub: Submission, student: str) -> Submission:
    return Submission(student, sub.answers, sub.zero, sub.phrases, sub.raw)


# The failure kinds, each next to honest students in the same class.
KERNEL_DEATH = Submission("kernel_death", {**VECTORISED, "backprop": """
    import os, signal
    os.kill(os.getpid(), signal.SIGKILL)   # the kernel dies in the middle of the notebook
"""})
MEMORY_BOMB = Submission("memory_bomb", {**VECTORISED, "update_parameters": textwrap.dedent("""
    import numpy as np
    hog = np.ones(50 * 2**30 // 8)         # 50 GB: MemoryError under the limit, so the
""") + textwrap.dedent(VECTORISED["update_parameters"])})  # def below never runs
ENDLESS = Submission("endless", {**VECTORISED, "one_layer_backward": """
    def one_layer_backward(dA, cache):
        while True:                        # every test that calls it loops
            pass
"""})


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """A course folder with backprop released (gradebook.db knows its cells)."""
    course = tmp_path_factory.mktemp("released")
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    subprocess.run([sys.executable, "-m", "autograder", "secret", str(course)], check=True,
                   capture_output=True)   # every copy of the course shares its hidden cases
    return course


def nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(BIN / "nbgrader"), *args, f"--CourseDirectory.root={course}"],
                          cwd=course, env=ENV, capture_output=True, text=True, timeout=1200)
    if check and proc.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return proc


def make_class(released: Path, where: Path, subs: list[Submission],
               missing_cells: tuple[str, ...] = (), empty: tuple[str, ...] = ()) -> Path:
    """A copy of the released course with ``subs`` submitted.

    ``missing_cells`` students delete the test cells of backprop; ``empty`` students
    have a submission folder without a notebook.
    """
    shutil.copytree(released, where)
    nb = nbformat.read(where / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    for sub in subs:
        text = submission_text(nb, sub)
        if sub.student in missing_cells:
            edited = nbformat.reads(text, as_version=4)
            edited.cells = [c for c in edited.cells if c.metadata.get("nbgrader", {}).get(
                "grade_id") not in ("test_backprop", "hidden_backprop")]
            text = nbformat.writes(edited)
        folder = where / "submitted" / sub.student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(text, encoding="utf-8")
    for student in empty:
        folder = where / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / "notes.txt").write_text("forgot the notebook")
    return where


def class_grade(course: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade-class", ASSIGNMENT,
                           "--course-dir", str(course), *args],
                          cwd=course, env=ENV, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def rows(course: Path) -> dict:
    return gradebook_rows(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID, ASSIGNMENT)


def serial_copy(course: Path, where: Path) -> Path:
    """The same class graded by one plain ``nbgrader autograde`` run."""
    shutil.copytree(course, where)
    proc = nbgrader(where, "autograde", ASSIGNMENT, "--force", check=False)
    (where.parent / "autograde.log").write_text(proc.stderr)    # for a failing comparison
    return where


def lines_of(proc: subprocess.CompletedProcess) -> dict[str, str]:
    """The tool's one line per student, by student."""
    out = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and (parts[1] == "FAILED" or "/" in parts[1]):
            out[parts[0]] = line
    return out


def journal(course: Path) -> list[dict]:
    path = course / "autograded" / JOURNAL
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


# ------------------------------------------------------------------------------- tests
PARITY = [by_name(s) for s in ("correct_vectorised", "correct_loops", "dw_without_1_over_m",
                               "dal_wrong_sign", "in_place_update", "untouched_stub")]


@pytest.fixture(scope="module")
def parity_class(released, tmp_path_factory) -> Path:
    """The PARITY class, submitted but not graded."""
    return make_class(released, tmp_path_factory.mktemp("parity") / "course", PARITY)


@pytest.fixture(scope="module")
def serial(parity_class, tmp_path_factory) -> dict:
    """Every gradebook row of the PARITY class graded by serial ``nbgrader autograde``."""
    return rows(serial_copy(parity_class, tmp_path_factory.mktemp("serial") / "course"))


def only(table: dict, students: set[str]) -> dict:
    return {k: v for k, v in table.items() if k[0] in students}


def test_parallel_grades_equal_serial_and_manual_grades_survive_a_rerun(
        parity_class, serial, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(parity_class, course)
    proc = class_grade(course, "--workers", "2", "--shard-size", "2")
    assert rows(course) == serial
    assert len({k[0] for k in serial}) == len(PARITY)
    said = lines_of(proc)
    assert said["correct_vectorised"].split()[1] == "20/20"
    assert said["untouched_stub"].split()[1] == "0/20"
    with open(course / "grades.csv") as f:
        exported = [r for r in csv.DictReader(f) if r["assignment"] == ASSIGNMENT]
    assert sorted(r["student_id"] for r in exported) == sorted(s.student for s in PARITY)
    for s in PARITY:
        assert (course / "autograded" / s.student / ASSIGNMENT / "backprop.ipynb").is_file()

    # Nothing to do the second time: every student is in the journal.
    again = class_grade(course)
    assert "0 to grade, 6 already graded" in again.stdout
    assert rows(course) == serial

    # A grader overrides one cell, then the class is regraded from scratch.
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        grade = gb.find_grade("hidden_backprop", ASSIGNMENT, ASSIGNMENT, "dal_wrong_sign")
        grade.manual_score = 2.5
        gb.db.commit()
    class_grade(course, "--force", "--workers", "2", "--shard-size", "3")
    key = ("dal_wrong_sign", ASSIGNMENT, "hidden_backprop", "grade")
    expected = dict(serial)
    expected[key] = (expected[key][0], 2.5, True)  # nbgrader's rule: a manual score needs review
    assert rows(course) == expected


def test_shards_run_on_a_dask_cluster(parity_class, serial, tmp_path):
    from distributed import LocalCluster

    course = tmp_path / "course"
    shutil.copytree(parity_class, course)
    dropped = {"correct_loops", "in_place_update"}  # four students are enough here
    for student in dropped:
        shutil.rmtree(course / "submitted" / student)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        proc = class_grade(course, "--scheduler", cluster.scheduler_address)
    assert f"Dask at {cluster.scheduler_address} (2 threads)" in proc.stdout
    kept = {s.student for s in PARITY} - dropped
    assert rows(course) == only(serial, kept)
    assert set(lines_of(proc)) == kept


def test_a_killed_run_resumes_without_regrading_or_losing_grades(parity_class, serial,
                                                                  tmp_path):
    course = tmp_path / "course"
    shutil.copytree(parity_class, course)
    first = subprocess.Popen([sys.executable, "-m", "autograder", "grade-class", ASSIGNMENT,
                              "--course-dir", str(course), "--workers", "1",
                              "--shard-size", "1"],
                             cwd=course, env=ENV, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while len(journal(course)) < 2 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    first.send_signal(signal.SIGKILL)
    first.wait()
    before = {e["student"] for e in journal(course)}
    assert 2 <= len(before) < len(PARITY)

    proc = class_grade(course, "--workers", "2")
    assert f"{len(PARITY) - len(before)} to grade, {len(before)} already graded" in proc.stdout
    assert rows(course) == serial
    entries = [e["student"] for e in journal(course)]
    for student in before:  # merged before the kill, never graded again
        assert entries.count(student) == 1
    assert set(entries) == {s.student for s in PARITY}


FAILURES = [renamed(by_name("correct_vectorised"), "a_correct"),
            renamed(by_name("corrupt_upload"), "b_corrupt"),
            renamed(KERNEL_DEATH, "c_kernel_death"),
            renamed(by_name("dw_without_1_over_m"), "d_mistaken"),
            renamed(MEMORY_BOMB, "e_memory_bomb"),
            renamed(by_name("correct_loops"), "f_missing_cells"),
            renamed(ENDLESS, "g_endless"),
            renamed(by_name("correct_loops"), "h_correct")]


def test_each_failure_is_reported_for_its_student_and_the_class_is_graded(released, tmp_path):
    course = make_class(released, tmp_path / "class", FAILURES,
                        missing_cells=("f_missing_cells",), empty=("i_no_notebook",))
    # shards: [a b c] [d e f] [g h]; g loops in every test, so its shard runs out of time
    proc = class_grade(course, "--workers", "2", "--shard-size", "3", "--timeout", "45")
    said = lines_of(proc)
    assert said["a_correct"].split()[1] == "20/20"
    assert said["h_correct"].split()[1] == "20/20"
    assert 0 < float(said["d_mistaken"].split()[1].split("/")[0]) < 20, said["d_mistaken"]
    assert "corrupt notebook" in said["b_corrupt"]
    # a kernel that dies costs the cell that killed it and what follows, not the notebook:
    # one_layer_backward (7 points) was judged before backprop's cell killed the kernel
    assert said["c_kernel_death"].split()[1] == "7/20", said["c_kernel_death"]
    assert "memory limit" in said["e_memory_bomb"]
    assert said["e_memory_bomb"].split()[1] == "14/20", said["e_memory_bomb"]
    assert "test cells had been deleted" in said["f_missing_cells"]
    assert "FAILED" in said["g_endless"] and "timeout" in said["g_endless"]
    assert "missing notebook" in said["i_no_notebook"]
    assert "9 submissions: 6 graded, 3 not graded" in proc.stdout
    # failed students are retried by the next run, graded ones are not
    assert {e["student"] for e in journal(course) if e["status"] == "graded"} == {
        "a_correct", "c_kernel_death", "d_mistaken", "e_memory_bomb", "f_missing_cells",
        "h_correct"}


def test_without_bwrap_grading_refuses_unless_told_and_then_says_so(released, tmp_path):
    course = make_class(released, tmp_path / "class", [by_name("correct_vectorised")])
    no_bwrap = {**ENV, "PATH": str(BIN)}          # bwrap is in /usr/bin, not on this PATH
    refused = subprocess.run([sys.executable, "-m", "autograder", "grade-class", ASSIGNMENT,
                              "--course-dir", str(course)], cwd=course, env=no_bwrap,
                             capture_output=True, text=True, timeout=600)
    assert refused.returncode != 0
    assert "bubblewrap (bwrap) is not installed" in refused.stderr
    assert "Pass --unsandboxed to grade without it anyway" in refused.stderr
    assert not (course / "autograded" / "correct_vectorised").exists()

    proc = subprocess.run([sys.executable, "-m", "autograder", "grade-class", ASSIGNMENT,
                           "--course-dir", str(course), "--unsandboxed"], cwd=course,
                          env=no_bwrap, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert lines_of(proc)["correct_vectorised"].split()[1] == "20/20"
    assert "graded WITHOUT the sandbox" in proc.stdout
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    page = (course / "feedback" / "correct_vectorised" / ASSIGNMENT / "backprop.html")
    assert "graded WITHOUT a sandbox" in page.read_text()


# A student who prints, every way a kernel can, the line nbgrader logs for a failed student,
# naming both shard-mates, and terminal escapes (window title, clipboard).
FORGED = ("[AutogradeApp | ERROR] There was an error processing assignment 'backprop' for "
          "student '{}'\n")
FORGER = Submission("m_forger", {**VECTORISED, "update_parameters": textwrap.dedent(f"""
    import os, sys
    for mate in ("a_honest", "z_honest"):
        line = {FORGED!r}.format(mate) + "\\x1b]0;pwned\\x07\\x1b]52;c;cHduZWQ=\\x07"
        print(line)
        sys.stderr.write(line)
        os.write(1, line.encode())
        os.write(2, line.encode())
""") + textwrap.dedent(VECTORISED["update_parameters"])})


def test_what_a_kernel_prints_never_decides_a_classmates_result(released, tmp_path):
    course = make_class(released, tmp_path / "class",
                        [renamed(by_name("correct_vectorised"), "a_honest"), FORGER,
                         renamed(by_name("correct_loops"), "z_honest")])
    proc = class_grade(course, "--workers", "1", "--shard-size", "3")   # one shard, one run
    said = lines_of(proc)
    for student in ("a_honest", "m_forger", "z_honest"):
        assert said[student].split()[1] == "20/20", said[student]
        assert (course / "autograded" / student / ASSIGNMENT / "backprop.ipynb").is_file()
    assert "3 submissions: 3 graded, 0 not graded" in proc.stdout
    assert "\x1b" not in proc.stdout + proc.stderr and "pwned" not in proc.stdout + proc.stderr


def test_shard_jobs_run_as_commands_of_their_own_and_carry_no_secret(parity_class, serial,
                                                                     tmp_path):
    """What a Kubernetes Job or a Slurm array task runs: one job file in, one result out."""
    course = tmp_path / "course"
    shutil.copytree(parity_class, course)
    kept = {"correct_vectorised", "dal_wrong_sign"}
    for student in {s.student for s in PARITY} - kept:
        shutil.rmtree(course / "submitted" / student)
    class_grade(course, "--write-jobs", str(tmp_path / "jobs"), "--shard-size", "1")
    jobs = sorted((tmp_path / "jobs").glob("shard-*.json"))
    assert len(jobs) == 2 and all(j.stat().st_mode & 0o777 == 0o600 for j in jobs)
    key = (course / ".course_secret").read_text().strip()
    assert all(key not in j.read_text() for j in jobs)
    assert not (course / "autograded" / "correct_vectorised").exists()
    elsewhere = tmp_path / "node"                 # another machine: no course folder at all
    elsewhere.mkdir()
    for i, job in enumerate(jobs):
        run = subprocess.run([sys.executable, "-m", "autograder.class_grading.shard", str(job),
                              str(tmp_path / "results" / f"task-{i}")], cwd=elsewhere, env=ENV,
                             capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stderr[-3000:]
        assert "1 students" in run.stdout
    proc = class_grade(course, "--merge-results", str(tmp_path / "results"))
    assert set(lines_of(proc)) == kept
    assert rows(course) == only(serial, kept)
    assert {e["student"] for e in journal(course)} == kept


def test_a_remote_scheduler_must_be_reached_over_tls():
    from autograder.class_grading.executors import DaskExecutor

    with pytest.raises(SystemExit, match="must be reached over TLS"):
        DaskExecutor("tcp://192.0.2.7:8786")        # refused before any connection
