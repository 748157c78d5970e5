"""What the CLI's renderers show: outside text verbatim, ids and URLs whole, counts worded right.

Every renderer is fed strings full of Rich markup (``[bold]``, ``[/x]``), emoji codes and
brackets, and must print them exactly as given: on the CLI's own console, and on a default
Rich console (markup and emoji on), so the renderables are safe wherever they are printed.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console, RenderableType

from videosdk_async._text import one_line
from videosdk_async.batch import DeleteOutcome, DeleteReport, DeleteResult
from videosdk_async.cli.demo import DemoRun, final_summary
from videosdk_async.cli.errors import report
from videosdk_async.cli.render import (
    Output,
    delete_progress,
    failure_reason,
    job_details,
    jobs_table,
    summary_line,
    summary_tables,
)
from videosdk_async.cli.words import plural, printable
from videosdk_async.models import EncodingJob, JobError

TRICKY = [
    "[/x] [bold]hi",
    "[bold]",
    "[/b]",
    "[redacted]",
    "[/]",
    "[link=https://evil.example]click[/link]",
    "\\[escaped]",
    "[",
    "]",
    "[[]]",
    ":smile: :thumbs_up:",
    "[red]:warning:[/red]",
    "a [b]c[/b] d",
]
# Printable text: no control characters (those are shown as escapes, tested apart), no
# surrogates; brackets, colons and spaces on purpose.
_PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
outside_text = st.one_of(
    st.sampled_from(TRICKY),
    st.text(alphabet=_PRINTABLE, min_size=1, max_size=40),
    st.lists(st.sampled_from([*TRICKY, "x", " ", ":", "/"]), min_size=1, max_size=6).map("".join),
).filter(lambda s: s.strip() == s and s.strip())
# A status the SDK does not know (a known one, in any case, is shown in its own spelling).
unknown_status = outside_text.filter(
    lambda s: s.lower() not in {"queued", "processing", "completed", "failed"}
)
WIDE = 2_000  # no wrapping at all: the text must come out exactly as it went in


def on_default_console(*items: RenderableType, width: int = WIDE) -> str:
    """Render on a plain Rich console with markup and emoji ON, no colour."""
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    for item in items:
        console.print(item)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return str(out)


def on_cli_console(
    capsys: pytest.CaptureFixture[str], *items: RenderableType, width: int = WIDE
) -> str:
    """Render through the CLI's own Output, at ``width`` columns."""
    capsys.readouterr()
    out = Output(json_mode=False)
    out.console.width = width
    out.print(*items)
    return capsys.readouterr().out


def a_job(**fields: Any) -> EncodingJob:
    body = {"id": "60531471e32e8e4eaea094fe", "status": "queued", **fields}
    return EncodingJob.model_validate(body)


def a_report(*results: DeleteResult, in_flight: tuple[str, ...] = ()) -> DeleteReport:
    """A batch report holding ``results``; complete unless some ids are still in flight."""
    rep = DeleteReport()
    rep.results.update({r.job_id: r for r in results})
    rep.in_flight.update(in_flight)
    rep.complete = not in_flight
    return rep


def both(capsys: pytest.CaptureFixture[str], *items: RenderableType) -> list[str]:
    return [on_default_console(*items), on_cli_console(capsys, *items)]


# -- verbatim ---------------------------------------------------------------------------------

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(text=outside_text, status=unknown_status)
def test_job_details_show_every_outside_value_verbatim(
    capsys: pytest.CaptureFixture[str], text: str, status: str
) -> None:
    job = a_job(
        id=text,
        status=status,
        videoId=text,
        videoUrl=text,
        webhookUrl=text,
        userData={"note": text},
        files=[{"id": text, "type": text, "size": 1, "fileUrl": text + "/index.m3u8"}],
        error={"code": text, "message": text},
    )
    for shown in both(capsys, job_details(job)):
        for value in (
            text,
            status,
            json.dumps({"note": text}, ensure_ascii=False),
            text + "/index.m3u8",
            one_line(f"{text}: {text}"),  # the failure reason, on one line
        ):
            assert value in shown, (value, shown)


@SETTINGS
@given(job_id=outside_text, status=unknown_status, title=outside_text)
def test_jobs_table_shows_ids_statuses_and_title_verbatim(
    capsys: pytest.CaptureFixture[str], job_id: str, status: str, title: str
) -> None:
    table = jobs_table([a_job(id=job_id, status=status)], title=title)
    for shown in both(capsys, table):
        assert job_id in shown and status in shown
        assert " ".join(title.split()) in " ".join(shown.split())  # a title wraps at spaces


class Refused(Exception):
    """An error whose message is whatever a server said."""


@SETTINGS
@given(job_id=outside_text, message=outside_text, status=unknown_status, title=outside_text)
def test_delete_summary_shows_ids_reasons_and_statuses_verbatim(
    capsys: pytest.CaptureFixture[str], job_id: str, message: str, status: str, title: str
) -> None:
    rep = a_report(
        DeleteResult(job_id, DeleteOutcome.FAILED, error=Refused(message)),
        DeleteResult(job_id + "-2", DeleteOutcome.NOT_DELETABLE, job_status=status),
    )
    for shown in both(capsys, *summary_tables(rep, title=title)):
        assert job_id in shown and job_id + "-2" in shown and title in shown
        assert one_line(message) in shown
        assert f"job is {status}" in shown


@SETTINGS
@given(text=outside_text, status=unknown_status)
def test_demo_summary_shows_server_values_verbatim(
    capsys: pytest.CaptureFixture[str], text: str, status: str
) -> None:
    run = DemoRun(
        waited=a_job(id=text, status=status),
        picked_up=Counter({status: 2}),
        final=Counter({status: 1}),
    )

    def flat(value: str) -> str:  # the table may wrap between words; borders are not text
        return " ".join(value.replace("│", " ").split())

    for shown in both(capsys, final_summary(run)):
        assert flat(text) in flat(shown) and flat(f"2 {status}") in flat(shown)


@SETTINGS
@given(text=outside_text)
def test_output_prints_plain_strings_verbatim(
    capsys: pytest.CaptureFixture[str], text: str
) -> None:
    assert text in on_cli_console(capsys, text)


@SETTINGS
@given(text=outside_text)
def test_error_lines_are_verbatim(text: str) -> None:
    stream = io.StringIO()
    report(text, stream)
    assert stream.getvalue() == f"error: {one_line(text)}\n"


@settings(max_examples=60, deadline=None)
@given(description=outside_text)
def test_progress_descriptions_are_verbatim(description: str) -> None:
    out = Output(json_mode=False)
    # A terminal console with markup on: the progress columns must not parse what they show.
    out.console = Console(file=io.StringIO(), width=WIDE, force_terminal=True, color_system=None)
    with delete_progress(out, description, total=1) as on_progress:
        on_progress(DeleteResult("a", DeleteOutcome.FAILED, error=Refused("x")))
    shown = out.console.file.getvalue()  # type: ignore[attr-defined]
    assert description in shown
    assert "1 not deleted" in shown


def test_control_characters_are_shown_as_escapes_not_sent_to_the_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    evil = "\x1b]0;pwned\x07\x1b[2J"
    job = a_job(id=evil, videoUrl=f"https://x.example/{evil}", error={"message": evil})
    shown = on_cli_console(capsys, job_details(job), jobs_table([job]))
    assert "\x1b" not in shown and "\x07" not in shown
    assert printable(evil) == "\\x1b]0;pwned\\x07\\x1b[2J"
    assert printable(evil) in shown
    stream = io.StringIO()
    report(f"server said {evil}", stream)
    assert "\x1b" not in stream.getvalue()
    assert "\\x1b[2J" in stream.getvalue()


# -- failure reasons --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "said"),
    [
        ({"code": "ENCODING_FAILED", "message": "bad input"}, "ENCODING_FAILED: bad input"),
        ({"message": "bad input"}, "bad input"),
        ({"code": "ENCODING_FAILED"}, "ENCODING_FAILED"),
        ("the encoder crashed", "the encoder crashed"),
        ({"reason": "odd shape"}, '{"reason": "odd shape"}'),
        (None, None),
        ({}, None),
    ],
)
def test_failure_reason_reads_the_typed_error_field(error: Any, said: str | None) -> None:
    fields = {"error": error} if error is not None else {}
    assert failure_reason(a_job(status="failed", **fields)) == said


def test_failure_reason_is_shown_in_the_details() -> None:
    job = EncodingJob.model_validate(
        {"id": "a", "status": "failed", "error": {"code": "E42", "message": "no audio"}}
    )
    assert isinstance(job.error, JobError)
    assert failure_reason(job) == "E42: no audio"
    assert "E42: no audio" in on_default_console(job_details(job))


def test_failure_reason_is_one_line() -> None:
    job = a_job(status="failed", error={"code": "X", "message": "line one\nline two"})
    assert failure_reason(job) == "X: line one line two"


# -- nothing cut or folded --------------------------------------------------------------------

id_like = st.text(alphabet="abcdef0123456789-_", min_size=1, max_size=90)
spaced_id = st.lists(id_like, min_size=1, max_size=3).map(" ".join)


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(job_id=id_like, status=spaced_id, width=st.integers(min_value=20, max_value=120))
def test_ids_in_tables_and_summaries_are_never_cut_or_folded(
    capsys: pytest.CaptureFixture[str], job_id: str, status: str, width: int
) -> None:
    presets = [{"resolutions": ["360", "720"], "format": "hls"}, {"resolutions": ["1080"]}]
    jobs = [a_job(id=job_id, status=status, presets=presets)]
    shown = on_cli_console(capsys, jobs_table(jobs), width=width)
    words = [word for line in lines_of(shown) for word in line.split()]
    assert job_id in words, shown
    assert any(status in line for line in lines_of(shown)), shown  # no_wrap: one line, whole
    assert "360,720:hls" in words and "1080:?" in words, shown  # wrapped between words only
    rep = a_report(
        DeleteResult(job_id, DeleteOutcome.FAILED, error=Refused(f"DELETE /jobs/{job_id}"))
    )
    shown = on_cli_console(capsys, *summary_tables(rep, title="t"), width=width)
    line = next(line for line in lines_of(shown) if line.startswith(job_id + " "))
    assert line.endswith(f"DELETE /jobs/{job_id}")  # the reason, whole, on the id's line


def test_get_at_80_columns_keeps_the_file_url_on_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "https://cdn.videosdk.live/files/videos/605311d9bba24b4d700c8c4d/1080p/a-long-name/index.m3u8"
    assert len(url) > 80
    job = a_job(
        status="completed",
        videoUrl=url.replace("cdn", "src"),
        files=[{"id": "f", "type": "x-tar", "size": 5755392, "fileUrl": url}],
    )
    shown = on_cli_console(capsys, job_details(job), width=80)
    assert any(line.endswith(url) for line in shown.splitlines()), shown
    assert any(line.endswith(url.replace("cdn", "src")) for line in shown.splitlines())


def test_tables_keep_their_width_on_a_wide_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    shown = on_cli_console(capsys, jobs_table([a_job()]), width=200)
    assert max(len(line) for line in shown.splitlines()) < 80  # not stretched to the terminal


# -- plurals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "said"), [(0, "0 jobs"), (1, "1 job"), (2, "2 jobs"), (1500, "1,500 jobs")]
)
def test_plural(count: int, said: str) -> None:
    assert plural(count, "job") == said


def test_summaries_say_1_job_not_1_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    rep = a_report(DeleteResult("a", DeleteOutcome.DELETED), in_flight=("b",))
    assert summary_line(rep) == "1 job: 1 deleted; interrupted with 1 in flight"
    shown = on_cli_console(capsys, *summary_tables(rep, title="t"))
    assert "1 delete in flight" in shown
    assert not re.search(r"\b1 (jobs|deletes)\b", shown)
