"""The intake conversation in a real pseudo-terminal (pexpect): Hebrew questions, re-asking, Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pexpect
import pytest
from conftest import run

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")


def spawn(ws: Path, *args: str, bidi: str = "logical") -> pexpect.spawn:
    exe = shutil.which("zchuyot")
    cmd, argv = (exe, []) if exe else (sys.executable, ["-m", "zchuyot"])
    env = dict(os.environ)
    env.update({"ZCHUYOT_TODAY": "2026-11-23", "COLUMNS": "100", "LINES": "50", "TERM": "xterm"})
    child = pexpect.spawn(cmd, [*argv, "--root", str(ws), "--bidi", bidi, *args], env=env, encoding="utf-8",
                          timeout=20, dimensions=(50, 100))
    return child


def issues(ws: Path) -> list[dict]:
    return json.loads(run("--root", str(ws), "list", "--json").stdout)


def test_interactive_intake(ws: Path) -> None:
    child = spawn(ws, "new")
    child.expect("קוד המשפחה")
    child.sendline("משפחה כהן")  # not a code: asked again, with the reason
    child.expect("אינו קוד תקין")
    child.expect("קוד המשפחה")
    child.sendline("f200")
    child.expect("נושא הפניה")
    child.sendline("")  # required: asked again
    child.expect("שדה חובה")
    child.sendline("הבן עומד להישלח הביתה מהמעון בגלל חוב של ₪2,400")
    child.expect("סל שיקום")  # the numbered Hebrew list of domains
    child.expect("תחום הפניה")
    child.sendline("11")
    child.expect("מספר בין 1 ל-10")
    child.sendline("10")  # other → asks which
    child.expect("איזה תחום")
    child.sendline("מעונות יום")
    child.expect("תיאור קצר")
    child.sendline("המעון הודיע שהילד לא יתקבל מה-1/12; טל' המעון 08-6200000")
    child.expect("שם הארגון")
    child.sendline("מעון יום")
    child.expect("איש/ת קשר")
    child.sendline("מנהלת המעון")
    child.expect("פרטי יצירת קשר")
    child.sendline("08-6200000")
    child.expect("שם הארגון")
    child.sendline("משרד העבודה – מעונות יום")
    child.expect("איש/ת קשר")
    child.sendline("")
    child.expect("פרטי יצירת קשר")
    child.sendline("")
    child.expect("שם הארגון")
    child.sendline("")
    child.expect(r"dana-[a-z0-9]{5}")
    new_id = child.after
    child.expect("להמשיך עכשיו לאיסוף נתונים")
    child.sendline("ל")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    [data] = issues(ws)
    assert data["id"] == new_id and data["family"] == "f200"
    assert data["domain"] == "other" and data["domain_other"] == "מעונות יום"
    assert data["subject"] == "הבן עומד להישלח הביתה מהמעון בגלל חוב של ₪2,400"
    assert data["bodies"] == [
        {"org": "מעון יום", "contact": "מנהלת המעון", "details": "08-6200000"},
        {"org": "משרד העבודה – מעונות יום", "contact": None, "details": None},
    ]


def test_flags_fill_what_they_can_and_prompts_ask_the_rest(ws: Path) -> None:
    child = spawn(ws, "new", "--family", "f3", "--domain", "debts")
    child.expect("נושא הפניה")
    child.sendline("חוב לבנק")
    child.expect("תיאור קצר")
    child.sendline("")
    child.expect("שם הארגון")
    child.sendline("")
    child.expect("להמשיך עכשיו")
    child.sendline("no")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    [data] = issues(ws)
    assert (data["family"], data["domain"], data["subject"]) == ("f3", "debts", "חוב לבנק")


@pytest.mark.parametrize("key", ["ctrl-c", "ctrl-d"])
def test_cancel_writes_nothing(ws: Path, key: str) -> None:
    before = sorted(p.name for p in (ws / "cases").rglob("*"))
    child = spawn(ws, "new")
    child.expect("קוד המשפחה")
    child.sendline("f9")
    child.expect("נושא הפניה")
    child.sendline("משהו")
    child.expect("תחום הפניה")
    if key == "ctrl-c":
        child.sendintr()
    else:
        child.sendeof()
    child.expect("שום דבר לא נשמר")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert sorted(p.name for p in (ws / "cases").rglob("*")) == before


def test_visual_prompts_in_a_terminal(ws: Path) -> None:
    from zchuyot.rtl import visual

    child = spawn(ws, "new", bidi="visual")
    child.expect_exact(visual("קוד המשפחה (אותיות אנגליות קטנות וספרות, למשל f102):"))
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
