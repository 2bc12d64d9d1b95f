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
from docx.shared import Pt

FONT = "Arial"  # has Hebrew in Word on Windows; LibreOffice maps it to Liberation Sans (Hebrew too)
SIGN_OFF = ["בברכה,", "{{ worker_name }}", "{{ worker_role }}", "{{ department }}"]
HEADER = ["{{ date }}{% if hebrew_date %} ({{ hebrew_date }}){% endif %}", "", "לכבוד", "{{ body }}",
          "{% if body_contact %}לידי {{ body_contact }}{% endif %}", ""]

LETTERS: dict[str, tuple[str, list[str]]] = {
    "request": ("בקשה", [
        *HEADER,
        "**הנדון: בקשה בעניין {{ subject }} – {{ family_name }}, ת\"ז {{ id_number }}**",
        "",
        "שלום רב,",
        "אני פונה אליכם בשם {{ family_name }} (ת\"ז {{ id_number }}{% if phone %}, טלפון {{ phone }}{% endif %}),"
        " המלווה על ידי המחלקה לשירותים חברתיים, בבקשה למימוש הזכות: {{ right }}.",
        "{{ description }}",
        "{% if amount %}הסכום הנדון: {{ amount }}.{% endif %}",
        "נבקש לבחון את הבקשה ולהשיב בכתב בתוך 30 יום. אם נדרשים מסמכים נוספים, נודה אם תפרטו אילו,"
        " ונדאג להמציא אותם.",
        "",
        *SIGN_OFF,
    ]),
    "objection": ("השגה", [
        *HEADER,
        "**הנדון: השגה על החלטתכם מיום {{ refusal_date }} – {{ family_name }}, ת\"ז {{ id_number }}**",
        "",
        "שלום רב,",
        "ביום {{ refusal_date }} התקבלה החלטתכם בעניין {{ subject }}: \"{{ refusal_text }}\".",
        "בשם {{ family_name }} ובהסכמתו/ה, אנו משיגים על ההחלטה ומבקשים לשוב ולבחון אותה, מהטעמים האלה:",
        "{{ grounds }}",
        "{% if clock_due %}ההשגה מוגשת בתוך המועד הקבוע לכך ({{ clock_name }} – עד {{ clock_due }}).{% endif %}",
        "נבקש לקבל את החלטתכם המנומקת בכתב. נשמח להעביר כל מסמך נוסף שיידרש.",
        "",
        *SIGN_OFF,
    ]),
    "appeal": ("ערר", [
        *HEADER,
        "**הנדון: ערר על ההחלטה מיום {{ refusal_date }} – {{ family_name }}, ת\"ז {{ id_number }}**",
        "",
        "שלום רב,",
        "בשם {{ family_name }} (ת\"ז {{ id_number }}) מוגש בזה ערר על ההחלטה מיום {{ refusal_date }}"
        " בעניין {{ subject }}, שבה נקבע: \"{{ refusal_text }}\".",
        "הערר מוגש בתוך המועד: {{ clock_name }} – עד {{ clock_due }}.",
        "טעמי הערר:",
        "{{ grounds }}",
        "{% if amount %}הסכום הנדון: {{ amount }}.{% endif %}",
        "אשר על כן נבקש לקבל את הערר, לבטל את ההחלטה ולהכיר בזכותו/ה של {{ family_name }} ל{{ right }}.",
        "",
        *SIGN_OFF,
    ]),
    "floor_above": ("פנייה לקומה מעל", [
        *HEADER,
        "**הנדון: בקשה להכרעתכם – {{ subject }} – {{ family_name }}, ת\"ז {{ id_number }}**",
        "",
        "שלום רב,",
        "ביום {{ refusal_date }} השיבו ל{{ family_name }} בעניין {{ subject }}: \"{{ refusal_text }}\".",
        "לדעתנו התשובה אינה מביאה בחשבון את מצבה של המשפחה: {{ grounds }}",
        "אנו פונים אליכם, כממונים, בבקשה לבחון את הדברים בעצמכם ולהכריע בבקשה. נשמח לשיחה או לפגישה,"
        " ונעביר כל מסמך שיידרש.",
        "{% if clock_due %}לתשומת לבכם: המועד להגשת {{ clock_name }} הוא {{ clock_due }}.{% endif %}",
        "",
        *SIGN_OFF,
    ]),
    "waiver": ("טופס ויתור סודיות", [
        "{{ date }}{% if hebrew_date %} ({{ hebrew_date }}){% endif %}",
        "",
        "**טופס ויתור סודיות**",
        "",
        "אני, {{ family_name }}, ת\"ז {{ id_number }}, מסכים/ה ש{{ department }}"
        " ומי שפועל מטעמה יקבלו מהגופים שלהלן ויעבירו אליהם מידע עליי ועל בני משפחתי, ככל שנדרש לטיפול"
        " בעניין {{ subject }}:",
        "{{ waiver_bodies }}",
        "ידוע לי שאני רשאי/ת לבטל את הסכמתי בכל עת, בהודעה למחלקה.",
        "",
        "חתימה: ____________________     תאריך: ______________",
        "",
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
