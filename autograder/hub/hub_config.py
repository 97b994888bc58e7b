"""The JupyterHub configuration of the course hub (``make hub``), as nbgrader documents for courses.

:func:`configure` fills JupyterHub's config object (``hub/jupyterhub_config.py``
calls it). What it sets up:

* the proxy from ``hub/node_modules`` on ``$HUB_IP:$HUB_PORT`` (127.0.0.1:8000 by
  default); the hub's API, the proxy's API and the services on free loopback ports
  (JupyterHub sets ``JUPYTERHUB_API_URL`` for every server and service, which
  nbgrader's ``JupyterHubAuthPlugin`` reads);
* PAM log-in (JupyterHub's default authenticator) for the accounts of
  ``hub/users.json`` only; the groups ``nbgrader-<course>`` (students) and
  ``formgrade-<course>`` (instructors and the grader account), with the roles of
  nbgrader's multi-course demo;
* the course's formgrader as a hub-managed service (``/services/<course>/``) run by
  ``grader-<course>``, whose token may only read users and groups;
* the grading queue (:mod:`autograder.hub.grading_service`, ``/services/grading/``),
  run by root: it grades every submission in the sandbox and releases the feedback;
* every user's server: :class:`~autograder.hub.spawner.CourseSpawner` (a cgroup per
  user), no terminals, ipc kernel sockets, only root's configuration
  (:mod:`autograder.hub.config_guard`), nbgrader's instructor extensions off, and the
  ``python3`` kernelspec of :mod:`autograder.hub.setup` (a sandboxed kernel).
"""

from __future__ import annotations

import os
import pwd
import socket
import sys
from pathlib import Path
from typing import Any

from autograder.hub.settings import Course, course
from autograder.hub.spawner import CourseSpawner
from dnn_ref import i18n

GRADING_SERVICE = "grading"


def free_port() -> int:
    """A TCP port nobody listens on now, on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def user_dirs(spawner: Any) -> dict[str, str]:
    """Per-user folders inside the user's home: kernels' sockets, JupyterLab's settings."""
    home = pwd.getpwnam(spawner.user.name).pw_dir
    return {"JUPYTER_RUNTIME_DIR": f"{home}/.local/share/jupyter/runtime",
            "JUPYTERLAB_SETTINGS_DIR": f"{home}/.jupyter/lab/user-settings",
            "JUPYTERLAB_WORKSPACES_DIR": f"{home}/.jupyter/lab/workspaces"}


def course_language() -> dict[str, str]:
    """``COURSE_LANGUAGE`` as the hub was started with it (``COURSE_LANGUAGE=pt_BR make hub``),
    for the servers and the grading queue; nothing when unset or not a known language."""
    lang = i18n.normalize(os.environ.get(i18n.COURSE_LANGUAGE_ENV))
    return {i18n.COURSE_LANGUAGE_ENV: lang} if lang else {}


def server_environment(c_: Course) -> dict[str, Any]:
    """The environment of every user's server (values may be callables of the spawner)."""
    env: dict[str, Any] = {
        "DNN_HUB_STUDENT_SERVER": "1",
        "JUPYTER_CONFIG_DIR": str(c_.hub / "jupyter" / "config"),
        "JUPYTER_DATA_DIR": str(c_.hub / "jupyter" / "data"),
        "PYTHONNOUSERSITE": "1",
        "PATH": f"{c_.venv}/bin:/usr/local/bin:/usr/bin:/bin",
        "DNN_COURSE_ROOT": str(c_.root),          # the book's chapters (open_chapter)
        **course_language(),
    }
    for key in ("JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        env[key] = (lambda k: lambda spawner: user_dirs(spawner)[k])(key)
    return env


def roles(c_: Course) -> list[dict[str, Any]]:
    """nbgrader's multi-course roles, plus the grading queue for both groups."""
    cid = c_.course_id
    both = ["list:services", f"read:services!service={cid}",
            f"access:services!service={GRADING_SERVICE}"]
    return [
        {"name": "server", "scopes": ["inherit"]},
        {"name": c_.staff_group, "groups": [c_.staff_group],
         "scopes": [*both, f"access:services!service={cid}"]},
        {"name": c_.students_group, "groups": [c_.students_group], "scopes": both},
        {"name": f"formgrader-{cid}", "services": [cid],
         "scopes": ["read:users", "read:users:groups", "list:users", "read:groups",
                    "list:groups"]},
    ]


def services(c_: Course, formgrader_port: int, grading_port: int) -> list[dict[str, Any]]:
    """The course's formgrader (run by the grader account) and the grading queue (root)."""
    grader_home = pwd.getpwnam(c_.grader).pw_dir
    return [
        {"name": c_.course_id, "url": f"http://127.0.0.1:{formgrader_port}",
         "command": [str(c_.venv / "bin" / "jupyterhub-singleuser"),
                     "--ServerApp.terminals_enabled=False",
                     f"--ServerApp.root_dir={c_.root}"],   # formgrader: the course inside
         "user": c_.grader, "cwd": grader_home, "oauth_no_confirm": True,
         "environment": {"JUPYTERHUB_DEFAULT_URL": "/formgrader", "PYTHONNOUSERSITE": "1",
                         "DNN_COURSE_ROOT": str(c_.root),
                         "PATH": f"{c_.venv}/bin:/usr/bin:/bin"}},
        {"name": GRADING_SERVICE, "url": f"http://127.0.0.1:{grading_port}",
         "command": [sys.executable, "-m", "autograder.hub.grading_service"],
         "cwd": str(c_.root), "oauth_no_confirm": True,
         "environment": {"DNN_COURSE_ROOT": str(c_.root), **course_language(),
                         "PATH": f"{c_.venv}/bin:/usr/bin:/bin"}},
    ]


def configure(c: Any) -> None:
    """Fill JupyterHub's config ``c`` for the course of $DNN_COURSE_ROOT."""
    c_ = course()
    roster = c_.roster()
    if not roster["students"] and not roster["instructors"]:
        raise SystemExit(f"nobody may log in: {c_.users_file} lists no one. Add accounts first: "
                         'make hub-users STUDENTS="ana bruno" INSTRUCTORS=marta')
    hub = c_.hub
    c.JupyterHub.ip = os.environ.get("HUB_IP") or "127.0.0.1"
    c.JupyterHub.port = int(os.environ.get("HUB_PORT") or 8000)
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = free_port()
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{free_port()}"
    c.ConfigurableHTTPProxy.command = [str(hub / "node_modules" / ".bin" /
                                           "configurable-http-proxy")]
    c.ConfigurableHTTPProxy.pid_file = str(hub / "jupyterhub-proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{hub / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(hub / "jupyterhub_cookie_secret")
    c.JupyterHub.cleanup_servers = True

    c.Authenticator.allowed_users = set(roster["students"]) | set(roster["instructors"])
    c.JupyterHub.load_groups = {
        c_.students_group: {"users": roster["students"]},
        c_.staff_group: {"users": [*roster["instructors"], c_.grader]},
    }
    c.JupyterHub.load_roles = roles(c_)
    c.JupyterHub.services = services(c_, free_port(), free_port())

    c.JupyterHub.spawner_class = CourseSpawner
    c.Spawner.cmd = [str(c_.venv / "bin" / "jupyterhub-singleuser")]
    c.Spawner.args = ["--ServerApp.terminals_enabled=False", "--KernelManager.transport=ipc",
                      "--KernelSpecManager.ensure_native_kernel=False"]
    c.Spawner.default_url = "/lab"
    c.Spawner.environment = server_environment(c_)
    c.Spawner.start_timeout = 120
    c.Spawner.http_timeout = 60
    c.JupyterHub.shutdown_on_logout = False
    Path(hub).mkdir(exist_ok=True)
