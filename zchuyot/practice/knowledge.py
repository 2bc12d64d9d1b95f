"""The knowledge the rights worker keeps, as data in templates/ (never in code).

`rights.yaml` (the listening checklist), `deadlines.yaml` (legal clocks), `bodies.yaml` (the
directory of bodies). A workspace's own `templates/` overrides the shipped files.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from zchuyot.case.form import DOMAINS
from zchuyot.errors import DataError, InputError


@dataclass(frozen=True)
class Right:
    key: str
    domain: str
    name: str
    question: str
    kolzchut: str
    verified: str = ""  # when the Kol Zchut title was checked against its stored pages ("no …" when it was not)

    @property
    def link(self) -> str:
        """The right's page on Kol Zchut, as a link a terminal and a browser open (the title percent-encoded)."""
        if not self.kolzchut:
            return ""
        from urllib.parse import quote

        return "https://www.kolzchut.org.il/he/" + quote(self.kolzchut.replace(" ", "_"), safe="()_,")


@dataclass(frozen=True)
class DeadlineRule:
    key: str
    name: str
    days: int | None
    months: int | None
    note: str
    bodies: tuple[str, ...] = ()  # the bodies (names in bodies.yaml) whose decisions start this clock
    source: str = ""  # where the rule comes from (a law, a regulation, a public guide)
    verify: str = ""  # what a written source did not confirm, or what to check in the letter itself

    def applies_to(self, body: str | None, directory: BodyDirectory) -> bool:
        """Whether a "no" from `body` can start this clock (a clock that names no bodies fits any)."""
        if not self.bodies or not body:
            return True
        return directory.canonical(body) in {directory.canonical(b) for b in self.bodies}

    def due(self, start: dt.date) -> dt.date:
        if self.months:
            return add_months(start, self.months)
        return start + dt.timedelta(days=self.days or 0)


_PUNCT = re.compile(r"[\"'׳״`.,;:()\[\]{}]")
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", _PUNCT.sub("", text.lower())).strip()


class BodyDirectory:
    """Canonical body names from templates/bodies.yaml: exact alias first, then the longest contained one."""

    def __init__(self, entries: Any) -> None:
        self.aliases: list[tuple[str, str]] = []
        for e in entries or []:
            if not isinstance(e, dict) or not e.get("name"):
                continue
            name = str(e["name"])
            for alias in [name, *[str(a) for a in (e.get("aliases") or [])]]:
                key = _norm(alias)
                if key:
                    self.aliases.append((key, name))
        self.aliases.sort(key=lambda x: -len(x[0]))
        self.exact = dict(reversed(self.aliases))

    def canonical(self, org: str) -> str:
        """The body's name for any way it is written; an unknown body stays as it was typed."""
        if not _norm(org):
            return ""
        return self.known(org) or org.strip()

    def known(self, org: str) -> str | None:
        """The name of the body `org` is (its name, key or an alias, exactly or as a whole word inside),
        or None when the directory does not know it."""
        key = _norm(org)
        if not key:
            return None
        if key in self.exact:
            return self.exact[key]
        padded = f" {key} "
        for alias, name in self.aliases:  # longest first
            if f" {alias} " in padded:
                return name
        return None


def add_months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    y = d.year + m // 12
    m = m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _bad(name: str, why: str) -> DataError:
    return DataError("err.template", file=f"templates/{name}", line=1, name=name, why=why)


def rights_from(doc: Any, name: str = "rights.yaml") -> list[Right]:
    if not isinstance(doc, dict):
        raise _bad(name, "domain → list")
    out: list[Right] = []
    seen: set[str] = set()
    for domain, items in doc.items():
        if domain not in DOMAINS:
            raise _bad(name, f"unknown domain {domain}")
        for item in items or []:
            if not isinstance(item, dict) or not item.get("key") or not item.get("name"):
                raise _bad(name, f"{domain}: every right needs key and name")
            key = str(item["key"])
            if key in seen:
                raise _bad(name, f"duplicate key {key}")
            seen.add(key)
            out.append(Right(key, str(domain), str(item["name"]), str(item.get("question") or item["name"]),
                             str(item.get("kolzchut") or ""), str(item.get("verified") or "")))
    return out


def deadlines_from(doc: Any, name: str = "deadlines.yaml") -> list[DeadlineRule]:
    if not isinstance(doc, list):
        raise _bad(name, "a list of {key, name, days | months, bodies, source, note}")
    out = []
    for item in doc:
        if not isinstance(item, dict) or not item.get("key") or not item.get("name"):
            raise _bad(name, "every clock needs key and name")
        days, months = item.get("days"), item.get("months")
        if not isinstance(days, int) and not isinstance(months, int):
            raise _bad(name, f"{item['key']}: days or months")
        bodies = item.get("bodies") or []
        if not isinstance(bodies, list):
            raise _bad(name, f"{item['key']}: bodies is a list of names from bodies.yaml")
        out.append(DeadlineRule(str(item["key"]), str(item["name"]), days if isinstance(days, int) else None,
                                months if isinstance(months, int) else None, str(item.get("note") or ""),
                                tuple(str(b) for b in bodies), str(item.get("source") or ""),
                                str(item.get("verify") or "")))
    return out


def match_right(rights: list[Right], text: str) -> Right | None:
    """The checklist's right a worker's words name — its key, its name, its Kol Zchut title (spelling marks
    and spaces aside) — or None: what was won is counted by right when it is one of the checklist's."""
    said = _norm(text)
    if not said:
        return None
    for r in rights:
        if said in (_norm(r.key), _norm(r.name), _norm(r.kolzchut)):
            return r
    return None


def find_right(rights: list[Right], key: str) -> Right:
    for r in rights:
        if r.key == key:
            return r
    raise InputError("err.unknown_right", value=key, options=", ".join(r.key for r in rights))


def find_deadline(rules: list[DeadlineRule], key: str) -> DeadlineRule:
    for r in rules:
        if r.key == key:
            return r
    raise InputError("err.unknown_deadline", value=key,
                     options=", ".join(f"{r.key} ({r.name})" for r in rules))
