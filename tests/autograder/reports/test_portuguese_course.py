"""A course released in Portuguese: graded with the real nbgrader and the sandbox, the student
reads the diagnosis in Portuguese, and the class report counts it under the English slug."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import polib
import pytest
from nbgrader_course import ROOT, feedback_text, nbgrader, released, submit
from submissions.roster import BACKPROP

MISTAKE = next(s for s in BACKPROP if s.student == "dw_without_1_over_m")
CORRECT = next(s for s in BACKPROP if s.student == "correct_vectorised")


def _po_translation(msgid: str, name: str = "dnn_ref.po") -> str:
    po = polib.pofile(str(ROOT / "locale" / "pt_BR" / "LC_MESSAGES" / name))
    return po.find(msgid).msgstr


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("curso")
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions" / "backprop", course / "solutions" / "backprop")
    os.environ["COURSE_LANGUAGE"] = "pt_BR"        # as `COURSE_LANGUAGE=pt_BR make release`
    try:
        nbgrader(course, "generate_assignment", "backprop", "--force")
    finally:
        del os.environ["COURSE_LANGUAGE"]
    for sub in (MISTAKE, CORRECT):
        submit(course, "backprop", sub)
    nbgrader(course, "autograde", "backprop", "--force")   # English environment: the
    nbgrader(course, "generate_feedback", "backprop", "--force")  # notebook's language counts
    return course


def test_release_translates_the_instructions_and_records_the_language(graded):
    nb = released(graded, "backprop")
    source = nbformat.read(ROOT / "solutions" / "backprop" / "backprop.ipynb", as_version=4)
    assert nb.metadata["dnn"]["language"] == "pt_BR"
    english = [c.source for c in source.cells if c.cell_type == "markdown"]
    portuguese = [c.source for c in nb.cells if c.cell_type == "markdown"]
    translated = [_po_translation(e, "assignments.po") for e in english]
    assert portuguese == [t or e for t, e in zip(translated, english, strict=True)]
    assert any(translated), "no instruction of backprop is translated"
    code = [c.source for c in nb.cells if c.cell_type == "code" and
            not c.metadata.get("nbgrader", {}).get("solution")]
    assert code == [c.source for c in released_english(graded).cells if c.cell_type == "code"
                    and not c.metadata.get("nbgrader", {}).get("solution")]


def released_english(course: Path) -> nbformat.NotebookNode:
    """The same assignment released without COURSE_LANGUAGE, in a course folder of its own."""
    other = course.parent / (course.name + "-en")
    if not other.exists():
        other.mkdir()
        shutil.copy(ROOT / "nbgrader_config.py", other / "nbgrader_config.py")
        shutil.copytree(ROOT / "solutions" / "backprop", other / "solutions" / "backprop")
        nbgrader(other, "generate_assignment", "backprop", "--force")
    return released(other, "backprop")


def test_the_feedback_names_the_mistake_in_portuguese(graded):
    page = feedback_text(graded, "backprop", MISTAKE.student)
    assert _po_translation("the 1/m is missing: dW = (1/m)·dZ·A_prevᵀ.") in page
    assert "Causa provável:" in page and "falhou na verificação" in page
    assert "Likely cause" not in page and "failed check" not in page
    ok = feedback_text(graded, "backprop", CORRECT.student)
    assert "passou em todas as" in ok and "passed all" not in ok
    html = (graded / "feedback" / CORRECT.student / "backprop" / "backprop.html").read_text()
    assert '<html lang="pt-BR">' in html and "testes visíveis" in html and "✓ passou" in html


def test_the_report_counts_the_same_slug_in_the_course_language(graded):
    env = {**os.environ, "COURSE_LANGUAGE": "pt_BR",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run([sys.executable, "-m", "autograder", "report", "backprop",
                           "--course", str(graded), "--out", str(graded / "report")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(graded / "report" / "mistakes.csv", newline="") as f:
        rows = {(r["function"], r["mistake"]): r for r in csv.DictReader(f)}
    row = rows["one_layer_backward", "dw_missing_1_over_m"]
    assert row["student_ids"] == MISTAKE.student
    assert row["label"] == "dW sem o 1/m"
    page = (graded / "report" / "index.html").read_text()
    assert '<html lang="pt-BR">' in page and "backprop: o que a turma errou" in page
    assert "1 cometeram “dW sem o 1/m”" in page and "what the class got wrong" not in page
