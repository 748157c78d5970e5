"""The emulator's clock: manual, or real time scaled by a factor, always advanceable."""

from __future__ import annotations

import functools
import threading
import time
from datetime import datetime, timezone


@functools.lru_cache(maxsize=4096)
def _iso_seconds(seconds: int) -> str:
    return f"{datetime.fromtimestamp(seconds, tz=timezone.utc):%Y-%m-%dT%H:%M:%S}"


def iso_ms(ms: int) -> str:
    """Format epoch milliseconds as ISO-8601 UTC with milliseconds and ``Z``."""
    return f"{_iso_seconds(ms // 1000)}.{ms % 1000:03d}Z"


def to_ms(when: datetime) -> int:
    """Epoch milliseconds of an aware datetime (naive means UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp() * 1000)


class Clock:
    """Emulated wall clock in integer epoch milliseconds.

    With ``time_scale`` ``None`` or ``0`` the clock is manual: time moves only
    through `advance`. Otherwise ``time_scale`` emulated seconds pass per
    real second (measured on the monotonic clock), plus whatever was advanced.
    The clock never goes backwards, so creation order is also time order.
    """

    def __init__(self, start_ms: int, time_scale: float | None = None) -> None:
        self._start_ms = start_ms
        self._scale = float(time_scale or 0.0)
        self._offset_ms = 0.0
        self._mono0 = time.monotonic()
        self._lock = threading.Lock()

    @property
    def manual(self) -> bool:
        """True when time moves only through `advance`."""
        return self._scale <= 0.0

    @property
    def time_scale(self) -> float:
        """Emulated seconds per real second (0 for a manual clock)."""
        return self._scale

    def now_ms(self) -> int:
        """The current emulated time in epoch milliseconds."""
        elapsed = 0.0 if self.manual else (time.monotonic() - self._mono0) * 1000.0 * self._scale
        return self._start_ms + int(self._offset_ms + elapsed)

    def now(self) -> datetime:
        """The current emulated time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now_ms() / 1000.0, tz=timezone.utc)

    def advance(self, seconds: float) -> int:
        """Move the clock forward by ``seconds`` (not negative); return the new time in ms."""
        if seconds < 0:
            raise ValueError("the emulator clock cannot go backwards")
        with self._lock:
            self._offset_ms += seconds * 1000.0
        return self.now_ms()
