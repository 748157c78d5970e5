"""The dependency floors in pyproject.toml: every one declared, none below what the code needs.

``nox -s minimums`` proves the floors by running the tests on them; these checks keep the
floors that session found from sliding back unnoticed in a run without nox.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def noxfile() -> Iterator[ModuleType]:
    """The project's noxfile, loaded once; the PATH it extends is put back afterwards."""
    spec = importlib.util.spec_from_file_location("project_noxfile", ROOT / "noxfile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", os.environ.get("PATH", ""))
        spec.loader.exec_module(module)
        yield module


def test_every_dependency_has_one_floor(noxfile: ModuleType) -> None:
    floors = noxfile.floors(ROOT / "pyproject.toml")
    assert {"httpx", "pydantic", "anyio", "PyJWT", "typer", "rich", "starlette"} <= set(floors)
    assert "videosdk-async" not in floors  # our own extras are not dependencies


@pytest.mark.parametrize(
    ("name", "needed", "why"),
    [
        ("typer", "0.27.2", "the CLI catches typer.TyperException, new in typer 0.27.2"),
        ("rich", "13.8", "typer 0.27.2 requires rich>=13.8.0"),
        ("pytest", "8.2", "pytest-asyncio 0.24 requires pytest>=8.2"),
    ],
)
def test_floors_cover_what_the_code_needs(
    noxfile: ModuleType, name: str, needed: str, why: str
) -> None:
    floors = noxfile.floors(ROOT / "pyproject.toml")
    assert Version(floors[name]) >= Version(needed), why


def test_a_dependency_without_a_floor_is_refused(noxfile: ModuleType, tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["httpx<1"]\n')
    with pytest.raises(ValueError, match="httpx<1"):
        noxfile.floors(pyproject)
