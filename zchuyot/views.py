"""Light, read-only views of an issue: what `list`, `followup`, `report` and `policy` need, built
either from a validated model or from the index cache (no pydantic on the warm path).

They carry the same attribute names as the models, so the read commands work on either.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

_d = dt.date.fromisoformat


class _V:
    __slots__: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self.__slots__)})"


class LogView(_V):
    __slots__ = ("date", "kind", "text", "body")

    def __init__(self, date: dt.date, kind: str, text: str, body: str | None) -> None:
        self.date, self.kind, self.text, self.body = date, kind, text, body


class ActionView(_V):
    __slots__ = ("id", "what", "due", "done")

    def __init__(self, id: Any, what: str, due: dt.date | None, done: dt.date | None) -> None:  # noqa: A002
        self.id, self.what, self.due, self.done = id, what, due, done


class DeadlineView(_V):
    __slots__ = ("key", "name", "from_", "due")

    def __init__(self, key: str, name: str | None, from_: dt.date | None, due: dt.date) -> None:
        self.key, self.name, self.from_, self.due = key, name, from_, due


class OutcomeView(_V):
    __slots__ = ("benefit", "kind", "amount", "period", "from_")

    def __init__(self, benefit: str | None, kind: str | None, amount: float | None, period: str | None,
                 from_: dt.date | None) -> None:
        self.benefit, self.kind, self.amount, self.period, self.from_ = benefit, kind, amount, period, from_


class BarrierView(_V):
    __slots__ = ("kind", "where")

    def __init__(self, kind: str | None, where: str | None) -> None:
        self.kind, self.where = kind, where


class BodyView(_V):
    __slots__ = ("org",)

    def __init__(self, org: str | None) -> None:
        self.org = org


class PolicyView(_V):
    __slots__ = ("flag", "note")

    def __init__(self, flag: bool, note: str | None) -> None:
        self.flag, self.note = flag, note


class IssueView(_V):
    __slots__ = ("id", "family", "subject", "domain", "domain_other", "status", "step", "priority", "urgency",
                 "opened", "next_followup", "log", "actions", "deadlines", "outcome", "barrier", "bodies", "policy",
                 "right")

    def __init__(self, **kw: Any) -> None:
        for k in self.__slots__:
            setattr(self, k, kw.get(k))

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def last_activity(self) -> dt.date:
        return max([e.date for e in self.log] + [self.opened])


def _iso(d: Any) -> str | None:
    return d.isoformat() if isinstance(d, dt.date) else None


def facts(issue: Any) -> list[Any]:
    """A validated model → a compact JSON-able row (the index cache's payload)."""
    o, b, p = issue.outcome, issue.barrier, issue.policy
    return [
        issue.id, issue.family, issue.subject, issue.domain, issue.domain_other, issue.status, issue.step,
        issue.priority, issue.urgency, _iso(issue.opened), _iso(issue.next_followup),
        [[_iso(e.date), e.kind, e.text if e.kind == "refusal" else "", getattr(e, "body", None)] for e in issue.log],
        [[a.id, a.what, _iso(a.due), _iso(a.done)] for a in issue.actions],
        [[d.key, d.name, _iso(d.from_), _iso(d.due)] for d in issue.deadlines],
        [o.benefit, o.kind, o.amount, o.period, _iso(o.from_)] if o else None,
        [b.kind, b.where] if b else None,
        [x.org for x in issue.bodies],
        [bool(p.flag), p.note] if p else None,
        issue.right,
    ]


def from_facts(row: list[Any]) -> IssueView:
    (iid, family, subject, domain, domain_other, status, step, priority, urgency, opened, nxt, log, actions,
     deadlines, outcome, barrier, bodies, policy, right) = row
    return IssueView(
        id=iid, family=family, subject=subject, domain=domain, domain_other=domain_other, status=status, step=step,
        priority=priority, urgency=urgency, opened=_d(opened), next_followup=_d(nxt) if nxt else None,
        log=[LogView(_d(e[0]), e[1], e[2], e[3]) for e in log],
        actions=[ActionView(a[0], a[1], _d(a[2]) if a[2] else None, _d(a[3]) if a[3] else None) for a in actions],
        deadlines=[DeadlineView(d[0], d[1], _d(d[2]) if d[2] else None, _d(d[3])) for d in deadlines],
        outcome=OutcomeView(outcome[0], outcome[1], outcome[2], outcome[3], _d(outcome[4]) if outcome[4] else None)
        if outcome else None,
        barrier=BarrierView(barrier[0], barrier[1]) if barrier else None,
        bodies=[BodyView(x) for x in bodies],
        policy=PolicyView(policy[0], policy[1]) if policy else None,
        right=right,
    )
