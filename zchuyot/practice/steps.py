"""The step commands of the practice: listen, list (the family's order), collect, plan, persist, policy.

Each takes plain values (already asked for by the prompts, or given as flags), validates all of
them before anything is written, and writes one step at once — never half a step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zchuyot import flow
from zchuyot.calendar import dates
from zchuyot.case.file import IssueRecord, WriteResult
from zchuyot.case.rules import open_clocks, open_refusals
from zchuyot.errors import InputError, UsageError
from zchuyot.practice import knowledge
from zchuyot.practice.core import choice, future_date, open_issue, parse_body, past_date
from zchuyot.practice.directory import names
from zchuyot.text.labels import choice_label
from zchuyot.workspace.store import Workspace, check_slug


def rights(ws: Workspace) -> list[knowledge.Right]:
    return knowledge.rights_from(ws.template_data("rights.yaml"))


def deadline_rules(ws: Workspace) -> list[knowledge.DeadlineRule]:
    return knowledge.deadlines_from(ws.template_data("deadlines.yaml"))


def _open_issue_guard(issue: Any) -> None:
    if not issue.is_open:
        raise InputError("err.closed_issue", id=issue.id, status=choice_label("status", issue.status))


def _advance(issue: Any, step: str) -> None:
    issue.step = flow.furthest(issue.step, step)


# ------------------------------------------------------------------ 1. listen
@dataclass
class ListenResult:
    opened: list[WriteResult] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (right name, existing issue id)


def listen(ws: Workspace, family: str, keys: list[str], needs: dict[str, str] | None = None,
           won_asked: bool = False) -> ListenResult:
    """Open an issue for each right found unexhausted (skipping one the family already has open); a right
    the family already won is opened with a warning, unless the worker was asked (`won_asked`)."""
    ws.require_worker()
    check_slug(family, "family")
    if not keys:
        raise InputError("err.no_rights")
    catalogue = rights(ws)
    chosen = [knowledge.find_right(catalogue, k) for k in dict.fromkeys(keys)]  # all valid before any write
    recs = [r for r in ws.read_issues().issues if r.issue.family == family and r.issue.right]
    existing = {r.issue.right: r.issue.id for r in recs if r.issue.is_open}
    won = won_rights(recs)
    out = ListenResult()
    for right in chosen:
        if right.name in existing:
            out.skipped.append((right.name, existing[right.name]))
            continue
        intake = {"family": family, "subject": right.name, "domain": right.domain, "right": right.name,
                  "need": (needs or {}).get(right.key), "source": "asked"}
        res = open_issue(ws, intake, step="listen")
        if right.name in won and not won_asked:
            # ground already won: said, never silently — the worker may have meant to reopen it
            res.notes.append(("warn.right_won", {**won[right.name].params(), "new": res.id}))
        out.opened.append(res)
    return out


@dataclass(frozen=True)
class Won:
    """A right the family already won: its issue ended with a benefit that was not lost since."""

    id: str
    closed: dt.date | None
    benefit: str

    def params(self) -> dict[str, str]:
        return {"id": self.id, "date": self.closed.strftime("%d/%m/%Y") if self.closed else "-",
                "benefit": self.benefit}


def won_rights(recs: list[IssueRecord]) -> dict[str, Won]:
    """Right name → the latest issue that won it (status ended, a benefit, not reopened since)."""
    out: dict[str, Won] = {}
    for r in sorted(recs, key=lambda r: (r.issue.closed or r.issue.opened, r.issue.id)):
        i = r.issue
        if i.status == "ended" and i.right and i.outcome is not None and i.outcome.benefit \
                and i.outcome.until is None:
            out[i.right] = Won(i.id, i.closed, i.outcome.benefit)
    return out


def won_for(ws: Workspace, family: str) -> dict[str, Won]:
    """`won_rights` of one family, for the listening checklist (right name → what was won)."""
    check_slug(family, "family")
    return won_rights([r for r in ws.read_issues().issues if r.issue.family == family and r.issue.right])


# ------------------------------------------------------------------ 2. list: the family's order
def family_issues(ws: Workspace, family: str) -> list[IssueRecord]:
    check_slug(family, "family")
    res = ws.read_issues()
    recs = [r for r in res.issues if r.issue.family == family]
    recs.sort(key=lambda r: (r.issue.priority is None, r.issue.priority or 0, r.issue.opened, r.issue.id))
    return recs


def set_order(ws: Workspace, family: str, ids: list[str], now: list[str] | None = None) -> list[str]:
    """The family's own order: `ids` get priority 1..n, the family's other open issues follow.

    With `now`: those issues are urgent (`now`), the others of `ids` can wait (`later`)."""
    ws.require_worker()
    check_slug(family, "family")
    if not ids:
        raise InputError("err.order_empty")
    wanted = [ws.resolve_id(i).stem for i in ids]
    if len(set(wanted)) != len(wanted):
        raise InputError("err.order_twice")
    urgent = {ws.resolve_id(i).stem for i in (now or [])}
    if urgent - set(wanted):
        raise InputError("err.now_not_in_order", value=", ".join(sorted(urgent - set(wanted))))
    recs = {r.issue.id: r for r in family_issues(ws, family)}
    for i in wanted:
        if i not in recs:
            raise InputError("err.not_family", id=i, family=family)
        _open_issue_guard(recs[i].issue)
    rest = [i for i, r in recs.items() if r.issue.is_open and i not in wanted]
    order = wanted + rest
    paths = []
    for n, issue_id in enumerate(order, 1):
        edit = ws.edit(issue_id, "", commit=False)
        with edit as issue:
            issue.priority = n
            if now is not None and issue_id in wanted:
                issue.urgency = "now" if issue_id in urgent else "later"
            _advance(issue, "list")
        paths.append(edit.result.path)
    ws.commit_paths(paths, "zchuyot list --order: " + ", ".join(order))
    return order


# ------------------------------------------------------------------ 3. collect
@dataclass
class Collected:
    problem: str | None = None
    history: str | None = None
    barrier_kind: str | None = None
    barrier_where: str | None = None
    bodies: list[str] = field(default_factory=list)
    claim_number: str | None = None  # the body's file or claim number (letters print it)

    def empty(self) -> bool:
        return not (self.problem or self.history or self.barrier_kind or self.barrier_where or self.bodies
                    or self.claim_number)


def collect(ws: Workspace, issue_id: str, c: Collected) -> WriteResult:
    from zchuyot.case.views import record

    ws.require_worker()
    if c.empty():
        raise InputError("err.collect_empty")
    history = choice("history", c.history, "history") if c.history else None
    kind = choice("barrier", c.barrier_kind, "barrier.kind") if c.barrier_kind else None
    bodies = [parse_body(b) for b in c.bodies]
    problem = (c.problem or "").strip() or None
    where = (c.barrier_where or "").strip() or None
    edit = ws.edit(issue_id, "zchuyot collect: {id}")
    with edit as issue:
        _open_issue_guard(issue)
        if problem:
            issue.problem = problem
        if (c.claim_number or "").strip():
            issue.claim_number = c.claim_number.strip()  # type: ignore[union-attr]
        if history:
            issue.history = history
        if kind or where:
            old = issue.barrier
            issue.barrier = record("barrier", kind=kind or (old.kind if old else None),
                                   where=where or (old.where if old else None))
        known = {(b.org or "").strip() for b in issue.bodies}
        issue.bodies.extend(record("bodies", **b) for b in bodies if b["org"] not in known)
        _advance(issue, "collect")
    return edit.result


# ------------------------------------------------------------------ 4. plan
@dataclass
class PlannedAction:
    what: str
    who: str
    due: str | None = None
    body: str | None = None
    agreed: bool = False
    person: str | None = None  # the worker the action waits on (her followup shows it)


# who does an action → the role of the department's worker it waits on
ROLE_OF_WHO = {"rights_worker": "rights", "volunteer": "volunteer"}


def waits_on(ws: Workspace, who: str, person: str | None) -> str | None:
    """The worker an action waits on: `person` (a worker the settings list), else the one worker of the
    role `who` names; several of that role and none chosen is an error listing them (the action would
    otherwise wait on nobody's morning screen)."""
    if person:
        return ws.check_worker(person.strip())
    role = ROLE_OF_WHO.get(who)
    if role is None:
        return None
    of_role = ws.workers_of_role(role)
    if len(of_role) == 1:
        return of_role[0]
    if len(of_role) > 1:
        raise InputError("err.person_which", who=choice_label("who", who), options=", ".join(of_role))
    return None


def plan(ws: Workspace, issue_id: str, actions: list[PlannedAction], next_date: str | None = None) -> WriteResult:
    """Add actions to the joint plan (several in parallel are the rule, not the exception)."""
    from zchuyot.case.views import record

    ws.require_worker()
    prepared = []
    for a in actions:
        what = (a.what or "").strip()
        if not what:
            raise InputError("err.action_empty", field="actions.what")
        who = choice("who", a.who, "actions.who") if a.who else None
        if not who:
            raise InputError("err.required", field="actions.who")
        due = dates.parse_date(a.due) if a.due else None
        person = waits_on(ws, who, a.person)
        prepared.append((what, who, person, due, (a.body or "").strip() or None, bool(a.agreed)))
    nxt = future_date(next_date) if next_date else None
    if not prepared and nxt is None:
        raise InputError("err.action_empty", field="actions.what")
    added: list[str] = []
    edit = ws.edit(issue_id, "zchuyot plan: {id}")
    with edit as issue:
        _open_issue_guard(issue)
        n = max((int(a.id) for a in issue.actions if str(a.id).isdigit()), default=0)
        for what, who, person, due, body, agreed in prepared:
            n += 1
            issue.actions.append(record("actions", id=n, what=what, who=who, person=person, due=due, body=body,
                                        agreed=agreed))
            added.append(str(n))
        if nxt is not None:
            issue.next_followup = nxt
        _advance(issue, "followup" if nxt is not None and not prepared else "plan")
    result = edit.result
    if added:
        result.info.append(("ui.planned", {"id": result.id, "actions": ", ".join(added)}))
    if nxt is not None:
        result.info.append(("ui.next_set", {"id": result.id, "date": nxt.strftime("%d/%m/%Y")}))
    return result


# ------------------------------------------------------------------ 6. persist
def persist(ws: Workspace, issue_id: str, *, refusal: str | None = None, escalate: str | None = None,
            appeal: str | None = None, body: str | None = None, date: str | None = None,
            deadline: str | None = None, confirm: Callable[[str, dict[str, str]], bool] | None = None
            ) -> WriteResult:
    """Record a "no", the step to the floor above, or the appeal; a deadline key starts a legal clock.

    A clock whose bodies do not include the refusal's body is asked about (`confirm`, in a terminal: "no"
    records the refusal without the clock) or, without a terminal, started with a warning; a clock that
    already ran out when the refusal is recorded is said at once."""
    from zchuyot.case.views import record

    worker = ws.require_worker()
    given = [(k, v) for k, v in (("refusal", refusal), ("escalation", escalate), ("appeal", appeal)) if v is not None]
    if len(given) != 1:
        raise UsageError("err.persist_one")
    kind, text = given[0]
    text = text.strip()
    if not text:
        raise InputError("err.empty_text", field="log.text")
    org = (body or "").strip() or None
    if kind == "refusal" and not org:
        raise InputError("err.refusal_body", field="log.body")
    if deadline and kind != "refusal":
        raise InputError("err.deadline_needs_refusal", field="deadlines.key")
    when = past_date(date)
    rule = knowledge.find_deadline(deadline_rules(ws), deadline) if deadline else None
    notes: list[tuple[str, dict[str, Any]]] = []
    info: list[tuple[str, dict[str, Any]]] = []
    if rule is not None and not rule.applies_to(org, names(ws)):
        mismatch = {"name": rule.name, "body": org or "", "bodies": ", ".join(rule.bodies)}
        if confirm is not None and not confirm("walk.clock_other_body", mismatch):
            notes.append(("ui.clock_not_started", {"name": rule.name}))
            rule = None
        elif confirm is None:
            notes.append(("warn.clock_other_body", mismatch))
    if rule is not None and rule.due(when) < dates.today():
        notes.append(("warn.clock_already_missed", {"name": rule.name, "due": rule.due(when).strftime("%d/%m/%Y"),
                                                    "date": when.strftime("%d/%m/%Y")}))

    edit = ws.edit(issue_id, "zchuyot persist: {id}")
    with edit as issue:
        _open_issue_guard(issue)
        if kind == "escalation" and not any(e.kind == "refusal" for e in issue.corrected_log):
            notes.append(("ui.no_refusal_before", {}))
        issue.log.append(record("log", date=when, kind=kind, text=text, by=worker, body=org))
        if rule is not None:
            issue.deadlines.append(record("deadlines", key=rule.key, name=rule.name, **{"from": when},
                                          due=rule.due(when)))
            info.append(("ui.clock_started", {"name": rule.name, "due": rule.due(when).strftime("%d/%m/%Y"),
                                               "note": rule.note}))
        _advance(issue, "persist")
    result = edit.result
    result.notes = notes + result.notes
    result.info = info
    return result


# ------------------------------------------------------------------ 8. policy
def flag_policy(ws: Workspace, issue_id: str, note: str) -> WriteResult:
    from zchuyot.case.views import record

    ws.require_worker()
    text = (note or "").strip()
    if not text:
        raise InputError("err.policy_note", field="policy.note")
    edit = ws.edit(issue_id, "zchuyot policy: {id}")
    with edit as issue:
        issue.policy = record("policy", flag=True, note=text)
        _advance(issue, "policy")
    return edit.result


# ------------------------------------------------------------------ what next (for show)
@dataclass
class Suggestion:
    key: str
    params: dict[str, Any]


def suggestions(issue: Any) -> list[Suggestion]:
    """The next rung: a "no" not yet answered, open legal clocks, and the next step's guidance."""
    out: list[Suggestion] = []
    if not issue.is_open:
        return out
    for e in open_refusals(issue):
        body = getattr(e, "body", None)
        out.append(Suggestion("ui.next_rung", {"date": e.date.strftime("%d/%m/%Y"),
                                               "body": f", {body}" if body else "", "id": issue.id}))
    on = dates.today()
    for d in open_clocks(issue):
        key = "ui.missed_clock" if d.due < on else "ui.open_clock"
        out.append(Suggestion(key, {"name": d.name or d.key, "due": d.due.strftime("%d/%m/%Y")}))
    nxt = flow.next_step(issue)
    if nxt:
        out.append(Suggestion("ui.next_step", {"step": f"step.{nxt}", "guide": f"guide.{nxt}",
                                               "command": flow.BY_KEY[nxt].command, "id": issue.id}))
    return out
