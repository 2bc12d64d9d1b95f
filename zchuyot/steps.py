"""The step commands of the practice: listen, list (the family's order), collect, plan, persist, policy.

Each takes plain values (already asked for by the prompts, or given as flags), validates all of
them before anything is written, and writes one step at once — never half a step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zchuyot import dates, flow, knowledge
from zchuyot.core import Intake, choice, open_issue, parse_body, past_date
from zchuyot.errors import InputError
from zchuyot.labels import choice_label, t
from zchuyot.model import FIELD_KEYS
from zchuyot.store import IssueRecord, Workspace, WriteResult, check_slug

if TYPE_CHECKING:
    from zchuyot.schema import Issue


def rights(ws: Workspace) -> list[knowledge.Right]:
    return knowledge.rights_from(ws.template_data("rights.yaml"))


def deadline_rules(ws: Workspace) -> list[knowledge.DeadlineRule]:
    return knowledge.deadlines_from(ws.template_data("deadlines.yaml"))


def _open_issue_guard(issue: Issue) -> None:
    if not issue.is_open:
        raise InputError("err.closed_issue", id=issue.id, status=choice_label("status", issue.status))


def _advance(doc: Any, issue: Issue, step: str) -> None:
    from zchuyot import yamlio

    yamlio.set_key(doc, "step", flow.furthest(issue.step, step), FIELD_KEYS)


# ------------------------------------------------------------------ 1. listen
@dataclass
class ListenResult:
    opened: list[WriteResult] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (right name, existing issue id)


def listen(ws: Workspace, family: str, keys: list[str], needs: dict[str, str] | None = None) -> ListenResult:
    """Open an issue for each right found unexhausted (skipping one the family already has open)."""
    ws.require_worker()
    check_slug(family, "family")
    if not keys:
        raise InputError("err.no_rights")
    catalogue = rights(ws)
    chosen = [knowledge.find_right(catalogue, k) for k in dict.fromkeys(keys)]  # all valid before any write
    existing = {r.issue.right: r.issue.id for r in ws.read_issues().issues
                if r.issue.family == family and r.issue.is_open and r.issue.right}
    out = ListenResult()
    for right in chosen:
        if right.name in existing:
            out.skipped.append((right.name, existing[right.name]))
            continue
        intake = Intake(family=family, subject=right.name, domain=right.domain, right=right.name,
                        need=(needs or {}).get(right.key), source="asked")
        out.opened.append(open_issue(ws, intake, step="listen"))
    return out


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
    from zchuyot import yamlio

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
        def change(doc: Any, issue: Issue, n: int = n, issue_id: str = issue_id) -> None:
            yamlio.set_key(doc, "priority", n, FIELD_KEYS)
            if now is not None and issue_id in wanted:
                yamlio.set_key(doc, "urgency", "now" if issue_id in urgent else "later", FIELD_KEYS)
            _advance(doc, issue, "list")

        paths.append(ws.edit_issue(issue_id, change, "", commit=False).path)
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

    def empty(self) -> bool:
        return not (self.problem or self.history or self.barrier_kind or self.barrier_where or self.bodies)


def collect(ws: Workspace, issue_id: str, c: Collected) -> WriteResult:
    from zchuyot import yamlio

    ws.require_worker()
    if c.empty():
        raise InputError("err.collect_empty")
    history = choice("history", c.history, "--history") if c.history else None
    kind = choice("barrier", c.barrier_kind, "--barrier-kind") if c.barrier_kind else None
    bodies = [parse_body(b) for b in c.bodies]
    problem = (c.problem or "").strip() or None
    where = (c.barrier_where or "").strip() or None

    def change(doc: Any, issue: Issue) -> None:
        _open_issue_guard(issue)
        if problem:
            yamlio.set_key(doc, "problem", problem, FIELD_KEYS)
        if history:
            yamlio.set_key(doc, "history", history, FIELD_KEYS)
        if kind or where:
            old = doc.get("barrier") if isinstance(doc.get("barrier"), dict) else {}
            barrier = {"kind": kind or old.get("kind"), "where": where or old.get("where")}
            yamlio.set_key(doc, "barrier", barrier, FIELD_KEYS)
        known = {(b.org or "").strip() for b in issue.bodies}
        for b in bodies:
            if b["org"] not in known:
                yamlio.append(doc, "bodies", b)
        _advance(doc, issue, "collect")

    return ws.edit_issue(issue_id, change, "zchuyot collect: {id}")


# ------------------------------------------------------------------ 4. plan
@dataclass
class PlannedAction:
    what: str
    who: str
    due: str | None = None
    body: str | None = None
    agreed: bool = False


def plan(ws: Workspace, issue_id: str, actions: list[PlannedAction], next_date: str | None = None) -> WriteResult:
    """Add actions to the joint plan (several in parallel are the rule, not the exception)."""
    from zchuyot import yamlio

    ws.require_worker()
    prepared = []
    for a in actions:
        what = (a.what or "").strip()
        if not what:
            raise InputError("err.action_empty")
        who = choice("who", a.who, "--who") if a.who else None
        if not who:
            raise InputError("err.required", what=t("field.who"), flag="--who")
        due = dates.parse_date(a.due) if a.due else None
        prepared.append((what, who, due, (a.body or "").strip() or None, bool(a.agreed)))
    nxt = dates.parse_date(next_date) if next_date else None
    if not prepared and nxt is None:
        raise InputError("err.action_empty")
    added: list[str] = []

    def change(doc: Any, issue: Issue) -> None:
        _open_issue_guard(issue)
        numbers = [int(a.id) for a in issue.actions if str(a.id).isdigit()]
        n = max(numbers, default=0)
        for what, who, due, body, agreed in prepared:
            n += 1
            action: dict[str, Any] = {"id": n, "what": what, "who": who, "due": due, "body": body,
                                      "agreed": agreed, "done": None}
            yamlio.append(doc, "actions", action)
            added.append(str(n))
        if nxt is not None:
            yamlio.set_key(doc, "next_followup", nxt, FIELD_KEYS)
        _advance(doc, issue, "followup" if nxt is not None and not prepared else "plan")

    result = ws.edit_issue(issue_id, change, "zchuyot plan: {id}")
    if added:
        result.info.append(("ui.planned", {"id": result.id, "actions": ", ".join(added)}))
    return result


# ------------------------------------------------------------------ 6. persist
def persist(ws: Workspace, issue_id: str, *, refusal: str | None = None, escalate: str | None = None,
            appeal: str | None = None, body: str | None = None, date: str | None = None,
            deadline: str | None = None) -> WriteResult:
    """Record a "no", the step to the floor above, or the appeal; a deadline key starts a legal clock."""
    from zchuyot import yamlio

    worker = ws.require_worker()
    given = [(k, v) for k, v in (("refusal", refusal), ("escalation", escalate), ("appeal", appeal)) if v is not None]
    if len(given) != 1:
        raise InputError("err.persist_one")
    kind, text = given[0]
    text = text.strip()
    if not text:
        raise InputError("err.empty_text")
    org = (body or "").strip() or None
    if kind == "refusal" and not org:
        raise InputError("err.refusal_body")
    if deadline and kind != "refusal":
        raise InputError("err.deadline_needs_refusal")
    when = past_date(date)
    rule = knowledge.find_deadline(deadline_rules(ws), deadline) if deadline else None
    notes: list[tuple[str, dict[str, Any]]] = []
    info: list[tuple[str, dict[str, Any]]] = []

    def change(doc: Any, issue: Issue) -> None:
        _open_issue_guard(issue)
        entry: dict[str, Any] = {"date": when, "kind": kind, "text": text, "by": worker}
        if org:
            entry["body"] = org
        if kind == "escalation" and not any(e.kind == "refusal" for e in issue.log):
            notes.append(("ui.no_refusal_before", {}))
        yamlio.append(doc, "log", entry)
        if rule is not None:
            yamlio.append(doc, "deadlines", {"key": rule.key, "name": rule.name, "from": when, "due": rule.due(when)})
            info.append(("ui.clock_started", {"name": rule.name, "due": rule.due(when).strftime("%d/%m/%Y"),
                                               "note": rule.note}))
        _advance(doc, issue, "persist")

    result = ws.edit_issue(issue_id, change, "zchuyot persist: {id}")
    result.notes = notes + result.notes
    result.info = info
    return result


# ------------------------------------------------------------------ 8. policy
def flag_policy(ws: Workspace, issue_id: str, note: str) -> WriteResult:
    from zchuyot import yamlio

    ws.require_worker()
    text = (note or "").strip()
    if not text:
        raise InputError("err.policy_note")

    def change(doc: Any, issue: Issue) -> None:
        yamlio.set_key(doc, "policy", {"flag": True, "note": text}, FIELD_KEYS)
        _advance(doc, issue, "policy")

    return ws.edit_issue(issue_id, change, "zchuyot policy: {id}")


def flagged(ws: Workspace) -> list[IssueRecord]:
    """Every issue flagged for policy practice, across all workers."""
    return [r for r in ws.read_issues().issues if r.issue.policy and r.issue.policy.flag]


# ------------------------------------------------------------------ what next (for show)
@dataclass
class Suggestion:
    key: str
    params: dict[str, Any]


def suggestions(issue: Issue) -> list[Suggestion]:
    """The next rung: a "no" not yet answered, open legal clocks, and the next step's guidance."""
    out: list[Suggestion] = []
    if not issue.is_open:
        return out
    for e in flow.open_refusals(issue):
        body = getattr(e, "body", None)
        out.append(Suggestion("ui.next_rung", {"date": e.date.strftime("%d/%m/%Y"),
                                               "body": f", {body}" if body else "", "id": issue.id}))
    for d in flow.open_clocks(issue):
        out.append(Suggestion("ui.open_clock", {"name": d.name or d.key, "due": d.due.strftime("%d/%m/%Y")}))
    nxt = flow.next_step(issue)
    if nxt:
        out.append(Suggestion("ui.next_step", {"step": f"step.{nxt}", "guide": f"guide.{nxt}",
                                               "command": flow.BY_KEY[nxt].command, "id": issue.id}))
    return out
