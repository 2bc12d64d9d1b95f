"""The practice as data: vocabularies, the form's fields, and the pydantic models of the files.

Each form field is defined once here (key, kind, choices, whether the form requires it); its
Hebrew/English label and prompt live in `labels.py` under `field.<key>` / `prompt.<key>`.
Prompts, display, the template check and validation all read this table.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# ---------------------------------------------------------------- vocabularies (keys only)
DOMAINS = (
    "housing", "employment", "rehab_basket", "national_insurance", "material_aid",
    "health", "debts", "education", "personal_status", "other",
)
ROLES = ("family", "rights", "volunteer", "student", "lawyer", "other")
STATUSES = ("open", "ended", "stopped", "referred")
SOURCES = ("asked", "reported")
URGENCIES = ("now", "later")
HISTORIES = ("never", "stopped", "refused", "unclear")
LOG_KINDS = (
    "meeting", "call", "letter", "documents", "contact", "accompaniment", "simulation",
    "refusal", "escalation", "appeal", "answer", "note",
)
WHO = ("client", "client_advised", "simulation", "accompanied", "worker", "rights_worker", "volunteer")
BARRIERS = (
    "information", "bureaucracy", "documents", "eligibility", "attitude", "digital",
    "language", "cost", "stuck", "other",
)
OUTCOME_KINDS = ("recovery", "avoidance")
PERIODS = ("monthly", "one_off")
STEPS = ("listen", "list", "collect", "plan", "treat", "persist", "followup", "policy")

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "domain": DOMAINS, "role": ROLES, "status": STATUSES, "source": SOURCES,
    "urgency": URGENCIES, "history": HISTORIES, "kind": LOG_KINDS, "who": WHO,
    "barrier": BARRIERS, "outcome_kind": OUTCOME_KINDS, "period": PERIODS, "step": STEPS,
}

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
ID_SUFFIX_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: easy to read aloud
ID_SUFFIX_LEN = 5
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}-[" + ID_SUFFIX_ALPHABET + "]{" + str(ID_SUFFIX_LEN) + "}$")


# ---------------------------------------------------------------- the form's fields
@dataclass(frozen=True)
class FieldSpec:
    key: str
    kind: str  # text | longtext | date | choice | int | map | list | id | slug
    form: bool = False  # a field of the paper form: always present in the file
    vocab: str | None = None  # for choice fields: the VOCABULARIES key
    step: str | None = None  # the step that fills it


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "id"),
    FieldSpec("family", "slug"),
    FieldSpec("opened", "date", form=True),
    FieldSpec("subject", "text", form=True),
    FieldSpec("worker", "map", form=True),
    FieldSpec("domain", "choice", form=True, vocab="domain"),
    FieldSpec("domain_other", "text", form=True),
    FieldSpec("description", "longtext", form=True),
    FieldSpec("bodies", "list", form=True, step="collect"),
    FieldSpec("need", "text", step="listen"),
    FieldSpec("right", "text", step="listen"),
    FieldSpec("source", "choice", vocab="source", step="listen"),
    FieldSpec("priority", "int", step="list"),
    FieldSpec("urgency", "choice", vocab="urgency", step="list"),
    FieldSpec("problem", "longtext", step="collect"),
    FieldSpec("history", "choice", vocab="history", step="collect"),
    FieldSpec("barrier", "map", step="collect"),
    FieldSpec("actions", "list", step="plan"),
    FieldSpec("log", "list", form=True, step="treat"),
    FieldSpec("deadlines", "list", step="persist"),
    FieldSpec("next_followup", "date", step="followup"),
    FieldSpec("policy", "map", step="policy"),
    FieldSpec("step", "choice", vocab="step"),
    FieldSpec("status", "choice", form=True, vocab="status"),
    FieldSpec("status_reason", "text", form=True),
    FieldSpec("insights", "longtext", form=True),
    FieldSpec("outcome", "map"),
)
FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
FIELD_BY_KEY: dict[str, FieldSpec] = {f.key: f for f in FIELDS}

# sub-keys, for "did you mean" on nested mappings
SUBKEYS: dict[str, tuple[str, ...]] = {
    "worker": ("name", "role"),
    "bodies": ("org", "contact", "details"),
    "barrier": ("kind", "where"),
    "actions": ("id", "what", "who", "due", "body", "agreed", "done"),
    "log": ("date", "kind", "text", "by", "action", "body"),
    "deadlines": ("key", "name", "from", "due"),
    "policy": ("flag", "note"),
    "outcome": ("benefit", "kind", "amount", "period", "from"),
}
FAMILY_KEYS: tuple[str, ...] = ("code", "name", "phone", "id_number", "notes")


# ---------------------------------------------------------------- validators
def valid_israeli_id(value: str) -> bool:
    """The Israeli ID number (תעודת זהות) check digit: up to 9 digits, Luhn-like weights 1,2."""
    digits = value.strip()
    if not digits.isdigit() or not 5 <= len(digits) <= 9:
        return False
    digits = digits.zfill(9)
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (1 if i % 2 == 0 else 2)
        total += n - 9 if n > 9 else n
    return total % 10 == 0 and digits != "000000000"


PHONE_STRIP = re.compile(r"[\s\-().]")


def normalize_phone(value: str) -> str | None:
    """An Israeli phone number as typed (050-1234567, +972 50 123 4567, 08-6463000) → digits, or None."""
    s = PHONE_STRIP.sub("", value.strip())
    if s.startswith("+972"):
        s = "0" + s[4:]
    elif s.startswith("972") and len(s) >= 11:
        s = "0" + s[3:]
    if re.fullmatch(r"0\d{8,9}", s) or re.fullmatch(r"\*?\d{4}", s) or re.fullmatch(r"1[578]00\d{6}", s):
        return s
    return None


# ---------------------------------------------------------------- models
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

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, v: Any) -> Any:
        return _choice("source", v)

    @field_validator("urgency", mode="before")
    @classmethod
    def _urgency(cls, v: Any) -> Any:
        return _choice("urgency", v)

    @field_validator("history", mode="before")
    @classmethod
    def _history(cls, v: Any) -> Any:
        return _choice("history", v)

    @field_validator("step", mode="before")
    @classmethod
    def _step(cls, v: Any) -> Any:
        return _choice("step", v)

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
