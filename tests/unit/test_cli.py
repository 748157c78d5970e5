"""The ``videosdk-jobs`` command line with the API mocked by respx: parsing, output, exit codes."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

import videosdk_async
from videosdk_async.cli import app, jobs, loop, main
from videosdk_async.cli.parsing import (
    parse_preset,
    parse_thumbnail,
    parse_timestamp,
    parse_user_data,
)

BASE = "https://api.videosdk.live"
JOBS = f"{BASE}/v1/encoder/jobs"
TOKEN = "tok-SUPER-SECRET-7f3a9c"
SECRET = "sec-DO-NOT-PRINT-51bb-0123456789abcdef0123456789"
AUTH = ["--token", TOKEN]
ID1, ID2, ID3 = "60531471e32e8e4eaea094fe", "60531471e32e8e4eaea094ff", "60531471e32e8e4eaea09500"


def job(job_id: str = ID1, status: str = "queued", **extra: Any) -> dict[str, Any]:
    """A job as the API returns it."""
    return {
        "id": job_id,
        "status": status,
        "videoId": "6053115ebba24b4d700c8c49",
        "presets": [{"id": "p1", "resolutions": ["360", "720"], "format": "hls"}],
        "createdAt": "2021-03-18T08:50:57.438Z",
        "updatedAt": "2021-03-18T08:50:57.438Z",
        **extra,
    }


def page(items: list[dict[str, Any]], current: int = 1, last: int = 1) -> dict[str, Any]:
    """A list response."""
    return {"pageInfo": {"currentPage": current, "perPage": 100, "lastPage": last}, "data": items}


def invoke(*args: str, input: str | None = None) -> Result:
    """Run the CLI in process; stdout and stderr are kept apart."""
    return CliRunner().invoke(app, list(args), input=input)


def assert_one_error_line(result: Result, *fragments: str) -> None:
    """stderr is exactly one ``error: ...`` line naming ``fragments``; no traceback anywhere."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output


@pytest.fixture(autouse=True)
def no_env(clean_env: pytest.MonkeyPatch) -> None:
    """No VIDEOSDK_* variable from the host leaks into these tests."""


# -- parsing ---------------------------------------------------------------------------------


def test_presets_thumbnails_user_data_and_timestamps_parse() -> None:
    preset = parse_preset("360, 720:HLS")
    assert preset.model_dump(mode="json") == {"resolutions": ["360", "720"], "format": "hls"}
    assert [str(r) for r in parse_preset("4K:mp4").resolutions] == ["4k"]
    thumb = parse_thumbnail("00:00:03@360,720:jpg,webp:none,blur")
    assert thumb.timestamp == "00:00:03"
    assert [str(f) for f in thumb.formats] == ["jpg", "webp"]
    assert [str(f) for f in thumb.filters or []] == ["none", "blur"]
    assert parse_thumbnail("00:01:00@480:jpg").filters is None
    assert parse_user_data('{"a": [1, 2]}') == {"a": [1, 2]}
    assert parse_timestamp("2024-05-01T12:00:00Z").isoformat() == "2024-05-01T12:00:00+00:00"
    assert parse_timestamp("2024-05-01").tzinfo is not None


@pytest.mark.parametrize(
    ("flag", "value", "said"),
    [
        ("--preset", "360:avi", "format"),
        ("--preset", "999:hls", "unknown resolution 999"),
        ("--preset", "hls", "RESOLUTIONS:FORMAT"),
        ("--preset", ":hls", "RESOLUTIONS:FORMAT"),
        ("--preset", "360,360:hls", "duplicate"),
        ("--thumbnail", "00:00:03", "HH:MM:SS@"),
        ("--thumbnail", "3s@360:jpg", "not HH:MM:SS"),
        ("--thumbnail", "00:00:03@360:gif", "unknown image format gif"),
        ("--thumbnail", "00:00:03@360:jpg:blue", "unknown filter blue"),
        ("--user-data", "[1, 2]", "JSON object"),
        ("--user-data", "{oops", "not valid JSON"),
    ],
)
def test_bad_create_flags_exit_2_before_any_request(
    api: respx.MockRouter, flag: str, value: str, said: str
) -> None:
    route = api.post("/v1/encoder/jobs")
    args = ["create", "--video-id", "v1", "--preset", "360:hls", flag, value]
    result = invoke(*AUTH, *args)
    assert result.exit_code == 2
    assert_one_error_line(result, said)
    assert not route.called


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["create", "--preset", "360:hls"], "exactly one of --video-id or --video-url"),
        (
            ["create", "--video-id", "a", "--video-url", "https://x.io/v", "--preset", "360:hls"],
            "exactly one",
        ),
        (["create", "--video-id", "a"], "at least one --preset"),
        (["list", "--per-page", "0"], "--per-page"),
        (["list", "--status", "queud"], "is not one of"),
        (["list", "--all", "--page", "2"], "--page cannot be combined"),
        (["get", "a/b"], "is not valid"),
        (["delete", "ok", "../x"], "is not valid"),
        (["delete-queued", "--yes", "--created-before", "yesterday"], "ISO-8601"),
        (["list", "--bogus"], "No such option"),
        (["frobnicate"], "No such command"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    api: respx.MockRouter, args: list[str], said: str
) -> None:
    result = invoke(*AUTH, *args)
    assert result.exit_code == 2, result.output
    assert_one_error_line(result, said)
    assert not api.calls


# -- credentials -----------------------------------------------------------------------------


def test_missing_credentials_exit_2(api: respx.MockRouter) -> None:
    result = invoke("list")
    assert result.exit_code == 2
    assert_one_error_line(result, "no credentials", "--token", "VIDEOSDK_TOKEN")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--api-key", "k"], "--api-key and --secret must be given together"),
        (["--token", TOKEN, "--secret", SECRET], "not both"),
        (["--base-url", "http://example.com", *AUTH], "plain http"),
        (["--base-url", "ftp://x", *AUTH], "http(s)"),
    ],
)
def test_bad_configuration_exit_2(api: respx.MockRouter, args: list[str], said: str) -> None:
    result = invoke(*args, "list")
    assert result.exit_code == 2
    assert_one_error_line(result, said)
    assert TOKEN not in result.output and SECRET not in result.output


def test_plain_http_needs_the_explicit_opt_in() -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get("http://example.com/v1/encoder/jobs").respond(json=page([job()]))
        result = invoke("--base-url", "http://example.com", "--allow-insecure-http", *AUTH, "list")
    assert result.exit_code == 0, result.output
    assert route.calls.last.request.headers["authorization"] == TOKEN


def test_flags_and_environment_follow_the_sdk_rule(
    api: respx.MockRouter, clean_env: pytest.MonkeyPatch
) -> None:
    """One rule for the SDK and the CLI: flags as a whole beat the environment (half a pair
    is not completed from it), and in the environment a key + secret beats a stale token."""
    clean_env.setenv("VIDEOSDK_SECRET_KEY", SECRET)
    route = api.get("/v1/encoder/jobs").respond(json=page([job()]))
    half = invoke("--api-key", "key-1", "list", "--json")
    assert half.exit_code == 2
    assert "--api-key and --secret must be given together" in half.output
    assert route.call_count == 0
    clean_env.setenv("VIDEOSDK_API_KEY", "key-1")
    clean_env.setenv("VIDEOSDK_TOKEN", "stale-token-from-yesterday")
    result = invoke("list", "--json")
    assert result.exit_code == 0, result.output
    assert route.calls.last.request.headers["authorization"].startswith("eyJ")  # a minted JWT


def test_environment_token_is_used_and_never_shown(
    api: respx.MockRouter, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("VIDEOSDK_TOKEN", TOKEN)
    route = api.get(f"/v1/encoder/jobs/{ID1}").respond(json=job())
    result = invoke("get", ID1)
    assert result.exit_code == 0
    assert route.calls.last.request.headers["authorization"] == TOKEN
    for args in (["--help"], ["get", "--help"], ["list", "--help"]):
        helped = invoke(*args)
        assert helped.exit_code == 0
        assert TOKEN not in helped.output


def test_token_never_appears_in_any_output(api: respx.MockRouter) -> None:
    # The server echoes the credentials it got in its error bodies; the CLI must not repeat them.
    def echo(request: httpx.Request) -> httpx.Response:
        sent = request.headers["Authorization"]
        body = {"message": f"bad token {sent}", "token": sent, "secret": SECRET}
        return httpx.Response(401, json=body)

    api.get("/v1/encoder/jobs").mock(side_effect=echo)
    api.get(f"/v1/encoder/jobs/{ID1}").mock(side_effect=echo)
    api.delete(f"/v1/encoder/jobs/{ID1}").mock(side_effect=echo)
    runs = [
        invoke(*AUTH, "list"),
        invoke(*AUTH, "list", "--json"),
        invoke(*AUTH, "get", ID1),
        invoke(*AUTH, "delete", ID1),
        invoke(*AUTH, "delete", ID1, "--json"),
        invoke("--api-key", "k", "--secret", SECRET, "get", ID1),
    ]
    for result in runs:
        assert result.exit_code == 1, result.output
        assert TOKEN not in result.output
        assert SECRET not in result.output
        assert "Traceback" not in result.output


# -- list / get / create ---------------------------------------------------------------------


def test_list_json_is_the_api_jobs_in_camel_case(api: respx.MockRouter) -> None:
    route = api.get("/v1/encoder/jobs").respond(
        json=page([job(), job(ID2, "processing", startedAt="2021-03-18T09:00:00.000Z")], last=3)
    )
    result = invoke(*AUTH, "list", "--per-page", "2", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    listed = json.loads(result.stdout)
    assert [j["id"] for j in listed] == [ID1, ID2]
    assert listed[1]["status"] == "processing"
    assert "createdAt" in listed[0] and "videoId" in listed[0] and "startedAt" in listed[1]
    assert route.calls.last.request.url.params["perPage"] == "2"
    assert "\x1b[" not in result.stdout  # no colour in JSON


def test_list_status_and_all_walk_every_page(api: respx.MockRouter) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params["page"])
        items = [job(ID1), job(ID2, "completed")] if n == 1 else [job(ID3)]
        return httpx.Response(200, json=page(items, current=n, last=2))

    api.get("/v1/encoder/jobs").mock(side_effect=answer)
    queued = json.loads(invoke(*AUTH, "list", "--status", "queued", "--all", "--json").stdout)
    assert [j["id"] for j in queued] == [ID3, ID1]  # the walk goes from the last page
    everything = json.loads(invoke(*AUTH, "list", "--all", "--json").stdout)
    assert len(everything) == 3
    first = json.loads(
        invoke(*AUTH, "list", "--status", "QUEUED", "--per-page", "1", "--json").stdout
    )
    assert [j["id"] for j in first] == [ID3]  # the first queued job of the walk


def test_list_human_shows_a_table(api: respx.MockRouter) -> None:
    api.get("/v1/encoder/jobs").respond(json=page([job()], last=4))
    result = invoke(*AUTH, "list")
    assert result.exit_code == 0
    assert ID1 in result.stdout and "queued" in result.stdout
    assert "page 1 of 4" in result.stdout


def test_get_json_and_human(api: respx.MockRouter) -> None:
    files = [{"id": "f1", "type": "x-tar", "size": 5755392, "fileUrl": "https://cdn/x/index.m3u8"}]
    api.get(f"/v1/encoder/jobs/{ID1}").respond(json=job(status="completed", files=files))
    as_json = invoke(*AUTH, "get", ID1, "--json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout)["files"][0]["fileUrl"] == "https://cdn/x/index.m3u8"
    human = invoke(*AUTH, "get", ID1)
    assert "completed" in human.stdout and "5,755,392 B" in human.stdout


def test_get_unknown_job_exits_1_with_one_line(api: respx.MockRouter) -> None:
    api.get(f"/v1/encoder/jobs/{ID1}").respond(404, json={"message": "Job not found"})
    result = invoke(*AUTH, "get", ID1, "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert_one_error_line(result, ID1, "not found")


def test_create_sends_the_parsed_body(api: respx.MockRouter) -> None:
    route = api.post("/v1/encoder/jobs").respond(json=job())
    result = invoke(
        *AUTH,
        "create",
        "--video-url",
        "https://example.com/in.mp4",
        "--preset",
        "360,720:hls",
        "--preset",
        "1080:MP4",
        "--thumbnail",
        "00:00:03@360:jpg,webp:blur",
        "--webhook-url",
        "https://example.com/hook",
        "--user-data",
        '{"team": "video"}',
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == ID1
    assert json.loads(route.calls.last.request.content) == {
        "videoUrl": "https://example.com/in.mp4",
        "presets": [
            {"resolutions": ["360", "720"], "format": "hls"},
            {"resolutions": ["1080"], "format": "mp4"},
        ],
        "thumbnails": [
            {
                "timestamp": "00:00:03",
                "resolutions": ["360"],
                "formats": ["jpg", "webp"],
                "filters": ["blur"],
            }
        ],
        "webhookUrl": "https://example.com/hook",
        "userData": {"team": "video"},
    }


def test_create_refused_by_the_server_exits_1(api: respx.MockRouter) -> None:
    api.post("/v1/encoder/jobs").respond(400, json={"message": "videoId unknown"})
    result = invoke(*AUTH, "create", "--video-id", "nope", "--preset", "360:hls")
    assert result.exit_code == 1
    assert_one_error_line(result, "videoId unknown")


# -- delete ----------------------------------------------------------------------------------


def test_delete_reports_every_outcome_in_input_order_and_exits_1(api: respx.MockRouter) -> None:
    api.delete(f"/v1/encoder/jobs/{ID1}").respond(json=job(ID1))
    api.delete(f"/v1/encoder/jobs/{ID2}").respond(
        409, json={"message": "only queued jobs", "status": "processing"}
    )
    api.delete(f"/v1/encoder/jobs/{ID3}").respond(403, json={"message": "forbidden"})
    result = invoke(*AUTH, "delete", ID3, ID1, ID2, ID1, "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["summary"]["deleted"] == 1
    assert document["summary"]["not_deletable"] == 1
    assert document["summary"]["failed"] == 1
    assert document["summary"]["total"] == 3
    assert [r["jobId"] for r in document["results"]] == [ID3, ID1, ID2]
    by_id = {r["jobId"]: r for r in document["results"]}
    assert by_id[ID1] == {"jobId": ID1, "outcome": "deleted", "jobStatus": "queued", "error": None}
    assert by_id[ID2]["jobStatus"] == "processing"
    assert by_id[ID2]["outcome"] == "not_deletable"
    assert "forbidden" in by_id[ID3]["error"]
    assert set(by_id[ID3]) == {"jobId", "outcome", "jobStatus", "error"}


def test_delete_human_summary_names_the_failures(api: respx.MockRouter) -> None:
    api.delete(f"/v1/encoder/jobs/{ID1}").respond(json=job(ID1))
    api.delete(f"/v1/encoder/jobs/{ID2}").respond(404, json={"message": "nope"})
    result = invoke(*AUTH, "delete", ID1, ID2)
    assert result.exit_code == 1
    assert "deleted" in result.stdout and "not found" in result.stdout
    assert ID2 in result.stdout
    assert "━" not in result.stdout  # no progress bar when stdout is not a terminal


def test_delete_all_deleted_exits_0(api: respx.MockRouter) -> None:
    for job_id in (ID1, ID2):
        api.delete(f"/v1/encoder/jobs/{job_id}").respond(json=job(job_id))
    result = invoke(*AUTH, "delete", ID1, ID2, "--json", "--concurrency", "1")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["deleted"] == 2


# -- delete-queued ---------------------------------------------------------------------------


@pytest.fixture
def queued_listing(api: respx.MockRouter) -> respx.MockRouter:
    """Two queued jobs and a processing one; deletes succeed."""
    api.get("/v1/encoder/jobs").respond(json=page([job(ID1), job(ID2, "processing"), job(ID3)]))
    for job_id in (ID1, ID3):
        api.delete(f"/v1/encoder/jobs/{job_id}").respond(json=job(job_id))
    return api


def test_delete_queued_refuses_without_yes_when_it_cannot_ask(
    queued_listing: respx.MockRouter,
) -> None:
    result = invoke(*AUTH, "delete-queued")
    assert result.exit_code == 2
    assert_one_error_line(result, "--yes")
    assert not queued_listing.calls


def test_delete_queued_dry_run_deletes_nothing(queued_listing: respx.MockRouter) -> None:
    result = invoke(*AUTH, "delete-queued", "--dry-run", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["summary"]["would_delete"] == 2
    assert {r["jobId"] for r in document["results"]} == {ID1, ID3}
    assert all(c.request.method == "GET" for c in queued_listing.calls)


def test_delete_queued_yes_json(queued_listing: respx.MockRouter) -> None:
    result = invoke(*AUTH, "delete-queued", "--yes", "--json", "--limit", "1")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["deleted"] == 1


def test_delete_queued_asks_and_obeys(
    queued_listing: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "_stdin_is_interactive", lambda: True)
    declined = invoke(*AUTH, "delete-queued", input="n\n")
    assert declined.exit_code == 1
    assert "Delete 2 queued jobs" in declined.stderr
    assert not any(c.request.method == "DELETE" for c in queued_listing.calls)
    accepted = invoke(*AUTH, "delete-queued", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "deleted" in accepted.stdout
    assert sum(c.request.method == "DELETE" for c in queued_listing.calls) == 2


# -- wait ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("final", "code"), [("completed", 0), ("failed", 1)])
def test_wait_polls_until_the_job_ends(api: respx.MockRouter, final: str, code: int) -> None:
    api.get(f"/v1/encoder/jobs/{ID1}").mock(
        side_effect=[
            httpx.Response(200, json=job(status="queued")),
            httpx.Response(200, json=job(status="processing")),
            httpx.Response(200, json=job(status=final)),
        ]
    )
    result = invoke(*AUTH, "wait", ID1, "--poll-interval", "0.001", "--json")
    assert result.exit_code == code
    assert json.loads(result.stdout)["status"] == final
    if code:
        assert_one_error_line(result, "failed")


def test_wait_timeout_exits_1(api: respx.MockRouter) -> None:
    api.get(f"/v1/encoder/jobs/{ID1}").respond(json=job(status="processing"))
    result = invoke(*AUTH, "wait", ID1, "--timeout", "0.05", "--poll-interval", "0.01")
    assert result.exit_code == 1
    assert_one_error_line(result, "did not finish")


# -- the entry point -------------------------------------------------------------------------


def test_unexpected_errors_are_one_line_not_a_traceback(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: Any, **__: Any) -> Any:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(jobs, "run", boom)
    result = invoke(*AUTH, "list")
    assert result.exit_code == 1
    assert_one_error_line(result, "unexpected RuntimeError: kaboom")


def test_main_exits_with_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert "videosdk-jobs" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        main(["list", "--per-page", "x"])
    assert exited.value.code == 2


def test_importing_the_sdk_does_not_import_the_cli() -> None:
    # (httpx itself imports rich when it is installed, for its own CLI; typer must stay out.)
    code = (
        "import sys, videosdk_async; "
        "bad = [m for m in ('typer', 'videosdk_async.cli') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    package = Path(videosdk_async.__file__).parent
    for source in package.rglob("*.py"):
        if "cli" in source.relative_to(package).parts:
            continue
        text = source.read_text()
        for module in ("typer", "rich"):
            assert f"import {module}" not in text and f"from {module}" not in text, source


# -- outside text is shown, never parsed -----------------------------------------------------

MARKUP = ["[/x] [bold]hi", "[/b]", "[redacted]", "[link=https://e.example]x[/link]", ":smile:"]


@pytest.mark.parametrize("text", MARKUP)
def test_markup_in_user_and_server_text_is_shown_verbatim(api: respx.MockRouter, text: str) -> None:
    user_data = {"note": text}
    shown_data = json.dumps(user_data, ensure_ascii=False)
    created = api.post("/v1/encoder/jobs").respond(json=job(userData=user_data))
    api.get(f"/v1/encoder/jobs/{ID1}").respond(json=job(userData=user_data))
    api.get("/v1/encoder/jobs").respond(json=page([job(ID2 + text, text)]))
    api.delete(f"/v1/encoder/jobs/{ID1}").respond(403, json={"message": f"refused: {text}"})

    made = invoke(
        *AUTH,
        "create",
        "--video-id",
        "v1",
        "--preset",
        "360:hls",
        "--user-data",
        json.dumps(user_data),
    )
    assert made.exit_code == 0, made.output  # exit 1 here made scripts retry: a duplicate job
    assert created.call_count == 1
    assert shown_data in made.stdout
    got = invoke(*AUTH, "get", ID1)
    assert got.exit_code == 0, got.output
    assert shown_data in got.stdout
    listed = invoke(*AUTH, "list")
    assert listed.exit_code == 0, listed.output
    assert ID2 + text in listed.stdout
    assert text in listed.stdout.replace(ID2 + text, "")  # the status column too
    deleted = invoke(*AUTH, "delete", ID1)
    assert deleted.exit_code == 1, deleted.output
    assert f"refused: {text}" in deleted.stdout
    for result in (made, got, listed, deleted):
        assert "Markup" not in result.output and "unexpected" not in result.output


@settings(max_examples=40, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1))
def test_get_shows_any_user_data_verbatim(text: str) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.get(f"/v1/encoder/jobs/{ID1}").respond(json=job(userData={"note": text}))
        result = invoke(*AUTH, "get", ID1)
    assert result.exit_code == 0, result.output
    assert json.dumps({"note": text}, ensure_ascii=False) in result.stdout


def test_terminal_escapes_from_the_server_are_shown_not_obeyed(api: respx.MockRouter) -> None:
    evil = "\x1b]0;owned\x07\x1b[2J"
    api.get(f"/v1/encoder/jobs/{ID1}").respond(json=job(status=evil, videoUrl=f"https://x/{evil}"))
    api.delete(f"/v1/encoder/jobs/{ID1}").respond(500, json={"message": evil})
    got = invoke(*AUTH, "get", ID1)
    assert got.exit_code == 0
    assert "\x1b" not in got.stdout and "\\x1b[2J" in got.stdout
    deleted = invoke(*AUTH, "delete", ID1)
    assert "\x1b" not in deleted.output and "\x07" not in deleted.output


# -- failed jobs say why ---------------------------------------------------------------------

FAILED_JOB = job(
    status="failed",
    finishedAt="2021-03-18T09:00:00.000Z",
    error={"code": "ENCODING_FAILED", "message": "no video stream in the source"},
)
REASON = "ENCODING_FAILED: no video stream in the source"


def test_get_shows_why_a_job_failed(api: respx.MockRouter) -> None:
    api.get(f"/v1/encoder/jobs/{ID1}").respond(json=FAILED_JOB)
    human = invoke(*AUTH, "get", ID1)
    assert human.exit_code == 0
    assert any(
        line.split()[:1] == ["error"] and line.endswith(REASON)
        for line in human.stdout.splitlines()
    ), human.stdout
    as_json = json.loads(invoke(*AUTH, "get", ID1, "--json").stdout)
    assert as_json["error"] == FAILED_JOB["error"]  # the API's object, unchanged


def test_wait_says_why_the_job_failed(api: respx.MockRouter) -> None:
    api.get(f"/v1/encoder/jobs/{ID1}").respond(json=FAILED_JOB)
    result = invoke(*AUTH, "wait", ID1, "--poll-interval", "0.001")
    assert result.exit_code == 1
    assert REASON in result.stdout
    assert_one_error_line(result, f"job {ID1} failed: {REASON}", "finished 2021-03-18")


# -- nothing cut at 80 columns ---------------------------------------------------------------

LONG_URL = "https://cdn.videosdk.live/files/videos/605311d9bba24b4d700c8c4d/hls/1080p/index.m3u8"


def test_get_at_80_columns_prints_the_output_url_whole(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    files = [{"id": "f1", "type": "x-tar", "size": 5755392, "fileUrl": LONG_URL}]
    api.get(f"/v1/encoder/jobs/{ID1}").respond(json=job(status="completed", files=files))
    result = invoke(*AUTH, "get", ID1)
    assert result.exit_code == 0
    assert any(line.endswith(LONG_URL) for line in result.stdout.splitlines()), result.stdout


# -- messages name what the user typed -------------------------------------------------------

SNAKE_FIELDS = re.compile(r"\b(video_id|video_url|webhook_url|user_data|per_page|created_before)\b")


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--video-url", "notaurl"], "--video-url"),
        (["--video-url", "ftp://x.example/v.mp4"], "--video-url"),
        (["--video-id", "v1", "--webhook-url", "hooks.example"], "--webhook-url"),
        (["--video-id", " "], "--video-id"),
        (["--video-id", "v1", "--preset", "360:avi"], "--preset"),
        (["--video-id", "v1", "--thumbnail", "3s@360:jpg"], "--thumbnail"),
        (["--video-id", "v1", "--user-data", "[]"], "--user-data"),
    ],
)
def test_create_refusals_name_the_flag(api: respx.MockRouter, args: list[str], flag: str) -> None:
    route = api.post("/v1/encoder/jobs")
    result = invoke(*AUTH, "create", "--preset", "360:hls", *args)
    assert result.exit_code == 2, result.output
    assert_one_error_line(result, flag)
    assert not SNAKE_FIELDS.search(result.stderr), result.stderr
    assert not route.called


def test_created_before_refusal_names_the_flag(api: respx.MockRouter) -> None:
    result = invoke(*AUTH, "delete-queued", "--yes", "--created-before", "yesterday")
    assert_one_error_line(result, "--created-before 'yesterday'")


# -- delete-queued says where ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "flag", "url"),
    [
        ({}, [], BASE),
        (
            {"VIDEOSDK_BASE_URL": "https://videosdk.example.test/"},
            [],
            "https://videosdk.example.test",
        ),
        ({}, ["--base-url", "https://flag.example.test"], "https://flag.example.test"),
    ],
)
def test_delete_queued_confirmation_names_the_resolved_url(
    clean_env: pytest.MonkeyPatch, env: dict[str, str], flag: list[str], url: str
) -> None:
    for name, value in env.items():
        clean_env.setenv(name, value)
    clean_env.setattr(jobs, "_stdin_is_interactive", lambda: True)
    with respx.mock(base_url=url) as mock:
        mock.get("/v1/encoder/jobs").respond(json=page([job(ID1)]))
        result = invoke(*flag, *AUTH, "delete-queued", input="n\n")
    assert result.exit_code == 1
    assert f"Delete 1 queued job at {url}? [y/N]" in result.stderr


# -- help ------------------------------------------------------------------------------------


def all_commands() -> list[tuple[list[str], Any]]:
    """Every command's argv prefix and click object, the root group first."""
    group = typer.main.get_command(app)
    commands: dict[str, Any] = getattr(group, "commands", {})
    assert commands
    return [([], group), *(([name], command) for name, command in commands.items())]


@pytest.mark.parametrize("columns", ["80", "100"])
def test_help_shows_flags_as_flags_and_cuts_nothing(
    monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    for argv, command in all_commands():
        result = invoke(*argv, "--help")
        assert result.exit_code == 0, (argv, result.output)
        text = result.stdout
        assert "<bool>" not in text and "BOOLEAN" not in text, (argv, text)
        assert "…" not in text, (argv, text)  # nothing cut short
        flags = [p for p in command.params if getattr(p, "is_flag", False)]
        for flag in flags:
            name = max(flag.opts, key=len)
            row = next(line for line in text.splitlines() if f" {name} " in line)
            after = row.split(name, 1)[1].strip(" │")
            assert not after.startswith("<"), (argv, row)


def test_help_text_is_reflowed_into_paragraphs() -> None:
    from videosdk_async.cli.app import reflowed

    assert (
        reflowed("Title.\n\n    One\n    paragraph.\n\n    Two.\n")
        == "Title.\n\nOne paragraph.\n\nTwo."
    )
    for _, command in all_commands()[1:]:
        assert "\n" not in command.help.replace("\n\n", ""), command.name


def test_a_flag_takes_no_value() -> None:
    result = invoke(*AUTH, "get", ID1, "--json", "true")
    assert result.exit_code == 2
    assert_one_error_line(result, "unexpected extra argument")


def test_delete_queued_help_says_which_jobs_limit_picks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    text = " ".join(invoke("delete-queued", "--help").stdout.split())
    assert "from its last page back to its first" in text
    assert "--limit 5 takes the 201st to the 205th" in text


# -- counts read right -----------------------------------------------------------------------

ONE_PLURAL = re.compile(r"\b1 (jobs|deletes|creates|queued jobs)\b")


def test_one_of_anything_is_singular(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.get("/v1/encoder/jobs").respond(json=page([job(ID1)]))
    api.delete(f"/v1/encoder/jobs/{ID1}").respond(json=job(ID1))
    monkeypatch.setattr(jobs, "_stdin_is_interactive", lambda: True)
    runs = {
        "all": invoke(*AUTH, "list", "--all"),
        "status": invoke(*AUTH, "list", "--status", "queued"),
        "first": invoke(*AUTH, "list", "--status", "queued", "--per-page", "1"),
        "prompt": invoke(*AUTH, "delete-queued", input="y\n"),
        "delete": invoke(*AUTH, "delete", ID1),
    }
    for name, result in runs.items():
        assert result.exit_code == 0, (name, result.output)
        assert not ONE_PLURAL.search(result.output), (name, result.output)
    assert "1 job" in runs["all"].stdout
    assert "1 queued job" in runs["status"].stdout
    assert "first 1 queued job" in runs["first"].stdout
    assert "Delete 1 queued job at" in runs["prompt"].stderr


# -- Ctrl-C ----------------------------------------------------------------------------------


def test_ctrl_c_is_an_interruption_on_every_python(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On Python 3.10 anyio.run lets a bare CancelledError out on Ctrl-C (no Task.uncancel).
    def interrupted(*_: Any, **__: Any) -> Any:
        raise asyncio.CancelledError

    monkeypatch.setattr(loop.anyio, "run", interrupted)
    batch = invoke(*AUTH, "delete", ID1, ID2, "--json")
    assert batch.exit_code == 130, batch.output
    assert json.loads(batch.stdout)["interrupted"] is True  # what it finished, first
    assert_one_error_line(batch, "interrupted; 0 jobs: nothing to do")
    single = invoke(*AUTH, "get", ID1)
    assert single.exit_code == 130  # quietly, as Typer ends any interrupted command
    assert "Traceback" not in single.output and "CancelledError" not in single.output


def test_a_cancellation_escaping_a_command_is_reported_as_an_interruption(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from videosdk_async.cli.app import _guarded

    def cancelled() -> None:
        raise asyncio.CancelledError

    assert _guarded(cancelled) == 130
    assert capsys.readouterr().err == "error: interrupted\n"
