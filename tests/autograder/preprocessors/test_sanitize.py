"""What a student writes or prints reaches no page as script or link (SanitizeStudentContent).

One notebook holds every route by which student text became a ``javascript:`` link or a
script in a feedback page or the formgrader: markdown links, raw HTML, TeX ``\\href``
(also through a macro), ``text/markdown``, ``text/latex``, ``text/html`` and JavaScript
outputs. After the preprocessor and nbconvert's own HTML export, the page has none.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from nbconvert import HTMLExporter

from autograder.preprocessors.repair import REPAIRS_KEY, RepairCells
from autograder.preprocessors.sanitize import SanitizeStudentContent, defuse_tex

JS = "javascript:alert(1)"
HOSTILE_MARKDOWN = [
    f"[a link]({JS})",
    f"[ref][r]\n\n[r]: {JS}",
    f"<a href='{JS}'>html</a>",
    "<A HREF=' JaVaScRiPt:alert(1)'>mixed case</A>",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    f"$\\href{{{JS}}}{{x}}$",
    f"$$\\def\\h{{\\href}}\\h{{{JS}}}{{x}}$$",
    f"$\\newcommand{{\\h}}{{\\href}}\\h{{{JS}}}{{x}}$",
    f"$\\let\\h\\href \\h{{{JS}}}{{x}}$",
    "$\\require{html}\\class{x}{y}$",
    f"<svg><a xlink:href='{JS}'><text>s</text></a></svg>",
]
HOSTILE_OUTPUTS = {
    "text/markdown": f"[m]({JS})",
    "text/latex": f"$\\href{{{JS}}}{{y}}$",
    "text/html": f"<a href='{JS}'>h</a><script>alert(1)</script><b onclick='alert(1)'>b</b>",
    "application/javascript": "alert(1)",
    "image/svg+xml": "<svg onload='alert(1)'></svg>",
}
#: Live markup: a script tag, an event handler or a javascript: URL inside a tag, or TeX
#: that MathJax would turn into a link or a macro (escaped text such as &lt;img ...&gt; is inert).
DANGER = re.compile(r"<script|<[^>]*\son\w+\s*=|<[^>]*javascript:|\]\(\s*javascript:|"
                    r"\\href|\\def|\\let|\\newcommand|\\require|\\class", re.I)


def hostile_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(md) for md in HOSTILE_MARKDOWN]
    code = nbformat.v4.new_code_cell("show()")
    code.outputs = [nbformat.v4.new_output("display_data", data={k: v}) for k, v in
                    HOSTILE_OUTPUTS.items()]
    nb.cells.append(code)
    return nb


def rendered(nb: nbformat.NotebookNode) -> str:
    body, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    return body


def test_the_hostile_notebook_is_dangerous_before_sanitizing() -> None:
    # the test's own premise: unsanitized, the page has every kind of danger
    page = rendered(hostile_notebook())
    assert "javascript:alert(1)" in page and "<script>alert(1)</script>" in page


def test_no_route_leaves_a_link_or_script_in_the_page() -> None:
    nb, _ = SanitizeStudentContent().preprocess(hostile_notebook(), {})
    for cell in nb.cells:
        texts = [cell.source] + [str(v) for o in cell.get("outputs", [])
                                 for v in o.get("data", {}).values()]
        for text in texts:
            assert not DANGER.search(text), text
    page = rendered(nb)
    student_part = page[page.index("<body"):]
    assert not DANGER.search(student_part), DANGER.search(student_part)


@pytest.mark.parametrize("word", ["href", "def", "let", "newcommand", "require", "class"])
def test_defused_tex_names_the_control_word_as_text(word: str) -> None:
    assert defuse_tex(f"$\\{word}{{x}}$") == f"$\\backslash\\mathrm{{{word}}}{{x}}$"


def test_ordinary_maths_and_words_that_start_alike_are_kept() -> None:
    maths = r"$\delta^{[l]} = (W^{[l+1]})^T \delta^{[l+1]} \odot \sigma'(z) \hrefx \letter$"
    assert defuse_tex(maths) == maths


def test_the_course_locked_cells_are_kept_as_written() -> None:
    locked = nbformat.v4.new_markdown_cell(
        "## Part 1\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n$\\sum_k a_k$",
        metadata={"nbgrader": {"locked": True, "grade": False, "solution": False,
                               "grade_id": "intro", "schema_version": 3}})
    nb = nbformat.v4.new_notebook(cells=[locked])
    out, _ = SanitizeStudentContent().preprocess(nb, {})
    assert out.cells[0].source == locked.source


def test_tables_and_maths_in_an_answer_survive_sanitizing() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "**Answer.** $a < b$\n\n| x | y |\n|---|---|\n| 1 | 2 |")])
    out, _ = SanitizeStudentContent().preprocess(nb, {})
    assert "<table>" in out.cells[0].source and "$a &lt; b$" in out.cells[0].source
    assert "<strong>Answer.</strong>" in out.cells[0].source


def test_notes_a_submission_brings_under_the_graders_key_are_dropped() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nb.metadata[REPAIRS_KEY] = ["Extension granted by the instructor: +5 points"]
    out, _ = RepairCells().preprocess(nb, {})
    notes = out.metadata[REPAIRS_KEY]
    assert not any("Extension granted" in n for n in notes)
    assert any("only the grader writes these notes" in n for n in notes)


def test_output_metadata_keeps_only_numeric_image_sizes() -> None:
    from autograder.preprocessors.sanitize import safe_output_metadata

    hostile = {"image/png": {"width": "1 onerror=alert(1)", "height": 30},
               "image/jpeg": {"height": "2 onload=x", "unconfined": True},
               "text/html": {"isolated": True}, "filenames": {"image/png": "x\"><script>"}}
    assert safe_output_metadata(hostile) == {"image/png": {"height": 30}}
    assert safe_output_metadata({"image/png": {"width": "640", "height": 480.5}}) == {
        "image/png": {"width": "640", "height": 480.5}}
    assert safe_output_metadata("not a dict") == {}


def test_an_image_size_cannot_carry_an_attribute_into_the_page() -> None:
    code = nbformat.v4.new_code_cell("show()")
    code.outputs = [nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBORw0KGgo="},
        metadata={"image/png": {"width": "1 onerror=alert(1)", "height": "1 onload=alert(1)"}})]
    nb = nbformat.v4.new_notebook(cells=[code])
    assert "onerror=" in rendered(nb)                       # the premise: nbconvert writes it
    out, _ = SanitizeStudentContent().preprocess(nb, {})
    page = rendered(out)
    assert not DANGER.search(page[page.index("<body"):])
