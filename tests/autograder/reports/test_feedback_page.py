"""Feedback pages, as a student opens them: offline, maths rendered, fitting a phone.

A temporary course releases the backprop assignment, grades two submissions (a
correct one and one whose dW lacks the 1/m, so its page carries long
diagnoses) with the real ``nbgrader autograde`` and makes their pages with the
real ``nbgrader generate_feedback``. Each page is opened from disk in chromium
at 390 px and on a desktop: no request may leave the page's own file, every
formula must be typeset by MathJax, nothing may scroll the page sideways, the
diagnoses must wrap and the tables be styled.
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
from book_site import CHROMIUM_ARGS
from submissions import submission_text
from submissions.roster import BACKPROP

from autograder.reports.feedback_page import mathjax_script

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
ARTIFACTS = ROOT / "test-artifacts"
STUDENTS = ["correct_vectorised", "dw_without_1_over_m"]


def nbgrader(course: Path, *args: str) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run([str(BIN / "nbgrader"), *args, f"--CourseDirectory.root={course}"],
                          cwd=course, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)}:\n{proc.stderr[-3000:]}"


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions" / "backprop", course / "solutions" / "backprop")
    nbgrader(course, "generate_assignment", "backprop", "--force")
    released = nbformat.read(course / "exercises" / "backprop" / "backprop.ipynb", as_version=4)
    roster = {sub.student: sub for sub in BACKPROP}
    for student in STUDENTS:
        folder = course / "submitted" / student / "backprop"
        folder.mkdir(parents=True)
        (folder / "backprop.ipynb").write_text(submission_text(released, roster[student]))
    nbgrader(course, "autograde", "backprop", "--force")
    nbgrader(course, "generate_feedback", "backprop", "--force")
    return {s: course / "feedback" / s / "backprop" / "backprop.html" for s in STUDENTS}


def test_the_page_opens_with_each_function_and_its_diagnosis(pages):
    html = pages["dw_without_1_over_m"].read_text()
    top = html[html.index('<div id="results">'):html.index('id="notebook"')]
    assert 'id="toc"' not in html and "Test cell" not in html   # nbgrader's anonymous list
    assert html.index('<div id="results">') < html.index("Assignment: backpropagation")
    items = re.findall(r"<li>(.*?)</li>", top, re.S)
    assert len(items) == 6                           # a visible and a hidden test per function
    first = re.sub(r"<[^>]+>", "", items[0])
    assert "one_layer_backward" in first and "visible tests" in first and "1/m" in first
    assert "AssertionError" not in html and "failed check" not in first
    passed = re.sub(r"<[^>]+>", "", items[-1])
    assert "update_parameters" in passed and "✓ passed" in passed


def test_the_page_is_one_file_with_mathjax_inlined(pages):
    for page in pages.values():
        html = page.read_text()
        assert mathjax_script() in html
        assert "cdnjs" not in html and "<script src=" not in html


INSPECT = """() => {
  const pres = [...document.querySelectorAll('div.output_subarea pre')];
  const table = document.querySelector('.rendered_html table');
  const cell = table && table.querySelector('td');
  const body = document.body.cloneNode(true);
  body.querySelectorAll('script, style, mjx-container, pre, code').forEach(e => e.remove());
  return {
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    mjx: document.querySelectorAll('mjx-container').length,
    mjxErrors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
    rawTex: (body.innerText.match(/\\$[^$\\n]*\\\\[a-zA-Z]+[^$\\n]*\\$/g) || []),
    cutOutputs: pres.filter(p => p.scrollWidth > p.clientWidth + 1).length,
    outputs: pres.length,
    tableBorder: cell ? getComputedStyle(cell).borderTopStyle : null,
    tableCollapse: table ? getComputedStyle(table).borderCollapse : null,
    text: document.body.innerText,
  };
}"""


@pytest.mark.parametrize(("width", "height", "name"), [(390, 844, "phone"),
                                                       (1280, 900, "desktop")])
def test_the_page_renders_offline_and_fits_the_screen(pages, width, height, name):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for student, path in pages.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(180_000)   # a busy machine typesets slowly; no speed test
            requests: list[str] = []
            errors: list[str] = []
            page.on("request", lambda r, requests=requests: requests.append(r.url))
            page.on("console", lambda m, errors=errors: errors.append(m.text)
                    if m.type == "error" else None)
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(path.as_uri())
            page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise"
                                   " && document.querySelector('mjx-container')")
            page.evaluate("MathJax.startup.promise")
            seen = page.evaluate(INSPECT)
            page.screenshot(path=str(ARTIFACTS / f"feedback-{student}-{name}.png"),
                            full_page=True)
            page.close()
            where = f"{student} at {width} px"
            assert [u for u in requests if u != path.as_uri()] == [], where
            assert errors == [], where
            assert seen["overflow"] <= 0, f"{where}: {seen['overflow']} px too wide"
            assert seen["mjx"] >= 10 and seen["mjxErrors"] == 0, where
            assert seen["rawTex"] == [], f"{where}: untypeset maths {seen['rawTex'][:3]}"
            assert seen["outputs"] > 0 and seen["cutOutputs"] == 0, where
            assert (seen["tableCollapse"], seen["tableBorder"]) == ("collapse", "solid"), where
            if student == "dw_without_1_over_m":
                assert "Likely cause: the 1/m is missing" in seen["text"], where
        browser.close()
