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
  ``ReferenceUnavailable`` with a message saying why (:mod:`autograder.sandbox.stubs`);
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

import compileall
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from autograder.sandbox import stubs
from autograder.sandbox.stubs import (
    EXCEPTION_MODULE,
    EXCEPTION_SOURCE,
    patterns_for,
    stub_functions,
    stub_module,
)
from dnn_ref.grading.taken_away import RELATED, WHOLESALE, wholesale


def package_dir() -> Path:
    """The folder of the installed ``dnn_ref`` package (editable or not), without importing it."""
    spec = importlib.util.find_spec("dnn_ref")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("dnn_ref is not installed in this Python (run `make install`)")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


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
    """sha256 of the package's files and of the rewriting rules (this module's and
    :mod:`~autograder.sandbox.stubs`' text, and the rules as loaded: a process that imported
    an older version builds a view of its own)."""
    h = hashlib.sha256(Path(__file__).read_bytes() + Path(stubs.__file__).read_bytes()
                       + repr((RELATED, WHOLESALE)).encode())
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
