"""A whole class graded in parallel, resumable, with the real ``nbgrader autograde``.

``python -m autograder grade-class ASSIGNMENT`` (``make grade-class``) runs
:mod:`~autograder.class_grading.grade_class`: the class is split into shards
(:mod:`~autograder.class_grading.shard`, each a private course copy whose
students :mod:`~autograder.class_grading.autograde_run` grades one by one), run by
an executor (:mod:`~autograder.class_grading.executors`: local processes or Dask)
or written as job files for a cluster's own scheduler
(:mod:`~autograder.class_grading.job_files`),
merged one student at a time (:mod:`~autograder.class_grading.merge`,
:mod:`~autograder.class_grading.gradebook_merge`) into the course folder
(:mod:`~autograder.class_grading.course`), and summarised
(:mod:`~autograder.class_grading.summary`).
"""
