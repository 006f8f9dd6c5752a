"""Settings for pytest: development keys, fast hashing, lockout on so it can be tested."""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests dispatch by hand; the ones about 自动派遣 turn it on (a worktree's var/ may hold the demo's
# trained model, which would otherwise dispatch every resident report the tests make).
CASE_AUTO_DISPATCH_CONFIDENCE = None
