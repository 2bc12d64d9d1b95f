"""Sync honest on the servers departments use (issue 24): the families' keys never lost under contention or
when the server's copy loses its key store, a server that refuses an update is exit 1 with its own reason,
and a remote's password is never shown. Real git, a bare remote, clones on one computer; concurrent syncs
as separate processes."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest
from conftest import concurrent_soak, department, key_store, run

pytestmark = pytest.mark.skipif(subprocess.run(["which", "ssh-keygen"], capture_output=True).returncode != 0,
                                reason="ssh-keygen (OpenSSH) is not installed: signing needs it")


def z(root: Path, *args: str, code: int | None = 0):
    r = run("--root", str(root), *args)
    if code is not None:
        assert r.exit_code == code, (args, r.stdout, r.stderr)
    return r


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def dept(tmp_path: Path) -> tuple[Path, list[Path]]:
    remote, roots = department(tmp_path, ("a", "dana", "rights"), ("b", "miri", "rights"), ("c", "noa", "rights"),
                               ("d", "yael", "rights"))
    z(roots[0], "keys", "migrate")
    for r in (*roots, *roots):
        z(r, "sync")
    return remote, roots


def test_concurrent_syncs_never_lose_a_familys_key(dept: tuple[Path, list[Path]]) -> None:
    """Four clones on a local path syncing at the same moment for three rounds: the ledger holds."""
    remote, roots = dept
    concurrent_soak(remote, roots, 3)


def test_a_server_that_lost_its_key_store_or_was_recreated_is_rebuilt(dept: tuple[Path, list[Path]]) -> None:
    remote, (a, b, *_rest) = dept
    z(a, "family", "add", "f1", "--name", "משפחה בדויה")
    z(a, "sync")
    z(b, "sync")
    subprocess.run(["git", "-C", str(remote), "update-ref", "-d", "refs/zchuyot/keys"], check=True)
    r = z(b, "sync")
    assert "נבנה מחדש" in r.stdout and "f1" in key_store(remote)
    assert (b / "keys/families/f1.age").is_file() and (a / "keys/families/f1.age").is_file()
    # the repository re-created empty on the server: the branch and the keys are sent again
    subprocess.run(["rm", "-rf", str(remote)], check=True)
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(remote)], check=True)
    r = z(a, "sync")
    assert git(remote, "rev-parse", "main").strip() == git(a, "rev-parse", "HEAD").strip()
    assert "f1" in key_store(remote)
    z(b, "sync")
    assert "בדויה" in z(b, "family", "show", "f1").stdout


@pytest.mark.parametrize("reason", ["denied: protected ref", "No space left on device"])
def test_a_server_that_refuses_an_update_is_exit_1_with_its_reason(dept: tuple[Path, list[Path]], reason: str) -> None:
    remote, (a, *_rest) = dept
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\necho '{reason}' >&2\nexit 1\n")
    hook.chmod(0o755)
    z(a, "new", "--family", "f2", "--subject", "x", "--domain", "housing")
    r = z(a, "sync", code=1)
    assert reason in r.stderr and ("ממתינים" in r.stderr or "ממתין" in r.stderr)  # (one change: the singular)
    hook.unlink()
    z(a, "family", "add", "f2", "--name", "משפחה בדויה")
    z(a, "sync")  # the key store exists on the server
    # a server that takes the branch but refuses non-fast-forward updates of the key store
    hook.write_text("#!/bin/sh\nwhile read old new ref; do\n  case $ref in refs/zchuyot/*)\n"
                    "    if [ $old != 0000000000000000000000000000000000000000 ]; then echo 'non-fast-forward "
                    "refused by policy' >&2; exit 1; fi;; esac\ndone\nexit 0\n")
    hook.chmod(0o755)
    z(a, "family", "add", "f3", "--name", "משפחה בדויה")
    r = z(a, "sync", code=1)
    assert "refs/zchuyot" in r.stderr and "non-fast-forward refused by policy" in r.stderr


def test_a_remotes_password_is_never_shown_and_git_is_private(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert run("init", str(root), "--worker", "dana").exit_code == 0
    git(root, "remote", "add", "origin", "https://dana:s3cret-pass@127.0.0.1:9/dept.git")
    r = z(root, "sync", "--status")
    assert "s3cret-pass" not in r.stdout + r.stderr and "127.0.0.1" in r.stdout
    assert stat.S_IMODE((root / ".git").stat().st_mode) == 0o700
    assert stat.S_IMODE((root / ".git" / "config").stat().st_mode) == 0o600


@pytest.mark.parametrize(("said", "words"), [
    ("ssh: connect to host 127.0.0.1 port 2222: Connection refused", "השרת לא זמין"),
    ("git@127.0.0.1: Permission denied (publickey).", "לא מכיר את המפתח"),
    ("No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\n"
     "Host key verification failed.", "אינו מוכר"),
    ("@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
     "The fingerprint for the ED25519 key sent by the remote host is\nSHA256:abcDEF123+/xyz.\n"
     "Host key verification failed.", "SHA256:abcDEF123+/xyz"),
])
def test_ssh_failures_are_told_apart(tmp_path: Path, said: str, words: str) -> None:
    """ssh's own line (before git's "Could not read from remote repository") says which failure it was: at
    init (nothing made, nothing said to be saved) and at sync (exit 1, the work waits)."""
    fake = tmp_path / "ssh"
    fake.write_text("#!/bin/sh\ncat >&2 <<'EOT'\n" + said + "\nEOT\nexit 255\n")
    fake.chmod(0o755)
    env = {"GIT_SSH_COMMAND": str(fake)}
    r = run("init", str(tmp_path / "new"), "--worker", "dana", "--remote", "ssh://git@127.0.0.1:2222/dept.git",
            env=env)
    assert r.exit_code == 1 and words in r.stderr and "לא נוצרה" in r.stderr and "תישלח" not in r.stderr
    assert not (tmp_path / "new").exists()
    root = tmp_path / "ws"
    assert run("init", str(root), "--worker", "dana").exit_code == 0
    git(root, "remote", "add", "origin", "ssh://git@127.0.0.1:2222/dept.git")
    r = run("--root", str(root), "sync", env=env)
    assert r.exit_code == 1 and words in r.stderr and len(r.stderr.strip().splitlines()) == 1
