"""The inside of the house: one write reads its file once, parses it once with each reader and validates
it once; the form is defined once; show answers from a fresh cache without pydantic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import new_issue, run

from zchuyot.case import schema, yamlfast


class Counts:
    def __init__(self) -> None:
        self.fast = self.roundtrip = self.validations = self.opens = 0


def start_counting(monkeypatch: pytest.MonkeyPatch, issue_id: str) -> Counts:
    """Count, from now on, the parses of one issue's text by the fast reader and round-trip, the validations
    of an issue by its pydantic model, and the openings of the issue's file for reading."""
    c = Counts()
    from ruamel.yaml import YAML

    fast, rt_load, validate, real_open = yamlfast.load, YAML.load, schema.Issue.model_validate, os.open

    def count_fast(text: str) -> Any:
        c.fast += f"id: {issue_id}" in text
        return fast(text)

    def count_rt(self: Any, text: Any) -> Any:
        c.roundtrip += isinstance(text, str) and f"id: {issue_id}" in text
        return rt_load(self, text)

    def count_validate(data: Any, *a: Any, **k: Any) -> Any:
        c.validations += 1
        return validate(data, *a, **k)

    def count_open(file: Any, flags: int, *a: Any, **k: Any) -> Any:
        if not flags & (os.O_WRONLY | os.O_RDWR) and str(file).endswith(f"{issue_id}.yaml"):
            c.opens += 1
        return real_open(file, flags, *a, **k)

    monkeypatch.setattr(yamlfast, "load", count_fast)
    monkeypatch.setattr(YAML, "load", count_rt)
    monkeypatch.setattr(schema.Issue, "model_validate", count_validate)
    monkeypatch.setattr(os, "open", count_open)
    return c


def run_fresh_process(*args: str) -> tuple[str, bool]:
    """Run zchuyot in a new Python process (as a worker does); its output, and whether it imported pydantic."""
    code = ("import sys; from zchuyot.cli import main; sys.argv=['zchuyot', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print('PYDANTIC' if 'pydantic' in sys.modules else 'NO-PYDANTIC')")
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "ZCHUYOT_BIDI": "logical"})
    assert p.returncode == 0, p.stderr
    out, _, last = p.stdout.strip().rpartition("\n")
    return out, last == "PYDANTIC"


def test_one_write_reads_parses_and_validates_its_file_once(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    issue = new_issue(ws)
    assert run("--root", str(ws), "plan", issue, "--action", "לבקש תלושים", "--who", "client").exit_code == 0
    run("--root", str(ws), "list")  # the cache exists, so a write hands it the new row
    path = next((ws / "cases" / "dana").glob(f"*/{issue}.yaml"))

    # the cache's row is up to date: the file is opened once and parsed once round-trip (comments kept);
    # it is not validated again (it was when cached) — the one fast read is of the text just written
    c = start_counting(monkeypatch, issue)
    r = run("--root", str(ws), "treat", issue, "שיחה עם פקידת ביטוח לאומי ₪1,250", "--kind", "call",
            "--done", "1", "--next", "+7")
    assert r.exit_code == 0, r.stderr
    assert (c.opens, c.roundtrip, c.validations, c.fast) == (1, 1, 0, 1)
    text = path.read_text(encoding="utf-8")
    assert "₪1,250" in text and "done: 20" in text and "next_followup: 20" in text

    # a hand edit makes the row stale: the file is read by the fast reader and validated — once
    path.write_text(text.replace("# ", "#  ", 1), encoding="utf-8")
    c = start_counting(monkeypatch, issue)
    r = run("--root", str(ws), "treat", issue, "פגישה", "--kind", "meeting")
    assert r.exit_code == 0, r.stderr
    assert (c.opens, c.roundtrip, c.validations, c.fast) == (1, 1, 1, 2)
    assert "#  " in path.read_text(encoding="utf-8")  # the hand edit kept


def test_a_write_with_a_fresh_cache_imports_no_pydantic(ws: Path) -> None:
    issue = new_issue(ws)
    run("--root", str(ws), "list")
    _, imported = run_fresh_process("--root", str(ws), "--worker", "dana", "treat", issue, "שיחה", "--kind", "call")
    assert not imported
    out, imported = run_fresh_process("--root", str(ws), "--worker", "dana", "new", "--family", "f2", "--subject",
                                      "מעון יום", "--domain", "education", "--body", "משרד החינוך|מוקד|")
    assert not imported  # a new issue is checked by the form itself, as an edit is
    r = run("--root", str(ws), "check")
    assert r.exit_code == 0, r.stdout
    shown = run("--root", str(ws), "show", issue, "--json")
    assert [e["kind"] for e in json.loads(shown.stdout)["log"]] == ["call"]


def test_a_refused_value_writes_nothing(ws: Path) -> None:
    issue = new_issue(ws)
    path = next((ws / "cases" / "dana").glob(f"*/{issue}.yaml"))
    before = path.read_bytes()
    r = run("--root", str(ws), "treat", issue, "x", "--kind", "sms")
    assert r.exit_code == 1 and "--kind" in r.stderr and "sms" in r.stderr
    r = run("--root", str(ws), "treat", issue, "x", "--done", "7")
    assert r.exit_code == 1 and "7" in r.stderr
    assert path.read_bytes() == before
    log = subprocess.run(["git", "log", "--oneline"], cwd=ws, capture_output=True, text=True).stdout
    assert log.count(issue) == 1  # only `new` committed


def test_show_with_a_fresh_cache_imports_no_pydantic(ws: Path) -> None:
    issue = new_issue(ws)
    run("--root", str(ws), "list")  # builds the cache
    out, imported = run_fresh_process("--root", str(ws), "show", issue)
    assert not imported and "שמונת השלבים" in out
    # a hand edit makes the row stale: show reads and validates the file again, and sees the edit
    path = next((ws / "cases" / "dana").glob(f"*/{issue}.yaml"))
    path.write_text(path.read_text(encoding="utf-8").replace("subject: ", "subject: נערך ביד – ", 1), encoding="utf-8")
    out, imported = run_fresh_process("--root", str(ws), "show", issue)
    assert imported and "נערך ביד" in out


def test_the_form_drives_the_models_and_the_flags() -> None:
    from zchuyot.case import form

    for f in form.ISSUE:
        assert f.attr in schema.Issue.model_fields, f.key
    for f in form.FAMILY:
        assert f.attr in schema.Family.model_fields, f.key
    assert form.flag_of("domain_other") == "--domain-other"
    assert form.flag_of("log.kind") == "--kind"
    r = run("--root", "/nonexistent-zchuyot", "list")
    assert r.exit_code == 1


def test_settings_kept_parsed_are_read_again_when_changed(ws: Path) -> None:
    """The settings are kept parsed between commands (no YAML parser for a command that reads nothing
    else), but every change to the file — a new value, a broken file — is seen by the next command."""
    issue = new_issue(ws, "--date", "2026-11-02")
    assert run("--root", str(ws), "followup", "--json").exit_code == 0
    assert (ws / ".zchuyot" / "parsed.json").is_file()
    settings = ws / ".zchuyot.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("stale_after: 5", "stale_after: 500"), encoding="utf-8")
    items = json.loads(run("--root", str(ws), "followup", "--json").stdout)["items"]
    assert issue not in [i["id"] for i in items]
    settings.write_text(text.replace("stale_after: 5", "stale_after: 1"), encoding="utf-8")
    items = json.loads(run("--root", str(ws), "followup", "--json").stdout)["items"]
    assert issue in [i["id"] for i in items]
    settings.write_text(text + "stale_after: 2\n", encoding="utf-8")  # a duplicate key
    r = run("--root", str(ws), "followup")
    assert r.exit_code == 1 and ".zchuyot.yaml" in r.stderr
