"""The ``videosdk-jobs`` command line (needs the ``cli`` extra: typer and rich).

Importing `videosdk_async` never imports this package, so the SDK stays light.
"""

from .app import app, main

__all__ = ["app", "main"]
