"""Honest backprop students, written in the styles that broke grading before issue 8.

Every one of them is right and must keep every point: IPython magics and shell
escapes in answer cells, scratch cells after the tests that redefine a
function wrongly, an answer cell copied with its metadata (grade_id twice)
whose copy is the edited one, cell ids lost and a cell type changed, loops,
prints and warnings.
"""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode

from submissions import Submission, cell_source, copy_cell, insert_after
from submissions.roster import LOOPS, VECTORISED

WRONG_SIGN_BACKPROP = VECTORISED["backprop"].replace(
    "dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))",
    "dA = np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)")
assert WRONG_SIGN_BACKPROP != VECTORISED["backprop"]

MAGICS = Submission("honest_magics", {
    "one_layer_backward": "%%time\nimport numpy as np\n\n"
                          + cell_source(VECTORISED["one_layer_backward"]),
    "backprop": "%matplotlib inline\n" + cell_source(VECTORISED["backprop"]),
    "update_parameters": "!pip list --disable-pip-version-check | head -3\nnp.sum?\n"
                         + cell_source(VECTORISED["update_parameters"]),
})


def _scratch(nb: NotebookNode) -> None:
    insert_after(nb, "hidden_one_layer_backward", '''
        # what does the checker say without the 1/m?
        def one_layer_backward(dA, cache):
            (A_prev, W, b), Z = cache
            s = 1 / (1 + np.exp(-Z))
            dZ = dA * s * (1 - s)
            return W.T @ dZ, dZ @ A_prev.T, dZ.sum(axis=1, keepdims=True)
        check_one_layer_backward(one_layer_backward)
    ''')
    insert_after(nb, "hidden_update_parameters", '''
        def update_parameters(parameters, grads, learning_rate):   # trying ascent, for fun
            return {k: v + learning_rate * grads["d" + k] for k, v in parameters.items()}
    ''')


SCRATCH = Submission("honest_scratch_after_tests", VECTORISED, edit=_scratch)


def _copied(nb: NotebookNode) -> None:
    copy_cell(nb, "backprop", VECTORISED["backprop"])      # the edited copy comes second
    update = next(c for c in nb.cells
                  if c.metadata.get("nbgrader", {}).get("grade_id") == "update_parameters")
    update.cell_type = "markdown"                             # pressed M by accident
    update.pop("outputs", None)
    update.pop("execution_count", None)


COPIED = Submission("honest_copied_cells", {**VECTORISED, "backprop": WRONG_SIGN_BACKPROP},
                    edit=_copied, strip_ids=True)

LOOPS_PRINTS_WARNS = Submission("honest_loops_prints_warns", {
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
    '''})

HONEST: list[Submission] = [Submission("honest_vectorised", VECTORISED), MAGICS, SCRATCH,
                            COPIED, LOOPS_PRINTS_WARNS]
"""Every honest style; each must score full marks."""
