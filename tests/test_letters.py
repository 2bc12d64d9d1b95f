"""Letters in Word: filled from the case, right to left in every paragraph and run, private, logged and
committed — read back with python-docx, and looked at through LibreOffice when it is installed."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, issue_path, new_issue, run
from docx import Document
from docx.oxml.ns import qn


def z(ws: Path, *args: str, code: int = 0):
    r = run("--root", str(ws), *args)
    assert r.exit_code == code, (args, r.stdout, r.stderr)
    return r


def commits(ws: Path) -> int:
    return int(subprocess.run(["git", "-C", str(ws), "rev-list", "--count", "HEAD"], capture_output=True,
                              text=True).stdout.strip())


@pytest.fixture
def case(ws: Path) -> tuple[Path, str]:
    """A family with its record and an issue refused by National Insurance, with an open legal clock."""
    z(ws, "family", "add", "f1", "--name", "משפחת לוי", "--id-number", "012345674", "--phone", "050-1234567")
    i = new_issue(ws, subject="קצבת נכות – ועדה רפואית", domain="national_insurance")
    z(ws, "collect", i, "--problem", "הוועדה לא שקלה את חוות הדעת של הרופא המטפל (ד\"ר כהן)",
      "--body", "ביטוח לאומי|רונית (פקידת תביעות)|סניף באר שבע")
    z(ws, "persist", i, "--refusal", "נקבעו 20% נכות בלבד", "--body", 'ב"ל', "--date", "2026-11-10",
      "--deadline", "medical_appeal")
    return ws, i


def paragraphs_and_runs(path: Path) -> tuple[list, list]:
    doc = Document(str(path))
    paras = [p for p in doc.paragraphs]
    runs = [r for p in paras for r in p.runs if r.text.strip()]
    return paras, runs


def test_letter_list_names_every_shipped_template(ws: Path) -> None:
    r = z(ws, "letter", "--list")
    for key, name in (("request", "בקשה"), ("objection", "השגה"), ("appeal", "ערר"),
                      ("floor_above", "פנייה לקומה מעל"), ("waiver", "טופס ויתור סודיות")):
        assert key in r.stdout and name in r.stdout


def test_an_appeal_letter_filled_right_to_left_private_logged_committed(case: tuple[Path, str]) -> None:
    ws, i = case
    n = commits(ws)
    r = z(ws, "letter", i, "--template", "appeal")
    rel = f"cases/dana/f1/letters/{i}-appeal-2026-11-23.docx"
    assert rel in r.stdout
    path = ws / rel
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    paras, runs = paragraphs_and_runs(path)
    text = "\n".join(p.text for p in paras)
    for needed in ("משפחת לוי", "012345674", "10/11/2026", "נקבעו 20% נכות בלבד", "ערר לוועדה רפואית לעררים",
                   "09/01/2027", "23/11/2026", "י״ג כסלו תשפ״ז", "ביטוח לאומי", "רונית (פקידת תביעות)",
                   "הוועדה לא שקלה את חוות הדעת של הרופא המטפל (ד\"ר כהן)", "דנה", "מחלקה לדוגמה"):
        assert needed in text, needed
    assert "{{" not in text and "{%" not in text
    for p in paras:  # every paragraph right to left, starting at the right (no left/right override)
        ppr = p._p.pPr
        assert ppr is not None and ppr.find(qn("w:bidi")) is not None
        jc = ppr.find(qn("w:jc"))
        assert jc is None or jc.get(qn("w:val")) in ("start", "left")
    for run_ in runs:  # every run right to left, with a complex-script font and Hebrew as its bidi language
        rpr = run_._r.rPr
        assert rpr is not None and rpr.find(qn("w:rtl")) is not None, run_.text
        fonts = rpr.find(qn("w:rFonts"))
        assert fonts is not None and fonts.get(qn("w:cs")), run_.text
        assert rpr.find(qn("w:lang")).get(qn("w:bidi")) == "he-IL"
    d = json.loads(z(ws, "show", i, "--json").stdout)
    entry = d["log"][-1]
    assert entry["kind"] == "letter" and rel in entry["text"] and entry["by"] == "dana"
    assert commits(ws) == n + 1
    out = subprocess.run(["git", "-C", str(ws), "show", "--stat", "--format=%s", "HEAD"], capture_output=True,
                         text=True).stdout
    assert f"zchuyot letter: {i} (appeal)" in out and f"{i}-appeal-2026-11-23.docx" in out and f"{i}.yaml" in out
    assert z(ws, "check").exit_code == 0


def test_every_shipped_template_fills_and_the_amount_reads_in_shekels(case: tuple[Path, str]) -> None:
    ws, i = case
    z(ws, "close", i, "--ended", "--benefit", "קצבת נכות", "--amount", "₪3,137,037", "--period", "one_off",
      "--kind", "recovery")
    for key in ("request", "objection", "appeal", "floor_above", "waiver"):
        z(ws, "letter", i, "--template", key, "--date", "2026-11-22")
        text = "\n".join(p.text for p in Document(str(ws / "cases/dana/f1/letters" /
                                                      f"{i}-{key}-2026-11-22.docx")).paragraphs)
        assert "משפחת לוי" in text and "012345674" in text and "{{" not in text, key
        if key in ("request", "appeal"):
            assert "₪3,137,037" in text
        if key == "waiver":
            assert "ביטוח לאומי" in text and "חתימה" in text


def test_a_letter_the_case_cannot_fill_is_refused_with_what_is_missing(ws: Path) -> None:
    i = new_issue(ws)
    before, n = issue_path(ws, i).read_bytes(), commits(ws)
    r = z(ws, "letter", i, "--template", "appeal", code=1)
    assert "תאריך הסירוב" in r.stderr and f"zchuyot persist {i} --refusal" in r.stderr
    assert "שם המשפחה" in r.stderr and "zchuyot family add f1" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert issue_path(ws, i).read_bytes() == before and commits(ws) == n
    assert not (ws / "cases" / "dana" / "f1" / "letters").exists()
    r = z(ws, "letter", i, "--template", "apeal", code=1)
    assert "appeal" in r.stderr and "ערר" in r.stderr
    r = z(ws, "letter", i, "--template", "request", "--to", "ביטוח לאומיי", code=1)
    assert "אולי הכוונה ל-ביטוח לאומי" in r.stderr
    r = z(ws, "letter", i, "--template", "request", "--out", str(ws / "x.pdf"), code=1)
    assert ".docx" in r.stderr
    z(ws, "letter", i, code=2)
    assert issue_path(ws, i).read_bytes() == before and commits(ws) == n


def test_a_workspaces_own_template_overrides_the_shipped_one(case: tuple[Path, str]) -> None:
    ws, i = case
    own = ws / "templates" / "letters"
    own.mkdir(parents=True)
    doc = Document(str(REPO / "templates" / "letters" / "request.docx"))
    doc.core_properties.title = "בקשה – נוסח המחלקה"
    dated = next(p for p in doc.paragraphs if p.text.startswith("{{ date }}"))
    dated.runs[0].text = "נוסח המחלקה {{ date }}"
    doc.save(str(own / "request.docx"))
    assert "בקשה – נוסח המחלקה" in z(ws, "letter", "--list").stdout
    z(ws, "letter", i, "--template", "request")
    text = _text(ws / "cases/dana/f1/letters" / f"{i}-request-2026-11-23.docx")
    assert "נוסח המחלקה 23/11/2026" in text


def test_letters_stay_with_the_family_and_out_of_the_anonymised_export(case: tuple[Path, str]) -> None:
    ws, i = case
    z(ws, "letter", i, "--template", "appeal")
    out = z(ws, "export", "--anonymize").stdout
    assert "012345674" not in out and "משפחת לוי" not in out
    z(ws, "close", i, "--ended")
    z(ws, "purge", "f1", "--yes", "--before-retention", "family_request")
    assert not (ws / "cases" / "dana" / "f1").exists()


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) and poppler (pdftotext) are not installed: the PDF check needs them")
def test_libreoffice_reads_each_letter_right_to_left_with_every_number_in_place(case: tuple[Path, str],
                                                                               tmp_path: Path) -> None:
    ws, i = case
    z(ws, "close", i, "--ended", "--benefit", "קצבת נכות", "--amount", "₪3,137,037", "--period", "one_off",
      "--kind", "recovery")
    keys = ("request", "objection", "appeal", "floor_above", "waiver")
    for key in keys:
        z(ws, "letter", i, "--template", key, "--out", str(tmp_path / f"{key}.docx"))
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *(str(tmp_path / f"{k}.docx") for k in keys)],
                   check=True, capture_output=True, timeout=240)
    for key in keys:
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / f"{key}.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        # numbers keep their own order inside the Hebrew lines: never reversed
        assert "012345674" in text and "476543210" not in text, key
        assert "23/11/2026" in text and "6202/11/32" not in text, key
        if key in ("request", "appeal"):
            assert "3,137,037" in text, key
        if key == "request":
            assert "050-1234567" in text
        # the Hebrew lines are right-aligned: the layout puts them at the page's right (leading spaces)
        lines = [ln for ln in text.splitlines() if "משפחת לוי" in ln or "לוי משפחת" in ln]
        assert lines and all(len(ln) - len(ln.lstrip()) > 0 or len(ln) > 60 for ln in lines), key


# ------------------------------------------------------------------ letters as they go out (issue 28)
def _text(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs).replace("\u2060", "")  # (word joiners)


def _office(ws: Path) -> None:
    """The department's letterhead in its settings, the body's postal address and fax in the directory."""
    settings = ws / ".zchuyot.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "letterhead:\n"
                        "  name: המחלקה לשירותים חברתיים – עיר לדוגמה\n"
                        "  address: רחוב העצמאות 1, עיר לדוגמה\n  phone: 08-6000000\n  fax: 08-6000001\n"
                        "  email: rivcha@example.org\n", encoding="utf-8")
    bodies = ws / "directory" / "bodies.yaml"
    text = bodies.read_text(encoding="utf-8") if bodies.exists() else ""
    assert "national_insurance" in text or not text
    z(ws, "body", "contact", "national_insurance", "--person", "רונית (פקידת תביעות)", "--role", "סניף באר שבע")
    z(ws, "body", "edit", "ביטוח לאומי", "--address", "שדרות שז\"ר 31, באר שבע", "--fax", "08-6295500")
    assert "fax: 08-6295500" in bodies.read_text(encoding="utf-8")
    assert z(ws, "body", "edit", "ביטוח לאומי", "--fax", "abc", code=1)


def test_letters_go_out_as_an_office_sends_them(case: tuple[Path, str], tmp_path: Path) -> None:
    from docx.shared import Mm

    ws, i = case
    _office(ws)
    z(ws, "family", "add", "f1", "--gender", "female", "--address", "רחוב הגפן 3, דימונה")
    z(ws, "collect", i, "--claim-number", "12-3456789", "--history", "refused", "--barrier-kind", "documents",
      "--barrier", "המסמכים מהרופא המטפל לא הוגשו לוועדה")
    z(ws, "treat", i, "שוחחתי עם פקידת התביעות: הערר יידון אם יוגש עם חוות הדעת", "--kind", "call")
    z(ws, "treat", i, "פנימי: האב לא משתף פעולה", "--kind", "note")  # not picked: never in a letter
    settings = ws / ".zchuyot.yaml"
    assert "letterhead" in settings.read_text(encoding="utf-8")
    pdf = tmp_path / "refusal.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    z(ws, "attach", i, str(pdf), "--kind", "refusal", "--date", "2026-11-10", "--note", "מכתב ההחלטה")
    log = json.loads(z(ws, "show", i, "--json").stdout)["log"]
    call = next(n for n, e in enumerate(log, 1) if e["kind"] == "call")
    for key in ("request", "objection", "appeal", "floor_above", "waiver"):
        z(ws, "letter", i, "--template", key, "--include", str(call), "--attach", "1", "--copy", "המשפחה",
          "--copy", "עו\"ס מיצוי זכויות")
        path = ws / f"cases/dana/f1/letters/{i}-{key}-2026-11-23.docx"
        doc = Document(str(path))
        section = doc.sections[0]
        assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1), key  # A4
        text = _text(path)
        assert "{{" not in text and "{%" not in text, key
        assert "המחלקה לשירותים חברתיים – עיר לדוגמה" in text and "פקס 08-6000001" in text, key  # the letterhead
        assert "פנימי" not in text and "האב לא משתף" not in text, key  # a log entry not picked
        if key == "waiver":
            assert "• ביטוח לאומי" in text and "משפחת לוי – ת\"ז 012345674" in text
            continue
        assert "לידי רונית (פקידת תביעות), סניף באר שבע" in text and "פקס 08-6295500" in text, key  # the addressee
        assert "תיק מס' 12-3456789" in text, key
        assert "שוחחתי עם פקידת התביעות" in text, key  # the entry picked
        assert "מצורפים:" in text and "1. מכתב סירוב – 10/11/2026 – מכתב ההחלטה" in text, key
        assert "העתק:" in text and "עו\"ס מיצוי זכויות" in text, key
        if key in ("request", "appeal"):
            assert "רחוב הגפן 3, דימונה" in text, key  # the family's address from its record
        if key == "appeal":
            assert "זכותה של משפחת לוי" in text and "זכותו/ה" not in text
            assert "ערר לוועדה רפואית לעררים" in text  # the appeal's clock
        if key == "objection":
            assert "ערר לוועדה רפואית" not in text  # an objection never cites the appeal's clock
    z(ws, "family", "edit", "f1", "--gender", "male")
    z(ws, "letter", i, "--template", "appeal", "--date", "2026-11-22")
    assert "זכותו של משפחת לוי" in _text(ws / f"cases/dana/f1/letters/{i}-appeal-2026-11-22.docx")
    r = z(ws, "letter", i, "--template", "appeal", "--include", "99", code=1)
    assert "99" in r.stderr


def test_the_description_never_goes_into_a_letter(ws: Path) -> None:
    z(ws, "family", "add", "f1", "--name", "משפחת כהן", "--id-number", "012345674")
    i = new_issue(ws, "--description", "אם לחמישה, בעל בכלא", subject="חוב לחברת החשמל – ניתוק צפוי",
                  domain="debts")
    z(ws, "collect", i, "--problem", "חוב של שנתיים בגלל הכנסה שנפגעה", "--body", "חברת החשמל")
    z(ws, "letter", i, "--template", "request")
    text = _text(ws / f"cases/dana/f1/letters/{i}-request-2026-11-23.docx")
    assert "בכלא" not in text and "חוב של שנתיים" in text
    assert "למימוש הזכות" not in text and "זכותו/ה" not in text


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdfinfo") is None,
                    reason="LibreOffice (soffice) and poppler (pdfinfo) are not installed: the PDF check needs them")
def test_a_letter_with_its_pdf_on_a4(case: tuple[Path, str], tmp_path: Path) -> None:
    ws, i = case
    r = z(ws, "letter", i, "--template", "appeal", "--pdf")
    pdf = ws / f"cases/dana/f1/letters/{i}-appeal-2026-11-23.pdf"
    assert str(pdf.relative_to(ws)) in r.stdout and pdf.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "A4" in info, info
    out = subprocess.run(["git", "-C", str(ws), "show", "--stat", "--format=%s", "HEAD"], capture_output=True,
                         text=True).stdout
    assert f"{i}-appeal-2026-11-23.pdf" in out and f"{i}-appeal-2026-11-23.docx" in out


def test_no_pdf_without_libreoffice_and_nothing_written(case: tuple[Path, str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ws, i = case
    n = commits(ws)
    which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name in ("soffice", "libreoffice")
                        else which(name, *a, **k))  # a computer without LibreOffice
    r = z(ws, "letter", i, "--template", "appeal", "--pdf", code=1)
    assert "LibreOffice" in r.stderr and commits(ws) == n
    assert not (ws / "cases" / "dana" / "f1" / "letters").exists()


def test_the_letterhead_carries_the_departments_logo(case: tuple[Path, str]) -> None:
    import base64

    ws, i = case
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAA"
                           "AABJRU5ErkJggg==")  # a 1 × 1 PNG
    (ws / "templates").mkdir(exist_ok=True)
    (ws / "templates" / "logo.png").write_bytes(png)
    settings = ws / ".zchuyot.yaml"
    base = settings.read_text(encoding="utf-8")
    settings.write_text(base + "letterhead:\n  name: המחלקה\n  logo: templates/logo.png\n", encoding="utf-8")
    z(ws, "letter", i, "--template", "appeal")
    doc = Document(str(ws / f"cases/dana/f1/letters/{i}-appeal-2026-11-23.docx"))
    assert len(doc.inline_shapes) == 1  # the logo, an image in the letter
    for bad in ("../../etc/passwd", "cases/dana/f1/family.yaml"):  # a path from the settings: inside, an image
        settings.write_text(base + f"letterhead:\n  logo: {bad}\n", encoding="utf-8")
        r = z(ws, "letter", i, "--template", "appeal", "--date", "2026-11-22", code=1)
        assert "logo" in r.stderr
