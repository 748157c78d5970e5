"""Job lifecycle on the emulator clock: manual, scaled, forced; outputs on completion."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from videosdk_async.emulator import Emulator, EmulatorConfig
from videosdk_async.emulator import clock as clock_module

BODY: dict[str, Any] = {
    "videoUrl": "https://example.com/in.mp4",
    "presets": [
        {"resolutions": ["240", "720"], "format": "hls"},
        {"resolutions": ["4k"], "format": "mp4"},
    ],
    "thumbnails": [
        {"timestamp": "00:00:01", "resolutions": ["360", "480"], "formats": ["jpg", "webp"]}
    ],
}


async def new_job(api: httpx.AsyncClient) -> dict[str, Any]:
    response = await api.post("/v1/encoder/jobs", json=BODY)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


async def fetch(api: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    return (await api.get(f"/v1/encoder/jobs/{job_id}")).json()  # type: ignore[no-any-return]


async def test_manual_clock_lifecycle(api: httpx.AsyncClient, emu: Emulator) -> None:
    job = await new_job(api)
    assert (await fetch(api, job["id"]))["status"] == "queued"
    emu.advance(4.999)
    assert (await fetch(api, job["id"]))["status"] == "queued"
    emu.advance(0.001)
    started = await fetch(api, job["id"])
    assert started["status"] == "processing"
    assert started["startedAt"] == "2021-03-18T08:51:02.438Z"
    assert started["updatedAt"] == started["startedAt"]
    assert started["files"] == [] and "finishedAt" not in started
    emu.advance(30)
    done = await fetch(api, job["id"])
    assert done["status"] == "completed"
    assert done["finishedAt"] == "2021-03-18T08:51:32.438Z"
    assert done["updatedAt"] == done["finishedAt"]
    assert done["startedAt"] == started["startedAt"]
    assert done["createdAt"] == job["createdAt"]

    files = done["files"]
    videos = [f for f in files if f["type"] in ("x-tar", "video")]
    images = [f for f in files if f["type"] == "image"]
    assert len(videos) == 3 and len(images) == 4
    hls = [f for f in videos if f["type"] == "x-tar"]
    assert [f["meta"]["resolution"] for f in hls] == [
        {"width": 426, "height": 240},
        {"width": 1280, "height": 720},
    ]
    for f in hls:
        assert f["fileUrl"].endswith("/index.m3u8")
        assert f["meta"]["format"] == "hls"
    (mp4,) = [f for f in videos if f["type"] == "video"]
    assert mp4["fileUrl"].endswith(".mp4")
    assert mp4["meta"] == {
        "resolution": {"width": 3840, "height": 2160},
        "format": "mp4",
        "duration": 20.04,
    }
    for f in files:
        assert f["jobId"] == job["id"]
        assert isinstance(f["size"], int) and f["size"] > 0
        assert f["createdAt"] == done["finishedAt"]
        assert len(f["id"]) == 24
    assert sorted(f["fileUrl"].rsplit(".", 1)[1] for f in images) == ["jpg", "jpg", "webp", "webp"]
    assert len({f["id"] for f in files}) == len(files)


async def test_advance_catches_up_many_jobs_in_order(api: httpx.AsyncClient, emu: Emulator) -> None:
    ids = []
    for _ in range(50):
        ids.append((await new_job(api))["id"])
        emu.advance(1)
    # jobs created at t=0..49 s start at t+5 and finish at t+35
    emu.advance(-50 + 60)  # now t=60
    states = {j["id"]: j["status"] for j in emu.jobs()}
    assert [states[i] for i in ids] == ["completed"] * 26 + ["processing"] * 24
    listed = (await api.get("/v1/encoder/jobs", params={"perPage": 100})).json()["data"]
    assert [j["id"] for j in listed] == ids


async def test_failure_ratio_is_seeded() -> None:
    def run(seed: int) -> list[str]:
        with Emulator(seed=seed, fail_ratio=0.5) as emulator:
            for _ in range(40):
                emulator.create_job(BODY)
            emulator.advance(100)
            return [j["status"] for j in emulator.jobs()]

    first = run(3)
    assert first == run(3)
    assert {"completed", "failed"} == set(first)
    assert first != run(4)


async def test_failed_job(api: httpx.AsyncClient, emu: Emulator) -> None:
    emu.configure(fail_ratio=1.0)
    job = await new_job(api)
    emu.advance(35)
    failed = await fetch(api, job["id"])
    assert failed["status"] == "failed"
    assert failed["files"] == []
    assert failed["finishedAt"] == "2021-03-18T08:51:32.438Z"
    assert failed["error"]["message"]


async def test_force_status_python_and_admin(api: httpx.AsyncClient, emu: Emulator) -> None:
    a, b = await new_job(api), await new_job(api)
    forced = emu.force_status(a["id"], "processing")
    assert forced["status"] == "processing"
    assert forced["startedAt"] == forced["updatedAt"] == a["createdAt"]
    emu.advance(5)  # b starts by itself; a keeps processing
    assert (await fetch(api, b["id"]))["status"] == "processing"
    emu.advance(25)  # a was forced at t=0: finishes at t=30
    assert (await fetch(api, a["id"]))["status"] == "completed"

    response = await api.post(f"/_emulator/jobs/{b['id']}/status", json={"status": "failed"})
    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    back = await api.post(
        f"/_emulator/jobs/{b['id']}/status", json={"status": "queued", "hold": True}
    )
    assert back.json()["status"] == "queued"
    assert "startedAt" not in back.json() and back.json()["files"] == []
    emu.advance(1000)
    assert (await fetch(api, b["id"]))["status"] == "queued"  # held
    assert (await api.delete(f"/v1/encoder/jobs/{b['id']}")).status_code == 200

    bad = await api.post(f"/_emulator/jobs/{a['id']}/status", json={"status": "exploded"})
    assert bad.status_code == 400
    missing = await api.post("/_emulator/jobs/nope/status", json={"status": "queued"})
    assert missing.status_code == 404
    with pytest.raises(KeyError):
        emu.force_status("nope", "queued")
    with pytest.raises(ValueError, match="status"):
        emu.force_status(a["id"], "exploded")


async def test_force_completed_generates_files(emu: Emulator) -> None:
    job = emu.create_job(BODY)
    done = emu.force_status(job["id"], "completed")
    assert len(done["files"]) == 7
    assert done["startedAt"] == done["finishedAt"]


async def test_never_leaves_status_when_durations_none() -> None:
    with Emulator(queued_seconds=None) as emulator:
        job = emulator.create_job(BODY)
        emulator.advance(10_000)
        assert emulator.get_job(job["id"])["status"] == "queued"  # type: ignore[index]
        emulator.force_status(job["id"], "processing")
        emulator.configure(processing_seconds=None)
        emulator.advance(10_000)
        # the completion was scheduled before configure(): it still happens
        assert emulator.get_job(job["id"])["status"] == "completed"  # type: ignore[index]


async def test_admin_clock_and_lifecycle(api: httpx.AsyncClient, emu: Emulator) -> None:
    job = await new_job(api)
    clock = (await api.get("/_emulator/clock")).json()
    assert clock == {"now": "2021-03-18T08:50:57.438Z", "manual": True, "timeScale": 0.0}
    advanced = await api.post("/_emulator/clock/advance", json={"seconds": 5})
    assert advanced.json()["now"] == "2021-03-18T08:51:02.438Z"
    assert (await fetch(api, job["id"]))["status"] == "processing"
    for bad in ({"seconds": -1}, {"seconds": "1"}, {}, {"seconds": True}):
        assert (await api.post("/_emulator/clock/advance", json=bad)).status_code == 400
    lifecycle = await api.patch("/_emulator/lifecycle", json={"processing_seconds": 1})
    assert lifecycle.json()["processing_seconds"] == 1
    assert (await api.patch("/_emulator/lifecycle", json={"nope": 1})).status_code == 400
    assert (await api.patch("/_emulator/lifecycle", json={"fail_ratio": 2})).status_code == 400
    assert (await api.get("/_emulator/lifecycle")).json()["queued_seconds"] == 5.0
    with pytest.raises(ValueError, match="backwards"):
        emu.advance(-1)


def test_scaled_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = [1000.0]
    monkeypatch.setattr(clock_module.time, "monotonic", lambda: fake[0])
    config = EmulatorConfig(time_scale=10.0, start_time=None)
    with Emulator(config) as emulator:
        assert not emulator.clock.manual
        job = emulator.create_job(BODY)
        fake[0] += 0.4  # 4 emulated seconds
        assert emulator.get_job(job["id"])["status"] == "queued"  # type: ignore[index]
        fake[0] += 0.1
        assert emulator.get_job(job["id"])["status"] == "processing"  # type: ignore[index]
        emulator.advance(30)  # advancing works with a scaled clock too
        assert emulator.get_job(job["id"])["status"] == "completed"  # type: ignore[index]


def test_reset_is_deterministic() -> None:
    with Emulator(seed=5) as emulator:
        first = emulator.create_job(BODY)["id"]
        emulator.advance(3)
        emulator.reset()
        assert emulator.jobs() == []
        again = emulator.create_job(BODY)["id"]
    with Emulator(seed=5, start_time=None) as other:
        assert other.create_job(BODY)["id"][8:] == first[8:]  # same seeded part and counter
    assert again[8:] == first[8:]
