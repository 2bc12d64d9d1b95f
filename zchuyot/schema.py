"""The pydantic models of the files: one issue file (`Issue`) and one family file (`Family`).

The vocabularies and the form's fields they check are in `model.py`; `validate.py` turns their
errors into problems with lines. Imported only when a file is validated (see `model.py`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from zchuyot.model import FIELD_BY_KEY, ID_RE, SLUG_RE, VOCABULARIES, normalize_phone, valid_israeli_id


class _M(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)


def _choice(vocab: str, v: Any) -> Any:
    if v is None or v == "":
        return None
    if v not in VOCABULARIES[vocab]:
        raise ValueError(f"choice:{vocab}")
    return v


class Worker(_M):
    name: str | None = None
    role: str | None = None

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, v: Any) -> Any:
        return _choice("role", v)


class Body(_M):
    org: str | None = None
    contact: str | None = None
    details: str | None = None


class Barrier(_M):
    kind: str | None = None
    where: str | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        return _choice("barrier", v)


class Action(_M):
    id: str | int
    what: str
    who: str | None = None
    due: dt.date | None = None
    body: str | None = None
    agreed: bool = False
    done: dt.date | None = None

    @field_validator("who", mode="before")
    @classmethod
    def _who(cls, v: Any) -> Any:
        return _choice("who", v)


class LogEntry(_M):
    date: dt.date
    kind: str = "note"
    text: str = ""
    by: str | None = None
    action: str | int | None = None
    body: str | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        return _choice("kind", v) or "note"


class Deadline(_M):
    key: str
    name: str | None = None
    from_: dt.date | None = Field(default=None, alias="from")
    due: dt.date


class Policy(_M):
    flag: bool = False
    note: str | None = None


class Outcome(_M):
    benefit: str | None = None
    kind: str | None = None
    amount: float | None = None
    period: str | None = None
    from_: dt.date | None = Field(default=None, alias="from")

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        return _choice("outcome_kind", v)

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, v: Any) -> Any:
        return _choice("period", v)

    @field_validator("amount")
    @classmethod
    def _amount(cls, v: float | None) -> float | None:
        if v is not None and v < 0:
            raise ValueError("negative_amount")
        return v


def _none_to_list(v: Any) -> Any:
    return [] if v is None else v


class Issue(_M):
    id: str
    family: str
    opened: dt.date
    subject: str
    worker: Worker = Field(default_factory=Worker)
    domain: str
    domain_other: str | None = None
    description: str | None = None
    bodies: list[Body] = Field(default_factory=list)
    need: str | None = None
    right: str | None = None
    source: str | None = None
    priority: int | None = None
    urgency: str | None = None
    problem: str | None = None
    history: str | None = None
    barrier: Barrier | None = None
    actions: list[Action] = Field(default_factory=list)
    log: list[LogEntry] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    next_followup: dt.date | None = None
    policy: Policy | None = None
    step: str | None = None
    status: str = "open"
    status_reason: str | None = None
    insights: str | None = None
    outcome: Outcome | None = None

    _lists = field_validator("bodies", "actions", "log", "deadlines", mode="before")(
        classmethod(lambda cls, v: _none_to_list(v))
    )

    @field_validator("domain", mode="before")
    @classmethod
    def _domain(cls, v: Any) -> Any:
        if v is None or v == "":
            raise ValueError("required")
        return _choice("domain", v)

    @field_validator("source", "urgency", "history", "step", mode="before")
    @classmethod
    def _choices(cls, v: Any, info: ValidationInfo) -> Any:
        """A choice field of the form: its vocabulary is the one `model.FIELDS` gives it."""
        vocab = FIELD_BY_KEY[info.field_name].vocab if info.field_name else None
        assert vocab is not None
        return _choice(vocab, v)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, v: Any) -> Any:
        return _choice("status", v) or "open"

    @field_validator("subject", mode="before")
    @classmethod
    def _subject(cls, v: Any) -> Any:
        if v is None or (isinstance(v, str) and not v.strip()):
            raise ValueError("required")
        return v

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not ID_RE.match(v):
            raise ValueError("bad_id")
        return v

    @field_validator("family")
    @classmethod
    def _family(cls, v: str) -> str:
        if not SLUG_RE.match(v):
            raise ValueError("bad_slug")
        return v

    @model_validator(mode="after")
    def _form_rules(self) -> Issue:
        if self.domain == "other" and not (self.domain_other or "").strip():
            raise ValueError("rule:domain_other")
        if self.status in ("stopped", "referred") and not (self.status_reason or "").strip():
            raise ValueError(f"rule:status_reason_{self.status}")
        if self.priority is not None and self.priority < 1:
            raise ValueError("rule:priority")
        return self

    # ------------------------------------------------------------ derived views
    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def entries(self, *kinds: str) -> list[LogEntry]:
        return [e for e in self.log if e.kind in kinds]

    def last_activity(self) -> dt.date:
        """The last log entry's date, or the opening date if later (an entry may be back-dated)."""
        return max([e.date for e in self.log] + [self.opened])


class Family(_M):
    code: str
    name: str | None = None
    phone: str | None = None
    id_number: str | None = None
    notes: str | None = None

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, v: Any) -> Any:
        if v is None or v == "":
            return None
        v = str(v)
        if normalize_phone(v) is None:
            raise ValueError("bad_phone")
        return v

    @field_validator("id_number", mode="before")
    @classmethod
    def _idn(cls, v: Any) -> Any:
        if v is None or v == "":
            return None
        v = str(v)
        if not valid_israeli_id(v):
            raise ValueError("bad_id_number")
        return v
