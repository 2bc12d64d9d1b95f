"""`keys migrate --rewrite-history`: the department's branch rewritten without the families' plain records.

After `keys migrate` the current family records are sealed, but every earlier version — names, phones, ID
numbers — stays in every clone's and the server's history. An admin rewrites the branch: every commit
again, in order, with each plain `family.yaml` version and each plain letter (`letters/*.docx`) left out
(git's own fast-export and fast-import; the files' sealed versions and everything else as they were), and
on top one commit of hers, signed, that records the rewrite (`rewrites/<the anchor it replaces>.yaml`) —
the department's new anchor. The rewritten commits carry no signatures (their authors' keys signed the old
ones): they are history before the new anchor, vouched for by the admin who made it.

Every other clone's next `sync` follows: the new anchor must name the anchor it pinned and be signed by an
admin of the roster it last verified; its own work since then is carried over on top, as one commit of
hers, and the old history's objects are dropped from it. The server's hook follows the same way.
"""

from __future__ import annotations

import re

from zchuyot.errors import InputError, WorkspaceError
from zchuyot.workspace import gitio
from zchuyot.workspace.store import SETTINGS_FILE, Workspace

REWRITTEN = "refs/zchuyot/rewritten"
PLAIN = re.compile(r"^cases/[a-z0-9][a-z0-9_-]{0,31}/[a-z0-9][a-z0-9_-]{0,31}/"
                   r"(family\.yaml|letters/[^/]+\.docx|documents/[^/]+(?<!\.age))$")  # a document not sealed too


def _plain_blobs(ws: Workspace, shas: set[str]) -> set[str]:
    """Of these blobs, the ones that hold personal data in the clear (a family record not sealed, a letter)."""
    from zchuyot.workspace.trust import Objects

    objs = Objects(ws.root)
    try:
        out = set()
        for sha in shas:
            data = objs.get(sha) or b""
            if not data.startswith(b"age-encryption.org") and b"\nsealed:" not in b"\n" + data:
                out.add(sha)
        return out
    finally:
        objs.close()


def _filtered(ws: Workspace, stream: bytes, branch: str) -> bytes:
    """The fast-export stream with every plain record's version turned into its absence, the signatures
    dropped, and the branch written to REWRITTEN."""
    candidates: set[str] = set()
    i = 0
    n = len(stream)
    out_parts: list[bytes] = []
    pending: list[tuple[int, str, bytes]] = []  # (index in out_parts, blob sha, path) of the M lines to judge
    while i < n:
        j = stream.find(b"\n", i)
        j = n if j == -1 else j + 1
        line = stream[i:j]
        i = j
        if line.startswith(b"data "):
            size = int(line[5:].strip())
            out_parts.append(line + stream[i:i + size])
            i += size
            continue
        if line.startswith(b"gpgsig "):  # newer git exports a signature: it cannot hold for the new commit
            head = stream[i:stream.index(b"\n", i) + 1]
            size = int(head[5:].strip())
            i += len(head) + size
            continue
        ref = f"refs/heads/{branch}".encode()
        if line.startswith((b"commit ", b"reset ")) and line.split(b" ", 1)[1].strip() == ref:
            line = line.split(b" ", 1)[0] + b" " + REWRITTEN.encode() + b"\n"
        elif line.startswith(b"M "):
            parts = line.rstrip(b"\n").split(b" ", 3)
            if len(parts) == 4 and PLAIN.match(parts[3].decode("utf-8", "replace")):
                pending.append((len(out_parts), parts[2].decode(), parts[3]))
                candidates.add(parts[2].decode())
        out_parts.append(line)
    plain = _plain_blobs(ws, candidates)
    for index, sha, path in pending:
        if sha in plain:
            out_parts[index] = b"D " + path + b"\n"
    return b"".join(out_parts)


def rewrite(ws: Workspace, worker: str) -> tuple[str, int]:
    """The branch rewritten and pushed (with a lease on the department's tip); this clone moved onto it and
    its old objects dropped. Returns (the new anchor, how many plain versions were left out)."""
    import subprocess

    from zchuyot.calendar import dates
    from zchuyot.case.file import write_atomic
    from zchuyot.workspace import members

    branch = gitio.run(ws.root, "symbolic-ref", "--short", "HEAD").stdout.strip() or "main"
    remote = f"origin/{branch}"
    has_remote = bool(gitio.run(ws.root, "remote", check=False).stdout.split())
    if has_remote:
        fetch = gitio.run(ws.root, "fetch", "-q", "origin", check=False)
        if fetch.returncode != 0:
            raise WorkspaceError("err.git_remote", why=gitio.cause(fetch.stderr) or "fetch failed")
        ahead = gitio.run(ws.root, "rev-list", "--count", f"HEAD..{remote}", check=False).stdout.strip()
        if ahead not in ("", "0"):
            raise InputError("err.rewrite_sync_first")
    if gitio.run(ws.root, "status", "--porcelain", "--", "cases", SETTINGS_FILE).stdout.strip():
        raise InputError("err.rewrite_sync_first")
    old_tip = gitio.run(ws.root, "rev-parse", "HEAD").stdout.strip()
    pinned = members.pinned(ws.root).get("anchor") or ""
    exported = subprocess.run(["git", "-C", str(ws.root), "fast-export", "--no-data", "--signed-tags=strip",
                               f"refs/heads/{branch}"], capture_output=True, check=True).stdout
    stream = _filtered(ws, exported, branch)
    left_out = stream.count(b"\nD ") - exported.count(b"\nD ")
    gitio.run(ws.root, "update-ref", "-d", REWRITTEN, check=False)
    subprocess.run(["git", "-C", str(ws.root), "fast-import", "--quiet", "--force"], input=stream, check=True,
                   capture_output=True)
    # the admin's commit on top: the rewrite recorded, signed — the department's new anchor
    record = ws.root / "rewrites" / f"{pinned or old_tip}.yaml"
    gitio.run(ws.root, "checkout", "-q", "-f", "-B", branch, REWRITTEN)
    record.parent.mkdir(exist_ok=True)
    write_atomic(record, "# zchuyot: the department's history rewritten without the families' plain records\n"
                         f"replaces_anchor: '{pinned}'\nold_tip: '{old_tip}'\nby: {worker}\n"
                         f"date: {dates.today().isoformat()}\nleft_out: {left_out}\n")
    gitio.run(ws.root, "add", "--", f"rewrites/{record.name}")
    gitio.run(ws.root, "-c", "gc.auto=0", "commit", "-q", "--no-verify", "-m",
              f"zchuyot keys migrate --rewrite-history: the history restarted without plain records "
              f"(replaces {old_tip[:10]})")
    anchor = gitio.run(ws.root, "rev-parse", "HEAD").stdout.strip()
    gitio.run(ws.root, "update-ref", "-d", REWRITTEN, check=False)
    if has_remote:
        lease = gitio.run(ws.root, "rev-parse", "--verify", "-q", remote, check=False).stdout.strip()
        push = gitio.run(ws.root, "push", "-q", f"--force-with-lease={branch}:{lease}", "origin",
                         f"HEAD:refs/heads/{branch}", check=False)
        if push.returncode != 0:
            raise WorkspaceError("err.rewrite_push", why=gitio.cause(push.stderr) or "push failed")
        gitio.run(ws.root, "fetch", "-q", "origin", check=False)
        from zchuyot.workspace import keystore

        keystore.sync(ws)  # the records just sealed: their keys go out with the rewrite
    members.pin(ws.root, anchor, members.pinned(ws.root).get("fingerprint") or "")
    gitio.run(ws.root, "update-ref", members.VERIFIED_REF, anchor)
    _drop_old(ws)
    return anchor, left_out


def _drop_old(ws: Workspace) -> None:
    """The old history's objects gone from this clone (they hold the plain records)."""
    for ref in ("refs/zchuyot/before-join", "refs/zchuyot/before-rewrite", "ORIG_HEAD"):
        gitio.run(ws.root, "update-ref", "-d", ref, check=False)
    gitio.run(ws.root, "reflog", "expire", "--expire=now", "--expire-unreachable=now", "--all", check=False)
    gitio.run(ws.root, "gc", "-q", "--prune=now", check=False)


def new_anchor(ws: Workspace, tip: str, pinned: str) -> str | None:
    """On the department's branch as fetched: the newest commit that records a rewrite of the anchor this
    clone pinned (`rewrites/<pinned>.yaml`) — or None."""
    out = gitio.run(ws.root, "log", "--first-parent", "--format=%H", "--diff-filter=A", tip, "--",
                    f"rewrites/{pinned}.yaml", check=False).stdout.split()
    return out[0] if out else None


def follow(ws: Workspace, remote: str) -> bool:
    """This clone follows a rewrite of the department's history: the new anchor names the one it pinned and is
    signed by an admin of the roster it last verified; its own work since then carried over on top (one
    commit of hers); the old objects dropped; the new anchor pinned. False when the branch holds no such
    rewrite (the caller refuses the history)."""
    from zchuyot.workspace import members, trust

    known = members.pinned(ws.root)
    pinned = known.get("anchor") or ""
    tip = gitio.run(ws.root, "rev-parse", remote).stdout.strip()
    anchor = new_anchor(ws, tip, pinned) if pinned else None
    if anchor is None or trust.find_anchor(ws.root, tip) != anchor:
        return False
    trusted = "refs/zchuyot/verified" if gitio.run(ws.root, "rev-parse", "--verify", "-q", members.VERIFIED_REF,
                                                      check=False).returncode == 0 else "HEAD"
    roster = trust.Roster.from_text(gitio.run(ws.root, "show", f"{trusted}:{SETTINGS_FILE}").stdout)
    signer, _ = trust.signer_of(ws.root, anchor, roster)
    if signer is None or not signer.admin:
        raise WorkspaceError("err.trust_rewritten", commit=tip[:10], anchor=pinned[:10])
    verdict = trust.verify(ws.root, tip, [], anchor)
    if verdict.refused:
        raise members.refusal_error(verdict.refused[0])
    mine = gitio.run_bytes(ws.root, "diff", "--binary", trusted, "HEAD", "--", "cases", "events", "directory",
                           "purged") if trusted != "HEAD" else b""
    gitio.run(ws.root, "update-ref", "refs/zchuyot/before-rewrite", "HEAD")
    branch = gitio.run(ws.root, "symbolic-ref", "--short", "HEAD").stdout.strip() or "main"
    gitio.run(ws.root, "checkout", "-q", "-f", "-B", branch, tip)
    if mine.strip():
        if not _apply(ws, mine):
            gitio.run(ws.root, "checkout", "-q", "-f", "-B", branch, "refs/zchuyot/before-rewrite")
            raise WorkspaceError("err.rewrite_carry")
        gitio.run(ws.root, "-c", "gc.auto=0", "commit", "-q", "--no-verify", "-m",
                  "zchuyot sync: this clone's work carried over the rewritten history")
    members.pin(ws.root, anchor, known.get("fingerprint") or "")
    gitio.run(ws.root, "update-ref", members.VERIFIED_REF, tip)
    _drop_old(ws)
    return True


def _apply(ws: Workspace, patch: bytes) -> bool:
    try:
        gitio.run_bytes(ws.root, "apply", "--index", "--3way", "--whitespace=nowarn", input_=patch)
    except WorkspaceError:
        return False
    return True
