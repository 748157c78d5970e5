"""Where and with what the figures were measured: date, Python, CPU, packages, commit."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "videosdk-async",
    "httpx",
    "httpcore",
    "pydantic",
    "pydantic-core",
    "anyio",
    "aiohttp",
    "openai",
    "starlette",
    "uvicorn",
    "psutil",
    "matplotlib",
)


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux, else what platform knows)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


def cores() -> int:
    """CPUs this process may run on (the affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def versions() -> dict[str, str]:
    """Installed versions of the packages the figures depend on."""
    found: dict[str, str] = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def commit(repo: Path) -> str:
    """``<short hash>`` of the checkout, with a mark when files differ from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head} (with uncommitted changes)" if dirty else head


def load_average() -> float | None:
    """The 1-minute load average (None where the OS has none): how busy the machine was."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def describe(repo: Path, size: str) -> dict[str, Any]:
    """Everything the page states about the run."""
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "size": size,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "cpu": cpu_model(),
        "cores": cores(),
        "commit": commit(repo),
        "load_start": load_average(),
        "packages": versions(),
    }
