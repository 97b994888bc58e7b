"""Release an assignment in the course's language: its instructions from a message catalogue.

``COURSE_LANGUAGE=pt_BR make release`` runs :class:`TranslateInstructions` first
in ``nbgrader generate_assignment``: every markdown cell whose English text is
translated in ``locale/<lang>/LC_MESSAGES/assignments.po`` is replaced by its
translation (code cells are never touched), and the notebook's metadata records
the language (``metadata.dnn.language``), where the grader and the student's
kernel read it (:mod:`dnn_ref.i18n`). The gradebook then stores the translated
cells, so grading restores them, not the English. A markdown cell without a
translation (a new or changed English paragraph, fuzzy in the catalogue) stays
English and is logged, never a stale translation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polib
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from dnn_ref.i18n import COURSE_LANGUAGE_ENV, METADATA_KEY, normalize

LOCALE = Path(__file__).resolve().parents[2] / "locale"
"""The repository's catalogues (``<lang>/LC_MESSAGES/assignments.po``)."""


def catalogue(lang: str, locale: Path = LOCALE) -> dict[str, str]:
    """English markdown cell -> its translation, for the translated (not fuzzy) entries."""
    path = locale / lang / "LC_MESSAGES" / "assignments.po"
    if not path.exists():
        raise FileNotFoundError(f"no catalogue of the assignments in {lang}: {path} is missing "
                                "(python tools/student_messages.py update)")
    return {e.msgid: e.msgstr for e in polib.pofile(str(path)).translated_entries()}


class TranslateInstructions(NbGraderPreprocessor):
    """Markdown cells in the course's language, and the language in the notebook's metadata."""

    language = Unicode(os.environ.get(COURSE_LANGUAGE_ENV, "en"),
                       help="The course's language (en, pt_BR); default: $COURSE_LANGUAGE."
                       ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: Any) -> tuple[NotebookNode, Any]:
        lang = normalize(self.language)
        if lang is None:
            raise ValueError(f"unknown course language {self.language!r}: use en or pt_BR")
        if lang == "en":
            return nb, resources
        translations = catalogue(lang)
        missing = 0
        for cell in nb.cells:
            if cell.cell_type != "markdown" or not cell.source.strip():
                continue
            if cell.source in translations:
                cell.source = translations[cell.source]
            else:
                missing += 1
        if missing:
            self.log.warning("%d markdown cells have no %s translation and stay English "
                             "(python tools/student_messages.py update, then translate)",
                             missing, lang)
        nb.metadata.setdefault(METADATA_KEY, {})["language"] = lang
        return nb, resources
