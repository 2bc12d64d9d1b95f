"""The workspace on disk: discovery, settings, paths, ids, locks, git.

Reads go through `read_issues` / `get_issue` (the index cache answers when it can); writes go
through `edit` (the one typed edit path, case/file.py), `create_issue` and `write_family`, which
hold a per-file lock, validate, write atomically (temp file, fsync, rename; 0600 files, 0700
folders) and commit to git with a message that names ids only.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zchuyot.case import file as casefile
from zchuyot.case.file import (
    CASES,
    FAMILY_FILE,
    IssueRecord,
    ReadResult,
    WriteResult,
    load_family,
    load_issue,
    load_yaml_file,
    make_private_dirs,
    quiet_gc,
    read_text,
    write_atomic,
)
from zchuyot.case.form import ID_RE, ID_SUFFIX_ALPHABET, ID_SUFFIX_LEN, SLUG_RE
from zchuyot.case.validate import Problem
from zchuyot.errors import DataError, InputError, NotFound, WorkspaceError
from zchuyot.workspace import gitio, signing
from zchuyot.workspace.config import user_config_dir

SETTINGS_FILE = ".zchuyot.yaml"
LOCAL_DIR = ".zchuyot"
ACCESS_LOG, ACCESS_HEAD = "access.log", "access.head"  # in LOCAL_DIR: never synced
GENESIS = "0" * 64  # the `prev` of the access log's first chained line


def _lock_fd(fd: int) -> None:
    """An exclusive lock on an open file (released when it is closed); none where the system has no flock."""
    try:
        import fcntl
    except ImportError:  # Windows: appends are atomic enough for one worker's computer
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
DEFAULT_SETTINGS: dict[str, Any] = {
    "department": "",
    "stale_after": 5,
    "refusal_grace": 3,
    "deadline_warning": 14,
    "calendar": "israel",
    "retention_years": 7,
}
# the settings that are numbers, and the range each may take (README); a value outside it is an error that
# `check` names at its line, and every other command works on with the default meanwhile
SETTING_RANGES: dict[str, tuple[int, int]] = {
    "stale_after": (1, 3650), "refusal_grace": (0, 3650), "deadline_warning": (0, 3650), "retention_years": (1, 100),
}


def settings_out_of_range(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """The number settings whose value is not a whole number in its range: (key, value)."""
    out = []
    for key, (lo, hi) in SETTING_RANGES.items():
        if key in data:
            v = data[key]
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                out.append((key, v))
    return out


def _settings(loaded: Any) -> dict[str, Any]:
    """The settings as commands use them: the defaults, the file's values, a number out of range replaced by
    its default (never a crash in `followup` for `stale_after: 10**400`)."""
    settings = dict(DEFAULT_SETTINGS)
    if isinstance(loaded, dict):
        settings.update(loaded)
        for key, _ in settings_out_of_range(loaded):
            settings[key] = DEFAULT_SETTINGS[key]
    return settings


PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SOURCE_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
LOCK_TIMEOUT = 30.0


def check_slug(value: str, what: str) -> str:
    if not SLUG_RE.match(value or ""):
        from zchuyot.text.labels import t

        raise InputError("err.bad_slug", value=value, what=t(f"err.what.{what}"))
    return value


def template_path(name: str, root: Path | None = None) -> Path:
    """A template: the workspace's own `templates/` first, then the shipped ones."""
    for base in ([root / "templates"] if root else []) + [PACKAGE_TEMPLATES, SOURCE_TEMPLATES]:
        p = base / name
        if p.is_file():
            return p
    raise WorkspaceError("err.file.read", why=f"template {name} not found")


def _entry_name(e: os.DirEntry[str]) -> str:
    return e.name


def scan_worker_folder(folder: tuple[str, str, bool]) -> list[tuple[str, int, int, int, int, str]]:
    """The issue files of one worker's folder (see Workspace.scan_issue_files)."""
    path, name, ordered = folder
    out: list[tuple[str, int, int, int, int, str]] = []
    by_name = _entry_name if ordered else None
    base = f"{CASES}/{name}/"
    for fd in (sorted(os.scandir(path), key=by_name) if by_name else os.scandir(path)):
        if fd.name.startswith(".") or not fd.is_dir(follow_symlinks=False):
            continue
        prefix = f"{base}{fd.name}/"
        for f in (sorted(os.scandir(fd.path), key=by_name) if by_name else os.scandir(fd.path)):
            name = f.name
            # anything named like an issue is listed — a link or a FIFO too, so that reading it reports it
            if name.endswith(".yaml") and name != FAMILY_FILE and not name.startswith(".") \
                    and not f.is_dir(follow_symlinks=False):
                st = f.stat(follow_symlinks=False)
                out.append((prefix + name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, f.path))
    return out


# ------------------------------------------------------------------ settings, read once per change
PARSED = f"{LOCAL_DIR}/parsed.json"  # the settings and this computer's worker, as last parsed


def _small_file(root: Path, rel: str) -> Any:
    """A small YAML file of the workspace (the settings, local.yaml) as plain data. What was parsed is kept
    in `.zchuyot/parsed.json` keyed by the file's size, mtime, ctime and inode, so a command whose only
    YAML is its settings never loads a YAML parser; any change to the file is read again."""
    import json

    path = root / rel
    st = path.stat()
    key = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    store = root / PARSED
    kept: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        kept = json.loads(store.read_text(encoding="utf-8"))
        if isinstance(kept, dict) and isinstance(kept.get(rel), dict) and kept[rel].get("key") == key:
            return kept[rel]["data"]
    data = load_yaml_file(path)
    if store.parent.is_dir():
        with contextlib.suppress(OSError, TypeError, ValueError):
            kept = kept if isinstance(kept, dict) else {}
            kept[rel] = {"key": key, "data": data}
            write_atomic(store, json.dumps(kept, ensure_ascii=False))
    return data


# ------------------------------------------------------------------ the workspace
_HELD: dict[str, int] = {}  # the workspace locks this process holds (a lock's path → how deep)


@dataclass
class Workspace:
    root: Path
    settings: dict[str, Any]
    worker: str | None
    use_cache: bool = True  # the index cache for bulk reads (--no-cache / ZCHUYOT_NO_CACHE=1 turn it off)
    # personal data typed into an issue's free text (case/file.py): kept knowingly (--keep-personal-data), or
    # decided by the worker in a terminal (`on_personal_data`, set by the command line), else refused
    keep_personal_data: bool = False
    on_personal_data: Any = None

    def __post_init__(self) -> None:
        # every commit this process makes is signed by the worker it runs as (where this computer holds her key)
        gitio.SIGN_ENV.clear()
        gitio.SIGN_ENV.update(signing.git_env(self.worker))

    def personal_data(self, found: list[Any]) -> tuple[dict[str, str], list[Any]]:
        """What to do with the phones, IDs and e-mails typed into an issue: ({text: fixed text}, what was
        taken out for the family record). Refused (InputError, nothing written) unless kept or decided."""
        if self.keep_personal_data:
            return {}, []
        if self.on_personal_data is not None:
            return self.on_personal_data(found)
        from zchuyot.text.labels import t

        kinds = ", ".join(dict.fromkeys(t(f"pii.kind.{x.kind}") for x in found))
        raise InputError("err.personal_data", kinds=kinds)

    @property
    def roster(self) -> Any:
        """Who is in the department, her role, whether she is an admin, her bound keys (trust.Roster)."""
        from zchuyot.workspace.trust import Roster

        return Roster.from_settings(self.settings)

    @property
    def signed(self) -> bool:
        """The department verifies who wrote what (its roster has an admin with a signing key)."""
        return self.roster.signed

    # ---------------------------------------------------------- discovery
    @classmethod
    def find(cls, root: str | None = None, worker: str | None = None) -> Workspace:
        """--root > ZCHUYOT_ROOT > nearest ancestor with .zchuyot.yaml > the user's default."""
        chosen = root or os.environ.get("ZCHUYOT_ROOT")
        if chosen:
            base = Path(chosen).expanduser().resolve()
            if not (base / SETTINGS_FILE).is_file():
                raise WorkspaceError("err.root_missing", path=str(base))
        else:
            base = None
            p = Path.cwd().resolve()
            for cand in (p, *p.parents):
                if (cand / SETTINGS_FILE).is_file():
                    base = cand
                    break
            if base is None:
                base = cls._default_root()
            if base is None:
                raise WorkspaceError("err.no_workspace")
        try:
            loaded = _small_file(base, SETTINGS_FILE)
        except DataError as e:
            e.file = SETTINGS_FILE
            why = e.render().rstrip(".") + "."
            raise DataError("err.settings_broken", file=SETTINGS_FILE, line=e.line, why=why) from None
        settings = _settings(loaded)
        w = worker or os.environ.get("ZCHUYOT_WORKER") or cls._local_worker(base)
        if w:
            check_slug(w, "worker")
        no_cache = os.environ.get("ZCHUYOT_NO_CACHE", "").lower() in ("1", "true", "yes")
        return cls(base, settings, w or None, use_cache=not no_cache)

    @staticmethod
    def _default_root() -> Path | None:
        cfg = user_config_dir() / "config.yaml"
        if cfg.is_file():
            with contextlib.suppress(DataError):
                data = load_yaml_file(cfg)
                if isinstance(data, dict) and data.get("root"):
                    p = Path(str(data["root"])).expanduser()
                    if (p / SETTINGS_FILE).is_file():
                        return p.resolve()
        return None

    @staticmethod
    def _local_worker(root: Path) -> str | None:
        p = root / LOCAL_DIR / "local.yaml"
        if p.is_file():
            with contextlib.suppress(DataError):
                data = _small_file(root, f"{LOCAL_DIR}/local.yaml")
                if isinstance(data, dict) and data.get("worker"):
                    return str(data["worker"])
        return None

    def make_private(self, git_only: bool = False) -> list[str]:
        """Every folder under cases/ 0700 and every file 0600 (what git creates follows the umask).
        Returns what it changed."""
        changed = []
        git_dir = self.root / ".git"
        if git_dir.is_dir() and not git_dir.is_symlink():  # history, the list of cases, a remote's password
            for p, want in ((git_dir, 0o700), (git_dir / "config", 0o600)):
                with contextlib.suppress(OSError):
                    if p.exists() and (p.stat().st_mode & 0o777) != want:
                        os.chmod(p, want)
        if git_only or not self.cases.is_dir():
            return changed
        for d, dirs, files in os.walk(self.cases):
            for name, want in [*((x, 0o700) for x in dirs), *((x, 0o600) for x in files)]:
                p = os.path.join(d, name)
                try:
                    st = os.lstat(p)
                    if not os.path.islink(p) and (st.st_mode & 0o777) != want:
                        os.chmod(p, want)
                        changed.append(p)
                except OSError:
                    continue
        os.chmod(self.cases, 0o700)
        return changed

    def require_worker(self, pending_ok: bool = False) -> str:
        """The worker this command runs as, who must be able to sign what it writes: in a department that
        verifies, a worker whose key this computer does not hold is refused at once ("this computer is not
        X's"), and a member not yet approved may only publish her keys (`pending_ok`)."""
        if not self.worker:
            raise WorkspaceError("err.no_worker")
        worker = self.check_worker(self.worker)
        roster = self.roster
        if roster.signed:
            member = roster.members.get(worker)
            if member is not None and member.approved:
                if signing.public_key(worker) != signing.normalize(member.signing or ""):
                    raise WorkspaceError("err.not_this_computer", worker=worker)
            elif member is not None and member.removed:
                raise WorkspaceError("err.removed_member", worker=worker)
            elif not pending_ok:
                raise WorkspaceError("err.pending_approval", worker=worker)
        return worker

    def log_access(self, action: str, target: str, family: str | None = None) -> None:
        """Append who viewed, decrypted — or was refused — what to `.zchuyot/access.log` on this computer, for
        the department's security officer. Each line carries the SHA-256 of the line before it (`prev`) and
        `access.head` the last line's hash and the log's size, so an edited, removed or cut line is found by
        `check` (access_log_problems). Appends are serialised with a lock on the file. Never raises: a full
        disk must not stop a worker reading a case."""
        import datetime as dt
        import hashlib
        import json

        entry = {"time": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                 "worker": self.worker or os.environ.get("USER") or "?", "action": action, "target": target}
        if family:
            entry["family"] = family
        try:
            fd = os.open(self.local_dir / ACCESS_LOG, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                _lock_fd(fd)
                size = os.fstat(fd).st_size
                os.lseek(fd, max(0, size - 8192), os.SEEK_SET)
                tail = os.read(fd, 8192).splitlines()
                entry["prev"] = hashlib.sha256(tail[-1] + b"\n").hexdigest() if tail else GENESIS
                line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
                os.write(fd, line)
                write_atomic(self.local_dir / ACCESS_HEAD, json.dumps(
                    {"size": size + len(line), "last": hashlib.sha256(line).hexdigest()}))
            finally:
                os.close(fd)
        except OSError:
            pass

    def access_log_problems(self) -> list[tuple[int, str]]:
        """(line, what) for each place the access log was changed since it was written: a line whose `prev`
        is not the hash of the line before it (edited or removed), or an end that is not the one recorded
        (cut, or lines added by hand). Lines from before the log was chained (no `prev`) are accepted only at
        its start."""
        import hashlib
        import json

        path = self.local_dir / ACCESS_LOG
        if not path.is_file():
            return []
        data = path.read_bytes()
        lines = data.splitlines(keepends=True)
        out: list[tuple[int, str]] = []
        before, chained = GENESIS, False
        for n, raw in enumerate(lines, 1):
            try:
                prev = json.loads(raw).get("prev")
            except (ValueError, AttributeError):
                prev = "?"
            if prev is None and not chained:
                before = hashlib.sha256(raw).hexdigest()
                continue
            if prev != before and not (not chained and prev == GENESIS):
                out.append((n, "chain"))
            chained = True
            before = hashlib.sha256(raw).hexdigest()
        try:
            head = json.loads((self.local_dir / ACCESS_HEAD).read_text())
        except (OSError, ValueError):
            head = None
        if chained and (not isinstance(head, dict) or head.get("size") != len(data) or head.get("last") != before):
            out.append((len(lines), "end"))
        return out

    def reload_settings(self) -> None:
        """Read the settings again (after a sync changed them)."""
        self.settings = _settings(_small_file(self.root, SETTINGS_FILE))

    def check_worker(self, worker: str) -> str:
        """A worker code the department's settings list (`init` and `worker add` list them); a typo such as
        `nobody` would open `nobody-…` issues that no one's followup shows."""
        import difflib

        workers = self.settings.get("workers")
        if isinstance(workers, dict) and worker not in workers:
            near = difflib.get_close_matches(worker, [str(w) for w in workers], n=3, cutoff=0.5)
            raise WorkspaceError("err.unknown_worker_near" if near else "err.unknown_worker", value=worker,
                                 near=", ".join(near), known=", ".join(str(w) for w in workers))
        return worker

    def workers_of_role(self, role: str) -> list[str]:
        """The codes of the department's workers of `role` (rights, volunteer…), in the settings' order."""
        workers = self.settings.get("workers")
        if not isinstance(workers, dict):
            return []
        return [str(w) for w, info in workers.items() if isinstance(info, dict) and info.get("role") == role]

    def worker_info(self, worker: str | None = None) -> dict[str, Any]:
        w = worker or self.worker or ""
        info = (self.settings.get("workers") or {}).get(w) or {}
        return {"name": info.get("name") or w, "role": info.get("role") or "family"}

    # ---------------------------------------------------------- paths
    @property
    def cases(self) -> Path:
        return self.root / CASES

    @property
    def local_dir(self) -> Path:
        d = self.root / LOCAL_DIR
        if not d.is_dir():
            make_private_dirs(d, self.root)
        return d

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def scan_issue_files(self, worker: str | None = None, ordered: bool = True,
                         parallel: bool = False) -> list[tuple[str, int, int, int, int, str]]:
        """Every issue file (cases/<worker>/<family>/<id>.yaml, never a temp file or family.yaml), sorted
        unless `ordered` is False, as (relative path, size, mtime_ns, ctime_ns, inode, path). mtime, ctime
        and inode together tell the index cache whether a file changed, even by a same-size edit within
        one mtime tick. `parallel`: the workers' folders are listed by one forked process per core (for
        tens of thousands of files, where listing the folders is most of a warm command's time)."""
        if not self.cases.is_dir():
            return []
        workers = [self.cases / worker] if worker else sorted(self.cases.iterdir())
        folders = [(str(wd), wd.name, ordered) for wd in workers if not wd.name.startswith(".") and wd.is_dir()]
        cores = os.cpu_count() or 1
        if parallel and len(folders) > 1 and cores > 1 and sys.platform == "linux":
            import concurrent.futures
            import multiprocessing

            try:
                ctx = multiprocessing.get_context("fork")
                with concurrent.futures.ProcessPoolExecutor(min(cores, 4), mp_context=ctx) as pool:
                    parts = list(pool.map(scan_worker_folder, folders, chunksize=max(1, len(folders) // 16)))
                return [f for part in parts for f in part]
            except (OSError, concurrent.futures.process.BrokenProcessPool):
                pass  # could not fork: list them here
        return [f for folder in folders for f in scan_worker_folder(folder)]

    def issue_files(self, worker: str | None = None) -> list[Path]:
        """Every issue file, sorted (see scan_issue_files)."""
        return [Path(t[5]) for t in self.scan_issue_files(worker)]

    def family_dirs(self, family: str) -> list[Path]:
        return sorted(p for p in self.cases.glob(f"*/{family}") if p.is_dir()) if self.cases.is_dir() else []

    def family_known(self, family: str) -> bool:
        """Whether the family has a record (family.yaml) in some worker's folder (one stat per worker)."""
        return self.cases.is_dir() and any((w / family / FAMILY_FILE).is_file() for w in self.cases.iterdir())

    def known_families(self) -> list[str]:
        """The codes of the families that have a record (family.yaml) in some worker's folder."""
        if not self.cases.is_dir():
            return []
        return sorted({p.parent.name for p in self.cases.glob(f"*/*/{FAMILY_FILE}")})

    def completions(self, what: str, prefix: str, most: int = 200) -> list[str]:
        """What the shell may complete `prefix` to: issue ids ("id": this worker's first), family codes
        ("family") or worker codes ("worker") that start with it."""
        if what in ("partner", "body"):  # the directory's keys
            from zchuyot.case.file import parse_file

            own = self.root / "directory" / f"{what}s.yaml"
            data = parse_file(own if own.is_file() else template_path(f"{what}s.yaml", self.root))[0] or []
            return [str(e["key"]) for e in data if isinstance(e, dict) and str(e.get("key", "")).startswith(prefix)]
        if not self.cases.is_dir():
            return []
        workers = sorted(e.name for e in os.scandir(self.cases) if e.is_dir() and not e.name.startswith("."))
        if what == "worker":
            return [w for w in workers if w.startswith(prefix)]
        if what == "family":
            codes = {e.name for w in workers for e in os.scandir(self.cases / w)
                     if e.is_dir() and not e.name.startswith(".") and e.name.startswith(prefix)}
            return sorted(codes)[:most]
        mine = [self.worker] if self.worker in workers and not prefix else []
        found: list[str] = []
        for w in mine + [w for w in workers if w not in mine]:
            found += sorted(f[0].rsplit("/", 1)[1][:-5] for f in self.scan_issue_files(w, ordered=False))
            found = [i for i in found if i.startswith(prefix)]
            if len(found) >= most:
                break
        return found[:most]

    # ---------------------------------------------------------- ids
    def resolve_id(self, text: str) -> Path:
        """The file of an issue, by full id (dana-k7m3p) or by its unambiguous short form (k7m3p)."""
        s = (text or "").strip().lower()
        if not s or "/" in s or "\\" in s or s.startswith(".") or not all(c.isalnum() or c in "-_" for c in s):
            raise InputError("err.bad_id_arg", value=text)
        if not self.cases.is_dir():
            raise NotFound("err.unknown_id", value=text)
        if ID_RE.match(s):
            # an issue stays in the folder of the worker who opened it: look there first
            hits = sorted((self.cases / s.rsplit("-", 1)[0]).glob(f"*/{s}.yaml"))
            hits = hits or sorted(self.cases.glob(f"*/*/{s}.yaml"))
        else:
            hits = sorted(self.cases.glob(f"*/*/*-{s}.yaml")) if len(s) >= 3 else []
            hits = [h for h in hits if ID_RE.match(h.stem)]
        if not hits:
            raise NotFound("err.unknown_id", value=text)
        ids = sorted({h.stem for h in hits})
        if len(ids) > 1:
            raise InputError("err.ambiguous_id", value=text, matches=", ".join(ids))
        return hits[0]

    def new_id(self, worker: str) -> str:
        """`<worker>-<5 random letters/digits>`: unique without asking anyone (28 million per worker)."""
        import secrets

        for _ in range(100):
            suffix = "".join(secrets.choice(ID_SUFFIX_ALPHABET) for _ in range(ID_SUFFIX_LEN))
            cand = f"{worker}-{suffix}"
            # ids start with the worker's code, so only this worker's folder can hold the same one
            if not any((self.cases / worker).glob(f"*/{cand}.yaml")):
                return cand
        raise WorkspaceError("err.internal", what="id space")

    # ---------------------------------------------------------- locks
    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:
        from filelock import FileLock, Timeout

        d = self.local_dir / "locks"
        if not d.is_dir():
            make_private_dirs(d, self.root)
        path = str(d / f"{name}.lock")
        if _HELD.get(path):  # this process holds it already (sync's own commits): re-entered, not waited for
            _HELD[path] += 1
            try:
                yield
            finally:
                _HELD[path] -= 1
            return
        lk = FileLock(path, timeout=LOCK_TIMEOUT)
        try:
            with lk:
                _HELD[path] = 1
                try:
                    yield
                finally:
                    _HELD.pop(path, None)
        except Timeout:
            raise WorkspaceError("err.locked", file=name, seconds=int(LOCK_TIMEOUT)) from None

    # ---------------------------------------------------------- reading
    def load_issue(self, path: Path, text: str | None = None, future: bool = True) -> tuple[
            Any, Any, Any, list[Problem]]:
        """(plain data, the line of every key, the model or None, every problem) of one issue file."""
        return load_issue(path, self.rel(path), text, future)

    def read_issues(self, worker: str | None = None, with_data: bool = False,
                    where: tuple[str, tuple[Any, ...]] | None = None) -> ReadResult:
        """Every issue (of one worker, or all): the good ones, and every problem — none skipped.

        The issues come as light views from the index cache, which re-reads only the files that changed;
        `with_data` adds each file's own mapping (for --json and export), kept in the cache too.
        `where` (an SQL condition on the cache's columns, see case/cache.py) lets the cache skip issues the
        caller would skip anyway; it must be a necessary condition, never the caller's only filter —
        without the cache every issue is returned."""
        if self.use_cache:
            return self.cache().read(worker, where=where, with_data=with_data)
        issues: list[IssueRecord] = []
        errors: list[Problem] = []
        warnings: list[Problem] = []
        with quiet_gc():
            for rec, errs, warns in self.each_issue(worker, with_data):
                warnings.extend(warns)
                if rec is None:
                    errors.extend(errs)
                else:
                    issues.append(rec)
        return ReadResult(issues, errors, warnings)

    def cache(self) -> Any:
        """The index cache of this workspace (case/cache.py)."""
        from zchuyot.case.cache import Index

        return Index(self)

    def stream_issues(self, worker: str | None = None) -> tuple[Iterator[IssueRecord], list[Problem]]:
        """The issues one at a time — light views from the index cache, or validated files without
        it — and the list their errors go into (whole once the iterator is used up). For commands that
        only count (report, policy): a district's 100,000 issues are never all in memory."""
        errors: list[Problem] = []
        if self.use_cache:
            return self.cache().records(worker, errors=errors), errors

        def files() -> Iterator[IssueRecord]:
            for rec, errs, _ in self.each_issue(worker):
                if rec is None:
                    errors.extend(errs)
                else:
                    yield rec

        return files(), errors

    def each_issue(self, worker: str | None = None, with_data: bool = False) -> Iterator[
            tuple[IssueRecord | None, list[Problem], list[Problem]]]:
        """Every issue file read and validated, one at a time: (record or None, errors, warnings).
        A caller that keeps only a little of each (followup without the cache) stays small."""
        import gc

        for n, path in enumerate(self.issue_files(worker), 1):
            if n % 200 == 0:
                gc.collect(0)  # free the parser's short-lived cycles; what we keep moves on untouched
            doc, _, issue, problems = self.load_issue(path)
            errs = [p for p in problems if p.severity == "error"]
            warns = [p for p in problems if p.severity != "error"]
            if issue is None:
                yield None, errs or [Problem(self.rel(path), 1, "err.file.not_mapping")], warns
            else:
                yield (IssueRecord(path, self.rel(path), path.parent.parent.name, issue,
                                   doc if with_data else {}, warns), [], warns)

    def get_issue(self, text: str, typed: bool = True) -> IssueRecord:
        """One issue by id. `typed=False` (show): when the cache's row of the file is up to date, the
        record is a light view of the cached mapping — no reading, parsing or pydantic."""
        path = self.resolve_id(text)
        if not typed and self.use_cache:
            from zchuyot.case.views import light

            row = self.cache().fresh(path)
            if row is not None:
                return IssueRecord(path, self.rel(path), path.parent.parent.name, light(row["data"]), row["data"],
                                   row["warnings"])
        doc, _, issue, problems = self.load_issue(path)
        if issue is None:
            raise casefile.first_error(problems, path.stem)
        return IssueRecord(path, self.rel(path), path.parent.parent.name, issue, doc,
                           [p for p in problems if p.severity != "error"])

    # ---------------------------------------------------------- writing
    def commit(self, paths: list[Path], message: str, result: WriteResult, tracked: bool = False) -> None:
        """Commit these files (when the workspace is a git repository). A change that could not be committed
        is saved, and said as an error (never exit 0): `zchuyot sync` commits it later."""
        if not gitio.is_repo(self.root):
            return
        try:
            with self.lock("git"):
                gitio.clear_stale_index_lock(self.root)
                gitio.commit(self.root, paths, message, self.worker, tracked=tracked)
        except WorkspaceError as e:
            raise WorkspaceError("err.not_committed", what=result.id or ", ".join(p.name for p in paths),
                                 why=e.render()) from None

    def cache_fresh(self, path: Path, key: tuple[int, int, int, int]) -> dict[str, Any] | None:
        """The validated mapping the index cache holds for this file at this stat key, if any."""
        if not self.use_cache:
            return None
        row = self.cache().fresh(path, key)
        return row["data"] if row is not None else None

    def cache_written(self, path: Path, issue: Any, text: str) -> None:
        """Tell the index cache about a file just written, so the next read command re-reads nothing.
        Best effort: if it cannot, that command re-reads it (the stat keys differ)."""
        if self.use_cache:
            self.cache().written(path, issue, text)

    def create_issue(self, worker: str, family: str, values: dict[str, Any], message: str) -> WriteResult:
        """A new issue of this worker's family from the form's template (case/file.py `create`)."""
        check_slug(worker, "worker")
        check_slug(family, "family")
        new_id = self.new_id(worker)
        path = self.cases / worker / family / f"{new_id}.yaml"
        return casefile.create(self, path, template_path("case.yaml", self.root),
                               {"id": new_id, "family": family, **values}, message)

    def edit(self, text_id: str, why: str, commit: bool = True) -> Edit:
        """The one edit path: `with ws.edit(id, "zchuyot treat: {id}") as issue:` hands the command a typed
        Issue; on exit the change is written, cached and committed (case/file.py `edit`). What was
        written is the edit's `result`."""
        return Edit(self, text_id, why, commit)

    def commit_paths(self, paths: list[Path], message: str) -> WriteResult:
        """One commit for a change that touched several files (e.g. the family's new order)."""
        result = WriteResult("", self.root)
        self.commit(paths, message, result)
        return result

    def template_data(self, name: str) -> Any:
        """A knowledge file from templates/ (the workspace's own first), as plain data."""
        path = template_path(name, self.root)
        try:
            return load_yaml_file(path)
        except DataError as e:
            raise DataError("err.template", file=self.rel(path), line=e.line, name=name, why=e.render()) from None

    def family_path(self, family: str, worker: str) -> Path:
        """Where a family's record is: where it already exists, else in this worker's folder."""
        check_slug(family, "family")
        for d in self.family_dirs(family):
            if (d / FAMILY_FILE).is_file():
                return d / FAMILY_FILE
        return self.cases / worker / family / FAMILY_FILE

    def write_family(self, family: str, worker: str, values: Any,
                     message: str = "zchuyot family: record updated", sealer: Any = None,
                     commit: bool = True) -> WriteResult:
        return casefile.save_family(self, self.family_path(family, worker), template_path(FAMILY_FILE, self.root),
                                    family, values, message, sealer, commit)

    def read_family(self, family: str) -> Any:
        """The family's record (a validated model), or None when it has none or it is broken."""
        for d in self.family_dirs(family):
            p = d / FAMILY_FILE
            if p.is_file():
                return load_family(p, self.rel(p), family)[0]
        return None


class Edit:
    """A context manager over one issue's read-modify-write; `result` says what was written."""

    def __init__(self, ws: Workspace, text_id: str, why: str, commit: bool) -> None:
        self.result = WriteResult("", ws.root)
        self._cm = casefile.edit(ws, ws.resolve_id(text_id), why, self.result, commit)

    def __enter__(self) -> Any:
        return self._cm.__enter__()

    def __exit__(self, *exc: Any) -> bool | None:
        return self._cm.__exit__(*exc)


# ------------------------------------------------------------------ creating a workspace
GITIGNORE = """# zchuyot: machine-local files (this computer's worker, locks, caches)
.zchuyot/
# temp files of an interrupted write
.*.tmp
# the families' wrapped keys travel in refs/zchuyot/keys, without history (keystore.py)
keys/families/
"""
GITATTRIBUTES = """# zchuyot: issue files are merged field by field, never with conflict markers
cases/**/*.yaml merge=zchuyot
.zchuyot.yaml merge=zchuyot
directory/*.yaml merge=zchuyot
"""


# the department's directory (directory.py): its files and the shipped starters they are made from
DIRECTORY_STARTERS = {"directory/bodies.yaml": "bodies.yaml", "directory/partners.yaml": "partners.yaml"}


def directory_starters(root: Path) -> list[Path]:
    """`init`: the directory's files from the shipped starters (only those the workspace has not yet)."""
    made = []
    for rel, starter in DIRECTORY_STARTERS.items():
        p = root / rel
        if not p.exists():
            make_private_dirs(p.parent, root)
            write_atomic(p, read_text(template_path(starter, root)))
            made.append(p)
    return made


def directory_source(root: Path, rel: str) -> Path:
    """A directory file of the workspace, or the shipped starter while the workspace has none."""
    p = root / rel
    return p if p.is_file() else template_path(DIRECTORY_STARTERS[rel], root)


def directory_entries(root: Path, rel: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, mapping) of each entry of a directory file; a broken file is one error naming its line."""
    from zchuyot.case import yamlfast

    src = directory_source(root, rel)
    shown = rel if src == root / rel else f"templates/{DIRECTORY_STARTERS[rel]}"
    try:
        data, lines = yamlfast.load(read_text(src))
    except DataError as e:
        raise DataError("err.directory_broken", file=shown, line=e.line, why=e.render()) from None
    if data is None:
        return
    if not isinstance(data, list):
        raise DataError("err.directory_broken", file=shown, line=1, why="a list of entries")
    for n, item in enumerate(data):
        line = lines.get((n,), (1, 0))[0]
        if not isinstance(item, dict) or not item.get("key") or not item.get("name"):
            raise DataError("err.directory_broken", file=shown, line=line, why="every entry needs key and name")
        yield line, item


def set_setting(root: Path, key: str, value: Any) -> bool:
    """One key of the department's settings set (the file's comments kept); False if it already had it."""
    from zchuyot.case import yamlio

    doc = yamlio.parse(read_text(root / SETTINGS_FILE))
    if not isinstance(doc, dict):
        raise DataError("err.settings_broken", file=SETTINGS_FILE, line=1, why="")
    if doc.get(key) == value:
        return False
    yamlio.set_key(doc, key, value)
    write_atomic(root / SETTINGS_FILE, yamlio.dump(doc))
    os.chmod(root / SETTINGS_FILE, 0o644)
    return True


def add_worker(root: Path, worker: str, name: str | None, role: str | None) -> bool:
    """The worker listed in the department's settings (name, role), the file's comments kept; False if it
    was already there."""
    from zchuyot.workspace.trust import Roster

    if worker in Roster.from_text(read_text(root / SETTINGS_FILE)).members:
        return False
    return set_worker(root, worker, {"name": name or worker, "role": role or "family"})


def set_worker(root: Path, worker: str, values: dict[str, Any]) -> bool:
    """The worker's roster entry given these values (comments kept). False when nothing changed."""
    from ruamel.yaml.comments import CommentedMap

    from zchuyot.case import yamlio

    doc = yamlio.parse(read_text(root / SETTINGS_FILE))
    if not isinstance(doc, dict):
        raise DataError("err.settings_broken", file=SETTINGS_FILE, line=1, why="")
    if not isinstance(doc.get("workers"), dict):
        yamlio.set_key(doc, "workers", CommentedMap())
    entry = doc["workers"].get(worker)
    if not isinstance(entry, dict):
        entry = CommentedMap()
        doc["workers"][worker] = entry
    changed = False
    for k, v in values.items():
        if v is None:
            if k in entry:
                del entry[k]
                changed = True
        elif entry.get(k) != v:
            entry[k] = v
            changed = True
    if changed:
        write_atomic(root / SETTINGS_FILE, yamlio.dump(doc))
        os.chmod(root / SETTINGS_FILE, 0o644)
    return changed


def check_file(ws: Workspace, path: Path) -> list[Problem]:
    """Every problem of one file the department syncs (errors and warnings), validated as what it is: an
    issue or a family record under cases/, the settings, a directory file, any other YAML (events, templates,
    purge records) as YAML that reads."""
    rel = ws.rel(path)
    inside_cases = rel.startswith(CASES + "/")
    if path.name == FAMILY_FILE and inside_cases:
        return casefile.load_family(path, rel, path.parent.name)[1]
    if rel.startswith("directory/") and rel in DIRECTORY_STARTERS:
        try:
            for _ in directory_entries(ws.root, rel):
                pass
        except DataError as e:
            return [casefile.problem_of(e, rel)]
        return []
    if not inside_cases and path.resolve() != (ws.root / SETTINGS_FILE).resolve():
        try:
            casefile.load_yaml_file(path)
        except DataError as e:
            return [casefile.problem_of(e, rel)]
        return []
    if path.resolve() == (ws.root / SETTINGS_FILE).resolve():
        try:
            data = casefile.load_yaml_file(path)
        except DataError as e:
            return [casefile.problem_of(e, ws.rel(path))]
        if not isinstance(data, dict):
            return [Problem(ws.rel(path), 1, "err.file.not_mapping")]
        lines = read_text(path).splitlines()
        return [Problem(ws.rel(path), next((n for n, ln in enumerate(lines, 1) if ln.startswith(f"{key}:")), 1),
                        "err.file.setting_range", {"key": key, "value": str(value)[:40],
                                                   "lo": SETTING_RANGES[key][0], "hi": SETTING_RANGES[key][1]},
                        fix="fix.setting_range") for key, value in settings_out_of_range(data)]
    return ws.load_issue(path)[3]


def synced_files(ws: Workspace) -> list[Path]:
    """The department's files other than cases/ and the settings that sync sends and `check` reads: the
    directory, the events, the workspace's templates, the purge records (YAML only)."""
    out: list[Path] = []
    for folder in ("directory", "events", "templates", "purged"):
        d = ws.root / folder
        if d.is_dir():
            out += sorted(p for p in d.rglob("*.yaml") if p.is_file() and not p.is_symlink())
    return out


def check_files(ws: Workspace, paths: list[Path]) -> list[Problem]:
    """The errors (not warnings) of these files: what must not be committed or sent."""
    return [p for path in paths for p in check_file(ws, path) if p.severity == "error"]
