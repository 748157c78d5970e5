"""Seeded, reproducible fault injection, per route or global.

A rule matches a request when its ``route`` pattern (``fnmatch`` syntax)
matches one of ``"METHOD /route/{template}"``, ``"METHOD /concrete/path"`` or
``"METHOD /concrete/path?query"``; a pattern without a method (no space) matches
any method, and ``"*"`` matches everything. Rules are tried in order for every
API request: every firing ``latency`` rule adds its delay; the first firing rule
of any other kind decides the outcome (later ones are not even drawn for).

Everything random (whether a rule fires, delays, garbage bytes) is drawn here,
synchronously and in request order, from one seeded generator: the same rules and
the same sequence of requests give the same faults.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, replace
from fnmatch import fnmatchcase
from typing import Any, Literal, cast, get_args

FaultKind = Literal[
    "status",
    "rate_limit",
    "latency",
    "drop_before",
    "drop_after",
    "truncate",
    "hang",
    "garbage",
    "slow_body",
]
FaultPhase = Literal["before", "after"]
GarbageFormat = Literal["html", "bytes", "json", "empty"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
GARBAGE_FORMATS: tuple[str, ...] = get_args(GarbageFormat)
PHASED_KINDS = ("status", "hang", "garbage")
"""Kinds whose ``phase`` chooses whether the operation is applied first."""
GARBAGE_SIZE = 512
"""Bytes of seeded noise a ``garbage`` fault with ``body_format="bytes"`` answers."""
DEFAULT_CHUNKS = 10
"""Pieces a ``slow_body`` fault splits a body into, unless ``chunks`` says otherwise."""


@dataclass
class FaultRule:
    """One fault to inject.

    kind:
        ``status`` answer ``status`` (default 503) with a JSON error body, or
        ``body`` verbatim; ``phase="after"`` applies the operation first.
        ``rate_limit`` answer 429 with ``Retry-After: retry_after`` (default 1).
        ``latency`` wait ``delay`` seconds, or uniformly between ``delay`` and
        ``delay_max``, then go on.
        ``drop_before`` close the connection without a response, operation
        not applied. ``drop_after`` apply the operation, then close without a
        response. ``truncate`` apply, then send the headers and only half of
        the body before closing.
        ``hang`` hold the request for ``delay`` (to ``delay_max``) seconds
        without answering, then close the connection (at once if the client
        hangs up first); ``phase="after"`` applies the operation first.
        ``garbage`` answer ``status`` (default 200) with a body that is not the
        API's: ``body`` verbatim, or ``body_format`` ``html`` (a proxy page,
        the default), ``bytes`` (seeded noise labelled JSON), ``json`` (valid
        JSON of the wrong shape) or ``empty``; ``phase="after"`` applies the
        operation first.
        ``slow_body`` apply, then send the real response's headers at once and
        its body in ``chunks`` pieces spread over ``delay`` (to ``delay_max``)
        seconds.
    route: pattern, see the module docstring.
    probability: chance that a matching request fires the rule (seeded).
    times: fire at most this many times (``None``: unlimited).
    skip: let this many matching requests through before the rule can fire.
    """

    kind: FaultKind
    route: str = "*"
    probability: float = 1.0
    times: int | None = None
    skip: int = 0
    status: int | None = None
    retry_after: float | None = None
    delay: float = 0.0
    delay_max: float | None = None
    phase: FaultPhase = "before"
    body: str | None = None
    content_type: str | None = None
    body_format: GarbageFormat | None = None
    chunks: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if not isinstance(self.route, str) or not self.route:
            raise ValueError("route must be a non-empty pattern")
        if not 0.0 <= float(self.probability) <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        if self.times is not None and (not isinstance(self.times, int) or self.times < 1):
            raise ValueError("times must be a positive integer or null")
        if not isinstance(self.skip, int) or self.skip < 0:
            raise ValueError("skip must be a non-negative integer")
        if self.kind == "garbage":
            if self.status is not None and not 200 <= int(self.status) <= 299:
                raise ValueError("status of a garbage fault must be a success status (200-299)")
        elif self.status is not None and not 400 <= int(self.status) <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError("retry_after must not be negative")
        if self.delay < 0 or (self.delay_max is not None and self.delay_max < self.delay):
            raise ValueError("delay must be >= 0 and delay_max >= delay")
        if self.kind in ("hang", "slow_body") and not (self.delay_max or self.delay) > 0:
            raise ValueError(f"a {self.kind} fault needs a delay > 0 (seconds)")
        if self.phase not in ("before", "after"):
            raise ValueError("phase must be 'before' or 'after'")
        if self.phase == "after" and self.kind not in PHASED_KINDS:
            raise ValueError(f"phase applies to {', '.join(PHASED_KINDS)} faults only")
        if self.body_format is not None:
            if self.kind != "garbage":
                raise ValueError("body_format applies to garbage faults only")
            if self.body_format not in GARBAGE_FORMATS:
                raise ValueError(f"body_format must be one of {', '.join(GARBAGE_FORMATS)}")
        if self.chunks is not None:
            if self.kind != "slow_body":
                raise ValueError("chunks applies to slow_body faults only")
            if isinstance(self.chunks, bool) or not isinstance(self.chunks, int) or self.chunks < 1:
                raise ValueError("chunks must be a positive integer")

    @property
    def terminal(self) -> bool:
        """Whether the rule decides the request's outcome (all kinds but latency)."""
        return self.kind != "latency"

    @property
    def applies_after(self) -> bool:
        """Whether the operation is applied before the fault shows."""
        if self.kind in ("drop_after", "truncate", "slow_body"):
            return True
        return self.kind in PHASED_KINDS and self.phase == "after"

    def matches(self, method: str, template: str, path: str, query: str) -> bool:
        """Whether the rule's route pattern matches this request."""
        pattern = self.route if " " in self.route or self.route == "*" else f"* {self.route}"
        if pattern == "*":
            return True
        candidates = [f"{method} {template}", f"{method} {path}"]
        if query:
            candidates.append(f"{method} {path}?{query}")
        return any(fnmatchcase(c, pattern) for c in candidates)

    def to_dict(self) -> dict[str, Any]:
        """The rule as JSON-able data, leaving out unset optional fields."""
        data = asdict(self)
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def from_dict(cls, data: Any) -> FaultRule:
        """Parse one rule; raises ``ValueError`` naming the problem."""
        if not isinstance(data, dict):
            raise ValueError("a fault rule must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known - {"fired", "remaining"})
        if unknown:
            raise ValueError(f"unknown fault rule field(s): {', '.join(unknown)}")
        if "kind" not in data:
            raise ValueError("a fault rule needs a 'kind'")
        clean = {k: v for k, v in data.items() if k in known}
        try:
            return cls(**clean)
        except TypeError as exc:  # e.g. comparing a string with a number
            raise ValueError(f"invalid fault rule: {exc}") from exc


def parse_fault_config(data: Any) -> tuple[int | None, list[FaultRule]]:
    """Parse faults JSON: a rule, a list of rules, or ``{"seed": n, "rules": [...]}``."""
    seed: int | None = None
    if isinstance(data, dict) and "kind" not in data:
        extra = sorted(set(data) - {"seed", "rules"})
        if extra:
            raise ValueError(f"unknown faults field(s): {', '.join(extra)}")
        raw_seed = data.get("seed")
        if raw_seed is not None and (not isinstance(raw_seed, int) or isinstance(raw_seed, bool)):
            raise ValueError("seed must be an integer")
        seed = raw_seed
        data = data.get("rules", [])
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ValueError("faults must be a rule, a list of rules or {'seed', 'rules'}")
    return seed, [FaultRule.from_dict(item) for item in data]


def even_mix(total: float, rules: Iterable[FaultRule | dict[str, Any]]) -> list[FaultRule]:
    """The rules with probabilities that give each an equal share of ``total``.

    Rules are tried in order and the first to fire decides, so equal probabilities
    would favour the first rules; here rule ``i`` of ``n`` gets
    ``s / (1 - i * s)`` with ``s = total / n``, which makes each fire on ``s`` of
    the requests they all match: ``even_mix(0.2, ten_rules)`` faults 20% of the
    requests, 2% per rule. Latency rules do not take part (they add up instead).
    """
    parsed = [r if isinstance(r, FaultRule) else FaultRule.from_dict(r) for r in rules]
    if not parsed:
        return []
    if not 0.0 <= total <= 1.0:
        raise ValueError("total must be between 0 and 1")
    if any(not r.terminal for r in parsed):
        raise ValueError("latency rules add up and cannot share a total: add them separately")
    share = total / len(parsed)
    return [
        replace(rule, probability=min(1.0, share / (1.0 - i * share)))
        for i, rule in enumerate(parsed)
    ]


@dataclass
class FaultPlan:
    """What the fault rules decided for one request.

    ``delay`` is the latency to add first; ``before`` / ``after`` the deciding rule,
    shown before or after the operation is applied; ``duration`` how long a
    ``hang`` or ``slow_body`` lasts; ``noise`` the bytes a ``garbage`` fault sends.
    """

    delay: float = 0.0
    before: FaultRule | None = None
    after: FaultRule | None = None
    fired: list[FaultRule] = field(default_factory=list)
    duration: float = 0.0
    noise: bytes = b""

    @property
    def kind(self) -> str | None:
        """The fault this request shows: the deciding rule's kind, else ``latency``, else none."""
        rule = self.before or self.after
        if rule is not None:
            return rule.kind
        return "latency" if self.delay > 0 else None


@dataclass
class _Active:
    rule: FaultRule
    seen: int = 0
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        return self.rule.times is not None and self.fired >= self.rule.times


class FaultInjector:
    """Holds the active rules and a ``random.Random(seed)`` for their draws.

    Replacing the rules re-seeds the generator, so a given rule set and
    sequence of requests always yields the same faults.
    """

    def __init__(self, seed: int = 0, rules: list[FaultRule] | None = None) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self._rng = random.Random(seed)  # noqa: S311 - seeded on purpose
        self._active: list[_Active] = [_Active(r) for r in rules or []]

    @property
    def seed(self) -> int:
        """The seed the generator was last reset with."""
        return self._seed

    @property
    def rules(self) -> list[FaultRule]:
        """The configured rules, in evaluation order."""
        with self._lock:
            return [a.rule for a in self._active]

    def set_rules(self, rules: list[FaultRule], seed: int | None = None) -> None:
        """Replace all rules and re-seed (with ``seed``, or the previous seed)."""
        with self._lock:
            if seed is not None:
                self._seed = seed
            self._rng = random.Random(self._seed)  # noqa: S311 - seeded on purpose
            self._active = [_Active(r) for r in rules]

    def add_rule(self, rule: FaultRule) -> None:
        """Append a rule; the generator keeps its state."""
        with self._lock:
            self._active.append(_Active(rule))

    def snapshot(self) -> dict[str, Any]:
        """Rules with their ``fired`` and ``remaining`` counts, as JSON-able data."""
        with self._lock:
            rules = []
            for a in self._active:
                item = a.rule.to_dict()
                item["fired"] = a.fired
                if a.rule.times is not None:
                    item["remaining"] = max(0, a.rule.times - a.fired)
                rules.append(item)
            return {"seed": self._seed, "rules": rules}

    def plan(self, method: str, template: str, path: str, query: str) -> FaultPlan:
        """Decide the faults for one request (synchronously, so draws are ordered)."""
        result = FaultPlan()
        with self._lock:
            for active in self._active:
                rule = active.rule
                if active.exhausted or not rule.matches(method, template, path, query):
                    continue
                active.seen += 1
                if active.seen <= rule.skip:
                    continue
                if rule.terminal and (result.before or result.after):
                    continue
                if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                    continue
                active.fired += 1
                result.fired.append(rule)
                if rule.kind == "latency":
                    result.delay += self._draw_delay(rule)
                    continue
                if rule.applies_after:
                    result.after = rule
                else:
                    result.before = rule
                if rule.kind in ("hang", "slow_body"):
                    result.duration = self._draw_delay(rule)
                elif rule.kind == "garbage" and rule.body is None and rule.body_format == "bytes":
                    result.noise = self._rng.randbytes(GARBAGE_SIZE)
        return result

    def _draw_delay(self, rule: FaultRule) -> float:
        if rule.delay_max is not None:
            return self._rng.uniform(rule.delay, rule.delay_max)
        return rule.delay


def retry_after_header(seconds: float) -> str:
    """``Retry-After`` value: whole seconds, rounded up (the header takes integers)."""
    return str(max(0, math.ceil(seconds)))


def kind_of(value: str) -> FaultKind:
    """Narrow a string to a fault kind, or raise ``ValueError``."""
    if value not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {value!r}")
    return cast(FaultKind, value)
