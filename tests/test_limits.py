"""Nothing a file or a typed value can hide or inject (issue 25): controls from the data never reach the
terminal, one bad value never hides the others, digits are digits, and the tool never writes what a reader
would refuse. Real CLI, real files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import issue_path, new_issue, run, zchuyot_subprocess

HOSTILE = "שיחה \x1b]0;pwned\x07 \x1b[2J\x1b[8m נסתר \x9b31m סוף\r"


def z(root: Path, *args: str, code: int | None = 0):
    r = run("--root", str(root), *args)
    if code is not None:
        assert r.exit_code == code, (args, r.stdout, r.stderr)
    return r


@pytest.mark.parametrize("bidi", ["logical", "visual"])
def test_controls_typed_or_synced_are_shown_never_obeyed(ws: Path, bidi: str) -> None:
    i = new_issue(ws)
    z(ws, "treat", i, HOSTILE)
    p = issue_path(ws, i)  # a synced file carries them too: a subject written by hand
    p.write_text(p.read_text(encoding="utf-8").replace("subject: הנחה בארנונה", 'subject: "ארנונה \\e[2J"'),
                 encoding="utf-8")
    for args in (("show", i), ("list",), ("list", "--all-workers"), ("followup",), ("search", "שיחה")):
        out = zchuyot_subprocess("--root", str(ws), "--bidi", bidi, *args, cwd=ws)
        assert out.returncode == 0, (args, out.stderr)
        for c in ("\x1b", "\x07", "\x9b", "\r"):
            assert c not in out.stdout + out.stderr, (args, repr(c))
    shown = zchuyot_subprocess("--root", str(ws), "show", i, cwd=ws).stdout
    assert "␛" in shown and "נסתר" in shown
    data = zchuyot_subprocess("--root", str(ws), "show", i, "--json", cwd=ws).stdout
    assert "\x1b" not in data and "\x9b" not in data
    assert HOSTILE.strip() in [e["text"] for e in json.loads(data)["log"]]  # JSON keeps the text exactly, escaped


def test_one_bad_value_hides_nothing_else(ws: Path) -> None:
    """A 5,000-digit number in one issue: that file is an error at its line (check), every other command
    shows the others; a setting out of range is an error at its line and the commands use its default."""
    good = new_issue(ws, family="f1")
    bad = new_issue(ws, family="f2")
    p = issue_path(ws, bad)
    original = p.read_text(encoding="utf-8")
    p.write_text(re.sub(r"(?m)^priority:.*$", "priority: " + "9" * 5000, original), encoding="utf-8")
    for args in (("list",), ("followup",), ("report",), ("search", "ארנונה"), ("list", "--json"), ("policy",)):
        r = z(ws, *args, code=None)
        assert "internal" not in r.stderr.lower() and "Traceback" not in r.stderr, (args, r.stderr)
        assert r.exit_code in (0, 1), (args, r.stderr)
        if args[0] in ("list", "search"):
            assert good in r.stdout, (args, r.stdout, r.stderr)
    r = z(ws, "check", code=1)
    assert f"{bad}.yaml:" in r.stdout and "15" in r.stdout, r.stdout
    settings = ws / ".zchuyot.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("stale_after: 5", "stale_after: " + "1" + "0" * 400), encoding="utf-8")
    p.write_text(original, encoding="utf-8")
    r = z(ws, "followup", code=1)  # the department's settings unreadable: one line naming the place
    assert ".zchuyot.yaml:" in r.stderr and "15" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    settings.write_text(text.replace("stale_after: 5", "stale_after: 100000"), encoding="utf-8")
    z(ws, "followup")  # out of its range: the default meanwhile
    line = next(n for n, ln in enumerate(settings.read_text(encoding="utf-8").splitlines(), 1)
                if ln.startswith("stale_after:"))
    r = z(ws, "check", code=1)
    assert f".zchuyot.yaml:{line}" in r.stdout and "365" in r.stdout, r.stdout


@pytest.mark.parametrize("typed,stored", [("٠١٢٣٤٥٦٧٤", "012345674"), ("۰۱۲۳۴۵۶۷۴", "012345674"),
                                          ("０１２３４５６７４", "012345674")])
def test_digits_of_any_script_are_stored_as_digits(ws: Path, typed: str, stored: str) -> None:
    z(ws, "family", "add", "f1", "--name", "משפחה בדויה", "--id-number", typed, "--phone", "٠٥٠-١٢٣٤٥٦٧")
    data = json.loads(z(ws, "family", "show", "f1", "--json").stdout)
    assert data["id_number"] == stored and data["phone"].replace("-", "") == "0501234567", data


def test_a_superscript_digit_is_a_clear_error(ws: Path) -> None:
    r = z(ws, "family", "add", "f1", "--name", "משפחה בדויה", "--id-number", "01234567²", code=1)
    assert "internal" not in r.stderr.lower() and "err." not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_the_tool_never_writes_what_a_reader_refuses(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 5: 60,000 Hebrew letters in one `treat` are refused before writing (one line, exit 1, the file
    and git as they were); entries that would make the file larger than any reader reads are refused too
    (the readers' limit made 200,000 bytes here, so that a few entries reach it)."""
    from zchuyot.case import yamlfast

    monkeypatch.setattr(yamlfast, "MAX_BYTES", 200_000)
    i = new_issue(ws)
    p = issue_path(ws, i)
    before = p.read_bytes()
    r = z(ws, "treat", i, "א" * 60_000, code=1)
    assert "20,000" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert p.read_bytes() == before
    for _ in range(8):  # 8 × 19,000 letters (two bytes each) ≈ 300 KB: the last ones do not fit
        last = z(ws, "treat", i, "ב" * 19_000, code=None)
        if last.exit_code:
            break
    assert last.exit_code == 1 and "200,000" in last.stderr, last.stderr
    assert len(p.read_bytes()) <= 200_000
    z(ws, "show", i)  # still read by every reader
    assert z(ws, "check").exit_code == 0


def test_the_access_log_is_chained_and_check_finds_an_edit_or_a_cut(ws: Path) -> None:
    """Finding 11: each access-log line carries the hash of the one before it; removing a line, editing one
    or cutting the end is an error of `check` at its line."""
    i = new_issue(ws)
    z(ws, "family", "add", "f1", "--name", "משפחה בדויה")
    for _ in range(3):
        z(ws, "show", i)
        z(ws, "family", "show", "f1")
    assert z(ws, "check").exit_code == 0
    log = ws / ".zchuyot" / "access.log"
    lines = log.read_bytes().splitlines(keepends=True)
    assert len(lines) >= 6 and all(json.loads(x)["prev"] for x in lines)
    log.write_bytes(b"".join(lines[:2] + lines[3:]))  # one line removed from the middle
    r = z(ws, "check", code=1)
    assert ".zchuyot/access.log:3" in r.stdout, r.stdout
    log.write_bytes(b"".join(lines[:-1]))  # the last line cut
    assert "access.log" in z(ws, "check", code=1).stdout
    log.write_bytes(b"".join(lines).replace(b'"show"', b'"list"', 1))  # an edit
    assert "access.log" in z(ws, "check", code=1).stdout
    log.write_bytes(b"".join(lines))
    assert z(ws, "check").exit_code == 0


def test_an_entry_added_to_a_long_issue_is_written_as_the_full_writer_would(ws: Path) -> None:
    """Finding 12: from 200 entries a `treat` appends its entry to the file's text (no parse of the whole
    file); the result is the same file the round-trip writer makes — comments and the next key's label kept."""
    from zchuyot.case import yamlio
    from zchuyot.case.file import apply

    i = new_issue(ws)
    p = issue_path(ws, i)
    text = p.read_text(encoding="utf-8")
    entries = "".join(f"  - date: 2026-10-{1 + n % 28:02d}\n    kind: note\n    text: שיחה {n}\n    by: dana\n"
                      for n in range(250))
    text = re.sub(r"(?m)^log:.*\n", lambda m: "log:\n" + entries + "  # הערה ביד אחרי הרשומה האחרונה\n", text,
                  count=1)
    p.write_text(text, encoding="utf-8")
    z(ws, "check")
    full = yamlio.parse

    def small_only(t: str, *a, **k):
        assert len(t) < 10_000, "the whole file was parsed to add one entry"
        return full(t, *a, **k)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(yamlio, "parse", small_only)
        z(ws, "treat", i, "שיחה 'חדשה' # עם סימנים: כן")
    got = p.read_text(encoding="utf-8")
    from zchuyot.case import yamlfast

    before, after = yamlfast.load(text)[0], yamlfast.load(got)[0]
    doc = yamlio.parse(text)
    apply(doc, before, after)
    assert got == yamlio.dump(doc)  # what the full writer makes of the same change
    assert "# הערה ביד אחרי הרשומה האחרונה" in got and after["log"][-1]["text"] == "שיחה 'חדשה' # עם סימנים: כן"
    assert z(ws, "check").exit_code == 0
