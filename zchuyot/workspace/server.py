"""The department's server: a `pre-receive` hook that runs the same verification as every clone's sync.

`zchuyot server install BARE_REPO` writes `hooks/pre-receive` into a bare repository (on a file server, one
served over SSH, or a Gitea/Forgejo repository's hooks folder): it runs this Python's zchuyot on every push,
before git accepts any ref. A push is refused whole — git shows the Hebrew line to the pusher as
`remote: …` — when a new commit of the branch is not signed by a member in force or changes what its signer
may not (trust.RULES), when the branch's history no longer holds the department's anchor, when the key
store holds anything but families' entries or is signed by a non-member, or when it creates any other ref.
The anchor is pinned at install (the department's first signed roster, trust on first use), in
`zchuyot-anchor` inside the bare repository.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

from zchuyot.errors import WorkspaceError
from zchuyot.workspace import trust

ANCHOR_FILE = "zchuyot-anchor"
BRANCH_RE = re.compile(r"^refs/heads/[A-Za-z0-9._-]+$")
KEYS_REF = "refs/zchuyot/keys"


def install(bare: Path) -> tuple[Path, str]:
    """The hook written (replacing an older zchuyot hook; any other pre-receive hook is kept beside it as
    pre-receive.before-zchuyot) and the anchor pinned when the repository already has a signed branch."""
    bare = bare.expanduser().resolve()
    if not (bare / "HEAD").is_file() or not (bare / "objects").is_dir():
        raise WorkspaceError("err.not_a_bare_repo", path=str(bare))
    hook = bare / "hooks" / "pre-receive"
    hook.parent.mkdir(exist_ok=True)
    if hook.is_file() and "zchuyot server-hook" not in hook.read_text(encoding="utf-8", errors="replace"):
        hook.rename(hook.with_name("pre-receive.before-zchuyot"))
    hook.write_text("#!/bin/sh\n# zchuyot: every push verified as the department's clones verify it\n"
                    f"exec {shlex.quote(sys.executable)} -m zchuyot server-hook pre-receive\n", encoding="utf-8")
    os.chmod(hook, 0o755)
    fp = ""
    heads = trust.git(bare, "for-each-ref", "--format=%(refname)", "refs/heads/").split()
    for head in heads:
        anchor = trust.find_anchor(bare, head)
        if anchor:
            (bare / ANCHOR_FILE).write_text(anchor + "\n", encoding="utf-8")
            roster = trust.Roster.from_text(trust.git(bare, "show", f"{anchor}:{trust.SETTINGS_FILE}"))
            fp = trust.department_fingerprint(roster)
            break
    return hook, fp


def pre_receive(bare: Path, lines: str) -> list[trust.Refusal]:
    """The refusals of a push (none: it is accepted). `lines`: git's `old new ref` lines on the hook's input."""
    bare = Path(os.environ.get("GIT_DIR") or bare).resolve()
    existing = trust.git(bare, "for-each-ref", "--format=%(objectname)", "refs/heads/").split()
    anchor_file = bare / ANCHOR_FILE
    anchor = anchor_file.read_text(encoding="utf-8").strip() if anchor_file.is_file() else ""
    out: list[trust.Refusal] = []
    for line in lines.splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        old, new, ref = parts
        if new == trust.ZERO:
            if ref.startswith("refs/heads/"):
                out.append(trust.Refusal(old, "", "unknown_path", ref))
            continue  # the key store removed (a purge) is the clones' to judge
        if ref == KEYS_REF:
            out += _key_store(bare, new)
            continue
        if ref.startswith("refs/zchuyot/"):
            continue
        if not BRANCH_RE.match(ref):
            out.append(trust.Refusal(new, "", "unknown_path", ref))
            continue
        here = anchor or trust.find_anchor(bare, new) or ""
        if not here:
            continue  # a department that does not sign yet
        if not trust.is_ancestor(bare, here, new):
            moved = _rewrite_of(bare, here, old, new)  # an admin's rewrite of the history (keys migrate)
            if moved is None:
                out.append(trust.Refusal(new, "", "anchor", ref))
                continue
            anchor_file.write_text(moved + "\n", encoding="utf-8")
            anchor = here = moved
            out += trust.verify(bare, new, [], here).refused
            continue
        if not anchor:
            anchor_file.write_text(here + "\n", encoding="utf-8")  # the first signed push pins it
            anchor = here
        verdict = trust.verify(bare, new, [x for x in [old, *existing] if x != trust.ZERO], here)
        out += verdict.refused
    return out


def _rewrite_of(bare: Path, anchor: str, old: str, new: str) -> str | None:
    """The pushed history's new anchor, when it records a rewrite of the one the server pinned and is signed
    by an admin of the roster at the branch's tip it replaces; else None."""
    moved = trust.find_anchor(bare, new)
    if not moved or old == trust.ZERO or not trust.has(bare, f"{moved}:rewrites/{anchor}.yaml"):
        return None
    objs = trust.Objects(bare)
    try:
        roster = trust.Roster.from_text((objs.get(f"{old}:{trust.SETTINGS_FILE}") or b"").decode("utf-8", "replace"))
    finally:
        objs.close()
    signer, _ = trust.signer_of(bare, moved, roster)
    return moved if signer is not None and signer.admin else None


def _key_store(bare: Path, new: str) -> list[trust.Refusal]:
    """The key store's commit: only families' entries, signed by an approved member of the branch's roster."""
    from zchuyot.workspace.keystore import entry_ok

    out = []
    for line in trust.git(bare, "ls-tree", "-z", new).split("\0"):
        if not line:
            continue
        meta, _, name = line.partition("\t")
        mode, kind, _ = meta.split()
        if kind != "blob" or mode != "100644" or not entry_ok(name):
            out.append(trust.Refusal(new, "", "family_keys", name.encode("unicode_escape").decode()))
    head = trust.git(bare, "symbolic-ref", "-q", "HEAD").strip() or "refs/heads/main"
    settings = trust.Objects(bare)
    try:
        roster = trust.Roster.from_text((settings.get(f"{head}:{trust.SETTINGS_FILE}") or b"").decode())
    finally:
        settings.close()
    if roster.signed:
        signer, fp = trust.signer_of(bare, new, roster)
        if signer is None or not signer.approved:
            out.append(trust.Refusal(new, "", "not_member" if fp else "unsigned", KEYS_REF, fp))
    return out
