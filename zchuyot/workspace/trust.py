"""Who may change what — the department vouches for its members, and every clone (and the server) checks.

The roster is the `workers` mapping of `.zchuyot.yaml`: each worker's role, whether she is an admin, and
once approved her public keys (`signing`: her SSH signing key, `age`: her encryption key). It changes only
in commits signed by an admin of the roster in force at the commit's parent. The first signed roster of a
department (its first admin's, made by `init`) is the *anchor*: each clone pins it the first time it sees
it (trust on first use — `init` prints the department's fingerprint for the IT person to note), and
from there on every commit must be signed by a member in force and permitted by RULES below. Commits
before the anchor (a department that began before signing) are counted as such, never trusted anew.

RULES is the one table of who may change what (SECURITY.md prints it); `verify` applies it to a range of
commits, reading git's own verdict on each SSH signature (`%G?`, `%GF`) — nothing here is cryptography.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SLUG = r"[a-z0-9][a-z0-9_-]{0,31}"
SETTINGS_FILE = ".zchuyot.yaml"
PURGED = "purged"
ZERO = "0" * 40


# ------------------------------------------------------------------ the roster
@dataclass(frozen=True)
class Member:
    code: str
    role: str
    admin: bool = False
    signing: str | None = None  # "ssh-ed25519 AAAA…" once approved
    age: str | None = None
    removed: bool = False  # revoked by an admin (`worker remove`)

    @property
    def approved(self) -> bool:
        return bool(self.signing)


@dataclass
class Roster:
    members: dict[str, Member] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, data: Any) -> Roster:
        out: dict[str, Member] = {}
        workers = data.get("workers") if isinstance(data, dict) else None
        for code, info in (workers or {}).items() if isinstance(workers, dict) else []:
            info = info if isinstance(info, dict) else {}
            if not re.fullmatch(SLUG, str(code)):
                continue
            removed = bool(info.get("removed"))  # revoked by an admin: no key of hers is in force
            sig = None if removed else info.get("signing")
            age = None if removed else info.get("age")
            admin = info.get("admin") is True and not removed
            out[str(code)] = Member(str(code), str(info.get("role") or "family"), admin,
                                    str(sig).strip() if sig else None, str(age).strip() if age else None, removed)
        return cls(out)

    @classmethod
    def from_text(cls, text: str | None) -> Roster:
        if not text:
            return cls()
        from zchuyot.case import yamlfast

        try:
            return cls.from_settings(yamlfast.load(text)[0])
        except Exception:  # noqa: BLE001 — a settings file that does not read vouches for nobody
            return cls()

    @property
    def signed(self) -> bool:
        """The roster has an admin with a signing key: the department verifies who wrote what."""
        return any(m.admin and m.approved for m in self.members.values())

    def by_fingerprint(self, fp: str) -> Member | None:
        from zchuyot.workspace.signing import fingerprint

        for m in self.members.values():
            if m.signing and fingerprint(m.signing) == fp:
                return m
        return None

    def admins(self) -> list[Member]:
        return [m for m in self.members.values() if m.admin and m.approved]

    def signers(self) -> dict[str, list[str]]:
        return {m.code: [m.signing] for m in self.members.values() if m.signing}


def department_fingerprint(roster: Roster) -> str:
    """What the IT person notes when the department starts: its first admins' signing-key fingerprints."""
    from zchuyot.workspace.signing import fingerprint

    return ", ".join(f"{m.code} {fingerprint(m.signing or '')}" for m in roster.admins())


# ------------------------------------------------------------------ the table
@dataclass(frozen=True)
class Change:
    path: str
    old: str | None  # blob sha before (None: added)
    new: str | None  # blob sha after (None: removed)


@dataclass
class Context:
    """What a rule may look at: the signer, the roster in force, the commit's other changes, and the
    objects of the repository (blobs by sha, files of the parent by path)."""

    signer: Member
    roster: Roster
    changes: list[Change]
    blob: Callable[[str], bytes | None]
    at_parent: Callable[[str], bytes | None]
    joining: bool = False  # signed by the key this very commit publishes for a pending member
    reverting: frozenset[str] = frozenset()  # paths of the commits this (admin's) commit refuses: it undoes them


@dataclass(frozen=True)
class Rule:
    key: str  # the rule's name (labels: trust.rule.KEY says it in Hebrew and English)
    pattern: re.Pattern[str]
    who: str  # admin | member | nobody | joining | case | purge


RULES: tuple[Rule, ...] = (
    Rule("settings", re.compile(r"^\.zchuyot\.yaml$"), "admin"),
    Rule("attributes", re.compile(r"^\.gitattributes$"), "admin"),
    Rule("ignore", re.compile(r"^\.gitignore$"), "admin"),
    Rule("templates", re.compile(r"^templates/"), "admin"),
    Rule("local", re.compile(r"^\.zchuyot/"), "nobody"),
    Rule("family_keys", re.compile(r"^keys/families/"), "nobody"),
    Rule("own_keys", re.compile(rf"^keys/(?P<worker>{SLUG})\.(pub|ssh)$"), "joining"),
    Rule("purge_record", re.compile(rf"^{PURGED}/(?P<family>{SLUG})\.yaml$"), "purge"),
    Rule("refusal_record", re.compile(r"^refusals/(?P<commit>[0-9a-f]{40})\.yaml$"), "refusal"),
    Rule("rewrite_record", re.compile(r"^rewrites/(?P<commit>[0-9a-f]{40})\.yaml$"), "refusal"),
    Rule("cases_folder", re.compile(r"^cases/\.gitkeep$"), "member"),
    Rule("case", re.compile(rf"^cases/(?P<worker>{SLUG})/(?P<family>{SLUG})/(?P<rest>.+)$"), "case"),
    Rule("events", re.compile(rf"^events/{SLUG}[^/]*$|^events/\.gitkeep$"), "member"),
    Rule("directory", re.compile(r"^directory/(bodies|partners)\.yaml$"), "member"),
)
PARTNER_ROLES = ("volunteer", "student", "lawyer", "other")


def rule_for(path: str) -> tuple[Rule | None, dict[str, str]]:
    for r in RULES:
        m = r.pattern.match(path)
        if m:
            return r, m.groupdict()
    return None, {}


def permitted(ctx: Context, change: Change) -> str | None:
    """None when the signer may make this change; else the key of the rule it breaks."""
    rule, parts = rule_for(change.path)
    s = ctx.signer
    if change.path in ctx.reverting and s.admin and s.approved and rule is not None and rule.who != "nobody":
        return None  # an admin undoing the effect of a commit she refused for the department (sync --refuse)
    if rule is None:
        return "unknown_path"
    if ctx.joining and rule.who != "joining":
        return "pending"
    if rule.who == "nobody":
        return rule.key
    if rule.who == "admin":
        return None if s.admin and s.approved else rule.key
    if rule.who == "member":
        return None if s.approved else rule.key
    if rule.who == "joining":
        if s.admin and s.approved and not ctx.joining:
            return None
        before = ctx.roster.members.get(parts["worker"])
        if ctx.joining and s.code == parts["worker"] and before is not None and not before.approved \
                and change.old is None:
            return None
        return rule.key
    if rule.who == "refusal":  # an admin's record that a commit was refused for the department, never undone
        return None if s.admin and s.approved and change.old is None and change.new else rule.key
    if rule.who == "purge":
        if change.old is not None:
            return "purge_record"  # a purge record is never changed or taken back
        return None if _may_purge(ctx, parts["family"]) else "purge_record"
    # a case folder: its worker, a rights worker; a partner only her feedback on a referral to her
    if not s.approved:
        return "case"
    if s.code == parts["worker"] or s.role == "rights":
        if change.new is None and parts["rest"] == "family.yaml" and not _purge_recorded(ctx, parts["family"]):
            return "purge_without_record"
        return None
    if s.role in PARTNER_ROLES and change.old and change.new and parts["rest"].endswith(".yaml") \
            and "/" not in parts["rest"] and parts["rest"] != "family.yaml":
        return None if _partner_feedback_only(ctx, change, parts) else "case_partner"
    return "case"


def _purge_recorded(ctx: Context, family: str) -> bool:
    return any(c.path == f"{PURGED}/{family}.yaml" and c.old is None and c.new for c in ctx.changes)


def _may_purge(ctx: Context, family: str) -> bool:
    """The family's worker (whose folder holds its record at the parent) or a rights worker."""
    s = ctx.signer
    if not s.approved:
        return False
    if s.role == "rights":
        return True
    return ctx.at_parent(f"cases/{s.code}/{family}/family.yaml") is not None


def _load(data: bytes | None) -> Any:
    from zchuyot.case import yamlfast

    if data is None:
        return None
    try:
        return yamlfast.load(data.decode("utf-8"))[0]
    except Exception:  # noqa: BLE001 — unreadable: the rule fails closed
        return None


def _partner_keys(ctx: Context) -> set[str]:
    """The directory's partners that are this signer (directory/partners.yaml at the parent)."""
    data = _load(ctx.at_parent("directory/partners.yaml"))
    return {str(e.get("key")) for e in data or [] if isinstance(e, dict) and e.get("worker") == ctx.signer.code} \
        if isinstance(data, list) else set()


def _partner_feedback_only(ctx: Context, change: Change, parts: dict[str, str]) -> bool:
    """A partner changed an issue only by adding her feedback (and its log entry) to an open referral to her,
    for a family whose valid waiver covers her."""
    old, new = _load(ctx.blob(change.old or "")), _load(ctx.blob(change.new or ""))
    if not isinstance(old, dict) or not isinstance(new, dict):
        return False
    mine = _partner_keys(ctx)
    if not mine:
        return False
    covered = _covered(ctx, parts["worker"], parts["family"])
    if not (mine & covered):
        return False
    if {k: v for k, v in old.items() if k not in ("log", "referrals")} != \
            {k: v for k, v in new.items() if k not in ("log", "referrals")}:
        return False
    old_log, new_log = list(old.get("log") or []), list(new.get("log") or [])
    added = [e for e in new_log if e not in old_log]
    if any(e not in new_log for e in old_log) or any(
            not isinstance(e, dict) or e.get("kind") != "feedback" or e.get("by") != ctx.signer.code for e in added):
        return False
    old_refs = {str(r.get("id")): r for r in old.get("referrals") or [] if isinstance(r, dict)}
    new_refs = {str(r.get("id")): r for r in new.get("referrals") or [] if isinstance(r, dict)}
    if set(old_refs) != set(new_refs):
        return False
    for rid, o in old_refs.items():
        n = new_refs[rid]
        if o == n:
            continue
        if str(o.get("to")) not in mine or o.get("status") != "open":
            return False
        if {k: v for k, v in o.items() if k not in ("feedback", "status")} != \
                {k: v for k, v in n.items() if k not in ("feedback", "status")}:
            return False
        if n.get("status") not in ("open", "done", "returned"):
            return False
        of, nf = list(o.get("feedback") or []), list(n.get("feedback") or [])
        if nf[:len(of)] != of or any(not isinstance(e, dict) or e.get("by") != ctx.signer.code for e in nf[len(of):]):
            return False
    return bool(added)


def _covered(ctx: Context, worker: str, family: str) -> set[str]:
    """The partners a valid waiver of the family covers (family.yaml at the parent; waivers are not sealed)."""
    from zchuyot.calendar import dates
    from zchuyot.case.file import covered_on, waivers_in

    return covered_on(waivers_in(_load(ctx.at_parent(f"cases/{worker}/{family}/family.yaml"))), dates.today())


# ------------------------------------------------------------------ reading the repository
class Objects:
    """One `git cat-file --batch` for every object a verification reads (blobs by sha, `rev:path`)."""

    def __init__(self, repo: Path) -> None:
        self.proc = subprocess.Popen(["git", "-C", str(repo), "cat-file", "--batch"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.cache: dict[str, bytes | None] = {}
        self.tainted: dict[bytes, bytes] = {}  # a settings text a refused commit made → the text before it

    def raw(self, name: str) -> bytes | None:
        """Any object's content as git stores it (a commit with its signature header)."""
        return self._read(name, any_type=True)

    def get(self, name: str) -> bytes | None:
        return self._read(name)

    def _read(self, name: str, any_type: bool = False) -> bytes | None:
        if not name or "\n" in name:
            return None
        if name in self.cache and not any_type:
            return self.cache[name]
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(name.encode() + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().decode().split()
        if len(header) != 3 or header[1] == "missing":
            self.cache[name] = None
            return None
        data = self.proc.stdout.read(int(header[2]) + 1)[:-1]
        out = data if header[1] == "blob" or any_type else None
        if not any_type:
            self.cache[name] = out
        return out

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait()


def git(repo: Path, *args: str, input_: str | None = None) -> str:
    """git's output in `repo` (a clone or the server's bare repository), through gitio's one way of running it."""
    from zchuyot.workspace import gitio

    return gitio.run(repo, *args, input_=input_).stdout


def is_ancestor(repo: Path, a: str, b: str) -> bool:
    from zchuyot.workspace import gitio

    return gitio.run(repo, "merge-base", "--is-ancestor", a, b, check=False).returncode == 0


# ------------------------------------------------------------------ verifying
@dataclass(frozen=True)
class Refusal:
    commit: str
    signer: str  # the worker's code, or "" (unsigned / unknown key)
    rule: str  # trust.rule.KEY
    path: str = ""
    fingerprint: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"commit": self.commit, "signer": self.signer or None, "rule": self.rule, "path": self.path or None,
                "fingerprint": self.fingerprint or None}


@dataclass
class Verdict:
    checked: int = 0
    refused: list[Refusal] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # commits refused earlier and cleared by an admin

    @property
    def ok(self) -> bool:
        return not self.refused


def signatures(repo: Path, revs: list[str]) -> str:
    """Each commit's SSH signature judged, one line a commit: `sha status fingerprint` — G: a good signature
    by the key with that fingerprint (whose key it is, the roster at the parent says), N: none, B: bad, E:
    one that cannot be checked. In-process with `sshsig` (a maintained port of `ssh-keygen -Y
    check-novalidate`, over `cryptography`) on the commit as git stores it, the signature header taken out
    as git does; where it is not installed, git's own verdict (%G?, %GF: one ssh-keygen per commit). The
    tests hold the two to the same answers, and `git verify-commit` reads every signature zchuyot makes."""
    try:
        import sshsig  # noqa: F401
    except ImportError:
        return git_signatures(repo, revs)
    objs = Objects(repo)
    try:
        out = []
        for sha in revs:
            status, fp = commit_signature(objs.raw(sha) or b"")
            out.append(f"{sha} {status} {fp}".rstrip())
        return "\n".join(out) + "\n"
    finally:
        objs.close()


def signer_of(repo: Path, commit: str, roster: Roster) -> tuple[Member | None, str]:
    """Who of this roster signed one commit, and the signature's fingerprint (None: unsigned, bad, or a key
    no member of it holds)."""
    status, _, fp = signatures(repo, [commit]).strip().partition(" ")[2].partition(" ")
    return (roster.by_fingerprint(fp) if status in ("G", "U") else None), fp


def commit_signature(raw: bytes) -> tuple[str, str]:
    """(status, fingerprint) of one raw commit object's SSH signature (see `signatures`)."""
    import sshsig

    head, sep, body = raw.partition(b"\n\n")
    kept: list[bytes] = []
    armored: list[bytes] = []
    inside = False
    for line in head.split(b"\n"):
        if line.startswith(b"gpgsig "):
            inside = True
            armored.append(line[len(b"gpgsig "):])
        elif inside and line.startswith(b" "):
            armored.append(line[1:])
        else:
            inside = False
            kept.append(line)
    if not armored:
        return "N", ""
    text = b"\n".join(armored)
    if b"BEGIN SSH SIGNATURE" not in text:
        return "E", ""
    try:
        key = sshsig.check_signature(b"\n".join(kept) + sep + body, text, "git")
    except sshsig.InvalidSignature:
        return "B", ""
    except (NotImplementedError, ValueError):
        return "E", ""
    return "G", key.sha256_str()


def git_signatures(repo: Path, revs: list[str]) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".signers") as empty:  # membership is the roster's to say
        return git(repo, "-c", f"gpg.ssh.allowedSignersFile={empty.name}", "log", "--no-walk=unsorted", "--stdin",
                   "--format=%H %G? %GF", input_="\n".join(revs) + "\n")


def find_anchor(repo: Path, tip: str) -> str | None:
    """The commit where the department's roster was first signed (its first admin with a signing key) — or,
    after an admin rewrote the history (`keys migrate --rewrite-history`), the newest commit that records it."""
    objs = Objects(repo)
    try:
        for sha in git(repo, "log", "--first-parent", "--diff-filter=A", "--format=%H", tip, "--",
                       "rewrites/").split():
            if Roster.from_text((objs.get(f"{sha}:{SETTINGS_FILE}") or b"").decode("utf-8", "replace")).signed:
                return sha
    finally:
        objs.close()
    out = git(repo, "log", "--format=%H", "--reverse", "--topo-order", tip, "--", SETTINGS_FILE)
    objs = Objects(repo)
    try:
        for sha in out.split():
            if Roster.from_text((objs.get(f"{sha}:{SETTINGS_FILE}") or b"").decode("utf-8", "replace")).signed:
                return sha
    finally:
        objs.close()
    return None


def verify(repo: Path, tip: str, exclude: Iterable[str], anchor: str, cleared: Iterable[str] = ()) -> Verdict:
    """Every commit reachable from `tip` and not from `exclude` (already verified), down to the anchor:
    signed by a member of the roster in force at its parent, and each change permitted by RULES. The anchor
    itself must be signed by an admin of its own roster. `cleared`: commits an admin refused for the
    department (their effect reverted): counted, not refused again."""
    cleared = set(cleared) | refused_at(repo, tip)
    parents = git(repo, "rev-parse", f"{anchor}^@").split()
    stop = [x for x in exclude if x] + parents
    listed = git(repo, "rev-list", "--topo-order", "--reverse", "--parents", tip, "--not", *stop).splitlines()
    parents_of = {line.split()[0]: line.split()[1:] for line in listed if line.strip()}
    revs = [line.split()[0] for line in listed if line.strip()]
    verdict = Verdict(checked=len(revs))
    if not revs:
        return verdict
    # one git for every commit: its signature as git verifies it (%G? %GF) and its diff against each parent
    pairs = [f"{c} {p}" for c in revs for p in parents_of[c]] + [c for c in revs if not parents_of[c]]
    out = git(repo, "diff-tree", "-r", "--no-renames", "--always", "--root", "--stdin", "--format=@%H %P",
              input_="\n".join(pairs) + "\n")
    commits: dict[str, dict[str, Any]] = {c: {"parents": parents_of[c], "diffs": {}} for c in revs}
    for line in signatures(repo, revs).splitlines():
        sha, _, rest = line.partition(" ")
        status, _, fp = rest.partition(" ")
        if sha in commits:
            commits[sha]["status"], commits[sha]["fp"] = status, fp
    cur: list[Change] | None = None
    for line in out.splitlines():
        if line.startswith("@"):
            sha, *ps = line[1:].split()
            cur = commits[sha]["diffs"].setdefault(ps[0] if ps else "", [])
        elif line.startswith(":") and cur is not None:
            meta, _, path = line.partition("\t")
            _, _, old, new, _ = meta[1:].split(" ", 4)
            cur.append(Change(path, None if old == ZERO else old, None if new == ZERO else new))
    objs = Objects(repo)
    # a roster a refused commit made vouches for nobody: commits on top of it are judged by the roster before
    for c in cleared:
        made, before = objs.get(f"{c}:{SETTINGS_FILE}"), objs.get(f"{c}^:{SETTINGS_FILE}")
        if made is not None and made != before:
            objs.tainted[made] = before or b""
    try:
        for sha in revs:
            if sha in cleared:
                verdict.accepted.append(sha)
                continue
            refusal = _verify_one(objs, sha, commits[sha], anchor, lambda c: changed_paths(repo, c))
            if refusal is not None:
                verdict.refused.append(refusal)
    finally:
        objs.close()
    return verdict


def refused_at(repo: Path, tip: str) -> set[str]:
    """The commits an admin refused for the department (`sync --refuse`), as the branch records them."""
    out = git(repo, "ls-tree", "--name-only", f"{tip}:refusals/") if has(repo, f"{tip}:refusals") else ""
    return {n.removesuffix(".yaml") for n in out.split() if re.fullmatch(r"[0-9a-f]{40}\.yaml", n)}


def has(repo: Path, name: str) -> bool:
    """The repository holds this object (`rev:path` or a sha)."""
    return subprocess.run(["git", "-C", str(repo), "cat-file", "-e", name], capture_output=True).returncode == 0


def changed_paths(repo: Path, commit: str) -> frozenset[str]:
    """What a commit changed against its first parent (the paths an admin's refusal may take back)."""
    if not re.fullmatch(r"[0-9a-f]{40}", commit):
        return frozenset()
    return frozenset(git(repo, "diff-tree", "-r", "--no-renames", "--root", "--name-only", "--no-commit-id",
                         commit).split())


def _verify_one(objs: Objects, sha: str, info: dict[str, Any], anchor: str,
                paths_of: Callable[[str], frozenset[str]] = lambda c: frozenset()) -> Refusal | None:
    from zchuyot.workspace.signing import fingerprint

    parents: list[str] = info["parents"]
    status, fp = info.get("status") or "N", info.get("fp") or ""
    own = Roster.from_text((objs.get(f"{sha}:{SETTINGS_FILE}") or b"").decode("utf-8", "replace"))
    if sha == anchor:
        rosters = [own]  # the trust root vouches for itself; the clone pinned it (trust on first use)
    else:
        texts = [objs.get(f"{p}:{SETTINGS_FILE}") or b"" for p in parents]
        rosters = [Roster.from_text(objs.tainted.get(x, x).decode("utf-8", "replace")) for x in texts] or [Roster()]
    if status not in ("G", "U"):
        return Refusal(sha, "", "unsigned" if status == "N" else "bad_signature", fingerprint=fp)
    signer, roster = None, rosters[0]
    for r in rosters:
        signer = r.by_fingerprint(fp)
        if signer is not None:
            roster = r
            break
    joining = False
    diffs: dict[str, list[Change]] = info["diffs"]
    all_changes = [c for d in diffs.values() for c in d]
    if signer is None:
        # a joining request: signed by the key this commit publishes for a member the roster lists as pending
        for c in all_changes:
            m = re.match(rf"^keys/({SLUG})\.ssh$", c.path)
            if m and c.new and fingerprint((objs.get(c.new) or b"").decode("utf-8", "replace")) == fp:
                pending = roster.members.get(m.group(1))
                if pending is not None and not pending.approved:
                    signer, joining = pending, True
                    break
    if signer is None:
        return Refusal(sha, "", "not_member", fingerprint=fp)
    if sha == anchor and not signer.admin:
        return Refusal(sha, signer.code, "anchor", fingerprint=fp)
    parent = parents[0] if parents else None

    def at_parent(path: str) -> bytes | None:
        return objs.get(f"{parent}:{path}") if parent else None

    if len(parents) <= 1:
        changes = diffs.get(parent or "", [])
        undone = frozenset().union(*(paths_of(m.group(1)) for c in changes if c.old is None and
                                     (m := re.match(r"^refusals/([0-9a-f]{40})\.yaml$", c.path))))
        ctx = Context(signer, roster, changes, objs.get, at_parent, joining, undone)
        for c in changes:
            why = permitted(ctx, c)
            if why is not None:
                return Refusal(sha, signer.code, why, c.path, fp)
        return None
    # a merge: what it takes from a side is that side's (verified on its own); a path it makes anew must be a
    # change the signer may make from at least one side's version (a partner's merge: the other side plus her
    # feedback)
    per_parent = [{c.path: c for c in diffs.get(p, [])} for p in parents]
    authored = set(per_parent[0]).intersection(*per_parent[1:])
    for path in sorted(authored):
        reasons = []
        for i, p in enumerate(parents):
            c = per_parent[i][path]

            def at_p(q: str, p: str = p) -> bytes | None:
                return objs.get(f"{p}:{q}")

            ctx = Context(signer, roster, list(per_parent[i].values()), objs.get, at_p, joining)
            reasons.append(permitted(ctx, c))
        if all(r is not None for r in reasons):
            return Refusal(sha, signer.code, reasons[0] or "case", path, fp)
    return None
