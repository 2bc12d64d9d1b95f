"""Issue 14: a worker's daily corrections and no silent mistakes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import issue_path, new_issue, run, synthetic


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 synthetic issues (bench.py's department): every long output is far more than a pipe holds."""
    return synthetic(tmp_path_factory, "big", 300)


@pytest.mark.parametrize("args", [["export"], ["export", "--format", "csv"], ["list", "--all-workers"],
                                  ["followup", "--all-workers", "--all"], ["report", "--format", "csv"],
                                  ["export", "--anonymize"], ["check"]])
def test_a_closed_pipe_ends_the_command_quietly(big: Path, args: list[str]) -> None:
    """`zchuyot export | head -1`: the reader leaves after one line; the command stops without a word, exit 0."""
    env = dict(os.environ, ZCHUYOT_WORKER="w00")
    p = subprocess.Popen([sys.executable, "-m", "zchuyot", "--root", str(big), *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.read(10)
    p.stdout.close()  # as head does when it has its line
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0, err
    assert err == ""


# ------------------------------------------------------------------ item 15: the small ones
def test_small_slips_are_caught(ws: Path) -> None:
    from conftest import git_log, new_issue, run

    i = new_issue(ws)
    r = run("--root", str(ws), "plan", i, "--action", "להגיש בקשה", "--who", "worker")
    assert r.exit_code == 0
    commits = len(git_log(ws))
    before = (ws / "cases").joinpath(*[]).rglob(f"{i}.yaml").__next__().read_bytes()
    # a next follow-up in the past is a typing slip (--next -3 for +3)
    r = run("--root", str(ws), "treat", i, "שיחה", "--next", "-3")
    assert r.exit_code == 1 and "המעקב הבא (20/11/2026) כבר עבר" in r.stderr
    r = run("--root", str(ws), "plan", i, "--next", "-3")
    assert r.exit_code == 1 and "כבר עבר" in r.stderr
    # an action marked done twice
    assert run("--root", str(ws), "treat", i, "הוגשה", "--done", "1").exit_code == 0
    r = run("--root", str(ws), "treat", i, "שוב", "--done", "1")
    assert r.exit_code == 1 and "כבר סומנה כבוצעה ב-23/11/2026" in r.stderr
    assert len(git_log(ws)) == commits + 1 and before != b""
    # plan --next says what it set
    r = run("--root", str(ws), "plan", i, "--next", "+7")
    assert r.exit_code == 0 and "המעקב הבא" in r.stdout and "30/11/2026" in r.stdout
    # persist and close without their one option: the command line is wrong (2)
    assert run("--root", str(ws), "persist", i).exit_code == 2
    assert run("--root", str(ws), "close", i).exit_code == 2


def test_csv_has_a_bom_for_excel(ws: Path) -> None:
    import csv
    import io

    from conftest import new_issue, run

    new_issue(ws, "--description", "חוב של ₪4,200")
    for args in (["export", "--format", "csv"], ["report", "--format", "csv"]):
        out = run("--root", str(ws), *args).raw_stdout
        assert out.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(out.encode("utf-8").decode("utf-8-sig"))))
        assert rows[0][0] in ("id", "section") and len(rows) > 1


def test_git_failure_reads_as_one_sentence(ws: Path, tmp_path: Path) -> None:
    import subprocess

    from conftest import new_issue, run

    new_issue(ws)
    subprocess.run(["git", "-C", str(ws), "remote", "add", "origin", str(tmp_path / "no-such-repo")], check=True)
    r = run("--root", str(ws), "sync")
    assert r.exit_code in (0, 1)
    assert "and the repository exists" not in r.stderr
    assert "does not appear to be a git repository" in r.stderr  # git's own cause, whole


# ------------------------------------------------------------------ items 1 and 5: reopen; a closed issue looks closed
def test_reopen_keeps_the_closing_and_is_honest_in_the_report(ws: Path) -> None:
    import json

    import yaml
    from conftest import git_log, issue_path, new_issue, run

    def z(*args: str, code: int = 0, today: str = "2026-11-26") -> object:
        r = run("--root", str(ws), *args, env={"ZCHUYOT_TODAY": today})
        assert r.exit_code == code, (args, r.stdout, r.stderr)
        return r

    i = new_issue(ws, subject="הנחה בארנונה (דחוף)")
    z("close", i, "--ended", "--benefit", "הנחה בארנונה", "--amount", "150", "--period", "monthly",
      "--kind", "recovery", "--date", "2026-11-10")
    shown = z("show", i).stdout  # type: ignore[attr-defined]
    assert "נסגרה" in shown and "10/11/2026" in shown and "◄" not in shown and "מעקב הבא" not in shown
    r = z("treat", i, "העירייה ביטלה את ההנחה")
    assert f"zchuyot reopen {i}" in r.stderr  # type: ignore[attr-defined]
    # bad input: no reason; an open issue; nothing written
    before, commits = issue_path(ws, i).read_bytes(), len(git_log(ws))
    assert "--why" in z("reopen", i, code=2).stderr  # type: ignore[attr-defined]  # (usage: no terminal to ask)
    assert "--why" in z("reopen", i, "--why", "   ", code=1).stderr  # type: ignore[attr-defined]
    assert issue_path(ws, i).read_bytes() == before and len(git_log(ws)) == commits
    z("reopen", i, "--why", "העירייה ביטלה את ההנחה")
    assert len(git_log(ws)) == commits + 1 and git_log(ws)[0].startswith("zchuyot reopen")
    assert "פתוחה" in z("reopen", i, "--why", "שוב", code=1).stderr  # type: ignore[attr-defined]
    data = yaml.safe_load(issue_path(ws, i).read_text(encoding="utf-8"))
    assert data["status"] == "open" and data["closed"] is None and data["status_reason"] is None
    last = data["log"][-1]
    assert last["kind"] == "reopen" and "סיום טיפול" in last["text"] and "₪150" in last["text"]
    assert data["outcome"]["until"] == dt.date(2026, 11, 26) and data["outcome"]["amount"] == 150
    # followup brings it up again
    fu = json.loads(z("followup", "--json").stdout)  # type: ignore[attr-defined]
    assert i in json.dumps(fu)
    # the year: the benefit was lost, so it is counted apart, not in the totals; before the reopening it held
    year = json.loads(z("report", "--json", "--from", "2026-01-01", "--to", "2026-12-31").stdout)["benefits"]  # type: ignore[attr-defined]
    assert year["monthly_total"] == 0 and year["lost"] == {"count": 1, "monthly_total": 150, "one_off_total": 0}
    early = json.loads(z("report", "--json", "--from", "2026-11-01", "--to", "2026-11-20").stdout)["benefits"]  # type: ignore[attr-defined]
    assert early["monthly_total"] == 150 and early["lost"]["count"] == 0
    shown = z("show", i).stdout  # type: ignore[attr-defined]
    assert "◄" in shown and "פתיחה מחדש" in shown


# ------------------------------------------------------------------ item 3: search
def test_search_is_hebrew_aware_and_answers_from_the_cache(ws: Path) -> None:
    import json

    from conftest import new_issue, run

    a = new_issue(ws, "--description", "המשפחה ביקשה הַנָּחָה בָּאַרְנוֹנָה; חוב של ₪4,200", subject="חוב לעירייה")
    b = new_issue(ws, subject="קצבת נכות כללית", family="f2")
    r = run("--root", str(ws), "--worker", "miri", "new", "--family", "f3", "--subject", "ארנונה – הנחה לנכים",
            "--domain", "housing")
    c = r.stdout.strip()
    assert run("--root", str(ws), "treat", b, "שיחה עם פקידת השיקום בביטוח לאומי").exit_code == 0
    insight = "לבקש ועדה רפואית מוקדם; ארנונה לא רלוונטית"
    assert run("--root", str(ws), "close", b, "--ended", "--insights", insight).exit_code == 0

    def ids(*args: str) -> list[str]:
        r = run("--root", str(ws), "search", *args, "--json")
        assert r.exit_code == 0, r.stderr
        return [x["id"] for x in json.loads(r.stdout)]

    # niqqud-insensitive both ways, prefix letters tolerated, every word must be found
    assert ids("לארנונה") == [a, b]  # this worker's issues; open first
    assert ids("אַרְנוֹנָה", "--all-workers") == [a, c, b]  # open ones first, by worker
    assert ids("ארנונה ₪4,200") == [a]
    assert ids("ופקידת השיקום") == [b]  # a log entry
    assert ids("ארנונה", "--status", "ended") == [b]
    assert ids("nothing-like-this") == []
    # the department's knowledge: closed issues' insights, every worker's
    r = run("--root", str(ws), "--worker", "miri", "search", "--insights", "ועדה")
    assert r.exit_code == 0 and b in r.stdout and "לבקש ועדה רפואית" in r.stdout
    # the same answers without the cache
    cold = run("--root", str(ws), "--no-cache", "search", "לארנונה", "--json").stdout
    assert [x["id"] for x in json.loads(cold)] == [a, b]
    # a hand edit the cache has not seen is found at once
    p = next((ws / "cases").rglob(f"{a}.yaml"))
    p.write_text(p.read_text(encoding="utf-8").replace("subject: חוב לעירייה", "subject: חוב למים"), encoding="utf-8")
    assert ids("למים") == [a]
    # the matching line is shown
    out = run("--root", str(ws), "search", "ארנונה").stdout
    assert "תיאור: המשפחה ביקשה" in out and "נמצאו 2 סוגיות" in out
    # bad input
    assert run("--root", str(ws), "search").exit_code == 2
    assert run("--root", str(ws), "search", "x", "--status", "nope").exit_code == 1


# ------------------------------------------------------------------ item 2: correct
def test_correct_changes_what_everyone_reads_and_keeps_the_original(ws: Path) -> None:
    import json

    import yaml
    from conftest import git_log, issue_path, new_issue, run

    def z(*args: str, code: int = 0) -> object:
        r = run("--root", str(ws), *args)
        assert r.exit_code == code, (args, r.stdout, r.stderr)
        return r

    i = new_issue(ws)
    z("treat", i, "ליווי לוועדה הרפואית", "--kind", "call", "--date", "2026-11-20")  # entry 1: wrong kind
    z("persist", i, "--refusal", "הבקשה נדחתה", "--body", "ביטוח לאומי", "--date", "2026-11-21")  # entry 2
    year = ("report", "--json", "--from", "2026-01-01", "--to", "2026-12-31")
    assert json.loads(z(*year).stdout)["accompaniments"] == 0  # type: ignore[attr-defined]
    assert "refusal_open" in z("followup", "--json", "--on", "2026-11-30").stdout  # type: ignore[attr-defined]
    before, commits = issue_path(ws, i).read_bytes(), len(git_log(ws))
    # bad input: nothing to change, no such entry, a date to come, an unknown kind — nothing written
    assert "--text" in z("correct", i, "1", code=2).stderr  # type: ignore[attr-defined]
    assert "אין בתיעוד רשומה 7" in z("correct", i, "7", "--text", "x", code=1).stderr  # type: ignore[attr-defined]
    z("correct", i, "0", "--text", "x", code=1)
    assert "עוד לא הגיע" in z("correct", i, "1", "--date", "+5", code=1).stderr  # type: ignore[attr-defined]
    z("correct", i, "1", "--kind", "party", code=1)
    z("correct", i, "1", "--text", "   ", code=1)
    assert issue_path(ws, i).read_bytes() == before and len(git_log(ws)) == commits
    # the kind corrected: the report counts the accompaniment; the text corrected: show has it, marked
    z("correct", i, "1", "--kind", "accompaniment", "--text", "ליווי לוועדה הרפואית בבאר שבע")
    assert git_log(ws)[0].startswith("zchuyot correct") and len(git_log(ws)) == commits + 1
    assert json.loads(z(*year).stdout)["accompaniments"] == 1  # type: ignore[attr-defined]
    assert json.loads(run("--root", str(ws), "--no-cache", *year).stdout)["accompaniments"] == 1
    shown = z("show", i).stdout  # type: ignore[attr-defined]
    assert "ליווי לוועדה הרפואית בבאר שבע (תוקן)" in shown and "ליווי" in shown
    # a refusal that was not one (entry 2 is an answer): followup no longer waits on it
    z("correct", i, "2", "--kind", "answer")
    assert "refusal_open" not in z("followup", "--json", "--on", "2026-11-30").stdout  # type: ignore[attr-defined]
    # the file keeps every original entry, and each correction names the entry and the text it had
    log = yaml.safe_load(issue_path(ws, i).read_text(encoding="utf-8"))["log"]
    assert [e["kind"] for e in log][:2] == ["call", "refusal"] and log[0]["text"] == "ליווי לוועדה הרפואית"
    fixes = [e for e in log if e["kind"] == "correction"]
    assert [(e["corrects"], e["was"]) for e in fixes] == [(1, "ליווי לוועדה הרפואית"), (2, "הבקשה נדחתה")]
    assert run("--root", str(ws), "check").exit_code == 0


# ------------------------------------------------------------------ item 4: an unknown family code
def test_an_unknown_family_code_is_named_by_new_and_by_check(ws: Path) -> None:
    import json

    from conftest import run

    assert run("--root", str(ws), "family", "add", "f102", "--name", "משפחת כהן").exit_code == 0
    ok = run("--root", str(ws), "new", "--family", "f102", "--subject", "ארנונה", "--domain", "housing")
    assert ok.exit_code == 0 and ok.stderr == ""  # a known family: not a word
    r = run("--root", str(ws), "new", "--family", "f1002", "--subject", "ארנונה", "--domain", "housing")
    assert r.exit_code == 0 and r.stdout.strip().startswith("dana-")  # opened (no terminal to ask), but named:
    assert "f1002" in r.stderr and "f102" in r.stderr and "zchuyot family add f1002" in r.stderr
    out = json.loads(run("--root", str(ws), "check", "--json").stdout)
    [w] = [w for w in out["warnings"] if "f1002" in w["message"]]
    assert w["file"] == "cases/dana/f1002" and "f102" in w["fix"]
    assert not any("f102 " in w["message"] for w in out["warnings"])
    assert run("--root", str(ws), "family", "add", "f1002", "--name", "משפחת לוי").exit_code == 0
    assert json.loads(run("--root", str(ws), "check", "--json").stdout)["warnings"] == []


# ------------------------------------------------------------------ item 10: an unknown worker code
def test_an_unknown_worker_code_is_refused_with_did_you_mean(ws: Path) -> None:
    import json

    from conftest import git_log, run

    commits = len(git_log(ws))
    r = run("--root", str(ws), "--worker", "nobody", "new", "--family", "f1", "--subject", "x", "--domain", "debts")
    assert r.exit_code == 1 and "nobody" in r.stderr and "zchuyot worker add nobody" in r.stderr
    assert not (ws / "cases" / "nobody").exists() and len(git_log(ws)) == commits
    r = run("--root", str(ws), "--worker", "mirri", "report")
    assert r.exit_code == 1 and "miri" in r.stderr  # did you mean
    r = run("--root", str(ws), "new", "--family", "f1", "--subject", "x", "--domain", "debts",
            env={"ZCHUYOT_WORKER": "danna"})
    assert r.exit_code == 1 and "dana" in r.stderr
    # adding a worker: listed, committed, then she can work
    assert run("--root", str(ws), "worker", "add", "tamar", "--name", "תמר", "--role", "volunteer").exit_code == 0
    assert git_log(ws)[0] == "zchuyot worker add: tamar"
    workers = json.loads(run("--root", str(ws), "worker", "list", "--json").stdout)
    assert {"worker": "tamar", "name": "תמר", "role": "volunteer", "admin": False, "approved": False,
            "signing_fingerprint": None, "age_public_key": None} in workers
    assert "# " in (ws / ".zchuyot.yaml").read_text(encoding="utf-8")  # the settings' comments kept
    # she works once her keys are published and an admin approved them (issue 23)
    r = run("--root", str(ws), "--worker", "tamar", "new", "--family", "f1", "--subject", "x", "--domain", "debts")
    assert r.exit_code == 1 and "ממתינה לאישור" in r.stderr
    assert run("--root", str(ws), "--worker", "tamar", "keys", "init").exit_code == 0
    assert run("--root", str(ws), "worker", "approve", "tamar").exit_code == 0
    assert run("--root", str(ws), "--worker", "tamar", "new", "--family", "f1", "--subject", "x",
               "--domain", "debts").exit_code == 0
    # bad input: twice, a bad code, an unknown role — nothing written
    commits = len(git_log(ws))
    assert "כבר רשומה" in run("--root", str(ws), "worker", "add", "tamar").stderr
    assert run("--root", str(ws), "worker", "add", "Tamar Levi").exit_code == 1
    assert run("--root", str(ws), "worker", "add", "gal", "--role", "boss").exit_code == 1
    assert len(git_log(ws)) == commits


def test_check_explains_correct_when_a_log_entry_was_changed_by_hand(ws: Path) -> None:
    i = new_issue(ws)
    assert run("--root", str(ws), "treat", i, "שיחה עם האם", "--date", "2026-11-20").exit_code == 0
    assert run("--root", str(ws), "treat", i, "ביקור בית", "--date", "2026-11-21").exit_code == 0
    p = issue_path(ws, i)
    p.write_text(p.read_text(encoding="utf-8").replace("text: ביקור בית", "text: ביקור בית עם האב"),
                 encoding="utf-8")
    r = run("--root", str(ws), "check")
    assert r.exit_code == 0  # a warning: the file is valid
    line = next(n for n, x in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if "ביקור בית עם האב" in x)
    head = next(x for x in r.stdout.splitlines() if "שונתה בקובץ" in x)
    assert f"{i}.yaml:" in head and "ביקור בית" in head
    assert f"zchuyot correct {i} 2 --text" in r.stdout
    # the line given is the entry's (its first line), not the file's first
    assert f":{line - 2}" in head or f":{line - 1}" in head or f":{line}" in head
    # adding an entry by hand, or a correction through the CLI, is not a changed entry
    p.write_text(p.read_text(encoding="utf-8").replace("text: ביקור בית עם האב", "text: ביקור בית"),
                 encoding="utf-8")
    assert run("--root", str(ws), "correct", i, "2", "--text", "ביקור בית עם האב").exit_code == 0
    assert "שונתה בקובץ" not in run("--root", str(ws), "check").stdout


# ------------------------------------------------------------------ amend (issue 27)
def test_amend_a_closing_amount_keeps_the_original_and_every_reader_sees_the_new(ws: Path) -> None:
    import json
    import subprocess

    from conftest import issue_path, new_issue, run

    i = new_issue(ws)
    assert run("--root", str(ws), "close", i, "--ended", "--benefit", "הנחה בארנונה", "--amount", "1520",
               "--period", "monthly", "--kind", "avoidance").exit_code == 0
    r = run("--root", str(ws), "amend", i, "outcome.amount", "1,250", "--why", "טעות הקלדה")
    assert r.exit_code == 0, r.stderr
    assert "מה הושג – סכום" in r.stdout + r.stderr
    d = json.loads(run("--root", str(ws), "show", i, "--json").stdout)
    assert d["outcome"]["amount"] == 1250
    entry = d["log"][-1]
    assert entry["kind"] == "amendment" and entry["amends"] == "outcome.amount" and entry["was"] == "1520"
    assert "טעות הקלדה" in entry["text"]
    rep = json.loads(run("--root", str(ws), "report", "--json").stdout)
    assert rep["benefits"]["monthly_total"] == 1250  # the report (through the cache) reads the amended value
    history = subprocess.run(["git", "-C", str(ws), "log", "-p", "-2"], capture_output=True, text=True).stdout
    assert "-  amount: 1520" in history and "+  amount: 1250" in history  # the history keeps the original
    before = issue_path(ws, i).read_bytes()
    r = run("--root", str(ws), "amend", i, "outcome.amount", "1250")
    assert r.exit_code == 1 and "כבר רשום" in r.stderr
    for args, needle in ((("nope", "x"), "outcome.amount"), (("domain", "חובת"), "חובות"),
                         (("opened", "+30"), ""), (("actions.3.due", "+3"), "אין רשומה"),
                         (("log.1.text", "x"), "zchuyot correct"), (("status", "ended"), "close"),
                         (("outcome.kind", "gift"), "recovery")):
        r = run("--root", str(ws), "amend", i, *args)
        assert r.exit_code == 1 and needle in r.stderr, (args, r.stderr)
    assert issue_path(ws, i).read_bytes() == before


def test_amend_cancels_a_plan_action_and_a_mistaken_closing_never_counts(ws: Path) -> None:
    import json

    from conftest import new_issue, run

    i = new_issue(ws)
    assert run("--root", str(ws), "plan", i, "--action", "מכתב לעירייה", "--who", "worker", "--due", "+2",
               "--person", "dana").exit_code == 0
    assert run("--root", str(ws), "amend", i, "actions.1.due", "+5").exit_code == 0
    d = json.loads(run("--root", str(ws), "show", i, "--json").stdout)
    assert d["actions"][0]["due"] == "2026-11-28"
    assert "מכתב לעירייה" in run("--root", str(ws), "followup", env={"ZCHUYOT_TODAY": "2026-11-29"}).stdout
    assert run("--root", str(ws), "amend", i, "actions.1", "--cancel", "--why", "המשפחה הגישה בעצמה").exit_code == 0
    assert "מכתב לעירייה" not in run("--root", str(ws), "followup", env={"ZCHUYOT_TODAY": "2026-11-29"}).stdout
    assert "בוטלה" in run("--root", str(ws), "plan", i).stdout
    r = run("--root", str(ws), "treat", i, "נשלח", "--done", "1")
    assert r.exit_code == 1 and "בוטלה" in r.stderr
    assert run("--root", str(ws), "amend", i, "actions.1", "--cancel").exit_code == 1  # once
    # a closing that was a mistake: reopened, the benefit would show "won and lost"; marked, it never counted
    assert run("--root", str(ws), "close", i, "--ended", "--benefit", "הנחה בארנונה", "--amount", "300",
               "--period", "monthly", "--kind", "avoidance").exit_code == 0
    assert run("--root", str(ws), "reopen", i, "--why", "נסגרה בטעות").exit_code == 0
    lost = json.loads(run("--root", str(ws), "report", "--json").stdout)["benefits"]
    assert lost["lost"]["count"] == 1
    assert run("--root", str(ws), "amend", i, "outcome", "--mistaken", "--why", "נסגרה בטעות").exit_code == 0
    b = json.loads(run("--root", str(ws), "report", "--json").stdout)["benefits"]
    assert b["count"] == 0 and b["lost"]["count"] == 0 and b["monthly_total"] == 0
    assert json.loads(run("--root", str(ws), "show", i, "--json").stdout)["log"][-1]["was"].startswith("benefit:")
    r = run("--root", str(ws), "amend", i, "subject", "--cancel")
    assert r.exit_code == 2 and "actions.N --cancel" in r.stderr
