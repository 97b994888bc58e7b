"""Check every graded function again, outside the student's kernel, during autograde.

A student's answer cells run in the same kernel as the test cells, so they can
patch numpy or the checkers, hide tracebacks, or call the reference
implementation. :class:`VerifyOutsideKernel` runs in nbgrader's autograde
pipeline right after the notebook is executed. It

1. finds the test cells and the checks they make (``check_backprop(backprop)``,
   ``check_backprop(backprop, hidden=True)``);
2. runs the notebook's set-up and answer cells again in :mod:`autograder.sandbox`
   (a fresh limited process, the graded reference functions unavailable) and
   calls each graded function on the same cases as the checker;
3. judges the returned plain data here, in the grading process, with
   :func:`dnn_ref.grading.diagnose`;
4. turns any test cell that passed in the kernel but fails here into an error
   output, which nbgrader scores zero and the feedback shows with the reason.

A test cell that already failed in the kernel is left as it is: this can only
take points away from a verdict the kernel was tricked into, never add them.
"""

from __future__ import annotations

import re
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Int

from autograder import sandbox
from dnn_ref import grading

CHECK_CALL = re.compile(r"\bcheck_(\w+)\(\s*\w+\s*(,\s*hidden\s*=\s*(True|False)\s*)?\)")
"""A checker call in a test cell: ``check_<name>(<fn>)`` or ``check_<name>(<fn>, hidden=True)``."""

RELATED = {
    "one_layer_backward": ["linear_backward"],
    "backprop": ["linear_backward"],
    "cost_function": ["binary_cross_entropy"],
}
"""Reference functions that would answer a graded one almost whole; blocked with it."""

HELPERS = {"backprop": ["one_layer_backward"],
           "graph_gradients": ["add_backward", "multiply_backward"]}
"""As in the checkers: a composite is right if it is right with the reference helpers."""


def checks_in(cell: NotebookNode) -> list[tuple[str, bool]]:
    """The (function name, hidden) pairs a test cell checks."""
    return [(m.group(1), m.group(3) == "True") for m in CHECK_CALL.finditer(cell.source)
            if m.group(1) in grading.REFERENCES]


def is_test_cell(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def cells_to_rerun(nb: NotebookNode) -> list[str]:
    """Every code cell up to the last answer cell, except the test cells."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    answers = [i for i, c in enumerate(code) if utils.is_solution(c)]
    if not answers:
        return []
    return [c.source for c in code[: answers[-1] + 1] if not is_test_cell(c)]


def explain(name: str, outcome: Any, cell_errors: list[sandbox.CallError]) -> str | None:
    """Why a sandboxed call is not a plain result, in the student's words, or None."""
    if not isinstance(outcome, sandbox.CallError):
        return None
    if outcome.exc_type == "ReferenceUnavailable":
        return f"your {name} {outcome.message}."
    if outcome.exc_type == "_StepTimeout":
        return f"your {name} {outcome.message}"
    if outcome.exc_type == "NameError" and outcome.message.endswith(sandbox.NOT_DEFINED):
        cause = (f": a cell raised {cell_errors[0].exc_type}: {cell_errors[0].message}"
                 if cell_errors else "")
        return f"{name} is not defined when your answer cells run on their own{cause}."
    return f"your {name} raised {outcome.exc_type}: {outcome.message}"


def verdict(name: str, cases: list[grading.Case], results: dict[str, list[Any]],
            cell_errors: list[sandbox.CallError]) -> str | None:
    """The diagnosis of ``name`` on ``cases`` from the sandbox results, or None if right."""
    message = _first_problem(name, name, cases, results, cell_errors)
    helpers = HELPERS.get(name)
    if message and helpers:
        key = f"{name}|{','.join(helpers)}"
        if key in results and _first_problem(name, key, cases, results, cell_errors) is None:
            return None  # right with the reference helpers: the fault is the helper's
    return message


def _first_problem(name: str, key: str, cases: list[grading.Case],
                   results: dict[str, list[Any]], cell_errors: list[sandbox.CallError]
                   ) -> str | None:
    outcomes = results.get(key, [])
    if len(outcomes) != len(cases):
        return f"your {name} could not be called on its own."
    for case, outcome in zip(cases, outcomes, strict=True):
        message = explain(name, outcome, cell_errors)
        if message is None:
            message = grading.diagnose(name, case, outcome.value, args_after=outcome.args_after)
        if message:
            return f"{name}, {case.name}: {message}"
    return None


class VerifyOutsideKernel(NbGraderPreprocessor):
    """Re-check the graded functions in a sandbox; fail test cells the kernel passed wrongly."""

    timeout = Float(sandbox.TIMEOUT_S, help="Wall-clock limit of the whole re-check (s).").tag(
        config=True)
    step_timeout = Float(sandbox.STEP_TIMEOUT_S, help="Limit per cell and per call (s).").tag(
        config=True)
    memory_mb = Int(sandbox.MEMORY_LIMIT_MB, help="Address-space limit of the sandbox.").tag(
        config=True)

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict
                   ) -> tuple[NotebookNode, ResourcesDict]:
        tests = [(cell, checks) for cell in nb.cells
                 if is_test_cell(cell) and (checks := checks_in(cell))]
        if not tests:
            return nb, resources
        names = sorted({name for _, checks in tests for name, _ in checks})
        cases = {(name, hidden): grading.cases(name, hidden)
                 for name in names for hidden in (False, True)}
        calls: dict[str, list[tuple]] = {}
        for name in names:  # visible cases first, then hidden ones, in one list per call
            both = [c.args for hidden in (False, True) for c in cases[name, hidden]]
            calls[name] = both
            if HELPERS.get(name):
                calls[f"{name}|{','.join(HELPERS[name])}"] = both
        blocked = sorted({n for name in names for n in [name, *RELATED.get(name, [])]})
        run = sandbox.run(cells_to_rerun(nb), calls, blocked, timeout=self.timeout,
                          memory_mb=self.memory_mb, step_timeout=self.step_timeout)
        results: dict[bool, dict[str, list[Any]]] = {False: {}, True: {}}
        for key, outcomes in run.results.items():
            n_visible = len(cases[key.partition("|")[0], False])
            results[False][key], results[True][key] = outcomes[:n_visible], outcomes[n_visible:]
        for cell, checks in tests:
            if any(out.output_type == "error" for out in cell.outputs):
                continue
            problems = [run.failure] if run.failure else [
                p for name, hidden in checks
                if (p := verdict(name, cases[name, hidden], results[hidden], run.cell_errors))]
            if problems:
                self.log.warning("Test cell %s fails outside the kernel: %s",
                                 cell.metadata.nbgrader.get("grade_id"), problems[0])
                cell.outputs.append(_error_output(problems[0]))
        return nb, resources


def _error_output(problem: str) -> NotebookNode:
    """An error output: nbgrader scores the cell zero, the feedback shows the reason."""
    text = ("This check passed inside your notebook, but it failed when your answer cells were "
            f"run again on their own, outside the notebook: {problem}")
    return NotebookNode(output_type="error", ename="VerificationError", evalue=text,
                        traceback=[f"VerificationError: {text}"])
