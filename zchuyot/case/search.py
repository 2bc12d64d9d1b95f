"""Searching the issues' texts, Hebrew-aware: what a field says is compared without niqqud and case, and a
word typed with the prefix letters ו/ה/ב/ל/מ/ש/כ ("לארנונה") also finds the word without them ("ארנונה").

The fields searched are named once here (`SEARCHED`); the index cache keeps each issue's searchable text
already normalised (`words`), so a search over 10,000 issues is one SQL scan, and only the issues that
match are decoded to show the line that matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

PREFIXES = "והבלמשכ"
_MARKS = {c: None for c in range(0x0591, 0x05C8) if chr(c) not in "\u05be\u05c0\u05c3\u05c6"}
_SPACES = re.compile(r"\s+")

# (where in the issue, how to take its texts from the file's mapping)
SEARCHED: tuple[tuple[str, Any], ...] = (
    ("subject", lambda d: [d.get("subject")]),
    ("description", lambda d: [d.get("description")]),
    ("need", lambda d: [d.get("need")]),
    ("right", lambda d: [d.get("right")]),
    ("problem", lambda d: [d.get("problem")]),
    ("barrier", lambda d: [(d.get("barrier") or {}).get("where")] if isinstance(d.get("barrier"), dict) else []),
    ("bodies", lambda d: [" ".join(str(b.get(k) or "") for k in ("org", "contact")) for b in d.get("bodies") or []
                          if isinstance(b, dict)]),
    ("log", lambda d: [e.get("text") for e in d.get("log") or [] if isinstance(e, dict)]),
    ("status_reason", lambda d: [d.get("status_reason")]),
    ("insights", lambda d: [d.get("insights")]),
)


def normalise(text: str) -> str:
    """Without niqqud and cantillation, case-folded, one space between words."""
    return _SPACES.sub(" ", str(text).translate(_MARKS).casefold()).strip()


def texts(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, text) of every searchable text of an issue's mapping, in the form's order."""
    for where, take in SEARCHED:
        for value in take(data):
            if value not in (None, "") and str(value).strip():
                yield where, str(value)


def words(data: dict[str, Any]) -> str:
    """The cache's column: every searchable text of the issue, normalised, one per line."""
    return "\n".join(normalise(v) for _, v in texts(data))


def stems(word: str) -> list[str]:
    """What one typed word may be found as: itself and, when it starts with prefix letters, the word without
    one or two of them (never shorter than two letters)."""
    w = normalise(word)
    out = [w]
    for n in (1, 2):
        if len(w) - n >= 2 and all(c in PREFIXES for c in w[:n]):
            out.append(w[n:])
    return out


@dataclass(frozen=True)
class Query:
    """The words typed: an issue matches when every word is found (as one of its stems) in its texts."""
    terms: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, text: str) -> Query:
        return cls(tuple(tuple(stems(w)) for w in normalise(text).split(" ") if w))

    def sql(self, column: str = "words") -> tuple[str, tuple[str, ...]]:
        """An SQL condition for the cache: every term found in `column` (instr: no LIKE wildcards to escape)."""
        if not self.terms:
            return "1", ()
        parts = ["(" + " OR ".join(f"instr({column}, ?) > 0" for _ in t) + ")" for t in self.terms]
        return " AND ".join(parts), tuple(s for t in self.terms for s in t)

    def found_in(self, text: str) -> bool:
        n = normalise(text)
        return all(any(s in n for s in t) for t in self.terms)

    def any_in(self, text: str) -> bool:
        n = normalise(text)
        return any(s in n for t in self.terms for s in t)

    def matches(self, data: dict[str, Any], only: str | None = None, normalised: str | None = None
                ) -> list[tuple[str, str]]:
        """The (field, text) lines of an issue that hold a term, when the issue holds every term ([] if not).
        `normalised`: the issue's `words` as the cache keeps them (one normalised line per text, in the same
        order), so nothing is normalised again."""
        every = list(texts(data))
        norms = normalised.split("\n") if normalised is not None else []
        if len(norms) != len(every):
            norms = [normalise(v) for _, v in every]
        lines = [(w, v, n) for (w, v), n in zip(every, norms, strict=True) if only is None or w == only]
        joined = "\n".join(n for _, _, n in lines)
        if not all(any(s in joined for s in t) for t in self.terms):
            return []
        if not self.terms:
            return [(w, v) for w, v, _ in lines]
        return [(w, v) for w, v, n in lines if any(s in n for t in self.terms for s in t)]
