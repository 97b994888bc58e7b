"""autograder.sandbox: answer cells run in a limited process, only plain data comes back."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import sandbox
from autograder.sandbox import CallError, Opaque, Returned, from_plain, to_plain
from dnn_ref import grading


def run(cells: list[str], calls: dict, blocked: tuple = ("backprop", "one_layer_backward"),
        **limits) -> sandbox.SandboxResult:
    return sandbox.run(cells, calls, list(blocked), **limits)


def test_plain_data_round_trip():
    value = {"dW1": np.arange(6.0).reshape(2, 3), "pair": (np.float64(1.5), 2), "none": None,
             "list": [np.zeros((1, 1)), "text"]}
    back = from_plain(to_plain(value))
    assert back["pair"] == (1.5, 2) and back["none"] is None and back["list"][1] == "text"
    np.testing.assert_array_equal(back["dW1"], value["dW1"])
    assert back["dW1"].shape == (2, 3)


def test_objects_come_back_as_their_description_never_as_objects():
    class Rigged:
        def __eq__(self, other):
            return True

    assert from_plain(to_plain(Rigged())) == Opaque("<Rigged object>")


def test_a_function_is_called_on_each_case_and_its_results_come_back():
    result = run(["import numpy as np\ndef double(x):\n    print('noise')\n    return 2 * x"],
                 {"double": [(np.ones((2, 1)),), (np.arange(3.0),)]})
    first, second = result.results["double"]
    assert isinstance(first, Returned)
    np.testing.assert_array_equal(first.value, 2 * np.ones((2, 1)))
    np.testing.assert_array_equal(second.value, [0.0, 2.0, 4.0])
    assert result.failure is None and result.cell_errors == []


def test_in_place_changes_to_the_arguments_come_back():
    result = run(["def grow(d):\n    d['W1'] += 1\n    return None"],
                 {"grow": [({"W1": np.zeros((1, 1))},)]})
    (out,) = result.results["grow"]
    assert out.value is None and out.args_after[0]["W1"][0, 0] == 1.0


@pytest.mark.parametrize(("how", "refusal"), [
    ("import dnn_ref\ndef f(*a): return dnn_ref.backprop(*a)",
     "reference implementation dnn_ref.backprop"),
    ("from dnn_ref.network import backprop as b\ndef f(*a): return b(*a)",
     "reference implementation dnn_ref.backprop"),
    ("import importlib, dnn_ref.network as n\n"
     "def f(*a): return importlib.reload(n).backprop(*a)",
     "dnn_ref.network cannot be reloaded while grading"),
])
def test_the_reference_of_a_graded_function_cannot_be_called(how, refusal):
    case = grading.cases("backprop")[0]
    (out,) = run([how], {"f": [case.args]}).results["f"]
    assert isinstance(out, CallError) and refusal in out.message


def test_the_checkers_are_stubs_inside():
    cells = ["from dnn_ref.grading import check_backprop, REFERENCES",
             "def f():\n    return check_backprop(None)"]
    result = run(cells, {"f": [()]})
    assert result.cell_errors == []          # importing them is harmless
    (out,) = result.results["f"]
    assert isinstance(out, CallError) and "the checkers'" in out.message


def test_unblocked_reference_functions_still_work():
    cells = ["import numpy as np\nfrom dnn_ref import forward_prop, init_params\n"
             "def f():\n    return forward_prop(np.ones((2, 3)), init_params([2, 1]))[0]"]
    (out,) = run(cells, {"f": [()]}).results["f"]
    assert isinstance(out, Returned) and out.value.shape == (1, 3)


def test_a_swapped_call_uses_the_real_reference_helper_and_restores_the_name():
    case = grading.cases("backprop")[0]
    cells = ["import numpy as np",
             "def one_layer_backward(dA, cache):\n    return None, None, None",
             "def backprop(AL, Y, caches):\n"
             "    grads, dA = {}, -(Y / AL - (1 - Y) / (1 - AL))\n"
             "    for l in range(len(caches), 0, -1):\n"
             "        step = one_layer_backward(dA, caches[l - 1])\n"
             "        dA, grads[f'dW{l}'], grads[f'db{l}'] = step\n"
             "        grads[f'dA{l - 1}'] = dA\n"
             "    return grads"]
    result = run(cells, {"backprop|one_layer_backward": [case.args], "backprop": [case.args]})
    swapped, = result.results["backprop|one_layer_backward"]
    assert grading.diagnose("backprop", case, swapped.value) is None
    own, = result.results["backprop"]      # the student's own helper is back afterwards
    assert own.value["dW1"] is None


def test_a_failing_or_looping_cell_is_abandoned_and_the_next_one_runs():
    cells = ["raise NotImplementedError()", "while True:\n    pass", "def f():\n    return 1.0"]
    result = run(cells, {"f": [()]}, step_timeout=1)
    assert [e.exc_type for e in result.cell_errors] == ["NotImplementedError", "_StepTimeout"]
    assert result.results["f"][0].value == 1.0


def test_a_looping_function_is_stopped_once_not_once_per_case():
    cells = ["def spin(x):\n    while True:\n        pass"]
    out = run(cells, {"spin": [(1,), (2,), (3,)]}, step_timeout=1).results["spin"]
    assert [o.exc_type for o in out] == ["_StepTimeout"] * 3


def test_a_memory_bomb_hits_the_cap():
    result = run(["hog = bytearray(8 * 2**30)"], {}, memory_mb=1024)
    assert result.cell_errors[0].exc_type == "MemoryError"
    assert "1024 MB" in result.cell_errors[0].message


def test_a_killed_process_is_reported_not_raised():
    result = run(["import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"], {})
    assert result.results == {} and "SIGKILL" in result.failure


def test_the_whole_run_has_a_wall_clock_limit():
    result = run(["import time\ntime.sleep(30)"], {}, timeout=3, step_timeout=60)
    assert result.results == {} and "did not finish within 3 s" in result.failure
