"""The repository root is a demo workspace: read commands work there with no worker configured."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO, run, zchuyot_subprocess


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of the repository's demo workspace (settings, cases, templates): the checkout is never
    written — no index cache, no access-log line left behind."""
    root = tmp_path / "demo"
    root.mkdir()
    shutil.copy2(REPO / ".zchuyot.yaml", root / ".zchuyot.yaml")
    shutil.copytree(REPO / "cases", root / "cases")
    for folder in ("templates", "directory"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, root / folder)
    return root


def test_demo_workspace_reads_without_a_worker(demo: Path) -> None:
    r = run("list", "--json", cwd=demo)
    assert r.exit_code == 0, r.stderr
    items = json.loads(r.stdout)
    families = {x["family"] for x in items}
    assert len(families) >= 3 and len(items) >= 6
    subjects = " ".join(x["subject"] for x in items)
    for word in ("ארנונה", "הוצאה לפועל", "הסעה", "הבטחת הכנסה", "דיור הציבורי", "מעון"):
        assert word in subjects, word
    r = run("list", cwd=demo)
    assert r.exit_code == 0 and "ארנונה" in r.stdout
    r = run("show", items[0]["id"], cwd=demo)
    assert r.exit_code == 0 and "שמונת השלבים" in r.stdout
    r = run("check", cwd=demo)
    assert r.exit_code == 0, r.stdout


def test_demo_needs_a_worker_to_write(demo: Path) -> None:
    r = run("new", "--family", "f101", "--subject", "x", "--domain", "debts", cwd=demo)
    assert r.exit_code == 1
    assert "ZCHUYOT_WORKER" in r.stderr


def test_demo_issue_files_carry_no_personal_data() -> None:
    names, phones = set(), set()
    for fam in (REPO / "cases").glob("*/*/family.yaml"):
        text = fam.read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.startswith("name:"):
                names.update(w for w in line[5:].split() if len(w) > 2 and "(" not in w)
            if line.startswith("phone:"):
                phones.add(line[6:].strip().strip("'\""))
    assert names and phones
    for issue in (REPO / "cases").glob("*/*/*.yaml"):
        if issue.name == "family.yaml":
            continue
        text = issue.read_text(encoding="utf-8")
        for pii in names | phones:
            assert pii not in text, (issue.name, pii)


def test_demo_morning_screen_is_meaningful(demo: Path) -> None:
    """The README's first command: the demo's followup on its fixed date shows every kind of work."""
    r = run("followup", cwd=demo)  # ZCHUYOT_TODAY=2026-11-23 (the fixture), no worker: all workers
    assert r.exit_code == 0, r.stderr
    for text in ("מעקב יומי – יום שני, 23/11/2026", "מועד חוקי מתקרב", "בלי פנייה לקומה מעל", "פעולה באיחור",
                 "הגיע מועד המעקב", "ימי עבודה"):
        assert text in r.stdout, text
    data = json.loads(run("followup", "--json", cwd=demo).stdout)
    assert data["items"][0]["reasons"][0]["code"] == "deadline_near"
    assert data["errors"] == []
    rep = json.loads(run("report", "--json", cwd=demo).stdout)
    assert rep["benefits"]["yearly_total"] == rep["benefits"]["one_off_total"] + 12 * rep["benefits"]["monthly_total"]
    pol = json.loads(run("policy", "--json", cwd=demo).stdout)
    assert pol["barriers"] and len(pol["flagged"]) == 2
    # the network: a volunteer and a legal clinic, a referral with feedback, one past due, an expiring waiver
    codes = {r["code"] for x in data["items"] for r in x["reasons"]}
    assert {"referral_due", "feedback_new", "waiver_expiring"} <= codes
    assert {p["kind"] for p in json.loads(run("partner", "list", "--json", cwd=demo).stdout)} == {"volunteer", "clinic"}
    sara = json.loads(run("--worker", "sara", "followup", "--json", cwd=demo).stdout)["items"]
    assert [r["code"] for x in sara for r in x["reasons"]] == ["referral_open"]
    assert rep["referrals"]["count"] == 2 and rep["referrals"]["with_feedback"] == 1
    assert "הפניה באיחור: שרה" in r.stdout and "משוב חדש משותף" in r.stdout


def test_export_is_every_issue_file_as_json_in_id_order(demo: Path) -> None:
    """Issue 13: export's bytes (streamed from the index cache as it holds each issue) against a reference that
    is not zchuyot's code: every issue file read by PyYAML, dates as YYYY-MM-DD, sorted by id, dumped at once
    by the standard library — with the cache warm, without it, and after a hand edit the cache has not seen."""
    import datetime as dt

    import yaml

    def reference() -> str:
        def conv(v: object) -> object:
            if isinstance(v, dt.date):
                return v.isoformat()
            if isinstance(v, dict):
                return {k: conv(x) for k, x in v.items()}
            if isinstance(v, list):
                return [conv(x) for x in v]
            return v

        items = [conv(yaml.safe_load(p.read_text(encoding="utf-8")))
                 for p in (demo / "cases").glob("*/*/*.yaml") if p.name != "family.yaml"]
        items.sort(key=lambda d: d["id"])  # type: ignore[index]
        return json.dumps(items, ensure_ascii=False) + "\n"

    def export(*extra: str) -> str:
        p = zchuyot_subprocess(*extra, "export", cwd=demo)
        assert p.returncode == 0 and p.stderr == "", p.stderr
        return p.stdout

    first = export()
    assert first == reference()
    assert export() == first  # warm: the cache's texts
    assert export("--no-cache") == first
    issue = next(p for p in (demo / "cases").glob("*/*/*.yaml") if p.name != "family.yaml")
    issue.write_text(issue.read_text(encoding="utf-8").replace("subject: ", "subject: (נערך ביד) ", 1),
                     encoding="utf-8")
    assert "(נערך ביד)" in export() and export() == reference()


def test_the_readmes_console_samples_are_what_zchuyot_prints() -> None:
    """Issue 27: every console sample the README marks as a real run (the tour, in a new workspace; the demo's
    screens) is run through the installed zchuyot and compared with what the README shows (ids mapped,
    hashes and fingerprints by shape). When this fails: `python scripts/readme_samples.py --write`."""
    import subprocess
    import sys

    from conftest import REPO

    if not shutil.which("zchuyot"):
        pytest.skip("the zchuyot console script is not installed (pip install -e .)")
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "readme_samples.py")], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr
    assert "sample commands match" in r.stdout


def test_the_readmes_walk_at_the_desk_is_the_real_one() -> None:
    """Issue 27: the README's tour at the desk — intake to closing with no flag typed — is run in a real
    pseudo-terminal and must read exactly as the README shows it. When this fails:
    `python scripts/readme_walk.py --write`."""
    import subprocess
    import sys

    from conftest import REPO

    if not shutil.which("zchuyot") or sys.platform == "win32":
        pytest.skip("needs the installed zchuyot and a pseudo-terminal")
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "readme_walk.py")], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr
