"""The nbgrader assignments: source notebooks, released notebooks and their metadata.

* solutions/ is exactly what tools/build_solutions.py writes, without outputs;
* every cell's nbgrader metadata is right (unique grade ids, schema 3, locked
  instructions and tests, one visible and one hidden test cell with points per
  graded function) and the header's total equals the sum of the cells' points;
* exercises/ is exactly what ``nbgrader generate_assignment`` makes from
  solutions/ and gives nothing away (no solution line, no hidden test);
* nbgrader's Validator passes every solution notebook and fails every released
  notebook left untouched.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.validator import Validator
from traitlets.config.loader import PyFileConfigLoader

from dnn_ref.grading import ASSIGNMENTS

ROOT = Path(__file__).resolve().parent.parent
NAMES = sorted(ASSIGNMENTS)
BIN = Path(sys.executable).parent


def solution(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)


def exercise(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "exercises" / name / f"{name}.ipynb", as_version=4)


def nbg(cell: nbformat.NotebookNode) -> dict:
    return cell.metadata.get("nbgrader", {})


def header_total(nb: nbformat.NotebookNode) -> int:
    first = nb.cells[0]
    assert first.cell_type == "markdown", "the header must be the first cell"
    totals = set(re.findall(r"worth \*\*(\d+) points\*\*", first.source))
    assert len(totals) == 1, "the header must state the total once: 'worth **N points**'"
    return int(totals.pop())


def solution_lines(nb: nbformat.NotebookNode) -> list[str]:
    """The stripped, non-empty lines between BEGIN and END SOLUTION of every answer cell."""
    out = []
    for cell in nb.cells:
        for body in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S):
            out += [line.strip() for line in body.splitlines() if line.strip()]
    return out


# ------------------------------------------------------------------ source notebooks

def test_solutions_are_what_the_build_script_writes(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_solutions.py"),
                    "--out", str(tmp_path)], check=True, capture_output=True)
    for name in NAMES:
        built = (tmp_path / name / f"{name}.ipynb").read_text()
        committed = (ROOT / "solutions" / name / f"{name}.ipynb").read_text()
        assert built == committed, f"solutions/{name} differs from tools/build_solutions.py; " \
            "run `make solutions release` and commit"


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_committed_without_outputs(name):
    for nb in (solution(name), exercise(name)):
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("name", NAMES)
def test_every_cell_has_valid_nbgrader_metadata(name):
    nb = solution(name)
    nbformat.validate(nb)
    ids = [nbg(c).get("grade_id") for c in nb.cells]
    assert None not in ids, "every cell carries nbgrader metadata"
    assert len(ids) == len(set(ids)), "grade ids are unique"
    for cell in nb.cells:
        meta = nbg(cell)
        assert meta["schema_version"] == 3
        if meta["solution"]:
            assert cell.cell_type == "code" and not meta["locked"] and not meta["grade"]
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        elif meta["grade"]:
            assert cell.cell_type == "code" and meta["locked"] and meta["points"] > 0
        else:
            assert meta["locked"], f"instruction cell {meta['grade_id']} must be read-only"


@pytest.mark.parametrize("name", NAMES)
def test_each_graded_function_has_an_answer_a_visible_and_a_hidden_test(name):
    cells = {nbg(c)["grade_id"]: c for c in solution(name).cells}
    for function in ASSIGNMENTS[name]:
        assert re.search(rf"^def {function}\(", cells[function].source, re.M)
        visible, hidden = cells[f"test_{function}"], cells[f"hidden_{function}"]
        assert visible.source == f"check_{function}({function})"
        assert re.search(rf"### BEGIN HIDDEN TESTS\ncheck_{function}\({function}, "
                         r"hidden=True\)\n### END HIDDEN TESTS", hidden.source)
        assert nbg(visible)["points"] > 0 and nbg(hidden)["points"] > 0
    graded = {nbg(c)["grade_id"] for c in solution(name).cells if nbg(c)["grade"]}
    assert graded == {f"{kind}_{f}" for f in ASSIGNMENTS[name] for kind in ("test", "hidden")}


@pytest.mark.parametrize("name", NAMES)
def test_the_header_states_the_sum_of_the_cells_points(name):
    for nb in (solution(name), exercise(name)):
        points = sum(nbg(c).get("points", 0) for c in nb.cells if nbg(c).get("grade"))
        assert header_total(nb) == points
        for function in ASSIGNMENTS[name]:
            each = sum(nbg(c)["points"] for c in nb.cells
                       if nbg(c).get("grade_id") in (f"test_{function}", f"hidden_{function}"))
            assert re.search(rf"\| `{function}` \|.*\| {each} \|\n", nb.cells[0].source), \
                f"the header's row for {function} must end with its {each} points"


# ------------------------------------------------------------------ released notebooks

@pytest.mark.parametrize("name", NAMES)
def test_exercises_give_away_no_solution_and_no_hidden_test(name):
    released = exercise(name)
    text = "\n".join(c.source for c in released.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
                   "hidden=True"):
        assert marker not in text
    released_lines = {line.strip() for line in text.splitlines()}
    leaked = [line for line in solution_lines(solution(name)) if line in released_lines]
    assert leaked == []
    stubs = [c for c in released.cells if nbg(c).get("solution")]
    assert len(stubs) >= len(ASSIGNMENTS[name])
    for cell in stubs:
        assert "# YOUR CODE HERE\n" in cell.source and "raise NotImplementedError()" in cell.source


@pytest.mark.slow
def test_exercises_are_what_nbgrader_generates(tmp_path):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    for name in NAMES:
        subprocess.run([str(BIN / "nbgrader"), "generate_assignment", name, "--force",
                        f"--CourseDirectory.root={tmp_path}"],
                       cwd=tmp_path, env=env, check=True, capture_output=True)
        generated = tmp_path / "exercises" / name
        committed = ROOT / "exercises" / name
        assert sorted(p.name for p in generated.iterdir()) == \
            sorted(p.name for p in committed.iterdir()), "exercises/ holds exactly the release"
        fresh = nbformat.read(generated / f"{name}.ipynb", as_version=4)
        kept = exercise(name)
        # nbgrader's output has no volatile parts (checksums depend on the source only),
        # so nothing is ignored: notebook metadata and every cell must match exactly.
        assert fresh.metadata == kept.metadata
        assert len(fresh.cells) == len(kept.cells)
        for new, old in zip(fresh.cells, kept.cells, strict=True):
            assert new == old, f"{name}: cell {old.get('id')} differs; run `make release`"


# ------------------------------------------------------------------ nbgrader's Validator

def validator() -> Validator:
    """nbgrader's Validator with the course's config (per-cell timeout included)."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    return Validator(config=config)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_each_solution_passes_its_own_tests(name):
    results = validator().validate(str(ROOT / "solutions" / name / f"{name}.ipynb"))
    assert results == {}, results


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_each_untouched_exercise_fails_its_visible_tests(name):
    results = validator().validate(str(ROOT / "exercises" / name / f"{name}.ipynb"))
    assert set(results) == {"failed"}
    failed = [r["source"] for r in results["failed"]]
    assert failed == [f"check_{f}({f})" for f in ASSIGNMENTS[name]]
    for r in results["failed"]:
        assert "NotImplementedError" in r["raw_error"]
