"""Client data private: the access log, the (anonymised) export, purge and retention.

- `access.log` (in the git-ignored `.zchuyot/`): one JSON line per viewing of a family's data
  (`show`, `family show`, `export`), appended with O_APPEND, mode 0600 — for the security officer.
- `export`: every issue as data; `--anonymize` replaces family codes by stable pseudonyms (an
  HMAC with a secret kept in `.zchuyot/`), drops the workers' names, and removes the family's
  names, phone numbers and ID numbers from every text — and anything shaped like one.
- `purge`: removes a family's files and commits the removal (git history keeps the old versions:
  SECURITY.md says how to rewrite it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zchuyot.calendar import dates
from zchuyot.case import form
from zchuyot.case.file import FAMILY_FILE, WriteResult, issue_json, make_private_dirs, write_atomic
from zchuyot.case.pii import Finder, numbers_in
from zchuyot.errors import InputError, NotFound
from zchuyot.workspace.store import Workspace, check_slug

PURGED = "purged"  # purge records: the family's code, who, when, why (trust.RULES)

# ------------------------------------------------------------------ the access log


def log_access(ws: Workspace, action: str, target: str, family: str | None = None) -> None:
    """Append who viewed what (`Workspace.log_access`)."""
    ws.log_access(action, target, family)


# ------------------------------------------------------------------ anonymising text
# mobile numbers are personal; an office's landline (08-6463000) is not and is kept


def _secret(ws: Workspace) -> bytes:
    p = ws.local_dir / "export.key"
    if not p.exists():
        make_private_dirs(p.parent, ws.root)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            import secrets

            f.write(secrets.token_hex(32))
    return p.read_text().strip().encode()


def pseudonym(secret: bytes, code: str, prefix: str = "fam") -> str:
    """A stable pseudonym of a family code or an issue id (HMAC with this workspace's secret)."""
    import hashlib
    import hmac

    return f"{prefix}-" + hmac.new(secret, code.encode(), hashlib.sha256).hexdigest()[:10]


def _ids_replaced(v: Any, ids: dict[str, str]) -> Any:
    if isinstance(v, str):
        return _ISSUE_ID.sub(lambda m: ids.get(m.group(), m.group()), v)
    if isinstance(v, dict):
        return {k: _ids_replaced(x, ids) for k, x in v.items()}
    if isinstance(v, list):
        return [_ids_replaced(x, ids) for x in v]
    return v


_LABELS = {"name": "[שם]", "phone": "[טלפון]", "id": "[ת.ז.]", "email": '[דוא"ל]', "address": "[כתובת]"}


@dataclass
class Scrubber:
    """Removes one family's personal data from text: its names (with niqqud, maqaf, a prefix letter), and
    anything shaped like a phone number, an ID number, an e-mail or a street address — however written
    (case/pii.py) — except the bodies' own phone numbers."""

    finder: Finder

    @classmethod
    def of(cls, fam: Any, keep_numbers: Iterable[str] = ()) -> Scrubber:
        members = [str(m.name) for m in (getattr(fam, "members", None) or []) if getattr(m, "name", None)]
        return cls(Finder.of(fam.name if fam is not None else None, keep_numbers, members))

    def text(self, s: str) -> str:
        return self.finder.replace(s, _LABELS)

    def value(self, v: Any) -> Any:
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        return v


_ISSUE_ID = re.compile(r"(?<![\w-])[a-z0-9][a-z0-9_-]{0,31}-[23456789abcdefghjkmnpqrstuvwxyz]{5}(?![\w-])")


def export(ws: Workspace, anonymize: bool = False) -> tuple[Iterator[dict[str, Any]], list[Any]]:
    """Every issue's mapping (all workers), in id order, one at a time — anonymised on request. Returns the
    issues (an iterator: a district's 100,000 are never all in memory) and the list the unreadable files go
    into (whole once the iterator is used up)."""
    errors: list[Any] = []
    secret = _secret(ws) if anonymize else b""
    bodies: set[str] = set()
    known: set[str] = set()
    if anonymize:  # a first, light pass: the bodies' own numbers (kept) and every id (pseudonymised)
        for rec in _records(ws, [], with_data=True):
            known.add(rec.issue.id)
            bodies.update(b.get("details") or "" for b in rec.data.get("bodies") or [] if isinstance(b, dict))
    keep = numbers_in(bodies)
    log_access(ws, "export-anonymized" if anonymize else "export", "all issues")

    def items() -> Iterator[dict[str, Any]]:
        families: dict[str, Scrubber | None] = {}  # None: the family's names cannot be known here
        withheld: set[str] = set()
        n_withheld = 0
        ids = {i: pseudonym(secret, i, "iss") for i in known}
        for rec in _records(ws, errors, with_data=True, by_id=True):
            data = issue_json(dict(rec.data))
            if anonymize:
                fam = rec.issue.family
                if fam not in families:
                    record, opened = _opened(ws, fam)
                    families[fam] = Scrubber.of(record, keep) if opened else None
                scrub = families[fam]
                if scrub is None:
                    # not a recipient: the names that would have to be removed are unknown here, so the
                    # issue's free text is not exported at all (its dates, kinds, bodies and steps are)
                    data = Scrubber.of(None, keep).value(_free_text_withheld(data))
                    withheld.add(fam)
                    n_withheld += 1
                else:
                    data = scrub.value(data)
                # an issue's id carries its worker's code: ids become pseudonyms, in the text too
                data = _ids_replaced(data, ids)
                data["family"] = pseudonym(secret, fam)
                # attached documents by kind only: no file name (it carries the id), no note
                data["documents"] = [{k: d.get(k) for k in ("id", "kind", "date", "type")}
                                     for d in data.get("documents") or [] if isinstance(d, dict)]
                if isinstance(data.get("worker"), dict):
                    data["worker"] = {"role": data["worker"].get("role")}
                for e in data.get("log") or []:
                    if isinstance(e, dict) and "by" in e:
                        e["by"] = None
            yield data
        if n_withheld:
            from zchuyot.case.validate import Problem

            errors.append(Problem("export", 0, "err.export_withheld", {"n": n_withheld, "families": len(withheld)},
                                  "fix.export_withheld", "warning"))

    return items(), errors


WITHHELD = "[הושמט]"
_STRUCTURE = frozenset({"id", "family", "org", "to", "by", "key", "uid", "contact"})  # codes, not free text


def _free_text_withheld(data: dict[str, Any], fields: tuple[Any, ...] = form.ISSUE) -> dict[str, Any]:
    """An issue with every free-text value replaced (subject, description, log texts, asks, feedback…):
    what an exporter who cannot open the family's record exports. Codes, dates, choices and numbers stay."""
    out = dict(data)
    for f in fields:
        v = out.get(f.key)
        if v in (None, "", []):
            continue
        if f.kind in ("text", "longtext") and f.key not in _STRUCTURE:
            out[f.key] = WITHHELD
        elif f.kind == "list" and f.sub and isinstance(v, list):
            out[f.key] = [_free_text_withheld(x, f.sub) if isinstance(x, dict) else x for x in v]
        elif f.kind == "map" and f.sub and isinstance(v, dict):
            out[f.key] = _free_text_withheld(v, f.sub)
    return out


def export_texts(ws: Workspace) -> tuple[Iterator[str], list[Any]]:
    """`export`'s JSON items as text, in id order, one at a time: from the cache as it holds them (no
    decoding, no encoding), else each issue's mapping encoded here — the same bytes either way."""
    errors: list[Any] = []
    log_access(ws, "export", "all issues")
    if ws.use_cache:
        return ws.cache().texts(errors), errors
    dumps = json.dumps
    return (dumps(issue_json(dict(r.data)), ensure_ascii=False, check_circular=False)
            for r in _records(ws, errors, with_data=True, by_id=True)), errors


def _records(ws: Workspace, errors: list[Any], with_data: bool, by_id: bool = False) -> Iterator[Any]:
    """The issues one at a time from the cache (in id order on request), or — without it — read and sorted."""
    if ws.use_cache:
        return ws.cache().records(None, errors=errors, with_data=with_data, by_id=by_id)
    res = ws.read_issues(with_data=with_data)
    errors.extend(res.errors)
    return iter(sorted(res.issues, key=lambda r: r.issue.id) if by_id else res.issues)


CSV_COLUMNS = tuple(name for name, _ in form.CSV_COLUMNS)


def csv_row(d: dict[str, Any]) -> list[Any]:
    """One issue's row of `export --format csv` (the columns are the form's, `form.CSV_COLUMNS`)."""
    return ["" if (v := get(d)) is None else v for _, get in form.CSV_COLUMNS]


# ------------------------------------------------------------------ retention and purge
PURGE_REASONS = ("court_order", "family_request", "opened_in_error")  # purging before retention ends


def _opened(ws: Workspace, family: str) -> tuple[Any, bool]:
    """The family's record for the scrubber, and whether its names are known here: its sealed names opened
    when this worker is a recipient; a plain record is read as it is; a sealed one she cannot open leaves
    the names unknown here (False)."""
    from zchuyot.errors import WorkspaceError
    from zchuyot.workspace import keys

    fam = ws.read_family(family)
    if fam is None or not getattr(fam, "sealed", None):  # no record: no name is known to anyone
        return fam, True
    try:
        from zchuyot.case.schema import Family

        opened = keys.unseal(ws, family, fam.model_dump(), "export --anonymize")
        return Family.model_validate({**opened, "sealed": None}), True
    except WorkspaceError:
        return fam, False


def purge(ws: Workspace, family: str, before_retention: str | None = None) -> list[str]:
    """Remove every file of a family (all workers' folders), its rows in the index cache, its data key, and
    commit the removal with its purge record (see `purgeable` for when it is refused).

    All or nothing: the intent is written first (`.zchuyot/purging/<family>.json`: the files, the reason);
    the commit of the removal and its record is the one moment it happens; its key, the cache and the access
    log follow. A purge killed before the commit is undone by the next zchuyot command that takes the git
    lock (`finish_purges`: the files restored from git, as if nothing happened); one killed after it is
    finished (its key destroyed, the log line written)."""
    finish_purges(ws)
    removed, dirs = purgeable(ws, family, before_retention)
    why = "retention" if before_retention is None else f"before retention: {before_retention}"
    record = ws.root / PURGED / f"{family}.yaml"
    intent = _intent(ws, family)
    make_private_dirs(intent.parent, ws.root)
    write_atomic(intent, json.dumps({"family": family, "why": why, "record": ws.rel(record),
                                     "files": [ws.rel(p) for p in removed]}))
    with ws.lock("git"):
        for p in removed:
            p.unlink()
        folders = {q for top in dirs for q in (*top.rglob("*"), top) if q.is_dir() and not q.is_symlink()}
        for d in sorted(folders, key=lambda q: -len(q.parts)):  # the deepest first: letters/, then the family's
            with contextlib.suppress(OSError):
                d.rmdir()
        # the purge record (no name: the family's code, who, when, why): what lets every clone verify that the
        # family's files were removed by one who may (trust.RULES), and drop its key
        make_private_dirs(record.parent, ws.root)
        os.chmod(record.parent, 0o755)
        write_atomic(record, f"# zchuyot: a family purged (its files and its key destroyed)\nfamily: {family}\n"
                             f"date: {dates.today().isoformat()}\nby: {ws.require_worker()}\n"
                             f"reason: {before_retention or 'retention'}\n")
        os.chmod(record, 0o644)
        result = WriteResult("", ws.root)
        ws.commit([*removed, record], f"zchuyot purge: a family's files removed ({why})", result)
    _after_purge(ws, family, why, removed)
    return [ws.rel(p) for p in removed]


def _intent(ws: Workspace, family: str) -> Path:
    return ws.local_dir / "purging" / f"{family}.json"


def _after_purge(ws: Workspace, family: str, why: str, removed: list[Path]) -> None:
    """What follows a purge's commit: the cache's rows, the family's data key and any stray file in the key
    folder that is no family's key (a temp file left by a kill) destroyed, the access log, the intent gone."""
    from zchuyot.workspace import keys, keystore

    ws.cache().forget([ws.rel(p) for p in removed])
    keys.shred(ws, family)  # its data key: without it the sealed record opens nowhere
    folder = ws.root / keys.FAMILY_KEYS
    for stray in folder.iterdir() if folder.is_dir() else []:
        if not keystore.entry_ok(stray.name) and (stray.is_file() or stray.is_symlink()):
            stray.unlink()
    log_access(ws, f"purge ({why})", family, family)
    _intent(ws, family).unlink(missing_ok=True)


def finish_purges(ws: Workspace) -> list[str]:
    """Purges a kill interrupted: one whose commit was made is finished; one whose commit was not is undone
    (its files restored from git, its record removed). Returns the families it finished or undid."""
    from zchuyot.workspace import gitio

    folder = ws.local_dir / "purging"
    done = []
    for intent in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(intent.read_text(encoding="utf-8"))
            family, files, record = str(data["family"]), [str(f) for f in data["files"]], str(data["record"])
            check_slug(family, "family")
        except (OSError, ValueError, KeyError, TypeError, InputError):
            intent.unlink(missing_ok=True)
            continue
        committed = gitio.run(ws.root, "cat-file", "-e", f"HEAD:{record}", check=False).returncode == 0
        if committed:
            _after_purge(ws, family, str(data.get("why") or ""), [ws.root / f for f in files])
        else:
            tracked = [f for f in files if f.startswith("cases/") and ".." not in f.split("/")
                       and gitio.run(ws.root, "cat-file", "-e", f"HEAD:{f}", check=False).returncode == 0]
            if tracked:
                gitio.run(ws.root, "checkout", "HEAD", "--", *tracked)
            (ws.root / record).unlink(missing_ok=True)
            intent.unlink(missing_ok=True)
            ws.make_private()
        done.append(family)
    return done


def purgeable(ws: Workspace, family: str, before_retention: str | None = None) -> tuple[list[Path], list[Path]]:
    """The family's files and folders, if it may be purged: refused while an issue of the family is open,
    and until `retention_years` have passed since its last activity — unless `before_retention` gives one
    of PURGE_REASONS (recorded in the commit and the access log; never a name)."""
    ws.require_worker()
    check_slug(family, "family")
    dirs = ws.family_dirs(family)
    if not dirs:
        raise NotFound("err.unknown_family", value=family)
    if before_retention is not None and before_retention not in PURGE_REASONS:

        raise InputError("err.purge_reason", value=before_retention, options=", ".join(PURGE_REASONS))
    # every file of the family's folders, its letters (letters/) too
    removed: list[Path] = [p for d in dirs for p in sorted(d.rglob("*")) if p.is_file() or p.is_symlink()]
    kept: list[tuple[str, bool, dt.date]] = []
    still_open = []
    for p in removed:
        if p.suffix == ".yaml" and p.name != FAMILY_FILE:
            _, _, issue, _ = ws.load_issue(p, future=False)
            if issue is not None:
                kept.append((family, issue.is_open, issue.last_activity()))
                if issue.is_open:
                    still_open.append(issue.id)
    if still_open:
        raise InputError("err.purge_open", family=family, ids=", ".join(still_open))
    if before_retention is None and kept and not retention_due(ws, kept):
        last = max(d for _, _, d in kept)
        raise InputError("err.purge_retention", family=family, date=last.strftime("%d/%m/%Y"),
                         years=ws.settings.get("retention_years"), options=", ".join(PURGE_REASONS))
    return removed, dirs


def retention_due(ws: Workspace, issues: Iterable[tuple[str, bool, dt.date]],
                  today: dt.date | None = None) -> list[tuple[str, dt.date]]:
    """Families all of whose issues were closed more than `retention_years` ago: (family, last activity).
    `issues`: (family, is open, last activity) of every issue."""
    years = ws.settings.get("retention_years")
    if not isinstance(years, int) or years <= 0:
        return []
    today = today or dates.today()
    by_family: dict[str, tuple[bool, dt.date]] = {}
    for fam, is_open, last in issues:
        was = by_family.get(fam)
        by_family[fam] = (is_open, last) if was is None else (was[0] or is_open, max(was[1], last))
    out = []
    for fam, (any_open, last) in sorted(by_family.items()):
        if any_open:
            continue
        try:
            limit = last.replace(year=last.year + years)
        except ValueError:  # 29 February
            limit = last.replace(year=last.year + years, day=28)
        if limit < today:
            out.append((fam, last))
    return out


__all__ = ["log_access", "export", "purge", "retention_due", "Scrubber", "pseudonym"]
