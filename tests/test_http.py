"""The department over smart HTTP (issue 24): git http-backend behind lighttpd with basic authentication, on
127.0.0.1, the server's hook installed — a department syncs (branch and keys), a forbidden push is refused by
the hook over HTTP, the password is never shown and `.git/config` that holds it is the worker's only, and a
wrong password is said as such. Skipped with the reason where lighttpd or git http-backend is missing."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest
from conftest import run

LIGHTTPD = shutil.which("lighttpd") or "/usr/sbin/lighttpd"
BACKEND = Path("/usr/lib/git-core/git-http-backend")
pytestmark = pytest.mark.skipif(not Path(LIGHTTPD).is_file() or not BACKEND.is_file(),
                                reason="lighttpd or git http-backend is not installed")


@pytest.fixture
def web(tmp_path: Path):
    d = tmp_path / "web"
    (d / "repos").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(d / "repos" / "dept.git")], check=True)
    subprocess.run(["git", "-C", str(d / "repos" / "dept.git"), "config", "http.receivepack", "true"], check=True)
    (d / "users").write_text("dana:s3cret-dana\nmiri:s3cret-miri\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (d / "lighttpd.conf").write_text(f'''
server.modules = ("mod_alias", "mod_auth", "mod_authn_file", "mod_setenv", "mod_cgi", "mod_accesslog")
accesslog.filename = "{d}/access.log"
server.document-root = "{d}"
server.bind = "127.0.0.1"
server.port = {port}
server.pid-file = "{d}/pid"
server.errorlog = "{d}/error.log"
alias.url = ( "/git" => "{BACKEND}" )
$HTTP["url"] =~ "^/git" {{
  cgi.assign = ("" => "")
  setenv.add-environment = ("GIT_PROJECT_ROOT" => "{d}/repos", "GIT_HTTP_EXPORT_ALL" => "",
                            "PATH" => "{os.environ.get('PATH', '/usr/bin:/bin')}")
}}
auth.backend = "plain"
auth.backend.plain.userfile = "{d}/users"
auth.require = ( "/git" => ("method" => "basic", "realm" => "dept", "require" => "valid-user") )
''')
    subprocess.run([LIGHTTPD, "-f", str(d / "lighttpd.conf")], check=True)
    for _ in range(50):
        if (d / "pid").is_file():
            break
        time.sleep(0.05)
    yield {"dir": d, "port": port, "bare": d / "repos" / "dept.git"}
    if (d / "pid").is_file():
        subprocess.run(["kill", (d / "pid").read_text().strip()], check=False)


def url(web: dict, user: str, password: str) -> str:
    return f"http://{user}:{password}@127.0.0.1:{web['port']}/git/dept.git"


def test_a_department_over_smart_http(web: dict, tmp_path: Path) -> None:
    def z(root: Path, *args: str, code: int = 0):
        r = run("--root", str(root), *args)
        assert r.exit_code == code, (args, r.stdout, r.stderr)
        return r

    a, b = tmp_path / "a", tmp_path / "b"
    assert run("init", str(a), "--worker", "dana", "--remote", url(web, "dana", "s3cret-dana")).exit_code == 0
    z(a, "sync")
    z(a, "server", "install", str(web["bare"]))
    z(a, "worker", "add", "miri", "--role", "student")
    z(a, "keys", "migrate")
    z(a, "family", "add", "f1", "--name", "משפחה בדויה")
    z(a, "sync")
    assert run("init", str(b), "--worker", "miri", "--remote", url(web, "miri", "s3cret-miri")).exit_code == 0
    z(b, "sync")
    z(a, "sync")
    z(a, "worker", "approve", "miri")
    z(a, "sync")
    z(b, "sync")
    i = z(b, "new", "--family", "f2", "--subject", "ליווי", "--domain", "health").stdout.split()[-1]
    z(b, "sync")
    z(a, "sync")
    assert i in z(a, "list", "--all-workers").stdout
    status = z(a, "sync", "--status")
    assert "s3cret" not in status.stdout + status.stderr and "127.0.0.1" in status.stdout
    for root in (a, b):
        assert stat.S_IMODE((root / ".git" / "config").stat().st_mode) == 0o600
        assert stat.S_IMODE((root / ".git").stat().st_mode) == 0o700
    s = (b / ".zchuyot.yaml").read_text(encoding="utf-8")
    (b / ".zchuyot.yaml").write_text(s.replace("role: student", "role: rights"), encoding="utf-8")
    subprocess.run(["git", "-C", str(b), "commit", "-q", "-am", "x"], check=True)
    push = subprocess.run(["git", "-C", str(b), "push", "origin", "HEAD:main"], capture_output=True, text=True)
    assert push.returncode != 0 and "miri" in push.stderr and "s3cret" not in push.stderr


def test_a_wrong_http_password_is_said_and_nothing_is_made(web: dict, tmp_path: Path) -> None:
    r = run("init", str(tmp_path / "c"), "--worker", "dana", "--remote", url(web, "dana", "not-it"))
    assert r.exit_code == 1 and "הסיסמה" in r.stderr and "not-it" not in r.stderr
    assert not (tmp_path / "c").exists()


def test_eight_clones_syncing_at_once_over_http_lose_nothing(web: dict, tmp_path: Path) -> None:
    """The concurrent soak (conftest.concurrent_soak) over smart HTTP: 8 clones, each with its own user and
    password, 3 rounds."""
    from conftest import concurrent_soak, department

    workers = ("dana", "miri", "noa", "yael", "gal", "tom", "sara", "rina")
    remote, roots = department(tmp_path, *((f"c{k}", w, "rights") for k, w in enumerate(workers)),
                               remote=web["bare"])
    assert run("--root", str(roots[0]), "keys", "migrate").exit_code == 0
    (web["dir"] / "users").write_text("".join(f"{w}:s3cret-{w}\n" for w in workers))
    for w, root in zip(workers, roots, strict=True):
        subprocess.run(["git", "-C", str(root), "remote", "set-url", "origin", url(web, w, f"s3cret-{w}")],
                       check=True)
    exits = concurrent_soak(remote, roots, 3)
    assert exits[0] + exits[1] == 24
    log = (web["dir"] / "access.log").read_text(errors="replace")
    pushes = [ln for ln in log.splitlines() if "POST /git/dept.git/git-receive-pack" in ln]
    assert len({ln.split()[2] for ln in pushes}) == len(workers)  # every clone pushed over HTTP, as its user
