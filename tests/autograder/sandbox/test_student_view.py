"""The dnn_ref a graded kernel sees (autograder/sandbox/student_view.py): no reference answers."""

from __future__ import annotations

import ast
import json
import pkgutil
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.sandbox import student_view
from autograder.sandbox.student_view import build_view, package_dir
from dnn_ref.grading import ASSIGNMENTS

UNAVAILABLE = "is not available while your notebook is graded"


def implementation(source: str, node: ast.FunctionDef) -> str:
    """The text of a function's statements after its docstring."""
    body = node.body[1:] if ast.get_docstring(node) is not None else node.body
    lines = source.splitlines()
    return "\n".join(lines[body[0].lineno - 1:node.end_lineno]) if body else ""


def functions(source: str) -> dict[str, ast.FunctionDef]:
    """Dotted qualname -> node of every function, nested ones included."""
    out: dict[str, ast.FunctionDef] = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if isinstance(child, ast.FunctionDef):
                    out[name] = child
                walk(child, name + ".")
    walk(ast.parse(source), "")
    return out


def stubbed_names(tmp: Path, graded: list[str]) -> list[str]:
    """``module:qualname`` of everything the view of ``graded`` stubs (``module:*``: whole)."""
    return student_view.write_view(package_dir(), tmp / "names" / "dnn_ref", graded)


@pytest.mark.parametrize("assignment", sorted(ASSIGNMENTS))
def test_no_implementation_of_what_is_stubbed_is_in_the_view(assignment: str,
                                                             tmp_path: Path) -> None:
    graded = ASSIGNMENTS[assignment]
    stubbed = stubbed_names(tmp_path, graded)
    folder = build_view(assignment, graded)
    view_text = "\n".join(p.read_text() for p in folder.rglob("*.py"))
    real = package_dir()
    checked = 0
    for entry in stubbed:
        module, qualname = entry.split(":")
        path = real / (module.replace(".", "/") + ".py")
        if not path.exists():
            path = real / module.replace(".", "/") / "__init__.py"
        source = path.read_text()
        for q, node in functions(source).items():
            if qualname in ("*", q):
                text = implementation(source, node)
                if len(text.strip()) > 30:          # one-liners like `return dout, dout` recur
                    assert text not in view_text, f"{module}.{q} is in the view"
                    checked += 1
    assert checked >= len(graded)
    # every graded function that dnn_ref defines is stubbed, with its related reference code
    defined = {f"{p.stem}:{name}" for p in real.glob("*.py")
               for name in functions(p.read_text()) if name in graded}
    assert defined <= set(stubbed)
    assert any(s.startswith("grading.diagnoses") and s.endswith(":*") for s in stubbed)


@pytest.mark.parametrize("assignment", sorted(ASSIGNMENTS))
def test_the_view_imports_and_every_stub_says_why(assignment: str, tmp_path: Path) -> None:
    graded = ASSIGNMENTS[assignment]
    folder = build_view(assignment, graded)
    stubbed = [s for s in stubbed_names(tmp_path, graded) if s.count(".") <= 1]
    probe = """
import importlib, inspect, json, pkgutil, sys
import dnn_ref
from dnn_ref.graph import Value
out = {"file": dnn_ref.__file__, "calls": {}, "modules": []}
for info in pkgutil.walk_packages(dnn_ref.__path__, "dnn_ref."):
    importlib.import_module(info.name)
    out["modules"].append(info.name)
for entry in sys.argv[1:]:
    module, qualname = entry.split(":")
    if qualname == "*" or "._" in qualname:
        continue
    obj = importlib.import_module("dnn_ref." + module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    n = sum(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            for p in inspect.signature(obj).parameters.values())
    try:
        obj(*[None] * n)
        out["calls"][entry] = "returned"
    except Exception as e:
        out["calls"][entry] = f"{type(e).__name__}: {e}"
v = Value(1.0) * Value(2.0)
try:
    v._backward()
    out["closure"] = "returned"
except Exception as e:
    out["closure"] = f"{type(e).__name__}: {e}"
import dnn_ref.grading.diagnoses.backward as d
try:
    d.diagnose_backprop((), None, None)
except Exception as e:
    out["diagnoses"] = f"{type(e).__name__}: {e}"
print(json.dumps(out))
"""
    run = subprocess.run([sys.executable, "-c", probe, *stubbed], capture_output=True, text=True,
                         cwd=tmp_path, env={"PYTHONPATH": str(folder.parent), "PATH": "/usr/bin",
                                            "MPLBACKEND": "Agg"})
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["file"] == str(folder / "__init__.py")
    real = {m.name for m in pkgutil.walk_packages([str(package_dir())], "dnn_ref.")}
    assert real <= set(out["modules"])                    # every module of dnn_ref imports
    assert out["calls"] and all(r.startswith("ReferenceUnavailable: dnn_ref.")
                                and UNAVAILABLE in r for r in out["calls"].values()), out["calls"]
    for name in graded:
        hits = [r for e, r in out["calls"].items() if e.endswith(f":{name}")]
        assert all(f"grades your own {name}" in r for r in hits)
    if assignment in ("graphs", "backprop"):     # the graph engine differentiates for you
        assert out["closure"].startswith("ReferenceUnavailable") and UNAVAILABLE in out["closure"]
    else:
        assert out["closure"] == "returned"
    assert out["diagnoses"].startswith("ReferenceUnavailable") and "outside the sandbox" in \
        out["diagnoses"]


def test_views_are_cached_by_source_and_rebuilt_when_it_changes(tmp_path: Path) -> None:
    copy = tmp_path / "dnn_ref"
    shutil.copytree(package_dir(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    first = build_view("backprop", ASSIGNMENTS["backprop"], source=copy)
    assert build_view("backprop", ASSIGNMENTS["backprop"], source=copy) == first
    (copy / "network.py").write_text((copy / "network.py").read_text() + "\n# changed\n")
    second = build_view("backprop", ASSIGNMENTS["backprop"], source=copy)
    assert second != first and second.is_dir()
    assert all(p.stat().st_mode & 0o444 == 0o444 for p in second.rglob("*"))
    assert list(second.rglob("*.pyc"))                        # precompiled: quick imports
    for folder in (first, second):
        shutil.rmtree(folder.parent)


def test_views_are_cached_where_tmp_cleaners_do_not_reach(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    root = student_view.cache_root()
    assert root == Path.home() / ".cache" / "dnn-ref-views"
    assert not root.is_relative_to(tempfile.gettempdir())
    assert root.stat().st_mode & 0o777 == 0o700


def test_a_half_deleted_view_is_rebuilt_and_grading_still_works(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tmp cleaner or a concurrent clone removing files of a cached view: the manifest
    check catches it before the view is used, and the kernel still imports dnn_ref."""
    from autograder.sandbox import Sandbox

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))   # not the shared cache
    view = build_view("backprop", ASSIGNMENTS["backprop"])
    assert view.is_relative_to(tmp_path / "cache")
    (view / "network.py").unlink()                           # a file gone
    for pyc in (view / "grading").rglob("*.pyc"):            # compiled files gone
        pyc.unlink()
    (view / "losses.py").chmod(0o644)
    (view / "losses.py").write_text("raise SystemExit('half-written')\n")   # one truncated
    assert not student_view.intact(view.parent)
    work = tmp_path / "submission"
    work.mkdir()
    with Sandbox(assignment="backprop", workdir=work, graded=ASSIGNMENTS["backprop"]) as box:
        assert build_view("backprop", ASSIGNMENTS["backprop"]) == view
        assert student_view.intact(view.parent) and (view / "network.py").is_file()
        from jupyter_client import KernelManager
        km = box.configure(KernelManager(kernel_name=box.kernel_name))
        km.start_kernel(cwd=str(work))
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=120)
            out: list[str] = []
            reply = kc.execute_interactive(
                "import dnn_ref.network, dnn_ref.losses, dnn_ref.grading\nprint('imported')",
                timeout=60, output_hook=lambda m: out.append(m["content"].get("text", "")))
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok" and "imported" in "".join(out)


def test_a_view_removed_whole_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    view = build_view("forward", ASSIGNMENTS["forward"])
    shutil.rmtree(view.parent)
    assert build_view("forward", ASSIGNMENTS["forward"]) == view
    assert student_view.intact(view.parent)
