"""The nbgrader assignments: sources, source notebooks, released notebooks, their metadata.

* assignments/<a>.md (MyST markdown, the nbgrader metadata in each cell's options) is
  the source; solutions/<a>/<a>.ipynb is exactly what ``make release``'s jupytext
  step writes from it, without outputs;
* every cell's nbgrader metadata is right (unique grade ids, schema 3, locked
  instructions and tests, one visible and one hidden test cell with points per
  graded function, visible tests tagged ``raises-exception``) and the header's
  table and total state the cells' points;
* the metadata survives a JupyterLab save through jupytext's contents manager;
* exercises/ is exactly what ``nbgrader generate_assignment`` makes from
  solutions/ and gives nothing away (no solution line, no hidden test);
* nbgrader's Validator passes every solution notebook and fails every released
  notebook left untouched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbgrader.validator import Validator
from traitlets.config.loader import PyFileConfigLoader

from dnn_ref.grading import ASSIGNMENTS

ROOT = Path(__file__).resolve().parents[2]
NAMES = sorted(ASSIGNMENTS)
BIN = Path(sys.executable).parent


def source(name: str) -> nbformat.NotebookNode:
    """assignments/<name>.md read as a notebook, as jupytext (and JupyterLab) reads it."""
    return jupytext.read(ROOT / "assignments" / f"{name}.md")


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


def jupytext_release(md: Path, ipynb: Path) -> None:
    """The jupytext step of `make release`, with the same command line."""
    subprocess.run([str(BIN / "jupytext"), "--quiet", "--update", "--to", "ipynb", str(md),
                    "-o", str(ipynb)], check=True, capture_output=True)


# ------------------------------------------------------------------ sources

@pytest.mark.parametrize("name", NAMES)
def test_each_source_is_a_myst_notebook_with_a_python_kernel(name):
    text = (ROOT / "assignments" / f"{name}.md").read_text()
    front = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert front, f"assignments/{name}.md must start with a YAML front matter"
    assert "format_name: myst" in front.group(1), f"assignments/{name}.md is not jupytext MyST"
    nb = source(name)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["kernelspec"]["language"] == "python"
    assert len(nb.cells) > 10 and "```{code-cell}" in text


@pytest.mark.parametrize("name", NAMES)
def test_solutions_are_what_make_release_writes_from_the_sources(name, tmp_path):
    committed = ROOT / "solutions" / name / f"{name}.ipynb"
    rebuilt = tmp_path / f"{name}.ipynb"
    shutil.copy(committed, rebuilt)
    jupytext_release(ROOT / "assignments" / f"{name}.md", rebuilt)
    assert rebuilt.read_text() == committed.read_text(), (
        f"solutions/{name}/{name}.ipynb differs from assignments/{name}.md; "
        "run `make release` and commit solutions/ and exercises/")
    # The same cells without the committed notebook to update (the ids aside, which
    # `jupytext --update` keeps): nothing depends on what the notebook held before.
    fresh, kept = source(name), solution(name)
    assert [(c.cell_type, c.source, c.metadata) for c in fresh.cells] == \
        [(c.cell_type, c.source, c.metadata) for c in kept.cells]
    assert kept.nbformat == 4 and kept.metadata["kernelspec"] == fresh.metadata["kernelspec"]


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_committed_without_outputs(name):
    for nb in (solution(name), exercise(name)):
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("name", NAMES)
def test_every_cell_has_valid_nbgrader_metadata(name):
    nb = source(name)
    nbformat.validate(solution(name))
    ids = [nbg(c).get("grade_id") for c in nb.cells]
    assert None not in ids, "every cell carries nbgrader metadata"
    assert len(ids) == len(set(ids)), f"grade ids are not unique: {sorted(ids)}"
    cell_ids = [c.id for c in solution(name).cells]
    assert len(cell_ids) == len(set(cell_ids)), "cell ids are unique"
    for cell in nb.cells:
        meta = nbg(cell)
        assert meta["schema_version"] == 3, f"{meta['grade_id']}: nbgrader schema version 3"
        if meta["solution"]:
            assert cell.cell_type == "code" and not meta["locked"] and not meta["grade"]
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        elif meta["grade"]:
            assert cell.cell_type == "code" and meta["locked"] and meta["points"] > 0, \
                f"test cell {meta['grade_id']} must be locked code with points"
        else:
            assert meta["locked"], f"instruction cell {meta['grade_id']} must be read-only"


@pytest.mark.parametrize("name", NAMES)
def test_each_graded_function_has_an_answer_a_visible_and_a_hidden_test(name):
    nb = source(name)
    cells = {nbg(c)["grade_id"]: c for c in nb.cells}
    for function in ASSIGNMENTS[name]:
        assert re.search(rf"^def {function}\(", cells[function].source, re.M)
        visible, hidden = cells[f"test_{function}"], cells[f"hidden_{function}"]
        assert re.search(rf"check_{function}\({function}\b", visible.source)
        assert "hidden=True" not in visible.source and "HIDDEN" not in visible.source
        assert re.search(rf"### BEGIN HIDDEN TESTS\n(.*\n)*check_{function}\({function}, "
                         r"hidden=True\)\n(.*\n)*### END HIDDEN TESTS", hidden.source)
        assert nbg(visible)["points"] > 0 and nbg(hidden)["points"] > 0
    graded = {nbg(c)["grade_id"] for c in nb.cells if nbg(c)["grade"]}
    assert graded == {f"{kind}_{f}" for f in ASSIGNMENTS[name] for kind in ("test", "hidden")}


@pytest.mark.parametrize("name", NAMES)
def test_visible_tests_let_run_all_go_on_and_nothing_else_does(name):
    """JupyterLab sends a cell tagged raises-exception with stop_on_error=False, so the
    kernel does not abort the cells queued after a failing check; the error output is
    still recorded, so nbgrader scores the cell as before."""
    for nb in (source(name), solution(name), exercise(name)):
        for cell in nb.cells:
            tagged = "raises-exception" in cell.metadata.get("tags", [])
            visible_test = nbg(cell).get("grade_id", "").startswith("test_")
            assert tagged == visible_test, f"{name}: {nbg(cell).get('grade_id')} tags"


@pytest.mark.parametrize("name", NAMES)
def test_the_header_states_each_test_cells_points_and_the_total(name):
    for nb in (source(name), exercise(name)):
        points = sum(nbg(c).get("points", 0) for c in nb.cells if nbg(c).get("grade"))
        assert header_total(nb) == points
        for function in ASSIGNMENTS[name]:
            visible = next(nbg(c)["points"] for c in nb.cells
                           if nbg(c).get("grade_id") == f"test_{function}")
            hidden = next(nbg(c)["points"] for c in nb.cells
                          if nbg(c).get("grade_id") == f"hidden_{function}")
            row = rf"\| `{function}` \|[^|\n]*\| {visible} \| {hidden} \| {visible + hidden} \|\n"
            assert re.search(row, nb.cells[0].source), (
                f"the header's row for {function} must end with its points: "
                f"{visible} visible, {hidden} hidden, {visible + hidden} in all")
        assert re.search(r"\| function \|[^\n]*points", nb.cells[0].source), \
            "the header table's columns must say they are points"


@pytest.mark.slow
def test_metadata_survives_a_jupyterlab_save(tmp_path):
    """A real Jupyter server with jupytext's contents manager (what JupyterLab talks to):
    open backprop.md as a notebook, change a test cell's points as nbgrader's Create
    Assignment toolbar does, save; the .md keeps every cell's metadata and the change."""
    shutil.copy(ROOT / "assignments" / "backprop.md", tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token, log = "assignments-test", (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "jupyter"), "server", "--no-browser", "--allow-root", f"--port={port}",
         "--ip=127.0.0.1",
         f"--ServerApp.root_dir={tmp_path}", f"--IdentityProvider.token={token}"],
        stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,  # not the course's nbgrader config
        env={**os.environ, "HOME": str(tmp_path)})

    def call(method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/contents/{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.load(reply)

    try:
        for _ in range(120):
            try:
                model = call("GET", "backprop.md?type=notebook&content=1")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
                time.sleep(0.5)
        else:
            pytest.fail("the Jupyter server did not answer within 60 s")
        assert model["type"] == "notebook", "jupytext does not open the .md as a notebook"
        nb = model["content"]
        target = next(c for c in nb["cells"]
                      if c["metadata"].get("nbgrader", {}).get("grade_id") == "test_backprop")
        target["metadata"]["nbgrader"]["points"] = 5
        call("PUT", "backprop.md", {"type": "notebook", "format": "json", "content": nb})
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    saved = jupytext.read(tmp_path / "backprop.md")
    before = source("backprop")
    assert len(saved.cells) == len(before.cells)
    for new, old in zip(saved.cells, before.cells, strict=True):
        assert (new.cell_type, new.source) == (old.cell_type, old.source)
        if nbg(old)["grade_id"] == "test_backprop":
            assert nbg(new) == {**nbg(old), "points": 5}
            assert new.metadata["tags"] == old.metadata["tags"]
        else:
            assert new.metadata == old.metadata, f"{nbg(old)['grade_id']} lost metadata"
    assert saved.metadata["kernelspec"] == before.metadata["kernelspec"]


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
    assert len(failed) == len(ASSIGNMENTS[name])
    for function, text in zip(ASSIGNMENTS[name], failed, strict=True):
        assert re.search(rf"check_{function}\({function}\b", text), text
    for r in results["failed"]:
        assert "NotImplementedError" in r["raw_error"]
