"""The case operations: intake, family record, documenting, closing, listing, checking.

Each function takes plain arguments, returns data, and raises `ZError`s. It never prints.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zchuyot import dates, flow
from zchuyot.errors import DataError, InputError
from zchuyot.labels import choice_label, options_text, t
from zchuyot.model import FIELD_KEYS, SUBKEYS, VOCABULARIES, normalize_phone, valid_israeli_id
from zchuyot.store import IssueRecord, ReadResult, Workspace, WriteResult, check_slug
from zchuyot.validate import Problem

if TYPE_CHECKING:
    from zchuyot.schema import Family


# ------------------------------------------------------------------ input helpers
def choice(vocab: str, value: str | None, flag: str) -> str:
    """A vocabulary value given by key or by its Hebrew/English name (`--domain דיור` works)."""
    v = (value or "").strip()
    if v in VOCABULARIES[vocab]:
        return v
    low = v.lower()
    for key in VOCABULARIES[vocab]:
        if low in (key.lower(), choice_label(vocab, key, "he").lower(), choice_label(vocab, key, "en").lower()):
            return key
    from zchuyot.validate import suggestion

    raise InputError("err.bad_choice", value=v, what=flag, options=options_text(vocab), suggest=suggestion(vocab, v))


def text_required(value: str | None, what_key: str, flag: str) -> str:
    v = (value or "").strip()
    if not v:
        raise InputError("err.required", what=t(what_key), flag=flag)
    return v


def parse_body(spec: str) -> dict[str, str]:
    """`org|contact|details` (contact and details may be empty)."""
    parts = [p.strip() for p in spec.split("|")]
    if not parts[0] or len(parts) > 3:
        raise InputError("err.bad_body", value=spec)
    parts += [""] * (3 - len(parts))
    return {"org": parts[0], "contact": parts[1] or None, "details": parts[2] or None}


_AMOUNT_JUNK = re.compile(r"[₪\s,]|ש\"ח|שח|nis|ils", re.I)


def parse_amount(text: str | float | int) -> float | int:
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        s = _AMOUNT_JUNK.sub("", str(text))
        try:
            value = float(s)
        except ValueError:
            raise InputError("err.bad_amount", value=text) from None
    if value < 0 or value != value or value > 1e9:
        raise InputError("err.bad_amount", value=text)
    return int(value) if value.is_integer() else round(value, 2)


def past_date(text: str | None, base: dt.date | None = None) -> dt.date:
    """A date that must not be after today (a log entry, an opening date)."""
    today = base or dates.today()
    d = dates.parse_date(text or "today", today)
    if d > today:
        raise InputError("err.future_date", value=d.isoformat())
    return d


# ------------------------------------------------------------------ intake
@dataclass
class Intake:
    """What `zchuyot new` collects (from flags or from the prompts)."""

    family: str | None = None
    subject: str | None = None
    domain: str | None = None
    domain_other: str | None = None
    description: str | None = None
    bodies: list[str] = field(default_factory=list)
    date: str | None = None
    need: str | None = None
    right: str | None = None
    source: str | None = None
    priority: int | None = None
    urgency: str | None = None


def missing_for_new(intake: Intake) -> list[str]:
    """The form fields still missing before an issue can be opened."""
    out = []
    if not (intake.family or "").strip():
        out.append("family")
    if not (intake.subject or "").strip():
        out.append("subject")
    if not (intake.domain or "").strip():
        out.append("domain")
    elif intake.domain.strip() in ("other", "אחר", "Other") and not (intake.domain_other or "").strip():
        out.append("domain_other")
    return out


FLAG_OF = {"family": "--family", "subject": "--subject", "domain": "--domain", "domain_other": "--domain-other"}


def open_issue(ws: Workspace, intake: Intake, step: str = "list") -> WriteResult:
    worker = ws.require_worker()
    family = check_slug((intake.family or "").strip(), "family")
    subject = text_required(intake.subject, "field.subject", "--subject")
    domain = choice("domain", text_required(intake.domain, "field.domain", "--domain"), "--domain")
    domain_other = (intake.domain_other or "").strip() or None
    if domain == "other" and not domain_other:
        raise InputError("err.domain_other")
    opened = past_date(intake.date)
    bodies = [parse_body(b) for b in intake.bodies]
    if intake.priority is not None and intake.priority < 1:
        raise InputError("err.bad_priority")
    values: dict[str, Any] = {
        "opened": opened,
        "subject": subject,
        "worker": ws.worker_info(worker),
        "domain": domain,
        "domain_other": domain_other if domain == "other" else None,
        "description": (intake.description or "").strip() or None,
    }
    if intake.need:
        values["need"] = intake.need.strip()
    if intake.right:
        values["right"] = intake.right.strip()
    if intake.source:
        values["source"] = choice("source", intake.source, "--source")
    if intake.priority is not None:
        values["priority"] = intake.priority
    if intake.urgency:
        values["urgency"] = choice("urgency", intake.urgency, "--urgency")
    values["step"] = step
    values["status"] = "open"
    # bodies go in as a list of mappings
    values["bodies"] = bodies
    return ws.create_issue(worker, family, values, "zchuyot new: {id}")


# ------------------------------------------------------------------ family record
def add_family(ws: Workspace, family: str, name: str | None, phone: str | None, id_number: str | None) -> WriteResult:
    worker = ws.require_worker()
    check_slug(family, "family")
    if phone is not None and phone.strip() and normalize_phone(phone) is None:
        raise InputError("err.bad_phone")
    if id_number is not None and id_number.strip() and not valid_israeli_id(id_number.strip()):
        raise InputError("err.bad_id_number")
    values = {
        "name": name.strip() if name and name.strip() else None,
        "phone": phone.strip() if phone and phone.strip() else None,
        "id_number": id_number.strip() if id_number and id_number.strip() else None,
    }
    return ws.write_family(family, worker, values)


def get_family(ws: Workspace, family: str) -> Family | None:
    check_slug(family, "family")
    return ws.read_family(family)


# ------------------------------------------------------------------ documenting (treat)
PERSIST_KINDS = ("refusal", "escalation", "appeal")


def treat(ws: Workspace, issue_id: str, text: str, kind: str | None = None, date: str | None = None,
          done: str | None = None, next_date: str | None = None) -> WriteResult:
    from zchuyot import yamlio

    worker = ws.require_worker()
    body = (text or "").strip()
    if not body:
        raise InputError("err.empty_text")
    k = choice("kind", kind, "--kind") if kind else "note"
    when = past_date(date)
    nxt = dates.parse_date(next_date) if next_date else None
    notes: list[tuple[str, dict[str, Any]]] = []

    def change(doc: Any, issue: Any) -> None:
        entry: dict[str, Any] = {"date": when, "kind": k, "text": body, "by": worker}
        if done is not None:
            ids = [str(a.id) for a in issue.actions]
            if str(done) not in ids:
                raise InputError("err.unknown_action", value=done, options=", ".join(ids) or t("ui.none"))
            idx = ids.index(str(done))
            yamlio.set_key(doc["actions"][idx], "done", when, SUBKEYS["actions"])
            entry["action"] = doc["actions"][idx]["id"]
        yamlio.append(doc, "log", entry)
        if nxt is not None:
            yamlio.set_key(doc, "next_followup", nxt, FIELD_KEYS)
        step = "persist" if k in PERSIST_KINDS else "treat"
        if nxt is not None:
            step = flow.furthest(step, "followup")
        yamlio.set_key(doc, "step", flow.furthest(issue.step, step), FIELD_KEYS)
        if issue.status != "open":
            notes.append(("ui.closed_issue_note", {}))

    result = ws.edit_issue(issue_id, change, "zchuyot treat: {id}")
    result.notes = notes + result.notes
    return result


# ------------------------------------------------------------------ closing
def close(ws: Workspace, issue_id: str, *, ended: bool = False, stopped: str | None = None,
          referred: str | None = None, insights: str | None = None, benefit: str | None = None,
          amount: str | None = None, period: str | None = None, kind: str | None = None,
          date: str | None = None) -> WriteResult:
    from zchuyot import yamlio

    worker = ws.require_worker()
    chosen = [x for x in (ended or None, stopped, referred) if x is not None]
    if len(chosen) != 1:
        raise InputError("err.close_one")
    if stopped is not None and not stopped.strip():
        raise InputError("err.stopped_reason")
    if referred is not None and not referred.strip():
        raise InputError("err.referred_to")
    status = "ended" if ended else "stopped" if stopped is not None else "referred"
    reason = (stopped or referred or "").strip() or None
    when = past_date(date)
    outcome: dict[str, Any] | None = None
    given = [x for x in (benefit, amount, period, kind) if x not in (None, "")]
    if given:
        if len(given) != 4 or not (benefit or "").strip():
            raise InputError("err.outcome_partial")
        outcome = {
            "benefit": benefit.strip(),  # type: ignore[union-attr]
            "kind": choice("outcome_kind", kind, "--kind"),
            "amount": parse_amount(amount),  # type: ignore[arg-type]
            "period": choice("period", period, "--period"),
            "from": when,
        }

    def change(doc: Any, issue: Any) -> None:
        if issue.status != "open":
            raise InputError("err.already_closed", id=issue.id, status=choice_label("status", issue.status))
        yamlio.set_key(doc, "status", status, FIELD_KEYS)
        yamlio.set_key(doc, "status_reason", reason, FIELD_KEYS)
        if insights and insights.strip():
            yamlio.set_key(doc, "insights", insights.strip(), FIELD_KEYS)
        if outcome:
            yamlio.set_key(doc, "outcome", outcome, FIELD_KEYS)
        text = t(f"status.{status}", "he") + (f": {reason}" if reason else "")
        yamlio.append(doc, "log", {"date": when, "kind": "note", "text": text, "by": worker})

    return ws.edit_issue(issue_id, change, "zchuyot close: {id}")


# ------------------------------------------------------------------ reading
def list_issues(ws: Workspace, *, family: str | None = None, status: str | None = None,
                domain: str | None = None, all_workers: bool = False, with_data: bool = False) -> ReadResult:
    if family:
        check_slug(family, "family")
    st = choice("status", status, "--status") if status else None
    dm = choice("domain", domain, "--domain") if domain else None
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
    return ws.get_issue(issue_id)


# ------------------------------------------------------------------ check
@dataclass
class CheckResult:
    files: int
    errors: list[Problem]
    warnings: list[Problem]


def check_file(ws: Workspace, path: Path) -> list[Problem]:
    """Every problem of one issue or family file (errors and warnings)."""
    from zchuyot.store import FAMILY_FILE, parse_file, problem_of
    from zchuyot.validate import family_from_data

    if path.name == FAMILY_FILE:
        try:
            data, lines = parse_file(path)
        except DataError as e:
            return [problem_of(e, ws.rel(path))]
        return family_from_data(data, lines, ws.rel(path), family_dir=path.parent.name)[1]
    return ws.load_issue_file(path)[2]


def check_files(ws: Workspace, paths: list[Path]) -> list[Problem]:
    """The errors (not warnings) of these files: what must not be committed or sent."""
    return [p for path in paths for p in check_file(ws, path) if p.severity == "error"]


def check(ws: Workspace) -> CheckResult:
    """Every file of the workspace: issues, family records, stray files. Nothing is skipped."""
    from zchuyot.privacy import retention_due
    from zchuyot.store import FAMILY_FILE, parse_file, problem_of
    from zchuyot.validate import family_from_data

    errors: list[Problem] = []
    warnings: list[Problem] = []
    seen_ids: dict[str, str] = {}
    good: list[tuple[str, str]] = []  # (file, id): one issue at a time, never every issue in memory
    kept: list[tuple[str, bool, dt.date]] = []  # (family, open, last activity), for retention
    if ws.use_cache:
        from zchuyot.index import Index

        for rec in Index(ws).records(None, errors=errors, warnings=warnings, future_on=dates.today()):
            good.append((rec.rel, rec.issue.id))
            kept.append((rec.issue.family, rec.issue.is_open, rec.issue.last_activity()))
        files = len(good) + len({p.file for p in errors})
    else:
        files = 0
        for path in ws.issue_files():
            files += 1
            _, issue, problems = ws.load_issue_file(path)
            errors += [p for p in problems if p.severity == "error"]
            warnings += [p for p in problems if p.severity != "error"]
            if issue is not None:
                good.append((ws.rel(path), issue.id))
                kept.append((issue.family, issue.is_open, issue.last_activity()))
    for rel, issue_id in good:
        if issue_id in seen_ids:
            errors.append(Problem(rel, 1, "err.file.id_mismatch",
                                  {"value": issue_id, "expected": seen_ids[issue_id]}, "fix.id_mismatch"))
        seen_ids[issue_id] = rel
    if ws.cases.is_dir():
        for fam_file in sorted(ws.cases.glob(f"*/*/{FAMILY_FILE}")):
            files += 1
            rel = ws.rel(fam_file)
            try:
                data, lines = parse_file(fam_file)
            except DataError as e:
                errors.append(problem_of(e, rel))
                continue
            _, problems = family_from_data(data, lines, rel, family_dir=fam_file.parent.name)
            errors += [p for p in problems if p.severity == "error"]
            warnings += [p for p in problems if p.severity != "error"]
        # anything else under cases/ that is not where an issue belongs
        for p in sorted(ws.cases.rglob("*")):
            if p.is_file() and not p.name.startswith("."):
                depth = len(p.relative_to(ws.cases).parts)
                if depth != 3 or p.suffix != ".yaml":
                    warnings.append(Problem(ws.rel(p), 1, "err.file.bad_path", {}, "fix.generic", "warning"))
    years = ws.settings.get("retention_years")
    for fam, last in retention_due(ws, kept):
        where = ws.family_dirs(fam)
        rel = ws.rel(where[0]) if where else fam
        warnings.append(Problem(rel, 1, "err.file.retention", {"family": fam, "date": last.strftime("%d/%m/%Y"),
                                                                "years": years}, "fix.retention", "warning"))
    return CheckResult(files, errors, warnings)


def issue_json(data: dict[str, Any]) -> dict[str, Any]:
    """An issue's mapping for --json: keys as in the file, dates as YYYY-MM-DD."""
    def conv(v: Any) -> Any:
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v

    return conv(data)

