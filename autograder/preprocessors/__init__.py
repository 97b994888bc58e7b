"""What ``nbgrader_config.py`` plugs into nbgrader's autograde and feedback steps.

* :mod:`~autograder.preprocessors.execute` — ``SandboxedExecute``: nbgrader's Execute with
  the kernel in the sandbox and every test cell judged outside it (and the preflight);
* :mod:`~autograder.preprocessors.cell_limits` — one cell's runaway costs that cell only;
* :mod:`~autograder.preprocessors.repair` — copy-paste damage repaired before nbgrader's checks;
* :mod:`~autograder.preprocessors.feedback` — hidden tests' code kept out of the feedback.
"""
