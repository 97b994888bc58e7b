"""The language of the messages a student reads: gettext catalogues shipped inside dnn_ref.

English is the source: every message is written in English in the code and
marked with :func:`_`; ``locale/<lang>/LC_MESSAGES/dnn_ref.po`` at the
repository's root holds its translation, compiled to
``dnn_ref/locale/<lang>/LC_MESSAGES/dnn_ref.mo`` (``make i18n-students``). A
message without a translation is shown in English, unchanged.

The language is, first found:

1. the one set by :func:`language` (the judge, outside the sandbox, uses the
   graded notebook's language);
2. ``$DNN_LANGUAGE`` (a student's own choice, in their kernel);
3. the language recorded in the open notebook's metadata (``dnn.language``,
   set at release; Jupyter gives the kernel the notebook's path in
   ``$JPY_SESSION_NAME``);
4. the language of the notebooks in the kernel's working folder, when they agree
   (nbgrader's Validate runs a notebook in its own folder without telling the kernel
   which one);
5. ``$COURSE_LANGUAGE`` (the course's language);
6. English.

An unknown language name is English: the metadata is student-controlled text.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

LANGUAGES = ("en", "pt_BR")
"""The languages messages exist in."""
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "dnn_ref"
LANGUAGE_ENV = "DNN_LANGUAGE"
COURSE_LANGUAGE_ENV = "COURSE_LANGUAGE"
METADATA_KEY = "dnn"
"""A released notebook's ``metadata[METADATA_KEY]["language"]`` is its language."""
MAX_NOTEBOOK_BYTES = 8 * 2**20
MAX_FOLDER_NOTEBOOKS = 8
"""A working folder with more notebooks than this says nothing about the language."""

_chosen: contextvars.ContextVar[str | None] = contextvars.ContextVar("dnn_language", default=None)


def normalize(name: object) -> str | None:
    """``"pt_BR"`` for pt_BR, pt-BR, pt-br, pt; ``"en"`` for en, en_US, ...; else None."""
    if not isinstance(name, str) or len(name) > 20:
        return None
    key = name.strip().replace("-", "_").split(".")[0].lower()
    if key in ("pt", "pt_br"):
        return "pt_BR"
    if key == "en" or key.startswith("en_"):
        return "en"
    return None


def notebook_language(notebook: object) -> str | None:
    """The language a notebook (a dict or nbformat node) was released in, or None."""
    metadata = notebook.get("metadata") if isinstance(notebook, dict) else None
    ours = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    return normalize(ours.get("language")) if isinstance(ours, dict) else None


def _open_notebook_language() -> str | None:
    """The language of the notebook this kernel runs for (``$JPY_SESSION_NAME``), if any."""
    path = os.environ.get("JPY_SESSION_NAME", "")
    if not path.endswith(".ipynb"):
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _language_of_file(path, stat.st_mtime_ns, stat.st_size)


def _folder_language() -> str | None:
    """The language the notebooks in the working folder were released in, if they agree."""
    try:
        with os.scandir(".") as entries:
            found = [e for e in entries if e.name.endswith(".ipynb") and e.is_file()]
    except OSError:
        return None
    if len(found) > MAX_FOLDER_NOTEBOOKS:
        return None
    languages = set()
    for entry in found:
        try:
            stat = entry.stat()
        except OSError:
            continue
        languages.add(_language_of_file(os.path.abspath(entry.path), stat.st_mtime_ns,
                                        stat.st_size))
    languages.discard(None)
    return languages.pop() if len(languages) == 1 else None


@functools.lru_cache(maxsize=32)
def _language_of_file(path: str, mtime_ns: int, size: int) -> str | None:
    """The language in a notebook file's metadata (cached while the file is unchanged)."""
    if size > MAX_NOTEBOOK_BYTES:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            return notebook_language(json.load(f))
    except (OSError, ValueError, RecursionError):
        return None


def current() -> str:
    """The language messages are written in now (see the module's docstring for the order)."""
    for found in (_chosen.get(), normalize(os.environ.get(LANGUAGE_ENV))):
        if found:
            return found
    return (_open_notebook_language() or _folder_language()
            or normalize(os.environ.get(COURSE_LANGUAGE_ENV)) or "en")


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: no catalogue, messages as written)."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """``message`` (English, as written in the code) in the current language."""
    return translations(current()).gettext(message)


def translated(message: str, **values: object) -> str:
    """``message`` in the current language, filled in with ``values``: a template's
    ``t("...", name=value)``."""
    return _(message).format(**values)


def joined(names: Iterable[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``, in the current language."""
    items = list(names)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + _(" and ") + items[-1]


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it (it is translated where
    shown, with :func:`_` or :func:`retranslate`)."""
    return message


@functools.cache
def _pattern(template: str) -> re.Pattern[str]:
    """A regular expression matching ``template`` formatted with any values."""
    parts, seen, out = re.split(r"\{(\w+)\}", template), set(), []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(re.escape(part))
        else:
            out.append(f"(?P={part})" if part in seen else f"(?P<{part}>.+?)")
            seen.add(part)
    return re.compile("".join(out), re.S)


def retranslate(text: str, templates: Iterable[str]) -> str:
    """``text``, made in English from one of ``templates`` (``"Z of shape {shape}"``), in the
    current language: the first template it matches is translated and given the same values.
    A text that matches none is returned unchanged.

    For texts made in English where the language is not known (a test case's name, an
    exception raised in the grading sandbox) and shown later to a student.
    """
    for template in templates:
        found = _pattern(template).fullmatch(text)
        if found:
            return _(template).format(**found.groupdict())
    return text


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for ``n``, in the current language."""
    return translations(current()).ngettext(singular, plural, n)


@contextlib.contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Write messages in ``lang`` inside the block (None or unknown: the usual order)."""
    token = _chosen.set(normalize(lang))
    try:
        yield current()
    finally:
        _chosen.reset(token)
