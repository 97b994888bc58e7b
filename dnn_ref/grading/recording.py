"""Record what a graded function returns on the grader's cases; no verdict is given here.

While a notebook is graded, its kernel runs in a sandbox with
``$DNN_GRADING_DIR`` set (:data:`GRADING_DIR_ENV`). The grader has written the
cases there beforehand, one file per graded function and visibility::

    $DNN_GRADING_DIR/cases/<name>-<visible|hidden>.json

and each ``check_<name>(fn, hidden=...)`` of :mod:`dnn_ref.grading` calls
:func:`record` instead of judging: ``fn`` runs on a deep copy of every case,
and what it returned (or raised) is written as plain JSON to::

    $DNN_GRADING_DIR/out/<seq>-<name>-<visible|hidden>.json

The grader, outside the sandbox, reads those files after each test cell and
judges them with the reference. Nothing the kernel prints counts.

A composite (``backprop``, ``graph_gradients``) is also run a second time with
its helpers, looked up by name in ``fn.__globals__``, replaced by *probes*:
deterministic stand-ins whose outputs have the right shapes and depend on
their inputs (they are not the reference formulas). The grader computes what a
correctly wired composite returns with the same probes, so it can tell a
composite that is right on its own from one whose helper is at fault, without
any reference code in the sandbox.

The plain codec (:func:`to_plain`, :func:`from_plain`) is JSON: arrays become
``{"__array__": nested lists, "shape": [...]}``, tuples and dicts are tagged,
anything else becomes its type name. Nothing is ever pickled.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import re
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

GRADING_DIR_ENV = "DNN_GRADING_DIR"
MAX_RECORD_BYTES = 8 * 2**20
"""A record larger than this is written without its values (the grader refuses bigger files)."""
MAX_DEPTH = 12
"""Nesting deeper than this is not plain data (a cycle, or an attempt to exhaust the judge)."""

COMPOSITES: dict[str, tuple[str, ...]] = {
    "backprop": ("one_layer_backward",),
    "graph_gradients": ("add_backward", "multiply_backward"),
}
"""Composite graded functions and the helpers they call by name."""


# --------------------------------------------------------------------------- codec
def to_plain(x: Any, depth: int = 0) -> Any:
    """Encode arrays, numbers, tuples, lists and dicts as JSON-safe data.

    Arrays of numbers (and numpy scalars) become ``{"__array__": list, "shape":
    list}`` of floats; tuples ``{"__tuple__": [...]}``; dicts ``{"__dict__":
    [[str(key), value], ...]}``; anything else ``{"__repr__": "<Type object>"}``.
    """
    if depth > MAX_DEPTH:
        return {"__repr__": "<nested too deeply>"}
    if isinstance(x, bool | int | float | str) or x is None:
        return x
    if isinstance(x, np.ndarray | np.generic):
        a = np.asarray(x)
        if a.dtype.kind in "biuf":
            return {"__array__": np.asarray(a, dtype=float).tolist(), "shape": list(a.shape)}
        return {"__repr__": f"<array of dtype {a.dtype}>"}
    if isinstance(x, tuple):
        return {"__tuple__": [to_plain(v, depth + 1) for v in x]}
    if isinstance(x, list):
        return [to_plain(v, depth + 1) for v in x]
    if isinstance(x, dict):
        return {"__dict__": [[str(k), to_plain(v, depth + 1)] for k, v in x.items()]}
    return {"__repr__": f"<{type(x).__name__} object>"}


class Opaque:
    """A value that was not plain data (its description, for messages).

    :func:`opaque` makes it an instance of a subclass named after the student's
    type, so a message that names the type of a result ("a EqualToEverything")
    reads as it would have in the kernel.
    """

    def __init__(self, text: str):
        self.text = str(text)[:200]

    def __repr__(self) -> str:
        return self.text


_OPAQUE_TYPES: dict[str, type] = {}


def opaque(text: str) -> Opaque:
    """An :class:`Opaque` for ``"<TypeName object>"`` whose class is called TypeName."""
    m = re.fullmatch(r"<([A-Za-z_]\w{0,59}) object>", str(text))
    if not m:
        return Opaque(text)
    cls = _OPAQUE_TYPES.setdefault(m.group(1), type(m.group(1), (Opaque,), {}))
    return cls(text)


def from_plain(x: Any, depth: int = 0) -> Any:
    """Inverse of :func:`to_plain`; anything malformed comes back as an :class:`Opaque`."""
    if depth > MAX_DEPTH + 2:
        return Opaque("<nested too deeply>")
    if isinstance(x, list):
        return [from_plain(v, depth + 1) for v in x]
    if not isinstance(x, dict):
        return x if isinstance(x, bool | int | float | str) or x is None else Opaque("?")
    try:
        if "__array__" in x:
            shape = [int(n) for n in x["shape"]]
            return np.asarray(x["__array__"], dtype=float).reshape(shape)
        if "__tuple__" in x:
            return tuple(from_plain(v, depth + 1) for v in x["__tuple__"])
        if "__dict__" in x:
            return {str(k): from_plain(v, depth + 1) for k, v in x["__dict__"]}
        return opaque(x.get("__repr__", "<unknown object>"))
    except (TypeError, ValueError, KeyError):
        return Opaque("<malformed value>")


# --------------------------------------------------------------------------- files
def kind(hidden: bool) -> str:
    return "hidden" if hidden else "visible"


def cases_file(root: Path, name: str, hidden: bool) -> Path:
    """Where the grader puts the cases of ``name`` (``root`` = the grading dir)."""
    return Path(root) / "cases" / f"{name}-{kind(hidden)}.json"


def write_cases(root: Path, name: str, hidden: bool, cases: list[tuple[str, tuple]]) -> None:
    """Write ``[(label, args), ...]`` for the kernel (the grader's side)."""
    path = cases_file(root, name, hidden)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"name": name, "hidden": hidden, "cases": [
        {"label": label, "args": to_plain(tuple(args))} for label, args in cases]}))


def active() -> bool:
    """True while a notebook is being graded (the grading dir is set and exists)."""
    folder = os.environ.get(GRADING_DIR_ENV)
    return bool(folder) and Path(folder).is_dir()


# --------------------------------------------------------------------------- probes
def probe_one_layer_backward(dA: Any, cache: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stand-in for one_layer_backward: outputs of shapes A_prev, W, b that depend on dA, Z, W.

    Not the gradient: ``dA_prev = Wᵀ(0.5·dA + 0.1·tanh Z)``, ``dW = (dA − 0.2·Z)·A_prevᵀ/7``,
    ``db = Σ_examples(0.3·dA + cos Z)``.
    """
    (A_prev, W, _), Z = cache
    dA, A_prev, W, Z = (np.asarray(v, dtype=float) for v in (dA, A_prev, W, Z))
    dA_prev = W.T @ (0.5 * dA + 0.1 * np.tanh(Z))
    dW = (dA - 0.2 * Z) @ A_prev.T / 7.0
    db = np.sum(0.3 * dA + np.cos(Z), axis=1, keepdims=True)
    return dA_prev, dW, db


def probe_add_backward(dout: Any) -> tuple[Any, Any]:
    """Stand-in for add_backward: two different values that depend on dout."""
    d = np.asarray(dout, dtype=float)
    return 1.5 * d + 0.25, 1.0 - 0.5 * d


def probe_multiply_backward(x: Any, y: Any, dout: Any) -> tuple[Any, Any]:
    """Stand-in for multiply_backward: not symmetric in x and y, so a swap shows."""
    x, y, d = (np.asarray(v, dtype=float) for v in (x, y, dout))
    return 1.1 * d * (y + 0.5), d * (0.7 * x - 2.0)


PROBES: dict[str, Callable[..., Any]] = {
    "one_layer_backward": probe_one_layer_backward,
    "add_backward": probe_add_backward,
    "multiply_backward": probe_multiply_backward,
}


# --------------------------------------------------------------------------- recording
@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """No prints, warnings or floating-point warnings from student code while it is recorded."""
    with np.errstate(all="ignore"), warnings.catch_warnings(), \
            contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


def _raised(exc: Exception) -> dict[str, Any]:
    """The exception as plain data, with the deepest line of student code (not dnn_ref's:
    a stand-in's ``raise ReferenceUnavailable(...)`` is not where the student went wrong)."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not os.path.abspath(f.filename).startswith(here)
              and f"{os.sep}numpy{os.sep}" not in f.filename]
    frame = frames[-1] if frames else None
    return {"type": type(exc).__name__, "message": str(exc)[:2000],
            "line": frame.line if frame else None, "where": frame.name if frame else None}


def _run(fn: Callable, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for case in cases:
        args = copy.deepcopy(from_plain(case["args"]))
        with _quiet():
            try:
                returned = fn(*args)
            except Exception as exc:  # student code may raise anything; the grader says what
                out.append({"raised": _raised(exc)})
                continue
            out.append({"returned": to_plain(returned), "args_after": to_plain(args)})
    return out


def _probe_run(name: str, fn: Callable, cases: list[dict[str, Any]]) -> dict[str, Any]:
    """Run a composite with its helpers replaced by the probes (in its own globals)."""
    namespace = getattr(fn, "__globals__", None)
    if not isinstance(namespace, dict):
        return {"swapped": [], "results": []}
    helpers = [h for h in COMPOSITES[name] if h in namespace]
    saved = {h: namespace[h] for h in helpers}
    namespace.update({h: PROBES[h] for h in helpers})
    try:
        results = _run(fn, cases)
    finally:
        namespace.update(saved)
    return {"swapped": helpers, "results": results}


def _write(folder: Path, name: str, hidden: bool, record: dict[str, Any]) -> Path:
    text = json.dumps(record)
    if len(text) > MAX_RECORD_BYTES:
        text = json.dumps({"name": name, "hidden": hidden, "too_large": len(text)})
    folder.mkdir(parents=True, exist_ok=True)
    seq = len(list(folder.iterdir()))
    while True:
        path = folder / f"{seq:05d}-{name}-{kind(hidden)}.json"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            seq += 1
            continue
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return path


def record(name: str, fn: Callable, *, hidden: bool = False) -> None:
    """Run ``fn`` on the grader's cases of ``name`` and write what it returned, for the grader.

    Prints one neutral line; the verdict is given outside the notebook.
    """
    root = Path(os.environ[GRADING_DIR_ENV])
    source = cases_file(root, name, hidden)
    if not source.is_file():
        raise RuntimeError(f"the grader has no {kind(hidden)} cases for {name}")
    cases = json.loads(source.read_text())["cases"]
    rec: dict[str, Any] = {"name": name, "hidden": hidden}
    if not callable(fn):
        rec["not_callable"] = type(fn).__name__
    else:
        rec["results"] = _run(fn, cases)
        if name in COMPOSITES:
            rec["probe"] = _probe_run(name, fn, cases)
    _write(root / "out", name, hidden, rec)
    print(f"{name}: ran on the {len(cases)} {kind(hidden)} cases; "
          "the grader gives the verdict.")
