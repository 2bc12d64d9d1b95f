"""The form, defined once: every field of an issue file and of a family file.

A field is declared here with its key, kind, vocabulary, place in the form, the step that fills it,
the command-line flag that sets it and the checks it must pass. Everything else is derived from
this table by name, never restated: the pydantic models (`schema.py`), the labels and prompts
(`labels.py`, under `field.<key>` / `prompt.<key>` / `choice.<vocab>.<value>`), the template check,
the display rows of `show`, the CSV columns of `export`, the merge rules and the cache's rows.

Adding a field to the form is one entry in `ISSUE` (or `FAMILY`) plus its label.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
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
    "refusal", "escalation", "appeal", "answer", "note", "reopen", "correction", "referral", "feedback", "amendment",
)
PERSIST_KINDS = ("refusal", "escalation", "appeal")
WHO = ("client", "client_advised", "simulation", "accompanied", "worker", "rights_worker", "volunteer")
BARRIERS = (
    "information", "bureaucracy", "documents", "eligibility", "attitude", "digital",
    "language", "cost", "stuck", "other",
)
OUTCOME_KINDS = ("recovery", "avoidance")
PERIODS = ("monthly", "one_off")
STEPS = ("listen", "list", "collect", "plan", "treat", "persist", "followup", "policy")
REFERRAL_STATUSES = ("open", "done", "returned")
PARTNER_KINDS = ("volunteer", "student", "clinic", "lawyer", "organization")
MEETINGS = ("medical_committee", "branch", "court", "committee", "other")  # where an accompaniment went
DOC_KINDS = ("refusal", "decision", "medical", "income", "id", "other")  # a document attached to an issue
RELATIONS = ("mother", "father", "spouse", "child", "other")  # a household member, to the family
GENDERS = ("female", "male")

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "domain": DOMAINS, "role": ROLES, "status": STATUSES, "source": SOURCES,
    "urgency": URGENCIES, "history": HISTORIES, "kind": LOG_KINDS, "who": WHO,
    "barrier": BARRIERS, "outcome_kind": OUTCOME_KINDS, "period": PERIODS, "step": STEPS,
    "referral_status": REFERRAL_STATUSES, "partner_kind": PARTNER_KINDS, "relation": RELATIONS,
    "gender": GENDERS, "meeting": MEETINGS, "doc_kind": DOC_KINDS,
}

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
ID_SUFFIX_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: easy to read aloud
ID_SUFFIX_LEN = 5
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}-[" + ID_SUFFIX_ALPHABET + "]{" + str(ID_SUFFIX_LEN) + "}$")


# ---------------------------------------------------------------- checks of single values
def ascii_digits(value: str) -> str:
    """Digits typed in another script (Arabic-Indic ٣, Persian ۳, full-width ３ — Unicode's decimal digits)
    as ASCII digits; every other character as it is (a superscript ² is no digit: the check refuses it)."""
    import unicodedata

    if value.isascii():
        return value
    return "".join(str(unicodedata.decimal(c)) if not c.isascii() and unicodedata.category(c) == "Nd" else c
                   for c in value)


def valid_israeli_id(value: str) -> bool:
    """The Israeli ID number (תעודת זהות) check digit: up to 9 digits, Luhn-like weights 1,2."""
    digits = ascii_digits(value.strip())
    if not re.fullmatch(r"[0-9]{5,9}", digits):
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
    s = PHONE_STRIP.sub("", ascii_digits(value.strip()))
    if s.startswith("+972"):
        s = "0" + s[4:]
    elif s.startswith("972") and len(s) >= 11:
        s = "0" + s[3:]
    if re.fullmatch(r"0\d{8,9}", s, re.ASCII) or re.fullmatch(r"\*?\d{4}", s, re.ASCII) \
            or re.fullmatch(r"1[578]00\d{6}", s, re.ASCII):
        return s
    return None


# a check name → (test of a non-empty value, the problem code when it fails)
CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "id": (lambda v: bool(ID_RE.match(str(v))), "bad_id"),
    "slug": (lambda v: bool(SLUG_RE.match(str(v))), "bad_slug"),
    "phone": (lambda v: normalize_phone(str(v)) is not None, "bad_phone"),
    "israeli_id": (lambda v: valid_israeli_id(str(v)), "bad_id_number"),
    "not_negative": (lambda v: v >= 0, "negative_amount"),
    "birth_year": (lambda v: 1900 <= v <= 2100, "bad_birth_year"),
    "percent": (lambda v: 0 <= v <= 100, "bad_percent"),
}


# ---------------------------------------------------------------- the fields
VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "text": (str,), "longtext": (str,), "choice": (str,), "date": (dt.date,), "int": (int,),
    "number": (int, float), "bool": (bool,), "ref": (str, int), "texts": (list,),
}


@dataclass(frozen=True)
class Field:
    """One field of a file. `kind`: text | longtext | date | choice | int | number | bool | ref (text or
    number) | texts (a list of short texts) | map (sub-fields) | list (of maps with sub-fields)."""

    key: str
    kind: str
    form: bool = False  # a field of the paper form: always present in the file, empty until filled
    vocab: str | None = None  # choice fields: the VOCABULARIES key
    step: str | None = None  # the step of the practice that fills it
    flag: str | None = None  # the command-line option that gives it (`cli.py` maps errors to it)
    required: bool = False  # must have a value (a non-blank one, for text)
    default: Any = None  # the value of a missing or empty field ("open" for status, "note" for a log kind)
    check: str | None = None  # a CHECKS name
    sub: tuple[Field, ...] = ()  # map and list fields: the fields of each record
    past: bool = False  # a date that cannot be in the future (check warns)
    label: str | None = None  # the labels key, when it is not `field.<key>`
    show: bool = True  # drawn by `show` (a legal clock's key is for scripts; its name is for people)
    same: tuple[str, ...] = ()  # list fields: the sub-fields that tell one record from another (merge, edit)

    @property
    def attr(self) -> str:
        """The name in Python (`from` is a keyword)."""
        return self.key + "_" if self.key == "from" else self.key

    @property
    def label_key(self) -> str:
        return self.label or f"field.{self.key}"

    @property
    def sub_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.sub)


# the controls that reorder text (embeddings, overrides, isolates): invisible, they can make a line read as
# something else (U+202E turns "txt.exe" around) — refused in a file, removed from what a worker types
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def neutral(value: Any) -> Any:
    """A value typed by a worker (or a mapping or list of them) with every bidi control removed."""
    if isinstance(value, str):
        return BIDI_CONTROLS.sub("", value)
    if isinstance(value, dict):
        return {k: neutral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [neutral(v) for v in value]
    return value


MAX_TEXT = 20_000  # characters of one typed value (a log entry, a description): longer goes into a document


def check_value(f: Field, v: Any, typed: bool = True) -> Any:
    """The value field `f` may hold (an empty one becomes the field's default), or ValueError(code) —
    the one set of rules for a single value: the validators of the generated models (`schema.py`) and
    the assignments of the edit path (`views.Record`) both call it. `typed`: `v` must already be of the
    field's type (a command's value; a file's text is converted by pydantic first)."""
    if v is None or (isinstance(v, str) and not v.strip() and f.kind != "longtext") or (f.kind == "texts" and v == []):
        if f.required:
            raise ValueError("required")
        return [] if f.kind in ("list", "texts") else f.default
    if typed and f.kind in VALUE_TYPES and (not isinstance(v, VALUE_TYPES[f.kind])
                                            or (isinstance(v, bool) and f.kind in ("int", "number", "ref"))):
        raise ValueError(f"type:{f.kind}")
    if f.kind == "texts":
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            raise ValueError("type:texts")
        return [neutral(x.strip()) for x in v]
    if typed and isinstance(v, str) and len(v) > MAX_TEXT and f.key != "sealed":
        raise ValueError("too_long")  # the reader's file limit is reached long before: refused before writing
    if isinstance(v, str) and BIDI_CONTROLS.search(v):
        if not typed:
            raise ValueError("bidi_control")
        v = neutral(v)
    if f.kind == "choice" and v not in VOCABULARIES[f.vocab or ""]:
        raise ValueError(f"choice:{f.vocab}")
    if f.check and (typed or f.kind in ("text", "longtext")) and not CHECKS[f.check][0](v):
        raise ValueError(CHECKS[f.check][1])
    if f.check in ("phone", "israeli_id") and isinstance(v, str):
        v = ascii_digits(v)  # stored as ASCII digits, whatever keyboard typed them
    return v


WORKER_FIELDS = (Field("name", "text"), Field("role", "choice", vocab="role"))
BODY_FIELDS = (Field("org", "text", flag="--body"), Field("contact", "text"), Field("details", "text"))
BARRIER_FIELDS = (Field("kind", "choice", vocab="barrier", flag="--barrier-kind", label="field.barrier_kind"),
                  Field("where", "text", flag="--barrier"))
ACTION_FIELDS = (
    Field("id", "ref", required=True),
    Field("what", "text", required=True, flag="--action"),
    Field("who", "choice", vocab="who", flag="--who"),
    Field("person", "text", flag="--person", label="field.action_person"),  # the worker code it waits on
    Field("due", "date", flag="--due"),
    Field("body", "text", flag="--body", label="field.org"),
    Field("agreed", "bool", default=False, flag="--agreed"),
    Field("done", "date"),
    Field("cancelled", "date", label="field.action_cancelled"),  # `amend ID actions.N --cancel`: not to be done
)
LOG_FIELDS = (
    Field("date", "date", required=True, past=True, flag="--date"),
    Field("kind", "choice", vocab="kind", default="note", flag="--kind"),
    Field("text", "longtext", default="", flag="TEXT"),
    Field("by", "text"),
    Field("action", "ref", flag="--done"),
    Field("body", "text", flag="--body", label="field.org"),
    Field("meeting", "choice", vocab="meeting", flag="--meeting"),  # an accompaniment: where it went
    # a correction (`zchuyot correct ID N`): the entry it corrects (its place, and the text it had), and
    # the new values; the corrected entry stays in the file as it was
    Field("corrects", "int", show=False, label="field.log"), Field("was", "longtext", show=False, label="field.text"),
    Field("fix_date", "date", past=True, flag="--date", show=False, label="field.date"),
    Field("fix_kind", "choice", vocab="kind", flag="--kind", show=False, label="field.kind"),
    Field("fix_text", "longtext", flag="--text", show=False, label="field.text"),
    # an amendment (`zchuyot amend ID FIELD VALUE`): the field it amended (`was` keeps what it held)
    Field("amends", "text", show=False, label="field.amends"),
)
# a record's sub-fields written only when they have a value (every other sub-field is written, empty until
# filled): a log entry's optional links and a correction's fields; a reopened outcome's `until`
WRITTEN_WHEN_SET: dict[str, frozenset[str]] = {
    "log": frozenset({"action", "body", "meeting", "corrects", "was", "fix_date", "fix_kind", "fix_text", "amends"}),
    "outcome": frozenset({"until", "right"}),
    "actions": frozenset({"person", "cancelled"}),
    "referrals": frozenset({"due", "uid"}),
    "members": frozenset({"name", "born", "gender", "id_number", "disability", "receives"}),
    "documents": frozenset({"date", "note", "bytes"}),
}
# a referral to a partner (a volunteer, a student, a legal clinic…) and the partner's feedback on it
FEEDBACK_FIELDS = (
    Field("date", "date", required=True, past=True, flag="--date"),
    Field("by", "text"),
    Field("text", "longtext", required=True, flag="TEXT"),
)
REFERRAL_FIELDS = (
    Field("id", "ref", required=True),
    # the referral's identity (made where it is created, the same in every clone): the merge matches by it
    Field("uid", "text", show=False),
    Field("to", "text", required=True, check="slug", flag="--to", label="field.partner"),
    Field("date", "date", required=True, past=True, flag="--date"),
    Field("ask", "longtext", required=True, flag="--ask"),
    Field("due", "date", flag="--due"),
    Field("status", "choice", vocab="referral_status", default="open", label="field.referral_status"),
    Field("feedback", "list", sub=FEEDBACK_FIELDS, same=("date", "by", "text"), show=False),
)
# a document attached to the issue (`zchuyot attach`): a scan of a refusal, a medical summary, pay slips —
# stored in the family's folder (documents/), sealed with the family's key when the department encrypts
DOCUMENT_FIELDS = (
    Field("id", "ref", required=True),
    Field("kind", "choice", vocab="doc_kind", default="other", flag="--kind", label="field.doc_kind"),
    Field("date", "date", past=True, flag="--date"),
    Field("file", "text", required=True, show=False),
    Field("type", "text", label="field.doc_type"),
    Field("bytes", "int", show=False),
    Field("note", "text", flag="--note"),
    Field("added", "date", label="field.doc_added"),
)
DEADLINE_FIELDS = (Field("key", "text", required=True, flag="--deadline", show=False), Field("name", "text"),
                   Field("from", "date"), Field("due", "date", required=True))
POLICY_FIELDS = (Field("flag", "bool", default=False), Field("note", "text", flag="--flag"))
OUTCOME_FIELDS = (
    Field("benefit", "text", flag="--benefit"),
    Field("right", "text", label="field.outcome_right"),  # the checklist's key (rights.yaml) of what was won
    Field("kind", "choice", vocab="outcome_kind", flag="--kind"),
    Field("amount", "number", check="not_negative", flag="--amount"),
    Field("period", "choice", vocab="period", flag="--period"),
    Field("from", "date"),
    Field("until", "date", label="field.outcome_until"),  # the issue was reopened: the benefit was lost then
)

ISSUE: tuple[Field, ...] = (
    Field("id", "text", required=True, check="id"),
    Field("family", "text", required=True, check="slug", flag="--family"),
    Field("opened", "date", form=True, required=True, past=True, flag="--date"),
    Field("subject", "text", form=True, required=True, flag="--subject"),
    Field("worker", "map", form=True, sub=WORKER_FIELDS),
    Field("domain", "choice", form=True, vocab="domain", required=True, flag="--domain"),
    Field("domain_other", "text", form=True, flag="--domain-other"),
    Field("description", "longtext", form=True, flag="--description"),
    Field("bodies", "list", form=True, step="collect", sub=BODY_FIELDS, flag="--body", same=("org",)),
    Field("need", "text", step="listen", flag="--need"),
    Field("right", "text", step="listen", flag="--right"),
    Field("source", "choice", vocab="source", step="listen", flag="--source"),
    Field("priority", "int", step="list", flag="--priority"),
    Field("urgency", "choice", vocab="urgency", step="list", flag="--urgency"),
    Field("problem", "longtext", step="collect", flag="--problem"),
    Field("claim_number", "text", step="collect", flag="--claim-number"),  # the body's file or claim number
    Field("history", "choice", vocab="history", step="collect", flag="--history"),
    Field("barrier", "map", step="collect", sub=BARRIER_FIELDS),
    Field("actions", "list", step="plan", sub=ACTION_FIELDS, same=("id",)),
    Field("referrals", "list", step="treat", sub=REFERRAL_FIELDS, same=("id",)),
    Field("documents", "list", step="collect", sub=DOCUMENT_FIELDS, same=("id",)),
    Field("log", "list", form=True, step="treat", sub=LOG_FIELDS, same=("date", "kind", "text", "by")),
    Field("deadlines", "list", step="persist", sub=DEADLINE_FIELDS, same=("key", "from")),
    Field("next_followup", "date", step="followup", flag="--next"),
    Field("policy", "map", step="policy", sub=POLICY_FIELDS),
    Field("step", "choice", vocab="step"),
    Field("status", "choice", form=True, vocab="status", default="open", flag="--status"),
    Field("status_reason", "text", form=True),
    Field("closed", "date"),
    Field("insights", "longtext", form=True, flag="--insights"),
    Field("outcome", "map", sub=OUTCOME_FIELDS),
)

# a member of the household (issue 27): who they are to the family, and the facts the rights questions need
MEMBER_FIELDS = (
    Field("n", "int", required=True, label="field.member_n"),
    Field("relation", "choice", vocab="relation", required=True, flag="--relation"),
    Field("name", "text", flag="--name", label="field.member_name"),
    Field("born", "int", check="birth_year", flag="--born"),
    Field("gender", "choice", vocab="gender", flag="--gender"),
    Field("id_number", "text", check="israeli_id", flag="--id-number"),
    Field("disability", "int", check="percent", flag="--disability"),
    Field("receives", "texts", flag="--receives"),
)
FAMILY: tuple[Field, ...] = (
    Field("code", "text", required=True),
    Field("name", "text", flag="--name"),
    Field("phone", "text", check="phone", flag="--phone"),
    Field("id_number", "text", check="israeli_id", flag="--id-number"),
    Field("gender", "choice", vocab="gender", flag="--gender", label="field.client_gender"),
    Field("address", "text", flag="--address"),
    Field("members", "list", sub=MEMBER_FIELDS, same=("n",)),
    Field("notes", "longtext"),
    # encryption at rest (keys.py): the family's public data key and its personal fields sealed with it
    Field("key", "text"),
    Field("sealed", "longtext"),
    Field("waivers", "list", sub=(
        Field("bodies", "texts", required=True, flag="--body", label="field.waiver_bodies"),
        Field("signed", "date", required=True, past=True, flag="--signed"),
        Field("expires", "date", flag="--expires"),
    ), same=("signed",)),
)


@dataclass(frozen=True)
class Rule:
    """A rule between fields of the form: `broken(issue)` says it is broken; the problem is `code`, about
    `field` (the one to fill), pointed at the line of `because` (the field whose value asks for it)."""

    code: str
    field: str
    because: str
    broken: Callable[[Any], bool]


def _blank(v: Any) -> bool:
    return not (v or "").strip()


RULES: tuple[Rule, ...] = (
    Rule("domain_other", "domain_other", "domain", lambda i: i.domain == "other" and _blank(i.domain_other)),
    Rule("status_reason_stopped", "status_reason", "status",
         lambda i: i.status == "stopped" and _blank(i.status_reason)),
    Rule("status_reason_referred", "status_reason", "status",
         lambda i: i.status == "referred" and _blank(i.status_reason)),
    Rule("priority", "priority", "priority", lambda i: i.priority is not None and i.priority < 1),
)


def broken_rules(issue: Any) -> list[Rule]:
    """The form's rules that this issue (a model, a view, or anything with the fields) breaks."""
    return [r for r in RULES if r.broken(issue)]


# ---------------------------------------------------------------- derived tables
ISSUE_KEYS: tuple[str, ...] = tuple(f.key for f in ISSUE)
FAMILY_KEYS: tuple[str, ...] = tuple(f.key for f in FAMILY)
BY_KEY: dict[str, Field] = {f.key: f for f in ISSUE}
FAMILY_BY_KEY: dict[str, Field] = {f.key: f for f in FAMILY}
SUBKEYS: dict[str, tuple[str, ...]] = {f.key: f.sub_keys for f in ISSUE if f.sub}
LISTS: tuple[str, ...] = tuple(f.key for f in ISSUE if f.kind == "list")
MAPS: tuple[str, ...] = tuple(f.key for f in ISSUE if f.kind == "map")
# how the records of each list are told apart: an action by its id, a log entry by its date, kind, text
# and author, a body by its organisation, a legal clock by its key and start
SAME: dict[str, tuple[str, ...]] = {f.key: f.same for f in ISSUE if f.kind == "list"}


def identity(field: str, record: dict[str, Any]) -> tuple[Any, ...]:
    """What tells this record of a list apart from the others (texts compared without outer spaces)."""
    return identity_of(SAME[field], record)


def identity_of(same: tuple[str, ...], record: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(v.strip() if isinstance(v, str) else v for v in (record.get(k) for k in same))


FEEDBACK_SAME = next(f.same for f in REFERRAL_FIELDS if f.key == "feedback")
_UID_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed without doubt


def new_uid() -> str:
    """A new referral's identity: 6 letters and digits, random (about 30 bits: unique across clones)."""
    import secrets

    return "".join(secrets.choice(_UID_LETTERS) for _ in range(6))


def referral_uid(r: dict[str, Any]) -> str:
    """A referral's identity: its own `uid`, or — a referral made before referrals had one — one derived from
    what it is (partner, date, ask), so that every clone gives it the same."""
    if r.get("uid"):
        return str(r["uid"])
    import hashlib

    what = "|".join(str(r.get(k) or "").strip() for k in ("to", "date", "ask"))
    digest = hashlib.sha256(what.encode()).digest()
    return "".join(_UID_LETTERS[b % len(_UID_LETTERS)] for b in digest[:6])


def field_at(path: tuple[Any, ...], fields: tuple[Field, ...] = ISSUE) -> Field | None:
    """The field at a path of keys and list positions: ("log", 3, "date") → the log's date field."""
    found: Field | None = None
    table = {f.key: f for f in fields}
    for part in path:
        if isinstance(part, int):
            continue
        found = table.get(str(part))
        if found is None:
            return None
        table = {f.key: f for f in found.sub}
    return found


def flag_of(key: str) -> str | None:
    """The command-line flag that gives a field (`domain_other` → `--domain-other`), by key or dotted path."""
    f = field_at(tuple(key.split("."))) or FAMILY_BY_KEY.get(key) or field_at(tuple(key.split(".")), FAMILY)
    return f.flag if f else None


def dated_fields(issue: Any) -> list[tuple[tuple[Any, ...], str]]:
    """The dates of an issue that cannot be in the future, as (path, YYYY-MM-DD): the fields marked `past`."""
    out: list[tuple[tuple[Any, ...], str]] = []
    for f in ISSUE:
        value = getattr(issue, f.attr, None)
        if f.past and value is not None:
            out.append(((f.key,), value.isoformat()))
        elif f.kind == "list" and value:
            for sf in (s for s in f.sub if s.past):
                out += [((f.key, n, sf.key), getattr(x, sf.attr).isoformat())
                        for n, x in enumerate(value) if getattr(x, sf.attr, None) is not None]
    return out


# the columns of `export --format csv`: the form's plain fields, then a few derived counts
def _orgs(d: dict[str, Any]) -> str:
    return "; ".join(b.get("org") or "" for b in d.get("bodies") or [] if isinstance(b, dict))


def _log(d: dict[str, Any], kind: str | None = None) -> int:
    return sum(1 for e in d.get("log") or [] if isinstance(e, dict) and (kind is None or e.get("kind") == kind))


def _sub(key: str, sub: str) -> Callable[[dict[str, Any]], Any]:
    return lambda d: (d.get(key) if isinstance(d.get(key), dict) else {}).get(sub)


CSV_COLUMNS: tuple[tuple[str, Callable[[dict[str, Any]], Any]], ...] = (
    *((k, (lambda d, k=k: d.get(k))) for k in ("id", "family", "opened", "subject", "domain", "domain_other",
                                                 "status", "status_reason", "step", "need", "right", "history")),
    ("barrier_kind", _sub("barrier", "kind")), ("barrier_where", _sub("barrier", "where")),
    ("bodies", _orgs), ("actions", lambda d: len(d.get("actions") or [])), ("log_entries", _log),
    ("accompaniments", lambda d: _log(d, "accompaniment")), ("refusals", lambda d: _log(d, "refusal")),
    ("benefit", _sub("outcome", "benefit")), ("outcome_kind", _sub("outcome", "kind")),
    ("amount", _sub("outcome", "amount")), ("period", _sub("outcome", "period")),
    ("insights", lambda d: d.get("insights")),
)
