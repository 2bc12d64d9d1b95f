"""A department that verifies who wrote what (issue 23), on real git: a bare remote and three clones, each
worker on her own computer (her own config directory, her own keys). A department member runs plain git
beside zchuyot; every forged change is pushed with plain git, and each is refused by the victim's `sync`
with one line naming the commit, its signer and the rule — nothing of it merged or written — and the
department then moves on. References nobody here wrote: git's own `verify-commit` reads the signatures."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import plain_department, run

pytestmark = pytest.mark.skipif(subprocess.run(["which", "ssh-keygen"], capture_output=True).returncode != 0,
                                reason="ssh-keygen (OpenSSH) is not installed: signing needs it")


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=check)


class Dept:
    def __init__(self, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tmp, self.mp = tmp, monkeypatch
        self.remote = tmp / "dept.git"
        subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(self.remote)], check=True)

    def root(self, w: str) -> Path:
        return self.tmp / w

    def z(self, w: str, *args: str, code: int | None = 0):
        self.mp.setenv("ZCHUYOT_CONFIG_DIR", str(self.tmp / f"config-{w}"))
        r = run("--root", str(self.root(w)), *args)
        if code is not None:
            assert r.exit_code == code, (w, args, r.stdout, r.stderr)
        return r

    def join(self, w: str, role: str) -> None:
        self.z("dana", "worker", "add", w, "--role", role)
        self.z("dana", "sync")
        self.mp.setenv("ZCHUYOT_CONFIG_DIR", str(self.tmp / f"config-{w}"))
        r = run("init", str(self.root(w)), "--worker", w, "--remote", str(self.remote))
        assert r.exit_code == 0, r.stderr
        fp = r.stdout.split("--fingerprint ")[-1].split()[0]
        self.z(w, "sync")
        self.z("dana", "sync")
        self.z("dana", "worker", "approve", w, "--fingerprint", fp)
        self.z("dana", "sync")
        self.z(w, "sync")

    def tip(self) -> str:
        return git(self.remote, "rev-parse", "main").stdout.strip()


@pytest.fixture
def dept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Dept:
    d = Dept(tmp_path, monkeypatch)
    monkeypatch.setenv("ZCHUYOT_CONFIG_DIR", str(tmp_path / "config-dana"))
    r = run("init", str(d.root("dana")), "--worker", "dana", "--remote", str(d.remote))
    assert r.exit_code == 0, r.stderr
    d.z("dana", "sync")
    d.join("miri", "rights")
    d.join("noa", "student")
    return d


def forge(d: Dept, change, message: str = "x", sign: bool = True, who: str = "noa") -> tuple[str, str]:
    """Noa (or `who`), with plain git in her own clone: a change committed (signed by her own key, as her
    clone's git is set up to, unless `sign` is False) and pushed. Returns (the branch before it, the commit)."""
    noa = d.root(who)
    git(noa, "fetch", "-q", "origin")
    git(noa, "reset", "-q", "--hard", "origin/main")  # from the department's branch as it is now
    change(noa)
    git(noa, "add", "-A", ".")
    git(noa, *([] if sign else ["-c", "commit.gpgsign=false"]), "commit", "-q", "-m", message)
    if sign:  # her clone's own git signs, as zchuyot set it up
        assert git(noa, "log", "-1", "--format=%G?").stdout.strip() == "G", (noa / ".git" / "config").read_text()
    before = d.tip()
    git(noa, "push", "-q", "origin", "HEAD:main")
    return before, git(noa, "rev-parse", "HEAD").stdout.strip()


def refused_then_moves_on(d: Dept, victim: str, bad: str, before: str, words: list[str]) -> None:
    """The victim's sync refuses the forged commit with one line (its commit, its signer, the rule), merges
    nothing of it; her own work stays committed; once the department's branch is back, she syncs again."""
    issue = d.z(victim, "new", "--family", "f9", "--subject", "עבודה של היום", "--domain", "housing").stdout.split()[-1]
    head = git(d.root(victim), "rev-parse", "HEAD").stdout.strip()
    r = d.z(victim, "sync", code=1)
    assert bad[:10] in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    for w in words:
        assert w in r.stderr, (w, r.stderr)
    assert git(d.root(victim), "merge-base", "--is-ancestor", bad, "HEAD", check=False).returncode != 0
    assert git(d.root(victim), "rev-parse", "HEAD").stdout.strip() == head  # her work committed, nothing merged
    assert git(d.root(victim), "status", "--porcelain").stdout == ""
    git(d.remote, "update-ref", "refs/heads/main", before)  # the department's IT restores the branch
    d.z(victim, "sync")
    assert git(d.remote, "cat-file", "-e", f"main:cases/{victim}/f9/{issue}.yaml", check=False).returncode == 0


def test_every_commit_is_signed_and_git_verify_commit_reads_it(dept: Dept) -> None:
    dana = dept.root("dana")
    dept.z("dana", "new", "--family", "f1", "--subject", "הנחה בארנונה", "--domain", "housing")
    log = git(dana, "log", "--format=%G? %GS %s").stdout.splitlines()
    assert log and all(line.startswith("G ") for line in log), log  # git's own verdict: good, named signer
    assert any(line.startswith("G dana ") for line in log) and any(line.startswith("G miri ") for line in log)
    assert "Good \"git\" signature for dana" in git(dana, "verify-commit", "HEAD").stderr
    for w in ("dana", "miri", "noa"):
        assert "אומתה" in dept.z(w, "verify").stdout
    data = json.loads(dept.z("dana", "worker", "list", "--json").stdout)
    assert {d["worker"]: (d["admin"], d["approved"]) for d in data} == {
        "dana": (True, True), "miri": (False, True), "noa": (False, True)}
    assert all(d["signing_fingerprint"].startswith("SHA256:") for d in data)


def test_a_crafted_key_store_entry_is_refused_and_writes_nothing(dept: Dept) -> None:
    """Finding 1: an entry named `../../.git/config` in refs/zchuyot/keys never becomes a path."""
    noa = dept.root("noa")
    blob = git(noa, "hash-object", "-w", "--stdin", check=True).stdout.strip() if False else subprocess.run(
        ["git", "-C", str(noa), "hash-object", "-w", "--stdin"], input="[core]\n\tfsmonitor = touch /tmp/pwned\n",
        capture_output=True, text=True, check=True).stdout.strip()
    raw = b"100644 ../../.git/config\0" + bytes.fromhex(blob)
    tree = subprocess.run(["git", "-C", str(noa), "hash-object", "-t", "tree", "--literally", "-w", "--stdin"],
                          input=raw, capture_output=True, check=True).stdout.decode().strip()
    commit = git(noa, "commit-tree", tree, "-m", "keys").stdout.strip()
    git(noa, "push", "-q", "-f", "origin", f"{commit}:refs/zchuyot/keys")
    miri = dept.root("miri")
    config_before = (miri / ".git" / "config").read_text()
    r = dept.z("miri", "sync", code=1)
    assert "../../.git/config" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert (miri / ".git" / "config").read_text() == config_before
    assert "fsmonitor" not in (miri / ".git" / "config").read_text()
    assert not list(miri.glob("keys/families/*config*"))


def test_a_member_who_promotes_herself_swaps_keys_or_turns_encryption_off_is_refused(dept: Dept) -> None:
    """Findings 2 and 3: the roster, the settings and another's keys change only by an admin."""
    def promote(root: Path) -> None:
        s = (root / ".zchuyot.yaml").read_text()
        (root / ".zchuyot.yaml").write_text(s.replace("role: student", "role: rights"))

    before, bad = forge(dept, promote)
    refused_then_moves_on(dept, "dana", bad, before, ["noa", "הגדרות"])

    def encryption_off(root: Path) -> None:
        s = (root / ".zchuyot.yaml").read_text()
        kept = "".join(line for line in s.splitlines(keepends=True) if not line.startswith("encryption:"))
        (root / ".zchuyot.yaml").write_text(kept + "encryption: false\n")

    before, bad = forge(dept, encryption_off)
    refused_then_moves_on(dept, "miri", bad, before, ["noa"])

    def swap_key(root: Path) -> None:
        (root / "keys" / "dana.ssh").write_text((root / "keys" / "noa.ssh").read_text())

    before, bad = forge(dept, swap_key)
    refused_then_moves_on(dept, "dana", bad, before, ["noa", "keys/dana.ssh"])

    def local_worker(root: Path) -> None:
        (root / ".zchuyot" / "local.yaml").write_text("worker: noa\n")
        git(root, "add", "-f", ".zchuyot/local.yaml")  # git ignores it: forced, as an attacker would

    before, bad = forge(dept, local_worker)
    refused_then_moves_on(dept, "miri", bad, before, [".zchuyot/local.yaml"])


def test_another_workers_case_and_the_ignore_rules_are_refused_and_unsigned_commits_too(dept: Dept) -> None:
    """Findings 4 and 5: a student closes another worker's issue, or ships the wrapped keys; an unsigned
    commit is refused whoever made it."""
    i = dept.z("dana", "new", "--family", "f1", "--subject", "הנחה בארנונה", "--domain", "housing").stdout.split()[-1]
    dept.z("dana", "sync")
    dept.z("noa", "sync")

    def close_it(root: Path) -> None:
        p = next(root.glob(f"cases/dana/f1/{i}.yaml"))
        p.write_text(p.read_text().replace("status: open", "status: ended"))

    before, bad = forge(dept, close_it)
    refused_then_moves_on(dept, "dana", bad, before, ["noa", i])

    def unignore(root: Path) -> None:
        (root / ".gitignore").write_text((root / ".gitignore").read_text() + "!keys/families/\n")

    before, bad = forge(dept, unignore)
    refused_then_moves_on(dept, "miri", bad, before, [".gitignore"])

    def purge_it(root: Path) -> None:
        for p in (root / "cases" / "dana" / "f1").iterdir():
            p.unlink()

    before, bad = forge(dept, purge_it)
    refused_then_moves_on(dept, "dana", bad, before, ["noa"])

    def own_folder(root: Path) -> None:
        (root / "events").mkdir(exist_ok=True)
        (root / "events" / "note.yaml").write_text("kind: meeting\n")

    before, bad = forge(dept, own_folder, sign=False)
    refused_then_moves_on(dept, "dana", bad, before, ["לא חתום"])


def test_a_partner_adds_her_feedback_and_it_is_accepted(dept: Dept) -> None:
    """The table's partner rule, the good path: feedback on a referral to her, in a family whose waiver
    covers her — accepted by the family's worker's sync; a change beyond it is refused."""
    dept.z("dana", "partner", "add", "clinic", "--name", "קליניקה", "--kind", "clinic", "--worker", "noa")
    dept.z("dana", "family", "add", "f1", "--name", "משפחה בדויה")
    dept.z("dana", "family", "waiver", "f1", "--body", "clinic", "--signed", "2026-11-01")
    i = dept.z("dana", "new", "--family", "f1", "--subject", "הנחה בארנונה", "--domain", "housing").stdout.split()[-1]
    dept.z("dana", "refer", i, "--to", "clinic", "--ask", "ליווי לוועדה")
    dept.z("dana", "sync")
    dept.z("noa", "sync")
    dept.z("noa", "feedback", i, "נפגשנו, הוגשה בקשה")
    dept.z("noa", "sync")
    dept.z("dana", "sync")
    shown = dept.z("dana", "show", i, "--json").stdout
    assert "נפגשנו" in shown
    assert "אומתה" in dept.z("dana", "verify").stdout


def test_another_workers_key_on_this_computer_and_a_pending_worker_write_nothing(dept: Dept) -> None:
    """Finding 6: `--worker miri` on dana's computer is refused at once; a member not yet approved writes
    nothing and is told she waits."""
    dana = dept.root("dana")
    i = dept.z("dana", "new", "--family", "f1", "--subject", "הנחה בארנונה", "--domain", "housing").stdout.split()[-1]
    head = git(dana, "rev-parse", "HEAD").stdout.strip()
    r = dept.z("dana", "--worker", "miri", "treat", i, "שיחה", code=1)
    assert "miri" in r.stderr and "המחשב הזה אינו של" in r.stderr
    assert git(dana, "rev-parse", "HEAD").stdout.strip() == head and git(dana, "status", "--porcelain").stdout == ""
    dept.z("dana", "worker", "add", "yael", "--role", "family")
    dept.z("dana", "sync")
    dept.mp.setenv("ZCHUYOT_CONFIG_DIR", str(dept.tmp / "config-yael"))
    assert run("init", str(dept.root("yael")), "--worker", "yael", "--remote", str(dept.remote)).exit_code == 0
    r = dept.z("yael", "new", "--family", "f5", "--subject", "x", "--domain", "housing", code=1)
    assert "ממתינה לאישור" in r.stderr
    fp = r.stderr.split("SHA256:")[0] and next(w for w in dept.z("yael", "followup").stdout.split() if "SHA256:" in w)
    fp = fp.strip("()⁨⁩;.,")
    assert fp.startswith("SHA256:") and "ממתינה לאישור" in dept.z("yael", "followup").stdout  # her morning screen
    dept.z("yael", "sync")
    dept.z("dana", "sync")
    assert "yael" in dept.z("dana", "followup").stdout and fp in dept.z("dana", "followup").stdout


def test_joining_needs_the_admin_and_a_wrong_fingerprint_approves_nothing(dept: Dept) -> None:
    dept.mp.setenv("ZCHUYOT_CONFIG_DIR", str(dept.tmp / "config-eve"))
    r = run("init", str(dept.root("eve")), "--worker", "eve", "--remote", str(dept.remote))
    assert r.exit_code == 1 and "worker add eve" in r.stderr
    assert not dept.root("eve").exists()  # nothing left behind
    r = dept.z("miri", "worker", "add", "eve", "--role", "family", code=1)  # miri is no admin
    assert "מנהלת מערכת" in r.stderr
    dept.z("dana", "worker", "add", "eve", "--role", "family")
    dept.z("dana", "sync")
    dept.mp.setenv("ZCHUYOT_CONFIG_DIR", str(dept.tmp / "config-eve"))
    assert run("init", str(dept.root("eve")), "--worker", "eve", "--remote", str(dept.remote)).exit_code == 0
    dept.z("eve", "sync")
    dept.z("dana", "sync")
    r = dept.z("dana", "worker", "approve", "eve", "--fingerprint", "SHA256:notit", code=1)
    assert "SHA256:notit" in r.stderr
    assert not json.loads(dept.z("dana", "worker", "list", "--json").stdout)[-1]["approved"]


def test_a_new_department_encrypts_from_its_first_family(tmp_path: Path) -> None:
    """Finding 7: `init` without --remote turns encryption on and makes the keys: no `keys migrate`."""
    root = tmp_path / "solo"
    r = run("init", str(root), "--worker", "dana", "--name", "דנה")
    assert r.exit_code == 0 and "SHA256:" in r.stdout, r.stdout
    assert "encryption: true" in (root / ".zchuyot.yaml").read_text()
    assert run("--root", str(root), "family", "add", "f1", "--name", "משפחה בדויה", "--phone", "050-0000001"
               ).exit_code == 0
    text = (root / "cases" / "dana" / "f1" / "family.yaml").read_text()
    assert "sealed" in text and "050-0000001" not in text and "משפחה בדויה" not in text
    assert "בדויה" in run("--root", str(root), "family", "show", "f1").stdout


def test_the_servers_hook_rejects_a_forbidden_push_and_takes_an_ordinary_one(dept: Dept) -> None:
    r = dept.z("dana", "server", "install", str(dept.remote))
    assert "pre-receive" in r.stdout and "SHA256:" in r.stdout
    noa = dept.root("noa")
    s = (noa / ".zchuyot.yaml").read_text()
    (noa / ".zchuyot.yaml").write_text(s.replace("role: student", "role: rights"))
    git(noa, "commit", "-q", "-am", "x")
    before = dept.tip()
    push = git(noa, "push", "origin", "HEAD:main", check=False)
    assert push.returncode != 0 and "remote:" in push.stderr and "noa" in push.stderr, push.stderr
    assert dept.tip() == before
    git(noa, "reset", "-q", "--hard", "HEAD~1")
    dept.z("noa", "new", "--family", "f3", "--subject", "x", "--domain", "housing")
    dept.z("noa", "sync")
    assert dept.tip() != before
    dept.z("dana", "sync")
    assert "אומתה" in dept.z("dana", "verify").stdout


def test_a_member_who_leaves_is_revoked_and_the_families_she_read_get_a_new_key(dept: Dept) -> None:
    """`worker remove`: her keys unbound (her later commits refused everywhere), the families she could read
    sealed again with a new data key she never held."""
    dept.z("dana", "keys", "migrate")
    dept.z("dana", "family", "add", "f1", "--name", "משפחה בדויה", "--phone", "050-0000001")
    dept.z("dana", "sync")
    dept.z("miri", "sync")
    assert "בדויה" in dept.z("miri", "family", "show", "f1").stdout  # the rights worker reads it
    dana = dept.root("dana")
    key_before = (dana / "cases/dana/f1/family.yaml").read_text().split("key:")[1].split()[0]
    assert "מנהלת מערכת" in dept.z("miri", "worker", "remove", "miri", code=1).stderr  # not an admin
    r = dept.z("dana", "worker", "remove", "miri")
    assert "f1" in r.stdout
    assert "miri" not in (dana / "keys/families/f1.recipients").read_text()
    assert (dana / "cases/dana/f1/family.yaml").read_text().split("key:")[1].split()[0] != key_before
    dept.z("dana", "sync")
    dept.z("miri", "sync")  # she receives her removal
    r = dept.z("miri", "new", "--family", "f2", "--subject", "x", "--domain", "housing", code=1)
    assert "הוסרה" in r.stderr
    miri = dept.root("miri")  # with plain git she still signs with her old key: refused
    (miri / "events").mkdir(exist_ok=True)
    (miri / "events" / "x.yaml").write_text("kind: meeting\n")
    git(miri, "add", "events/x.yaml")
    git(miri, "commit", "-qm", "x")
    before = dept.tip()
    git(miri, "push", "-q", "origin", "HEAD:main")
    r = dept.z("dana", "sync", code=1)
    assert "שאינו של אף עובדת" in r.stderr and "SHA256:" in r.stderr  # signed by a key no member holds now
    git(dept.remote, "update-ref", "refs/heads/main", before)
    dept.z("dana", "sync")
    assert "אומתה" in dept.z("dana", "verify").stdout


def test_an_admin_clears_a_refused_commit_and_the_department_moves_on(dept: Dept) -> None:
    """`sync --refuse COMMIT`: the refused commit's effect reverted for the department and the refusal
    recorded, signed; every clone's next sync takes the branch and `verify` passes; nothing else lost."""
    i = dept.z("miri", "new", "--family", "f4", "--subject", "מלגה", "--domain", "education").stdout.split()[-1]
    dept.z("miri", "sync")

    def promote(root: Path) -> None:
        s = (root / ".zchuyot.yaml").read_text()
        (root / ".zchuyot.yaml").write_text(s.replace("role: student", "role: rights"))

    _, bad = forge(dept, promote)

    def as_rights(root: Path) -> None:  # on top of her own promotion: another worker's case, as "rights"
        p = next(root.glob(f"cases/miri/f4/{i}.yaml"))
        p.write_text(p.read_text().replace("status: open", "status: ended"))

    chained = dept.root("noa")
    as_rights(chained)
    git(chained, "commit", "-qam", "y")
    git(chained, "push", "-q", "origin", "HEAD:main")
    r = dept.z("dana", "sync", "--refuse", bad, code=1)  # what it made is judged by the roster before it
    assert i in r.stderr and "noa" in r.stderr
    git(chained, "reset", "-q", "--hard", bad)
    git(chained, "push", "-q", "-f", "origin", "HEAD:main")
    dept.z("noa", "sync")  # noa goes on working on top of it, with zchuyot
    j = dept.z("noa", "new", "--family", "f5", "--subject", "ארנונה", "--domain", "housing").stdout.split()[-1]
    dept.z("noa", "sync", code=None)
    assert "noa" in dept.z("dana", "sync", code=1).stderr
    assert "מנהלת מערכת" in dept.z("miri", "sync", "--refuse", bad, code=1).stderr  # miri is no admin
    assert "לא סורב" in dept.z("dana", "sync", "--refuse", i and git(dept.root("dana"), "rev-parse",
                                                                       "HEAD").stdout.strip(), code=1).stderr
    r = dept.z("dana", "sync", "--refuse", bad)
    assert bad[:10] in r.stdout
    dept.z("dana", "sync")
    for w in ("miri", "noa", "dana"):
        dept.z(w, "sync")
        assert "אומתה" in dept.z(w, "verify").stdout
        assert "role: student" in (dept.root(w) / ".zchuyot.yaml").read_text()  # the effect undone
    shown = {x["id"] for x in json.loads(dept.z("dana", "list", "--all-workers", "--json").stdout)}
    assert {i, j} <= shown  # nothing else lost


def test_the_in_process_check_of_signatures_agrees_with_git(dept: Dept) -> None:
    """Reference: git's own verdict (%G?, %GF through ssh-keygen) on signed, unsigned, tampered and
    unknown-key commits equals what verification reads in-process (sshsig)."""
    from zchuyot.workspace import trust

    dana = dept.root("dana")
    good = git(dana, "rev-parse", "HEAD").stdout.strip()
    raw = subprocess.run(["git", "-C", str(dana), "cat-file", "commit", good], capture_output=True, check=True).stdout
    tampered = subprocess.run(["git", "-C", str(dana), "hash-object", "-t", "commit", "-w", "--stdin"],
                              input=raw.replace(b"\n\n", b"\n\nX", 1), capture_output=True, check=True
                              ).stdout.decode().strip()
    git(dana, "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "unsigned")
    unsigned = git(dana, "rev-parse", "HEAD").stdout.strip()
    key = dept.tmp / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    git(dana, "-c", f"user.signingkey={key}", "commit", "-q", "--allow-empty", "-S", "-m", "stranger")
    stranger = git(dana, "rev-parse", "HEAD").stdout.strip()
    revs = [good, tampered, unsigned, stranger]
    ours = {line.split()[0]: line.split()[1:] for line in trust.signatures(dana, revs).splitlines()}
    theirs = {line.split()[0]: line.split()[1:] for line in trust.git_signatures(dana, revs).splitlines()}
    same = {"G": "G", "U": "G", "B": "B", "N": "N"}
    assert {c: (same[v[0]], v[1:]) for c, v in theirs.items()} == {c: (v[0], v[1:]) for c, v in ours.items()}
    assert [ours[c][0] for c in revs] == ["G", "B", "N", "G"]


def test_a_key_replaced_while_another_clone_edits_offline_keeps_both(dept: Dept) -> None:
    """The family's key is replaced (its worker removes a partner who could read it) while the rights worker
    changes its phone offline: after both sync, the new phone is there, sealed with the new key, readable
    by both recipients, nothing of it ciphertext in another field; `check` is clean."""
    dept.z("dana", "keys", "migrate")
    dept.z("dana", "partner", "add", "vol", "--name", "מתנדבת", "--kind", "volunteer", "--worker", "noa")
    dept.z("dana", "family", "add", "f1", "--name", "משפחה בדויה", "--phone", "050-0000001")
    dept.z("dana", "family", "waiver", "f1", "--body", "vol", "--signed", "2026-11-01")
    i = dept.z("dana", "new", "--family", "f1", "--subject", "ליווי", "--domain", "health").stdout.split()[-1]
    dept.z("dana", "refer", i, "--to", "vol", "--ask", "ליווי")
    dept.z("dana", "sync")
    for w in ("miri", "noa"):
        dept.z(w, "sync")
    assert "050-0000001" in dept.z("noa", "family", "show", "f1").stdout  # the partner reads it
    dept.z("miri", "family", "add", "f1", "--phone", "052-0000002")  # offline
    assert "f1" in dept.z("dana", "worker", "remove", "noa").stdout  # the key replaced
    dana = dept.root("dana")
    new_key = (dana / "cases/dana/f1/family.yaml").read_text().split("key:")[1].split()[0]
    dept.z("miri", "sync")
    dept.z("dana", "sync")
    dept.z("miri", "sync")
    for w in ("dana", "miri"):
        shown = dept.z(w, "family", "show", "f1").stdout
        assert "052-0000002" in shown and "משפחה בדויה" in shown and "AGE" not in shown, (w, shown)
        text = (dept.root(w) / "cases/dana/f1/family.yaml").read_text()
        assert text.split("key:")[1].split()[0] == new_key  # sealed with the key that replaced the old one
        assert "noa" not in (dept.root(w) / "keys/families/f1.recipients").read_text()
        assert dept.z(w, "check").exit_code == 0
        assert "אומתה" in dept.z(w, "verify").stdout


def test_a_killed_purge_did_all_of_it_or_none_of_it(dept: Dept) -> None:
    """A purge killed before its commit (the files gone, the intent written) is undone by the next command
    that takes the git lock — files back, key kept, nothing sent; one killed after its commit is finished —
    key destroyed, access-log line written. A stray temp file in the key folder is never shipped."""
    import shutil

    dept.z("dana", "keys", "migrate")
    dana = dept.root("dana")
    for fam in ("f1", "f2"):
        dept.z("dana", "family", "add", fam, "--name", "משפחה בדויה")
        i = dept.z("dana", "new", "--family", fam, "--subject", "x", "--domain", "housing").stdout.split()[-1]
        dept.z("dana", "close", i, "--ended")
    (dana / "keys/families/.f1.age.k1ll.tmp").write_text("half a key")
    dept.z("dana", "sync")
    shipped = git(dana, "ls-tree", "--name-only", "refs/zchuyot/keys").stdout.split()
    assert ".f1.age.k1ll.tmp" not in shipped and "f1.age" in shipped
    # killed before the commit: as purge leaves it then
    files = [str(p.relative_to(dana)) for p in (dana / "cases/dana/f1").iterdir()]
    intent = dana / ".zchuyot/purging/f1.json"
    intent.parent.mkdir(parents=True, exist_ok=True)
    intent.write_text(json.dumps({"family": "f1", "why": "x", "record": "purged/f1.yaml", "files": files}))
    shutil.rmtree(dana / "cases/dana/f1")
    (dana / "purged").mkdir(exist_ok=True)
    (dana / "purged/f1.yaml").write_text("family: f1\n")
    dept.z("dana", "sync")
    assert (dana / "cases/dana/f1/family.yaml").is_file() and not (dana / "purged/f1.yaml").exists()
    assert not intent.exists() and (dana / "keys/families/f1.age").is_file()
    assert "בדויה" in dept.z("dana", "family", "show", "f1").stdout  # none of it happened
    # killed after the commit: the key and the log line are what is left to do
    files = [str(p.relative_to(dana)) for p in (dana / "cases/dana/f2").iterdir()]
    intent = dana / ".zchuyot/purging/f2.json"
    intent.write_text(json.dumps({"family": "f2", "why": "before retention: opened_in_error",
                                  "record": "purged/f2.yaml", "files": files}))
    shutil.rmtree(dana / "cases/dana/f2")
    (dana / "purged/f2.yaml").write_text("family: f2\ndate: 2026-11-23\nby: dana\nreason: opened_in_error\n")
    git(dana, "add", "-A", "cases", "purged")
    git(dana, "commit", "-q", "-m", "zchuyot purge: a family's files removed")  # her clone's git signs it
    assert (dana / "keys/families/f2.age").is_file()
    dept.z("dana", "sync")
    assert not (dana / "keys/families/f2.age").exists() and not intent.exists()
    log = (dana / ".zchuyot/access.log").read_text()
    assert "purge" in log and '"family": "f2"' in log
    # a whole purge: the stray temp file in the key folder removed with it
    r = dept.z("dana", "purge", "f1", "--yes", "--before-retention", "opened_in_error")
    assert r.exit_code == 0 and not (dana / "keys/families/f1.age").exists()
    assert not (dana / "keys/families/.f1.age.k1ll.tmp").exists()
    dept.z("dana", "sync")
    dept.z("miri", "sync")
    for fam in ("f1", "f2"):
        assert not (dept.root("miri") / f"keys/families/{fam}.age").exists()
    assert "אומתה" in dept.z("miri", "verify").stdout


def test_rewrite_history_removes_the_plain_records_everywhere_and_keeps_everyones_work(dept: Dept) -> None:
    """`keys migrate --rewrite-history` on a plain department: after it, the server (after its gc) and every
    clone (after its next sync) hold no name, phone or ID number anywhere in history; a clone's offline work
    is carried over; `verify` passes; the server's hook takes the admin's rewrite."""
    pii = ("משפחת לוי", "050-1234567", "012345674")
    plain_department(dept.root("dana"))
    dept.z("dana", "sync")
    dept.z("miri", "sync")
    dept.z("dana", "server", "install", str(dept.remote))
    dept.z("dana", "family", "add", "f1", "--name", pii[0], "--phone", pii[1], "--id-number", pii[2])
    i = dept.z("dana", "new", "--family", "f1", "--subject", "ארנונה", "--domain", "housing").stdout.split()[-1]
    dept.z("dana", "sync")
    dept.z("miri", "sync")
    dept.z("miri", "treat", i, "שיחה עם הפקידה – נקבעה פגישה")  # offline, not yet sent
    history = git(dept.root("dana"), "log", "-p", "--all").stdout
    assert pii[1] in history  # today: the plain version is in history
    r = dept.z("dana", "keys", "migrate", "--rewrite-history")
    assert "נכתבה מחדש" in r.stdout
    git(dept.remote, "gc", "-q", "--prune=now")
    r = dept.z("miri", "sync")
    assert "כתבה מחדש" in r.stdout
    dept.z("dana", "sync")
    dept.z("noa", "sync")
    for where in (dept.remote, dept.root("dana"), dept.root("miri"), dept.root("noa")):
        everything = git(where, "log", "-p", "--all").stdout
        unreachable = git(where, "fsck", "--unreachable", "--no-reflogs").stdout
        assert not any(x in everything for x in pii) and "blob" not in unreachable, where
    for w in ("dana", "miri"):
        shown = json.loads(dept.z(w, "show", i, "--json").stdout)
        assert any("נקבעה פגישה" in e["text"] for e in shown["log"]), w  # miri's offline work carried over
        assert "050-1234567" in dept.z(w, "family", "show", "f1").stdout  # the record itself, sealed, opens
        assert "אומתה" in dept.z(w, "verify").stdout


def test_a_history_rewritten_by_a_member_who_is_no_admin_is_refused(dept: Dept) -> None:
    """A forged rewrite (a new history pushed by force, recording a rewrite of the anchor) from a member who
    is no admin: refused, never followed, never joined; the clone keeps its own history."""
    noa, dana = dept.root("noa"), dept.root("dana")
    anchor = (dana / ".zchuyot/trust.yaml").read_text().split("anchor: '")[1].split("'")[0]
    git(noa, "checkout", "-q", "--orphan", "forged")
    (noa / "rewrites").mkdir(exist_ok=True)
    (noa / "rewrites" / f"{anchor}.yaml").write_text("replaces_anchor: x\n")
    git(noa, "add", "-A", ".")
    git(noa, "commit", "-q", "-m", "rewritten")
    git(noa, "push", "-q", "-f", "origin", "HEAD:main")
    head = git(dana, "rev-parse", "HEAD").stdout
    r = dept.z("dana", "sync", code=1)
    assert "כתב מחדש" in r.stderr and git(dana, "rev-parse", "HEAD").stdout == head


def _push_key_store(d: Dept, files: dict[str, bytes]) -> str:
    """Noa, with plain git: a key-store commit holding these entries, signed by her, pushed by force."""
    noa = d.root("noa")
    git(noa, "fetch", "-q", "origin", "+refs/zchuyot/keys:refs/zchuyot/remote-keys")
    entries = []
    for line in git(noa, "ls-tree", "refs/zchuyot/remote-keys").stdout.splitlines():
        entries.append(line + "\n")
    for name, data in files.items():
        sha = subprocess.run(["git", "-C", str(noa), "hash-object", "-w", "--stdin"], input=data,
                             capture_output=True, check=True).stdout.decode().strip()
        entries = [e for e in entries if not e.endswith(f"\t{name}\n")] + [f"100644 blob {sha}\t{name}\n"]
    tree = subprocess.run(["git", "-C", str(noa), "mktree"], input="".join(entries), capture_output=True,
                          text=True, check=True).stdout.strip()
    commit = git(noa, "commit-tree", "-S", tree, "-m", "keys").stdout.strip()
    git(noa, "push", "-q", "-f", "origin", f"{commit}:refs/zchuyot/keys")
    return commit


def test_a_member_cannot_plant_or_replace_a_familys_key(dept: Dept) -> None:
    """Findings 2 and 4, the key store: a key pushed for a family that does not exist yet (so that it would be
    sealed with hers), or one family's wrapped key replaced by one who is not its recipient — refused, and
    the family still opens for its recipients."""
    dept.z("dana", "keys", "migrate")
    dept.z("dana", "family", "add", "f1", "--name", "משפחה בדויה")
    dept.z("dana", "sync")
    dept.z("noa", "sync")
    planted = b"-----BEGIN AGE ENCRYPTED FILE-----\nplanted\n-----END AGE ENCRYPTED FILE-----\n"
    _push_key_store(dept, {"f3.age": planted, "f3.recipients": b"noa\n"})
    r = dept.z("dana", "sync", code=1)
    assert "f3" in r.stderr and "noa" in r.stderr
    dept.z("dana", "family", "add", "f3", "--name", "משפחה בדויה אחרת")
    assert "planted" not in (dept.root("dana") / "keys/families/f3.age").read_text()
    dept.z("dana", "sync", code=None)
    git(dept.remote, "update-ref", "refs/zchuyot/keys", git(dept.root("dana"), "rev-parse", "refs/zchuyot/keys"
                                                          ).stdout.strip())  # IT puts the store back
    dept.z("dana", "sync")
    legit = git(dept.remote, "rev-parse", "refs/zchuyot/keys").stdout.strip()
    _push_key_store(dept, {"f1.age": planted})
    r = dept.z("miri", "sync", code=1)
    assert "f1.age" in r.stderr and "noa" in r.stderr
    assert not (dept.root("miri") / "keys/families/f1.age").exists()  # nothing of it written
    assert "בדויה" in dept.z("dana", "family", "show", "f1").stdout
    git(dept.remote, "update-ref", "refs/zchuyot/keys", legit)
    dept.z("miri", "sync")
    assert "בדויה" in dept.z("miri", "family", "show", "f1").stdout


def _link(path: str, to: str):
    def change(root: Path) -> None:
        (root / path).unlink(missing_ok=True)
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).symlink_to(to)
    return change


def _write(path: str, text: str):
    def change(root: Path) -> None:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
        git(root, "add", "-f", path)  # plain git takes even a path the clone ignores
    return change


def _append(path: str, text: str):
    def change(root: Path) -> None:
        (root / path).write_text((root / path).read_text(encoding="utf-8") + text, encoding="utf-8")
    return change


HOSTILE = {  # issue 25, finding 4: each pushed by the admin herself with plain git — no exemption
    "nested attributes": (_write("cases/.gitattributes", "*.yaml merge=union\n"), "cases/.gitattributes"),
    "an encoding": (_append(".gitattributes", "cases/** working-tree-encoding=UTF-16LE\n"), "UTF-16LE"),
    "a filter": (_append(".gitattributes", "*.yaml filter=x\n"), "filter=x"),
    "a macro": (_append(".gitattributes", "[attr]evil merge=union\n"), "[attr]evil"),
    "a link in templates": (_link("templates/case.yaml", "/etc/passwd"), "templates/case.yaml"),
    "a link in the directory": (_link("directory/bodies.yaml", "../../x"), "directory/bodies.yaml"),
    "a link in events": (_link("events/x.yaml", "/etc/hostname"), "events/x.yaml"),
    "the access log": (_write(".zchuyot/access.log", "2026-11-01 nobody\n"), ".zchuyot/access.log"),
    "the export secret": (_write(".zchuyot/export.key", "0000\n"), ".zchuyot/export.key"),
    "a family key": (_write("keys/families/f1.age", "x\n"), "keys/families/f1.age"),
    "a submodule file": (_write(".gitmodules", "[submodule \"x\"]\n\tpath = x\n\turl = /tmp/x\n"), ".gitmodules"),
    "an ignore rule": (_append(".gitignore", "cases/\n"), "cases/"),
}


@pytest.mark.parametrize("what", sorted(HOSTILE))
def test_what_sync_brings_in_is_checked_whole_even_from_an_admin(dept: Dept, what: str) -> None:
    change, words = HOSTILE[what]
    before, bad = forge(dept, change, who="dana")
    refused_then_moves_on(dept, "miri", bad, before, [words])
