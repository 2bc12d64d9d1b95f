"""Hebrew exactly as Unicode says (issue 26): the visual mode against references nobody here wrote —
Unicode's own conformance file (`BidiCharacterTest.txt`, Debian's `unicode-data`) and GNU FriBidi's command
line (`fribidi`, Debian's `libfribidi-bin`) — and written-out expectations for cells and sentences. Each
test skips with its reason where its reference is not installed."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from zchuyot.text import fribidi, rtl

CONFORMANCE = Path("/usr/share/unicode/BidiCharacterTest.txt")
MIRRORING = Path("/usr/share/unicode/BidiMirroring.txt")
ISOLATES = {ord(c): None for c in "\u2066\u2067\u2068\u2069"}
needs_fribidi = pytest.mark.skipif(not fribidi.available(),
                                   reason="GNU FriBidi's library (libfribidi0) is not installed")


@needs_fribidi
@pytest.mark.skipif(not CONFORMANCE.is_file() or not MIRRORING.is_file(),
                    reason="Unicode's BidiCharacterTest.txt (Debian's unicode-data) is not installed")
def test_visual_order_passes_unicodes_conformance_file() -> None:
    """Every right-to-left row (paragraph direction 1, and 2 where it resolves to RTL): the line in visual
    order equals the file's order of its characters, mirrored where the file's level is odd (rule L4) —
    after removing what UAX #9 removes (levels `x`) and the isolate controls. ≥ 99.9 %, no crash."""
    mirror = {}
    for line in MIRRORING.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            a, b = (x.strip() for x in line.split(";"))
            mirror[int(a, 16)] = int(b, 16)
    ok = total = 0
    wrong = []
    for line in CONFORMANCE.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split(";")
        cps = [int(x, 16) for x in fields[0].split()]
        direction, level, levels = int(fields[1]), int(fields[2]), fields[3].split()
        if not (direction == 1 or direction == 2 and level == 1):
            continue
        order = [int(x) for x in fields[4].split()]
        expected = "".join(chr(mirror.get(cps[i], cps[i]) if int(levels[i]) % 2 else cps[i]) for i in order)
        gone = {chr(cps[i]) for i, lv in enumerate(levels) if lv == "x"}
        got = rtl.visual("".join(map(chr, cps)), paragraph_rtl=True)
        got = "".join(c for c in got if c not in gone)
        # FriBidi also shapes Arabic (presentation forms): the same letters for this comparison
        got = "".join(unicodedata.normalize("NFKC", c) if "\ufb50" <= c <= "\ufeff" else c for c in got)
        total += 1
        if got.translate(ISOLATES) == expected.translate(ISOLATES):
            ok += 1
        elif len(wrong) < 5:
            wrong.append(fields[0])
    assert total > 45_000
    assert ok / total >= 0.999, (ok, total, wrong)


# the generated Hebrew lines: a Hebrew word, a Latin code, a number, a date, a phone, an amount, a percent, a
# word with niqqud — with and without one bracket pair around one of them
TOKENS = ["ליווי", "משפחה", "NI", "f102", "3", "23/11/2026", "050-1234567", "₪310", "25%", "שָׁלוֹם"]


def generated() -> list[str]:
    lines = []
    for a, b, c in itertools.permutations(TOKENS, 3):
        if not any(rtl.has_hebrew(t) for t in (a, b, c)):
            continue
        lines.append(f"{a} {b} {c}")
        lines.append(f"{a} ({b}) {c}")
        lines.append(f"({a} {b}) {c}")
    return lines


@needs_fribidi
@pytest.mark.skipif(shutil.which("fribidi") is None,
                    reason="GNU FriBidi's command line (libfribidi-bin) is not installed")
def test_table_cells_read_as_fribidi_shows_them() -> None:
    lines = generated()
    shown = subprocess.run(["fribidi", "--nopad", "--nobreak", "--rtl"], input="\n".join(lines) + "\n",
                           capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(shown) == len(lines) > 1500
    wrong = [(x, rtl.visual(x), y) for x, y in zip(lines, shown, strict=True) if rtl.visual(x) != y]
    assert not wrong, wrong[:5]


@needs_fribidi
@pytest.mark.skipif(shutil.which("fribidi") is None,
                    reason="GNU FriBidi's command line (libfribidi-bin) is not installed")
def test_sentences_of_words_codes_and_numbers_read_as_fribidi_shows_them() -> None:
    """Sentences go through isolate_latin first: for plain words, codes, numbers, dates, phones, amounts and
    brackets it isolates nothing that UAX #9 orders well — the display is fribidi's, line for line."""
    lines = [*generated(), *(f"{a} {b} ({c})" for a, b, c in itertools.permutations([*TOKENS, "Café"], 3)
                            if any(rtl.has_hebrew(t) for t in (a, b, c)))]
    shown = subprocess.run(["fribidi", "--nopad", "--nobreak", "--rtl"], input="\n".join(lines) + "\n",
                           capture_output=True, text=True, check=True).stdout.splitlines()
    wrong = [(x, y) for x, y in zip(lines, shown, strict=True) if rtl.visual(rtl.isolate_latin(x)) != y]
    assert not wrong, wrong[:5]


# written out by hand (what a reader sees, right to left), not computed by the code under test
CELLS = {
    "ליווי (NI) 3 פעמים": "םימעפ 3 (NI) יוויל",
    "משפחה f102 (3 ילדים)": "(םידלי 3) f102 החפשמ",
    "הנחה בארנונה ₪310": "₪310 הנונראב החנה",
    "טלפון 050-1234567 ב-23/11/2026": "23/11/2026-ב 050-1234567 ןופלט",
}
SENTENCES = {
    'להריץ zchuyot persist ID --refusal "מה נאמר" ולנסות שוב.':
        '.בוש תוסנלו zchuyot persist ID --refusal "רמאנ המ" ץירהל',
    'יש לבחור אחד: --refusal "מה נאמר", --escalate "לאן פנית".':
        '.--escalate "תינפ ןאל" ,--refusal "רמאנ המ" :דחא רוחבל שי',
    "יש להקליד מספר בין 1 ל-10": "10-ל 1 ןיב רפסמ דילקהל שי",
    "(משפחה f102) 3": "3 (f102 החפשמ)",
    "(משפחה) NI": "NI (החפשמ)",
    "Café ברחוב": "בוחרב Café",
    "הסוגיה 'nope' לא נמצאה. לרשימה: 'zchuyot list'.": ".'zchuyot list' :המישרל .האצמנ אל 'nope' היגוסה",
    # seen in tmux: the program's name with its gloss is no command; an aside holding a command keeps its pair
    "zchuyot (זכויות) – מעקב סוגיות.": ".תויגוס בקעמ – (תויוכז) zchuyot",
    "אין ויתור (zchuyot family waiver) היום": "םויה (zchuyot family waiver) רותיו ןיא",
    "שם (נשמר רק ב-family.yaml; Enter לדלג):": ":(גלדל Enter ;family.yaml-ב קר רמשנ) םש",
}


@needs_fribidi
@pytest.mark.parametrize("line", sorted(CELLS))
def test_cells_written_out(line: str) -> None:
    assert rtl.visual(line) == CELLS[line]


@needs_fribidi
@pytest.mark.parametrize("line", sorted(SENTENCES))
def test_sentences_keep_commands_brackets_and_amounts_whole(line: str) -> None:
    assert rtl.visual(rtl.isolate_latin(line)) == SENTENCES[line]


# wrapped first, then each line reordered (as the screens of followup and show are drawn), written out
WRAPPED = {
    # a short aside moves to the next line whole rather than being cut between its brackets
    ("אין ויתור סודיות בתוקף מול: שרה – מתנדבת ליווי (zchuyot family waiver)", 55):
        ["יוויל תבדנתמ – הרש :לומ ףקותב תוידוס רותיו ןיא", "(zchuyot family waiver)"],
    # a long one is wrapped like the sentence; its Latin-only line is still a line of a right-to-left paragraph
    ("ויתור (ביטוח לאומי, הקליניקה המשפטית – קליניקה לזכויות family rights)", 24):
        [",ימואל חוטיב) רותיו", "– תיטפשמה הקינילקה", "family תויוכזל הקינילק", "(rights"],
}


@needs_fribidi
@pytest.mark.parametrize("text,width", sorted(WRAPPED))
def test_wrapped_lines_keep_asides_and_read_right_to_left(text: str, width: int) -> None:
    shown = [ln.strip() for ln in rtl.visual_lines(text, width)]
    assert shown == WRAPPED[text, width]
    assert all(rtl.cell_width(ln) <= width for ln in rtl.visual_lines(text, width))


@needs_fribidi
def test_a_visual_error_is_wrapped_before_it_is_reordered(ws: Path) -> None:
    """A long error line in visual mode: each screen line is a piece of the sentence in reading order — the
    first line holds its beginning (on the right), no word is cut at the terminal's edge."""
    from conftest import run

    r = run("--bidi", "visual", "list", "--domain", "חובת", env={"COLUMNS": "60"})
    assert r.exit_code == 1, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) >= 3 and all(rtl.cell_width(ln) <= 60 for ln in lines), lines
    assert lines[0].rstrip().endswith("'תבוח'"), lines  # "'חובת' אינו ערך…" begins at the right edge
    words = {w.strip(",.():'") for ln in lines for w in ln.split()}
    assert {"housing", "material_aid", "national_insurance", "personal_status"} <= words, lines


@pytest.mark.parametrize("env,reorders", [
    ({"WT_SESSION": "x", "VTE_VERSION": "7000"}, False), ({"VTE_VERSION": "5702"}, False),
    ({"VTE_VERSION": "5703"}, True), ({"KONSOLE_VERSION": "230401"}, True), ({"TERM": "putty-256color"}, True),
    ({"TERM_PROGRAM": "Apple_Terminal"}, True), ({"TERM_PROGRAM": "mintty"}, True), ({"MLTERM": "3.9"}, True),
    ({"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "screen"}, False), ({"TERM_PROGRAM": "vscode"}, False),
])
def test_auto_mode_knows_the_terminals(env: dict[str, str], reorders: bool) -> None:
    assert rtl.terminal_reorders(env) is reorders


@needs_fribidi
def test_a_hint_shown_in_visual_order_is_what_the_worker_types() -> None:
    """`+7` stays `+7` in a hint shown in visual order, and `7+` (as a terminal may show it) is understood."""
    import datetime as dt

    from zchuyot.calendar import dates

    shown = rtl.visual(rtl.isolate_latin("עד מתי? (למשל +7 או 23/11/2026)"))
    assert "+7" in shown and "7+" not in shown, shown
    assert dates.parse_date("7+", dt.date(2026, 11, 23)) == dates.parse_date("+7", dt.date(2026, 11, 23))


def test_doctor_shows_both_ways_and_how_to_choose(ws: Path) -> None:
    from conftest import run

    r = run("doctor")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    one = next(ln for ln in lines if ln.startswith("  1) "))
    two = next(ln for ln in lines if ln.startswith("  2) "))
    assert one != two and "ZCHUYOT_BIDI=visual" in r.stdout and "ZCHUYOT_BIDI=logical" in r.stdout
    if fribidi.available():
        assert "FriBidi" in r.stdout and two.endswith("הקידב")  # the sentence starts on the right
