"""The ``dnn_ref`` a graded notebook's kernel sees: the package without the answers.

A sandboxed kernel must import ``dnn_ref`` (the notebooks' set-up cells do),
yet the source of the reference implementation of every graded function must
not be on its disk at all. :func:`build_view` writes a copy of the package in
which, rewritten with :mod:`ast`,

* each graded function of the assignment, and the reference code that answers
  it almost whole (``RELATED`` of :mod:`dnn_ref.grading.taken_away`, which the
  at-home check reads too: ``linear_backward`` and
  ``Layer.backward`` for backprop, the ``_backward`` closures of
  :class:`~dnn_ref.graph.Value` for graphs, ``binary_cross_entropy`` for the
  cost, ...), keeps its name and signature but its body only raises
  :class:`ReferenceUnavailable` with a message saying why;
* the modules of the checker's answer-computing code (``WHOLESALE``: the
  diagnoses package) are replaced by such stubs entirely (constants too);
* everything else (data sets, plots, the recorder, the visible case recipes)
  is copied unchanged, so ``import dnn_ref.grading`` and friends still work.

Views are cached per assignment, graded set and package source hash in a
private folder (mode 700) of the user's cache, ``~/.cache/dnn-ref-views``
(``$XDG_CACHE_HOME``), where no cleaner of temporary files reaches them; each
view keeps a manifest of its files' hashes, checked every time the view is
used: a view with a file missing, changed or added (a half-deleted cache) is
rebuilt. The sandbox binds one read-only over the package's folder.
"""

from __future__ import annotations

import ast
import compileall
import fnmatch
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from dnn_ref.grading.taken_away import RELATED, WHOLESALE, wholesale

EXCEPTION_MODULE = "_unavailable"
EXCEPTION_SOURCE = '''"""Only in the grading sandbox's copy of dnn_ref."""


class ReferenceUnavailable(RuntimeError):
    """Raised by reference code that is not available while a notebook is graded."""
'''


class ReferenceUnavailable(RuntimeError):
    """The exception the view's stubs raise (the view defines its own copy of this class)."""


def package_dir() -> Path:
    """The folder of the installed ``dnn_ref`` package (editable or not), without importing it."""
    spec = importlib.util.find_spec("dnn_ref")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("dnn_ref is not installed in this Python (run `make install`)")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def message(qualname: str, why: str) -> str:
    """The text of a stub's ReferenceUnavailable."""
    return f"{qualname} is not available while your notebook is graded: {why}"


def _why(graded: str, own: bool) -> str:
    if own:
        return f"this assignment grades your own {graded}: write it and call yours."
    return (f"it computes most of {graded}, which this assignment asks you to write; "
            "use your own functions.")


CHECKER_WHY = ("the checker's reference answers are computed outside the sandbox; "
               "while grading, check_<name> only records what your function returns.")


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


def _module_name(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def write_view(source: Path, target: Path, graded: Sequence[str]) -> list[str]:
    """Write the student view of the package at ``source`` into the new folder ``target``.

    Returns
    -------
    list of str
        ``"module:qualname"`` of every stubbed definition, and ``"module:*"``
        for the modules stubbed whole.
    """
    stubbed: list[str] = []
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo") or path.is_dir():
            continue
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix != ".py":
            shutil.copyfile(path, out)
            continue
        module, text = _module_name(rel), path.read_text(encoding="utf-8")
        if wholesale(module):
            text = stub_module(text, module)
            stubbed.append(f"{module}:*")
        else:
            text, names = stub_functions(text, module, patterns_for(graded, module))
            stubbed += [f"{module}:{n}" for n in names]
        out.write_text(text, encoding="utf-8")
    (target / f"{EXCEPTION_MODULE}.py").write_text(EXCEPTION_SOURCE, encoding="utf-8")
    return stubbed


def source_hash(source: Path) -> str:
    """sha256 of the package's files and of the rewriting rules (this module's text and the
    rules as loaded: a process that imported an older version builds a view of its own)."""
    h = hashlib.sha256(Path(__file__).read_bytes() + repr((RELATED, WHOLESALE)).encode())
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            h.update(str(path.relative_to(source)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


CACHE_NAME = "dnn-ref-views"
MANIFEST = "manifest.json"
"""Next to a view's ``dnn_ref`` folder: relative path -> sha256 of every file in it."""


def cache_root() -> Path:
    """This user's private folder of views (refuses one that others could have prepared):
    in the user's cache, or, for an account without a writable home, in the temporary
    folder (the manifest check then rebuilds what a cleaner removes)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    root = base / CACHE_NAME
    try:
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        root.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        root = Path(tempfile.gettempdir()) / f"{CACHE_NAME}-{os.geteuid()}"
        root.mkdir(mode=0o700, exist_ok=True)
    st = root.lstat()
    if not root.is_dir() or root.is_symlink() or st.st_uid != os.geteuid() or st.st_mode & 0o077:
        raise RuntimeError(f"{root} is not a private folder of this user; remove it and retry")
    return root


def _hashes(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file (and link) under ``folder``."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_dir():
            data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            out[path.relative_to(folder).as_posix()] = hashlib.sha256(data).hexdigest()
    return out


def intact(view: Path) -> bool:
    """Whether the view folder ``view`` (holding ``dnn_ref/``) matches its manifest."""
    try:
        manifest = json.loads((view / MANIFEST).read_text())
        return isinstance(manifest, dict) and bool(manifest) and \
            _hashes(view / "dnn_ref") == manifest
    except (OSError, ValueError):
        return False


def build_view(assignment: str, graded: Sequence[str], *, source: Path | None = None) -> Path:
    """The cached student view of dnn_ref for ``assignment``; built on first use, rebuilt
    whenever it does not match its manifest.

    Parameters
    ----------
    assignment : str
        The assignment's name (part of the cache key and the folder name).
    graded : sequence of str
        The graded function names (see ``dnn_ref.grading.ASSIGNMENTS``).
    source : Path, optional
        The package folder to copy; default: the installed ``dnn_ref``.

    Returns
    -------
    Path
        A folder named ``dnn_ref`` holding the view, readable by everyone and
        compiled to bytecode (with the original folder as the file names in
        tracebacks).
    """
    source = (source or package_dir()).resolve()
    key = hashlib.sha256(f"{assignment}\0{sorted(set(graded))}\0{source_hash(source)}"
                         .encode()).hexdigest()[:20]
    root = cache_root()
    final = root / f"{assignment}-{key}"
    if intact(final):
        return final / "dnn_ref"
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        write_view(source, tmp / "dnn_ref", sorted(set(graded)))
        compileall.compile_dir(str(tmp / "dnn_ref"), quiet=1, ddir=str(source), workers=1)
        for path in [tmp, *tmp.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        (tmp / MANIFEST).write_text(json.dumps(_hashes(tmp / "dnn_ref")))
        _publish(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final / "dnn_ref"


def _publish(built: Path, final: Path) -> None:
    """Put the view ``built`` at ``final``; a broken view there is moved aside and removed,
    an intact one (another grader published it first) is kept."""
    try:
        built.rename(final)
        return
    except OSError:
        pass
    if intact(final):
        shutil.rmtree(built, ignore_errors=True)
        return
    broken = Path(tempfile.mkdtemp(prefix=".broken-", dir=final.parent))
    try:
        final.rename(broken / "view")
    except FileNotFoundError:
        pass
    try:
        built.rename(final)
    except OSError:            # another grader's intact view came first
        if not intact(final):
            raise
        shutil.rmtree(built, ignore_errors=True)
    shutil.rmtree(broken, ignore_errors=True)
