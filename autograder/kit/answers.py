"""Tabulate the reference's answers on the visible cases: the data the kit's checks read.

A student's check at home compares their function with the reference on the
visible cases only. The kit therefore ships no code that computes a graded
function's answer: :func:`record` runs every diagnoser on every visible case
with the real ``dnn_ref``, and records what each answer-computing function
(:data:`TABULATED`, and the reference functions the grading code imports)
returned for which arguments. In the kit those functions are table look-ups
(:mod:`autograder.kit.lookup`, shipped as ``dnn_ref.grading._answers``)
that raise on any other input, so they answer the visible cases and nothing
else: not a hidden case, not a student's own data.

Tables are plain data (:func:`encode`: tuples, lists, dicts, numbers, strings,
bytes), so they load under any numpy version and need no class to unpickle.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import importlib
import pickle
import sys
from collections.abc import Callable, Iterator
from types import ModuleType

import numpy as np

from dnn_ref import losses
from dnn_ref.grading import diagnoses
from dnn_ref.grading.cases import NAMES
from dnn_ref.grading.diagnoses import backward
from dnn_ref.grading.taken_away import RELATED

TABULATED: dict[str, tuple[str, ...]] = {
    "grading.cases": ("cases",),
    "grading.diagnoses.graphs": ("add_backward", "multiply_backward", "graph_gradients"),
    "grading.diagnoses.backward": ("one_layer_variants", "backprop_from", "_backprop_variants"),
}
"""Functions of the grading package that compute right answers: look-ups in the kit."""

GRADING = "grading"
"""The subpackage of dnn_ref that holds the checks."""

REFERENCE = tuple(sorted({module for modules in RELATED.values() for module in modules}))
"""Modules of dnn_ref that hold answers (``network``, ``activations``, ...): what the checks
import from them is tabulated; their other imports (``dnn_ref.i18n``) stay as they are."""

Table = dict[str, list[tuple[object, object]]]
"""``"module.function"`` -> [(encoded arguments, encoded result)]."""


# ------------------------------------------------------------------------------ plain data
def encode(x: object) -> object:
    """``x`` as builtins only: arrays, numpy scalars and ``Case`` become tagged tuples.

    Raises
    ------
    TypeError
        For anything else (a function, an object): such a call is not tabulated.
    """
    if isinstance(x, np.ndarray):
        a = np.ascontiguousarray(x)
        return ("__array__", a.dtype.str, a.shape, a.tobytes())
    if isinstance(x, np.generic):
        return ("__scalar__", x.dtype.str, x.tobytes())
    if x is None or isinstance(x, bool | int | float | str):
        return x
    if type(x).__name__ == "Case" and hasattr(x, "args"):
        return ("__case__", x.name, encode(x.args))
    if isinstance(x, tuple | list):
        items = [encode(v) for v in x]
        return ("__tuple__", items) if isinstance(x, tuple) else items
    if isinstance(x, dict):
        return {"__dict__": [(encode(k), encode(v)) for k, v in x.items()]}
    raise TypeError(f"cannot tabulate a {type(x).__name__}")


# ------------------------------------------------------------------------------ recording
@contextlib.contextmanager
def _recording(targets: dict[str, tuple[ModuleType, str]], table: Table) -> Iterator[None]:
    """Replace each target function, wherever dnn_ref binds it, by a recorder of its calls."""
    originals = {key: getattr(mod, name) for key, (mod, name) in targets.items()}
    wrappers: dict[int, Callable] = {}

    def recorder(key: str, fn: Callable) -> Callable:
        def call(*args: object, **kwargs: object) -> object:
            result = fn(*args, **kwargs)
            try:
                entry = (encode((args, sorted(kwargs.items()))), encode(copy.deepcopy(result)))
            except TypeError:   # a callable argument (backprop_from's layer_dA): not tabulated
                return result
            table.setdefault(key, []).append(entry)
            return result
        return call

    for key, fn in originals.items():
        wrappers[id(fn)] = recorder(key, fn)
    patched: list[tuple[dict, str, object]] = []
    for mod in [m for n, m in sys.modules.items() if n == "dnn_ref" or n.startswith("dnn_ref.")]:
        namespace = vars(mod)
        for attr, value in list(namespace.items()):
            if callable(value) and id(value) in wrappers:
                patched.append((namespace, attr, value))
                namespace[attr] = wrappers[id(value)]
            elif isinstance(value, dict) and attr == "REFERENCES":
                for k, v in list(value.items()):
                    if id(v) in wrappers:
                        patched.append((value, k, v))
                        value[k] = wrappers[id(v)]
    try:
        yield
    finally:
        for namespace, attr, value in reversed(patched):
            namespace[attr] = value


def reference_module(module: str | None) -> bool:
    """Whether ``module`` (an import's dotted name) is one of dnn_ref's :data:`REFERENCE`."""
    return bool(module) and module.startswith("dnn_ref.") and \
        module[len("dnn_ref."):] in REFERENCE


def imported_references(sources: dict[str, str]) -> dict[str, set[str]]:
    """Reference module -> names the grading modules import from it.

    ``sources`` maps grading module names (``"grading.cases"``) to their
    source; ``from dnn_ref import network as ref`` counts the attributes
    used as ``ref.<name>``.
    """
    used: dict[str, set[str]] = {}
    for text in sources.values():
        tree = ast.parse(text)
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "dnn_ref":
                for alias in node.names:
                    if alias.name in REFERENCE:
                        aliases[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom) and reference_module(node.module):
                used.setdefault(node.module[len("dnn_ref."):], set()).update(
                    a.name for a in node.names)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in aliases:
                used.setdefault(aliases[node.value.id], set()).add(node.attr)
    return used


def record(references: dict[str, set[str]]) -> Table:
    """Run every check's diagnoser on its visible cases with the real reference; the table.

    The checks also re-run a failing ``backprop`` with the reference
    ``one_layer_backward`` swapped in (to tell its fault from its helper's):
    the calls a right ``backprop`` makes of it, layer by layer from dAL, are
    recorded too.

    Parameters
    ----------
    references : dict
        Reference module (``"network"``) -> function names the grading code
        imports from it (:func:`imported_references`).

    Returns
    -------
    Table
        Every call of a tabulated function made meanwhile, with its result.
    """
    targets: dict[str, tuple[ModuleType, str]] = {}
    for module, names in [*references.items(), *TABULATED.items()]:
        mod = importlib.import_module(f"dnn_ref.{module}")
        targets.update({f"{module}.{n}": (mod, n) for n in sorted(names)})
    # the module, not the function dnn_ref.grading re-exports under the same name
    cases_module = importlib.import_module(f"dnn_ref.{GRADING}.cases")
    table: Table = {}
    with _recording(targets, table):
        for name in NAMES:
            for case in cases_module.cases(name):
                args = copy.deepcopy(case.args)
                result = diagnoses.REFERENCES[name](*args)
                found = diagnoses.diagnose(name, case, result, args_after=args)
                if found is not None:
                    raise RuntimeError(f"the reference {name} fails its own visible case "
                                       f"{case.name!r}: {found.message}")
                if name == "backprop":   # the calls a right backprop makes of the helper
                    backward.backprop_from(losses.binary_cross_entropy_gradient(*args[:2]),
                                           args[2])
    return table


def dumps(table: Table) -> bytes:
    """The table as bytes (a pickle of builtins only)."""
    return pickle.dumps(table, protocol=4)
