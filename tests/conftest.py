"""Shared fixtures: every test gets its own workspace in tmp_path, a pinned "today", real git."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zchuyot.cli import app, hoist_globals

TODAY = "2026-11-23"
REPO = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    """What a worker reads: the output with the invisible directional isolates around Latin words taken out
    (they change how a line is ordered, not what it says); `raw_*` keep the bytes as written."""

    exit_code: int
    stdout: str
    stderr: str
    raw_stdout: str = ""
    raw_stderr: str = ""


def readable(text: str) -> str:
    return text.replace("\u2068", "").replace("\u2069", "")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("ZCHUYOT_ROOT", "ZCHUYOT_WORKER", "ZCHUYOT_LANG", "ZCHUYOT_BIDI", "ZCHUYOT_DEBUG", "CI"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ZCHUYOT_TODAY", TODAY)
    monkeypatch.setenv("ZCHUYOT_CONFIG_DIR", str(tmp_path / "_config"))
    monkeypatch.setenv("COLUMNS", "120")
    # git must work on a machine with no global identity, and must not read the user's config
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "_gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def run(*args: str, cwd: Path | None = None, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Run the real CLI in-process (Typer's CliRunner), stdout and stderr kept apart."""
    runner = CliRunner()
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        r = runner.invoke(app, hoist_globals(list(args)), input=input, env=env, catch_exceptions=False)
    finally:
        os.chdir(old)
    return Result(r.exit_code, readable(r.stdout), readable(r.stderr), r.stdout, r.stderr)


@contextlib.contextmanager
def environ(**values: str) -> Iterator[None]:
    """The process's environment with `values` set while a session-wide fixture builds, as it was after."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def zchuyot_subprocess(*args: str, cwd: Path, env: dict[str, str] | None = None,
                       input: str | None = None) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it."""
    exe = shutil.which("zchuyot") or ""
    cmd = [exe, *args] if exe else [sys.executable, "-m", "zchuyot", *args]
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True, input=input, timeout=60)


@pytest.fixture(scope="session")
def _ws_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The department every `ws` test starts from, built once through the CLI: dana its first admin, and
    miri (rights), noa (student) and yael (family) added by her, each with her keys made on this computer
    (one config directory: one computer that holds every worker's keys) and approved. Its families' data is
    plain (the department's setting turned off by its admin), as the tests before encryption expect."""
    base = tmp_path_factory.mktemp("ws-template")
    root, config = base / "ws", base / "_config"
    with environ(ZCHUYOT_CONFIG_DIR=str(config), ZCHUYOT_TODAY=TODAY, GIT_CONFIG_GLOBAL=str(base / "_gitconfig"),
                 GIT_CONFIG_NOSYSTEM="1"):
        r = run("init", str(root), "--worker", "dana", "--department", "מחלקה לדוגמה", "--name", "דנה")
        assert r.exit_code == 0, r.stderr
        for code, role in (("miri", "rights"), ("noa", "student"), ("yael", "family")):  # the department's others
            for args in (("worker", "add", code, "--role", role), ("--worker", code, "keys", "init"),
                         ("worker", "approve", code)):
                r = run("--root", str(root), *args)
                assert r.exit_code == 0, (args, r.stderr)
        settings = root / ".zchuyot.yaml"
        settings.write_text(settings.read_text(encoding="utf-8").replace("encryption: true", "encryption: false"),
                            encoding="utf-8")
        subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", "zchuyot: plain family records (tests)",
                        "--", ".zchuyot.yaml"], check=True, capture_output=True)
    return root, config


@pytest.fixture
def ws(tmp_path: Path, _ws_template: tuple[Path, Path]) -> Path:
    """A fresh workspace for worker `dana`, a real git repository (a copy of the session's template)."""
    root = tmp_path / "ws"
    shutil.copytree(_ws_template[0], root, symlinks=True)
    shutil.copytree(_ws_template[1], tmp_path / "_config", dirs_exist_ok=True, symlinks=True)
    # this computer's default workspace, as `init` remembers it: this copy
    (tmp_path / "_config" / "config.yaml").write_text(f"root: '{root}'\n", encoding="utf-8")
    return root


def member(root: Path, code: str, role: str = "family") -> None:
    """A member who can work on this computer (issue 23): listed by the admin (dana), her keys made here
    and published, and approved."""
    for args in (("worker", "add", code, "--role", role), ("--worker", code, "keys", "init"),
                 ("worker", "approve", code)):
        r = run("--root", str(root), *args)
        assert r.exit_code == 0, (args, r.stderr)


def new_issue(root: Path, *extra: str, family: str = "f1", subject: str = "הנחה בארנונה",
              domain: str = "housing") -> str:
    r = run("--root", str(root), "new", "--family", family, "--subject", subject, "--domain", domain, *extra)
    assert r.exit_code == 0, r.stderr
    return r.stdout.strip().splitlines()[-1]


def issue_path(root: Path, issue_id: str) -> Path:
    hits = list((root / "cases").glob(f"*/*/{issue_id}.yaml"))
    assert len(hits) == 1, hits
    return hits[0]


def git_log(root: Path) -> list[str]:
    out = subprocess.run(["git", "-C", str(root), "log", "--format=%s"], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def git_status(root: Path) -> str:
    return subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True,
                          check=True).stdout


def synthetic(tmp_path_factory: pytest.TempPathFactory, name: str, size: int) -> Path:
    """A synthetic department of `size` issues (bench.py's builder: 50 workers, families of three issues),
    built once per module; the builder's config directory is the process's only while it builds."""
    import datetime as dt

    sys.path.insert(0, str(REPO / "bench"))
    import bench

    root = tmp_path_factory.mktemp(name) / "ws"
    old = os.environ.get("ZCHUYOT_CONFIG_DIR")
    try:
        bench.build(root, size, dt.date.fromisoformat(TODAY))
    finally:
        if old is None:
            os.environ.pop("ZCHUYOT_CONFIG_DIR", None)
        else:
            os.environ["ZCHUYOT_CONFIG_DIR"] = old
    return root


def department(tmp_path: Path, *clones: tuple[str, str, str], remote: Path | None = None) -> tuple[Path, list[Path]]:
    """A department's bare repository and a clone for each (folder, worker, role), each joined with
    `init --remote` and synced, in order: the first one starts the repository (its first admin); she lists
    each of the others, who joins (her keys her request) and is approved (issue 23). One computer: every
    worker's keys in the test's one config directory."""
    if remote is None:  # else: an empty bare repository a server serves
        remote = tmp_path / "dept.git"
        subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(remote)], check=True)
    roots: list[Path] = []

    def ok(*args: str) -> None:
        r = run(*args)
        assert r.exit_code == 0, (args, r.stderr)

    for folder, worker, role in clones:
        root = tmp_path / folder
        if roots:
            admin = str(roots[0])
            ok("--root", admin, "worker", "add", worker, "--role", role)
            ok("--root", admin, "sync")
        ok("init", str(root), "--worker", worker, "--role", role, "--remote", str(remote))
        ok("--root", str(root), "sync")
        if roots:
            ok("--root", admin, "sync")
            ok("--root", admin, "worker", "approve", worker)
            ok("--root", admin, "sync")
            ok("--root", str(root), "sync")
        roots.append(root)
    return remote, roots


def key_store(where: Path) -> set[str]:
    """The families whose wrapped key a repository's key store holds (refs/zchuyot/keys)."""
    names = subprocess.run(["git", "-C", str(where), "ls-tree", "--name-only", "refs/zchuyot/keys"],
                           capture_output=True, text=True).stdout.split()
    return {n.removesuffix(".age") for n in names if n.endswith(".age")}


def concurrent_soak(remote: Path, roots: list[Path], rounds: int) -> dict[str, int]:
    """Every clone adds a family with an issue and documents its issue of the round before, then all sync at
    the same moment (separate processes, as users run them), `rounds` times; then each syncs twice in turn.
    The ledger: every sync exited 0 with everything sent or 1 saying what waits (never 0 with anything
    unsent); no log entry typed and no family's key is missing anywhere — the server's key store, every
    clone's keys, every clone's list. Returns the exits counted."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    def ok(root: Path, *args: str) -> str:
        r = run("--root", str(root), *args)
        assert r.exit_code == 0, (root.name, args, r.stdout, r.stderr)
        return r.stdout

    families: set[str] = set()
    typed: dict[str, set[str]] = {}
    last: dict[Path, str] = {}
    exits = {0: 0, 1: 0}
    for rnd in range(rounds):
        for k, root in enumerate(roots):
            fam = f"r{rnd}c{k}"
            ok(root, "family", "add", fam, "--name", "משפחה בדויה")
            families.add(fam)
            if root in last:
                text = f"תיעוד בסבב {rnd}"
                ok(root, "treat", last[root], text)
                typed[last[root]].add(text)
            last[root] = ok(root, "new", "--family", fam, "--subject", "ליווי", "--domain", "housing").split()[-1]
            typed[last[root]] = set()
        with ThreadPoolExecutor(len(roots)) as pool:
            results = list(pool.map(lambda r: zchuyot_subprocess("--root", str(r), "sync", cwd=r), roots))
        for root, p in zip(roots, results, strict=True):
            assert p.returncode in (0, 1), (root.name, p.stdout, p.stderr)
            for line in p.stdout.splitlines():  # retries after a contended push name each issue once
                if "סוגיות" in line and ": " in line:
                    ids = [i.strip() for i in line.split(": ", 1)[1].split(",")]
                    assert len(ids) == len(set(ids)), line
            exits[p.returncode] += 1
            if p.returncode == 0:  # exit 0: everything sent
                unsent = subprocess.run(["git", "-C", str(root), "rev-list", "--count", "@{u}..HEAD"],
                                        capture_output=True, text=True).stdout.strip()
                assert unsent == "0", (root.name, p.stdout, p.stderr)
            else:
                assert "ממתינ" in p.stderr, (root.name, p.stderr)  # what waits is said
    for _ in range(2):
        for root in roots:
            ok(root, "sync")
    assert families <= key_store(remote), families - key_store(remote)
    for root in roots:
        assert families <= {p.stem for p in (root / "keys/families").glob("*.age")}, root.name
        for fam in sorted(families)[:: max(1, len(families) // 4)]:
            assert "בדויה" in ok(root, "family", "show", fam), (root.name, fam)
        data = {x["id"]: x for x in json.loads(ok(root, "list", "--all-workers", "--json"))}
        for i, texts in typed.items():
            assert texts <= {e["text"] for e in data[i]["log"]}, (root.name, i)
    return exits


def plain_department(root: Path) -> None:
    """The department as an older zchuyot made it — its family records plain (`encryption: false`), the
    admin's signed commit — for the tests of `keys migrate` and the history's rewrite."""
    settings = root / ".zchuyot.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("encryption: true", "encryption: false"),
                        encoding="utf-8")
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", "zchuyot: plain family records (tests)", "--",
                    ".zchuyot.yaml"], check=True, capture_output=True)
