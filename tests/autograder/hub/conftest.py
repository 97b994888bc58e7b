"""The one course hub the tests of this folder share (tests/fixtures/course_hub.py)."""

from course_hub import hub  # noqa: F401 -- pytest fixture
