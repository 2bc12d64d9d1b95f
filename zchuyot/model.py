"""The practice as data: vocabularies, the form's fields, and (in `schema.py`) the pydantic models of the files.

Each form field is defined once here (key, kind, choices, whether the form requires it); its
Hebrew/English label and prompt live in `labels.py` under `field.<key>` / `prompt.<key>`.
Prompts, display, the template check and validation all read this table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

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


# ---------------------------------------------------------------- the models of the files
# The pydantic models (Issue, Family, …) live in `zchuyot/schema.py` and are imported only when a
# file is validated: pydantic costs ~0.1 s to import and build, and the read commands that answer
# from the index cache never need it. `from zchuyot.model import Issue` still works (lazily).
_SCHEMA_NAMES = frozenset(("Worker", "Body", "Barrier", "Action", "LogEntry", "Deadline", "Policy", "Outcome",
                           "Issue", "Family"))


def __getattr__(name: str) -> Any:
    if name in _SCHEMA_NAMES:
        from zchuyot import schema

        return getattr(schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
