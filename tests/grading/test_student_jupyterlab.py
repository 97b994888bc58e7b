"""A student works on the backprop assignment in the real JupyterLab, in chromium.

The test starts ``jupyter lab`` on 127.0.0.1 with the student set-up of the
README (``JUPYTER_CONFIG_DIR=student/jupyter_config``: nbgrader's instructor
extensions disabled, Validate kept) on a temporary copy of the released
``exercises/backprop``, and drives it as a student would: open the notebook,
run its set-up cell, paste a wrong ``one_layer_backward`` and run its check
cell (the diagnosis must be in the output), press nbgrader's Validate button
(the diagnosis must be in its dialog), then paste a correct one and run the
check again (the ✓ line). Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from book_site import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STUDENT_CONFIG = ROOT / "student" / "jupyter_config"
TOKEN = "student-flow-test"
#: nbgrader's Validate button in the notebook toolbar.
VALIDATE = "jp-button[title='Validate Assignment']:visible"

WRONG = '''def one_layer_backward(dA, cache):
    (A_prev, W, b), Z = cache
    s = sigmoid(Z)
    dZ = dA * s * (1 - s)
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db
'''
#: The same with the 1/m of dW.
RIGHT = WRONG.replace("dW = dZ @ A_prev.T\n", "dW = dZ @ A_prev.T / m\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``jupyter lab`` in the student set-up on a copy of the released assignment; its URL."""
    work = tmp_path_factory.mktemp("student")
    shutil.copytree(ROOT / "exercises" / "backprop", work / "backprop")
    # a copy: JupyterLab writes its settings into the config folder
    config = work / "jupyter_config"
    shutil.copytree(STUDENT_CONFIG, config, ignore=shutil.ignore_patterns("lab", "migrated"))
    port = _free_port()
    log_path = work / "lab.log"
    env = {**os.environ, "HOME": str(work), "JUPYTER_CONFIG_DIR": str(config),
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("JUPYTER_DATA_DIR", None)
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(BIN / "jupyter"), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
             f"--port={port}", f"--IdentityProvider.token={TOKEN}",
             f"--ServerApp.root_dir={work}"],
            stdout=log, stderr=subprocess.STDOUT, cwd=work, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                if server.poll() is not None:
                    pytest.fail(f"jupyter lab exited:\n{log_path.read_text()[-3000:]}")
                try:
                    if _status(f"{base}/api/status") == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.5)
            else:
                pytest.fail(f"jupyter lab did not answer in 120 s:\n{log_path.read_text()[-3000:]}")
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


@pytest.fixture(scope="module")
def page(lab: str) -> Iterator[object]:
    """The released notebook open in JupyterLab in chromium, kernel started."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; run `make chromium` (apt-get install chromium)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(120_000)    # a busy machine (make test on 2 cores) is slow
        page.outside = []
        page.on("request", lambda r: not r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
                and page.outside.append(r.url))
        page.goto(f"{lab}/lab/tree/backprop/backprop.ipynb?token={TOKEN}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                               timeout=120_000)
        yield page
        browser.close()


def _cell(page, grade_id: str):
    """The notebook cell whose source starts like the released cell ``grade_id``."""
    starts = {"setup": "import numpy as np", "one_layer_backward": "def one_layer_backward",
              "test_one_layer_backward": "check_one_layer_backward("}[grade_id]
    cells = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-CodeCell")
    for i in range(cells.count()):
        text = cells.nth(i).locator(".jp-InputArea-editor").text_content() or ""
        if text.lstrip().startswith(starts):
            cells.nth(i).scroll_into_view_if_needed()
            return cells.nth(i)
    raise AssertionError(f"no cell starting with {starts!r} in the notebook")


def _run(page, cell) -> str:
    """Run one cell (Ctrl+Enter) and return the text of its output when it has finished."""
    cell.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Control+Enter")
    prompt = cell.locator(".jp-InputArea-prompt")
    page.wait_for_function(
        "e => /\\[\\d+\\]/.test(e.innerText)", arg=prompt.element_handle(), timeout=120_000)
    return cell.locator(".jp-Cell-outputWrapper").inner_text()


def _replace_source(page, cell, code: str) -> None:
    """Select the cell's code and paste ``code`` over it."""
    cell.locator(".jp-InputArea-editor .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)
    page.keyboard.press("Escape")


@pytest.mark.slow
def test_students_get_validate_but_no_instructor_tools(lab, page):
    assert page.locator(VALIDATE).first.is_visible(), (
        "the notebook toolbar has no Validate button")
    tabs = page.locator(".lm-TabBar-tab").evaluate_all("ts => ts.map(t => t.title || t.innerText)")
    assert not any("Create Assignment" in t for t in tabs), f"instructor panel shown: {tabs}"
    assert _status(f"{lab}/formgrader") == 404, "the formgrader is served to students"
    page.locator(".lm-MenuBar-itemLabel:text-is('Nbgrader')").click()
    items = page.locator(".lm-Menu-itemLabel").all_inner_texts()
    page.keyboard.press("Escape")
    assert not any("Formgrader" in i or "Course" in i for i in items), (
        f"the Nbgrader menu offers instructor tools: {items}")
    page.screenshot(path=str(SCREENSHOTS / "jupyterlab_student.png"))


@pytest.mark.slow
def test_a_wrong_function_gets_its_diagnosis_in_the_cell_and_in_validate(page):
    _run(page, _cell(page, "setup"))
    function = _cell(page, "one_layer_backward")
    _replace_source(page, function, WRONG)
    _run(page, function)
    output = _run(page, _cell(page, "test_one_layer_backward"))
    page.screenshot(path=str(SCREENSHOTS / "jupyterlab_check_wrong.png"))
    assert "1/m is missing" in output and "dW" in output, (
        f"the check cell does not name the mistake; it shows:\n{output[:1500]}")

    page.keyboard.press("Control+S")
    page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=30_000)
    page.locator(VALIDATE).first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=180_000)
    page.wait_for_function(
        "() => !/Validating/.test(document.querySelector('.jp-Dialog').innerText)",
        timeout=180_000)
    text = dialog.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "jupyterlab_validate.png"))
    assert "1/m is missing" in text, f"Validate's dialog lacks the diagnosis:\n{text[:2000]}"
    # ...where the student sees it without scrolling the dialog
    body = dialog.locator(".jp-Dialog-body").bounding_box()
    line = dialog.get_by_text("1/m is missing").first.bounding_box()
    assert body["y"] <= line["y"] and line["y"] + line["height"] <= body["y"] + body["height"], (
        f"the diagnosis is below the fold of Validate's dialog (line at {line}, body {body})")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached", timeout=30_000)


@pytest.mark.slow
def test_a_right_function_passes_its_check(page):
    _run(page, _cell(page, "setup"))
    function = _cell(page, "one_layer_backward")
    _replace_source(page, function, RIGHT)
    _run(page, function)
    output = _run(page, _cell(page, "test_one_layer_backward"))
    page.screenshot(path=str(SCREENSHOTS / "jupyterlab_check_right.png"))
    assert "✓ one_layer_backward" in output, f"no ✓ line; the check cell shows:\n{output[:1500]}"
    assert "wrong" not in output.lower()


@pytest.mark.slow
def test_run_all_goes_on_after_a_failing_check(page):
    """The visible checks are tagged raises-exception: Run All does not stop at the first
    one that fails (backprop and update_parameters are still stubs here), so the cells
    after it run too, the closing training demo included, and each failing check shows
    its error."""
    page.locator(".lm-MenuBar-itemLabel:text-is('Run')").click()
    page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()
    cells = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-CodeCell")
    last = cells.nth(cells.count() - 1)
    assert "load_breast_cancer" in (last.locator(".jp-InputArea-editor").text_content() or "")
    page.wait_for_function("e => /\\[\\d+\\]/.test(e.innerText)", timeout=180_000,
                           arg=last.locator(".jp-InputArea-prompt").element_handle())
    last.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "jupyterlab_run_all.png"))
    checks = {}
    for i in range(cells.count()):
        source = (cells.nth(i).locator(".jp-InputArea-editor").text_content() or "").strip()
        if source.startswith(("check_backprop(", "check_update_parameters(")):
            checks[source] = cells.nth(i).locator(".jp-Cell-outputWrapper").inner_text()
    assert len(checks) == 2, f"the two later check cells are missing: {sorted(checks)}"
    for source, output in checks.items():
        assert "NotImplementedError" in output, f"{source} shows no error:\n{output[:800]}"
    assert "NotImplementedError" in last.locator(".jp-Cell-outputWrapper").inner_text()


@pytest.mark.slow
def test_jupyterlab_requests_nothing_from_outside(page):
    assert not page.outside, f"JupyterLab requested hosts other than 127.0.0.1: {page.outside}"
