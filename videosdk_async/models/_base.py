"""Shared pieces of the pydantic models: camelCase aliases, lenient enums, aware datetimes."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, PrivateAttr
from pydantic.alias_generators import to_camel

from .._time import as_utc


class OpenEnum(str, Enum):
    """A string enum that accepts values it does not know.

    The live service may add a status or format at any time; an unknown value becomes a
    pseudo-member (``is_known`` is False) whose ``value`` is exactly what the server sent, so
    parsing never fails and nothing is lost.
    """

    @classmethod
    def _missing_(cls, value: object) -> OpenEnum | None:
        if not isinstance(value, str):
            return None
        for member in cls:
            if member.value == value.lower():
                return member
        pseudo = str.__new__(cls, value)
        pseudo._name_ = value.upper()
        pseudo._value_ = value
        return pseudo

    @property
    def is_known(self) -> bool:
        """True for a value this SDK version was built with."""
        return any(self is member for member in type(self))

    def __str__(self) -> str:
        return str(self.value)


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]
"""A timezone-aware datetime; naive input is read as UTC."""


class RawResponse:
    """What came back on the wire for a result: status, headers, attempts and timing."""

    __slots__ = ("attempts", "elapsed", "headers", "method", "status_code", "url")

    def __init__(
        self,
        *,
        status_code: int,
        headers: Any,
        method: str,
        url: str,
        attempts: int,
        elapsed: float,
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.method = method
        self.url = url
        self.attempts = attempts
        self.elapsed = elapsed

    def __repr__(self) -> str:
        return (
            f"RawResponse({self.method} {self.url} -> {self.status_code}, "
            f"attempts={self.attempts}, elapsed={self.elapsed:.3f}s)"
        )


class APIModel(BaseModel):
    """Base of response models: camelCase on the wire, snake_case in Python, unknown fields kept."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="allow",
    )

    _raw_response: RawResponse | None = PrivateAttr(default=None)

    @property
    def raw_response(self) -> RawResponse | None:
        """The HTTP exchange this object came from (None when built locally)."""
        return self._raw_response


class RequestModel(BaseModel):
    """Base of request models: camelCase on the wire, and nothing unknown is accepted."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="forbid",
        str_strip_whitespace=True,
    )
