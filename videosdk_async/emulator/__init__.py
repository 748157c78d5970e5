"""A stateful local emulator of VideoSDK's video-on-demand encoding-jobs API.

Nothing here is imported by ``import videosdk_async``. Quick start:

```python
from videosdk_async.emulator import Emulator, serve

emulator = Emulator()
async with serve(emulator) as server:      # real loopback socket
    ...                                    # talk to server.base_url
emulator.advance(30)                       # move the manual clock
```

See ``docs/emulator.md``.
"""

from __future__ import annotations

from .clock import Clock, iso_ms
from .config import EmulatorConfig
from .emulator import Emulator
from .faults import FaultRule, even_mix
from .ledger import Ledger, LedgerCounts, LedgerEntry
from .loopback import is_loopback_host, is_loopback_url
from .metrics import RequestRecord
from .server import RunningServer, ServerThread, banner, serve
from .webhooks import WebhookDelivery

__all__ = [
    "Clock",
    "Emulator",
    "EmulatorConfig",
    "FaultRule",
    "Ledger",
    "LedgerCounts",
    "LedgerEntry",
    "RequestRecord",
    "RunningServer",
    "ServerThread",
    "WebhookDelivery",
    "banner",
    "even_mix",
    "is_loopback_host",
    "is_loopback_url",
    "iso_ms",
    "serve",
]
