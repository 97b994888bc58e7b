"""What comes from the LMS and goes back to it.

* :mod:`~autograder.lms.collect` — ``LmsCollector``: files of an LMS download matched to students;
* :mod:`~autograder.lms.grades` — ``grades.csv``: what was graded, with status and late flag;
* :mod:`~autograder.lms.canvas` — ``grades-canvas.csv`` for Canvas's gradebook import.
"""
