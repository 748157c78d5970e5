"""Find the Python examples in the README and the docs, and run them against the emulator.

Every ```python block is an example. A comment line just above the fence can say how to run
it (several keys may be combined, separated by spaces):

- ``<!-- example: skip="why" -->``: deliberately partial; not run (keep these few).
- ``<!-- example: pytest -->``: the block is a test module; it runs under pytest, with
  pytest-asyncio in auto mode (``asyncio_mode = auto``); ``asyncio-mode=strict`` runs it in
  pytest-asyncio's default strict mode instead (for a module meant for anyio's plugin).
- ``<!-- example: needs=client,job_id -->``: the block uses names a reader would already have:
  ``client`` (an open ``AsyncEncoderClient`` on the emulator), ``job_id`` / ``job`` (a queued
  job), ``job_ids`` (three queued jobs), ``token`` (a valid token), ``emulator``.
- ``<!-- example: requires=httpx2 -->``: the block imports an optional package that not every
  supported Python can install; it is skipped, saying so, where the package is missing.

A block that only includes a file of the project (``--8<-- "examples/app.py:section"``)
is run by that file's own tests.

A page (or part of one) whose blocks build on each other can be run by a test of its own,
which asserts what they print and leave behind: ``<!-- examples: tested-by=PATH -->`` hands
the blocks that follow (to ``<!-- examples: end -->`` or the end of the page) to it.

A block with top-level ``await`` runs inside an event loop with those names; any other block
runs as a program of its own (``__name__ == "__main__"``, no event loop running), with
``VIDEOSDK_BASE_URL`` and credentials in the environment pointing at the emulator.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<lang>[\w+-]*)\s*$")
_DIRECTIVE = re.compile(r"<!--\s*example:(?P<body>.*?)-->")
_OPTION = re.compile(r'([\w-]+)(?:=("[^"]*"|\S+))?')
_SNIPPET = re.compile(r'^--8<-- "([^"]+)"\s*$', re.MULTILINE)
_HANDOVER = re.compile(r"<!--\s*examples:\s*(?:tested-by=(?P<path>\S+)|(?P<end>end))\s*-->")


@dataclass(frozen=True)
class Example:
    """One ```python block: where it is, its code, and how to run it."""

    path: Path
    line: int
    code: str
    skip: str | None = None
    pytest: bool = False
    asyncio_mode: str = "auto"
    needs: frozenset[str] = field(default_factory=frozenset)
    requires: frozenset[str] = field(default_factory=frozenset)
    tested_by: str | None = None

    @property
    def name(self) -> str:
        """``docs/jobs.md:42``: how a failing example is named."""
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def awaits_at_top_level(self) -> bool:
        """True when the block uses ``await``/``async with``/``async for`` outside a function."""
        tree = ast.parse(self.code)
        return _top_level_await(tree)


def _top_level_await(node: ast.AST) -> bool:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(child, ast.Await | ast.AsyncWith | ast.AsyncFor):
            return True
        if _top_level_await(child):
            return True
    return False


def _options(text: str) -> dict[str, str]:
    return {m.group(1): (m.group(2) or "").strip('"') for m in _OPTION.finditer(text)}


def examples_in(path: Path) -> list[Example]:
    """Every ```python block of one Markdown file, with its directive."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Example] = []
    tested_by: str | None = None
    i = 0
    while i < len(lines):
        handover = _HANDOVER.search(lines[i])
        if handover:
            tested_by = handover.group("path")
        opening = _FENCE.match(lines[i])
        if not opening or opening.group("lang") != "python":
            i += 1
            continue
        indent = len(opening.group("indent"))
        start = i + 1
        end = start
        while end < len(lines) and not _FENCE.match(lines[end]):
            end += 1
        code = "\n".join(line[indent:] for line in lines[start:end]) + "\n"
        included = _SNIPPET.findall(code)
        if included and not _SNIPPET.sub("", code).strip():
            # The block shows (part of) a program of the project's: that program's own
            # tests run it, and tests/unit/test_recipe_docs.py checks the include resolves.
            found.append(Example(path, start, code, tested_by=included[0].split(":")[0]))
            i = end + 1
            continue
        above = lines[i - 1] if i > 0 else ""
        directive = _DIRECTIVE.search(above)
        options = _options(directive.group("body")) if directive else {}
        found.append(
            Example(
                path=path,
                line=start,
                code=code,
                skip=options.get("skip"),
                pytest="pytest" in options,
                asyncio_mode=options.get("asyncio-mode", "auto"),
                needs=frozenset(n for n in options.get("needs", "").split(",") if n),
                requires=frozenset(n for n in options.get("requires", "").split(",") if n),
                tested_by=tested_by,
            )
        )
        i = end + 1
    return found


def documentation() -> list[Path]:
    """The README and every Markdown page under ``docs/``."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def all_examples() -> list[Example]:
    """Every example in the README and the docs."""
    return [example for path in documentation() for example in examples_in(path)]
