"""Personal data typed into free text: found however it is written, and replaced exactly where it is.

Text is matched in a normalised copy — niqqud and cantillation dropped, every kind of digit (Arabic-Indic,
fullwidth…) read as a digit, maqaf and dashes as "-", Latin case folded, line breaks as spaces — and each
match is mapped back to its own span of the original text, so a replacement never lands beside what it
meant to hide. Used by the anonymised export (`privacy.Scrubber`) and by the edit path, which warns when
a phone or an ID number is typed into an issue (it belongs in the family record).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from zchuyot.case.form import valid_israeli_id

_DASHES = "\u05be\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"


_SAME_LENGTH = {**{ord(c): "-" for c in _DASHES}, **{ord(c): " " for c in "\r\n\t\u00a0\u2028\u2029"}}
# text made only of these needs no character-by-character pass: ASCII, Hebrew letters, geresh, ₪, dashes
_PLAIN = re.compile("[^\\x00-\\x7f\u05d0-\u05ea\u05f3\u05f4\u20aa" + re.escape(_DASHES) + "\u00a0\u2028\u2029]")


_NIQQUD_CHARS = frozenset(chr(c) for c in range(0x0591, 0x05C8) if chr(c) not in "\u05be\u05c0\u05c3\u05c6")
_NIQQUD = {ord(c): None for c in _NIQQUD_CHARS}


class _Same:
    """The identity position map (the fast path's copy has the original's positions)."""

    def __getitem__(self, i: int) -> int:
        return i


def normalise(text: str) -> tuple[str, Any]:
    """(the matching copy, for each of its characters the index of the original character it came from)."""
    if not _PLAIN.search(text):  # most text: one translation, positions unchanged
        return text.translate(_SAME_LENGTH).lower(), _Same()
    if not _PLAIN.search(text.translate(_NIQQUD)):  # Hebrew with niqqud: drop the marks, keep the positions
        return text.translate(_NIQQUD).translate(_SAME_LENGTH).lower(), [
            i for i, ch in enumerate(text) if ch not in _NIQQUD_CHARS]
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if "\u0591" <= ch <= "\u05c7" and ch not in "\u05be\u05c0\u05c3\u05c6":  # niqqud, cantillation
            continue
        if unicodedata.category(ch) in ("Mn", "Cf"):  # marks; ZWJ, ZWNJ, a soft hyphen, direction marks
            continue
        if ch in _DASHES:
            ch = "-"
        elif ch.isdigit():
            ch = str(unicodedata.digit(ch, 0))
        elif ch in "\r\n\t\u00a0\u2028\u2029":
            ch = " "
        else:
            ch = unicodedata.normalize("NFKC", ch).casefold() or ch
        for c in ch:
            out.append(c)
            where.append(i)
    return "".join(out), where


# what people put between digits: spaces (a line break), dots, dashes, slashes, brackets, commas, underscores
_SEP = r"[ .\-/(),_]{0,3}"
# a digit, or a letter O typed for a zero next to digits (O5O-7654321); what the run is, is decided after
_D = r"(?:\d|o(?=[\d .\-/(),_]*\d))"
_DIGITS = re.compile(r"(?<![\da-z*])(?:\+|00)?\(?" + _D + r"(?:" + _SEP + _D + r"){6,13}+(?![\d])")
# possessive, and starting only where a word starts: 40,000 letters without a space are read once, not
# once from each letter (linear time)
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]++@[\w\-]++(?:\.[\w\-]++)+")
_STREET = re.compile(r"(?:רחוב|רח'|רח׳|שדרות|שד'|שד׳|סמטת|דרך|street|st\.|road|rd\.)\s+"
                     r"[\u05d0-\u05eaa-z\"'׳״\- ]{2,30}?\s*\d{1,4}[א-ת]?(?:\s*(?:/|דירה\s*)\d{1,3})?")
_HEB = "\u05d0-\u05ea"


def _phone_or_id(digits: str) -> str | None:
    """What a run of digits is: 'phone' (Israeli mobile, landline, with or without +972) or 'id' (an Israeli
    ID number, leading zeros allowed), else None."""
    d = digits
    if d.startswith("00972"):
        d = "0" + d[5:]
    elif d.startswith("972") and len(d) >= 11:
        d = "0" + d[3:]
    if re.fullmatch(r"0(?:5\d|7\d)\d{7}", d) or re.fullmatch(r"0[2-489]\d{7}", d):
        return "phone"
    if len(d) == 9 and (valid_israeli_id(d) or not d.startswith("0")):
        return "id"  # nine digits (leading zeros too): an ID number, even with a wrong check digit
    if len(d) == 8 and valid_israeli_id(d):
        return "id"  # typed without its leading zero
    return None


# a Hebrew letter as it is written in Latin letters (a name transliterated: Abutbul, Abitbol, Cohen)
_LATIN = {"ב": "b|v", "ג": "g", "ד": "d", "ה": "h?", "ו": "(?:v|w|o|u)?", "ז": "z", "ח": "ch|h|kh", "ט": "t",
          "י": "(?:y|i|e)?", "כ": "k|ch|kh|c", "ך": "k|ch|kh", "ל": "l", "מ": "m", "ם": "m", "נ": "n", "ן": "n",
          "ס": "s", "פ": "p|f|ph", "ף": "f|ph", "צ": "tz|ts|z|c", "ץ": "tz|ts|z", "ק": "k|q|c|ck", "ר": "r",
          "ש": "sh|s", "ת": "t|th", "א": "", "ע": ""}


def _latin(hebrew: str) -> str | None:
    """The regex of a Hebrew name in Latin letters (vowels between the letters optional), or None when the
    name has fewer than three consonants that must be there (too many words would match)."""
    parts, solid = [], 0
    for c in hebrew:
        alt = _LATIN.get(c)
        if alt is None:
            return None
        if alt and "?" not in alt:
            solid += 1
        parts.append(f"(?:{alt})" if alt else "")
    if solid < 3:
        return None
    return "[aeiouy']*" + "[aeiouy']*".join(p for p in parts if p) + "[aeiouy]*"


_DATE = re.compile(r"\d{1,2}[./\-]\d{1,2}[./\-]\d{2,4}")


@dataclass
class Finder:
    """The personal data of one family (from its record) and what to keep (the bodies' own numbers)."""

    names: list[str] = field(default_factory=list)
    keep_numbers: frozenset[str] = frozenset()  # digits of the bodies' phone numbers
    _compiled: list[re.Pattern[str]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, name: str | None, keep_numbers: Iterable[str] | frozenset[str] = (),
           members: Iterable[str] = ()) -> Finder:
        """The finder of one family's data: its name and its household members' (`members`). `keep_numbers`:
        texts holding the numbers to keep, or (made once for many families by `numbers_in`) their digits."""
        names: set[str] = set()
        for other in members:  # each member's name, as the family's own
            names.update(cls.of(other).names)
        if name:
            full = re.sub(r"\s+", " ", normalise(re.sub(r"\(.*?\)", "", name))[0]).strip()
            if len(full) >= 2:
                names.add(full)  # the name as written, and every word of it (a nickname in brackets too)
            for w in re.split(r"[\s,()]+", normalise(name)[0]):
                if w in ("משפחת", "משפחה") or len(w) < 2:
                    continue
                names.add(w)
                if "-" in w:  # בן-דוד: the whole word and each part of three letters or more
                    names.update(p for p in w.split("-") if len(p) >= 3)
        keep = keep_numbers if isinstance(keep_numbers, frozenset) else numbers_in(keep_numbers)
        return cls(sorted(names, key=len, reverse=True), keep)

    def patterns(self) -> list[re.Pattern[str]]:
        """The family's names as they are typed in practice: with up to three Hebrew prefix letters glued to
        them (ובאבוטבול) and a suffix (האבוטבולים); with or without ו and י (אבוטבול, אבוטבל); a long name
        split by a space or a dash (אבו טבול); and in Latin letters (Abutbul, Abitbol)."""
        if self._compiled is None:
            out = []
            for name in self.names:
                hebrew = re.sub(rf"[^{_HEB}]", "", name)
                if len(hebrew) >= 3:
                    joint = r"[ \-]?" if len(hebrew) >= 5 else ""
                    body = joint.join(r"[וי]{0,2}" if c in "וי" and n else re.escape(c)
                                      for n, c in enumerate(name) if c != " ")
                    body = body.replace(r"[וי]{0,2}" + joint + r"[וי]{0,2}", r"[וי]{0,2}")
                    body = rf"{body}(?:ים|ות|יים|ית|י|ה)?"
                else:
                    body = re.escape(name)
                out.append(re.compile(rf"(?<![\w{_HEB}])(?:[לבוהמשכ]{{0,3}})({body})(?![\w{_HEB}])"))
                latin = _latin(hebrew)
                if latin:
                    out.append(re.compile(rf"(?<![a-z])({latin})(?![a-z])"))
            self._compiled = out
        return self._compiled

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, what) in the original text: what is 'name', 'phone', 'id', 'email' or 'address'."""
        norm, where = normalise(text)
        found: list[tuple[int, int, str]] = []
        for m in _EMAIL.finditer(norm):
            found.append((m.start(), m.end(), "email"))
        for m in _STREET.finditer(norm):
            found.append((m.start(), m.end(), "address"))
        for m in _DIGITS.finditer(norm):
            if _DATE.fullmatch(m.group().strip()):
                continue  # 12/11/2026 is a date
            digits = re.sub(r"\D", "", m.group().replace("o", "0"))
            if len(digits) < 7:
                continue
            kind = _phone_or_id(digits)
            if kind is not None and not (kind == "phone" and digits in self.keep_numbers):
                found.append((m.start(), m.end(), kind))
        for pattern in self.patterns():
            for m in pattern.finditer(norm):
                found.append((m.start(1), m.end(1), "name"))
        # map back to the original text; the longest match first where they overlap
        out: list[tuple[int, int, str]] = []
        for s, e, kind in sorted(found, key=lambda x: (x[0], -(x[1] - x[0]))):
            start, end = where[s], where[e - 1] + 1
            while end < len(text) and unicodedata.category(text[end]) == "Mn":
                end += 1  # the niqqud of the last letter goes with it
            if out and start < out[-1][1]:
                if end > out[-1][1]:
                    out[-1] = (out[-1][0], end, out[-1][2])
                continue
            out.append((start, end, kind))
        return out

    def replace(self, text: str, labels: dict[str, str]) -> str:
        out, at = [], 0
        for start, end, kind in self.spans(text):  # in order, not overlapping: one pass (linear)
            out += [text[at:start], labels[kind]]
            at = end
        out.append(text[at:])
        return "".join(out)


def numbers_in(texts: Iterable[str]) -> frozenset[str]:
    """The digits of every number in these texts (the bodies' contact details: numbers to keep)."""
    return frozenset(re.sub(r"\D", "", m.group()) for text in texts for m in _DIGITS.finditer(normalise(text)[0]))
