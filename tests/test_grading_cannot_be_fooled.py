"""A class of students tries to fool the autograder; the real nbgrader grades them all.

Each attack of issue 5 is a submission: patching numpy's comparisons, replacing
a checker, returning objects whose ``==`` is always True, hiding tracebacks by
patching IPython, deleting test cells, and calling the reference
implementation. Every attacked function must score zero and its feedback must
say why; every other function of the same notebook, and every honest answer
(printing, warning, written with loops), keeps its full points. The feedback
of every student shows diagnoses but no line of any hidden test.

The whole class is graded in one ``nbgrader autograde`` run with the course's
nbgrader_config.py (which adds autograder.verify.VerifyOutsideKernel).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from submissions import Submission, cell_source, submission_text
from submissions.roster import LOOPS, VECTORISED
from test_instructor_autograde import (
    ROOT,
    feedback_text,
    nbgrader,
    new_course,
    points_by_function,
    released,
)

pytestmark = pytest.mark.slow

WRONG_SIGN_BACKPROP = VECTORISED["backprop"].replace(
    "dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))",
    "dA = np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)")
assert WRONG_SIGN_BACKPROP != VECTORISED["backprop"]

OUTSIDE = "run again on their own"

def attack(student: str, answers: dict[str, str], zero: set[str],
           phrases: dict[str, tuple[str, ...]]) -> Submission:
    """A student whose answers are right (VECTORISED) but for the ``answers`` given."""
    return Submission(student, {**VECTORISED, **answers}, frozenset(zero), phrases)


ATTACKS = [
    attack("patches_numpy", {"backprop": cell_source('''
        np.allclose = lambda *args, **kwargs: True      # every comparison now "passes"
        np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, bool)
    ''') + "\n" + cell_source(WRONG_SIGN_BACKPROP)}, {"backprop"},
        {"backprop": (OUTSIDE, "dAL has the wrong sign")}),
    attack("replaces_checker", {"update_parameters": '''
        import dnn_ref.grading

        def _always_passes(*args, **kwargs):
            print("✓ update_parameters: passed all 4 checks")

        check_update_parameters = _always_passes
        dnn_ref.grading.check_update_parameters = _always_passes

        def update_parameters(parameters, grads, learning_rate):
            return {k: v + learning_rate * grads["d" + k] for k, v in parameters.items()}
    '''}, {"update_parameters"},
        {"update_parameters": (OUTSIDE, "gradient ascent")}),
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
        {"one_layer_backward": ("calls the reference implementation "
                                "dnn_ref.one_layer_backward",),
         "backprop": ("calls the reference implementation dnn_ref.backprop",)}),
]

DELETED = ("test_backprop", "hidden_backprop")
DELETES_TESTS = attack("deletes_test_cells", {"backprop": WRONG_SIGN_BACKPROP}, {"backprop"},
                       {"backprop": ("dAL has the wrong sign",)})

HONEST = [
    Submission("honest_vectorised", VECTORISED),
    Submission("honest_loops_prints_warns", {
        **LOOPS,
        "update_parameters": '''
            import sys
            import warnings

            print("defining update_parameters")
            warnings.warn("a warning while the cell runs is fine")

            def update_parameters(parameters, grads, learning_rate):
                print("updating", len(parameters) // 2, "layers")
                print("a note on stderr", file=sys.stderr)
                warnings.warn("and one inside the function")
                new = {}
                for key in parameters:
                    new[key] = parameters[key] - learning_rate * grads["d" + key]
                return new
        '''}),
]

CLASS = ATTACKS + [DELETES_TESTS] + HONEST


def hidden_test_lines() -> list[str]:
    """Every non-blank line inside a hidden-test region of the backprop source notebook."""
    nb = nbformat.read(ROOT / "solutions" / "backprop" / "backprop.ipynb", as_version=4)
    lines = []
    for cell in nb.cells:
        for region in re.findall(r"BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS",
                                 cell.source, re.S):
            lines += [line.strip() for line in region.splitlines() if line.strip()]
    assert lines, "the backprop notebook should have hidden tests"
    return lines


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    course = new_course(tmp_path_factory.mktemp("fooling"), ["backprop"])
    for sub in CLASS:
        folder = course / "submitted" / sub.student / "backprop"
        folder.mkdir(parents=True)
        nb = nbformat.reads(submission_text(released(course, "backprop"), sub), as_version=4)
        if sub is DELETES_TESTS:
            nb.cells = [c for c in nb.cells
                        if c.metadata.get("nbgrader", {}).get("grade_id") not in DELETED]
        nbformat.write(nb, folder / "backprop.ipynb")
    nbgrader(course, "autograde", "backprop", "--force")
    nbgrader(course, "generate_feedback", "backprop", "--force")
    return course


@pytest.mark.parametrize("sub", CLASS, ids=[s.student for s in CLASS])
def test_attacked_functions_score_zero_and_the_rest_full_marks(course, sub):
    points = points_by_function(course, "backprop", sub.student)
    assert set(points) == {"one_layer_backward", "backprop", "update_parameters"}
    for function, (score, max_score) in points.items():
        expected = 0.0 if function in sub.zero else max_score
        assert score == expected, f"{sub.student}: {function} scored {score}/{max_score}"


@pytest.mark.parametrize("sub", ATTACKS + [DELETES_TESTS], ids=lambda s: s.student)
def test_feedback_says_why(course, sub):
    text = feedback_text(course, "backprop", sub.student)
    for phrases in sub.phrases.values():
        for phrase in phrases:
            assert phrase in text, f"{sub.student}: {phrase!r} missing from the feedback"


@pytest.mark.parametrize("sub", CLASS, ids=[s.student for s in CLASS])
def test_feedback_shows_no_line_of_any_hidden_test(course, sub):
    text = feedback_text(course, "backprop", sub.student)
    leaked = [line for line in hidden_test_lines() if line in text]
    assert not leaked, f"{sub.student}'s feedback shows hidden test code: {leaked}"
    assert "Hidden tests ran here" in text


def test_the_deleted_test_cells_were_put_back_and_run(course):
    nb = nbformat.read(course / "autograded" / "deletes_test_cells" / "backprop" /
                       "backprop.ipynb", as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    for grade_id in DELETED:
        assert grade_id in ids, f"{grade_id} was not restored"
