"""``python -m workforce.cli``."""

import sys

from workforce.cli import app

sys.exit(app())
