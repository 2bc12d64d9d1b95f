"""Issue 13: Typer's shell completion of commands, flags, issue ids, family codes and worker codes, asked the
way bash asks it (COMP_WORDS/COMP_CWORD and _ZCHUYOT_COMPLETE) of the installed console script."""

from __future__ import annotations

from pathlib import Path

from conftest import new_issue, run, zchuyot_subprocess


def complete(cwd: Path, line: str, **env: str) -> list[str]:
    words = line.split(" ")
    p = zchuyot_subprocess(cwd=cwd, env={"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1),
                                         "_ZCHUYOT_COMPLETE": "complete_bash", **env})
    assert p.returncode == 0 and p.stderr == "", p.stderr
    return [w for w in p.stdout.split("\n") if w]


def test_completion_of_commands_flags_ids_families_and_workers(ws: Path, tmp_path: Path) -> None:
    a = new_issue(ws, family="f102")
    b = new_issue(ws, family="f205")
    assert run("--root", str(ws), "--worker", "yael", "new", "--family", "f301", "--subject", "חוב לחברת החשמל",
               "--domain", "debts").exit_code == 0
    assert complete(ws, "zchuyot sh") == ["show"]
    assert "followup" in complete(ws, "zchuyot fo") and "policy" not in complete(ws, "zchuyot fo")
    assert "--kind" in complete(ws, "zchuyot treat x --k")
    ids = complete(ws, "zchuyot show ")
    assert ids[:2] == sorted([a, b]) and len(ids) == 3  # this worker's issues first, then the others'
    assert complete(ws, f"zchuyot treat {a[:-2]}") == [a]
    assert complete(ws, f"zchuyot close {b[:-1]}") == [b]
    assert complete(ws, "zchuyot new --family f") == ["f102", "f205", "f301"]
    assert complete(ws, "zchuyot family show f2") == ["f205"]
    assert complete(ws, "zchuyot --worker y") == ["yael"]
    assert complete(ws, "zchuyot list --family f3") == ["f301"]
    elsewhere = tmp_path / "no-workspace"
    elsewhere.mkdir()
    assert complete(elsewhere, "zchuyot show ") == ids  # the workspace remembered as the usual one
    # no workspace here and none remembered: nothing, and no error in the shell
    assert complete(elsewhere, "zchuyot show ", ZCHUYOT_CONFIG_DIR=str(tmp_path / "empty-config")) == []


def test_completion_is_offered_in_the_help_in_the_ui_language(ws: Path) -> None:
    r = run("--help")
    assert "--install-completion" in r.stdout and "השלמה אוטומטית" in r.stdout
    assert "Install completion" not in r.stdout
    assert "Install Tab completion" in run("--lang", "en", "--help").stdout
