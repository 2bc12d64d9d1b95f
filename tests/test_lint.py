"""The code stays ruff-clean, and core modules never print or exit (only cli.py talks to the user)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

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


def test_core_never_prints_or_exits() -> None:
    bad = []
    for path in (REPO / "zchuyot").glob("*.py"):
        if path.name in ("cli.py", "__main__.py"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"^\s*print\(", line) or "typer.Exit" in line or "sys.exit(" in line:
                bad.append(f"{path.name}:{n}")
    assert not bad, bad
