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
    "grounds": "zchuyot collect {id} --problem \"...\"",
    "description": "zchuyot new … --description / zchuyot collect {id} --problem \"...\"",
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


def context(ws: Workspace, rec: Any, to: str | None, on: dt.date) -> dict[str, Any]:
    """Everything a letter may say, from the family's record, the issue, the directory, the worker and the
    date — only what the case has (a missing value is never an empty string in a letter)."""
    from zchuyot.case.rules import open_clocks, waiver_needs
    from zchuyot.practice import directory

    i = rec.issue
    from zchuyot.practice.core import get_family

    fam = get_family(ws, i.family, "letter")
    names = directory.names(ws)
    info = ws.worker_info()
    refusals = [e for e in i.corrected_log if e.kind == "refusal"]
    last = max(refusals, key=lambda e: (e.date, e.n)) if refusals else None
    clocks = sorted(open_clocks(i), key=lambda d: d.due)
    body = to or (last.body if last is not None and last.body else None) or \
        next((b.org for b in i.bodies if b.org), None)
    ctx: dict[str, Any] = {
        "date": on.strftime("%d/%m/%Y"),
        "hebrew_date": _hebrew_date(on),
        "subject": i.subject,
        "right": i.right or i.subject,
        "description": i.description or i.need or i.problem,
        "grounds": i.problem or (i.barrier.where if i.barrier is not None else None) or i.description,
        "department": ws.settings.get("department") or _default_department(),
        "worker_name": info["name"],
        "worker_role": _role(info["role"]),
    }
    if fam is not None:
        ctx.update(family_name=fam.name, id_number=fam.id_number, phone=fam.phone)
    if body:
        canon = names.canonical(body)
        ctx["body"] = canon
        contact = next((b.contact for b in i.bodies if b.org and names.canonical(b.org) == canon and b.contact),
                       None)
        if contact is None:
            try:
                people = directory.find_body(ws, canon).contacts
                contact = people[0].person if people else None
            except InputError:
                contact = None
        ctx["body_contact"] = contact
    if last is not None:
        ctx.update(refusal_date=last.date.strftime("%d/%m/%Y"), refusal_text=last.text)
    if clocks:
        ctx.update(clock_name=clocks[0].name or clocks[0].key, clock_due=clocks[0].due.strftime("%d/%m/%Y"))
    if i.outcome is not None and i.outcome.amount:
        ctx["amount"] = _shekel(i.outcome.amount)
    needs = [names.canonical(n) if not n.startswith("p:") else n[2:] for n in waiver_needs(i)]
    bodies = list(dict.fromkeys([*(names.canonical(b.org) for b in i.bodies if b.org), *needs]))
    if bodies:
        partners = {p.key: p.name for p in directory.partners(ws)}
        ctx["waiver_bodies"] = "; ".join(partners.get(b, b) for b in bodies)
    return {k: v for k, v in ctx.items() if v not in (None, "")}


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
        tpl.render(ctx, jinja_env=jinja2.Environment(undefined=Recording, autoescape=True))
    except (jinja2.TemplateError, KeyError, ValueError, OSError) as e:
        raise InputError("err.letter_template", key=template.key, why=f"{type(e).__name__}: {e}") from None
    except Exception as e:  # noqa: BLE001 — a file that is not a Word document, a broken zip
        raise InputError("err.letter_template", key=template.key, why=type(e).__name__) from None
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue(), list(dict.fromkeys(missing))


def write_letter(ws: Workspace, issue_id: str, key: str, to: str | None = None, out: str | None = None,
                 date: str | None = None) -> WriteResult:
    """The letter written, logged and committed; nothing written when a placeholder cannot be filled."""
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
    data, missing = render(template, context(ws, rec, to, on))
    if missing:
        from zchuyot.text.labels import t

        how = "; ".join(dict.fromkeys(HOW_TO_FILL.get(m, m).format(id=i.id, family=i.family) for m in missing))
        raise InputError("err.letter_missing", key=key, missing=", ".join(t(f"ph.{m}") for m in missing), how=how)
    from zchuyot.workspace import keys

    folder = ws.root / CASES / rec.worker_dir / i.family / LETTERS_DIR
    name = f"{i.id}-{key}-{on.isoformat()}.docx"
    sealed = keys.encryption_on(ws)
    if sealed:
        # the repository's copy encrypted with the family's key, like its record; a plain copy only where
        # the worker asks for one (--out), to print or send
        import pyrage

        copy = pyrage.encrypt(data, [keys.open_family_key(ws, i.family).to_public()])
        path, stored = folder / f"{name}.age", copy
    else:
        path, stored = (Path(out).expanduser().resolve() if out else folder / name), data
    plain_out = Path(out).expanduser().resolve() if (out and sealed) else None
    if plain_out is not None and plain_out.is_relative_to(ws.root):
        # a plain copy inside the repository would be sent by the next sync, name and ID number readable
        raise InputError("err.letter_out_inside", value=str(plain_out))
    inside = path.is_relative_to(ws.root)
    edit = ws.edit(i.id, "zchuyot letter: {id}", commit=False)
    with edit as issue:
        shown = ws.rel(path) if inside else str(path)
        issue.log.append(record("log", date=on, kind="letter", text=f"{template.title}: {shown}", by=worker))
        _write_private(path, ws.root if inside else _existing(path.parent), stored)
        if plain_out is not None:
            _write_private(plain_out, _existing(plain_out.parent), data)
    result = edit.result
    ws.commit([rec.path, *([path] if inside else [])], f"zchuyot letter: {i.id} ({key})", result)
    result.info.append(("ui.letter_written", {"path": shown}))
    if plain_out is not None:
        result.info.append(("ui.letter_plain_copy", {"path": str(plain_out)}))
    elif sealed:
        result.info.append(("ui.letter_sealed", {"id": i.id, "key": key}))
    return result


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
