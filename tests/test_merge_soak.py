"""A random soak of merges (issue 25): three clones (the family worker, the rights worker, a volunteer
partner's), encryption on, rounds of referrals to the same partner on the same and on different days, log
entries, comments typed by hand on both sides, events added and edited by hand, directory additions, and
`treat` killed in the middle — syncs in random order. A ledger of everything typed: in the end every clone
holds the same branch, no log entry, referral, comment or event is lost or duplicated, and `check` passes."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import department, issue_path, run

pytestmark = pytest.mark.skipif(subprocess.run(["which", "ssh-keygen"], capture_output=True).returncode != 0,
                                reason="ssh-keygen (OpenSSH) is not installed: signing needs it")


def z(root: Path, *args: str, code: int | None = 0):
    r = run("--root", str(root), *args)
    if code is not None:
        assert r.exit_code == code, (root.name, args, r.stdout, r.stderr)
    return r


@pytest.mark.parametrize("seed", [25, 3])
def test_three_clones_merge_nothing_lost_nothing_doubled(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    _, (a, b, c) = department(tmp_path, ("a", "dana", "family"), ("b", "miri", "rights"),
                              ("c", "noa", "volunteer"))
    z(a, "partner", "add", "vol", "--name", "מתנדבת", "--kind", "volunteer", "--worker", "noa")
    issues = []
    for n in range(3):
        z(a, "family", "add", f"f{n}", "--name", "משפחה בדויה")
        z(a, "family", "waiver", f"f{n}", "--body", "vol", "--signed", "2026-11-01")
        issues.append(z(a, "new", "--family", f"f{n}", "--subject", f"סוגיה {n}", "--domain", "housing"
                        ).stdout.split()[-1])
    for root in (a, b, c, a, b, c):
        z(root, "sync")
    typed: dict[str, list[str]] = {i: [] for i in issues}
    asks: dict[str, list[str]] = {i: [] for i in issues}
    comments: dict[str, list[str]] = {i: [] for i in issues}
    titles: list[str] = []
    env = dict(os.environ)
    for step in range(40):
        op = rnd.choice(["treat", "treat", "refer", "refer", "comment", "comment", "event", "event_edit", "directory",
                         "kill", "sync", "sync", "sync"])
        who = rnd.choice([a, b])
        i = rnd.choice(issues)
        if op == "treat":
            text = f"תיעוד {step}"
            z(who, "treat", i, text)
            typed[i].append(text)
        elif op == "refer":
            ask = f"ליווי {step}"
            z(who, "refer", i, "--to", "vol", "--ask", ask, "--date", rnd.choice(["2026-11-20", "2026-11-22"]))
            asks[i].append(ask)
        elif op == "comment":
            p = issue_path(who, i)
            lines = p.read_text(encoding="utf-8").splitlines()
            key = rnd.choice(["subject:", "domain:", "need:", "deadlines:"])
            k = next(n for n, ln in enumerate(lines) if ln.startswith(key))
            text = f"# הערה ביד {step}"
            lines.insert(k, text)
            p.write_text("\n".join(lines) + "\n", encoding="utf-8")
            comments[i].append(text)
        elif op == "event":
            title = f"סדנה {step}"
            z(who, "event", "add", "--kind", "workshop", "--title", title, "--date", "2026-11-10")
            titles.append(title)
        elif op == "event_edit":
            evs = sorted((who / "events").glob("*.yaml"))
            if evs:
                ev = rnd.choice(evs)
                ev.write_text(ev.read_text(encoding="utf-8") + f"# נערך ביד {step}\n", encoding="utf-8")
        elif op == "directory":
            z(who, "body", "add", f"גוף {step}", code=None)
        elif op == "kill":  # a treat killed at a random moment: written whole or not at all
            proc = subprocess.Popen([sys.executable, "-m", "zchuyot", "--root", str(who), "treat", i,
                                     f"נקטע {step}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rnd.uniform(0.05, 0.6))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait()
        else:
            z(rnd.choice([a, b, c]), "sync")
    for _ in range(2):
        for root in (a, b, c):
            z(root, "sync")
    heads = {subprocess.run(["git", "-C", str(r), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
             for r in (a, b, c)}
    assert len(heads) == 1
    for root in (a, b):
        for i in issues:
            data = json.loads(z(root, "show", i, "--json").stdout)
            logs = [e["text"] for e in data["log"]]
            for text in typed[i]:
                assert logs.count(text) == 1, (root.name, i, text)  # none lost, none doubled
            killed = [t for t in logs if t.startswith("נקטע")]
            assert len(killed) == len(set(killed)), (root.name, i, killed)
            got = sorted(r["ask"] for r in data["referrals"])
            assert got == sorted(asks[i]), (root.name, i, got, asks[i])
            assert len({r["id"] for r in data["referrals"]}) == len(data["referrals"])
            text = issue_path(root, i).read_text(encoding="utf-8")
            for comment in comments[i]:
                assert text.count(comment + "\n") == 1, (root.name, i, comment)
        shown = "".join(p.read_text(encoding="utf-8") for p in sorted((root / "events").glob("*.yaml")))
        for title in titles:
            assert shown.count(title) == 1, (root.name, title)
        assert z(root, "check").exit_code == 0
    # the trial did what it says
    assert sum(map(len, asks.values())) >= 3 and sum(map(len, comments.values())) >= 2 and titles
