"""The type-checked user module (``tests/typecheck/user_module.py``) runs against the emulator:
what pyright and mypy accept there also works."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from support import seed_jobs

from videosdk_async import AsyncEncoderClient, DeleteOutcome, JobStatus
from videosdk_async.emulator import Emulator

pytestmark = pytest.mark.integration

MODULE = Path(__file__).resolve().parents[1] / "typecheck" / "user_module.py"


def load_user_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("videosdk_user_module", MODULE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_user_module_runs_as_it_type_checks(
    videosdk_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = videosdk_emulator
    for name in ("VIDEOSDK_TOKEN", "VIDEOSDK_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VIDEOSDK_API_KEY", emulator.api_key)
    monkeypatch.setenv("VIDEOSDK_SECRET_KEY", emulator.secret)
    user = load_user_module()
    assert len(user.build_clients(emulator.base_url)) == 9
    seed_jobs(emulator, 41)
    async with AsyncEncoderClient(base_url=emulator.base_url) as client:
        assert len(user.copies(client)) == 4
        created = await user.create_jobs(client)
        assert [len(j.presets) for j in created] == [1, 1, 1, 1]
        assert created[3].presets[0].resolutions == ["1080"]
        status, _, attempts = await user.read(client, created[0].id)
        assert (status, attempts) == (JobStatus.QUEUED, 1)
        assert await user.raw_responses(client, created[0].id) == [200, 200, 200, 1]
        ids = await user.paginate(client)
        assert len(ids) == 45 and len(set(ids)) == 45
        emulator.force_status(created[1].id, "processing", hold=True)
        seen = await user.handle_errors(client, created[1].id)
        assert seen == [None, "processing"]  # no request id from the emulator; then the refusal
        emulator.advance(60)  # the manual clock: queued and processing jobs finish now
        done = await user.wait_for(client, created[2].id)
        assert done is not None and done.status is JobStatus.COMPLETED
        fresh = [
            (await client.jobs.create(video_url=user.VIDEO_URL, presets=user.PRESETS)).id
            for _ in range(3)
        ]
        report = await user.clean_up(client, [*fresh, created[2].id])
        assert report.counts[DeleteOutcome.DELETED] == 2
        assert report.counts[DeleteOutcome.NOT_DELETABLE] == 1
        api_shape, text, python_shape = user.serialize(done)
        assert "videoUrl" in api_shape and '"videoUrl"' in text and "video_url" in python_shape
