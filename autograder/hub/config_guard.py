"""In a student's server, refuse configuration files the student could have written.

A student's kernel is sandboxed, but their Jupyter server is not: it runs as
the student with the network and the hub's API. Several parts of it execute
Python configuration files found in folders the student owns: nbgrader's
Assignments tab and Validate load ``nbgrader_config.py`` from the home and from
the notebook's folder, jupytext loads ``.jupytext.py`` next to a notebook. A
kernel could write such a file and have the server run it outside the sandbox.

The hub's environment has a ``.pth`` file that imports this module at every
interpreter start; when ``DNN_HUB_STUDENT_SERVER=1`` (set by the hub for user
servers only) it makes traitlets' file config loaders, which all of these use,
treat a file as missing if the student could have changed it or any folder above
it (owned by the student, writable by one of their groups or by everyone). The
hub also points ``JUPYTER_CONFIG_DIR`` and ``JUPYTER_DATA_DIR`` at root's folders
and sets ``PYTHONNOUSERSITE``, so the server's own configuration, kernelspecs and
templates come from root only.
"""

from __future__ import annotations

import os
import stat

ENV_FLAG = "DNN_HUB_STUDENT_SERVER"


def _writable_by_me(st: os.stat_result, groups: set[int]) -> bool:
    """Whether this process's user could change the entry, or rename what is in it
    (a sticky folder such as /tmp lets others add entries but not rename root's)."""
    if st.st_uid == os.getuid():
        return True
    if st.st_mode & stat.S_IWGRP and st.st_gid in groups:
        return True
    sticky = stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISVTX
    return bool(st.st_mode & stat.S_IWOTH) and not sticky


def trusted(path: str) -> bool:
    """Whether neither ``path`` nor any folder above it can be changed by this user."""
    groups = {os.getgid(), *os.getgroups()}
    current = os.path.realpath(path)
    while True:
        try:
            st = os.stat(current)
        except OSError:
            return False
        if _writable_by_me(st, groups):
            return False
        parent = os.path.dirname(current)
        if parent == current:
            return True
        current = parent


def install() -> None:
    """Patch traitlets' file config loaders (only in a student's server)."""
    if os.environ.get(ENV_FLAG) != "1":
        return
    from traitlets.config import loader

    find = loader.FileConfigLoader._find_file

    def _find_trusted_file(self: loader.FileConfigLoader) -> None:
        find(self)
        if not trusted(self.full_filename):
            raise OSError(f"{self.full_filename} is not root's: a student's server does not "
                          "load configuration files from the student's own folders")

    loader.FileConfigLoader._find_file = _find_trusted_file


install()
