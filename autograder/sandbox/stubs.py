"""Reference code rewritten so that it raises instead of answering (the student view's stubs).

:func:`stub_functions` keeps a module's text but replaces the bodies of the functions
named by :func:`patterns_for` (a graded function and the reference code that answers it,
``RELATED`` of :mod:`dnn_ref.grading.taken_away`) by a ``raise ReferenceUnavailable`` with
a message saying why; :func:`stub_module` replaces a whole module (the diagnoses) by stubs
of the same names. :mod:`autograder.sandbox.student_view` (the grading sandbox) and
:mod:`autograder.kit.edition` (the student kit) write their copies of ``dnn_ref`` with them.
"""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Iterable

from dnn_ref.grading.taken_away import (
    RELATED,
    UNAVAILABLE_CHECKER,
    UNAVAILABLE_OWN,
    UNAVAILABLE_RELATED,
)

EXCEPTION_MODULE = "_unavailable"
EXCEPTION_SOURCE = '''"""Only in the grading sandbox's copy of dnn_ref."""


class ReferenceUnavailable(RuntimeError):
    """Raised by reference code that is not available while a notebook is graded."""
'''


class ReferenceUnavailable(RuntimeError):
    """The exception the view's stubs raise (the view defines its own copy of this class)."""


def message(qualname: str, why: str) -> str:
    """The text of a stub's ReferenceUnavailable: ``why`` is one of
    :data:`~dnn_ref.grading.taken_away.UNAVAILABLE` with ``{qualname}`` still to fill."""
    return why.replace("{qualname}", qualname)


def _why(graded: str, own: bool) -> str:
    return (UNAVAILABLE_OWN if own else UNAVAILABLE_RELATED).replace("{graded}", graded)


CHECKER_WHY = UNAVAILABLE_CHECKER


# ------------------------------------------------------------------------------- rewriting
def _stub_body(text: str) -> list[ast.stmt]:
    raise_ = ast.Raise(exc=ast.Call(func=ast.Name("ReferenceUnavailable", ast.Load()),
                                    args=[ast.Constant(text)], keywords=[]), cause=None)
    return [ast.Expr(ast.Constant(text)), raise_]


class _Stubber(ast.NodeTransformer):
    """Replace the bodies of functions whose dotted qualname matches a pattern."""

    def __init__(self, module: str, patterns: dict[str, str]) -> None:
        self.module, self.patterns, self.path = module, patterns, []
        self.stubbed: list[str] = []

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        self.path.append(node.name)
        qual = ".".join(self.path)
        why = next((w for p, w in self.patterns.items() if fnmatch.fnmatchcase(qual, p)), None)
        if why is None:
            self.generic_visit(node)
        else:
            node.body = _stub_body(message(f"dnn_ref.{self.module}.{qual}", why))
            self.stubbed.append(qual)
        self.path.pop()
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.path.append(node.name)
        self.generic_visit(node)
        self.path.pop()
        return node


def _import_exception(tree: ast.Module) -> None:
    """Insert ``from dnn_ref._unavailable import ReferenceUnavailable`` after the docstring
    and ``from __future__`` imports."""
    at = 0
    for i, stmt in enumerate(tree.body):
        docstring = i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        if docstring or (isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"):
            at = i + 1
    tree.body.insert(at, ast.ImportFrom(f"dnn_ref.{EXCEPTION_MODULE}",
                                        [ast.alias("ReferenceUnavailable")], 0))


def stub_functions(source: str, module: str, patterns: dict[str, str]) -> tuple[str, list[str]]:
    """``source`` with the bodies of the matching functions replaced by a raise.

    Parameters
    ----------
    source : str
        A module's source.
    module : str
        Its dotted name inside dnn_ref (``"network"``), for the messages.
    patterns : dict
        fnmatch pattern on the dotted qualname (``"Value.*._backward"``) -> the
        reason given in the message.

    Returns
    -------
    source : str
        The rewritten module (unchanged text if nothing matched).
    stubbed : list of str
        The qualnames stubbed.
    """
    tree = ast.parse(source)
    stubber = _Stubber(module, patterns)
    tree = stubber.visit(tree)
    if not stubber.stubbed:
        return source, []
    _import_exception(tree)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n", stubber.stubbed


def stub_module(source: str, module: str) -> str:
    """A module of the same top-level names whose functions and classes all raise.

    Functions take any arguments; classes derive from Exception (so ``except``
    clauses and annotations naming them still work) and raise when
    instantiated; imports stay (so re-exported names still import); every
    other top-level name is bound to ``object``.
    """
    tree = ast.parse(source)
    full = f"dnn_ref.{module}"
    lines = [f'"""{full} is not available while a notebook is graded (grading sandbox)."""',
             f"from dnn_ref.{EXCEPTION_MODULE} import ReferenceUnavailable", ""]
    for stmt in tree.body:
        why = repr(message(f"{full}.{getattr(stmt, 'name', '')}", CHECKER_WHY))
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            lines += [f"def {stmt.name}(*args, **kwargs):",
                      f"    raise ReferenceUnavailable({why})", ""]
        elif isinstance(stmt, ast.ClassDef):
            lines += [f"class {stmt.name}(Exception):", "    def __init__(self, *args, **kwargs):",
                      f"        raise ReferenceUnavailable({why})", ""]
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            if getattr(stmt, "module", None) != "__future__":
                lines.append(ast.unparse(stmt))
        else:
            lines += [f"{name} = object" for name in _assigned(stmt)]
    return "\n".join(lines) + "\n"


def _assigned(stmt: ast.stmt) -> list[str]:
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
        targets = [stmt.target]
    elif hasattr(ast, "TypeAlias") and isinstance(stmt, ast.TypeAlias):
        targets = [stmt.name]
    names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return [n for n in names if n != "__all__"]


# ---------------------------------------------------------------------------------- views
def patterns_for(graded: Iterable[str], module: str) -> dict[str, str]:
    """fnmatch pattern -> reason, for one module of dnn_ref, given the graded names."""
    out = {name: _why(name, own=True) for name in graded}
    for name in graded:
        for pattern in RELATED.get(name, {}).get(module, ()):
            out.setdefault(pattern, _why(name, own=False))
    return out
