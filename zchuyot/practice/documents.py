"""The case's documents (issue 28): the refusal letter a worker photographed, the medical summary, the pay slips
the plan asks for — attached to an issue, kept in the family's folder and opened only by its recipients.

`attach` copies each file into `cases/<worker>/<family>/documents/<id>-<n>-<kind>.<ext>` — sealed with the
family's key when the department encrypts (`.age`, like its record and its letters), plain otherwise — mode
0600, records it in the issue's `documents` and its log, one commit for all of them. Only PDF, JPEG, PNG, HEIC
and Word files are taken, known by their first bytes (a name can lie), each up to `MAX_BYTES`. `open_document`
gives a recipient a private copy (a temporary file, or `--out`); purge removes them with the family's folder;
the anonymised export names them by kind only."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from zchuyot.case.file import CASES, WriteResult
from zchuyot.errors import InputError
from zchuyot.workspace.store import Workspace

DOCUMENTS_DIR = "documents"
MAX_BYTES = 20 * 1024 * 1024  # a phone's photo of a letter is 2–8 MB; a scanned PDF of a few pages, less


@dataclass(frozen=True)
class Kind:
    type: str  # pdf | jpeg | png | heic | docx | doc
    ext: str


def file_type(head: bytes) -> Kind | None:
    """What a file is, by its first bytes (never by its name): the types a case's documents come as."""
    if head.startswith(b"%PDF-"):
        return Kind("pdf", "pdf")
    if head.startswith(b"\xff\xd8\xff"):
        return Kind("jpeg", "jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind("png", "png")
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
        return Kind("heic", "heic")
    if head.startswith(b"PK\x03\x04") and b"word/" in head:
        return Kind("docx", "docx")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return Kind("doc", "doc")
    return None


def _read(path: Path) -> tuple[bytes, Kind]:
    """A document's bytes and type — or one clear line: not there, too big, a kind no office sends."""
    try:
        size = path.stat().st_size
    except OSError:
        raise InputError("err.doc_missing", value=str(path)) from None
    if not path.is_file():
        raise InputError("err.doc_missing", value=str(path))
    if size > MAX_BYTES:
        raise InputError("err.doc_too_big", value=path.name, size=f"{size / 1024 / 1024:.1f}",
                         max=str(MAX_BYTES // 1024 // 1024))
    if size == 0:
        raise InputError("err.doc_empty", value=path.name)
    data = path.read_bytes()
    kind = file_type(data[:4096])
    if kind is None:
        raise InputError("err.doc_type", value=path.name)
    return data, kind


def attach(ws: Workspace, issue_id: str, files: list[str], kind: str | None = None, date: str | None = None,
           note: str | None = None) -> WriteResult:
    """Every file attached to the issue, or none: all are read and checked before anything is written."""
    from zchuyot.case.values import choice
    from zchuyot.case.views import record
    from zchuyot.practice.core import past_date
    from zchuyot.text.labels import choice_label, t
    from zchuyot.workspace import keys

    worker = ws.require_worker()
    if not files:
        raise InputError("err.doc_none")
    k = choice("doc_kind", kind, "documents.kind") if kind else "other"
    when = past_date(date) if date else None
    read = [(Path(f).expanduser(), *_read(Path(f).expanduser())) for f in files]
    rec = ws.get_issue(issue_id)
    i = rec.issue
    folder = ws.root / CASES / rec.worker_dir / i.family / DOCUMENTS_DIR
    sealed = keys.encryption_on(ws)
    public = keys.family_key(ws, i.family).to_public() if sealed else None
    written: list[Path] = []
    edit = ws.edit(i.id, "zchuyot attach: {id}", commit=False)
    try:
        with edit as issue:
            n = max((int(d.id) for d in issue.documents), default=0)
            docs = list(issue.documents)
            for _source, data, what in read:
                n += 1
                name = f"{i.id}-{n}-{k}.{what.ext}" + (".age" if sealed else "")
                target = folder / name
                if public is not None:
                    import pyrage

                    data = pyrage.encrypt(data, [public])
                _write_private(ws, target, data)
                written.append(target)
                docs.append(record("documents", id=n, kind=k, date=when, file=f"{DOCUMENTS_DIR}/{name}",
                                   type=what.type, bytes=len(data), note=(note or "").strip() or None,
                                   added=_today()))
                issue.log.append(record("log", date=_today(), kind="documents", by=worker,
                                        text=t("ui.doc_logged", "he", n=str(n), kind=choice_label("doc_kind", k, "he"),
                                               type=what.type.upper())))
            issue.documents = docs
    except BaseException:
        for p in written:  # nothing half-attached: the copies go with the failed edit
            p.unlink(missing_ok=True)
        raise
    result = edit.result
    ws.commit([rec.path, *written], f"zchuyot attach: {i.id} ({len(written)})", result)
    result.info.append(("ui.doc_attached", {"id": i.id, "n": len(written), "sealed": t("ui.doc_sealed") if sealed
                                            else ""}))
    return result


def _today() -> dt.date:
    from zchuyot.calendar import dates

    return dates.today()


def _write_private(ws: Workspace, path: Path, data: bytes) -> None:
    from zchuyot.case.file import make_private_dirs, write_atomic

    make_private_dirs(path.parent, ws.root)
    write_atomic(path, data)


def _document(ws: Workspace, issue_id: str, n: int) -> tuple[object, object, Path]:
    rec = ws.get_issue(issue_id)
    doc = next((d for d in rec.issue.documents if int(d.id) == n), None)
    if doc is None:
        raise InputError("err.doc_unknown", value=str(n), id=rec.issue.id,
                         options=", ".join(str(d.id) for d in rec.issue.documents) or "-")
    rel = str(doc.file)
    if "/" not in rel or rel.split("/")[0] != DOCUMENTS_DIR or ".." in rel.split("/") or rel.startswith("/"):
        raise InputError("err.doc_path", value=rel)  # a path from the data: only inside the family's documents
    path = ws.root / CASES / rec.worker_dir / rec.issue.family / rel
    if not path.is_file() or path.is_symlink():
        raise InputError("err.doc_gone", value=rel, id=rec.issue.id)
    return rec, doc, path


def open_document(ws: Workspace, issue_id: str, n: int, out: str | None = None) -> Path:
    """Document N of the issue as a plain file this worker may read: decrypted (a recipient only) into a private
    temporary folder, or to `out` — never inside the workspace when the department encrypts (the next sync
    would send it in the clear)."""
    from zchuyot.workspace import keys
    from zchuyot.workspace.privacy import log_access

    ws.require_worker()
    rec, doc, path = _document(ws, issue_id, n)
    data = path.read_bytes()
    family = rec.issue.family  # type: ignore[attr-defined]
    if path.name.endswith(".age"):
        import pyrage

        identity = keys.open_family_key(ws, family)
        try:
            data = pyrage.decrypt(data, [identity])
        except pyrage.DecryptError:
            raise InputError("err.doc_broken", value=str(doc.file)) from None  # type: ignore[attr-defined]
    log_access(ws, "open document", f"{rec.issue.id}#{n}", family)  # type: ignore[attr-defined]
    plain_name = path.name.removesuffix(".age")
    if out is not None:
        target = Path(out).expanduser().resolve()
        if target.is_dir():
            target = target / plain_name
        if keys.encryption_on(ws) and target.is_relative_to(ws.root.resolve()):
            raise InputError("err.doc_out_inside", value=str(target))
    else:
        target = Path(tempfile.mkdtemp(prefix="zchuyot-doc-")) / plain_name  # 0700, this user's
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(target, 0o600)
    return target
