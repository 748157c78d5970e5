"""Request metrics: counts per route and a bounded log of API requests."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class RequestRecord:
    """One API request as the emulator saw it.

    ``status`` is the HTTP status sent, or ``None`` when the connection was
    dropped without a response; ``fault`` names the fault kind that fired;
    ``ledger_seq`` is the ledger entry of the mutation this request applied, if
    any (whatever the client then got to see).
    """

    seq: int
    method: str
    path: str
    query: str
    route: str
    at: str
    status: int | None = None
    fault: str | None = None
    idempotency_key: str | None = None
    ledger_seq: int | None = None

    @property
    def params(self) -> dict[str, str]:
        """The query string as a dict (last value wins)."""
        return dict(parse_qsl(self.query, keep_blank_values=True))

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "seq": self.seq,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "route": self.route,
            "at": self.at,
            "status": self.status,
            "fault": self.fault,
            "idempotencyKey": self.idempotency_key,
            "ledgerSeq": self.ledger_seq,
        }


class RequestMetrics:
    """Thread-safe counters per ``"METHOD /route/{template}"`` plus a bounded log."""

    def __init__(self, log_size: int) -> None:
        self._lock = threading.Lock()
        self._seq = 0
        self._counts: Counter[str] = Counter()
        self._log: deque[RequestRecord] = deque(maxlen=log_size)

    def begin(
        self,
        method: str,
        path: str,
        query: str,
        route: str,
        at: str,
        idempotency_key: str | None = None,
    ) -> RequestRecord:
        """Count and log a request as it arrives; fill in the outcome later."""
        with self._lock:
            self._seq += 1
            record = RequestRecord(
                self._seq, method, path, query, route, at, idempotency_key=idempotency_key
            )
            self._counts[f"{method} {route}"] += 1
            self._log.append(record)
            return record

    def counts(self) -> dict[str, int]:
        """Requests received per ``"METHOD /route/{template}"`` (never truncated)."""
        with self._lock:
            return dict(self._counts)

    def log(self) -> list[RequestRecord]:
        """The most recent requests, oldest first."""
        with self._lock:
            return list(self._log)

    def count(
        self,
        method: str | None = None,
        path: str | None = None,
        route: str | None = None,
        params: dict[str, str] | None = None,
    ) -> int:
        """How many logged requests match every given filter.

        ``params`` matches when each given query parameter has the given value.
        Only requests still in the bounded log are counted.
        """
        total = 0
        for r in self.log():
            if method is not None and r.method != method.upper():
                continue
            if path is not None and r.path != path:
                continue
            if route is not None and r.route != route:
                continue
            if params is not None:
                have = r.params
                if any(have.get(k) != str(v) for k, v in params.items()):
                    continue
            total += 1
        return total
