"""The eight steps through the real CLI: listen, list --order, collect, plan, treat --done, persist, policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, git_log, issue_path, new_issue, run
from ruamel.yaml import YAML

from zchuyot.case.form import DOMAINS


def show(ws: Path, issue_id: str) -> dict:
    r = run("--root", str(ws), "show", issue_id, "--json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def z(ws: Path, *args: str, code: int = 0):
    r = run("--root", str(ws), *args)
    assert r.exit_code == code, (args, r.stdout, r.stderr)
    return r


def refused_and_untouched(ws: Path, step: str, args: list[str], needle: str, code: int = 1) -> None:
    """A step given bad input: exit 1 (2 for a wrong command line), a message that names the problem, the
    file byte for byte as it was."""
    i = new_issue(ws)
    before = issue_path(ws, i).read_bytes()
    r = z(ws, step, i, *args, code=code)
    assert needle in r.stderr
    assert issue_path(ws, i).read_bytes() == before


# ------------------------------------------------------------------ 1. listen
def test_rights_checklist_covers_every_domain() -> None:
    data = YAML(typ="safe").load((REPO / "templates" / "rights.yaml").read_text(encoding="utf-8"))
    assert set(data) == set(DOMAINS)
    rights = [r for items in data.values() for r in items]
    assert len(rights) >= 25
    assert len({r["key"] for r in rights}) == len(rights)
    for r in rights:
        assert set(r) == {"key", "name", "question", "kolzchut", "verified"} and r["key"].isascii()


def test_listen_opens_an_issue_per_right(ws: Path) -> None:
    r = z(ws, "listen", "--family", "f1", "--right", "arnona_discount", "--right", "income_support")
    assert "הנחה בארנונה" in r.stdout and "הבטחת הכנסה" in r.stdout
    items = json.loads(z(ws, "list", "--json").stdout)
    by_right = {x["right"]: x for x in items}
    assert set(by_right) == {"הנחה בארנונה", "הבטחת הכנסה"}
    arnona = by_right["הנחה בארנונה"]
    assert arnona["domain"] == "housing" and arnona["source"] == "asked" and arnona["step"] == "listen"
    assert arnona["subject"] == "הנחה בארנונה"
    # listening again for the same right does not open a second issue
    r = z(ws, "listen", "--family", "f1", "--right", "arnona_discount")
    assert "כבר פתוחה" in r.stdout and arnona["id"] in r.stdout
    assert len(json.loads(z(ws, "list", "--json").stdout)) == 2


def test_listen_says_when_the_right_was_already_won(ws: Path) -> None:
    r = z(ws, "listen", "--family", "f1", "--right", "arnona_discount")
    won = json.loads(z(ws, "list", "--json").stdout)[0]["id"]
    z(ws, "close", won, "--ended", "--benefit", "הנחה של 70% בארנונה", "--amount", "150",
      "--period", "monthly", "--kind", "avoidance")
    r = z(ws, "listen", "--family", "f1", "--right", "arnona_discount", "--right", "income_support")
    assert r.stdout.count("נפתחה סוגיה") == 2  # opened (a script asked for it) — but never silently:
    assert r.stderr.count("כבר מומשה") == 1 and won in r.stderr and "הנחה של 70% בארנונה" in r.stderr
    assert f"zchuyot reopen {won}" in r.stderr
    # another family, or a right reopened since (its benefit lost), says nothing
    z(ws, "listen", "--family", "f2", "--right", "arnona_discount")
    again = [x["id"] for x in json.loads(z(ws, "list", "--json").stdout)
             if x["family"] == "f1" and x["id"] != won and x["right"] == "הנחה בארנונה"][0]
    z(ws, "close", again, "--stopped", "כפילות")
    z(ws, "reopen", won, "--why", "העירייה ביטלה את ההנחה")
    z(ws, "close", won, "--stopped", "המשפחה עברה דירה")
    r = z(ws, "listen", "--family", "f1", "--right", "arnona_discount")
    assert "כבר מומשה" not in r.stderr


def test_listen_bad_input(ws: Path) -> None:
    r = z(ws, "listen", "--family", "f1", "--right", "arnona_discount", "--right", "free_money", code=1)
    assert "free_money" in r.stderr and "arnona_discount" in r.stderr
    assert json.loads(z(ws, "list", "--json").stdout) == []  # nothing opened, not even the good one
    r = z(ws, "listen", "--family", "f1", code=1)
    assert "--right" in r.stderr
    z(ws, "listen", "--family", "../f1", "--right", "arnona_discount", code=1)


def test_listen_list_shows_the_keys(ws: Path) -> None:
    r = z(ws, "listen", "--family", "f1", "--list")
    for text in ("arnona_discount", "הנחה בארנונה", "school_transport", "קצבת נכות כללית"):
        assert text in r.stdout


def test_workspace_rights_override(ws: Path) -> None:
    (ws / "templates").mkdir()
    (ws / "templates" / "rights.yaml").write_text(
        "debts:\n  - key: local_fund\n    name: קרן סיוע עירונית\n    question: האם פניתם לקרן?\n    kolzchut: ''\n",
        encoding="utf-8")
    z(ws, "listen", "--family", "f1", "--right", "local_fund")
    z(ws, "listen", "--family", "f1", "--right", "arnona_discount", code=1)
    (ws / "templates" / "rights.yaml").write_text("debts: [\n", encoding="utf-8")
    r = z(ws, "listen", "--family", "f1", "--right", "local_fund", code=1)
    assert "rights.yaml" in r.stderr


# ------------------------------------------------------------------ 2. list: the family's order
def test_family_order_and_urgency(ws: Path) -> None:
    a = new_issue(ws, family="f2", subject="ארנונה")
    b = new_issue(ws, family="f2", subject="מעון", domain="education")
    c = new_issue(ws, family="f2", subject="חוב לבנק", domain="debts")
    other = new_issue(ws, family="f3")
    r = z(ws, "list", "--family", "f2", "--order", f"{c},{a}", "--now", c)
    assert "f2" in r.stdout
    got = {x["id"]: x for x in json.loads(z(ws, "list", "--family", "f2", "--json").stdout)}
    assert [x for x in got] == [c, a, b]
    assert (got[c]["priority"], got[a]["priority"], got[b]["priority"]) == (1, 2, 3)
    assert (got[c]["urgency"], got[a]["urgency"], got[b]["urgency"]) == ("now", "later", None)
    assert git_log(ws)[0] == f"zchuyot list --order: {c}, {a}, {b}"  # one commit for the whole order
    # bad orders change nothing
    before = {i: issue_path(ws, i).read_bytes() for i in (a, b, c)}
    z(ws, "list", "--family", "f2", "--order", f"{a},{other}", code=1)
    z(ws, "list", "--family", "f2", "--order", f"{a},{a}", code=1)
    z(ws, "list", "--family", "f2", "--order", a, "--now", b, code=1)
    z(ws, "list", "--order", a, code=1)
    z(ws, "list", "--family", "f2", "--order", "dana-zzzzz", code=1)
    assert {i: issue_path(ws, i).read_bytes() for i in (a, b, c)} == before


# ------------------------------------------------------------------ 3. collect
def test_collect_the_five_questions(ws: Path) -> None:
    i = new_issue(ws, "--body", "ביטוח לאומי||", domain="national_insurance")
    z(ws, "collect", i, "--problem", "הקצבה הופסקה אחרי שהבן התחיל לעבוד", "--history", "refused",
      "--barrier-kind", "eligibility", "--barrier", "הכנסת הבן נספרת", "--body", "ביטוח לאומי||",
      "--body", "הסיוע המשפטי|עו\"ד|")
    d = show(ws, i)
    assert d["problem"] == "הקצבה הופסקה אחרי שהבן התחיל לעבוד" and d["history"] == "refused"
    assert d["barrier"] == {"kind": "eligibility", "where": "הכנסת הבן נספרת"}
    assert [b["org"] for b in d["bodies"]] == ["ביטוח לאומי", "הסיוע המשפטי"]  # no duplicate body
    assert d["step"] == "collect"
    # by Hebrew names too
    z(ws, "collect", i, "--history", "התמונה אינה ברורה", "--barrier-kind", "ביורוקרטיה")
    d = show(ws, i)
    assert d["history"] == "unclear" and d["barrier"] == {"kind": "bureaucracy", "where": "הכנסת הבן נספרת"}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([], "--problem"),
        (["--history", "forgotten"], "never (לא טופל מעולם)"),
        (["--barrier-kind", "money"], "cost (עלות)"),
        (["--body", "|x|y"], "ארגון|איש קשר|פרטים"),
    ],
)
def test_collect_bad_input(ws: Path, args: list[str], needle: str) -> None:
    refused_and_untouched(ws, "collect", args, needle)


# ------------------------------------------------------------------ 4. plan and 5. treat --done
def test_plan_actions_and_done(ws: Path) -> None:
    i = new_issue(ws)
    r = z(ws, "plan", i, "--action", "מכתב לוועדת ההנחות", "--who", "client_advised", "--due", "+7",
          "--body", "עירייה", "--agreed")
    assert "1" in r.stdout
    z(ws, "plan", i, "--action", "פנייה לבנק", "--who", "ליווי פיזי", "--due", "15/12/2026")
    z(ws, "plan", i, "--action", "בקשה לסיוע משפטי", "--who", "worker", "--next", "+3")
    d = show(ws, i)
    assert [a["id"] for a in d["actions"]] == [1, 2, 3]
    assert d["actions"][0] == {"id": 1, "what": "מכתב לוועדת ההנחות", "who": "client_advised", "due": "2026-11-30",
                               "body": "עירייה", "agreed": True, "done": None}
    assert d["actions"][1]["who"] == "accompanied" and d["actions"][1]["due"] == "2026-12-15"
    assert d["next_followup"] == "2026-11-26" and d["step"] == "plan"
    r = z(ws, "plan", i)  # no flags: shows the plan
    assert "מכתב לוועדת ההנחות" in r.stdout and "הפונה בייעוץ והכוונה" in r.stdout and "30/11/2026" in r.stdout
    z(ws, "treat", i, "המכתב נשלח", "--kind", "letter", "--done", "1")
    d = show(ws, i)
    assert d["actions"][0]["done"] == "2026-11-23" and d["actions"][1]["done"] is None
    assert d["log"][-1]["action"] == 1 and d["step"] == "treat"
    r = z(ws, "treat", i, "x", "--done", "9", code=1)
    assert "1, 2, 3" in r.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--action", "מכתב"], "--who"),
        (["--action", "מכתב", "--who", "neighbour"], "client (הפונה לבד)"),
        (["--action", "   ", "--who", "worker"], "--action"),
        (["--action", "מכתב", "--who", "worker", "--due", "soon"], "אינו תאריך תקין"),
    ],
)
def test_plan_bad_input(ws: Path, args: list[str], needle: str) -> None:
    refused_and_untouched(ws, "plan", args, needle)


def test_no_steps_on_a_closed_issue(ws: Path) -> None:
    i = new_issue(ws)
    z(ws, "close", i, "--ended")
    before = issue_path(ws, i).read_bytes()
    for args in (["plan", i, "--action", "x", "--who", "worker"], ["collect", i, "--problem", "x"],
                 ["persist", i, "--refusal", "x", "--body", "y"]):
        r = z(ws, *args, code=1)
        assert "סגורה" in r.stderr
    assert issue_path(ws, i).read_bytes() == before


# ------------------------------------------------------------------ 6. persist
def test_refusal_starts_a_legal_clock_and_show_suggests_the_next_rung(ws: Path) -> None:
    i = new_issue(ws, domain="national_insurance")
    r = z(ws, "persist", i, "--refusal", "ביטוח לאומי דחה את התביעה", "--body", "ב.ל.", "--date", "2026-11-20",
          "--deadline", "ni_labour_court")
    assert "21/11/2027" not in r.stdout and "20/11/2027" in r.stdout  # 12 months from the written decision
    d = show(ws, i)
    assert d["log"][-1] == {"date": "2026-11-20", "kind": "refusal", "text": "ביטוח לאומי דחה את התביעה",
                            "by": "dana", "body": "ב.ל."}
    assert d["deadlines"] == [{"key": "ni_labour_court",
                               "name": "ערעור לבית הדין האזורי לעבודה על החלטת ביטוח לאומי",
                               "from": "2026-11-20", "due": "2027-11-20"}]
    assert d["step"] == "persist"
    out = z(ws, "show", i).stdout
    assert "עדיין לא נענה" in out and "--escalate" in out and "20/11/2027" in out
    # the floor above answers the "no", but not the legal clock
    z(ws, "persist", i, "--escalate", "מכתב למנהלת הסניף")
    out = z(ws, "show", i).stdout
    assert "עדיין לא נענה" not in out and "מועד פתוח" in out
    # an appeal stops the clock
    z(ws, "persist", i, "--appeal", "הוגש ערעור לבית הדין האזורי לעבודה")
    out = z(ws, "show", i).stdout
    assert "מועד פתוח" not in out


def test_deadline_days_and_month_ends(ws: Path) -> None:
    i = new_issue(ws)
    z(ws, "persist", i, "--refusal", "ועדה רפואית: 0%", "--body", "ביטוח לאומי", "--date", "2026-10-01",
      "--deadline", "medical_appeal")
    assert show(ws, i)["deadlines"][0]["due"] == "2026-11-30"  # 60 days
    j = new_issue(ws)
    (ws / "templates").mkdir()
    (ws / "templates" / "deadlines.yaml").write_text("- key: one_month\n  name: חודש\n  months: 1\n  note: ''\n",
                                                     encoding="utf-8")
    z(ws, "persist", j, "--refusal", "x", "--body", "y", "--date", "2026-01-31", "--deadline", "one_month")
    assert show(ws, j)["deadlines"][0]["due"] == "2026-02-28"


def test_every_clock_names_its_bodies_and_source_from_the_directory() -> None:
    data = YAML(typ="safe").load((REPO / "templates" / "deadlines.yaml").read_text(encoding="utf-8"))
    bodies = YAML(typ="safe").load((REPO / "templates" / "bodies.yaml").read_text(encoding="utf-8"))
    names = {b["name"] for b in bodies}
    assert len(data) >= 10
    for c in data:
        assert c["bodies"] and set(c["bodies"]) <= names, c["key"]
        assert c["source"].strip() and c["note"].strip(), c["key"]
    keys = {c["key"] for c in data}
    assert {"execution_objection", "housing_appeal", "income_support_appeal", "medical_incapacity_appeal",
            "population_humanitarian_appeal"} <= keys
    assert "לאמת" in (REPO / "templates" / "deadlines.yaml").read_text(encoding="utf-8").split("- key")[0]


def test_a_clock_of_another_bodys_decisions_is_said(ws: Path) -> None:
    i = new_issue(ws)
    r = z(ws, "persist", i, "--refusal", "לא", "--body", "חברת החשמל", "--deadline", "ni_labour_court")
    assert "חברת החשמל" in r.stderr and "ביטוח לאומי" in r.stderr  # started, with a warning naming both
    assert len(show(ws, i)["deadlines"]) == 1
    for body in ('ב"ל', "המוסד לביטוח לאומי"):  # the directory's aliases are the same body: nothing said
        r = z(ws, "persist", i, "--refusal", "לא", "--body", body, "--deadline", "ni_labour_court")
        assert r.stderr == ""
    r = z(ws, "persist", i, "--refusal", "לא", "--body", "מנהל הארנונה", "--deadline", "arnona_objection")
    assert r.stderr == ""


def test_missed_clocks_stay_visible_in_show_report_and_followup(ws: Path) -> None:
    i = new_issue(ws, "--date", "2026-08-01")
    # recorded after its clock had already run out: said at once
    r = z(ws, "persist", i, "--refusal", "לא", "--body", "מנהל הארנונה", "--date", "2026-09-01",
          "--deadline", "arnona_appeal")
    assert "כבר עבר" in r.stderr and "01/10/2026" in r.stderr
    z(ws, "persist", i, "--refusal", "לא שוב", "--body", "מנהל הארנונה", "--date", "2026-11-01",
      "--deadline", "arnona_appeal")  # due 01/12: in time, appealed below
    z(ws, "persist", i, "--refusal", "לא", "--body", "ביטוח לאומי", "--date", "2026-11-23",
      "--deadline", "medical_appeal")  # after the appeal below: still running
    j = new_issue(ws, "--date", "2026-08-01", family="f2")
    z(ws, "persist", j, "--refusal", "לא", "--body", "ביטוח לאומי", "--date", "2026-08-01",
      "--deadline", "medical_appeal")  # due 30/09, no appeal
    r = z(ws, "show", j)
    assert "הוחמץ – עבר בלי ערר" in r.stdout and "המועד עבר" in r.stdout  # the table and what to do now
    assert "deadline_missed" in [x["code"] for x in fu_items(ws, j)]
    # a late appeal answers the first clock — but never makes it look met
    z(ws, "persist", i, "--appeal", "ערר לוועדת הערר", "--date", "2026-11-22")
    r = z(ws, "show", i)
    assert "הוחמץ – הערר הוגש באיחור" in r.stdout and "22/11/2026" in r.stdout
    assert "נעצר: ערר הוגש ב-22/11/2026" in r.stdout  # the second arnona clock: met
    assert "רץ – עוד 60 ימים" in r.stdout
    assert "deadline_missed" not in [x["code"] for x in fu_items(ws, i)]
    rep = json.loads(z(ws, "report", "--json").stdout)["clocks"]
    assert {k: rep[k] for k in ("due", "met", "missed", "appealed_late")} == {
        "due": 2, "met": 0, "missed": 2, "appealed_late": 1}
    assert {(x["id"], x["due"]) for x in rep["missed_issues"]} == {(i, "2026-10-01"), (j, "2026-09-30")}
    r = z(ws, "report")
    assert "מועדים שהוחמצו" in r.stdout and j in r.stdout
    csv_rows = z(ws, "report", "--format", "csv").stdout.splitlines()
    assert "clocks,missed,מועדים שהוחמצו,2" in csv_rows


def fu_items(ws: Path, i: str) -> list[dict]:
    data = json.loads(z(ws, "followup", "--json").stdout)
    return next((x["reasons"] for x in data["items"] if x["id"] == i), [])


def test_escalation_without_refusal_is_allowed_but_said(ws: Path) -> None:
    i = new_issue(ws)
    r = z(ws, "persist", i, "--escalate", "פנייה למנהל האזור")
    assert "לא תועד סירוב" in r.stdout + r.stderr
    assert show(ws, i)["log"][-1]["kind"] == "escalation"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([], "--refusal"),
        (["--refusal", "לא", "--escalate", "x"], "--refusal"),
        (["--refusal", "לא"], "--body"),
        (["--refusal", "לא", "--body", "ב.ל.", "--deadline", "forever"], "ni_labour_court"),
        (["--escalate", "x", "--deadline", "medical_appeal"], "--refusal"),
        (["--refusal", "  ", "--body", "x"], "מה נעשה"),
        (["--refusal", "לא", "--body", "x", "--date", "+2"], "עוד לא הגיע"),
    ],
)
def test_persist_bad_input(ws: Path, args: list[str], needle: str) -> None:
    # not exactly one of --refusal/--escalate/--appeal: the command line itself is wrong (issue 14: exit 2)
    usage = sum(a in ("--refusal", "--escalate", "--appeal") for a in args) != 1
    refused_and_untouched(ws, "persist", args, needle, code=2 if usage else 1)


# ------------------------------------------------------------------ 8. policy
def test_policy_flag_and_cross_case_barriers(ws: Path) -> None:
    a = new_issue(ws, family="f1", domain="national_insurance")
    b = new_issue(ws, family="f2", domain="national_insurance")
    r = run("--root", str(ws), "--worker", "miri", "new", "--family", "f3", "--subject", "x", "--domain", "housing")
    c = r.stdout.strip()
    z(ws, "collect", a, "--barrier-kind", "bureaucracy", "--body", "ב.ל.||")
    z(ws, "collect", b, "--barrier-kind", "bureaucracy", "--body", "המוסד לביטוח לאומי – סניף באר שבע||")
    run("--root", str(ws), "--worker", "miri", "collect", c, "--barrier-kind", "bureaucracy", "--body", "עמידר||")
    z(ws, "collect", new_issue(ws, family="f1"), "--barrier-kind", "cost")
    z(ws, "policy", a, "--flag", "קצבאות שהופסקו אחרי שילד התחיל לעבוד")
    assert show(ws, a)["policy"] == {"flag": True, "note": "קצבאות שהופסקו אחרי שילד התחיל לעבוד"}
    assert show(ws, a)["step"] == "policy"
    rep = json.loads(z(ws, "policy", "--json").stdout)
    top = rep["barriers"][0]
    assert top == {"kind": "bureaucracy", "count": 3, "families": 3, "workers": 2,
                   "bodies": ["ביטוח לאומי", "עמידר"], "issues": sorted([a, b, c])}
    assert [x["kind"] for x in rep["barriers"]] == ["bureaucracy", "cost"]
    assert rep["flagged"] == [a]
    rep = json.loads(z(ws, "policy", "--json", "--min", "2").stdout)
    assert [x["kind"] for x in rep["barriers"]] == ["bureaucracy"]
    out = z(ws, "policy").stdout
    assert "ביורוקרטיה" in out and "קצבאות שהופסקו" in out
    z(ws, "policy", a, code=1)
    z(ws, "policy", "--flag", "x", code=1)
    z(ws, "policy", a, "--flag", "  ", code=1)


def test_steps_in_english(ws: Path) -> None:
    i = new_issue(ws)
    r = z(ws, "--lang", "en", "persist", i, "--refusal", "no", "--body", "x", "--deadline", "arnona_objection")
    assert "Recorded on" in r.stdout and "legal clock" in r.stdout
    r = z(ws, "--lang", "en", "plan", i, "--action", "x", "--who", "nobody", code=1)
    assert "client (Client alone)" in r.stderr
    r = z(ws, "--lang", "en", "show", i)
    assert "Persistence" in r.stdout and "What now" in r.stdout


def test_the_clocks_are_the_bodies_own(ws: Path) -> None:
    """Issue 27: checked against Kol Zchut and the bodies' own pages — a work-injury appeal is 30 days, a
    general-disability one 60; the Population Authority's internal appeal (21 days) comes before the
    tribunal; an arnona objection is the tax manager's, not the discount committee's; every clock says its
    source, and what could not be confirmed says so."""
    import yaml
    from conftest import REPO

    rules = {r["key"]: r for r in yaml.safe_load((REPO / "templates" / "deadlines.yaml").read_text(encoding="utf-8"))}
    assert rules["medical_appeal"]["days"] == 60 and rules["medical_appeal_work_injury"]["days"] == 30
    assert rules["population_internal_appeal"]["days"] == 21
    assert "בערר הפנימי" in rules["population_humanitarian_appeal"]["note"]
    assert rules["arnona_objection"]["bodies"] == ["עירייה – מנהל הארנונה"]
    assert all(r.get("source") for r in rules.values())
    assert {k for k, r in rules.items() if r.get("verify")} >= {"income_support_appeal", "housing_appeal"}
    i = new_issue(ws)
    r = z(ws, "persist", i, "--refusal", "נקבעו 5%", "--body", "ביטוח לאומי", "--date", "2026-11-01",
          "--deadline", "medical_appeal_work_injury")
    assert "01/12/2026" in r.stdout  # 30 days


def test_every_right_has_a_kol_zchut_link_and_says_whether_it_was_verified(ws: Path) -> None:
    """Issue 27: each right of the checklist has its Kol Zchut title, the file says which titles were checked
    against the stored pages and when, and `show` prints the link of an issue's right."""
    import yaml
    from conftest import REPO

    doc = yaml.safe_load((REPO / "templates" / "rights.yaml").read_text(encoding="utf-8"))
    rights = [r for items in doc.values() for r in items]
    assert len(rights) == 33 and all(r.get("kolzchut") and r.get("verified") for r in rights)
    checked = {r["key"]: r["kolzchut"] for r in rights if str(r["verified"]).startswith("2026-12")}
    assert checked["general_disability"] == "קצבת נכות כללית" and checked["rent_assistance"] == "זכאות לסיוע בשכר דירה"
    assert len(checked) >= 12
    z(ws, "listen", "--family", "f1", "--right", "general_disability")
    i = json.loads(z(ws, "list", "--json").stdout)[0]["id"]
    shown = z(ws, "show", i).stdout
    assert ("https://www.kolzchut.org.il/he/"  # קצבת_נכות_כללית, percent-encoded
            "%D7%A7%D7%A6%D7%91%D7%AA_%D7%A0%D7%9B%D7%95%D7%AA_%D7%9B%D7%9C%D7%9C%D7%99%D7%AA") in shown
