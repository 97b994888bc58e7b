"""JupyterHub's configuration file for the course hub: ``jupyterhub -f`` this (``make hub``)."""

from autograder.hub.hub_config import configure

configure(get_config())  # noqa: F821 -- defined by traitlets when it executes this file
