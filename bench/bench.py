"""Benchmark: build a synthetic department and time the commands that read every issue.

    python bench/bench.py                  # 1,000 and 10,000 issues, 3 runs each
    python bench/bench.py --sizes 100000 --runs 3

Builds workspaces under a temporary folder (or --keep DIR), with realistic Hebrew content across
50 workers: 5–20 log entries, 2–5 actions, bodies, barriers, outcomes. Each command runs as a
user runs it (a fresh process: `python -m zchuyot …`); it reports the median wall time over the
runs and the peak memory (max RSS) of the process. Nothing here is a test: run it by hand and
put the figures in bench/RESULTS.md with the machine described.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUBJECTS = [
    "הנחה בארנונה", "קצבת הבטחת הכנסה בוטלה", "חוב לבנק בהוצאה לפועל", "סירוב לשיפוץ בדיור הציבורי",
    "הסעה לבן עם מוגבלות", "סבסוד מעון יום", "קצבת נכות כללית – ועדה רפואית", "הסדר חוב לעירייה",
    "מענק עבודה (מס הכנסה שלילי)", "הסדרת מעמד במשרד הפנים", "סל שיקום – דיור מוגן", "ציוד בסיסי לבית",
]
DOMAINS = ["housing", "national_insurance", "debts", "housing", "education", "education", "national_insurance",
           "debts", "employment", "personal_status", "rehab_basket", "material_aid"]
BODIES = ["ביטוח לאומי", "ב.ל.", "המוסד לביטוח לאומי – סניף באר שבע", "עירייה – ועדת הנחות בארנונה", "עמידר",
          "הוצאה לפועל", "הסיוע המשפטי", "משרד החינוך", "קופת חולים", "הבנק"]
TEXTS = ["שיחה עם הפקידה בסניף; הובטח מענה תוך שבוע", "פגישה עם האם – סוכם על מכתב", "נשלח מכתב בקשה עם כל המסמכים",
         "ליווי לוועדה; הוצגו תלושי השכר של ₪4,200", "התקבלה תשובה חלקית", "הפונה הגיעה לבד לסניף אחרי סימולציה",
         "התייעצות עם עו\"ס מיצוי זכויות (שְׁאֵלָה על זכאות)"]
KINDS = ["call", "meeting", "letter", "accompaniment", "answer", "simulation", "documents", "note"]
WHO = ["client", "client_advised", "simulation", "accompanied", "worker", "rights_worker", "volunteer"]
BARRIERS = ["information", "bureaucracy", "documents", "eligibility", "attitude", "digital", "cost", "stuck"]


def q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def issue_text(rng: random.Random, issue_id: str, family: str, worker: str, today: dt.date) -> str:
    n = rng.randrange(len(SUBJECTS))
    opened = today - dt.timedelta(days=rng.randint(20, 700))
    days = max((today - opened).days, 1)
    entries = sorted(opened + dt.timedelta(days=rng.randint(0, days)) for _ in range(rng.randint(5, 20)))
    status = rng.choices(["open", "ended", "stopped", "referred"], [6, 3, 1, 1])[0]
    lines = [
        "# טופס תיעוד תהליך עבודה – מיצוי זכויות אקטיבי (נתונים סינתטיים)",
        f"id: {issue_id}", f"family: {family}", f"opened: {opened}", f"subject: {q(SUBJECTS[n])}",
        f"worker:\n  name: {q('עו״ס ' + worker)}\n  role: family", f"domain: {DOMAINS[n]}", "domain_other:",
        f"description: {q('תיאור המצב: ' + rng.choice(TEXTS))}", "bodies:",
    ]
    for b in rng.sample(BODIES, rng.randint(1, 3)):
        lines.append(f"  - org: {q(b)}\n    contact:\n    details: {q('08-6' + str(rng.randint(100000, 999999)))}")
    lines += [f"priority: {rng.randint(1, 4)}", f"urgency: {rng.choice(['now', 'later'])}",
              f"problem: {q('מהי הבעיה: ' + rng.choice(TEXTS))}", "history: refused",
              f"barrier:\n  kind: {rng.choice(BARRIERS)}\n  where: {q('בסניף')}", "actions:"]
    for a in range(1, rng.randint(2, 5) + 1):
        due = opened + dt.timedelta(days=rng.randint(1, days + 30))
        done = f"{min(due, today)}" if rng.random() < 0.6 else ""
        lines.append(f"  - id: {a}\n    what: {q(rng.choice(TEXTS))}\n    who: {rng.choice(WHO)}\n    due: {due}\n"
                     f"    body: {q(rng.choice(BODIES))}\n    agreed: true\n    done: {done}")
    lines.append("log:")
    for d in entries:
        kind = rng.choice(KINDS + (["refusal", "escalation"] if rng.random() < 0.2 else []))
        lines.append(f"  - date: {d}\n    kind: {kind}\n    text: {q(rng.choice(TEXTS))}\n    by: {worker}")
    if rng.random() < 0.15:
        start = entries[-1]
        lines.append(f"deadlines:\n  - key: medical_appeal\n    name: {q('ערר לוועדה רפואית לעררים')}\n"
                     f"    from: {start}\n    due: {start + dt.timedelta(days=60)}")
    else:
        lines.append("deadlines: []")
    nxt = today + dt.timedelta(days=rng.randint(-20, 20))
    lines += [f"next_followup: {nxt}", "policy:", "step: treat", f"status: {status}",
              f"status_reason: {q('הסבר') if status in ('stopped', 'referred') else ''}",
              f"insights: {q('תובנה לשיתוף') if status != 'open' else ''}"]
    if status == "ended":
        lines.append(f"outcome:\n  benefit: {q(SUBJECTS[n])}\n  kind: recovery\n  amount: {rng.randint(100, 4000)}\n"
                     f"  period: {rng.choice(['monthly', 'one_off'])}\n  from: {entries[-1]}")
    else:
        lines.append("outcome:")
    return "\n".join(lines) + "\n"


def build(root: Path, size: int, today: dt.date, seed: int = 1) -> None:
    from zchuyot.workspace.setup import init_workspace

    os.environ["ZCHUYOT_CONFIG_DIR"] = str(root.parent / "_config")
    init_workspace(root, "w00", "מחלקה סינתטית")
    rng = random.Random(seed)
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    used: set[str] = set()
    for k in range(size):
        # each family's issues are spread over three workers: one folder per issue, the worst case for
        # the stat of every file (a family mostly stays with one worker in a real department)
        worker = f"w{k % 50:02d}"
        family = f"f{(k // 3):05d}"
        issue_id = ""
        while not issue_id or issue_id in used:  # ids are unique, as zchuyot new makes them
            issue_id = f"{worker}-{''.join(rng.choice(alphabet) for _ in range(5))}"
        used.add(issue_id)
        folder = root / "cases" / worker / family
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        (folder / f"{issue_id}.yaml").write_text(issue_text(rng, issue_id, family, worker, today), encoding="utf-8")
        if k % 3 == 0:  # each family has its record (with its first worker), as intake makes it
            (folder / "family.yaml").write_text(f"code: {family}\nname: משפחה סינתטית {k // 3}\n", encoding="utf-8")
    for p in (root / "cases").rglob("*"):  # as zchuyot keeps them: this worker's only
        p.chmod(0o700 if p.is_dir() else 0o600)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, capture_output=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "synthetic workspace"], check=True, capture_output=True)


def department(base: Path, size: int, today: str) -> tuple[Path, dict[str, str]]:
    """A synthetic department in `base` built as its first admin's computer (this process's environment set
    to its config directory, a pinned today, no user git config): the workspace and that environment."""
    env = {**os.environ, "ZCHUYOT_TODAY": today, "ZCHUYOT_CONFIG_DIR": str(base / "_config"),
           "GIT_CONFIG_GLOBAL": str(base / "_gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}
    os.environ.update(env)
    root = base / "ws"
    build(root, size, dt.date.fromisoformat(today))
    return root, env


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one fresh process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {p.stderr.read().decode() if p.stderr else ''}")
    peak = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024 / 1024
    return elapsed, int(peak)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", help="build the workspaces here and keep them")
    args = ap.parse_args()
    today = dt.date(2026, 11, 23)
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="zchuyot-bench-"))
    py = [sys.executable, "-m", "zchuyot"]
    print(f"# zchuyot benchmark — {os.cpu_count()} cores, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}")
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            root = base / f"ws{size}"
            if not (root / ".zchuyot.yaml").exists():
                t0 = time.perf_counter()
                build(root, size, today)
                print(f"\n## {size:,} issues (built in {time.perf_counter() - t0:.1f} s)")
            else:
                print(f"\n## {size:,} issues (existing workspace)")
            env = dict(os.environ, ZCHUYOT_TODAY=today.isoformat(), ZCHUYOT_WORKER="w00")
            # as on a worker's computer: Python keeps its compiled modules (some sandboxes turn that off,
            # which adds ~0.1 s of compiling to every command)
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            some_id = next(p for p in (root / "cases" / "w00").glob("*/*.yaml") if p.name != "family.yaml").stem
            r = ["--root", str(root)]
            commands = {
                "--help": ["--help"],
                "show ID": [*r, "show", some_id],
                "new (with its git commit)": [*r, "new", "--family", "f00000", "--subject", "בדיקה", "--domain",
                                              "debts"],
                "treat ID (with its git commit)": [*r, "treat", some_id, "שיחה", "--kind", "call"],
                "followup --all-workers, cold (--no-cache)": [*r, "--no-cache", "followup", "--all-workers", "--json"],
                "followup --all-workers, warm": [*r, "followup", "--all-workers", "--json"],
                "followup (one worker), warm": [*r, "followup", "--json"],
                "report, warm": [*r, "report", "--json"],
                "policy, warm": [*r, "policy", "--json"],
                "list --all-workers, warm": [*r, "list", "--all-workers"],
                "check, warm": [*r, "check", "--json"],
                "export, warm": [*r, "export"],
                "search, no match, warm": [*r, "search", "קלמנטינה", "--all-workers"],
                "search, a few matches, warm": [*r, "search", "קצבת ילדים", "--all-workers"],
                "search, a quarter of all issues match, warm": [*r, "search", "לארנונה", "--all-workers"],
            }
            for extra in ("", "-wal", "-shm"):
                (root / ".zchuyot" / f"index.sqlite{extra}").unlink(missing_ok=True)
            first, first_peak = timed(py + [*r, "followup", "--all-workers", "--json"], env)
            print("| command | median s | min s | peak MiB |\n|---|---:|---:|---:|")
            print(f"| `followup --all-workers`, first run: builds the index (once) | {first:.3f} | {first:.3f} | "
                  f"{first_peak} |", flush=True)
            for name, a in commands.items():
                times, peaks = [], []
                for _ in range(args.runs):
                    s, m = timed(py + a, env)
                    times.append(s)
                    peaks.append(m)
                print(f"| `{name}` | {statistics.median(times):.3f} | {min(times):.3f} | {max(peaks)} |", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
