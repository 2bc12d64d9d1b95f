"""The user's own config directory (her keys, her default workspace): never in the repository."""

from __future__ import annotations

import os
from pathlib import Path


def user_config_dir() -> Path:
    env = os.environ.get("ZCHUYOT_CONFIG_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "zchuyot"
