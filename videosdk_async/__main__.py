"""``python -m videosdk_async <command>`` runs the ``videosdk-jobs`` command line."""

from __future__ import annotations


def _run() -> None:
    try:
        from .cli import main
    except ImportError as exc:  # typer/rich are the optional "cli" extra
        import sys

        sys.stderr.write(
            f"error: the command line needs the cli extra ({exc.name} is missing): "
            'pip install "videosdk-async[cli]"\n'
        )
        raise SystemExit(2) from None
    main()


if __name__ == "__main__":
    _run()
