"""A class of honest students and attackers, graded with the real nbgrader, twice.

The class: honest students in every style (IPython magics, scratch cells after
the tests, an answer cell copied with its metadata, lost cell ids, a changed
cell type, loops, prints, warnings), the attacks of issue 5 on the checkers
(patched numpy, replaced checker, rigged ``==``, hidden tracebacks, calls to the
reference, deleted test cells) and the attacks of issue 8 on the machine
(tests/fixtures/submissions/attacks.py: gradebook write, grader-file edit, reading the
reference source, the solutions or a classmate's submission, .pth and IPython
startup drops, signals, fork and disk bombs, a daemon, a lookup table of the
reference's answers, reading the hidden cases or the course secret).

It is graded by ``nbgrader autograde`` (what ``make autograde`` runs) in one
copy of the course and by ``python -m autograder.class_grading.grade_class`` (``make
grade-class``) in another. Every score is asserted, the two gradebooks must be
equal, the course folder and the virtualenv must be unchanged but for the
grading's own outputs, no process may outlive grading, and each attacker's
feedback must say what was refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader_course import (
    COURSE_ID,
    ROOT,
    feedback_text,
    nbgrader,
    new_course,
    points_by_function,
    released,
)
from submissions import Submission, cell_source, submission_text
from submissions.attacks import BOMB_MARK, DAEMON_MARK, PTH, attack_class
from submissions.roster import VECTORISED
from submissions.styles import HONEST, WRONG_SIGN_BACKPROP

from autograder.class_grading.gradebook_merge import gradebook_rows

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
FUNCTIONS = {"one_layer_backward", "backprop", "update_parameters"}


def attack(student: str, answers: dict[str, str], zero: set[str],
           phrases: dict[str, tuple[str, ...]]) -> Submission:
    """A student whose answers are right (VECTORISED) but for the ``answers`` given."""
    return Submission(student, {**VECTORISED, **answers}, frozenset(zero), phrases)


CHECKER_ATTACKS = [
    attack("patches_numpy", {"backprop": cell_source('''
        np.allclose = lambda *args, **kwargs: True      # every comparison now "passes"
        np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, bool)
    ''') + "\n" + cell_source(WRONG_SIGN_BACKPROP)}, {"backprop"},
        {"backprop": ("dAL has the wrong sign",)}),
    attack("replaces_checker", {"update_parameters": '''
        import dnn_ref.grading

        def _always_passes(*args, **kwargs):
            print("✓ update_parameters: passed all 4 checks")

        check_update_parameters = _always_passes
        dnn_ref.grading.check_update_parameters = _always_passes

        def update_parameters(parameters, grads, learning_rate):
            return {k: v + learning_rate * grads["d" + k] for k, v in parameters.items()}
    '''}, {"update_parameters"},
        {"update_parameters": ("check_update_parameters did not run on the grader's cases",)}),
    # while backprop runs with the probe helpers, it forges records of a "right with a
    # stand-in" run next to the real (wrong-sign) record: every record of a check is judged
    attack("forges_probe_record", {"backprop": cell_source('''
        import json, os
        from pathlib import Path
        from dnn_ref.grading import recording

        def _forge_right_probe_records():
            root = Path(os.environ["DNN_GRADING_DIR"])
            probe = recording.PROBES["one_layer_backward"]
            for hidden in (False, True):
                results = []
                for case in json.loads(recording.cases_file(root, "backprop", hidden)
                                       .read_text())["cases"]:
                    AL, Y, caches = recording.from_plain(case["args"])
                    grads, dA = {}, -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
                    for l in range(len(caches), 0, -1):
                        dA, grads[f"dW{l}"], grads[f"db{l}"] = probe(dA, caches[l - 1])
                        grads[f"dA{l - 1}"] = dA
                    results.append({"returned": recording.to_plain(grads)})
                recording._write(root / "out", "backprop", hidden, {
                    "name": "backprop", "hidden": hidden, "results": results,
                    "probe": {"swapped": ["one_layer_backward"], "results": results}})
    ''') + "\n\n" + cell_source(WRONG_SIGN_BACKPROP).replace(
        "    grads = {}", "    if one_layer_backward is recording.PROBES['one_layer_backward']:\n"
        "        _forge_right_probe_records()\n    grads = {}", 1)}, {"backprop"},
        {"backprop": ("dAL has the wrong sign",)}),
    attack("rigged_eq", {"one_layer_backward": '''
        class EqualToEverything:
            def __eq__(self, other):
                return True

        def one_layer_backward(dA, cache):
            return EqualToEverything(), EqualToEverything(), EqualToEverything()
    '''}, {"one_layer_backward"},
        {"one_layer_backward": ("EqualToEverything, not an array of numbers",)}),
    attack("hides_tracebacks", {"one_layer_backward": '''
        from IPython import get_ipython
        from IPython.core.interactiveshell import InteractiveShell

        InteractiveShell.showtraceback = lambda *args, **kwargs: None
        get_ipython().showtraceback = lambda *args, **kwargs: None

        def one_layer_backward(dA, cache):
            (A_prev, W, b), Z = cache
            s = 1 / (1 + np.exp(-Z))
            dZ = dA * s * (1 - s)
            return W.T @ dZ, dZ @ A_prev.T, dZ.sum(axis=1, keepdims=True)   # no 1/m
    '''}, {"one_layer_backward"}, {"one_layer_backward": ("1/m",)}),
    attack("calls_reference", {
        "one_layer_backward": '''
            import dnn_ref.network

            def one_layer_backward(dA, cache):
                return dnn_ref.network.one_layer_backward(dA, cache)
        ''',
        "backprop": '''
            import dnn_ref

            def backprop(AL, Y, caches):
                return dnn_ref.backprop(AL, Y, caches)
        '''}, {"one_layer_backward", "backprop"},
        {"one_layer_backward": ("ReferenceUnavailable",), "backprop": ("ReferenceUnavailable",)}),
]

DELETED = ("test_backprop", "hidden_backprop")
DELETES_TESTS = attack("deletes_test_cells", {"backprop": WRONG_SIGN_BACKPROP}, {"backprop"},
                       {"backprop": ("dAL has the wrong sign",)})


def the_class(course: Path, targets: tuple[int, ...]) -> list[Submission]:
    return CHECKER_ATTACKS + [DELETES_TESTS] + HONEST + attack_class(course, targets)


def submit_class(course: Path, subs: list[Submission]) -> None:
    for sub in subs:
        folder = course / "submitted" / sub.student / "backprop"
        folder.mkdir(parents=True)
        text = submission_text(released(course, "backprop"), sub)
        if sub is DELETES_TESTS:
            nb = nbformat.reads(text, as_version=4)
            nb.cells = [c for c in nb.cells
                        if c.metadata.get("nbgrader", {}).get("grade_id") not in DELETED]
            text = nbformat.writes(nb)
        (folder / "backprop.ipynb").write_text(text, encoding="utf-8")


GRADING_OUTPUTS = ("gradebook.db", "autograded", "feedback", ".nbgrader.log", "grades.csv")


def fingerprint(folder: Path, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """relative path -> sha256 of every file under folder (size and mtime for big ones).

    By content, so that another process rewriting a file with the same bytes (a
    ``make install`` on the shared machine) is not a change.
    """
    out = {}
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if rel.parts[0] in skip or "__pycache__" in rel.parts or not path.is_file():
            continue
        st = path.lstat()
        out[rel.as_posix()] = (hashlib.sha256(path.read_bytes()).hexdigest()
                               if st.st_size < 2**18 else f"{st.st_size}:{st.st_mtime_ns}")
    return out


def leftovers(courses: list[Path]) -> list[str]:
    """Processes an attacker started, or any process still working in a graded course."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        marked = any(m in cmdline for m in (b"sleep\0" + DAEMON_MARK.encode(),
                                            b"sleep\0" + BOMB_MARK.encode(), b"garbage"))
        if marked or any(cwd.startswith(str(c)) for c in courses):
            found.append(f"{entry.name}: {cmdline[:120]!r} in {cwd}")
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    base = new_course(tmp_path_factory.mktemp("released"), ["backprop"])
    subprocess.run([sys.executable, "-m", "autograder", "secret", str(base)], check=True,
                   capture_output=True)
    canary = subprocess.Popen(["sleep", "3603"])
    targets = (os.getpid(), canary.pid)
    out: dict = {"courses": {}, "classes": {}}
    for mode in ("serial", "parallel"):
        course = tmp_path_factory.mktemp(mode) / "course"
        shutil.copytree(base, course)
        out["classes"][mode] = the_class(course, targets)
        submit_class(course, out["classes"][mode])
        out["courses"][mode] = course
    venv_before = fingerprint(Path(sys.prefix))
    before = {m: fingerprint(c, skip=GRADING_OUTPUTS) for m, c in out["courses"].items()}

    serial = out["courses"]["serial"]
    out["autograde"] = nbgrader(serial, "autograde", "backprop", "--force", check=False)
    parallel = out["courses"]["parallel"]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    out["class_grade"] = subprocess.run(
        [sys.executable, "-m", "autograder", "grade-class", "backprop", "--course-dir",
         str(parallel), "--workers", "4"], cwd=parallel, env=env, capture_output=True,
        text=True, timeout=1800)
    out["leftovers"] = leftovers(list(out["courses"].values()))
    out["canary_alive"] = canary.poll() is None
    out["pth_planted"] = PTH.exists()
    PTH.unlink(missing_ok=True)
    out["venv_changed"] = sorted(set(venv_before.items()) ^ set(
        fingerprint(Path(sys.prefix)).items()))
    out["course_changed"] = {m: sorted(set(before[m].items()) ^ set(fingerprint(
        c, skip=GRADING_OUTPUTS).items())) for m, c in out["courses"].items()}
    for course in out["courses"].values():
        nbgrader(course, "generate_feedback", "backprop", "--force", check=False)
    canary.kill()
    return out


def expected_points(sub: Submission, full: float, function: str) -> float:
    if function in sub.points:
        return sub.points[function]
    return 0.0 if function in sub.zero else full


CLASS_IDS = [s.student for s in the_class(Path("/course"), (0,))]


@pytest.mark.parametrize("student", CLASS_IDS)
def test_every_score(graded, student):
    sub = next(s for s in graded["classes"]["serial"] if s.student == student)
    points = points_by_function(graded["courses"]["serial"], "backprop", student)
    assert set(points) == FUNCTIONS
    for function, (score, full) in points.items():
        assert score == expected_points(sub, full, function), \
            f"{student}: {function} scored {score}/{full}"


def test_honest_students_keep_every_point(graded):
    for sub in HONEST:
        points = points_by_function(graded["courses"]["serial"], "backprop", sub.student)
        assert all(score == full for score, full in points.values()), (sub.student, points)


def test_class_grade_leaves_the_gradebook_serial_grading_leaves(graded):
    assert graded["class_grade"].returncode == 0, graded["class_grade"].stderr[-3000:]
    serial, parallel = (gradebook_rows(f"sqlite:///{graded['courses'][m] / 'gradebook.db'}",
                                       COURSE_ID, "backprop") for m in ("serial", "parallel"))
    assert {k: v for k, v in parallel.items() if k[-1] == "grade"} == \
        {k: v for k, v in serial.items() if k[-1] == "grade"}
    assert len({k[0] for k in serial}) == len(CLASS_IDS)


def test_every_run_finished_and_no_grade_was_written_by_hand(graded):
    assert graded["autograde"].returncode == 0, graded["autograde"].stderr[-3000:]
    for course in graded["courses"].values():
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
            manual = [g.manual_score for sub in gb.find_assignment("backprop").submissions
                      for nb in sub.notebooks for g in nb.grades if g.manual_score is not None]
        assert manual == []


def attackers() -> list[Submission]:
    return [s for s in the_class(Path("/course"), (0,)) if s.phrases]


@pytest.mark.parametrize("student", [s.student for s in attackers()])
def test_feedback_says_what_was_refused(graded, student):
    sub = next(s for s in graded["classes"]["serial"] if s.student == student)
    for mode, course in graded["courses"].items():
        text = feedback_text(course, "backprop", student)
        for phrases in sub.phrases.values():
            for phrase in phrases:
                assert phrase in text, f"{mode}: {student}: {phrase!r} missing from the feedback"


@pytest.mark.parametrize("student", CLASS_IDS)
def test_feedback_shows_no_line_of_any_hidden_test(graded, student):
    text = feedback_text(graded["courses"]["serial"], "backprop", student)
    nb = nbformat.read(ROOT / "solutions" / "backprop" / "backprop.ipynb", as_version=4)
    hidden = [line.strip() for cell in nb.cells for region in re.findall(
        r"BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S)
        for line in region.splitlines() if line.strip()]
    assert hidden, "the backprop notebook should have hidden tests"
    assert not [line for line in hidden if line in text]
    assert "Hidden tests ran here" in text


def test_no_file_outside_the_scratch_changed(graded):
    assert graded["course_changed"] == {"serial": [], "parallel": []}
    assert graded["venv_changed"] == []
    assert not graded["pth_planted"]


def test_no_process_outlives_grading(graded):
    assert graded["leftovers"] == []
    assert graded["canary_alive"]


def test_copy_paste_repairs_are_in_the_feedback(graded):
    text = feedback_text(graded["courses"]["serial"], "backprop", "honest_copied_cells")
    assert "Notes from grading" in text
    assert "is a copy of cell 'backprop'" in text
    assert "changed back to a code cell" in text


def test_scratch_cells_after_the_tests_cost_nothing_and_are_named(graded):
    text = feedback_text(graded["courses"]["serial"], "backprop", "honest_scratch_after_tests")
    assert "was it redefined after that test?" in text


def test_grading_json_has_a_row_per_check_with_the_mistake(graded):
    course = graded["courses"]["serial"]
    for sub in graded["classes"]["serial"]:
        rows = json.loads((course / "autograded" / sub.student / "backprop" /
                           "grading.json").read_text())
        points = points_by_function(course, "backprop", sub.student)
        assert len(rows) == 6 and {r["function"] for r in rows} == FUNCTIONS
        for function in FUNCTIONS:
            earned = sum(r["points"] for r in rows if r["function"] == function and r["passed"])
            assert earned == points[function][0], (sub.student, function)
        assert all((r["mistake"] is None) == r["passed"] for r in rows), sub.student
    rows = json.loads((course / "autograded" / "patches_numpy" / "backprop" /
                       "grading.json").read_text())
    assert {r["mistake"] for r in rows if r["function"] == "backprop"} == {"dal_wrong_sign"}


def test_the_deleted_test_cells_were_put_back_and_run(graded):
    nb = nbformat.read(graded["courses"]["serial"] / "autograded" / "deletes_test_cells" /
                       "backprop" / "backprop.ipynb", as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for grade_id in DELETED:
        assert [o.ename for o in cells[grade_id].outputs if o.output_type == "error"] == \
            ["AssertionError"]


def test_a_hidden_check_at_home_gives_no_verdict_and_no_case():
    code = textwrap.dedent("""
        from dnn_ref.grading import check_one_layer_backward
        check_one_layer_backward(lambda dA, cache: None, hidden=True)
    """)
    env = {k: v for k, v in os.environ.items() if k != "DNN_GRADING_DIR"}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "graded" in run.stdout
    assert "✓" not in run.stdout and "failed" not in run.stdout
