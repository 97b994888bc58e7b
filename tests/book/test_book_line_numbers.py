"""The line numbers the book prints for dnn_ref's code are the lines of the file.

Chapter 6 prints a map ``BPn  network.py:<line> <code>`` from each equation to
the line of ``dnn_ref/network.py`` that computes it. This test runs that cell
of the chapter as the book does and compares every printed number with the
file itself, read independently.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "book" / "06_backpropagation.md"
NETWORK = ROOT / "dnn_ref" / "network.py"
PRINTED = re.compile(r"^(BP[1-4])  network\.py:(\d+) +(.+)$")


def line_map_cell() -> str:
    """The source of the chapter's code cell that prints ``network.py:<line>``."""
    cells = re.findall(r"```\{code-cell\} ipython3\n(.*?)```", CHAPTER.read_text("utf-8"),
                       flags=re.DOTALL)
    found = [cell for cell in cells if "network.py:" in cell]
    assert len(found) == 1, f"expected one cell printing network.py:<line>, found {len(found)}"
    return found[0]


def test_printed_line_numbers_are_the_lines_of_network_py() -> None:
    code = "import inspect\nimport dnn_ref\n" + line_map_cell()
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=False, timeout=120)
    assert run.returncode == 0, f"the line-map cell failed:\n{run.stderr}"
    printed = [PRINTED.match(line) for line in run.stdout.splitlines()]
    assert printed and all(printed), f"unexpected output of the line-map cell:\n{run.stdout}"
    file_lines = NETWORK.read_text("utf-8").splitlines()
    for match in printed:
        equation, number, code_text = match.group(1), int(match.group(2)), match.group(3)
        assert 1 <= number <= len(file_lines), f"{equation}: line {number} is past the file"
        assert file_lines[number - 1].strip() == code_text.strip(), (
            f"{equation}: the book prints network.py:{number} as {code_text!r}, but line "
            f"{number} of the file is {file_lines[number - 1].strip()!r}")
    assert {m.group(1) for m in printed} == {"BP1", "BP2", "BP3", "BP4"}
    # Every line that names an equation in a comment is in the map, none twice.
    marked = [n for n, line in enumerate(file_lines, start=1)
              if "#" in line and re.search(r"BP[1-4]", line.split("#", 1)[1])]
    numbers = [int(m.group(2)) for m in printed]
    assert sorted(set(numbers)) == marked
