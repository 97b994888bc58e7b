"""Backprop students whose notebooks run away, flood their output or tamper with cells.

Graded with short limits (tests/test_grading_survives_runaways.py): a per-cell
timeout of TIMEOUT s, an IOPub wait of IOPUB s and a notebook time limit of
NOTEBOOK_LIMIT s. Each student's answers are right (VECTORISED); what grading
must find is in the ``zero`` and ``phrases`` of the :class:`Submission`.
"""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode

from submissions import Submission, insert_after
from submissions.roster import VECTORISED

TIMEOUT, IOPUB, NOTEBOOK_LIMIT = 10, 2, 45
FLOOD_MB = 30


def _slow_to_stop_after_tests(nb: NotebookNode) -> None:
    # a runaway whose clean-up, once interrupted, outlasts the IOPub wait (as unwinding a
    # deep recursion or freeing a huge structure does on a loaded machine)
    insert_after(nb, "hidden_update_parameters", f'''
        import time
        try:
            while True:
                pass
        finally:
            time.sleep({2 * IOPUB + 2})
    ''')


def _dies_midway(nb: NotebookNode) -> None:
    insert_after(nb, "hidden_one_layer_backward", "import os\nos._exit(1)")


def _floods(nb: NotebookNode) -> None:
    insert_after(nb, "one_layer_backward", f'''
        from IPython.display import display
        for i in range({FLOOD_MB}):
            display({{"text/plain": str(i) * 1_000_000}}, raw=True)
        for i in range({FLOOD_MB}):
            print("y" * 1_000_000)
    ''')
    insert_after(nb, "one_layer_backward", '''
        from IPython.display import display
        handles = [display({"text/plain": "."}, raw=True, display_id=True) for _ in range(9)]
        for handle in handles:               # small displays, each updated to a big one
            handle.update({"text/plain": "z" * 3_000_000}, raw=True)
    ''')


def _slow(nb: NotebookNode) -> None:
    for _ in range(NOTEBOOK_LIMIT // (TIMEOUT - 2) + 1):
        insert_after(nb, "hidden_one_layer_backward", f"import time\ntime.sleep({TIMEOUT - 2})")


def _html(nb: NotebookNode) -> None:
    insert_after(nb, "hidden_one_layer_backward", '''
        from IPython.display import HTML, Javascript, display
        display(HTML("<b>bold</b><script>alert('student-xss')</script>"))
        display(Javascript("alert('student-js')"))
    ''')


def _flipped(nb: NotebookNode) -> None:
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "test_backprop":
            meta["solution"] = True
            meta["points"] = 100


RUNAWAYS = [
    Submission("honest_slow_to_stop", VECTORISED, edit=_slow_to_stop_after_tests),
    Submission("dies_midway", VECTORISED, frozenset({"backprop", "update_parameters"}),
               {"backprop": ("the kernel died",), "update_parameters": ("the kernel died",)},
               edit=_dies_midway),
    Submission("floods_output", VECTORISED, edit=_floods),
    Submission("slow_cells", VECTORISED, frozenset({"backprop", "update_parameters"}),
               {"backprop": ("time for grading",), "update_parameters": ("time for grading",)},
               edit=_slow),
    Submission("shows_html", VECTORISED, edit=_html),
    Submission("flips_test_metadata", VECTORISED, edit=_flipped),
]
