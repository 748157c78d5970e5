"""The recipe pages show tested code only: every Python block includes a file (or a marked
section of one) from ``examples/``, which the test suite runs; links have a target."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs" / "recipes").glob("*.md"))
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
INCLUDE = re.compile(r'^--8<-- "([^":]+)(?::([\w-]+))?"$')


def includes(page: Path) -> list[tuple[str, str | None]]:
    """The (path, section) of every snippet include in the page's Python blocks."""
    found = []
    for language, body in FENCE.findall(page.read_text(encoding="utf-8")):
        if language != "python":
            continue
        lines = [line for line in body.splitlines() if line.strip()]
        bad = [line for line in lines if not INCLUDE.match(line)]
        assert lines and not bad, f"{page.name}: a Python block that is not an include: {bad}"
        for line in lines:
            match = INCLUDE.match(line)
            assert match is not None
            found.append((match[1], match[2]))
    return found


def test_there_are_recipe_pages() -> None:
    assert {p.name for p in PAGES} >= {
        "fastapi.md",
        "webhook-receiver.md",
        "cleanup-worker.md",
        "arq-workers.md",
    }


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_python_blocks_include_tested_files_and_marked_sections(page: Path) -> None:
    for path, section in includes(page):
        source = ROOT / path
        assert path.startswith("examples/") and source.is_file(), path
        if section is not None:
            text = source.read_text(encoding="utf-8")
            starts = text.count(f"--8<-- [start:{section}]")
            ends = text.count(f"--8<-- [end:{section}]")
            assert (starts, ends) == (1, 1), f"{path}: section {section!r}"
            assert text.index(f"[start:{section}]") < text.index(f"[end:{section}]")


@pytest.mark.parametrize("page", [*PAGES, ROOT / "examples" / "README.md"], ids=lambda p: p.name)
def test_relative_links_have_a_target(page: Path) -> None:
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8"))
    local = [link for link in links if "://" not in link]
    missing = [link for link in local if not (page.parent / link).exists()]
    assert not missing, missing


def test_every_example_program_has_a_page() -> None:
    programs = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "examples").rglob("*.py")
        if not path.name.startswith("test_") and path.name != "conftest.py"
    }
    pages = "".join(page.read_text(encoding="utf-8") for page in PAGES)
    shown = {p for p in programs if p in pages or p.rsplit("/", 1)[-1] in pages}
    assert shown == programs
