"""The inside of the house: one write reads its file once, parses it once with each reader and validates
it once; the form is defined once; show answers from a fresh cache without pydantic."""

from __future__ import annotations

import builtins
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import new_issue, run

from zchuyot import yamlfast
from zchuyot.case import schema


class Counts:
    def __init__(self) -> None:
        self.fast = self.roundtrip = self.validations = self.opens = 0


def start_counting(monkeypatch: pytest.MonkeyPatch, issue_id: str) -> Counts:
    """Count, from now on, the parses of one issue's text by the fast reader and round-trip, the validations
    of an issue by its pydantic model, and the openings of issue files for reading."""
    c = Counts()
    from ruamel.yaml import YAML

    fast, rt_load, validate, real_open = yamlfast.load, YAML.load, schema.Issue.model_validate, builtins.open

    def count_fast(text: str) -> Any:
        c.fast += f"id: {issue_id}" in text
        return fast(text)

    def count_rt(self: Any, text: Any) -> Any:
        c.roundtrip += isinstance(text, str) and f"id: {issue_id}" in text
        return rt_load(self, text)

    def count_validate(data: Any, *a: Any, **k: Any) -> Any:
        c.validations += 1
        return validate(data, *a, **k)

    def count_open(file: Any, mode: str = "r", *a: Any, **k: Any) -> Any:
        if "r" in mode and str(file).endswith(".yaml") and "/cases/" in str(file) and "family" not in str(file):
            c.opens += 1
        return real_open(file, mode, *a, **k)

    monkeypatch.setattr(yamlfast, "load", count_fast)
    monkeypatch.setattr(YAML, "load", count_rt)
    monkeypatch.setattr(schema.Issue, "model_validate", count_validate)
    monkeypatch.setattr(builtins, "open", count_open)
    return c


def test_one_write_reads_parses_and_validates_its_file_once(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    issue = new_issue(ws)
    assert run("--root", str(ws), "plan", issue, "--action", "לבקש תלושים", "--who", "client").exit_code == 0
    run("--root", str(ws), "list")  # the cache exists, so a write hands it the new row
    c = start_counting(monkeypatch, issue)
    r = run("--root", str(ws), "treat", issue, "שיחה עם פקידת ביטוח לאומי ₪1,250", "--kind", "call",
            "--done", "1", "--next", "+7")
    assert r.exit_code == 0, r.stderr
    # the file: opened once, parsed once by the fast reader (its refusals and lines) and once round-trip
    # (comments kept); validated once. The one more fast read is of the text just written (the cache's row).
    assert (c.opens, c.roundtrip, c.validations) == (1, 1, 1)
    assert c.fast == 2
    text = next((ws / "cases" / "dana").glob(f"*/{issue}.yaml")).read_text(encoding="utf-8")
    assert "₪1,250" in text and "done: 20" in text and "next_followup: 20" in text


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
    code = (f"import sys; from zchuyot.cli import main; sys.argv=['zchuyot','--root',{str(ws)!r},'show',{issue!r}]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
            "print('PYDANTIC' if 'pydantic' in sys.modules else 'NO-PYDANTIC')")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env={**__import__("os").environ, "ZCHUYOT_BIDI": "logical"})
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().splitlines()[-1] == "NO-PYDANTIC", p.stdout[-300:]
    assert "שמונת השלבים" in p.stdout
    # a hand edit makes the row stale: show reads and validates the file again, and sees the edit
    path = next((ws / "cases" / "dana").glob(f"*/{issue}.yaml"))
    path.write_text(path.read_text(encoding="utf-8").replace("subject:", "subject: נערך ביד", 1)
                    .replace("subject: נערך ביד ", "subject: נערך ביד – "), encoding="utf-8")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env={**__import__("os").environ, "ZCHUYOT_BIDI": "logical"})
    assert p.returncode == 0 and p.stdout.strip().splitlines()[-1] == "PYDANTIC", p.stdout[-300:]
    assert "נערך ביד" in p.stdout


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
