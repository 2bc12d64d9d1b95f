"""The year for managers: the JSON, the spreadsheet (read back with openpyxl) and the page (parsed HTML) of a
Bnei Brak-sized year agree to the shekel; events counted; the page looked at through headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO, run, synthetic


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~900 issues of ~300 families over 50 workers (bench.py's synthetic department): a Bnei Brak-sized year."""
    return synthetic(tmp_path_factory, "year", 900)


class Cards(HTMLParser):
    """The page's headline cards and per-worker rows, as the HTML holds them."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, str] = {}
        self.workers: list[str] = []
        self.dir = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.dir = a.get("dir") or ""
        if tag == "div" and a.get("class") == "card":
            self.cards[a["data-key"] or ""] = a["data-value"] or ""
        if tag == "tr" and a.get("data-worker"):
            self.workers.append(a["data-worker"] or "")


def test_json_spreadsheet_and_page_agree_to_the_shekel(year: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    r = run("--root", str(year), "--worker", "w00", "event", "add", "--kind", "training", "--title",
            "הדרכת עובדות: זכויות בביטוח לאומי", "--date", "2026-03-10", "--participants", "56",
            env={"ZCHUYOT_CONFIG_DIR": str(year.parent / "_config")})  # w00's computer: it holds her keys
    assert r.exit_code == 0, r.stderr
    args = ("--root", str(year), "report", "--from", "2026-01-01")
    j = json.loads(run(*args, "--json").stdout)
    b = j["benefits"]
    assert j["families"] >= 250 and j["issues"] >= 800 and b["yearly_total"] > 0
    assert j["events"] == {"count": 1, "by_kind": {"training": 1}, "participants": 56}
    assert round(sum(w["yearly_total"] for w in j["by_worker"].values()), 2) == round(b["yearly_total"], 2)
    months = j["benefits_by_month"]
    assert round(sum(m["monthly"] for m in months.values()), 2) == round(b["monthly_total"], 2)
    assert round(sum(m["one_off"] for m in months.values()), 2) == round(b["one_off_total"], 2)
    xlsx, page = tmp_path / "year.xlsx", tmp_path / "year.html"
    r = run(*args, "--format", "xlsx", "--out", str(xlsx), "--html", str(page))
    assert r.exit_code == 0, r.stderr
    book = load_workbook(xlsx)
    summary = book.worksheets[0]
    assert summary.sheet_view.rightToLeft
    values = {summary.cell(row=n, column=1).value: summary.cell(row=n, column=2) for n in range(2, 12)}
    yearly = values['סה"כ לשנה (חד-פעמי + חודשי × 12)']
    assert isinstance(yearly.value, (int, float)) and round(yearly.value, 2) == round(b["yearly_total"], 2)
    assert "₪" in yearly.number_format  # a number shown in shekels, not text
    assert values["משפחות"].value == j["families"] and values["ליוויים"].value == j["accompaniments"]
    assert [s.title for s in book.worksheets] == ["סיכום", "סוגיות לפי תחום", "לפי עובדת", "זכויות לפי חודש",
                                                  "חסמים חוזרים"]
    by_worker = book["לפי עובדת"]
    assert round(sum(by_worker.cell(row=n, column=4).value for n in range(2, by_worker.max_row + 1)), 2) == \
        round(b["yearly_total"], 2)
    parsed = Cards()
    parsed.feed(page.read_text(encoding="utf-8"))
    assert parsed.dir == "rtl"
    assert float(parsed.cards["rep.yearly_total"]) == pytest.approx(b["yearly_total"], abs=0.005)
    assert float(parsed.cards["rep.monthly_total"]) == pytest.approx(b["monthly_total"], abs=0.005)
    assert int(parsed.cards["rep.families"]) == j["families"] and int(parsed.cards["rep.events"]) == 1
    assert sorted(parsed.workers) == sorted(j["by_worker"])
    text = page.read_text(encoding="utf-8")
    assert "http" not in text.replace("http://www.w3.org/2000/svg", "")  # self-contained: nothing fetched
    assert "<script" not in text


def test_bad_input(ws: Path, tmp_path: Path) -> None:
    r = run("--root", str(ws), "event", "add", "--kind", "party", "--title", "x")
    assert r.exit_code == 1 and "training" in r.stderr
    r = run("--root", str(ws), "event", "add", "--kind", "fair", "--title", "x", "--participants", "-3")
    assert r.exit_code == 1 and "-3" in r.stderr
    r = run("--root", str(ws), "event", "add", "--kind", "fair", "--title", "x", "--date", "2027-01-01")
    assert r.exit_code == 1
    assert not (ws / "events").exists() or not list((ws / "events").glob("*.yaml"))
    r = run("--root", str(ws), "report", "--format", "xlsx")
    assert r.exit_code == 2 and "--out" in r.stderr
    r = run("--root", str(ws), "report", "--html", str(tmp_path / "x.pdf"))
    assert r.exit_code == 1 and ".html" in r.stderr


@pytest.mark.skipif(shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
                    reason="Chromium is not installed: the page's screenshot check needs it")
def test_chromium_renders_the_page(year: Path, tmp_path: Path) -> None:
    page, png = tmp_path / "year.html", tmp_path / "year.png"
    assert run("--root", str(year), "report", "--from", "2026-01-01", "--html", str(page)).exit_code == 0
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--window-size=900,1600", f"--screenshot={png}", page.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert png.is_file() and png.stat().st_size > 20_000  # a page was drawn, not a blank


def test_two_departments_make_a_district_whose_totals_are_the_sum(tmp_path: Path) -> None:
    roots = []
    for n, name in enumerate(("מחלקה א – באר שבע (בדויה)", "מחלקה ב – אשדוד (בדויה)")):
        root = tmp_path / f"dept{n}"
        root.mkdir()
        shutil.copytree(REPO / "cases", root / "cases")
        shutil.copytree(REPO / "directory", root / "directory")
        text = (REPO / ".zchuyot.yaml").read_text(encoding="utf-8")
        (root / ".zchuyot.yaml").write_text(
            "\n".join(f"department: '{name}'" if ln.startswith("department:") else ln for ln in text.splitlines())
            + "\n", encoding="utf-8")
        roots.append(root)
    one = [json.loads(run("--root", str(r), "report", "--from", "2026-01-01", "--json").stdout) for r in roots]
    r = run("--root", str(roots[0]), "--root", str(roots[1]), "report", "--from", "2026-01-01", "--json")
    assert r.exit_code == 0, r.stderr
    district = json.loads(r.stdout)
    for key in ("families", "issues", "accompaniments", "workers"):
        assert district[key] == one[0][key] + one[1][key], key
    for key in ("monthly_total", "one_off_total", "yearly_total"):
        assert district["benefits"][key] == one[0]["benefits"][key] + one[1]["benefits"][key], key
    assert [d["name"] for d in district["departments"]] == ["מחלקה א – באר שבע (בדויה)", "מחלקה ב – אשדוד (בדויה)"]
    assert list(district["by_worker"]) == [d["name"] for d in district["departments"]]  # no worker crosses
    listing = tmp_path / "roots.txt"
    listing.write_text(f"# the district\n{roots[0]}\n{roots[1]}\n", encoding="utf-8")
    same = json.loads(run("report", "--from", "2026-01-01", "--roots-from", str(listing), "--json").stdout)
    assert same["benefits"] == district["benefits"]
    pol = json.loads(run("--root", str(roots[0]), "--root", str(roots[1]), "policy", "--json").stdout)
    single = json.loads(run("--root", str(roots[0]), "policy", "--json").stdout)
    counts = {b["kind"]: b["count"] for b in pol["barriers"]}
    assert counts == {b["kind"]: 2 * b["count"] for b in single["barriers"]}
    assert all(b["departments"] == 2 for b in pol["barriers"])
    assert "dana-" not in json.dumps(pol) and "f10" not in json.dumps(pol)  # no issue id, no family code
    page = tmp_path / "district.html"
    assert run("--root", str(roots[0]), "--root", str(roots[1]), "report", "--from", "2026-01-01",
               "--html", str(page)).exit_code == 0
    assert "מחלקה א – באר שבע (בדויה) + מחלקה ב – אשדוד (בדויה)" in page.read_text(encoding="utf-8")
    r = run("--root", str(roots[0]), "--root", str(roots[1]), "list")
    assert r.exit_code == 2 and "report" in r.stderr


def test_the_english_page(ws: Path, tmp_path: Path) -> None:
    page = tmp_path / "en.html"
    assert run("--root", str(ws), "--lang", "en", "report", "--html", str(page)).exit_code == 0
    text = page.read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in text and "The year in figures" in text and "Families" in text


def test_the_page_and_the_spreadsheet_name_people_and_months(ws: Path, tmp_path: Path) -> None:
    """Names where people read (issue 27): the worker's name, the partner's name and Hebrew month names on the
    page and in the spreadsheet; the codes stay in the JSON."""
    from conftest import new_issue
    from openpyxl import load_workbook

    i = new_issue(ws)
    assert run("--root", str(ws), "partner", "add", "vol_sara", "--name", "שרה – מתנדבת ליווי", "--kind",
               "volunteer").exit_code == 0
    assert run("--root", str(ws), "refer", i, "--to", "vol_sara", "--ask", "ליווי לעירייה").exit_code == 0
    assert run("--root", str(ws), "close", i, "--ended", "--benefit", "הנחה בארנונה", "--amount", "300",
               "--period", "monthly", "--kind", "avoidance", "--date", "2026-10-12").exit_code == 0
    xlsx, page = tmp_path / "y.xlsx", tmp_path / "y.html"
    r = run("--root", str(ws), "report", "--from", "2026-01-01", "--format", "xlsx", "--out", str(xlsx),
            "--html", str(page))
    assert r.exit_code == 0, r.stderr
    html = page.read_text(encoding="utf-8")
    assert "אוקטובר 2026" in html and ">2026-10<" not in html
    assert "<td>דנה</td>" in html and "<td>dana</td>" not in html
    assert "שרה – מתנדבת ליווי" in html and ">vol_sara<" not in html
    book = load_workbook(xlsx)
    assert [c.value for c in book["לפי עובדת"]["A"]][1:] == ["דנה"]
    assert [c.value for c in book["זכויות לפי חודש"]["A"]][1:] == ["אוקטובר 2026"]
    j = json.loads(run("--root", str(ws), "report", "--from", "2026-01-01", "--json").stdout)
    assert "dana" in j["by_worker"] and "vol_sara" in j["referrals"]["by_partner"]
    assert "שרה – מתנדבת ליווי" in run("--root", str(ws), "report", "--from", "2026-01-01").stdout
