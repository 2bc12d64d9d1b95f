"""The README's walk at the desk (issue 27): intake to closing with no flag typed, in a real pseudo-terminal
(pexpect), in a new workspace as of 23/11/2026. The transcript — every question zchuyot asks and every answer
the worker types — is the README's block between `<!-- walk: begin -->` and `<!-- walk: end -->`.

    python scripts/readme_walk.py           # exit 1 and a diff when the README's walk differs from the real one
    python scripts/readme_walk.py --write   # write the real walk into the README
"""

from __future__ import annotations

import difflib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
BEGIN, END = "<!-- walk: begin -->", "<!-- walk: end -->"
ID = re.compile(r"\bdana-[a-z0-9]{5}\b")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")

# (the question zchuyot asks — a piece of it —, what the worker types)
INTAKE = [
    ("קוד המשפחה", "f102"), ("לפתוח אותה כמשפחה חדשה", ""), ("שם המשפחה / הפונה", "משפחה בדויה"),
    ("נושא הפניה", "הקצבה הופסקה אחרי שהבן התחיל לעבוד"), ("תחום הפניה – מספר", "4"),
    ("תיאור קצר", ""), ("שם הארגון", "ביטוח לאומי"), ("איש/ת קשר", ""), ("פרטי יצירת קשר", "*6050"),
    ("שם הארגון", ""), ("להמשיך עכשיו לאיסוף נתונים", ""),
    ("מהי הבעיה", "שכר הבן נספר בהכנסת משק הבית"), ("היסטוריית הטיפול", "3"), ("שם הארגון", ""),
    ("סוג החסם", "4"), ("איפה בדיוק", "בסניף – לא ידעו שהבן גר בנפרד"),
    ("מספר התיק או התביעה", ""),
    ("להמשיך עכשיו לתכנית", ""), ("מה עושים", "בקשה לחידוש עם חוזה השכירות של הבן"), ("מי מבצע", "2"),
    ("עד מתי", "+3"), ("מול איזה גוף", "ביטוח לאומי"), ("סוכם עם המשפחה", ""), ("מה עושים", ""),
]
TREAT = [("מה נעשה", "הבקשה הוגשה בסניף עם החוזה"), ("סוג הפעולה", "4"), ("מתי", ""),
         ("השלים פעולה", "1"), ("מועד המעקב הבא", "+14")]
CLOSE = [("איך הסתיים", "1"), ("הושגה זכות", ""), ("איזו זכות הושגה", "1"), ("הסכום", "2,800"),
         ("כל חודש", "1"), ("כסף שהושג או חוב", "1"), ("תובנות", "לבדוק עם כל משפחה אם ילד בוגר גר בנפרד"),
         ("מתי", "")]


def walk() -> list[str]:
    import pexpect

    tmp = Path(tempfile.mkdtemp(prefix="zchuyot-walk-"))
    env = {**os.environ, "HOME": str(tmp), "ZCHUYOT_TODAY": "2026-11-23", "ZCHUYOT_CONFIG_DIR": str(tmp / "config"),
           "GIT_CONFIG_GLOBAL": str(tmp / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1", "COLUMNS": "100", "LINES": "60",
           "TERM": "xterm", "ZCHUYOT_LANG": "he"}
    for k in ("ZCHUYOT_ROOT", "ZCHUYOT_WORKER", "ZCHUYOT_BIDI"):
        env.pop(k, None)
    exe = shutil.which("zchuyot") or "zchuyot"
    root = tmp / "zchuyot"
    subprocess.run([exe, "init", str(root), "--worker", "dana", "--name", "דנה"], env=env, check=True,
                   capture_output=True)
    out: list[str] = []
    issue = ""
    try:
        for args, answers in ((["new"], INTAKE), (["treat", "{id}"], TREAT), (["close", "{id}"], CLOSE)):
            real = [a.replace("{id}", issue) for a in args]
            out.append("$ zchuyot " + " ".join(real))
            log = io.StringIO()
            child = pexpect.spawn(exe, ["--bidi", "logical", *real], cwd=str(root), env=env, encoding="utf-8",
                                  timeout=30, dimensions=(60, 100))
            child.logfile_read = log  # the whole screen: every question, every echoed answer
            for question, answer in answers:
                child.expect(question)
                child.sendline(answer)
            child.expect(pexpect.EOF)
            child.close()
            if child.exitstatus != 0:
                raise SystemExit(f"zchuyot {' '.join(real)} exited {child.exitstatus}:\n{log.getvalue()}")
            out.extend(_lines(log.getvalue()))
            if not issue:
                m = ID.search(log.getvalue())
                issue = m.group() if m else ""
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return _named(out, issue)


def _lines(text: str) -> list[str]:
    text = ANSI.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate({ord(c): None for c in "\u2066\u2067\u2068\u2069"})
    return [ln.rstrip() for ln in text.split("\n") if ln.strip()]


def _named(lines: list[str], issue: str) -> list[str]:
    """The walk's random id as the README names it (dana-sypym)."""
    if not issue:
        return lines
    return [ln.replace(issue, "dana-sypym").replace(issue.split("-")[1], "sypym") for ln in lines]


def main(write: bool) -> int:
    text = README.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        print(f"README.md has no {BEGIN} … {END} block", file=sys.stderr)
        return 1
    head, rest = text.split(BEGIN, 1)
    body, tail = rest.split(END, 1)
    real = walk()
    block = "\n```console\n" + "\n".join(real) + "\n```\n"
    if write:
        README.write_text(head + BEGIN + block + END + tail, encoding="utf-8")
        print(f"README.md: the walk written ({len(real)} lines)")
        return 0
    shown = [ln.rstrip() for ln in body.strip().split("\n")[1:-1]]
    if shown != real:
        print("\n".join(difflib.unified_diff(shown, real, "README", "walk", lineterm="")))
        print("the README's walk differs from the real one; run: python scripts/readme_walk.py --write",
              file=sys.stderr)
        return 1
    print(f"README.md: the walk matches ({len(real)} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main("--write" in sys.argv[1:]))
