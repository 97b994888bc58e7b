"""No English on a Portuguese student's feedback page, outside code (issue 18).

One course, released in Portuguese, is graded with the real ``nbgrader autograde`` and
``generate_feedback`` (sandbox included). Each student comes twice, the same notebook
once as released (``metadata.dnn.language = "pt_BR"``) and once marked English: the
notebook's language is what the grader, the judge and the page speak. The students
reach the messages a page can carry:

* ``mistakes``: dW without the 1/m (a wrong answer in a named case, "square W: ..."),
  a backprop that calls the course's reference (the sandbox's stand-in raises), an
  update_parameters that is interrupted (the judge's "did not finish in time");
* ``repaired``: a copied answer cell, a cell whose type was changed, a test cell's
  grading flags changed, text forged under the grader's notes key (the repair notes),
  and a kernel that dies after the first test (the cells after it not run).

The student's own Validate (``nbgrader validate``, run in the notebook's folder) explains the
same mistake in Portuguese.

The English pages give the vocabulary of what we write: every word of their visible text
that is neither code (a code cell, ``<code>``) nor in the notebooks themselves (the
released instructions, the students' code). The Portuguese pages must contain none of
those words, except the few that are Portuguese too or the course's loanwords.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import bs4
import nbformat
import pytest
from nbgrader_course import BIN, ROOT, nbgrader, released
from submissions import Submission, copy_cell, insert_after, submission_text
from submissions.roster import BACKPROP, VECTORISED

pytestmark = pytest.mark.slow

DW_WITHOUT_1_OVER_M = next(s for s in BACKPROP if s.student == "dw_without_1_over_m").answers

CALLS_THE_REFERENCE = '''
    from dnn_ref import network

    def backprop(AL, Y, caches):
        return network.backprop(AL, Y, caches)
'''
INTERRUPTED = '''
    def update_parameters(parameters, grads, learning_rate):
        raise KeyboardInterrupt
'''


def _repaired(nb: nbformat.NotebookNode) -> None:
    copy_cell(nb, "backprop", VECTORISED["backprop"])
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    cells["update_parameters"].cell_type = "markdown"
    cells["update_parameters"].pop("outputs", None)
    cells["update_parameters"].pop("execution_count", None)
    cells["test_one_layer_backward"].metadata["nbgrader"]["points"] = 100
    nb.metadata["autograder_repairs"] = ["forged: every test passed"]
    insert_after(nb, "hidden_one_layer_backward", "import os\nos._exit(1)")


STUDENTS = [
    Submission("mistakes", {**VECTORISED, **DW_WITHOUT_1_OVER_M, "backprop": CALLS_THE_REFERENCE,
                            "update_parameters": INTERRUPTED}),
    Submission("repaired", VECTORISED, edit=_repaired),
]
LANGUAGES = {"pt": "pt_BR", "en": "en"}

KEPT = {"notebook", "kernel", "sandbox", "array", "arrays", "markdown", "numpy", "gradebook",
        "randn"}
"""Words the Portuguese messages keep: loanwords Brazilian courses use, code names in prose."""
DEMO_OUTPUT = {"example", "gradient"}
"""Printed by the assignment's own demonstration cell ("example 0: delta = ..., gradient for
A_prev = ..."): code in assignments/backprop.md, shared by both editions and not translated
by the grader."""
ALSO_PORTUGUESE = {"a", "as", "no", "do", "se", "me", "total"}
"""English words that are Portuguese words too."""
OUR_WORDS = {"score", "top", "passed", "failed", "check", "likely", "cause", "notes",
             "grading", "square", "cell", "copy", "visible", "hidden", "tests", "died",
             "available", "time", "answer"}
"""Fixed words of an English page this test must see (so it cannot pass vacuously)."""

WORD = re.compile(r"(?<![\w.=\[/'’-])[A-Za-z][a-z]+(?:['’][a-z]+)?(?![\w(=\[/-])")
"""A word of prose: not part of an identifier, an attribute, a call, a keyword argument or
a path."""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[tuple[str, str], Path]:
    course = tmp_path_factory.mktemp("curso")
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions" / "backprop", course / "solutions" / "backprop")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURSE_LANGUAGE", "pt_BR")      # as `COURSE_LANGUAGE=pt_BR make release`
        nbgrader(course, "generate_assignment", "backprop", "--force")
    nb = released(course, "backprop")
    for sub in STUDENTS:
        for tag, lang in LANGUAGES.items():
            twin = nbformat.reads(submission_text(nb, sub), as_version=4)
            twin.metadata["dnn"]["language"] = lang
            folder = course / "submitted" / f"{sub.student}_{tag}" / "backprop"
            folder.mkdir(parents=True)
            nbformat.write(twin, folder / "backprop.ipynb")
    nbgrader(course, "autograde", "backprop", "--force")
    nbgrader(course, "generate_feedback", "backprop", "--force")
    return {(sub.student, tag): course / "feedback" / f"{sub.student}_{tag}" / "backprop" /
            "backprop.html" for sub in STUDENTS for tag in LANGUAGES}


def visible_text(page: Path) -> str:
    """What a reader of the page sees, outside code: no script, style, code cell or
    ``<code>``, nothing hidden. The traceback of an error in a student's own cell is Python's
    and IPython's (the frames it lists are code): it counts by its last line, the error and
    its message."""
    soup = bs4.BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for tag in soup.find_all(["script", "style", "code", "title"]):
        tag.decompose()
    for tag in soup.select(".input_area, [hidden]"):
        tag.decompose()
    for pre in soup.select(".output_error pre"):
        if "Traceback (most recent call last)" in pre.get_text():
            pre.string = pre.get_text().strip().splitlines()[-1]
    return soup.get_text(" ")


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


def notebook_words(course: Path) -> set[str]:
    """Every word of the notebooks themselves: the instructions (markdown cells) and every
    name or word of the students' answers (a diagnosis may quote their line)."""
    found: set[str] = set()
    for path in course.glob("submitted/*/backprop/backprop.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                found |= words(cell.source)
            elif cell.metadata.get("nbgrader", {}).get("solution"):
                found |= {w.lower() for w in re.findall(r"\w+", cell.source)}
    return found


def english_vocabulary(pages: dict[tuple[str, str], Path]) -> set[str]:
    course = next(iter(pages.values())).parents[3]
    english = set().union(*(words(visible_text(p)) for (_, tag), p in pages.items()
                            if tag == "en"))
    return english - notebook_words(course) - KEPT - ALSO_PORTUGUESE - DEMO_OUTPUT


def test_the_english_pages_carry_the_fixed_words_this_test_looks_for(pages):
    missing = OUR_WORDS - english_vocabulary(pages)
    assert not missing, f"the English pages no longer show {sorted(missing)}"


@pytest.mark.parametrize("student", [s.student for s in STUDENTS])
def test_a_portuguese_page_has_no_english_word_of_ours(pages, student):
    english = english_vocabulary(pages)
    portuguese = words(visible_text(pages[student, "pt"]))
    left = sorted(english & portuguese)
    text = visible_text(pages[student, "pt"])
    where = {w: re.search(rf".{{0,60}}\b{w}\b.{{0,60}}", text, re.I | re.S) for w in left}
    assert not left, "English on the Portuguese page: " + "; ".join(
        f"{w!r} in …{m.group(0).strip() if m else ''}…" for w, m in where.items())


def test_the_portuguese_pages_say_what_the_english_ones_say(pages):
    mistakes = visible_text(pages["mistakes", "pt"])
    assert "W quadrada: W (3, 3), m = 4" in mistakes          # the named case, translated
    assert "Causa provável" in mistakes and "falhou na verificação" in mistakes
    assert "não está disponível enquanto o seu notebook é corrigido" in mistakes
    assert "não terminou a tempo" in mistakes or "a tempo" in mistakes
    assert "Nota:" in mistakes and "(Topo)" in mistakes and "Entrada" in mistakes
    repaired = visible_text(pages["repaired", "pt"])
    assert "Observações da correção" in repaired and "é uma cópia da célula" in repaired
    assert "voltou a ser uma célula de código" in repaired
    assert "o kernel morreu enquanto" in repaired
    english = visible_text(pages["mistakes", "en"])
    assert "square W: W (3, 3), m = 4" in english and "Score:" in english


def test_validate_explains_a_portuguese_notebook_in_portuguese(pages, tmp_path):
    course = next(iter(pages.values())).parents[3]
    shutil.copy(course / "submitted" / "mistakes_pt" / "backprop" / "backprop.ipynb", tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_LANGUAGE", "DNN_LANGUAGE")}
    proc = subprocess.run([str(BIN / "nbgrader"), "validate", "backprop.ipynb"], cwd=tmp_path,
                          env={**env, "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}"},
                          capture_output=True, text=True, timeout=600)
    errors = [block.split("The error was:")[1] for block in re.split(r"\n=+\n", proc.stdout)
              if "The error was:" in block]
    ours = "\n".join(errors[:2])      # one_layer_backward's and backprop's (the third is
                                      # the KeyboardInterrupt's traceback, IPython's)
    assert "W quadrada: W (3, 3), m = 4" in ours and "Causa provável" in ours
    assert "rede de duas camadas" in ours and "backprop chama dnn_ref.network.backprop" in ours
    assert not words(ours) & english_vocabulary(pages), ours
