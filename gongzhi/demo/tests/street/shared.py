"""The one demo street these modules read (see conftest.py): its seed, scale and `now`."""

from datetime import UTC, datetime

SEED = 13
SCALE = 0.05
NOW = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)  # 15:30 in Shanghai, a Friday
