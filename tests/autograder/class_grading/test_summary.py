"""What the class tool prints from student data (ids, reasons) reaches no terminal unescaped."""

from __future__ import annotations

import io

from autograder.class_grading.merge import Outcome
from autograder.class_grading.summary import line, printable, summarise

TITLE = "\x1b]0;pwned\x07"
CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"


def test_control_characters_in_ids_and_reasons_are_shown_escaped():
    outcomes = [Outcome(f"eve{TITLE}", "failed", reason=f"nbgrader error: x{CLIPBOARD}\n"
                        "[AutogradeApp | ERROR] fake line"),
                Outcome("m\u00fcller\u202ereversed", "graded", 20.0, 20.0, f"note{TITLE}")]
    out = io.StringIO()
    summarise(outcomes, 2, 3.0, out)
    text = "\n".join(line(o) for o in outcomes) + out.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "eve\\x1b]0;pwned\\x07" in text and "\\x0a[AutogradeApp" in text
    assert "m\u00fcller\\u202ereversed" in text          # names keep their letters
    assert printable("plain \u738b\u5c0f\u660e") == "plain \u738b\u5c0f\u660e"
