"""What an issue's record means — one definition each, used by followup, show, the cache and report.

A refusal is *standing* while no escalation or appeal is logged on or after it; a legal clock is
*open* until an appeal is logged after the refusal that started it (an escalation to the floor
above answers a refusal but does not stop a legal clock). `attention` is what the daily check needs
of an open issue; the index cache keeps it, so followup decodes a few numbers per issue.

Every function takes a model or a light view (they have the same attribute names).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

ADMIN_KINDS = frozenset({"correction"})  # entries about the log itself, not work done


class Entry(NamedTuple):
    """A log entry as every display, report and check reads it: its correction applied (`corrected`)."""

    date: Any
    kind: str
    text: str
    by: str | None
    action: Any
    body: str | None
    n: int  # its place in the file's log, 1-based (what `zchuyot correct ID N` names)
    corrected: bool
    meeting: str | None = None  # an accompaniment: the kind of meeting it went to


def corrected(log: list[Any]) -> list[Entry]:
    """The log as it should be read: every `correction` entry applied to the entry it names (its place N,
    checked against the text it had, `was`; the later correction of a field wins) and left out itself.
    The file keeps both — the audit trail stays whole."""
    fixes: dict[int, dict[str, Any]] = {}
    texts = [getattr(e, "text", "") for e in log]
    for e in log:
        n = getattr(e, "corrects", None)
        if getattr(e, "kind", None) not in ADMIN_KINDS or not n:
            continue
        was = getattr(e, "was", None)
        if was is not None and not (1 <= n <= len(log) and texts[n - 1] == was) and was in texts:
            n = texts.index(was) + 1  # the entries moved (a merge): the entry that had that text
        change = {k: v for k in ("date", "kind", "text") if (v := getattr(e, "fix_" + k, None)) not in (None, "")}
        fixes.setdefault(n, {}).update(change)
    out = []
    for n, e in enumerate(log, 1):
        if e.kind in ADMIN_KINDS:
            continue
        fix = fixes.get(n, {})
        out.append(Entry(fix.get("date", e.date), fix.get("kind", e.kind), fix.get("text", e.text),
                         getattr(e, "by", None), getattr(e, "action", None), getattr(e, "body", None), n, bool(fix),
                         getattr(e, "meeting", None)))
    return out


def open_refusals(issue: Any) -> list[Any]:
    """Refusals with no escalation or appeal logged on or after them (a "no" still standing)."""
    persisted = issue.entries("refusal", "escalation", "appeal")
    answers = [x.date for x in persisted if x.kind in ("escalation", "appeal")]
    latest = max(answers) if answers else None
    return [e for e in persisted if e.kind == "refusal" and (latest is None or latest < e.date)]


def open_clocks(issue: Any) -> list[Any]:
    """Legal clocks not answered by an appeal logged after the refusal that started them (an appeal that
    came late answers it too — the daily check stops asking; `clock_states` keeps it visible as missed)."""
    appeals = [e.date for e in issue.entries("appeal")]
    return [d for d in issue.deadlines if not any(a >= (d.from_ or d.due) for a in appeals)]


class ClockState(NamedTuple):
    clock: Any  # the deadline record
    state: str  # running | stopped (an appeal in time) | late (the appeal came after the due date) | missed
    appeal: Any  # the date of the appeal that answered it, or None


def clock_states(issue: Any, today: dt.date) -> list[ClockState]:
    """Every legal clock of the issue and where it stands on `today`: stopped by an appeal in time, missed
    (run out with no appeal), late (appealed only after it ran out) or still running. A missed clock stays
    missed: a late appeal never makes it look met."""
    appeals = sorted(e.date for e in issue.entries("appeal"))
    out = []
    for d in issue.deadlines:
        first = next((a for a in appeals if a >= (d.from_ or d.due)), None)
        if first is not None:
            out.append(ClockState(d, "stopped" if first <= d.due else "late", first))
        else:
            out.append(ClockState(d, "missed" if d.due < today else "running", None))
    return out


class Attention(NamedTuple):
    """What the daily check looks at in one open issue. Dates are day ordinals (`date.toordinal()`)."""

    id: str
    family: str
    subject: str
    priority: int | None
    urgency: str | None
    next_followup: int | None
    last: int  # the last activity: the latest log entry, or the opening date
    clocks: list[tuple[str, int]]  # open legal clocks: (name, due)
    refusals: list[tuple[str, int]]  # refusals still standing: (text, date)
    actions: list[tuple[str, int, str]]  # planned actions not done that have a due date: (what, due, person)
    # open referrals: (partner key, due or None, date, what was asked)
    referrals: list[tuple[str, int | None, int, str]] = []
    feedback: tuple[str, int] | None = None  # a partner's feedback after the worker's own last entry
    needs: list[str] = []  # bodies of undone actions, "p:KEY" partners of open referrals: a waiver is needed
    partner: bool = False  # seen by a partner (`waiting_on`): its referrals are what it is asked to do

    def waiting_on(self, person: str, partner_keys: tuple[str, ...] = ()) -> Attention:
        """Another worker's issue as `person`'s followup sees it: only the actions that wait on her and the
        open referrals to the partners she is."""
        return self._replace(next_followup=None, last=_NEVER, clocks=[], refusals=[], feedback=None, needs=[],
                             actions=[a for a in self.actions if a[2] == person],
                             referrals=[r for r in self.referrals if r[0] in partner_keys], partner=True)


_NEVER = dt.date.max.toordinal()  # "last activity" of an issue whose quiet is not this worker's to chase


def attention(issue: Any) -> Attention:
    """An open issue (a model or a view) → what the daily check needs of it."""
    return Attention(
        issue.id, issue.family, issue.subject, issue.priority, issue.urgency,
        issue.next_followup.toordinal() if issue.next_followup else None, issue.last_activity().toordinal(),
        [(d.name or d.key, d.due.toordinal()) for d in open_clocks(issue)],
        [(e.text, e.date.toordinal()) for e in open_refusals(issue)],
        [(a.what, a.due.toordinal(), getattr(a, "person", None) or "") for a in issue.actions
         if not a.done and not getattr(a, "cancelled", None) and a.due is not None],
        [(r.to, r.due.toordinal() if r.due else None, r.date.toordinal(), r.ask) for r in open_referrals(issue)],
        new_feedback(issue), waiver_needs(issue))


def open_referrals(issue: Any) -> list[Any]:
    return [r for r in getattr(issue, "referrals", None) or [] if r.status == "open"]


def new_feedback(issue: Any) -> tuple[str, int] | None:
    """The latest feedback from a partner when it came after the issue's worker's own last entry (she has
    not answered it yet): (text, date)."""
    owner = issue.id.rsplit("-", 1)[0]
    log = issue.corrected_log
    own = [(e.date, e.n) for e in log if e.by == owner and e.kind not in ("feedback", *ADMIN_KINDS)]
    theirs = [e for e in log if e.kind == "feedback" and e.by != owner]
    if not theirs:
        return None
    last = max(theirs, key=lambda e: (e.date, e.n))
    if own and max(own) > (last.date, last.n):  # the same day: the one written later is the later
        return None
    return last.text, last.date.toordinal()


def waiver_needs(issue: Any) -> list[str]:
    """What a confidentiality waiver of the family must cover for the open work: the bodies of undone actions
    and the partners ("p:KEY") of open referrals."""
    bodies = [a.body for a in issue.actions if not a.done and not getattr(a, "cancelled", None)
              and getattr(a, "body", None)]
    return list(dict.fromkeys([*bodies, *(f"p:{r.to}" for r in open_referrals(issue))]))


class IssueQuestions:
    """A few questions every command asks of an issue — the same for a model and a light view."""

    status: str
    opened: Any
    log: list[Any]

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def corrected_log(self) -> list[Entry]:
        """The log as read: corrections applied (see `corrected`)."""
        return corrected(self.log)

    def entries(self, *kinds: str) -> list[Any]:
        return [e for e in self.corrected_log if e.kind in kinds]

    def last_activity(self) -> Any:
        """The last log entry's date, or the opening date if later (an entry may be back-dated)."""
        return max([e.date for e in self.corrected_log] + [self.opened])
