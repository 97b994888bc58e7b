"""The student kit's contents: exercises, the course wheel, a README, and nothing to hide.

``python -m autograder.kit.build`` (what ``make student-kit`` runs) writes the kit of the
three assignments, forward closed (backprop's notebook imports forward's functions). The
kit (folder, zip, and the wheel inside them) holds no solution, hidden test code, course
secret or instructor file; the scan finds a planted solution line; a kit whose notebook
needs an open assignment's answers is refused. Installed and used as a student:
``test_student_kit_installed.py``.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from student_kit import ROOT, build_kit

from autograder.kit import answers as answers_tables
from autograder.kit import build, scan

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/ of the kit of all three assignments, forward closed."""
    return build_kit(tmp_path_factory.mktemp("dist"))


def _texts(root: Path) -> list[tuple[str, str]]:
    return [(where, data.decode("utf-8", errors="replace")) for where, data in scan.files(root)]


def test_the_kit_holds_exercises_wheel_readme_and_nothing_of_the_instructor(kit):
    folder = kit / build.KIT
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    wheel = next(folder.glob("dnn_ref-*.whl"))
    assert names == sorted(["README.md", wheel.name, "exercises/forward/forward.ipynb",
                            "exercises/graphs/graphs.ipynb",
                            "exercises/backprop/backprop.ipynb"]), names
    with zipfile.ZipFile(kit / f"{build.KIT}.zip") as z:
        zipped = {n for n in z.namelist() if not n.endswith("/")}
    assert zipped == {f"{build.KIT}/{n}" for n in names}, zipped
    with zipfile.ZipFile(wheel) as z:
        top = {n.split("/")[0] for n in z.namelist()}
    assert top == {"dnn_ref", wheel.name.split("-py3")[0] + ".dist-info"}, top


def test_no_solution_hidden_test_or_secret_in_the_folder_the_zip_or_the_wheel(kit):
    secret = (ROOT / ".course_secret").read_text().strip()
    hidden = set()
    for notebook in (ROOT / "solutions").glob("*/*.ipynb"):
        for cell in json.loads(notebook.read_text())["cells"]:
            source = "".join(cell["source"])
            if "BEGIN HIDDEN TESTS" in source:
                hidden |= scan.hidden_test_lines(
                    source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0])
    assert hidden, "no hidden test cell found in solutions/: the comparison would be empty"
    for root in (kit / build.KIT, kit / f"{build.KIT}.zip"):
        for where, text in _texts(root):
            assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN" not in text, where
            assert secret not in text, f"{where} holds the course secret"
            assert not hidden & scan.hidden_test_lines(text), f"{where} holds a hidden test"
            parts = where.replace("!", "/").split("/")
            assert not {"solutions", "assignments", "autograder"} & set(parts), where
    closed = ["forward"]
    tabulated = [f"{m}:{f}" for m, names in answers_tables.TABULATED.items() for f in names]
    answers = scan.answer_statements(build.edition.package_dir(), [
        "network:one_layer_backward", "network:backprop", "network:linear_backward",
        "network:update_parameters", "graph:Value.*._backward", *tabulated])
    assert any("W.T @ dZ" in s for s in answers), "the reference's statements were not read"
    assert scan.scan([kit / build.KIT, kit / f"{build.KIT}.zip"], ROOT, answers,
                     allowed=set(build.GIVEN), closed=closed) == []


def test_the_scan_finds_a_solution_planted_in_the_wheel(kit, tmp_path):
    planted = tmp_path / build.KIT
    shutil.copytree(kit / build.KIT, planted)
    wheel = next(planted.glob("dnn_ref-*.whl"))
    with zipfile.ZipFile(wheel, "a") as z:
        z.writestr("dnn_ref/leak.py", "def f(W, dZ):\n    dA_prev = W.T @ dZ\n"
                   "    return dA_prev\n")
    findings = scan.scan([planted], ROOT, {})
    assert any("leak.py" in f and "a solution of solutions/backprop" in f for f in findings), \
        findings


def test_a_notebook_needing_an_open_assignments_answers_is_refused(tmp_path):
    with pytest.raises(build.KitError, match="backprop's notebook imports .*forward_prop"):
        build.build(ROOT, ["forward", "graphs", "backprop"], [], tmp_path)
    assert not (tmp_path / build.KIT).exists(), "a refused kit was left behind"
