"""Letters: a Word file from a template, filled from the family, the issue, the worker and the date.

Templates are `templates/letters/<key>.docx` — Word files with {{ placeholders }} that the rights worker
edits in Word itself (a workspace's own `templates/letters/` overrides the shipped ones). docxtpl fills
them: it reads the placeholders where Word keeps them and leaves every paragraph's and run's right-to-left
properties as the template has them. A template's Hebrew name is its document title.

A letter goes to `cases/<worker>/<family>/letters/<id>-<key>-<date>.docx` (mode 0600: it carries the
family's name and ID number, like family.yaml; `purge` removes it with the family's folder; the
anonymised export never reads it), a `letter` log entry names it, and one commit holds both. A
placeholder the case cannot fill refuses the letter, naming what is missing and how to fill it.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zchuyot.case.file import CASES, WriteResult, write_atomic
from zchuyot.errors import InputError
from zchuyot.workspace.store import PACKAGE_TEMPLATES, SOURCE_TEMPLATES, Workspace

LETTERS_DIR = "letters"

# what fills a placeholder when the case has it — and, when it does not, the command that fills it
HOW_TO_FILL: dict[str, str] = {
    "family_name": "zchuyot family add {family} --name \"...\"",
    "id_number": "zchuyot family add {family} --id-number ...",
    "phone": "zchuyot family add {family} --phone ...",
    "refusal_date": "zchuyot persist {id} --refusal \"...\" --body ...",
    "refusal_text": "zchuyot persist {id} --refusal \"...\" --body ...",
    "clock_name": "zchuyot persist {id} --refusal \"...\" --body ... --deadline KEY",
    "clock_due": "zchuyot persist {id} --refusal \"...\" --body ... --deadline KEY",
    "body": "zchuyot letter {id} --to BODY",
    "grounds": "zchuyot collect {id} --problem \"...\" (or --include N of the log)",
    "amount": "zchuyot close … --amount (or write it in the template)",
    "waiver_bodies": "zchuyot collect {id} --body ... / zchuyot plan {id} --body ...",
}


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    path: Path


def templates(ws: Workspace) -> list[Template]:
    """The letter templates: the workspace's own first, then the shipped ones (by key)."""
    from docx import Document

    found: dict[str, Path] = {}
    for base in (ws.root / "templates", PACKAGE_TEMPLATES, SOURCE_TEMPLATES):
        folder = base / LETTERS_DIR
        for p in sorted(folder.glob("*.docx")) if folder.is_dir() else []:
            if not p.name.startswith(("~", ".")):
                found.setdefault(p.stem, p)
    out = []
    for key, p in sorted(found.items()):
        try:
            title = Document(str(p)).core_properties.title or key
        except Exception:  # noqa: BLE001 — a template Word cannot open is listed, and refused when used
            title = key
        out.append(Template(key, title, p))
    return out


def _template(ws: Workspace, key: str) -> Template:
    known = templates(ws)
    for t in known:
        if t.key == key:
            return t
    raise InputError("err.unknown_letter", value=key, options=", ".join(f"{t.key} ({t.title})" for t in known))


def _shekel(amount: Any) -> str:
    n = float(amount)
    return f"₪{int(n):,}" if n.is_integer() else f"₪{n:,.2f}"


# the legal clocks a letter may name: an objection the objection's, an appeal the appeal's or the court's
CLOCKS_OF: dict[str, tuple[str, ...]] = {"objection": ("objection",), "appeal": ("appeal", "court")}


def context(ws: Workspace, rec: Any, to: str | None, on: dt.date, include: list[int] | None = None,
            attach: list[int] | None = None, copies: list[str] | None = None, key: str = "") -> dict[str, Any]:
    """Everything a letter may say — only what the case has (a missing value is never an empty string in a
    letter): the department's letterhead (its settings), the worker, the addressee from the directory (the
    body, its contact person and role, its postal address and fax), the family member it is about (name, ID,
    address, in her or his grammatical gender), the body's file number, the grounds built from the five
    questions and the log entries the worker picked (`include`) — never the description or any other free
    text she did not pick —, the legal clock only when it is the addressee's, the documents she attaches
    (`attach`) and the copies (`copies`)."""
    from zchuyot.case.rules import open_clocks, waiver_needs
    from zchuyot.practice import directory
    from zchuyot.practice.core import get_family
    from zchuyot.text.labels import choice_label, gendered

    i = rec.issue
    fam = get_family(ws, i.family, "letter")
    names = directory.names(ws)
    info = ws.worker_info()
    refusals = [e for e in i.corrected_log if e.kind == "refusal"]
    last = max(refusals, key=lambda e: (e.date, e.n)) if refusals else None
    body = to or (last.body if last is not None and last.body else None) or \
        next((b.org for b in i.bodies if b.org), None)
    department = ws.settings.get("department") or _default_department()
    head = ws.settings.get("letterhead") if isinstance(ws.settings.get("letterhead"), dict) else {}
    worker = (ws.settings.get("workers") or {}).get(ws.worker or "") or {}
    ctx: dict[str, Any] = {
        "date": on.strftime("%d/%m/%Y"),
        "hebrew_date": _hebrew_date(on),
        "subject": i.subject,
        "right": _right_name(ws, i.right),  # the subject is no right: a letter names one only when the issue is
        "department": department,
        "lh_name": str(head.get("name") or department),
        **{f"lh_{k}": str(head[k]) for k in ("address", "phone", "fax", "email") if head.get(k)},
        "lh_logo_path": _logo(ws, head.get("logo")),
        "worker_name": info["name"],
        "worker_role": _role(info["role"]),
        **{f"worker_{k}": str(worker[k]) for k in ("phone", "email") if isinstance(worker, dict) and worker.get(k)},
        # "12-3456789" never split at the end of a line: a word joiner after each hyphen (bidi-neutral, unlike the
        # non-breaking hyphen, which turns the number around in a right-to-left line)
        "claim_number": (getattr(i, "claim_number", None) or "").replace("-", "-\u2060") or None,
    }
    gender = None
    if fam is not None:
        ctx.update(family_name=fam.name, id_number=fam.id_number, phone=fam.phone, address=getattr(fam, "address",
                                                                                                   None))
        gender = getattr(fam, "gender", None)
    ctx["g"] = gendered(gender)
    # the grounds in the worker's own words: what the problem is and where the barrier is (the history's and
    # the barrier's kinds are the department's own classification, not an argument to a body)
    grounds = [x for x in (i.problem, i.barrier.where if i.barrier is not None else None) if x]
    log = i.corrected_log
    for n in include or []:
        entry = next((e for e in log if e.n == n), None)
        if entry is None:
            raise InputError("err.letter_include", value=str(n), id=i.id)
        grounds.append(f"{entry.date.strftime('%d/%m/%Y')}: {entry.text}")
    if grounds:
        ctx["grounds"] = grounds
    if body:
        canon = names.canonical(body)
        ctx["body"] = canon
        contact = next((b.contact for b in i.bodies if b.org and names.canonical(b.org) == canon and b.contact),
                       None)
        try:
            known = directory.find_body(ws, canon)
        except InputError:
            known = None
        person = None
        if known is not None:
            person = next((c for c in known.contacts if contact and c.person == contact), None) or \
                (known.contacts[0] if known.contacts and contact is None else None)
            ctx.update(body_address=known.address or None, body_fax=known.fax or None)
        ctx["body_contact"] = contact or (person.person if person else None)
        ctx["body_contact_role"] = person.role if person is not None and person.role else None
        kinds = CLOCKS_OF.get(key)
        clocks = [c for c in sorted(open_clocks(i), key=lambda d: d.due)
                  if _clock_of(ws, c.key, canon, names)  # the clock this body's decision started
                  and (kinds is None or any(k in c.key for k in kinds))]  # and the letter's own kind
        if clocks:
            ctx.update(clock_name=clocks[0].name or clocks[0].key, clock_due=clocks[0].due.strftime("%d/%m/%Y"))
    if last is not None:
        ctx.update(refusal_date=last.date.strftime("%d/%m/%Y"), refusal_text=last.text)
    if i.outcome is not None and i.outcome.amount:
        ctx["amount"] = _shekel(i.outcome.amount)
    needs = [names.canonical(n) if not n.startswith("p:") else n[2:] for n in waiver_needs(i)]
    bodies = list(dict.fromkeys([*(names.canonical(b.org) for b in i.bodies if b.org), *needs]))
    if bodies:
        partners = {p.key: p.name for p in directory.partners(ws)}
        ctx["waiver_bodies"] = [partners.get(b, b) for b in bodies]
    docs = {int(d.id): d for d in getattr(i, "documents", None) or []}
    attached = []
    for n in attach or []:
        d = docs.get(n)
        if d is None:
            raise InputError("err.doc_unknown", value=str(n), id=i.id, options=", ".join(map(str, docs)) or "-")
        attached.append(" – ".join(x for x in (choice_label("doc_kind", d.kind, "he"),
                                               d.date.strftime("%d/%m/%Y") if d.date else None, d.note) if x))
    if attached:
        ctx["attachments"] = attached
    if copies:
        ctx["copies"] = [c.strip() for c in copies if c.strip()]
    ctx["signers"] = _signers(fam, on) or ([{"name": fam.name, "id": fam.id_number or ""}]
                                           if fam is not None and fam.name else None)
    return {k: v for k, v in ctx.items() if v not in (None, "", [])}


def _logo(ws: Workspace, logo: Any) -> str | None:
    """The letterhead's logo — a PNG or JPEG inside the workspace (a path from the settings, which sync brings:
    never followed outside it, never a link), or None."""
    if not logo:
        return None
    root = ws.root.resolve()
    path = (ws.root / str(logo)).resolve()
    if not path.is_relative_to(root) or (ws.root / str(logo)).is_symlink() or not path.is_file():
        raise InputError("err.letter_logo", value=str(logo))
    with path.open("rb") as f:
        head = f.read(8)
    if not (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff")):
        raise InputError("err.letter_logo", value=str(logo))
    return str(path)


def _right_name(ws: Workspace, right: str | None) -> str | None:
    """The right as a letter says it: the checklist's name for its key (`general_disability` → קצבת נכות כללית)."""
    if not right:
        return None
    from zchuyot.practice import knowledge

    found = knowledge.match_right(knowledge.rights_from(ws.template_data("rights.yaml")), right)
    return found.name if found else right


def _clock_of(ws: Workspace, key: str, body: str, names: Any) -> bool:
    """Whether the legal clock `key` runs on decisions of `body` (a clock that names no body fits any)."""
    from zchuyot.practice import knowledge

    try:
        rule = knowledge.find_deadline(knowledge.deadlines_from(ws.template_data("deadlines.yaml")), key)
    except InputError:
        return True  # a clock the file no longer has: the letter still says it
    return rule.applies_to(body, names)


def _signers(fam: Any, on: dt.date) -> list[dict[str, str]]:
    """Who signs the waiver: each adult of the household (18 or over this year, or of unknown age as a parent or
    spouse), by name where recorded, else by relation."""
    from zchuyot.text.labels import choice_label

    out = []
    for m in getattr(fam, "members", None) or []:
        adult = (m.born is not None and on.year - int(m.born) >= 18) or (
            m.born is None and m.relation in ("mother", "father", "spouse"))
        if adult:
            out.append({"name": m.name or choice_label("relation", m.relation, "he"), "id": m.id_number or ""})
    return out


def _default_department() -> str:
    from zchuyot.text.labels import t

    return t("ui.default_department", "he")


def _role(role: str) -> str:
    from zchuyot.text.labels import choice_label

    return choice_label("role", role)


def _hebrew_date(on: dt.date) -> str | None:
    try:
        from pyluach import dates
    except ImportError:  # the Hebrew date is a courtesy: a letter never fails for it
        return None
    return dates.GregorianDate(on.year, on.month, on.day).to_heb().hebrew_date_string()


def render(template: Template, ctx: dict[str, Any]) -> tuple[bytes, list[str]]:
    """The filled letter's bytes, and the placeholders it printed that the case could not fill (then the
    bytes are not to be used). Placeholders under `{% if %}` are optional by the template's own choice."""
    import jinja2
    from docxtpl import DocxTemplate

    missing: list[str] = []

    class Recording(jinja2.Undefined):
        def __str__(self) -> str:  # printed: the letter would have a blank here
            missing.append(self._undefined_name or "?")
            return ""

    try:
        tpl = DocxTemplate(str(template.path))
        if ctx.get("lh_logo_path"):  # the department's logo, 3 cm wide, at the letterhead's top
            from docx.shared import Mm
            from docxtpl import InlineImage

            ctx = {**ctx, "lh_logo": InlineImage(tpl, ctx["lh_logo_path"], width=Mm(30))}
        tpl.render(ctx, jinja_env=jinja2.Environment(undefined=Recording, autoescape=True))
    except (jinja2.TemplateError, KeyError, ValueError, OSError) as e:
        raise InputError("err.letter_template", key=template.key, why=f"{type(e).__name__}: {e}") from None
    except Exception as e:  # noqa: BLE001 — a file that is not a Word document, a broken zip
        raise InputError("err.letter_template", key=template.key, why=type(e).__name__) from None
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue(), list(dict.fromkeys(missing))


def write_letter(ws: Workspace, issue_id: str, key: str, to: str | None = None, out: str | None = None,
                 date: str | None = None, include: list[int] | None = None, attach: list[int] | None = None,
                 copies: list[str] | None = None, pdf: bool = False) -> WriteResult:
    """The letter written (and, with `pdf`, its PDF beside it), logged and committed; nothing written when a
    placeholder cannot be filled or the PDF cannot be made."""
    from zchuyot.case.views import record
    from zchuyot.practice.core import past_date
    from zchuyot.practice.directory import find_body

    worker = ws.require_worker()
    rec = ws.get_issue(issue_id)
    i = rec.issue
    if to is not None:
        find_body(ws, to)  # a body the directory knows (did-you-mean otherwise)
    on = past_date(date)
    if out is not None and Path(out).suffix.lower() != ".docx":
        raise InputError("err.letter_out", value=out)
    template = _template(ws, key)
    data, missing = render(template, context(ws, rec, to, on, include, attach, copies, key))
    if missing:
        from zchuyot.text.labels import t

        how = "; ".join(dict.fromkeys(HOW_TO_FILL.get(m, m).format(id=i.id, family=i.family) for m in missing))
        raise InputError("err.letter_missing", key=key, missing=", ".join(t(f"ph.{m}") for m in missing), how=how)
    pdf_data = to_pdf(data) if pdf else None  # before anything is written: no letter without its PDF
    from zchuyot.workspace import keys

    folder = ws.root / CASES / rec.worker_dir / i.family / LETTERS_DIR
    name = f"{i.id}-{key}-{on.isoformat()}.docx"
    sealed = keys.encryption_on(ws)
    public = keys.family_key(ws, i.family).to_public() if sealed else None

    def stored(raw: bytes) -> bytes:
        if public is None:
            return raw
        import pyrage

        return pyrage.encrypt(raw, [public])

    # sealed: the repository's copy encrypted with the family's key, like its record; a plain copy only where
    # the worker asks for one (--out), to print or send
    path = folder / f"{name}.age" if sealed else (Path(out).expanduser().resolve() if out else folder / name)
    plain_out = Path(out).expanduser().resolve() if (out and sealed) else None
    if plain_out is not None and plain_out.is_relative_to(ws.root):
        # a plain copy inside the repository would be sent by the next sync, name and ID number readable
        raise InputError("err.letter_out_inside", value=str(plain_out))
    pdf_path = None
    if pdf_data is not None:
        pdf_path = path.with_name(path.name.replace(".docx", ".pdf"))
    inside = path.is_relative_to(ws.root)
    edit = ws.edit(i.id, "zchuyot letter: {id}", commit=False)
    with edit as issue:
        shown = ws.rel(path) if inside else str(path)
        issue.log.append(record("log", date=on, kind="letter", text=f"{template.title}: {shown}", by=worker))
        _write_private(path, ws.root if inside else _existing(path.parent), stored(data))
        if pdf_path is not None and pdf_data is not None:
            _write_private(pdf_path, ws.root if inside else _existing(pdf_path.parent), stored(pdf_data))
        if plain_out is not None:
            _write_private(plain_out, _existing(plain_out.parent), data)
            if pdf_data is not None:
                _write_private(plain_out.with_suffix(".pdf"), _existing(plain_out.parent), pdf_data)
    result = edit.result
    written = [p for p in (path, pdf_path) if p is not None and p.is_relative_to(ws.root)]
    ws.commit([rec.path, *written], f"zchuyot letter: {i.id} ({key})", result)
    result.info.append(("ui.letter_written", {"path": shown}))
    if pdf_path is not None:
        shown_pdf = (plain_out.with_suffix(".pdf") if plain_out is not None else pdf_path)
        result.info.append(("ui.letter_pdf", {"path": ws.rel(shown_pdf) if shown_pdf.is_relative_to(ws.root)
                                              else str(shown_pdf)}))
    if plain_out is not None:
        result.info.append(("ui.letter_plain_copy", {"path": str(plain_out)}))
    elif sealed:
        result.info.append(("ui.letter_sealed", {"id": i.id, "key": key}))
    return result


def to_pdf(docx: bytes) -> bytes:
    """The letter as LibreOffice prints it: headless, in a temporary profile (the worker's own LibreOffice,
    open or not, is never touched), from a private temporary folder removed after."""
    import shutil
    import subprocess
    import tempfile

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise InputError("err.letter_no_pdf")
    with tempfile.TemporaryDirectory(prefix="zchuyot-pdf-") as tmp:
        src = Path(tmp) / "letter.docx"
        src.write_bytes(docx)
        try:
            proc = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
                                   "--convert-to", "pdf", "--outdir", tmp, str(src)], capture_output=True, text=True,
                                  timeout=180, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise InputError("err.letter_pdf_failed", why=type(e).__name__) from None
        made = Path(tmp) / "letter.pdf"
        if proc.returncode != 0 or not made.is_file():
            raise InputError("err.letter_pdf_failed", why=(proc.stderr or proc.stdout).strip()[:120] or "?")
        return made.read_bytes()


def _existing(folder: Path) -> Path:
    """The nearest folder that exists (the new ones under it are made private)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _write_private(path: Path, stop: Path, data: bytes) -> None:
    """Atomically, readable by this worker only (0600; its new folders 0700)."""
    from zchuyot.case.file import make_private_dirs

    make_private_dirs(path.parent, stop)
    write_atomic(path, data)
