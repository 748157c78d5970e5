"""The side-effect ledger: every mutation the emulator applied.

With it, tests can prove that no retry applied anything twice.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Literal

LedgerOp = Literal["create_job", "delete_job", "upload_file", "delete_file"]


@dataclass(frozen=True)
class LedgerEntry:
    """One applied mutation.

    ``request`` is the sequence number of the API request that applied it (see
    `RequestRecord`), and ``fault`` the fault kind
    that hit that request's response, if any: an entry whose fault is
    ``drop_after`` was applied although its client never saw an answer. Uploads
    carry the ``size`` in bytes and the ``sha256`` of the content.
    """

    seq: int
    op: LedgerOp
    id: str
    at: str
    idempotency_key: str | None = None
    size: int | None = None
    sha256: str | None = None
    request: int | None = None
    fault: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry's JSON form, camelCase keys (unset optional fields left out)."""
        data: dict[str, Any] = {"seq": self.seq, "op": self.op, "id": self.id, "at": self.at}
        optional = {
            "idempotencyKey": self.idempotency_key,
            "size": self.size,
            "sha256": self.sha256,
            "request": self.request,
            "fault": self.fault,
        }
        data.update({k: v for k, v in optional.items() if v is not None})
        return data


@dataclass
class LedgerCounts:
    """How many creates and deletes were applied to one id."""

    creates: int = 0
    deletes: int = 0


class Ledger:
    """Append-only record of applied mutations with per-id counts (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LedgerEntry] = []
        self._counts: dict[str, LedgerCounts] = {}
        self._uploaded_bytes = 0

    def record(
        self,
        op: LedgerOp,
        id: str,
        at: str,
        idempotency_key: str | None = None,
        *,
        size: int | None = None,
        sha256: str | None = None,
        request: int | None = None,
        fault: str | None = None,
    ) -> LedgerEntry:
        """Note that ``op`` was applied to ``id``; returns the new entry."""
        with self._lock:
            entry = LedgerEntry(
                len(self._entries) + 1, op, id, at, idempotency_key, size, sha256, request, fault
            )
            self._entries.append(entry)
            counts = self._counts.setdefault(id, LedgerCounts())
            if op in ("create_job", "upload_file"):
                counts.creates += 1
            else:
                counts.deletes += 1
            if op == "upload_file":
                self._uploaded_bytes += size or 0
            return entry

    @property
    def entries(self) -> list[LedgerEntry]:
        """Every applied mutation, in order."""
        with self._lock:
            return list(self._entries)

    def counts(self, id: str) -> LedgerCounts:
        """Creates and deletes applied to ``id`` (zeros when never touched)."""
        with self._lock:
            c = self._counts.get(id)
            return LedgerCounts(c.creates, c.deletes) if c else LedgerCounts()

    def creates(self, id: str) -> int:
        """Creates applied to ``id``."""
        return self.counts(id).creates

    def deletes(self, id: str) -> int:
        """Deletes applied to ``id``."""
        return self.counts(id).deletes

    def total(self, op: LedgerOp | None = None) -> int:
        """Number of applied mutations (of one kind, or all)."""
        with self._lock:
            if op is None:
                return len(self._entries)
            return sum(1 for e in self._entries if e.op == op)

    def uploaded_bytes(self) -> int:
        """Bytes received in every recorded upload (deleted files included)."""
        with self._lock:
            return self._uploaded_bytes

    def faulted(self) -> list[LedgerEntry]:
        """Mutations applied although a fault hit their response (the client may not know)."""
        with self._lock:
            return [e for e in self._entries if e.fault is not None]

    def duplicates(self) -> dict[str, LedgerCounts]:
        """Ids created or deleted more than once (should be empty)."""
        with self._lock:
            return {
                k: LedgerCounts(c.creates, c.deletes)
                for k, c in self._counts.items()
                if c.creates > 1 or c.deletes > 1
            }

    def to_json(self) -> dict[str, Any]:
        """``{"counts": {id: {"creates", "deletes"}}, "log": [...]}``."""
        with self._lock:
            return {
                "counts": {
                    k: {"creates": c.creates, "deletes": c.deletes} for k, c in self._counts.items()
                },
                "log": [e.to_json() for e in self._entries],
            }
