"""``python -m autograder.class_grading ASSIGNMENT ...``: ``python -m autograder grade-class``."""

import sys

from autograder.class_grading.grade_class import main

sys.exit(main())
