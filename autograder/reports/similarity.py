"""Near-copies among the class's answers and of the course's own code: leads, never penalties.

Each graded function a student wrote is compared, with copydetect's winnowed
fingerprints (the MOSS algorithm; identifiers, strings and comments are
normalised away), with the same function of every classmate and with the code
the course publishes: ``dnn_ref``'s source and chapter 6's code cells. Like
MOSS, code that most of the class shares (the only sensible way to write
``db``) is not evidence: fingerprints found in at least ``common`` of the
class's answers are treated as boilerplate for the classmate comparisons, and
so is the released stub (the ``def`` line and docstring everyone starts from).

A pair of classmates is flagged when at least ``threshold`` (0.8) of each
answer is covered by fingerprints of the other; an answer is flagged against
the course's code when ``reference_threshold`` (0.35) of it is found there. A flag
says where to look; whether it is copying is the instructor's judgement.
"""

from __future__ import annotations

import ast
import io
import re
from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import nbformat
import numpy as np
from copydetect import CodeFingerprint, compare_files

ROOT = Path(__file__).resolve().parents[2]
#: Code students can read: label -> source file (markdown files contribute their code cells).
COURSE_CODE = {
    "dnn_ref/network.py": ROOT / "dnn_ref" / "network.py",
    "dnn_ref/activations.py": ROOT / "dnn_ref" / "activations.py",
    "dnn_ref/graph.py": ROOT / "dnn_ref" / "graph.py",
    "book chapter 6": ROOT / "book" / "06_backpropagation.md",
}
#: copydetect's k-gram length (characters of normalised code). Every k-gram is kept (window 1,
#: no winnowing): copydetect hashes with Python's salted hash(), so winnowing would pick other
#: fingerprints in every run, and answers are short enough to keep them all.
NOISE = 20


@dataclass(frozen=True)
class Flag:
    """Two near-identical pieces of code.

    Attributes
    ----------
    function : str
        The graded function.
    a, b : str
        Student ids, or for ``b`` a label of the course's code (``"dnn_ref/network.py"``).
    similarity : tuple of float
        Fraction of ``a``'s code found in ``b`` and of ``b``'s in ``a``
        (the second is None for the course's code, which is much longer).
    code_a, code_b : str
        The two pieces of code, the copied parts wrapped as ``(start, end)`` spans.
    spans_a, spans_b : tuple of (int, int)
        Character ranges of ``code_a`` / ``code_b`` found in the other.
    """

    function: str
    a: str
    b: str
    similarity: tuple[float, float | None]
    code_a: str
    code_b: str
    spans_a: tuple[tuple[int, int], ...]
    spans_b: tuple[tuple[int, int], ...]

    @property
    def reference(self) -> bool:
        """True when ``b`` is the course's own code, not a classmate."""
        return self.b in COURSE_CODE


def answer_cells(nb: nbformat.NotebookNode) -> str:
    """The source of every answer (nbgrader solution) cell, joined."""
    return "\n\n".join(c.source for c in nb.cells
                       if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution"))


def function_sources(code: str, names: list[str]) -> dict[str, str]:
    """The ``def`` of each of ``names`` in ``code`` (code that does not parse: none)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {}
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in names and node.name not in found:
            found[node.name] = ast.get_source_segment(code, node) or ""
    return found


def defined_functions(code: str) -> list[str]:
    """Names of the functions ``code`` defines, in order."""
    return [n.name for n in ast.walk(ast.parse(code)) if isinstance(n, ast.FunctionDef)]


def course_code() -> dict[str, str]:
    """label -> the code students can read (markdown: its ``code-cell`` blocks only)."""
    out = {}
    for label, path in COURSE_CODE.items():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            text = "\n\n".join(re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", text, re.S))
        out[label] = text
    return out


def _fingerprint(code: str, boilerplate: np.ndarray | None = None) -> CodeFingerprint:
    return CodeFingerprint("answer.py", NOISE, 1, boilerplate=boilerplate,
                           language="python", fp=io.StringIO(code))


def _spans(slices: np.ndarray) -> tuple[tuple[int, int], ...]:
    if len(slices) == 0 or len(slices[0]) == 0:
        return ()
    return tuple((int(s), int(e)) for s, e in zip(slices[0], slices[1], strict=True))


def find_copies(answers: dict[str, dict[str, str]], stubs: dict[str, str],
                references: dict[str, str], *, threshold: float = 0.8,
                reference_threshold: float = 0.35, common: float = 0.5) -> list[Flag]:
    """Flag near-identical answers, per graded function.

    Parameters
    ----------
    answers : dict
        student -> {function: its ``def`` source}.
    stubs : dict
        function -> the released stub (boilerplate for every comparison).
    references : dict
        label -> course code (:func:`course_code`).
    threshold : float
        Fraction of each of two classmates' answers that must be found in the other.
    reference_threshold : float
        Fraction of an answer that must be found in the course's code. Lower, because
        the course spreads a function over several (dnn_ref's one_layer_backward calls
        linear_backward) and a copy stitches them together: independent answers
        share almost nothing with it (tests/autograder/reports/test_similarity.py).
    common : float
        Fingerprints in at least this fraction of the class's answers (and at least
        three of them) are not compared between classmates.

    Returns
    -------
    list of Flag
        Highest similarity first.
    """
    flags: list[Flag] = []
    ref_prints = {label: _fingerprint(code) for label, code in references.items()}
    for function, stub in stubs.items():
        stub_hashes = np.array(sorted(_fingerprint(stub).hashes), dtype=np.int64)
        codes = {s: a[function] for s, a in sorted(answers.items()) if a.get(function)}
        prints = {s: _fingerprint(c, stub_hashes) for s, c in codes.items()}
        counts = Counter(h for p in prints.values() for h in p.hashes)
        shared = [h for h, n in counts.items() if n >= max(3, common * len(prints))]
        class_bp = np.array(sorted(set(stub_hashes) | set(shared)), dtype=np.int64)
        peers = {s: _fingerprint(c, class_bp) for s, c in codes.items()}
        for a, b in combinations(sorted(peers), 2):
            if not peers[a].hashes or not peers[b].hashes:
                continue
            _, (sa, sb), (xa, xb) = compare_files(peers[a], peers[b])
            if min(sa, sb) >= threshold:
                flags.append(Flag(function, a, b, (float(sa), float(sb)), codes[a], codes[b],
                                  _spans(xa), _spans(xb)))
        for s, fp in prints.items():
            for label, ref in ref_prints.items():
                if not fp.hashes:
                    continue
                _, (sa, _sb), (xa, xb) = compare_files(fp, ref)
                if sa >= reference_threshold:
                    flags.append(Flag(function, s, label, (float(sa), None), codes[s],
                                      references[label], _spans(xa), _spans(xb)))
    return sorted(flags, key=lambda f: (-f.similarity[0], f.function, f.a, f.b))
