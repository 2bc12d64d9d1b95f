"""The department's directory (networking, רישות): the bodies with their contact people, and the partners
the department refers to — volunteers, students, legal clinics, lawyers, organizations.

Two files in the workspace, synced like the cases (`directory/bodies.yaml`, `directory/partners.yaml`),
made by `init` from the shipped starters in templates/; a workspace made before them reads the starter
until its first change. A body is `{key, name, aliases, kind, contacts: [{person, role, phone, email,
note, added}]}` (contacts are officials, never clients); a partner `{key, name, kind, domains, worker,
contact}`. Aliases and keys make one body count once everywhere (`canonical`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zchuyot.case.file import WriteResult, read_text, write_atomic
from zchuyot.case.form import DOMAINS, PARTNER_KINDS, normalize_phone
from zchuyot.errors import DataError, InputError, ZError
from zchuyot.practice.knowledge import BodyDirectory
from zchuyot.workspace.store import (
    DIRECTORY_STARTERS,
    Workspace,
    check_slug,
    directory_entries,
    directory_source,
)

DIRECTORY = "directory"
BODIES = f"{DIRECTORY}/bodies.yaml"
PARTNERS = f"{DIRECTORY}/partners.yaml"
STARTERS = DIRECTORY_STARTERS
BODY_KINDS = ("government", "municipality", "housing_company", "health", "organization", "company", "other")


@dataclass(frozen=True)
class Contact:
    person: str
    role: str = ""
    phone: str = ""
    email: str = ""
    note: str = ""
    added: str = ""


@dataclass(frozen=True)
class Body:
    key: str
    name: str
    kind: str = "other"
    aliases: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    address: str = ""  # where its letters go (postal address), and its fax
    fax: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "kind": self.kind, "aliases": list(self.aliases),
                "contacts": [{k: v for k, v in c.__dict__.items() if v} for c in self.contacts]}


@dataclass(frozen=True)
class Partner:
    key: str
    name: str
    kind: str
    domains: tuple[str, ...] = ()
    worker: str = ""
    contact: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "kind": self.kind, "domains": list(self.domains),
                "worker": self.worker or None, "contact": self.contact or None}


# ---------------------------------------------------------------- reading
def _texts(v: Any) -> tuple[str, ...]:
    return tuple(str(x) for x in v) if isinstance(v, list) else ()


def bodies(ws: Workspace) -> list[Body]:
    out = []
    for _, e in directory_entries(ws.root, BODIES):
        contacts = tuple(Contact(**{k: str(c.get(k) or "") for k in Contact.__dataclass_fields__})
                         for c in e.get("contacts") or [] if isinstance(c, dict) and c.get("person"))
        out.append(Body(str(e["key"]), str(e["name"]), str(e.get("kind") or "other"), _texts(e.get("aliases")),
                        contacts, str(e.get("address") or ""), str(e.get("fax") or "")))
    return out


def partners(ws: Workspace) -> list[Partner]:
    return [Partner(str(e["key"]), str(e["name"]), str(e.get("kind") or "organization"), _texts(e.get("domains")),
                    str(e.get("worker") or ""), str(e.get("contact") or ""))
            for _, e in directory_entries(ws.root, PARTNERS)]


def names(ws: Workspace) -> BodyDirectory:
    """Every way a body is written (its key, name and aliases) → its name: one body counts once."""
    return BodyDirectory([{"name": b.name, "aliases": [b.key, *b.aliases]} for b in bodies(ws)])


def display_names(ws: Workspace) -> Callable[[str], str]:
    """A body's or a partner's key as people read it: "חברת החשמל" for `electric_company`, the partner's name
    for its key (`p:KEY` too); anything unknown as it is written."""
    try:
        body_names = names(ws)
        partner_names = {p.key: p.name for p in partners(ws)}
    except ZError:
        return lambda key: key

    def named(key: str) -> str:
        bare = key[2:] if key.startswith("p:") else key
        return partner_names.get(bare) or body_names.canonical(key)

    return named


def find_body(ws: Workspace, text: str) -> Body:
    """A body by its key, name or an alias; anything else is one line with did-you-mean."""
    known = bodies(ws)
    name = BodyDirectory([{"name": b.name, "aliases": [b.key, *b.aliases]} for b in known]).known(text)
    for b in known:
        if b.name == name:
            return b
    from zchuyot.text.labels import t

    near = near_body(known, text)
    raise InputError("err.unknown_body", value=text, near_text=t("err.near_text", near=near) if near else "",
                     options=", ".join(b.key for b in known))


def near_body(known: list[Body], text: str) -> str:
    """The nearest keys or names to a mistyped body ('' if none is near)."""
    words = {w: b.name for b in known for w in (b.key, b.name, *b.aliases)}
    near = difflib.get_close_matches(text.strip(), list(words), n=3, cutoff=0.6)
    return ", ".join(dict.fromkeys(words[w] for w in near))


def find_partner(ws: Workspace, key: str) -> Partner:
    known = partners(ws)
    for p in known:
        if p.key == key.strip():
            return p
    near = difflib.get_close_matches(key.strip(), [p.key for p in known], n=3, cutoff=0.5)
    if not known:
        raise InputError("err.no_partners", value=key)
    raise InputError("err.unknown_partner_near" if near else "err.unknown_partner", value=key,
                     near=", ".join(near), options=", ".join(f"{p.key} ({p.name})" for p in known))


def partners_of(ws: Workspace, worker: str) -> list[str]:
    """The keys of the partners that are this worker of the workspace (her referrals are on her screen)."""
    try:
        return [p.key for p in partners(ws) if p.worker == worker]
    except DataError:
        return []


# ---------------------------------------------------------------- writing
def _edit(ws: Workspace, rel: str, change: Callable[[Any], str], message: str) -> WriteResult:
    """Change a directory file through its round-trip document (comments kept), atomically, one commit."""
    from zchuyot.case import yamlio
    from zchuyot.case.file import make_private_dirs

    with ws.lock("directory"):
        src = directory_source(ws.root, rel)
        doc = yamlio.parse(read_text(src))
        if doc is None:
            from ruamel.yaml.comments import CommentedSeq

            doc = CommentedSeq()
        what = change(doc)
        path = ws.root / rel
        make_private_dirs(path.parent, ws.root)
        write_atomic(path, yamlio.dump(doc))
    result = WriteResult("", path)
    ws.commit([path], message.format(what=what), result)
    return result


def _mapping(values: dict[str, Any]) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    m = CommentedMap()
    for k, v in values.items():
        if isinstance(v, (list, tuple)):
            seq = CommentedSeq(v)
            seq.fa.set_flow_style()
            m[k] = seq
        elif v not in (None, ""):
            m[k] = v
    return m


def _text(value: str | None, what: str) -> str:
    v = (value or "").strip()
    if not v:
        raise InputError("err.empty_value", what=what)
    return v


def add_body(ws: Workspace, name: str, key: str | None = None, aliases: list[str] | None = None,
             kind: str | None = None, address: str | None = None, fax: str | None = None) -> WriteResult:
    ws.require_worker()
    name = _text(name, "name")
    known = bodies(ws)
    key = (key or "").strip() or _key_for(name, {b.key for b in known})
    check_slug(key, "body")
    kind = kind or "other"
    if kind not in BODY_KINDS:
        raise InputError("err.bad_choice", value=kind, flag="--kind", suggest="", options=", ".join(BODY_KINDS))
    taken = names(ws)
    for word in (key, name, *(aliases or [])):
        if taken.known(word):
            raise InputError("err.body_exists", value=word, name=taken.known(word))
    _check_fax(fax)
    entry = _mapping({"key": key, "name": name, "kind": kind, "aliases": [a.strip() for a in aliases or []
                                                                         if a.strip()],
                      "address": (address or "").strip() or None, "fax": (fax or "").strip() or None,
                      "contacts": []})

    def change(doc: Any) -> str:
        doc.append(entry)
        return key

    return _edit(ws, BODIES, change, "zchuyot body add: {what}")


def _check_fax(fax: str | None) -> None:
    if fax and fax.strip() and normalize_phone(fax) is None:
        raise InputError("err.bad_phone_value", value=fax)


def edit_body(ws: Workspace, body: str, address: str | None = None, fax: str | None = None) -> WriteResult:
    """Where a body's letters go: its postal address and fax (`zchuyot letter` prints them under "לכבוד")."""
    ws.require_worker()
    b = find_body(ws, body)
    if address is None and fax is None:
        raise InputError("err.body_edit_nothing")
    _check_fax(fax)

    def change(doc: Any) -> str:
        for item in doc:
            if isinstance(item, dict) and str(item.get("key")) == b.key:
                for k, v in (("address", address), ("fax", fax)):
                    if v is not None:
                        item[k] = v.strip() or None
                return b.key
        raise InputError("err.unknown_body", value=body, near_text="", options="")

    return _edit(ws, BODIES, change, "zchuyot body edit: {what}")


def _key_for(name: str, taken: set[str]) -> str:
    base = "body"
    n = len(taken) + 1
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def add_contact(ws: Workspace, body: str, person: str, role: str | None = None, phone: str | None = None,
                email: str | None = None, note: str | None = None, today: str = "") -> WriteResult:
    """A contact person at a body (an official): the people who open doors."""
    ws.require_worker()
    b = find_body(ws, body)
    person = _text(person, "person")
    if phone and normalize_phone(phone) is None:
        raise InputError("err.bad_phone_value", value=phone)
    if email and ("@" not in email or " " in email.strip()):
        raise InputError("err.bad_email", value=email)
    if any(c.person == person for c in b.contacts):
        raise InputError("err.contact_exists", person=person, body=b.name)
    entry = _mapping({"person": person, "role": role, "phone": phone, "email": email, "note": note,
                      "added": today})

    def change(doc: Any) -> str:
        for item in doc:
            if isinstance(item, dict) and str(item.get("key")) == b.key:
                if not isinstance(item.get("contacts"), list):
                    from ruamel.yaml.comments import CommentedSeq

                    item["contacts"] = CommentedSeq()
                item["contacts"].append(entry)
                return b.key
        raise InputError("err.unknown_body", value=body, near_text="", options="")

    return _edit(ws, BODIES, change, "zchuyot body contact: {what}")


def add_partner(ws: Workspace, key: str, name: str, kind: str, domains: list[str] | None = None,
                worker: str | None = None, contact: str | None = None) -> WriteResult:
    ws.require_worker()
    key = check_slug(key.strip(), "partner")
    name = _text(name, "name")
    if kind not in PARTNER_KINDS:
        raise InputError("err.bad_choice", value=kind, flag="--kind", suggest="", options=", ".join(PARTNER_KINDS))
    for d in domains or []:
        if d not in DOMAINS:
            raise InputError("err.bad_choice", value=d, flag="--domain", suggest="", options=", ".join(DOMAINS))
    if worker:
        ws.check_worker(worker)
    if any(p.key == key for p in partners(ws)):
        raise InputError("err.partner_exists", value=key)
    entry = _mapping({"key": key, "name": name, "kind": kind, "domains": list(domains or []), "worker": worker,
                      "contact": contact})

    def change(doc: Any) -> str:
        doc.append(entry)
        return key

    return _edit(ws, PARTNERS, change, "zchuyot partner add: {what}")


# ---------------------------------------------------------------- what the issues say of a body
@dataclass
class BodyActivity:
    body: Body
    issues: list[dict[str, Any]] = field(default_factory=list)  # {id, family, worker, subject, status}
    refusals: int = 0
    won: int = 0
    yearly: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {**self.body.as_json(), "issues": self.issues, "refusals": self.refusals,
                "won": {"count": self.won, "yearly_total": int(self.yearly) if self.yearly.is_integer()
                        else round(self.yearly, 2)}}


def activity(ws: Workspace, key: str) -> tuple[BodyActivity, list[Any]]:
    """Which issues involved the body (a body of the issue, a log entry's or an action's body), its
    refusals, and what was won through it (ended issues with a benefit: count, ₪ a year) — every worker's."""
    b = find_body(ws, key)
    canon = names(ws)
    act = BodyActivity(b)
    issues, errors = ws.stream_issues(None)
    for rec in issues:
        i = rec.issue
        orgs = [x.org for x in i.bodies if x.org] + [e.body for e in i.log if getattr(e, "body", None)]
        if not any(canon.canonical(o) == b.name for o in orgs):
            continue
        act.issues.append({"id": i.id, "family": i.family, "worker": rec.worker_dir, "subject": i.subject,
                           "status": i.status})
        act.refusals += sum(1 for e in i.log if e.kind == "refusal" and e.body and canon.canonical(e.body) == b.name)
        o = i.outcome
        if i.status == "ended" and o is not None and o.benefit and o.until is None:
            act.won += 1
            act.yearly += float(o.amount or 0) * (12 if o.period == "monthly" else 1)
    act.issues.sort(key=lambda x: (x["status"] != "open", x["id"]))
    return act, errors
