"""Questions asked in a terminal, in plain Hebrew. Ctrl-C or Ctrl-D cancels with nothing written."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

from zchuyot import rtl
from zchuyot.core import Intake
from zchuyot.errors import Cancelled, InputError, ZError
from zchuyot.labels import choice_label, t
from zchuyot.model import DOMAINS, SLUG_RE
from zchuyot.render import Renderer


class Asker:
    def __init__(self, console: Console, renderer: Renderer) -> None:
        self.console = console
        self.r = renderer

    def _prompt_text(self, text: str) -> str:
        return (rtl.visual(text + ":") if self.r.visual else text + ":") + " "

    def ask(self, key: str, required: bool = False, check: Callable[[str], str | None] | None = None) -> str:
        """Ask one question until the answer is acceptable. `check` returns an error text or None."""
        while True:
            try:
                answer = self.console.input(self._prompt_text(t(key))).strip()
            except (KeyboardInterrupt, EOFError):
                raise Cancelled("ui.cancelled") from None
            if required and not answer:
                self.r.line(t("prompt.required"), style="yellow")
                continue
            if check and answer:
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


def fill_intake(asker: Asker, intake: Intake) -> Intake:
    """Ask, in the form's order, for every field of the intake that is still missing."""
    asker.r.line(t("prompt.intro_new"), style="bold")
    if not (intake.family or "").strip():
        intake.family = asker.ask("prompt.family", required=True, check=_slug_problem)
    if not (intake.subject or "").strip():
        intake.subject = asker.ask("prompt.subject", required=True)
    if not (intake.domain or "").strip():
        intake.domain = asker.choose(DOMAINS, "domain", "prompt.domain")
    if intake.domain in ("other", choice_label("domain", "other")) and not (intake.domain_other or "").strip():
        intake.domain_other = asker.ask("prompt.domain_other", required=True)
    if intake.description is None:
        intake.description = asker.ask("prompt.description") or None
    if not intake.bodies:
        while True:
            org = asker.ask("prompt.body_org")
            if not org:
                break
            contact = asker.ask("prompt.body_contact")
            details = asker.ask("prompt.body_details")
            intake.bodies.append("|".join(x.replace("|", "/") for x in (org, contact, details)))
    return intake


__all__ = ["Asker", "fill_intake", "ZError", "InputError"]
