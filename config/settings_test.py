"""Settings for pytest: development keys, fast hashing, lockout on so it can be tested."""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
