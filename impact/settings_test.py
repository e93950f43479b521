"""Settings for the test suite: the production settings over plain HTTP, with fast hashing."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SECURE", "0")

from impact.settings import *  # noqa: F403
from impact.settings import STORAGES

# Hashing strength is not what the tests examine; a fast hasher keeps the suite quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Most tests sign in with force_login as admins; the one-time-code requirement has its own tests, which
# turn it on (tests/organisations/test_signin.py).
REQUIRE_MFA_FOR_PRIVILEGED = False
