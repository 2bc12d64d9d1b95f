"""From a parsed document to a model, or to problems with their lines (one rule set for all).

Every loader and `zchuyot check` go through `issue_from_data` / `family_from_data`, so a file
that `check` accepts is exactly a file the commands can use.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zchuyot.case.form import FAMILY_KEYS, ISSUE_KEYS, SUBKEYS, VOCABULARIES, broken_rules
from zchuyot.case.form import dated_fields as _dated
from zchuyot.case.yamlfast import Lines, line_of, pos_of

if TYPE_CHECKING:
    from pydantic import ValidationError


@dataclass
class Problem:
    """One thing wrong (or worth a warning) in one file."""

    file: str
    line: int
    key: str  # a labels key: err.file.*
    params: dict[str, Any] = field(default_factory=dict)
    fix: str = "fix.generic"
    severity: str = "error"
    col: int = 0

    @property
    def where(self) -> str:
        """FILE:LINE or FILE:LINE:COL, as editors and hledger print it."""
        return f"{self.file}:{self.line}:{self.col}" if self.col else f"{self.file}:{self.line}"

    def message(self, lang: str | None = None) -> str:
        from zchuyot.text.labels import t

        params = dict(self.params)
        if "why_key" in params:
            why_params = params.pop("why_params", {})
            params["why"] = t(params.pop("why_key"), lang, **why_params)
        if "suggest_key" in params:
            params["suggest"] = t("err.file.suggest", lang, key=params.pop("suggest_key"))
        params.setdefault("suggest", "")
        return t(self.key, lang, **params)

    def fix_text(self, lang: str | None = None) -> str:
        from zchuyot.text.labels import t

        return t(self.fix, lang, **{"file": self.file,
                                    **{k: v for k, v in self.params.items() if isinstance(v, (str, int))}})

    # -------------------------------------------------------------- the one way a problem is written
    def headline(self, lang: str | None = None) -> str:
        """`FILE:LINE[:COL]: the cause` — one line, for stderr and lists."""
        return f"{self.where}: {self.message(lang)}"

    def as_json(self, full: bool = True) -> dict[str, Any]:
        """For --json: file, line, message (and, in full, the column and the fix)."""
        out: dict[str, Any] = {"file": self.file, "line": self.line}
        if full:
            out["column"] = self.col
        out["message"] = self.message()
        if full:
            out["fix"] = self.fix_text()
        return out

    def explained(self, root: Path, lang: str | None = None) -> list[tuple[str, str]]:
        """As hledger's check writes it: FILE:LINE:COL and the cause; the line itself; a caret under the
        value; the fix — as (kind, text) pairs (kind: error | warning | source | caret | fix)."""
        from zchuyot.text.labels import t

        label = t("ui.error", lang) if self.severity == "error" else t("ui.warning", lang)
        out = [(self.severity, f"{self.where}: {label}: {self.message(lang)}")]
        src = self.source_line(root)
        if src is not None:
            out.append(("source", f"    {self.line} | {src}"))
            if self.col:
                out.append(("caret", f"    {' ' * len(str(self.line))} | {' ' * (self.col - 1)}^"))
        out.append(("fix", f"    {t('ui.fix', lang)}: {self.fix_text(lang)}"))
        return out

    def source_line(self, root: Path) -> str | None:
        """The text of the line the problem is on (at most 200 characters), or None — read only from a
        regular file (never through a link, never waiting on a FIFO)."""
        import os
        import stat

        try:
            fd = os.open(root / self.file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            with os.fdopen(fd, encoding="utf-8", errors="replace", closefd=False) as f:
                for i, text in enumerate(f, 1):
                    if i == self.line:
                        return text.rstrip("\n")[:200]
        except OSError:
            return None
        finally:
            os.close(fd)
        return None


_TYPE_WHY = {
    "missing": "why.required",
    "date_parsing": "why.date", "date_type": "why.date", "date_from_datetime_parsing": "why.date",
    "date_from_datetime_inexact": "why.date",
    "int_parsing": "why.int", "int_type": "why.int", "int_from_float": "why.int",
    "float_parsing": "why.number", "float_type": "why.number",
    "bool_parsing": "why.bool", "bool_type": "why.bool",
    "list_type": "why.list", "model_type": "why.map", "dict_type": "why.map",
    "model_attributes_type": "why.map", "string_type": "why.text",
}


def _value_at(doc: Any, loc: tuple[Any, ...]) -> Any:
    node = doc
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _problems_from(e: ValidationError, doc: Any, lines: Lines, rel: str) -> list[Problem]:
    out: list[Problem] = []
    for err in e.errors():
        loc = tuple(p if p != "from_" else "from" for p in err["loc"])
        etype = err["type"]
        why_key, why_params, fix = "why.other", {"why": err.get("msg", "")}, "fix.generic"
        if etype in _TYPE_WHY:
            why_key, why_params = _TYPE_WHY[etype], {"value": _value_at(doc, loc)}
        elif etype == "value_error":
            code = str(err.get("ctx", {}).get("error", ""))
            if code.startswith("choice:"):
                vocab = code.split(":", 1)[1]
                from zchuyot.text.labels import options_text

                why_key = "why.choice"
                value = _value_at(doc, loc)
                why_params = {"value": value, "options": options_text(vocab, VOCABULARIES[vocab]),
                              "suggest": suggestion(vocab, value)}
                fix = "fix.choice"
            else:
                why_key, why_params = f"why.{code}", {}
        name = ".".join(str(p) for p in loc) or "-"
        line, col = pos_of(lines, loc)
        if why_key == "why.required" and loc:
            line, col, why_key, why_params = _missing_at(doc, lines, loc, line, col, why_key, why_params)
        out.append(Problem(rel, line, "err.file.field",
                           {"field": name, "why_key": why_key, "why_params": why_params}, fix, col=col))
    return out


def _missing_at(doc: Any, lines: Lines, loc: tuple[Any, ...], line: int, col: int, why_key: str,
                why_params: dict[str, Any]) -> tuple[int, int, str, dict[str, Any]]:
    """Where a missing key's error points: at a near-miss key beside it (`subjekt:` for `subject`) with the
    hint, else at the mapping's first key — never at the comment a file opens with."""
    parent = _value_at(doc, loc[:-1]) if len(loc) > 1 else doc
    if not isinstance(parent, dict):
        return line, col, why_key, why_params
    known = ISSUE_KEYS if len(loc) == 1 else SUBKEYS.get(str(loc[0]), ())
    near = _suggest(str(loc[-1]), tuple(str(k) for k in parent if k not in known))
    if near is not None:
        return line_of(lines, (*loc[:-1], near)), 0, "why.required_near", {"near": near}
    if (*loc[:-1],) not in lines and parent:
        return line_of(lines, (*loc[:-1], next(iter(parent)))), 0, why_key, why_params
    return line, col, why_key, why_params


def suggestion(vocab: str, value: Any) -> str:
    """` – אולי 'housing'?` for a near miss of a vocabulary value, else ''."""
    from zchuyot.text.labels import t

    s = _suggest(str(value), VOCABULARIES[vocab])
    if not s:  # a Hebrew typo (`חובת`): the nearest Hebrew name, as the worker typed it
        from zchuyot.text.labels import choice_label

        names = {choice_label(vocab, k, "he"): k for k in VOCABULARIES[vocab]}
        s = _suggest(str(value), tuple(names))
    return t("err.file.suggest", None, key=s) if s else ""


def _suggest(key: str, known: tuple[str, ...]) -> str | None:
    got = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    return got[0] if got else None


def _unknown_keys(doc: Any, lines: Lines, rel: str, known: tuple[str, ...],
                  nested: dict[str, tuple[str, ...]]) -> list[Problem]:
    out: list[Problem] = []
    for k in doc:
        if k not in known:
            s = _suggest(k, known)
            params: dict[str, Any] = {"key": k}
            if s:
                params["suggest_key"] = s
            out.append(Problem(rel, line_of(lines, (k,)), "err.file.unknown_key", params,
                               "fix.unknown_key", "warning"))
    for k, sub in nested.items():
        v = doc.get(k) if hasattr(doc, "get") else None
        items: list[tuple[Any, Any]] = []
        if isinstance(v, dict):
            items = [(k, v)]
        elif isinstance(v, list):
            items = [((k, i), x) for i, x in enumerate(v)]
        for path, m in items:
            if not isinstance(m, dict):
                continue
            base = path if isinstance(path, tuple) else (path,)
            for kk in m:
                if kk not in sub:
                    s = _suggest(kk, sub)
                    params = {"key": f"{k}.{kk}"}
                    if s:
                        params["suggest_key"] = s
                    out.append(Problem(rel, line_of(lines, (*base, kk)), "err.file.unknown_key",
                                       params, "fix.unknown_key", "warning"))
    return out


def issue_from_data(doc: Any, lines: Lines, rel: str, stem: str | None = None, family_dir: str | None = None,
                    today: dt.date | None = None, future: bool = True) -> tuple[Any, list[Problem]]:
    """Validate a parsed issue (yamlfast.load). Returns the model (None if invalid) and all problems."""
    if not isinstance(doc, dict):
        return None, [Problem(rel, 1, "err.file.not_mapping")]
    from pydantic import ValidationError

    from zchuyot.case.schema import Issue

    problems = _unknown_keys(doc, lines, rel, ISSUE_KEYS, SUBKEYS)
    try:
        issue: Any = Issue.model_validate(doc)
    except ValidationError as e:
        return None, _problems_from(e, doc, lines, rel) + problems
    for r in broken_rules(issue):
        line, col = pos_of(lines, (r.because,))
        problems.append(Problem(rel, line, "err.file.field", {"field": r.because, "why_key": f"why.rule:{r.code}",
                                                              "why_params": {}}, "fix.generic", col=col))
    if stem is not None and issue.id != stem:
        problems.append(Problem(rel, line_of(lines, ("id",)), "err.file.id_mismatch",
                                {"value": issue.id, "expected": stem}, "fix.id_mismatch"))
    if family_dir is not None and issue.family != family_dir:
        problems.append(Problem(rel, line_of(lines, ("family",)), "err.file.family_mismatch",
                                {"value": issue.family, "expected": family_dir}, "fix.family_mismatch"))
    if any(p.severity == "error" for p in problems):
        return None, problems
    if future:
        problems += _future_dates(issue, lines, rel, today)
    return issue, problems


def _future_dates(issue: Any, lines: Lines, rel: str, today: dt.date | None) -> list[Problem]:
    """Dates that cannot be in the future: the opening date and the log (a warning, never hiding the file)."""
    if today is None:
        from zchuyot.calendar.dates import today as _today

        try:
            today = _today()
        except Exception:
            return []
    return future_problems(rel, dated_fields(issue, lines), today)


def dated_fields(issue: Any, lines: Lines) -> list[tuple[str, str, int]]:
    """The dates of an issue that cannot be in the future (the form's `past` fields), as (field,
    YYYY-MM-DD, line) — the index cache keeps them, so `check` can warn without reading the file."""
    return [(".".join(map(str, path)), value, line_of(lines, path)) for path, value in _dated(issue)]


def future_problems(rel: str, dated: Any, today: dt.date) -> list[Problem]:
    """A warning for each of `dated_fields` after `today`."""
    day = today.isoformat()
    return [Problem(rel, line, "err.file.future", {"value": value, "field": fld}, "fix.future", "warning")
            for fld, value, line in dated if value > day]


def family_from_data(doc: Any, lines: Lines, rel: str,
                     family_dir: str | None = None) -> tuple[Any, list[Problem]]:
    if not isinstance(doc, dict):
        return None, [Problem(rel, 1, "err.file.not_mapping")]
    from pydantic import ValidationError

    from zchuyot.case.schema import Family

    problems = _unknown_keys(doc, lines, rel, FAMILY_KEYS, {})
    try:
        fam = Family.model_validate(doc)
    except ValidationError as e:
        return None, _problems_from(e, doc, lines, rel) + problems
    if family_dir is not None and fam.code != family_dir:
        problems.append(Problem(rel, line_of(lines, ("code",)), "err.file.family_mismatch",
                                {"value": fam.code, "expected": family_dir}, "fix.family_mismatch"))
        return None, problems
    return fam, problems



def unknown_key_problems(doc: Any, lines: Lines, rel: str) -> list[Problem]:
    """The warnings about keys the form does not know (an issue file), with "did you mean"."""
    return _unknown_keys(doc, lines, rel, ISSUE_KEYS, SUBKEYS) if isinstance(doc, dict) else []
