"""The families' wrapped data keys, synced without history — so a purge can destroy a key for good.

The wrapped keys (`keys/families/<family>.age`, each a family's data key encrypted to its recipients) are
never committed to the department's branch: git would keep every version of them, and a recipient could
unwrap an old one and open the purged family's old records. They live in the working tree (ignored by git)
and travel in a ref of their own, `refs/zchuyot/keys`, that is always a single commit with no parent: each
change replaces it (a push with a lease git honours — no `+` — so nobody's change is overwritten unseen).
Merging is by family: a key is deleted only when the branch holds the family's purge record; a key missing
on one side is taken from the other (a server that lost its store gets it back); otherwise the side that
changed it. After a deletion the clone expires its reflogs and prunes the unreachable objects, so the old
key is gone from it; the server drops its copy at its own maintenance (`git gc`, SECURITY.md).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from zchuyot.case.file import make_private_dirs, write_atomic
from zchuyot.errors import WorkspaceError
from zchuyot.workspace import gitio
from zchuyot.workspace.store import Workspace

REF = "refs/zchuyot/keys"
REMOTE_REF = "refs/zchuyot/remote-keys"  # the department's, as last fetched
BASE_REF = "refs/zchuyot/keys-base"  # what this clone and the department last agreed on
FOLDER = "keys/families"
# the only names an entry of the key store may have: a family code and what the file is — never a path
ENTRY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}\.(age|recipients)$")


def entry_ok(name: str) -> bool:
    return bool(ENTRY_RE.match(name))


def _tree(ws: Workspace, ref: str) -> dict[str, bytes]:
    """name → content of the files in a key-store commit ({} when the ref does not exist)."""
    if gitio.run(ws.root, "rev-parse", "--verify", "-q", ref, check=False).returncode != 0:
        return {}
    from zchuyot.workspace.trust import Objects

    out: dict[str, bytes] = {}
    shas: dict[str, str] = {}
    for line in gitio.run(ws.root, "ls-tree", "-z", ref).stdout.split("\0"):
        if not line:
            continue
        meta, _, name = line.partition("\t")
        mode, kind, sha = meta.split()
        if kind != "blob" or mode != "100644" or not entry_ok(name):
            # a crafted entry (`../../.git/config`, a folder, a link): the store is refused whole, nothing written
            short = gitio.run(ws.root, "rev-parse", "--short", ref).stdout.strip()
            raise WorkspaceError("err.keystore_refused", commit=short, entry=name.encode("unicode_escape").decode())
        shas[name] = sha
    objs = Objects(ws.root)  # one git for every blob of the store, not one a family
    try:
        for name, sha in shas.items():
            out[name] = objs.get(sha) or b""
    finally:
        objs.close()
    return out


def _local(ws: Workspace) -> dict[str, bytes]:
    folder = ws.root / FOLDER
    # only the families' keys: a temp file left by a killed write, or anything else put there, is never shipped
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if entry_ok(p.name) and p.is_file() and not p.is_symlink()} if folder.is_dir() else {}


def merged(base: dict[str, bytes], ours: dict[str, bytes], theirs: dict[str, bytes],
           purged: set[str] | frozenset[str] = frozenset()) -> dict[str, bytes]:
    """By file. A family's key is deleted only by a purge: only when the branch holds the family's purge record
    (`purged`); a key missing on one side (the server's store re-created empty, a clone that lost it) is
    taken from the other, never deleted. Changed on one side since the base: that side's; on both: ours (the
    next sync agrees)."""
    out: dict[str, bytes] = {}
    for name in sorted({*ours, *theirs}):
        if name.rsplit(".", 1)[0] in purged:
            continue
        b, o, t = base.get(name), ours.get(name), theirs.get(name)
        if o is None or t is None:
            out[name] = o if o is not None else t  # type: ignore[assignment]
        elif o == t or t == b:
            out[name] = o
        elif o == b:
            out[name] = t
        else:
            out[name] = o
    return out


def purged_families(ws: Workspace, branch: str = "HEAD") -> set[str]:
    """The families whose purge record the branch holds (`purged/<family>.yaml`, verified like every file)."""
    out = gitio.run(ws.root, "ls-tree", "--name-only", f"{branch}:purged", check=False).stdout
    return {n.removesuffix(".yaml") for n in out.split() if n.endswith(".yaml")}


def _commit(ws: Workspace, files: dict[str, bytes]) -> str:
    """A parentless commit holding exactly these files; REF points at it."""
    names = sorted(files)
    folder = ws.root / FOLDER
    for name in names:  # what is hashed is what this clone holds: the files were just written (_write_local)
        if (folder / name).read_bytes() != files[name]:
            write_atomic(folder / name, files[name])
    shas = gitio.run(ws.root, "hash-object", "-w", "--no-filters", "--stdin-paths", input_="".join(
        f"{FOLDER}/{n}\n" for n in names)).stdout.split() if names else []
    entries = [f"100644 blob {sha}\t{name}\n" for name, sha in zip(names, shas, strict=True)]
    tree = gitio.run(ws.root, "mktree", input_="".join(entries)).stdout.strip()
    sign = ["-S"] if gitio.SIGN_ENV else []  # commit-tree signs only when told: the store is signed by its writer
    commit = gitio.run(ws.root, "-c", "user.name=zchuyot", "-c", "user.email=zchuyot@zchuyot.invalid",
                       "commit-tree", *sign, tree, "-m", "zchuyot: the families' wrapped keys").stdout.strip()
    gitio.run(ws.root, "update-ref", REF, commit)
    return commit


def _write_local(ws: Workspace, files: dict[str, bytes]) -> None:
    folder = ws.root / FOLDER
    make_private_dirs(folder, ws.root)
    for p in folder.iterdir():
        if p.name not in files and (p.is_symlink() or p.is_file()):
            p.unlink()  # a family's key purged, or a file that is no family's key
    for name, data in files.items():
        if not entry_ok(name):  # checked when read; never a path taken from data
            raise WorkspaceError("err.keystore_refused", commit="-", entry=name)
        p = folder / name
        if not p.is_file() or p.read_bytes() != data:
            write_atomic(p, data)


@dataclass
class KeySync:
    done: bool = False  # the department's store and this clone's agree
    rebuilt: bool = False  # the server had no key store (re-created, moved by IT): rebuilt from this clone
    problem: str | None = None  # the server refused the update (its own reason): nothing was sent
    sent: int = 0  # families whose entries this clone's push changed in the department's store


STATE = ".zchuyot/keys-state.json"  # what this clone and the department last agreed: the store's commit, the files
FETCH_SPEC = f"+{REF}*:{REMOTE_REF}*"  # one pattern: a server without a store is no error, and --prune drops it


def _listing(ws: Workspace) -> list[int]:
    """What says whether any key here changed: the folder's own change time (every key is written by a rename
    into it, write_atomic, and every removal changes it too) and how many entries it holds — one stat."""
    folder = ws.root / FOLDER
    try:
        st = folder.stat()
    except OSError:
        return [0, 0]
    return [st.st_mtime_ns, st.st_nlink + sum(1 for _ in os.scandir(folder))]


def _unchanged(ws: Workspace) -> bool:
    """Nothing to do: the department's store is the one last agreed on, and no key here changed since."""
    import json

    try:
        state = json.loads((ws.root / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    remote = gitio.run(ws.root, "rev-parse", "--verify", "-q", REMOTE_REF, check=False).stdout.strip()
    return bool(remote) and state.get("commit") == remote and state.get("files") == _listing(ws)


def _agreed(ws: Workspace, commit: str) -> None:
    import json

    write_atomic(ws.root / STATE, json.dumps({"commit": commit, "files": _listing(ws)}))


def sync(ws: Workspace, attempts: int = 5, fetched: bool = False) -> KeySync:
    """Exchange the wrapped keys with the department (after the branch's own sync). The update is pushed with
    a lease that git honours (no `+`: a stale lease is refused, never forced over another's update): on a
    stale lease the store is fetched and merged again, with a growing, jittered pause."""
    import random
    import time

    out = KeySync()
    if not gitio.run(ws.root, "remote", check=False).stdout.split():
        return out
    dropped = False
    purged = purged_families(ws)
    for attempt in range(attempts):
        if not (fetched and attempt == 0):  # sync's own fetch brought the store with the branch
            fetch = gitio.run(ws.root, "fetch", "-q", "--prune", "origin", FETCH_SPEC, check=False)
            if fetch.returncode != 0:
                return out  # offline: the keys wait here, as the work does
        if attempt == 0 and _unchanged(ws):
            out.done = True
            break
        theirs_exist = gitio.run(ws.root, "rev-parse", "--verify", "-q", REMOTE_REF, check=False).returncode == 0
        base, ours = _tree(ws, BASE_REF), _local(ws)
        theirs = _tree(ws, REMOTE_REF) if theirs_exist else {}
        if theirs_exist:
            _verify_store(ws, base, theirs)
        files = merged(base, ours, theirs, purged)
        out.rebuilt = not theirs_exist and bool(base) and bool(files)
        dropped = dropped or any(n not in files for n in (*base, *ours))
        _write_local(ws, files)
        commit = _commit(ws, files)
        lease = gitio.run(ws.root, "rev-parse", REMOTE_REF, check=False).stdout.strip() if theirs_exist else ""
        if theirs_exist and files == theirs:
            gitio.run(ws.root, "update-ref", BASE_REF, lease)
            _agreed(ws, lease)
            out.done = True
            break
        if not files and not theirs_exist:
            out.done = True
            break
        push = gitio.run(ws.root, "push", "-q", f"--force-with-lease={REF}:{lease}", "origin", f"{REF}:{REF}",
                         check=False)
        if push.returncode == 0:
            out.sent = len({n.rsplit(".", 1)[0] for n in {*files, *theirs} if files.get(n) != theirs.get(n)})
            for ref in (BASE_REF, REMOTE_REF):  # the department's now: the old commit is no longer named
                gitio.run(ws.root, "update-ref", ref, commit)
            _agreed(ws, commit)
            out.done = True
            break
        if not gitio.contended(push.stderr):
            out.problem = gitio.cause(push.stderr) or "push failed"
            break
        time.sleep(random.uniform(0.05, 0.25) * 2 ** attempt)  # another clone updated it first: again
    if not out.done and out.problem is None:
        out.problem = "contended"
    if dropped:
        forget_old_keys(ws)
    return out


def _verify_store(ws: Workspace, base: dict[str, bytes], theirs: dict[str, bytes], branch: str = "HEAD") -> None:
    """The department's key store as fetched, before anything of it is written here: in a department that
    signs, its commit is signed by an approved member, and each family's entry it changed since this clone's
    last agreement was changed by one who may — a recipient of that family, its worker, a rights worker or an
    admin; an entry removed only for a family the branch no longer holds (purged); a new one only for a
    family the branch holds, by its worker or a rights worker."""
    if not ws.signed or base == theirs:
        return
    from zchuyot.workspace import trust

    sha = gitio.run(ws.root, "rev-parse", REMOTE_REF).stdout.strip()
    short = gitio.run(ws.root, "rev-parse", "--short", REMOTE_REF).stdout.strip()
    # the roster in force on the branch it is judged against (verified before this): who is a member now
    roster = trust.Roster.from_text(gitio.run(ws.root, "show", f"{branch}:.zchuyot.yaml", check=False).stdout)
    signer, fp = trust.signer_of(ws.root, sha, roster)
    if signer is None or not signer.approved:
        raise WorkspaceError("err.keystore_unsigned", commit=short, fp=fp or "-")
    records: dict[str, list[str]] = {}  # family → the workers whose folder holds its record, on `branch`
    listed = gitio.run(ws.root, "ls-tree", "-r", "--name-only", branch, "--", "cases", check=False).stdout
    for path in listed.splitlines():
        parts = path.split("/")
        if len(parts) == 4 and parts[3] == "family.yaml":
            records.setdefault(parts[2], []).append(parts[1])
    for name in sorted({*base, *theirs}):
        if base.get(name) == theirs.get(name):
            continue
        family = name.rsplit(".", 1)[0]
        holds = records.get(family, [])
        before = set((base.get(f"{family}.recipients") or b"").decode(errors="replace").split())
        if name not in theirs:
            ok = True  # a key missing there is never deleted here (merged): nothing to judge
        elif name not in base and not before:
            ok = signer.role == "rights" or signer.admin or signer.code in holds
        else:
            ok = signer.admin or signer.role == "rights" or signer.code in before or signer.code in holds
        if not ok:
            raise WorkspaceError("err.keystore_forbidden", commit=short, signer=signer.code, entry=name)


def entries_of(ws: Workspace, name: str) -> list[bytes]:
    """One entry as the department's key store holds it, as last fetched and as last agreed (never a path)."""
    if not entry_ok(name):
        return []
    out = []
    for ref in (REMOTE_REF, BASE_REF):
        proc = gitio.run(ws.root, "rev-parse", "--verify", "-q", f"{ref}:{name}", check=False)
        if proc.returncode == 0:
            out.append(gitio.run_bytes(ws.root, "cat-file", "blob", proc.stdout.strip()))
    return out


def fetch(ws: Workspace, branch: str) -> None:
    """The department's key store (fetched with the branch, FETCH_SPEC) verified before the branch is merged:
    a family record sealed with a key replaced elsewhere can then be opened by the merge."""
    if _unchanged(ws):
        return
    if gitio.run(ws.root, "rev-parse", "--verify", "-q", REMOTE_REF, check=False).returncode == 0:
        # judged against the branch about to be merged (a purge there drops its key)
        _verify_store(ws, _tree(ws, BASE_REF), _tree(ws, REMOTE_REF), branch)


def check_local(ws: Workspace) -> None:
    """`verify`: the key store as this clone holds it reads (only families' entries)."""
    for ref in (REF, REMOTE_REF, BASE_REF):
        _tree(ws, ref)


def forget_old_keys(ws: Workspace) -> None:
    """After a key was destroyed: the old key-store commits are unreachable; expire the reflogs that still
    name them and prune, so this clone no longer holds the destroyed key anywhere."""
    gitio.run(ws.root, "reflog", "expire", "--expire=now", "--expire-unreachable=now", "--all", check=False)
    gitio.run(ws.root, "gc", "-q", "--prune=now", check=False)


def ignored(path: Path, root: Path) -> bool:
    """A path of the key store (never committed to the branch)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix().startswith(FOLDER + "/")
    except ValueError:
        return False
