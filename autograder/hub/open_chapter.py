"""The book's JupyterHub launch button, answered by the course hub: a chapter opens as a notebook.

Jupyter Book's launch button leads to ``<hub>/hub/user-redirect/git-pull?repo=...&
urlpath=lab/tree/<repo>/book/<chapter>.md&branch=...`` (nbgitpuller's address). On the
course hub a server extension of every user's server answers ``/git-pull`` without git or
the network: it copies the chapter from the course's ``book/`` folder into the user's home
(``~/<repo>/book/<chapter>.md``; an existing copy is kept, with the student's edits) and
redirects to it in JupyterLab, where jupytext opens MyST markdown as a notebook (the hub
makes that the default viewer). Only ``.md`` and ``.ipynb`` files directly in ``book/`` are
served; any other path is refused.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

URLPATH = re.compile(r"(?:lab/tree|tree)/(?P<folder>[A-Za-z0-9_.-]+)/"
                     r"(?P<page>book/[A-Za-z0-9_-]+\.(?:md|ipynb))")


def chapter_source(course: Path, page: str) -> Path | None:
    """The course's file for ``book/<name>.md``, if it is one of the book's pages."""
    book = (course / "book").resolve()
    source = (course / page).resolve()
    return source if source.parent == book and source.is_file() else None


class OpenChapter(JupyterHandler):
    """``GET /git-pull?urlpath=lab/tree/<repo>/book/<chapter>.md``."""

    @web.authenticated
    def get(self) -> None:
        match = URLPATH.fullmatch(self.get_argument("urlpath", ""))
        course = os.environ.get("DNN_COURSE_ROOT", "")
        source = chapter_source(Path(course), match["page"]) if match and course else None
        if source is None:
            raise web.HTTPError(404, "not a page of the course's book")
        folder = match["folder"].strip(".") or "course"
        target = Path(self.settings["server_root_dir"]).expanduser() / folder / match["page"]
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        self.redirect(url_path_join(self.base_url, "lab", "tree", folder, match["page"]))


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    return [{"module": "autograder.hub.open_chapter"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    web_app = serverapp.web_app
    route = url_path_join(web_app.settings["base_url"], "git-pull")
    web_app.add_handlers(".*$", [(route, OpenChapter)])
