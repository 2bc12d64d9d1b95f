"""The department over a real SSH server (issue 24): OpenSSH's sshd on 127.0.0.1 (key authentication only),
the department's bare repository behind it with the pre-receive hook installed — joining, sync, the
families' keys and a forbidden push, and each SSH failure told apart as the real server and client say them.
Skipped with the reason where sshd cannot be run (not installed, not root)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from conftest import run

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
pytestmark = pytest.mark.skipif(not Path(SSHD).is_file() or os.geteuid() != 0,
                                reason="OpenSSH's sshd is not installed, or the tests do not run as root")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path):
    """sshd on 127.0.0.1 with its own host key; the test's client key authorised; stopped by its pid."""
    d = tmp_path / "sshd"
    d.mkdir()
    for name in ("hostkey", "client", "stranger"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)], check=True)
    (d / "authorized_keys").write_text((d / "client.pub").read_text())
    os.chmod(d / "authorized_keys", 0o600)
    port = _free_port()
    (d / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {d / 'hostkey'}\nAuthorizedKeysFile {d / 'authorized_keys'}\n"
        f"PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
        f"StrictModes no\nUsePAM no\nPidFile {d / 'sshd.pid'}\n")
    Path("/run/sshd").mkdir(exist_ok=True)
    subprocess.run([SSHD, "-f", str(d / "sshd_config"), "-E", str(d / "log")], check=True)
    for _ in range(50):
        if (d / "sshd.pid").is_file():
            break
        time.sleep(0.05)
    known = d / "known_hosts"
    host = (d / "hostkey.pub").read_text().split()
    known.write_text(f"[127.0.0.1]:{port} {host[0]} {host[1]}\n")
    info = {"dir": d, "port": port, "known": known}
    yield info
    pid = (d / "sshd.pid").read_text().strip() if (d / "sshd.pid").is_file() else ""
    if pid:
        subprocess.run(["kill", pid], check=False)


def ssh_env(server: dict, key: str = "client", known: Path | None = None) -> str:
    return (f"ssh -i {server['dir'] / key} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes "
            f"-o UserKnownHostsFile={known or server['known']} -p {server['port']}")


def test_a_department_over_ssh_with_the_servers_hook(server: dict, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    remote = tmp_path / "dept.git"
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(remote)], check=True)
    url = f"ssh://root@127.0.0.1:{server['port']}{remote}"
    monkeypatch.setenv("GIT_SSH_COMMAND", ssh_env(server))

    def z(root: Path, *args: str, code: int = 0):
        r = run("--root", str(root), *args)
        assert r.exit_code == code, (args, r.stdout, r.stderr)
        return r

    a, b = tmp_path / "a", tmp_path / "b"
    assert run("init", str(a), "--worker", "dana", "--remote", url).exit_code == 0
    z(a, "sync")
    z(a, "server", "install", str(remote))
    z(a, "worker", "add", "miri", "--role", "student")
    z(a, "keys", "migrate")
    z(a, "family", "add", "f1", "--name", "משפחה בדויה")
    z(a, "sync")
    r = run("init", str(b), "--worker", "miri", "--remote", url)
    assert r.exit_code == 0, r.stderr
    z(b, "sync")
    z(a, "sync")
    z(a, "worker", "approve", "miri")
    z(a, "sync")
    z(b, "sync")
    assert "בדויה" in z(a, "family", "show", "f1").stdout
    i = z(b, "new", "--family", "f2", "--subject", "ליווי", "--domain", "health").stdout.split()[-1]
    z(b, "sync")
    z(a, "sync")
    assert i in z(a, "list", "--all-workers").stdout
    # a member's forbidden push over SSH: the server's hook refuses it, the pusher reads its Hebrew line
    s = (b / ".zchuyot.yaml").read_text(encoding="utf-8")
    (b / ".zchuyot.yaml").write_text(s.replace("role: student", "role: rights"), encoding="utf-8")
    subprocess.run(["git", "-C", str(b), "commit", "-q", "-am", "x"], check=True)
    push = subprocess.run(["git", "-C", str(b), "push", "origin", "HEAD:main"], capture_output=True, text=True)
    assert push.returncode != 0 and "remote:" in push.stderr and "miri" in push.stderr
    assert "אומתה" in z(a, "verify").stdout


def test_ssh_failures_against_a_real_server_are_told_apart(server: dict, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    remote = tmp_path / "dept.git"
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(remote)], check=True)
    url = f"ssh://root@127.0.0.1:{server['port']}{remote}"
    wrong = tmp_path / "wrong_known"
    other = (server["dir"] / "stranger.pub").read_text().split()
    wrong.write_text(f"[127.0.0.1]:{server['port']} {other[0]} {other[1]}\n")
    cases = [
        (ssh_env(server, key="stranger"), "לא מכיר את המפתח"),
        (ssh_env(server, known=tmp_path / "empty_known"), "אינו מוכר"),
        (ssh_env(server, known=wrong), "השתנה"),
    ]
    for n, (command, words) in enumerate(cases):
        monkeypatch.setenv("GIT_SSH_COMMAND", command)
        r = run("init", str(tmp_path / f"c{n}"), "--worker", "dana", "--remote", url)
        assert r.exit_code == 1 and words in r.stderr, (words, r.stderr)
        assert not (tmp_path / f"c{n}").exists()
    subprocess.run(["kill", (server["dir"] / "sshd.pid").read_text().strip()], check=True)
    time.sleep(0.3)
    monkeypatch.setenv("GIT_SSH_COMMAND", ssh_env(server))
    r = run("init", str(tmp_path / "down"), "--worker", "dana", "--remote", url)
    assert r.exit_code == 1 and "השרת לא זמין" in r.stderr, r.stderr


def _accepted(server: dict) -> int:
    """How many SSH connections the server accepted (its log)."""
    log = server["dir"] / "log"
    return log.read_text(errors="replace").count("Accepted publickey") if log.is_file() else 0


def test_a_sync_over_ssh_uses_one_connection(server: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fetch, the branch's push and the key store's push of one sync share one SSH connection (OpenSSH's
    ControlMaster, the worker's own ssh command kept), its socket in a folder only this user can enter."""
    remote = tmp_path / "dept.git"
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(remote)], check=True)
    monkeypatch.setenv("GIT_SSH_COMMAND", ssh_env(server))
    a = tmp_path / "a"
    assert run("init", str(a), "--worker", "dana", "--remote", f"ssh://root@127.0.0.1:{server['port']}{remote}"
               ).exit_code == 0
    r = run("--root", str(a), "family", "add", "f1", "--name", "משפחה בדויה")
    assert r.exit_code == 0, r.stderr
    before = _accepted(server)
    r = run("--root", str(a), "sync")
    assert r.exit_code == 0, r.stderr
    time.sleep(0.3)  # the server writes its log line after the handshake
    refs = subprocess.run(["git", "-C", str(remote), "for-each-ref", "--format=%(refname)"], capture_output=True,
                          text=True).stdout.split()
    assert {"refs/heads/main", "refs/zchuyot/keys"} <= set(refs), (refs, r.stdout)  # the branch and keys went
    assert _accepted(server) - before == 1, (server["dir"] / "log").read_text()
    sockets = Path(os.environ.get("XDG_RUNTIME_DIR") or "/tmp") / f"zchuyot-ssh-{os.getuid()}"
    assert sockets.stat().st_mode & 0o777 == 0o700
    # plain git afterwards is as the worker set it: no shared connection outside a sync
    subprocess.run(["git", "-C", str(a), "fetch", "-q", "origin"], check=True)
    time.sleep(0.3)
    assert _accepted(server) - before == 2


def test_eight_clones_syncing_at_once_over_ssh_lose_nothing(server: dict, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The concurrent soak (conftest.concurrent_soak) over the real SSH server: 8 clones, 3 rounds."""
    from conftest import concurrent_soak, department

    workers = ("dana", "miri", "noa", "yael", "gal", "tom", "sara", "rina")
    remote, roots = department(tmp_path, *((f"c{k}", w, "rights") for k, w in enumerate(workers)))
    assert run("--root", str(roots[0]), "keys", "migrate").exit_code == 0
    monkeypatch.setenv("GIT_SSH_COMMAND", ssh_env(server))
    for root in roots:
        subprocess.run(["git", "-C", str(root), "remote", "set-url", "origin",
                        f"ssh://root@127.0.0.1:{server['port']}{remote}"], check=True)
    before = _accepted(server)
    exits = concurrent_soak(remote, roots, 3)
    assert _accepted(server) > before  # it went over SSH
    assert exits[0] + exits[1] == 24
