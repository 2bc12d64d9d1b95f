"""Questions asked in a terminal, in plain Hebrew. Ctrl-C or Ctrl-D cancels with nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console

from zchuyot.case import form
from zchuyot.case.form import SLUG_RE
from zchuyot.errors import Cancelled, InputError, ZError
from zchuyot.practice.steps import Collected, PlannedAction
from zchuyot.terminal.render import Renderer
from zchuyot.text import rtl
from zchuyot.text.labels import choice_label, t


class Asker:
    def __init__(self, console: Console, renderer: Renderer) -> None:
        self.console = console
        self.r = renderer

    def _prompt_text(self, text: str) -> str:
        # the hint's Latin words (`family.yaml; Enter`) apart as in every other line, in both modes
        text = rtl.isolate_latin(rtl.visible(text) + ":")
        return (rtl.visual(text) if self.r.visual else text) + " "

    def ask(self, key: str, required: bool = False, check: Callable[[str], str | None] | None = None,
            default: str | None = None) -> str:
        """Ask one question until the answer is acceptable. `check` returns an error text or None."""
        return self.ask_text(t(key), required, check, default)

    def ask_text(self, text: str, required: bool = False, check: Callable[[str], str | None] | None = None,
                 default: str | None = None) -> str:
        """`default`: the answer recorded now, shown above the question; Enter keeps it."""
        lines = text.split("\n")
        for extra in lines[:-1]:
            self.r.line(extra)
        if default:
            self.r.line(t("walk.current", value=default), style="dim")
        while True:
            try:
                answer = self.console.input(self._prompt_text(lines[-1] + (t("walk.keep") if default else "")))
                answer = answer.strip()
            except (KeyboardInterrupt, EOFError):
                raise Cancelled("ui.cancelled") from None
            if not answer and default:
                return default
            if required and not answer:
                self.r.line(t("prompt.required"), style="yellow")
                continue
            if check and (answer or required):
                problem = check(answer)
                if problem:
                    self.r.line(problem, style="yellow")
                    continue
            return answer

    def choose(self, vocab_values: tuple[str, ...], vocab: str, key: str) -> str:
        rows = [[str(n), choice_label(vocab, v)] for n, v in enumerate(vocab_values, 1)]
        self.r.table(["#", t(f"field.{vocab}")], rows)
        n = len(vocab_values)

        def ok(a: str) -> str | None:
            if a.isdigit() and 1 <= int(a) <= n:
                return None
            if a in vocab_values or any(a == choice_label(vocab, v) for v in vocab_values):
                return None
            return t("prompt.choose_number", n=n)

        a = self.ask(key, required=True, check=ok)
        if a.isdigit():
            return vocab_values[int(a) - 1]
        for v in vocab_values:
            if a in (v, choice_label(vocab, v)):
                return v
        return a


def _slug_problem(a: str) -> str | None:
    if SLUG_RE.match(a):
        return None
    return t("err.bad_slug", value=a, what=t("err.what.family"))


# the intake's questions, in the form's order: the paper form's fields (and the family's code)
ASKED_AT_INTAKE: tuple[form.Field, ...] = tuple(
    f for f in form.ISSUE if f.flag and (f.key == "family" or f.form) and f.kind != "date" and f.key != "status"
    and f.key != "insights")


def fill_intake(asker: Asker, intake: dict[str, Any], ws: Any = None,
                decided: NewFamily | None = None) -> dict[str, Any]:
    """Ask, in the form's order, for every field of the intake that is still missing: a required field
    until it is given, a field a rule of the form asks for (domain_other when the domain is "other"),
    the optional ones once (Enter skips), a list's records one by one."""
    from zchuyot.practice.core import missing_for_new

    asker.r.line(t("prompt.intro_new"), style="bold")
    for f in ASKED_AT_INTAKE:
        if intake.get(f.key) not in (None, "", []):
            continue
        needed = f.required or f.key in missing_for_new(intake)
        if f.kind == "choice":
            intake[f.key] = asker.choose(form.VOCABULARIES[f.vocab or ""], f.vocab or "", f"prompt.{f.key}")
        elif f.kind == "list":
            intake[f.key] = ask_bodies(asker)
        elif needed:
            intake[f.key] = asker.ask(f"prompt.{f.key}", required=True,
                                      check=_slug_problem if f.check == "slug" else None)
            if f.key == "family" and ws is not None and decided is not None:  # no record: new, or a typo?
                settle_family(asker, ws, intake, decided)
        elif not any(r.field == f.key for r in form.RULES) and intake.get(f.key) is None:
            intake[f.key] = asker.ask(f"prompt.{f.key}") or None
    return intake


class NewFamily:
    """What intake decided about a family code with no record: `create` its record (with `name`) once the
    issue is opened — nothing is written while questions are still being asked (Ctrl-C leaves no trace)."""

    def __init__(self) -> None:
        self.create = False
        self.name: str | None = None


def settle_family(asker: Asker, ws: Any, intake: dict[str, Any], decided: NewFamily) -> None:
    """A family code with no record: a new family (the name asked; the record made with the issue) or a
    typo (another code asked, the nearest known ones offered) — never an orphan issue without a word."""
    import difflib

    while not ws.family_known(intake["family"]):
        near = difflib.get_close_matches(intake["family"], ws.known_families(), n=3, cutoff=0.5)
        hint = t("prompt.family_near", near=", ".join(near)) if near else ""
        if confirm(asker, "prompt.family_new", family=intake["family"], near=hint):
            decided.create, decided.name = True, asker.ask("prompt.family_name") or None
            return
        intake["family"] = asker.ask("prompt.family", required=True, check=_slug_problem)


def ask_bodies(asker: Asker) -> list[str]:
    """Relevant bodies one by one (organisation, contact, details) until an empty organisation."""
    bodies = []
    while True:
        org = asker.ask("prompt.body_org")
        if not org:
            return bodies
        contact = asker.ask("prompt.body_contact")
        details = asker.ask("prompt.body_details")
        bodies.append("|".join(x.replace("|", "/") for x in (org, contact, details)))


__all__ = ["Asker", "fill_intake", "ZError", "InputError"]


# ------------------------------------------------------------------ the guided walk
_YES = ("", "כ", "כן", "y", "yes")
_NO = ("ל", "לא", "n", "no")


def confirm(asker: Asker, key: str, **params: str) -> bool:
    """A yes/no question; Enter means yes."""
    while True:
        try:
            a = asker.console.input(asker._prompt_text(t(key, **params).rstrip(":"))).strip().lower()
        except (KeyboardInterrupt, EOFError):
            raise Cancelled("ui.cancelled") from None
        if a in _YES:
            return True
        if a in _NO:
            return False
        asker.r.line(t("walk.yes_no"), style="yellow")  # never asked again without a word


def choose_optional(asker: Asker, values: tuple[str, ...], vocab: str, key: str,
                    default: str | None = None) -> str | None:
    """A numbered choice that may be skipped with Enter (or, with `default`, Enter keeps the current one)."""
    rows = [[str(n), choice_label(vocab, v)] for n, v in enumerate(values, 1)]
    asker.r.table(["#", t(key).split("–")[0].strip()], rows)

    def ok(a: str) -> str | None:
        if a.isdigit() and 1 <= int(a) <= len(values):
            return None
        if a in values or any(a == choice_label(vocab, v) for v in values):
            return None
        return t("prompt.choose_number", n=len(values))

    shown = choice_label(vocab, default) if default else None
    a = asker.ask(key, check=ok, default=shown)
    if not a:
        return None
    if a == shown:
        return default
    if a.isdigit():
        return values[int(a) - 1]
    return next(v for v in values if a in (v, choice_label(vocab, v)))


def _numbers(text: str, n: int) -> list[int] | None:
    try:
        nums = [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        return None
    if any(not 1 <= x <= n for x in nums) or len(set(nums)) != len(nums):
        return None
    return nums


def ask_listen(asker: Asker, rights: list, family: str, won: dict[str, Any] | None = None
               ) -> tuple[list[str], dict[str, str]]:
    """The listening checklist, domain by domain: which rights does the family not get yet? A right the
    family already won (`won`: right name → steps.Won) is said, and opened again only when confirmed."""
    from zchuyot.case.form import DOMAINS

    asker.r.line(t("ui.checklist_title", family=family), style="bold")
    asker.r.line(t("step.listen") + ": " + t("guide.listen"))
    keys: list[str] = []
    needs: dict[str, str] = {}
    for domain in DOMAINS:
        items = [r for r in rights if r.domain == domain]
        if not items:
            continue
        if not confirm(asker, "walk.domain", domain=choice_label("domain", domain)):
            continue
        for r in items:
            def ok(a: str) -> str | None:
                return None if a in ("1", "2") else t("prompt.choose_number", n=2)

            a = asker.ask_text(t("walk.right", question=r.question), check=ok)
            if a == "2":
                w = (won or {}).get(r.name)
                if w is not None:
                    asker.r.line(t("walk.right_won", **w.params()), style="yellow")
                    if not confirm(asker, "walk.right_won_ask", id=w.id):
                        continue
                keys.append(r.key)
                if r.link:  # what to read before acting, a link the worker can open
                    asker.r.line(t("walk.right_link", link=r.link), style="dim")
                need = asker.ask("walk.need")
                if need:
                    needs[r.key] = need
    return keys, needs


def ask_order(asker: Asker, recs: list) -> tuple[list[str], list[str]]:
    """The family sets the order of its issues, and says which are urgent."""
    asker.r.line(t("step.list") + ": " + t("guide.list"))
    rows = [[str(n), r.issue.id, r.issue.subject] for n, r in enumerate(recs, 1)]
    asker.r.table(["#", t("field.id"), t("field.subject")], rows)
    n = len(recs)

    def ok(a: str) -> str | None:
        return None if _numbers(a, n) else t("walk.bad_numbers")

    order = _numbers(asker.ask("walk.order", required=True, check=ok), n) or []

    def ok_now(a: str) -> str | None:
        nums = _numbers(a, n)
        return None if nums is not None and set(nums) <= set(order) else t("walk.bad_numbers")

    now = _numbers(asker.ask("walk.now", check=ok_now), n) or []
    return [recs[i - 1].issue.id for i in order], [recs[i - 1].issue.id for i in now]


def about(asker: Asker, issue: Any) -> None:
    """The issue a step is about, named before its questions (a family may have three open)."""
    if issue is not None:
        asker.r.line(t("walk.about", id=issue.id, subject=issue.subject, family=issue.family), style="bold")


def ask_collect(asker: Asker, issue: Any = None) -> Collected:
    """The five questions of step 3; asked again, each shows what is recorded and Enter keeps it (only what
    changed is returned)."""
    from zchuyot.case.form import BARRIERS, HISTORIES

    asker.r.line(t("step.collect") + ": " + t("guide.collect"), style="bold")
    about(asker, issue)
    was_problem = getattr(issue, "problem", None)
    was_history = getattr(issue, "history", None)
    barrier = getattr(issue, "barrier", None)
    was_kind, was_where = (barrier.kind, barrier.where) if barrier is not None else (None, None)
    c = Collected()
    c.problem = asker.ask("walk.problem", default=was_problem) or None
    c.history = choose_optional(asker, HISTORIES, "history", "walk.history", default=was_history)
    asker.r.line(t("walk.bodies"))
    for b in getattr(issue, "bodies", None) or []:
        asker.r.line("  • " + " – ".join(x for x in (b.org, b.contact, b.details) if x), style="dim")
    c.bodies = ask_bodies(asker)
    c.barrier_kind = choose_optional(asker, BARRIERS, "barrier", "walk.barrier_kind", default=was_kind)
    c.barrier_where = asker.ask("walk.barrier_where", default=was_where) or None
    was_claim = getattr(issue, "claim_number", None)
    c.claim_number = asker.ask("walk.claim_number", default=was_claim) or None
    if c.claim_number == was_claim:
        c.claim_number = None
    asker.r.line(t("walk.todo"))
    # Enter kept an answer: nothing to write for it
    if c.problem == was_problem:
        c.problem = None
    if c.history == was_history:
        c.history = None
    if c.barrier_kind == was_kind and c.barrier_where == was_where:
        c.barrier_kind = c.barrier_where = None
    return c


def date_error(a: str) -> str | None:
    """A typed date's problem in the worker's words, or None when it reads (the prompts' check)."""
    from zchuyot.calendar.dates import parse_date

    try:
        parse_date(a)
        return None
    except ZError as e:
        return e.render()


def show_contacts(asker: Asker, ws: Any, body: str) -> None:
    """The directory's people at a body, when the plan names one (networking: whom exactly to turn to)."""
    from zchuyot.errors import DataError
    from zchuyot.practice import directory

    try:
        b = directory.find_body(ws, body)
    except (InputError, DataError):
        return
    if b.contacts:
        asker.r.line(t("walk.contacts", body=b.name), style="bold")
        for c in b.contacts:
            asker.r.line("  • " + " – ".join(x for x in (c.person, c.role, c.phone, c.email, c.note) if x))


def ask_referral(asker: Asker, ws: Any, issue: Any, to: str | None, ask: str | None, due: str | None
                 ) -> tuple[str, str, str | None]:
    """`refer` in a terminal: the partners offered, those that work in the issue's domain first; then what is
    asked and by when."""
    from zchuyot.practice import directory

    if to is None:
        known = directory.partners(ws)
        if not known:
            raise InputError("err.no_partners", value="-")
        known.sort(key=lambda p: issue.domain not in p.domains)
        rows = [[str(n), p.name, choice_label("partner_kind", p.kind),
                 t("ui.in_domain") if issue.domain in p.domains else ""] for n, p in enumerate(known, 1)]
        asker.r.table(["#", t("field.partner"), t("dir.kind"), ""], rows, nowrap=(0,))

        def ok(a: str) -> str | None:
            return None if a.isdigit() and 1 <= int(a) <= len(known) else t("prompt.choose_number", n=len(known))

        to = known[int(asker.ask_text(t("walk.partner"), required=True, check=ok)) - 1].key
    if ask is None:
        ask = asker.ask_text(t("walk.referral_ask"), required=True)
    if due is None:
        due = asker.ask_text(t("walk.referral_due"), check=date_error) or None
    return to, ask, due


def ask_plan(asker: Asker, ws: Any = None) -> list[PlannedAction]:
    """Step 4: actions, each with who does it (and, when several workers of the department have that role,
    which of them), by when, with which body, agreed with the family."""
    from zchuyot.case.form import WHO
    from zchuyot.practice.steps import ROLE_OF_WHO

    asker.r.line(t("step.plan") + ": " + t("guide.plan"), style="bold")
    actions: list[PlannedAction] = []
    while True:
        what = asker.ask("walk.action")
        if not what:
            return actions
        who = asker.choose(WHO, "who", "walk.who")
        person = None
        of_role = ws.workers_of_role(ROLE_OF_WHO[who]) if ws is not None and who in ROLE_OF_WHO else []
        if len(of_role) > 1:
            person = asker.choose(tuple(of_role), "worker", "walk.person")

        due = asker.ask("walk.due", check=date_error) or None
        body = asker.ask("walk.body") or None
        if body and ws is not None:
            show_contacts(asker, ws, body)
        agreed = confirm(asker, "walk.agreed")
        actions.append(PlannedAction(what, who, due, body, agreed, person))


def walk_from(step: str, asker: Asker, ws: object, issue_id: str | None = None, family: str | None = None) -> None:
    """In a terminal, each step offers the next one: listen → list → collect → plan.

    Each step is asked in full and then written at once, so Ctrl-C leaves the issue as it was
    before that step."""
    from zchuyot import flow
    from zchuyot.practice import steps

    nxt = flow.WALK.get(step)
    while nxt:
        if nxt == "list":
            assert family is not None
            recs = [r for r in steps.family_issues(ws, family) if r.issue.is_open]  # type: ignore[arg-type]
            if len(recs) < 2:  # nothing to order
                issue_id = issue_id or (recs[0].issue.id if recs else None)
                nxt = "collect"
                continue
            if not confirm(asker, "walk.continue", step=t("step.list")):
                return
            ids, now = ask_order(asker, recs)
            steps.set_order(ws, family, ids, now)  # type: ignore[arg-type]
            asker.r.line(t("ui.order_set", family=family))
            issue_id = ids[0]
        elif issue_id is None:
            return
        elif nxt == "collect":
            issue = ws.get_issue(issue_id).issue  # type: ignore[attr-defined]
            if not confirm(asker, "walk.continue_about", step=t("step.collect"), subject=issue.subject):
                return
            c = ask_collect(asker, issue)
            if not c.empty():
                steps.collect(ws, issue_id, c)  # type: ignore[arg-type]
                asker.r.line(t("ui.collected", id=issue_id))
        elif nxt == "plan":
            issue = ws.get_issue(issue_id).issue  # type: ignore[attr-defined]
            if not confirm(asker, "walk.continue_about", step=t("step.plan"), subject=issue.subject):
                return
            actions = ask_plan(asker, ws)
            if actions:
                res = steps.plan(ws, issue_id, actions)  # type: ignore[arg-type]
                for key, params in res.notes + res.info:
                    asker.r.line(t(key, **params))
        step = nxt
        nxt = flow.WALK.get(step)


# ------------------------------------------------------------------ steps 5, 6 and closing, asked
def _pick_number(asker: Asker, key: str, n: int, required: bool = False, **params: str) -> int | None:
    def ok(a: str) -> str | None:
        return None if a.isdigit() and 1 <= int(a) <= n else t("prompt.choose_number", n=n)

    a = asker.ask_text(t(key, **params), required=required, check=ok)
    return int(a) if a else None


def _ask_date(asker: Asker, key: str) -> str | None:
    return asker.ask(key, check=date_error) or None


def ask_treat(asker: Asker, issue: Any) -> dict[str, Any]:
    """Step 5 in a terminal: what was done, its kind, when, the plan action it completes, the next
    follow-up — the same values `treat`'s flags give."""
    from zchuyot.case.form import LOG_KINDS, PERSIST_KINDS

    asker.r.line(t("step.treat") + ": " + t("guide.treat"), style="bold")
    about(asker, issue)
    out: dict[str, Any] = {"text": asker.ask("walk.treat_text", required=True)}
    kinds = tuple(k for k in LOG_KINDS if k not in PERSIST_KINDS and k not in (
        "reopen", "correction", "referral", "feedback", "amendment"))
    out["kind"] = choose_optional(asker, kinds, "kind", "walk.treat_kind")
    if out["kind"] == "accompaniment":  # where to: the report counts offices apart from medical committees
        from zchuyot.case.form import MEETINGS

        orgs = [b.org for b in issue.bodies if b.org]
        if orgs:
            asker.r.table(["#", t("field.org")], [[str(n), o] for n, o in enumerate(orgs, 1)], nowrap=(0,))
        a = asker.ask("walk.accompanied_to")
        out["body"] = orgs[int(a) - 1] if a.isdigit() and 1 <= int(a) <= len(orgs) else (a or None)
        out["meeting"] = choose_optional(asker, MEETINGS, "meeting", "walk.meeting")
    out["date"] = _ask_date(asker, "walk.when")
    pending = [a for a in issue.actions if a.done is None and a.cancelled is None]
    out["done"] = None
    if pending:
        asker.r.table(["#", t("field.actions")], [[str(a.id), a.what] for a in pending], nowrap=(0,))
        ids = [str(a.id) for a in pending]

        def ok(a: str) -> str | None:
            return None if a in ids else t("walk.bad_action", options=", ".join(ids))

        out["done"] = asker.ask("walk.treat_done", check=ok) or None
    out["next_date"] = _ask_date(asker, "walk.next")
    return out


def ask_persist(asker: Asker, issue: Any, rules: list[Any], fits: Callable[[Any, str | None], bool]
                ) -> dict[str, Any]:
    """Step 6 in a terminal: a "no", the floor above or an appeal; the body from the issue's bodies (or
    typed); the date; for a "no", the legal clock it starts — those of its body first."""
    from zchuyot.case.form import PERSIST_KINDS

    asker.r.line(t("step.persist") + ": " + t("guide.persist"), style="bold")
    about(asker, issue)
    kind = asker.choose(PERSIST_KINDS, "kind", "walk.persist_kind")
    text = asker.ask(f"walk.persist_{kind}", required=True)
    orgs = [b.org for b in issue.bodies if b.org]
    body: str | None
    if orgs:
        asker.r.table(["#", t("field.org")], [[str(n), o] for n, o in enumerate(orgs, 1)], nowrap=(0,))

        def ok(a: str) -> str | None:
            return None if not a.isdigit() or 1 <= int(a) <= len(orgs) else t("prompt.choose_number", n=len(orgs))

        a = asker.ask("walk.persist_body_pick", required=kind == "refusal", check=ok)
        body = orgs[int(a) - 1] if a.isdigit() else (a or None)
    else:
        body = asker.ask("walk.persist_body", required=kind == "refusal") or None
    out: dict[str, Any] = {"kind": kind, "text": text, "body": body, "date": _ask_date(asker, "walk.when"),
                           "deadline": None}
    if kind == "refusal" and rules:
        ordered = sorted(rules, key=lambda r: not (r.bodies and fits(r, body)))
        rows = [[str(n), r.name, t("walk.clock_days", n=str(r.days)) if r.days else
                 t("walk.clock_months", n=str(r.months))] for n, r in enumerate(ordered, 1)]
        asker.r.table(["#", t("field.deadlines"), ""], rows, nowrap=(0, 2))
        n = _pick_number(asker, "walk.persist_clock", len(ordered))
        out["deadline"] = ordered[n - 1].key if n else None
    return out


def ask_close(asker: Asker, issue: Any, rights: list[Any]) -> dict[str, Any]:
    """Closing in a terminal, as the form asks it: how the issue ended (ended / stopped, why / referred, to
    whom); when it ended with something won, the right (from the checklist, the issue's own first, or in
    words), the amount, monthly or once, money won or debt avoided; then the insights."""
    from zchuyot.case.form import OUTCOME_KINDS, PERIODS
    from zchuyot.practice.core import parse_amount

    asker.r.line(t("walk.close_title"), style="bold")
    about(asker, issue)
    how = asker.choose(("ended", "stopped", "referred"), "status", "walk.close_how")
    out: dict[str, Any] = {"ended": how == "ended", "stopped": None, "referred": None, "benefit": None,
                           "amount": None, "period": None, "kind": None}
    if how == "stopped":
        out["stopped"] = asker.ask("walk.close_stopped", required=True)
    elif how == "referred":
        out["referred"] = asker.ask("walk.close_referred", required=True)
    elif confirm(asker, "walk.close_won"):
        mine = [r for r in rights if r.name == issue.right or r.domain == issue.domain]
        offered = sorted(mine, key=lambda r: r.name != issue.right)[:12]
        if offered:
            asker.r.table(["#", t("field.right")], [[str(n), r.name] for n, r in enumerate(offered, 1)],
                          nowrap=(0,))
        benefit = asker.ask("walk.close_benefit", required=True)
        if benefit.isdigit() and 1 <= int(benefit) <= len(offered):
            benefit = offered[int(benefit) - 1].name
        out["benefit"] = benefit

        def amount_ok(a: str) -> str | None:
            try:
                parse_amount(a)
                return None
            except ZError as e:
                return e.render()

        out["amount"] = asker.ask("walk.close_amount", required=True, check=amount_ok)
        out["period"] = asker.choose(PERIODS, "period", "walk.close_period")
        out["kind"] = asker.choose(OUTCOME_KINDS, "outcome_kind", "walk.close_kind")
    out["insights"] = asker.ask("walk.close_insights", default=issue.insights) or None
    if out["insights"] == issue.insights:
        out["insights"] = None
    out["date"] = _ask_date(asker, "walk.when")
    return out


def ask_reopen(asker: Asker, issue: Any) -> str:
    about(asker, issue)
    return asker.ask("walk.reopen_why", required=True)


# ------------------------------------------------------------------ the family and its household
def ask_family(asker: Asker, fam: Any = None) -> dict[str, Any]:
    """`family add` in a terminal: the client's details (what is recorded shown, Enter keeps it), then the
    household's members one by one."""
    from zchuyot.case.form import GENDERS, normalize_phone

    asker.r.line(t("walk.family_title"), style="bold")

    def phone_ok(a: str) -> str | None:
        return None if normalize_phone(a) else t("why.bad_phone")

    out: dict[str, Any] = {
        "name": asker.ask("walk.family_name", default=getattr(fam, "name", None)) or None,
        "phone": asker.ask("walk.family_phone", check=phone_ok, default=getattr(fam, "phone", None)) or None,
        "id_number": asker.ask("walk.family_id", check=_id_problem, default=getattr(fam, "id_number", None)) or None,
        "gender": choose_optional(asker, GENDERS, "gender", "walk.family_gender", default=getattr(fam, "gender", None)),
        "address": asker.ask("walk.family_address", default=getattr(fam, "address", None)) or None,
    }
    for key in ("name", "phone", "id_number", "gender", "address"):
        if out[key] == getattr(fam, key, None):
            out[key] = None  # kept: nothing to write
    members = []
    for m in getattr(fam, "members", None) or []:
        asker.r.line("  • " + ", ".join(x for x in (choice_label("relation", m.relation), m.name or "",
                                                     str(m.born or "")) if x), style="dim")
    while confirm(asker, "walk.member_more" if members or getattr(fam, "members", None) else "walk.member_first"):
        members.append(ask_member(asker))
    out["members"] = members
    return out


def _id_problem(a: str) -> str | None:
    from zchuyot.case.form import valid_israeli_id

    return None if valid_israeli_id(a) else t("err.bad_id_number")


def ask_member(asker: Asker) -> Any:
    """One household member: relation, year of birth, gender, and — optional — name, ID, disability, what
    they already receive."""
    from zchuyot.case.form import GENDERS, RELATIONS
    from zchuyot.practice.core import Member

    def year_ok(a: str) -> str | None:
        return None if a.isdigit() and 1900 <= int(a) <= 2100 else t("why.bad_birth_year")

    def pct_ok(a: str) -> str | None:
        a = a.rstrip("%")
        return None if a.isdigit() and 0 <= int(a) <= 100 else t("why.bad_percent")

    relation = asker.choose(RELATIONS, "relation", "walk.member_relation")
    born = asker.ask("walk.member_born", check=year_ok) or None
    gender = choose_optional(asker, GENDERS, "gender", "walk.member_gender")
    name = asker.ask("walk.member_name") or None
    id_number = asker.ask("walk.member_id", check=_id_problem) or None
    disability = asker.ask("walk.member_disability", check=pct_ok) or None
    receives = [x.strip() for x in (asker.ask("walk.member_receives") or "").split(",") if x.strip()]
    return Member(relation, born, gender, name, id_number, disability, receives or None)


# ------------------------------------------------------------------ personal data typed into free text
def decide_personal(asker: Asker, found: list[Any]) -> tuple[dict[str, str], list[Any]]:
    """Before an issue is written with a phone, ID number or e-mail in its text: for each one, move it to
    the family record (a mark stays in the text), keep it, or retype the text. Ctrl-C: nothing written."""
    fixes: dict[str, str] = {}
    moved: list[Any] = []
    for x in found:
        text = fixes.get(x.text, x.text)
        if x.value not in text:
            continue  # retyped without it
        asker.r.line(t("walk.pii_found", kind=t(f"pii.kind.{x.kind}"), value=x.value), style="yellow")
        asker.r.line("  " + text)

        def ok(a: str) -> str | None:
            return None if a in ("1", "2", "3") else t("prompt.choose_number", n=3)

        a = asker.ask_text(t("walk.pii_choose"), required=True, check=ok)
        if a == "1":
            fixes[x.text] = text.replace(x.value, t(f"pii.placeholder.{x.kind}"))
            moved.append(x)
        elif a == "3":
            fixes[x.text] = asker.ask("walk.pii_retype", required=True)
    return fixes, moved


# ------------------------------------------------------------------ a letter's grounds and attachments
def _pick_some(asker: Asker, key: str, valid: set[int]) -> list[int]:
    """Numbers from a shown list, separated by commas (Enter: none); anything else is said and asked again."""
    def split(a: str) -> list[str]:
        return [x for x in a.replace(" ", "").split(",") if x]

    def ok(a: str) -> str | None:
        return None if all(x.isdigit() and int(x) in valid for x in split(a)) else t("walk.bad_numbers")

    return [int(x) for x in split(asker.ask(key, check=ok))]


def ask_letter(asker: Asker, issue: Any) -> tuple[list[int], list[int]]:
    """`letter` in a terminal: which log entries go into the grounds and which documents are attached —
    only what the worker picks goes out (the log is hers; a letter is the body's)."""
    about(asker, issue)
    entries = [e for e in issue.corrected_log if e.kind not in ("letter", "amendment", "reopen")]
    include: list[int] = []
    if entries:
        asker.r.table(["#", t("field.date"), t("field.kind"), t("field.text")],
                      [[str(e.n), e.date.strftime("%d/%m/%Y"), choice_label("kind", e.kind), e.text] for e in entries],
                      title=t("field.log"), nowrap=(0, 1))
        include = _pick_some(asker, "walk.letter_include", {e.n for e in entries})
    attach: list[int] = []
    docs = list(getattr(issue, "documents", None) or [])
    if docs:
        asker.r.table(["#", t("field.doc_kind"), t("field.date"), t("field.note")],
                      [[str(d.id), choice_label("doc_kind", d.kind), d.date.strftime("%d/%m/%Y") if d.date else "",
                        d.note or ""] for d in docs], title=t("field.documents"), nowrap=(0, 2))
        attach = _pick_some(asker, "walk.letter_attach", {int(d.id) for d in docs})
    return include, attach
