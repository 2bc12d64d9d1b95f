"""Benchmark: sync and the families' keys as the department grows (issue 24). Not a test: run it by hand and
put the figures in bench/RESULTS.md.

    python bench/keys.py                 # 10,000 issues: 3,334 families
    python bench/keys.py --issues 3000
    python bench/keys.py --issues 9000 --ssh   # also over a real sshd on 127.0.0.1 (root, OpenSSH)

A synthetic department (bench.py's builder, its families' records plain), a bare remote on this computer:
`keys migrate` (every record sealed, every key wrapped), `sync` with nothing new (local path) against plain
`git fetch` + `git push`, and a new rights worker approved — which grants her every family the admin can
open (`keys grant`). Each command is a fresh process, as a user runs it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

TODAY = "2026-11-23"


def z(root: Path, *args: str, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "zchuyot", "--root", str(root), *args], env=env, capture_output=True,
                       text=True)
    if p.returncode != 0:
        raise SystemExit(f"{args}: {p.stderr}")
    return time.perf_counter() - t0


def sshd(base: Path) -> tuple[str, Path]:
    """OpenSSH's sshd on 127.0.0.1 (key authentication, its own host key), as the tests run it: the ssh
    command that reaches it and the folder holding its pid file."""
    import socket

    d = base / "sshd"
    d.mkdir()
    for name in ("hostkey", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)], check=True)
    (d / "authorized_keys").write_text((d / "client.pub").read_text())
    os.chmod(d / "authorized_keys", 0o600)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (d / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {d / 'hostkey'}\nAuthorizedKeysFile {d / 'authorized_keys'}\n"
        f"PasswordAuthentication no\nPermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\n"
        f"PidFile {d / 'pid'}\n")
    Path("/run/sshd").mkdir(exist_ok=True)
    subprocess.run([shutil.which("sshd") or "/usr/sbin/sshd", "-f", str(d / "sshd_config")], check=True)
    host = (d / "hostkey.pub").read_text().split()
    (d / "known").write_text(f"[127.0.0.1]:{port} {host[0]} {host[1]}\n")
    cmd = (f"ssh -i {d / 'client'} -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile={d / 'known'} "
           f"-p {port}")
    return cmd, d


def over_ssh(base: Path, a: Path, env: dict[str, str], runs: int) -> tuple[float, float]:
    """Sync with nothing new over SSH, against plain `git fetch` + `git push` by the same ssh command (each
    its own connections, as a user runs them): the medians."""
    cmd, d = sshd(base)
    env = {**env, "GIT_SSH_COMMAND": cmd}
    port = cmd.rsplit(" ", 1)[-1]
    try:
        subprocess.run(["git", "-C", str(a), "remote", "set-url", "origin",
                        f"ssh://root@127.0.0.1:{port}{base / 'dept.git'}"], check=True)
        z(a, "sync", env=env)
        time.sleep(16)  # no shared connection left from before: each sync starts its own
        nothing = []
        for _ in range(runs):
            nothing.append(z(a, "sync", env=env))
            time.sleep(16)
        plain = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(["git", "-C", str(a), "fetch", "-q", "origin"], check=True, env=env)
            subprocess.run(["git", "-C", str(a), "push", "-q", "origin", "HEAD:main"], check=True, env=env)
            plain.append(time.perf_counter() - t0)
        return statistics.median(nothing), statistics.median(plain)
    finally:
        subprocess.run(["kill", (d / "pid").read_text().strip()], check=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--issues", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ssh", action="store_true", help="also sync over a real sshd on 127.0.0.1")
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="zchuyot-keys-"))
    try:
        a, env = bench.department(base, args.issues, TODAY)
        remote = base / "dept.git"
        subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(remote)], check=True)
        subprocess.run(["git", "-C", str(a), "remote", "add", "origin", str(remote)], check=True)
        subprocess.run(["git", "-C", str(a), "push", "-q", "-u", "origin", "main"], check=True, env=env)
        families = len(list((a / "cases").glob("*/*/family.yaml")))
        s = (a / ".zchuyot.yaml").read_text(encoding="utf-8").replace("encryption: true", "encryption: false")
        s = s.replace("role: family", "role: rights")  # w00, the admin, reads every family (the others: no keys)
        (a / ".zchuyot.yaml").write_text(s, encoding="utf-8")
        subprocess.run(["git", "-C", str(a), "commit", "-q", "-am", "plain"], check=True, env=env)
        migrate = z(a, "keys", "migrate", env=env)
        first = z(a, "sync", env=env)
        nothing = [z(a, "sync", env=env) for _ in range(args.runs)]
        plain = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            subprocess.run(["git", "-C", str(a), "fetch", "-q", "origin"], check=True, env=env)
            subprocess.run(["git", "-C", str(a), "push", "-q", "origin", "HEAD:main"], check=True, env=env)
            plain.append(time.perf_counter() - t0)
        z(a, "worker", "add", "rina", "--role", "rights", env=env)
        z(a, "--worker", "rina", "keys", "init", env=env)
        approve = z(a, "worker", "approve", "rina", env=env)
        print(f"issues {args.issues}, families {families}")
        print(f"keys migrate (every record sealed, every key wrapped, one commit): {migrate:.1f} s")
        print(f"first sync after it (the branch and {families} keys sent): {first:.2f} s")
        print(f"sync with nothing new (local path): median {statistics.median(nothing):.2f} s; "
              f"plain git fetch + push {statistics.median(plain):.2f} s")
        print(f"worker approve of a new rights worker (keys grant of {families} families): {approve:.1f} s")
        if args.ssh:
            mine, theirs = over_ssh(base, a, env, args.runs)
            print(f"sync with nothing new over SSH: median {mine:.2f} s; plain git fetch + push over SSH "
                  f"{theirs:.2f} s")
    finally:
        if os.environ.get("ZCHUYOT_BENCH_KEEP"):
            print("kept:", base)
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
