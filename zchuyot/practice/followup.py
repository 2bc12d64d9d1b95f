"""The daily check (`zchuyot followup`): what to do today first, each with its reasons.

Reason codes (DESIGN §4) and the score's weights, documented so a worker can see why an issue
ranks where it does (`--explain` prints the sum):

| code | when | points |
|---|---|---|
| deadline_missed | a legal clock past its due date, no appeal after its refusal | 2000 + days past (≤ 100) |
| deadline_near | a legal clock due within `deadline_warning` days | 500 + (deadline_warning − days left) × 10 |
| refusal_open | a refusal with no escalation or appeal after it for `refusal_grace` days | 100 + days open (≤ 60) |
| action_overdue | a planned action not done, past its due date | 60 + days overdue (≤ 30) |
| followup_due | `next_followup` reached | 40 + days since (≤ 20) |
| action_due | a planned action due today or tomorrow | 30 |
| stale | at least `stale_after` Israeli working days without a log entry | 10 + working days beyond (≤ 20) |
| (family's order) | the family's `priority` 1, 2, 3… and `urgency: now` | + max(0, 6 − priority), + 5 for now |

The score is the sum, over the codes an issue has, of the highest points of each code (three
overdue actions count once), plus the family's order. The tiers keep the order the practice asks
for: a missed deadline outranks everything, then a near deadline, then an open refusal, overdue
actions, follow-up dates, staleness and the family's own priority.

An escalation to the floor above answers a refusal but does not stop a legal clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from zchuyot.calendar.workdays import WorkCalendar, from_settings
from zchuyot.case.file import CASES, quiet_gc
from zchuyot.case.rules import Attention, attention
from zchuyot.case.validate import Problem
from zchuyot.workspace.store import Workspace


class Reason(NamedTuple):
    code: str
    detail: str
    date: dt.date | None
    points: int


@dataclass(slots=True)
class Item:
    issue: Attention
    worker: str  # the worker's folder
    reasons: list[Reason]
    bonus: list[tuple[str, int]] = field(default_factory=list)  # the family's order
    waiting: bool = False  # another worker's issue, shown for the actions that wait on this one
    score: int = field(init=False)

    def __post_init__(self) -> None:
        self.score = sum(self.points_by_code().values()) + sum(p for _, p in self.bonus)

    def points_by_code(self) -> dict[str, int]:
        """The highest points of each reason code (three overdue actions count once)."""
        best: dict[str, int] = {}
        for r in self.reasons:
            if r.points > best.get(r.code, -1):
                best[r.code] = r.points
        return best

    def as_json(self) -> dict[str, Any]:
        i = self.issue
        out = {"id": i.id, "family": i.family, "worker": self.worker, "subject": i.subject, "score": self.score,
               "reasons": [{"code": c, "detail": d, "date": _iso(day) if day else None}
                           for c, d, day, _ in self.reasons]}
        if self.waiting:
            out["waiting_on_me"] = True
        return out


@dataclass
class Followup:
    on: dt.date
    items: list[Item]
    errors: list[Problem]

    def as_json(self) -> dict[str, Any]:
        return {"on": self.on.isoformat(), "items": [i.as_json() for i in self.items],
                "errors": [p.as_json(full=False) for p in self.errors]}


@dataclass(frozen=True)
class Rules:
    stale_after: int = 5
    refusal_grace: int = 3
    deadline_warning: int = 14

    @classmethod
    def from_settings(cls, s: dict[str, Any]) -> Rules:
        def num(key: str, default: int) -> int:
            v = s.get(key)
            return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else default

        return cls(num("stale_after", 5), num("refusal_grace", 3), num("deadline_warning", 14))


_day = lru_cache(maxsize=None)(dt.date.fromordinal)  # a few hundred distinct days among thousands of issues
_iso = lru_cache(maxsize=None)(dt.date.isoformat)


def reasons_for(a: Attention, on: dt.date, rules: Rules, cal: WorkCalendar) -> list[Reason]:
    """Every reason an open issue needs attention on `on`."""
    o = on.toordinal()
    out: list[Reason] = []
    for name, due in a.clocks:
        left = due - o
        if left < 0:
            out.append(Reason("deadline_missed", name, _day(due), 2000 + min(-left, 100)))
        elif left <= rules.deadline_warning:
            out.append(Reason("deadline_near", name, _day(due), 500 + (rules.deadline_warning - left) * 10))
    for text, day in a.refusals:
        days = o - day
        if days >= rules.refusal_grace:
            out.append(Reason("refusal_open", text, _day(day), 100 + min(days, 60)))
    for what, due, _ in a.actions:
        late = o - due
        if late > 0:
            out.append(Reason("action_overdue", what, _day(due), 60 + min(late, 30)))
        elif late >= -1:
            out.append(Reason("action_due", what, _day(due), 30))
    if a.next_followup is not None and a.next_followup <= o:
        since = o - a.next_followup
        out.append(Reason("followup_due", "", _day(a.next_followup), 40 + min(since, 20)))
    if max(o - a.last, 0) >= rules.stale_after:  # working days are never more than calendar days
        last = _day(a.last)
        quiet = cal.workdays_after(last, on)
        if quiet >= rules.stale_after:
            out.append(Reason("stale", str(quiet), last, 10 + min(quiet - rules.stale_after, 20)))
    return out


def network_reasons(a: Attention, on: dt.date, rules: Rules, waivers: Waivers | None) -> list[Reason]:
    """The reasons of the network around the case: referrals, partners' feedback, confidentiality waivers."""
    o = on.toordinal()
    out: list[Reason] = []
    for to, due, day, ask in a.referrals:
        late = o - due if due is not None else None
        if a.partner:  # the partner's own screen: what it was asked to do
            out.append(Reason("referral_open", ask, _day(due if due is not None else day),
                              45 + (min(late, 30) if late is not None and late > 0 else 0)))
        elif late is not None and late > 0:
            name = waivers.partners.get(to, to) if waivers is not None else to
            out.append(Reason("referral_due", name, _day(due), 70 + min(late, 30)))
    if a.feedback is not None:
        text, day = a.feedback
        out.append(Reason("feedback_new", text, _day(day), 50))
    if a.needs and waivers is not None:
        valid = waivers.of(a.family, o)
        missing = [n for n in a.needs if not any(waivers.covers(w, n) for w in valid)]
        if missing:
            out.append(Reason("waiver_missing", ", ".join(waivers.shown(n) for n in missing), None, 20))
        for w in valid:
            if w.expires is not None and w.expires - o <= rules.deadline_warning \
                    and any(waivers.covers(w, n) for n in a.needs):
                out.append(Reason("waiver_expiring", ", ".join(waivers.named(n) for n in w.names), _day(w.expires),
                                  25))
    return out


class Waiver(NamedTuple):
    names: tuple[str, ...]  # as written in the family's record (body keys or names, partner keys)
    covered: frozenset[str]  # the bodies' names in the directory, and "p:KEY" for partners
    signed: int
    expires: int | None


class Waivers:
    """The families' confidentiality waivers (family.yaml `waivers`), read only for the families whose open
    work needs one, each once per run."""

    def __init__(self, ws: Workspace) -> None:
        from zchuyot.practice.directory import names, partners

        self.ws = ws
        self.names = names(ws)
        self.partners = {p.key: p.name for p in partners(ws)}
        self._families: dict[str, list[Waiver]] = {}
        self._paths: dict[str, str] | None = None

    def of(self, family: str, on: int) -> list[Waiver]:
        """The family's waivers valid on day `on` (signed, not yet expired)."""
        if family not in self._families:
            self._families[family] = self._read(family)
        return [w for w in self._families[family] if w.signed <= on and (w.expires is None or w.expires >= on)]

    def _records(self) -> dict[str, Any]:
        """Every family's record, found once: family code → its family.yaml (one listing of the folders)."""
        if self._paths is None:
            import os

            from zchuyot.case.file import FAMILY_FILE

            self._paths = {}
            cases = self.ws.cases
            for w in sorted(os.scandir(cases), key=lambda e: e.name) if cases.is_dir() else []:
                if not w.is_dir() or w.name.startswith("."):
                    continue
                for f in os.scandir(w.path):
                    if f.name not in self._paths and f.is_dir() and os.path.isfile(os.path.join(f.path, FAMILY_FILE)):
                        self._paths[f.name] = os.path.join(f.path, FAMILY_FILE)
        return self._paths

    def _read(self, family: str) -> list[Waiver]:
        from pathlib import Path

        from zchuyot.case.file import family_waivers

        path = self._records().get(family)
        out: list[Waiver] = []
        for names, signed, exp in family_waivers(Path(path)) if path is not None else []:
            covered = frozenset([*(self.names.canonical(b) for b in names), *(f"p:{b}" for b in names)])
            out.append(Waiver(names, covered, signed.toordinal(), exp.toordinal() if exp else None))
        return out

    def covers(self, w: Waiver, need: str) -> bool:
        return need in w.covered if need.startswith("p:") else self.names.canonical(need) in w.covered

    def named(self, written: str) -> str:
        """A body or partner as a waiver writes it (a key) → its name."""
        return self.partners.get(written) or self.names.canonical(written)

    def shown(self, need: str) -> str:
        return self.partners.get(need[2:], need[2:]) if need.startswith("p:") else self.names.canonical(need)


def candidates(on: dt.date, rules: Rules) -> tuple[str, tuple[Any, ...]]:
    """The index cache's pre-filter, an SQL condition on its columns (index.py): a *necessary* condition
    for each reason of `reasons_for`, so the cache never decodes an issue that cannot need the worker
    today — and `reasons_for` still decides. Open issues only, and one of:
    an open clock due within the warning; an open refusal at least `refusal_grace` days old; an undone
    action due by tomorrow; `next_followup` reached; at least `stale_after` calendar days since the last
    activity (working days are fewer than calendar days); a referral past due; a partner's new feedback;
    open work that needs a confidentiality waiver."""
    o = on.toordinal()
    parts = ["clock - ? <= ?", "refusal + ? <= ?", "action - 1 <= ?", "nextf <= ?", "refdue < ?", "fbnew = 1",
             "needs = 1"]
    args: list[Any] = [rules.deadline_warning, o, rules.refusal_grace, o, o, o, o]
    if rules.stale_after > 0:
        parts.append("last + ? <= ?")
        args += [rules.stale_after, o]
    else:
        parts.append("1")
    return f"open = 1 AND ({' OR '.join(parts)})", tuple(args)


def family_bonus(a: Attention) -> list[tuple[str, int]]:
    out = []
    if a.priority is not None and a.priority < 6:
        out.append(("priority", 6 - a.priority))
    if a.urgency == "now":
        out.append(("urgency", 5))
    return out


def _by_points(r: Reason) -> int:
    return -r.points


def followup(ws: Workspace, on: dt.date, all_workers: bool = False) -> Followup:
    from zchuyot.calendar.workdays import set_cache_dir

    set_cache_dir(str(ws.local_dir))
    rules = Rules.from_settings(ws.settings)
    cal = from_settings(ws.settings, ws.template_data("rest_days.yaml"))
    scope = None if (all_workers or not ws.worker) else ws.worker
    from zchuyot.practice.directory import partners_of

    keys = tuple(partners_of(ws, scope)) if scope else ()  # the partners this worker is: their referrals
    if ws.use_cache:
        open_issues, errors = ws.cache().attention(scope, candidates(on, rules), keys)
    else:  # every file read and validated, one at a time: the reference the cache is tested against
        open_issues, errors = [], []
        with quiet_gc():
            for rec, errs, _ in ws.each_issue(None):  # every worker's: an action may wait on this one
                mine = scope is None or rec is None or rec.worker_dir == scope
                if rec is None:
                    if mine or any(e.file.startswith(f"{CASES}/{scope}/") for e in errs):
                        errors += errs
                elif rec.issue.is_open:
                    a = attention(rec.issue)
                    if mine:
                        open_issues.append((rec.worker_dir, a))
                    elif any(x[2] == scope for x in a.actions) or any(r[0] in keys for r in a.referrals):
                        open_issues.append((rec.worker_dir, a.waiting_on(scope, keys)))
    items = []
    waivers = Waivers(ws)
    for worker, a in open_issues:
        reasons = reasons_for(a, on, rules, cal) + network_reasons(a, on, rules, waivers)
        if reasons:
            if len(reasons) > 1:
                reasons.sort(key=_by_points)
            waiting = scope is not None and worker != scope  # another worker's issue: an action waits on her
            items.append(Item(a, worker, reasons, [] if waiting else family_bonus(a), waiting))
    # families by their most pressing issue, then issues by score
    best: dict[str, int] = {}
    for it in items:
        best[it.issue.family] = max(best.get(it.issue.family, 0), it.score)
    items.sort(key=lambda it: (-best[it.issue.family], it.issue.family, -it.score, it.issue.id))
    return Followup(on, items, errors)
