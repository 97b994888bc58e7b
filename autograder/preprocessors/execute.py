"""nbgrader's Execute, run in the sandbox, with every test cell judged outside it.

:class:`SandboxedExecute` is the one execution of a submission during
``nbgrader autograde``. For each notebook it

1. writes the cases of every check the test cells make into the sandbox's
   grading dir: visible ones from :mod:`dnn_ref.grading`, hidden ones drawn from
   the course secret, or from their seeds alone in a class-grading shard, for this
   student and this submission's timestamp (:mod:`autograder.judge.hidden_cases`);
2. starts the kernel in the bubblewrap sandbox (:mod:`autograder.sandbox`),
   whatever kernelspec the notebook names, and runs the cells in order, with
   nbgrader's per-cell timeout and interrupt;
3. after each test cell reads what its ``check_*`` calls recorded
   (:mod:`dnn_ref.grading.recording`) and REPLACES the cell's outputs by the verdict
   computed here (:mod:`autograder.judge`): a "✓ ..." line, or an error output
   whose message is the diagnosis (nbgrader scores a test cell zero when it has
   an error output). Each test cell is judged on the definitions in force when
   it ran, in notebook order; whatever the kernel printed is dropped;
4. writes ``grading.json`` next to the graded notebook (one row per check:
   grade_id, function, hidden, points, passed, mistake, message, helper_note)
   and puts a "Notes from grading" cell at the top of the notebook when cells
   were repaired (:mod:`autograder.preprocessors.repair`) or no sandbox was used.

A cell's own failure costs only that cell and what depends on it: a cell that,
once interrupted, does not go idle within nbgrader's IOPub wait gets an error
output saying so and the notebook goes on; after a dead kernel the cells left
are not run and their tests fail naming the cell that killed it. The cells of a
notebook share ``notebook_time_limit`` seconds (the cells left once it is spent
are not run), and output is capped while it arrives (``cell_output_limit``,
``notebook_output_limit`` bytes; a note says how much was dropped), so that a
flood of displays cannot fill the grader's memory before LimitOutput runs
(:mod:`autograder.preprocessors.cell_limits`, the base class).

``skip_ungraded_tail = True`` (what :mod:`autograder.class_grading.grade_class` sets) keeps the
code cells after the last test cell but does not run them: they cannot change a
score. ``unsandboxed = True`` runs the same kernel without bubblewrap, for an
instructor whose machine cannot run it; every feedback page then says so.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from traitlets import Bool, Unicode
from traitlets.config.loader import PyFileConfigLoader

from autograder import judge
from autograder.judge import secret
from autograder.judge.hidden_cases import cases_for
from autograder.preprocessors.cell_limits import CellLimits, cell_name, stopped_output
from autograder.preprocessors.repair import REPAIRS_KEY
from autograder.sandbox import Sandbox, SandboxUnavailable, check_available
from dnn_ref.grading.cases import ASSIGNMENTS
from dnn_ref.grading.checking import failure_lines
from dnn_ref.grading.recording import write_cases
from dnn_ref.grading.taken_away import UNAVAILABLE
from dnn_ref.i18n import N_, _, language, notebook_language, retranslate

NOT_RUN = N_("Not run while grading the class: no test cell comes after this cell, "
             "so it cannot change a score.")
UNSANDBOXED_NOTE = N_("This notebook was graded WITHOUT a sandbox (the instructor chose "
                      "--unsandboxed): its code ran with the grader's own permissions.")
REPORT = "grading.json"
KNOWN = {name for names in ASSIGNMENTS.values() for name in names}


def is_test_cell(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def _error(cell: NotebookNode, *, last: bool = False) -> tuple[str, str] | None:
    """(ename, evalue) of the cell's first (or last) error output, or None."""
    errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    if not errors:
        return None
    out = errors[-1 if last else 0]
    ename, evalue = str(out.get("ename", "Error")), str(out.get("evalue", ""))[:500]
    if ename == "CellTimeoutError":
        evalue = _("the cell was still running after the time limit and was interrupted")
    return ename, evalue


def translate_unavailable(cell: NotebookNode) -> None:
    """Put the reason of an error a stand-in raised in the kernel (the reference taken away,
    an autodiff library blocked: written in English) in the current language."""
    for out in cell.get("outputs", []):
        if out.get("output_type") != "error" or not isinstance(out.get("evalue"), str):
            continue
        english = out.evalue
        out.evalue = retranslate(english, UNAVAILABLE)
        if out.evalue != english:
            out.traceback = [line.replace(english, out.evalue) if isinstance(line, str)
                             else line for line in out.get("traceback", [])]


def _outputs(verdicts: list[judge.Verdict]) -> list[NotebookNode]:
    """The outputs a judged test cell gets: pass lines, then the first failure as an error."""
    outs = [NotebookNode(output_type="stream", name="stdout", text=v.message + "\n")
            for v in verdicts if v.passed]
    failed = [v for v in verdicts if not v.passed]
    if failed:
        outs.append(NotebookNode(output_type="error", ename="AssertionError",
                                 evalue=failed[0].message,
                                 traceback=failure_lines(failed[0].message)))
    return outs


class SandboxedExecute(CellLimits):
    """Execute in the sandbox; replace each test cell's outputs by the verdict judged here."""

    _language: str | None = None

    skip_ungraded_tail = Bool(
        False, help="Do not run the code cells after the last grade cell.").tag(config=True)
    unsandboxed = Bool(
        False, help="Run the kernel without bubblewrap (only where bwrap cannot run; the "
                    "feedback says so).").tag(config=True)
    secret_file = Unicode(
        "", help="The course secret (hidden cases); default: .course_secret in the folder "
                 "of the gradebook.").tag(config=True)
    case_seeds_file = Unicode(
        "", help="JSON {graded function: seed} of the hidden cases, instead of the secret "
                 "(a class-grading shard, which never gets the secret).").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None
                   ) -> tuple[NotebookNode, Any]:
        self._language = notebook_language(nb)   # verdicts and notes in the notebook's language
        with language(self._language):
            return self._preprocess(nb, resources, km)

    def _preprocess(self, nb: NotebookNode, resources: Any, km: Any
                    ) -> tuple[NotebookNode, Any]:
        info = resources["nbgrader"]
        assignment = info["assignment"]
        workdir = Path(resources.get("metadata", {}).get("path") or ".").resolve()
        self._tests = {i: [(n, h) for n, h in judge.checks_in(c.source) if n in KNOWN]
                       for i, c in enumerate(nb.cells) if is_test_cell(c)}
        needed = sorted({check for checks in self._tests.values() for check in checks})
        grades = [i for i, c in enumerate(nb.cells) if utils.is_grade(c)]
        self._skipped = {i for i, c in enumerate(nb.cells) if self.skip_ungraded_tail
                         and grades and i > grades[-1] and c.cell_type == "code"}
        seeds, key = None, None
        if self.case_seeds_file:
            seeds = json.loads(Path(self.case_seeds_file).read_text())
        else:
            key = secret.ensure(Path(self.secret_file) if self.secret_file else
                                secret.path_in(Path(info["db_url"].removeprefix("sqlite:///")
                                                    ).parent))
        stamp = workdir / "timestamp.txt"     # nbgrader's collect writes it; a regrade keeps it
        submitted = stamp.read_text().strip()[:100] if stamp.is_file() else ""
        self._cases = {(n, h): cases_for(n, hidden=h, secret=key, assignment=assignment,
                                         seeds=seeds, student=str(info.get("student") or ""),
                                         submitted=submitted) for n, h in needed}
        graded = sorted(set(ASSIGNMENTS.get(assignment, [])) | {n for n, _ in needed})
        self._notes = list(nb.metadata.get(REPAIRS_KEY, []))
        if too_big := self.too_big(nb):
            self._not_run_at_all(nb, too_big)
            self._finish(nb, workdir)
            return nb, resources
        for attempt in (1, 2):
            self._rows: list[dict[str, Any]] = []
            self._earlier: list[str] = []
            self._verdicts: dict[str, bool] = {}
            self._kernel_up, self._judging = False, 0.0
            self.reset_limits()
            try:
                nb, resources = self._run_in_sandbox(nb, resources, km, assignment, workdir,
                                                     graded, len(needed))
                break
            except Exception as exc:  # a kernel that never started: once more, then give up
                if self._kernel_up or attempt == 2:
                    raise
                self.log.warning("The sandboxed kernel did not start (%s: %s); trying again",
                                 type(exc).__name__, exc)
        self.log.info("Judged %d test cells in %.2f s", len(self._tests), self._judging)
        self._finish(nb, workdir)
        return nb, resources

    def _finish(self, nb: NotebookNode, workdir: Path) -> None:
        """The Notes from grading cell, and grading.json next to the graded notebook."""
        self._notes_cell(nb)
        (workdir / REPORT).write_text(json.dumps(self._rows, indent=1, ensure_ascii=False))

    def _not_run_at_all(self, nb: NotebookNode, reason: str) -> None:
        """Judge a notebook that is not run: every code cell gets ``reason``, every test
        fails with it, and the Notes from grading say it."""
        self._rows, self._earlier, self._verdicts, self._judging = [], [], {}, 0.0
        self.log.warning("%s", reason)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                cell.outputs = [stopped_output("NotRun", reason)]
            if index in self._tests:
                self._judge_cell(cell, index, [])
        self._notes.insert(0, _("This notebook was {reason}.").format(reason=reason))

    def _run_in_sandbox(self, nb: NotebookNode, resources: Any, km: Any, assignment: str,
                        workdir: Path, graded: list[str], n_checks: int
                        ) -> tuple[NotebookNode, Any]:
        with Sandbox(assignment=assignment, workdir=workdir, graded=graded,
                     unsandboxed=self.unsandboxed) as box:
            for (n, h), cases in self._cases.items():
                write_cases(box.grading_dir, n, h, [(c.name, c.args) for c in cases])
            self._box = box
            self._records = judge.Records(Path(box.grading_dir) / "out")
            self.log.info("Sandbox ready (%s), cases of %d checks written",
                          "UNSANDBOXED" if self.unsandboxed else "bubblewrap", n_checks)
            return super().preprocess(nb, resources, km)

    def create_kernel_manager(self) -> Any:
        """The sandbox's kernel, whatever the notebook's kernelspec says."""
        self.kernel_name = self._box.kernel_name
        return self.capped(self._box.configure(super().create_kernel_manager()))

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int
                        ) -> tuple[NotebookNode, Any]:
        with language(self._language):   # nbclient may call this from another thread
            return self._preprocess_cell(cell, resources, index)

    def _preprocess_cell(self, cell: NotebookNode, resources: Any, index: int
                         ) -> tuple[NotebookNode, Any]:
        if not self._kernel_up:
            self._kernel_up = True
            self.start_clock()
            self.log.info("Kernel up, running the cells")
        if index in self._skipped:
            cell.outputs = [NotebookNode(output_type="stream", name="stdout",
                                         text=_(NOT_RUN) + "\n")]
            return cell, resources
        cell, resources = self.run_or_skip(cell, resources, index)
        translate_unavailable(cell)
        start = time.perf_counter()
        new = self._records.new()   # records of non-test cells are read and dropped
        if index in self._tests:
            self._judge_cell(cell, index, new)
        elif cell.cell_type == "code" and (error := _error(cell, last=True)):
            self._earlier.append(f"{cell_name(cell, index)}: {error[0]}: {error[1]}")
        self._judging += time.perf_counter() - start
        return cell, resources

    def _judge_cell(self, cell: NotebookNode, index: int, new: list) -> None:
        checks = self._tests[index]
        kernel_error = _error(cell)
        verdicts = [judge.judge_check(
            name, hidden, self._cases[name, hidden],
            [rec for n, h, rec in new if (n, h) == (name, hidden)],
            kernel_error, self._earlier, self._verdicts) for name, hidden in checks]
        if not verdicts:
            verdicts = [judge.Verdict("", False, False, _("this test cell calls no check the "
                                      "grader knows, so it cannot be graded."), "not_checked")]
        for v in verdicts:   # passed = every test of the function so far passed
            self._verdicts[v.function] = v.passed and self._verdicts.get(v.function, True)
        meta = cell.metadata.get("nbgrader", {})
        self._rows += [v.row(meta.get("grade_id", ""), float(meta.get("points", 0)))
                       for v in verdicts]
        cell.outputs = _outputs(verdicts)
        for v in verdicts:
            self.log.info("%s: %s", meta.get("grade_id"), "passed" if v.passed else
                          f"failed ({v.mistake})")

    def _notes_cell(self, nb: NotebookNode) -> None:
        """A markdown cell at the top listing repairs and an unsandboxed run, if any."""
        notes = list(self._notes)
        if self.unsandboxed:
            notes.insert(0, _(UNSANDBOXED_NOTE))
        if notes:
            text = _("**Notes from grading**") + "\n\n" + "\n".join(f"* {n}" for n in notes)
            nb.cells.insert(0, NotebookNode(cell_type="markdown", metadata={}, source=text,
                                            id="grading-notes"))


def preflight(course: Path, *, unsandboxed: bool) -> str:
    """Before ``nbgrader autograde``: make sure of the course secret and the sandbox.

    Returns what to print; raises SystemExit with the reason when grading must not start.
    """
    _check_config(course)
    path = secret.path_in(course)
    existed = path.exists()
    secret.ensure(path)
    lines = [f"course secret: {path} ({'kept' if existed else 'created'})"]
    if unsandboxed:
        lines.append("WARNING: grading WITHOUT the sandbox (unsandboxed): student code runs "
                     "with your permissions; every feedback page will say so.")
        return "\n".join(lines)
    try:
        check_available()
    except SandboxUnavailable as exc:
        raise SystemExit(f"{exc}\nNot grading: student code runs only in the sandbox. "
                         "Use `make autograde UNSANDBOXED=1` (or --SandboxedExecute."
                         "unsandboxed=True) to grade without it anyway.") from None
    return "\n".join(lines)


def _check_config(course: Path) -> None:
    """Refuse to grade when nbgrader_config.py fails or does not run SandboxedExecute.

    nbgrader logs a config file that raises and goes on with its defaults: its own
    Execute, which runs student code with the grader's permissions, outside the sandbox.
    """
    try:
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    except Exception as exc:
        raise SystemExit(f"{course / 'nbgrader_config.py'} failed ({type(exc).__name__}: "
                         f"{exc}); nbgrader would grade with its defaults, outside the "
                         "sandbox. Not grading.") from None
    steps = config.get("Autograde", {}).get("autograde_preprocessors", [])
    if not any(str(getattr(step, "__name__", step)).endswith("SandboxedExecute")
               for step in steps):
        raise SystemExit(f"{course / 'nbgrader_config.py'} does not run SandboxedExecute in "
                         "Autograde.autograde_preprocessors. Not grading.")


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder preflight [--unsandboxed] [COURSE_DIR]``."""
    args = sys.argv[1:] if argv is None else argv
    unsandboxed = "--unsandboxed" in args
    rest = [a for a in args if a != "--unsandboxed"]
    print(preflight(Path(rest[0]) if rest else Path.cwd(), unsandboxed=unsandboxed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
