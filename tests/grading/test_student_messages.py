"""What students read outside the book, in Portuguese: catalogues complete, placeholders kept,
the shipped .mo current, and the at-home check speaking the student's language.

* every message of dnn_ref and the grader (``tools/student_messages.py``'s extraction) is
  translated in ``locale/pt_BR/LC_MESSAGES/dnn_ref.po``, and every markdown cell of the
  assignments in ``assignments.po``, none fuzzy;
* each translation keeps its English's placeholders (``{name}``, ``%s``) and inline code;
* ``dnn_ref/locale/pt_BR/LC_MESSAGES/dnn_ref.mo`` gives every translation of the .po;
* ``DNN_LANGUAGE=pt_BR`` makes a visible check fail in Portuguese, the released notebook's
  metadata does the same (the open notebook's, or that of the notebooks in the kernel's
  folder, as under nbgrader's Validate), English stays the default, and hostile language
  names are English.
"""

from __future__ import annotations

import gettext
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
PO_DIR = ROOT / "locale" / "pt_BR" / "LC_MESSAGES"
sys.path.insert(0, str(ROOT / "tools"))
import student_messages  # noqa: E402

_PLACEHOLDERS = re.compile(r"```.*?```|\{[a-z_]*\}|%[sdr]|`[^`]+`|\$\$.*?\$\$|\$[^$]+\$", re.S)

WRONG_SIGMOID = """
import numpy as np
from dnn_ref.grading import check_sigmoid
try:
    check_sigmoid(lambda Z: 1 / (1 + np.exp(Z)))
except AssertionError as e:
    print(e)
"""


def _entries(name: str) -> list[polib.POEntry]:
    return list(polib.pofile(str(PO_DIR / name)))


def test_every_message_of_dnn_ref_and_the_grader_is_translated():
    po = polib.pofile(str(PO_DIR / "dnn_ref.po"))
    done = {e.msgid for e in po.translated_entries()}
    missing = [m for m in student_messages.messages() if m not in done]
    assert not missing, f"{len(missing)} untranslated (tools/student_messages.py update): " \
                        f"{missing[:5]}"
    assert not po.fuzzy_entries()


def test_every_instruction_of_every_assignment_is_translated():
    found = student_messages.assignment_messages()
    po = polib.pofile(str(PO_DIR / "assignments.po"))
    done = {e.msgid for e in po.translated_entries()}
    missing = [where for m, where in found.items() if m not in done]
    assert found and not missing, f"untranslated markdown cells: {missing}"
    assert not po.fuzzy_entries()


@pytest.mark.parametrize("name", ["dnn_ref.po", "assignments.po"])
def test_translations_keep_placeholders_code_and_maths(name):
    bad = [e.msgid[:60] for e in _entries(name) if e.translated() and
           sorted(_PLACEHOLDERS.findall(e.msgid)) != sorted(_PLACEHOLDERS.findall(e.msgstr))]
    assert not bad, f"{name}: placeholders, code or maths changed in {bad}"


def test_the_shipped_mo_gives_every_translation():
    mo = gettext.GNUTranslations(open(student_messages.MO, "rb"))
    stale = [e.msgid[:60] for e in _entries("dnn_ref.po")
             if e.translated() and mo.gettext(e.msgid) != e.msgstr]
    assert not stale, f"run tools/student_messages.py compile: {stale}"


def _run(env: dict[str, str], cwd: Path | None = None) -> str:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DNN_LANGUAGE", "COURSE_LANGUAGE", "JPY_SESSION_NAME")}
    return subprocess.run([sys.executable, "-c", WRONG_SIGMOID], env={**clean, **env},
                          cwd=cwd, capture_output=True, text=True, timeout=120,
                          check=True).stdout


def _notebook(folder: Path, name: str, language: object) -> Path:
    path = folder / name
    path.write_text(json.dumps({"cells": [], "metadata": {"dnn": {"language": language}}}))
    return path


def test_the_at_home_check_speaks_portuguese_under_dnn_language():
    out = _run({"DNN_LANGUAGE": "pt_BR"})
    assert out.startswith("sigmoid falhou na verificação 1 de 4")
    assert "Causa provável: você calculou 1/(1 + e^z) = σ(−z)" in out
    assert "  esperado   formato (3, 4)" in out


def test_english_is_the_default_and_unchanged():
    out = _run({})
    assert out.startswith("sigmoid failed check 1 of 4 (Z of shape (3, 4)):\nA is wrong. "
                          "Likely cause: you computed 1/(1 + e^z) = σ(−z); the exponent needs "
                          "a minus: 1/(1 + e^(−z)).\n  expected shape (3, 4): [")


def test_the_released_notebooks_language_and_dnn_language_over_it(tmp_path):
    nb = tmp_path / "forward.ipynb"
    nb.write_text(json.dumps({"cells": [], "metadata": {"dnn": {"language": "pt_BR"}}}))
    assert "falhou na verificação" in _run({"JPY_SESSION_NAME": str(nb)})
    assert "failed check" in _run({"JPY_SESSION_NAME": str(nb), "DNN_LANGUAGE": "en"})
    assert "falhou na verificação" in _run({"COURSE_LANGUAGE": "pt-BR"})


def test_a_kernel_in_a_portuguese_notebooks_folder_speaks_portuguese(tmp_path):
    """nbgrader's Validate runs the notebook in its folder without naming it to the kernel."""
    _notebook(tmp_path, "forward.ipynb", "pt_BR")
    assert "falhou na verificação" in _run({}, cwd=tmp_path)
    assert "failed check" in _run({"DNN_LANGUAGE": "en"}, cwd=tmp_path)
    _notebook(tmp_path, "other.ipynb", "en")                     # notebooks that disagree
    assert "failed check" in _run({}, cwd=tmp_path)
    assert "falhou na verificação" in _run({"COURSE_LANGUAGE": "pt_BR"}, cwd=tmp_path)


@pytest.mark.parametrize("language", [["pt_BR"], {"x": 1}, "../../etc/passwd", "pt_BR" * 10,
                                      "klingon", None])
def test_a_hostile_language_in_the_metadata_is_english(tmp_path, language):
    nb = tmp_path / "forward.ipynb"
    nb.write_text(json.dumps({"cells": [], "metadata": {"dnn": {"language": language}}}))
    assert "failed check" in _run({"JPY_SESSION_NAME": str(nb)})
