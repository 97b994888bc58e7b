"""Refresh and compile the catalogues of what students read outside the book (issue 18).

Two catalogues, separate from the book's:

- ``locale/pt_BR/LC_MESSAGES/dnn_ref.po``: every message of dnn_ref and the
  grader (``_("...")`` calls and ``N_("...")`` marks, the known mistakes' causes passed to
  ``compare``, the mistake titles, ``t("...")`` in the grader's templates), compiled
  into the package as
  ``dnn_ref/locale/pt_BR/LC_MESSAGES/dnn_ref.mo``;
- ``locale/pt_BR/LC_MESSAGES/assignments.po``: every markdown cell of
  ``assignments/*.md``, used at release (``COURSE_LANGUAGE=pt_BR make release``).

An English message that changed keeps its old translation marked fuzzy (not
used until it is translated again); ``check`` fails while anything is
untranslated or fuzzy.

    python tools/student_messages.py update    # after editing English messages
    python tools/student_messages.py compile   # the .mo the package ships
    python tools/student_messages.py check
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import jupytext
import polib
from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parent.parent
PO_DIR = ROOT / "locale" / "pt_BR" / "LC_MESSAGES"
MESSAGES_PO = PO_DIR / "dnn_ref.po"
ASSIGNMENTS_PO = PO_DIR / "assignments.po"
MO = ROOT / "dnn_ref" / "locale" / "pt_BR" / "LC_MESSAGES" / "dnn_ref.mo"
SOURCES = ("dnn_ref", "autograder")
TEMPLATE_CALL = re.compile(r'\bt\("([^"]*)"')
"""A translated text in a Jinja template: ``{{ t("...", name=value) }}``."""


def _causes(path: Path) -> list[tuple[str, int]]:
    """The causes of known mistakes: ``("<slug>", "<cause>"[, value])`` tuples of a module."""
    from dnn_ref.grading.diagnoses.catalogue import TITLES
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Tuple) and len(node.elts) in (2, 3) and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts[:2]
        ) and node.elts[0].value in TITLES and node.elts[1].value:
            found.append((node.elts[1].value, node.lineno))
    return found


def messages() -> dict[str, list[str]]:
    """Every English message students may read -> where it comes from."""
    from autograder.judge import TITLES as JUDGE_TITLES
    from dnn_ref.grading.diagnoses.catalogue import TITLES
    found: dict[str, list[str]] = {}
    for package in SOURCES:
        for file, line, text, _comments, _context in extract_from_dir(
                ROOT / package, [("**.py", "python")], keywords={"_": None, "N_": None}):
            found.setdefault(text, []).append(f"{package}/{file}:{line}")
        for path in sorted((ROOT / package).rglob("*.py")):
            for text, line in _causes(path):
                found.setdefault(text, []).append(f"{path.relative_to(ROOT)}:{line}")
    for template in sorted((ROOT / "autograder").rglob("*.j2")):
        text = template.read_text(encoding="utf-8")
        for match in TEMPLATE_CALL.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.setdefault(match.group(1), []).append(f"{template.relative_to(ROOT)}:{line}")
    for slug, title in {**TITLES, **JUDGE_TITLES}.items():
        found.setdefault(title, []).append(f"title:{slug}")
    return found


def assignment_messages() -> dict[str, list[str]]:
    """Every markdown cell of the assignments' sources -> ``<assignment>.md:<cell>``."""
    found: dict[str, list[str]] = {}
    for md in sorted((ROOT / "assignments").glob("*.md")):
        for i, cell in enumerate(jupytext.read(md).cells):
            if cell.cell_type == "markdown" and cell.source.strip():
                found.setdefault(cell.source, []).append(f"{md.name}:{i}")
    return found


def _merge(po_path: Path, found: dict[str, list[str]]) -> polib.POFile:
    """The catalogue at ``po_path`` brought up to ``found`` (a changed message goes fuzzy)."""
    template = polib.POFile(wrapwidth=0)
    template.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "pt_BR"}
    for text, where in found.items():
        template.append(polib.POEntry(msgid=text, msgstr="",
                                      occurrences=[(w, "") for w in where[:5]]))
    if not po_path.exists():
        return template
    po = polib.pofile(str(po_path), wrapwidth=0)
    po.merge(template)   # msgmerge's rules: a near match becomes fuzzy, the rest obsolete
    return po


def update() -> None:
    """Bring both catalogues up to the current English sources."""
    PO_DIR.mkdir(parents=True, exist_ok=True)
    for path, found in ((MESSAGES_PO, messages()), (ASSIGNMENTS_PO, assignment_messages())):
        po = _merge(path, found)
        po.save(str(path))
        print(f"{path.relative_to(ROOT)}: {len(po)} messages, {len(po.untranslated_entries())} "
              f"untranslated, {len(po.fuzzy_entries())} fuzzy")


def compile_mo() -> None:
    """``dnn_ref.po`` -> the package's ``dnn_ref.mo`` (fuzzy and untranslated left out)."""
    MO.parent.mkdir(parents=True, exist_ok=True)
    polib.pofile(str(MESSAGES_PO)).save_as_mofile(str(MO))
    print(f"{MO.relative_to(ROOT)} written")


def check() -> int:
    """1 when a catalogue misses a current message or has untranslated or fuzzy ones."""
    bad = 0
    for path, found in ((MESSAGES_PO, messages()), (ASSIGNMENTS_PO, assignment_messages())):
        po = polib.pofile(str(path))
        done = {e.msgid for e in po.translated_entries()}
        missing = [m for m in found if m not in done]
        print(f"{path.relative_to(ROOT)}: {len(found) - len(missing)} of {len(found)} "
              f"translated, {len(po.fuzzy_entries())} fuzzy")
        bad += len(missing)
    return 1 if bad else 0


if __name__ == "__main__":
    verb = sys.argv[1] if len(sys.argv) > 1 else ""
    if verb not in ("update", "compile", "check"):
        sys.exit("usage: python tools/student_messages.py update|compile|check")
    sys.exit({"update": update, "compile": compile_mo, "check": check}[verb]() or 0)
