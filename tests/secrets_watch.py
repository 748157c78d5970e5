"""The secrets sweep: every credential the suite configures or mints is remembered, and every
SDK log record and every SDK error the suite creates is searched for them.

``tests/conftest.py`` installs it for the whole run: a test fails (in its teardown) if any log
record of the ``videosdk_async`` logger (at DEBUG, emulator excluded) or the ``str``, ``repr``
or traceback text of any :class:`~videosdk_async.VideoSDKError` created during the test (with
its chained causes) holds a secret, whole or any run of :data:`RUN` characters of it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from videosdk_async import VideoSDKError
from videosdk_async.auth import APIKeyAuth, StaticToken

__all__ = ["RUN", "SecretsWatch", "exception_texts", "leaks"]

RUN = 12
"""A run this long copied from a secret counts as a leak (the SDK masks such runs too)."""
SHORTEST = RUN
"""Shorter values are test placeholders (``"tok"``): they would match ordinary words."""


def exception_texts(error: BaseException) -> Iterator[str]:
    """``str``, ``repr`` and the traceback lines that carry values (each exception's own
    line) of ``error`` and of every exception a traceback shows with it (its cause, its
    context unless suppressed, the members of a group)."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        yield "".join(traceback.format_exception_only(type(current), current))
        # What a traceback shows: the cause, and the context unless it was suppressed.
        context = None if current.__suppress_context__ else current.__context__
        for linked in (current.__cause__, context):
            if linked is not None:
                stack.append(linked)
        stack.extend(getattr(current, "exceptions", ()))


def leaks(text: str, secrets: Iterable[str], runs: set[str] | None = None) -> list[str]:
    """Which secrets ``text`` holds, whole or by a run of :data:`RUN` characters, shown
    masked (the first four characters and the length). ``runs``: every run of every secret,
    when the caller keeps them (a whole secret holds runs too, so runs are all we look for)."""
    secrets = list(secrets)
    if runs is None:
        runs = {s[i : i + RUN] for s in secrets for i in range(len(s) - RUN + 1)}
    for start in range(len(text) - RUN + 1):
        piece = text[start : start + RUN]
        if piece in runs:
            owner = next((s for s in secrets if piece in s), piece)
            whole = "whole" if owner in text else f"a {RUN}-character run"
            return [f"{owner[:4]}… ({len(owner)} chars, {whole})"]
    return []


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("videosdk_async.emulator"):
            return  # the emulator is the other side of the wire, not the SDK
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + "\n".join(exception_texts(record.exc_info[1]))
        self.texts.append(text)


class SecretsWatch:
    """Remembers secrets as the suite configures and mints them; collects what to search."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()
        self.runs: set[str] = set()
        self.errors: list[BaseException] = []
        self.records = _Records()
        self.checked_errors = 0
        self.checked_records = 0
        self.paused = False
        self.found: list[str] = []
        self._undo: list[Callable[[], None]] = []

    def remember(self, value: object) -> None:
        """Add a secret (placeholders shorter than :data:`SHORTEST` are ignored)."""
        if (
            not self.paused
            and isinstance(value, str)
            and len(value) >= SHORTEST
            and value not in self.secrets
        ):
            self.secrets.add(value)
            self.runs.update(value[i : i + RUN] for i in range(len(value) - RUN + 1))

    def install(self) -> None:
        """Wrap the credential classes and the error base class; attach the log handler."""
        watch = self

        def patch(owner: Any, name: str, make: Callable[[Any], Any]) -> None:
            had = name in vars(owner)
            before = vars(owner).get(name)
            setattr(owner, name, make(getattr(owner, name)))
            self._undo.append(lambda: setattr(owner, name, before) if had else delattr(owner, name))

        def static_init(original: Any) -> Any:
            def __init__(self: StaticToken, token: str) -> None:
                watch.remember(token.strip() if isinstance(token, str) else token)
                original(self, token)

            return __init__

        def key_init(original: Any) -> Any:
            def __init__(self: APIKeyAuth, api_key: str, secret: str, **kwargs: Any) -> None:
                watch.remember(secret)
                original(self, api_key, secret, **kwargs)

            return __init__

        def minting(original: Any) -> Any:
            def token(self: APIKeyAuth) -> str:
                minted: str = original(self)
                watch.remember(minted)
                return minted

            return token

        def recording_new(original: Any) -> Any:
            def __new__(cls: type[VideoSDKError], *args: Any, **kwargs: Any) -> VideoSDKError:
                # The next __new__ in the class's own order (TimeoutError's for a WaitTimeoutError).
                # (OSError's takes no keywords: the arguments are __init__'s business anyway.)
                error: VideoSDKError = super(VideoSDKError, cls).__new__(cls, *args)
                watch.errors.append(error)
                return error

            return __new__

        patch(StaticToken, "__init__", static_init)
        patch(APIKeyAuth, "__init__", key_init)
        patch(APIKeyAuth, "token", minting)
        patch(VideoSDKError, "__new__", recording_new)
        logger = logging.getLogger("videosdk_async")
        level = logger.level
        logger.addHandler(self.records)
        logger.setLevel(logging.DEBUG)

        def detach() -> None:
            logger.removeHandler(self.records)
            logger.setLevel(level)

        self._undo.append(detach)

    def uninstall(self) -> None:
        """Undo :meth:`install`."""
        while self._undo:
            self._undo.pop()()

    def start_test(self, *, generated: bool = False) -> None:
        """Forget what the previous test produced (its secrets are kept: they are still secret).

        ``generated``: the test makes up its own secrets by the hundred (hypothesis) and checks
        them itself; they are not remembered (a made-up "secret" may be any word).
        """
        self.paused = generated
        self.errors.clear()
        self.records.texts.clear()
        logging.getLogger("videosdk_async").setLevel(logging.DEBUG)

    def findings(self) -> list[str]:
        """Every leak in what the current test produced, each described without the secret."""
        found: list[str] = []
        errors, texts = list(self.errors), list(self.records.texts)
        if self.paused:
            return found
        self.checked_errors += len(errors)
        self.checked_records += len(texts)
        if not self.secrets:
            return found
        checked: set[str] = set()  # many errors share their text (hypothesis, loops)
        for error in errors:
            for text in exception_texts(error):
                if text not in checked:
                    checked.add(text)
                    found.extend(f"{type(error).__name__}: {leak}" for leak in self._in(text))
        for text in texts:
            if text not in checked:
                checked.add(text)
                found.extend(f"log record: {leak}" for leak in self._in(text))
        return sorted(set(found))

    def sweep(self) -> None:
        """Search what was produced so far, keep the findings in :attr:`found`, and let the
        errors go (a long run would otherwise hold every one of them)."""
        self.found += self.findings()
        self.errors.clear()
        self.records.texts.clear()

    def _in(self, text: str) -> list[str]:
        return leaks(text, self.secrets, self.runs)
