"""Light, read-only views of an issue: what `list`, `followup`, `report` and `policy` need, built
either from a validated model or from the index cache (no pydantic on the warm path).

They carry the same attribute names as the models, so the read commands work on either.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, NamedTuple

from zchuyot.case import form
from zchuyot.case.rules import IssueQuestions, corrected

_d = dt.date.fromisoformat


class _V:
    __slots__: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self.__slots__)})"


class LogView(NamedTuple):
    date: dt.date
    kind: str
    text: str
    body: str | None
    by: str | None = None
    meeting: str | None = None


class ReferralView(NamedTuple):
    id: Any
    to: str
    date: dt.date
    due: dt.date | None
    status: str
    feedback: list[dt.date]  # the dates of its feedback


class ActionView(NamedTuple):
    id: Any
    what: str
    due: dt.date | None
    done: dt.date | None


class DeadlineView(NamedTuple):
    key: str
    name: str | None
    from_: dt.date | None
    due: dt.date


class OutcomeView(_V):
    __slots__ = ("benefit", "kind", "amount", "period", "from_", "until", "right")

    def __init__(self, benefit: str | None, kind: str | None, amount: float | None, period: str | None,
                 from_: dt.date | None, until: dt.date | None = None, right: str | None = None) -> None:
        self.benefit, self.kind, self.amount, self.period, self.from_ = benefit, kind, amount, period, from_
        self.until, self.right = until, right


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


# The cache's compact row of an issue. Its plain columns are fields of the form, named once here (a
# date is kept as YYYY-MM-DD); its other columns, each named once with how it is written from an issue
# and read back (only when first used), are the records `list`, `report` and `policy` need.
PLAIN: tuple[form.Field, ...] = tuple(form.BY_KEY[k] for k in (
    "id", "family", "subject", "domain", "domain_other", "status", "step", "priority", "urgency", "opened",
    "next_followup", "right", "closed"))
_PERSIST = frozenset(form.PERSIST_KINDS)


def _iso(d: Any) -> str | None:
    return d.isoformat() if isinstance(d, dt.date) else None


def _opt(x: Any) -> dt.date | None:
    return _d(x) if x else None


def _persisted(i: Any) -> list[Any]:
    return [[_iso(e.date), e.kind, e.text, e.body] for e in corrected(i.log) if e.kind in _PERSIST]


# name → (written from an issue, read back from the column)
RECORDS: dict[str, tuple[Any, Any]] = {
    # the whole log stays a JSON string inside the row: decoded only by the commands that read it
    # (corrections applied: the cache keeps the log as it is read)
    "log": (lambda i: json.dumps([[_iso(e.date), e.kind, e.text if e.kind == "refusal" else "",
                                   e.body, e.by, e.meeting] for e in corrected(i.log)], ensure_ascii=False),
            lambda c: [LogView(_d(d), k, t, b, by, m) for d, k, t, b, by, m in json.loads(c)]),
    "referrals": (lambda i: [[r.id, r.to, _iso(r.date), _iso(r.due), r.status, [_iso(f.date) for f in r.feedback]]
                             for r in i.referrals],
                  lambda c: [ReferralView(r[0], r[1], _d(r[2]), _opt(r[3]), r[4], [_d(x) for x in r[5]]) for r in c]),
    # (a cancelled action is no longer waited for: the screens read it as finished)
    "actions": (lambda i: [[a.id, a.what, _iso(a.due), _iso(a.done or getattr(a, "cancelled", None))]
                           for a in i.actions],
                lambda c: [ActionView(a[0], a[1], _opt(a[2]), _opt(a[3])) for a in c]),
    "deadlines": (lambda i: [[d.key, d.name, _iso(d.from_), _iso(d.due)] for d in i.deadlines],
                  lambda c: [DeadlineView(d[0], d[1], _opt(d[2]), _d(d[3])) for d in c]),
    "outcome": (lambda i: [i.outcome.benefit, i.outcome.kind, i.outcome.amount, i.outcome.period,
                           _iso(i.outcome.from_), _iso(i.outcome.until), getattr(i.outcome, "right", None)]
                if i.outcome else None,
                lambda c: OutcomeView(c[0], c[1], c[2], c[3], _opt(c[4]), _opt(c[5]), c[6]) if c else None),
    "barrier": (lambda i: [i.barrier.kind, i.barrier.where] if i.barrier else None,
                lambda c: BarrierView(c[0], c[1]) if c else None),
    "bodies": (lambda i: [x.org for x in i.bodies], lambda c: [BodyView(x) for x in c]),
    "policy": (lambda i: [bool(i.policy.flag), i.policy.note] if i.policy else None,
               lambda c: PolicyView(c[0], c[1]) if c else None),
    "last": (lambda i: max((e.date for e in corrected(i.log)), default=i.opened).isoformat(), _d),
    "persisted": (_persisted, lambda c: c),  # refusals, escalations, appeals: kept apart, with their text
}
_AT = {name: n for n, name in enumerate((*(f.key for f in PLAIN), *RECORDS))}


def facts(issue: Any) -> list[Any]:
    """A validated issue → its compact JSON-able row (the index cache's payload)."""
    return [*(_iso(v) if f.kind == "date" else v for f in PLAIN for v in (getattr(issue, f.attr),)),
            *(write(issue) for write, _ in RECORDS.values())]


class IssueView(_V):
    """An issue from the cache. The lists and sub-records are decoded only when first used, so a
    command that skips closed issues never pays for their logs."""

    __slots__ = (*(f.attr for f in PLAIN), "_row", "_cache")

    def __init__(self, row: list[Any]) -> None:
        for f, v in zip(PLAIN, row, strict=False):
            setattr(self, f.attr, _opt(v) if f.kind == "date" else v)
        self._row = row
        self._cache: dict[str, Any] = {}

    def _get(self, name: str) -> Any:
        c = self._cache
        if name not in c:
            c[name] = RECORDS[name][1](self._row[_AT[name]])
        return c[name]

    log = property(lambda self: self._get("log"))
    actions = property(lambda self: self._get("actions"))
    referrals = property(lambda self: self._get("referrals"))
    deadlines = property(lambda self: self._get("deadlines"))
    outcome = property(lambda self: self._get("outcome"))
    barrier = property(lambda self: self._get("barrier"))
    bodies = property(lambda self: self._get("bodies"))
    policy = property(lambda self: self._get("policy"))

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def last_activity(self) -> dt.date:
        return max(self._get("last"), self.opened)

    @property
    def corrected_log(self) -> list[Any]:
        return self.log  # the cache keeps the log with its corrections applied

    def entries(self, *kinds: str) -> list[LogView]:
        """Log entries of these kinds only, decoding nothing else (refusals/escalations/appeals are kept apart)."""
        if _PERSIST.issuperset(kinds):
            return [LogView(_d(d), k, t, b) for d, k, t, b in self._row[_AT["persisted"]] if k in kinds]
        return [e for e in self.log if e.kind in kinds]

    def __repr__(self) -> str:
        return f"IssueView({self.id})"


def from_facts(row: list[Any]) -> IssueView:
    return IssueView(row)


# ---------------------------------------------------------------- a whole issue, without pydantic
class Record(IssueQuestions):
    """An issue (or one of its records: a log entry, an action…) as the form describes it, built from a
    mapping that was validated — by pydantic when its file was read, or when the cache kept it. Each
    field is converted as the form says (dates from YYYY-MM-DD, records as Records); unknown keys are kept
    as they were. A command may change it: every assignment is checked by `form.check_value` and raises
    an InputError carrying the field's key. No pydantic."""

    def __init__(self, data: dict[str, Any], fields: tuple[form.Field, ...] = form.ISSUE, path: str = "") -> None:
        by_attr = {f.attr: f for f in fields}
        object.__setattr__(self, "_fields", fields)
        object.__setattr__(self, "_by_attr", by_attr)
        object.__setattr__(self, "_path", path)
        for f in fields:
            object.__setattr__(self, f.attr, _convert(f, data.get(f.key), f"{path}{f.key}."))
        known = {f.key for f in fields}
        object.__setattr__(self, "extra", {k: v for k, v in data.items() if k not in known})

    def __setattr__(self, name: str, value: Any) -> None:
        f = self._by_attr.get(name)
        if f is None:
            raise AttributeError(name)
        if f.sub and value is not None and not (isinstance(value, list) if f.kind == "list" else
                                                isinstance(value, Record) and value._fields is f.sub):
            raise TypeError(f"{f.key}: records are made with views.record")
        try:
            value = form.check_value(f, value) if not f.sub else value
        except ValueError as e:
            from zchuyot.errors import InputError

            raise InputError("err.bad_value", field=f"{self._path}{f.key}", value=str(value),
                             why=_why(str(e), value)) from None
        object.__setattr__(self, name, value)

    def values(self) -> dict[str, Any]:
        """The mapping as it is written: form order, then the unknown keys."""
        return {**{f.key: getattr(self, f.attr) for f in self._fields}, **self.extra}

    def __repr__(self) -> str:
        return f"Record({getattr(self, 'id', '')})"


def _why(code: str, value: Any) -> str:
    """A refused value's reason, in the worker's language (the same texts `check` uses)."""
    from zchuyot.text.labels import options_text, t

    if code.startswith("choice:"):
        vocab = code.split(":", 1)[1]
        return t("why.choice", value=value, options=options_text(vocab, form.VOCABULARIES[vocab]), suggest="")
    if code.startswith("type:"):
        return t("why.other", why=code)
    return t(f"why.{code}")


def _convert(f: form.Field, v: Any, path: str) -> Any:
    if v is None or v == "":
        if f.kind == "list":
            return []
        if f.kind == "map" and f.form:
            return Record({}, f.sub, path)
        return f.default if v is None or f.kind not in ("text", "longtext") else v
    if f.kind == "date":
        return _d(v) if isinstance(v, str) else v
    if f.kind == "texts":
        return list(v)
    if f.kind == "list":
        return [x if isinstance(x, Record) else Record(x, f.sub, path) for x in v]
    if f.kind == "map":
        return v if isinstance(v, Record) else Record(v, f.sub, path)
    if f.kind in ("text", "longtext") and isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)  # as the models read a number typed into a text field
    return v


def light(data: dict[str, Any]) -> Record:
    """A whole issue from a validated mapping (`show` and `edit` with a fresh cache)."""
    return Record(data)


def record(field: str, **values: Any) -> Record:
    """A new record of one of the issue's list or map fields (a log entry, an action, the outcome…), or of a
    record's own list (`referrals.feedback`): every value checked by the form, a missing required one
    refused."""
    f = form.field_at(tuple(field.split(".")))
    if f is None:
        raise KeyError(field)
    rec = Record({}, f.sub, f"{field}.")
    for sub in f.sub:
        value = values.get(sub.key)
        if value is not None or sub.required:
            setattr(rec, sub.attr, value)
    return rec
