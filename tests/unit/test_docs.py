"""The project stands alone: its docs and tests cite only what is in the repository."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from test_models import COMPLETED_FILE_EXAMPLE, DELETE_PAGE_EXAMPLE

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".git", ".venv", ".nox", ".hypothesis", "build", "dist", "__pycache__"}
TEXT = {".md", ".py", ".toml", ".cfg", ".txt", ".yml", ".yaml", ".ini", ".sh"}
# Background notes kept outside the project; spelled in pieces so this file does not cite them.
OUTSIDE = ["api-" + "reference", ".." + "/shared", "design" + ".md"]


def project_files() -> list[Path]:
    """Every text file of the project (docs, code, tests, config, CI), caches left out."""
    found = []
    for folder, subfolders, names in os.walk(ROOT):
        subfolders[:] = [
            d for d in subfolders if d not in SKIP and not d.endswith((".egg-info", "_cache"))
        ]
        here = Path(folder)
        found += [here / n for n in names if Path(n).suffix in TEXT or here.name == ".ci"]
    return found


def test_nothing_cites_notes_outside_the_project() -> None:
    files = project_files()
    assert any(p.name == "README.md" for p in files) and any(p.suffix == ".py" for p in files)
    cited = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(name in line for name in OUTSIDE)
    ]
    assert not cited, "\n".join(cited)


@pytest.mark.parametrize("page", [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"])
def test_relative_links_in_docs_have_a_target(page: Path) -> None:
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8"))
    local = [link for link in links if "://" not in link and not link.startswith("mailto:")]
    missing = [link for link in local if not (page.parent / link).exists()]
    assert not missing, missing


def test_model_tests_use_the_examples_of_api_md_verbatim() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", text, flags=re.DOTALL)]
    assert json.loads(DELETE_PAGE_EXAMPLE) in blocks
    assert json.loads(COMPLETED_FILE_EXAMPLE) in blocks
