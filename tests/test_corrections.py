"""Issue 14: a worker's daily corrections and no silent mistakes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, TODAY

sys.path.insert(0, str(REPO / "bench"))


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 synthetic issues (bench.py's department): every long output is far more than a pipe holds."""
    import bench

    root = tmp_path_factory.mktemp("big") / "ws"
    old = os.environ.get("ZCHUYOT_CONFIG_DIR")
    try:
        bench.build(root, 300, dt.date.fromisoformat(TODAY))
    finally:
        if old is None:
            os.environ.pop("ZCHUYOT_CONFIG_DIR", None)
        else:
            os.environ["ZCHUYOT_CONFIG_DIR"] = old
    return root


@pytest.mark.parametrize("args", [["export"], ["export", "--format", "csv"], ["list", "--all-workers"],
                                  ["followup", "--all-workers", "--all"], ["report", "--format", "csv"],
                                  ["export", "--anonymize"], ["check"]])
def test_a_closed_pipe_ends_the_command_quietly(big: Path, args: list[str]) -> None:
    """`zchuyot export | head -1`: the reader leaves after one line; the command stops without a word, exit 0."""
    env = dict(os.environ, ZCHUYOT_WORKER="w00")
    p = subprocess.Popen([sys.executable, "-m", "zchuyot", "--root", str(big), *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.read(10)
    p.stdout.close()  # as head does when it has its line
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0, err
    assert err == ""
