"""Entry point: `flask --app app run`, `gunicorn app:app`."""

import sys

from lms import create_app
from lms.config import ConfigError
from lms.domain.loading import CoursePackError

try:
    app = create_app()
except CoursePackError as error:
    # A broken pack must stop start-up with its problems, not with a traceback.
    sys.exit(f"The course pack cannot be loaded.\n{error}")
except ConfigError as error:
    sys.exit(f"The settings are not usable: {error}")
