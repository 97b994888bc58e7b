"""The hub service ``/services/grading/``: the grading queue, and each student's place and feedback.

Run by JupyterHub (as root: the grading sandbox runs each submission under a uid
of its own) with ``python -m autograder.hub.grading_service``. A thread hands the
exchange's submissions, in order, to grading processes
(:class:`~autograder.hub.grading_queue.GradingQueue`); the pages, behind the hub's
log-in (HubOAuth), show a student only their own submissions:

* ``/services/grading/`` their submissions (an instructor sees everyone's):
  "number 3 in the queue", "being graded", or the score with a link to the feedback
  page (refreshes itself while something is waiting);
* ``/services/grading/feedback/<assignment>``: the feedback page ``make feedback``
  writes, served with a Content-Security-Policy sandbox (no access to the hub's
  cookies or API);
* ``/services/grading/api/status``: the same as JSON.
"""

from __future__ import annotations

import html
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import ioloop, web

from autograder.hub.grading_queue import GradingQueue, Job
from autograder.hub.settings import NAME, course

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Grading</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{refresh}
<style>body{{font-family:sans-serif;max-width:44em;margin:2em auto;padding:0 1em}}
td,th{{padding:.3em .8em;text-align:left;border-bottom:1px solid #ddd}}</style></head>
<body><h1>Submissions</h1>{body}
<p>Feedback also appears in JupyterLab's Assignments tab (Fetch Feedback).</p></body></html>"""


def describe(queue: GradingQueue, job: Job) -> dict[str, Any]:
    """What a student may know about one of their submissions."""
    row: dict[str, Any] = {"assignment": job.assignment, "submitted": job.timestamp,
                           "state": job.state}
    if job.state == "queued":
        row["position"] = queue.position(job)
    if job.state == "graded":
        row.update(score=job.score, max_score=job.max_score, late=job.late)
    if job.state == "failed":
        row["error"] = "could not be graded; your instructor has been told"
    return row


def feedback_file(root: Path, student: str, assignment: str) -> Path | None:
    """The student's feedback page of ``assignment`` (the newest .html there), if any."""
    folder = root / "feedback" / student / assignment
    pages = sorted(folder.glob("*.html"), key=lambda p: p.stat().st_mtime) if \
        folder.is_dir() else []
    return pages[-1] if pages else None


class Base(HubOAuthenticated, web.RequestHandler):
    @property
    def queue(self) -> GradingQueue:
        return self.settings["queue"]

    def student(self) -> str:
        name = (self.get_current_user() or {}).get("name", "")
        if not NAME.fullmatch(name):
            raise web.HTTPError(403)
        return name

    def staff(self) -> bool:
        """Instructors (group formgrade-<course>) see every submission, with its student."""
        groups = (self.get_current_user() or {}).get("groups", [])
        return self.queue.course.staff_group in groups

    def rows(self) -> list[dict[str, Any]]:
        self.queue.scan()
        if self.staff():
            with self.queue.lock:
                jobs = list(self.queue.jobs)
            return [{"student": j.student, **describe(self.queue, j)} for j in jobs]
        return [describe(self.queue, j) for j in self.queue.of(self.student())]


class StatusPage(Base):
    @web.authenticated
    def get(self) -> None:
        rows = self.rows()
        prefix = self.settings["prefix"]
        lines = []
        for r in reversed(rows):
            if r["state"] == "graded" and "student" in r:      # staff: no feedback link
                what = f"graded: {r['score']:g} / {r['max_score']:g}"
            elif r["state"] == "queued":
                what = f"waiting: number {r['position']} in the queue"
            elif r["state"] == "grading":
                what = "being graded now"
            elif r["state"] == "graded":
                link = url_path_join(prefix, "feedback", r["assignment"])
                late = " (late)" if r["late"] else ""
                what = (f"graded: {r['score']:g} / {r['max_score']:g}{late} · "
                        f'<a href="{html.escape(link)}">feedback</a>')
            elif r["state"] == "superseded":
                what = "replaced by a newer submission"
            else:
                what = r["error"]
            who = f"<td>{html.escape(r['student'])}</td>" if "student" in r else ""
            lines.append(f"<tr>{who}<td>{html.escape(r['assignment'])}</td>"
                         f"<td>{html.escape(r['submitted'])}</td><td>{what}</td></tr>")
        busy = any(r["state"] in ("queued", "grading") for r in rows)
        head = "<th>student</th>" if rows and "student" in rows[0] else ""
        body = (f"<table><tr>{head}<th>assignment</th><th>submitted</th><th>status</th></tr>"
                + "".join(lines) + "</table>") if lines else "<p>No submission yet.</p>"
        self.write(PAGE.format(body=body, refresh='<meta http-equiv="refresh" content="2">'
                               if busy else ""))


class Status(Base):
    @web.authenticated
    def get(self) -> None:
        self.write({"now": datetime.now().isoformat(), "submissions": self.rows()})


class Feedback(Base):
    @web.authenticated
    def get(self, assignment: str) -> None:
        if not NAME.fullmatch(assignment):
            raise web.HTTPError(404)
        page = feedback_file(self.queue.course.root, self.student(), assignment)
        if page is None:
            raise web.HTTPError(404, "no feedback yet")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", "sandbox allow-scripts")
        self.write(page.read_bytes())


def make_app(queue: GradingQueue, prefix: str) -> web.Application:
    return web.Application([
        (prefix, StatusPage),
        (url_path_join(prefix, "api/status"), Status),
        (url_path_join(prefix, r"feedback/([^/]+)"), Feedback),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
    ], cookie_secret=os.urandom(32), queue=queue, prefix=prefix)


def main() -> None:
    queue = GradingQueue(course())
    threading.Thread(target=queue.run, name="grader", daemon=True).start()
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/grading/")
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    make_app(queue, prefix).listen(url.port, url.hostname)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
