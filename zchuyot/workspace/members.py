"""The department's members: the first admin, adding a member, her joining request, approving it; and the
trust this clone pinned (the department's anchor and fingerprint, trust on first use).

The roster itself is the `workers` mapping of `.zchuyot.yaml` (trust.Roster reads it); the rules that say
who may change it are trust.RULES. A joining worker publishes `keys/<code>.pub` (age) and `keys/<code>.ssh`
(her signing key) in a commit signed by that key — her request; an admin who confirmed the fingerprint
with her binds both to her roster entry (`signing`, `age`): from then on her commits are accepted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from zchuyot.case.file import WriteResult, make_private_dirs, read_text, write_atomic
from zchuyot.errors import DataError, InputError, WorkspaceError
from zchuyot.workspace import gitio, signing
from zchuyot.workspace.store import LOCAL_DIR, SETTINGS_FILE, Workspace, check_slug, set_worker

KEYS_DIR = "keys"
TRUST_FILE = f"{LOCAL_DIR}/trust.yaml"
VERIFIED_REF = "refs/zchuyot/verified"


def signing_path(root: Path, worker: str) -> Path:
    return root / KEYS_DIR / f"{worker}.ssh"


def age_identity(worker: str) -> str:
    """This worker's age public key, her identity made once on this computer (0600, never in the repo)."""
    from pyrage import x25519

    from zchuyot.workspace.keys import identity_path, load_identity

    path = identity_path(worker)
    if path.exists():
        return str(load_identity(worker).to_public())
    identity = x25519.Identity.generate()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    write_atomic(path, f"# zchuyot: {worker}'s age identity — keep it secret, never share it\n{identity}\n")
    os.chmod(path, 0o600)
    return str(identity.to_public())


def publish(root: Path, worker: str) -> tuple[list[Path], str, str, bool]:
    """Both keys of the worker made on this computer (once) and their public halves written to keys/.
    Returns (files written, age public key, signing public key, made now)."""
    made_age = not _identity_exists(worker)
    age = age_identity(worker)
    ssh, made_ssh = signing.make_key(worker)
    written = []
    folder = root / KEYS_DIR
    make_private_dirs(folder, root)
    os.chmod(folder, 0o755)  # public keys are for everyone in the department
    for p, text in ((folder / f"{worker}.pub", f"# zchuyot: {worker}'s public key (age)\n{age}\n"),
                    (signing_path(root, worker), f"{ssh}\n")):
        if not p.is_file() or read_text(p) != text:
            write_atomic(p, text)
            os.chmod(p, 0o644)
            written.append(p)
    return written, age, ssh, made_age or made_ssh


def _identity_exists(worker: str) -> bool:
    from zchuyot.workspace.keys import identity_path

    return identity_path(worker).exists()


def first_admin(root: Path, worker: str) -> list[Path]:
    """A department's first admin (trust on first use): her keys made, published and bound to her roster
    entry with `admin: true` — the commit that carries it is the department's anchor."""
    written, age, ssh, _ = publish(root, worker)
    set_worker(root, worker, {"admin": True, "signing": ssh, "age": age})
    gitio.SIGN_ENV.clear()
    gitio.SIGN_ENV.update(signing.git_env(worker))
    return [*written, root / SETTINGS_FILE]


def require_admin(ws: Workspace) -> str:
    worker = ws.require_worker()
    m = ws.roster.members.get(worker)
    if ws.signed and not (m is not None and m.admin and m.approved):
        raise WorkspaceError("err.admin_only", worker=worker)
    return worker


def add_member(ws: Workspace, code: str, name: str | None, role: str | None, admin: bool) -> WriteResult:
    """An admin adds a member (pending until her keys are approved)."""
    require_admin(ws)
    check_slug(code, "worker")
    result = WriteResult(code, ws.root / SETTINGS_FILE)
    existing = ws.roster.members.get(code)
    values: dict[str, Any] = {"name": name or (ws.worker_info(code)["name"] if existing else code),
                              "role": role or (existing.role if existing else "family")}
    if admin:
        values["admin"] = True
    if existing is not None and not (admin and not existing.admin):
        raise InputError("err.worker_exists", value=code)
    if set_worker(ws.root, code, values):
        ws.commit([ws.root / SETTINGS_FILE], f"zchuyot worker add: {code}", result, tracked=True)
    ws.reload_settings()
    return result


def request(ws: Workspace) -> tuple[WriteResult, str, bool]:
    """This worker's keys made and published as her joining request (committed, signed by the new key).
    Returns (result, signing fingerprint, made now)."""
    worker = ws.require_worker(pending_ok=True)
    written, _, ssh, made = publish(ws.root, worker)
    gitio.SIGN_ENV.clear()
    gitio.SIGN_ENV.update(signing.git_env(worker))
    result = WriteResult(worker, signing_path(ws.root, worker))
    if written:
        ws.commit(written, f"zchuyot keys init: {worker}'s keys (a request to join)", result)
    return result, signing.fingerprint(ssh), made


def approve(ws: Workspace, code: str, fp: str | None) -> tuple[WriteResult, str]:
    """An admin binds the keys the member published (as committed — what every clone verified) to her
    roster entry, after confirming their fingerprint with her. Returns (result, fingerprint)."""
    require_admin(ws)
    check_slug(code, "worker")
    member = ws.roster.members.get(code)
    if member is None:
        raise InputError("err.unknown_worker", value=code, known=", ".join(ws.roster.members))
    ssh = _committed(ws, f"{KEYS_DIR}/{code}.ssh")
    age = _committed(ws, f"{KEYS_DIR}/{code}.pub")
    if not ssh or not age:
        raise InputError("err.no_request", worker=code)
    ssh = signing.normalize(ssh)
    age = next((ln.strip() for ln in age.splitlines() if ln.strip() and not ln.startswith("#")), "")
    got = signing.fingerprint(ssh)
    if fp and fp.strip() not in (got, got.removeprefix("SHA256:")):
        raise InputError("err.fingerprint_mismatch", worker=code, given=fp, got=got)
    result = WriteResult(code, ws.root / SETTINGS_FILE)
    if set_worker(ws.root, code, {"signing": ssh, "age": age}):
        ws.commit([ws.root / SETTINGS_FILE], f"zchuyot worker approve: {code}", result, tracked=True)
    ws.reload_settings()
    if ws.settings.get("encryption"):
        from zchuyot.workspace import keys

        keys.grant(ws)  # the families this admin can open given to the new member where the rule says so
    return result, got


def remove(ws: Workspace, code: str) -> tuple[WriteResult, list[str], list[str]]:
    """An admin revokes a member: her keys unbound from the roster (`removed:` the date), so every commit
    she signs from now on is refused everywhere; the families she could read get a new data key — here, the
    ones this admin may seal again (the family's worker or a rights worker: trust.RULES); the others at the
    next sync of one who may (sync follows the roster). Returns (result, families rotated, left to others)."""
    from zchuyot.calendar import dates
    from zchuyot.workspace import keys

    me = require_admin(ws)
    check_slug(code, "worker")
    member = ws.roster.members.get(code)
    if member is None:
        raise InputError("err.unknown_worker", value=code, known=", ".join(ws.roster.members))
    if code == me and len(ws.roster.admins()) == 1:
        raise InputError("err.last_admin", worker=code)
    result = WriteResult(code, ws.root / SETTINGS_FILE)
    if set_worker(ws.root, code, {"signing": None, "age": None, "admin": None,
                                  "removed": dates.today().isoformat()}):
        ws.commit([ws.root / SETTINGS_FILE], f"zchuyot worker remove: {code}", result, tracked=True)
    ws.reload_settings()
    rotated, left = [], []
    folder = ws.root / keys.FAMILY_KEYS
    for p in sorted(folder.glob("*.recipients")) if folder.is_dir() else []:
        if code not in read_text(p).split():
            continue
        try:
            keys.refresh(ws, p.stem)
            rotated.append(p.stem)
        except WorkspaceError:
            left.append(p.stem)
    return result, rotated, left


def _committed(ws: Workspace, rel: str) -> str | None:
    proc = gitio.run(ws.root, "show", f"HEAD:{rel}", check=False)
    return proc.stdout if proc.returncode == 0 else None


def requests(ws: Workspace) -> list[tuple[str, str]]:
    """Members who published keys not yet approved: (code, fingerprint) — the admins' followup shows them."""
    out = []
    for code, m in ws.roster.members.items():
        if m.approved:
            continue
        p = signing_path(ws.root, code)
        if p.is_file():
            out.append((code, signing.fingerprint(read_text(p))))
    return out


# ------------------------------------------------------------------ what this clone trusts
def pinned(root: Path) -> dict[str, str]:
    """The anchor this clone pinned (trust on first use) and the department's fingerprint then."""
    from zchuyot.case.file import load_yaml_file

    p = root / TRUST_FILE
    try:
        data = load_yaml_file(p) if p.is_file() else None
    except DataError:
        data = None
    return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def pin(root: Path, anchor: str, fingerprint: str) -> None:
    """The department this clone trusts from now on; with the repository it syncs with, when it has one (a
    clone that belongs to a department never "joins" another history that arrives from it)."""
    url = gitio.shown_url(gitio.run(root, "remote", "get-url", "origin", check=False).stdout.strip())
    make_private_dirs(root / LOCAL_DIR, root)
    write_atomic(root / TRUST_FILE, "# zchuyot: the department this clone trusts (its first signed roster)\n"
                                    f"anchor: '{anchor}'\nfingerprint: '{fingerprint}'\n"
                                    + (f"remote: '{url}'\n" if url and "'" not in url else ""))


def verify_incoming(ws: Workspace, ref: str, exclude: list[str] | None = None) -> str | None:
    """Before anything of `ref` (the department's branch as fetched) is merged: every commit this clone has
    not verified yet is signed by a member in force and permitted (trust.RULES). The first time a signed
    roster is seen, its anchor is pinned (trust on first use) and its fingerprint returned, to be said;
    a history that no longer holds the pinned anchor is refused. Nothing is written on refusal."""
    from zchuyot.workspace import trust

    known = pinned(ws.root)
    tip = gitio.run(ws.root, "rev-parse", ref).stdout.strip()
    said = None
    anchor = known.get("anchor")
    if anchor:
        if gitio.run(ws.root, "merge-base", "--is-ancestor", anchor, tip, check=False).returncode != 0:
            raise WorkspaceError("err.trust_rewritten", commit=tip[:10], anchor=anchor[:10])
    else:
        anchor = trust.find_anchor(ws.root, tip)
        if anchor is None:
            return None  # a department that does not sign yet (or the demo): nothing to verify against
    if exclude is None:  # what this clone already holds (its own work, what it verified before)
        exclude = [x for x in ("HEAD", VERIFIED_REF) if gitio.run(ws.root, "rev-parse", "--verify", "-q", x,
                                                                      check=False).returncode == 0]
    verdict = trust.verify(ws.root, tip, exclude, anchor)
    if verdict.refused:
        raise refusal_error(verdict.refused[0])
    if not known.get("anchor"):
        roster = trust.Roster.from_text(gitio.run(ws.root, "show", f"{anchor}:{SETTINGS_FILE}").stdout)
        said = trust.department_fingerprint(roster)
        pin(ws.root, anchor, said)
    gitio.run(ws.root, "update-ref", VERIFIED_REF, tip)
    return said


def refusal_error(r: Any) -> WorkspaceError:
    from zchuyot.text.labels import t

    return WorkspaceError("err.commit_refused", commit=r.commit[:10],
                          signer=r.signer or (t("trust.unknown_key", fp=r.fingerprint) if r.fingerprint
                                              else t("trust.unsigned")),
                          rule=t(f"trust.rule.{r.rule}"), path=r.path or "-")


def start_signing(ws: Workspace) -> str:
    """A department that began before signing starts now: this worker becomes its first admin (her keys
    bound to the roster with `admin: true`), in one signed commit — the anchor this clone pins and every
    other clone pins at its next sync. Returns the department's fingerprint."""
    from zchuyot.workspace import trust

    worker = ws.require_worker()
    files = first_admin(ws.root, worker)
    result = WriteResult(worker, ws.root / SETTINGS_FILE)
    ws.commit(files, f"zchuyot keys init: {worker}, the department's first admin (the roster signed)", result)
    ws.reload_settings()
    anchor = gitio.run(ws.root, "rev-parse", "HEAD").stdout.strip()
    fp = trust.department_fingerprint(ws.roster)
    pin(ws.root, anchor, fp)
    gitio.run(ws.root, "update-ref", VERIFIED_REF, anchor)
    return fp


def verify_all(ws: Workspace) -> dict[str, Any]:
    """`zchuyot verify`: the whole history from the anchor (every commit signed by a member in force and
    permitted), the pinned anchor still in it, and the key store's entries."""
    from zchuyot.workspace import keystore, trust

    known = pinned(ws.root)
    tip = gitio.run(ws.root, "rev-parse", "HEAD").stdout.strip()
    anchor = known.get("anchor") or trust.find_anchor(ws.root, tip)
    if not anchor:
        return {"ok": False, "signed": False, "checked": 0, "refused": [], "anchor": None}
    if gitio.run(ws.root, "merge-base", "--is-ancestor", anchor, tip, check=False).returncode != 0:
        return {"ok": False, "signed": True, "checked": 0, "anchor": anchor,
                "refused": [trust.Refusal(tip, "", "anchor").as_json()]}
    verdict = trust.verify(ws.root, tip, [], anchor)
    refused = [r.as_json() for r in verdict.refused]
    try:
        keystore.check_local(ws)
    except WorkspaceError as e:
        refused.append({"commit": keystore.REF, "signer": None, "rule": "family_keys", "path": e.render(),
                        "fingerprint": None})
    return {"ok": not refused, "signed": True, "checked": verdict.checked, "anchor": anchor,
            "fingerprint": known.get("fingerprint") or trust.department_fingerprint(
                trust.Roster.from_text(gitio.run(ws.root, "show", f"{anchor}:{SETTINGS_FILE}").stdout)),
            "refused": refused}


def configure_clone(ws: Workspace, have: dict[str, str] | None = None) -> None:
    """This clone's git signs and verifies like zchuyot: plain `git commit` by the worker is signed with her
    key, and `git verify-commit` / `git log --show-signature` name the member who signed, from the roster
    (`.zchuyot/allowed_signers`, derived, never synced)."""
    if not ws.signed:
        return
    signers = ws.roster.signers()
    path = ws.root / LOCAL_DIR / "allowed_signers"
    text = signing.allowed_signers(signers)
    if not path.is_file() or read_text(path) != text:
        make_private_dirs(path.parent, ws.root)
        write_atomic(path, text)
    wanted = {"gpg.format": "ssh", "gpg.ssh.allowedSignersFile": str(path)}
    if ws.worker and signing.has_key(ws.worker):
        wanted |= {"user.signingkey": str(signing.key_path(ws.worker)), "commit.gpgsign": "true"}
    # --local: the signing this process's own git gets from its environment is not the clone's setting
    gitio.set_config(ws.root, wanted, have)


def signed_at(ws: Workspace, ref: str) -> bool:
    """The department's branch as fetched has a signed roster (an admin with a signing key)."""
    from zchuyot.workspace import trust

    proc = gitio.run(ws.root, "show", f"{ref}:{SETTINGS_FILE}", check=False)
    return proc.returncode == 0 and trust.Roster.from_text(proc.stdout).signed


def notices(ws: Workspace) -> dict[str, Any]:
    """What the morning screen says of trust: this worker's own fingerprint while she waits for approval,
    and for an admin the members whose published keys wait for hers."""
    out: dict[str, Any] = {"waiting_for_approval": None, "requests": []}
    if not ws.signed or not ws.worker:
        return out
    me = ws.roster.members.get(ws.worker)
    if me is not None and not me.approved:
        pub = signing.public_key(ws.worker)
        out["waiting_for_approval"] = signing.fingerprint(pub) if pub else "-"
    elif me is not None and me.admin:
        out["requests"] = [{"worker": w, "fingerprint": fp} for w, fp in requests(ws)]
    return out


def rewritten(ws: Workspace, ref: str) -> bool:
    """The department's branch as fetched no longer holds the anchor this clone pinned."""
    anchor = pinned(ws.root).get("anchor")
    return bool(anchor) and gitio.run(ws.root, "merge-base", "--is-ancestor", anchor, ref,
                                      check=False).returncode != 0
