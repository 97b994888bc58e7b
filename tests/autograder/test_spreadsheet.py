"""Every CSV the course writes shows a student-chosen name as text, never as a formula."""

from __future__ import annotations

import csv
import io

import pytest

from autograder.spreadsheet import SafeWriter, safe_cell, safe_record, safe_row

FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_becomes_text(text: str) -> None:
    assert safe_cell(text) == "'" + text


def test_names_numbers_and_unicode_are_kept() -> None:
    for value in ["müllerjörg", "王小明", "smith_88112", 13.0, -2.5, 0, None, ""]:
        assert safe_cell(value) == value
    assert safe_row(["=1", 2.0]) == ["'=1", 2.0]
    assert safe_record({"student_id": "@x", "score": 20.0}) == {"student_id": "'@x",
                                                                "score": 20.0}


def test_the_writer_writes_every_row_safely() -> None:
    out = io.StringIO()
    SafeWriter(out).writerows([["student", "score"], ["=cmd|' /C calc'!A0", 3.0]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["student", "score"], ["'=cmd|' /C calc'!A0", "3.0"]]
