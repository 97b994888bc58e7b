"""CSV cells a spreadsheet shows as text: nothing a student named can run as a formula.

Student ids come from folder and file names students choose; Excel, LibreOffice and
Google Sheets run a cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
return before one) as a formula (CSV injection, OWASP). Every CSV the course writes
(grades.csv, grades-canvas.csv, the report's mistakes.csv and similarity.csv) passes
its text cells through :func:`safe_cell`, which puts an apostrophe before such a cell,
as the spreadsheets themselves do for text; numbers are left as they are.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, with an apostrophe in front when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """:func:`safe_cell` of every cell of a row."""
    return [safe_cell(v) for v in row]


def safe_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`safe_cell` of every value of a ``csv.DictWriter`` row."""
    return {k: safe_cell(v) for k, v in record.items()}


class SafeWriter:
    """``csv.writer`` whose rows pass through :func:`safe_row`."""

    def __init__(self, f: Any) -> None:
        self._writer = csv.writer(f)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
