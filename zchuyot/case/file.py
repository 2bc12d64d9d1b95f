"""Reading case files, and the one edit path.

Reading: every file goes through the fast, safe reader (`yamlfast`: refusals with their lines, the
line of every key) and `validate` — so a file `check` accepts is exactly a file the commands can use.

Writing: `edit` is the only way a command changes an issue::

    with ws.edit(issue_id, "zchuyot treat: {id}") as issue:
        issue.log.append(record("log", date=..., kind="call", text=..., by=...))

The command changes a typed issue (`views.Record`: every assignment is checked by the form; new
records are made by `views.record`). The issue comes from the index cache when the cache's row of
the file is up to date (it was validated when it was cached: no pydantic), else from the file read
and validated. On exit the change is checked against the form's rules, applied to the round-trip
document in form order with every comment kept, written atomically, handed to the cache and
committed. The file is read once, parsed once round-trip, and validated at most once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zchuyot.case import form, yamlfast
from zchuyot.case.validate import Problem, family_from_data, issue_from_data
from zchuyot.case.views import Record
from zchuyot.errors import DataError, InputError

CASES = "cases"
FAMILY_FILE = "family.yaml"


# ------------------------------------------------------------------ file primitives
def read_bytes(path: Path) -> bytes:
    """A case file's bytes. Only a regular file is read: a symbolic link (to /etc/passwd, to /dev/zero) or a
    FIFO named like an issue is refused, never followed, and never waited on."""
    import errno
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise DataError("err.file.not_regular", line=1, fix="fix.not_regular") from None
        raise DataError("err.file.read", line=1, why=e.strerror or type(e).__name__) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise DataError("err.file.not_regular", line=1, fix="fix.not_regular")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(yamlfast.MAX_BYTES + 1)
    except OSError as e:
        raise DataError("err.file.read", line=1, why=e.strerror or type(e).__name__) from None
    finally:
        os.close(fd)


def read_text(path: Path) -> str:
    return yamlfast.decode(read_bytes(path))


def parse_file(path: Path) -> tuple[Any, yamlfast.Lines]:
    """A file's plain data and the line of every key (the fast, safe reader)."""
    return yamlfast.load(read_text(path))


Waiver = tuple[tuple[str, ...], dt.date, dt.date | None]  # (bodies or partner keys, signed, expires or None)


def family_waivers(path: Path) -> list[Waiver]:
    """The confidentiality waivers a family record holds, as written. A record without waivers is not
    parsed; a broken one holds none (check reports it)."""
    try:
        if b"waivers" not in read_bytes(path):  # most records: no waiver, nothing to parse
            return []
        data = parse_file(path)[0]
    except Exception:  # noqa: BLE001 — a broken record is check's to report; here it covers nothing
        return []
    return waivers_in(data)


def waivers_in(data: Any) -> list[Waiver]:
    """The waivers of a family record already read (a mapping; anything else holds none)."""
    out: list[Waiver] = []
    for w in (data or {}).get("waivers") or [] if isinstance(data, dict) else []:
        if isinstance(w, dict) and isinstance(w.get("signed"), dt.date) and w.get("bodies"):
            exp = w.get("expires")
            out.append((tuple(str(b) for b in w["bodies"]), w["signed"], exp if isinstance(exp, dt.date) else None))
    return out


def covered_on(waivers: list[Waiver], day: dt.date) -> set[str]:
    """What the waivers valid on `day` cover (signed by then, not yet expired): bodies and partner keys."""
    return {n for names, signed, exp in waivers if signed <= day and (exp is None or exp >= day) for n in names}


def load_yaml_file(path: Path) -> Any:
    """A file's plain data (settings, templates, the family record)."""
    return parse_file(path)[0]


def make_private_dirs(path: Path, stop: Path) -> None:
    """Create path's folders with mode 0700 (whatever the umask), up to `stop`."""
    missing: list[Path] = []
    p = path
    while not p.exists() and p != stop and p.parent != p:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            d.mkdir()
        os.chmod(d, 0o700)


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write text (or bytes: a letter, an encrypted copy) so that a crash leaves either the old file or the
    new one, never half; readable by this worker only (0600)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with (os.fdopen(fd, "wb") if isinstance(text, bytes) else
              os.fdopen(fd, "w", encoding="utf-8", newline="\n")) as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def problem_of(e: DataError, rel: str) -> Problem:
    """A parse error of one file as a Problem of `check`."""
    params = {k: v for k, v in e.params.items() if k not in ("fix", "file", "line", "col")}
    return Problem(rel, e.line or 1, e.key, params, e.params.get("fix", "fix.generic"),
                   col=int(e.params.get("col") or 0))


@contextlib.contextmanager
def quiet_gc() -> Iterator[None]:
    """Reading thousands of files makes millions of small objects and no cycles: the cyclic
    garbage collector would only rescan them again and again (it doubles the time), during the
    read and after it — so the objects read are frozen out of its sight."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # what was read stays for the command's life: never rescan it
        if was:
            gc.enable()


# ------------------------------------------------------------------ records
@dataclass
class IssueRecord:
    path: Path
    rel: str
    worker_dir: str
    issue: Any  # a validated model, or a light view of one (same attribute names)
    data: dict[str, Any] = field(default_factory=dict)  # the file's mapping, in its own key order
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class ReadResult:
    issues: list[IssueRecord]
    errors: list[Problem]
    warnings: list[Problem]


@dataclass
class WriteResult:
    id: str
    path: Path
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # warnings, for stderr
    issue: Any = None
    info: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # what was done, for stdout
    moved: list[Typed] = field(default_factory=list)  # personal data taken out of the issue: for its family record
    kept: list[str] = field(default_factory=list)  # kinds of personal data kept in it knowingly (said in the commit)


@dataclass(frozen=True)
class Typed:
    """A phone, ID number or e-mail typed into an issue's free text: what it is, as typed, and the text."""

    kind: str
    value: str
    text: str


def load_issue(path: Path, rel: str, text: str | None = None, future: bool = True) -> tuple[
        Any, yamlfast.Lines, Any, list[Problem]]:
    """(plain data, the line of every key, the model or None, every problem) of one issue file."""
    try:
        data, lines = yamlfast.load(text if text is not None else read_text(path))
    except DataError as e:
        return None, {}, None, [problem_of(e, rel)]
    issue, problems = issue_from_data(data, lines, rel, stem=path.stem, family_dir=path.parent.name, future=future)
    return data, lines, issue, problems


def load_family(path: Path, rel: str, family: str) -> tuple[Any, list[Problem]]:
    """The family record's model (or None) and its problems."""
    try:
        data, lines = parse_file(path)
    except DataError as e:
        return None, [problem_of(e, rel)]
    return family_from_data(data, lines, rel, family_dir=family)


def first_error(problems: list[Problem], issue_id: str, cls: type[DataError] | type[InputError] = DataError) -> Any:
    p = next(p for p in problems if p.severity == "error")
    return cls("err.issue_broken", file=p.file, line=p.line, id=issue_id, why=p.message())


def issue_json(data: dict[str, Any]) -> dict[str, Any]:
    """An issue's mapping for --json: keys as in the file, dates as YYYY-MM-DD."""
    def conv(v: Any) -> Any:
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v

    return conv(data)


# ------------------------------------------------------------------ typed → round-trip document
def _value(f: form.Field, v: Any) -> Any:
    """A field's value as it is written: records keep their form fields (empty until filled) and the
    optional ones that have a value, in form order, then any unknown keys as they were."""
    if f.sub and isinstance(v, list):
        return [_value(f, x) for x in v]
    if f.sub and v is not None and not isinstance(v, dict):
        known = {s.key: _value(s, getattr(v, s.attr)) for s in f.sub}  # a record's own records too
        out = {k: x for k, x in known.items() if x is not None or _always(f, k)}
        out.update(_extra(v))
        return out
    return v


def _always(f: form.Field, sub: str) -> bool:
    """A record's field written even when empty (an action's `done`, a body's `contact`): all but those the
    form writes only when set (form.WRITTEN_WHEN_SET)."""
    return sub not in form.WRITTEN_WHEN_SET.get(f.key, ())


def plain(issue: Any) -> dict[str, Any]:
    """The typed issue as the mapping written to its file (form order; unknown keys after)."""
    out = {f.key: _value(f, getattr(issue, f.attr)) for f in form.ISSUE}
    out.update(_extra(issue))
    return out


def _extra(v: Any) -> dict[str, Any]:
    """The keys the form does not know, kept as they were (a Record's `extra`, a model's `model_extra`)."""
    return dict(getattr(v, "extra", None) or getattr(v, "model_extra", None) or {})


def apply(doc: Any, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Apply the change from `before` to `after` to the round-trip document: only what changed is
    touched, new keys go to their place in the form, appended records keep the comments after them."""
    from zchuyot.case import yamlio

    for key, new in after.items():
        old = before.get(key)
        if new == old and (key in doc or new is None):
            continue
        f = form.BY_KEY.get(key)
        node = doc.get(key)
        if f is not None and f.kind == "list" and isinstance(node, list) and isinstance(old, list) \
                and isinstance(new, list) and len(node) == len(old):
            _apply_list(doc, key, f, node, old, new)
            continue
        if f is not None and f.kind == "map" and isinstance(node, dict) and isinstance(old, dict) \
                and isinstance(new, dict):
            _apply_map(node, old, new, f.sub_keys)
            continue
        yamlio.set_key(doc, key, new, form.ISSUE_KEYS)


def _apply_list(doc: Any, key: str, f: form.Field, node: Any, old: list[Any], new: list[Any]) -> None:
    """A list of records: records appended are appended (the comments after the list stay after it);
    records still in their place (the same `form.identity`: an action's id) that changed have only
    their changed keys set; otherwise (removed, reordered: a merged log in date order) every record that
    is still there stays the same node, with its comments."""
    from zchuyot.case import yamlio

    head = new[:len(old)]
    in_place = head == old or (all(isinstance(x, dict) for x in (*old, *head, *node))
                               and [form.identity(key, x) for x in head] == [form.identity(key, o) for o in old])
    if in_place:
        for n, (o, x) in enumerate(zip(old, head, strict=True)):
            if o != x:
                _apply_map(node[n], o, x, f.sub_keys)
        for item in new[len(old):]:
            yamlio.append(doc, key, item)
        return
    yamlio.replace_items(doc, key, [node[old.index(x)] if x in old else x for x in new])


def _apply_map(node: Any, old: dict[str, Any], new: dict[str, Any], order: tuple[str, ...]) -> None:
    from zchuyot.case import yamlio

    for k, v in new.items():
        if old.get(k) != v or k not in node:
            if v is None and k not in node:
                continue
            yamlio.set_key(node, k, v, order)


def check_rules(issue: Any) -> None:
    """The form's rules between fields (a domain "other" needs domain_other…): the first broken one."""
    for rule in form.broken_rules(issue):
        raise InputError(f"err.rule.{rule.code}", field=rule.field)


def check_edit(issue: Any) -> None:
    """What assignment checks cannot see: the rules between fields, and that every record put in a list
    was made by `views.record` (so checked)."""
    for f in form.ISSUE:
        if f.kind == "list":
            for x in getattr(issue, f.attr):
                if not (isinstance(x, Record) and x._fields is f.sub):
                    raise TypeError(f"{f.key}: records are made with views.record")
    check_rules(issue)


def _strings(v: Any) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, dict):
        return [s for x in v.values() for s in _strings(x)]
    if isinstance(v, list):
        return [s for x in v for s in _strings(x)]
    return []


def pii_notes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A warning when a phone or an ID number is kept in the issue's text (knowingly: `--keep-personal-data`):
    personal data belongs in family.yaml, where it is protected; an issue file is shared for learning."""
    kinds = sorted({x.kind for x in typed_personal(before, after) if x.kind in ("phone", "id")})
    return [(f"ui.pii_typed.{kind}", {}) for kind in kinds]


def typed_personal(before: dict[str, Any], after: dict[str, Any]) -> list[Typed]:
    """The phones, ID numbers and e-mails in the texts this change types into an issue (not a body's contact
    details, not a letter's entry) — caught before the file is written (issue 27)."""
    from zchuyot.case.pii import Finder

    theirs = ("bodies", "claim_number", "documents")  # the bodies' own details, their file number, stored names
    old = set(_strings({k: v for k, v in before.items() if k not in theirs}))
    typed = {k: v for k, v in after.items() if k not in theirs}
    typed["log"] = [e for e in typed.get("log") or [] if not (isinstance(e, dict) and e.get("kind") == "letter")]
    # a body's own number (the day-care center's phone, in the issue's bodies) is no personal data
    finder = Finder.of(None, keep_numbers=_strings(after.get("bodies") or []))
    return [Typed(kind, text[a:b], text) for text in dict.fromkeys(_strings(typed)) if text not in old
            for a, b, kind in finder.spans(text) if kind in ("phone", "id", "email")]


def fix_texts(rec: Any, fixes: dict[str, str]) -> None:
    """Every text of an issue (and of its records) that `fixes` names, replaced by its fixed version."""
    for f in rec._fields:
        v = getattr(rec, f.attr)
        if isinstance(v, str) and v in fixes:
            setattr(rec, f.attr, fixes[v])
        elif isinstance(v, list):
            for x in v:
                if hasattr(x, "_fields"):
                    fix_texts(x, fixes)
        elif hasattr(v, "_fields"):
            fix_texts(v, fixes)


def _guard_personal(ws: Any, issue: Any, before: dict[str, Any], result: WriteResult) -> dict[str, Any]:
    """Personal data typed into the issue: the workspace decides (kept, taken out, or refused — nothing is
    written); returns the issue's values as they will be written."""
    after = plain(issue)
    found = typed_personal(before, after)
    if not found:
        return after
    fixes, moved = ws.personal_data(found)
    if fixes:
        fix_texts(issue, fixes)
        after = plain(issue)
        result.moved += moved
    result.kept = sorted({x.kind for x in typed_personal(before, after)})
    return after


def _said(message: str, result: WriteResult) -> str:
    """A commit's message, saying when personal data was kept in the issue knowingly (its kinds, never it)."""
    return message + (f" (personal data kept: {', '.join(result.kept)})" if result.kept else "")


# ------------------------------------------------------------------ the one edit path
def _stat_key(path: Path) -> tuple[int, int, int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino



APPEND_FROM = 200  # log entries: from this many, a change that only adds entries is written as text


def appended(text: str, before: dict[str, Any], after: dict[str, Any]) -> str | None:
    """The issue's text with the new log entries written at the end of its log — what the round-trip writer
    would write, without parsing a file of thousands of entries (a treat on an issue with 15,000 entries).
    The entries are written by the same writer into an empty log and put after the file's last entry, at the
    same indentation. None when the change is anything else, or the file's log is not laid out as zchuyot
    writes it: the caller writes it the full way."""
    from zchuyot.case import yamlio

    old, new = before.get("log"), after.get("log")
    if not isinstance(old, list) or not isinstance(new, list) or len(old) < APPEND_FROM or len(new) <= len(old):
        return None
    if new[:len(old)] != old:
        return None
    changed = [k for k in {*before, *after} if k != "log" and before.get(k) != after.get(k)]
    if any(k not in before or k not in after or isinstance(after[k], (dict, list)) or
           isinstance(before[k], (dict, list)) for k in changed):
        return None  # only a scalar that was there (the step the issue reached) may change with the log
    added = new[len(old):]
    doc = yamlio.parse("log: []\n")
    apply(doc, {"log": []}, {"log": added})
    frag = yamlio.dump(doc).split("\n", 1)[1]
    if not frag.startswith("  - ") or yamlfast.load("log:\n" + frag)[0] != {"log": added}:
        return None
    lines = text.splitlines(keepends=True)
    start = next((n for n, ln in enumerate(lines) if ln.rstrip("\n") == "log:"), None)
    if start is None or start + 1 >= len(lines) or not lines[start + 1].startswith("  - "):
        return None
    end = next((n for n in range(start + 1, len(lines)) if lines[n][:1] not in (" ", "\n", "#", "")), len(lines))
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1  # comments after the last entry stay after the list, as the full writer keeps them
    if not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    for key in changed:  # its one line, as the writer writes it
        at = [n for n, ln in enumerate(lines) if ln.startswith(f"{key}:")]
        one = yamlio.dump(yamlio.prepare({key: after[key]}))
        if len(at) != 1 or one.count("\n") != 1 or yamlfast.load(one)[0] != {key: after[key]} or \
                "#" in lines[at[0]]:
            return None
        lines[at[0]] = one
    return "".join(lines[:end]) + frag + "".join(lines[end:])


def fits(text: str) -> None:
    """One limit, both ways: a file is never written larger than every reader accepts (yamlfast.MAX_BYTES)."""
    from zchuyot.case.yamlfast import MAX_BYTES

    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise InputError("err.too_big_to_write", size=f"{size:,}", max=f"{MAX_BYTES:,}")


@contextlib.contextmanager
def edit(ws: Any, path: Path, message: str, result: WriteResult, commit: bool = True) -> Iterator[Any]:
    """Read-modify-write one issue under its lock (see the module's docstring). `ws` is the workspace
    (locks, the cache, git); `result` is filled with what was written."""
    from zchuyot.case import yamlio

    issue_id = path.stem
    rel = ws.rel(path)
    with ws.lock(issue_id):
        key = _stat_key(path)
        text = read_text(path)
        cached = ws.cache_fresh(path, key)
        if cached is not None and _stat_key(path) == key:  # validated when it was cached, and unchanged since
            issue = Record(cached)
        else:
            _, _, model, problems = load_issue(path, rel, text, future=False)
            if model is None:
                raise first_error(problems, issue_id)
            issue = Record(plain(model))
        before = plain(issue)
        yield issue
        check_edit(issue)
        after = plain(issue)
        result.id, result.path, result.issue = issue_id, path, issue
        if after == before:
            return
        after = _guard_personal(ws, issue, before, result)
        result.notes += pii_notes(before, after)
        new_text = appended(text, before, after)  # a log entry added to a long issue: no parse of the file
        if new_text is None:
            doc = yamlio.parse(text, checked=True)  # the fast reader (or the cache) has passed this very text
            apply(doc, before, after)
            new_text = yamlio.dump(doc)
        fits(new_text)
        write_atomic(path, new_text)
        ws.cache_written(path, issue, new_text)
        if commit:  # still under the issue's lock: one change, one commit
            ws.commit([path], _said(message.format(id=issue_id), result), result, tracked=True)


def renumbered(text: str, new_id: str) -> str:
    """An issue file's text under another id (sync: the same id opened in two clones), all else as it was."""
    from zchuyot.case import yamlio

    doc = yamlio.parse(text)
    apply(doc, {"id": doc.get("id")}, {"id": new_id})
    return yamlio.dump(doc)


def create(ws: Any, path: Path, template: Path, values: dict[str, Any], message: str) -> WriteResult:
    """A new issue file from the form's template: every value checked by the form as it is set (the same
    checks as an edit's), the required ones and the rules between fields at the end — nothing is written
    unless the form is whole — then written atomically, cached and committed."""
    from zchuyot.case import yamlio
    from zchuyot.case.views import record

    issue = Record({})
    for f in form.ISSUE:
        value = values.get(f.key)
        if f.kind == "list":
            value = [record(f.key, **x) for x in value or []]
        elif f.kind == "map" and isinstance(value, dict):
            value = record(f.key, **value)
        if value is not None or f.required:
            setattr(issue, f.attr, value)
    check_rules(issue)
    result = WriteResult(issue.id, path, issue=issue)
    values_now = _guard_personal(ws, issue, {}, result)
    result.notes += pii_notes({}, values_now)
    template_text = read_text(template)
    doc = yamlio.parse(template_text)
    apply(doc, {k: None for k in doc}, values_now)
    text = yamlio.dump(doc)
    fits(text)
    make_private_dirs(path.parent, ws.root)
    with ws.lock(issue.id):
        if path.exists():
            raise DataError("err.internal", what="id collision")
        write_atomic(path, text)
        ws.cache_written(path, issue, text)
        ws.commit([path], _said(message.format(id=issue.id), result), result)
    return result


def save_family(ws: Any, path: Path, template: Path, code: str,
                values: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]],
                message: str = "zchuyot family: record updated",
                sealer: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]] | None = None,
                commit: bool = True) -> WriteResult:
    """Create or update a family record (the only file with names, phones and ID numbers): the new values
    over the old are validated once as a Family, then only the changed keys are written (comments kept).
    `values` may be a function of the record as it is (read under the family's lock)."""
    from zchuyot.case import yamlio

    rel = ws.rel(path)
    make_private_dirs(path.parent, ws.root)
    with ws.lock(f"family-{code}"):
        text = read_text(path if path.is_file() else template)
        data, lines = yamlfast.load(text)
        if not isinstance(data, dict):
            raise DataError("err.issue_broken", file=rel, line=1, id=code, why="not a mapping")
        given = values(data) if callable(values) else values
        new = {**data, "code": code, **{k: form.neutral(v) for k, v in given.items() if v is not None}}
        family, problems = family_from_data(new, lines, rel, family_dir=code)
        if family is None:
            raise first_error(problems, code, InputError)
        if sealer is not None:  # the personal fields sealed (keys.py) once they are checked
            new = sealer(data, new)
        doc = yamlio.parse(text, checked=True)
        for key in form.FAMILY_KEYS:
            if new.get(key) != data.get(key):
                yamlio.set_key(doc, key, new[key], form.FAMILY_KEYS)
        write_atomic(path, yamlio.dump(doc))
    result = WriteResult(code, path)
    if commit:  # else the caller commits many records at once (keys migrate)
        ws.commit([path], message, result)
    return result
