"""One error hierarchy for the core. `cli.py` turns these into a message and an exit code.

Each error carries a message key (see `labels.py`) and the values to fill it with, so the
same error reads in Hebrew or English. Never put a client's personal data in the params.
"""

from __future__ import annotations

from typing import Any


class ZError(Exception):
    """Base of every error the core raises on purpose. Exit code 1: the user's input or data."""

    exit_code = 1

    def __init__(self, key: str, /, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def render(self, lang: str | None = None) -> str:
        from zchuyot.labels import t

        return t(self.key, lang, **self.params)


class InputError(ZError):
    """A value the user typed is wrong (bad date, unknown domain, missing field...)."""


class NotFound(ZError):
    """An id, family or file that does not exist."""


class DataError(ZError):
    """A file on disk is broken; `file` and `line` say where."""

    def __init__(self, key: str, /, file: str = "", line: int = 0, **params: Any) -> None:
        super().__init__(key, file=file, line=line, **params)
        self.file = file
        self.line = line


class WorkspaceError(ZError):
    """No workspace, no worker configured, git trouble."""


class Cancelled(ZError):
    """The user pressed Ctrl-C or Ctrl-D at a prompt: nothing was written."""


class UsageError(ZError):
    """The command line itself is wrong (exit 2)."""

    exit_code = 2
