"""The seed's figures (shared/seeds/001, מרכז עוצמה בני ברק), recorded through the CLI as a year of work and
read back by `report` — all seven of its figures, the way a manager reads them (issue 27):

  family social workers who turned to the rights center – 75; accompaniments to government / municipal
  offices – 195; clients of the center – 293; National Insurance disability pensions – 108; professional
  trainings in rights for the family social workers – 56; accompaniments to National Insurance medical
  committees – 30; income obtained for the clients – ₪3,137,037."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TODAY, environ, run

SEED = {"workers": 75, "offices": 195, "clients": 293, "disability": 108, "trained": 56, "medical": 30,
        "income": 3_137_037}


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("bnei-brak")
    root = base / "ws"

    def ok(*args: str) -> str:
        r = run("--root", str(root), *args)
        assert r.exit_code == 0, (args, r.stderr)
        return r.stdout

    with environ(ZCHUYOT_CONFIG_DIR=str(base / "_config"), ZCHUYOT_TODAY=TODAY,
                 GIT_CONFIG_GLOBAL=str(base / "_gitconfig"), GIT_CONFIG_NOSYSTEM="1"):
        assert run("init", str(root), "--worker", "dana", "--name", "דנה", "--department", "מרכז לדוגמה").exit_code == 0
        workers = ["dana"] + [f"w{n:02d}" for n in range(1, SEED["workers"])]
        for w in workers[1:]:  # the department's family social workers, each on her own key
            ok("worker", "add", w, "--role", "family")
            ok("--worker", w, "keys", "init")
            ok("worker", "approve", w)
        issues = []
        for n in range(SEED["clients"]):  # one issue for each client family, the workers taking turns
            w = workers[n % len(workers)]
            out = ok("--worker", w, "new", "--family", f"f{n:03d}", "--subject", "מיצוי זכויות", "--domain",
                     "national_insurance", "--date", "2026-02-01", "--body", "ביטוח לאומי")
            issues.append((w, out.strip().splitlines()[-1]))
        for n in range(SEED["offices"] + SEED["medical"]):
            w, i = issues[n % len(issues)]
            meeting = "medical_committee" if n < SEED["medical"] else ("branch" if n % 2 else "committee")
            body = "ביטוח לאומי" if meeting == "medical_committee" or n % 2 else "עירייה"
            ok("--worker", w, "treat", i, "ליוויתי את המשפחה", "--kind", "accompaniment", "--body", body,
               "--meeting", meeting, "--date", "2026-05-10")
        monthly = 2_400  # 108 pensions × 2,400 × 12 = 3,110,400; the rest a one-off back payment
        for w, i in issues[:SEED["disability"]]:
            ok("--worker", w, "close", i, "--ended", "--benefit", "general_disability", "--amount", str(monthly),
               "--period", "monthly", "--kind", "recovery", "--date", "2026-07-01")
        w, i = issues[SEED["disability"]]
        rest = SEED["income"] - SEED["disability"] * monthly * 12
        ok("--worker", w, "close", i, "--ended", "--benefit", "הפרשי קצבה רטרואקטיביים", "--amount", str(rest),
           "--period", "one_off", "--kind", "recovery", "--date", "2026-08-01")
        ok("event", "add", "--kind", "training", "--title", "הכשרה במיצוי זכויות לעו\"ס המשפחה", "--date",
           "2026-03-10", "--participants", str(SEED["trained"]))
    return root


def test_the_seeds_seven_figures_come_out_of_the_report(year: Path) -> None:
    j = json.loads(run("--root", str(year), "report", "--from", "2026-01-01", "--to", "2026-12-31", "--json").stdout)
    at = j["accompaniments_where"]["by_meeting"]
    figures = {
        "workers": j["workers"],
        "offices": sum(v for k, v in at.items() if k != "medical_committee"),
        "clients": j["families"],
        "disability": j["benefits_by_right"]["general_disability"],
        "trained": j["events"]["participants"],
        "medical": at["medical_committee"],
        "income": j["benefits"]["yearly_total"],
    }
    assert figures == SEED
    # 30 medical committees and the 97 odd ones of 30…224 at National Insurance; the 98 even ones at the city
    assert j["accompaniments_where"]["by_body"] == {"ביטוח לאומי": 127, "עירייה": 98}
    assert j["benefits_by_kind"]["recovery"]["yearly_total"] == SEED["income"]
    assert j["benefits_by_domain"] == {"national_insurance": SEED["income"]}
    shown = run("--root", str(year), "report", "--from", "2026-01-01", "--to", "2026-12-31").stdout
    for line in ("מהם למשרדי ממשלה ועירייה", "מהם לוועדות רפואיות", "₪3,137,037"):
        assert line in shown, line


def test_the_same_period_a_year_before_is_beside_it(year: Path) -> None:
    j = json.loads(run("--root", str(year), "report", "--from", "2026-01-01", "--to", "2026-12-31", "--compare",
                       "--json").stdout)
    assert j["compare"]["from"] == "2025-01-01" and j["compare"]["to"] == "2025-12-31"
    assert j["compare"]["issues"] == 0 and j["issues"] == SEED["clients"]
    shown = run("--root", str(year), "report", "--from", "2026-01-01", "--to", "2026-12-31", "--compare").stdout
    assert "אותה תקופה לפני שנה" in shown and "01/01/2025" in shown
