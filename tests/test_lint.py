"""The code stays ruff-clean, and core modules never print or exit (only cli.py talks to the user)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff")
    cmd = [ruff] if ruff else [sys.executable, "-m", "ruff"]
    try:
        p = subprocess.run([*cmd, "check", "zchuyot", "tests"], cwd=REPO, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        pytest.skip("ruff is not installed")
    assert p.returncode == 0, p.stdout + p.stderr


USER_FACING = ("cli.py", "__main__.py", "render.py", "prompts.py", "rtl.py")  # they talk to the user
UI_LIBRARIES = ("typer", "click", "rich")


def _core_modules() -> list[Path]:
    return [p for p in sorted((REPO / "zchuyot").rglob("*.py")) if p.name not in USER_FACING]


def _violations(path: Path, root: Path = REPO) -> list[str]:
    """What a core module may not do, found in its syntax tree (not by a regular expression): import a UI
    library, call print / sys.exit / exit / quit, raise or build SystemExit or typer.Exit, write to
    sys.stdout or sys.stderr."""
    out = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            out += [f"{where} imports {a.name}" for a in node.names if a.name.split(".")[0] in UI_LIBRARIES]
        elif isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] in UI_LIBRARIES:
            out.append(f"{where} imports {node.module}")
        elif isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in ("print", "exit", "quit", "sys.exit", "os._exit", "SystemExit", "typer.Exit"):
                out.append(f"{where} calls {name}")
        elif isinstance(node, ast.Name) and node.id == "SystemExit":
            out.append(f"{where} uses SystemExit")
        elif isinstance(node, ast.Attribute) and ast.unparse(node) in ("sys.stdout", "sys.stderr", "typer.Exit"):
            out.append(f"{where} uses {ast.unparse(node)}")
    return out


def test_core_never_prints_or_exits() -> None:
    bad = [v for path in _core_modules() for v in _violations(path)]
    assert not bad, bad


def test_the_lint_sees_what_a_regex_missed(tmp_path: Path) -> None:
    """The checker itself finds console.print through rich, sys.stdout.write and SystemExit."""
    src = tmp_path / "zchuyot" / "bad.py"
    src.parent.mkdir()
    src.write_text("import sys\nfrom rich.console import Console\nConsole().print('x')\n"
                   "sys.stdout.write('x')\nraise SystemExit(3)\n", encoding="utf-8")
    found = " ".join(_violations(src, tmp_path))
    assert "imports rich.console" in found and "sys.stdout" in found and "SystemExit" in found


def test_no_import_circles() -> None:
    """Arrows point down only: no module of zchuyot imports (even lazily) one that imports it back."""
    mods = {".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"): p
            for p in (REPO / "zchuyot").rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, p in mods.items():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            graph[m].update(n for n in names if n in mods and n != m)

    def reaches(a: str, b: str, seen: set[str]) -> bool:
        return any(n == b or (n not in seen and not seen.add(n) and reaches(n, b, seen)) for n in graph[a])

    circles = sorted(f"{a} -> {b}" for a in graph for b in graph[a] if reaches(b, a, set()))
    assert not circles, circles


def test_no_private_name_crosses_a_module() -> None:
    """`from x import _name` and `module._name` of another module are not used, in the code or the tests."""
    bad = []
    for path in [*sorted((REPO / "zchuyot").rglob("*.py")), *sorted((REPO / "tests").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                   for a in n.names}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("zchuyot"):
                bad += [f"{path.name}:{node.lineno} {a.name}" for a in node.names if a.name.startswith("_")
                        and not a.name.startswith("__")]
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                    and isinstance(node.value, ast.Name) and node.value.id in modules \
                    and node.value.id not in ("self", "cls", "sys", "os", "gc", "typer", "yaml"):
                bad.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
    assert not bad, bad


def test_only_the_edit_path_touches_yaml_nodes() -> None:
    """A command changes a typed issue; the round-trip document is touched only by case/file.py (and the
    settings file by store.py's init)."""
    allowed = {"zchuyot/case/file.py", "zchuyot/workspace/store.py", "zchuyot/case/yamlio.py"}
    bad = []
    for path in sorted((REPO / "zchuyot").rglob("*.py")):
        rel = str(path.relative_to(REPO))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in (
                    "yamlio.set_key", "yamlio.append", "yamlio.replace_items", "yamlio.insert_key") \
                    and rel not in allowed:
                bad.append(f"{rel}:{node.lineno}")
    assert not bad, bad


def test_hebrew_addresses_the_worker_in_one_form() -> None:
    """Issue 13: every Hebrew message, prompt and guide addresses the worker impersonally (יש להוסיף, לכתוב,
    אפשר…) — never in the second-person imperative of one gender (הוסיפי / הוסף) beside a neutral phrase."""
    import re

    from zchuyot.text.labels import T

    imperative = re.compile(
        r"(?<![\u05d0-\u05ea])ו?(הוסיפ[יו]|הוסף|כתב[יו]|כתוב|תקנ[יו]|תקן|הקליד[יו]|הקלד|מחק[יו]|הריצ[יו]|הרץ|"
        r"שימ[יו]|שים|בדק[יו]|בדוק|בחר[יו]|נס[יו]|נסה|העביר[יו]|העבר|שאל[יו]|אספ[יו]|אסוף|תעד[יו]|"
        r"שמר[יו]|שמור|סגר[יו]|סגור|ראי|ראה|פנ[יו]|פנה|הגיש[יו]|הגש|צר[יו]|צור|התקינ[יו]|הסיר[יו]|הסר|"
        r"פתח[יו]|החליפ[יו]|החלף|פצל[יו]|בקש[יו]|התכוונת)(?![\u05d0-\u05ea])")
    found = [(key, m.group()) for key, (he, _) in T.items() for m in [imperative.search(he)] if m]
    assert not found, found


def test_a_filled_in_message_never_doubles_its_stop() -> None:
    """A question or a sentence put inside a message keeps one mark: not "החסם?:", "'debts'?." or "להזחה.."."""
    import re

    from zchuyot.text.labels import T, t

    fills = ["איפה נמצא החסם?", "YAML מקבל רק רווחים להזחה.", "'debts'?"]
    for key, (he, _en) in T.items():
        names = set(re.findall(r"{(\w+)}", he))
        if not names:
            continue
        for fill in fills:
            for lang in ("he", "en"):
                out = t(key, lang, **{n: fill for n in names})
                bad = re.search(r"(?<!\.)\.\.(?=\s|$)|\?[.:;](?=\s|$)", out)
                assert bad is None, (key, out)
    # an ellipsis is not a doubled stop
    assert t("err.unknown_worker_near", "he", value="a", near="b").endswith('--name "...".')
