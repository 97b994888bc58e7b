"""The book's kernels run with CurveZMQ encryption, so `make book` no longer warns about TCP.

ipykernel warns "Kernel is running over TCP without encryption" once per kernel
when jupyter_client starts it without Curve keys, which is its default; myst-nb
started one kernel per chapter that way. book/_ext/kernel_transport.py makes
``transport_encryption="auto"`` the kernel manager's default in the build
process. Each test starts a real kernel through nbclient, as myst-nb does, in a
fresh Python process whose stderr (the kernel's too) it captures.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXT = Path(__file__).resolve().parents[2] / "book" / "_ext"
WARNING = "Kernel is running over TCP without encryption"

_RUN = """
import sys
sys.path.insert(0, {ext!r})
import nbformat
from nbclient import NotebookClient
if {encrypt}:
    import kernel_transport
    kernel_transport.encrypt_kernels()
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("6 * 7")])
client = NotebookClient(nb, kernel_name="python3", timeout=60)
client.execute()
from jupyter_client.manager import KernelManager
print(nb.cells[0].outputs[0]["data"]["text/plain"], KernelManager().transport_encryption)
"""

pytestmark = pytest.mark.slow


def _execute(encrypt: bool) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _RUN.format(ext=str(EXT), encrypt=encrypt)],
                          capture_output=True, text=True, timeout=120, check=True)


def test_a_kernel_started_as_myst_nb_does_warns_without_the_extension():
    plain = _execute(encrypt=False)
    assert plain.stdout.split() == ["42", "disabled"], plain.stdout
    assert WARNING in plain.stderr, (
        "ipykernel no longer warns about plain TCP; kernel_transport may be unnecessary: "
        f"{plain.stderr[-500:]}")


def test_the_extension_encrypts_the_kernel_and_the_warning_is_gone():
    encrypted = _execute(encrypt=True)
    assert encrypted.stdout.split() == ["42", "auto"], encrypted.stdout
    assert WARNING not in encrypted.stderr, encrypted.stderr[-500:]
