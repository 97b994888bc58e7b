"""The student kit: what an instructor hands out, without the answers (``make student-kit``).

* :mod:`~autograder.kit.answers` tabulates the reference's answers on the
  visible cases, the only answers the at-home checks need;
* :mod:`~autograder.kit.edition` writes the student edition of ``dnn_ref``:
  graded functions stubbed, the checker reading those tables;
* :mod:`~autograder.kit.build` assembles the folder and the zip under ``dist/``;
* :mod:`~autograder.kit.scan` refuses a kit that holds a solution, a hidden
  test's code, the course secret or instructor material.
"""
