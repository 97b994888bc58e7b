"""Instructors' grading machinery around nbgrader (not part of the course package dnn_ref).

* :mod:`autograder.sandbox` runs a student's answer cells in a separate, limited
  process and brings back plain data;
"""
