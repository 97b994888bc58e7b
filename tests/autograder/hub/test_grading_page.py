"""The grading queue's page in the course's language, every student value escaped (issue 18).

:func:`autograder.hub.grading_page.status_page` as a student and as an instructor see
it, with a submission in every state: in Portuguese no English word of the page's own
is left (the nbgrader buttons it names keep their English labels, as JupyterLab shows
them), and what a student controls (the assignment's and the student's names, the
time) reaches the page escaped.
"""

from __future__ import annotations

import html
import re

import pytest

from autograder.hub.grading_page import status_page
from dnn_ref import i18n

PREFIX = "/services/grading/"
ROWS = [
    {"assignment": "backprop", "submitted": "2026-12-06 10:00", "state": "failed",
     "error": "could not be graded; your instructor has been told"},
    {"assignment": "backprop", "submitted": "2026-12-06 10:01", "state": "superseded"},
    {"assignment": "backprop", "submitted": "2026-12-06 10:02", "state": "graded",
     "score": 13.0, "max_score": 20.0, "late": True},
    {"assignment": "backprop", "submitted": "2026-12-06 10:03", "state": "grading"},
    {"assignment": "backprop", "submitted": "2026-12-06 10:04", "state": "queued",
     "position": 2},
]
STAFF_ROWS = [{"student": "ana", **row} for row in ROWS]
#: What the page names as JupyterLab shows it: nbgrader's tab and button are English there.
NAMED = {"JupyterLab", "Assignments", "Fetch", "Feedback", "feedback"}
WORD = re.compile(r"[A-Za-z][A-Za-z]+")


def text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<style.*?</style>", "", page)))


def pages(rows: list[dict]) -> dict[str, str]:
    found = {}
    for lang in ("en", "pt_BR"):
        with i18n.language(lang):
            found[lang] = status_page(rows, PREFIX)
    return found


@pytest.mark.parametrize("rows", [ROWS, STAFF_ROWS, []], ids=["student", "instructor", "empty"])
def test_the_portuguese_page_has_no_english_word_of_its_own(rows) -> None:
    found = pages(rows)
    values = set(WORD.findall(" ".join(str(v) for r in rows for v in r.values())))
    english = set(WORD.findall(text(found["en"]))) - values - NAMED
    assert len(english) >= 3, f"the English page shows too few words to compare: {english}"
    left = english & set(WORD.findall(text(found["pt_BR"])))
    assert not left, f"English on the Portuguese page: {sorted(left)}"
    assert '<html lang="pt-BR">' in found["pt_BR"] and '<html lang="en">' in found["en"]


def test_the_portuguese_page_says_what_the_english_one_says() -> None:
    found = pages(ROWS)
    pt, en = text(found["pt_BR"]), text(found["en"])
    for english, portuguese in [("graded: 13 / 20 (late)", "avaliada: 13 / 20 (com atraso)"),
                                ("waiting: number 2 in the queue", "aguardando: número 2 na fila"),
                                ("being graded now", "sendo avaliada agora"),
                                ("could not be graded", "não pôde ser avaliada")]:
        assert english in en and portuguese in pt, (english, portuguese)
    assert f'href="{PREFIX}feedback/backprop"' in found["pt_BR"]
    assert 'http-equiv="refresh"' in found["pt_BR"]          # something is still waiting


def test_what_a_student_controls_reaches_the_page_escaped() -> None:
    hostile = '<img src=x onerror="alert(1)">'
    rows = [{"student": hostile, "assignment": hostile, "submitted": hostile,
             "state": "graded", "score": 1.0, "max_score": 2.0, "late": False}]
    for page in pages(rows).values():
        assert "<img" not in page and html.escape(hostile) in page
    student_view = pages([{k: v for k, v in rows[0].items() if k != "student"}])
    for page in student_view.values():
        assert "<img" not in page and "onerror=&quot;" in page
