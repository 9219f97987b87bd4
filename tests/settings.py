"""Settings for the test suite: the test mode, plus only what tests need."""

import os

os.environ["DJANGO_ENV"] = "test"
# Tests keep to their own Redis database indexes, away from a developer's data.
os.environ.setdefault("REDIS_BROKER_DB", "14")
os.environ.setdefault("REDIS_CACHE_DB", "15")

from alliance.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Hundreds of tests log staff in with force_login; tests/alliance/accounts/test_mfa.py
# turns the second-factor rule on.
STAFF_MFA_REQUIRED = False
