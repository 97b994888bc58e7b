"""Run the book's notebook kernels with CurveZMQ transport encryption.

myst-nb executes each chapter through nbclient, whose kernel manager opens
the kernel's ZeroMQ sockets over TCP on 127.0.0.1. ipykernel >= 7 warns
once per kernel that this traffic is not encrypted ("Kernel is running over
TCP without encryption"), so ``make book`` printed the warning once per
chapter. jupyter_client can provision CurveZMQ keys for kernels whose
kernelspec declares ``"supported_encryption": ["curve"]`` (ipykernel's
does), but only when ``KernelManager.transport_encryption`` is ``"auto"``
or ``"required"``; its default is ``"disabled"``. myst-nb creates the
kernel manager without any traitlets configuration, so this extension sets
that trait's default for the build process: every kernel the book starts
is encrypted, and the warning is not printed because its cause is gone.
"""

from __future__ import annotations

import zmq
from jupyter_client.manager import KernelManager
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError


def encrypt_kernels() -> None:
    """Make ``transport_encryption="auto"`` the default of every new kernel manager."""
    if not zmq.has("curve"):
        raise ExtensionError(
            "kernel_transport: pyzmq was built without CurveZMQ (zmq.has('curve') is False); "
            "reinstall pyzmq from its wheel (pip install --force-reinstall pyzmq)")
    KernelManager.class_traits()["transport_encryption"].default_value = "auto"


def setup(app: Sphinx) -> dict[str, object]:
    encrypt_kernels()
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
