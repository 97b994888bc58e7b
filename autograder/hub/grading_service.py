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

import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import ioloop, web

from autograder.hub.grading_page import status_page
from autograder.hub.grading_queue import GradingQueue, Job
from autograder.hub.settings import NAME, course
from dnn_ref import i18n
from dnn_ref.i18n import N_


def describe(queue: GradingQueue, job: Job) -> dict[str, Any]:
    """What a student may know about one of their submissions."""
    row: dict[str, Any] = {"assignment": job.assignment, "submitted": job.timestamp,
                           "state": job.state}
    if job.state == "queued":
        row["position"] = queue.position(job)
    if job.state == "graded":
        row.update(score=job.score, max_score=job.max_score, late=job.late)
    if job.state == "failed":
        row["error"] = N_("could not be graded; your instructor has been told")
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
        with i18n.language(self.settings["language"]):
            self.write(status_page(self.rows(), self.settings["prefix"]))


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


def make_app(queue: GradingQueue, prefix: str, language: str | None = None) -> web.Application:
    """The service's routes; its pages are in ``language`` (default: ``$COURSE_LANGUAGE``)."""
    return web.Application([
        (prefix, StatusPage),
        (url_path_join(prefix, "api/status"), Status),
        (url_path_join(prefix, r"feedback/([^/]+)"), Feedback),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
    ], cookie_secret=os.urandom(32), queue=queue, prefix=prefix,
        language=i18n.normalize(language or os.environ.get(i18n.COURSE_LANGUAGE_ENV)) or "en")


def main() -> None:
    queue = GradingQueue(course())
    threading.Thread(target=queue.run, name="grader", daemon=True).start()
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/grading/")
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    make_app(queue, prefix).listen(url.port, url.hostname)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
