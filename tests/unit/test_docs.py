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


@pytest.mark.parametrize("page", [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"])
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


def test_the_error_tree_in_errors_md_is_the_real_one() -> None:
    """Every error class appears once in the page's tree, under its own base class."""
    import videosdk_async
    from videosdk_async import errors

    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    tree = text[text.index("```text\nVideoSDKError") + len("```text\n") :]
    tree = tree[: tree.index("```")]
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in tree.splitlines():
        name = re.search(r"\w+", line)
        assert name is not None, line
        depth = name.start() // 4
        stack[depth:] = [name.group()]
        assert name.group() not in parents, f"{name.group()} is in the tree twice"
        parents[name.group()] = stack[depth - 1] if depth else None

    classes = {n: getattr(errors, n) for n in errors.__all__}
    assert set(parents) == set(classes), "the tree and errors.__all__ differ"
    for name, cls in classes.items():
        assert name in videosdk_async.__all__, f"{name} is not importable from videosdk_async"
        base = next((b.__name__ for b in cls.__bases__ if b.__name__ in classes), None)
        assert parents[name] == base, f"{name}: the page says under {parents[name]}, it is {base}"


def _table_rows(text: str) -> list[dict[str, str]]:
    """The rows of the first Markdown table in ``text``, keyed by its header."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append([cell.strip() for cell in line.strip("|").split("|")])
    header, rows = table[0], table[2:]
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_batch_page_includes_the_benchmarks_table() -> None:
    """docs/batch.md shows the published run's table itself (a snippet include of the marked
    section the benchmark report writes), so its figures cannot fall behind a new run."""
    batch = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    bench = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert '--8<-- "docs/benchmarks.md:batch-deletes"' in batch
    section = bench[bench.index("[start:batch-deletes]") : bench.index("[end:batch-deletes]")]
    assert "naive gather" in section and "SDK delete_many" in section
