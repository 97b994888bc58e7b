"""What people read: the class misconception report, near-copies, the feedback pages.

* :mod:`~autograder.reports.misconceptions` — ``make report``: which mistakes how many made;
* :mod:`~autograder.reports.similarity` — near-copies among answers and of the course's code;
* :mod:`~autograder.reports.feedback_page` — feedback pages that work offline and fit a phone;
* ``templates/`` — their Jinja templates.
"""
