"""The center's figures (`zchuyot report`), as the seeds' centers publish them.

A period counts an issue that was opened in it or acted on in it (a log entry dated in it).
Benefits count the outcomes whose `from` date is in the period (or, with no date, of an issue
counted); monthly amounts count × 12 in the yearly total. An outcome lost again (the issue reopened:
`until` on or before the period's end) is not in the totals; it is counted apart, as `lost`.
Legal clocks that fell due in the period (up to today) are counted as met or missed (`count_clocks`).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from zchuyot.calendar import dates
from zchuyot.case.form import DOMAINS, STATUSES
from zchuyot.case.rules import clock_states
from zchuyot.case.validate import Problem
from zchuyot.errors import ZError
from zchuyot.workspace.store import Workspace


@dataclass
class Report:
    start: dt.date
    end: dt.date
    workers: int = 0
    families: int = 0
    issues: int = 0
    by_domain: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    accompaniments: int = 0
    benefit_count: int = 0
    by_benefit: dict[str, int] = field(default_factory=dict)
    monthly_total: float = 0
    one_off_total: float = 0
    lost_count: int = 0
    lost_monthly: float = 0
    lost_one_off: float = 0
    accompaniments_by: dict[str, int] = field(default_factory=dict)  # worker | volunteer | student
    accompaniments_to: dict[str, int] = field(default_factory=dict)  # the body (its directory name) → count
    accompaniments_at: dict[str, int] = field(default_factory=dict)  # the meeting kind (medical_committee…)
    by_right: dict[str, int] = field(default_factory=dict)  # the checklist's key of what was won → count
    # money won (recovery) and debt avoided (avoidance) apart, and the year's value by domain
    by_outcome_kind: dict[str, dict[str, float]] = field(default_factory=dict)
    value_by_domain: dict[str, float] = field(default_factory=dict)
    referrals: int = 0
    by_partner: dict[str, int] = field(default_factory=dict)
    with_feedback: int = 0
    days_to_feedback: list[int] = field(default_factory=list)
    events: dict[str, Any] = field(default_factory=lambda: {"count": 0, "by_kind": {}, "participants": 0})
    by_worker: dict[str, dict[str, float]] = field(default_factory=dict)  # issues, benefits, yearly ₪
    by_month: dict[str, dict[str, float]] = field(default_factory=dict)  # YYYY-MM → monthly, one_off won
    clocks: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CLOCK_KEYS, 0))
    departments: list[dict[str, Any]] = field(default_factory=list)  # a district report: each department
    # what people read for the codes (workers', partners' names): the screens, page and spreadsheet; not the JSON
    names: dict[str, dict[str, str]] = field(default_factory=lambda: {"worker": {}, "partner": {}})

    def name(self, kind: str, code: str) -> str:
        """A worker's or a partner's name as people read it (the code where none is recorded)."""
        return self.names.get(kind, {}).get(code) or code
    missed: list[tuple[str, str, dt.date]] = field(default_factory=list)  # (issue id, clock, due) missed
    errors: list[Problem] = field(default_factory=list)

    @property
    def yearly_total(self) -> float:
        return self.one_off_total + self.monthly_total * 12

    def as_json(self) -> dict[str, Any]:
        def num(x: float) -> float | int:
            return int(x) if float(x).is_integer() else round(x, 2)

        return {
            "from": self.start.isoformat(), "to": self.end.isoformat(),
            "workers": self.workers, "families": self.families, "issues": self.issues,
            "by_domain": self.by_domain, "by_status": self.by_status,
            "accompaniments": self.accompaniments,
            "benefits": {"count": self.benefit_count, "by_benefit": self.by_benefit,
                         "monthly_total": num(self.monthly_total), "one_off_total": num(self.one_off_total),
                         "yearly_total": num(self.yearly_total),
                         "lost": {"count": self.lost_count, "monthly_total": num(self.lost_monthly),
                                  "one_off_total": num(self.lost_one_off)}},
            "accompaniments_by": self.accompaniments_by,
            "referrals": {"count": self.referrals, "by_partner": self.by_partner, "with_feedback": self.with_feedback,
                          "median_days_to_feedback": (statistics.median(self.days_to_feedback)
                                                      if self.days_to_feedback else None)},
            "events": self.events,
            "by_worker": {w: {k: num(v) for k, v in d.items()} for w, d in self.by_worker.items()},
            "benefits_by_month": {m: {k: num(v) for k, v in d.items()} for m, d in self.by_month.items()},
            **({"departments": self.departments} if self.departments else {}),
            "clocks": {**self.clocks, "missed_issues": [{"id": i, "clock": c, "due": d.isoformat()}
                                                        for i, c, d in self.missed]},
            # round three's: where accompaniments went, what was won by right, money apart from debt, by domain
            "accompaniments_where": {"by_body": self.accompaniments_to, "by_meeting": self.accompaniments_at},
            "benefits_by_right": self.by_right,
            "benefits_by_kind": {k: {x: num(v) for x, v in d.items()} for k, d in self.by_outcome_kind.items()},
            "benefits_by_domain": {k: num(v) for k, v in self.value_by_domain.items()},
        }

    def rows(self) -> list[tuple[str, str, str | float]]:
        """(section, key, value) rows for CSV."""
        j = self.as_json()
        out: list[tuple[str, str, str | float]] = [("period", "from", j["from"]), ("period", "to", j["to"])]
        for k in ("workers", "families", "issues", "accompaniments"):
            out.append(("totals", k, j[k]))
        out += [("by_domain", k, v) for k, v in self.by_domain.items()]
        out += [("by_status", k, v) for k, v in self.by_status.items()]
        out += [("by_benefit", k, v) for k, v in self.by_benefit.items()]
        b = j["benefits"]
        for k in ("count", "monthly_total", "one_off_total", "yearly_total"):
            out.append(("benefits", k, b[k]))
        for k in ("count", "monthly_total", "one_off_total"):
            out.append(("benefits_lost", k, b["lost"][k]))
        out += [("accompaniments_by", k, v) for k, v in self.accompaniments_by.items()]
        out += [("accompaniments_by_body", k, v) for k, v in self.accompaniments_to.items()]
        out += [("accompaniments_by_meeting", k, v) for k, v in self.accompaniments_at.items()]
        out += [("benefits_by_right", k, v) for k, v in self.by_right.items()]
        for kind, d in j["benefits_by_kind"].items():
            out += [(f"benefits_{kind}", k, v) for k, v in d.items()]
        out += [("benefits_by_domain", k, v) for k, v in j["benefits_by_domain"].items()]
        r = j["referrals"]
        out += [("referrals", k, r[k]) for k in ("count", "with_feedback", "median_days_to_feedback")]
        out += [("by_partner", k, v) for k, v in self.by_partner.items()]
        out += [("events", k, self.events[k]) for k in ("count", "participants")]
        out += [("events_by_kind", k, v) for k, v in self.events["by_kind"].items()]
        out += [("clocks", k, v) for k, v in self.clocks.items()]
        return out


CLOCK_KEYS = ("due", "met", "missed", "appealed_late")
ACCOMPANIED_BY = {"volunteer": "volunteer", "student": "student"}  # a worker's role → who accompanied


def count_clocks(rep: Report, issue: Any, start: dt.date, on: dt.date) -> None:
    """Legal clocks that fell due in the period (up to `on`): met (an appeal in time) or missed — with no
    appeal, or with one that came late (a late appeal never turns a missed clock into a met one)."""
    for c in clock_states(issue, on):
        if not start <= c.clock.due <= on or c.state == "running":  # running: its last day is today
            continue
        rep.clocks["due"] += 1
        if c.state == "stopped":
            rep.clocks["met"] += 1
        else:
            rep.clocks["missed"] += 1
            if c.state == "late":
                rep.clocks["appealed_late"] += 1
            rep.missed.append((issue.id, c.clock.name or c.clock.key, c.clock.due))


def report(ws: Workspace, start: dt.date, end: dt.date, worker: str | None = None) -> Report:
    issues, errors = ws.stream_issues(worker)
    rep = Report(start, end, errors=errors)
    rep.names["worker"] = {str(w): str(info.get("name") or w) for w, info in (ws.settings.get("workers") or {}).items()
                           if isinstance(info, dict)}
    try:
        from zchuyot.practice.directory import partners

        rep.names["partner"] = {p.key: p.name for p in partners(ws)}
    except ZError:  # a broken directory: the codes are shown (check says what is wrong)
        pass
    workers, families = set(), set()
    domains: dict[str, int] = {}
    statuses: dict[str, int] = {}
    on = min(end, dates.today())
    roles = {str(w): str((info or {}).get("role") or "family") for w, info in (ws.settings.get("workers") or {}).items()
             if isinstance(info, dict) or info is None}
    for rec in issues:
        i = rec.issue
        if i.deadlines:
            count_clocks(rep, i, start, on)
        in_period = [e for e in i.corrected_log if start <= e.date <= end]
        if not (start <= i.opened <= end or in_period):
            continue
        rep.issues += 1
        workers.add(rec.worker_dir)
        mine = rep.by_worker.setdefault(rec.worker_dir, {"issues": 0, "benefits": 0, "yearly_total": 0})
        mine["issues"] += 1
        families.add(i.family)
        domains[i.domain] = domains.get(i.domain, 0) + 1
        statuses[i.status] = statuses.get(i.status, 0) + 1
        for e in in_period:
            if e.kind == "accompaniment":
                rep.accompaniments += 1
                who = ACCOMPANIED_BY.get(roles.get(e.by or rec.worker_dir, ""), "worker")
                rep.accompaniments_by[who] = rep.accompaniments_by.get(who, 0) + 1
                if e.body:
                    rep.accompaniments_to[e.body] = rep.accompaniments_to.get(e.body, 0) + 1
                at = getattr(e, "meeting", None) or "unknown"
                rep.accompaniments_at[at] = rep.accompaniments_at.get(at, 0) + 1
        for r in getattr(i, "referrals", None) or []:
            if start <= r.date <= end:
                rep.referrals += 1
                rep.by_partner[r.to] = rep.by_partner.get(r.to, 0) + 1
                if r.feedback:
                    rep.with_feedback += 1
                    first = min(f if isinstance(f, dt.date) else f.date for f in r.feedback)
                    rep.days_to_feedback.append((first - r.date).days)
        o = i.outcome
        if o and o.benefit and o.until is not None and o.until <= end and (o.from_ is None or o.from_ <= end):
            rep.lost_count += 1  # won, then lost (reopened): kept apart, never in the totals
            if o.period == "monthly":
                rep.lost_monthly += float(o.amount or 0)
            else:
                rep.lost_one_off += float(o.amount or 0)
        elif o and o.benefit and (o.from_ is None or start <= o.from_ <= end):
            rep.benefit_count += 1
            rep.by_benefit[o.benefit] = rep.by_benefit.get(o.benefit, 0) + 1
            if getattr(o, "right", None):
                rep.by_right[o.right] = rep.by_right.get(o.right, 0) + 1
            amount = float(o.amount or 0)
            value = amount * (12 if o.period == "monthly" else 1)
            kind = rep.by_outcome_kind.setdefault(o.kind or "recovery", {"count": 0, "monthly_total": 0,
                                                                          "one_off_total": 0, "yearly_total": 0})
            kind["count"] += 1
            kind["monthly_total" if o.period == "monthly" else "one_off_total"] += amount
            kind["yearly_total"] += value
            rep.value_by_domain[i.domain] = rep.value_by_domain.get(i.domain, 0) + value
            month = rep.by_month.setdefault((o.from_ or i.closed or end).strftime("%Y-%m"),
                                            {"monthly": 0, "one_off": 0})
            if o.period == "monthly":
                rep.monthly_total += amount
                month["monthly"] += amount
            else:
                rep.one_off_total += amount
                month["one_off"] += amount
            mine["benefits"] += 1
            mine["yearly_total"] += amount * (12 if o.period == "monthly" else 1)
    rep.workers, rep.families = len(workers), len(families)
    rep.by_domain = {d: domains[d] for d in DOMAINS if d in domains}
    rep.by_status = {s: statuses[s] for s in STATUSES if s in statuses}
    rep.by_benefit = dict(sorted(rep.by_benefit.items(), key=lambda kv: (-kv[1], kv[0])))
    rep.by_partner = dict(sorted(rep.by_partner.items(), key=lambda kv: (-kv[1], kv[0])))
    rep.by_month = dict(sorted(rep.by_month.items()))
    rep.value_by_domain = {d: rep.value_by_domain[d] for d in DOMAINS if d in rep.value_by_domain}
    for d in (rep.accompaniments_to, rep.accompaniments_at, rep.by_right):
        ordered = sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))
        d.clear()
        d.update(ordered)
    from zchuyot.practice import events

    rep.events = events.counted(events.events(ws), start, end)
    return rep


# the figures a district adds up as they are (departments share no family and no worker)
SUMMED = ("workers", "families", "issues", "accompaniments", "benefit_count", "monthly_total", "one_off_total",
          "lost_count", "lost_monthly", "lost_one_off", "referrals", "with_feedback", "days_to_feedback")


def combine(parts: list[tuple[str, Report]]) -> Report:
    """The district's report: each department's figures summed (departments share no family, no worker), the
    per-worker figures summed per department (no worker crosses its department), each department named."""
    rep = Report(min(r.start for _, r in parts), max(r.end for _, r in parts))
    for name, r in parts:
        for f in SUMMED:
            setattr(rep, f, getattr(rep, f) + getattr(r, f))
        for target, source in ((rep.by_domain, r.by_domain), (rep.by_status, r.by_status),
                               (rep.by_benefit, r.by_benefit), (rep.accompaniments_by, r.accompaniments_by),
                               (rep.by_partner, r.by_partner), (rep.clocks, r.clocks),
                               (rep.accompaniments_to, r.accompaniments_to),
                               (rep.accompaniments_at, r.accompaniments_at),
                               (rep.by_right, r.by_right), (rep.value_by_domain, r.value_by_domain)):
            for k, v in source.items():
                target[k] = target.get(k, 0) + v
        for kind, d in r.by_outcome_kind.items():
            mine = rep.by_outcome_kind.setdefault(kind, dict.fromkeys(d, 0))
            for k, v in d.items():
                mine[k] += v
        for m, d in r.by_month.items():
            mine = rep.by_month.setdefault(m, {"monthly": 0, "one_off": 0})
            for k, v in d.items():
                mine[k] += v
        # workers stay inside their department (the anonymised export hides them too): one row per department
        total = rep.by_worker.setdefault(name, {"issues": 0, "benefits": 0, "yearly_total": 0})
        for d in r.by_worker.values():
            for k, v in d.items():
                total[k] += v
        rep.events["count"] += r.events["count"]
        rep.events["participants"] += r.events["participants"]
        for k, v in r.events["by_kind"].items():
            rep.events["by_kind"][k] = rep.events["by_kind"].get(k, 0) + v
        rep.errors += r.errors
        rep.names["partner"].update(r.names["partner"])
        rep.departments.append({"name": name, "families": r.families, "issues": r.issues,
                                "yearly_total": r.yearly_total})
    rep.by_domain = {d: rep.by_domain[d] for d in DOMAINS if d in rep.by_domain}
    rep.by_status = {s: rep.by_status[s] for s in STATUSES if s in rep.by_status}
    rep.by_month = dict(sorted(rep.by_month.items()))
    return rep
