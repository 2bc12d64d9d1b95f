"""The family as a household (issue 27): address, gender, members with the facts the rights questions need —
sealed with the family's key when the department encrypts — and personal data typed into an issue's free
text caught before it is saved."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import git_log, issue_path, new_issue, run


def fam(ws: Path, code: str = "f1") -> dict:
    r = run("--root", str(ws), "family", "show", code, "--json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_members_added_edited_removed_through_the_cli(ws: Path) -> None:
    assert run("--root", str(ws), "family", "add", "f1", "--name", "משפחת בדיקה", "--gender", "אישה",
               "--address", "רחוב הרצל 5, באר שבע").exit_code == 0
    r = run("--root", str(ws), "family", "member", "add", "f1", "--relation", "mother", "--born", "1985",
            "--gender", "female", "--name", "אם בדיקה", "--id-number", "123456782")
    assert r.exit_code == 0 and "1" in r.stdout, r.stderr
    assert run("--root", str(ws), "family", "member", "add", "f1", "--relation", "ילד/ה", "--born", "2015",
               "--gender", "male", "--disability", "40%", "--receives", "disabled_child").exit_code == 0
    d = fam(ws)
    assert d["gender"] == "female" and d["address"] == "רחוב הרצל 5, באר שבע"
    assert d["members"] == [
        {"n": 1, "relation": "mother", "name": "אם בדיקה", "born": 1985, "gender": "female", "id_number": "123456782"},
        {"n": 2, "relation": "child", "born": 2015, "gender": "male", "disability": 40, "receives": ["disabled_child"]},
    ]
    assert run("--root", str(ws), "family", "member", "edit", "f1", "2", "--disability", "50").exit_code == 0
    assert fam(ws)["members"][1]["disability"] == 50
    assert run("--root", str(ws), "family", "member", "remove", "f1", "1").exit_code == 0
    assert [m["n"] for m in fam(ws)["members"]] == [2]
    shown = run("--root", str(ws), "family", "show", "f1").stdout
    assert "בני הבית" in shown and "50%" in shown and "ילד/ה" in shown
    assert run("--root", str(ws), "family", "edit", "f1", "--address", "רחוב הגפן 3, דימונה").exit_code == 0
    assert fam(ws)["address"] == "רחוב הגפן 3, דימונה" and fam(ws)["name"] == "משפחת בדיקה"


def test_bad_member_values_one_line_nothing_written(ws: Path) -> None:
    assert run("--root", str(ws), "family", "add", "f1", "--name", "בדיקה").exit_code == 0
    before = git_log(ws)
    for args, needle in ((("--relation", "cousin"), "--relation"), (("--relation", "mother", "--born", "85"), "--born"),
                         (("--relation", "mother", "--disability", "140"), "--disability"),
                         (("--relation", "mother", "--id-number", "123"), "תעודת"),
                         (("--relation", "mother", "--gender", "x"), "female")):
        r = run("--root", str(ws), "family", "member", "add", "f1", *args)
        assert r.exit_code == 1 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
    r = run("--root", str(ws), "family", "member", "edit", "f1", "7", "--born", "1990")
    assert r.exit_code == 1 and "7" in r.stderr
    assert run("--root", str(ws), "family", "member", "add", "nobody", "--relation", "mother").exit_code == 1
    assert run("--root", str(ws), "family", "edit", "nobody", "--address", "x").exit_code == 1
    assert run("--root", str(ws), "family", "member", "add", "f1").exit_code == 2  # no terminal to ask in
    assert git_log(ws) == before


def test_the_household_is_sealed_with_encryption_on(ws: Path) -> None:
    settings = ws / ".zchuyot.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("encryption: false", "encryption: true"),
                        encoding="utf-8")
    subprocess.run(["git", "-C", str(ws), "commit", "-qam", "encryption on"], check=True)
    r = run("--root", str(ws), "family", "add", "f9", "--name", "משפחה חתומה", "--address", "רחוב הזית 7")
    assert r.exit_code == 0, r.stderr
    assert run("--root", str(ws), "family", "member", "add", "f9", "--relation", "father", "--born", "1979",
               "--name", "אב חתום").exit_code == 0
    text = next((ws / "cases").glob("*/f9/family.yaml")).read_text(encoding="utf-8")
    assert "BEGIN AGE ENCRYPTED FILE" in text and "הזית" not in text and "חתום" not in text and "1979" not in text
    d = fam(ws, "f9")
    assert d["address"] == "רחוב הזית 7" and d["members"][0]["name"] == "אב חתום"


def test_personal_data_in_free_text_is_refused_before_saving(ws: Path) -> None:
    i = new_issue(ws)
    before = issue_path(ws, i).read_bytes()
    log = git_log(ws)
    for args in (("treat", i, "התקשרתי לאם 052-1234567"), ("treat", i, "ת.ז. 123456782 של האב"),
                 ("collect", i, "--problem", "כתבה מ-mother@example.com"),
                 ("new", "--family", "f1", "--subject", "חוב", "--domain", "debts", "--description", "טל 0521234567")):
        r = run("--root", str(ws), *args)
        assert r.exit_code == 1 and "--keep-personal-data" in r.stderr, (args, r.stderr)
        assert "שום דבר לא נשמר" in r.stderr
        assert "052" not in r.stderr and "123456782" not in r.stderr  # the number itself is not echoed
    assert issue_path(ws, i).read_bytes() == before and git_log(ws) == log
    # a body's phone in the bodies, a date, an amount are not personal data
    assert run("--root", str(ws), "treat", i, "נשלח ב-23/11/2026, חוב של 12,345,678 ש\"ח").exit_code == 0
    # kept knowingly: saved, and the commit says so (its kind, never the number)
    r = run("--root", str(ws), "--keep-personal-data", "treat", i, "התקשרתי לאם 052-1234567")
    assert r.exit_code == 0, r.stderr
    assert git_log(ws)[0].endswith("(personal data kept: phone)") and "052" not in git_log(ws)[0]


def test_the_anonymised_export_removes_the_household_members_names(ws: Path) -> None:
    assert run("--root", str(ws), "family", "add", "f1", "--name", "משפחת אבוטבול").exit_code == 0
    assert run("--root", str(ws), "family", "member", "add", "f1", "--relation", "child", "--name",
               "נועם אבוטבול", "--born", "2014").exit_code == 0
    i = new_issue(ws)
    assert run("--root", str(ws), "treat", i, "שוחחתי עם נועם על בית הספר").exit_code == 0
    anon = run("--root", str(ws), "export", "--anonymize").stdout
    assert "נועם" not in anon and "[שם]" in anon
