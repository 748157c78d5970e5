"""The `Emulator`: the emulator's state and operations plus the ASGI app serving them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import EmulatorConfig
from .core import EmulatorCore

if TYPE_CHECKING:
    import httpx
    from starlette.types import ASGIApp


class Emulator(EmulatorCore):
    """A stateful, in-memory VideoSDK encoding-jobs API.

    Serve `app` with `serve`,
    `ServerThread`, uvicorn, or in process with
    ``httpx.ASGITransport``. Keyword overrides replace fields of ``config``.
    """

    def __init__(self, config: EmulatorConfig | None = None, **overrides: Any) -> None:
        super().__init__(config, **overrides)
        self._app: ASGIApp | None = None

    @property
    def app(self) -> ASGIApp:
        """The ASGI application (built on first use; needs ``starlette``)."""
        if self._app is None:
            from .app import build_app  # Starlette is imported only when an app is wanted

            self._app = build_app(self)
        return self._app

    def client(self, *, token: str | None = None, **kwargs: Any) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` talking to `app` in process, authenticated.

        The caller owns the client (use ``async with``).
        """
        import httpx

        headers = {"Authorization": token or self.token, **kwargs.pop("headers", {})}
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url=kwargs.pop("base_url", "http://emulator.local"),
            headers=headers,
            **kwargs,
        )
