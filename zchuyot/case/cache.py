"""The index cache (`.zchuyot/index.sqlite`, git-ignored, 0600): per issue file, keyed by path, size
and mtime (ns), either the compact facts read commands need (`views.facts`) or the file's problems.
It knows the case files and nothing of the commands that read it: the workspace it is given (`ws`)
only lends it the root, the file listing and the place for the cache. A command stats the files, re-
reads only what changed, and never hides an error: a file that failed to load is cached *as that
error* and reported every time until it is fixed. A corrupt or older cache is rebuilt silently;
`--no-cache` (or ZCHUYOT_NO_CACHE=1) bypasses it.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import gc
import itertools
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from zchuyot import __version__
from zchuyot.case import search, yamlfast
from zchuyot.case.file import CASES, IssueRecord, ReadResult, issue_json, load_issue, make_private_dirs, quiet_gc
from zchuyot.case.rules import Attention, attention
from zchuyot.case.validate import Problem, dated_fields, future_problems, unknown_key_problems
from zchuyot.case.views import facts, from_facts

SCHEMA = f"15/{__version__}"  # 11: the facts row named once (views.PLAIN, views.RECORDS); 12: outcome's until,
# the searchable words (case/search.py); 13: the closing date among the facts, the workers and partners the
# open work waits on, the referrals' due dates, new feedback, waiver needs; 14: cancelled plan actions;
# 15: an accompaniment's meeting, the outcome's right

# One row per issue file: its stat key, whether it loaded (ok) and, if so, its facts (`views.facts`)
# for list/report/policy/check, its whole mapping as JSON (data, for --json and export) and, while it
# is open, what followup needs (`followup.attention`, column fu). A few more columns let SQLite skip
# what followup would skip anyway (followup.candidates): the dates (as day ordinals) from which an open
# issue can need attention — its earliest open legal clock, standing refusal and undone action, its
# next_followup and its last activity.
COLUMNS = ("path TEXT PRIMARY KEY, size INT, mtime INT, ctime INT, ino INT, ok INT, open INT, clock INT, "
           "refusal INT, action INT, nextf INT, last INT, facts TEXT, fu TEXT, problems TEXT, dates TEXT, data TEXT, "
           "words TEXT, persons TEXT, refdue INT, fbnew INT, needs INT")
_N_COLS = COLUMNS.count(",") + 1
_INSERT = f"INSERT OR REPLACE INTO {{t}} VALUES ({','.join('?' * _N_COLS)})"
BATCH = 1000  # rows written at a time while building: the cache never waits in memory whole

Where = tuple[str, tuple[Any, ...]]
BY_ID = "CASE WHEN ok THEN json_extract(facts, '$[0]') END, path"  # rows in the order of the issues' ids


def _problem_json(p: Problem) -> dict[str, Any]:
    return asdict(p)


def _problem(d: dict[str, Any]) -> Problem:
    return Problem(**d)


PARALLEL_FROM = 2000  # changed files from which the reading is shared among the cores
PARALLEL_SCAN_FROM = 20000  # cached files from which listing the folders is shared among the cores
_LOADER: Index | None = None  # the index whose files the forked readers load


def load_batch(batch: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """In a forked reader: the cache rows of a batch of changed files."""
    assert _LOADER is not None
    return _LOADER._rows(batch)


def _busy(e: sqlite3.OperationalError) -> bool:
    """Another command holds the cache (as opposed to a cache that is broken)."""
    return "locked" in str(e) or "busy" in str(e)


def _stream(conn: sqlite3.Connection, select: str, args: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    """The rows of a query, a batch at a time; the connection closes when they are all read."""
    try:
        cur = conn.execute(select, args)
        while rows := cur.fetchmany(1000):
            yield from rows
    finally:
        conn.close()


class Index:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.path = ws.local_dir / "index.sqlite"
        self.order = "path"  # the order rows come in (records(by_id=True): the issues' ids)

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

    # ---------------------------------------------------------- what commands ask
    def records(self, worker: str | None = None, where: Where | None = None,
                errors: list[Problem] | None = None, warnings: list[Problem] | None = None,
                with_data: bool = False, future_on: dt.date | None = None,
                by_id: bool = False) -> Iterator[IssueRecord]:
        """The issues as light views, one at a time, in path order — a command that only counts
        (report, policy, check) never holds them all. Problems go into `errors`/`warnings`; with
        `with_data`, each record carries its file's mapping (dates as YYYY-MM-DD, as --json prints
        them); with `future_on`, dates that cannot be in the future but are after it are warned about.

        `where` is an SQL condition on the columns above: issues that fail it are not decoded at all
        (broken files and files with warnings always come back). `by_id`: in the order of the issues' ids
        (SQLite sorts: `export` writes 100,000 issues in id order without holding them)."""
        errors = [] if errors is None else errors
        warnings = [] if warnings is None else warnings
        root = self.ws.root
        loads = json.loads
        payload = ["facts"] + (["data"] if with_data else []) + (["dates"] if future_on else [])
        if by_id:
            self.order = BY_ID
        for row in self._query(worker, where, ", ".join(payload)):
            rel, ok, probs, fx = row[:4]
            problems = [_problem(d) for d in loads(probs)] if probs != "[]" else []
            if ok:
                warnings.extend(problems)
                if future_on:
                    warnings.extend(future_problems(rel, loads(row[-1]), future_on))
                yield IssueRecord(root / rel, rel, rel.split("/", 2)[1], from_facts(loads(fx)),  # type: ignore[arg-type]
                                  loads(row[4]) if with_data else {}, problems)
            else:
                errors.extend(p for p in problems if p.severity == "error")
                warnings.extend(p for p in problems if p.severity != "error")

    def texts(self, errors: list[Problem]) -> Iterator[str]:
        """Every readable issue's mapping as the JSON text the cache holds (`json.dumps` of `issue_json`,
        what `export` writes for it), in id order, without decoding it; the broken files' errors into
        `errors`."""
        self.order = BY_ID
        for _, data in self._readable(None, None, "data", errors):
            yield data

    def search(self, query: search.Query, worker: str | None,
               errors: list[Problem]) -> Iterator[tuple[str, dict[str, Any], str]]:
        """(worker folder, mapping, normalised words) of the issues whose searchable words hold every term —
        SQLite looks in the normalised words it keeps, so only the issues that match are decoded."""
        # one column: the mapping's JSON, a \x01 (JSON escapes it: never inside the text), the words
        for rel, value in self._readable(worker, query.sql(), "data || char(1) || words", errors):
            data, _, found = value.partition("\x01")
            yield rel.split("/", 2)[1], json.loads(data), found

    def read(self, worker: str | None = None, where: Where | None = None, with_data: bool = False) -> ReadResult:
        """All of `records` at once: the issues and every problem."""
        errors: list[Problem] = []
        warnings: list[Problem] = []
        with quiet_gc():
            issues = list(self.records(worker, where, errors, warnings, with_data))
        return ReadResult(issues, errors, warnings)

    def attention(self, worker: str | None, where: Where, partner_keys: tuple[str, ...] = ()
                  ) -> tuple[list[tuple[str, Any]], list[Problem]]:
        """Followup's view: (worker folder, followup.Attention) of the open issues that pass `where`, and
        the errors of every broken file. With a worker, also the other workers' open issues with an
        undone action that waits on her — restricted to those actions (`Attention.waiting_on`)."""
        out: list[tuple[str, Any]] = []
        errors: list[Problem] = []
        loads = json.loads
        also = None
        if worker:
            keys = tuple(partner_keys)
            waits = " OR ".join(["persons LIKE ?"] * (1 + len(keys)))
            also = (f"open = 1 AND ({waits})", (f"% {worker} %", *(f"% p:{k} %" for k in keys)))
        with quiet_gc():
            for rel, fu in self._readable(worker, where, "fu", errors, also):
                if fu is not None:
                    owner = rel.split("/", 2)[1]
                    a = Attention(*loads(fu))
                    out.append((owner, a if worker is None or owner == worker else a.waiting_on(worker, keys)))
        return out, errors

    def _readable(self, worker: str | None, where: Where | None, payload: str,
                  errors: list[Problem], also: Where | None = None) -> Iterator[tuple[str, Any]]:
        """(path, payload) of the rows of files that loaded; the errors of the others into `errors`."""
        for rel, ok, probs, value in self._query(worker, where, payload, also):
            if ok:
                yield rel, value
            else:
                errors.extend(p for p in (_problem(d) for d in json.loads(probs)) if p.severity == "error")

    # ---------------------------------------------------------- keeping it true
    def _query(self, worker: str | None, where: Where | None, payload: str,
               also: Where | None = None) -> Iterator[tuple[Any, ...]]:
        """Bring the cache up to date with the files, then stream (path, ok, problems, *payload) of the
        rows wanted, in path order: the worker's rows that pass `where`, and any loaded row that passes
        `also` (then every worker's files are brought up to date)."""
        try:
            conn, select, args = self._refresh(worker, where, payload, also=also)
        except sqlite3.OperationalError as e:
            if _busy(e):  # another command is writing it: read the files this time
                conn, select, args = self._refresh(worker, where, payload, use_db=False, also=also)
            else:
                conn, select, args = self._rebuild(worker, where, payload, also)
        except sqlite3.DatabaseError:
            conn, select, args = self._rebuild(worker, where, payload, also)
        return _stream(conn, select, args)

    def _rebuild(self, worker: str | None, where: Where | None, payload: str,
                 also: Where | None = None) -> tuple[Any, str, tuple[Any, ...]]:
        """A corrupt cache: remove it and build it again, silently; if that fails too, read without it."""
        with contextlib.suppress(OSError):
            self.path.unlink()
            for extra in ("-wal", "-shm"):
                Path(str(self.path) + extra).unlink(missing_ok=True)
        try:
            return self._refresh(worker, where, payload, also=also)
        except sqlite3.DatabaseError:
            return self._refresh(worker, where, payload, use_db=False, also=also)

    def _refresh(self, worker: str | None, where: Where | None, payload: str, use_db: bool = True,
                 also: Where | None = None) -> tuple[sqlite3.Connection, str, tuple[Any, ...]]:
        """Stat every file, re-read those whose stat key differs from the cache's and write their rows
        (in batches, so a first build never waits in memory whole); return the query that selects what
        was asked. When another command holds the cache, what this one read goes to a temporary table
        the query reads instead (the same SQL judges both, so a condition has one meaning)."""
        conn = self._connect(use_db)
        try:
            scope, scope_args = ("path LIKE ?", (f"{CASES}/{worker}/%",)) if worker else ("1", ())
            stat_scope, stat_args = ("1", ()) if also else (scope, scope_args)
            stat_worker = None if also else worker
            cached = {r[0]: r[1:] for r in conn.execute(
                f"SELECT path, size, mtime, ctime, ino FROM files WHERE {stat_scope}", stat_args)}
            unwritten: list[tuple[Any, ...]] = []  # read, and the cache was busy
            written = True
            with quiet_gc():
                files = self.ws.scan_issue_files(stat_worker, ordered=False,
                                                 parallel=len(cached) >= PARALLEL_SCAN_FROM)
                changed = [f for f in files if cached.pop(f[0], None) != f[1:5]]
                del files
                gone = list(cached)  # in the cache, no longer on disk
                del cached
                for batch in self._load_all(changed):
                    written = written and self._write(conn, batch, [])
                    if not written:
                        unwritten += batch
                written = written and self._write(conn, [], gone)
            cond, cond_args = where or ("1", ())
            cols = f"path, ok, problems, {payload}"
            wanted = f"{scope} AND (ok = 0 OR problems != '[]' OR ({cond}))"
            args = (*scope_args, *cond_args)
            if also:
                wanted = f"(({wanted}) OR (ok = 1 AND {also[0]}))"
                args = (*args, *also[1])
            if written:
                return conn, f"SELECT {cols} FROM files WHERE {wanted} ORDER BY {self.order}", args
            conn.execute(f"CREATE TEMP TABLE fresh ({COLUMNS})")
            conn.executemany(_INSERT.format(t="temp.fresh"), unwritten)
            conn.execute("CREATE TEMP TABLE skip (path TEXT PRIMARY KEY)")
            conn.executemany("INSERT OR IGNORE INTO temp.skip VALUES (?)", [(r[0],) for r in unwritten] +
                             [(p,) for p in gone])
            return conn, (f"SELECT {cols} FROM files WHERE {wanted} AND path NOT IN (SELECT path FROM temp.skip) "
                          f"UNION ALL SELECT {cols} FROM temp.fresh WHERE {wanted} ORDER BY {self.order}"), args + args
        except BaseException:
            conn.close()
            raise

    def _load_all(self, changed: list[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of the changed files, a batch at a time. Many files (a first build, a big pull) are
        read by one process per core; a few, or where processes cannot be forked, by this one."""
        batches = [changed[i:i + BATCH] for i in range(0, len(changed), BATCH)]
        cores = os.cpu_count() or 1
        if len(changed) >= PARALLEL_FROM and cores > 1 and sys.platform == "linux":
            import concurrent.futures
            import multiprocessing

            global _LOADER
            _LOADER = self
            try:
                ctx = multiprocessing.get_context("fork")
                readers = min(cores, 8)
                with concurrent.futures.ProcessPoolExecutor(readers, mp_context=ctx) as pool:
                    # a few batches in flight, not all: read rows wait here only until they are written
                    todo = iter(batches)
                    flight = collections.deque(pool.submit(load_batch, b) for b in itertools.islice(todo, 2 * readers))
                    while flight:
                        rows = flight.popleft().result()
                        for b in itertools.islice(todo, 1):
                            flight.append(pool.submit(load_batch, b))
                        yield rows
                return
            except (OSError, concurrent.futures.process.BrokenProcessPool):
                pass  # could not fork, or a reader died: read them all here (rewriting a row is harmless)
            finally:
                _LOADER = None
        for batch in batches:
            yield self._rows(batch)

    def _rows(self, batch: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """A batch of changed files, (rel, size, mtime, ctime, ino, path) → their cache rows."""
        rows = [(*f[:5], *self._load(Path(f[5]))) for f in batch]
        gc.collect(0)  # the parser's short-lived cycles (GC is paused for the bulk read)
        return rows

    @staticmethod
    def _write(conn: sqlite3.Connection, rows: list[tuple[Any, ...]], gone: list[str]) -> bool:
        """Write what was read; False when another command holds the cache (busy)."""
        try:
            with conn:
                conn.executemany(_INSERT.format(t="files"), rows)
                conn.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in gone])
        except sqlite3.OperationalError as e:
            if _busy(e):
                return False
            raise
        return True

    def _load(self, path: Path) -> tuple[Any, ...]:
        """Read one file the normal way; return what the cache keeps for it (the columns after ino)."""
        rel = self.ws.rel(path)
        doc, lines, issue, problems = load_issue(path, rel, future=False)
        if issue is None and not problems:
            problems = [Problem(rel, 1, "err.file.not_mapping")]
        return _columns(doc, lines, issue, problems)

    def written(self, path: Path, issue: Any, text: str) -> None:
        """The row of a file this command has just written from a validated issue: its text is read back
        by the fast reader (for the lines and the mapping in file order), never validated again."""
        if not self.path.exists():
            return
        try:
            st = path.stat()
            data, lines = yamlfast.load(text)
            rel = self.ws.rel(path)
            problems = unknown_key_problems(data, lines, rel)
            conn = self._connect()
            try:
                self._write(conn, [(rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino,
                                    *_columns(data, lines, issue, problems))], [])
            finally:
                conn.close()
        except (sqlite3.Error, OSError):
            return

    def forget(self, rels: list[str]) -> None:
        """Remove these files' rows for good (a purged family): overwritten on disk, not merely unlinked
        from the table, and the write-ahead log emptied, so nothing of them stays readable in the cache."""
        if not self.path.exists() or not rels:
            return
        conn = sqlite3.connect(self.path, timeout=5)
        try:
            conn.execute("PRAGMA secure_delete=ON")
            with conn:
                conn.executemany("DELETE FROM files WHERE path = ?", [(r,) for r in rels])
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("VACUUM")
        finally:
            conn.close()

    def fresh(self, path: Path, key: tuple[int, int, int, int] | None = None) -> dict[str, Any] | None:
        """The row of a valid file that is up to date (its stat key is `key`, or the file's now): the file's
        mapping and warnings — so `show` and `edit` need not validate the file (it was validated when
        cached). None when the cache has no such row."""
        if not self.path.exists():
            return None
        try:
            if key is None:
                st = path.stat()
                key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            conn = sqlite3.connect(self.path, timeout=1)
            try:
                if conn.execute("SELECT v FROM meta WHERE k='schema'").fetchone() != (SCHEMA,):
                    return None
                row = conn.execute("SELECT size, mtime, ctime, ino, ok, problems, data FROM files WHERE path = ?",
                                   (self.ws.rel(path),)).fetchone()
            finally:
                conn.close()
        except (sqlite3.Error, OSError):
            return None
        if row is None or tuple(row[:4]) != key or not row[4]:
            return None
        return {"data": json.loads(row[6]), "warnings": [_problem(d) for d in json.loads(row[5])]}

def _columns(doc: Any, lines: Any, issue: Any, problems: list[Problem]) -> tuple[Any, ...]:
    """The cache's columns after ino for one file."""
    probs = json.dumps([_problem_json(p) for p in problems], ensure_ascii=False, default=str)
    if issue is None:
        return 0, 0, None, None, None, None, None, "", None, probs, "[]", None, None, "", None, 0, 0
    dates = dated_fields(issue, lines)
    fx = json.dumps(facts(issue), ensure_ascii=False, default=str)
    mapping = issue_json(doc)
    data = json.dumps(mapping, ensure_ascii=False)
    found = search.words(mapping)
    if not issue.is_open:
        return 1, 0, None, None, None, None, None, fx, None, probs, json.dumps(dates), data, found, "", None, 0, 0
    a = attention(issue)
    # who the open work waits on: workers named by undone actions, partners of open referrals (" noa p:clinic ")
    persons = {p for _, _, p in a.actions if p} | {f"p:{r[0]}" for r in a.referrals}
    return (1, 1, min((d for _, d in a.clocks), default=None), min((d for _, d in a.refusals), default=None),
            min((d for _, d, _ in a.actions), default=None), a.next_followup, a.last,
            fx, json.dumps(a, ensure_ascii=False), probs, json.dumps(dates), data, found,
            f" {' '.join(sorted(persons))} " if persons else "",
            min((r[1] for r in a.referrals if r[1] is not None), default=None), int(a.feedback is not None),
            int(bool(a.needs)))
