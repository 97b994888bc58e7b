"""Instructors' grading machinery around nbgrader (not part of the course package dnn_ref).

* :mod:`autograder.sandbox` runs a student's answer cells in a separate, limited
  process and brings back plain data;
* :mod:`autograder.verify` re-checks every graded function there during
  ``nbgrader autograde``, so code in the notebook cannot change a verdict;
* :mod:`autograder.feedback` keeps hidden tests' code out of the feedback;
* :mod:`autograder.class_grade` grades a whole class in parallel shards of real
  ``nbgrader autograde`` runs (local processes or Dask), with a progress bar, a
  line per student, time and memory limits, a resume journal and the CSV export;
* :mod:`autograder.gradebook_merge` merges a shard's gradebook into the course's
  without touching manual grades.
"""
