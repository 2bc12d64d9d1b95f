"""Builds the shipped letter templates (templates/letters/*.docx) with python-docx — right to left done
properly: every paragraph `w:bidi` (so it starts at the right), every run `w:rtl` with a Hebrew complex-script font
and `w:lang w:bidi="he-IL"`. Each {{ placeholder }} is a run of its own, so the rights worker can move or
reword the text in Word and docxtpl still finds them. The Hebrew name of a template is its document title
(Word: File → Info → Properties), which `zchuyot letter --list` shows.

Usage: python scripts/make_letters.py   (from the repository root; rewrites templates/letters/)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "Arial"  # has Hebrew in Word on Windows; LibreOffice maps it to Liberation Sans (Hebrew too)

# the department's letterhead (`letterhead:` in its settings: name, address, phone, fax, e-mail)
LETTERHEAD = [
    "{%p if lh_logo %}",
    "{{ lh_logo }}",
    "{%p endif %}",
    "**{{ lh_name }}**",
    "{% if lh_address %}{{ lh_address }}{% endif %}{% if lh_phone %} · טל' {{ lh_phone }}{% endif %}"
    "{% if lh_fax %} · פקס {{ lh_fax }}{% endif %}{% if lh_email %} · {{ lh_email }}{% endif %}",
    "",
]
DATE = ["{{ date }}{% if hebrew_date %} ({{ hebrew_date }}){% endif %}", ""]
# the addressee from the directory: the body, its contact person and role, its postal address and fax
TO = [
    "לכבוד",
    "{{ body }}",
    "{% if body_contact %}לידי {{ body_contact }}{% if body_contact_role %}, {{ body_contact_role }}{% endif %}"
    "{% endif %}",
    "{% if body_address %}{{ body_address }}{% endif %}{% if body_fax %}{% if body_address %} · {% endif %}"
    "פקס {{ body_fax }}{% endif %}",
    "",
]
ABOUT = "{{ family_name }}, ת\"ז {{ id_number }}{% if claim_number %}, תיק מס' {{ claim_number }}{% endif %}"
GROUNDS = ["{%p for line in grounds %}", "• {{ line }}", "{%p endfor %}"]
ATTACHED = ["{%p if attachments %}", "", "**מצורפים:**", "{%p for a in attachments %}", "{{ loop.index }}. {{ a }}",
            "{%p endfor %}", "{%p endif %}"]
SIGN_OFF = ["", "בברכה,", "", "{{ worker_name }}", "{{ worker_role }}, {{ department }}",
            "{% if worker_phone %}טל' {{ worker_phone }}{% endif %}{% if worker_email %}"
            "{% if worker_phone %} · {% endif %}{{ worker_email }}{% endif %}"]
COPIES = ["{%p if copies %}", "", "העתק:", "{%p for c in copies %}", "{{ c }}", "{%p endfor %}", "{%p endif %}"]

LETTERS: dict[str, tuple[str, list[str]]] = {
    # to the body that decides, before any decision: what is asked and why — never the worker's own notes
    "request": ("בקשה", [
        *LETTERHEAD, *DATE, *TO,
        f"**הנדון: בקשה בעניין {{{{ subject }}}} – {ABOUT}**",
        "",
        "שלום רב,",
        "אני פונה אליכם בשם {{ g.title }} {{ family_name }} (ת\"ז {{ id_number }}{% if address %}, {{ address }}"
        "{% endif %}{% if phone %}, טל' {{ phone }}{% endif %}), שהמחלקה לשירותים חברתיים"
        " מלווה, בבקשה לטפל בעניין: {{ subject }}{% if right %} – {{ right }}{% endif %}.",
        "{%p if grounds %}",
        "רקע לבקשה:",
        *GROUNDS,
        "{%p endif %}",
        "{% if amount %}הסכום הנדון: {{ amount }}.{% endif %}",
        "נבקש לבחון את הבקשה ולהשיב בכתב בתוך 30 יום. אם נדרשים מסמכים נוספים, נודה אם תפרטו אילו,"
        " ונדאג להמציא אותם.",
        *ATTACHED, *SIGN_OFF, *COPIES,
    ]),
    # to the body that decided: reconsider your own decision (השגה), in the time its law gives
    "objection": ("השגה", [
        *LETTERHEAD, *DATE, *TO,
        f"**הנדון: השגה על החלטתכם מיום {{{{ refusal_date }}}} – {ABOUT}**",
        "",
        "שלום רב,",
        "ביום {{ refusal_date }} התקבלה החלטתכם בעניין {{ subject }}: \"{{ refusal_text }}\".",
        "{{ g.consent }} של {{ family_name }}, אנו משיגים על ההחלטה ומבקשים לשוב ולבחון אותה, מהטעמים"
        " האלה:{{ '' if grounds else grounds }}",
        *GROUNDS,
        "{% if clock_due %}ההשגה מוגשת בתוך המועד הקבוע לכך ({{ clock_name }} – עד {{ clock_due }}).{% endif %}",
        "נבקש לקבל את החלטתכם המנומקת בכתב. נשמח להעביר כל מסמך נוסף שיידרש.",
        *ATTACHED, *SIGN_OFF, *COPIES,
    ]),
    # to the appeals committee or tribunal: the decision, in time, its grounds, what is asked
    "appeal": ("ערר", [
        *LETTERHEAD, *DATE, *TO,
        f"**הנדון: ערר על ההחלטה מיום {{{{ refusal_date }}}} – {ABOUT}**",
        "",
        "שלום רב,",
        "בשם {{ g.title }} {{ family_name }} (ת\"ז {{ id_number }}{% if address %}, {{ address }}{% endif %})"
        " ו{{ g.consent }}, מוגש בזה ערר על ההחלטה"
        " מיום {{ refusal_date }} בעניין {{ subject }}, שבה נקבע: \"{{ refusal_text }}\".",
        "הערר מוגש בתוך המועד: {{ clock_name }} – עד {{ clock_due }}.",
        "טעמי הערר:{{ '' if grounds else grounds }}",
        *GROUNDS,
        "{% if amount %}הסכום הנדון: {{ amount }}.{% endif %}",
        "אשר על כן נבקש לקבל את הערר, לבטל את ההחלטה ולהכיר ב{{ g.right_of }} של {{ family_name }}"
        "{% if right %} ל{{ right }}{% endif %}.",
        *ATTACHED, *SIGN_OFF, *COPIES,
    ]),
    # to the one above the clerk who said no: look at it yourself, decide
    "floor_above": ("פנייה לקומה מעל", [
        *LETTERHEAD, *DATE, *TO,
        f"**הנדון: בקשה להכרעתכם בעניין {{{{ subject }}}} – {ABOUT}**",
        "",
        "שלום רב,",
        "ביום {{ refusal_date }} השיבו ל{{ family_name }} בעניין {{ subject }}: \"{{ refusal_text }}\".",
        "לדעתנו התשובה אינה מביאה בחשבון את מצבה של המשפחה:{{ '' if grounds else grounds }}",
        *GROUNDS,
        "אנו פונים אליכם, כממונים, בבקשה לבחון את הדברים בעצמכם ולהכריע בבקשה. נשמח לשיחה או לפגישה,"
        " ונעביר כל מסמך שיידרש.",
        "{% if clock_due %}לתשומת לבכם: המועד להגשת {{ clock_name }} הוא {{ clock_due }}.{% endif %}",
        *ATTACHED, *SIGN_OFF, *COPIES,
    ]),
    # for the family to sign: each body on its own line, a signature line for each adult of the household
    "waiver": ("טופס ויתור סודיות", [
        *LETTERHEAD, *DATE,
        "**טופס ויתור סודיות והסכמה להעברת מידע**",
        "",
        "אנו, בני המשפחה ({{ family_name }}) החתומים מטה, מסכימים ש{{ department }} ומי שפועל מטעמה יקבלו"
        " מהגופים שלהלן, ויעבירו אליהם, מידע עלינו ככל שנדרש לטיפול בעניין {{ subject }}:",
        "{%p for b in waiver_bodies %}",
        "• {{ b }}",
        "{%p endfor %}",
        "ידוע לנו שכל אחד מאיתנו רשאי לבטל את הסכמתו בכל עת, בהודעה למחלקה.",
        "",
        "{%p for s in signers %}",
        "{{ s.name }} – ת\"ז {{ s.id or '______________' }}   חתימה ______________   תאריך ____________",
        "",
        "{%p endfor %}",
        "העובד/ת: {{ worker_name }}, {{ worker_role }}",
    ]),
}


def _rtl_paragraph(doc: Document, text: str) -> None:
    p = doc.add_paragraph()
    # no w:jc: a bidi paragraph starts at the right by itself — Word and LibreOffice read "jc=right" in a
    # bidi paragraph as its end, the left (looked at in LibreOffice's PDF: every line was on the left)
    ppr = p._p.get_or_add_pPr()
    bidi = OxmlElement("w:bidi")
    ppr.insert(0, bidi)
    bold = text.startswith("**") and text.endswith("**")
    if bold:
        text = text[2:-2]
    # each {{ placeholder }} and {% tag %} a run of its own; the text between, runs too
    for piece in (x for x in re.split(r"({{.*?}}|{%.*?%})", text) if x):
        run = p.add_run(piece)
        run.bold = bold or None
        rpr = run._r.get_or_add_rPr()
        fonts = OxmlElement("w:rFonts")
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attr), FONT)
        rpr.insert(0, fonts)
        if bold:
            rpr.append(OxmlElement("w:bCs"))
        size = OxmlElement("w:szCs")
        size.set(qn("w:val"), "24")
        rpr.append(size)
        rpr.append(OxmlElement("w:rtl"))
        lang = OxmlElement("w:lang")
        lang.set(qn("w:bidi"), "he-IL")
        rpr.append(lang)


def build(key: str, title: str, lines: list[str], out: Path) -> None:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    doc.core_properties.title = title
    doc.core_properties.subject = f"zchuyot letter: {key}"
    section = doc.sections[0]
    # A4, with the margins an Israeli office letter has (python-docx's default page is US Letter)
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    section.left_margin, section.right_margin = Mm(25), Mm(25)
    section.right_to_left = True if hasattr(section, "right_to_left") else None
    sect = section._sectPr
    sect.append(OxmlElement("w:bidi"))
    for line in lines:
        _rtl_paragraph(doc, line)
    doc.save(out)


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    folder = root / "templates" / "letters"
    folder.mkdir(parents=True, exist_ok=True)
    for key, (title, lines) in LETTERS.items():
        build(key, title, lines, folder / f"{key}.docx")
        print(folder / f"{key}.docx")


if __name__ == "__main__":
    main()
