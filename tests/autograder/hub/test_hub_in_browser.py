"""The course hub as a student and an instructor use it, in chromium.

``hubtest-ana`` logs in at /hub/login, fetches backprop in nbgrader's Assignments tab,
writes a wrong one_layer_backward (dW without 1/m), submits, and reads the diagnosis in
the feedback of the grading queue; she resubmits the right one and sees 20/20, and the
Assignments tab fetches her feedback. ``hubtest-marta`` sees both gradings in the course's
formgrader (the latest, 20/20) and on the grading queue's page (13 and 20), and
``make grades`` lists the 20/20. The book's JupyterHub launch button opens a chapter on
the hub as a notebook. Screenshots go to
test-artifacts/screenshots/hub_*.png.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import yaml
from book_site import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS
from course_hub import COURSE_ID, INSTRUCTOR, ROOT, STUDENTS, Hub
from grading_mistakes import MISTAKES
from playwright.sync_api import Page, sync_playwright
from submissions import cell_source
from submissions.roster import VECTORISED

ANA = STUDENTS[0]
WRONG = MISTAKES["dW without 1/m"]
ANSWERS = ("one_layer_backward", "backprop", "update_parameters")
COURSE = COURSE_ID


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def log_in(browser, hub: Hub, user: str, landing: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub.passwords[user])
    page.click("#login_submit")
    page.wait_for_url(landing, timeout=120_000)
    return page


def assignments_tab(page: Page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
    page.locator("#released_assignments_list").wait_for(timeout=60_000)


def write_answers(page: Page, hub: Hub, answers: dict[str, str]) -> None:
    page.goto(f"{hub.url}/user/{ANA}/lab/tree/{COURSE}/backprop/backprop.ipynb")
    for name in ANSWERS:
        cell = page.locator(".jp-Notebook .jp-CodeCell", has_text=f"def {name}(").first
        cell.scroll_into_view_if_needed(timeout=60_000)
        cell.locator(".cm-content").click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(cell_source(answers[name]))
        page.keyboard.press("Escape")
    page.keyboard.press("Control+S")
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')",
                           timeout=30_000)


def submit(page: Page) -> float:
    assignments_tab(page)
    row = page.locator("#fetched_assignments_list .list_item", has_text="backprop").first
    before = page.locator("#submitted_assignments_list .list_item").count()
    row.locator("button", has_text="Submit").click()
    start = time.monotonic()
    page.wait_for_function(
        "n => document.querySelectorAll('#submitted_assignments_list .list_item').length > n",
        arg=before, timeout=60_000)
    return start


def graded_line(page: Page, hub: Hub, start: float, submissions: int) -> str:
    """Wait on the grading queue's page until the newest submission is graded."""
    page.goto(f"{hub.url}/services/grading/")
    while time.monotonic() - start < 120:
        rows = page.locator("tr").all_inner_texts()[1:]
        if len(rows) >= submissions and "graded:" in rows[0]:
            return rows[0]
        page.wait_for_timeout(500)
        page.reload()
    pytest.fail(f"not graded within 120 s: {page.inner_text('body')}")


def test_student_submits_reads_the_diagnosis_and_resubmits(browser, hub: Hub) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = log_in(browser, hub, ANA, "**/lab**")
    assignments_tab(page)
    page.locator("#released_assignments_list .list_item", has_text="backprop") \
        .locator("button", has_text="Fetch").click()
    page.locator("#fetched_assignments_list .list_item", has_text="backprop").first \
        .wait_for(timeout=60_000)

    write_answers(page, hub, {**VECTORISED, WRONG.function: WRONG.source})
    start = submit(page)
    line = graded_line(page, hub, start, 1)
    assert "13 / 20" in line, line
    page.screenshot(path=str(SCREENSHOTS / "hub_grading_queue.png"))
    with page.expect_navigation(url="**/feedback/backprop", wait_until="load"):
        page.locator("a", has_text="feedback").first.click()
    body = page.inner_text("body")
    for phrase in WRONG.phrases:
        assert phrase in body, f"{phrase!r} not in the feedback"
    page.screenshot(path=str(SCREENSHOTS / "hub_feedback_wrong.png"))

    page.goto(f"{hub.url}/user/{ANA}/lab")
    write_answers(page, hub, VECTORISED)
    start = submit(page)
    seconds = time.monotonic() - start
    line = graded_line(page, hub, start, 2)
    assert "20 / 20" in line, line
    assert seconds < 60

    page.goto(f"{hub.url}/user/{ANA}/lab")
    assignments_tab(page)
    submitted = page.locator("#submitted_assignments_list .list_item", has_text="backprop")
    submitted.locator("button", has_text="Fetch Feedback").first.click()
    page.locator("#submitted_assignments_list a", has_text="view feedback").first \
        .wait_for(timeout=60_000)
    page.screenshot(path=str(SCREENSHOTS / "hub_student_assignments.png"))


def test_instructor_sees_both_gradings(browser, hub: Hub) -> None:
    page = log_in(browser, hub, INSTRUCTOR, "**/lab**")
    page.goto(f"{hub.url}/services/{COURSE}/formgrader/manage_students")
    page.locator("td", has_text=ANA).first.wait_for(timeout=120_000)
    page.goto(f"{hub.url}/services/{COURSE}/formgrader/manage_submissions/backprop")
    row = page.locator("tr", has_text=ANA).first
    row.wait_for(timeout=60_000)
    assert "20" in row.inner_text(), row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "hub_formgrader.png"))
    page.goto(f"{hub.url}/services/grading/")
    rows = [r for r in page.locator("tr").all_inner_texts() if ANA in r]
    assert len(rows) == 2 and any("20 / 20" in r for r in rows) \
        and any("13 / 20" in r for r in rows), rows
    page.screenshot(path=str(SCREENSHOTS / "hub_grading_queue_instructor.png"))
    student = log_in(browser, hub, STUDENTS[1], "**/lab**")
    response = student.goto(f"{hub.url}/services/{COURSE}/formgrader")
    assert response is not None and response.status == 403

    grades = hub.make("grades")
    assert grades.returncode == 0, grades.stderr[-2000:]
    with open(hub.course / "grades.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("student_id") == ANA]
    assert rows and float(rows[0]["score"]) == 20.0, rows


def test_book_launch_button_opens_a_chapter_as_a_notebook(browser, hub: Hub) -> None:
    """The book's JupyterHub button (_config.yml launch_buttons) on the hub: a notebook."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    repo = config["repository"]["url"]
    query = urlencode({"repo": repo, "urlpath": f"lab/tree/{repo.rsplit('/', 1)[1]}/book/"
                       "06_backpropagation.md", "branch": config["repository"]["branch"]},
                      safe="/")
    page = log_in(browser, hub, STUDENTS[1], "**/lab**")
    page.goto(f"{hub.url}/hub/user-redirect/git-pull?{query}")
    page.wait_for_url("**/06_backpropagation.md", timeout=60_000)
    page.locator(".jp-NotebookPanel .jp-Cell").nth(5).wait_for(timeout=60_000)
    assert page.locator(".jp-NotebookPanel .jp-CodeCell").count() > 0
