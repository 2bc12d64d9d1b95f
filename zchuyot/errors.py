"""One error hierarchy for the core. `cli.py` turns these into a message and an exit status.

Each error carries a message key (see `labels.py`) and the values to fill it with, so the
same error reads in Hebrew or English, and — when it is about one field of the form — that
field's key (`domain`, `log.date`): the core knows fields, never command-line flags; `cli.py`
names the flag. Never put a client's personal data in the params.
"""

from __future__ import annotations

from typing import Any


class ZError(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, key: str, /, field: str | None = None, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.field = field  # the form field it is about, if any
        self.params = params

    def render(self, lang: str | None = None, **extra: Any) -> str:
        """The message; `extra` fills what only the caller knows (the flag of `field`, on the command line)."""
        from zchuyot.text.labels import t

        params = dict(self.params)
        if self.field:
            params.setdefault("flag", self.field)
            params.setdefault("label", self.field)
        return t(self.key, lang, **{**params, **extra})


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
