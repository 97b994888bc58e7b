"""The course hub: JupyterHub with nbgrader's exchange, sandboxed kernels, grading on submit.

* :mod:`~autograder.hub.settings` — where the hub keeps things, its accounts and groups;
* :mod:`~autograder.hub.accounts` — ``make hub-users``: local accounts, first passwords;
* :mod:`~autograder.hub.setup` — ``make hub``'s preparation of the server (as root);
* :mod:`~autograder.hub.hub_config` — JupyterHub's configuration, as nbgrader documents it;
* :mod:`~autograder.hub.spawner` — each user's server in a cgroup of its own;
* :mod:`~autograder.hub.student_kernel` — each student kernel inside bubblewrap;
* :mod:`~autograder.hub.config_guard` — no configuration a student could have written;
* :mod:`~autograder.hub.inbound` — a submission made safe before root collects it;
* :mod:`~autograder.hub.grading_queue` — submissions graded in order, feedback released;
* :mod:`~autograder.hub.grading_service` — ``/services/grading/``: a student's place and feedback;
* :mod:`~autograder.hub.grading_page` — that page's HTML, in the course's language;
* :mod:`~autograder.hub.open_chapter` — the book's launch button: a chapter opens as a notebook.
"""
