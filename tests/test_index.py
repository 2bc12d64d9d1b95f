"""The index cache never lies: hand edits, breaks, fixes, deletions, additions and git pulls are seen
on the next command; errors stay errors; a corrupt or old cache is rebuilt; --no-cache agrees."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import sqlite3
from pathlib import Path

import pytest
from conftest import issue_path, member, new_issue, run

from zchuyot.case.cache import load_batch as _REAL_LOAD_BATCH
from zchuyot.workspace.store import scan_worker_folder as _REAL_SCAN


def ids(ws: Path, *extra: str) -> list[str]:
    r = run("--root", str(ws), *extra, "followup", "--all-workers", "--on", "2027-06-01", "--json")
    assert r.exit_code == 0, r.stderr
    return sorted(x["id"] for x in json.loads(r.stdout)["items"])


def errors(ws: Path, *extra: str) -> list[str]:
    r = run("--root", str(ws), *extra, "followup", "--all-workers", "--on", "2027-06-01", "--json")
    return sorted(e["file"].rsplit("/", 1)[1] for e in json.loads(r.stdout)["errors"])


def test_cache_sees_every_change(ws: Path) -> None:
    a, b = new_issue(ws), new_issue(ws, family="f2")
    assert ids(ws) == sorted([a, b])
    assert (ws / ".zchuyot" / "index.sqlite").exists()
    pa = issue_path(ws, a)
    # an edit by hand (same size: only a letter changes)
    text = pa.read_text(encoding="utf-8")
    pa.write_text(text.replace("subject: הנחה בארנונה", "subject: הנחה בארנונא"), encoding="utf-8")
    r = run("--root", str(ws), "list", "--json")
    assert "הנחה בארנונא" in r.stdout
    r = run("--root", str(ws), "list")
    assert "הנחה בארנונא" in r.stdout
    # broken: reported every time while it stays broken, the other issue still shown
    pa.write_text(text.replace("domain: housing", "domain: [oops"), encoding="utf-8")
    for _ in range(3):
        assert ids(ws) == [b]
        assert errors(ws) == [pa.name]
        r = run("--root", str(ws), "check")
        assert r.exit_code == 1 and pa.name in r.stdout
    # fixed
    pa.write_text(text, encoding="utf-8")
    assert ids(ws) == sorted([a, b]) and errors(ws) == []
    # deleted and added by hand
    issue_path(ws, b).unlink()
    assert ids(ws) == [a]
    c = new_issue(ws, family="f3")
    assert ids(ws) == sorted([a, c])
    # closed through the CLI: gone from followup at once
    run("--root", str(ws), "close", c, "--ended")
    assert ids(ws) == [a]


def test_cache_sees_a_git_pull(ws: Path, tmp_path: Path) -> None:
    import subprocess

    remote = tmp_path / "r.git"
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(remote)], check=True)
    subprocess.run(["git", "-C", str(ws), "remote", "add", "origin", str(remote)], check=True)
    a = new_issue(ws)
    assert run("--root", str(ws), "sync").exit_code == 0
    other = tmp_path / "other"
    assert run("init", str(other), "--worker", "miri", "--remote", str(remote)).exit_code == 0
    assert ids(other) == [a]  # warm cache in the other clone
    run("--root", str(ws), "close", a, "--ended")
    b = new_issue(ws, family="f9")
    assert run("--root", str(ws), "sync").exit_code == 0
    assert run("--root", str(other), "sync").exit_code == 0
    assert ids(other) == [b]


def test_corrupt_or_old_cache_is_rebuilt_and_no_cache_agrees(ws: Path) -> None:
    a = new_issue(ws)
    bad = issue_path(ws, a).with_name("dana-bbbbb.yaml")
    bad.write_text("id: [\n", encoding="utf-8")
    assert ids(ws) == [a] and errors(ws) == ["dana-bbbbb.yaml"]
    db = ws / ".zchuyot" / "index.sqlite"
    for extra in ("-wal", "-shm"):
        Path(str(db) + extra).unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    assert ids(ws) == [a] and errors(ws) == ["dana-bbbbb.yaml"]
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET v = 'old' WHERE k = 'schema'")
    conn.execute("UPDATE files SET facts = '[]'")  # an old cache with rows this version cannot read
    conn.commit()
    conn.close()
    assert ids(ws) == [a]
    assert ids(ws, "--no-cache") == ids(ws) and errors(ws, "--no-cache") == errors(ws)
    # the same answers, cold, warm and without the cache, for every read command
    odd = issue_path(ws, new_issue(ws, "--description", "טלפון 050-1234567, ₪300", "--keep-personal-data", family="f2"))
    odd.write_text(odd.read_text(encoding="utf-8") + "# הערה ביד\nextra:\n  2: אַחַת\n  true: .nan\n"
                   "  when: 2026-11-01\n  sums: [1.5, -2, ₪7]\n", encoding="utf-8")
    assert "אַחַת" in run("--root", str(ws), "list", "--all-workers", "--json").stdout  # valid, unknown key kept
    for cmd in (["report", "--json"], ["policy", "--json"], ["check", "--json"], ["list", "--all-workers", "--json"],
                ["export"], ["export", "--anonymize"], ["export", "--format", "csv"]):
        assert run("--root", str(ws), *cmd).stdout == run("--root", str(ws), "--no-cache", *cmd).stdout, cmd


def test_a_cache_locked_by_another_command_is_read_around(ws: Path) -> None:
    a = new_issue(ws)
    assert ids(ws) == [a]
    db = ws / ".zchuyot" / "index.sqlite"
    holder = sqlite3.connect(db)
    holder.execute("BEGIN EXCLUSIVE")  # another process is in the middle of writing the cache
    try:
        b = new_issue(ws, family="f2")
        assert ids(ws) == sorted([a, b])
    finally:
        holder.rollback()
        holder.close()
    assert db.exists()  # never deleted because it was busy
    assert ids(ws) == sorted([a, b])


def _random_issue(rng: random.Random, issue_id: str, family: str) -> str:
    """An issue file with dates all around the sweep below: clocks, refusals, answers, actions, follow-ups."""
    base = dt.date(2026, 11, 1)

    def day() -> dt.date:
        return base + dt.timedelta(days=rng.randint(-60, 60))

    lines = [f"id: {issue_id}", f"family: {family}", f"opened: {base - dt.timedelta(days=90)}",
             "subject: 'קצבה – ₪1,200 בחודש'", "domain: national_insurance",
             f"status: {rng.choice(['open', 'open', 'open', 'ended'])}",
             f"priority: {rng.randint(1, 7)}", f"urgency: {rng.choice(['now', 'later'])}"]
    if rng.random() < 0.5:
        lines.append(f"next_followup: {day()}")
    lines.append("actions:")
    for n in range(rng.randint(0, 3)):
        done = day() if rng.random() < 0.4 else ""
        lines.append(f"  - id: {n + 1}\n    what: 'לְהַגִּישׁ טופס'\n    due: {day()}\n    done: {done}")
    lines.append("log:")
    for _ in range(rng.randint(0, 5)):
        kind = rng.choice(["call", "refusal", "refusal", "escalation", "appeal", "note"])
        lines.append(f"  - date: {day()}\n    kind: {kind}\n    text: 'סירוב בטלפון 08-6463000'")
    if rng.random() < 0.5:
        start = day()
        lines.append(f"deadlines:\n  - key: appeal\n    from: {start}\n    due: {start + dt.timedelta(days=30)}")
    return "\n".join(lines) + "\n"


def _random_issues(ws: Path, count: int, families: int, seed: int) -> None:
    """`count` (≤ 100) random issue files of worker dana, written by hand as a pull would bring them."""
    rng = random.Random(seed)
    for n in range(count):
        issue_id = f"dana-{'abcdefghjk'[n // 10]}{'abcdefghjk'[n % 10]}zzz"
        folder = ws / "cases" / "dana" / f"f{n % families}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{issue_id}.yaml").write_text(_random_issue(rng, issue_id, f"f{n % families}"),
                                                 encoding="utf-8")


@pytest.mark.parametrize("settings", [{}, {"stale_after": 0, "refusal_grace": 0, "deadline_warning": 0},
                                      {"stale_after": 12, "refusal_grace": 9, "deadline_warning": 40}])
def test_followup_from_the_index_is_followup_from_the_files(ws: Path, settings: dict[str, int]) -> None:
    """The index skips issues that cannot need the worker on a day (followup.candidates): on every day
    of a sweep and under other settings, it gives exactly what reading every file gives."""
    _random_issues(ws, 40, families=7, seed=7)
    cfg = ws / ".zchuyot.yaml"
    text = cfg.read_text(encoding="utf-8")
    for k, v in settings.items():
        text = re.sub(rf"(?m)^{k}: .*$", f"{k}: {v}", text)
    cfg.write_text(text, encoding="utf-8")
    seen = 0
    for offset in range(-75, 80, 6):
        on = (dt.date(2026, 11, 1) + dt.timedelta(days=offset)).isoformat()
        warm = run("--root", str(ws), "followup", "--all-workers", "--on", on, "--json")
        cold = run("--root", str(ws), "--no-cache", "followup", "--all-workers", "--on", on, "--json")
        assert warm.exit_code == cold.exit_code == 0, warm.stderr
        assert warm.stdout == cold.stdout, on
        seen += len(json.loads(warm.stdout)["items"])
    assert seen > 100  # the sweep really shows issues, not two empty lists


def test_a_write_updates_its_row_so_the_next_read_rereads_nothing(ws: Path) -> None:
    a = new_issue(ws)
    assert ids(ws) == [a]  # the cache exists now
    db = ws / ".zchuyot" / "index.sqlite"
    path = issue_path(ws, a)
    rel = str(path.relative_to(ws))
    r = run("--root", str(ws), "treat", a, "שיחה עם הסניף – ₪1,200", "--kind", "call", "--next", "2026-12-01")
    assert r.exit_code == 0, r.stderr
    st = path.stat()
    conn = sqlite3.connect(db)
    size, mtime, ctime, ino, nextf, fu = conn.execute(
        "SELECT size, mtime, ctime, ino, nextf, fu FROM files WHERE path = ?", (rel,)).fetchone()
    conn.close()
    assert (size, mtime, ctime, ino) == (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    assert nextf == dt.date(2026, 12, 1).toordinal() and a in fu
    b = new_issue(ws, family="f2")  # a new file gets its row too
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM files WHERE path LIKE ?", (f"%/{b}.yaml",)).fetchone()[0] == 1
    conn.close()
    assert ids(ws) == sorted([a, b])


def _spy_load_batch(batch: list) -> list:
    """cache.load_batch, noting which process read the batch (a module function: the readers unpickle it)."""
    with open(os.environ["ZCHUYOT_TEST_PIDS"], "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    return _REAL_LOAD_BATCH(batch)


def _spy_scan(folder: tuple) -> list:
    """store.scan_worker_folder, noting which process listed the folder."""
    with open(os.environ["ZCHUYOT_TEST_PIDS"], "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    return _REAL_SCAN(folder)


def test_a_large_workspace_is_listed_by_one_process_per_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tens of thousands of files: the workers' folders are listed by forked processes, and what the
    cache answers is still exactly what reading every file answers — after edits, a new file, a removal."""
    from zchuyot.case import cache as index
    from zchuyot.workspace import store

    ws = tmp_path / "ws"
    assert run("init", str(ws), "--worker", "dana").exit_code == 0
    _random_issues(ws, 30, families=6, seed=5)
    for n in range(8):  # other workers' folders
        member(ws, f"w{n}")
        assert run("--root", str(ws), "--worker", f"w{n}", "new", "--family", f"g{n}", "--subject", "ארנונה",
                   "--domain", "housing").exit_code == 0
    pids = tmp_path / "pids"
    monkeypatch.setenv("ZCHUYOT_TEST_PIDS", str(pids))
    monkeypatch.setattr(index, "PARALLEL_SCAN_FROM", 1)
    monkeypatch.setattr(store, "scan_worker_folder", _spy_scan)
    cmd = ["followup", "--all-workers", "--on", "2026-12-01", "--json"]
    assert run("--root", str(ws), *cmd).exit_code == 0  # builds the cache
    victim = next((ws / "cases" / "dana").glob("f1/*.yaml"))
    victim.write_text(victim.read_text(encoding="utf-8").replace("status: open", "status: ended"), encoding="utf-8")
    next((ws / "cases" / "dana").glob("f2/*.yaml")).unlink()
    _random_issues(ws, 1, families=1, seed=99)
    pids.unlink()
    warm = run("--root", str(ws), *cmd)
    readers = set(pids.read_text().split())
    cold = run("--root", str(ws), "--no-cache", *cmd)
    assert warm.exit_code == 0 and warm.stdout == cold.stdout
    assert readers and str(os.getpid()) not in readers


def test_many_changed_files_are_read_by_one_process_per_core(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first build or a big pull: the changed files are shared among forked readers, and the cache
    they build answers exactly what reading every file here answers — broken files included."""
    from zchuyot.case import cache as index

    _random_issues(ws, 60, families=9, seed=3)
    (ws / "cases" / "dana" / "f1" / "dana-zzzzz.yaml").write_text("id: [\n", encoding="utf-8")
    monkeypatch.setattr(index, "PARALLEL_FROM", 10)
    monkeypatch.setattr(index, "BATCH", 7)
    pids = ws.parent / "pids"
    monkeypatch.setenv("ZCHUYOT_TEST_PIDS", str(pids))
    monkeypatch.setattr(index, "load_batch", _spy_load_batch)
    for cmd in (["followup", "--all-workers", "--on", "2026-12-01", "--json"], ["report", "--json"],
                ["policy", "--json"], ["check", "--json"]):
        (ws / ".zchuyot" / "index.sqlite").unlink(missing_ok=True)
        warm = run("--root", str(ws), *cmd)
        cold = run("--root", str(ws), "--no-cache", *cmd)
        assert warm.stdout == cold.stdout and warm.exit_code == cold.exit_code, (cmd, warm.stderr)
    assert "dana-zzzzz.yaml" in warm.stdout
    readers = set(pids.read_text().split())
    assert readers and str(os.getpid()) not in readers  # every batch was read by another process
