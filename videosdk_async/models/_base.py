"""Shared pieces of the pydantic models: camelCase aliases, lenient enums, aware datetimes."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from .._raw import RawResponse
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


class SerializableModel(BaseModel):
    """The serialization every model of this SDK shares, as in openai's SDK.

    - ``model_dump()`` / ``model_dump_json()``: pydantic's own, keyed by the attribute names
      (snake_case: ``video_id``), every field included.
    - `to_dict` / `to_json`: the API's keys (camelCase: ``videoId``) and only the
      fields that were set (by the server, or by you), like openai's ``to_dict()``.
    """

    def to_dict(
        self,
        *,
        mode: Literal["json", "python"] = "python",
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> dict[str, object]:
        """This object as a dict, keyed as the API keys it.

        With ``use_api_names=False``, keyed as the attributes are named.

        Args:
            mode: ``"json"`` gives only JSON types (datetimes as ISO strings, enums as their
                values); ``"python"`` keeps Python objects.
            use_api_names: The API's camelCase keys (default) or the snake_case attributes'.
            exclude_unset: Leave out fields that were never set (the server did not send
                them, or you did not give them).
            exclude_defaults: Leave out fields equal to their default.
            exclude_none: Leave out fields that are None.
        """
        return self.model_dump(
            mode=mode,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )

    def to_json(
        self,
        *,
        indent: int | None = 2,
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> str:
        """This object as a JSON string, keyed as the API keys it; see `to_dict`.

        ``indent=None`` gives the compact form.
        """
        return self.model_dump_json(
            indent=indent,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )


class APIModel(SerializableModel):
    """Base of response models: camelCase on the wire, snake_case in Python, unknown fields kept.

    A model returned by a call knows where it came from: `raw_response` and
    `request_id`. (They are kept outside the model's fields: equality, ``model_dump``
    and nested models pay nothing for them.) ``model_dump()`` is keyed by attribute names,
    `to_dict` by the API's names.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        defer_build=True,  # validators are built on first use, not at import (as openai does)
    )

    @property
    def raw_response(self) -> RawResponse | None:
        """The HTTP exchange this object came from (None when built locally or nested)."""
        raw = self.__dict__.get("_raw_response")
        return raw if isinstance(raw, RawResponse) else None

    @property
    def request_id(self) -> str | None:
        """The server's request id for the call that returned this object, when it sent one."""
        raw = self.raw_response
        return raw.request_id if raw is not None else None


class RequestModel(SerializableModel):
    """Base of request models: camelCase on the wire, and nothing unknown is accepted.

    `to_dict` gives what is sent (the API's keys, unset fields left out).
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=True,
        defer_build=True,
    )
