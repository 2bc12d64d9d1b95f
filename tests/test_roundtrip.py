"""Files are for people too: hand edits, comments and unknown keys survive every rewrite."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import issue_path, new_issue, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from zchuyot.case import yamlio


def test_hand_comments_and_unknown_keys_survive(ws: Path) -> None:
    i = new_issue(ws, "--body", "עירייה||")
    p = issue_path(ws, i)
    text = p.read_text(encoding="utf-8")
    text = text.replace("subject: הנחה בארנונה", "subject: הנחה בארנונה  # נוסח לפי המשפחה")
    text = text.replace("# תיעוד הטיפול", "# הערה של העו\"ס ביד: לבדוק מול מירי\n# תיעוד הטיפול")
    text += "# הערה בסוף הקובץ\nmy_note: שדה שהוסף ביד\n"
    p.write_text(text, encoding="utf-8")
    assert run("--root", str(ws), "treat", i, "שיחה ראשונה", "--kind", "call", "--next", "+3").exit_code == 0
    assert run("--root", str(ws), "treat", i, "שיחה שנייה", "--kind", "call").exit_code == 0
    assert run("--root", str(ws), "close", i, "--ended", "--insights", "שורה ראשונה\nשורה שנייה",
               "--benefit", "הנחה", "--amount", "100", "--period", "monthly", "--kind", "avoidance").exit_code == 0
    out = p.read_text(encoding="utf-8")
    assert "subject: הנחה בארנונה  # נוסח לפי המשפחה" in out
    assert "# הערה של העו\"ס ביד: לבדוק מול מירי\n# תיעוד הטיפול" in out
    assert "# הערה בסוף הקובץ" in out and "my_note: שדה שהוסף ביד" in out
    # labels stay right above their keys, never inside the list before them
    lines = out.splitlines()
    for label, key in (("# תיעוד הטיפול", "log:"), ("# --- 6. התעקשות", "deadlines:"),
                       ("# תובנות והמלצות", "insights: |"),
                       ("# --- 7. מעקב פרואקטיבי", "next_followup:"), ("# מה הושג", "outcome:")):
        idx = next(n for n, ln in enumerate(lines) if ln.startswith(label))
        assert lines[idx + 1].startswith(key), (label, lines[idx: idx + 2])
    # long text as a block scalar; dates as YYYY-MM-DD; no escapes, no aliases
    assert "insights: |-\n  שורה ראשונה\n  שורה שנייה\n" in out
    assert "\\u" not in out and "&id" not in out and "*id" not in out
    data = YAML(typ="safe").load(out)
    assert [e["text"] for e in data["log"]] == ["שיחה ראשונה", "שיחה שנייה", "סיום טיפול"]
    assert data["next_followup"] == dt.date(2026, 11, 26)
    # check keeps reporting the unknown key as a warning, with the file and line
    r = run("--root", str(ws), "check", "--json")
    assert r.exit_code == 0
    warnings = json.loads(r.stdout)["warnings"]
    assert any("my_note" in w["message"] and w["line"] > 1 for w in warnings)


def test_a_file_saved_by_notepad_is_written_back_with_one_kind_of_line_ending(ws: Path) -> None:
    i = new_issue(ws)
    p = issue_path(ws, i)
    text = p.read_text(encoding="utf-8").replace("subject: ", "# נשמר בפנקס רשימות\nsubject: ", 1)
    p.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))  # BOM + CRLF
    assert run("--root", str(ws), "check").exit_code == 0
    r = run("--root", str(ws), "--keep-personal-data", "treat", i, "שיחה עם האם – 050-1234567, ₪300")
    assert r.exit_code == 0, r.stderr
    data = p.read_bytes()
    assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")
    assert "# נשמר בפנקס רשימות\nsubject: " in data.decode("utf-8")  # the hand comment kept
    assert json.loads(run("--root", str(ws), "show", i, "--json").stdout)["log"][-1]["text"] == \
        "שיחה עם האם – 050-1234567, ₪300"
    assert run("--root", str(ws), "check").exit_code == 0


def test_missing_key_is_inserted_in_form_order(ws: Path) -> None:
    i = new_issue(ws)
    p = issue_path(ws, i)
    text = p.read_text(encoding="utf-8")
    # a worker deleted next_followup and its comment by hand
    text = text.replace("# --- 7. מעקב פרואקטיבי: תאריך המעקב הבא\nnext_followup:\n", "")
    p.write_text(text, encoding="utf-8")
    assert run("--root", str(ws), "treat", i, "x", "--next", "2026-12-01").exit_code == 0
    data = YAML(typ="safe").load(p.read_text(encoding="utf-8"))
    keys = list(data)
    assert keys.index("deadlines") < keys.index("next_followup") < keys.index("policy")
    assert run("--root", str(ws), "check").exit_code == 0


_texts = st.text(
    alphabet=st.characters(
        codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs"),
        exclude_characters="\x85\u2028\u2029\ufeff",
    ),
    min_size=1, max_size=120,
).filter(lambda s: s.strip() != "")
_hebrew = st.text(alphabet="אבגדהוזחטיכלמנסעפצקרשתךםןףץ ְֱֲֳִֵֶַָֹֻּׁׂ-–\"'()₪%0123456789,.!?:;\n", min_size=1,
                  max_size=200).filter(lambda s: s.strip() != "")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(_texts, _hebrew))
def test_any_text_survives_write_and_read(text: str) -> None:
    """Hebrew, English, niqqud, shekels, quotes, newlines: what goes into a file comes back."""
    doc = yamlio.parse("# c\nsubject:\nlog: []\n# after\nstatus: open\n")
    yamlio.set_key(doc, "subject", text)
    yamlio.append(doc, "log", {"date": dt.date(2026, 1, 1), "text": text})
    out = yamlio.dump(doc)
    back = yamlio.parse(out)
    assert str(back["subject"]) == text
    assert str(back["log"][0]["text"]) == text
    assert "# after\nstatus: open" in out


@pytest.mark.parametrize("reader", ["round-trip", "fast"])
@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400))
def test_random_bytes_give_a_clean_error(reader: str, data: bytes) -> None:
    """Any bytes in a case file, through either reader: a value or one DataError — never another exception."""
    from zchuyot.case import yamlfast
    from zchuyot.errors import DataError

    parse = yamlio.parse if reader == "round-trip" else yamlfast.load
    try:
        parse(yamlio.decode(data))
    except DataError as e:
        assert e.line >= 1


_scalars = st.one_of(_texts, _hebrew, st.integers(-10**6, 10**6), st.booleans(), st.none(),
                     st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)),
                     st.sampled_from(["no", "yes", "on", "off", "010", "1e3", "~", "null", "-25%", "*6050", "&x"]))


@settings(max_examples=150, deadline=None)
@given(value=_scalars, items=st.lists(_scalars, max_size=4))
def test_the_fast_reader_reads_what_the_writer_wrote(value, items) -> None:
    """The round-trip writer and the fast reader agree on every value (YAML 1.2 core: `no` is text)."""
    from zchuyot.case import yamlfast

    doc = yamlio.parse("a:\nb: []\n")
    yamlio.set_key(doc, "a", value)
    for x in items:
        yamlio.append(doc, "b", x)
    data, lines = yamlfast.load(yamlio.dump(doc))
    assert data == {"a": value, "b": items}
    assert lines[("a",)][0] == 1
