"""Israeli working days: Sunday–Thursday, minus Israeli holidays (the `holidays` package), the statutory rest
days it does not list (election days, templates/rest_days.yaml) and the department's own closed days
(`closed_days:` in the settings)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

DEFAULT_WORK_WEEK = (6, 0, 1, 2, 3)  # Python weekday(): Sun=6, Mon=0 … Thu=3


_CACHE_DIR: list[str] = []  # set by the store: where to keep the computed holidays (importing `holidays` costs 0.4 s)


def set_cache_dir(path: str) -> None:
    _CACHE_DIR[:] = [path]


@lru_cache(maxsize=64)
def _holidays(year: int, calendar: str) -> frozenset[dt.date]:
    """Israeli holidays of a year, from the `holidays` package; kept in .zchuyot/ once computed."""
    if calendar != "israel":
        return frozenset()
    import json
    import os

    cache = os.path.join(_CACHE_DIR[0], f"holidays-il-{year}.json") if _CACHE_DIR else None
    if cache:
        try:
            with open(cache, encoding="utf-8") as f:
                return frozenset(dt.date.fromisoformat(x) for x in json.load(f))
        except (OSError, ValueError):
            pass
    import holidays

    days = frozenset(holidays.country_holidays("IL", years=year).keys())
    if cache:
        try:
            tmp = f"{cache}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(sorted(d.isoformat() for d in days), f)
            os.replace(tmp, cache)
        except OSError:
            pass
    return days


class WorkCalendar:
    def __init__(self, calendar: str = "israel", work_week: tuple[int, ...] = DEFAULT_WORK_WEEK,
                 closed: dict[dt.date, str] | None = None) -> None:
        self.calendar = calendar
        self.work_week = frozenset(work_week)
        self.closed = dict(closed or {})  # a rest day or a day the department is closed → its name
        self._base: dt.date | None = None
        self._prefix: list[int] = []  # _prefix[i] = working days in (base, base + i]

    def _count_upto(self, d: dt.date) -> int:
        """Working days in (base, d], from a prefix table grown on demand: O(1) per question."""
        if self._base is None or d < self._base:
            self._base = d - dt.timedelta(days=1)
            self._prefix = [0]
        i = (d - self._base).days
        while len(self._prefix) <= i:
            day = self._base + dt.timedelta(days=len(self._prefix))
            self._prefix.append(self._prefix[-1] + (1 if self.is_workday(day) else 0))
        return self._prefix[i]

    def is_workday(self, d: dt.date) -> bool:
        return d.weekday() in self.work_week and d not in _holidays(d.year, self.calendar) and d not in self.closed

    def workdays_after(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: after `start`, up to and including `end`."""
        if end <= start:
            return 0
        if self._base is None or start < self._base:  # rarely: the table starts ten years back
            self._base = start - dt.timedelta(days=3653)
            self._prefix = [0]
        return self._count_upto(end) - self._count_upto(start)

    def holiday_name(self, d: dt.date) -> str | None:
        if d in self.closed:
            return self.closed[d]
        if self.calendar != "israel" or d not in _holidays(d.year, self.calendar):
            return None
        import holidays

        return holidays.country_holidays("IL", years=d.year).get(d)


def closed_days(settings: dict, rest_days: Any = None) -> dict[dt.date, str]:
    """The statutory rest days (templates/rest_days.yaml's entries) and the department's `closed_days:` (a date,
    or {date, name}); an entry that is no date is left out (`check` reads the settings)."""
    out: dict[dt.date, str] = {}
    entries = [*(rest_days if isinstance(rest_days, list) else []),
               *(settings.get("closed_days") if isinstance(settings.get("closed_days"), list) else [])]
    for e in entries:
        when, name = (e.get("date"), e.get("name")) if isinstance(e, dict) else (e, None)
        try:
            d = when if isinstance(when, dt.date) else dt.date.fromisoformat(str(when))
        except ValueError:
            continue
        out[d] = str(name or "")
    return out


def from_settings(settings: dict, rest_days: Any = None) -> WorkCalendar:
    week = settings.get("work_week")
    names = {"sun": 6, "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5}
    closed = closed_days(settings, rest_days)
    if isinstance(week, list) and week:
        days = tuple(names[str(x)[:3].lower()] for x in week if str(x)[:3].lower() in names)
        return WorkCalendar(str(settings.get("calendar") or "israel"), days or DEFAULT_WORK_WEEK, closed)
    return WorkCalendar(str(settings.get("calendar") or "israel"), closed=closed)
