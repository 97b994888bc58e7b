"""Instructors' grading machinery around nbgrader (not part of the course package dnn_ref).

What a student has (``dnn_ref``: the visible cases, the checks, the diagnoses,
the recorder that runs inside the sandbox) stays apart from what only the
instructor's side has, here:

* :mod:`autograder.sandbox` (with :mod:`autograder.student_view`): the bubblewrap
  kernel every submission runs in;
* :mod:`autograder.execute`: nbgrader's Execute in that sandbox, each test cell
  judged outside by :mod:`autograder.judge` on hidden cases from the course secret
  (:mod:`autograder.hidden_cases`, :mod:`autograder.secret`);
* :mod:`autograder.repair`: copy-paste damage repaired before nbgrader's checks;
* :mod:`autograder.feedback`: hidden tests' code kept out of the feedback;
* :mod:`autograder.class_grade`: a whole class in parallel shards of real
  ``nbgrader autograde`` runs (:mod:`autograder.shard`), merged and journaled
  (:mod:`autograder.class_merge`, :mod:`autograder.gradebook_merge`) and reported
  (:mod:`autograder.class_report`), in the course folder (:mod:`autograder.course`);
* and, next to them, the LMS, grade-export and class-report modules.
"""
