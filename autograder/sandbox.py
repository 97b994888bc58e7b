"""Run a student's answer cells in a separate, limited process and bring back plain data.

The grading process never trusts the student's kernel. It sends this module's
``main`` (run as ``python -m autograder.sandbox``) a JSON request: the answer
cells' code, the graded function names, the cases' arguments as plain data, and
the reference functions to make unavailable. The child

* caps its own memory (RLIMIT_AS) and CPU time (RLIMIT_CPU), and the parent
  kills it after a wall-clock timeout;
* replaces the reference implementations of the graded functions by stubs that
  raise :class:`ReferenceUnavailable`, and makes ``dnn_ref.grading`` unimportable;
* runs the code with stdout and stderr sent to /dev/null, calls each graded
  function on each case, and writes back JSON: arrays as nested lists, never
  a pickle, so nothing the student defines can run in the grading process.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

import numpy as np

MEMORY_LIMIT_MB = 2048
TIMEOUT_S = 60


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
    if "__error__" in x:
        return CallError(x["__error__"], x["message"])
    return Opaque(x["__repr__"])


@dataclass(frozen=True)
class Opaque:
    """A returned value that is not plain data (its repr, for the message)."""

    text: str


@dataclass(frozen=True)
class CallError:
    """The student's function raised ``exc_type``: ``message``."""

    exc_type: str
    message: str


# ---------------------------------------------------------------- parent side
@dataclass
class SandboxResult:
    """Results per function name (one entry per case), or why the run failed."""

    results: dict[str, list[Any]]
    failure: str | None = None


def run(code: str, calls: dict[str, list[tuple]], blocked: list[str],
        timeout: float = TIMEOUT_S, memory_mb: int = MEMORY_LIMIT_MB) -> SandboxResult:
    """Run ``code`` in a fresh limited process and call the graded functions on the cases.

    Parameters
    ----------
    code : str
        The answer cells (and the set-up cells they need), in notebook order.
    calls : dict
        Function name -> list of argument tuples (plain numpy data).
    blocked : list of str
        Names in ``dnn_ref`` to make unavailable (the reference of what is graded).
    """
    request = {"code": code, "blocked": blocked, "memory_mb": memory_mb,
               "calls": {name: [to_plain(tuple(args)) for args in cases]
                         for name, cases in calls.items()}}
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
    if out.get("failure"):
        return SandboxResult({}, out["failure"])
    return SandboxResult({name: [from_plain(r) for r in results]
                          for name, results in out["results"].items()})


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


def _block_reference(names: list[str]) -> None:
    """Replace the reference functions by stubs; forbid dnn_ref.grading."""
    import dnn_ref
    import dnn_ref.network

    for name in names:
        def stub(*_args: Any, _name: str = name, **_kwargs: Any) -> Any:
            raise ReferenceUnavailable(
                f"calls the reference implementation dnn_ref.{_name}, which is not available "
                "while grading: write your own")
        for module in (dnn_ref, dnn_ref.network):
            if hasattr(module, name):
                setattr(module, name, stub)
    dnn_ref.network.__spec__ = None      # importlib.reload cannot bring the reference back
    sys.modules["dnn_ref.grading"] = None  # type: ignore[assignment]


def main(req_path: str, out_path: str) -> None:
    with open(req_path) as f:
        request = json.load(f)
    _limit(request["memory_mb"], TIMEOUT_S)
    _block_reference(request["blocked"])
    devnull = open(os.devnull, "w")  # noqa: SIM115 - stays open for the student's code
    sys.stdout = sys.stderr = devnull
    namespace: dict[str, Any] = {"__name__": "__main__"}
    out: dict[str, Any] = {"results": {}}
    try:
        exec(compile(request["code"], "<your answer cells>", "exec"), namespace)
    except BaseException as exc:  # noqa: BLE001 - anything the code raises is reported
        why = f"the memory limit of {request['memory_mb']} MB" if isinstance(
            exc, MemoryError) else str(exc)[:400]
        out["failure"] = (f"your answer cells raise {type(exc).__name__} ({why}) "
                          "when run on their own")
    else:
        for name, cases in request["calls"].items():
            fn = namespace.get(name)
            results = []
            for plain_args in cases:
                args = from_plain(plain_args)
                try:
                    if not callable(fn):
                        raise NameError(f"name {name!r} is not defined as a function")
                    results.append(to_plain(fn(*args)))
                except BaseException as exc:  # noqa: BLE001
                    results.append({"__error__": type(exc).__name__, "message": str(exc)[:500]})
            out["results"][name] = results
    with open(out_path, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
