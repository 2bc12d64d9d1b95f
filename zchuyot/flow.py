"""The eight steps of active rights exhaustion, as data (from "אז מה צריך לעשות?" in the seed).

Each step has its key (the value of `step` in a file), the command that does it, the fields it
fills and a test of whether an issue shows it was reached. Names and guidance texts are in
`labels.py` (`step.<key>`, `guide.<key>`). `step` in a file is the furthest step reached; steps
5–7 repeat until the issue ends, so they are not a strict line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zchuyot.case.form import ISSUE, STEPS


@dataclass(frozen=True)
class Step:
    key: str
    number: int
    command: str
    fills: tuple[str, ...]
    reached: Callable[[Any], bool]


def _has_log(issue: Any, kinds: tuple[str, ...] | None = None) -> bool:
    return any(kinds is None or e.kind in kinds for e in issue.corrected_log)


_REACHED: dict[str, Callable[[Any], bool]] = {
    "listen": lambda i: True,  # an issue exists because a need was heard
    "list": lambda i: True,  # ...and put on the family's list
    "collect": lambda i: bool(i.problem or i.history or (i.barrier and (i.barrier.kind or i.barrier.where))),
    "plan": lambda i: bool(i.actions),
    "treat": lambda i: _has_log(i, tuple(k for k in (
        "meeting", "call", "letter", "documents", "contact", "accompaniment", "simulation", "answer"))),
    "persist": lambda i: _has_log(i, ("refusal", "escalation", "appeal")) or bool(i.deadlines),
    "followup": lambda i: i.next_followup is not None,
    "policy": lambda i: bool(i.policy and i.policy.flag),
}

STEP_LIST: tuple[Step, ...] = tuple(
    Step(key, n, key, tuple(f.key for f in ISSUE if f.step == key), _REACHED[key])
    for n, key in enumerate(STEPS, 1)
)
BY_KEY: dict[str, Step] = {s.key: s for s in STEP_LIST}


def rank(step: str | None) -> int:
    return STEPS.index(step) if step in STEPS else 0


def furthest(current: str | None, new: str) -> str:
    """The furthest of two steps: `step` never goes back."""
    return new if rank(new) > rank(current) else (current or new)


def reached_steps(issue: Any) -> list[str]:
    """The steps the issue's own record shows were done (the recorded `step` is the furthest)."""
    return [s.key for s in STEP_LIST if s.reached(issue)]


def next_step(issue: Any) -> str | None:
    """The step the worker has not yet done, in the order of the walk (collect → plan → treat)."""
    for key in ("collect", "plan", "treat"):
        if not BY_KEY[key].reached(issue):
            return key
    return None


# in a terminal, each step offers the next one (listen → list → collect → plan)
WALK: dict[str, str] = {"listen": "list", "list": "collect", "new": "collect", "collect": "plan"}

