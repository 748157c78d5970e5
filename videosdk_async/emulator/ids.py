"""24-hex-digit object ids, increasing in creation order, reproducible from a seed."""

from __future__ import annotations

import random
import threading


class IdFactory:
    """Makes MongoDB-ObjectId-like ids: 4 bytes of seconds, 5 seeded bytes, a 3-byte counter.

    Ids made later compare greater (as strings) than ids made earlier, as long
    as the clock does not go backwards, which the emulator clock never does.
    """

    def __init__(self, rng: random.Random) -> None:
        self._middle = f"{rng.getrandbits(40):010x}"
        # Start low so the counter cannot wrap (and break ordering) in practice.
        self._counter = rng.randrange(0, 1 << 16)
        self._lock = threading.Lock()

    def new(self, now_ms: int) -> str:
        """A fresh id stamped with ``now_ms``."""
        with self._lock:
            self._counter = (self._counter + 1) & 0xFFFFFF
            counter = self._counter
        return f"{(now_ms // 1000) & 0xFFFFFFFF:08x}{self._middle}{counter:06x}"
