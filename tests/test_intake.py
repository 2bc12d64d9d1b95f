"""init, new, family add: the workspace and intake, through the real CLI with real git."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from conftest import git_log, git_status, issue_path, new_issue, run
from ruamel.yaml import YAML

from zchuyot.case.form import ID_RE


def load(p: Path):
    return YAML(typ="safe").load(p.read_text(encoding="utf-8"))


def test_init_creates_workspace(ws: Path) -> None:
    assert (ws / ".zchuyot.yaml").is_file()
    assert (ws / ".git").is_dir()
    assert load(ws / ".zchuyot" / "local.yaml")["worker"] == "dana"
    settings = load(ws / ".zchuyot.yaml")
    assert settings["department"] == "מחלקה לדוגמה"
    assert settings["stale_after"] == 5 and settings["refusal_grace"] == 3 and settings["deadline_warning"] == 14
    dana = settings["workers"]["dana"]  # the department's first admin, her keys bound (issue 23)
    assert {k: dana[k] for k in ("name", "role", "admin")} == {"name": "דנה", "role": "family", "admin": True}
    assert dana["age"].startswith("age1") and dana["signing"].startswith("ssh-ed25519 ")
    assert settings["encryption"] is False  # the fixture's department turned it off (a new one has it on)
    assert ".zchuyot/" in (ws / ".gitignore").read_text()
    assert "merge=zchuyot" in (ws / ".gitattributes").read_text()
    assert git_log(ws)[-1] == "zchuyot init: workspace settings"  # then the fixture's `worker add`s
    assert git_status(ws) == ""


def test_init_twice_is_refused(ws: Path) -> None:
    r = run("init", str(ws), "--worker", "dana")
    assert r.exit_code == 1
    assert "כבר קיימת" in r.stderr


def test_init_needs_a_worker(tmp_path: Path) -> None:
    r = run("init", str(tmp_path / "x"))
    assert r.exit_code == 2
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("bad", ["..", "../x", "Dana", "a b", "דנה", "-x", "a/b", "x" * 40])
def test_init_refuses_bad_worker_codes(tmp_path: Path, bad: str) -> None:
    r = run("init", str(tmp_path / "w"), "--worker", bad)
    assert r.exit_code == 1
    assert "אינו קוד תקין" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "w" / ".zchuyot.yaml").exists()


def test_new_with_flags_writes_the_form(ws: Path) -> None:
    r = run("--root", str(ws), "new", "--family", "f102", "--subject", "הנחה בארנונה לאם יחידנית",
            "--domain", "housing", "--description", "שלושה ילדים; החוב לעירייה גדל – ₪2,400 (עד היום)",
            "--body", "עירייה – ועדת הנחות|רינה|08-6463000", "--body", "ביטוח לאומי",
            "--need", "לא מצליחה לשלם ארנונה", "--right", "הנחה בארנונה", "--priority", "1", "--urgency", "now")
    assert r.exit_code == 0, r.stderr
    issue_id = r.stdout.strip()
    assert ID_RE.match(issue_id) and issue_id.startswith("dana-")
    path = ws / "cases" / "dana" / "f102" / f"{issue_id}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\\u" not in text  # Hebrew stays Hebrew
    assert "# נושא הפניה" in text and "# תיעוד הטיפול" in text  # the form's labels as comments
    data = load(path)
    assert data["id"] == issue_id and data["family"] == "f102"
    assert str(data["opened"]) == "2026-11-23"
    assert data["subject"] == "הנחה בארנונה לאם יחידנית"
    assert data["worker"] == {"name": "דנה", "role": "family"}
    assert data["domain"] == "housing"
    assert data["description"] == "שלושה ילדים; החוב לעירייה גדל – ₪2,400 (עד היום)"
    assert data["bodies"] == [
        {"org": "עירייה – ועדת הנחות", "contact": "רינה", "details": "08-6463000"},
        {"org": "ביטוח לאומי", "contact": None, "details": None},
    ]
    assert data["priority"] == 1 and data["urgency"] == "now" and data["status"] == "open"
    # the form's fields are present even when empty; keys in the documented order
    from zchuyot.case.form import ISSUE_KEYS as FIELD_KEYS

    assert list(data) == list(FIELD_KEYS)
    assert data["insights"] is None and data["log"] == []
    assert git_log(ws)[0] == f"zchuyot new: {issue_id}"
    assert git_status(ws) == ""


def test_new_file_and_folder_permissions(ws: Path) -> None:
    old = os.umask(0o000)
    try:
        issue_id = new_issue(ws)
    finally:
        os.umask(old)
    path = issue_path(ws, issue_id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((ws / "cases").stat().st_mode) == 0o700


def test_domain_by_hebrew_name_and_other(ws: Path) -> None:
    i1 = new_issue(ws, domain="ביטוח לאומי")
    assert load(issue_path(ws, i1))["domain"] == "national_insurance"
    r = run("--root", str(ws), "new", "--family", "f1", "--subject", "חשבון חשמל", "--domain", "other",
            "--domain-other", "הנחה בחשבון החשמל")
    assert r.exit_code == 0, r.stderr
    data = load(issue_path(ws, r.stdout.strip()))
    assert data["domain"] == "other" and data["domain_other"] == "הנחה בחשבון החשמל"


def test_ids_are_unique_and_short_form_works(ws: Path) -> None:
    ids = {new_issue(ws) for _ in range(15)}
    assert len(ids) == 15
    one = sorted(ids)[0]
    short = one.split("-", 1)[1]
    r = run("--root", str(ws), "show", short, "--json")
    assert r.exit_code == 0, r.stderr
    import json

    assert json.loads(r.stdout)["id"] == one
    r = run("--root", str(ws), "show", one.upper(), "--json")  # typed in capitals
    assert r.exit_code == 0


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in (root / "cases").rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--family", "f1", "--subject", "x", "--domain", "housng"], "housing (דיור)"),
        (["--family", "f1", "--subject", "x", "--domain", "other"], "--domain-other"),
        (["--family", "f1", "--subject", "   ", "--domain", "housing"], "נושא הפניה"),
        (["--family", "f1", "--domain", "housing"], "--subject"),
        (["--subject", "x", "--domain", "housing"], "--family"),
        (["--family", "f1", "--subject", "x"], "--domain"),
        (["--family", "../etc", "--subject", "x", "--domain", "housing"], "אינו קוד תקין"),
        (["--family", "a/b", "--subject", "x", "--domain", "housing"], "אינו קוד תקין"),
        (["--family", "F 1", "--subject", "x", "--domain", "housing"], "אינו קוד תקין"),
        (["--family", "f1", "--subject", "x", "--domain", "housing", "--date", "31/02/2026"], "אינו תאריך תקין"),
        (["--family", "f1", "--subject", "x", "--domain", "housing", "--date", "2026-13-01"], "אינו תאריך תקין"),
        (["--family", "f1", "--subject", "x", "--domain", "housing", "--date", "מחרתיים"], "אינו תאריך תקין"),
        (["--family", "f1", "--subject", "x", "--domain", "housing", "--date", "+3"], "עוד לא הגיע"),
        (["--family", "f1", "--subject", "x", "--domain", "housing", "--priority", "0"], "סדר עדיפות"),
        (["--family", "f1", "--subject", "x", "--domain", "housing", "--urgency", "soon"], "now"),
        (["--family", "f1", "--subject", "x", "--domain", "housing", "--body", "|רינה|050"], "ארגון|איש קשר|פרטים"),
        (["--family", "f1", "--subject", "x", "--domain", "housing", "--body", "a|b|c|d"], "ארגון|איש קשר|פרטים"),
    ],
)
def test_new_bad_input(ws: Path, args: list[str], needle: str) -> None:
    before = files_under(ws)
    log_before = git_log(ws)
    r = run("--root", str(ws), "new", *args)
    assert r.exit_code == 1, (r.stdout, r.stderr)
    assert needle in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1  # one clear line
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert files_under(ws) == before  # nothing written
    assert git_log(ws) == log_before


def test_new_bad_input_in_english(ws: Path) -> None:
    r = run("--root", str(ws), "--lang", "en", "new", "--family", "f1", "--subject", "x", "--domain", "nope")
    assert r.exit_code == 1
    assert "is not a known value for --domain" in r.stderr and "housing (Housing)" in r.stderr


def test_usage_errors_exit_2(ws: Path) -> None:
    assert run("--root", str(ws), "new", "--priority", "abc").exit_code == 2
    assert run("--root", str(ws), "--lang", "fr", "list").exit_code == 2
    assert run("--root", str(ws), "--bidi", "sideways", "list").exit_code == 2
    assert run("--root", str(ws), "nosuchcommand").exit_code == 2


def test_write_commands_need_a_worker(ws: Path) -> None:
    (ws / ".zchuyot" / "local.yaml").unlink()
    r = run("--root", str(ws), "new", "--family", "f1", "--subject", "x", "--domain", "housing")
    assert r.exit_code == 1
    assert "לא הוגדרה עובדת" in r.stderr
    # ...and the env var or the flag sets one
    r = run("--root", str(ws), "new", "--family", "f1", "--subject", "x", "--domain", "housing",
            env={"ZCHUYOT_WORKER": "noa"})
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("noa-")
    r = run("--root", str(ws), "new", "--family", "f1", "--subject", "x", "--domain", "housing", "--worker", "miri")
    assert r.stdout.startswith("miri-")
    assert (ws / "cases" / "miri" / "f1").is_dir()


def test_no_workspace_found(tmp_path: Path) -> None:
    r = run("list", cwd=tmp_path)
    assert r.exit_code == 1
    assert "zchuyot init" in r.stderr
    r = run("--root", str(tmp_path), "list")
    assert r.exit_code == 1 and ".zchuyot.yaml" in r.stderr


def test_workspace_found_from_a_subfolder_and_by_env(ws: Path, tmp_path: Path) -> None:
    new_issue(ws)
    r = run("list", "--json", cwd=ws / "cases")
    assert r.exit_code == 0 and len(__import__("json").loads(r.stdout)) == 1
    r = run("list", "--json", cwd=tmp_path, env={"ZCHUYOT_ROOT": str(ws)})
    assert r.exit_code == 0 and len(__import__("json").loads(r.stdout)) == 1


# ------------------------------------------------------------------ family record (PII)
def test_family_add_keeps_pii_in_family_yaml_only(ws: Path) -> None:
    issue_id = new_issue(ws, family="f7")
    r = run("--root", str(ws), "family", "add", "f7", "--name", "רותם ישראלי", "--phone", "050-1234567",
            "--id-number", "123456782")
    assert r.exit_code == 0, r.stderr
    fam = ws / "cases" / "dana" / "f7" / "family.yaml"
    data = load(fam)
    assert data == {"code": "f7", "name": "רותם ישראלי", "phone": "050-1234567", "id_number": "123456782",
                    "notes": None}
    assert stat.S_IMODE(fam.stat().st_mode) == 0o600
    issue_text = issue_path(ws, issue_id).read_text(encoding="utf-8")
    for pii in ("רותם", "1234567", "123456782"):
        assert pii not in issue_text
    log = "\n".join(git_log(ws))
    for pii in ("רותם", "1234567", "123456782"):
        assert pii not in log
    # an update keeps what was there
    r = run("--root", str(ws), "family", "add", "f7", "--phone", "+972 52 765 4321")
    assert r.exit_code == 0
    data = load(fam)
    assert data["name"] == "רותם ישראלי" and data["phone"] == "+972 52 765 4321"
    r = run("--root", str(ws), "family", "show", "f7", "--json")
    assert r.exit_code == 0 and '"רותם ישראלי"' in r.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--id-number", "123456789"], "תעודת הזהות אינו תקין"),
        (["--id-number", "12ab"], "תעודת הזהות אינו תקין"),
        (["--phone", "12345"], "הטלפון"),
        (["--phone", "050-12"], "הטלפון"),
    ],
)
def test_family_add_bad_input(ws: Path, args: list[str], needle: str) -> None:
    r = run("--root", str(ws), "family", "add", "f8", *args)
    assert r.exit_code == 1
    assert needle in r.stderr
    assert "123456789" not in r.stderr  # the error never repeats the number
    assert not (ws / "cases" / "dana" / "f8").exists()


def test_family_add_path_tricks(ws: Path) -> None:
    for bad in ("..", "../../tmp", ".hidden", "a b"):
        r = run("--root", str(ws), "family", "add", bad, "--name", "x")
        assert r.exit_code == 1, bad
        assert "אינו קוד תקין" in r.stderr
    assert not (ws.parent / "tmp" / "family.yaml").exists()


def test_family_show_unknown(ws: Path) -> None:
    r = run("--root", str(ws), "family", "show", "f404")
    assert r.exit_code == 1 and "f404" in r.stderr


def test_installed_console_script_runs(ws: Path) -> None:
    from conftest import zchuyot_subprocess

    p = zchuyot_subprocess("--root", str(ws), "new", "--family", "f1", "--subject", "בדיקה", "--domain", "debts",
                           cwd=ws)
    assert p.returncode == 0, p.stderr
    assert re.match(r"^dana-[a-z0-9]{5}$", p.stdout.strip())
    p = zchuyot_subprocess("--root", str(ws), "show", "nope1", cwd=ws)
    assert p.returncode == 1 and "Traceback" not in p.stderr and p.stderr.count("\n") == 1


def test_first_workspace_becomes_the_default(ws: Path, tmp_path: Path) -> None:
    new_issue(ws)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = run("list", "--json", cwd=elsewhere)
    assert r.exit_code == 0, r.stderr
    assert len(__import__("json").loads(r.stdout)) == 1


def test_init_with_remote(tmp_path: Path) -> None:
    import subprocess

    remote = tmp_path / "dept.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    # an empty remote: a new workspace with origin set
    a = tmp_path / "a"
    r = run("init", str(a), "--worker", "dana", "--remote", str(remote))
    assert r.exit_code == 0, r.stderr
    url = subprocess.run(["git", "-C", str(a), "remote", "get-url", "origin"], capture_output=True, text=True)
    assert url.stdout.strip() == str(remote)
    i = new_issue(a)
    # a remote with commits, whose admin listed the new worker: cloned, verified, her keys her request
    assert run("--root", str(a), "worker", "add", "miri", "--role", "rights").exit_code == 0
    subprocess.run(["git", "-C", str(a), "push", "-q", "origin", "main"], check=True)
    b = tmp_path / "b"
    r = run("init", str(b), "--worker", "miri", "--remote", str(remote))
    assert r.exit_code == 0, r.stderr
    assert "worker approve miri --fingerprint SHA256:" in r.stdout
    assert issue_path(b, i).is_file()
    settings = load(b / ".zchuyot.yaml")
    assert set(settings["workers"]) == {"dana", "miri"} and settings["workers"]["miri"]["role"] == "rights"
    assert load(b / ".zchuyot" / "local.yaml")["worker"] == "miri"
    assert (b / "keys" / "miri.ssh").is_file() and git_status(b) == ""
    # an unreachable remote: one clear line, nothing made
    r = run("init", str(tmp_path / "c"), "--worker", "noa", "--remote", str(tmp_path / "nope.git"))
    assert r.exit_code == 1 and "git" in r.stderr
    assert not (tmp_path / "c" / ".zchuyot.yaml").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["new", "--priority", "abc"], "ערך לא תקין עבור --priority"),
        (["nosuchcommand"], "אין פקודה 'nosuchcommand'"),
        (["treat"], "חסר ID"),
        (["treat", "x", "a", "b"], "מילים מיותרות"),
        (["treat", "x", "a", "--kind"], "אחרי --kind צריך לכתוב ערך"),
        (["list", "--bogus"], "אין אפשרות --bogus"),
        ([], "חסרה פקודה"),
    ],
)
def test_usage_errors_are_one_hebrew_line(ws: Path, args: list[str], needle: str) -> None:
    from conftest import readable, zchuyot_subprocess

    p = zchuyot_subprocess("--root", str(ws), *args, cwd=ws)
    assert p.returncode == 2
    assert needle in readable(p.stderr) and "--help" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr


def test_a_suggestion_ends_its_sentence_once(ws: Path) -> None:
    """Issue 13: no doubled punctuation ("'housing'?." was printed)."""
    r = run("--root", str(ws), "new", "--family", "f1", "--subject", "x", "--domain", "housng")
    assert r.exit_code == 1 and "'housing'?" in r.stderr
    assert "?." not in r.stderr and "?:" not in r.stderr and "?;" not in r.stderr
