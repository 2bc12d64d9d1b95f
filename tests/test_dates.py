"""Dates as workers type them; "today" pinned by ZCHUYOT_TODAY."""

from __future__ import annotations

import datetime as dt

import pytest

from zchuyot.calendar import dates
from zchuyot.errors import InputError

BASE = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23", BASE), ("2026-1-5", dt.date(2026, 1, 5)), ("23/11/2026", BASE), ("23.11.2026", BASE),
        ("5/1/2026", dt.date(2026, 1, 5)), ("today", BASE), ("היום", BASE), ("Yesterday", dt.date(2026, 11, 22)),
        ("אתמול", dt.date(2026, 11, 22)), ("מחר", dt.date(2026, 11, 24)), ("+7", dt.date(2026, 11, 30)),
        ("-30", dt.date(2026, 10, 24)), (" 29/02/2028 ", dt.date(2028, 2, 29)),
    ],
)
def test_parse_date(text: str, expected: dt.date) -> None:
    assert dates.parse_date(text, BASE) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "2026-13-01", "29/02/2026", "", "next week", "+", "11/23/2026",
                                  "2026/11/23", "+99999"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(InputError) as e:
        dates.parse_date(text, BASE)
    assert e.value.key == "err.bad_date"


def test_today_is_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZCHUYOT_TODAY", "2026-09-21")
    assert dates.today() == dt.date(2026, 9, 21)
    monkeypatch.setenv("ZCHUYOT_TODAY", "21/09/2026")
    with pytest.raises(InputError):
        dates.today()
