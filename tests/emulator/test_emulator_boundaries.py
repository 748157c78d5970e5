"""The emulator's shape: no import cycles, nothing of the SDK, one loopback and one paging rule."""

from __future__ import annotations

import ast
import ipaddress
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import videosdk_async.emulator as emulator_package
from videosdk_async.emulator import Emulator, ServerThread, is_loopback_host, is_loopback_url
from videosdk_async.emulator.paging import DEFAULT_PER_PAGE, MAX_PER_PAGE
from videosdk_async.emulator.webhooks import WebhookDispatcher

PACKAGE = "videosdk_async.emulator"
ROOT = Path(emulator_package.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports: top level, in functions, under TYPE_CHECKING alike."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            # "from . import x" may name a submodule
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    return {
        name: {m for m in _imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, or ``None``."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles_in_the_emulator() -> None:
    graph = _graph()
    assert "videosdk_async.emulator.app" in graph  # the walk found the modules
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_core_does_not_import_the_app() -> None:
    graph = _graph()
    assert "videosdk_async.emulator.app" not in graph["videosdk_async.emulator.core"]
    assert "videosdk_async.emulator.core" in graph["videosdk_async.emulator.app"]


def test_the_emulator_imports_nothing_of_the_sdk() -> None:
    for path in ROOT.rglob("*.py"):
        outside = {
            m
            for m in _imports(path)
            if m.startswith("videosdk_async") and not m.startswith(PACKAGE)
        }
        assert not outside, f"{path.name} imports {sorted(outside)}"


def test_paging_limits_are_defined_once() -> None:
    assert (DEFAULT_PER_PAGE, MAX_PER_PAGE) == (20, 100)
    owners = []
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                owners += [(path.name, n) for n in names if n.endswith("PER_PAGE")]
    assert sorted(owners) == [("paging.py", "DEFAULT_PER_PAGE"), ("paging.py", "MAX_PER_PAGE")]


LOOPBACK = [
    "localhost",
    "LOCALHOST",
    "api.localhost",
    "a.b.localhost",
    "127.0.0.1",
    "127.255.3.4",
    "::1",
    "[::1]",
    "0:0:0:0:0:0:0:1",
    "::ffff:127.0.0.1",
    "[::ffff:127.0.0.2]",
]
NOT_LOOPBACK = [
    "0.0.0.0",
    "::",
    "[::]",
    "10.0.0.1",
    "128.0.0.1",
    "192.168.1.1",
    "::2",
    "::ffff:10.0.0.1",
    "example.com",
    "localhost.example.com",
    "mylocalhost",
    "notlocalhost",
    ".localhost",
    "a..localhost",
    "127.1",
    "",
    "[127.0.0.1]",
]


@pytest.mark.parametrize("host", LOOPBACK)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)
    bare = host[1:-1] if host.startswith("[") else host
    url_host = f"[{bare}]" if ":" in bare else bare
    assert is_loopback_url(f"http://{url_host}:8080/hook")


@pytest.mark.parametrize("host", NOT_LOOPBACK)
def test_not_loopback_hosts(host: str) -> None:
    assert not is_loopback_host(host)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "http://127.0.0.1.example.com/hook",
        "http://localhost.evil.com/hook",
        "http://user@example.com/127.0.0.1",
        "not a url",
        "http://[::1/bad",
        "",
    ],
)
def test_not_loopback_urls(url: str) -> None:
    assert not is_loopback_url(url)


@given(st.ip_addresses(v=4))
def test_ipv4_loopback_is_exactly_127_slash_8(address: ipaddress.IPv4Address) -> None:
    assert is_loopback_host(str(address)) == (str(address).split(".")[0] == "127")


@pytest.mark.parametrize(("host", "loopback"), [("app.localhost", True), ("10.1.2.3", False)])
def test_server_and_webhooks_share_the_rule(host: str, loopback: bool) -> None:
    with Emulator() as emulator:
        if loopback:
            ServerThread(emulator, host=host)  # accepted: nothing is bound until start()
        else:
            with pytest.raises(ValueError, match="non-loopback"):
                ServerThread(emulator, host=host)
    dispatcher = WebhookDispatcher(timeout=2.0, allow_remote=False)
    try:
        # Port 9 (discard) on a loopback name: attempted, whatever the outcome; elsewhere refused.
        dispatcher.submit("job", "queued", f"http://{host}:9/hook", {}, "t")
        assert dispatcher.wait_idle(10)
        (delivery,) = dispatcher.deliveries()
        assert delivery.refused is not loopback
    finally:
        dispatcher.close()
