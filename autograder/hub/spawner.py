"""The hub's spawner: each user's server in a cgroup of its own (one core, memory, processes).

:class:`CourseSpawner` is JupyterHub's ``LocalProcessSpawner`` (the server runs as
the user's own account) whose child, still root between fork and exec, joins a
cgroup per user (:func:`autograder.sandbox.lifetime.cgroup_dirs` of the user's
uid, set up by the grading sandbox's :func:`autograder.sandbox.kernel.join_cgroups`):
the server and every kernel it starts then share one core's CPU time, at most
:data:`MEMORY_MB` of memory and :data:`PROCESSES` processes, so one student's
``while True`` or fork bomb cannot stall the others. Where cgroup v1 controllers
are not mounted, the kernels' own rlimits (:mod:`autograder.hub.student_kernel`)
still apply.
"""

from __future__ import annotations

import pwd
from collections.abc import Callable
from typing import Any

from jupyterhub.spawner import LocalProcessSpawner

from autograder.sandbox.kernel import join_cgroups
from autograder.sandbox.lifetime import cgroup_dirs, remove_cgroups

MEMORY_MB = 4096
PROCESSES = 256


class CourseSpawner(LocalProcessSpawner):
    """A local-process spawner that caps each user's server and kernels with cgroups."""

    def _cgroups(self) -> list[str]:
        return [str(f) for f in cgroup_dirs(pwd.getpwnam(self.user.name).pw_uid)]

    def make_preexec_fn(self, name: str) -> Callable[[], None]:
        drop_privileges = super().make_preexec_fn(name)
        conf: dict[str, Any] = {"cgroups": self._cgroups(),
                                "limits": {"nproc": PROCESSES, "memory_mb": MEMORY_MB}}

        def preexec() -> None:
            join_cgroups(conf)       # as root, before the child becomes the user
            drop_privileges()

        return preexec

    def get_args(self) -> list[str]:
        """The server's arguments; the notebook trust database in the user's own home
        (their server reads its configuration, kernelspecs and templates from root's
        folders, see :mod:`autograder.hub.config_guard`)."""
        home = pwd.getpwnam(self.user.name).pw_dir
        return [*super().get_args(), f"--NotebookNotary.data_dir={home}/.local/share/jupyter"]

    async def stop(self, now: bool = False) -> None:
        await super().stop(now=now)
        remove_cgroups(self._cgroups())
