"""The Typer application: global options, command registration, and error handling.

Every failure ends as one ``error: <message>`` line on stderr and an exit code (0 done,
1 something failed, 2 usage or configuration); never a traceback, unless
``VIDEOSDK_CLI_DEBUG=1`` asks for one.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from .. import __version__
from .._constants import DEFAULT_BASE_URL, ENV_API_KEY, ENV_BASE_URL, ENV_SECRET, ENV_TOKEN
from ..errors import VideoSDKError
from . import demo, jobs, serve, upload
from .errors import EXIT_FAILED, CLIError, exit_code_for, leaf_error, report
from .settings import Settings

ENV_DEBUG = "VIDEOSDK_CLI_DEBUG"


def _guarded(call: Callable[[], Any]) -> int:
    """Run the command line; turn every outcome into an exit code and at most one error line."""
    try:
        result = call()
    except typer.TyperException as exc:  # click's usage errors and friends
        if type(exc).__name__ == "NoArgsIsHelpError":
            sys.stdout.write(exc.format_message() + "\n")  # bare `videosdk-jobs`: show help
            return 0
        ctx = getattr(exc, "ctx", None)
        hint = f" (try '{ctx.command_path} --help')" if ctx is not None else ""
        report(f"{exc.format_message()}{hint}")
        return int(getattr(exc, "exit_code", 1))
    except typer.Abort:
        report("aborted")
        return EXIT_FAILED
    except (KeyboardInterrupt, asyncio.CancelledError):  # the latter: Ctrl-C on Python 3.10
        report("interrupted")
        return 130
    except Exception as exc:
        leaf = leaf_error(exc)
        if isinstance(leaf, (VideoSDKError, CLIError)):
            report(str(leaf))
            return exit_code_for(leaf)
        if os.environ.get(ENV_DEBUG):
            raise
        report(f"unexpected {type(leaf).__name__}: {leaf} (set {ENV_DEBUG}=1 for a traceback)")
        return EXIT_FAILED
    return result if isinstance(result, int) else 0


def _plain_flags(params: list[Any]) -> list[Any]:
    """Show boolean flags as plain flags in help: ``--json``, never ``--json <bool>``.

    Some Typer versions print a flag's type as if it took a value; ``--json true`` is then
    refused. An empty metavar leaves nothing to print (a flag's metavar is only shown).
    """
    for param in params:
        if getattr(param, "is_flag", False) and getattr(param, "metavar", "") is None:
            param.metavar = ""
    return params


class _Command(TyperCommand):
    """A Typer command whose help shows flags as flags."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The command's parameters, ``--help`` included, flags without a type."""
        return _plain_flags(super().get_params(ctx))


class _Group(TyperGroup):
    """A Typer group whose ``main`` reports errors our way, in the CLI and under CliRunner."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The group's parameters, ``--help`` included, flags without a type."""
        return _plain_flags(super().get_params(ctx))

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the group; exit (or return the code when not standalone)."""
        code = _guarded(
            lambda: super(_Group, self).main(
                args=args,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        )
        if standalone_mode:
            sys.exit(code)
        return code


app: typer.Typer = typer.Typer(
    cls=_Group,
    name="videosdk-jobs",
    help="Manage VideoSDK encoding jobs (upload, list, create, delete, wait), or try them on a "
    "local emulator with `demo`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"videosdk-jobs {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            show_default=False,
            help=f"API base URL (env {ENV_BASE_URL}; default {DEFAULT_BASE_URL}).",
        ),
    ] = None,
    # Credentials are read from the environment by the SDK itself, never through Typer's
    # envvar=, so help output can never echo a value.
    token: Annotated[
        str | None,
        typer.Option(
            "--token", metavar="JWT", show_default=False, help=f"A JWT (env {ENV_TOKEN})."
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            metavar="KEY",
            show_default=False,
            help=f"API key to mint tokens (env {ENV_API_KEY}).",
        ),
    ] = None,
    secret: Annotated[
        str | None,
        typer.Option(
            "--secret",
            metavar="SECRET",
            show_default=False,
            help=f"Secret for --api-key (env {ENV_SECRET}).",
        ),
    ] = None,
    allow_insecure_http: Annotated[
        bool,
        typer.Option(
            "--allow-insecure-http",
            help="Allow a plain http:// base URL to a non-loopback host (tokens in clear text).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Connection settings shared by every command."""
    ctx.obj = Settings(
        base_url=base_url,
        token=token,
        api_key=api_key,
        secret=secret,
        allow_insecure_http=allow_insecure_http,
    )


def reflowed(doc: str | None) -> str:
    """A docstring as help text: paragraphs kept, the line breaks inside each one dropped.

    Some Typer versions keep a docstring's line breaks, which at 80 columns leaves a word or
    two alone on every other line; one line per paragraph wraps cleanly at any width.
    """
    paragraphs = inspect.cleandoc(doc or "").split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _register(name: str, command: Callable[..., Any], **settings: Any) -> None:
    app.command(name, cls=_Command, help=reflowed(command.__doc__), **settings)(command)


_register("list", jobs.list_jobs)
_register("get", jobs.get_job)
_register("create", jobs.create_job)
_register("delete", jobs.delete_jobs)
_register("delete-queued", jobs.delete_queued)
_register("wait", jobs.wait_job)
_register("upload", upload.upload_command)
_register("emulator", serve.emulator_command, **serve.COMMAND_SETTINGS)
_register("demo", demo.demo_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``videosdk-jobs`` and ``python -m videosdk_async``; exits the process."""
    typer.main.get_command(app).main(args=argv)
