"""What comes from the LMS and goes back to it.

* :mod:`~autograder.lms.extract` — ``LmsExtractor``: the download's top level only (no nested
  archive, no link, no zip bomb);
* :mod:`~autograder.lms.collect` — ``LmsCollector``: files of an LMS download matched to students;
* :mod:`~autograder.lms.names` — students keyed by LMS user id, names in Unicode NFC;
* :mod:`~autograder.lms.choose` — which of a student's uploads is the notebook to grade;
* :mod:`~autograder.lms.grades` — ``grades.csv``: what was graded, with status and late flag;
* :mod:`~autograder.lms.canvas` — ``grades-canvas.csv`` for Canvas's gradebook import;
* :mod:`~autograder.lms.assignments` — the assignment names, checked before every ``make`` target.
"""
