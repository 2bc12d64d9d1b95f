"""zchuyot report: the center's figures, the period, the sums (monthly × 12), CSV for the spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import new_issue, run


def rep(ws: Path, *args: str) -> dict:
    r = run("--root", str(ws), "report", "--json", *args)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def build(ws: Path) -> dict[str, str]:
    a = new_issue(ws, "--date", "2026-03-01", family="f1", domain="housing")
    run("--root", str(ws), "treat", a, "ליווי לוועדה", "--kind", "accompaniment", "--date", "2026-03-05")
    run("--root", str(ws), "close", a, "--ended", "--date", "2026-04-01", "--benefit", "הנחה בארנונה",
        "--amount", "310", "--period", "monthly", "--kind", "avoidance")
    b = new_issue(ws, "--date", "2026-05-01", family="f2", domain="debts")
    run("--root", str(ws), "treat", b, "ליווי להוצאה לפועל", "--kind", "accompaniment", "--date", "2026-05-10")
    run("--root", str(ws), "treat", b, "ליווי שני", "--kind", "accompaniment", "--date", "2026-06-10")
    run("--root", str(ws), "close", b, "--ended", "--date", "2026-07-01", "--benefit", "סגירת תיק בגישור",
        "--amount", "38,000", "--period", "one_off", "--kind", "avoidance")
    c = new_issue(ws, "--date", "2026-05-02", family="f2", domain="national_insurance")
    run("--root", str(ws), "close", c, "--stopped", "עברו דירה", "--date", "2026-05-03")
    d = new_issue(ws, "--date", "2025-12-01", family="f3", domain="health")  # before the year, acted on in it
    run("--root", str(ws), "treat", d, "שיחה", "--date", "2026-01-15")
    run("--root", str(ws), "close", d, "--ended", "--date", "2026-02-01", "--benefit", "הנחה בארנונה",
        "--amount", "120.5", "--period", "monthly", "--kind", "avoidance")
    e = new_issue(ws, "--date", "2025-06-01", family="f4")  # nothing in 2026
    r = run("--root", str(ws), "--worker", "miri", "new", "--family", "f5", "--subject", "x", "--domain", "health",
            "--date", "2026-08-01")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "m": r.stdout.strip()}


def test_report_figures_and_sums(ws: Path) -> None:
    build(ws)
    j = rep(ws, "--from", "2026-01-01", "--to", "2026-12-31")
    assert j["from"] == "2026-01-01" and j["to"] == "2026-12-31"
    assert (j["workers"], j["families"], j["issues"]) == (2, 4, 5)
    assert j["by_domain"] == {"housing": 1, "national_insurance": 1, "health": 2, "debts": 1}
    assert j["by_status"] == {"open": 1, "ended": 3, "stopped": 1}
    assert j["accompaniments"] == 3
    assert j["benefits"] == {"count": 3, "by_benefit": {"הנחה בארנונה": 2, "סגירת תיק בגישור": 1},
                             "monthly_total": 430.5, "one_off_total": 38000,
                             "yearly_total": 38000 + 430.5 * 12,
                             "lost": {"count": 0, "monthly_total": 0, "one_off_total": 0}}
    assert list(j) == ["from", "to", "workers", "families", "issues", "by_domain", "by_status",
                       "accompaniments", "benefits", "accompaniments_by", "referrals", "events", "by_worker",
                       "benefits_by_month", "clocks", "accompaniments_where", "benefits_by_right", "benefits_by_kind",
                       "benefits_by_domain"]  # DESIGN §4's keys first, then round two's, then round three's


def test_report_period_and_worker(ws: Path) -> None:
    build(ws)
    j = rep(ws, "--from", "01/05/2026", "--to", "31/05/2026")
    assert j["issues"] == 2 and j["accompaniments"] == 1 and j["benefits"]["count"] == 0
    j = rep(ws, "--from", "2026-01-01", "--to", "2026-12-31", "--worker", "miri")
    assert (j["issues"], j["workers"]) == (1, 1)
    # the default period is this year up to today (pinned 2026-11-23)
    j = rep(ws)
    assert j["from"] == "2026-01-01" and j["to"] == "2026-11-23" and j["issues"] == 5
    r = run("--root", str(ws), "report", "--from", "2026-12-01", "--to", "2026-01-01")
    assert r.exit_code == 1 and "אחרי" in r.stderr
    assert run("--root", str(ws), "report", "--format", "pdf").exit_code == 1


def test_report_table_and_csv(ws: Path) -> None:
    build(ws)
    r = run("--root", str(ws), "report", "--from", "2026-01-01", "--to", "2026-12-31")
    assert r.exit_code == 0
    for text in ("נתוני המרכז", "ליוויים", "₪430.50", "₪38,000", "₪43,166", "הנחה בארנונה", "ביטוח לאומי"):
        assert text in r.stdout, text
    r = run("--root", str(ws), "report", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "csv")
    rows = list(csv.reader(io.StringIO(r.stdout.removeprefix("\ufeff"))))
    assert rows[0] == ["section", "key", "label", "value"]
    assert ["benefits", "yearly_total", 'סה"כ לשנה (חד-פעמי + חודשי × 12)', "43166"] in rows
    assert ["by_domain", "health", "בריאות", "2"] in rows


def test_report_and_policy_in_english(ws: Path) -> None:
    ids = build(ws)
    r = run("--root", str(ws), "--lang", "en", "report", "--from", "2026-01-01", "--to", "2026-12-31")
    assert "The center's figures" in r.stdout and "Yearly total" in r.stdout and "Housing" in r.stdout
    assert run("--root", str(ws), "collect", ids["e"], "--barrier-kind", "digital").exit_code == 0
    r = run("--root", str(ws), "--lang", "en", "policy")
    assert "Recurring barriers" in r.stdout and "Digital gap" in r.stdout
