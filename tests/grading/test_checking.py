"""dnn_ref.grading.checking: the at-home runner, helper blame, and what a failing cell shows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbclient
import nbformat
import numpy as np
import pytest
from grading_mistakes import BACKPROP_ONLY, CORRECT, HELPER_FAULTS, MISTAKES, load

from dnn_ref.grading import checking
from dnn_ref.grading.cases import cases


def failure(name: str, source: str) -> str:
    with pytest.raises(checking.CheckFailed) as info:
        checking.check_locally(name, load(source)[name])
    return str(info.value)


def leaves(x: object) -> list[np.ndarray]:
    if isinstance(x, dict):
        return [a for k in sorted(x) for a in leaves(x[k])]
    if isinstance(x, tuple | list):
        return [a for i in x for a in leaves(i)]
    return [np.asarray(x, dtype=float)]


# --------------------------------------------------------------------------- composites


def test_backprop_fault_of_its_own_is_blamed_on_backprop():
    message = failure("backprop", MISTAKES["wrong dAL sign"].source)
    assert "dAL has the wrong sign" in message
    assert "the fault is in backprop itself" in message
    assert "fails its own checks" not in message


def test_backprop_fault_of_its_own_is_named_even_where_the_reference_helper_would_raise():
    message = failure("backprop", MISTAKES["dAL given to every layer"].source)
    assert "every layer was given dAL" in message and "raised" not in message


def test_backprop_with_an_unimplemented_one_layer_backward_keeps_its_points(capsys):
    stub = "def one_layer_backward(dA, cache):\n    raise NotImplementedError()\n"
    checking.check_locally("backprop", load(stub + BACKPROP_ONLY)["backprop"])
    out = capsys.readouterr().out
    assert out.startswith("✓ backprop: passed all ")
    assert "the fault is in your one_layer_backward" in out
    assert "you have not implemented one_layer_backward yet" in out


def test_backprop_and_its_helper_both_wrong_names_both():
    source = MISTAKES["wrong dAL sign"].source.replace("dW = dZ @ A_prev.T / m",
                                                       "dW = dZ @ A_prev.T")
    message = failure("backprop", source)
    assert "Checked with the reference one_layer_backward swapped in" in message
    assert "Your one_layer_backward fails its own checks too" in message
    assert "1/m is missing" in message


@pytest.mark.parametrize("key", list(HELPER_FAULTS))
def test_composite_right_with_the_reference_helpers_passes_and_names_the_helper(key, capsys):
    fault = HELPER_FAULTS[key]
    checking.check_locally(fault.function, load(fault.source)[fault.function])
    out = capsys.readouterr().out
    assert out.startswith(f"✓ {fault.function}: passed all ")
    for phrase in fault.phrases:
        assert phrase in out, f"{phrase!r} not in:\n{out}"


def test_swapped_helper_is_restored():
    namespace = load(HELPER_FAULTS["buggy one_layer_backward"].source)
    own = namespace["one_layer_backward"]
    checking.check_locally("backprop", namespace["backprop"])
    assert namespace["one_layer_backward"] is own


def test_forward_prop_notes_a_failing_sigmoid():
    wrong_sigmoid = CORRECT["forward_prop"].replace("np.exp(-Z)", "np.exp(Z)")
    assert wrong_sigmoid != CORRECT["forward_prop"]
    assert "Note: your sigmoid fails its own check" in failure("forward_prop", wrong_sigmoid)


def test_messages_do_not_depend_on_what_was_checked_before():
    source = MISTAKES["gradient ascent"].source
    first = failure("update_parameters", source)
    checking.check_locally("backprop", load(CORRECT["backprop"])["backprop"])
    failure("one_layer_backward", MISTAKES["dW transposed"].source)
    assert failure("update_parameters", source) == first


def test_in_place_update_passes_and_leaves_the_cases_intact(capsys):
    in_place = """
def update_parameters(parameters, grads, learning_rate):
    for key in list(parameters):
        grads['d' + key] *= learning_rate
        parameters[key] -= grads['d' + key]
    return parameters
"""
    update = load(in_place)["update_parameters"]
    before = [leaves(c.args) for c in cases("update_parameters")]
    checking.check_locally("update_parameters", update)
    checking.check_locally("update_parameters", update)
    after = [leaves(c.args) for c in cases("update_parameters")]
    assert capsys.readouterr().out.count("✓ update_parameters: passed all 5 checks") == 2
    for b, a in zip(before, after, strict=True):
        for x, y in zip(b, a, strict=True):
            np.testing.assert_array_equal(x, y)


# --------------------------------------------------------------------------- what a student sees


def test_failure_lines_put_the_diagnosis_first_and_fit_validate():
    message = failure("one_layer_backward", MISTAKES["exception"].source)
    lines = checking.failure_lines(message)
    assert lines[0] == f"\x1b[1;31m{message.splitlines()[0]}\x1b[0m"
    assert all(len(line) <= checking.WIDTH for line in lines[1:])
    assert " ".join(s.strip() for s in lines[1:]).replace("  ", " ") \
        .startswith("it raised IndexError in one_layer_backward, at `m = A_prev.shape[2]`")


def test_check_failed_renders_as_its_diagnosis():
    error = checking.CheckFailed("relu failed check 1 of 4 (x):\nA is wrong.")
    assert isinstance(error, AssertionError)
    assert error._render_traceback_() == checking.failure_lines(str(error))


def run_notebook(sources: list[str], tmp_path: Path) -> nbformat.NotebookNode:
    """Execute code cells in a real IPython kernel, as JupyterLab would."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbclient.NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb


def test_a_failing_check_in_a_kernel_shows_the_diagnosis_and_no_grader_frames(tmp_path):
    nb = run_notebook([
        "import numpy as np\nfrom dnn_ref.grading import check_one_layer_backward",
        MISTAKES["dW without 1/m"].source,
        "check_one_layer_backward(one_layer_backward)",
        MISTAKES["A_prev not transposed"].source,
        "check_one_layer_backward(one_layer_backward)",
        "check_one_layer_backward(one_layer_backward, hidden=True)"], tmp_path)
    wrong_values, raised = (nb.cells[i].outputs for i in (2, 4))
    for outputs in (wrong_values, raised):
        assert [o.output_type for o in outputs] == ["error"]   # nbgrader sees a failed cell
        text = "\n".join(outputs[0].traceback)
        assert "dnn_ref" not in text and "grading.py" not in text and "File " not in text
        assert outputs[0].traceback[0].startswith("\x1b[1;31mone_layer_backward failed check 1")
    assert wrong_values[0].traceback[1].startswith("dW is wrong. Likely cause: the 1/m is missing")
    assert "at `dW = dZ @ A_prev / m`" in raised[0].traceback[1]
    assert "A_prev is not transposed" in "\n".join(raised[0].traceback)
    hidden = nb.cells[5].outputs
    assert [o.output_type for o in hidden] == ["stream"] and hidden[0].name == "stdout"
    assert hidden[0].text.startswith("Hidden tests of one_layer_backward run only when")


def test_validate_shows_the_diagnosis_under_the_failed_cell(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    def cell(source: str, **nbgrader: object) -> nbformat.NotebookNode:
        c = nbformat.v4.new_code_cell(source)
        c.metadata["nbgrader"] = {"schema_version": 3, "locked": not nbgrader.get("solution"),
                                  "grade": False, "solution": False, **nbgrader}
        return c
    nb.cells = [cell("import numpy as np\nfrom dnn_ref.grading import check_one_layer_backward",
                     grade_id="imports"),
                cell(MISTAKES["dW without 1/m"].source, grade_id="answer", solution=True),
                cell("check_one_layer_backward(one_layer_backward)", grade_id="test",
                     grade=True, points=3)]
    nbformat.write(nb, tmp_path / "backprop.ipynb")
    out = subprocess.run([str(Path(sys.executable).with_name("nbgrader")), "validate",
                          "backprop.ipynb"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300).stdout
    error = out[out.index("The error was:"):]
    lines = [line.strip() for line in error.splitlines()[1:] if line.strip()]
    assert lines[0] == "one_layer_backward failed check 1 of 5 (square W: W (3, 3), m = 4):"
    assert lines[1].startswith("dW is wrong. Likely cause: the 1/m is missing")
    assert "dnn_ref" not in error and "..." not in error.split("found")[0]

