"""treat and close: the append-only log, the next follow-up, the form's closing rules, git commits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git_log, git_status, issue_path, new_issue, run
from ruamel.yaml import YAML


def load(p: Path):
    return YAML(typ="safe").load(p.read_text(encoding="utf-8"))


def show(ws: Path, issue_id: str) -> dict:
    r = run("--root", str(ws), "show", issue_id, "--json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_treat_appends_log_entries(ws: Path) -> None:
    i = new_issue(ws)
    r = run("--root", str(ws), "treat", i, "שיחה עם ועדת ההנחות, נשלחו 3 מסמכים", "--kind", "call",
            "--date", "20/11/2026", "--next", "+7")
    assert r.exit_code == 0, r.stderr
    r = run("--root", str(ws), "treat", i, "פגישה עם האם; סוכם על מכתב לבנק", "--kind", "פגישה")
    assert r.exit_code == 0, r.stderr
    data = show(ws, i)
    assert data["log"] == [
        {"date": "2026-11-20", "kind": "call", "text": "שיחה עם ועדת ההנחות, נשלחו 3 מסמכים", "by": "dana"},
        {"date": "2026-11-23", "kind": "meeting", "text": "פגישה עם האם; סוכם על מכתב לבנק", "by": "dana"},
    ]
    assert data["next_followup"] == "2026-11-30"
    assert git_log(ws)[:2] == [f"zchuyot treat: {i}", f"zchuyot treat: {i}"]
    assert git_status(ws) == ""


def test_treat_refusal_moves_to_persist(ws: Path) -> None:
    i = new_issue(ws)
    run("--root", str(ws), "treat", i, "ביטוח לאומי דחה את הבקשה", "--kind", "refusal")
    assert show(ws, i)["step"] == "persist"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["   "], "מה נעשה"),
        (["טקסט", "--kind", "party"], "meeting (פגישה)"),
        (["טקסט", "--date", "30/02/2026"], "אינו תאריך תקין"),
        (["טקסט", "--date", "tomorrow"], "עוד לא הגיע"),
        (["טקסט", "--next", "someday"], "אינו תאריך תקין"),
        (["טקסט", "--done", "3"], "אין בתכנית פעולה '3'"),
    ],
)
def test_treat_bad_input(ws: Path, args: list[str], needle: str) -> None:
    i = new_issue(ws)
    before = issue_path(ws, i).read_bytes()
    r = run("--root", str(ws), "treat", i, *args)
    assert r.exit_code == 1
    assert needle in r.stderr
    assert "Traceback" not in r.stderr
    assert issue_path(ws, i).read_bytes() == before


def test_unknown_and_ambiguous_ids(ws: Path) -> None:
    r = run("--root", str(ws), "treat", "dana-zzzzz", "x")
    assert r.exit_code == 1 and "לא נמצאה סוגיה" in r.stderr
    for bad in ("../x", "a/b", ".hidden", "", "x;rm"):
        r = run("--root", str(ws), "show", bad)
        assert r.exit_code == 1, bad
        assert "Traceback" not in r.stderr
    # two workers with the same suffix: the short form is ambiguous, the full form is not
    i = new_issue(ws)
    suffix = i.split("-")[1]
    other = ws / "cases" / "miri" / "f1" / f"miri-{suffix}.yaml"
    other.parent.mkdir(parents=True)
    other.write_text(issue_path(ws, i).read_text().replace(i, f"miri-{suffix}"), encoding="utf-8")
    r = run("--root", str(ws), "show", suffix)
    assert r.exit_code == 1 and "כמה סוגיות" in r.stderr
    assert run("--root", str(ws), "show", f"miri-{suffix}", "--json").exit_code == 0


def test_close_ended_with_outcome(ws: Path) -> None:
    i = new_issue(ws)
    r = run("--root", str(ws), "close", i, "--ended", "--insights", "לשאול כל הורה יחיד על ארנונה",
            "--benefit", "הנחה בארנונה", "--amount", "₪1,250.50", "--period", "monthly", "--kind", "avoidance")
    assert r.exit_code == 0, r.stderr
    data = show(ws, i)
    assert data["status"] == "ended" and data["status_reason"] is None
    assert data["insights"] == "לשאול כל הורה יחיד על ארנונה"
    assert data["outcome"] == {"benefit": "הנחה בארנונה", "kind": "avoidance", "amount": 1250.5,
                               "period": "monthly", "from": "2026-11-23",
                               "right": "arnona_discount"}  # the checklist's right, by its key
    assert data["log"][-1]["text"] == "סיום טיפול"
    assert git_log(ws)[0] == f"zchuyot close: {i}"
    # closing twice is refused, nothing changes
    before = issue_path(ws, i).read_bytes()
    r = run("--root", str(ws), "close", i, "--ended")
    assert r.exit_code == 1 and "כבר סגורה" in r.stderr
    assert issue_path(ws, i).read_bytes() == before


def test_close_stopped_and_referred(ws: Path) -> None:
    a, b = new_issue(ws), new_issue(ws)
    assert run("--root", str(ws), "close", a, "--stopped", "המשפחה עברה לעיר אחרת").exit_code == 0
    assert run("--root", str(ws), "close", b, "--referred", "הסיוע המשפטי").exit_code == 0
    da, db = show(ws, a), show(ws, b)
    assert (da["status"], da["status_reason"]) == ("stopped", "המשפחה עברה לעיר אחרת")
    assert (db["status"], db["status_reason"]) == ("referred", "הסיוע המשפטי")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([], "--ended | --stopped | --referred"),  # (no terminal to ask in)
        (["--ended", "--stopped", "x"], "בדיוק אחד"),
        (["--stopped", ""], "מדוע"),
        (["--stopped", "   "], "מדוע"),
        (["--referred", ""], "לאיזה גורם"),
        (["--ended", "--benefit", "קצבה"], "--amount"),
        (["--ended", "--benefit", "קצבה", "--amount", "lots", "--period", "monthly", "--kind", "recovery"], "סכום"),
        (["--ended", "--benefit", "קצבה", "--amount", "-5", "--period", "monthly", "--kind", "recovery"], "סכום"),
        (["--ended", "--benefit", "קצבה", "--amount", "5", "--period", "weekly", "--kind", "recovery"], "monthly"),
        (["--ended", "--benefit", "קצבה", "--amount", "5", "--period", "monthly", "--kind", "gift"], "recovery"),
    ],
)
def test_close_bad_input(ws: Path, args: list[str], needle: str) -> None:
    i = new_issue(ws)
    before = issue_path(ws, i).read_bytes()
    log_before = git_log(ws)
    r = run("--root", str(ws), "close", i, *args)
    assert r.exit_code == (2 if needle in ("בדיוק אחד", "--ended | --stopped | --referred") else 1), r.stdout
    # (not one way of closing: usage, 2)
    assert needle in r.stderr
    assert issue_path(ws, i).read_bytes() == before
    assert git_log(ws) == log_before


def test_broken_file_is_not_rewritten(ws: Path) -> None:
    i = new_issue(ws)
    p = issue_path(ws, i)
    p.write_text(p.read_text().replace("domain: housing", "domain: [unclosed"), encoding="utf-8")
    before = p.read_bytes()
    r = run("--root", str(ws), "treat", i, "x")
    assert r.exit_code == 1
    assert "zchuyot check" in r.stderr and f"{p.name}:" in r.stderr
    assert p.read_bytes() == before


def test_not_a_git_repo_still_works(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    assert run("init", str(root), "--worker", "dana").exit_code == 0
    import shutil

    shutil.rmtree(root / ".git")
    i = new_issue(root)
    assert run("--root", str(root), "treat", i, "x").exit_code == 0
    assert not (root / ".git").exists()


def test_treat_commits_a_file_git_did_not_know_yet(ws: Path) -> None:
    """An edit commits with one git process when git knows the file; a file it does not know (e.g. its
    first commit failed) is added and committed all the same."""
    import subprocess

    a = new_issue(ws)
    rel = str(issue_path(ws, a).relative_to(ws))
    subprocess.run(["git", "-C", str(ws), "rm", "-q", "--cached", rel], check=True)
    subprocess.run(["git", "-C", str(ws), "commit", "-qm", "untrack"], check=True)
    r = run("--root", str(ws), "treat", a, "שיחה עם הסניף", "--kind", "call")
    assert r.exit_code == 0, r.stderr
    assert git_log(ws)[0] == f"zchuyot treat: {a}"
    assert git_status(ws) == ""
    r = run("--root", str(ws), "treat", a, "מכתב נשלח", "--kind", "letter")
    assert r.exit_code == 0 and git_log(ws)[0] == f"zchuyot treat: {a}" and git_status(ws) == ""
