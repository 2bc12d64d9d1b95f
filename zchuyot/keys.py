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
from zchuyot.store import Workspace, user_config_dir

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
        make_private_dirs(path.parent, path.parent.parent)
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
    """Worker → published public key (age1…), each checked: a key that does not read is one line naming it."""
    from pyrage import RecipientError, x25519

    out: dict[str, str] = {}
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
    missing = [w for w in wanted if w not in published]
    if missing:
        raise InputError("err.no_public_key", workers=", ".join(missing))
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
