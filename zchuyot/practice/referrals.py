"""Referrals to partners (volunteers, students, legal clinics…) and their feedback.

A referral is a record of the issue (`referrals[]`: id, to, date, ask, due, status, feedback[]); each
referral and each feedback also writes a log entry (`referral`, `feedback`), so the log stays the whole
story. A partner that is a worker of the workspace sees its open referrals in its own followup; the
referring worker sees a referral past due and feedback that came after her own last entry.
Closing an issue as `referred` is different: that hands the issue over for good.
"""

from __future__ import annotations

from typing import Any

from zchuyot.calendar import dates
from zchuyot.case import form
from zchuyot.case.file import WriteResult
from zchuyot.errors import InputError
from zchuyot.practice import directory
from zchuyot.practice.core import choice, future_date, past_date
from zchuyot.workspace.store import Workspace


def _guard_open(issue: Any) -> None:
    from zchuyot.text.labels import choice_label

    if not issue.is_open:
        raise InputError("err.closed_issue", id=issue.id, status=choice_label("status", issue.status))


def refer(ws: Workspace, issue_id: str, to: str, ask: str, due: str | None = None,
          date: str | None = None) -> WriteResult:
    """The issue (or one task of it) referred to a partner, with what is asked and by when."""
    from zchuyot.case.views import record

    worker = ws.require_worker()
    partner = directory.find_partner(ws, to)
    text = (ask or "").strip()
    if not text:
        raise InputError("err.empty_text", field="referrals.ask")
    when = past_date(date)
    # by when: after the referral; a referral recorded as it happens cannot be due in the past
    until = (future_date(due) if date is None else dates.parse_date(due)) if due else None
    if until is not None and until < when:
        raise InputError("err.due_before_referral", date=when.strftime("%d/%m/%Y"))
    edit = ws.edit(issue_id, "zchuyot refer: {id}")
    with edit as issue:
        _guard_open(issue)
        _identify(issue)
        n = max((int(r.id) for r in issue.referrals if str(r.id).isdigit()), default=0) + 1
        uid = form.new_uid()
        issue.referrals.append(record("referrals", id=n, uid=uid, to=partner.key, date=when, ask=text, due=until,
                                      status="open"))
        issue.log.append(record("log", date=when, kind="referral", text=f"{partner.name}: {text}", by=worker))
    result = edit.result
    result.info.append(("ui.referred", {"id": result.id, "n": f"{n} ({uid})", "partner": partner.name,
                                        "due": until.strftime("%d/%m/%Y") if until else "-"}))
    if partner.worker:
        result.info.append(("ui.referred_worker", {"partner": partner.name, "worker": partner.worker}))
    result.notes += _follow(ws, result.issue.family if result.issue is not None else None)
    return result


def _follow(ws: Workspace, family: str | None) -> list[tuple[str, dict[str, Any]]]:
    from zchuyot.workspace import keys

    return keys.follow_the_work(ws, family) if family else []


def feedback(ws: Workspace, issue_id: str, text: str, referral: int | str | None = None, done: bool = False,
             returned: bool = False, date: str | None = None, accompanied: str | None = None,
             meeting: str | None = None) -> WriteResult:
    """A partner's feedback on a referral (written by the partner, or recorded by the worker); `done` ends
    the referral, `returned` hands it back to the worker. `accompanied`: the partner accompanied the family
    to that body (`meeting`: the kind of meeting) — logged as an accompaniment, counted by the report."""
    from zchuyot.case.views import record

    worker = ws.require_worker()
    if done and returned:
        raise InputError("err.feedback_done_returned")
    said = (text or "").strip()
    if not said:
        raise InputError("err.empty_text", field="referrals.feedback.text")
    when = past_date(date)
    known = {p.key: p.name for p in directory.partners(ws)}
    where = choice("meeting", meeting, "log.meeting") if meeting else None
    if where and not (accompanied or "").strip():
        raise InputError("err.meeting_needs_body", field="log.meeting")
    org = directory.names(ws).canonical(accompanied) if (accompanied or "").strip() else None
    edit = ws.edit(issue_id, "zchuyot feedback: {id}")
    with edit as issue:
        _guard_open(issue)
        _identify(issue)
        ref = _which(issue, referral)
        if when < ref.date:
            raise InputError("err.feedback_before_referral", date=ref.date.strftime("%d/%m/%Y"))
        # a new list, not the old one appended to: the edit path compares the record before and after
        ref.feedback = [*ref.feedback, record("referrals.feedback", date=when, by=worker, text=said)]
        if done or returned:
            ref.status = "done" if done else "returned"
        issue.log.append(record("log", date=when, kind="accompaniment" if org else "feedback", by=worker,
                                text=f"{known.get(ref.to, ref.to)}: {said}", body=org, meeting=where))
    result = edit.result
    result.info.append(("ui.feedback_saved", {"id": result.id, "n": ref.id}))
    if done or returned:  # the partner's access ends with its referral
        result.notes += _follow(ws, result.issue.family if result.issue is not None else None)
    return result


def _identify(issue: Any) -> None:
    """An older issue's referrals given their identity (derived: the same in every clone) when it is next
    written."""
    for r in issue.referrals:
        if not r.uid:
            r.uid = form.referral_uid(r.values())


def _which(issue: Any, referral: int | str | None) -> Any:
    """The referral the feedback is about: the one named (by its identity, or by its number where that names
    one referral), else the only open one."""
    open_ = [r for r in issue.referrals if r.status == "open"]
    if referral is not None:
        named = str(referral).strip().lower()
        by_uid = [r for r in issue.referrals if form.referral_uid(r.values()) == named]
        by_number = [r for r in issue.referrals if str(r.id) == named]
        for r in by_uid or (by_number if len(by_number) == 1 else []):
            if r.status != "open":
                raise InputError("err.referral_closed", n=referral, status=r.status)
            return r
        raise InputError("err.no_referral_n", n=referral, options=", ".join(str(r.id) for r in open_) or "-")
    if not open_:
        raise InputError("err.no_open_referral", id=issue.id)
    if len(open_) > 1:
        raise InputError("err.which_referral", options=", ".join(f"{r.id} ({r.to})" for r in open_))
    return open_[0]


def add_waiver(ws: Workspace, family: str, bodies: list[str], signed: str, expires: str | None = None
               ) -> WriteResult:
    """A signed confidentiality waiver (ויתור סודיות) of the family: the bodies (or partners) it lets the
    department speak with about the family, from the day it was signed until it expires."""
    from zchuyot.workspace.store import check_slug

    worker = ws.require_worker()
    check_slug(family, "family")
    if not bodies:
        raise InputError("err.waiver_bodies")
    partner_keys = {p.key for p in directory.partners(ws)}
    named = []
    for b in bodies:
        b = b.strip()
        named.append(b if b in partner_keys else directory.find_body(ws, b).key)
    when = past_date(signed)
    until = dates.parse_date(expires) if expires else None
    if until is not None and until <= when:
        raise InputError("err.waiver_expires", signed=when.strftime("%d/%m/%Y"), expires=until.strftime("%d/%m/%Y"))
    entry = {"bodies": list(dict.fromkeys(named)), "signed": when, "expires": until}

    def values(data: dict[str, Any]) -> dict[str, Any]:
        old = [w for w in data.get("waivers") or [] if isinstance(w, dict)]
        return {"waivers": [*old, {k: v for k, v in entry.items() if v is not None}]}

    result = ws.write_family(family, worker, values, "zchuyot family waiver: " + family)
    result.info.append(("ui.waiver_saved", {"family": family, "bodies": ", ".join(entry["bodies"]),
                                            "until": until.strftime("%d/%m/%Y") if until else "-"}))
    result.notes += _follow(ws, family)
    return result
