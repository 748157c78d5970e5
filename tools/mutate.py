"""A small mutation tester: one AST change per run, the unit tests as the judge.

Run: ``nox -s mutation`` (or ``python tools/mutate.py [--module retry] [--jobs 2]``)

Mutants, one per copy of the package (comments and strings are never touched):

- comparisons: ``<`` ↔ ``<=``, ``>`` ↔ ``>=``, ``==`` ↔ ``!=``, ``in`` ↔ ``not in``,
  ``is`` ↔ ``is not``;
- boolean operators: ``and`` ↔ ``or``; ``not x`` → ``x``;
- arithmetic: ``+`` ↔ ``-``, ``*`` ↔ ``/`` (also in ``+=`` and friends);
- constants: a number ``n`` → ``n + 1``, ``True`` ↔ ``False``;
- deleted calls: a statement that is a call (or an awaited call) → ``pass``.

Each mutant's module is written into a private copy of the project and ``pytest tests/unit``
runs there (``-x``, the module's own test files first, hypothesis derandomized). A failing
run kills the mutant, a run past the time limit too; a passing one lets it survive.
Survivors listed in ``tools/mutation_equivalents.toml`` (each with why it is equivalent) are
left out of the score: killed / (mutants - equivalent). The figures go to
docs/reliability.md (between ``<!-- mutation:begin -->`` and ``<!-- mutation:end -->``), the
survivors to ``.mutation/survivors.json``.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "videosdk_async"
EQUIVALENTS = ROOT / "tools" / "mutation_equivalents.toml"
STATE = ROOT / ".mutation"
DOC = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- mutation:begin -->", "<!-- mutation:end -->"

# The core modules, each with the unit tests that speak to it first (the rest follow).
MODULES: dict[str, list[str]] = {
    "retry.py": ["test_retry.py", "test_timeouts.py", "test_middleware.py"],
    "timeouts.py": ["test_timeouts.py", "test_retry.py"],
    "middleware.py": ["test_middleware.py", "test_timeouts.py"],
    "batch.py": ["test_batch.py", "test_hostile_input.py", "test_hostile_answers.py"],
    "_responses.py": ["test_errors.py", "test_hostile_answers.py", "test_secrets_sweep.py"],
    "auth.py": ["test_auth.py", "test_middleware.py"],
}

_COMPARE = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
    ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}  # fmt: skip
_ARITHMETIC = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
_BOOL = {ast.And: ast.Or, ast.Or: ast.And}


@dataclass
class Mutant:
    """One change: where (module, function, line), what, and what came of it."""

    module: str
    index: int  # its place in the module's walk: the transformer applies mutant ``index``
    function: str
    line: int
    offset: int  # line within its function: a key that survives edits elsewhere
    change: str
    source: str  # the original line
    status: str = "pending"  # killed, survived, timeout
    seconds: float = 0.0

    @property
    def key(self) -> str:
        """How ``mutation_equivalents.toml`` names it."""
        return f"{self.module}:{self.function}:+{self.offset}:{self.change}"


class _Walker(ast.NodeTransformer):
    """Visits every candidate in a fixed order; records them, or applies number ``target``."""

    def __init__(self, target: int | None = None) -> None:
        self.target = target
        self.count = 0
        self.found: list[tuple[int, str, str, int]] = []  # (line, function, change, def line)
        self.stack: list[tuple[str, int]] = []

    # what is never mutated: annotations, decorators, type-checking blocks, docstrings
    def _candidate(self, node: ast.AST, change: str) -> bool:
        n = self.count
        self.count += 1
        function, start = self.stack[-1] if self.stack else ("<module>", 1)
        self.found.append((getattr(node, "lineno", 0), function, change, start))
        return n == self.target

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> ast.AST:
        outer = self.stack[-1][0] + "." if self.stack and self.stack[-1][0] != "<module>" else ""
        self.stack.append((outer + node.name, node.lineno))
        node.decorator_list = list(node.decorator_list)  # left as they are
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.returns = node.returns  # annotations are not visited
            for arg in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]:
                arg.annotation = arg.annotation
            node.args.defaults = [self.visit(d) for d in node.args.defaults]
            node.args.kw_defaults = [self.visit(d) if d else d for d in node.args.kw_defaults]
        node.body = self._body(node.body)
        self.stack.pop()
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _function

    def _body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for i, stmt in enumerate(body):
            if i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                out.append(stmt)  # a docstring
                continue
            result = self.visit(stmt)
            out.append(result if isinstance(result, ast.stmt) else stmt)
        return out

    def visit_Module(self, node: ast.Module) -> ast.AST:
        node.body = self._body(node.body)
        return node

    def visit_If(self, node: ast.If) -> ast.AST:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return node
        return self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        names = {t.id for t in node.targets if isinstance(t, ast.Name)}
        if names & {"__all__", "__slots__"}:
            return node
        return self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is not None:
            node.value = self.visit(node.value)
        return node

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        call = node.value.value if isinstance(node.value, ast.Await) else node.value
        if isinstance(call, ast.Call):
            what = ast.unparse(call.func)
            if self._candidate(node, f"delete call {what}()"):
                return ast.copy_location(ast.Pass(), node)
        return self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        for i, op in enumerate(node.ops):
            swap = _COMPARE.get(type(op))
            if swap is not None and self._candidate(node, f"{type(op).__name__}->{swap.__name__}"):
                node.ops = [*node.ops[:i], swap(), *node.ops[i + 1 :]]
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        swap = _BOOL[type(node.op)]
        if self._candidate(node, f"{type(node.op).__name__}->{swap.__name__}"):
            node.op = swap()
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and self._candidate(node, "delete not"):
            return node.operand
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        swap = _ARITHMETIC.get(type(node.op))
        if swap is not None and self._candidate(node, f"{type(node.op).__name__}->{swap.__name__}"):
            node.op = swap()
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        swap = _ARITHMETIC.get(type(node.op))
        if swap is not None and self._candidate(
            node, f"{type(node.op).__name__}=->{swap.__name__}="
        ):
            node.op = swap()
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = node.value
        if isinstance(value, bool):
            if self._candidate(node, f"{value}->{not value}"):
                return ast.copy_location(ast.Constant(not value), node)
        elif isinstance(value, int | float) and self._candidate(node, f"{value!r}->{value + 1!r}"):
            return ast.copy_location(ast.Constant(value + 1), node)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        return node  # message text: not mutated (see the module docstring)


def mutants_of(module: str) -> tuple[str, list[Mutant]]:
    """The module's source, unparsed (what every mutant is made from), and its mutants."""
    source = (ROOT / PACKAGE / module).read_text()
    lines = source.splitlines()
    walker = _Walker()
    walker.visit(ast.parse(source))
    mutants = []
    seen: set[str] = set()
    for index, (line, function, change, start) in enumerate(walker.found):
        text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        mutant = Mutant(module, index, function, line, line - start, change, text)
        while mutant.key in seen:  # the same change twice on one line: number them
            mutant.change += "'"
        seen.add(mutant.key)
        mutants.append(mutant)
    return ast.unparse(ast.parse(source)), mutants


def mutated(module: str, index: int) -> str:
    tree = ast.parse((ROOT / PACKAGE / module).read_text())
    walker = _Walker(target=index)
    tree = walker.visit(tree)
    return ast.unparse(ast.fix_missing_locations(tree))


class Sandbox:
    """A private copy of the project to write one mutant into at a time."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="mutate-"))
        shutil.copytree(ROOT / PACKAGE, self.root / PACKAGE)
        shutil.copytree(ROOT / "tests", self.root / "tests")
        shutil.copy(ROOT / "pyproject.toml", self.root / "pyproject.toml")

    def run(
        self, module: str, text: str, tests: list[str], limit: float, show: bool = False
    ) -> tuple[str, float]:
        target = self.root / PACKAGE / module
        original = target.read_text()
        target.write_text(text)
        started = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": str(self.root), "PYTHONDONTWRITEBYTECODE": "1"}
        command = [
            sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
            "--hypothesis-seed=0", "-W", "ignore", *tests,
        ]  # fmt: skip
        try:
            done = subprocess.run(
                command, cwd=self.root, env=env, capture_output=True, timeout=limit, check=False
            )
            status = "survived" if done.returncode == 0 else "killed"
            if show and done.returncode:
                print(done.stdout.decode(errors="replace")[-3000:])
        except subprocess.TimeoutExpired:
            status = "timeout"
        finally:
            target.write_text(original)
        return status, time.perf_counter() - started

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def test_order(module: str) -> list[str]:
    first = [f"tests/unit/{name}" for name in MODULES[module]]
    rest = sorted(
        f"tests/unit/{p.name}"
        for p in (ROOT / "tests" / "unit").glob("test_*.py")
        if f"tests/unit/{p.name}" not in first
    )
    return first + rest


def equivalents() -> dict[str, str]:
    """Accepted equivalent mutants: key → why."""
    if not EQUIVALENTS.exists():
        return {}
    data = tomllib.loads(EQUIVALENTS.read_text())
    return {key: entry["why"] for key, entry in data.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", help="e.g. retry (default: all six)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--survivors", action="store_true", help="rerun last survivors only")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    modules = [m if m.endswith(".py") else f"{m}.py" for m in (args.module or MODULES)]
    previous = _load_previous() if args.survivors else {}
    sandboxes = [Sandbox() for _ in range(max(1, args.jobs))]
    free: queue.Queue[Sandbox] = queue.Queue()
    for box in sandboxes:
        free.put(box)
    started = time.perf_counter()
    results: dict[str, list[Mutant]] = {}
    try:
        for module in modules:
            baseline_text, mutants = mutants_of(module)
            tests = test_order(module)
            status, seconds = sandboxes[0].run(module, baseline_text, tests, 900, show=True)
            if status != "survived":  # once more: a test that failed under load is not a verdict
                status, seconds = sandboxes[0].run(module, baseline_text, tests, 900, show=True)
            if status != "survived":
                print(f"{module}: the unit tests fail on the unmutated module; stopping")
                return 2
            limit = seconds * 3 + 20
            todo = [m for m in mutants if not previous or m.key in previous.get(module, set())]
            print(f"{module}: {len(mutants)} mutants, {len(todo)} to run, baseline {seconds:.0f}s")

            def run(mutant: Mutant, tests: list[str] = tests, limit: float = limit) -> None:
                box = free.get()  # a sandbox no other run is using
                try:
                    mutant.status, mutant.seconds = box.run(
                        mutant.module, mutated(mutant.module, mutant.index), tests, limit
                    )
                finally:
                    free.put(box)

            with ThreadPoolExecutor(max_workers=len(sandboxes)) as pool:
                for _ in pool.map(run, todo):
                    pass
            if previous:  # mutants not rerun were killed last time
                for m in mutants:
                    if m.status == "pending":
                        m.status = "killed"
            results[module] = mutants
            _save({module: mutants})
            print(_line(module, mutants, equivalents()), flush=True)
            for m in mutants:
                if m.status == "survived" and m.key not in equivalents():
                    print(f"  survived: {m.key}  |  {m.source}", flush=True)
    finally:
        for box in sandboxes:
            box.remove()
    took = time.perf_counter() - started
    report = render(results, equivalents(), took, modules)
    print(report)
    if not args.no_write and set(modules) == set(MODULES):
        write_section(report)
    return 0


def _line(module: str, mutants: list[Mutant], known: dict[str, str]) -> str:
    killed = sum(m.status in ("killed", "timeout") for m in mutants)
    equivalent = [m for m in mutants if m.status == "survived" and m.key in known]
    survived = [m for m in mutants if m.status == "survived" and m.key not in known]
    score = killed / max(1, len(mutants) - len(equivalent))
    return (
        f"{module}: {len(mutants)} mutants, {killed} killed, {len(equivalent)} equivalent, "
        f"{len(survived)} survived: {score:.1%} of non-equivalent mutants killed"
    )


def _save(results: dict[str, list[Mutant]]) -> None:
    STATE.mkdir(exist_ok=True)
    path = STATE / "survivors.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    for module, mutants in results.items():
        old[module] = [asdict(m) | {"key": m.key} for m in mutants if m.status == "survived"]
    path.write_text(json.dumps(old, indent=1))


def _load_previous() -> dict[str, set[str]]:
    path = STATE / "survivors.json"
    if not path.exists():
        return {}
    return {
        module: {m["key"] for m in items} for module, items in json.loads(path.read_text()).items()
    }


def render(
    results: dict[str, list[Mutant]], known: dict[str, str], took: float, modules: list[str]
) -> str:
    rows = [
        "| module | mutants | killed | equivalent | survived | killed of non-equivalent |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    equivalent_rows: list[str] = []
    survivor_rows: list[str] = []
    for module in modules:
        mutants = results.get(module, [])
        killed = sum(m.status in ("killed", "timeout") for m in mutants)
        eq = [m for m in mutants if m.status == "survived" and m.key in known]
        sv = [m for m in mutants if m.status == "survived" and m.key not in known]
        score = killed / max(1, len(mutants) - len(eq))
        rows.append(
            f"| `{module}` | {len(mutants)} | {killed} | {len(eq)} | {len(sv)} | {score:.1%} |"
        )
        equivalent_rows += [
            f"| `{m.module}` `{m.function}` | `{m.change}` in `{_cell(m.source)}` "
            f"| {known[m.key]} |"
            for m in eq
        ]
        survivor_rows += [
            f"| `{m.module}` `{m.function}` | `{m.change}` in `{_cell(m.source)}` |" for m in sv
        ]
    parts = [
        BEGIN,
        "## Mutation testing",
        "",
        f"Written by `nox -s mutation` (`python tools/mutate.py`) on {time.strftime('%Y-%m-%d')}"
        f", in {took / 60:.0f} min. One AST change per mutant (comparisons, `and`/`or`, `not`, "
        "arithmetic, numbers and booleans, deleted calls; never strings), judged by "
        "`pytest tests/unit -x`. Not run in CI: it takes too long.",
        "",
        *rows,
        "",
        "Equivalent survivors, accepted (the change cannot be seen from outside):",
        "",
        "| where | change | why it is equivalent |",
        "| --- | --- | --- |",
        *(equivalent_rows or ["| - | - | - |"]),
    ]
    if survivor_rows:
        parts += ["", "Survivors not (yet) killed:", "", "| where | change |", "| --- | --- |"]
        parts += survivor_rows
    parts.append(END)
    return "\n".join(parts)


def _cell(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("|", "\\|").replace("`", "'"))[:90]


def write_section(section: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Reliability\n"
    if BEGIN not in text:
        text = text.rstrip() + "\n\n" + BEGIN + "\n" + END + "\n"
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    DOC.write_text(pattern.sub(lambda _: section, text, count=1))


if __name__ == "__main__":
    sys.exit(main())
