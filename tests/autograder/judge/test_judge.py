"""autograder.judge: verdicts from the records the kernel-side recorder writes.

The records are made by the real :func:`dnn_ref.grading.recording.record` on student
functions defined here (as a kernel would), then judged with the reference.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from autograder.judge import MAX_FILES_PER_CELL, Records, Verdict, checks_in, judge_check
from dnn_ref import network
from dnn_ref.grading import cases
from dnn_ref.grading.recording import GRADING_DIR_ENV, record, write_cases


def one_layer_backward(dA, cache):
    (A_prev, W, b), Z = cache
    s = 1 / (1 + np.exp(-Z))
    dZ = dA * s * (1 - s)
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m


def without_1_over_m(dA, cache):
    dA_prev, dW, db = one_layer_backward(dA, cache)
    m = cache[0][0].shape[1]
    return dA_prev, dW * m, db


BACKPROP = '''
def backprop(AL, Y, caches):
    grads, dA = {}, -(Y / AL - (1 - Y) / (1 - AL))
    for l in range(len(caches), 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = one_layer_backward(dA, caches[l - 1])
        grads[f"dA{l - 1}"] = dA
    return grads
'''


def student_backprop(helper, *, sign: float = 1.0):
    """backprop as a notebook defines it: its helper looked up in its own globals."""
    namespace = {"one_layer_backward": helper}
    exec(BACKPROP.replace("-(Y / AL", f"{-sign} * (Y / AL"), namespace)
    return namespace["backprop"]


@pytest.fixture
def grading_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(GRADING_DIR_ENV, str(tmp_path))
    for name in ("one_layer_backward", "backprop"):
        write_cases(tmp_path, name, False, [(c.name, c.args) for c in cases(name)])
    return tmp_path


def verdict(folder: Path, name: str, fn, earlier=None) -> Verdict:
    record(name, fn)
    recs = [rec for n, _, rec in Records(folder / "out").new() if n == name]
    return judge_check(name, False, cases(name), recs, None, [], earlier or {})


def test_a_right_function_passes(grading_dir):
    v = verdict(grading_dir, "one_layer_backward", one_layer_backward)
    assert v.passed and v.message == "✓ one_layer_backward: passed all 5 checks"
    assert v.mistake is None and v.row("test_x", 3)["points"] == 3


def test_a_known_mistake_is_named(grading_dir):
    v = verdict(grading_dir, "one_layer_backward", without_1_over_m)
    assert not v.passed and v.mistake == "dw_missing_1_over_m"
    assert "1/m" in v.message and "check 1 of 5" in v.message


def test_the_reference_answers_only_what_it_is_asked(grading_dir):
    v = verdict(grading_dir, "one_layer_backward", network.one_layer_backward)
    assert v.passed


def test_a_composite_right_with_a_stand_in_passes_and_names_the_faulty_helper(grading_dir):
    v = verdict(grading_dir, "backprop", student_backprop(without_1_over_m),
                earlier={"one_layer_backward": False})
    assert v.passed
    assert v.helper_note == ("backprop itself is right; the fault is in your "
                             "one_layer_backward, see its own test.")


def test_a_composite_wrong_itself_fails_with_its_own_diagnosis(grading_dir):
    v = verdict(grading_dir, "backprop", student_backprop(one_layer_backward, sign=-1.0),
                earlier={"one_layer_backward": True})
    assert not v.passed and v.mistake == "dal_wrong_sign"
    assert "the fault is in backprop itself" in v.message


def test_a_composite_whose_helper_cannot_be_swapped_is_judged_on_its_own_run(grading_dir):
    broken = student_backprop(without_1_over_m)       # its helper lives in another namespace
    v = verdict(grading_dir, "backprop", lambda AL, Y, caches: broken(AL, Y, caches))
    assert not v.passed and v.helper_note is None


def test_a_check_that_left_no_record_fails_with_the_kernels_reason():
    v = judge_check("backprop", True, cases("backprop"), [],
                    ("NameError", "name 'backprop' is not defined"),
                    ["backprop: SyntaxError: expected ':'"], {})
    assert not v.passed and v.mistake == "not_run"
    assert "NameError" in v.message and "SyntaxError" in v.message
    v = judge_check("backprop", True, cases("backprop"), [], ("KeyboardInterrupt", ""), [], {})
    assert v.mistake == "timeout"
    v = judge_check("backprop", True, cases("backprop"), [], None, [], {})
    assert v.mistake == "not_checked" and "check_backprop did not run" in v.message


def test_records_are_read_once_and_odd_files_are_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "00000-relu-visible.json").write_text('{"name": "relu"}')
    (out / "00001-relu-hidden.json").symlink_to("/etc/hostname")
    os.mkfifo(out / "00002-relu-visible.json")
    (out / "00003-relu-visible.json").write_text("[1, 2]")
    (out / "notes.txt").write_text("ignored")
    records = Records(out)
    got = records.new()
    assert [(n, h) for n, h, _ in got] == [("relu", False), ("relu", True), ("relu", False),
                                            ("relu", False)]
    assert got[0][2] == {"name": "relu"}
    assert all("unreadable" in rec for _, _, rec in got[1:])
    assert records.new() == []


def test_checks_in_a_test_cell():
    assert checks_in("check_backprop(backprop)\n# x\ncheck_relu(relu, hidden=True)") == [
        ("backprop", False), ("relu", True)]


def test_an_extra_passing_record_never_hides_the_failing_one(grading_dir):
    """Every record of a check is judged: a passing one forged from inside the sandbox,
    before or after the real one, cannot take the check's points."""
    records = Records(grading_dir / "out")
    for order in ((without_1_over_m, one_layer_backward), (one_layer_backward, without_1_over_m)):
        for fn in order:
            record("one_layer_backward", fn)
        recs = [rec for n, _, rec in records.new() if n == "one_layer_backward"]
        assert len(recs) == 2
        v = judge_check("one_layer_backward", False, cases("one_layer_backward"), recs, None,
                        [], {})
        assert not v.passed and v.mistake == "dw_missing_1_over_m", order


def test_a_flood_of_forged_records_fails_the_check(grading_dir):
    """Forged passing records written ahead of the real one, more than the judge reads in a
    cell, cannot push the real (failing) record out of what is judged."""
    for _ in range(MAX_FILES_PER_CELL + 5):
        record("one_layer_backward", one_layer_backward)
    record("one_layer_backward", without_1_over_m)
    recs = [rec for n, _, rec in Records(grading_dir / "out").new() if n == "one_layer_backward"]
    v = judge_check("one_layer_backward", False, cases("one_layer_backward"), recs, None, [], {})
    assert not v.passed and v.mistake == "malformed_record"
    assert f"more than {MAX_FILES_PER_CELL} records" in v.message
