"""The feedback page and the formgrader's submission page run none of a student's script.

A student's notebook carries every route that once reached a page as script or link:
raw HTML with handlers and ``<script>``, a markdown ``javascript:`` link, MathJax
``\\href`` (directly and through a macro), and ``text/html``, ``text/markdown``,
``text/latex``, JavaScript and image outputs (an image's width carrying an attribute) its
code displays while graded. It is graded
with the real ``nbgrader autograde`` (sandbox on) and ``generate_feedback``; then
both pages are opened in chromium, the feedback page as a file and the submission
page from the real formgrader (a Jupyter server with nbgrader's extension, in the
course folder). Neither may set ``window.pwned``, open a dialog, or hold an element
with a ``javascript:`` URL in any attribute (SVG links of typeset maths included).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from book_site import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS
from nbgrader.api import Gradebook
from nbgrader_course import COURSE_ID, nbgrader, new_course, released
from submissions import Submission, submission_text

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
PWN = "window.pwned = (window.pwned || 0) + 1"
MARKDOWN = f"""**My notes.** A [link](javascript:{PWN}) and <a href="javascript:{PWN}">another</a>.
<img src="x" onerror="{PWN}"> <script>{PWN}</script>

$\\href{{javascript:{PWN}}}{{x}}$ and $\\def\\h{{\\href}}\\h{{javascript:{PWN}}}{{y}}$
"""
CODE = f"""from IPython.display import HTML, Javascript, Latex, Markdown, display
display(HTML('<b onmouseover="{PWN}">bold</b><img src=x onerror="{PWN}"><script>{PWN}</script>'))
display(Markdown('[markdown output](javascript:{PWN})'))
display(Latex(r'$\\href{{javascript:{PWN}}}{{latex output}}$'))
display(Javascript('{PWN}'))
display({{"image/png": "iVBORw0KGgo="}}, raw=True,
        metadata={{"image/png": {{"width": "1 onerror={PWN.replace(" ", "")}"}}}})
"""
#: Every attribute of every element, SVG included, that holds a javascript: URL.
JS_ATTRIBUTES = """() => [...document.querySelectorAll('*')].flatMap(el =>
  [...el.attributes].filter(a => /^\\s*javascript:/i.test(a.value))
                    .map(a => el.tagName + ' ' + a.name + '=' + a.value))"""


def hostile(nb: nbformat.NotebookNode) -> None:
    nb.cells[1:1] = [nbformat.v4.new_markdown_cell(MARKDOWN), nbformat.v4.new_code_cell(CODE)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    course = new_course(tmp_path_factory.mktemp("pages"), ["backprop"])
    folder = course / "submitted" / "mallory" / "backprop"
    folder.mkdir(parents=True)
    text = submission_text(released(course, "backprop"), Submission("mallory", edit=hostile))
    (folder / "backprop.ipynb").write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "autograder", "secret", str(course)], check=True,
                   capture_output=True)
    nbgrader(course, "autograde", "backprop", "--force")
    nbgrader(course, "generate_feedback", "backprop", "--force")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        notebook_id = gb.find_submission_notebook("backprop", "backprop", "mallory").id
    return {"course": course, "notebook_id": notebook_id}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def formgrader(graded) -> str:
    """The formgrader of the graded course on 127.0.0.1; yields a URL prefix with the token."""
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    server = subprocess.Popen(
        [str(BIN / "jupyter"), "server", f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.root_dir={graded['course']}", f"--IdentityProvider.token={token}",
         "--ServerApp.open_browser=False", "--allow-root"],
        cwd=graded["course"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail(f"the formgrader's server did not start: {server.stderr.read()[-2000:]}")
    yield f"{base}/formgrader/submissions/{graded['notebook_id']}/?token={token}"
    server.terminate()
    server.wait(timeout=30)


def inspect(url: str, shot: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        response = page.goto(url, wait_until="load")
        page.wait_for_timeout(3000)      # MathJax and any deferred script have run
        page.mouse.move(200, 300)
        found = {"status": response.status if response else None, "dialogs": dialogs,
                 "pwned": page.evaluate("() => window.pwned || 0"),
                 "js_attributes": page.evaluate(JS_ATTRIBUTES),
                 "text": page.inner_text("body")}
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
        browser.close()
    return found


def assert_inert(found: dict) -> None:
    assert found["status"] == 200, found["status"]
    assert "My notes." in found["text"]                  # the student's cell is shown...
    assert found["pwned"] == 0 and not found["dialogs"]  # ...and none of its script ran
    assert found["js_attributes"] == [], found["js_attributes"]


def test_the_feedback_page_runs_no_student_script(graded) -> None:
    page = graded["course"] / "feedback" / "mallory" / "backprop" / "backprop.html"
    assert_inert(inspect(page.as_uri(), "feedback-hostile-student.png"))


def test_the_formgrader_shows_the_submission_and_runs_none_of_it(formgrader) -> None:
    found = inspect(formgrader, "formgrader-hostile-student.png")
    assert_inert(found)
    assert "backprop" in found["text"]
