"""What a worker sees: list/show tables, JSON for scripts, Hebrew in visual and logical order."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from bidi import get_display
from bidi.algorithm import get_display as get_display_l4
from conftest import new_issue, run

from zchuyot.case.form import ISSUE_KEYS as FIELD_KEYS
from zchuyot.text import rtl


def test_show_json_is_the_file_mapping(ws: Path) -> None:
    i = new_issue(ws, "--body", "עירייה|רינה|08-6463000")
    run("--root", str(ws), "treat", i, "שיחה", "--kind", "call", "--next", "2026-12-01")
    data = json.loads(run("--root", str(ws), "show", i, "--json").stdout)
    assert list(data) == list(FIELD_KEYS)
    assert data["opened"] == "2026-11-23" and data["next_followup"] == "2026-12-01"
    assert data["log"][0] == {"date": "2026-11-23", "kind": "call", "text": "שיחה", "by": "dana"}
    # --bidi never touches JSON
    assert json.loads(run("--root", str(ws), "--bidi", "visual", "show", i, "--json").stdout) == data


def test_list_filters_and_family_order(ws: Path) -> None:
    a = new_issue(ws, "--priority", "2", family="f5", subject="חוב לבנק", domain="debts")
    b = new_issue(ws, "--priority", "1", family="f5", subject="מעון יום", domain="education")
    c = new_issue(ws, family="f6", subject="ארנונה", domain="housing")
    run("--root", str(ws), "close", c, "--ended")

    def ids(*args: str) -> list[str]:
        r = run("--root", str(ws), "list", "--json", *args)
        assert r.exit_code == 0, r.stderr
        return [x["id"] for x in json.loads(r.stdout)]

    assert ids("--family", "f5") == [b, a]  # the family's own order
    assert set(ids()) == {a, b, c}
    assert ids("--status", "ended") == [c]
    assert ids("--status", "סיום טיפול") == [c]
    assert set(ids("--status", "open")) == {a, b}
    assert ids("--domain", "debts") == [a]
    r = run("--root", str(ws), "list", "--status", "done")
    assert r.exit_code == 1 and "open (בטיפול)" in r.stderr
    r = run("--root", str(ws), "list", "--family", "../x")
    assert r.exit_code == 1


def test_list_scope_is_the_worker_unless_all_workers(ws: Path) -> None:
    mine = new_issue(ws)
    r = run("--root", str(ws), "--worker", "miri", "new", "--family", "f1", "--subject", "x", "--domain", "debts")
    theirs = r.stdout.strip()
    ids = [x["id"] for x in json.loads(run("--root", str(ws), "list", "--json").stdout)]
    assert ids == [mine]
    ids = [x["id"] for x in json.loads(run("--root", str(ws), "list", "--json", "--all-workers").stdout)]
    assert set(ids) == {mine, theirs}
    r = run("--root", str(ws), "list", "--all-workers")
    assert "miri" in r.stdout


def test_show_table_in_hebrew_and_english(ws: Path) -> None:
    i = new_issue(ws, "--body", "ביטוח לאומי|פקידת הבטחת הכנסה|*6050", subject="קצבת הבטחת הכנסה בוטלה",
                  domain="national_insurance")
    run("--root", str(ws), "treat", i, "ביטוח לאומי דחה את הבקשה", "--kind", "refusal")
    r = run("--root", str(ws), "show", i)
    assert r.exit_code == 0
    for text in ("טופס תיעוד תהליך עבודה", "נושא הפניה", "קצבת הבטחת הכנסה בוטלה", "ביטוח לאומי", "*6050",
                 "שמונת השלבים", "הקשבה אקטיבית", "פרקטיקת מדיניות", "◄ כאן", "סירוב", "23/11/2026"):
        assert text in r.stdout, text
    r = run("--root", str(ws), "--lang", "en", "show", i)
    for text in ("Documentation form", "Subject", "National Insurance", "The eight steps", "Persistence", "Refusal"):
        assert text in r.stdout, text


def rows(out: str) -> list[str]:
    return [ln for ln in out.splitlines() if "│" in ln]


def test_visual_and_logical_hebrew(ws: Path) -> None:
    subject = "הנחה בארנונה (לאם יחידנית)"
    i = new_issue(ws, "--body", "עירייה|שָׁלוֹם לֵוִי|-25%", subject=subject)
    logical = run("--root", str(ws), "--bidi", "logical", "list").stdout
    visual = run("--root", str(ws), "--bidi", "visual", "list", env={"COLUMNS": "140"}).stdout
    # logical: as stored
    assert subject in logical
    # visual: the bidi algorithm's display order, brackets mirrored (UAX #9 L4), first column on the right
    expected = "(תינדיחי םאל) הנונראב החנה"  # written by hand: read right to left it is the subject
    assert expected == get_display_l4(subject, base_dir="R")
    row = next(ln for ln in rows(visual) if i in ln)
    assert expected in row and subject not in row
    assert row.index(expected) < row.index(i)  # the id (first column) is at the right
    # ZCHUYOT_BIDI does the same as --bidi
    assert run("--root", str(ws), "list", env={"ZCHUYOT_BIDI": "visual", "COLUMNS": "140"}).stdout == visual
    # auto on a pipe is logical
    assert run("--root", str(ws), "list").stdout == logical
    # show: cells with no Hebrew stay as they are; niqqud stays on its letter
    shown = run("--root", str(ws), "--bidi", "visual", "show", i, env={"COLUMNS": "140"}).stdout
    assert "-25%" in shown and "25%-" not in shown
    name = "שָׁלוֹם לֵוִי"
    assert rtl.visual(name) in shown
    for n, ch in enumerate(shown):
        if unicodedata.combining(ch):
            prev = shown[n - 1]
            assert "\u05d0" <= prev <= "\u05ea" or unicodedata.combining(prev), repr(shown[n - 3: n + 2])


def test_visual_wraps_first_then_reorders(ws: Path) -> None:
    long_subject = "בקשה לסבסוד מעון יום לפי דרגת הכנסה לאחר שהמעון הודיע על חוב"
    i = new_issue(ws, subject=long_subject)
    out = run("--root", str(ws), "--bidi", "visual", "list", env={"COLUMNS": "70"}).stdout
    lines = [ln for ln in rows(out)]
    start = next(n for n, ln in enumerate(lines) if i in ln)
    cell_lines = []
    for ln in lines[start:]:
        cells = [c.strip() for c in ln.strip("│").split("│")]
        subject_cell = cells[-3]  # columns are mirrored: id, family, subject from the right
        if not subject_cell:
            break
        cell_lines.append(subject_cell)
    assert len(cell_lines) > 1  # it had to wrap
    # each visual line is one logical line reordered: read back right-to-left they give the words in order
    back = " ".join(get_display(c, base_dir="R") for c in cell_lines)
    assert back.split() == long_subject.split()


def test_rtl_units() -> None:
    assert rtl.visual("-25%") == "-25%"
    assert rtl.visual("abc (x)") == "abc (x)"
    assert rtl.visual("שלום (עולם)") == "(םלוע) םולש"
    assert rtl.wrap("אחת שתיים שלוש", 9) == ["אחת שתיים", "שלוש"]
    assert rtl.wrap("מילהארוכהמאוד", 5) == ["מילהא", "רוכהמ", "אוד"]
    assert rtl.wrap("שָׁלוֹם", 2)[0] == "שָׁל"  # a letter never loses its niqqud
    assert rtl.choose_mode("auto", isatty=False) == "logical"
    assert rtl.choose_mode("visual", isatty=False) == "visual"
    assert rtl.choose_mode("logical", isatty=True) == "logical"


def test_auto_mode_knows_terminals(monkeypatch) -> None:
    for var in ("KONSOLE_VERSION", "MLTERM", "TERM_PROGRAM", "VTE_VERSION"):
        monkeypatch.delenv(var, raising=False)
    assert rtl.choose_mode(None, isatty=True) == "visual"
    monkeypatch.setenv("TERM_PROGRAM", "Apple_Terminal")
    assert rtl.choose_mode(None, isatty=True) == "logical"
    monkeypatch.delenv("TERM_PROGRAM")
    monkeypatch.setenv("KONSOLE_VERSION", "230401")
    assert rtl.choose_mode(None, isatty=True) == "logical"


def test_long_tables_are_written_as_aligned_lines() -> None:
    """Thousands of rows (the rights worker's `list --all-workers`) skip Rich's table, same columns."""
    import io

    from bidi import get_display
    from rich.console import Console

    from zchuyot.terminal.render import LONG_TABLE, Renderer

    rows = [[f"dana-{n:05d}", "f1", f"הנחה בארנונה מספר {n}", "דיור"] for n in range(LONG_TABLE + 1)]
    for mode in ("logical", "visual"):
        buf = io.StringIO()
        r = Renderer(Console(file=buf, width=100), mode, "he")
        r.table(["מזהה", "משפחה", "נושא הפניה", "תחום"], rows)
        lines = buf.getvalue().splitlines()
        assert len(lines) == LONG_TABLE + 3  # header, rule, one line a row
        last = lines[-1]
        if mode == "logical":
            assert last.startswith(f"dana-{LONG_TABLE:05d} │ f1")
            assert f"הנחה בארנונה מספר {LONG_TABLE}" in last
        else:
            assert last.rstrip().endswith(f"dana-{LONG_TABLE:05d}")  # the first column on the right
            assert get_display(f"הנחה בארנונה מספר {LONG_TABLE}", base_dir="R") in last


def test_many_search_results_are_the_same_lines_written_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of search results skip Rich's print, line for line the same text; visual lines checked
    against python-bidi's reference."""
    import io

    from bidi.algorithm import get_display
    from rich.console import Console

    from zchuyot.practice.core import Found
    from zchuyot.terminal import render

    items = [Found(f"dana-{n:05d}", "f1", "dana", f"הנחה בארנונה (מס׳ {n})", "open",
                   [("log", "שיחה עם ועדת ההנחות – 050-1234567, ₪300"), ("subject", f"הנחה בארנונה (מס׳ {n})")])
             for n in range(3)]

    def out(mode: str, long_from: int) -> list[str]:
        monkeypatch.setattr(render, "LONG_TABLE", long_from)
        buf = io.StringIO()
        render.Renderer(Console(file=buf, width=100, color_system=None), mode, "he").found(items)
        return buf.getvalue().splitlines()

    for mode in ("logical", "visual"):
        assert out(mode, 0) == out(mode, 300)
    vis = out("visual", 0)
    assert vis[-1].strip() == get_display("  נושא הפניה: הנחה בארנונה (מס׳ 2)", base_dir="R").strip()
    assert len(vis[-1]) == 100  # right-aligned on the terminal's width


# the lines the project really writes: brackets, quotes, numbers, -25%, phones, ₪, dates, niqqud, English
REAL_LINES = {
    "הנחה בארנונה (דחוף)": "(ףוחד) הנונראב החנה",
    'ביטוח לאומי דחה: "הכנסת משק הבית מעל הסף"': '"ףסה לעמ תיבה קשמ תסנכה" :החד ימואל חוטיב',
    "סכום ₪4,200 [בדיקה]": "[הקידב] ₪4,200 םוכס",
    "ביטוח לאומי (National Insurance) – סניף": "ףינס – (National Insurance) ימואל חוטיב",
    "שָׁלוֹם (עוֹלָם)": "(םלָוֹע) םוֹלשָׁ",
    "טל 050-1234567 עד 23/11/2026": "23/11/2026 דע 050-1234567 לט",
    "סעיף 3(ב) לחוק {ראי} <נספח>": "<חפסנ> {יאר} קוחל (ב)3 ףיעס",
}


def test_visual_lines_against_two_references() -> None:
    """Each real line against a hand-written expectation and python-bidi's pure-Python UAX #9 (which applies
    rule L4); un-mirrored, it is the order of python-bidi's other (Rust) implementation; every mirrored
    character (unicodedata.mirrored) in a right-to-left run reads the right way round."""
    mirror = {"(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{", "<": ">", ">": "<"}
    for logical, hand in REAL_LINES.items():
        out = rtl.visual(logical)
        assert out == hand, (logical, out)
        def bare(text: str) -> str:
            return "".join(c for c in text if not unicodedata.combining(c))

        assert bare(out) == get_display_l4(bare(logical), base_dir="R")
        unmirrored = "".join(mirror.get(c, c) if unicodedata.mirrored(c) else c for c in out)
        fast = get_display(logical, base_dir="R")
        assert sorted(unmirrored) == sorted(fast)  # the same characters …
        # … and in a Hebrew-only bracket, the opening one is on the left as the eye reads it
        for opening, closing in ("()", "[]", "{}", "<>"):
            if opening in logical and closing in logical:
                assert out.index(opening) < out.index(closing), (logical, out)


def test_help_lists_the_commands_in_the_order_of_the_practice() -> None:
    """Issue 13: a real one-line summary per command (the step's Hebrew name), in the practice's sections."""
    r = run("--help", env={"COLUMNS": "200"})
    assert r.exit_code == 0
    text = r.stdout
    steps = ["listen", "list", "collect", "plan", "treat", "persist", "followup", "policy"]
    lines = {ln.split()[0]: ln for ln in text.splitlines() if ln.startswith("  ") and ln.split()}
    for n, (cmd, name) in enumerate(zip(steps, ("הקשבה אקטיבית", "רשימת סוגיות", "איסוף נתונים",
                                               "תכנית פעולה משותפת", "טיפול ותיעוד", "התעקשות",
                                               "מעקב פרואקטיבי", "פרקטיקת מדיניות"), strict=True), 1):
        assert f"{name} (שלב {n})" in lines[cmd], lines[cmd]
    positions = [text.index(f"\n  {c} ") for c in ["init", "new", *steps, "show", "report", "check", "sync"]]
    assert positions == sorted(positions)
    assert "שמונת השלבים של מיצוי זכויות אקטיבי" in text


def test_cell_width_agrees_with_rich() -> None:
    """The quick count of terminal cells gives Rich's own answer (the reference) on Hebrew, niqqud, Latin,
    combining marks, ₪ and dashes."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from rich.cells import cell_len

    chars = st.sampled_from([chr(c) for c in [*range(32, 127), *range(0x591, 0x5F5), *range(0x300, 0x370),
                                              0x20AA, 0x2013, 0x05BE, 0xA0, 0x4E2D, 0x1F600]])

    @settings(max_examples=400, deadline=None)
    @given(st.lists(chars, max_size=40).map("".join))
    def agree(text: str) -> None:
        assert rtl.cell_width(text) == cell_len(text)

    agree()


def test_latin_inside_hebrew_is_isolated_and_reads_in_order(ws: Path) -> None:
    """Issue 13: `zchuyot show nope` said the missing issue was 'zchuyot list' (UAX #9 joined
    `nope'. 'zchuyot list` into one run). Each Latin run inside a Hebrew line is now a directional isolate
    (U+2068 … U+2069): in a file or pipe, and reordered correctly in visual mode. The reference for the
    resolved order is python-bidi's implementation that knows isolates."""
    r = run("--root", str(ws), "show", "nope")
    assert r.exit_code == 1
    raw = r.raw_stderr.strip()
    assert "\u2068'nope'\u2069" in raw and "\u2068'zchuyot list'\u2069" in raw
    assert get_display(raw, base_dir="R").index("'zchuyot list'") < get_display(raw, base_dir="R").index("'nope'")
    visual = run("--root", str(ws), "--bidi", "visual", "show", "nope").raw_stderr.strip()
    assert "\u2068" not in visual and "\u2069" not in visual  # the marks are gone once the line is ordered
    # read right to left, the words come in the order they were written
    assert visual.index("'zchuyot list'") < visual.index("'nope'")
    words = [w for w in visual.split() if not w.startswith("'")]
    assert words[-1][::-1] == "לא"  # the sentence starts on the right
    # an unchanged line without Latin, and a data cell, carry no marks
    assert rtl.isolate_latin("הנחה בארנונה ₪4,200") == "הנחה בארנונה ₪4,200"
    assert rtl.isolate_latin("zchuyot list") == "zchuyot list"


def test_help_speaks_the_ui_language() -> None:
    """click's own words (Usage, Options, Show this message and exit., [required]) in the UI's language, and a
    command's help in that language only."""
    he = run("treat", "--help").stdout
    for english in ("Usage:", "Options:", "Show this message and exit.", "[required]", "Step 5"):
        assert english not in he, english
    assert "שימוש:" in he and "אפשרויות:" in he and "[חובה]" in he and "טיפול ותיעוד (שלב 5)" in he
    en = run("--lang", "en", "treat", "--help").stdout
    assert "Usage:" in en and "Step 5: log an action." in en and "טיפול ותיעוד" not in en


def test_isolates_leave_hebrew_prefixes_brackets_and_flags_whole() -> None:
    """A prefix letter's hyphen (ל-'housing'), a bracket that opens Hebrew (housing (דיור)) and a flag's own
    dashes (--domain) stay where they belong; read with python-bidi's isolate-aware implementation, every
    Latin word keeps its place in the sentence."""
    line = "'housng' אינו ערך מוכר של --domain – אולי התכוונת ל-'housing'? האפשרויות: housing (דיור), other (אחר)."
    iso = rtl.isolate_latin(line)
    assert "ל-\u2068'housing'\u2069?" in iso and "\u2068--domain\u2069" in iso
    assert "housing (דיור)" in iso and "other (אחר)." in iso  # plain words: UAX #9 orders them (issue 26)
    shown = rtl.visual(iso)
    reference = get_display(iso, base_dir="R").replace("\u2068", "").replace("\u2069", "")

    def unbracketed(text: str) -> str:  # the fast reference orders as UAX #9 does but does not mirror (L4)
        return text.replace("(", "").replace(")", "")

    assert unbracketed(shown) == unbracketed(reference)
    assert shown.endswith("'housng'") and "--domain" in shown and "domain--" not in shown
