"""nbgrader configuration: the repository root is the course folder.

Instructors work locally (see "For instructors" in README.md and the Makefile):
``solutions/<assignment>/`` holds the source notebooks, ``exercises/<assignment>/``
the student versions that ``nbgrader generate_assignment`` makes from them, and
``submitted/``, ``autograded/``, ``feedback/`` and ``gradebook.db`` the class's work
(all four are git-ignored). Submissions arrive from an LMS zip (``zip_collect``)
or a folder, never through nbgrader's exchange, so nothing here needs root.

traitlets executes this file with ``__file__`` set, so every path below follows
the file: a copy of it in another folder makes that folder a course of its own.
"""

import os

ROOT = os.path.dirname(os.path.abspath(__file__))

c = get_config()  # noqa: F821 -- defined by traitlets when it executes this file

# Instructors see only what needs their attention: nbgrader's routine warnings and
# nbgrader.api's harmless SQLAlchemy SAWarning are filtered (autograder/quiet.py).
from autograder import quiet  # noqa: E402

quiet.install()

# --- the course folder ------------------------------------------------------------
c.CourseDirectory.course_id = "dnn-from-scratch"
c.CourseDirectory.root = ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(ROOT, "gradebook.db")

# The exchange (release_assignment/fetch/submit/collect on a shared server) is not
# part of this workflow; should someone run those commands anyway, they stay inside
# the course folder instead of needing /srv/nbgrader/exchange.
c.Exchange.root = os.path.join(ROOT, "exchange")

# --- what students get ---------------------------------------------------------------
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# --- running students' code ------------------------------------------------------------
# Every cell of the assignments runs in a few seconds; a cell still busy after 60 s
# is a runaway loop. nbgrader then interrupts the kernel (KeyboardInterrupt in that
# cell), records a CellTimeoutError in the cell's output and goes on with the next
# cell, so one loop costs the tests that depend on it, not the notebook or the class.
# (nbgrader's Execute preprocessor inherits these ExecutePreprocessor settings.)
c.ExecutePreprocessor.timeout = 60
c.ExecutePreprocessor.interrupt_on_timeout = True
# A sandboxed kernel on a busy machine may take a while to start; one that does not start
# at all is tried once more (autograder.preprocessors.execute) before the student is reported.
c.ExecutePreprocessor.startup_timeout = 120
# After an interrupt the kernel's last output may be slow to arrive on a loaded machine; a
# cell whose output does not end within this time fails alone (SandboxedExecute). All the
# cells of one notebook share SandboxedExecute.notebook_time_limit (600 s) and keep at most
# cell_output_limit / notebook_output_limit bytes of output (2 MB / 20 MB).
c.ExecutePreprocessor.iopub_timeout = 30

# --- collecting from an LMS (make collect-zip; autograder/lms/collect.py) -------------------------
# Canvas "Download Submissions" names each file
#     <lastfirst>[_LATE]_<canvas user id>_<submission id>_<file name>[-<n>].<ext>
# e.g. smithjane_104233_5501267_backprop.ipynb or doejohn_LATE_88112_5501300_backprop-1.ipynb
# (-1, -2 ... mark re-uploads; <lastfirst> keeps every Unicode letter and mark: müllerjörg,
# 王小明, अनिल).
# The pattern is matched against "/" + the file's path inside the download, in Unicode NFC:
# "^/" keeps it to the files Canvas wrote, never a file inside a folder or an upload.
# Students are keyed by the Canvas user id; the student id is the lower-case name part, or
# <name>_<user id> when two students share it. LmsCollector looks at each student's files
# together: a notebook named otherwise (Backprop_final.ipynb, "backprop (1).ipynb") is filed
# under the released name when it is clearly the one, and a student with nothing gradable is
# listed as "not graded: file named ..." in the log and in grades.csv. LmsExtractor unpacks
# only the download itself: nested archives, links and zip bombs are refused and reported.
# The late marker, user id and (if captured) timestamp are kept in downloaded/<a>/lms.json.
# Another LMS: change the pattern; it must capture student_id and file_id and may capture
# late, lms_user_id, resubmission, timestamp.
from autograder.lms.collect import LmsCollector  # noqa: E402
from autograder.lms.extract import LmsExtractor  # noqa: E402
from autograder.lms.names import WORD  # noqa: E402

c.ZipCollectApp.extractor_plugin = LmsExtractor
c.ZipCollectApp.collector_plugin = LmsCollector
c.FileNameCollectorPlugin.named_regexp = (  # WORD: a letter, digit or combining mark
    rf"(?i)^/(?P<student_id>{WORD}+)_(?P<late>late_)?(?P<lms_user_id>\d+)_\d+_"
    r"(?P<file_id>[^/]+?)(?:-(?P<resubmission>\d+))?\.[^./]+$"
)
c.FileNameCollectorPlugin.valid_ext = [".ipynb"]
c.ZipCollectApp.strict = True

# --- grades (make grades, make grades-canvas; autograder/lms/grades.py, lms/canvas.py) ---
# grades.csv leaves out assignments nobody's work was collected for and has a status and
# a late column; `nbgrader export --exporter=autograder.lms.canvas.CanvasExport` writes the
# CSV Canvas's gradebook import accepts.
from autograder.lms.grades import GradesExport  # noqa: E402

c.ExportApp.plugin_class = GradesExport

# --- grading that the student's code cannot fool (autograder/, issue 8) -------------------
# Student code runs only in the bubblewrap sandbox (autograder/sandbox.py): SandboxedExecute
# starts the kernel there (whatever kernelspec the notebook names), runs the notebook once,
# and after each test cell judges what its check_* calls recorded, outside, with the
# reference; the cell's outputs become that verdict. Hidden cases come from the course
# secret (.course_secret next to this file; autograder/judge/secret.py). Where bwrap cannot run,
# grading refuses unless --SandboxedExecute.unsandboxed=True (make autograde UNSANDBOXED=1).
# RepairCells makes copy-pasted notebooks gradable (duplicated grade_id, cell ids, cell
# types) and the feedback says what it changed; deleted test cells are put back.
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from autograder.preprocessors.execute import SandboxedExecute  # noqa: E402
from autograder.preprocessors.feedback import HideHiddenTests  # noqa: E402
from autograder.preprocessors.overwrite import OverwriteReleasedCells  # noqa: E402
from autograder.preprocessors.repair import RepairCells  # noqa: E402
from autograder.preprocessors.sanitize import SanitizeStudentContent  # noqa: E402
from autograder.reports import feedback_page  # noqa: E402

c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    RepairCells,  # before nbgrader's own checks, which fail on copy-paste damage
    DeduplicateIds,
    OverwriteKernelspec,
    OverwriteReleasedCells,  # nbgrader's, without false checksum alarms or KeyError on gaps
    CheckCellMetadata,
]
c.Autograde.autograde_preprocessors = [
    SandboxedExecute,  # the one execution; make grade-class also skips cells no grade needs
    SanitizeStudentContent,  # the autograded notebook the formgrader shows runs no student script
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
c.SandboxedExecute.secret_file = os.path.join(ROOT, ".course_secret")
c.OverwriteReleasedCells.add_missing_cells = True
# Feedback shows every diagnosis but never the code of hidden tests (nbgrader #917), and
# runs none of a student's HTML, JavaScript or TeX links (SanitizeStudentContent).
c.GenerateFeedback.preprocessors = [HideHiddenTests, SanitizeStudentContent, GetGrades,
                                    CSSHTMLHeaderPreprocessor, feedback_page.FeedbackPage]
# The page itself works offline and fits a phone: MathJax inlined from the local wheel,
# outputs wrapped, tables styled (autograder/reports/feedback_page.py, templates/dnn_feedback).
# The template belongs to the feedback exporter only: the formgrader's own HTMLExporter
# keeps nbgrader's formgrade template (a global HTMLExporter.template_* broke its pages).
c.GenerateFeedback.exporter_class = feedback_page.FeedbackExporter
c.FeedbackExporter.template_name = feedback_page.TEMPLATE
c.FeedbackExporter.template_file = feedback_page.TEMPLATE_FILE
c.FeedbackExporter.extra_template_basedirs = feedback_page.TEMPLATE_DIRS

# --- the course's language (issue 18) ---------------------------------------------------------
# COURSE_LANGUAGE=pt_BR make release: the exercises' instructions come from
# locale/pt_BR/LC_MESSAGES/assignments.po and the notebook records its language
# (metadata.dnn.language), which the grader keeps through autograde and writes its verdicts,
# notes and diagnoses in (dnn_ref.i18n); English when COURSE_LANGUAGE is unset.
from nbgrader.preprocessors import (  # noqa: E402
    ClearHiddenTests,
    ClearMarkScheme,
    ClearSolutions,
    ComputeChecksums,
    IncludeHeaderFooter,
    InstantiateTests,
    LockCells,
    SaveCells,
)

from autograder.preprocessors.translate import TranslateInstructions  # noqa: E402

c.GenerateAssignment.preprocessors = [  # nbgrader's list, translated first (before SaveCells)
    TranslateInstructions, IncludeHeaderFooter, InstantiateTests, LockCells, ClearSolutions,
    ClearOutput, CheckCellMetadata, ComputeChecksums, SaveCells, ClearHiddenTests,
    ClearMarkScheme, ComputeChecksums, CheckCellMetadata,
]
c.ClearMetadataPreprocessor.preserve_nb_metadata_mask = {("language_info", "name"),
                                                         ("dnn", "language")}
