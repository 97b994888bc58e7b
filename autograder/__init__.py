"""Instructors' grading machinery around nbgrader (student code never imports it).

What a student has (``dnn_ref``, with its ``grading`` subpackage: the visible cases,
the checks, the diagnoses, the recorder that runs inside the sandbox) stays apart
from what only the instructor's side has, here, one subpackage per phase:

* :mod:`autograder.api` — the verbs the Makefile calls (``python -m autograder <verb>``);
* :mod:`autograder.sandbox` — the OS boundary: the bubblewrap kernel every submission runs
  in, and the ``dnn_ref`` it sees (:mod:`~autograder.sandbox.student_view`);
* :mod:`autograder.preprocessors` — what ``nbgrader_config.py`` plugs into nbgrader:
  Execute in the sandbox, cell limits, copy-paste repair, feedback without hidden tests;
* :mod:`autograder.judge` — outside the sandbox: verdicts from recorded plain data, on
  hidden cases drawn from the course secret;
* :mod:`autograder.class_grading` — a whole class in parallel shards, merged and resumable;
* :mod:`autograder.lms` — submissions in from an LMS download, grades out (CSV, Canvas);
* :mod:`autograder.reports` — what people read: misconception report, near-copies,
  feedback pages;
* :mod:`autograder.hub` — the course hub (JupyterHub, nbgrader's exchange, grading on submit);
* :mod:`autograder.kit` — the student kit: what an instructor hands out, without the answers;
* :mod:`autograder.quiet` — the log filters every instructor command shares;
* :mod:`autograder.spreadsheet` — CSV cells that no spreadsheet runs as a formula.
"""
