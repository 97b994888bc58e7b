"""Write the student edition of ``dnn_ref``: the course package with no answer in it.

From the instructor's installed ``dnn_ref``, :func:`write_edition` writes a
copy in which

* every graded function of an assignment not yet closed, and the reference
  code that answers it almost whole, is stubbed as the grading sandbox stubs
  it (:func:`autograder.sandbox.stubs.stub_functions`: same name and
  signature, its body raises ``ReferenceUnavailable`` saying why);
* the checks (``dnn_ref.grading``) import the reference functions they use
  from ``dnn_ref.grading._answers``, and their own answer-computing functions
  (:data:`~autograder.kit.answers.TABULATED`) are look-ups there: tables of
  the visible cases' answers (:mod:`autograder.kit.lookup`), so the checks
  explain a mistake at home and compute nothing else;
* ``dnn_ref.lab`` starts JupyterLab as a student gets it
  (:mod:`autograder.kit.lab_launcher`, with the configuration of ``student/``).

The functions of a closed assignment ship working: a later assignment's
notebook may import them (backprop's imports ``forward_prop``).
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterable
from pathlib import Path

from autograder.kit import answers
from autograder.sandbox.stubs import patterns_for, stub_functions
from autograder.sandbox.student_view import package_dir

ANSWERS = f"{answers.GRADING}._answers"
"""Where the tables live in the edition: ``dnn_ref.grading._answers``."""

UNAVAILABLE_SOURCE = '''"""The error the student kit's stubs raise (written by make student-kit)."""


class ReferenceUnavailable(RuntimeError):
    """Raised by reference code that is not in the student kit, nor in a graded kernel."""
'''


def module_name(rel: Path) -> str:
    """``grading/diagnoses/__init__.py`` -> ``grading.diagnoses``."""
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


class _Redirect(ast.NodeTransformer):
    """Imports of the reference -> imports of its tables; tabulated functions -> look-ups."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.tabulated = answers.TABULATED.get(module, ())

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.ImportFrom:
        if node.module == "dnn_ref" and all(a.name in answers.REFERENCE for a in node.names):
            node.module = f"dnn_ref.{ANSWERS}"
        elif answers.reference_module(node.module):
            node.module = f"dnn_ref.{ANSWERS}.{node.module[len('dnn_ref.'):]}"
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.stmt:
        if node.name not in self.tabulated:
            return node
        call = ast.Call(ast.Name("tabulated", ast.Load()),
                        [ast.Constant(f"{self.module}.{node.name}")], [])
        return ast.Assign([ast.Name(node.name, ast.Store())], call, lineno=node.lineno)


def redirect(source: str, module: str) -> str:
    """A grading module's source reading the reference's answers from the tables."""
    tree = _Redirect(module).visit(ast.parse(source))
    if module in answers.TABULATED:
        at = next(i for i, s in enumerate(tree.body)
                  if isinstance(s, ast.Import | ast.ImportFrom)
                  and getattr(s, "module", None) != "__future__")
        tree.body.insert(at, ast.ImportFrom(f"dnn_ref.{ANSWERS}", [ast.alias("tabulated")], 0))
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def _answers_module(module: str, names: Iterable[str]) -> str:
    lines = [f'"""dnn_ref.{module} on the visible test cases only (make student-kit)."""',
             "", f"from dnn_ref.{ANSWERS} import tabulated", ""]
    lines += [f'{n} = tabulated("{module}.{n}")' for n in sorted(names)]
    return "\n".join(lines) + "\n"


def write_edition(target: Path, open_graded: Iterable[str], lab_config: Path) -> list[str]:
    """Write the student edition of the installed dnn_ref into the new folder ``target``.

    Parameters
    ----------
    target : Path
        The package folder to create (``.../dnn_ref``).
    open_graded : iterable of str
        Graded function names whose answers must not ship (assignments not closed).
    lab_config : Path
        The student's Jupyter configuration folder (``student/jupyter_config``).

    Returns
    -------
    list of str
        ``"module:qualname"`` of every stubbed reference function.
    """
    source, graded = package_dir(), sorted(set(open_graded))
    stubbed: list[str] = []
    grading_sources: dict[str, str] = {}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        rel = path.relative_to(source)
        if "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo"):
            continue
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix != ".py":   # data (the message catalogues of dnn_ref/locale, ...): as is
            shutil.copyfile(path, out)
            continue
        module, text = module_name(rel), path.read_text(encoding="utf-8")
        if module == answers.GRADING or module.startswith(answers.GRADING + "."):
            grading_sources[module] = text
            text = redirect(text, module)
        else:
            text, names = stub_functions(text, module, patterns_for(graded, module))
            stubbed += [f"{module}:{n}" for n in names]
        out.write_text(text, encoding="utf-8")
    (target / "_unavailable.py").write_text(UNAVAILABLE_SOURCE, encoding="utf-8")
    references = answers.imported_references(grading_sources)
    tables = target / answers.GRADING / "_answers"
    tables.mkdir()
    shutil.copyfile(Path(__file__).with_name("lookup.py"), tables / "__init__.py")
    for module, names in references.items():
        (tables / f"{module}.py").write_text(_answers_module(module, names), encoding="utf-8")
    (tables / "table.bin").write_bytes(answers.dumps(answers.record(references)))
    shutil.copyfile(Path(__file__).with_name("lab_launcher.py"), target / "lab.py")
    shutil.copytree(lab_config, target / "lab_config",
                    ignore=shutil.ignore_patterns(".gitignore", "lab", "migrated"))
    return stubbed
