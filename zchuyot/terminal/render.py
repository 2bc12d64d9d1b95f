"""Rich output for people: tables, the form, the steps — in logical or visual Hebrew (rtl.py).

This module only formats; it never reads files and never decides anything.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from rich.align import Align
from rich.console import Console
from rich.table import Table
from rich.text import Text

from zchuyot import flow
from zchuyot.case import form
from zchuyot.case.form import STEPS
from zchuyot.text import rtl
from zchuyot.text.labels import choice_label, t

LONG_TABLE = 300  # rows; a longer table is written as plain aligned lines


def fmt_date(d: Any, short: bool = False) -> str:
    """Israeli order: 23/11/2026 (short: 23/11/26)."""
    if isinstance(d, dt.date):
        return d.strftime("%d/%m/%y" if short else "%d/%m/%Y")
    return "" if d is None else str(d)


def fmt_shekel(amount: Any) -> str:
    """₪1,250 / ₪1,250.50 — the Israeli way (sign before the number)."""
    if amount is None or amount == "":
        return ""
    a = float(amount)
    s = f"{a:,.0f}" if a.is_integer() else f"{a:,.2f}"
    return f"₪{s}"


def fmt_value(f: form.Field, v: Any) -> str:
    """One field's value as a person reads it, by its kind in the form (a record: its values joined)."""
    if v is None or v == "" or v == []:
        return ""
    if f.kind == "date":
        return fmt_date(v)
    if f.kind == "choice":
        return choice_label(f.vocab or "", v)
    if f.kind == "number":
        return fmt_shekel(v)
    if f.kind == "bool":
        return ""
    if f.key == "outcome":  # "הנחה בארנונה – ₪310 חודשי (חוב או חיוב שנמנע)", and when it was lost
        said = " ".join(x for x in (fmt_shekel(getattr(v, "amount", None)),
                                    choice_label("period", getattr(v, "period", None))) if x)
        kind = choice_label("outcome_kind", getattr(v, "kind", None))
        until = getattr(v, "until", None)
        return (" – ".join(x for x in (getattr(v, "benefit", None), said) if x) + (f" ({kind})" if kind else "")
                + (f" – {t('field.outcome_until')}{fmt_date(until)}" if until else ""))
    if f.kind == "map":
        return " – ".join(x for x in (fmt_value(s, getattr(v, s.attr, None)) for s in f.sub) if x)
    return str(v)


def _cell(f: form.Field, v: Any) -> str:
    return (t("ui.yes") if v else "") if f.kind == "bool" else fmt_value(f, v)


# what `show` draws apart: the id is the title, the step is the eight steps, the lists are tables
_NOT_ROWS = frozenset(("id", "step"))


class Renderer:
    def __init__(self, console: Console, mode: str, lang: str) -> None:
        self.console = console
        self.visual = mode == "visual"
        self.lang = lang
        self.rtl = lang == "he"

    # ---------------------------------------------------------- primitives
    def line(self, text: str, style: str | None = None) -> None:
        text = rtl.isolate_latin(rtl.visible(text))  # Latin words inside Hebrew stay one unit, in every mode
        if self.visual:
            hebrew = rtl.has_hebrew(text)  # every line of a Hebrew paragraph goes to the right, wrapped ones too
            for ln in rtl.wrap(text, self.console.width):
                vis = rtl.visual(ln, paragraph_rtl=hebrew)
                self.console.print(Text(vis, style=style or ""), justify="right" if hebrew else "left",
                                   no_wrap=True, overflow="crop", crop=False)
        else:
            self.console.print(Text(text, style=style or ""), soft_wrap=True)

    def blank(self) -> None:
        self.console.print()

    def plain(self, texts: Iterable[str]) -> None:
        """Many lines at once, as `line` writes them without style (thousands of search results): written in
        batches straight to the terminal instead of one Rich print each."""
        write, out = self.console.file.write, []
        width = self.console.width
        for text in texts:
            text = rtl.isolate_latin(rtl.visible(text))
            if self.visual:
                hebrew = rtl.has_hebrew(text)
                for ln in rtl.wrap(text, width):
                    vis = rtl.visual(ln, paragraph_rtl=hebrew)
                    if hebrew:  # right-aligned as Rich's justify="right" does it: no trailing spaces kept
                        vis = vis.rstrip()
                        vis = " " * max(width - rtl.cell_width(vis), 0) + vis
                    out.append(vis)
            else:
                out.append(text)
            if len(out) >= 500:
                write("\n".join(out) + "\n")
                out.clear()
        if out:
            write("\n".join(out) + "\n")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], title: str | None = None,
              styles: Sequence[str | None] | None = None, show_header: bool = True,
              nowrap: Sequence[int] = (), prefer: int | None = None) -> None:
        """A table. Visual mode: we wrap and reorder each line ourselves, first column on the right.

        `nowrap`: columns that must never be cut (ids, dates, codes); `prefer`: the column that keeps
        its width longest when the terminal is narrow (the subject, the log text)."""
        if title:
            self.line(title, style="bold")
        headers = [rtl.visible(str(h)) for h in headers]
        rows = [[rtl.visible(str(c)) for c in r] for r in rows]
        ncol = len(headers)
        cells = [list(headers)] + [list(r) for r in rows]
        widths = self._widths(cells, ncol, nowrap, prefer=prefer)
        if len(rows) > LONG_TABLE:  # Rich draws a few hundred rows well, not ten thousand
            self._long_table(cells, widths, show_header)
            return
        if not self.visual:
            tb = Table(show_header=show_header, header_style="bold", expand=False)
            for j, h in enumerate(headers):
                tb.add_column(h, overflow="fold", no_wrap=j in nowrap, width=widths[j])
            for i, r in enumerate(rows):
                tb.add_row(*[Text(c) for c in r], style=(styles[i] if styles else None))
            self.console.print(tb)
            return
        tb = Table(show_header=show_header, header_style="bold", expand=False, padding=(0, 1))
        order = list(range(ncol))[::-1] if self.rtl else list(range(ncol))
        for j in order:
            hebrew_col = any(rtl.has_hebrew(str(r[j])) for r in cells)
            tb.add_column(self._vcell(headers[j], widths[j]), width=widths[j], no_wrap=True,
                          overflow="crop", justify="right" if hebrew_col and self.rtl else "left")
        for i, r in enumerate(rows):
            tb.add_row(*[self._vcell(str(r[j]), widths[j]) for j in order], style=(styles[i] if styles else None))
        self.console.print(Align.right(tb) if self.rtl else tb)

    def _long_table(self, cells: list[list[str]], widths: list[int] | None, show_header: bool,
                    rows: Any = None, nowrap: Sequence[int] = (), prefer: int | None = None) -> None:
        """The same columns, wrapped the same way, written as plain lines (fast for thousands of rows), each
        row as soon as it is made. `rows` (an iterator) follows `cells`; then the widths, when not given, come
        from the header and the first rows only, so that the first line is out at once."""
        first: list[list[str]] = []
        if rows is not None:
            rows = iter(rows)
            first = [list(r) for r in itertools.islice(rows, 200)]
        if widths is None:
            widths = self._widths(cells + first, len(cells[0]), nowrap, prefer=prefer)
        ncol = len(widths)
        order = list(range(ncol))[::-1] if (self.visual and self.rtl) else list(range(ncol))
        sample = cells + first
        right = [self.visual and self.rtl and any(rtl.has_hebrew(str(r[j])) for r in sample) for j in range(ncol)]
        out: list[str] = []
        write = self.console.file.write
        pad_to = self.console.width if (self.visual and self.rtl) else 0

        def flush() -> None:
            if pad_to:
                write("".join(" " * max(pad_to - rtl.cell_width(ln), 0) + ln + "\n" for ln in out))
            else:
                write("".join(ln + "\n" for ln in out))
            out.clear()

        width_of, visual = rtl.cell_width, self.visual

        def emit(row: list[str]) -> None:
            wrapped = [rtl.wrap(str(row[j]), widths[j]) for j in range(ncol)]
            height = max(map(len, wrapped))
            hebrew = [height > 1 and rtl.has_hebrew(str(row[j])) for j in range(ncol)]
            for k in range(height):
                parts = []
                for j in order:
                    piece = wrapped[j][k] if k < len(wrapped[j]) else ""
                    if visual:
                        piece = rtl.visual(piece, paragraph_rtl=hebrew[j])
                    pad = " " * (widths[j] - width_of(piece))
                    parts.append(pad + piece if right[j] else piece + pad)
                out.append(" │ ".join(parts) if visual else " │ ".join(parts).rstrip())

        if show_header:
            emit(cells[0])
            out.append("─┼─".join("─" * widths[j] for j in order))
        for row in itertools.chain(cells[1:], first, rows or ()):
            emit(row)
            if len(out) >= 200:
                flush()
        flush()

    def _vcell(self, text: str, width: int) -> str:
        """A cell's lines in visual order; a wrapped line of a Hebrew cell is a line of a right-to-left
        paragraph even when it holds only Latin (`family waiver)` is the end of a Hebrew sentence)."""
        lines = rtl.wrap(text, width)
        hebrew = len(lines) > 1 and rtl.has_hebrew(text)
        return "\n".join(rtl.visual(ln, paragraph_rtl=hebrew) for ln in lines)

    def _widths(self, cells: list[list[str]], ncol: int, nowrap: Sequence[int] = (), border: int = 3,
                prefer: int | None = None) -> list[int]:
        """Column widths that fit the terminal: shrink the widest wrappable column first."""
        def longest(j: int, words: bool) -> int:
            parts = (p for r in cells for p in (str(r[j]).split() if words else str(r[j]).split("\n")))
            return max((rtl.cell_width(p) for p in parts), default=1)

        natural = [max(longest(j, False), 1) for j in range(ncol)]
        floor = [natural[j] if j in nowrap else min(natural[j], max(4, min(10, longest(j, True))))
                 for j in range(ncol)]
        avail = self.console.width - (border * ncol + 1)
        if sum(floor) > avail:  # a narrow terminal: cut long words rather than ids and dates
            floor = [f if j in nowrap else min(f, 3) for j, f in enumerate(floor)]
        avail = max(avail, sum(floor))
        widths = natural[:]
        share = [2.5 if k == prefer else 1.0 for k in range(ncol)]
        while sum(widths) > avail:
            j = max(range(ncol), key=lambda k: (widths[k] - floor[k]) / share[k])
            if widths[j] <= floor[j]:
                break
            widths[j] -= 1
        return widths

    def kv(self, pairs: Sequence[tuple[str, str]], title: str | None = None) -> None:
        """Label: value lines, as a borderless two-column table."""
        if title:
            self.line(title, style="bold")
        rows = [(rtl.visible(str(k)), rtl.visible(str(v))) for k, v in pairs]
        if not self.visual:
            tb = Table(show_header=False, box=None, padding=(0, 1))
            tb.add_column(style="bold", no_wrap=True)
            tb.add_column(overflow="fold")
            for k, v in rows:
                tb.add_row(Text(k + ":"), Text(v))
            self.console.print(tb)
            return
        cells = [[k + ":", v] for k, v in rows]
        widths = self._widths(cells, 2, nowrap=(0,), border=2)
        tb = Table(show_header=False, box=None, padding=(0, 1))
        order = [1, 0] if self.rtl else [0, 1]
        for j in order:
            tb.add_column(width=widths[j], no_wrap=True, overflow="crop",
                          justify="right" if self.rtl else "left", style="bold" if j == 0 else None)
        for r in cells:
            tb.add_row(*[self._vcell(r[j], widths[j]) for j in order])
        self.console.print(Align.right(tb) if self.rtl else tb)

    # ---------------------------------------------------------- views
    def issue_rows(self, records: Sequence[Any], all_workers: bool) -> tuple[list[str], Iterator[list[str]]]:
        headers = [t("field.id"), t("field.family"), t("field.subject"), t("field.domain"), t("field.state"),
                   t("field.next_followup")]
        if all_workers:
            headers.insert(2, t("field.worker_code"))

        def rows() -> Iterator[list[str]]:
            for r in records:
                i = r.issue
                # an open issue is described by its step; a closed one by how it ended
                state = choice_label("step", i.step) if i.is_open else choice_label("status", i.status)
                row = [i.id, i.family, i.subject, choice_label("domain", i.domain), state,
                       fmt_date(i.next_followup, short=True) if i.is_open else ""]
                if all_workers:
                    row.insert(2, r.worker_dir)
                yield row

        return headers, rows()

    def issue_list(self, records: Sequence[Any], all_workers: bool) -> None:
        if not records:
            self.line(t("ui.no_issues"))
            return
        headers, rows = self.issue_rows(records, all_workers)
        nowrap = (0, 1, 2, len(headers) - 1) if all_workers else (0, 1, len(headers) - 1)
        title = t("ui.count_one") if len(records) == 1 else t("ui.count", n=len(records))
        if len(records) > LONG_TABLE:  # thousands of rows: plain lines, written as they are made
            self.line(title, style="bold")
            self._long_table([headers], None, True, rows=rows, nowrap=nowrap, prefer=3 if all_workers else 2)
            return
        self.table(headers, list(rows), title=title, nowrap=nowrap,
                   prefer=3 if all_workers else 2)

    def found(self, items: Sequence[Any], width: int = 110) -> None:
        """Search results: per issue its id, family, subject and status, then each line that matched."""
        if not items:
            self.line(t("ui.search_none"))
            return
        self.line(t("ui.search_one") if len(items) == 1 else t("ui.search_count", n=len(items)), style="bold")
        labels = {k: t(form.BY_KEY[k].label_key) for k in {k for f in items for k, _ in f.lines}}

        def lines(f: Any) -> Iterator[str]:
            yield f"{f.id} · {f.family} · {f.subject} · {choice_label('status', f.status)}"
            for key, text in f.lines:
                one = " ".join(text.split())
                yield f"  {labels[key]}: {one if len(one) <= width else one[:width] + '…'}"

        if len(items) > LONG_TABLE:  # thousands of results: plain lines, written in batches
            self.plain(x for f in items for x in ("", *lines(f)))
            return
        for f in items:
            self.blank()
            first, *rest = lines(f)
            self.line(first, style="bold")
            for x in rest:
                self.line(x)

    def problems(self, problems: Sequence[Any], title_key: str = "ui.errors_found") -> None:
        if not problems:
            return
        self.line(t(title_key), style="bold red")
        for p in problems:
            self.line(p.headline(), style="red" if p.severity == "error" else "yellow")

    def issue(self, rec: Any) -> None:
        """The form, in its own order: its fields always (empty until filled), the others when they have a
        value; then the eight steps; then each list of records as a table with the records' fields."""
        i = rec.issue
        self.line(t("ui.form_title", id=i.id), style="bold")
        pairs = []
        for f in form.ISSUE:
            if f.key in _NOT_ROWS or f.kind == "list" or (f.key == "next_followup" and not i.is_open):
                continue  # a closed issue has no next follow-up: its status and closing date say where it is
            value = fmt_value(f, getattr(i, f.attr))
            if value or f.form:
                pairs.append((t(f.label_key), value))
        self.kv(pairs)
        self.blank()
        self.steps(i)
        self.blank()
        for f in form.ISSUE:
            if f.kind != "list":
                continue
            records = getattr(i, f.attr)
            if f.key == "log":  # as read: corrections applied, each entry with its number (for `correct`)
                self._log(i.corrected_log)
                continue
            if f.key == "deadlines" and records:  # each clock with where it stands: running, stopped, missed
                self._clocks(i)
                continue
            if not records:
                if f.form:
                    self.line(f"{t(f.label_key)}: {t('ui.' + f.key + '_none')}")
                continue
            cols = [s for s in f.sub
                    if s.show and any(getattr(r, s.attr, None) not in (None, "", False) for r in records)]
            self.table(["#" if s.key == "id" else t(s.label_key) for s in cols],
                       [[_cell(s, getattr(r, s.attr, None)) for s in cols] for r in records],
                       title=t(f.label_key), nowrap=tuple(n for n, s in enumerate(cols) if s.kind in ("date", "ref")))

    def _clocks(self, issue: Any) -> None:
        from zchuyot.calendar.dates import today
        from zchuyot.case.rules import clock_states

        f = form.BY_KEY["deadlines"]
        cols = [s for s in f.sub if s.show]
        on = today()
        rows, styles = [], []
        for c in clock_states(issue, on):
            state = t(f"clock.{c.state}", date=fmt_date(c.appeal), days=(c.clock.due - on).days)
            rows.append([*(_cell(s, getattr(c.clock, s.attr, None)) for s in cols), state])
            styles.append("red" if c.state in ("missed", "late") else "dim" if c.state == "stopped" else None)
        self.table([*(t(s.label_key) for s in cols), t("clock.state")], rows, styles=styles, title=t(f.label_key),
                   nowrap=tuple(n for n, s in enumerate(cols) if s.kind == "date"))

    def _log(self, entries: Sequence[Any]) -> None:
        f = form.BY_KEY["log"]
        if not entries:
            self.line(f"{t(f.label_key)}: {t('ui.log_none')}")
            return
        entries = sorted(entries, key=lambda e: (e.date, e.n))
        cols = [s for s in f.sub if s.show and any(getattr(e, s.attr, None) not in (None, "", False) for e in entries)]
        rows = []
        for e in entries:
            row = [str(e.n)]
            for s in cols:
                cell = _cell(s, getattr(e, s.attr, None))
                row.append(f"{cell} {t('ui.was_corrected')}" if e.corrected and s.key == "text" else cell)
            rows.append(row)
        self.table(["#", *[t(s.label_key) for s in cols]], rows, title=t(f.label_key),
                   nowrap=(0, *(n + 1 for n, s in enumerate(cols) if s.kind in ("date", "ref"))))

    def steps(self, issue: Any) -> None:
        reached = set(flow.reached_steps(issue))
        current = (issue.step if issue.step in STEPS else "listen") if issue.is_open else None
        rows, styles = [], []
        for s in flow.STEP_LIST:
            mark = t("ui.current") if s.key == current else (t("ui.reached") if s.key in reached else "")
            rows.append([str(s.number), t(f"step.{s.key}"), mark])
            styles.append("bold reverse" if s.key == current else (None if s.key in reached else "dim"))
        self.table(["#", t("ui.steps"), ""], rows, styles=styles, nowrap=(0, 1, 2))

    # ---------------------------------------------------------- steps
    def body(self, act: Any, errors: Sequence[Any] = ()) -> None:
        """A body of the directory: its people, then what the issues say of it (which door opened)."""
        b = act.body
        self.line(f"{b.name} ({b.key})", style="bold")
        if b.aliases:
            self.line(f"{t('dir.aliases')}: {', '.join(b.aliases)}")
        self.blank()
        if b.contacts:
            cols = ("person", "role", "phone", "email", "note")
            self.table([t(f"dir.{c}") for c in cols], [[getattr(c, k) for k in cols] for c in b.contacts],
                       title=t("dir.contacts"), nowrap=(2,), prefer=0)
        else:
            self.line(t("dir.no_contacts", key=b.key))
        self.blank()
        self.line(t("dir.summary", refusals=act.refusals, won=act.won, yearly=fmt_shekel(act.yearly)))
        if act.issues:
            self.blank()
            self.table([t("field.id"), t("fu.family_col"), t("field.worker_code"), t("field.subject"),
                        t("field.status")],
                       [[x["id"], x["family"], x["worker"], x["subject"], choice_label("status", x["status"])]
                        for x in act.issues], title=t("dir.issues", n=len(act.issues)), nowrap=(0, 1, 2),
                       prefer=3)
        if errors:
            self.blank()
            self.problems(errors)

    def waivers(self, valid: Sequence[Any], missing: Sequence[str]) -> None:
        """Which bodies the family's confidentiality waivers cover today, and what the open work needs that
        none covers."""
        self.blank()
        if valid:
            for w in valid:
                until = fmt_date(dt.date.fromordinal(w.expires)) if w.expires else t("ui.no_expiry")
                self.line(t("ui.waiver_covers", bodies=", ".join(w.names), until=until))
        else:
            self.line(t("ui.waiver_none"))
        if missing:
            self.line(t("ui.waiver_missing", bodies=", ".join(missing)), style="yellow")

    def plan(self, issue: Any) -> None:
        if not issue.actions:
            self.line(f"{t('ui.plan_title', id=issue.id)}: {t('ui.actions_none')}")
            return
        self.table(["#", t("field.what"), t("field.who"), t("field.due"), t("field.org"), t("field.agreed"),
                    t("field.done")],
                   [[str(a.id), a.what, choice_label("who", a.who) + (f" ({a.person})" if getattr(a, "person", None)
                                                                    else ""), fmt_date(a.due), a.body or "",
                     t("ui.yes") if a.agreed else "", fmt_date(a.done) if a.done else
                     t("ui.action_cancelled", date=fmt_date(a.cancelled)) if getattr(a, "cancelled", None) else ""]
                    for a in issue.actions],
                   title=t("ui.plan_title", id=issue.id), nowrap=(0, 3, 6), prefer=1)

    def suggestions(self, items: Sequence[Any]) -> None:
        if not items:
            return
        self.blank()
        self.line(t("ui.whats_next"), style="bold")
        for s in items:
            params = dict(s.params)
            for k in ("step", "guide"):
                if k in params:
                    params[k] = t(params[k])
            self.line("• " + t(s.key, **params), style="yellow" if s.key != "ui.next_step" else None)

    def policy(self, rep: Any) -> None:
        if rep.barriers:
            rows = []
            for b in rep.barriers:
                j = b.as_json()
                rows.append([choice_label("barrier", b.kind), str(j["count"]), str(j["families"]),
                             str(j["workers"]), "; ".join(j["bodies"]), " ".join(j["issues"])])
            self.table([t("field.barrier_kind"), t("ui.issues"), t("ui.families"), t("ui.workers"),
                        t("field.bodies"), t("field.id")], rows, title=t("ui.barriers_title"),
                       nowrap=(1, 2, 3), prefer=4)
        else:
            self.line(t("ui.no_barriers"))
        self.blank()
        if rep.flagged:
            self.table([t("field.id"), t("field.family"), t("field.subject"), t("field.policy")],
                       [[r.issue.id, r.issue.family, r.issue.subject, r.issue.policy.note or ""] for r in rep.flagged],
                       title=t("ui.flagged_title"), nowrap=(0, 1), prefer=3)
        else:
            self.line(t("ui.flagged_none"))
        if rep.errors:
            self.blank()
            self.problems(rep.errors)

    # ---------------------------------------------------------- followup and report
    def followup(self, fu: Any, explain: bool = False, limit: int | None = None) -> None:
        """The morning screen: the most pressing items grouped by family (the first `limit` items, whole
        families), then what was left out counted by reason (per worker when there are several) and how
        to see it all. `limit=None` (`--all`): every item, as plain aligned lines written as they come."""
        self.line(t("fu.title", weekday=t(f"weekday.{fu.on.weekday()}"), date=fmt_date(fu.on)), style="bold")
        if not fu.items:
            self.line(t("fu.none"))
        else:
            self.line(t("fu.count", n=len(fu.items)))
        if limit is None:
            if fu.items:
                self.blank()
                rows = ([it.issue.id, it.issue.family, _fu_subject(it),
                         "\n".join(self.reason_text(r, fu.on) for r in it.reasons), str(it.score)] for it in fu.items)
                self._long_table([[t("field.id"), t("fu.family_col"), t("field.subject"), t("fu.todo"),
                                   t("fu.score")]], None, True, rows=rows, nowrap=(0, 1, 4), prefer=3)
            self._followup_tail(fu, explain, fu.items)
            return
        shown, left = _first_families(fu.items, limit)
        family = None
        group: list[Any] = []

        def flush() -> None:
            if not group:
                return
            rows = [[it.issue.id, _fu_subject(it), "\n".join(self.reason_text(r, fu.on) for r in it.reasons),
                     str(it.score)] for it in group]
            self.blank()
            self.table([t("field.id"), t("field.subject"), t("fu.todo"), t("fu.score")], rows,
                       title=t("fu.family", family=group[0].issue.family), nowrap=(0, 3), prefer=2)

        for it in shown:
            if it.issue.family != family:
                flush()
                group = []
                family = it.issue.family
            group.append(it)
        flush()
        if left:
            self.blank()
            self.line(t("fu.more", n=f"{len(left):,}", parts=_by_reason(left)), style="bold")
            workers = sorted({it.worker for it in left})
            if len(workers) > 1:
                for w in workers:
                    mine = [it for it in left if it.worker == w]
                    self.line(t("fu.more_worker", worker=w, n=f"{len(mine):,}", parts=_by_reason(mine)))
            self.line(t("fu.more_all"))
        self._followup_tail(fu, explain, shown)

    def _followup_tail(self, fu: Any, explain: bool, items: Sequence[Any]) -> None:
        if explain and items:
            self.blank()
            for it in items:
                parts = [f"{t('fur.' + c)} {p}" for c, p in it.points_by_code().items()]
                parts += [f"{t('fu.' + k)} {p}" for k, p in it.bonus]
                self.line(t("fu.explain", id=it.issue.id, score=it.score, parts=" + ".join(parts)))
        if fu.errors:
            self.blank()
            self.problems(fu.errors)

    def reason_text(self, r: Any, on: Any) -> str:
        days = (r.date - on).days if r.date else 0
        return t(f"fu.{r.code}", detail=r.detail, date=fmt_date(r.date), days=days)

    def report(self, rep: Any, earlier: Any = None) -> None:
        self.line(t("rep.title", start=fmt_date(rep.start), end=fmt_date(rep.end)), style="bold")
        if not rep.issues:
            self.line(t("rep.empty"))
        kinds = rep.by_outcome_kind
        won = [(t(f"rep.kind_{k}"), fmt_shekel(kinds[k]["yearly_total"])) for k in ("recovery", "avoidance")
               if k in kinds]
        at = rep.accompaniments_at
        where = [(t("rep.acc_offices"), str(sum(v for k, v in at.items() if k != "medical_committee"))),
                 (t("rep.acc_medical"), str(at.get("medical_committee", 0)))] if rep.accompaniments else []
        self.kv([
            (t("rep.workers"), str(rep.workers)),
            (t("rep.families"), str(rep.families)),
            (t("rep.issues"), str(rep.issues)),
            (t("rep.accompaniments"), str(rep.accompaniments)),
            *where,
            (t("rep.benefits"), str(rep.benefit_count)),
            (t("rep.monthly_total"), fmt_shekel(rep.monthly_total)),
            (t("rep.one_off_total"), fmt_shekel(rep.one_off_total)),
            (t("rep.yearly_total"), fmt_shekel(rep.yearly_total)),
            *won,
        ] + ([(t("rep.lost"), t("rep.lost_value", n=rep.lost_count, monthly=fmt_shekel(rep.lost_monthly),
                                 one_off=fmt_shekel(rep.lost_one_off)))] if rep.lost_count else [])
          + ([(t("rep.clocks"), t("rep.clocks_value", **{k: str(v) for k, v in rep.clocks.items()}))]
             if rep.clocks["due"] else [])
          + ([(t("rep.events"), t("rep.events_value", count=rep.events["count"],
                                    participants=rep.events["participants"]))] if rep.events["count"] else []))
        if rep.value_by_domain:
            self.blank()
            self.table([t("field.domain"), t("rep.yearly_total")],
                       [[choice_label("domain", k), fmt_shekel(v)] for k, v in rep.value_by_domain.items()],
                       title=t("rep.value_by_domain"), nowrap=(1,))
        if rep.accompaniments_to:
            self.blank()
            self.table([t("field.org"), t("rep.count")], [[k, str(v)] for k, v in rep.accompaniments_to.items()],
                       title=t("rep.acc_by_body"), nowrap=(1,))
        if earlier is not None:
            self.blank()
            rows = [(t("rep.families"), rep.families, earlier.families), (t("rep.issues"), rep.issues, earlier.issues),
                    (t("rep.accompaniments"), rep.accompaniments, earlier.accompaniments),
                    (t("rep.benefits"), rep.benefit_count, earlier.benefit_count)]
            money = [(t("rep.yearly_total"), rep.yearly_total, earlier.yearly_total)]
            self.table([t("rep.figure"), t("rep.this_period"), t("rep.year_before")],
                       [[k, str(a), str(b)] for k, a, b in rows] +
                       [[k, fmt_shekel(a), fmt_shekel(b)] for k, a, b in money],
                       title=t("rep.compare_title", start=fmt_date(earlier.start), end=fmt_date(earlier.end)),
                       nowrap=(1, 2))
        if rep.referrals:
            self.blank()
            j = rep.as_json()["referrals"]
            med = j["median_days_to_feedback"]
            self.line(t("rep.referrals_line", n=rep.referrals, fb=rep.with_feedback,
                        days="-" if med is None else f"{med:g}"), style="bold")
            self.table([t("field.partner"), t("rep.count")], [[rep.name("partner", k), str(v)]
                                                               for k, v in rep.by_partner.items()],
                       nowrap=(1,))
        if rep.accompaniments_by:
            self.line(t("rep.accompaniments_by") + ": " + ", ".join(
                f"{t('rep.acc_' + k)} {v}" for k, v in rep.accompaniments_by.items()))
        if rep.missed:
            self.blank()
            self.table([t("field.id"), t("field.deadlines"), t("field.due")],
                       [[i, name, fmt_date(due)] for i, name, due in rep.missed], title=t("rep.missed"),
                       nowrap=(0, 2), styles=["red"] * len(rep.missed))
        if rep.by_domain:
            self.blank()
            self.table([t("field.domain"), t("rep.count")],
                       [[choice_label("domain", k), str(v)] for k, v in rep.by_domain.items()],
                       title=t("rep.by_domain"), nowrap=(1,))
        if rep.by_status:
            self.blank()
            self.table([t("field.status"), t("rep.count")],
                       [[choice_label("status", k), str(v)] for k, v in rep.by_status.items()],
                       title=t("rep.by_status"), nowrap=(1,))
        if rep.by_benefit:
            self.blank()
            self.table([t("field.benefit"), t("rep.count")], [[k, str(v)] for k, v in rep.by_benefit.items()],
                       title=t("rep.by_benefit"), nowrap=(1,))
        if rep.errors:
            self.blank()
            self.problems(rep.errors)


def _first_families(items: Sequence[Any], limit: int) -> tuple[list[Any], list[Any]]:
    """The first `limit` items of a ranked followup, without splitting a family (items come grouped)."""
    n = 0
    while n < len(items) and (n < limit or items[n].issue.family == items[n - 1].issue.family):
        n += 1
    return list(items[:n]), list(items[n:])


def _fu_subject(it: Any) -> str:
    """An item's subject; another worker's issue says whose it is (an action of it waits on this worker)."""
    return t("fu.waiting", subject=it.issue.subject, worker=it.worker) if it.waiting else it.issue.subject


def _by_reason(items: Sequence[Any]) -> str:
    """`3,100 שקטות, 1,900 מעקבים שהגיעו` — each item counted once, by its most pressing reason."""
    counts: dict[str, int] = {}
    for it in items:
        code = it.reasons[0].code
        counts[code] = counts.get(code, 0) + 1
    return ", ".join(t(f"fuc.{c}", n=f"{k:,}") for c, k in sorted(counts.items(), key=lambda x: -x[1]))
