"""The center's figures for managers and the district: a spreadsheet (xlsxwriter, right-to-left sheets,
numbers as numbers, ₪ as a number format) and one self-contained right-to-left page with inline SVG
charts (no network, no scripts): printable on A4 and readable on a phone. Both are drawn from the same
`Report` and the policy's barriers, so the page, the spreadsheet and `report --json` agree to the shekel.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from zchuyot.text.labels import choice_label, current_lang, month_label, t

SHEKEL_FORMAT = '"₪"#,##0.00;-"₪"#,##0.00'


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(float(x), 2)


def _shekel(x: float) -> str:
    n = _num(x)
    return f"₪{n:,}" if isinstance(n, int) else f"₪{n:,.2f}"


def write_xlsx(rep: Any, barriers: list[Any], path: Path) -> None:
    """Sheets: summary, by domain, by worker, benefits, barriers — every sheet right to left."""
    import xlsxwriter

    j = rep.as_json()
    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True, "reading_order": 2})
    text = book.add_format({"reading_order": 2})
    money = book.add_format({"num_format": SHEKEL_FORMAT})

    def sheet(name: str, headers: list[str], rows: list[list[Any]], money_cols: tuple[int, ...] = ()) -> None:
        ws = book.add_worksheet(name)
        ws.right_to_left()
        for c, h in enumerate(headers):
            ws.write(0, c, h, bold)
            ws.set_column(c, c, 22)
        for r, row in enumerate(rows, 1):
            for c, v in enumerate(row):
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(r, c, v, money if c in money_cols else None)
                else:
                    ws.write_string(r, c, str(v), text)

    b = j["benefits"]
    summary = book.add_worksheet(t("xl.summary"))
    summary.right_to_left()
    summary.set_column(0, 0, 40)
    summary.set_column(1, 1, 18)
    summary.write(0, 0, t("xl.figure"), bold)
    summary.write(0, 1, t("xl.value"), bold)
    figures = [("rep.workers", j["workers"], False), ("rep.families", j["families"], False),
               ("rep.issues", j["issues"], False), ("rep.accompaniments", j["accompaniments"], False),
               ("rep.benefits", b["count"], False), ("rep.monthly_total", b["monthly_total"], True),
               ("rep.one_off_total", b["one_off_total"], True), ("rep.yearly_total", b["yearly_total"], True),
               ("rep.ref_count", j["referrals"]["count"], False), ("rep.events", j["events"]["count"], False)]
    for r, (key, value, is_money) in enumerate(figures, 1):
        summary.write_string(r, 0, t(key), text)
        summary.write_number(r, 1, value, money if is_money else None)
    sheet(t("rep.by_domain"), [t("field.domain"), t("rep.count")],
          [[choice_label("domain", k), v] for k, v in j["by_domain"].items()])
    who = ("xl.by_department", "xl.department") if rep.departments else ("xl.by_worker", "xl.worker")
    sheet(t(who[0]), [t(who[1]), t("rep.issues"), t("rep.benefits"), t("rep.yearly_total")],
          [[rep.name("worker", w), d["issues"], d["benefits"], d["yearly_total"]] for w, d in j["by_worker"].items()],
          money_cols=(3,))
    sheet(t("xl.benefits"), [t("xl.month"), t("rep.monthly_total"), t("rep.one_off_total")],
          [[month_label(m), d["monthly"], d["one_off"]] for m, d in j["benefits_by_month"].items()], money_cols=(1, 2))
    sheet(t("xl.barriers"), [t("field.barrier_kind"), t("rep.count"), t("xl.families"), t("xl.bodies")],
          [[choice_label("barrier", x.kind), len(x.issues), len(x.families), ", ".join(x.bodies)] for x in barriers])
    book.close()


# ---------------------------------------------------------------- the page
def _bars(title: str, items: list[tuple[str, float]], money: bool = False, width: int = 640) -> str:
    """A horizontal bar chart as inline SVG, right to left: labels at the right, bars growing leftwards."""
    if not items:
        return ""
    top = max(v for _, v in items) or 1
    row, label_w = 34, 210
    height = row * len(items) + 10
    parts = [f'<figure><figcaption>{html.escape(title)}</figcaption>',
             f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{html.escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg" direction="rtl">']
    for n, (label, value) in enumerate(items):
        y = 5 + n * row
        bar = (width - label_w - 110) * (value / top)
        x_bar = width - label_w - bar
        shown = _shekel(value) if money else f"{_num(value):,}"
        parts.append(f'<text x="{width - 4}" y="{y + 21}" text-anchor="start" class="l">{html.escape(label)}</text>')
        parts.append(f'<rect x="{x_bar:.1f}" y="{y + 4}" width="{bar:.1f}" height="{row - 10}" rx="3" class="b"/>')
        parts.append(f'<text x="{x_bar - 6:.1f}" y="{y + 21}" text-anchor="end" class="v" '
                     f'direction="ltr" data-value="{_num(value)}">{html.escape(shown)}</text>')
    parts.append("</svg></figure>")
    return "".join(parts)


CSS = """
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans Hebrew", "Arial", "DejaVu Sans", sans-serif; margin: 0 auto; max-width: 960px;
       padding: 16px; color: #1d2a36; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 4px; } h2 { font-size: 1.15rem; margin: 22px 0 8px; }
.period { color: #52606d; margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
.card { border: 1px solid #d9e2ec; border-radius: 10px; padding: 10px 12px; break-inside: avoid; }
.card .n { font-size: 1.7rem; font-weight: 700; color: #0b6e4f; direction: ltr; unicode-bidi: isolate; }
.card .k { color: #52606d; font-size: .9rem; }
figure { margin: 8px 0 16px; break-inside: avoid; } figcaption { font-weight: 600; margin-bottom: 4px; }
svg .b { fill: #3b8f6f; } svg .l { font-size: 14px; fill: #1d2a36; } svg .v { font-size: 13px; fill: #1d2a36; }
table { border-collapse: collapse; width: 100%; break-inside: avoid; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 6px 8px; text-align: right; }
td.num { direction: ltr; text-align: right; unicode-bidi: isolate; }
.note { color: #52606d; font-size: .85rem; }
@media (max-width: 600px) { body { padding: 8px; } .card .n { font-size: 1.35rem; } }
"""


def page(rep: Any, barriers: list[Any], department: str) -> str:
    """The year as one right-to-left page: the headline figures, then the charts and tables."""
    j = rep.as_json()
    b = j["benefits"]
    lang = current_lang()
    cards = [("rep.families", j["families"], False), ("rep.issues", j["issues"], False),
             ("rep.accompaniments", j["accompaniments"], False), ("rep.benefits", b["count"], False),
             ("rep.yearly_total", b["yearly_total"], True), ("rep.monthly_total", b["monthly_total"], True),
             ("rep.one_off_total", b["one_off_total"], True), ("rep.ref_count", j["referrals"]["count"], False),
             ("rep.events", j["events"]["count"], False)]
    out = [f'<!doctype html><html lang="{lang}" dir="{"rtl" if lang == "he" else "ltr"}"><head>'
           '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
           f'<title>{html.escape(t("page.title", department=department))}</title><style>{CSS}</style></head><body>',
           f'<h1>{html.escape(t("page.title", department=department))}</h1>',
           '<p class="period">' + html.escape(t("page.period", start=rep.start.strftime("%d/%m/%Y"),
                                                 end=rep.end.strftime("%d/%m/%Y"))) + "</p>",
           '<section class="cards">']
    for key, value, money in cards:
        shown = _shekel(value) if money else f"{_num(value):,}"
        out.append(f'<div class="card" data-key="{key}" data-value="{_num(value)}"><div class="n">{html.escape(shown)}'
                   f'</div><div class="k">{html.escape(t(key))}</div></div>')
    out.append("</section>")
    out.append(_bars(t("rep.by_domain"), [(choice_label("domain", k), v) for k, v in j["by_domain"].items()]))
    out.append(_bars(t("rep.by_status"), [(choice_label("status", k), v) for k, v in j["by_status"].items()]))
    months = j["benefits_by_month"]
    out.append(_bars(t("page.monthly_by_month"), [(month_label(m), d["monthly"]) for m, d in months.items()
                                                   if d["monthly"]], money=True))
    out.append(_bars(t("page.one_off_by_month"), [(month_label(m), d["one_off"]) for m, d in months.items()
                                                   if d["one_off"]], money=True))
    out.append(_bars(t("rep.accompaniments_by"), [(t(f"rep.acc_{k}"), v) for k, v in j["accompaniments_by"].items()]))
    r = j["referrals"]
    if r["count"]:
        med = r["median_days_to_feedback"]
        line = t("rep.referrals_line", n=r["count"], fb=r["with_feedback"], days="-" if med is None else f"{med:g}")
        out.append(f'<h2>{html.escape(t("field.referrals"))}</h2><p>{html.escape(line)}</p>')
        out.append(_bars(t("page.by_partner"), [(rep.name("partner", k), v) for k, v in r["by_partner"].items()]))
    if barriers:
        out.append(f'<h2>{html.escape(t("page.barriers"))}</h2><table><tr><th>{html.escape(t("field.barrier_kind"))}'
                   f'</th><th>{html.escape(t("rep.count"))}</th><th>{html.escape(t("xl.families"))}</th>'
                   f'<th>{html.escape(t("xl.bodies"))}</th></tr>')
        for x in barriers:
            out.append(f'<tr><td>{html.escape(choice_label("barrier", x.kind))}</td>'
                       f'<td class="num">{len(x.issues)}</td>'
                       f'<td class="num">{len(x.families)}</td><td>{html.escape(", ".join(x.bodies))}</td></tr>')
        out.append("</table>")
    if j["by_worker"]:
        who = ("xl.by_department", "xl.department") if rep.departments else ("xl.by_worker", "xl.worker")
        out.append(f'<h2>{html.escape(t(who[0]))}</h2><table><tr><th>{html.escape(t(who[1]))}'
                   f'</th><th>{html.escape(t("rep.issues"))}</th><th>{html.escape(t("rep.benefits"))}</th>'
                   f'<th>{html.escape(t("rep.yearly_total"))}</th></tr>')
        for w, d in j["by_worker"].items():
            out.append(f'<tr data-worker="{html.escape(w)}"><td>{html.escape(rep.name("worker", w))}</td>'
                       f'<td class="num">{d["issues"]}</td>'
                       f'<td class="num">{d["benefits"]}</td><td class="num">{html.escape(_shekel(d["yearly_total"]))}'
                       "</td></tr>")
        out.append("</table>")
    out.append(f'<p class="note">{html.escape(t("page.note"))}</p></body></html>')
    return "\n".join(x for x in out if x)
