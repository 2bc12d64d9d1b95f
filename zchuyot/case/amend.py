"""Amending a recorded field of an issue (`zchuyot amend ID FIELD VALUE`): which fields may be amended, the
path that names one (`outcome.amount`, `actions.2.due`, `referrals.1.ask`), and a typed value read from
what the worker wrote — the form's own field definitions, nothing defined twice. The command's log entry
keeps what the field held before (the file and git keep the original; every reader sees the new value)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from zchuyot.case import form
from zchuyot.errors import InputError

# fields a step of its own changes (status: close / reopen; the log: `correct`), or that make the issue
NOT_AMENDED = frozenset({"id", "family", "log", "step", "status", "closed", "worker", "policy.flag",
                         "actions.id", "referrals.id", "referrals.uid", "referrals.feedback", "referrals.status",
                         "deadlines.key", "outcome.until", "actions.cancelled"})
_YES, _NO = ("yes", "true", "כן", "1"), ("no", "false", "לא", "0")


@dataclass
class Target:
    """Where a path points: the record that holds the field (the issue, or one of its records), the field,
    and the path as the worker reads it (`actions.2.due`). A path to a whole record (`actions.2`) holds
    that record; to a whole map (`outcome`), the issue."""

    holder: Any
    field: form.Field
    path: str


def target(issue: Any, path: str) -> Target:
    """The field a dotted path names; an unknown field or record is an InputError that lists what exists."""
    parts = [p for p in path.strip().split(".") if p]
    fields, holder, keys = form.ISSUE, issue, []
    while parts:
        key = parts.pop(0)
        f = next((x for x in fields if x.key == key), None)
        keys.append(key)
        if f is None or ".".join(k for k in keys if not k.isdigit()) in NOT_AMENDED:
            raise InputError("err.amend_field", value=path, options=", ".join(amendable(fields)))
        if f.kind == "list":
            if not parts or not parts[0].isdigit():
                raise InputError("err.amend_record", value=path, field_name=key)
            n = parts.pop(0)
            keys.append(n)
            records = getattr(holder, f.attr)
            found = next((r for r in records if str(getattr(r, "id", "")) == n), None) if f.key in (
                "actions", "referrals") else (records[int(n) - 1] if 1 <= int(n) <= len(records) else None)
            if found is None:
                raise InputError("err.amend_no_record", value=path, n=n,
                                 count=str(len(records)))
            if not parts:
                return Target(found, f, ".".join(keys))  # the record itself (`actions.2 --cancel`)
            holder, fields = found, f.sub
        elif f.kind == "map":
            if not parts:
                return Target(holder, f, ".".join(keys))  # the map itself (`outcome --mistaken`)
            sub = getattr(holder, f.attr)
            if sub is None:
                raise InputError("err.amend_empty_map", value=path, field_name=key)
            holder, fields = sub, f.sub
        else:
            if parts:
                raise InputError("err.amend_field", value=path, options=", ".join(amendable(form.ISSUE)))
            return Target(holder, f, ".".join(keys))
    raise InputError("err.amend_field", value=path, options=", ".join(amendable(form.ISSUE)))


def amendable(fields: tuple[form.Field, ...] = form.ISSUE, prefix: str = "") -> list[str]:
    """The paths a worker may amend (`N` standing for a record's number), for the error that lists them."""
    out = []
    for f in fields:
        key = prefix + f.key
        if key.replace(".N", "") in NOT_AMENDED:
            continue
        if f.kind == "list":
            out.extend(amendable(f.sub, key + ".N."))
        elif f.kind == "map":
            out.extend(amendable(f.sub, key + "."))
        else:
            out.append(key)
    return out


def parse(f: form.Field, text: str, today: dt.date) -> Any:
    """The typed value of what the worker wrote for field `f` (an empty text clears an optional field)."""
    from zchuyot.calendar.dates import parse_date

    s = text.strip()
    if not s:
        return None
    if f.kind == "date":
        return parse_date(s, today)
    if f.kind == "choice":
        from zchuyot.case.values import choice

        return choice(f.vocab or "", s, f.key)
    if f.kind == "number":
        from zchuyot.case.values import parse_amount

        return parse_amount(s)
    if f.kind in ("int", "ref"):
        if not s.isdigit():
            raise InputError("err.amend_number", value=s)
        return int(s)
    if f.kind == "bool":
        if s.lower() in _YES:
            return True
        if s.lower() in _NO:
            return False
        raise InputError("err.amend_bool", value=s)
    return s


def shown(v: Any) -> str:
    """A value as the amendment's entry writes it (what it was, what it is now)."""
    if v is None or v == "" or v == []:
        return "—"
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, bool):
        return "כן" if v else "לא"
    if hasattr(v, "values"):
        return "; ".join(f"{k}: {shown(x)}" for k, x in v.values().items() if x not in (None, "", []))
    return str(v)


def label(path: str) -> str:
    """A path as the worker reads it: `actions.2.due` → "תכנית פעולה משותפת 2 – עד מתי"."""
    from zchuyot.text.labels import t

    parts, fields, out = path.split("."), form.ISSUE, []
    for p in parts:
        if p.isdigit():
            out[-1] += f" {p}"
            continue
        f = next((x for x in fields if x.key == p), None)
        if f is None:
            out.append(p)
            break
        out.append(t(f.label_key))
        fields = f.sub
    return " – ".join(out)
