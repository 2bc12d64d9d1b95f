"""zchuyot check and every loader: hostile and broken files give FILE:LINE and a fix, never a crash."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import issue_path, new_issue, run

HOSTILE = {
    "tab": ("id: {id}\nfamily: f1\n\tsubject: x\n", 3, "טאב"),
    "duplicate": ("id: {id}\nfamily: f1\nsubject: a\nsubject: b\n", 4, "פעמיים"),
    "python_tag": ("id: {id}\nfamily: f1\nsubject: !!python/object/apply:os.system ['touch /tmp/zchuyot-pwned']\n",
                   3, "תגית"),
    "custom_tag": ("id: {id}\nfamily: f1\nsubject: !secret x\n", 3, "תגית"),
    "alias": ("id: {id}\nfamily: f1\nsubject: &s x\nx: &l [1]\ny: *l\n", 3, "כינויים"),
    "syntax": ("id: {id}\nfamily: f1\nsubject: [unclosed\n", 4, "תחביר"),
    "bad_date": ("id: {id}\nfamily: f1\nopened: 2026-02-30\n", 3, "אינו קיים"),
    "not_mapping": ("- just\n- a list\n", 1, "מיפוי"),
    "markers": ("id: {id}\n<<<<<<< HEAD\nsubject: a\n=======\nsubject: b\n>>>>>>> other\n", 2, "קונפליקט"),
    "missing_fields": ("id: {id}\nfamily: f1\n", 1, "חובה"),
    # a missing field is pointed at the near-miss key beside it, else at the first key — never a comment
    "misspelt_key": ("# טופס תיעוד\nid: {id}\nfamily: f1\nopened: 2026-01-01\ndomain: housing\nsubjekt: x\n",
                     6, "שגיאת הקלדה"),
    "missing_after_comment": ("# טופס תיעוד\n# שדות חובה\nid: {id}\nfamily: f1\n", 3, "חובה"),
    "wrong_choice": ("id: {id}\nfamily: f1\nopened: 2026-01-01\nsubject: x\ndomain: housing\nstatus: closed\n",
                     6, "closed"),
    "stopped_no_reason": ("id: {id}\nfamily: f1\nopened: 2026-01-01\nsubject: x\ndomain: housing\n"
                          "status: stopped\n", 6, "מדוע"),
    "other_no_what": ("id: {id}\nfamily: f1\nopened: 2026-01-01\nsubject: x\ndomain: other\n", 5, "domain_other"),
    "id_mismatch": ("id: dana-aaaaa\nfamily: f1\nopened: 2026-01-01\nsubject: x\ndomain: housing\n", 1, "אינו תואם"),
    "family_mismatch": ("id: {id}\nfamily: f9\nopened: 2026-01-01\nsubject: x\ndomain: housing\n", 2, "לתיקייה"),
    "bad_log_date": ("id: {id}\nfamily: f1\nopened: 2026-01-01\nsubject: x\ndomain: housing\nlog:\n"
                     "  - date: yesterday-ish\n    text: x\n", 7, "תאריך"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_reported_with_line(ws: Path, name: str) -> None:
    good = new_issue(ws)
    content, line, needle = HOSTILE[name]
    bad_id = "dana-bbbbb"
    p = ws / "cases" / "dana" / "f1" / f"{bad_id}.yaml"
    p.write_text(content.format(id=bad_id), encoding="utf-8")
    r = run("--root", str(ws), "check")
    assert r.exit_code == 1
    assert f"cases/dana/f1/{bad_id}.yaml:{line}:" in r.stdout, r.stdout
    assert needle in r.stdout
    assert "מה לעשות" in r.stdout  # the fix
    assert "Traceback" not in r.stdout + r.stderr
    r = run("--root", str(ws), "check", "--json")
    data = json.loads(r.stdout)
    assert any(e["file"] == f"cases/dana/f1/{bad_id}.yaml" and e["line"] == line for e in data["errors"])
    # the broken file never hides the good one
    r = run("--root", str(ws), "list", "--json")
    assert r.exit_code == 0
    assert [x["id"] for x in json.loads(r.stdout)] == [good]
    r = run("--root", str(ws), "list")
    assert good in r.stdout and f"{bad_id}.yaml" in r.stdout
    assert not Path("/tmp/zchuyot-pwned").exists()


def test_alias_bomb_fails_fast(ws: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 30):
        prev = f"*a{n-1}"
        lines.append(f"a{n}: &a{n} [{', '.join([prev] * 10)}]")
    p = ws / "cases" / "dana" / "f1" / "dana-ccccc.yaml"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    t0 = time.perf_counter()
    r = run("--root", str(ws), "check", "--json")
    elapsed = time.perf_counter() - t0
    assert r.exit_code == 1
    assert json.loads(r.stdout)["errors"][0]["line"] == 1
    assert elapsed < 30  # sanity only: an expanded bomb would never finish


def test_oversized_and_binary_files(ws: Path) -> None:
    d = ws / "cases" / "dana" / "f1"
    d.mkdir(parents=True, exist_ok=True)
    (d / "dana-ddddd.yaml").write_bytes(b"subject: " + b"x" * 4_100_000 + b"\n")
    (d / "dana-eeeee.yaml").write_bytes(b"subject: \xff\xfe bad\n")
    r = run("--root", str(ws), "check", "--json")
    errs = {e["file"].rsplit("/", 1)[1]: e for e in json.loads(r.stdout)["errors"]}
    assert "גדול מדי" in errs["dana-ddddd.yaml"]["message"]
    assert "UTF-8" in errs["dana-eeeee.yaml"]["message"]


def test_unknown_keys_are_warnings_with_suggestion(ws: Path) -> None:
    i = new_issue(ws, "--body", "עירייה||")
    p = issue_path(ws, i)
    p.write_text(p.read_text(encoding="utf-8") + "subjcet: x\n", encoding="utf-8")
    text = p.read_text(encoding="utf-8").replace("    contact:", "    contcat:")
    p.write_text(text, encoding="utf-8")
    r = run("--root", str(ws), "check", "--json")
    assert r.exit_code == 0  # warnings only
    msgs = [w["message"] for w in json.loads(r.stdout)["warnings"]]
    assert any("'subjcet'" in m and "'subject'" in m for m in msgs)
    assert any("bodies.contcat" in m and "'contact'" in m for m in msgs)
    r = run("--root", str(ws), "--lang", "en", "check")
    assert "did you mean 'subject'?" in r.stdout


def test_broken_family_file_and_stray_files(ws: Path) -> None:
    new_issue(ws)
    (ws / "cases" / "dana" / "f1" / "family.yaml").write_text("code: f1\nid_number: '123456789'\n", encoding="utf-8")
    (ws / "cases" / "dana" / "notes.txt").write_text("x", encoding="utf-8")
    r = run("--root", str(ws), "check", "--json")
    data = json.loads(r.stdout)
    assert r.exit_code == 1
    assert any(e["file"].endswith("family.yaml") and e["line"] == 2 for e in data["errors"])
    assert "123456789" not in r.stdout  # never echo an ID number
    assert any(w["file"] == "cases/dana/notes.txt" for w in data["warnings"])


def test_check_clean_workspace(ws: Path) -> None:
    assert run("--root", str(ws), "family", "add", "f1", "--name", "משפחת בדיקה").exit_code == 0
    new_issue(ws)
    r = run("--root", str(ws), "check")
    assert r.exit_code == 0
    assert "הכול תקין" in r.stdout
    assert json.loads(run("--root", str(ws), "check", "--json").stdout) == {"errors": [], "warnings": []}


def test_show_of_a_broken_issue(ws: Path) -> None:
    i = new_issue(ws)
    p = issue_path(ws, i)
    p.write_text(p.read_text(encoding="utf-8").replace("domain: housing", "domain: housng"), encoding="utf-8")
    r = run("--root", str(ws), "show", i)
    assert r.exit_code == 1
    assert f"{p.name}:" in r.stderr and "housing (דיור)" in r.stderr


def test_check_points_at_the_column(ws: Path) -> None:
    i = new_issue(ws)
    p = issue_path(ws, i)
    text = p.read_text(encoding="utf-8").replace("domain: housing", "domain: housng")
    p.write_text(text, encoding="utf-8")
    line = text.splitlines().index("domain: housng") + 1
    r = run("--root", str(ws), "check")
    assert f"{p.name}:{line}:9: שגיאה" in r.stdout
    assert "        ^" in r.stdout  # under the value
    e = json.loads(run("--root", str(ws), "check", "--json").stdout)["errors"][0]
    assert (e["line"], e["column"]) == (line, 9)


def test_a_broken_settings_file_is_named_as_the_settings(ws: Path) -> None:
    cfg = ws / ".zchuyot.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "stale_after: 9\n", encoding="utf-8")
    r = run("--root", str(ws), "followup")
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "קובץ ההגדרות .zchuyot.yaml:" in lines[0] and "stale_after" in lines[0] and "סוגיה" not in lines[0]
    assert ".." not in lines[0]


def test_dates_in_the_future_are_warnings_with_their_lines_cached_or_not(ws: Path) -> None:
    a = new_issue(ws)
    run("--root", str(ws), "treat", a, "שיחה", "--kind", "call")
    path = issue_path(ws, a)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("opened: 2026-11-23", "opened: 2027-01-05")
                    .replace("- date: 2026-11-23", "- date: 2026-12-31"), encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    outs = [run("--root", str(ws), *extra, "check", "--json") for extra in ((), (), ("--no-cache",))]
    assert len({r.stdout for r in outs}) == 1  # cold, warm and without the cache: the same answer
    warnings = [w for w in json.loads(outs[0].stdout)["warnings"] if "עוד לא הגיע" in w["message"]]
    assert [w["line"] for w in warnings] == [lines.index("opened: 2027-01-05") + 1,
                                              lines.index("  - date: 2026-12-31") + 1]
    assert all(r.exit_code == 0 for r in outs)  # warnings only: the issue still counts
    ids = [x["id"] for x in json.loads(run("--root", str(ws), "list", "--json").stdout)]
    assert ids == [a]
