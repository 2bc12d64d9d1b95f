"""Dates as social workers type them, and "today" (pinned by ZCHUYOT_TODAY for tests and demos)."""

from __future__ import annotations

import datetime as dt
import os
import re

from zchuyot.errors import InputError

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_IL = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})$")  # 4.12.26 is 4.12.2026
_REL = re.compile(r"^([+-])\s*(\d{1,4})$")
_WORDS = {
    "today": 0, "היום": 0, "yesterday": -1, "אתמול": -1, "tomorrow": 1, "מחר": 1,
}


def today() -> dt.date:
    """Today, or the date in ZCHUYOT_TODAY (YYYY-MM-DD) when it is set."""
    pinned = os.environ.get("ZCHUYOT_TODAY", "").strip()
    if pinned:
        m = _ISO.match(pinned)
        try:
            if not m:
                raise ValueError
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise InputError("err.bad_today", value=pinned) from None
    return dt.date.today()


_REL_SHOWN = re.compile(r"^(\d{1,4})([+-])$")


def parse_date(text: str | dt.date | None, base: dt.date | None = None) -> dt.date:
    """`YYYY-MM-DD`, `DD/MM/YYYY`, `DD.MM.YYYY` (and `DD.MM.YY`, this century), today/היום, yesterday/אתמול,
    tomorrow/מחר, +N/-N days (and N+/N-, as right-to-left display may show it)."""
    if isinstance(text, dt.date):
        return text
    s = (text or "").strip()
    base = base or today()
    if s.lower() in _WORDS:
        return base + dt.timedelta(days=_WORDS[s.lower()])
    try:
        if m := _ISO.match(s):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _IL.match(s):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            return dt.date(year, int(m[2]), int(m[1]))
        if m := _REL.match(s):
            n = int(m[2])
            return base + dt.timedelta(days=n if m[1] == "+" else -n)
        if m := _REL_SHOWN.match(s):  # `7+`: the hint as a terminal in visual order may have shown it
            n = int(m[1])
            return base + dt.timedelta(days=n if m[2] == "+" else -n)
    except (ValueError, OverflowError):
        pass
    raise InputError("err.bad_date", value=s)


def year_before(d: dt.date) -> dt.date:
    """The same day a year earlier (29 February: the 28th)."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""
