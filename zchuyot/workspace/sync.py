"""`zchuyot sync`: commit, pull (merging issue files field by field), push — safe for people who
have never heard of git. Offline, the work stays committed here and goes out at the next sync.

Exit status: 0 sent and received; 1 something was not done (offline, a broken file kept back, a
merge that could not be made) — the message says what, and nothing is ever lost.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zchuyot.case.file import CASES, renumbered, write_atomic
from zchuyot.case.form import ID_RE
from zchuyot.case.validate import Problem
from zchuyot.errors import InputError, WorkspaceError
from zchuyot.workspace import gitio, keystore, members, privacy
from zchuyot.workspace.store import GITATTRIBUTES, GITIGNORE, LOCAL_DIR, SETTINGS_FILE, Workspace, check_files


@dataclass
class SyncResult:
    committed: list[str] = field(default_factory=list)  # ids committed by this sync
    broken: list[Problem] = field(default_factory=list)  # files kept back
    renamed: list[tuple[str, str]] = field(default_factory=list)
    sent_kinds: dict[str, int] = field(default_factory=dict)  # what went, by kind (kinds_of): issues, families…
    received_kinds: dict[str, int] = field(default_factory=dict)  # what came in, by kind
    keys_sent: int = 0  # families whose wrapped key went to the department's key store
    new_in: list[str] = field(default_factory=list)
    changed_in: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    no_remote: bool = False
    offline: str | None = None  # why the exchange did not happen
    recovered_lock: bool = False
    unsent: int = 0
    purged: list[tuple[str, str]] = field(default_factory=list)  # (family, issue id) dropped: the family was purged
    joined: bool = False  # this workspace's own history met the department's for the first time
    trusted: str | None = None  # the department's fingerprint, pinned by this sync (trust on first use)
    waiting: str | None = None  # joining: this worker's fingerprint, waiting for an admin's approval
    followed: bool = False  # the department's history was rewritten by an admin, and this clone followed
    refused_by_server: bool = False  # the server itself refused the push (its reason in `offline`)
    keys_refused: bool = False  # the server refused the key store's update (its reason in `offline`)
    keys_rebuilt: bool = False  # the server had no key store: rebuilt from this clone
    pushed: bool = False  # commits went out (issues, or settings, keys, a merge)
    in_step: bool = False  # the department's branch holds everything of this clone's

    @property
    def ok(self) -> bool:
        return not self.broken and self.offline is None and not self.no_remote and not self.waiting


@dataclass
class SyncStatus:
    remote: str | None
    uncommitted: list[str]
    unsent_commits: int
    unsent_ids: list[str]


def ensure_setup(ws: Workspace) -> None:
    """What every clone needs: the merge driver and a commit identity (local), and `.gitattributes` naming
    the driver for every file zchuyot merges (a workspace made by an older zchuyot gains the settings'
    line; the next commit takes it, and the same line added by two clones merges as one)."""
    every = gitio.config_values(ws.root)  # read once: the user's settings and the clone's own
    local = gitio.config_values(ws.root, "--local")
    gitio.register_merge_driver(ws.root, local)
    gitio.local_attributes(ws.root)
    gitio.ensure_identity(ws.root, ws.worker or "zchuyot", every)
    members.configure_clone(ws, local)
    for name, wanted in ((".gitattributes", GITATTRIBUTES), (".gitignore", GITIGNORE)):
        f = ws.root / name
        text = f.read_text(encoding="utf-8") if f.is_file() else ""
        missing = [line for line in wanted.splitlines() if line and not line.startswith("#")
                   and line not in text.splitlines()]
        if missing:
            write_atomic(f, text + ("" if not text or text.endswith("\n") else "\n") + "\n".join(missing) + "\n")
            os.chmod(f, 0o644)


def _git_dir(ws: Workspace) -> Path:
    return Path(gitio.run(ws.root, "rev-parse", "--absolute-git-dir").stdout.strip())


def recover(ws: Workspace) -> bool:
    """A killed git leaves index.lock behind, an interrupted merge leaves MERGE_HEAD: undo both safely.

    Called while holding the workspace's git lock, so no zchuyot command is using git now."""
    gd = _git_dir(ws)
    recovered = gitio.clear_stale_index_lock(ws.root)
    for left in ws.root.glob(".merge_file_*"):  # a killed merge's copies of an issue's versions
        left.unlink(missing_ok=True)
        recovered = True
    if (gd / "MERGE_HEAD").exists():
        gitio.run(ws.root, "merge", "--abort", check=False)
        recovered = True
    if (gd / "rebase-merge").exists() or (gd / "rebase-apply").exists():
        gitio.run(ws.root, "rebase", "--abort", check=False)
        recovered = True
    if privacy.finish_purges(ws):  # a purge killed on the way: all of it, or none of it
        recovered = True
    return recovered


KINDS = ("issues", "families", "letters", "documents", "directory", "events", "settings", "members", "purges",
         "templates", "other")


def kinds_of(paths: list[str]) -> dict[str, int]:
    """The department's files counted by what they are (the order of KINDS): an issue, a family record, a
    letter, the directory, an event, the settings, a member's keys, a purge record, a template."""
    counts: dict[str, int] = {}
    for p in paths:
        parts = p.split("/")
        if parts[0] == CASES:
            kind = "families" if parts[-1] == "family.yaml" else "letters" if "letters" in parts else \
                "documents" if "documents" in parts else "issues"
        else:
            kind = {"directory": "directory", "events": "events", SETTINGS_FILE: "settings", "keys": "members",
                    "purged": "purges", "templates": "templates"}.get(parts[0], "other")
        counts[kind] = counts.get(kind, 0) + 1
    return {k: counts[k] for k in KINDS if k in counts}


def _ids(paths: list[str]) -> list[str]:
    out = []
    for p in paths:
        stem = Path(p).stem
        if p.startswith(CASES + "/") and ID_RE.match(stem):
            out.append(stem)
    return sorted(dict.fromkeys(out))


def _changed_files(ws: Workspace) -> list[str]:
    out = gitio.run(ws.root, "status", "--porcelain", "-z", "--untracked-files=all", "--",
                    CASES, "templates", "directory", "keys", "events", "purged", SETTINGS_FILE, ".gitattributes",
                    ".gitignore").stdout
    files = []
    parts = out.split("\0")
    i = 0
    while i < len(parts):
        entry = parts[i]
        if len(entry) > 3:
            files.append(entry[3:])
            if entry[0] == "R":  # a rename is followed by its old path
                i += 1
        i += 1
    # not the temp file of a write in progress (.NAME.XXXX.tmp); the settings and .gitattributes are committed
    return [f for f in files if not (Path(f).name.startswith(".") and f.endswith(".tmp"))]


def _commit_local(ws: Workspace, result: SyncResult) -> None:
    files = _changed_files(ws)
    if not files:
        return
    present = [ws.root / f for f in files if (ws.root / f).exists()]
    problems = check_files(ws, [p for p in present if p.suffix == ".yaml"])
    bad = {p.file for p in problems}
    result.broken = problems
    good = [f for f in files if f not in bad]
    if not good:
        return
    ids = _ids(good)
    gitio.commit(ws.root, [Path(f) for f in good], "zchuyot sync: local changes " + ", ".join(ids or ["(settings)"]),
                 ws.worker)
    result.committed = ids


def _remote_branch(ws: Workspace) -> tuple[str, str]:
    branch = gitio.run(ws.root, "symbolic-ref", "--short", "HEAD").stdout.strip() or "main"
    return branch, f"origin/{branch}"


def _exists(ws: Workspace, ref: str) -> bool:
    return gitio.run(ws.root, "rev-parse", "--verify", "-q", ref, check=False).returncode == 0


def _unrelated(ws: Workspace, remote: str) -> bool:
    """This workspace's history and the department's share no commit: it is joining (`init --remote` in a
    workspace that already has work, or a remote added by hand)."""
    return _exists(ws, "HEAD") and not gitio.run(ws.root, "merge-base", "HEAD", remote, check=False).stdout.strip()


def _prepare_join(ws: Workspace, remote: str, result: SyncResult) -> None:
    """Before a workspace's own history is merged with the department's: the department's settings are
    taken, with this workspace's workers added (the merge of `.zchuyot.yaml` then has nothing to weigh),
    and the department's `.gitignore`/`.gitattributes` — so the two histories meet with no conflict but
    the issues themselves (ids made on both sides are renumbered, `_rename_collisions`)."""
    from zchuyot.case import yamlfast
    from zchuyot.workspace.store import add_worker

    mine = yamlfast.load((ws.root / SETTINGS_FILE).read_text(encoding="utf-8"))[0] or {}
    changed = []
    for name in (SETTINGS_FILE, ".gitignore", ".gitattributes"):
        theirs = gitio.run(ws.root, "show", f"{remote}:{name}", check=False)
        if theirs.returncode == 0 and (ws.root / name).read_text(encoding="utf-8") != theirs.stdout:
            write_atomic(ws.root / name, theirs.stdout)
            changed.append(ws.root / name)
    for code, info in (mine.get("workers") or {}).items():
        info = info if isinstance(info, dict) else {}
        added = add_worker(ws.root, str(code), info.get("name"), info.get("role"))
        if added and ws.root / SETTINGS_FILE not in changed:
            changed.append(ws.root / SETTINGS_FILE)
    if changed:
        gitio.commit(ws.root, changed, "zchuyot sync: joining the department – its settings, with this workspace's "
                     "workers", ws.worker)
    ws.reload_settings()
    result.joined = True


def _join_signed(ws: Workspace, remote: str, branch: str, result: SyncResult) -> None:
    """A workspace that worked on its own joins a department that signs. Its own history cannot be merged
    (its commits are signed under its own roster, which the department never vouched for): the department's
    history is verified whole and trusted (its anchor pinned in place of this workspace's own), this worker
    must be on its roster, and
    - until an admin approved her keys: her request (her keys, on top of the department's branch) is sent,
      and her work waits here untouched (exit 1, the fingerprint to give the admin);
    - once approved: her work — her cases (an id the department also has renumbered), her events, her
      directory entries merged in — becomes one commit of hers on top of the department's branch. Her own
      history stays in this clone, under refs/zchuyot/before-join."""
    from zchuyot.workspace import signing
    from zchuyot.workspace.merge import merge_directory
    from zchuyot.workspace.trust import Roster

    worker = ws.require_worker(pending_ok=True)
    (ws.root / members.TRUST_FILE).unlink(missing_ok=True)  # she joins this department: its trust, not hers
    said = members.verify_incoming(ws, remote, exclude=[])
    result.trusted = said
    _check_incoming(ws, remote)
    theirs = Roster.from_text(gitio.run(ws.root, "show", f"{remote}:{SETTINGS_FILE}").stdout)
    member = theirs.members.get(worker)
    if member is None:
        raise WorkspaceError("err.join_not_listed", worker=worker)
    tip = gitio.run(ws.root, "rev-parse", remote).stdout.strip()
    if not member.approved or signing.fingerprint(member.signing or "") != signing.fingerprint(
            signing.public_key(worker) or ""):
        _, _, ssh, _ = members.publish(ws.root, worker)
        result.waiting = signing.fingerprint(ssh)
        if gitio.run(ws.root, "cat-file", "-e", f"{remote}:keys/{worker}.ssh", check=False).returncode == 0:
            return  # her request is there already: the admin has it
        # her request on top of the department's branch (a commit of its own: her work waits here)
        index = ws.local_dir / "join.index"
        env_index = {"GIT_INDEX_FILE": str(index)}
        gitio.run_env(ws.root, env_index, "read-tree", tip)
        for name in (f"{worker}.pub", f"{worker}.ssh"):
            blob = gitio.run_bytes(ws.root, "hash-object", "-w", f"keys/{name}").decode().strip()
            gitio.run_env(ws.root, env_index, "update-index", "--add", "--cacheinfo", f"100644,{blob},keys/{name}")
        tree = gitio.run_env(ws.root, env_index, "write-tree").stdout.strip()
        index.unlink(missing_ok=True)
        commit = gitio.run(ws.root, "commit-tree", "-S", tree, "-p", tip, "-m",
                           f"zchuyot keys init: {worker}'s keys (a request to join)").stdout.strip()
        push = gitio.run(ws.root, "push", "-q", "origin", f"{commit}:refs/heads/{branch}", check=False)
        if push.returncode != 0:
            result.offline = gitio.cause(push.stderr) or "push failed"
        return
    # approved: her work, one commit on top of the department's branch
    mine: dict[str, str] = {}
    for line in gitio.run(ws.root, "ls-tree", "-r", "HEAD", "--", CASES, "events", "directory").stdout.splitlines():
        meta, _, path = line.partition("\t")
        if meta.split()[1] == "blob" and not path.endswith(".gitkeep"):
            mine[path] = gitio.run(ws.root, "show", f"HEAD:{path}").stdout
    gitio.run(ws.root, "update-ref", "refs/zchuyot/before-join", "HEAD")
    gitio.run(ws.root, "checkout", "-q", "-f", "-B", branch, tip)
    written = []
    for path, text in sorted(mine.items()):
        target = ws.root / path
        here = target.read_text(encoding="utf-8") if target.is_file() else None
        if here == text:
            continue
        if path.startswith("directory/") and here is not None:
            text = merge_directory("", here, text, _today())
        elif here is not None and path.startswith(CASES + "/") and ID_RE.match(Path(path).stem):
            new_id = ws.new_id(Path(path).stem.rsplit("-", 1)[0])
            result.renamed.append((Path(path).stem, new_id))
            target = target.with_name(f"{new_id}.yaml")
            text = renumbered(text, new_id)
        elif here is not None:
            continue  # the department's own file (a family record it has): the department's stands
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text)
        written.append(target)
    if written:
        gitio.commit(ws.root, written, f"zchuyot sync: {worker}'s own work joins the department", worker)
    result.joined = True


def _today() -> Any:
    from zchuyot.calendar import dates

    return dates.today()


def _rename_collisions(ws: Workspace, remote: str, result: SyncResult) -> None:
    """The same new file path on both sides with different content: an id made twice. Renumber ours.
    Histories that share no commit (joining): every issue of both sides counts as new."""
    if not _exists(ws, "HEAD"):
        return
    base = gitio.run(ws.root, "merge-base", "HEAD", remote, check=False).stdout.strip()

    def added(ref: str) -> dict[str, str]:
        if not base:
            out = gitio.run(ws.root, "ls-tree", "-r", "--name-only", ref, "--", CASES).stdout
        else:
            out = gitio.run(ws.root, "diff", "--name-only", "--diff-filter=A", base, ref, "--", CASES).stdout
        return {Path(p).stem: p for p in out.splitlines() if ID_RE.match(Path(p).stem)}

    mine, theirs = added("HEAD"), added(remote)
    renamed_paths = []
    for stem in sorted(set(mine) & set(theirs)):
        rel = mine[stem]
        ours = gitio.run(ws.root, "show", f"HEAD:{rel}").stdout
        if rel == theirs[stem] and ours == gitio.run(ws.root, "show", f"{remote}:{rel}").stdout:
            continue  # the very same file on both sides
        old = ws.root / rel
        worker = stem.rsplit("-", 1)[0]
        new_id = ws.new_id(worker)
        new = old.with_name(f"{new_id}.yaml")
        write_atomic(new, renumbered(ours, new_id))
        old.unlink()
        renamed_paths += [old, new]
        result.renamed.append((stem, new_id))
    if renamed_paths:
        gitio.commit(ws.root, renamed_paths, "zchuyot sync: renumbered " +
                     ", ".join(f"{a} → {b}" for a, b in result.renamed), ws.worker)


def _incoming(ws: Workspace, remote: str, result: SyncResult) -> None:
    if not _exists(ws, "HEAD") or result.joined:  # no history in common: all the department's issues are new
        out = gitio.run(ws.root, "ls-tree", "-r", "--name-only", remote, "--", CASES).stdout
        result.new_in = _ids(out.splitlines())
        return
    out = gitio.run(ws.root, "diff", "--name-status", f"HEAD...{remote}", "--", CASES).stdout
    for line in out.splitlines():
        status, _, path = line.partition("\t")
        (result.new_in if status.startswith("A") else result.changed_in).extend(_ids([path.split("\t")[-1]]))
    # a sync that fetched again (someone pushed first) names each issue once: new, or else changed
    result.new_in = sorted(dict.fromkeys(result.new_in))
    result.changed_in = sorted(i for i in dict.fromkeys(result.changed_in) if i not in result.new_in)


def _check_incoming(ws: Workspace, remote: str) -> None:
    """What arrives must not break the workspace or take it over, whoever signed it (an admin too): the
    settings must read; `.gitattributes` only at the top, naming zchuyot's merge driver and nothing else (no
    encoding, filter, eol, diff or macro); `.gitignore` only at the top, with zchuyot's own lines; no link,
    submodule or `.gitmodules` anywhere in the tree; no file under a path git ignores here (`.zchuyot/`,
    `keys/families/`, temp files). If it does, the pull is refused with one line naming the commit and the
    path — nothing merged — and the next sync fetches again, so the department's fix arrives."""
    import fnmatch

    from zchuyot.case import yamlfast
    from zchuyot.errors import DataError

    sha = gitio.run(ws.root, "rev-parse", remote).stdout.strip()[:10]  # as trust's refusals name a commit

    def refuse(why: str) -> None:
        raise WorkspaceError("err.sync_refused", commit=sha, why=why)

    settings = gitio.run(ws.root, "show", f"{remote}:{SETTINGS_FILE}", check=False)
    if settings.returncode == 0:
        try:
            data = yamlfast.load(settings.stdout)[0]
        except DataError as e:
            refuse(f"{SETTINGS_FILE}:{e.line}: {e.render()}")
        if not isinstance(data, dict):
            refuse(f"{SETTINGS_FILE}: not a mapping")
    ours = {line.strip() for line in (GITATTRIBUTES + GITIGNORE).splitlines()}
    for name in (".gitattributes", ".gitignore"):
        shown = gitio.run(ws.root, "show", f"{remote}:{name}", check=False)
        for line in shown.stdout.splitlines() if shown.returncode == 0 else []:
            text = line.strip()
            if not text or text.startswith("#") or text in ours:
                continue
            words = text.split()
            if name == ".gitattributes" and not words[0].startswith("[") and all(
                    w == "merge=zchuyot" for w in words[1:]):
                continue  # another pattern merged by zchuyot's driver
            refuse(f"{name}: {text}")
    listing = gitio.run(ws.root, "ls-tree", "-r", "-z", "--full-tree", remote).stdout
    for entry in listing.split("\0"):
        if not entry:
            continue
        meta, _, path = entry.partition("\t")
        mode = meta.split(" ")[0]
        parts = path.split("/")
        base = parts[-1]
        if mode in ("120000", "160000"):
            refuse(f"{path}: not a regular file")
        if path == ".gitmodules" or any(p.lower() == ".git" for p in parts) or (
                base in (".gitattributes", ".gitignore") and len(parts) > 1):
            refuse(f"{path}: git's own settings inside the department's files")
        if parts[0] == LOCAL_DIR or path.startswith("keys/families/") or fnmatch.fnmatch(base, ".*.tmp"):
            refuse(f"{path}: a path that stays on each computer")


def _purge_wins(ws: Workspace, remote: str, result: SyncResult) -> bool:
    """A family purged on one side and edited on the other (offline): the purge wins — the edited files are
    removed too, and the result says so. True when that leaves no conflict (the merge can be committed)."""
    out = gitio.run(ws.root, "status", "--porcelain", "-z", check=False).stdout.split("\0")
    for entry in out:
        code, path = entry[:2], entry[3:]
        if code not in ("UD", "DU") or not path.startswith(CASES + "/"):
            continue
        family_dir = str(Path(path).parent)
        deleter = remote if code == "UD" else "HEAD"  # UD: they deleted it; DU: we did
        if gitio.run(ws.root, "ls-tree", deleter, "--", family_dir + "/").stdout.strip():
            continue  # only that file went, not the family: a real conflict
        gitio.run(ws.root, "rm", "-q", "--", path)
        result.purged.append((Path(family_dir).name, Path(path).stem))
    return not gitio.run(ws.root, "diff", "--name-only", "--diff-filter=U", check=False).stdout.strip()


def _merge(ws: Workspace, remote: str, result: SyncResult) -> None:
    if not _exists(ws, "HEAD"):
        branch = remote.split("/", 1)[1]
        gitio.run(ws.root, "checkout", "-q", "-B", branch, remote)
        return
    proc = gitio.run(ws.root, "merge", "--no-edit", "-q", *(["--allow-unrelated-histories"] if result.joined else []),
                     remote, check=False)
    if proc.returncode != 0 and _purge_wins(ws, remote, result):
        proc = gitio.run(ws.root, "commit", "--no-edit", "-q", check=False)
    if proc.returncode != 0:
        conflicted = gitio.run(ws.root, "diff", "--name-only", "--diff-filter=U", check=False).stdout.split()
        gitio.run(ws.root, "merge", "--abort", check=False)
        names = _ids(conflicted) or conflicted or [(proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]][0]
        raise WorkspaceError("err.sync_merge", names=", ".join(map(str, names)))


def _follow_the_work(ws: Workspace, result: SyncResult, before: str) -> None:
    """What came in may change who reads a family (a partner's referral ended, a waiver changed): the family's
    worker or a rights worker replaces the key here, so the record is sealed again before this sync sends."""
    if not ws.settings.get("encryption"):
        return
    from zchuyot.workspace import keys

    if not before or gitio.run(ws.root, "rev-parse", "HEAD").stdout.strip() == before:
        return  # nothing came in
    changed = gitio.run(ws.root, "diff", "--name-only", before, "HEAD", check=False).stdout.split()
    if SETTINGS_FILE in changed:  # the roster changed (a member approved or removed): every family it touches
        ws.reload_settings()
        keys.grant(ws)
        return
    families = set()
    for rel in [c for c in changed if c.startswith(CASES + "/")]:
        parts = rel.split("/")
        if len(parts) == 4 and (parts[1] == ws.worker or ws.worker_info()["role"] == "rights"):
            families.add(parts[2])
    for family in sorted(families):
        keys.follow_the_work(ws, family)


def sync(ws: Workspace) -> SyncResult:
    """The worker's sync: commit what is hers, take the department's (verified), merge, send, and exchange the
    families' keys — over SSH through one shared connection."""
    with gitio.shared_ssh(ws.root):
        return _sync(ws)


def _sync(ws: Workspace) -> SyncResult:
    result = SyncResult()
    if not gitio.is_repo(ws.root):
        raise WorkspaceError("err.not_git")
    with ws.lock("git"):
        result.recovered_lock = recover(ws)
        ensure_setup(ws)
        _commit_local(ws, result)
        gitio.run(ws.root, "gc", "--auto", "--quiet", check=False)  # what the commands' own commits skip
        if not gitio.run(ws.root, "remote", check=False).stdout.split():
            result.no_remote = True
            return result
        branch, remote = _remote_branch(ws)
        import random
        import time

        attempts = 5
        for attempt in range(attempts):
            # --prune: a branch gone from the server (a re-created repository) is no longer taken as sent
            # one connection: the branch and the families' key store (keystore.FETCH_SPEC)
            fetch = gitio.run(ws.root, "fetch", "-q", "--prune", "origin", "+refs/heads/*:refs/remotes/origin/*",
                              keystore.FETCH_SPEC, check=False)
            if fetch.returncode != 0:
                result.offline = gitio.reason(fetch.stderr) or "fetch failed"
                break
            have_it = _exists(ws, remote) and gitio.run(ws.root, "merge-base", "--is-ancestor", remote, "HEAD",
                                                         check=False).returncode == 0
            if have_it:  # nothing of the department's is new here: it was verified and merged when it came
                going = gitio.run(ws.root, "diff", "--name-only", f"{remote}..HEAD", "--", CASES).stdout.splitlines()
            elif _exists(ws, remote):
                if members.rewritten(ws, remote) and members.pinned(ws.root).get("remote"):
                    # this clone's department no longer holds the anchor it pinned: an admin's rewrite of the
                    # history is followed (rewrite.follow checks it); anything else is refused
                    from zchuyot.workspace import rewrite

                    if not rewrite.follow(ws, remote):
                        raise WorkspaceError("err.trust_rewritten", commit=remote, anchor=members.pinned(
                            ws.root).get("anchor", "")[:10])
                    result.followed = True
                    continue
                if _unrelated(ws, remote) and members.signed_at(ws, remote):
                    _join_signed(ws, remote, branch, result)  # a workspace with its own history joins
                    if result.waiting:
                        break
                    continue  # joined: what it made is sent like any other work
                # nothing of the department's branch is merged before every new commit of it is verified
                said = members.verify_incoming(ws, remote)
                if said:
                    result.trusted = said
                _check_incoming(ws, remote)
                if ws.settings.get("encryption"):
                    keystore.fetch(ws, remote)  # a record sealed with a key replaced elsewhere: the merge opens it
                if _unrelated(ws, remote):
                    _prepare_join(ws, remote, result)
                _rename_collisions(ws, remote, result)
                _incoming(ws, remote, result)
                before = gitio.run(ws.root, "rev-parse", "--verify", "-q", "HEAD", check=False).stdout.strip()
                if before:
                    coming = gitio.run(ws.root, "diff", "--name-only", f"HEAD...{remote}", check=False).stdout
                    result.received_kinds = kinds_of(coming.splitlines())
                _merge(ws, remote, result)
                _follow_the_work(ws, result, before)
                going = gitio.run(ws.root, "diff", "--name-only", f"{remote}..HEAD", "--", CASES).stdout.splitlines()
            else:
                going = gitio.run(ws.root, "ls-files", "--", CASES).stdout.splitlines()
            if not _exists(ws, "HEAD"):
                break
            ahead = gitio.run(ws.root, "rev-list", "--count", f"{remote}..HEAD" if _exists(ws, remote) else "HEAD")
            if int(ahead.stdout.strip() or 0) == 0:
                result.in_step = True  # nothing of ours waits: no need to count what is unsent
                break
            every = gitio.run(ws.root, "diff", "--name-only", *([f"{remote}..HEAD"] if _exists(ws, remote) else
                                                                [gitio.EMPTY_TREE, "HEAD"]), check=False)
            push = gitio.run(ws.root, "push", "-q", "-u", "origin", f"HEAD:{branch}", check=False)
            if push.returncode == 0:
                result.sent = _ids(going)
                result.sent_kinds = kinds_of(every.stdout.splitlines())
                result.pushed = True
                break
            err = push.stderr or ""
            if not gitio.contended(err):  # the server refuses it (a hook, protected refs, a full disk, a quota)
                result.offline = gitio.reason(err) or "push failed"
                result.refused_by_server = gitio.diagnosis(err) is None
                break
            if attempt == attempts - 1:
                result.offline = "contended"
                break
            time.sleep(random.uniform(0.05, 0.25) * 2 ** attempt)  # someone pushed first: fetch, merge, again
        if result.offline is None and not result.no_remote and not result.waiting:
            keys = keystore.sync(ws, fetched=True)  # the families' wrapped keys: their own ref, without history
            result.keys_rebuilt = keys.rebuilt
            result.keys_sent = keys.sent
            if keys.problem is not None:
                result.offline = keys.problem
                result.keys_refused = keys.problem != "contended"  # else: others sending, said as such
        if result.offline is not None or not (result.pushed or result.in_step):
            st = status(ws, fetch=False)
            result.unsent = st.unsent_commits
        if result.new_in or result.changed_in or result.joined or result.followed or result.purged or result.committed:
            ws.make_private()  # what a pull or a merge created is readable by this worker only
        else:
            ws.make_private(git_only=True)  # nothing came in: only .git's own modes to hold
        if result.new_in or result.changed_in or not result.offline:
            ws.reload_settings()
            members.configure_clone(ws)  # git's allowed signers follow the roster as it now is
    return result


def refuse(ws: Workspace, text: str) -> tuple[SyncResult, str]:
    """`sync --refuse COMMIT` (an admin): the department's branch merged with that refused commit's effect
    reverted, and the refusal recorded (`refusals/<commit>.yaml`, signed by her): every clone's next sync then
    takes the branch — the refused commit stays in history, cleared, its changes undone — and `verify`
    passes. Nothing else is lost. Returns (result, the commit)."""
    from zchuyot.calendar import dates
    from zchuyot.workspace import trust

    worker = members.require_admin(ws)
    result = SyncResult()
    with ws.lock("git"):
        result.recovered_lock = recover(ws)
        ensure_setup(ws)
        _commit_local(ws, result)
        fetch = gitio.run(ws.root, "fetch", "-q", "origin", check=False)
        if fetch.returncode != 0:
            raise WorkspaceError("err.git_remote", why=gitio.cause(fetch.stderr) or "fetch failed")
        branch, remote = _remote_branch(ws)
        found = gitio.run(ws.root, "rev-parse", "--verify", "-q", f"{text}^{{commit}}", check=False).stdout.strip()
        if not found or gitio.run(ws.root, "merge-base", "--is-ancestor", found, remote,
                                  check=False).returncode != 0:
            raise InputError("err.refuse_unknown", commit=text)
        anchor = members.pinned(ws.root).get("anchor") or trust.find_anchor(ws.root, remote) or ""
        exclude = [x for x in ("HEAD", members.VERIFIED_REF) if _exists(ws, x)]
        plain = trust.verify(ws.root, remote, exclude, anchor)
        if not any(r.commit == found for r in plain.refused):
            raise InputError("err.refuse_not_refused", commit=found[:10])
        rest = trust.verify(ws.root, remote, exclude, anchor, cleared=[found])
        if rest.refused:  # another commit is refused too: cleared one at a time, each named
            raise members.refusal_error(rest.refused[0])
        rule = next(r.rule for r in plain.refused if r.commit == found)
        proc = gitio.run(ws.root, "merge", "--no-edit", "-q", remote, check=False)
        if proc.returncode != 0:
            gitio.run(ws.root, "merge", "--abort", check=False)
            raise WorkspaceError("err.sync_merge", names=found[:10])
        parents = gitio.run(ws.root, "rev-parse", f"{found}^@").stdout.split()
        back = gitio.run(ws.root, "revert", "--no-commit", *(["-m", "1"] if len(parents) > 1 else []), found,
                         check=False)
        if back.returncode != 0:
            gitio.run(ws.root, "revert", "--abort", check=False)
            raise WorkspaceError("err.refuse_conflict", commit=found[:10])
        record = ws.root / "refusals" / f"{found}.yaml"
        record.parent.mkdir(exist_ok=True)
        write_atomic(record, f"# zchuyot: a commit refused for the department, its effect reverted\n"
                             f"commit: '{found}'\nby: {worker}\ndate: {dates.today().isoformat()}\nrule: {rule}\n")
        os.chmod(record, 0o644)
        gitio.run(ws.root, "add", "--", str(record.relative_to(ws.root)))
        gitio.run(ws.root, "-c", "gc.auto=0", "commit", "-q", "--no-verify", "-m",
                  f"zchuyot sync --refuse: {found[:10]} refused for the department ({rule})")
        push = gitio.run(ws.root, "push", "-q", "origin", f"HEAD:{branch}", check=False)
        if push.returncode != 0:
            result.offline = gitio.cause(push.stderr) or "push failed"
        ws.make_private()
    return result, found


def status(ws: Workspace, fetch: bool = False) -> SyncStatus:
    if not gitio.is_repo(ws.root):
        raise WorkspaceError("err.not_git")
    url = gitio.run(ws.root, "remote", "get-url", "origin", check=False).stdout.strip() or None
    if fetch and url:
        gitio.run(ws.root, "fetch", "-q", "origin", check=False)
    uncommitted = _changed_files(ws)
    unsent, ids = 0, []
    if _exists(ws, "HEAD"):
        _, remote = _remote_branch(ws)
        rng = f"{remote}..HEAD" if _exists(ws, remote) else "HEAD"
        unsent = int(gitio.run(ws.root, "rev-list", "--count", rng).stdout.strip() or 0)
        if _exists(ws, remote):
            ids = _ids(gitio.run(ws.root, "diff", "--name-only", f"{remote}..HEAD", "--", CASES).stdout.splitlines())
        else:
            ids = _ids(gitio.run(ws.root, "ls-files", "--", CASES).stdout.splitlines())
    return SyncStatus(url, uncommitted, unsent, ids)


