"""Injectable time source. All times are naive UTC datetimes, whole seconds (every database keeps them)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC).replace(tzinfo=None, microsecond=0)

    def millis(self) -> int:
        """Milliseconds since the epoch (GetCurrentTime)."""
        return time.time_ns() // 1_000_000


class FixedClock(Clock):
    """A clock tests move by hand."""

    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at

    def millis(self) -> int:
        return int(self.at.replace(tzinfo=UTC).timestamp() * 1000)

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)
