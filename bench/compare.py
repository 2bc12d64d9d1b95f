"""Side by side with Taskwarrior: the same department in both tools, each pair of commands run in turn.

    python bench/compare.py --sizes 1000,10000,100000 --runs 3 --keep /tmp/cmp

The table is printed as it is made and, at the end, written into bench/RESULTS.md between the lines
`<!-- compare:start -->` and `<!-- compare:end -->` (`--no-write` leaves the file alone).

Builds the synthetic department of `bench.py` for zchuyot and the same issues as Taskwarrior tasks (one
task per issue: its subject, the family as project, the worker as a tag, a due date, each log entry as an
annotation). Taskwarrior is installed with the system's package manager when it is missing (apt-get); if
it cannot be, the script says so in one line and stops. Each pair runs A B A B … so both meet the same
machine, and the table gives medians and the ratio zchuyot / Taskwarrior. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (bench.py beside this file: the same synthetic department)


def ensure_task() -> str | None:
    """The `task` program, installed from the system's packages when missing; None if it cannot be."""
    found = shutil.which("task")
    if found:
        return found
    if shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "taskwarrior"], capture_output=True)
    return shutil.which("task")


def tasks_of(root: Path) -> list[dict[str, object]]:
    """The workspace's issues as Taskwarrior tasks (read from the files, so both hold the same data)."""
    from zchuyot.workspace.store import Workspace

    ws = Workspace.find(str(root))
    ws.use_cache = False
    out = []
    for rec, _, _ in ws.each_issue(None, with_data=True):
        if rec is None:
            continue
        i = rec.issue
        stamp = i.opened.strftime("%Y%m%dT000000Z")
        task: dict[str, object] = {
            "description": i.subject, "project": i.family, "tags": [rec.worker_dir], "entry": stamp,
            "status": "pending" if i.is_open else "completed",
            "annotations": [{"entry": e.date.strftime("%Y%m%dT120000Z"), "description": e.text} for e in i.log],
        }
        if not i.is_open:
            task["end"] = i.last_activity().strftime("%Y%m%dT120000Z")
        if i.next_followup:
            task["due"] = i.next_followup.strftime("%Y%m%dT000000Z")
        out.append(task)
    return out


def write_results(table: str) -> None:
    """The table into bench/RESULTS.md, in place of the one between the markers (added at the end if none)."""
    path = Path(__file__).resolve().parent / "RESULTS.md"
    text = path.read_text(encoding="utf-8")
    start, end = "<!-- compare:start -->", "<!-- compare:end -->"
    block = f"{start}\n{table}\n{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text += "\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", help="build the workspaces here and keep them")
    ap.add_argument("--no-write", action="store_true", help="print the table only; bench/RESULTS.md unchanged")
    args = ap.parse_args()
    task = ensure_task()
    if task is None:
        print("Taskwarrior (task) is not installed and could not be installed here: no comparison made.")
        return
    version = subprocess.run([task, "--version"], capture_output=True, text=True).stdout.strip()
    today = dt.date(2026, 11, 23)
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="zchuyot-compare-"))
    py = [sys.executable, "-m", "zchuyot"]
    table: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        table.append(line)

    say(f"`python bench/compare.py --sizes {args.sizes} --runs {args.runs}` — zchuyot and Taskwarrior {version}, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}; medians of "
        f"{args.runs}, each pair run in turn (A B A B …); ratio = zchuyot / Taskwarrior.")
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            root = base / f"ws{size}"
            if not (root / ".zchuyot.yaml").exists():
                bench.build(root, size, today)
            tdata = base / f"task{size}"
            env = dict(os.environ, ZCHUYOT_TODAY=today.isoformat(), ZCHUYOT_WORKER="w00",
                       TASKDATA=str(tdata), TASKRC=str(base / "taskrc"))
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            (base / "taskrc").write_text("confirmation=off\nverbose=nothing\ngc=off\nhooks=off\n"
                                         "recurrence=off\njson.array=on\n", encoding="utf-8")
            if not tdata.exists():
                tdata.mkdir(parents=True)
                tasks = tasks_of(root)
                (base / f"tasks{size}.json").write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
                subprocess.run([task, "import", str(base / f"tasks{size}.json")], env=env, check=True,
                               capture_output=True)
            r = ["--root", str(root)]
            some_id = next(p for p in (root / "cases" / "w00").glob("*/*.yaml") if p.name != "family.yaml").stem
            subprocess.run(py + [*r, "followup", "--all-workers", "--json"], env=env, capture_output=True)  # index
            pairs = {
                "the rights worker's morning: `followup --all-workers` / `task next`":
                    (py + [*r, "followup", "--all-workers"], [task, "next"]),
                "every item: `followup --all-workers --all` / `task next limit:0`":
                    (py + [*r, "followup", "--all-workers", "--all"], [task, "next", "limit:0"]),
                "`list --all-workers` / `task list`": (py + [*r, "list", "--all-workers"], [task, "list"]),
                "`export` / `task export`": (py + [*r, "export"], [task, "export"]),
                "`show ID` / `task ID info`": (py + [*r, "show", some_id], [task, "1", "info"]),
                "one worker's `followup` / `task next +w00`": (py + [*r, "followup"], [task, "next", "+w00"]),
                "`new` / `task add`": (py + [*r, "new", "--family", "f00000", "--subject", "בדיקה", "--domain",
                                             "debts"], [task, "add", "project:f00000", "בדיקה"]),
                "`treat` / `task annotate`": (py + [*r, "treat", some_id, "שיחה", "--kind", "call"],
                                             [task, "1", "annotate", "שיחה"]),
            }
            say(f"\n### {size:,} issues / tasks\n")
            say("| what a person runs | zchuyot s | Taskwarrior s | ratio |\n|---|---:|---:|---:|")
            for name, (z, t) in pairs.items():
                zs, ts = [], []
                for _ in range(args.runs):
                    zs.append(bench.timed(z, env)[0])
                    ts.append(bench.timed(t, env)[0])
                zm, tm = statistics.median(zs), statistics.median(ts)
                say(f"| {name} | {zm:.2f} | {tm:.2f} | {zm / tm:.2f}× |")
            if not args.no_write:  # after each size: a long run stopped half-way keeps what it measured
                write_results("\n".join(table))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
