"""zchuyot followup: every reason code at its boundaries, Israeli working days, ranking, scope, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import issue_path, new_issue, run


def fu(ws: Path, on: str, *args: str) -> dict:
    r = run("--root", str(ws), "followup", "--on", on, "--json", *args)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def codes(ws: Path, on: str, issue_id: str, *args: str, stale: bool = True) -> list[str]:
    for item in fu(ws, on, *args)["items"]:
        if item["id"] == issue_id:
            return sorted(r["code"] for r in item["reasons"] if stale or r["code"] != "stale")
    return []


def opened(ws: Path, date: str, **kw: str) -> str:
    return new_issue(ws, "--date", date, **kw)


def test_stale_counts_israeli_working_days_and_skips_yom_kippur(ws: Path) -> None:
    i = opened(ws, "2026-09-10")
    assert run("--root", str(ws), "treat", i, "שיחה", "--date", "2026-09-17").exit_code == 0  # Thursday
    # Fri 18, Sat 19 do not count; Sun 20 = 1; Mon 21 is Yom Kippur; Tue 22 = 2, Wed 23 = 3, Thu 24 = 4
    assert codes(ws, "2026-09-24", i) == []
    assert codes(ws, "2026-09-27", i) == ["stale"]  # Sun 27 = 5
    item = fu(ws, "2026-09-27")["items"][0]
    assert item["reasons"][0] == {"code": "stale", "detail": "5", "date": "2026-09-17"}


def test_stale_boundary_on_an_ordinary_week(ws: Path) -> None:
    i = opened(ws, "2026-11-01")
    run("--root", str(ws), "treat", i, "x", "--date", "2026-11-12")  # Thursday
    assert codes(ws, "2026-11-18", i) == []  # Sun 15 … Wed 18 = 4
    assert codes(ws, "2026-11-19", i) == ["stale"]  # Thu 19 = 5
    assert codes(ws, "2026-11-13", i) == []  # Friday: nothing counts
    # the opening date counts when there is no log entry yet
    j = opened(ws, "2026-11-12")
    assert codes(ws, "2026-11-19", j) == ["stale"]


def test_stale_after_comes_from_settings(ws: Path) -> None:
    s = (ws / ".zchuyot.yaml").read_text(encoding="utf-8").replace("stale_after: 5", "stale_after: 2")
    (ws / ".zchuyot.yaml").write_text(s, encoding="utf-8")
    i = opened(ws, "2026-11-12")
    assert codes(ws, "2026-11-15", i) == []  # Sun = 1
    assert codes(ws, "2026-11-16", i) == ["stale"]  # Mon = 2


def test_actions_due_and_overdue(ws: Path) -> None:
    i = opened(ws, "2026-11-20")
    run("--root", str(ws), "plan", i, "--action", "מכתב לבנק", "--who", "worker", "--due", "2026-11-25")
    assert codes(ws, "2026-11-23", i, stale=False) == []
    assert codes(ws, "2026-11-24", i, stale=False) == ["action_due"]  # tomorrow
    assert codes(ws, "2026-11-25", i, stale=False) == ["action_due"]  # today
    assert codes(ws, "2026-11-26", i, stale=False) == ["action_overdue"]
    run("--root", str(ws), "treat", i, "נשלח", "--done", "1")
    assert codes(ws, "2026-11-26", i, stale=False) == []


def test_followup_date(ws: Path) -> None:
    i = opened(ws, "2026-11-20")
    run("--root", str(ws), "treat", i, "x", "--next", "2026-11-25")
    assert codes(ws, "2026-11-24", i, stale=False) == []
    assert codes(ws, "2026-11-25", i, stale=False) == ["followup_due"]


def test_refusal_open_after_grace_until_escalated(ws: Path) -> None:
    i = opened(ws, "2026-11-01")
    run("--root", str(ws), "persist", i, "--refusal", "לא", "--body", "עירייה", "--date", "2026-11-10")
    assert codes(ws, "2026-11-12", i, stale=False) == []  # 2 days < refusal_grace 3
    assert codes(ws, "2026-11-13", i, stale=False) == ["refusal_open"]
    run("--root", str(ws), "persist", i, "--escalate", "מכתב לראש האגף", "--date", "2026-11-13")
    assert codes(ws, "2026-11-13", i, stale=False) == []


def test_legal_clock_near_missed_and_only_an_appeal_stops_it(ws: Path) -> None:
    i = opened(ws, "2026-09-01")
    run("--root", str(ws), "persist", i, "--refusal", "ועדה רפואית: 20%", "--body", "ביטוח לאומי",
        "--date", "2026-10-01", "--deadline", "medical_appeal")  # due 2026-11-30
    run("--root", str(ws), "persist", i, "--escalate", "מכתב למנהל הסניף", "--date", "2026-10-02")
    assert codes(ws, "2026-11-15", i, stale=False) == []  # 15 days left > deadline_warning 14
    # 14 days left: the escalation did not stop the clock
    assert codes(ws, "2026-11-16", i, stale=False) == ["deadline_near"]
    d = fu(ws, "2026-11-30")["items"][0]["reasons"][0]  # the most pressing reason first
    assert d == {"code": "deadline_near", "detail": "ערר לוועדה רפואית לעררים (נכות כללית, ילד נכה)",
                 "date": "2026-11-30"}
    assert codes(ws, "2026-12-01", i, stale=False) == ["deadline_missed"]
    run("--root", str(ws), "persist", i, "--appeal", "הוגש ערר לוועדה לעררים", "--date", "2026-11-20")
    assert codes(ws, "2026-12-01", i, stale=False) == []


def test_ranking_follows_the_practice(ws: Path) -> None:
    stale = opened(ws, "2026-10-01", family="f1")
    overdue = opened(ws, "2026-11-15", family="f2")
    run("--root", str(ws), "plan", overdue, "--action", "a", "--who", "worker", "--due", "2026-11-16")
    run("--root", str(ws), "plan", overdue, "--action", "b", "--who", "worker", "--due", "2026-11-17")
    refused = opened(ws, "2026-11-15", family="f3")
    run("--root", str(ws), "persist", refused, "--refusal", "לא", "--body", "x", "--date", "2026-11-16")
    near = opened(ws, "2026-11-15", family="f4")
    run("--root", str(ws), "persist", near, "--refusal", "לא", "--body", "x", "--date", "2026-10-01",
        "--deadline", "medical_appeal")
    run("--root", str(ws), "persist", near, "--appeal", "x", "--date", "2026-10-02")  # answered: no clock
    missed = opened(ws, "2026-09-01", family="f5")
    run("--root", str(ws), "persist", missed, "--refusal", "לא", "--body", "x", "--date", "2026-09-01",
        "--deadline", "arnona_appeal")
    run("--root", str(ws), "persist", missed, "--escalate", "x", "--date", "2026-09-02")
    near2 = opened(ws, "2026-11-15", family="f6")
    run("--root", str(ws), "persist", near2, "--refusal", "לא", "--body", "x", "--date", "2026-11-10",
        "--deadline", "arnona_appeal")  # due 2026-12-10
    run("--root", str(ws), "persist", near2, "--escalate", "x", "--date", "2026-11-11")
    items = fu(ws, "2026-11-26")["items"]
    order = [x["id"] for x in items]
    assert order == [missed, near2, refused, overdue, stale, near]  # near: answered by the appeal, only quiet
    scores = [x["score"] for x in items]
    assert scores == sorted(scores, reverse=True)
    r = run("--root", str(ws), "followup", "--on", "2026-11-26", "--explain")
    assert f"{missed}:" in r.stdout and "מועד שעבר" in r.stdout and "=" in r.stdout
    assert not re.search(r"[a-z]+_[a-z]+", r.stdout)  # the reason codes are for --json; the screen names them


def test_scope_closed_and_broken_files(ws: Path) -> None:
    mine = opened(ws, "2026-10-01", family="f1")
    closed = opened(ws, "2026-10-01", family="f1")
    run("--root", str(ws), "close", closed, "--ended")
    r = run("--root", str(ws), "--worker", "miri", "new", "--family", "f9", "--subject", "x", "--domain", "debts",
            "--date", "2026-10-01")
    theirs = r.stdout.strip()
    broken = issue_path(ws, mine).parent / "dana-bbbbb.yaml"
    broken.write_text("id: dana-bbbbb\nfamily: [\n", encoding="utf-8")
    data = fu(ws, "2026-11-23")
    assert [x["id"] for x in data["items"]] == [mine]
    assert data["errors"] and data["errors"][0]["file"].endswith("dana-bbbbb.yaml")
    assert set(data) == {"on", "items", "errors"} and data["on"] == "2026-11-23"
    assert set(data["items"][0]) == {"id", "family", "worker", "subject", "score", "reasons"}
    assert data["items"][0]["worker"] == "dana"
    ids = [x["id"] for x in fu(ws, "2026-11-23", "--all-workers")["items"]]
    assert sorted(ids) == sorted([mine, theirs])
    r = run("--root", str(ws), "followup", "--on", "2026-11-23")
    assert r.exit_code == 0 and "dana-bbbbb.yaml" in r.stdout and "משפחה f1" in r.stdout


def test_today_is_the_default_and_the_screen_reads_well(ws: Path) -> None:
    i = opened(ws, "2026-11-01", subject="הנחה בארנונה")
    r = run("--root", str(ws), "followup")  # ZCHUYOT_TODAY is pinned to 2026-11-23 by the fixture
    assert r.exit_code == 0
    assert "מעקב יומי – יום שני, 23/11/2026" in r.stdout
    assert i in r.stdout and "הנחה בארנונה" in r.stdout and "ימי עבודה" in r.stdout
    r = run("--root", str(ws), "--lang", "en", "followup")
    assert "Daily follow-up – Monday" in r.stdout and "working days" in r.stdout
    r = run("--root", str(ws), "followup", "--on", "31/02/2026")
    assert r.exit_code == 1


def test_nothing_to_do(ws: Path) -> None:
    new_issue(ws)
    r = run("--root", str(ws), "followup")
    assert "אין היום סוגיות" in r.stdout
    assert fu(ws, "2026-11-23")["items"] == []


@pytest.mark.parametrize("on", ["2026-09-21", "2026-10-03", "2026-04-22"])
def test_holidays_are_not_working_days(on: str) -> None:
    import datetime as dt

    from zchuyot.calendar.workdays import WorkCalendar

    d = dt.date.fromisoformat(on)
    assert not WorkCalendar().is_workday(d)
    assert WorkCalendar("none").is_workday(d) == (d.weekday() in (6, 0, 1, 2, 3))


def test_the_morning_screen_fits_a_morning_and_all_lists_everything(ws: Path) -> None:
    """Issue 13: the default screen shows the most pressing items (whole families) and counts the rest by
    reason; `--all` lists every item (the same ids as --json), as plain lines, in logical and visual order."""
    import re

    from bidi.algorithm import get_display

    ids = [new_issue(ws, "--date", "2026-10-01", family=f"f{n:02d}", subject=f"סוגיה (מספר {n})")
           for n in range(26)]
    data = json.loads(run("--root", str(ws), "followup", "--json").stdout)
    assert sorted(x["id"] for x in data["items"]) == sorted(ids)
    screen = run("--root", str(ws), "followup").stdout
    shown = set(re.findall(r"dana-[a-z0-9]{5}", screen))
    assert len(shown) == 20 and shown < set(ids)
    tail = screen.rstrip().splitlines()
    assert "ועוד 6 סוגיות שלא הוצגו: 6 שקטות." in tail[-2] and "followup --all" in tail[-1]
    every = run("--root", str(ws), "followup", "--all").stdout
    assert set(re.findall(r"dana-[a-z0-9]{5}", every)) == set(ids) and "ועוד" not in every
    assert "סוגיה (מספר 7)" in every  # logical: as stored
    visual = run("--root", str(ws), "--bidi", "visual", "followup", "--all", env={"COLUMNS": "160"}).stdout
    assert get_display("סוגיה (מספר 7)", base_dir="R") in visual  # brackets mirrored, as the reference does
    line = next(ln for ln in visual.splitlines() if ids[7] in ln)
    assert line.rstrip().endswith(ids[7])  # the first column (the id) on the right


@pytest.mark.parametrize("cache", [True, False])
def test_an_action_that_waits_on_another_worker_is_on_her_morning_screen(ws: Path, cache: bool) -> None:
    flags = () if cache else ("--no-cache",)
    i = opened(ws, "2026-11-20", family="f1")
    # the department has one rights worker (miri): the action names her without being told
    r = run("--root", str(ws), "plan", i, "--action", "בדיקת זכאות לדיור ציבורי", "--who", "rights_worker",
            "--due", "2026-11-24")
    assert r.exit_code == 0, r.stderr
    assert "person: miri" in issue_path(ws, i).read_text(encoding="utf-8")
    # two volunteers: which one is asked for, nothing written until named
    run("--root", str(ws), "worker", "add", "tal", "--role", "volunteer")
    run("--root", str(ws), "worker", "add", "gal", "--role", "volunteer")
    before = issue_path(ws, i).read_bytes()
    r = run("--root", str(ws), "plan", i, "--action", "ליווי לעירייה", "--who", "volunteer", "--due", "2026-11-27")
    assert r.exit_code == 1 and "tal" in r.stderr and "gal" in r.stderr and "--person" in r.stderr
    assert issue_path(ws, i).read_bytes() == before
    r = run("--root", str(ws), "plan", i, "--action", "ליווי", "--who", "volunteer", "--person", "tall")
    assert r.exit_code == 1 and "tal" in r.stderr and issue_path(ws, i).read_bytes() == before
    r = run("--root", str(ws), "plan", i, "--action", "ליווי לעירייה", "--who", "volunteer", "--due", "2026-11-27",
            "--person", "tal")
    assert r.exit_code == 0, r.stderr

    def items(worker: str) -> list[dict]:
        return fu(ws, "2026-11-26", "--worker", worker, *flags)["items"]

    miri = items("miri")
    assert [x["id"] for x in miri] == [i] and miri[0]["worker"] == "dana" and miri[0]["waiting_on_me"]
    assert [(x["code"], x["detail"]) for x in miri[0]["reasons"]] == [("action_overdue", "בדיקת זכאות לדיור ציבורי")]
    tal = items("tal")
    assert [(x["code"], x["detail"]) for x in tal[0]["reasons"]] == [("action_due", "ליווי לעירייה")]
    assert items("gal") == []
    owner = items("dana")  # the issue's own worker still sees both (and not as waiting on her)
    assert {x["detail"] for x in owner[0]["reasons"]} >= {"בדיקת זכאות לדיור ציבורי", "ליווי לעירייה"}
    assert "waiting_on_me" not in owner[0]
    r = run("--root", str(ws), "--worker", "miri", "followup", "--on", "2026-11-26", *flags)
    assert "סוגיה של dana" in r.stdout and "בדיקת זכאות" in r.stdout
    # done: gone from her screen
    r = run("--root", str(ws), "treat", i, "בוצעה בדיקה", "--done", "1", "--date", "2026-11-20")
    assert r.exit_code == 0, r.stderr
    assert items("miri") == []


def test_election_day_and_the_departments_closed_days_are_not_working_days(ws: Path) -> None:
    """Issue 27: the Knesset election day (a statutory rest day the `holidays` package does not list;
    templates/rest_days.yaml) and a day in the settings' `closed_days:` are not counted as working days."""
    i = new_issue(ws, "--date", "2026-10-25")  # a Sunday; Tuesday 27/10 is election day
    quiet = {x["id"]: x for x in fu(ws, "2026-11-02")["items"]}[i]["reasons"]
    # 25/10 → 02/11: Mon 26, (Tue 27 election), Wed 28, Thu 29, Sun 1, Mon 2: five working days, not six
    assert {"code": "stale", "detail": "5", "date": "2026-10-25"} in quiet, quiet
    settings = ws / ".zchuyot.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "closed_days: []" in text  # a new department's settings say where its own closed days go
    closed = "closed_days: [2026-10-29, {date: 2026-11-01, name: יום גיבוש}]"
    settings.write_text(text.replace("closed_days: []", closed), encoding="utf-8")
    item = {x["id"]: x for x in fu(ws, "2026-11-02")["items"]}.get(i)  # three working days: not yet quiet
    assert item is None or not any(r["code"] == "stale" for r in item["reasons"]), item
