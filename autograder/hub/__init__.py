"""The course hub: JupyterHub with nbgrader's exchange, sandboxed kernels, grading on submit."""
