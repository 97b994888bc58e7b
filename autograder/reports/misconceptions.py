"""The class misconception report: which mistakes how many students made, and near-copies.

``make report ASSIGNMENT=backprop`` (``python -m autograder.reports.misconceptions backprop``)
reads, for every student the gradebook has a graded submission of, the
diagnoses the judge recorded while grading,
``autograded/<student>/<assignment>/grading.json`` (one entry per test cell:
``grade_id``, ``function``, ``hidden``, ``points``, ``passed``, ``mistake``
slug, ``message``), and writes to ``report/<assignment>/``:

* ``index.html``: per graded function, a bar per diagnosed mistake with how
  many students made it ("the 1/m is missing: 14 of 120") and who, then the
  near-copies :mod:`autograder.reports.similarity` found, side by side;
* ``mistakes.csv`` and ``similarity.csv``, the same as tables.

Counts are of students, not test cells (a mistake seen by the visible and the
hidden test counts once). The report checks itself against the gradebook:
every recorded verdict must match the score nbgrader stored for that test cell
(passed: its points; failed: 0); any disagreement, or a graded student
without a grading.json, is listed at the top of the page and makes the
command exit with status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import nbformat
from markupsafe import Markup, escape
from nbgrader.api import Gradebook, MissingEntry

from autograder.judge import TITLES as JUDGE_TITLES
from autograder.reports import similarity
from autograder.spreadsheet import SafeWriter
from dnn_ref.grading.diagnoses.catalogue import TITLES, title
from dnn_ref.i18n import _, current, translated

TEMPLATES = Path(__file__).parent / "templates"
COURSE_ID = "dnn-from-scratch"


@dataclass
class Mistake:
    """One diagnosed mistake of one function and the students who made it."""

    slug: str
    label: str
    students: list[str]


@dataclass
class FunctionSummary:
    """The class's results for one graded function."""

    function: str
    graded: int
    passed: list[str] = field(default_factory=list)
    mistakes: list[Mistake] = field(default_factory=list)


@dataclass
class ClassResults:
    """What grading recorded for a class, checked against the gradebook."""

    assignment: str
    entries: dict[str, list[dict]]          # student -> grading.json entries
    problems: list[str]                     # disagreements with the gradebook, missing files


def label_for(slug: str) -> str:
    """A reader's name for a mistake: dnn_ref's title of the slug, else the judge's, else the
    slug itself. Never a message's text: a message can quote what a student's code raised
    or printed, and the label heads a group of several students."""
    if slug in TITLES:
        return title(slug)
    if slug in JUDGE_TITLES:
        return _(JUDGE_TITLES[slug])
    return slug.replace("_", " ")


def load_results(course: Path, assignment: str) -> ClassResults:
    """Every graded student's grading.json, checked against the gradebook's scores."""
    entries: dict[str, list[dict]] = {}
    problems: list[str] = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        try:
            submissions = gb.find_assignment(assignment).submissions
        except MissingEntry:
            raise SystemExit(f"report: the gradebook has no assignment {assignment!r}; "
                             "release and autograde it first") from None
        for submission in sorted(submissions, key=lambda s: s.student.id):
            student = submission.student.id
            path = course / "autograded" / student / assignment / "grading.json"
            if not path.is_file():
                problems.append(_("{student}: graded, but no {path} (graded before diagnoses "
                                  "were recorded? run make autograde)").format(
                                      student=student, path=path.relative_to(course)))
                continue
            recorded = json.loads(path.read_text())
            scores = {g.name: g for nb in submission.notebooks for g in nb.grades}
            for e in recorded:
                grade = scores.get(e["grade_id"])
                expected = float(e["points"]) if e["passed"] else 0.0
                if grade is None:
                    problems.append(_("{student}: {grade_id} is in grading.json but not in "
                                      "the gradebook").format(student=student,
                                                              grade_id=e["grade_id"]))
                elif grade.auto_score is None or abs(grade.auto_score - expected) > 1e-9:
                    recorded_as = (_("{student}: {grade_id} recorded passed but the gradebook "
                                     "has {score} of {points}") if e["passed"] else
                                   _("{student}: {grade_id} recorded failed but the gradebook "
                                     "has {score} of {points}"))
                    problems.append(recorded_as.format(student=student, grade_id=e["grade_id"],
                                                       score=grade.auto_score,
                                                       points=grade.max_score))
            entries[student] = recorded
    return ClassResults(assignment, entries, problems)


def summarise(results: ClassResults) -> list[FunctionSummary]:
    """Per graded function: who passed every test, and who made which mistake."""
    by_function: dict[str, dict[str, list[dict]]] = {}
    for student, recorded in results.entries.items():
        for e in recorded:
            by_function.setdefault(e["function"], {}).setdefault(student, []).append(e)
    summaries = []
    for function, students in by_function.items():
        summary = FunctionSummary(function, graded=len(students))
        made: dict[str, set[str]] = {}
        for student, cells in students.items():
            if all(e["passed"] for e in cells):
                summary.passed.append(student)
            for e in cells:
                if not e["passed"]:
                    slug = e.get("mistake") or "unnamed"
                    made.setdefault(slug, set()).add(student)
        summary.mistakes = sorted(
            (Mistake(slug, label_for(slug), sorted(who))
             for slug, who in made.items()),
            key=lambda m: (-len(m.students), m.slug))
        summaries.append(summary)
    return summaries


def class_answers(course: Path, assignment: str, students: list[str]
                  ) -> tuple[dict[str, dict[str, str]], dict[str, str], dict[str, str]]:
    """Each student's graded functions (from their submitted notebook), the released stubs
    and the instructor's solutions (from the source notebook, when the course has it)."""
    released = nbformat.read(course / "exercises" / assignment / f"{assignment}.ipynb",
                             as_version=4)
    ids = similarity.answer_ids(released)
    stub_code = similarity.answer_cells(released, ids)
    names = similarity.defined_functions(stub_code)
    stubs = similarity.function_sources(stub_code, names)
    source = course / "solutions" / assignment / f"{assignment}.ipynb"
    solutions = (similarity.function_sources(similarity.answer_cells(
        nbformat.read(source, as_version=4), ids), names) if source.is_file() else {})
    answers = {}
    for student in students:
        path = course / "submitted" / student / assignment / f"{assignment}.ipynb"
        try:
            nb = nbformat.read(path, as_version=4)
            answers[student] = similarity.function_sources(similarity.answer_cells(nb, ids),
                                                           names)
        except Exception:  # an upload we cannot read has nothing to compare  # noqa: BLE001
            continue
    return answers, stubs, solutions


def marked(code: str, spans: tuple[tuple[int, int], ...]) -> Markup:
    """``code`` as HTML with the copied spans in <mark>."""
    out, last = [], 0
    for start, end in sorted(spans):
        start = max(start, last)
        out += [str(escape(code[last:start])), "<mark>",
                str(escape(code[start:end])), "</mark>"]
        last = max(last, end)
    out.append(str(escape(code[last:])))
    return Markup("".join(out))


def excerpt(code: str, spans: tuple[tuple[int, int], ...], context: int = 2
            ) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The lines of a long ``code`` around ``spans`` (spans shifted to the excerpt)."""
    if not spans:
        return "", ()
    starts = [0] + [i + 1 for i, ch in enumerate(code) if ch == "\n"]
    first = max(0, code.count("\n", 0, min(s for s, _ in spans)) - context)
    last = min(len(starts) - 1, code.count("\n", 0, max(e for _, e in spans)) + context)
    begin = starts[first]
    end = starts[last + 1] - 1 if last + 1 < len(starts) else len(code)
    return code[begin:end], tuple((s - begin, e - begin) for s, e in spans)


def write_report(course: Path, assignment: str, out: Path) -> ClassResults:
    """Write index.html, mistakes.csv and similarity.csv into ``out``; return the results."""
    results = load_results(course, assignment)
    summaries = summarise(results)
    answers, stubs, solutions = class_answers(course, assignment, sorted(results.entries))
    flags = similarity.find_copies(answers, stubs, similarity.course_code(),
                                   solutions=solutions)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "mistakes.csv", "w", newline="") as f:
        w = SafeWriter(f)
        w.writerow(["function", "mistake", "label", "students", "graded", "student_ids"])
        for s in summaries:
            w.writerow([s.function, "passed", _("passed every test"), len(s.passed), s.graded,
                        " ".join(s.passed)])
            for m in s.mistakes:
                w.writerow([s.function, m.slug, m.label, len(m.students), s.graded,
                            " ".join(m.students)])
    with open(out / "similarity.csv", "w", newline="") as f:
        w = SafeWriter(f)
        w.writerow(["function", "student", "similar_to", "share_of_student", "share_of_other"])
        for fl in flags:
            w.writerow([fl.function, fl.a, fl.b, f"{fl.similarity[0]:.2f}",
                        "" if fl.similarity[1] is None else f"{fl.similarity[1]:.2f}"])
    pairs = []
    for fl in flags:
        code_b, spans_b = excerpt(fl.code_b, fl.spans_b) if fl.reference else (fl.code_b,
                                                                                 fl.spans_b)
        pairs.append({"flag": fl, "function": similarity.shown(fl.function),
                      "b_name": similarity.shown(fl.b), "a": marked(fl.code_a, fl.spans_a),
                      "b": marked(code_b, spans_b)})
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    html = env.get_template("report.html.j2").render(
        t=translated,
        lang=current().replace("_", "-"), assignment=assignment, graded=len(results.entries),
        summaries=summaries,
        problems=results.problems, pairs=pairs)
    (out / "index.html").write_text(html, encoding="utf-8")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="the course folder")
    parser.add_argument("--out", type=Path, help="default: <course>/report/<assignment>")
    args = parser.parse_args(argv)
    out = args.out or args.course / "report" / args.assignment
    results = write_report(args.course.resolve(), args.assignment, out)
    print(f"{out / 'index.html'}: {len(results.entries)} graded students")
    for problem in results.problems:
        print(f"DOES NOT AGREE WITH THE GRADEBOOK: {problem}", file=sys.stderr)
    return 1 if results.problems else 0


if __name__ == "__main__":
    sys.exit(main())
