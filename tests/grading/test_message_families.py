"""Every family of text the grading path shows a student goes through the catalogue (issue 18).

* No English sentence is left unmarked in the modules whose text reaches a student: every
  string literal of prose there is a ``_()`` or ``N_()`` message, a known mistake's cause,
  or one of the instructor-facing kinds listed below (log lines, errors that stop grading,
  settings' help).
* Each family, in Portuguese: the test cases' names (every visible and drawn case), the
  stand-ins' reasons raised in the sandbox, the judge's unreadable-record reasons, the
  repair notes, the cell limits' reasons, the hidden-test placeholder, the feedback page's
  words and the misconception report's labels; in English each is exactly as before.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import numpy as np
import polib
import pytest

from autograder.judge import UNREADABLE, Records, judge_check
from autograder.preprocessors import execute
from autograder.preprocessors.cell_limits import CellLimits, cell_name
from autograder.preprocessors.feedback import HideHiddenTests
from autograder.preprocessors.repair import CELL_TYPES, REPAIRS_KEY, RepairCells
from autograder.reports import feedback_page, similarity
from autograder.sandbox import blocked_packages, stubs
from dnn_ref.grading.cases import NAME_TEMPLATES, NAMES, build_cases, cases, describe
from dnn_ref.grading.diagnoses.catalogue import TITLES
from dnn_ref.grading.taken_away import UNAVAILABLE
from dnn_ref.i18n import joined, language, retranslate

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "pt_BR" / "LC_MESSAGES" / "dnn_ref.po"

STUDENT_FACING = [
    *sorted((ROOT / "dnn_ref" / "grading").rglob("*.py")),
    ROOT / "autograder" / "judge" / "__init__.py",
    *(ROOT / "autograder" / "preprocessors" / f"{m}.py"
      for m in ("repair", "execute", "cell_limits", "feedback", "overwrite", "sanitize")),
    *(ROOT / "autograder" / "reports" / f"{m}.py"
      for m in ("feedback_page", "misconceptions", "similarity")),
    ROOT / "autograder" / "sandbox" / "stubs.py",
    ROOT / "autograder" / "sandbox" / "blocked_packages.py",
]
"""The modules whose strings can reach a student (or the course's report)."""

INSTRUCTOR_CALLS = {
    "warning", "info", "debug", "error", "exception",         # the grader's log
    "SystemExit", "ValueError", "TypeError", "KeyError", "RuntimeError", "AttributeError",
    "FileNotFoundError", "ArgumentParser", "add_argument",    # errors that stop the grader
    "Unicode", "Bool", "Float", "Integer",                    # settings' help
    "print",                                                  # the instructor's command line
    "compile",                                                # regular expressions
}
"""Calls whose text is the instructor's, not a student's."""

NOT_PROSE = {
    "feedback_page.py": ["\nbody { font-size"],                        # the page's style sheet
    "stubs.py": ['"""Only in the grading sandbox', " is not available while a notebook is "
                 "graded (grading sandbox).\"\"\"", "    def __init__(self, *args, **kwargs):"],
    "recording.py": ["<nested too deeply>", "<array of dtype ", "<malformed value>"],
    "execute.py": ["WARNING: grading WITHOUT the sandbox"],   # preflight, for the instructor
    "__init__.py": ["module 'dnn_ref.grading' has no attribute "],
    "exceptions.py": ["converted to Python scalars", "truth value of an array",
                      'concatenate str (not "int")'],
}
"""Literals of those modules that a student never reads: generated source, a style sheet,
placeholders of values that could not be decoded, Python's and numpy's own wording (an
AttributeError's, the messages a diagnosis recognises)."""

_WORDS = re.compile(r"\b[A-Za-z]{2,}\b")


def _literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each prose literal of ``path`` that no allowed context covers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parent = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    docstrings = {node.body[0].value for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef
                                | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    docstrings |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Expr)
                   and isinstance(n.value, ast.Constant)}   # attribute docstrings
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        text = node.value
        if node in docstrings or len(_WORDS.findall(text)) < 3 or text.upper() == text or \
                re.fullmatch(r"[\w.<>*/-]+", text):
            continue                                  # not prose: a name, a marker
        up = parent.get(node)
        if isinstance(up, ast.Tuple) and len(up.elts) >= 2 and up.elts[1] is node and \
                isinstance(up.elts[0], ast.Constant) and up.elts[0].value in TITLES:
            continue                                  # a known mistake's cause: extracted
        if isinstance(up, ast.Dict) and path.name == "catalogue.py":
            continue                                  # the mistake titles: extracted
        if any(text.startswith(allowed) or allowed in text
               for allowed in NOT_PROSE.get(path.name, [])):
            continue
        if not _in_allowed_call(node, parent):
            found.append((node.lineno, text))
    return found


def _in_allowed_call(node: ast.AST, parent: dict) -> bool:
    while node in parent:
        node = parent[node]
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
            if name in ("_", "N_", "ngettext") or name in INSTRUCTOR_CALLS:
                return True
    return False


@pytest.mark.parametrize("path", STUDENT_FACING, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_english_sentence_is_left_out_of_the_catalogue(path):
    left = _literals(path)
    assert not left, f"{path.relative_to(ROOT)}: mark these with _() or N_(): {left}"


def test_every_marked_template_is_translated():
    po = {e.msgid: e.msgstr for e in polib.pofile(str(PO)).translated_entries()}
    families = {"case names": NAME_TEMPLATES, "stand-ins": UNAVAILABLE,
                "unreadable records": UNREADABLE, "cell types": tuple(CELL_TYPES.values()),
                "page marks": tuple(feedback_page.TRUNCATED.values()),
                "notes": (execute.NOT_RUN, execute.UNSANDBOXED_NOTE),
                "report labels": (similarity.ALL_FUNCTIONS, "book chapter 6")}
    untranslated = {f: [m for m in messages if not po.get(m)] for f, messages in families.items()}
    assert not any(untranslated.values()), untranslated


@pytest.mark.parametrize("name", NAMES)
def test_every_case_name_translates_keeping_its_values(name):
    drawn = [c.name for seed in range(3) for c in build_cases(name, np.random.default_rng(seed))]
    for english in [c.name for c in cases(name)] + drawn:
        assert describe(english) == english
        with language("pt_BR"):
            portuguese = describe(english)
        assert portuguese != english, english
        assert re.findall(r"-?\d+(?:\.\d+)?", portuguese) == re.findall(r"-?\d+(?:\.\d+)?", english)


def test_a_case_title_is_its_name_in_the_current_language():
    case = cases("one_layer_backward")[0]
    assert case.name == case.title() == "square W: W (3, 3), m = 4"
    with language("pt_BR"):
        assert case.title() == "W quadrada: W (3, 3), m = 4"


def test_retranslate_keeps_unknown_text_and_repeated_values():
    assert retranslate("something else", NAME_TEMPLATES) == "something else"
    with language("pt_BR"):
        assert retranslate("Z of shape (2, 3)", NAME_TEMPLATES) == "Z de formato (2, 3)"
        assert joined(["add_backward", "multiply_backward"]) == \
            "add_backward e multiply_backward"
    assert joined(["a", "b", "c"]) == "a, b and c" and joined(["a"]) == "a"


def test_the_stand_ins_reasons_are_the_english_of_before_and_translate():
    patterns = stubs.patterns_for(["backprop"], "network")
    own = stubs.message("dnn_ref.network.backprop", patterns["backprop"])
    assert own == ("dnn_ref.network.backprop is not available while your notebook is graded: "
                   "this assignment grades your own backprop: write it and call yours.")
    blocked = blocked_packages.MESSAGE.format(qualname="torch")
    checker = stubs.message("dnn_ref.grading.diagnoses.diagnose", stubs.CHECKER_WHY)
    with language("pt_BR"):
        for english in (own, blocked, checker):
            portuguese = retranslate(english, UNAVAILABLE)
            assert "não está disponível enquanto o seu notebook é corrigido" in portuguese
        assert retranslate(own, UNAVAILABLE).startswith("dnn_ref.network.backprop não")


def test_the_judges_unreadable_records_speak_the_language(tmp_path):
    for i in range(60):
        (tmp_path / f"{i:03d}-sigmoid-visible.json").write_text("{}")
    records = [r for _n, _h, r in Records(tmp_path).new()]
    with language("pt_BR"):
        verdict = judge_check("sigmoid", False, cases("sigmoid"), records, None, [], {})
    assert verdict.mistake == "malformed_record" and not verdict.passed
    assert "mais de 50 registros numa só célula" in verdict.message


def _notebook(lang: str, cells: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["dnn"] = {"language": lang}
    return nb


def test_repair_notes_are_in_the_notebooks_language():
    def broken(lang: str) -> nbformat.NotebookNode:
        cells = [nbformat.v4.new_code_cell("x = 1") for _ in range(3)]
        cells[0].metadata["nbgrader"] = {"grade": False}                 # no grade_id
        for c in cells[1:]:
            c.metadata["nbgrader"] = {"grade_id": "answer", "solution": True}
        nb = _notebook(lang, cells)
        nb.metadata[REPAIRS_KEY] = ["forged"]
        return nb

    notes = {lang: RepairCells().preprocess(broken(lang), {})[0].metadata[REPAIRS_KEY]
             for lang in ("en", "pt_BR")}
    assert len(notes["en"]) == len(notes["pt_BR"]) == 3
    assert notes["en"][2] == ("Cell 3 is a copy of cell 'answer' (same grading metadata); the "
                              "first one keeps that role, this copy ran as an ordinary cell, "
                              "in its place.")
    assert notes["pt_BR"][2].startswith("A célula 3 é uma cópia da célula 'answer'")
    assert all(_portuguese_only(n) for n in notes["pt_BR"])


def _portuguese_only(text: str) -> bool:
    english = {"the", "was", "cell", "graded", "metadata", "copy", "it", "its", "had"}
    return not english & {w.lower() for w in _WORDS.findall(text)}


def test_cell_limits_reasons_are_translated():
    limits = CellLimits(max_cells=1)
    nb = _notebook("pt_BR", [nbformat.v4.new_code_cell("1"), nbformat.v4.new_code_cell("2")])
    assert limits.too_big(nb).startswith("not run: the notebook has 2 cells (at most 1 are run)")
    with language("pt_BR"):
        assert limits.too_big(nb).startswith("não executado: o notebook tem 2 células")
        assert cell_name(nb.cells[0], 0) == "célula 1"
        timeout = nbformat.v4.new_code_cell("1", outputs=[nbformat.v4.new_output(
            "error", ename="CellTimeoutError", evalue="x", traceback=[])])
        assert execute._error(timeout)[1].startswith("a célula ainda estava rodando")
    assert cell_name(nb.cells[0], 0) == "cell 1"


def test_the_hidden_tests_placeholder_is_in_the_notebooks_language():
    def test_cell(lang: str) -> nbformat.NotebookNode:
        cell = nbformat.v4.new_code_cell("check(f)\n### BEGIN HIDDEN TESTS\nsecret\n"
                                         "### END HIDDEN TESTS")
        cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t",
                                     "points": 1}
        return _notebook(lang, [cell])

    en = HideHiddenTests().preprocess(test_cell("en"), {})[0].cells[0].source
    pt = HideHiddenTests().preprocess(test_cell("pt_BR"), {})[0].cells[0].source
    assert en == "check(f)\n# Hidden tests ran here; their code is not shown. Their verdict " \
                 "is below."
    assert pt == "check(f)\n# Os testes ocultos rodaram aqui; o código deles não é mostrado. " \
                 "O veredito está abaixo."


def test_nbgraders_truncation_marks_are_translated_on_the_page():
    nb = _notebook("pt_BR", [nbformat.v4.new_code_cell("x", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="1\n... Output truncated ..."),
        nbformat.v4.new_output("error", ename="E", evalue="e",
                               traceback=["a", "... Traceback truncated ...", "b"])])])
    with language("pt_BR"):
        feedback_page.translate_truncation_marks(nb)
    outputs = nb.cells[0].outputs
    assert outputs[0].text == "1\n... Saída cortada ..."
    assert outputs[1].traceback == ["a", "... Traceback cortado ...", "b"]


def test_the_reports_own_labels_translate_and_student_ids_do_not():
    with language("pt_BR"):
        assert similarity.shown(similarity.ALL_FUNCTIONS) == "todas as funções avaliadas"
        assert similarity.shown("book chapter 6") == "capítulo 6 do livro"
        assert similarity.shown("Comment") == "Comment"        # a student id, kept as is
    assert similarity.shown("book chapter 6") == "book chapter 6"
