"""``make student-kit``: write what an instructor hands out, as a folder and a zip under dist/.

    python -m autograder.kit.build [--assignments forward graphs] [--closed forward] [--out dist]

``dist/student-kit/`` holds the released exercises (``exercises/<a>/<a>.ipynb``
as ``make release`` generated them), the course package as a wheel built from
the student edition of ``dnn_ref`` (:mod:`autograder.kit.edition`) and a
README; ``dist/student-kit.zip`` holds the same folder. The kit is scanned
(:mod:`autograder.kit.scan`) before it is kept: a finding deletes it and
fails the build.

The answers of every assignment not ``--closed`` stay out of the kit. A kit
notebook that imports such an answer from ``dnn_ref`` (backprop's imports
forward's ``forward_prop``) is refused, with the way out: hand backprop out
once forward is closed (``--closed forward``).
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from importlib.metadata import version
from pathlib import Path

from autograder.kit import edition, scan
from dnn_ref.grading.cases import ASSIGNMENTS

KIT = "student-kit"
GIVEN = {"p = x + y": "the forward pass of f = (x + y)·z, which the graphs notebook gives "
                      "(f_example); the checks use it to name a swapped multiply"}
"""Statements of a solution that the kit may hold all the same, and why."""
TITLE = "Deep Neural Networks from Scratch"


class KitError(RuntimeError):
    """The kit cannot be built as asked; the message says why and what to do."""


def imported_from_dnn_ref(notebook: Path) -> set[str]:
    """Names a notebook's code cells import from dnn_ref or use as ``dnn_ref.<name>``."""
    names = set()
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse("".join(cell["source"]))
        except SyntaxError:      # IPython magics; the released cells have none
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dnn_ref"):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id == "dnn_ref":
                names.add(node.attr)
    return names


def _conflicts(exercises: dict[str, Path], stubbed: list[str]) -> list[str]:
    top = {s.split(":")[1] for s in stubbed if "." not in s.split(":")[1]}
    out = []
    for a, notebook in exercises.items():
        needed = sorted(imported_from_dnn_ref(notebook) & top)
        if needed:
            owners = sorted({o for o, names in ASSIGNMENTS.items() if set(names) & set(needed)})
            out.append(f"{a}'s notebook imports {', '.join(needed)} from dnn_ref, which "
                       f"{' and '.join(owners)} grades")
    return out


def _pyproject(course: Path, name_version: str) -> str:
    project = tomllib.loads((course / "pyproject.toml").read_text())["project"]
    lab = version("jupyterlab").split(".")[0]
    nbgrader = ".".join(version("nbgrader").split(".")[:2])
    major, minor = nbgrader.split(".")
    deps = [*project["dependencies"], f"jupyterlab>={lab},<{int(lab) + 1}",
            f"nbgrader>={nbgrader},<{major}.{int(minor) + 1}"]
    return "\n".join([
        "[build-system]", 'requires = ["setuptools>=77"]',
        'build-backend = "setuptools.build_meta"', "", "[project]",
        f'name = "{project["name"]}"', f'version = "{name_version}"',
        f'description = "{TITLE}: the course package for students (no answers)"',
        f'requires-python = "{project["requires-python"]}"',
        f'license = "{project["license"]}"', f"dependencies = {json.dumps(deps)}", "",
        "[project.scripts]", 'dnn-course-lab = "dnn_ref.lab:main"', "",
        "[tool.setuptools.packages.find]", 'include = ["dnn_ref", "dnn_ref.*"]', "",
        "[tool.setuptools.package-data]",
        'dnn_ref = ["**/*"]', ""])   # every file the edition holds (tables, configuration)


def build_wheel(course: Path, open_graded: list[str], out: Path) -> tuple[Path, list[str]]:
    """The student edition's wheel, written into ``out``; (its path, the stubbed functions)."""
    from dnn_ref import __version__
    with tempfile.TemporaryDirectory(prefix="dnn-kit-") as tmp:
        project = Path(tmp)
        stubbed = edition.write_edition(project / "dnn_ref", open_graded,
                                        course / "student" / "jupyter_config")
        (project / "pyproject.toml").write_text(_pyproject(course, f"{__version__}+kit"))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                        "--no-build-isolation", "--wheel-dir", str(out), str(project)],
                       check=True)
    return next(out.glob("dnn_ref-*.whl")), stubbed


def build(course: Path, assignments: list[str], closed: list[str], out: Path) -> Path:
    """Write ``out/student-kit/`` and ``out/student-kit.zip``; the folder's path.

    Raises
    ------
    KitError
        An unknown or unreleased assignment, a notebook needing an open
        assignment's answer, or a finding of the scan.
    """
    unknown = sorted((set(assignments) | set(closed)) - set(ASSIGNMENTS))
    if unknown:
        raise KitError(f"unknown assignment(s) {unknown}; the course has {list(ASSIGNMENTS)}")
    exercises = {a: course / "exercises" / a / f"{a}.ipynb" for a in assignments}
    missing = [str(p) for p in exercises.values() if not p.is_file()]
    if missing:
        raise KitError(f"{', '.join(missing)} missing: run `make release` first")
    open_graded = [n for a, names in ASSIGNMENTS.items() if a not in closed for n in names]
    folder = out / KIT
    shutil.rmtree(folder, ignore_errors=True)
    (out / f"{KIT}.zip").unlink(missing_ok=True)
    folder.mkdir(parents=True)
    try:
        wheel, stubbed = build_wheel(course, open_graded, folder)
        conflicts = _conflicts(exercises, stubbed)
        if conflicts:
            raise KitError("; ".join(conflicts) + ": a kit holding both would hand out the "
                           "answers. Leave that notebook out until the other assignment is "
                           "closed, then build with CLOSED=<it> (e.g. make student-kit "
                           'KIT_ASSIGNMENTS="forward graphs backprop" CLOSED=forward).')
        for a, notebook in exercises.items():
            (folder / "exercises" / a).mkdir(parents=True)
            shutil.copyfile(notebook, folder / "exercises" / a / notebook.name)
        readme = Path(__file__).with_name("student_readme.md").read_text()
        (folder / "README.md").write_text(readme.format(
            title=TITLE, wheel=wheel.name, assignments=", ".join(assignments)))
        archive = Path(shutil.make_archive(str(out / KIT), "zip", out, KIT))
        source = edition.package_dir()
        findings = scan.scan([folder, archive], course,
                             scan.answer_statements(source, stubbed), allowed=set(GIVEN),
                             closed=closed)
        if findings:
            raise KitError("the kit would hand out:\n  " + "\n  ".join(findings))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        (out / f"{KIT}.zip").unlink(missing_ok=True)
        raise
    return folder


def main() -> None:
    """The command line of ``make student-kit``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignments", nargs="+", default=["forward", "graphs"])
    parser.add_argument("--closed", nargs="*", default=[],
                        help="assignments past their due date: their answers may ship")
    parser.add_argument("--out", type=Path, default=Path("dist"))
    args = parser.parse_args()
    try:
        folder = build(Path.cwd(), args.assignments, args.closed, args.out)
    except KitError as exc:
        sys.exit(f"make student-kit: {exc}")
    print(f"student kit: {folder}/ and {folder}.zip ({', '.join(args.assignments)}); "
          f"give students the zip, or publish the folder")


if __name__ == "__main__":
    main()
