"""The installable package: a non-editable install carries every module and template.

``make install`` installs the repository in editable mode, which hides a package list
that forgets a subpackage (``dnn_ref.grading.diagnoses``) or data files
(``autograder/reports/templates``):
this builds the real wheel and compares its contents with the source tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_holds_every_module_and_template(tmp_path: Path) -> None:
    source = tmp_path / "source"  # setuptools writes build/ next to the sources: not here
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "_build", "test-artifacts", "__pycache__", "*.egg-info", "build"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(source)], check=True)
    (wheel,) = tmp_path.glob("dnn_ref-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    expected = {str(p.relative_to(ROOT)) for package in ("dnn_ref", "autograder")
                for p in (ROOT / package).rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    assert expected, "no source files found"
    assert not expected - inside, f"missing from the wheel: {sorted(expected - inside)}"
