"""MkDocs hooks: the site serves the example programs the pages link to.

The pages under ``docs/`` link to the tested programs in ``examples/`` with paths relative to
the repository (``../../examples/fastapi_app/jobs_api.py``), so the links work where the
Markdown is read as files. Those targets are outside ``docs/``, so MkDocs would neither copy
them nor accept the links. These hooks copy ``examples/`` into the site (a folder gets a
small index page listing its files) and point such links at the copies; a link to any other
file outside ``docs/`` is left for MkDocs to report.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent
SHOWN = ("examples",)  # folders of the repository served beside the docs
_LINK = re.compile(r"\]\((?P<target>[^)\s#]+)(?P<anchor>#[^)\s]*)?\)")
_SKIPPED = {"__pycache__", ".pytest_cache"}


def _served(folder: Path) -> tuple[list[Path], list[Path]]:
    """The files and the folders (``folder`` included) to serve from ``folder``."""
    files, folders = [], [folder]
    for path in sorted(folder.rglob("*")):
        if any(part in _SKIPPED or part.startswith(".") for part in path.parts):
            continue
        if path.is_dir():
            folders.append(path)
        elif path.suffix not in (".pyc", ".md"):
            files.append(path)
    return files, folders


def _index(folder: Path, files: list[Path], folders: list[Path]) -> str:
    """A plain page listing what a served folder holds."""
    entries = sorted(
        [f"{p.name}/index.html" for p in folders if p.parent == folder]
        + [p.name for p in files if p.parent == folder]
    )
    items = "".join(
        f'<li><a href="{html.escape(e)}">{html.escape(e.removesuffix("index.html"))}</a></li>'
        for e in entries
    )
    title = html.escape(folder.relative_to(ROOT).as_posix() + "/")
    return f"<!doctype html><title>{title}</title><h1>{title}</h1><ul>{items}</ul>\n"


def on_files(files: Files, config: Any) -> Files:
    """Add the served folders' files, and an index page per folder."""
    for name in SHOWN:
        found, folders = _served(ROOT / name)
        for path in found:
            uri = path.relative_to(ROOT).as_posix()
            files.append(File.generated(config, uri, abs_src_path=str(path)))
        for folder in folders:
            uri = folder.relative_to(ROOT).as_posix() + "/index.html"
            files.append(File.generated(config, uri, content=_index(folder, found, folders)))
    return files


def site_target(page_source: Path, target: str, docs_dir: Path) -> str | None:
    """Where a link from ``page_source`` to ``target`` points in the site, when it leaves
    ``docs_dir`` for a served folder; else None (the link is left as it is)."""
    if "://" in target or target.startswith(("/", "mailto:")):
        return None
    resolved = (page_source.parent / target).resolve()
    try:
        in_repo = resolved.relative_to(ROOT).as_posix()
    except ValueError:
        return None
    if resolved.is_relative_to(docs_dir.resolve()) or in_repo.split("/")[0] not in SHOWN:
        return None
    if resolved.is_dir():
        in_repo += "/index.html"
    elif not resolved.is_file():
        return None
    page_dir = posixpath.dirname(page_source.resolve().relative_to(docs_dir.resolve()).as_posix())
    return posixpath.relpath(in_repo, page_dir or ".")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Point links to served files at their copies in the site."""
    docs_dir = Path(config["docs_dir"])
    source = Path(page.file.abs_src_path)

    def rewrite(match: re.Match[str]) -> str:
        target = site_target(source, match["target"], docs_dir)
        if target is None:
            return match[0]
        return f"]({target}{match['anchor'] or ''})"

    return _LINK.sub(rewrite, markdown)
