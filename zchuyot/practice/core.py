"""The case operations: intake, family record, documenting, closing, listing, checking.

Each function takes plain arguments, returns data, and raises `ZError`s. It never prints.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zchuyot import flow
from zchuyot.calendar import dates
from zchuyot.case import form
from zchuyot.case.file import (
    CASES,
    FAMILY_FILE,
    IssueRecord,
    ReadResult,
    WriteResult,
    load_family,
)
from zchuyot.case.form import PERSIST_KINDS, normalize_phone, valid_israeli_id
from zchuyot.case.validate import Problem
from zchuyot.case.values import choice, parse_amount  # (defined with the form; used by every step)
from zchuyot.errors import DataError, InputError, UsageError
from zchuyot.text.labels import choice_label, t
from zchuyot.workspace.store import Workspace, check_slug


# ------------------------------------------------------------------ input helpers
def text_required(value: str | None, field: str) -> str:
    v = (value or "").strip()
    if not v:
        raise InputError("err.required", field=field)
    return v


def parse_body(spec: str) -> dict[str, str]:
    """`org|contact|details` (contact and details may be empty)."""
    parts = [p.strip() for p in spec.split("|")]
    if not parts[0] or len(parts) > 3:
        raise InputError("err.bad_body", value=spec)
    parts += [""] * (3 - len(parts))
    return {"org": parts[0], "contact": parts[1] or None, "details": parts[2] or None}


def past_date(text: str | None, base: dt.date | None = None) -> dt.date:
    """A date that must not be after today (a log entry, an opening date)."""
    today = base or dates.today()
    d = dates.parse_date(text or "today", today)
    if d > today:
        raise InputError("err.future_date", field="log.date", value=d.isoformat())
    return d


def future_date(text: str, base: dt.date | None = None) -> dt.date:
    """A date that must not be before today (the next follow-up): `--next -3` is a typing slip."""
    today = base or dates.today()
    d = dates.parse_date(text, today)
    if d < today:
        raise InputError("err.past_next", field="next_followup", value=d.strftime("%d/%m/%Y"))
    return d


# ------------------------------------------------------------------ intake
# what `zchuyot new` asks for (from flags or the prompts): the form's fields of the intake, by key
INTAKE: tuple[str, ...] = ("family", "subject", "domain", "domain_other", "description", "bodies", "opened",
                           "need", "right", "source", "priority", "urgency")


def missing_for_new(intake: dict[str, Any]) -> list[str]:
    """The fields still missing before an issue can be opened: the required ones, then what a rule of
    the form asks for given the others (a domain "other" needs domain_other)."""
    out = [k for k in ("family", "subject", "domain") if not str(intake.get(k) or "").strip()]
    if not out:
        probe = {**{f.attr: None for f in form.ISSUE}, "status": "open",
                 "domain": _maybe_choice("domain", intake.get("domain")), "domain_other": intake.get("domain_other")}
        out += [r.field for r in form.broken_rules(_Probe(probe))]
    return out


class _Probe:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _maybe_choice(vocab: str, value: Any) -> Any:
    try:
        return choice(vocab, value, vocab)
    except InputError:
        return value


def open_issue(ws: Workspace, intake: dict[str, Any], step: str = "list") -> WriteResult:
    worker = ws.require_worker()
    family = check_slug(str(intake.get("family") or "").strip(), "family")
    subject = text_required(intake.get("subject"), "subject")
    domain = choice("domain", text_required(intake.get("domain"), "domain"), "domain")
    domain_other = str(intake.get("domain_other") or "").strip() or None
    if intake.get("priority") is not None and intake["priority"] < 1:
        raise InputError("err.bad_priority", field="priority")
    values: dict[str, Any] = {
        "opened": past_date(intake.get("opened")),
        "subject": subject,
        "worker": ws.worker_info(worker),
        "domain": domain,
        "domain_other": domain_other if domain == "other" else None,
        "description": str(intake.get("description") or "").strip() or None,
        "bodies": [parse_body(b) for b in intake.get("bodies") or []],
        "need": str(intake.get("need") or "").strip() or None,
        "right": str(intake.get("right") or "").strip() or None,
        "source": choice("source", intake["source"], "source") if intake.get("source") else None,
        "priority": intake.get("priority"),
        "urgency": choice("urgency", intake["urgency"], "urgency") if intake.get("urgency") else None,
        "step": step,
        "status": "open",
    }
    if domain == "other" and not domain_other:
        raise InputError("err.domain_other", field="domain_other")
    known = ws.family_known(family)
    result = ws.create_issue(worker, family, values, "zchuyot new: {id}")
    if not known:  # a typo (f999 for f099) would open an orphan issue without a word
        result.notes.append(unknown_family_note(family, ws.known_families()))
    return result


def unknown_family_note(family: str, known: list[str]) -> tuple[str, dict[str, Any]]:
    """The warning for a family code with no record: what to do, and the nearest known codes."""
    import difflib

    near = difflib.get_close_matches(family, known, n=3, cutoff=0.5)
    if near:
        return ("ui.family_unknown_near", {"family": family, "near": ", ".join(near)})
    return ("ui.family_unknown", {"family": family})


# ------------------------------------------------------------------ the department's workers
def add_worker(ws: Workspace, worker: str, name: str | None, role: str | None, admin: bool = False) -> WriteResult:
    """A worker added to the department's roster by an admin, committed; sync sends it. In a department that
    signs she is pending until an admin approves the keys she publishes when she joins."""
    from zchuyot.workspace import members

    r = choice("role", role, "role") if role else None
    return members.add_member(ws, worker, (name or "").strip() or None, r, admin)


def workers(ws: Workspace) -> list[tuple[str, str, str]]:
    """(code, name, role) of the department's workers, as the settings list them."""
    listed = ws.settings.get("workers")
    if not isinstance(listed, dict):
        return []
    return [(str(k), str((v or {}).get("name") or k), str((v or {}).get("role") or "family"))
            for k, v in listed.items()]


# ------------------------------------------------------------------ family record
def add_family(ws: Workspace, family: str, name: str | None, phone: str | None, id_number: str | None,
               gender: str | None = None, address: str | None = None, must_exist: bool = False,
               members: list[Member] | None = None) -> WriteResult:
    """Create or update the family record: the client's name, phone, ID number, gender, the address — and
    household members to add (`family add` in a terminal: all of it in one commit)."""
    worker = ws.require_worker()
    check_slug(family, "family")
    if must_exist and not ws.family_known(family):
        raise InputError("err.unknown_family", value=family)
    if phone is not None and phone.strip() and normalize_phone(phone) is None:
        raise InputError("err.bad_phone", field="phone")
    if id_number is not None and id_number.strip() and not valid_israeli_id(id_number.strip()):
        raise InputError("err.bad_id_number", field="id_number")
    values = {
        "name": name.strip() if name and name.strip() else None,
        "phone": phone.strip() if phone and phone.strip() else None,
        "id_number": id_number.strip() if id_number and id_number.strip() else None,
        "gender": choice("gender", gender, "gender") if gender else None,
        "address": address.strip() if address and address.strip() else None,
    }
    from zchuyot.workspace import keys

    if not members:
        return ws.write_family(family, worker, values, sealer=keys.family_sealer(ws, family))
    typed = [m.values() for m in members]

    def with_members(data: dict[str, Any]) -> dict[str, Any]:
        opened = keys.unseal(ws, family, data, "family add") if data.get("sealed") else data
        now = [dict(m) for m in opened.get("members") or []]
        first = max((int(x.get("n") or 0) for x in now), default=0) + 1
        return {**values, "members": now + [{"n": first + k, **m} for k, m in enumerate(typed)]}

    return ws.write_family(family, worker, with_members, sealer=keys.family_sealer(ws, family))


def take_personal(ws: Workspace, family: str, moved: list[Any]) -> WriteResult:
    """Personal data taken out of an issue's text into the family record, where it is protected: a phone or
    an ID number into its field when the record has none, anything else added to the record's notes."""
    from zchuyot.workspace import keys

    worker = ws.require_worker()

    def values(data: dict[str, Any]) -> dict[str, Any]:
        opened = keys.unseal(ws, family, data, "family add") if data.get("sealed") else data
        out: dict[str, Any] = {}
        notes = [opened.get("notes") or ""]
        for x in moved:
            value = form.ascii_digits(x.value.strip())
            if x.kind == "phone" and not opened.get("phone") and "phone" not in out and normalize_phone(value):
                out["phone"] = value
            elif x.kind == "id" and not opened.get("id_number") and "id_number" not in out and \
                    valid_israeli_id(re.sub(r"\D", "", value)):
                out["id_number"] = re.sub(r"\D", "", value)
            else:
                notes.append(f"{t('pii.kind.' + x.kind, 'he')}: {x.value.strip()}")
        if len(notes) > 1:
            out["notes"] = "\n".join(n for n in notes if n)
        return out

    return ws.write_family(family, worker, values, message="zchuyot family: personal data moved from an issue",
                           sealer=keys.family_sealer(ws, family))


@dataclass
class Member:
    """A household member as a command gives it (every value as typed; checked by the form)."""

    relation: str | None = None
    born: str | None = None
    gender: str | None = None
    name: str | None = None
    id_number: str | None = None
    disability: str | None = None
    receives: list[str] | None = None

    def values(self) -> dict[str, Any]:
        """The given values, typed: a vocabulary's key from its name, numbers as numbers."""
        out: dict[str, Any] = {}
        if self.relation is not None:
            out["relation"] = choice("relation", self.relation, "members.relation")
        if self.gender is not None:
            out["gender"] = choice("gender", self.gender, "members.gender")
        for key in ("born", "disability"):
            v = getattr(self, key)
            if v is not None:
                digits = form.ascii_digits(str(v)).strip().rstrip("%")
                check = form.CHECKS["birth_year" if key == "born" else "percent"]
                if not digits.isdigit() or not check[0](int(digits)):
                    raise InputError("err.bad_value", field=f"members.{key}", value=str(v), why=t(f"why.{check[1]}"))
                out[key] = int(digits)
        for key in ("name", "id_number"):
            v = getattr(self, key)
            if v is not None:
                out[key] = v.strip() or None
        if out.get("id_number") and not valid_israeli_id(out["id_number"]):
            raise InputError("err.bad_id_number", field="members.id_number")
        if self.receives is not None:
            out["receives"] = [x.strip() for x in self.receives if x.strip()]
        return out


def _members_change(ws: Workspace, family: str, change: Any, command: str) -> WriteResult:
    """The household changed under the family's lock: `change(members)` on the members as they are (opened
    for a recipient when the record is sealed), the record written — and sealed — again."""
    from zchuyot.workspace import keys

    worker = ws.require_worker()
    check_slug(family, "family")
    if not ws.family_known(family):
        raise InputError("err.unknown_family", value=family)

    def values(data: dict[str, Any]) -> dict[str, Any]:
        opened = keys.unseal(ws, family, data, command) if data.get("sealed") else data
        members = [dict(m) for m in opened.get("members") or []]
        return {"members": change(members)}

    return ws.write_family(family, worker, values, message=f"zchuyot {command}: household",
                           sealer=keys.family_sealer(ws, family))


def member_add(ws: Workspace, family: str, m: Member) -> WriteResult:
    values = m.values()
    if "relation" not in values:
        raise InputError("err.required", field="members.relation")
    added: list[int] = []

    def change(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
        n = max((int(x.get("n") or 0) for x in members), default=0) + 1
        added.append(n)
        return [*members, {"n": n, **values}]

    result = _members_change(ws, family, change, "family member add")
    result.info.append(("ui.member_added", {"family": family, "n": str(added[0])}))
    return result


def _member_at(members: list[dict[str, Any]], n: int) -> int:
    for k, x in enumerate(members):
        if int(x.get("n") or 0) == n:
            return k
    raise InputError("err.unknown_member", value=str(n),
                     options=", ".join(str(x.get("n")) for x in members) or t("ui.none"))


def member_edit(ws: Workspace, family: str, n: int, m: Member) -> WriteResult:
    values = m.values()
    if not values:
        raise UsageError("err.member_nothing")

    def change(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
        k = _member_at(members, n)
        members[k] = {**members[k], **values}
        return members

    result = _members_change(ws, family, change, "family member edit")
    result.info.append(("ui.member_edited", {"family": family, "n": str(n)}))
    return result


def member_remove(ws: Workspace, family: str, n: int) -> WriteResult:
    def change(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
        del members[_member_at(members, n)]
        return members

    result = _members_change(ws, family, change, "family member remove")
    result.info.append(("ui.member_removed", {"family": family, "n": str(n)}))
    return result


def get_family(ws: Workspace, family: str, command: str = "family show") -> Any:
    """The family's record, its sealed fields opened for a recipient (one clear line for anyone else)."""
    from zchuyot.workspace import keys

    check_slug(family, "family")
    fam = ws.read_family(family)
    if fam is None or not getattr(fam, "sealed", None):
        return fam
    from zchuyot.case.schema import Family

    opened = keys.unseal(ws, family, fam.model_dump(), command)
    return Family.model_validate({**opened, "sealed": None})


# ------------------------------------------------------------------ documenting (treat)
def treat(ws: Workspace, issue_id: str, text: str, kind: str | None = None, date: str | None = None,
          done: str | None = None, next_date: str | None = None, org: str | None = None,
          meeting: str | None = None) -> WriteResult:
    """Step 5: an action logged. An accompaniment says where it went (`org`, the body; `meeting`, the kind of
    meeting) so the report counts accompaniments to offices apart from those to medical committees."""
    from zchuyot.case.views import record

    worker = ws.require_worker()
    body = (text or "").strip()
    if not body:
        raise InputError("err.empty_text", field="log.text")
    k = choice("kind", kind, "log.kind") if kind else ("accompaniment" if meeting else "note")
    where = choice("meeting", meeting, "log.meeting") if meeting else None
    if where and k != "accompaniment":
        raise InputError("err.meeting_not_accompaniment", field="log.meeting")
    org = (org or "").strip() or None
    if org:
        from zchuyot.practice.directory import names

        org = names(ws).canonical(org)
    when = past_date(date)
    nxt = future_date(next_date) if next_date else None
    notes: list[tuple[str, dict[str, Any]]] = []
    edit = ws.edit(issue_id, "zchuyot treat: {id}")
    with edit as issue:
        entry = record("log", date=when, kind=k, text=body, by=worker, body=org, meeting=where)
        if done is not None:
            ids = [str(a.id) for a in issue.actions]
            if str(done) not in ids:
                raise InputError("err.unknown_action", field="log.action", value=done,
                                 options=", ".join(ids) or t("ui.none"))
            action = issue.actions[ids.index(str(done))]
            if action.cancelled is not None:
                raise InputError("err.action_cancelled", field="log.action", value=done,
                                 date=action.cancelled.strftime("%d/%m/%Y"))
            if action.done is not None:
                raise InputError("err.action_done", field="log.action", value=done,
                                 date=action.done.strftime("%d/%m/%Y"))
            action.done = when
            entry.action = action.id
        issue.log.append(entry)
        step = "persist" if k in PERSIST_KINDS else "treat"
        if nxt is not None:
            issue.next_followup = nxt
            step = flow.furthest(step, "followup")
        issue.step = flow.furthest(issue.step, step)
        if not issue.is_open:
            notes.append(("ui.closed_issue_note", {"id": issue.id}))
    edit.result.notes = notes + edit.result.notes
    return edit.result


# ------------------------------------------------------------------ closing
def close(ws: Workspace, issue_id: str, *, ended: bool = False, stopped: str | None = None,
          referred: str | None = None, insights: str | None = None, benefit: str | None = None,
          amount: str | None = None, period: str | None = None, kind: str | None = None,
          date: str | None = None) -> WriteResult:
    from zchuyot.case.views import record

    worker = ws.require_worker()
    chosen = [x for x in (ended or None, stopped, referred) if x is not None]
    if len(chosen) != 1:
        raise UsageError("err.close_one")
    if stopped is not None and not stopped.strip():
        raise InputError("err.stopped_reason", field="status_reason")
    if referred is not None and not referred.strip():
        raise InputError("err.referred_to", field="status_reason")
    status = "ended" if ended else "stopped" if stopped is not None else "referred"
    reason = (stopped or referred or "").strip() or None
    when = past_date(date)
    outcome: dict[str, Any] | None = None
    given = [x for x in (benefit, amount, period, kind) if x not in (None, "")]
    if given:
        if len(given) != 4 or not (benefit or "").strip():
            raise InputError("err.outcome_partial", field="outcome")
        from zchuyot.practice import knowledge

        won = knowledge.match_right(knowledge.rights_from(ws.template_data("rights.yaml")), benefit or "")
        outcome = {
            "benefit": won.name if won else benefit.strip(),  # type: ignore[union-attr]
            "right": won.key if won else None,
            "kind": choice("outcome_kind", kind, "outcome.kind"),
            "amount": parse_amount(amount),  # type: ignore[arg-type]
            "period": choice("period", period, "outcome.period"),
            "from": when,
        }
    edit = ws.edit(issue_id, "zchuyot close: {id}")
    with edit as issue:
        if not issue.is_open:
            raise InputError("err.already_closed", id=issue.id, status=choice_label("status", issue.status))
        issue.status_reason = reason
        issue.status = status
        issue.closed = when
        if insights and insights.strip():
            issue.insights = insights.strip()
        if outcome:
            issue.outcome = record("outcome", **outcome)
        text = t(f"status.{status}", "he") + (f": {reason}" if reason else "")
        issue.log.append(record("log", date=when, kind="note", text=text, by=worker))
    return edit.result


def reopen(ws: Workspace, issue_id: str, why: str | None, date: str | None = None) -> WriteResult:
    """A closed issue opened again (a benefit cancelled, a decision reversed): a dated log entry keeps how it
    was closed — status, reason, what was won — and the outcome stays with the date it was lost from, so
    the year's figures count it only while it held. It comes up in followup from that day."""
    from zchuyot.case.views import record

    worker = ws.require_worker()
    text = (why or "").strip()
    if not text:
        raise InputError("err.reopen_why", field="log.text")
    when = past_date(date)
    edit = ws.edit(issue_id, "zchuyot reopen: {id}")
    with edit as issue:
        if issue.is_open:
            raise InputError("err.not_closed", id=issue.id)
        o = issue.outcome
        won = ""
        if o is not None and o.benefit:
            won = f"; {o.benefit} ₪{float(o.amount or 0):,.0f}" + (
                f" {t('period.' + o.period, 'he')}" if o.period else "")
            if o.until is None:
                o.until = when
        was = t("ui.was_closed", "he", why=text, status=t(f"status.{issue.status}", "he"),
                reason=f": {issue.status_reason}" if issue.status_reason else "", outcome=won)
        issue.log.append(record("log", date=when, kind="reopen", text=was, by=worker))
        issue.status, issue.status_reason, issue.closed = "open", None, None
        if issue.next_followup is None or issue.next_followup < dates.today():
            issue.next_followup = dates.today()
    edit.result.info.append(("ui.reopened", {"id": edit.result.id}))
    return edit.result


def amend(ws: Workspace, issue_id: str, path: str, value: str | None, *, why: str | None = None,
          cancel: bool = False, mistaken: bool = False) -> WriteResult:
    """Amend a recorded field (`outcome.amount`, `actions.2.due`, `referrals.1.ask`, `status_reason`…), cancel
    a plan action (`actions.N`, `cancel`), or mark a closing's outcome a mistake (`outcome`, `mistaken`: it
    never counted). The field takes the new value — every screen, report and the cache read it — and an
    `amendment` entry in the log names the field and keeps what it held (the file and git keep the original)."""
    from zchuyot.case import amend as am
    from zchuyot.case.views import record

    worker = ws.require_worker()
    reason = f" ({why.strip()})" if why and why.strip() else ""
    today = dates.today()
    edit = ws.edit(issue_id, "zchuyot amend: {id}")
    with edit as issue:
        tg = am.target(issue, path)
        f, where = tg.field, am.label(tg.path)
        if cancel or mistaken:
            if cancel and not (f.key == "actions" and tg.holder is not issue):
                raise UsageError("err.amend_cancel_action")
            if mistaken and not (f.key == "outcome" and tg.holder is issue):
                raise UsageError("err.amend_mistaken")
            if value not in (None, ""):
                raise UsageError("usage.extra", what=value, command="zchuyot amend")
        if cancel:
            action = tg.holder
            if action.done is not None:
                raise InputError("err.action_done", field="log.action", value=str(action.id),
                                 date=action.done.strftime("%d/%m/%Y"))
            if action.cancelled is not None:
                raise InputError("err.action_cancelled", value=str(action.id),
                                 date=action.cancelled.strftime("%d/%m/%Y"))
            action.cancelled = today
            was, text = action.what, t("ui.amended_cancel", "he", n=str(action.id), what=action.what, why=reason)
        elif mistaken:
            if issue.outcome is None or not issue.outcome.benefit:
                raise InputError("err.amend_empty_map", value=path, field_name=where)
            was = am.shown(issue.outcome)
            text = t("ui.amended_mistaken", "he", was=issue.outcome.benefit, why=reason)
            issue.outcome = None
        else:
            if f.kind in ("list", "map"):
                raise InputError("err.amend_field", value=path, options=", ".join(am.amendable()))
            if value is None:
                raise UsageError("err.amend_value_needed", name=path)
            new = past_date(value) if f.kind == "date" and f.past and value.strip() else am.parse(f, value, today)
            old = getattr(tg.holder, f.attr)
            if new == old:
                raise InputError("err.amend_same", name=where, value=am.shown(old))
            if tg.path == "outcome.benefit" and new:  # a right of the checklist: named, and counted by its key
                from zchuyot.practice import knowledge

                won = knowledge.match_right(knowledge.rights_from(ws.template_data("rights.yaml")), new)
                new = won.name if won else new
                tg.holder.right = won.key if won else None
                if new == old:
                    old = None  # the same words, now the checklist's right: said as an amendment still
            setattr(tg.holder, f.attr, new)  # checked by the form (a required field is never emptied)
            was = am.shown(old)
            text = t("ui.amended", "he", field=where, was=was, now=am.shown(new), why=reason)
        issue.log.append(record("log", date=today, kind="amendment", text=text, by=worker, amends=tg.path,
                                was=was))
    edit.result.info.append(("ui.amend_done", {"id": edit.result.id, "field": where}))
    return edit.result


def correct(ws: Workspace, issue_id: str, n: int, *, text: str | None = None, date: str | None = None,
            kind: str | None = None) -> WriteResult:
    """A log entry corrected without touching it: a `correction` entry names it (its place N and the text
    it had) and gives the new text, date or kind; every display, report and followup reads the corrected
    values (rules.corrected), while the file and git keep the original — the audit trail stays whole."""
    from zchuyot.case.rules import ADMIN_KINDS
    from zchuyot.case.views import record

    worker = ws.require_worker()
    if text is None and date is None and kind is None:
        raise UsageError("err.correct_what")
    new_text = None if text is None else text.strip()
    if new_text == "":
        raise InputError("err.empty_text", field="log.text")
    new_date = past_date(date) if date is not None else None
    new_kind = choice("kind", kind, "log.kind") if kind is not None else None
    if new_kind in ADMIN_KINDS or new_kind == "reopen":
        raise InputError("err.correct_kind", value=kind)
    edit = ws.edit(issue_id, "zchuyot correct: {id}")
    with edit as issue:
        size = len(issue.log)
        if not 1 <= n <= size or issue.log[n - 1].kind in ADMIN_KINDS:
            raise InputError("err.correct_n", field="log", value=str(n), size=size)
        old = issue.log[n - 1]
        parts = [t("field.date", "he") + ": " + new_date.strftime("%d/%m/%Y") if new_date else "",
                 t("field.kind", "he") + ": " + t(f"kind.{new_kind}", "he") if new_kind else "",
                 t("field.text", "he") + ": " + new_text if new_text else ""]
        summary = t("ui.correction_text", "he", n=n, what="; ".join(p for p in parts if p))
        issue.log.append(record("log", date=dates.today(), kind="correction", text=summary, by=worker, corrects=n,
                                was=old.text, fix_date=new_date, fix_kind=new_kind, fix_text=new_text))
    edit.result.info.append(("ui.corrected", {"id": edit.result.id, "n": n}))
    return edit.result


# ------------------------------------------------------------------ reading
@dataclass
class Found:
    """An issue a search found, with the lines (field, text) that hold what was typed."""
    id: str
    family: str
    worker: str
    subject: str
    status: str
    lines: list[tuple[str, str]]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "family": self.family, "worker": self.worker, "subject": self.subject,
                "status": self.status, "matches": [{"field": f, "text": x} for f, x in self.lines]}


def search_issues(ws: Workspace, text: str | None, *, all_workers: bool = False, status: str | None = None,
                  insights: bool = False) -> tuple[list[Found], list[Problem]]:
    """The issues whose texts hold every word typed (Hebrew-aware: case/search.py), from the index cache.
    `insights`: the department's knowledge — the insights of closed issues, every worker's."""
    from zchuyot.case.search import Query

    query = Query.of(text or "")
    if not query.terms and not insights:
        raise UsageError("err.search_empty")
    st = choice("status", status, "status") if status else None
    scope = None if (all_workers or insights or not ws.worker) else ws.worker
    errors: list[Problem] = []
    if ws.use_cache:
        rows: Any = ws.cache().search(query, scope, errors)
    else:
        res = ws.read_issues(scope, with_data=True)
        errors = res.errors
        rows = ((r.worker_dir, r.data, None) for r in res.issues)
    found = []
    for worker, d, normalised in rows:
        if st is not None and d.get("status") != st:
            continue
        if insights and (d.get("status") in (None, "open") or not d.get("insights")):
            continue
        lines = query.matches(d, only="insights" if insights else None, normalised=normalised)
        if lines:
            found.append(Found(str(d.get("id")), str(d.get("family")), worker, str(d.get("subject") or ""),
                               str(d.get("status") or "open"), lines))
    found.sort(key=lambda f: (f.status != "open", f.worker, f.family, f.id))
    return found, errors


def list_issues(ws: Workspace, *, family: str | None = None, status: str | None = None,
                domain: str | None = None, all_workers: bool = False, with_data: bool = False) -> ReadResult:
    if family:
        check_slug(family, "family")
    st = choice("status", status, "status") if status else None
    dm = choice("domain", domain, "domain") if domain else None
    scope = None if (all_workers or not ws.worker) else ws.worker
    res = ws.read_issues(scope, with_data=with_data)
    keep = [r for r in res.issues
            if (family is None or r.issue.family == family)
            and (st is None or r.issue.status == st)
            and (dm is None or r.issue.domain == dm)]
    if family:
        keep.sort(key=lambda r: (r.issue.priority is None, r.issue.priority or 0, r.issue.opened, r.issue.id))
    else:
        keep.sort(key=lambda r: (r.worker_dir, r.issue.family, r.issue.priority is None, r.issue.priority or 0,
                                 r.issue.opened, r.issue.id))
    return ReadResult(keep, res.errors, res.warnings)


def show_issue(ws: Workspace, issue_id: str) -> IssueRecord:
    """One issue for reading: from the cache's fresh row when it has one (no pydantic)."""
    return ws.get_issue(issue_id, typed=False)


# ------------------------------------------------------------------ check
@dataclass
class CheckResult:
    files: int
    errors: list[Problem]
    warnings: list[Problem]


# the files zchuyot itself writes in a family's folder besides its YAML: its letters (.docx, .pdf, sealed .age)
# and the documents attached to its issues
_OURS = re.compile(r"^(?:letters/[^/]+\.(?:docx|pdf)|documents/[^/]+)(?:\.age)?$")


def written_by_zchuyot(rel: str, depth: int) -> bool:
    """Whether `rel` (cases/W/F/…) is a file zchuyot writes in a family's folder — never "unexpected"."""
    parts = rel.split("/")
    return depth == 4 and len(parts) >= 5 and bool(_OURS.match("/".join(parts[-2:])))


def _walk_cases(ws: Workspace) -> Iterator[tuple[str, int, int]]:
    """(workspace-relative path, depth under cases/, mode without following links) of everything under
    cases/, in sorted path order — one lstat each, links never followed."""
    base = ws.rel(ws.cases)

    def walk(folder: str, rel: str, depth: int) -> Iterator[tuple[str, int, int]]:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for e in entries:
            try:
                mode = e.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            path = f"{rel}/{e.name}"
            yield path, depth, mode
            if stat.S_ISDIR(mode):
                yield from walk(e.path, path, depth + 1)

    yield from walk(str(ws.cases), base, 1)


def benefits_not_rights(ws: Workspace, benefits: dict[str, str]) -> list[Problem]:
    """What was won written in words that are near a right of the checklist: counted by right only under its
    key, so `check` suggests it (`zchuyot amend ID outcome.benefit KEY`)."""
    from zchuyot.practice import knowledge

    catalogue = knowledge.rights_from(ws.template_data("rights.yaml"))
    names = {r.name: r.key for r in catalogue}
    out = []
    for benefit, rel in benefits.items():
        near = difflib.get_close_matches(benefit, list(names), n=1, cutoff=0.6)
        if near:
            out.append(Problem(rel, _line_with(ws.root / rel, benefit), "err.file.benefit_not_right",
                               {"benefit": benefit, "name": near[0], "key": names[near[0]]}, "fix.benefit_not_right",
                               "warning"))
    return out


def unknown_bodies(ws: Workspace, orgs: dict[str, str]) -> list[Problem]:
    """A warning for each body name the issues use that the directory does not know — a new body to add,
    or a typo of a known one (did you mean…?): one body must count once in policy and the report."""
    from zchuyot.practice import directory

    try:
        known = directory.bodies(ws)
    except DataError:
        return []  # a directory file that does not read is an error of its own (check_file)
    names = directory.names(ws)
    out = []
    for org, rel in sorted(orgs.items()):
        if names.known(org) is None:
            near = directory.near_body(known, org)
            out.append(Problem(rel, _line_with(ws.root / rel, org), "err.file.unknown_body",
                               {"value": org, "near": near}, "fix.unknown_body_near" if near else "fix.unknown_body",
                               "warning"))
    return out


def _line_with(path: Path, text: str) -> int:
    """The first line of a file that holds `text` (1 when none does)."""
    from zchuyot.case.file import read_text

    try:
        return next((n for n, ln in enumerate(read_text(path).splitlines(), 1) if text in ln and
                     not ln.lstrip().startswith("#")), 1)
    except (OSError, DataError):
        return 1


def hand_edited_entries(ws: Workspace) -> list[Problem]:
    """A warning for each log entry changed in its file since the last commit (the log is append-only:
    `zchuyot correct` is how an entry is changed, keeping what it said) — at the entry's line."""
    from zchuyot.case import yamlfast
    from zchuyot.case.file import read_text
    from zchuyot.case.yamlfast import line_of
    from zchuyot.workspace import gitio
    from zchuyot.workspace.merge import edited_entries

    if not gitio.available() or not gitio.is_repo(ws.root):
        return []
    changed = gitio.run(ws.root, "diff", "--name-only", "HEAD", "--", CASES, check=False)
    out = []
    for rel in changed.stdout.splitlines() if changed.returncode == 0 else []:
        if not rel.endswith(".yaml") or rel.endswith("/" + FAMILY_FILE):
            continue
        before = gitio.run(ws.root, "show", f"HEAD:{rel}", check=False)
        try:
            base = yamlfast.load(before.stdout)[0] if before.returncode == 0 else None
            now, lines = yamlfast.load(read_text(ws.root / rel))
        except (DataError, OSError):
            continue  # a file that does not read is already an error of its own
        if not isinstance(base, dict) or not isinstance(now, dict):
            continue
        issue_id = str(now.get("id") or Path(rel).stem)
        for n, was, _ in edited_entries(base, now):
            out.append(Problem(rel, line_of(lines, ("log", n)), "err.file.entry_edited",
                               {"n": n + 1, "was": str(was.get("text") or "")[:80], "id": issue_id},
                               "fix.entry_edited", "warning"))
    return out


def check(ws: Workspace) -> CheckResult:
    """Every file of the workspace: issues, family records, stray files. Nothing is skipped."""
    from zchuyot.workspace.privacy import retention_due

    errors: list[Problem] = []
    warnings: list[Problem] = []
    seen_ids: dict[str, str] = {}
    good: list[tuple[str, str]] = []  # (file, id): one issue at a time, never every issue in memory
    kept: list[tuple[str, bool, dt.date]] = []  # (family, open, last activity), for retention
    orgs: dict[str, str] = {}  # every body name the issues use → the first file that uses it
    benefits: dict[str, str] = {}  # what was won in words, not a right of the checklist → the first file
    if ws.use_cache:
        for rec in ws.cache().records(None, errors=errors, warnings=warnings, future_on=dates.today()):
            if rec.issue.outcome is not None and rec.issue.outcome.benefit and not rec.issue.outcome.right:
                benefits.setdefault(rec.issue.outcome.benefit, rec.rel)
            good.append((rec.rel, rec.issue.id))
            kept.append((rec.issue.family, rec.issue.is_open, rec.issue.last_activity()))
            for org in [b.org for b in rec.issue.bodies] + [e.body for e in rec.issue.log]:
                if org:
                    orgs.setdefault(org, rec.rel)
        files = len(good) + len({p.file for p in errors})
    else:
        files = 0
        for path in ws.issue_files():
            files += 1
            _, _, issue, problems = ws.load_issue(path)
            errors += [p for p in problems if p.severity == "error"]
            warnings += [p for p in problems if p.severity != "error"]
            if issue is not None:
                if issue.outcome is not None and issue.outcome.benefit and not issue.outcome.right:
                    benefits.setdefault(issue.outcome.benefit, ws.rel(path))
                good.append((ws.rel(path), issue.id))
                kept.append((issue.family, issue.is_open, issue.last_activity()))
                for org in [b.org for b in issue.bodies] + [e.body for e in issue.log]:
                    if org:
                        orgs.setdefault(org, ws.rel(path))
    from zchuyot.workspace.store import LOCAL_DIR, SETTINGS_FILE, check_file, synced_files

    for line, what in ws.access_log_problems():  # this computer's access log: edited, removed or cut lines
        errors.append(Problem(f"{LOCAL_DIR}/access.log", line, f"err.file.access_log_{what}", {},
                              "fix.access_log"))
    # the department's other files, each validated as what it is — as sync validates them before sending
    for other in ([ws.root / SETTINGS_FILE] if (ws.root / SETTINGS_FILE).is_file() else []) + synced_files(ws):
        files += 1
        errors += check_file(ws, other)
    for rel, issue_id in good:
        if issue_id in seen_ids:
            errors.append(Problem(rel, 1, "err.file.id_mismatch",
                                  {"value": issue_id, "expected": seen_ids[issue_id]}, "fix.id_mismatch"))
        seen_ids[issue_id] = rel
    if ws.cases.is_dir():
        recorded = set()
        for fam_file in sorted(ws.cases.glob(f"*/*/{FAMILY_FILE}")):
            files += 1
            recorded.add(fam_file.parent.name)
            _, problems = load_family(fam_file, ws.rel(fam_file), fam_file.parent.name)
            errors += [p for p in problems if p.severity == "error"]
            warnings += [p for p in problems if p.severity != "error"]
        orphans: dict[str, str] = {}  # a family's issues with no record of the family anywhere (a typo?)
        for rel, _ in good:
            folder = rel.rsplit("/", 1)[0]
            if folder.rsplit("/", 1)[1] not in recorded:
                orphans.setdefault(folder.rsplit("/", 1)[1], folder)
        for code, folder in sorted(orphans.items()):
            near = difflib.get_close_matches(code, sorted(recorded), n=3, cutoff=0.5)
            warnings.append(Problem(folder, 0, "err.file.no_family", {"family": code}, "fix.no_family_near" if near
                                    else "fix.no_family", "warning"))
            if near:
                warnings[-1].params["near"] = ", ".join(near)
        # anything else under cases/ that is not where an issue belongs; modes others could read
        for rel, depth, st_mode in _walk_cases(ws):
            named_like_a_case = depth == 3 and rel.endswith(".yaml")  # read (and reported) by the loaders
            regular, folder = stat.S_ISREG(st_mode), stat.S_ISDIR(st_mode)
            if not (regular or folder) and not named_like_a_case:  # a link, a FIFO, a device
                errors.append(Problem(rel, 1, "err.file.not_regular", {}, "fix.not_regular"))
                continue
            if regular and not rel.rsplit("/", 1)[-1].startswith(".") and not named_like_a_case \
                    and not written_by_zchuyot(rel, depth):
                warnings.append(Problem(rel, 1, "err.file.bad_path", {}, "fix.generic", "warning"))
            if (regular or folder) and st_mode & 0o077:  # readable by others here
                warnings.append(Problem(rel, 1, "err.file.mode", {"mode": oct(st_mode & 0o777)[2:]},
                                        "fix.mode", "warning"))
    warnings += hand_edited_entries(ws)
    warnings += unknown_bodies(ws, orgs)
    warnings += benefits_not_rights(ws, benefits)
    from zchuyot.workspace import keys

    if keys.encryption_on(ws):
        warnings += [Problem(rel, 1, "err.file.plain_family", {}, "fix.plain_family", "warning")
                     for rel in keys.plain_records(ws)]
    years = ws.settings.get("retention_years")
    for fam, last in retention_due(ws, kept):
        where = ws.family_dirs(fam)
        rel = ws.rel(where[0]) if where else fam
        warnings.append(Problem(rel, 1, "err.file.retention", {"family": fam, "date": last.strftime("%d/%m/%Y"),
                                                                "years": years}, "fix.retention", "warning"))
    return CheckResult(files, errors, warnings)
