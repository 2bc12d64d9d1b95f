"""The index cache (`.zchuyot/index.sqlite`, git-ignored, 0600): per issue file, keyed by path,
size and mtime (ns), either the compact facts read commands need (`views.facts`) or the file's
problems. A command stats the files, re-reads only what changed, and never hides an error: a file
that failed to load is cached *as that error* and reported every time until it is fixed. A corrupt
or older cache is rebuilt silently; `--no-cache` (or ZCHUYOT_NO_CACHE=1) bypasses it.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Any

from zchuyot import __version__
from zchuyot.store import CASES, IssueRecord, ReadResult, Workspace, _no_gc, make_private_dirs
from zchuyot.validate import Problem
from zchuyot.views import facts, from_facts
from zchuyot.yamlfast import line_of

SCHEMA = f"7/{__version__}"


def _problem_json(p: Problem) -> dict[str, Any]:
    return asdict(p)


def _problem(d: dict[str, Any]) -> Problem:
    return Problem(**d)


class Index:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.path = ws.local_dir / "index.sqlite"

    def _connect(self) -> sqlite3.Connection:
        make_private_dirs(self.path.parent, self.ws.root)
        new = not self.path.exists()
        conn = sqlite3.connect(self.path, timeout=1)
        if new:
            with contextlib.suppress(OSError):
                os.chmod(self.path, 0o600)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)")
        row = conn.execute("SELECT v FROM meta WHERE k='schema'").fetchone()
        if row is None or row[0] != SCHEMA:
            conn.execute("DROP TABLE IF EXISTS files")
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA,))
        conn.execute("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INT, mtime TEXT, ok INT, "
                     "facts TEXT, problems TEXT, dates TEXT)")
        conn.commit()
        return conn

    def read(self, worker: str | None = None, with_dates: bool = False) -> tuple[ReadResult, list[Any]]:
        """All issues as views, every problem, and (for check) the dates that cannot be in the future."""
        try:
            return self._read(worker, with_dates)
        except sqlite3.OperationalError as e:
            if "locked" in str(e) or "busy" in str(e):  # another command is writing it: read the files this time
                return self._read(worker, with_dates, use_db=False)
            return self._rebuild(worker, with_dates)
        except sqlite3.DatabaseError:
            return self._rebuild(worker, with_dates)

    def _rebuild(self, worker: str | None, with_dates: bool) -> tuple[ReadResult, list[Any]]:
        """A corrupt cache: remove it and build it again, silently; if that fails too, read without it."""
        with contextlib.suppress(OSError):
            self.path.unlink()
            for extra in ("-wal", "-shm"):
                Path(str(self.path) + extra).unlink(missing_ok=True)
        try:
            return self._read(worker, with_dates)
        except sqlite3.DatabaseError:
            return self._read(worker, with_dates, use_db=False)

    def _read(self, worker: str | None, with_dates: bool, use_db: bool = True) -> tuple[ReadResult, list[Any]]:
        ws = self.ws
        conn = self._connect() if use_db else None
        cached: dict[str, tuple[int, str, int, str, str, str]] = {}
        if conn is not None:
            q = "SELECT path, size, mtime, ok, facts, problems, dates FROM files"
            args: tuple[Any, ...] = ()
            if worker:
                q += " WHERE path LIKE ?"
                args = (f"{CASES}/{worker}/%",)
            cached = {r[0]: r[1:] for r in conn.execute(q, args)}
        issues: list[IssueRecord] = []
        errors: list[Problem] = []
        warnings: list[Problem] = []
        dated: list[Any] = []
        fresh: list[tuple[Any, ...]] = []
        seen: set[str] = set()
        with _no_gc():
            for rel, size, mtime, path in ws.scan_issue_files(worker):
                seen.add(rel)
                row = cached.get(rel)
                if row is not None and row[0] == size and row[1] == mtime:
                    ok, fx, probs, dates = row[2], row[3], row[4], row[5]
                else:
                    ok, fx, probs, dates = self._load(Path(path))
                    fresh.append((rel, size, mtime, ok, fx, probs, dates))
                    if len(fresh) % 200 == 0:
                        gc.collect(0)  # the parser's short-lived cycles (GC is paused for the bulk read)
                problems = [_problem(d) for d in json.loads(probs)] if probs != "[]" else []
                if ok:
                    issues.append(IssueRecord(path, rel, rel.split("/")[1], from_facts(json.loads(fx)),  # type: ignore[arg-type]
                                              {}, problems))
                    warnings.extend(problems)
                    if with_dates:
                        dated.append((rel, json.loads(dates)))
                else:
                    errors.extend(p for p in problems if p.severity == "error")
                    warnings.extend(p for p in problems if p.severity != "error")
        if conn is not None:
            gone = [p for p in cached if p not in seen]
            with contextlib.suppress(sqlite3.OperationalError), conn:  # busy: the next command writes it
                if fresh:
                    conn.executemany("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?)", fresh)
                if gone:
                    conn.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in gone])
            conn.close()
        return ReadResult(issues, errors, warnings), dated

    def _load(self, path: Path) -> tuple[int, str, str, str]:
        """Read one file the normal way; return what the cache keeps for it."""
        _, lines, issue, problems = self.ws.load_issue(path, future=False)
        probs = json.dumps([_problem_json(p) for p in problems], ensure_ascii=False, default=str)
        if issue is None:
            if not problems:
                problems = [Problem(self.ws.rel(path), 1, "err.file.not_mapping")]
                probs = json.dumps([_problem_json(p) for p in problems], ensure_ascii=False, default=str)
            return 0, "", probs, "[]"
        dates = [["opened", issue.opened.isoformat(), line_of(lines, ("opened",))]]
        dates += [[f"log.{n}.date", e.date.isoformat(), line_of(lines, ("log", n, "date"))]
                  for n, e in enumerate(issue.log)]
        return 1, json.dumps(facts(issue), ensure_ascii=False, default=str), probs, json.dumps(dates)

