"""How many examples a property test tries (docs/testing.md "Property tests").

`make test` runs each property test with the count its @settings names, sized so the suite stays
inside its time budget. `HYPOTHESIS_PROFILE=thorough` (the profile the root conftest.py loads)
multiplies every count by THOROUGH_FACTOR, for a deeper search before a release or after a
change to the rules a property covers."""

import os

THOROUGH = "thorough"
THOROUGH_FACTOR = 10


def thorough() -> bool:
    return os.environ.get("HYPOTHESIS_PROFILE") == THOROUGH


def examples(count: int) -> int:
    """`count` examples, or THOROUGH_FACTOR times as many under the thorough profile."""
    return count * THOROUGH_FACTOR if thorough() else count
