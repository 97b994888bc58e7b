"""nbgrader's log (make autograde's terminal) shows control characters from student data escaped."""

from __future__ import annotations

import io
import logging

from autograder import quiet


def test_terminal_escapes_in_nbgrader_messages_are_shown_escaped():
    quiet.install()
    logger = logging.getLogger("AutogradeApp")
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger.addHandler(handler)
    try:
        logger.error("There was an error: %s", "x\x1b]0;pwned\x07\r[INFO] fake\u202e\nnext line")
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert "\u202e" not in text
    assert "x\\x1b]0;pwned\\x07\\x0d[INFO] fake\\u202e\nnext line" in text
