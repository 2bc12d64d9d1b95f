"""The workers' age keys (encryption at rest, issue 17 — the foundation).

Each worker has an age X25519 identity on her own computer, in the user's config directory (0600, never in
the repository: `<config>/identities/<worker>.key`), and publishes its public key to the department as
`keys/<worker>.pub` (tracked, synced). The age format and its cryptography are pyrage's (the Rust `age`
crate) — nothing here is hand-made: this module only finds, makes, publishes and reads keys, and encrypts
and decrypts through pyrage with clear errors.

Who may read a family's personal data (the recipients, DESIGN §6): the family's worker, every worker with
role `rights`, and a partner while it holds an open referral for the family covered by a valid waiver.
`recipients_for` says it once; the encryption of the family files builds on it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zchuyot.case.file import WriteResult, make_private_dirs, read_text, write_atomic
from zchuyot.errors import DataError, InputError, WorkspaceError
from zchuyot.workspace.store import Workspace, user_config_dir

KEYS_DIR = "keys"


def identity_path(worker: str) -> Path:
    return user_config_dir() / "identities" / f"{worker}.key"


def public_path(ws: Workspace, worker: str) -> Path:
    return ws.root / KEYS_DIR / f"{worker}.pub"


@dataclass(frozen=True)
class KeyInfo:
    worker: str
    name: str
    role: str
    public: str | None  # the published public key (age1…), or None
    here: bool  # this computer holds the worker's identity

    def as_json(self) -> dict[str, Any]:
        return {"worker": self.worker, "name": self.name, "role": self.role, "public_key": self.public,
                "identity_on_this_computer": self.here, "reads": reads(self.role)}


def reads(role: str) -> str:
    """What a worker of this role may read (the recipient rules): rights workers every family; others the
    families they serve (and a partner, the families it holds a covered referral for)."""
    return "all_families" if role == "rights" else "own_families"


def init_keys(ws: Workspace) -> tuple[WriteResult, str, bool]:
    """This worker's identity (made once, kept: a lost identity loses what only it can open) and its public
    key published to `keys/<worker>.pub` and committed. Returns (result, public key, made now)."""
    from pyrage import x25519

    worker = ws.require_worker()
    path = identity_path(worker)
    made = False
    if path.exists():
        identity = load_identity(worker)
    else:
        identity = x25519.Identity.generate()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        write_atomic(path, f"# zchuyot: {worker}'s age identity — keep it secret, never share it\n{identity}\n")
        os.chmod(path, 0o600)
        made = True
    public = str(identity.to_public())
    pub = public_path(ws, worker)
    result = WriteResult(worker, pub)
    if not pub.is_file() or _read_public(pub) != public:
        make_private_dirs(pub.parent, ws.root)
        os.chmod(pub.parent, 0o755)  # public keys are for everyone in the department
        write_atomic(pub, f"# zchuyot: {worker}'s public key (age)\n{public}\n")
        os.chmod(pub, 0o644)
        ws.commit([pub], f"zchuyot keys init: {worker}", result)
    return result, public, made


def load_identity(worker: str) -> Any:
    """This computer's identity of the worker; one clear line when it is missing or broken."""
    from pyrage import IdentityError, x25519

    path = identity_path(worker)
    try:
        text = read_text(path)
    except (OSError, DataError):
        raise WorkspaceError("err.no_identity", worker=worker, path=str(path)) from None
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    try:
        return x25519.Identity.from_str(lines[0])
    except (IndexError, IdentityError, ValueError):
        raise WorkspaceError("err.bad_identity", worker=worker, path=str(path)) from None


def _read_public(path: Path) -> str | None:
    try:
        lines = [ln.strip() for ln in read_text(path).splitlines() if ln.strip() and not ln.startswith("#")]
    except (OSError, DataError):
        return None
    return lines[0] if lines else None


def public_keys(ws: Workspace) -> dict[str, str]:
    """Worker → published public key (age1…), each checked: a key that does not read is one line naming it.
    In a department that signs, the keys bound to the roster by an admin (a file in keys/ is only a request)."""
    from pyrage import RecipientError, x25519

    out: dict[str, str] = {}
    if ws.signed:
        for m in ws.roster.members.values():
            if m.approved and m.age:
                try:
                    x25519.Recipient.from_str(m.age)
                except (RecipientError, ValueError):
                    raise DataError("err.bad_public_key", file=".zchuyot.yaml", line=1, worker=m.code) from None
                out[m.code] = m.age
        return out
    folder = ws.root / KEYS_DIR
    for p in sorted(folder.glob("*.pub")) if folder.is_dir() else []:
        key = _read_public(p)
        try:
            x25519.Recipient.from_str(key or "")
        except (RecipientError, ValueError):
            raise DataError("err.bad_public_key", file=ws.rel(p), line=1, worker=p.stem) from None
        out[p.stem] = key or ""
    return out


def key_list(ws: Workspace) -> list[KeyInfo]:
    """Every worker of the department with her published key and whether this computer holds her identity."""
    published = public_keys(ws)
    workers = ws.settings.get("workers") or {}
    out = []
    for w in sorted({*map(str, workers), *published}):
        info = ws.worker_info(w)
        out.append(KeyInfo(w, info["name"], info["role"], published.get(w), identity_path(w).is_file()))
    return out


def recipients_for(ws: Workspace, family_worker: str, partner_workers: list[str] | None = None) -> dict[str, str]:
    """The recipients of a family's personal data (worker → public key): the family's worker, every rights
    worker, and the partners' workers given (those holding an open referral covered by a waiver). A
    recipient with no published key yet is a clear error: nothing is encrypted to fewer people than the
    rule says."""
    published = public_keys(ws)
    wanted = dict.fromkeys([family_worker, *ws.workers_of_role("rights"), *(partner_workers or [])])
    if ws.signed:  # a member waiting for approval is no recipient yet: `worker approve` grants her the families
        roster = ws.roster.members
        wanted = {w: None for w in wanted if w in roster and roster[w].approved}  # no key: no recipient
    missing = [w for w in wanted if w not in published]
    if missing:
        raise InputError("err.no_public_key", workers=", ".join(missing))
    if not wanted:  # nobody the rule names holds a key: sealing would lock the family away from everyone
        raise InputError("err.no_recipients", worker=family_worker)
    return {w: published[w] for w in wanted}


def encrypt(data: bytes, recipients: dict[str, str]) -> bytes:
    """`data` encrypted to every recipient (age, ASCII-armored so the file stays text in git)."""
    import pyrage
    from pyrage import x25519

    return pyrage.encrypt(data, [x25519.Recipient.from_str(k) for k in recipients.values()], armored=True)


def decrypt(data: bytes, worker: str, what: str) -> bytes:
    """`data` decrypted with this computer's identity of `worker`; a worker who is not a recipient gets one
    clear line naming `what` (a family code) — never a traceback."""
    import pyrage

    identity = load_identity(worker)
    try:
        return pyrage.decrypt(data, [identity])
    except pyrage.DecryptError:
        raise WorkspaceError("err.not_recipient", what=what) from None


# ---------------------------------------------------------------- the families' personal data, sealed
FAMILY_KEYS = f"{KEYS_DIR}/families"
# the fields of family.yaml that are sealed: who they are, where they live, the household and its facts
PII = ("name", "phone", "id_number", "gender", "address", "members", "notes")
_EMPTY = (None, "", [])


def encryption_on(ws: Workspace) -> bool:
    """The department encrypts its families' personal data (`zchuyot keys migrate` turns it on)."""
    return bool(ws.settings.get("encryption"))


def _wrapped(ws: Workspace, family: str) -> Path:
    return ws.root / FAMILY_KEYS / f"{family}.age"


def _listed(ws: Workspace, family: str) -> Path:
    return ws.root / FAMILY_KEYS / f"{family}.recipients"


def family_worker(ws: Workspace, family: str) -> str:
    """The worker whose folder holds the family's record (else this worker: the record is made there)."""
    from zchuyot.case.file import FAMILY_FILE

    for d in ws.family_dirs(family):
        if (d / FAMILY_FILE).is_file():
            return d.parent.name
    return ws.require_worker()


def referral_index(ws: Workspace) -> dict[str, list[str]]:
    """Family → the partner keys it holds an open referral to (from every open issue, read once)."""
    out: dict[str, list[str]] = {}
    for rec in ws.read_issues(None).issues:
        i = rec.issue
        if i.is_open:
            out.setdefault(i.family, []).extend(r.to for r in getattr(i, "referrals", None) or []
                                                if r.status == "open")
    return out


def family_recipients(ws: Workspace, family: str, index: dict[str, list[str]] | None = None) -> dict[str, str]:
    """Who may read the family now (worker → public key): its worker, the rights workers, and each partner
    that is a worker of the workspace while it holds an open referral for the family covered by a waiver
    of the family valid today."""
    from zchuyot.calendar import dates
    from zchuyot.case.file import FAMILY_FILE, covered_on, family_waivers
    from zchuyot.workspace.store import directory_entries

    today = dates.today()
    record = next((d / FAMILY_FILE for d in ws.family_dirs(family) if (d / FAMILY_FILE).is_file()), None)
    covered = covered_on(family_waivers(record) if record else [], today)
    workers = {str(e["key"]): str(e["worker"]) for _, e in directory_entries(ws.root, "directory/partners.yaml")
               if e.get("worker")}
    referred = (index if index is not None else referral_index(ws)).get(family, [])
    partners = [workers[to] for to in referred if to in workers and to in covered]
    return recipients_for(ws, family_worker(ws, family), partners)


def open_family_key(ws: Workspace, family: str) -> Any:
    """The family's data key, unwrapped with this worker's identity (one clear line if she is not a
    recipient, or the key is not here: `sync` brings it)."""
    from pyrage import x25519

    path = _wrapped(ws, family)
    try:
        if not path.is_file():
            raise WorkspaceError("err.no_family_key", family=family)
        secret = decrypt(path.read_bytes(), ws.require_worker(), family)
    except WorkspaceError as e:  # a denial is recorded too: who tried to open which family
        ws.log_access(f"denied ({e.key.removeprefix('err.')})", family, family)
        raise
    return x25519.Identity.from_str(secret.decode().strip())


def _wrap(ws: Workspace, family: str, identity: Any, recipients: dict[str, str]) -> None:
    """The family's data key written wrapped to the recipients, and the list of who they are (never committed
    to the branch: `sync` sends the key store, keystore.py)."""
    make_private_dirs(ws.root / FAMILY_KEYS, ws.root)
    write_atomic(_wrapped(ws, family), encrypt(f"{identity}\n".encode(), recipients).decode())
    write_atomic(_listed(ws, family), "".join(f"{w}\n" for w in sorted(recipients)))



def seal(ws: Workspace, family: str, pii: dict[str, Any], index: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The family's personal fields sealed with its data key (made, and wrapped to its recipients, the first
    time): the mapping to store ({key, sealed})."""

    return seal_with(family_key(ws, family, index), pii)


def family_key(ws: Workspace, family: str, index: dict[str, list[str]] | None = None) -> Any:
    """The family's data key — made and wrapped to its recipients the first time something of the family is
    sealed (its record, a letter, a document), opened with this worker's identity after that."""
    from pyrage import x25519

    if _wrapped(ws, family).is_file():
        return open_family_key(ws, family)
    identity = x25519.Identity.generate()
    _wrap(ws, family, identity, family_recipients(ws, family, index))
    return identity


def seal_with(identity: Any, pii: dict[str, Any]) -> dict[str, Any]:
    """{key, sealed}: the personal fields encrypted to the family's data key."""
    import json

    import pyrage

    plain = json.dumps({k: pii.get(k) for k in PII if pii.get(k) not in _EMPTY}, ensure_ascii=False)
    sealed = pyrage.encrypt(plain.encode(), [identity.to_public()], armored=True).decode()
    return {"key": str(identity.to_public()), "sealed": sealed}


def unseal(ws: Workspace, family: str, data: dict[str, Any], command: str) -> dict[str, Any]:
    """A family record with its sealed fields opened; the opening goes to the access log."""
    import json

    import pyrage

    if not data.get("sealed"):
        return data
    identity = open_family_key(ws, family)
    try:
        fields = json.loads(pyrage.decrypt(str(data["sealed"]).encode(), [identity]))
    except (pyrage.DecryptError, ValueError):
        raise WorkspaceError("err.not_recipient", what=family) from None
    ws.log_access(f"decrypt ({command})", family, family)  # every opening: who, which family, which command
    return {**{k: v for k, v in data.items() if k not in ("sealed",)}, **fields}


def family_keys_known(ws: Workspace, family: str) -> dict[str, Any]:
    """Every data key of the family this worker can open (its public key → the identity): the one here, and
    the department's as last fetched and as last agreed (keystore.py) — a key replaced on one side while
    the other edited the record offline leaves two, and the merge needs both."""
    from pyrage import x25519

    from zchuyot.workspace import keystore

    me = ws.require_worker(pending_ok=True)
    blobs = [_wrapped(ws, family).read_bytes()] if _wrapped(ws, family).is_file() else []
    blobs += [b for b in keystore.entries_of(ws, f"{family}.age") if b not in blobs]
    out: dict[str, Any] = {}
    for blob in blobs:
        try:
            identity = x25519.Identity.from_str(decrypt(blob, me, family).decode().strip())
        except (WorkspaceError, ValueError):
            continue
        out[str(identity.to_public())] = identity
    return out


def merge_opener(ws: Workspace, family: str) -> tuple[Any, Any]:
    """(open, seal) for the merge of a sealed family record: each side opened with the data key it was sealed
    with (its `key:`), the result sealed with the key the merged key store keeps — the side whose key changed
    since the base (a rotation wins, as keystore.merged lets it), else ours — so neither a rotation nor an
    offline edit is lost, and the record opens for its recipients."""
    import json

    import pyrage

    known = family_keys_known(ws, family)

    def open_(data: dict[str, Any]) -> dict[str, Any]:
        identity = known.get(str(data.get("key") or ""))
        if identity is None:
            raise WorkspaceError("err.not_recipient", what=family)
        try:
            fields = json.loads(pyrage.decrypt(str(data["sealed"]).encode(), [identity]))
        except (pyrage.DecryptError, ValueError):
            raise WorkspaceError("err.not_recipient", what=family) from None
        ws.log_access("decrypt (merge)", family, family)
        return {**{k: v for k, v in data.items() if k != "sealed"}, **fields, "sealed": None, "key": None}

    def seal_(data: dict[str, Any], sides: tuple[Any, Any, Any]) -> dict[str, Any]:
        if not any(data.get(k) not in _EMPTY for k in PII):
            return data
        b, o, t = sides
        pick = t if (t and t != b and o == b) else (o or t)  # as keystore.merged picks the wrapped key
        identity = known.get(str(pick or "")) or open_family_key(ws, family)
        return {**data, **dict.fromkeys(PII), **seal_with(identity, data)}

    return open_, seal_


def refresh(ws: Workspace, family: str, index: dict[str, list[str]] | None = None) -> bool:
    """The family's recipients follow the work: a new one gets the data key; when one leaves (a referral
    ended, a waiver expired) the key is replaced and the personal data sealed again with the new one, so a
    former recipient's copy of the old key opens nothing written from now on. True when they changed."""
    from zchuyot.case.file import FAMILY_FILE

    if not _wrapped(ws, family).is_file():
        return False
    now = family_recipients(ws, family, index)
    before = set(read_text(_listed(ws, family)).split()) if _listed(ws, family).is_file() else set()
    if set(now) == before:
        return False
    identity = open_family_key(ws, family)
    if before <= set(now):
        _wrap(ws, family, identity, now)
        return True
    record = next((d / FAMILY_FILE for d in ws.family_dirs(family) if (d / FAMILY_FILE).is_file()), None)
    if record is None:
        _wrap(ws, family, identity, now)
        return True
    me = ws.require_worker()
    if me != record.parent.parent.name and ws.worker_info(me)["role"] != "rights":
        # the record is the family worker's to seal again (trust.RULES): her next sync replaces the key
        raise WorkspaceError("err.not_recipient", what=family)
    from pyrage import x25519

    def rotate(data: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        fields = unseal(ws, family, data, "rotate")  # with the key being replaced
        fresh = x25519.Identity.generate()
        stored = seal_with(fresh, fields)  # sealed with the new key in hand (the leaving worker cannot open it)
        _wrap(ws, family, fresh, now)
        return {**new, **stored}

    ws.write_family(family, record.parent.parent.name, {}, "zchuyot keys: a family's key replaced", rotate)
    return True  # the record committed; the key goes with the next sync


def shred(ws: Workspace, family: str) -> None:
    """Purge is crypto-shredding: the family's wrapped data key destroyed here, and by the next `sync` in
    the department's key store and in every clone that syncs (keystore.py) — the family's sealed records in
    git history then open for nobody."""
    gone = [p for p in (_wrapped(ws, family), _listed(ws, family)) if p.is_file()]
    for p in gone:
        p.unlink()
    if gone:
        from zchuyot.workspace import keystore

        keystore.forget_old_keys(ws)  # this clone's copies of the key store that still held it
    # not committed: the next `sync` takes the deletion to the department's key store


def family_sealer(ws: Workspace, family: str, index: dict[str, list[str]] | None = None) -> Any:
    """How a family record's personal fields are stored: sealed with the family's data key when the
    department encrypts (or the record already is), plain otherwise."""
    def seal_(data: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        if not (encryption_on(ws) or data.get("sealed")):
            return new
        typed = {k: new.get(k) for k in PII if new.get(k) not in _EMPTY and new.get(k) != data.get(k)}
        if data.get("sealed") and not typed:
            return new  # nothing personal changed (a waiver): the sealed fields stay as they are
        old = unseal(ws, family, data, "family add") if data.get("sealed") else {}
        stored = seal(ws, family, {**old, **{k: new.get(k) for k in PII if new.get(k) not in _EMPTY}}, index)
        return {**{k: v for k, v in new.items() if k not in PII}, **dict.fromkeys(PII), **stored}

    return seal_


def migrate(ws: Workspace) -> tuple[WriteResult, list[str]]:
    """The department starts encrypting: the setting turned on and committed, then every family record
    that is still plain sealed with its own data key (one commit each). Returns the families sealed."""
    from zchuyot.case.file import FAMILY_FILE, parse_file
    from zchuyot.workspace.store import SETTINGS_FILE, set_setting

    worker = ws.require_worker()
    member = ws.roster.members.get(worker)
    if ws.signed and not (member is not None and member.admin):  # the settings are an admin's (trust.RULES)
        raise WorkspaceError("err.admin_only", worker=worker)
    public_keys(ws)  # every published key reads before anything is written
    result = WriteResult(worker, ws.root / SETTINGS_FILE)
    if set_setting(ws.root, "encryption", True):
        ws.commit([ws.root / SETTINGS_FILE], "zchuyot keys migrate: the families' personal data is encrypted",
                  result)
    ws.reload_settings()
    sealed, paths = [], []
    index = referral_index(ws)  # who holds a covered referral, read once for every family
    for record in sorted(ws.cases.glob(f"*/*/{FAMILY_FILE}")) if ws.cases.is_dir() else []:
        family, owner = record.parent.name, record.parent.parent.name
        data = parse_file(record)[0] or {}
        if data.get("sealed") or not any(data.get(k) not in _EMPTY for k in PII):
            continue
        ws.write_family(family, owner, {}, f"zchuyot keys migrate: {family}", family_sealer(ws, family, index),
                        commit=False)
        sealed.append(family)
        paths.append(record)
    if paths:  # one commit for the department's records (one a record cost ~60 ms each at 3,000)
        ws.commit(paths, f"zchuyot keys migrate: {len(paths)} family records sealed", WriteResult(worker, ws.root))
    return result, sealed


def grant(ws: Workspace) -> list[str]:
    """Every family whose key this worker can open given to its recipients as they are now (a new rights
    worker, a partner with a covered referral), and taken from those who left. The families changed."""
    changed = []
    folder = ws.root / FAMILY_KEYS
    index = referral_index(ws)  # the open referrals read once, not once a family
    for p in sorted(folder.glob("*.age")) if folder.is_dir() else []:
        try:
            if refresh(ws, p.stem, index):
                changed.append(p.stem)
        except WorkspaceError:
            continue  # not a recipient of this family: another recipient grants it
    return changed  # the keys go to the department with the next sync


def follow_the_work(ws: Workspace, family: str) -> list[tuple[str, dict[str, Any]]]:
    """After a referral or a waiver changed: the family's recipients updated and committed. A worker who
    cannot open the family's key leaves it to a recipient (a note says so, nothing fails)."""
    if not encryption_on(ws) or not _wrapped(ws, family).is_file():
        return []
    try:
        refresh(ws, family)
    except WorkspaceError:
        return [("ui.recipients_not_updated", {"family": family})]
    return []


def plain_records(ws: Workspace) -> list[str]:
    """With encryption on: the family records whose personal fields are still plain text (check warns)."""
    from zchuyot.case.file import FAMILY_FILE, parse_file

    out = []
    for record in sorted(ws.cases.glob(f"*/*/{FAMILY_FILE}")) if ws.cases.is_dir() else []:
        try:
            data = parse_file(record)[0] or {}
        except DataError:
            continue
        if any(data.get(k) not in _EMPTY for k in PII):
            out.append(ws.rel(record))
    return out
