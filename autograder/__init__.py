"""Instructors' grading machinery around nbgrader (not part of the course package dnn_ref).

* :mod:`autograder.sandbox` runs a student's answer cells in a separate, limited
  process and brings back plain data;
* :mod:`autograder.verify` re-checks every graded function there during
  ``nbgrader autograde``, so code in the notebook cannot change a verdict;
* :mod:`autograder.feedback` keeps hidden tests' code out of the feedback.
"""
