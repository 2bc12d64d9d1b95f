"""The network around a case: the directory of bodies and partners, referrals with feedback, confidentiality
waivers — through the real CLI, on real files and real git (two clones for the volunteer's offline feedback)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import department, issue_path, new_issue, run


def z(ws: Path, *args: str, code: int = 0, worker: str | None = None):
    r = run("--root", str(ws), *(["--worker", worker] if worker else []), *args)
    assert r.exit_code == code, (args, r.stdout, r.stderr)
    return r


def commits(ws: Path) -> int:
    out = subprocess.run(["git", "-C", str(ws), "rev-list", "--count", "HEAD"], capture_output=True, text=True)
    return int(out.stdout.strip() or 0)


def refused(ws: Path, args: list[str], needle: str, files: list[Path], code: int = 1) -> None:
    """Bad input: one line naming the problem, exit 1, no file changed, no commit."""
    before = [p.read_bytes() if p.exists() else None for p in files]
    n = commits(ws)
    r = z(ws, *args, code=code)
    assert needle in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert [p.read_bytes() if p.exists() else None for p in files] == before
    assert commits(ws) == n


@pytest.fixture
def net(ws: Path) -> Path:
    """The test department with a volunteer (noa, who uses the workspace) and a legal clinic."""
    z(ws, "partner", "add", "noa_vol", "--name", "נועה – מתנדבת", "--kind", "volunteer", "--domain", "housing",
      "--worker", "noa")
    z(ws, "partner", "add", "bgu_clinic", "--name", "הקליניקה המשפטית", "--kind", "clinic",
      "--domain", "national_insurance")
    return ws


# ------------------------------------------------------------------ the directory
def test_the_directory_is_made_and_bodies_count_once(ws: Path) -> None:
    bodies = json.loads(z(ws, "body", "list", "--json").stdout)
    ni = next(b for b in bodies if b["key"] == "national_insurance")
    assert ni["name"] == "ביטוח לאומי" and 'ב"ל' in ni["aliases"]
    r = z(ws, "body", "contact", 'ב"ל', "--person", "רונית כהן", "--role", "פקידת תביעות, סניף באר שבע",
          "--phone", "08-6295555", "--note", "זמינה בימי שני")
    assert "רונית כהן" in r.stdout
    assert "רונית כהן" in (ws / "directory" / "bodies.yaml").read_text(encoding="utf-8")
    # which door opened: the issues that involved the body, its refusals, what was won through it
    won = new_issue(ws, subject="קצבת נכות", domain="national_insurance")
    z(ws, "collect", won, "--body", "המוסד לביטוח לאומי")
    z(ws, "persist", won, "--refusal", "נדחה", "--body", "ב.ל.")
    z(ws, "close", won, "--ended", "--benefit", "קצבת נכות", "--amount", "₪3,200", "--period", "monthly",
      "--kind", "recovery")
    other = new_issue(ws, subject="ארנונה", family="f2")
    z(ws, "collect", other, "--body", "ועדת הנחות")
    d = json.loads(z(ws, "body", "show", "national_insurance", "--json").stdout)
    assert [x["id"] for x in d["issues"]] == [won] and d["refusals"] == 1
    assert d["won"] == {"count": 1, "yearly_total": 38400}
    assert d["contacts"][0]["phone"] == "08-6295555"
    r = z(ws, "body", "show", "ביטוח לאומי")
    assert "רונית כהן" in r.stdout and won in r.stdout and "₪38,400" in r.stdout
    # a new body and its alias: policy and clocks read it as one
    z(ws, "body", "add", "לשכת הרווחה", "--key", "welfare", "--alias", "הרווחה", "--kind", "municipality")
    assert json.loads(z(ws, "body", "show", "הרווחה", "--json").stdout)["key"] == "welfare"


def test_directory_bad_input(ws: Path) -> None:
    files = [ws / "directory" / "bodies.yaml", ws / "directory" / "partners.yaml"]
    refused(ws, ["body", "contact", "ביטוח לאומיי", "--person", "x"], "אולי הכוונה ל-ביטוח לאומי", files)
    refused(ws, ["body", "contact", "national_insurance", "--person", "x", "--phone", "123"], "טלפון", files)
    refused(ws, ["body", "add", "עמידר"], "כבר במדריך", files)
    refused(ws, ["body", "add", "גוף", "--kind", "planet"], "planet", files)
    refused(ws, ["partner", "add", "Bad Key", "--name", "x", "--kind", "volunteer"], "Bad Key", files)
    refused(ws, ["partner", "add", "k", "--name", "x", "--kind", "angel"], "angel", files)
    refused(ws, ["partner", "add", "k", "--name", "x", "--kind", "volunteer", "--worker", "nobdy"], "nobdy", files)


def test_check_warns_about_a_body_the_directory_does_not_know(ws: Path) -> None:
    i = new_issue(ws)
    z(ws, "collect", i, "--body", "ביטוח לאומיי")  # accepted: a worker is never stopped mid-intake
    r = z(ws, "check")
    line = next(n for n, x in enumerate(issue_path(ws, i).read_text(encoding="utf-8").splitlines(), 1)
                if "ביטוח לאומיי" in x)
    assert f"{i}.yaml:{line}" in r.stdout and "אולי הכוונה ל-ביטוח לאומי" in r.stdout
    z(ws, "collect", new_issue(ws, family="f2"), "--body", 'ב"ל')  # an alias is known: no warning
    assert z(ws, "check").stdout.count("אינו במדריך") == 1


# ------------------------------------------------------------------ referrals
def test_refer_and_feedback(net: Path) -> None:
    i = new_issue(net, subject="קצבת נכות", domain="national_insurance")
    r = z(net, "refer", i, "--to", "bgu_clinic", "--ask", "ייצוג בערעור לבית הדין לעבודה", "--due", "2026-12-07")
    assert "הקליניקה המשפטית" in r.stdout
    z(net, "refer", i, "--to", "noa_vol", "--ask", "ליווי לוועדה הרפואית", "--due", "2026-11-30")
    refused(net, ["feedback", i, "נפגשנו"], "--referral N", [issue_path(net, i)])  # two open: which?
    z(net, "feedback", i, "נפגשנו עם האם; נדרשים מסמכים רפואיים", "--referral", "1")
    z(net, "feedback", i, "ליוויתי לוועדה", "--referral", "2", "--done", worker="noa")
    d = json.loads(z(net, "show", i, "--json").stdout)
    refs = {r["id"]: r for r in d["referrals"]}
    assert refs[1]["status"] == "open" and refs[1]["feedback"][0]["text"].startswith("נפגשנו")
    assert refs[2]["status"] == "done" and refs[2]["feedback"][0]["by"] == "noa"
    kinds = [(e["kind"], e["by"]) for e in d["log"]]
    assert kinds == [("referral", "dana"), ("referral", "dana"), ("feedback", "dana"), ("feedback", "noa")]
    files = [issue_path(net, i)]
    refused(net, ["feedback", i, "x", "--referral", "2"], "אינה פתוחה", files)
    refused(net, ["feedback", i, "x", "--done", "--returned"], "--returned", files)
    refused(net, ["feedback", i, "x", "--referral", "7"], "אין הפניה 7", files)
    refused(net, ["refer", i, "--to", "bgu_clinik", "--ask", "x"], "bgu_clinic", files)
    refused(net, ["refer", i, "--to", "bgu_clinic", "--ask", "x", "--due", "2026-01-01"], "עבר", files)
    refused(net, ["refer", i, "--to", "bgu_clinic"], "--ask", files, code=2)
    j = new_issue(net, family="f2")
    refused(net, ["feedback", j, "x"], "אין הפניה פתוחה", [issue_path(net, j)])


def test_referral_reasons_on_each_screen(net: Path) -> None:
    i = new_issue(net, "--date", "2026-11-01", subject="סיוע בשכר דירה", domain="housing")
    z(net, "treat", i, "שיחה", "--date", "2026-11-10")
    z(net, "refer", i, "--to", "noa_vol", "--ask", "ליווי למשרד השיכון", "--date", "2026-11-10",
      "--due", "2026-11-24")  # due tomorrow for the test's today (2026-11-23)

    def reasons(worker: str, on: str, *flags: str) -> dict[str, list[str]]:
        data = json.loads(z(net, *flags, "followup", "--on", on, "--json", worker=worker).stdout)
        return {x["id"]: [r["code"] for r in x["reasons"]] for x in data["items"]}

    for flags in ((), ("--no-cache",)):
        assert "referral_open" in reasons("noa", "2026-11-23", *flags)[i]  # on the volunteer's own screen
        assert "referral_due" not in reasons("dana", "2026-11-23", *flags).get(i, [])
        assert "referral_due" in reasons("dana", "2026-11-25", *flags)[i]  # past due, no feedback ending it
    z(net, "feedback", i, "קבענו פגישה ל-1/12", worker="noa")  # does not end it
    assert "feedback_new" in reasons("dana", "2026-11-23")[i]
    assert "referral_due" in reasons("dana", "2026-11-25")[i]
    z(net, "treat", i, "קראתי את המשוב; עדכנתי את המשפחה")
    assert "feedback_new" not in reasons("dana", "2026-11-23").get(i, [])  # answered by her own entry
    z(net, "feedback", i, "ליוויתי; הבקשה הוגשה", "--done", worker="noa")
    assert "referral_open" not in reasons("noa", "2026-11-23").get(i, [])
    assert "referral_due" not in reasons("dana", "2026-11-25").get(i, [])
    r = z(net, "followup", "--on", "2026-11-23", worker="dana")
    assert "משוב חדש משותף" in r.stdout and "ליוויתי" in r.stdout


def test_waivers_missing_and_expiring(net: Path) -> None:
    i = new_issue(net, subject="קצבת נכות", domain="national_insurance")
    z(net, "plan", i, "--action", "בירור מול ביטוח לאומי", "--who", "worker", "--body", 'ב"ל', "--due", "2026-12-20")
    z(net, "refer", i, "--to", "bgu_clinic", "--ask", "ייעוץ")

    def codes(on: str) -> dict[str, str]:
        data = json.loads(z(net, "followup", "--on", on, "--json").stdout)
        item = next((x for x in data["items"] if x["id"] == i), {"reasons": []})
        return {r["code"]: r["detail"] for r in item["reasons"]}

    missing = codes("2026-11-23")["waiver_missing"]
    assert missing == "ביטוח לאומי, הקליניקה המשפטית"  # the body and the partner, by name
    fam = net / "cases" / "dana" / "f1" / "family.yaml"
    z(net, "family", "waiver", "f1", "--body", "national_insurance", "--signed", "2026-11-01")
    assert codes("2026-11-23")["waiver_missing"] == "הקליניקה המשפטית"  # the body is covered, the clinic not yet
    z(net, "family", "waiver", "f1", "--body", "bgu_clinic", "--body", "ביטוח לאומי", "--signed", "2026-11-20",
      "--expires", "2026-12-01")
    got = codes("2026-11-23")
    assert "waiver_missing" not in got and "waiver_expiring" in got  # within the 14-day warning
    assert codes("2026-12-03").get("waiver_missing") == "הקליניקה המשפטית"  # expired: not covered any more
    files = [fam]
    refused(net, ["family", "waiver", "f1", "--body", "amidar", "--signed", "2026-11-10", "--expires", "2026-11-01"],
            "אינו אחרי", files)
    refused(net, ["family", "waiver", "f1", "--body", "עמידרר", "--signed", "2026-11-10"], "עמידר", files)
    refused(net, ["family", "waiver", "f1", "--signed", "2026-11-10"], "--body", files)
    refused(net, ["family", "waiver", "f1", "--body", "amidar"], "--signed", files, code=2)


# ------------------------------------------------------------------ two clones: the volunteer gives feedback offline
def test_the_volunteers_feedback_offline_reaches_the_worker(tmp_path: Path) -> None:
    _, (a, b) = department(tmp_path, ("dana", "dana", "family"), ("noa", "noa", "volunteer"))
    z(a, "sync")
    z(a, "partner", "add", "noa_vol", "--name", "נועה", "--kind", "volunteer", "--worker", "noa")
    # the family's waiver covers the volunteer: what lets her write her feedback into its issue (issue 23)
    z(a, "family", "add", "f1", "--name", "משפחה בדויה")
    z(a, "family", "waiver", "f1", "--body", "noa_vol", "--signed", "2026-11-01")
    i = z(a, "new", "--family", "f1", "--subject", "סיוע בשכר דירה", "--domain", "housing").stdout.strip()
    z(a, "refer", i, "--to", "noa_vol", "--ask", "ליווי למשרד השיכון", "--due", "+7")
    z(a, "sync")
    z(b, "sync")
    seen = json.loads(z(b, "followup", "--json").stdout)["items"]
    assert [(x["id"], x["reasons"][0]["code"]) for x in seen] == [(i, "referral_open")]
    # both write offline: the volunteer her feedback, the worker a note of her own
    z(b, "feedback", i, "ליוויתי; נקבע תור ל-3/12")
    z(a, "feedback", i, "האם התקשרה: המסמכים מוכנים")
    z(b, "sync")
    z(a, "sync")
    z(b, "sync")
    for c in (a, b):
        ref = json.loads(z(c, "show", i, "--json").stdout)["referrals"][0]
        assert sorted(f["by"] for f in ref["feedback"]) == ["dana", "noa"] and ref["status"] == "open"
        assert z(c, "check").exit_code == 0
    assert issue_path(a, i).read_bytes() == issue_path(b, i).read_bytes()


def test_two_clones_add_to_the_directory_offline_and_keep_both(tmp_path: Path) -> None:
    _, (a, b) = department(tmp_path, ("a", "dana", "family"), ("b", "miri", "rights"))
    z(a, "sync")
    z(a, "body", "contact", "national_insurance", "--person", "רונית כהן", "--phone", "08-6295555")
    z(b, "body", "contact", "national_insurance", "--person", "יוסי לוי", "--role", "מנהל סניף")
    z(a, "partner", "add", "bgu_clinic", "--name", "הקליניקה המשפטית", "--kind", "clinic")
    z(b, "partner", "add", "vol_sara", "--name", "שרה – מתנדבת", "--kind", "volunteer")
    z(b, "body", "add", "לשכת הרווחה", "--key", "welfare")
    for c in (a, b, a):
        z(c, "sync")
    for c in (a, b):
        ni = next(x for x in json.loads(z(c, "body", "list", "--json").stdout) if x["key"] == "national_insurance")
        assert sorted(p["person"] for p in ni["contacts"]) == ["יוסי לוי", "רונית כהן"]
        assert {p["key"] for p in json.loads(z(c, "partner", "list", "--json").stdout)} == {"bgu_clinic", "vol_sara"}
        assert "welfare" in z(c, "body", "list").stdout
    assert (a / "directory" / "bodies.yaml").read_bytes() == (b / "directory" / "bodies.yaml").read_bytes()


def test_report_counts_referrals_feedback_and_who_accompanied(net: Path) -> None:
    i = new_issue(net, "--date", "2026-10-01", subject="סיוע בשכר דירה", domain="housing")
    z(net, "refer", i, "--to", "noa_vol", "--ask", "ליווי", "--date", "2026-10-05")
    z(net, "feedback", i, "ליוויתי", "--date", "2026-10-09", worker="noa")
    z(net, "refer", i, "--to", "bgu_clinic", "--ask", "ייעוץ", "--date", "2026-10-10", "--due",
      "2026-12-31")
    z(net, "feedback", i, "נפגשנו", "--referral", "2", "--date", "2026-10-12")
    z(net, "refer", i, "--to", "bgu_clinic", "--ask", "ייצוג", "--date", "2026-11-01")  # no feedback yet
    z(net, "treat", i, "ליווי לוועדה", "--kind", "accompaniment", "--date", "2026-10-20", worker="noa")
    z(net, "treat", i, "ליווי למשרד השיכון", "--kind", "accompaniment", "--date", "2026-10-21")
    for flags in ((), ("--no-cache",)):
        j = json.loads(z(net, *flags, "report", "--from", "2026-01-01", "--json").stdout)
        assert j["referrals"] == {"count": 3, "by_partner": {"bgu_clinic": 2, "noa_vol": 1}, "with_feedback": 2,
                                  "median_days_to_feedback": 3}  # 4 and 2 days
        assert j["accompaniments"] == 2 and j["accompaniments_by"] == {"student": 1, "worker": 1}  # noa: a student
    csv_rows = z(net, "report", "--from", "2026-01-01", "--format", "csv").stdout.splitlines()
    assert "referrals,with_feedback,הפניות עם משוב,2" in csv_rows
    assert "accompaniments_by,student,סטודנטים,1" in csv_rows
    assert "הפניות לשותפים: 3" in z(net, "report", "--from", "2026-01-01").stdout


def test_referrals_keep_their_identity_through_merges(tmp_path: Path) -> None:
    """Issue 25, finding 1: two referrals to the same partner on the same day (one in each clone, offline)
    stay two; referrals made on different days with work between syncs are never multiplied; a referral's
    number names the same referral in every clone; feedback can name it by its identity."""
    _, (a, b) = department(tmp_path, ("dana", "dana", "family"), ("miri", "miri", "rights"))
    z(a, "partner", "add", "vol", "--name", "מתנדבת", "--kind", "volunteer")
    z(a, "family", "add", "f1", "--name", "משפחה בדויה")
    z(a, "family", "waiver", "f1", "--body", "vol", "--signed", "2026-11-01")
    i = z(a, "new", "--family", "f1", "--subject", "סיוע בשכר דירה", "--domain", "housing").stdout.strip()
    z(a, "sync")
    z(b, "sync")
    asks: list[str] = []
    for rnd in range(3):
        for c, who in ((a, "dana"), (b, "miri")):
            ask = f"ליווי {rnd} של {who}"
            z(c, "refer", i, "--to", "vol", "--ask", ask, *(["--date", f"2026-11-1{rnd}"] if rnd else []))
            z(c, "treat", i, f"עבודה מקומית {rnd}")  # local work between syncs
            asks.append(ask)
        z(a, "sync")
        z(b, "sync")
        z(a, "sync")
    seen = []
    for c in (a, b):
        refs = json.loads(z(c, "show", i, "--json").stdout)["referrals"]
        assert sorted(r["ask"] for r in refs) == sorted(asks), [r["ask"] for r in refs]  # each once
        assert len({r["id"] for r in refs}) == len(refs) and len({r["uid"] for r in refs}) == len(refs)
        seen.append({r["id"]: r["uid"] for r in refs})
        assert z(c, "check").exit_code == 0
    assert seen[0] == seen[1]  # a number means the same referral in both clones
    uid = seen[0][1]
    z(b, "feedback", i, "נקבע תור", "--referral", uid)
    z(b, "sync")
    z(a, "sync")
    refs = {r["uid"]: r for r in json.loads(z(a, "show", i, "--json").stdout)["referrals"]}
    assert [f["text"] for f in refs[uid]["feedback"]] == ["נקבע תור"]
