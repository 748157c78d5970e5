"""``videosdk-jobs upload`` and why a job failed, end to end against the emulator."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_cli_emulator import run_in_pty
from typer.testing import CliRunner, Result

from videosdk_async.cli import app
from videosdk_async.emulator import Emulator

pytestmark = pytest.mark.integration

SOURCE = "https://example.com/source.mp4"
PRESET = {"resolutions": ["360"], "format": "hls"}


@pytest.fixture
def env(videosdk_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the CLI at the emulator through the environment (a fixed token)."""
    values = {
        "VIDEOSDK_BASE_URL": str(videosdk_emulator.base_url),
        "VIDEOSDK_TOKEN": videosdk_emulator.token,
    }
    for name in ("VIDEOSDK_API_KEY", "VIDEOSDK_SECRET_KEY", "VIDEOSDK_STORAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "talk.mp4"
    path.write_bytes(bytes(range(256)) * 4000)
    return path


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_upload_json(videosdk_emulator: Emulator, env: Any, video: Path) -> None:
    result = cli("upload", str(video), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) == {"file"}
    assert document["file"]["size"] == video.stat().st_size
    (entry,) = [e for e in videosdk_emulator.ledger.entries if e.op == "upload_file"]
    assert entry.sha256 == hashlib.sha256(video.read_bytes()).hexdigest()


def test_upload_and_create(videosdk_emulator: Emulator, env: Any, video: Path) -> None:
    result = cli(
        "upload",
        str(video),
        "--create",
        "--preset",
        "360,720:hls",
        "--thumbnail",
        "00:00:03@360:jpg",
        "--user-data",
        '{"from": "cli"}',
        "--json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["job"]["videoId"] == document["file"]["id"]
    assert document["job"]["userData"] == {"from": "cli"}
    assert videosdk_emulator.get_job(document["job"]["id"]) is not None


def test_upload_human_output(env: Any, tmp_path: Path) -> None:
    odd = tmp_path / "[bold]clip.mp4"  # a name that looks like Rich markup
    odd.write_bytes(b"x" * 1000)
    result = cli("upload", str(odd), "--create", "--preset", "360:hls")
    assert result.exit_code == 0, result.output
    assert "uploaded file" in result.stdout and "created job" in result.stdout
    assert "1,000 B" in result.stdout
    assert "[bold]clip.mp4" in result.stdout  # shown as it is, never read as markup


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["upload", "/no/such/file.mp4"], "cannot upload /no/such/file.mp4: no such file"),
        (["upload", "{video}", "--preset", "360:hls"], "--preset needs --create"),
        (["upload", "{video}", "--create"], "--create needs at least one --preset"),
        (["upload", "{video}", "--create", "--preset", "999:hls"], "999"),
    ],
)
def test_upload_refusals_are_one_line_and_exit_2(
    videosdk_emulator: Emulator, env: Any, video: Path, args: list[str], message: str
) -> None:
    result = cli(*(a.replace("{video}", str(video)) for a in args))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr
    assert videosdk_emulator.request_counts() == {}  # nothing was sent


def test_upload_progress_bar_on_a_terminal(env: dict[str, str], tmp_path: Path) -> None:
    big = tmp_path / "big.mp4"
    with big.open("wb") as handle:
        handle.truncate(8 * 1024 * 1024)
    code, text = run_in_pty(["upload", str(big)], env)
    assert code == 0, text
    assert "uploading big.mp4" in text
    assert "8.4/8.4 MB" in text  # bytes sent of the total
    assert "100%" in text
    # The rate column: a figure once Rich has timed a few chunks, "?" if the upload ended first
    # (a fast loopback), never missing.
    assert re.search(r"\d[\d.]* [kMG]?B/s|\?", text.split("8.4/8.4 MB", 1)[1]), text


# -- why a job failed ---------------------------------------------------------------------------


def failed_job(emulator: Emulator, message: str = "Emulated encoding failure") -> str:
    job_id = str(emulator.create_job({"videoUrl": SOURCE, "presets": [PRESET]})["id"])
    emulator.force_status(job_id, "failed", hold=True)
    emulator.store.jobs[job_id].error = {"code": "ENCODING_FAILED", "message": message}
    return job_id


def test_get_shows_the_failure_reason_as_plain_text(videosdk_emulator: Emulator, env: Any) -> None:
    job_id = failed_job(videosdk_emulator, "[bold]bad[/bold] input")
    shown = cli("get", job_id)
    assert shown.exit_code == 0, shown.output
    assert "error        ENCODING_FAILED: [bold]bad[/bold] input" in shown.stdout  # not markup
    document = json.loads(cli("get", job_id, "--json").stdout)
    assert document["error"] == {"code": "ENCODING_FAILED", "message": "[bold]bad[/bold] input"}


def test_wait_says_why_the_job_failed(videosdk_emulator: Emulator, env: Any) -> None:
    job_id = failed_job(videosdk_emulator)
    result = cli("wait", job_id, "--poll-interval", "0.001")
    assert result.exit_code == 1
    assert "ENCODING_FAILED: Emulated encoding failure" in result.stdout
    assert result.stderr.startswith(
        f"error: job {job_id} failed: ENCODING_FAILED: Emulated encoding failure (finished "
    )
