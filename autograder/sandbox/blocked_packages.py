"""Automatic-differentiation libraries a graded kernel cannot import.

The assignments ask students to derive gradients by hand. A library that
differentiates for them (PyTorch's autograd, JAX, ...) answers
``one_layer_backward`` or ``backprop`` whole, exactly as the reference would,
and the sandbox shows the grading machine's virtualenv read-only. For each
such package installed there, :func:`stubs` gives a small stand-in package
whose import raises :class:`ImportError` with the reason; the sandbox binds it
over the real one, so the real files are not even readable inside.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from autograder.sandbox.student_view import cache_root
from dnn_ref.grading.taken_away import AUTODIFF  # the at-home check reads the same list
from dnn_ref.grading.taken_away import UNAVAILABLE_AUTODIFF as MESSAGE


def installed(names: tuple[str, ...] | None = None) -> dict[str, Path]:
    """name -> folder of each package of ``names`` (default :data:`AUTODIFF`) installed as a
    regular package.

    Found without importing them (``importlib.util.find_spec``); single-file
    modules and namespace packages without a folder are skipped.
    """
    found = {}
    for name in names or AUTODIFF:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is not None and spec.submodule_search_locations:
            found[name] = Path(next(iter(spec.submodule_search_locations))).resolve()
    return found


def stubs(names: tuple[str, ...] | None = None) -> list[tuple[Path, Path]]:
    """(stand-in folder, installed folder) for each installed package of ``names`` (default
    :data:`AUTODIFF`).

    The stand-ins are cached in this user's private views folder; each holds an
    ``__init__.py`` that raises ImportError naming the package and the reason.
    """
    pairs = []
    for name, folder in installed(names).items():
        stub = cache_root() / "blocked" / name
        init = stub / "__init__.py"
        text = f"raise ImportError({MESSAGE.format(qualname=name)!r})\n"
        if not init.is_file() or init.read_text() != text:
            stub.mkdir(parents=True, exist_ok=True)
            init.write_text(text)
            for path in (stub.parent, stub, init):
                path.chmod(0o755 if path.is_dir() else 0o644)
        pairs.append((stub, folder))
    return pairs
