"""``python -m autograder <verb>``: see :mod:`autograder.api`."""

import sys

from autograder.api import main

sys.exit(main())
