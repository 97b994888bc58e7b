"""Look through a student kit for what must never ship: answers, hidden tests, the secret.

:func:`scan` reads every file of the kit's folder and of its zip, and every
file inside the archives they hold (the wheel), and reports

* instructor material by path: ``solutions/``, ``assignments/``, ``autograder/``,
  the gradebook, the nbgrader configuration, the course secret's file;
* nbgrader's solution and hidden-test markers;
* a line of a hidden test cell of ``solutions/*.ipynb``;
* a statement that computes (:func:`statements`: ``dW = dZ @ A_prev.T / m``) of a
  solution cell of ``solutions/*.ipynb`` that the released exercise does not
  have, or of the body of a reference function the kit must not hold
  (:func:`answer_statements`), in a Python file or a notebook's code cell;
* the course secret, as text or as bytes.
"""

from __future__ import annotations

import ast
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

INSTRUCTOR_PATHS = {"solutions", "assignments", "autograder", "gradebook.db", ".course_secret",
                    "nbgrader_config.py", "submitted", "autograded", "feedback", "downloaded"}
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
           "BEGIN HIDDEN", "END HIDDEN")


def files(root: Path) -> Iterator[tuple[str, bytes]]:
    """(kit path, content) of every file under ``root`` (a folder or an archive), archives
    opened recursively."""
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            yield from _expand(str(path.relative_to(root.parent)), path.read_bytes())
    else:
        yield from _expand(root.name, root.read_bytes())


def _expand(where: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    yield where, data
    if where.endswith((".zip", ".whl")):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    yield from _expand(f"{where}!{info.filename}", archive.read(info))


def hidden_test_lines(text: str) -> set[str]:
    """The stripped, non-comment lines of ``text``."""
    return {s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")}


def _computes(node: ast.AST) -> bool:
    """Whether a statement does arithmetic (``dW = dZ @ A_prev.T / m``), not only names,
    calls and indexing (``m = Y.shape[1]``, ``L = len(caches)``, shared by any code)."""
    return any(isinstance(n, ast.BinOp) or (isinstance(n, ast.UnaryOp) and
                                            isinstance(n.op, ast.USub))
               or (isinstance(n, ast.Attribute) and n.attr == "T") for n in ast.walk(node))


def statements(source: str | ast.AST) -> set[str]:
    """The arithmetic simple statements of ``source`` (text or a parsed node), each as
    :func:`ast.unparse` writes it (so spacing and parentheses do not matter)."""
    tree = source if isinstance(source, ast.AST) else _parse(source)
    simple = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr)
    return {ast.unparse(n) for n in ast.walk(tree) if isinstance(n, simple) and _computes(n)}


def _parse(source: str) -> ast.AST:
    try:
        return ast.parse(source)
    except SyntaxError:          # a notebook cell with IPython syntax: nothing to compare
        return ast.Module(body=[], type_ignores=[])


def _notebook_text(text: str) -> str:
    """A notebook's cell sources and text outputs, one after another."""
    parts = []
    for cell in json.loads(text)["cells"]:
        parts.append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", "")))
            parts += ["".join(v) for k, v in output.get("data", {}).items()
                      if k.startswith("text/")]
    return "\n".join(parts)


def _cells(notebook: Path) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]]


def _between(source: str, begin: str, end: str) -> str:
    out, inside = [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            out.append(line)
    return "\n".join(out)


def solution_code(course: Path, closed: Iterable[str] = ()) -> tuple[dict[str, str],
                                                                     dict[str, str]]:
    """(statement -> where, line -> where): the solutions' arithmetic statements that the
    released exercises do not have, and the lines of their hidden test cells; the answers of
    the ``closed`` assignments may ship (their hidden tests may not)."""
    released: set[str] = set()
    for notebook in (course / "exercises").glob("*/*.ipynb"):
        for source in _cells(notebook):
            released |= statements(source)
    answers, hidden = {}, {}
    for notebook in sorted((course / "solutions").glob("*/*.ipynb")):
        where = notebook.relative_to(course)
        for source in _cells(notebook):
            if notebook.parent.name not in closed:
                answers |= {s: f"a solution of {where}" for s in statements(source) - released}
            hidden |= {line: f"a hidden test of {where}" for line in hidden_test_lines(
                _between(source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))}
    return answers, hidden


def answer_statements(package: Path, functions: Iterable[str]) -> dict[str, str]:
    """Statement -> function, for the arithmetic in the bodies of ``functions``
    (``"network:backprop"``, ``"graph:Value.*._backward"`` as stubbed) of ``package``."""
    import fnmatch
    wanted: dict[str, list[str]] = {}
    for f in functions:
        module, qualname = f.split(":")
        wanted.setdefault(module, []).append(qualname)
    out = {}
    for module, patterns in wanted.items():
        path = package / (module.replace(".", "/") + ".py")
        if not path.is_file():
            path = package / module.replace(".", "/") / "__init__.py"
        for qualname, node in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            if any(fnmatch.fnmatchcase(qualname, p) for p in patterns):
                for stmt in node.body:
                    out |= {s: f"dnn_ref.{module}.{qualname}" for s in statements(stmt)
                            if s not in out}
    return out


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.FunctionDef]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield prefix + node.name, node
            yield from _functions(node, prefix + node.name + ".")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, prefix + node.name + ".")


def scan(roots: Iterable[Path], course: Path, forbidden: dict[str, str], *,
         allowed: set[str] = frozenset(), closed: Iterable[str] = ()) -> list[str]:
    """Every finding in the kit's ``roots``, as ``"<kit path>: <what>"`` (empty: clean).

    Parameters
    ----------
    roots : iterable of Path
        The kit's folder and zip.
    course : Path
        The instructor's course folder (``solutions/``, ``exercises/``, the secret).
    forbidden : dict
        Further statement -> what it is (:func:`answer_statements` of the stubbed
        reference functions).
    allowed : set of str
        Statements the kit may hold even though a solution has them (the build's
        ``GIVEN``, each with its reason).
    closed : iterable of str
        Assignments past their due date, whose solutions' statements may ship.
    """
    answers, hidden = solution_code(course, closed)
    answers = {s: w for s, w in {**forbidden, **answers}.items() if s not in allowed}
    secret_file = course / ".course_secret"
    secret = secret_file.read_text().strip() if secret_file.is_file() else ""
    findings = []
    for root in roots:
        for where, data in files(Path(root)):
            parts = set(where.replace("!", "/").split("/"))
            findings += [f"{where}: instructor material ({p})" for p in INSTRUCTOR_PATHS & parts]
            if secret and any(form in data for form in _forms(secret)):
                findings.append(f"{where}: the course secret")
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:     # an archive, the tables: bytes, checked above
                continue
            found = statements(text) if where.endswith(".py") else set()
            if where.endswith(".ipynb"):
                text = _notebook_text(text)
                found = set().union(*(statements(c) for c in _code_cells(data)))
            findings += [f"{where}: the marker {m!r}" for m in MARKERS if m in text]
            findings += [f"{where}: {hidden[line]}: {line!r}"
                         for line in sorted(hidden_test_lines(text) & hidden.keys())]
            findings += [f"{where}: {answers[s]}: {s!r}" for s in sorted(found & answers.keys())]
    return findings


def _forms(secret: str) -> list[bytes]:
    """The secret as text, and as the bytes its hex digits spell."""
    try:
        return [secret.encode(), bytes.fromhex(secret)]
    except ValueError:        # not hex: a secret written by hand
        return [secret.encode()]


def _code_cells(data: bytes) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(data)["cells"] if c["cell_type"] == "code"]
