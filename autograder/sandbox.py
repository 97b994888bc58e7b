"""Run a student's answer cells in a separate, limited process and bring back plain data.

The grading process never trusts the student's kernel. It sends this module's
``main`` (run as ``python -m autograder.sandbox``) a JSON request: the answer
cells' code, the graded function names, the cases' arguments as plain data, and
the reference functions to make unavailable. The child

* caps its own memory (RLIMIT_AS) and CPU time (RLIMIT_CPU), and the parent
  kills it after a wall-clock timeout;
* shows student code the ``dnn_ref`` modules with the reference implementations
  of the graded functions, and the checkers, replaced by stubs that raise
  :class:`ReferenceUnavailable`;
* runs the cells one by one with stdout and stderr sent to /dev/null (a cell
  that fails or loops is abandoned, as in the notebook's kernel), calls each
  graded function on each case under a time limit, and writes back JSON:
  arrays as nested lists, never a pickle, so nothing the student defines can
  run in the grading process.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

MEMORY_LIMIT_MB = 2048
TIMEOUT_S = 120
STEP_TIMEOUT_S = 20
NOT_DEFINED = "is not defined as a function"


class ReferenceUnavailable(RuntimeError):
    """Raised in the sandbox when student code calls a graded reference function."""


# ---------------------------------------------------------------- plain data
def to_plain(x: Any) -> Any:
    """Encode arrays, tuples and dicts as JSON-safe data (arrays tagged with their shape)."""
    if isinstance(x, np.ndarray | np.generic):
        a = np.asarray(x)
        if a.dtype.kind in "biuf":
            return {"__array__": np.asarray(a, dtype=float).tolist(), "shape": list(a.shape)}
        return {"__repr__": repr(x)[:200]}
    if isinstance(x, bool | int | float | str) or x is None:
        return x
    if isinstance(x, tuple):
        return {"__tuple__": [to_plain(v) for v in x]}
    if isinstance(x, list):
        return [to_plain(v) for v in x]
    if isinstance(x, dict):
        return {"__dict__": [[str(k), to_plain(v)] for k, v in x.items()]}
    return {"__repr__": f"<{type(x).__name__} object>"}


def from_plain(x: Any) -> Any:
    """Inverse of :func:`to_plain`; unknown objects come back as a :class:`Opaque`."""
    if isinstance(x, list):
        return [from_plain(v) for v in x]
    if not isinstance(x, dict):
        return x
    if "__array__" in x:
        return np.asarray(x["__array__"], dtype=float).reshape(x["shape"])
    if "__tuple__" in x:
        return tuple(from_plain(v) for v in x["__tuple__"])
    if "__dict__" in x:
        return {k: from_plain(v) for k, v in x["__dict__"]}
    if "__returned__" in x:
        return Returned(from_plain(x["__returned__"]), from_plain(x["args_after"]))
    if "__error__" in x:
        return CallError(x["__error__"], x["message"])
    return Opaque(x["__repr__"])


@dataclass(frozen=True)
class Opaque:
    """A returned value that is not plain data (its repr, for the message)."""

    text: str


@dataclass(frozen=True)
class Returned:
    """What a call returned, and its arguments afterwards (to see in-place updates)."""

    value: Any
    args_after: tuple


@dataclass(frozen=True)
class CallError:
    """The student's function raised ``exc_type``: ``message``."""

    exc_type: str
    message: str


# ---------------------------------------------------------------- parent side
@dataclass
class SandboxResult:
    """Per call key, one :class:`Returned` or :class:`CallError` per case; or why the run failed."""

    results: dict[str, list[Any]]
    failure: str | None = None
    cell_errors: list[CallError] = field(default_factory=list)


def run(cells: list[str], calls: dict[str, list[tuple]], blocked: list[str],
        timeout: float = TIMEOUT_S, memory_mb: int = MEMORY_LIMIT_MB,
        step_timeout: float = STEP_TIMEOUT_S) -> SandboxResult:
    """Run the cells in a fresh limited process and call the graded functions on the cases.

    Parameters
    ----------
    cells : list of str
        The code cells to run first, in notebook order (set-up and answer
        cells). Like the notebook's own kernel, a cell that raises or runs
        longer than ``step_timeout`` is abandoned and the next one runs.
    calls : dict
        Call key -> list of argument tuples (plain numpy data). A key is a
        function name (``"backprop"``), or a name followed by ``|`` and
        comma-separated names of functions to swap for their reference
        versions in the function's globals during the call
        (``"backprop|one_layer_backward"``).
    blocked : list of str
        Names in ``dnn_ref`` to make unavailable (the reference of what is graded).
    timeout : float
        Wall-clock limit for the whole run, in seconds.
    """
    request = {"cells": cells, "blocked": blocked, "memory_mb": memory_mb,
               "step_timeout": step_timeout,
               "calls": {key: [to_plain(tuple(args)) for args in cases]
                         for key, cases in calls.items()}}
    with tempfile.TemporaryDirectory(prefix="sandbox-") as tmp:
        req_path, out_path = os.path.join(tmp, "request.json"), os.path.join(tmp, "result.json")
        with open(req_path, "w") as f:
            json.dump(request, f)
        env = {k: v for k, v in os.environ.items() if not k.startswith("JPY_")}
        env["MPLBACKEND"] = "Agg"
        try:
            proc = subprocess.run([sys.executable, "-m", "autograder.sandbox", req_path, out_path],
                                  cwd=tmp, env=env, timeout=timeout, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except subprocess.TimeoutExpired:
            return SandboxResult({}, f"your code did not finish within {timeout:.0f} s "
                                     "(an infinite loop?)")
        if not os.path.exists(out_path):
            return SandboxResult({}, "your code could not be run on its own: it "
                                 + _why_stopped(proc, memory_mb))
        with open(out_path) as f:
            out = json.load(f)
    return SandboxResult({key: [from_plain(r) for r in results]
                          for key, results in out["results"].items()},
                         cell_errors=[from_plain(e) for e in out["cell_errors"]])


def _why_stopped(proc: subprocess.CompletedProcess, memory_mb: int) -> str:
    last = (proc.stderr.decode(errors="replace").strip().splitlines() or [""])[-1]
    if "MemoryError" in last:
        return f"ran out of memory (limit {memory_mb} MB)"
    if proc.returncode < 0:
        sig = -proc.returncode
        name = {9: "SIGKILL", 11: "SIGSEGV", 24: "SIGXCPU (CPU time limit)"}.get(sig, str(sig))
        return f"was killed by signal {name}"
    return f"stopped with exit code {proc.returncode} ({last or 'no message'})"


# ---------------------------------------------------------------- child side
def _limit(memory_mb: int, cpu_s: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))


class _StepTimeout(BaseException):
    """Raised in the sandbox when one cell or one call runs too long."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def expire(_signum: int, _frame: object) -> None:
        raise _StepTimeout(f"did not finish within {seconds:g} s (an infinite loop?)")

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _block_reference(names: list[str]) -> dict[str, Any]:
    """Show student code copies of the dnn_ref modules without the graded references.

    Every ``dnn_ref`` module in ``sys.modules`` is replaced by a proxy holding
    the same names, except that each name in ``names`` is a stub raising
    :class:`ReferenceUnavailable`, and the checkers module holds only stubs.
    The real modules live on behind the proxies, so the reference functions
    still work inside (for calls that swap a reference helper in). This stops
    the plain ways of reaching the reference (``dnn_ref.backprop``, ``from
    dnn_ref.network import ...``, ``importlib.reload``); it is not a wall
    against code written to dig it out (through a function's ``__globals__``).

    Returns
    -------
    dict
        A correct implementation of every graded function, by name.
    """
    import dnn_ref
    import dnn_ref.grading

    real = dict(dnn_ref.grading.REFERENCES)

    def stub(name: str, what: str) -> Any:
        def unavailable(*_args: Any, **_kwargs: Any) -> Any:
            raise ReferenceUnavailable(f"calls {what} {name}, which is not available while "
                                       "grading: write your own")
        return unavailable

    proxies: dict[str, ModuleType] = {}
    for key, module in list(sys.modules.items()):
        if key.split(".")[0] != "dnn_ref" or module is None:
            continue
        proxy = ModuleType(key, module.__doc__)
        if key == "dnn_ref.grading":
            public = [n for n in vars(module) if not n.startswith("_")]
            proxy.__dict__.update({n: stub(f"dnn_ref.grading.{n}", "the checkers'")
                                   for n in public})
        else:
            proxy.__dict__.update({n: v for n, v in vars(module).items() if n != "__getattr__"})
            for name in names:
                if name in proxy.__dict__:
                    setattr(proxy, name, stub(f"dnn_ref.{name}", "the reference implementation"))
        proxies[key] = proxy
    for key, proxy in proxies.items():
        parent, _, child = key.rpartition(".")
        if parent in proxies:
            setattr(proxies[parent], child, proxy)
        sys.modules[key] = proxy
    sys.meta_path.insert(0, _NoReload(set(proxies)))
    return real


class _NoReload:
    """A meta-path finder that refuses to find the proxied modules again (importlib.reload)."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name in self.names:
            raise ImportError(f"{name} cannot be reloaded while grading")
        return None


def _error(exc: BaseException, memory_mb: int) -> dict[str, str]:
    if isinstance(exc, MemoryError):
        message = f"ran out of memory (limit {memory_mb} MB)"
    else:
        message = str(exc)[:500]
    return {"__error__": type(exc).__name__, "message": message}


def _call(namespace: dict[str, Any], key: str, args: tuple, real: dict[str, Any]) -> Any:
    name, _, swaps = key.partition("|")
    fn = namespace.get(name)
    if not callable(fn):
        raise NameError(f"name {name!r} {NOT_DEFINED}")
    swapped = [s for s in swaps.split(",") if s]
    saved = {s: namespace[s] for s in swapped if s in namespace}
    try:
        namespace.update({s: real[s] for s in swapped})
        return fn(*args)
    finally:
        for s in swapped:
            namespace.pop(s, None)
        namespace.update(saved)


def main(req_path: str, out_path: str) -> None:
    with open(req_path) as f:
        request = json.load(f)
    memory_mb, step = request["memory_mb"], request["step_timeout"]
    _limit(memory_mb, TIMEOUT_S)
    real = _block_reference(request["blocked"])
    devnull = open(os.devnull, "w")  # noqa: SIM115 - stays open for the student's code
    sys.stdout = sys.stderr = devnull
    namespace: dict[str, Any] = {"__name__": "__main__"}
    out: dict[str, Any] = {"cell_errors": [], "results": {}}
    for i, cell in enumerate(request["cells"]):
        try:
            with _time_limit(step):
                exec(compile(cell, f"<cell {i}>", "exec"), namespace)
        except BaseException as exc:  # noqa: BLE001 - the notebook's kernel goes on too
            out["cell_errors"].append(_error(exc, memory_mb))
    for key, cases in request["calls"].items():
        results: list[Any] = []
        for plain_args in cases:
            last = results[-1] if results else None
            if isinstance(last, dict) and last.get("__error__") == "_StepTimeout":
                results.append(results[-1])  # one infinite loop is enough to know
                continue
            try:
                args = from_plain(plain_args)
                with _time_limit(step):
                    returned = _call(namespace, key, args, real)
                results.append({"__returned__": to_plain(returned), "args_after": to_plain(args)})
            except BaseException as exc:  # noqa: BLE001 - reported per case
                results.append(_error(exc, memory_mb))
        out["results"][key] = results
    with open(out_path, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
