"""The grading queue's page (``/services/grading/``) in the course's language.

:func:`status_page` writes the HTML :mod:`autograder.hub.grading_service` serves:
a student's own submissions (an instructor's view has everyone's), each with its
place in the queue or its score and a link to its feedback. Its words are
messages of :mod:`dnn_ref.i18n` (``locale/<lang>/LC_MESSAGES/dnn_ref.po``), in the
language of the block it is called in; every value a student controls is escaped.
"""

from __future__ import annotations

import html
from typing import Any

from dnn_ref import i18n
from dnn_ref.i18n import N_, _

PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{refresh}
<style>body{{font-family:sans-serif;max-width:44em;margin:2em auto;padding:0 1em}}
td,th{{padding:.3em .8em;text-align:left;border-bottom:1px solid #ddd}}</style></head>
<body><h1>{heading}</h1>{body}
<p>{where}</p></body></html>"""
#: The page's ``lang`` per course language.
HTML_LANG = {"en": "en", "pt_BR": "pt-BR"}


def status_line(row: dict[str, Any], prefix: str) -> str:
    """The status cell of one submission, as HTML (a student's own row links its feedback)."""
    if row["state"] == "graded":
        what = _("graded: {score} / {max_score}").format(score=f"{row['score']:g}",
                                                          max_score=f"{row['max_score']:g}")
        if "student" in row:                     # staff: no feedback link
            return html.escape(what)
        late = _(" (late)") if row["late"] else ""
        link = f"{prefix.rstrip('/')}/feedback/{row['assignment']}"
        feedback = _("feedback")
        return (f"{html.escape(what + late)} · "
                f'<a href="{html.escape(link)}">{html.escape(feedback)}</a>')
    if row["state"] == "queued":
        return html.escape(_("waiting: number {position} in the queue").format(
            position=row["position"]))
    if row["state"] == "grading":
        return html.escape(_("being graded now"))
    if row["state"] == "superseded":
        return html.escape(_("replaced by a newer submission"))
    return html.escape(_(row["error"]))


def status_page(rows: list[dict[str, Any]], prefix: str) -> str:
    """The grading queue's page in the current language (:mod:`dnn_ref.i18n`): one row per
    submission, newest first; it refreshes itself while one is waiting or being graded."""
    lines = []
    for r in reversed(rows):
        who = f"<td>{html.escape(r['student'])}</td>" if "student" in r else ""
        lines.append(f"<tr>{who}<td>{html.escape(r['assignment'])}</td>"
                     f"<td>{html.escape(r['submitted'])}</td>"
                     f"<td>{status_line(r, prefix)}</td></tr>")
    busy = any(r["state"] in ("queued", "grading") for r in rows)
    heads = ([N_("student")] if rows and "student" in rows[0] else []) + [
        N_("assignment"), N_("submitted"), N_("status")]
    head = "".join(f"<th>{html.escape(_(h))}</th>" for h in heads)
    nothing = _("No submission yet.")
    body = (f"<table><tr>{head}</tr>" + "".join(lines) + "</table>") if lines else \
        f"<p>{html.escape(nothing)}</p>"
    return PAGE.format(
        lang=HTML_LANG.get(i18n.current(), "en"), title=html.escape(_("Grading")),
        heading=html.escape(_("Submissions")), body=body,
        where=html.escape(_("Feedback also appears in JupyterLab's Assignments tab "
                            "(Fetch Feedback).")),
        refresh='<meta http-equiv="refresh" content="2">' if busy else "")
