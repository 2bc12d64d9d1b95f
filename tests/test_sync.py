"""Git-synced case folders: a bare remote, two or three clones driven through the CLI, offline edits."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from conftest import department, issue_path, run


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def z(root: Path, *args: str, code: int | None = 0, worker: str | None = None):
    extra = ["--worker", worker] if worker else []
    r = run("--root", str(root), *extra, *args)
    if code is not None:
        assert r.exit_code == code, (args, r.stdout, r.stderr)
    return r


@pytest.fixture
def dept(tmp_path: Path) -> dict[str, Path]:
    remote, (a, b) = department(tmp_path, ("a", "dana", "family"), ("b", "miri", "rights"))
    return {"remote": remote, "a": a, "b": b, "tmp": tmp_path}


def show(root: Path, issue_id: str) -> dict:
    return json.loads(z(root, "show", issue_id, "--json").stdout)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "cases").rglob("*")) if p.is_file()}


def converge(*clones: Path) -> None:
    for _ in range(2):
        for c in clones:
            z(c, "sync")


def new(root: Path, family: str = "f1", subject: str = "הנחה בארנונה", domain: str = "housing") -> str:
    return z(root, "new", "--family", family, "--subject", subject, "--domain", domain).stdout.strip()


def test_join_and_first_sync(dept: dict[str, Path]) -> None:
    a, b = dept["a"], dept["b"]
    i = new(a)
    r = z(a, "sync")
    assert i in r.stdout and "נשלח" in r.stdout
    r = z(b, "sync")
    assert "התקבלה סוגיה חדשה אחת" in r.stdout and i in r.stdout
    assert show(b, i)["subject"] == "הנחה בארנונה"
    # every clone has the merge driver and its own worker; the settings know both workers
    assert "merge-file" in git(b, "config", "merge.zchuyot.driver")
    assert "merge=zchuyot" in (b / ".gitattributes").read_text()
    r = z(b, "sync")
    assert "הכול מעודכן" in r.stdout


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_offline_edits_on_both_sides_of_one_issue(dept: dict[str, Path], order: str) -> None:
    a, b = dept["a"], dept["b"]
    i = new(a)
    z(a, "plan", i, "--action", "מכתב לוועדה", "--who", "worker", "--due", "+5")
    converge(a, b)
    # offline: both document, both plan (the same action number 2 for different actions), one closes
    z(a, "treat", i, "דנה: פגישה עם האם", "--kind", "meeting", "--date", "2026-11-20")
    z(a, "plan", i, "--action", "פנייה לבנק", "--who", "accompanied")
    z(a, "treat", i, "המכתב נשלח", "--kind", "letter", "--done", "1")
    z(b, "treat", i, "מירי: שיחה עם הוועדה", "--kind", "call", "--date", "2026-11-21")
    z(b, "plan", i, "--action", "בקשה לסיוע משפטי", "--who", "rights_worker")
    z(b, "close", i, "--referred", "הסיוע המשפטי")
    first, second = (a, b) if order == "ab" else (b, a)
    z(first, "sync")
    z(second, "sync")
    converge(a, b)
    for c in (a, b):
        d = show(c, i)
        texts = [e["text"] for e in d["log"]]
        for t in ("דנה: פגישה עם האם", "המכתב נשלח", "מירי: שיחה עם הוועדה", "הפניה לגורם אחר: הסיוע המשפטי"):
            assert t in texts, (c.name, texts)
        assert [e["date"] for e in d["log"]] == sorted(e["date"] for e in d["log"])
        whats = {a_["what"]: a_ for a_ in d["actions"]}
        assert set(whats) == {"מכתב לוועדה", "פנייה לבנק", "בקשה לסיוע משפטי"}
        assert sorted(x["id"] for x in d["actions"]) == [1, 2, 3]  # the colliding number was renumbered
        assert whats["מכתב לוועדה"]["done"] == "2026-11-23"
        assert d["status"] == "referred" and d["status_reason"] == "הסיוע המשפטי"
        assert z(c, "check").exit_code == 0
        assert "<<<<<<<" not in issue_path(c, i).read_text(encoding="utf-8")
    assert tree(a) == tree(b)
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD")


def test_conflicting_field_edits_keep_the_loser_in_the_log(dept: dict[str, Path]) -> None:
    a, b = dept["a"], dept["b"]
    i = new(a)
    converge(a, b)
    z(a, "collect", i, "--problem", "הבעיה לפי דנה")
    z(a, "treat", i, "x", "--date", "2026-11-20")
    z(b, "collect", i, "--problem", "הבעיה לפי מירי")
    z(b, "treat", i, "y", "--date", "2026-11-22")  # the later activity wins
    converge(a, b)
    d = show(a, i)
    assert d["problem"] == "הבעיה לפי מירי"
    assert any("הבעיה לפי דנה" in e["text"] and e["kind"] == "note" for e in d["log"])
    assert tree(a) == tree(b)


def test_three_clones_and_same_family_offline(dept: dict[str, Path]) -> None:
    a, b, tmp = dept["a"], dept["b"], dept["tmp"]
    c = tmp / "c"
    assert run("init", str(c), "--worker", "dana", "--remote", str(dept["remote"])).exit_code == 0  # dana's laptop
    ids = [new(a, "f7", "ארנונה"), new(b, "f7", "מעון", "education"), new(c, "f7", "חוב", "debts")]
    converge(a, b, c)
    for clone in (a, b, c):
        got = {x["id"] for x in json.loads(z(clone, "list", "--all-workers", "--json").stdout)}
        assert got == set(ids)
    assert tree(a) == tree(b) == tree(c)


def test_offline_then_back_online(dept: dict[str, Path]) -> None:
    a, b, remote = dept["a"], dept["b"], dept["remote"]
    hidden = remote.with_name("hidden.git")
    remote.rename(hidden)  # the server is unreachable (or renamed)
    i = new(a)
    r = z(a, "sync", code=1)
    assert "אין חיבור למאגר המחלקה" in r.stderr and "תישלח בסנכרון הבא" in r.stderr
    assert "Traceback" not in r.stderr
    assert git(a, "status", "--porcelain") == ""  # committed locally
    r = z(a, "sync", "--status")
    assert "עוד לא נשלח" in r.stdout and i in r.stdout
    hidden.rename(remote)
    r = z(a, "sync")
    assert i in r.stdout
    z(b, "sync")
    assert show(b, i)["id"] == i


def test_hand_edits_are_committed_and_a_broken_file_is_kept_back(dept: dict[str, Path]) -> None:
    a, b = dept["a"], dept["b"]
    good, bad = new(a), new(a, "f2")
    converge(a, b)
    p_good, p_bad = issue_path(a, good), issue_path(a, bad)
    p_good.write_text(p_good.read_text(encoding="utf-8").replace("insights:", "insights: נכתב ביד"),
                      encoding="utf-8")
    p_bad.write_text(p_bad.read_text(encoding="utf-8").replace("domain: housing", "domain: [oops"),
                     encoding="utf-8")
    r = z(a, "sync", code=1)
    assert good in r.stdout and f"{p_bad.name}:" in r.stderr
    z(b, "sync")
    assert show(b, good)["insights"] == "נכתב ביד"
    assert show(b, bad)["domain"] == "housing"  # the broken version never left
    assert "[oops" in p_bad.read_text(encoding="utf-8")  # ...and was not touched here


def test_stale_index_lock_and_interrupted_merge_are_recovered(dept: dict[str, Path]) -> None:
    a = dept["a"]
    i = new(a)
    lock = a / ".git" / "index.lock"
    lock.write_text("")
    old = time.time() - 3600
    os.utime(lock, (old, old))
    r = z(a, "sync")
    assert "נוקה" in r.stdout and i in r.stdout
    assert not lock.exists()


def test_same_id_made_twice_is_renumbered(dept: dict[str, Path]) -> None:
    a, b = dept["a"], dept["b"]
    i = new(a)
    # the same id made offline on another computer for another issue (forced here)
    other = b / "cases" / "dana" / "f9" / f"{i}.yaml"
    other.parent.mkdir(parents=True)
    other.write_text(issue_path(a, i).read_text(encoding="utf-8").replace("family: f1", "family: f9")
                     .replace("subject: הנחה בארנונה", "subject: חוב לבנק"), encoding="utf-8")
    z(b, "sync")
    r = z(a, "sync")
    assert "מזהה חדש" in r.stdout
    converge(a, b)
    items = json.loads(z(a, "list", "--all-workers", "--json").stdout)
    assert sorted(x["subject"] for x in items) == ["הנחה בארנונה", "חוב לבנק"]
    assert len({x["id"] for x in items}) == 2
    assert z(a, "check").exit_code == 0
    assert tree(a) == tree(b)


def test_sync_without_remote_and_without_git(tmp_path: Path) -> None:
    root = tmp_path / "solo"
    assert run("init", str(root), "--worker", "dana").exit_code == 0
    new(root)
    r = z(root, "sync", code=1)
    assert "אין מאגר מחלקה" in r.stderr
    import shutil

    shutil.rmtree(root / ".git")
    r = z(root, "sync", code=1)
    assert "אינה מאגר git" in r.stderr


def test_merge_file_driver_directly(tmp_path: Path) -> None:
    """The driver is symmetric: whichever side merges, the data is the same."""
    from zchuyot.case import yamlfast
    from zchuyot.workspace.merge import merge_texts

    base = (Path(__file__).parent.parent / "templates" / "case.yaml").read_text(encoding="utf-8")
    for key, value in (("id", "dana-aaaaa"), ("family", "f1"), ("opened", "2026-11-01"), ("subject", "x"),
                       ("domain", "debts")):
        base = base.replace(f"{key}:\n", f"{key}: {value}\n", 1)
    o = base.replace("log: []", "log:\n  - date: 2026-11-05\n    kind: call\n    text: א\n    by: dana").replace(
        "priority:\n", "priority: 1\n")
    t = base.replace("log: []", "log:\n  - date: 2026-11-04\n    kind: note\n    text: ב\n    by: miri").replace(
        "priority:\n", "priority: 2\n")
    import datetime as dt

    m1 = yamlfast.load(merge_texts(base, o, t, dt.date(2026, 11, 23)))[0]
    m2 = yamlfast.load(merge_texts(base, t, o, dt.date(2026, 11, 23)))[0]
    assert m1 == m2
    assert m1["priority"] == 1  # ours had the later log entry
    assert [e["text"] for e in m1["log"]][:2] == ["ב", "א"]
    # a side that is not YAML makes the driver fail (and sync abort), never a file with markers
    p = tmp_path / "x"
    for name, text in (("b", base), ("o", o), ("t", "id: [\n")):
        (p.parent / name).write_text(text, encoding="utf-8")
    r = run("merge-file", str(p.parent / "b"), str(p.parent / "o"), str(p.parent / "t"),
            "cases/dana/f1/dana-aaaaa.yaml")
    assert r.exit_code == 1 and (p.parent / "o").read_text(encoding="utf-8") == o


def test_a_log_entry_edited_by_hand_comes_back_once_with_a_correction(dept: dict[str, Path]) -> None:
    a, b = dept["a"], dept["b"]
    i = new(a)
    z(a, "--keep-personal-data", "treat", i, "שיחה עם האם, טלפון 050-1234567", "--date", "2026-11-20")
    converge(a, b)
    p = issue_path(a, i)  # dana fixes the phone in the file itself (not with `correct`)...
    p.write_text(p.read_text(encoding="utf-8").replace("050-1234567", "052-7654321"), encoding="utf-8")
    z(b, "treat", i, "מירי: בדקתי זכאות", "--date", "2026-11-22")  # ...while miri adds an entry
    converge(a, b)
    for c in (a, b):
        d = show(c, i)
        texts = [e["text"] for e in d["log"]]
        assert sum("050-1234567" in x for x in texts) == 1  # the original kept once (the audit trail)...
        assert not any("052-7654321" in x for x in texts if not x.startswith("תיקון"))  # ...never twice
        fix = next(e for e in d["log"] if e["kind"] == "correction")
        assert fix["fix_text"] == "שיחה עם האם, טלפון 052-7654321" and fix["was"] == "שיחה עם האם, טלפון 050-1234567"
        assert "מירי: בדקתי זכאות" in texts
        r = z(c, "show", i)  # every display reads the corrected text
        assert "052-7654321" in r.stdout and "(תוקן)" in r.stdout
        assert z(c, "check").exit_code == 0
    assert tree(a) == tree(b)


def test_merge_keeps_one_entry_whichever_side_edited(tmp_path: Path) -> None:
    import datetime as dt

    from zchuyot.case import yamlfast
    from zchuyot.case.rules import corrected
    from zchuyot.workspace.merge import merge_texts

    base = (Path(__file__).parent.parent / "templates" / "case.yaml").read_text(encoding="utf-8")
    for key, value in (("id", "dana-aaaaa"), ("family", "f1"), ("opened", "2026-11-01"), ("subject", "x"),
                       ("domain", "debts")):
        base = base.replace(f"{key}:\n", f"{key}: {value}\n", 1)
    base = base.replace("log: []", "log:\n  - date: 2026-11-05\n    kind: call\n    text: א\n    by: dana")
    edited = base.replace("text: א", "text: א מתוקן").replace("kind: call", "kind: visit")
    added = base.replace("    by: dana",
                         "    by: dana\n  - date: 2026-11-06\n    kind: note\n    text: ב\n    by: miri")
    m1 = yamlfast.load(merge_texts(base, edited, added, dt.date(2026, 11, 23)))[0]
    m2 = yamlfast.load(merge_texts(base, added, edited, dt.date(2026, 11, 23)))[0]
    assert m1 == m2
    assert [e["text"] for e in m1["log"][:2]] == ["א", "ב"]
    fix = m1["log"][2]
    assert (fix["kind"], fix["corrects"], fix["fix_text"], fix["fix_kind"]) == ("correction", 1, "א מתוקן", "visit")

    class E:
        def __init__(self, d: dict) -> None:
            self.__dict__.update(d)

    read = corrected([E(e) for e in m1["log"]])
    assert [(e.text, e.kind) for e in read] == [("א מתוקן", "visit"), ("ב", "note")]


@pytest.mark.parametrize("how", ["init", "by_hand"])
def test_an_existing_workspace_joins_the_department(dept: dict[str, Path], how: str) -> None:
    a, remote, tmp = dept["a"], dept["remote"], dept["tmp"]
    z(a, "worker", "add", "noa", "--role", "student")
    theirs = new(a, "f1", "הנחה בארנונה")
    z(a, "treat", theirs, "שיחה ראשונה", "--date", "2026-11-20")
    z(a, "sync")
    # yael worked alone for weeks: her own workspace, her own history, one id the department also has
    c = tmp / "c"
    assert run("init", str(c), "--worker", "yael", "--role", "rights", "--department", "לבד").exit_code == 0
    mine = z(c, "new", "--family", "f8", "--subject", "חוב לחברת החשמל", "--domain", "debts",
             worker="yael").stdout.strip()
    z(c, "family", "add", "f8", "--name", "משפחת כ׳הן", worker="yael")
    twin = c / "cases" / "dana" / "f1" / f"{theirs}.yaml"  # the same id, another issue (a copy that diverged)
    twin.parent.mkdir(parents=True)
    twin.write_text(issue_path(a, theirs).read_text(encoding="utf-8").replace("הנחה בארנונה", "קצבת ילדים"),
                    encoding="utf-8")
    z(c, "sync", code=1, worker="yael")  # commits; no department yet
    history = git(c, "rev-parse", "HEAD").strip()
    # the department signs (issue 23): its admin lists her; her joining sends her keys as a request, her
    # work waits until the admin approved them
    z(a, "worker", "add", "yael", "--role", "rights")
    z(a, "sync")
    if how == "init":
        r = z(c, "init", "--remote", str(remote), code=1, worker="yael")
    else:  # the remote added by hand: sync joins the same way (it used to stop at "no merge base")
        git(c, "remote", "add", "origin", str(remote))
        r = z(c, "sync", code=1, worker="yael")
    assert "ממתינה לאישור" in r.stderr and "SHA256:" in r.stderr
    assert git(c, "rev-parse", "HEAD").strip() == history  # her work untouched while she waits
    z(a, "sync")
    z(a, "worker", "approve", "yael")
    z(a, "sync")
    r = z(c, "sync", worker="yael")
    assert "הצטרפה" in r.stdout
    # her work kept (one commit of hers on the department's branch), her own history kept beside it
    assert git(c, "rev-parse", "refs/zchuyot/before-join").strip() == history
    assert git(c, "merge-base", "--is-ancestor", git(a, "rev-parse", "HEAD").strip(), "HEAD") == ""
    ids = {x["id"]: x for x in json.loads(z(c, "list", "--all-workers", "--json", worker="yael").stdout)}
    assert mine in ids and theirs in ids and ids[theirs]["subject"] == "הנחה בארנונה"
    renamed = [i for i, x in ids.items() if x["subject"] == "קצבת ילדים"]
    assert len(renamed) == 1 and renamed[0] != theirs  # the colliding id renumbered, nothing overwritten
    # the department's settings, with her listed by its admin; the department's workers kept
    settings = (c / ".zchuyot.yaml").read_text(encoding="utf-8")
    assert "לבד" not in settings and "yael" in settings and "noa" in settings
    z(a, "sync")
    assert {x["id"] for x in json.loads(z(a, "list", "--all-workers", "--json").stdout)} == set(ids)
    assert "yael" in (a / ".zchuyot.yaml").read_text(encoding="utf-8")
    assert z(a, "check").exit_code == 0 and z(c, "check", worker="yael").exit_code == 0
    assert "אומתה" in z(a, "verify").stdout and "אומתה" in z(c, "verify", worker="yael").stdout
    assert tree(a) == tree(c)


def test_joining_another_departments_repository_is_refused(dept: dict[str, Path]) -> None:
    a, tmp = dept["a"], dept["tmp"]
    other = tmp / "other.git"
    subprocess.run(["git", "init", "-q", "--bare", str(other)], check=True)
    before = git(a, "remote", "get-url", "origin")
    r = z(a, "init", "--remote", str(other), code=1)
    assert "מאגר אחר" in r.stderr and "Traceback" not in r.stderr
    assert git(a, "remote", "get-url", "origin") == before


def test_hand_comments_of_both_sides_survive_the_merge(dept: dict[str, Path]) -> None:
    """Issue 25, finding 2: comments typed by hand into an issue file on both clones (offline, each with
    its own edit) are all kept, each where it stood, in both clones; the file still reads and checks."""
    a, b = dept["a"], dept["b"]
    i = z(a, "new", "--family", "f1", "--subject", "ארנונה", "--domain", "housing").stdout.split()[-1]
    z(a, "sync")
    z(b, "sync")

    def comment(root: Path, before: str, text: str, end_of: str | None = None) -> None:
        p = issue_path(root, i)
        lines = p.read_text(encoding="utf-8").splitlines()
        k = next(n for n, ln in enumerate(lines) if ln.startswith(before))
        lines.insert(k, f"# {text}")
        if end_of:
            m = next(n for n, ln in enumerate(lines) if ln.startswith(end_of))
            lines[m] += "  # " + text + " (בסוף השורה)"
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")

    comment(a, "subject:", "הערה של דנה")
    z(a, "treat", i, "שיחה של דנה")
    comment(b, "domain:", "הערה של מירי", end_of="family:")
    z(b, "treat", i, "שיחה של מירי")
    z(a, "sync")
    z(b, "sync")
    z(a, "sync")
    for root in (a, b):
        text = issue_path(root, i).read_text(encoding="utf-8")
        assert "# הערה של דנה\nsubject:" in text, text
        assert "# הערה של מירי\ndomain:" in text, text
        assert "# הערה של מירי (בסוף השורה)" in text
        logs = [e["text"] for e in show(root, i)["log"]]
        assert "שיחה של דנה" in logs and "שיחה של מירי" in logs
        assert z(root, "check").exit_code == 0


def test_hand_edits_of_the_departments_other_files_are_validated_as_what_they_are(dept: dict[str, Path]) -> None:
    """Issue 25, finding 3: a hand edit of an event, the directory or the settings is committed and sent by
    sync (not judged as an issue file); a broken one is kept back with its line, and `check` says the same."""
    a, b = dept["a"], dept["b"]
    z(a, "event", "add", "--kind", "workshop", "--title", "סדנה", "--date", "2026-11-10", code=None)
    events = sorted((a / "events").glob("*.yaml"))
    assert events, "event add wrote nothing"
    ev = events[0]
    ev.write_text(ev.read_text(encoding="utf-8") + "# נכתב ביד\n", encoding="utf-8")
    bodies = a / "directory" / "bodies.yaml"
    bodies.write_text(bodies.read_text(encoding="utf-8") + "- key: hand_body\n  name: גוף שנוסף ביד\n",
                      encoding="utf-8")
    assert z(a, "check").exit_code == 0
    r = z(a, "sync")
    assert "opened" not in r.stdout + r.stderr
    z(b, "sync")
    assert "# נכתב ביד" in (b / "events" / ev.name).read_text(encoding="utf-8")
    assert "hand_body" in (b / "directory" / "bodies.yaml").read_text(encoding="utf-8")
    # broken: a key twice in an event — sync keeps it back naming its line, and check agrees
    ev.write_text(ev.read_text(encoding="utf-8") + "title: שוב\n", encoding="utf-8")
    r = z(a, "sync", code=1)
    said = r.stdout + r.stderr
    assert f"events/{ev.name}:" in said and "title" in said, said
    c = z(a, "check", code=1)
    assert f"events/{ev.name}:" in c.stdout


def test_sync_says_what_it_sent_and_received_by_kind(dept: dict[str, Path]) -> None:
    """Issue 25, finding 10: a waiver, a family, a new worker, settings — each said by kind with its count,
    and "nothing" only when nothing moved (checked on the remote)."""
    a, b = dept["a"], dept["b"]
    z(a, "sync")
    z(b, "sync")
    assert "אין מה לשלוח" in z(a, "sync").stdout
    z(a, "family", "add", "f1", "--name", "משפחה בדויה")
    z(a, "partner", "add", "vol", "--name", "מתנדבת", "--kind", "volunteer")
    r = z(a, "sync")
    assert "רשומת משפחה אחת" in r.stdout and "קובץ אלפון אחד" in r.stdout and "אין מה" not in r.stdout, r.stdout
    r = z(b, "sync")
    assert "התקבלו מהמאגר" in r.stdout and "רשומת משפחה אחת" in r.stdout, r.stdout
    z(a, "worker", "add", "rina", "--role", "rights")
    r = z(a, "sync")
    assert "ההגדרות" in r.stdout and "אין מה" not in r.stdout, r.stdout
    assert "אין מה לשלוח" in z(a, "sync").stdout
