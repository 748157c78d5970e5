"""Time helpers shared by the models, the batch helpers and the CLI."""

from __future__ import annotations

from datetime import datetime, timezone


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware datetime: the API writes UTC, so naive means UTC, never local."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
