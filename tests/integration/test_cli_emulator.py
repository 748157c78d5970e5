"""``videosdk-jobs`` end to end against the emulator on a loopback port: real HTTP, real exits.

The emulator (``videosdk_emulator``, from the package's pytest plugin) runs in a server thread
with a manual clock; the CLI runs in process (CliRunner) or as a subprocess (pty for the
terminal-only progress bar). Time moves only when a test advances the emulator's clock.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from videosdk_async.cli import app
from videosdk_async.emulator import Emulator

pytestmark = pytest.mark.integration

SOURCE = "https://example.com/source.mp4"
PRESET = {"resolutions": ["360", "720"], "format": "hls"}
UNKNOWN = "0123456789abcdef01234567"
DEADLINE = 60.0  # a guard against hangs only; nothing below waits on time passing


@pytest.fixture
def cli_env(videosdk_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the CLI at the emulator through the environment (API key + secret)."""
    env = {
        "VIDEOSDK_BASE_URL": str(videosdk_emulator.base_url),
        "VIDEOSDK_API_KEY": videosdk_emulator.api_key,
        "VIDEOSDK_SECRET_KEY": videosdk_emulator.secret,
    }
    monkeypatch.delenv("VIDEOSDK_TOKEN", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def cli(*args: str, input: str | None = None) -> Result:
    """Run the CLI in process."""
    return CliRunner().invoke(app, list(args), input=input)


def cli_json(*args: str, code: int = 0) -> Any:
    """Run the CLI with ``--json``; check the exit code and parse stdout."""
    result = cli(*args, "--json")
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def seed(emulator: Emulator, count: int) -> list[str]:
    """Create ``count`` queued jobs straight in the emulator (no HTTP)."""
    body = {"videoUrl": SOURCE, "presets": [PRESET]}
    return [emulator.create_job(body)["id"] for _ in range(count)]


def statuses(emulator: Emulator) -> dict[str, int]:
    """How many jobs the emulator holds per status."""
    counts: dict[str, int] = {}
    for job in emulator.jobs():
        counts[job["status"]] = counts.get(job["status"], 0) + 1
    return counts


# -- single-job commands ---------------------------------------------------------------------


def test_create_get_list_delete_round_trip(videosdk_emulator: Emulator, cli_env: Any) -> None:
    upload = videosdk_emulator.upload_file("talk.mp4")
    created = cli_json(
        "create",
        "--video-id",
        upload["id"],
        "--preset",
        "360,720:hls",
        "--preset",
        "4K:mp4",
        "--thumbnail",
        "00:00:03@360:jpg,webp:blur",
        "--user-data",
        '{"team": "video"}',
    )
    job_id = created["id"]
    assert created["status"] == "queued"
    assert created["presets"][1]["resolutions"] == ["4k"]
    assert videosdk_emulator.get_job(job_id) is not None

    fetched = cli_json("get", job_id)
    assert fetched["userData"] == {"team": "video"}
    assert fetched["thumbnails"][0]["filters"] == ["blur"]

    listed = cli_json("list")
    assert [j["id"] for j in listed] == [job_id]

    deleted = cli_json("delete", job_id)
    assert deleted["summary"]["deleted"] == 1
    assert videosdk_emulator.get_job(job_id) is None
    assert videosdk_emulator.ledger.total("delete_job") == 1

    again = cli("get", job_id)
    assert again.exit_code == 1
    assert again.stderr.startswith("error: ") and "not found" in again.stderr


def test_human_output_and_refusals(videosdk_emulator: Emulator, cli_env: Any) -> None:
    (job_id,) = seed(videosdk_emulator, 1)
    shown = cli("get", job_id)
    assert shown.exit_code == 0 and job_id in shown.stdout and "queued" in shown.stdout

    videosdk_emulator.upload_file()  # from the first upload on, a videoId must name one
    refused = cli("create", "--video-id", UNKNOWN, "--preset", "360:hls")
    assert refused.exit_code == 1  # the emulator does not know that upload
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.output

    bad_token = cli("--token", "not-a-real-token", "list")
    assert bad_token.exit_code == 1
    assert "not-a-real-token" not in bad_token.output


def test_list_filters_by_status_across_pages(videosdk_emulator: Emulator, cli_env: Any) -> None:
    ids = seed(videosdk_emulator, 130)
    for job_id in ids[::10]:
        videosdk_emulator.force_status(job_id, "processing", hold=True)
    processing = cli_json("list", "--status", "processing", "--all")
    assert [j["id"] for j in processing] == ids[100::10] + ids[:100:10]  # last page first
    first_page = cli_json("list", "--per-page", "100")
    assert len(first_page) == 100
    second = cli_json("list", "--per-page", "100", "--page", "2")
    assert [j["id"] for j in second] == ids[100:]
    assert len(cli_json("list", "--all")) == 130


# -- batch deletes ---------------------------------------------------------------------------


def test_delete_reports_not_deletable_and_not_found_and_exits_1(
    videosdk_emulator: Emulator, cli_env: Any
) -> None:
    queued, busy = seed(videosdk_emulator, 2)
    videosdk_emulator.force_status(busy, "processing", hold=True)
    document = cli_json("delete", queued, busy, UNKNOWN, code=1)
    outcomes = {r["jobId"]: (r["outcome"], r["jobStatus"]) for r in document["results"]}
    assert outcomes == {
        queued: ("deleted", "queued"),
        busy: ("not_deletable", "processing"),
        UNKNOWN: ("not_found", None),
    }
    assert document["summary"]["total"] == 3


def test_delete_queued_deletes_exactly_the_queued_jobs(
    videosdk_emulator: Emulator, cli_env: Any
) -> None:
    ids = seed(videosdk_emulator, 250)  # three pages of 100
    for job_id in ids[::5]:
        videosdk_emulator.force_status(job_id, "processing", hold=True)
    dry = cli_json("delete-queued", "--dry-run")
    assert dry["summary"]["would_delete"] == 200
    assert statuses(videosdk_emulator) == {"queued": 200, "processing": 50}

    done = cli_json("delete-queued", "--yes", "--concurrency", "16")
    assert done["summary"]["deleted"] == 200
    assert done["summary"]["failed"] == 0
    assert statuses(videosdk_emulator) == {"processing": 50}
    assert videosdk_emulator.ledger.total("delete_job") == 200
    assert not videosdk_emulator.ledger.duplicates()


@pytest.mark.videosdk_emulator(queued_seconds=None)  # jobs stay queued as the clock moves
def test_delete_queued_honours_created_before_and_limit(
    videosdk_emulator: Emulator, cli_env: Any
) -> None:
    old = seed(videosdk_emulator, 5)
    cutoff = videosdk_emulator.advance(60)
    videosdk_emulator.advance(1)
    new = seed(videosdk_emulator, 5)
    stamp = cutoff.isoformat().replace("+00:00", "Z")
    limited = cli_json("delete-queued", "--yes", "--created-before", stamp, "--limit", "2")
    assert limited["summary"]["deleted"] == 2
    rest = cli_json("delete-queued", "--yes", "--created-before", stamp)
    assert rest["summary"]["deleted"] == 3
    assert {j["id"] for j in videosdk_emulator.jobs()} == set(new)
    assert not set(old) & {j["id"] for j in videosdk_emulator.jobs()}


def test_delete_queued_limit_takes_the_first_jobs_of_the_last_page(
    videosdk_emulator: Emulator, cli_env: Any
) -> None:
    # As the help and docs/cli.md say: pages are walked from the last one back (100 a page),
    # so with 300 jobs listed oldest first, --limit 5 deletes the 201st to the 205th.
    ids = seed(videosdk_emulator, 300)
    assert [j["id"] for j in cli_json("list", "--per-page", "100")] == ids[:100]  # oldest first
    done = cli_json("delete-queued", "--yes", "--limit", "5")
    assert {r["jobId"] for r in done["results"]} == set(ids[200:205])
    left = {j["id"] for j in videosdk_emulator.jobs()}
    assert left == set(ids) - set(ids[200:205])


def test_delete_queued_confirmation(
    videosdk_emulator: Emulator, cli_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from videosdk_async.cli import jobs

    seed(videosdk_emulator, 3)
    refused = cli("delete-queued")
    assert refused.exit_code == 2  # stdin is not a terminal and no --yes
    monkeypatch.setattr(jobs, "_stdin_is_interactive", lambda: True)
    declined = cli("delete-queued", input="n\n")
    assert declined.exit_code == 1
    # VIDEOSDK_BASE_URL is how cli_env points the CLI here: the prompt names that URL.
    url = str(videosdk_emulator.base_url).rstrip("/")
    assert f"Delete 3 queued jobs at {url}? [y/N]" in declined.stderr
    assert len(videosdk_emulator.jobs()) == 3
    accepted = cli("delete-queued", input="y\n")
    assert accepted.exit_code == 0
    assert videosdk_emulator.jobs() == []


# -- wait ------------------------------------------------------------------------------------


@pytest.mark.videosdk_emulator(processing_seconds=30)
@pytest.mark.parametrize(
    ("fail_ratio", "status", "code"), [(0.0, "completed", 0), (1.0, "failed", 1)]
)
def test_wait_follows_the_job_as_the_clock_moves(
    videosdk_emulator: Emulator,
    cli_env: Any,
    monkeypatch: pytest.MonkeyPatch,
    fail_ratio: float,
    status: str,
    code: int,
) -> None:
    videosdk_emulator.configure(fail_ratio=fail_ratio)
    (job_id,) = seed(videosdk_emulator, 1)
    videosdk_emulator.force_status(job_id, "processing")
    answer = videosdk_emulator.api_get_job
    polls: list[str] = []

    def get_then_advance(requested: str) -> dict[str, Any]:
        # The first poll sees "processing"; then the clock jumps past the encoding time.
        job = answer(requested)
        polls.append(job["status"])
        if len(polls) == 1:
            videosdk_emulator.advance(31)
        return job

    monkeypatch.setattr(videosdk_emulator, "api_get_job", get_then_advance)
    result = cli("wait", job_id, "--poll-interval", "0.001", "--json")
    assert result.exit_code == code, result.output
    assert json.loads(result.stdout)["status"] == status
    assert polls == ["processing", status]
    if code:
        assert result.stderr.startswith("error: ") and "failed" in result.stderr
        assert "ENCODING_FAILED" in result.stderr  # the emulator's reason, passed on
        shown = cli("get", job_id)
        assert shown.exit_code == 0
        assert "ENCODING_FAILED: Emulated encoding failure" in shown.stdout


def test_wait_times_out_with_exit_1(videosdk_emulator: Emulator, cli_env: Any) -> None:
    (job_id,) = seed(videosdk_emulator, 1)
    result = cli("wait", job_id, "--timeout", "0.05", "--poll-interval", "0.01")
    assert result.exit_code == 1
    assert "did not finish" in result.stderr and "still queued" in result.stderr


# -- progress on a terminal ------------------------------------------------------------------


def run_in_pty(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``python -m videosdk_async ARGS`` with stdout on a pseudo-terminal; return its output."""
    main, child = pty.openpty()
    full_env = {**os.environ, **env, "TERM": "xterm-256color", "COLUMNS": "160"}
    full_env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "videosdk_async", *args],
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=child,
        env=full_env,
    )
    os.close(child)
    chunks: list[bytes] = []
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.5)
        if ready:
            try:
                data = os.read(main, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(main)
    code = proc.wait(timeout=DEADLINE)
    text = b"".join(chunks).decode("utf-8", "replace")
    return code, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # drop colours and cursor moves


def test_progress_bar_is_drawn_on_a_terminal(
    videosdk_emulator: Emulator, cli_env: dict[str, str]
) -> None:
    seed(videosdk_emulator, 120)
    code, text = run_in_pty(["delete-queued", "--yes"], cli_env)
    assert code == 0, text
    assert "deleting queued jobs" in text
    assert "120/120" in text and "100%" in text
    assert "/s" in text  # the rate column
    assert "deleted" in text


def test_json_on_a_terminal_has_no_progress_bar(
    videosdk_emulator: Emulator, cli_env: dict[str, str]
) -> None:
    ids = seed(videosdk_emulator, 3)
    code, text = run_in_pty(["delete", *ids, "--json"], cli_env)
    assert code == 0, text
    assert json.loads(text)["summary"]["deleted"] == 3
    assert "%" not in text


def test_ctrl_c_during_a_wait_is_an_interruption_not_a_traceback(
    videosdk_emulator: Emulator, cli_env: dict[str, str]
) -> None:
    (job_id,) = seed(videosdk_emulator, 1)  # stays queued: the clock is manual
    proc = subprocess.Popen(
        [sys.executable, "-m", "videosdk_async", "wait", job_id, "--poll-interval", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **cli_env},
    )
    assert proc.stdout is not None and proc.stderr is not None
    seen = b""
    deadline = time.monotonic() + DEADLINE
    while b"queued" not in seen and time.monotonic() < deadline:  # the first poll answered
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            seen += os.read(proc.stdout.fileno(), 65536)
    assert b"queued" in seen
    proc.send_signal(signal.SIGINT)
    try:
        code = proc.wait(timeout=DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
    err = proc.stderr.read().decode()
    assert code == 130, err
    assert "Traceback" not in err and "CancelledError" not in err


# -- demo and emulator -----------------------------------------------------------------------


def test_demo_in_process_json() -> None:
    result = cli("demo", "--jobs", "60", "--json")
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert run["created"] == 60
    summary = run["deleteQueued"]["summary"]
    picked = sum(run["pickedUp"].values())
    assert picked == 20
    assert summary["total"] == 60 - picked
    assert summary["not_deletable"] == len(run["pickedUpDuringDelete"]) > 0
    assert summary["deleted"] + summary["not_deletable"] == summary["total"]
    assert summary["failed"] == 0
    assert run["waited"]["status"] == "completed"
    assert run["uploaded"]["size"] == 5_755_392
    assert run["storageUrl"] == run["baseUrl"] + "/storage/v1/files"
    assert all(job_file["jobId"] == run["waited"]["id"] for job_file in run["outputs"])
    assert len(run["outputs"]) == 5  # 360 + 720 HLS, 1080 MP4, jpg + webp thumbnails
    assert run["serverLedger"] == {
        "creates": 60,
        "deletes": summary["deleted"],
        "uploadedBytes": 5_755_392,
    }


def test_demo_of_one_job_reads_in_the_singular() -> None:
    result = cli("demo", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "creating 1 job from it," in result.stdout and "1 create," in result.stdout
    assert not re.search(r"\b1 (jobs|creates|deletes|queued jobs)\b", result.stdout)


def test_demo_verbatim_as_the_readme_runs_it() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "videosdk_async", "demo"],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        env={k: v for k, v in os.environ.items() if not k.startswith("VIDEOSDK_")},
    )
    assert done.returncode == 0, done.stderr
    assert "what happened" in done.stdout
    assert "300 creates" in done.stdout
    assert "5,755,392 bytes uploaded" in done.stdout  # upload → create → wait → outputs
    assert "5 output files" in done.stdout


@pytest.fixture
def emulator_process() -> Iterator[tuple[subprocess.Popen[bytes], str, str]]:
    """``python -m videosdk_async emulator --port 0``: the process, its base URL and token."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "videosdk_async", "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    seen = b""
    deadline = time.monotonic() + DEADLINE
    # Raw reads: a buffered readline would hide lines already read from select().
    while b"Ctrl-C to stop" not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            seen += chunk
    text = seen.decode()
    url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", text)
    token = re.search(r"token\s*:?\s+(emu-token-\S+)", text)
    try:
        assert url and token, text
        yield proc, url.group(1), token.group(1)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_emulator_command_serves_until_interrupted(
    emulator_process: tuple[subprocess.Popen[bytes], str, str],
) -> None:
    proc, base_url, token = emulator_process
    created = httpx.post(
        f"{base_url}/v1/encoder/jobs",
        json={"videoUrl": SOURCE, "presets": [PRESET]},
        headers={"Authorization": token},
    )
    assert created.status_code == 200, created.text
    env = {**os.environ, "VIDEOSDK_BASE_URL": base_url, "VIDEOSDK_TOKEN": token}
    listed = subprocess.run(
        [sys.executable, "-m", "videosdk_async", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=DEADLINE,
    )
    assert listed.returncode == 0, listed.stderr
    assert [j["id"] for j in json.loads(listed.stdout)] == [created.json()["id"]]
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0
    assert proc.stderr is not None
    assert b"Traceback" not in proc.stderr.read()


def test_emulator_command_refuses_a_public_host() -> None:
    result = cli("emulator", "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert "loopback" in result.stderr


def test_emulator_command_reports_a_busy_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("emulator", "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot serve on 127.0.0.1:")
    assert "Traceback" not in result.output
