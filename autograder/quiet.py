"""Instructor commands show only what needs the instructor's attention.

Installed from ``nbgrader_config.py``, so it acts in every nbgrader command of
the course, and from ``autograder.class_grading.grade_class``:

* nbgrader's routine warnings are dropped: "Removing existing assignment" and
  zip_collect's "Clearing existing files in …" (the Makefile asks for ``--force``
  on purpose), "Directory not found. Creating: …" (every first collect) and
  "Config option `display_data_priority` not recognized by …" (nbgrader hands
  the exporter's settings to every feedback preprocessor);
* SQLAlchemy's ``SAWarning`` "Object of type <SubmittedNotebook> not in session"
  raised inside ``nbgrader.api`` while a submission is added is dropped: it is
  nbgrader's own autoflush order and changes nothing that is stored.

Every other warning and error is shown as before, with its control characters
(terminal escapes: a window title, the clipboard, colours, a carriage return
over a log line) shown as ``\\xNN``: messages quote student files and the
output of student code (:class:`EscapeFilter`).
"""

from __future__ import annotations

import logging
import warnings

import nbgrader.apps
from sqlalchemy.exc import SAWarning

#: Beginnings of nbgrader log messages that never need the instructor.
ROUTINE = (
    "Removing existing assignment",
    "Config option `display_data_priority` not recognized by",
    "Directory not found. Creating:",
    "Clearing existing files in",
)


class RoutineFilter(logging.Filter):
    """Drop the log records whose message starts with one of :data:`ROUTINE`."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(ROUTINE)


def escaped(text: str) -> str:
    """``text`` with every control character but newline and tab shown as ``\\xNN``."""
    return "".join(c if c in "\n\t" or c.isprintable() else
                   f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}" for c in text)


class EscapeFilter(logging.Filter):
    """Show the control characters of a record's message escaped (see :func:`escaped`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        clean = escaped(text)
        if clean != text:
            record.msg, record.args = clean, ()
        return True


def install() -> None:
    """Filter the routine messages of every nbgrader application and nbgrader.api's SAWarning."""
    names = [n for n in nbgrader.apps.__all__ if n.endswith("App")]
    for name in names:
        logger = logging.getLogger(name)
        for kind in (RoutineFilter, EscapeFilter):
            if not any(isinstance(f, kind) for f in logger.filters):
                logger.addFilter(kind())
    warnings.filterwarnings("ignore", category=SAWarning, module=r"nbgrader\.api")
