"""What ``nbgrader_config.py`` plugs into nbgrader's autograde and feedback steps.

* :mod:`~autograder.preprocessors.execute` — ``SandboxedExecute``: nbgrader's Execute with
  the kernel in the sandbox and every test cell judged outside it (and the preflight);
* :mod:`~autograder.preprocessors.cell_limits` — one cell's runaway costs that cell only;
* :mod:`~autograder.preprocessors.repair` — copy-paste damage and dropped metadata repaired
  before nbgrader's checks;
* :mod:`~autograder.preprocessors.overwrite` — nbgrader's OverwriteCells without false
  checksum alarms or a KeyError on a missing cell;
* :mod:`~autograder.preprocessors.sanitize` — nothing a student wrote or printed runs or
  links on a page (feedback and formgrader);
* :mod:`~autograder.preprocessors.feedback` — hidden tests' code kept out of the feedback;
* :mod:`~autograder.preprocessors.translate` — the instructions in the course's language.
"""
