"""Near-copies among the class's answers and of the course's own code: leads, never penalties.

Each graded function a student wrote is compared, with copydetect's winnowed
fingerprints (the MOSS algorithm; identifiers, strings and comments are
normalised away), with the same function of every classmate and with the code
the course publishes: ``dnn_ref``'s source and chapter 6's code cells. Like
MOSS, code that most of the class shares (the only sensible way to write
``db``) is not evidence: fingerprints found in at least ``common`` of the
class's answers are treated as boilerplate for the classmate comparisons, and
so is the released stub (the ``def`` line and docstring everyone starts from).

The instructor's own solution is boilerplate too: the textbook way to write a
short function (``update_parameters``' six-line loop) is what two honest students
may both write, so only what an answer adds beyond the stub, the solution and the
class's common code counts, and a pair needs at least ``MIN_DISTINCT`` such
fingerprints in each answer. Whole submissions that are the same text (every graded
function, names and spacing included, ``MIN_IDENTICAL_LINES`` or more) are flagged
however many hand them in (:func:`identical_submissions`): in a class of five, three
identical notebooks are not "what most of the class writes".

A pair of classmates is flagged when at least ``threshold`` (0.8) of each
answer is covered by fingerprints of the other; an answer is flagged against
the course's code when ``reference_threshold`` (0.35) of it is found there. A flag
says where to look; whether it is copying is the instructor's judgement.

Submissions are read defensively: answer cells are the released solution cells
(by grade_id), metadata that is not a dict is ignored, and code that is too long
or too deep to parse (``MAX_CODE``, a 200,000-term expression) is left out.
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

from dnn_ref.i18n import N_, _

ROOT = Path(__file__).resolve().parents[2]
#: Code students can read: label -> source file (markdown files contribute their code cells).
COURSE_CODE = {
    "dnn_ref/network.py": ROOT / "dnn_ref" / "network.py",
    "dnn_ref/activations.py": ROOT / "dnn_ref" / "activations.py",
    "dnn_ref/graph.py": ROOT / "dnn_ref" / "graph.py",
    N_("book chapter 6"): ROOT / "book" / "06_backpropagation.md",
}
#: copydetect's k-gram length (characters of normalised code). Every k-gram is kept (window 1,
#: no winnowing): copydetect hashes with Python's salted hash(), so winnowing would pick other
#: fingerprints in every run, and answers are short enough to keep them all.
NOISE = 20
#: Fingerprints beyond the boilerplate an answer needs before a classmate pair is flagged.
MIN_DISTINCT = 20
#: Characters of answer code compared at most (longer code is not an answer to these tasks).
MAX_CODE = 100_000
#: Lines a whole submission needs before being the same text as another is worth a flag
#: (a one-line answer most of the class writes alike is not).
MIN_IDENTICAL_LINES = 8
#: The function name of a flag about whole submissions.
ALL_FUNCTIONS = N_("all graded functions")


def shown(name: str) -> str:
    """A flag's function or side as a page shows it: the course's own labels (the book's
    chapter, every graded function) in the current language, a student id or a file as is."""
    return _(name) if name == ALL_FUNCTIONS or name in COURSE_CODE else name


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


def _nbgrader(cell: nbformat.NotebookNode) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def answer_cells(nb: nbformat.NotebookNode, grade_ids: set[str] | None = None) -> str:
    """The source of every answer (nbgrader solution) code cell, joined.

    With ``grade_ids``, only the cells with one of those grade_ids (the released answer
    cells): a scratch cell that calls itself a solution is not an answer.
    """
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "code"
                       and _nbgrader(c).get("solution") is True
                       and (grade_ids is None or _nbgrader(c).get("grade_id") in grade_ids))


def answer_ids(nb: nbformat.NotebookNode) -> set[str]:
    """grade_ids of the notebook's answer code cells (of the released notebook: the real ones)."""
    return {g for c in nb.cells if c.cell_type == "code" and _nbgrader(c).get("solution") is True
            and isinstance(g := _nbgrader(c).get("grade_id"), str)}


def function_sources(code: str, names: list[str]) -> dict[str, str]:
    """The ``def`` of each of ``names`` in ``code`` (code that does not parse: none)."""
    if len(code) > MAX_CODE:
        return {}
    try:
        tree = ast.parse(code)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
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


def _same_text(code: str) -> str:
    return "\n".join(line.rstrip() for line in code.strip().splitlines() if line.strip())


def identical_submissions(answers: dict[str, dict[str, str]]) -> list[Flag]:
    """Pairs of students whose graded functions are, all together, the same text."""
    groups: dict[str, list[str]] = {}
    for student, functions in sorted(answers.items()):
        if functions:
            text = "\n\n".join(_same_text(functions[f]) for f in sorted(functions))
            if len(text.splitlines()) >= MIN_IDENTICAL_LINES:
                groups.setdefault(text, []).append(student)
    flags = []
    for text, students in groups.items():
        for a, b in combinations(students, 2):
            flags.append(Flag(ALL_FUNCTIONS, a, b, (1.0, 1.0), text, text,
                              ((0, len(text)),), ((0, len(text)),)))
    return flags


def find_copies(answers: dict[str, dict[str, str]], stubs: dict[str, str],
                references: dict[str, str], *, solutions: dict[str, str] | None = None,
                threshold: float = 0.8, reference_threshold: float = 0.35,
                common: float = 0.5) -> list[Flag]:
    """Flag near-identical answers, per graded function.

    Parameters
    ----------
    answers : dict
        student -> {function: its ``def`` source}.
    stubs : dict
        function -> the released stub (boilerplate for every comparison).
    references : dict
        label -> course code (:func:`course_code`).
    solutions : dict, optional
        function -> the instructor's solution (boilerplate for classmate comparisons).
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
        Highest similarity first; whole identical submissions first of all.
    """
    flags: list[Flag] = identical_submissions(answers)
    same = {(f.a, f.b) for f in flags}
    ref_prints = {label: _fingerprint(code) for label, code in references.items()}
    for function, stub in stubs.items():
        stub_hashes = np.array(sorted(_fingerprint(stub).hashes), dtype=np.int64)
        codes = {s: a[function] for s, a in sorted(answers.items()) if a.get(function)}
        prints = {s: _fingerprint(c, stub_hashes) for s, c in codes.items()}
        counts = Counter(h for p in prints.values() for h in p.hashes)
        shared = [h for h, n in counts.items() if n >= max(3, common * len(prints))]
        solution = (solutions or {}).get(function)
        taught = set(_fingerprint(solution).hashes) if solution else set()
        class_bp = np.array(sorted(set(stub_hashes) | set(shared) | taught), dtype=np.int64)
        peers = {s: _fingerprint(c, class_bp) for s, c in codes.items()}
        for a, b in combinations(sorted(peers), 2):
            if (a, b) in same or min(len(set(peers[a].hashes)),
                                     len(set(peers[b].hashes))) < MIN_DISTINCT:
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
    return sorted(flags, key=lambda f: (f.function != ALL_FUNCTIONS, -f.similarity[0],
                                        f.function, f.a, f.b))
