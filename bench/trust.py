"""Benchmark: what signing and verification cost (issue 23). Not a test: run it by hand, put the figures in
bench/RESULTS.md with the machine described.

    python bench/trust.py                       # 10,000 issues, 20,000 commits of history, 100 new commits
    python bench/trust.py --issues 1000 --history 2000 --new 100

1. The cost of signing per write: `zchuyot treat` (a fresh process, as a user runs it) in a department
   that signs, against the same command with the signature left out (the clone's git told not to sign).
2. The cost of verification per sync: a department with `--issues` issues and `--history` commits, a second
   clone makes `--new` signed commits; the first clone's `trust.verify` of just those (what `sync` runs
   before it merges), and the whole `zchuyot sync` that fetches, verifies and merges them; and `zchuyot
   verify` over the whole signed history.
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
import bench  # noqa: E402  (the synthetic department's builder)

TODAY = "2026-11-23"


def z(root: Path, *args: str, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "zchuyot", "--root", str(root), *args], env=env, check=True,
                   capture_output=True)
    return time.perf_counter() - t0


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True,
                          env=env).stdout


def history(root: Path, n: int) -> None:
    """`n` commits of history (one log line each on an issue), with git fast-import: the department's past
    before it signed — what incremental verification must not pay for again."""
    files = sorted(str(p.relative_to(root)) for p in (root / "cases").rglob("*.yaml") if p.name != "family.yaml")
    head = git(root, "rev-parse", "HEAD").strip()
    lines = []
    for k in range(n):
        path = files[k % len(files)]
        data = (root / path).read_bytes() + f"# היסטוריה {k}\n".encode()
        (root / path).write_bytes(data)
        msg = f"history {k}".encode()
        lines.append(b"commit refs/heads/main\n")
        lines.append(f"committer w00 <w00@zchuyot.invalid> {1700000000 + k} +0000\n".encode())
        lines.append(b"data %d\n%s\n" % (len(msg), msg))
        if k == 0:
            lines.append(f"from {head}\n".encode())
        lines.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet"], input=b"".join(lines), check=True)
    git(root, "reset", "-q", "--hard", "main")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--issues", type=int, default=10000)
    ap.add_argument("--history", type=int, default=20000)
    ap.add_argument("--new", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="zchuyot-trust-"))
    try:
        a, env = bench.department(base, args.issues, TODAY)
        # its past before it signed: the roster without keys, a new root, the history on top (fast-import)
        settings = (a / ".zchuyot.yaml").read_text(encoding="utf-8")
        (a / ".zchuyot.yaml").write_text("".join(line for line in settings.splitlines(keepends=True)
                                                 if not line.strip().startswith(("admin:", "signing:", "age:"))),
                                         encoding="utf-8")
        git(a, "checkout", "-q", "--orphan", "legacy")
        git(a, "add", "-A")
        git(a, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "the department before it signed")
        git(a, "branch", "-q", "-M", "legacy", "main")
        (a / ".zchuyot" / "trust.yaml").unlink()
        git(a, "update-ref", "-d", "refs/zchuyot/verified")
        history(a, args.history)
        z(a, "keys", "init", env=env)  # w00 becomes the first admin: the anchor
        remote = base / "dept.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(a), str(remote)], check=True)
        git(a, "remote", "add", "origin", str(remote))
        git(a, "fetch", "-q", "origin")
        git(a, "branch", "-q", "-u", "origin/main")
        z(a, "sync", env=env)
        ids = sorted(p.stem for p in (a / "cases" / "w00").rglob("w00-*.yaml"))

        # 1. signing per write
        signed = [z(a, "treat", ids[k % len(ids)], f"שיחה {k}", env=env) for k in range(args.runs)]
        sign_one = []
        for k in range(args.runs):
            t0 = time.perf_counter()
            subprocess.run(["git", "-C", str(a), "commit", "-q", "--allow-empty", "-S", "-m", f"s{k}"], env=env,
                           check=True)
            sign_one.append(time.perf_counter() - t0)
        plain_one = []
        for k in range(args.runs):
            t0 = time.perf_counter()
            subprocess.run(["git", "-C", str(a), "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty",
                            "-m", f"p{k}"], env=env, check=True)
            plain_one.append(time.perf_counter() - t0)
        git(a, "reset", "-q", "--hard", f"HEAD~{args.runs}")  # the unsigned ones measured, then taken back
        z(a, "sync", env=env)

        # 2. verification per sync: a second clone of the same worker makes the new commits
        b = base / "b"
        subprocess.run(["git", "clone", "-q", str(remote), str(b)], check=True, env=env)
        for f in (".zchuyot",):
            shutil.copytree(a / f, b / f, dirs_exist_ok=True)
        for key in ("gpg.format", "user.signingkey", "commit.gpgsign", "user.name", "user.email"):
            v = git(a, "config", "--get", key).strip()
            git(b, "config", key, v)
        for k in range(args.new):
            p = b / "cases" / "w00" / next((b / "cases" / "w00").iterdir()).name
            target = next(p.glob("w00-*.yaml"))
            target.write_text(target.read_text(encoding="utf-8") + f"# עוד {k}\n", encoding="utf-8")
            git(b, "commit", "-q", "-am", f"new {k}", env=env)
        git(b, "push", "-q", "origin", "HEAD:main", env=env)
        git(a, "fetch", "-q", "origin")
        from zchuyot.workspace import members, trust

        anchor = members.pinned(a)["anchor"]
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            verdict = trust.verify(a, "origin/main", ["HEAD", members.VERIFIED_REF], anchor)
            times.append(time.perf_counter() - t0)
            assert verdict.ok and verdict.checked == args.new, (verdict.checked, verdict.refused[:1])
        sync_t = z(a, "sync", env=env)
        whole = z(a, "verify", env=env)
        commits = int(git(a, "rev-list", "--count", "HEAD"))
        print(f"issues {args.issues}, commits {commits} ({args.history + 1} before the department signed)")
        print(f"treat (a fresh process, signed): median {statistics.median(signed):.3f} s")
        print(f"git commit signed (ssh-keygen -Y sign): median {statistics.median(sign_one):.3f} s, "
              f"unsigned {statistics.median(plain_one):.3f} s")
        print(f"verify {args.new} new commits (trust.verify, what sync runs): median {statistics.median(times):.3f} s, "
              f"min {min(times):.3f} s")
        print(f"zchuyot sync taking them (fetch, verify, merge): {sync_t:.2f} s")
        print(f"zchuyot verify (the whole signed history): {whole:.2f} s")
    finally:
        if not os.environ.get("ZCHUYOT_BENCH_KEEP"):
            shutil.rmtree(base, ignore_errors=True)
        else:
            print("kept:", base)


if __name__ == "__main__":
    main()
