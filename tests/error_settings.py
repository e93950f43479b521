"""Settings for a server that a test starts (gunicorn against a PostgreSQL of the test's own): the test
settings with the URLs that fail on purpose or hold the database (tests/error_urls.py)."""

from impact.settings_test import *  # noqa: F403

ROOT_URLCONF = "tests.error_urls"
