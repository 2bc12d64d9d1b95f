"""The worker's desk in words people read (issue 27): singular counts, names for codes, Hebrew labels in the
merge's log entry, the tool's own files known to check."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import new_issue, run

from zchuyot.text.labels import t


@pytest.mark.parametrize("key,params,expected", [
    ("fu.count", {"n": 1}, "סוגיה אחת דורשת תשומת לב."),
    ("fu.count", {"n": 2}, "2 סוגיות דורשות תשומת לב – מהחשובה ביותר."),
    ("sync.new_in", {"n": 1, "ids": "x"}, "התקבלה סוגיה חדשה אחת: x"),
    ("ui.migrated", {"n": 1, "families": "f1"}, "ההצפנה הופעלה; הוצפנה רשומת משפחה אחת: f1."),
    ("ui.migrated", {"n": 3, "families": "f1"}, "ההצפנה הופעלה; הוצפנו 3 רשומות משפחה: f1."),
    ("walk.clock_days", {"n": "1"}, "יום אחד"),
])
def test_counts_are_said_in_the_singular_and_the_plural(key: str, params: dict, expected: str) -> None:
    assert t(key, "he", **params) == expected


def test_every_count_said_with_n_has_its_singular() -> None:
    """A message that counts (its {n} a number of things, not a record's number) has a `_one` form."""
    from zchuyot.text.labels import T

    ordinal = ("ui.correction", "ui.corrected", "ui.referred", "ui.feedback_saved", "err.referral_closed",
               "err.no_referral_n", "doctor.chosen", "err.amend_no_record", "ui.member_", "ui.amended_cancel",
               "err.file.entry_edited", "fix.entry_edited", "dir.issues", "prompt.choose_number", "rep.",
               "fu.more_worker", "ui.check_summary", "ui.rewritten", "ui.worker_removed", "err.export_withheld",
               "ui.doc_logged")
    missing = [k for k, (he, _) in T.items() if "{n}" in he and not k.endswith("_one") and k + "_one" not in T
               and not k.startswith(ordinal)]
    assert missing == []


def test_the_morning_screen_says_one_issue(ws: Path) -> None:
    new_issue(ws)
    r = run("--root", str(ws), "followup", env={"ZCHUYOT_TODAY": "2026-12-20"})
    assert "סוגיה אחת דורשת תשומת לב" in r.stdout and "1 סוגיות" not in r.stdout


def test_waivers_and_tables_name_bodies_not_keys(ws: Path) -> None:
    assert run("--root", str(ws), "family", "add", "f1", "--name", "בדיקה").exit_code == 0
    r = run("--root", str(ws), "family", "waiver", "f1", "--body", "electric_company", "--body", "national_insurance",
            "--signed", "2026-11-01")
    assert r.exit_code == 0, r.stderr
    shown = run("--root", str(ws), "family", "show", "f1").stdout
    assert "חברת החשמל" in shown and "ביטוח לאומי" in shown and "electric_company" not in shown
    for args in (("body", "list"), ("letter", "--list"), ("listen", "--family", "f1", "--list")):
        out = run("--root", str(ws), *args).stdout
        assert "מפתח" in out and " key " not in out, args


def test_the_merge_says_what_it_replaced_in_hebrew() -> None:
    from zchuyot.workspace.merge import as_read

    assert as_read("history", "refused") == "היסטוריית הטיפול: טופל והתקבלה תשובה שלילית"
    assert as_read("next_followup", dt.date(2026, 1, 2)) == "מעקב הבא: 02/01/2026"
    assert as_read("barrier", {"kind": "documents", "where": "בסניף"}) == "איפה נמצא החסם: מסמכים חסרים; בסניף"


def test_check_knows_the_files_zchuyot_writes(ws: Path) -> None:
    new_issue(ws)
    folder = next((ws / "cases").glob("dana/f1"))
    (folder / "letters").mkdir(exist_ok=True)
    for name in ("dana-aaaaa-appeal-2026-11-23.docx.age", "dana-aaaaa-appeal-2026-11-23.pdf", "stray.sh"):
        (folder / "letters" / name).write_bytes(b"x")
        (folder / "letters" / name).chmod(0o600)
    (folder / "letters").chmod(0o700)
    j = json.loads(run("--root", str(ws), "check", "--json").stdout)
    flagged = [p["file"] for p in j["warnings"] + j["errors"]]
    assert not [f for f in flagged if f.endswith((".docx.age", ".pdf"))], flagged
    assert any(f.endswith("stray.sh") for f in flagged), flagged


def test_accompaniments_say_where_and_a_partners_feedback_can_be_one(ws: Path) -> None:
    i = new_issue(ws)
    assert run("--root", str(ws), "treat", i, "ליוויתי לוועדה", "--kind", "accompaniment", "--body",
               "ביטוח לאומי", "--meeting", "medical_committee").exit_code == 0
    r = run("--root", str(ws), "treat", i, "שיחה", "--kind", "call", "--meeting", "branch")
    assert r.exit_code == 1 and "--meeting" in r.stderr
    assert run("--root", str(ws), "partner", "add", "vol_sara", "--name", "שרה", "--kind", "volunteer").exit_code == 0
    assert run("--root", str(ws), "refer", i, "--to", "vol_sara", "--ask", "ליווי לעמידר").exit_code == 0
    r = run("--root", str(ws), "feedback", i, "ליוויתי את האם לעמידר", "--done", "--accompanied", "עמידר",
            "--meeting", "branch")
    assert r.exit_code == 0, r.stderr
    j = json.loads(run("--root", str(ws), "report", "--json").stdout)
    assert j["accompaniments"] == 2
    assert j["accompaniments_where"]["by_meeting"] == {"branch": 1, "medical_committee": 1}
    assert set(j["accompaniments_where"]["by_body"]) == {"ביטוח לאומי", "עמידר"}


def test_a_benefit_named_by_the_checklist_is_counted_by_right_and_check_suggests_the_key(ws: Path) -> None:
    i, k = new_issue(ws), new_issue(ws, family="f2")
    assert run("--root", str(ws), "close", i, "--ended", "--benefit", "arnona_discount", "--amount", "100",
               "--period", "monthly", "--kind", "avoidance").exit_code == 0
    assert run("--root", str(ws), "close", k, "--ended", "--benefit", "הנחה בארנונה!", "--amount", "1,000",
               "--period", "one_off", "--kind", "recovery").exit_code == 0
    d = json.loads(run("--root", str(ws), "show", i, "--json").stdout)["outcome"]
    assert (d["benefit"], d["right"]) == ("הנחה בארנונה", "arnona_discount")
    j = json.loads(run("--root", str(ws), "report", "--json").stdout)
    assert j["benefits_by_right"] == {"arnona_discount": 1}
    assert j["benefits_by_kind"]["avoidance"]["yearly_total"] == 1200
    assert j["benefits_by_kind"]["recovery"]["yearly_total"] == 1000
    warned = [p for p in json.loads(run("--root", str(ws), "check", "--json").stdout)["warnings"]
              if "arnona_discount" in json.dumps(p, ensure_ascii=False)]
    assert warned, "check suggests the checklist's key"
    assert run("--root", str(ws), "amend", k, "outcome.benefit", "arnona_discount").exit_code == 0
    assert json.loads(run("--root", str(ws), "report", "--json").stdout)["benefits_by_right"] == {"arnona_discount": 2}
