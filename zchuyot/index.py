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

from zchuyot import __version__, flow
from zchuyot.store import CASES, IssueRecord, ReadResult, Workspace, _no_gc, make_private_dirs
from zchuyot.validate import Problem
from zchuyot.views import facts, from_facts
from zchuyot.yamlfast import line_of

SCHEMA = f"8/{__version__}"

# One row per issue file. Besides the facts, a few columns let SQLite skip what a command would skip
# anyway (see followup.candidates): whether the issue is open, and the dates (as day ordinals) from
# which it can need attention — its earliest open legal clock, open refusal, undone action,
# next_followup and last activity.
COLUMNS = ("path TEXT PRIMARY KEY, size INT, mtime INT, ctime INT, ino INT, ok INT, open INT, clock INT, "
           "refusal INT, action INT, nextf INT, last INT, facts TEXT, problems TEXT, dates TEXT")
_N_COLS = COLUMNS.count(",") + 1
_INSERT = f"INSERT OR REPLACE INTO {{t}} VALUES ({','.join('?' * _N_COLS)})"


def _problem_json(p: Problem) -> dict[str, Any]:
    return asdict(p)


def _problem(d: dict[str, Any]) -> Problem:
    return Problem(**d)


def _ordinal(d: Any) -> int | None:
    return d.toordinal() if d is not None else None


class Index:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.path = ws.local_dir / "index.sqlite"

    def _connect(self, use_db: bool = True) -> sqlite3.Connection:
        """The cache on disk, or (without it) an empty one in memory that this command fills and forgets."""
        if not use_db:
            conn = sqlite3.connect(":memory:")
            conn.execute(f"CREATE TABLE files ({COLUMNS})")
            return conn
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
        conn.execute(f"CREATE TABLE IF NOT EXISTS files ({COLUMNS})")
        conn.commit()
        return conn

    def read(self, worker: str | None = None, with_dates: bool = False,
             where: tuple[str, tuple[Any, ...]] | None = None) -> tuple[ReadResult, list[Any]]:
        """The issues as views, every problem, and (for check) the dates that cannot be in the future.

        `where` is an SQL condition on the columns above: issues that fail it are not decoded at all
        (files that changed, broken files and files with warnings always come back)."""
        try:
            return self._read(worker, with_dates, where)
        except sqlite3.OperationalError as e:
            if "locked" in str(e) or "busy" in str(e):  # another command is writing it: read the files this time
                return self._read(worker, with_dates, where, use_db=False)
            return self._rebuild(worker, with_dates, where)
        except sqlite3.DatabaseError:
            return self._rebuild(worker, with_dates, where)

    def _rebuild(self, worker: str | None, with_dates: bool,
                 where: tuple[str, tuple[Any, ...]] | None) -> tuple[ReadResult, list[Any]]:
        """A corrupt cache: remove it and build it again, silently; if that fails too, read without it."""
        with contextlib.suppress(OSError):
            self.path.unlink()
            for extra in ("-wal", "-shm"):
                Path(str(self.path) + extra).unlink(missing_ok=True)
        try:
            return self._read(worker, with_dates, where)
        except sqlite3.DatabaseError:
            return self._read(worker, with_dates, where, use_db=False)

    def _read(self, worker: str | None, with_dates: bool, where: tuple[str, tuple[Any, ...]] | None,
              use_db: bool = True) -> tuple[ReadResult, list[Any]]:
        ws = self.ws
        conn = self._connect(use_db)
        scope, scope_args = ("path LIKE ?", (f"{CASES}/{worker}/%",)) if worker else ("1", ())
        cached = {r[0]: r[1:] for r in conn.execute(f"SELECT path, size, mtime, ctime, ino FROM files WHERE {scope}",
                                                    scope_args)}
        fresh: list[tuple[Any, ...]] = []
        seen: set[str] = set()
        with _no_gc():
            for rel, size, mtime, ctime, ino, path in ws.scan_issue_files(worker, ordered=False):  # SQL orders
                seen.add(rel)
                if cached.get(rel) != (size, mtime, ctime, ino):
                    fresh.append((rel, size, mtime, ctime, ino, *self._load(Path(path))))
                    if len(fresh) % 200 == 0:
                        gc.collect(0)  # the parser's short-lived cycles (GC is paused for the bulk read)
            gone = [p for p in cached if p not in seen]
            written = True
            try:
                with conn:
                    conn.executemany(_INSERT.format(t="files"), fresh)
                    conn.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in gone])
            except sqlite3.OperationalError:  # busy: answer from what was read; the next command writes it
                written = False
            cond, cond_args = where or ("1", ())
            select = (f"SELECT path, ok, facts, problems, dates FROM {{t}} WHERE {scope} "
                      f"AND (ok = 0 OR problems != '[]' OR ({cond})) ORDER BY path")
            args = (*scope_args, *cond_args)
            rows = conn.execute(select.format(t="files"), args).fetchall()
            if not written:
                skip = {f[0] for f in fresh} | set(gone)
                conn.execute(f"CREATE TEMP TABLE fresh ({COLUMNS})")
                conn.executemany(_INSERT.format(t="temp.fresh"), fresh)
                rows = sorted([r for r in rows if r[0] not in skip]
                              + conn.execute(select.format(t="temp.fresh"), args).fetchall())
            conn.close()
            result = self._decode(rows, with_dates)
        return result

    def _decode(self, rows: list[tuple[Any, ...]], with_dates: bool) -> tuple[ReadResult, list[Any]]:
        root = self.ws.root
        issues: list[IssueRecord] = []
        errors: list[Problem] = []
        warnings: list[Problem] = []
        dated: list[Any] = []
        loads = json.loads
        for rel, ok, fx, probs, dates in rows:
            problems = [_problem(d) for d in loads(probs)] if probs != "[]" else []
            if ok:
                issues.append(IssueRecord(root / rel, rel, rel.split("/", 2)[1], from_facts(loads(fx)),  # type: ignore[arg-type]
                                          {}, problems))
                warnings.extend(problems)
                if with_dates:
                    dated.append((rel, loads(dates)))
            else:
                errors.extend(p for p in problems if p.severity == "error")
                warnings.extend(p for p in problems if p.severity != "error")
        return ReadResult(issues, errors, warnings), dated

    def _load(self, path: Path) -> tuple[Any, ...]:
        """Read one file the normal way; return what the cache keeps for it (the columns after ino)."""
        _, lines, issue, problems = self.ws.load_issue(path, future=False)
        if issue is None:
            if not problems:
                problems = [Problem(self.ws.rel(path), 1, "err.file.not_mapping")]
            probs = json.dumps([_problem_json(p) for p in problems], ensure_ascii=False, default=str)
            return 0, 0, None, None, None, None, None, "", probs, "[]"
        probs = json.dumps([_problem_json(p) for p in problems], ensure_ascii=False, default=str)
        dates = [["opened", issue.opened.isoformat(), line_of(lines, ("opened",))]]
        dates += [[f"log.{n}.date", e.date.isoformat(), line_of(lines, ("log", n, "date"))]
                  for n, e in enumerate(issue.log)]
        clocks = flow.open_clocks(issue)
        refusals = flow.open_refusals(issue)
        dues = [a.due for a in issue.actions if not a.done and a.due is not None]
        return (1, int(issue.is_open),
                _ordinal(min((d.due for d in clocks), default=None)),
                _ordinal(min((e.date for e in refusals), default=None)),
                _ordinal(min(dues, default=None)),
                _ordinal(issue.next_followup),
                issue.last_activity().toordinal(),
                json.dumps(facts(issue), ensure_ascii=False, default=str), probs, json.dumps(dates))
