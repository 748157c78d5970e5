"""The emulator command: one implementation behind two doors, and entry points that need no extra.

Subprocesses run the real entry points: the console-script targets named in
``pyproject.toml``, ``python -m videosdk_async.emulator`` and ``python -m videosdk_async
emulator`` (the ``videosdk-jobs`` door).
"""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from videosdk_async.cli import app
from videosdk_async.emulator import Emulator, command

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
TIMEOUT = 60  # a guard against hangs only
EMULATOR_EXTRA = ("starlette", "uvicorn", "python_multipart")
CLI_EXTRA = ("typer", "rich")
EMULATOR_LINE = (
    'videosdk-emulator needs the emulator extra: pip install "videosdk-async[emulator]"\n'
)
JOBS_LINE = 'videosdk-jobs needs the cli extra: pip install "videosdk-async[cli]"\n'


def scripts() -> dict[str, str]:
    """``[project.scripts]`` from pyproject.toml: name -> "module:function"."""
    tomllib = pytest.importorskip("tomllib")
    return dict(tomllib.loads(PYPROJECT.read_text())["project"]["scripts"])


def run_python(
    code: str, *args: str, blocked: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter where ``blocked`` modules cannot be imported."""
    prelude = f"import sys\nfor _m in {blocked!r}:\n    sys.modules[_m] = None\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDEOSDK_")}
    return subprocess.run(
        [sys.executable, "-c", prelude + code, *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
    )


def call_script(name: str) -> str:
    """Python code calling a console script's target as its generated wrapper does."""
    module, _, function = scripts()[name].partition(":")
    return (
        f"import importlib\nsys.exit(getattr(importlib.import_module({module!r}), {function!r})())"
    )


RUN_EMULATOR_MODULE = (
    "import runpy\nrunpy.run_module('videosdk_async.emulator', run_name='__main__', alter_sys=True)"
)
RUN_SDK_MODULE = (
    "import runpy\nrunpy.run_module('videosdk_async', run_name='__main__', alter_sys=True)"
)


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port with a listener on it."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


# -- a busy port: one line and exit 2, from every door --


@pytest.mark.parametrize(
    "door",
    [
        "videosdk-emulator",
        "videosdk-jobs",
        "python -m videosdk_async.emulator",
        "python -m videosdk_async",
    ],
)
def test_busy_port_is_one_line_and_exit_2(door: str, busy_port: int) -> None:
    if door == "videosdk-emulator":
        done = run_python(call_script(door), "--port", str(busy_port))
    elif door == "videosdk-jobs":
        done = run_python(call_script(door), "emulator", "--port", str(busy_port))
    elif door == "python -m videosdk_async.emulator":
        done = run_python(RUN_EMULATOR_MODULE, "--port", str(busy_port))
    else:
        done = run_python(RUN_SDK_MODULE, "emulator", "--port", str(busy_port))
    expected = f"error: cannot serve on 127.0.0.1:{busy_port}: {os.strerror(errno.EADDRINUSE)}\n"
    assert (done.returncode, done.stderr, done.stdout) == (2, expected, "")


# -- one implementation: flags, environment, defaults --


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the command would serve, instead of serving it."""
    seen: dict[str, Any] = {}

    async def fake_serve(emulator: Emulator, host: str, port: int, level: str, out: Any) -> None:
        seen.update(emulator=emulator, host=host, port=port, level=level)

    monkeypatch.setattr(command, "serve_until_stopped", fake_serve)
    for name in list(os.environ):
        if name.startswith("VIDEOSDK_EMULATOR_"):
            monkeypatch.delenv(name)
    return seen


FAULTS = json.dumps({"seed": 4, "rules": [{"kind": "hang", "delay": 3}]})
ENV = {
    "VIDEOSDK_EMULATOR_PORT": "0",
    "VIDEOSDK_EMULATOR_SEED": "5",
    "VIDEOSDK_EMULATOR_LOG_LEVEL": "info",
    "VIDEOSDK_EMULATOR_FAULTS": FAULTS,
    "VIDEOSDK_EMULATOR_TOKEN": "env-token",
}


def _settings(seen: dict[str, Any]) -> tuple[Any, ...]:
    emulator: Emulator = seen["emulator"]
    cfg = emulator.config
    return (seen["host"], seen["port"], seen["level"], cfg.seed, cfg.token, cfg.fault_seed,
            [r.kind for r in cfg.faults], emulator.clock.time_scale)  # fmt: skip


def test_both_doors_read_the_same_environment(
    captured: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    assert command.main([]) == 0
    direct = _settings(captured)
    captured.clear()
    result = CliRunner().invoke(app, ["emulator"])
    assert result.exit_code == 0, result.output
    assert (
        _settings(captured) == direct == ("127.0.0.1", 0, "info", 5, "env-token", 4, ["hang"], 1.0)
    )


def test_both_doors_take_the_same_flags(captured: dict[str, Any]) -> None:
    flags = ["--port", "0", "--seed", "8", "--log-level", "DEBUG", "--time-scale", "0",
             "--faults", FAULTS, "--token", "flag-token", "--fail-ratio", "0.5"]  # fmt: skip
    assert command.main(flags) == 0
    direct = _settings(captured)
    fail_ratio = captured["emulator"].config.fail_ratio
    captured.clear()
    result = CliRunner().invoke(app, ["emulator", *flags])
    assert result.exit_code == 0, result.output
    assert (
        _settings(captured)
        == direct
        == ("127.0.0.1", 0, "debug", 8, "flag-token", 4, ["hang"], 0.0)
    )
    assert captured["emulator"].config.fail_ratio == fail_ratio == 0.5


def test_defaults_are_shared(captured: dict[str, Any]) -> None:
    assert command.main([]) == 0
    assert (captured["host"], captured["port"], captured["level"]) == ("127.0.0.1", 8787, "warning")
    captured.clear()
    assert CliRunner().invoke(app, ["emulator"]).exit_code == 0
    assert (captured["host"], captured["port"], captured["level"]) == ("127.0.0.1", 8787, "warning")


BAD_ENVIRONMENTS = [
    ("VIDEOSDK_EMULATOR_PORT", "http"),
    ("VIDEOSDK_EMULATOR_LOG_LEVEL", "loud"),
    ("VIDEOSDK_EMULATOR_FAULTS", "[{"),
    ("VIDEOSDK_EMULATOR_SEED", "many"),
]


def test_bad_environment_is_one_line(captured: dict[str, Any], capsys: Any) -> None:
    for name, value in BAD_ENVIRONMENTS:
        assert command.main([], environ={name: value}) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1, err
        assert name in err
    assert command.main([], environ={"VIDEOSDK_EMULATOR_HOST": "10.0.0.1"}) == 2
    assert "non-loopback" in capsys.readouterr().err
    assert captured == {}


def test_help_from_both_doors_lists_the_same_flags() -> None:
    typer_door = CliRunner().invoke(app, ["emulator", "--help"])
    assert typer_door.exit_code == 0
    assert "usage: videosdk-jobs emulator" in typer_door.stdout
    direct = run_python(call_script("videosdk-emulator"), "--help")
    assert direct.returncode == 0 and "usage: videosdk-emulator" in direct.stdout
    for flag in ("--faults", "--log-level", "--allow-non-loopback", "--allow-remote-webhooks"):
        assert flag in typer_door.stdout and flag in direct.stdout
    listing = CliRunner().invoke(app, ["--help"])
    assert "emulator" in listing.stdout


# -- entry points without their extras --


def test_emulator_script_without_the_emulator_extra() -> None:
    for code in (call_script("videosdk-emulator"), RUN_EMULATOR_MODULE):
        done = run_python(code, "--port", "0", blocked=EMULATOR_EXTRA + CLI_EXTRA)
        assert (done.returncode, done.stderr, done.stdout) == (2, EMULATOR_LINE, "")


def test_jobs_script_without_the_cli_extra() -> None:
    done = run_python(call_script("videosdk-jobs"), "list", blocked=CLI_EXTRA)
    assert (done.returncode, done.stderr, done.stdout) == (2, JOBS_LINE, "")


def test_jobs_emulator_command_without_the_emulator_extra() -> None:
    done = run_python(call_script("videosdk-jobs"), "emulator", blocked=EMULATOR_EXTRA)
    line = (
        'videosdk-jobs emulator needs the emulator extra: pip install "videosdk-async[emulator]"\n'
    )
    assert (done.returncode, done.stderr) == (2, line)


def test_importing_the_emulator_does_not_import_its_extra() -> None:
    done = run_python(
        "import videosdk_async.emulator, videosdk_async.emulator.command\n"
        f"print([m for m in {EMULATOR_EXTRA!r} if m in sys.modules])"
    )
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr


def test_scripts_point_at_the_light_entries() -> None:
    assert scripts() == {
        "videosdk-jobs": "videosdk_async._scripts:jobs",
        "videosdk-emulator": "videosdk_async.emulator.__main__:main",
    }
