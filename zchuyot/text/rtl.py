"""Hebrew in the terminal (DESIGN §5).

`logical`: text as stored (pipes, files, JSON, terminals that reorder by themselves).
`visual`: for terminals that do not reorder — wrap first, then reorder each line with the
Unicode bidi algorithm (base direction RTL), only for text holding a Hebrew letter, brackets
mirrored, niqqud kept after its letter; the caller right-justifies and puts the first column
on the right.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Callable

HEBREW = re.compile(r"[\u05d0-\u05ea\ufb1d-\ufb4f]")
MODES = ("auto", "visual", "logical")
_REORDERING_TERMS = ("Apple_Terminal", "mintty")


def has_hebrew(text: str) -> bool:
    return bool(HEBREW.search(text))


def choose_mode(option: str | None, isatty: bool) -> str:
    """`visual` or `logical` for --bidi / ZCHUYOT_BIDI (auto: see module doc)."""
    mode = (option or os.environ.get("ZCHUYOT_BIDI") or "auto").lower()
    if mode in ("visual", "logical"):
        return mode
    if not isatty:
        return "logical"
    return "logical" if terminal_reorders(os.environ) else "visual"


def terminal_reorders(env: os._Environ[str] | dict[str, str]) -> bool:
    """Whether the terminal shows Hebrew in order by itself (then zchuyot writes text as stored): Konsole,
    mlterm, PuTTY, Apple Terminal, mintty, and VTE (GNOME Terminal…) from 0.57.3 (VTE_VERSION 5703) do;
    Windows Terminal (WT_SESSION), VS Code, kitty, Alacritty, WezTerm, iTerm2 do not. tmux and screen never
    reorder what they draw: inside them, only a reordering terminal known around them counts."""
    if env.get("WT_SESSION"):
        return False
    known = bool(env.get("KONSOLE_VERSION") or env.get("MLTERM") or env.get("TERM_PROGRAM") in _REORDERING_TERMS
                 or (env.get("TERM") or "").startswith("putty"))
    vte = env.get("VTE_VERSION") or ""
    if vte.isdigit() and int(vte) >= 5703:
        known = True
    return known


# zero-width below U+1100 (where no character is double-width): combining marks (Hebrew niqqud among
# them), and the invisible marks and isolates
_ZERO_WIDTH = re.compile("[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
                         "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
                         "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


def cell_width(text: str) -> int:
    """Terminal cells of a text: counted here for the usual (ASCII, Hebrew with niqqud), by Rich otherwise."""
    if text.isascii():
        return len(text)
    if max(text) < "\u1100":
        return len(text) - len(_ZERO_WIDTH.findall(text))
    from rich.cells import cell_len

    return cell_len(text)


FSI, PDI = "\u2068", "\u2069"  # first-strong isolate, pop directional isolate (UAX #9)
_LATIN = "!-~\u00c0-\u024f"  # ASCII and the accented Latin letters (Café, Müller: immigrants' names)
_LATIN_RUN = re.compile(f"[{_LATIN}]+(?: [{_LATIN}]+)*")
# a command with its flags and quoted values (Hebrew only inside the quotes), not one quoted as a whole
# — and a flag with its quoted value (`--refusal "מה נאמר"`): each one left-to-right unit, as it is typed
# (an argument never holds a parenthesis: `zchuyot (זכויות)` is a name and its gloss, `(zchuyot family waiver)` an
# aside whose closing bracket is the sentence's)
_COMMAND = re.compile(r'(?<![\'"])zchuyot(?: (?:"[^"\n]*"|[!#-\'*-~]+))+|(?<![\w-])--[a-z][a-z0-9-]* "[^"\n]*"')
_BRACKETS = "()[]{}"
_CLOSES = {")": "(", "]": "[", "}": "{"}
_OPENS = {v: k for k, v in _CLOSES.items()}
LRI = "\u2066"


def isolate_latin(text: str) -> str:
    """A Hebrew sentence (a message, a hint, help) with each run of Latin words — an id, an English name, a
    flag — set apart as a directional isolate (U+2068 … U+2069), so that it is one unit: `'nope'.
    'zchuyot list'` are never joined into one left-to-right run. A whole command with its flags and quoted
    Hebrew values is one left-to-right isolate (U+2066), as it is typed. An isolate never crosses a bracket
    (the pair is the sentence's, mirrored as one), starts and ends with a word that has a Latin letter (so
    numbers and amounts next to it — `₪310` — stay with their sign), and leaves sentence punctuation and a
    Hebrew prefix's hyphen outside. Lines without Hebrew are as they were. Table cells are not isolated:
    UAX #9 orders them as they are."""
    if not has_hebrew(text) or FSI in text or LRI in text:
        return text
    commands: list[str] = []

    def hold(m: re.Match[str]) -> str:
        run = m.group()
        trail = ""
        while run and run[-1] in ".,;:!?)" and not (run[-1] == ")" and run.count("(") >= run.count(")")):
            run, trail = run[:-1], run[-1] + trail
        if run.count('"') % 2 != 0:
            return m.group()
        commands.append(run)
        return f"\ue000{len(commands) - 1}\ue001{trail}"

    held = _COMMAND.sub(hold, text) if "zchuyot " in text or '--' in text else text

    def wrap(m: re.Match[str]) -> str:
        # a word that ends a clause (`'nope'.`) ends the run: `'nope'. 'zchuyot list'` are two
        parts = re.split(r"(?<=[.,;:!?]) ", m.group())
        glued = m.start() > 0 and "\u05d0" <= held[m.start() - 1] <= "\u05ea"  # ל-'housing': a Hebrew prefix
        return " ".join(one(p, glued and k == 0) for k, p in enumerate(parts))

    def one(run: str, after_prefix: bool = False) -> str:
        # the run split at every bracket: each piece isolated on its own, the brackets left to the sentence
        pieces = re.split(f"([{re.escape(_BRACKETS)}])", run)
        return "".join(p if p in _BRACKETS or not p else words(p, after_prefix and k == 0)
                       for k, p in enumerate(pieces))

    def words(run: str, after_prefix: bool) -> str:
        tokens = run.split(" ")
        # a Latin word, or a signed number (`+7`: a relative date in a hint reads as it is typed)
        latin = [k for k, tok in enumerate(tokens) if re.search("[A-Za-z\u00c0-\u024f]", tok)
                 or re.fullmatch(r"[+-]\d+", tok) and not (after_prefix and k == 0)]  # ל-10 is no sign
        if not latin:
            return run  # numbers, dates, amounts: the algorithm places them well
        first, last = latin[0], latin[-1]
        inner = " ".join(tokens[first:last + 1])
        lead = trail = ""
        while inner and (inner[-1] in ".,;:!?- " or inner[-1] in "'\"" and inner.count(inner[-1]) % 2):
            inner, trail = inner[:-1], inner[-1] + trail
        while inner and ((inner[0] == "-" and after_prefix and first == 0 and not lead) or
                         inner[0] in "'\"" and inner.count(inner[0]) % 2):
            inner, lead = inner[1:], lead + inner[0]
        if not inner:
            return run
        if not lead and not trail and inner[0].isalnum() and inner[-1].isalnum() and not re.search(
                r"[.,;:!?'\"]", inner) and not re.fullmatch(r"[+-]\d+", inner):
            return run  # words and codes (NI, f102, Café, NI 3): UAX #9 itself orders them as they read
        before = " ".join(tokens[:first]) + (" " if first else "")
        after = (" " if last < len(tokens) - 1 else "") + " ".join(tokens[last + 1:])
        return f"{before}{lead}{FSI}{inner}{PDI}{trail}{after}"

    out = _LATIN_RUN.sub(wrap, held)
    for k, command in enumerate(commands):
        out = out.replace(f"\ue000{k}\ue001", f"{LRI}{command}{PDI}")
    return out


_ISOLATED = re.compile(f"{FSI}([^{FSI}{PDI}]*)(?:{PDI}|$)|^([^{FSI}]*?){PDI}")


def visual(line: str, paragraph_rtl: bool = False) -> str:
    """One line in visual order (only if it holds Hebrew, or is a line of a Hebrew paragraph), its
    paragraph right to left: the Unicode bidi algorithm (UAX #9) whole — isolates, paired brackets (N0),
    mirroring (L4: `(דחוף)` reads `(ףוחד)`), niqqud after its letter — done by GNU FriBidi's library
    (text/fribidi.py) for every line. The isolates that held the Latin runs together are dropped from the
    result (a terminal would show them as boxes). Where FriBidi is not installed: python-bidi (its UAX #9
    implementation for lines that need mirroring; without paired brackets and isolates)."""
    if not has_hebrew(line) and not paragraph_rtl:  # (a wrapped line of a Hebrew paragraph is reordered too)
        return line.replace(FSI, "").replace(PDI, "")
    from zchuyot.text import fribidi

    if fribidi.available():
        return _strip_isolates(fribidi.log2vis(line, "rtl"))
    if FSI in line or PDI in line:
        # each isolated run stands in as one neutral symbol while the line is reordered, then comes back as
        # it was (left to right): python-bidi's reference implementation does not know isolates
        runs: list[str] = []

        def hold(m: re.Match[str]) -> str:
            runs.append(m.group(1) if m.group(1) is not None else m.group(2))
            return chr(0x2600 + len(runs) - 1)

        held = _ISOLATED.sub(hold, line)
        out = visual(held, paragraph_rtl=True)
        for k, run in enumerate(runs):
            out = out.replace(chr(0x2600 + k), run)
        return out
    if _mirrorable().intersection(line):
        from bidi.algorithm import get_display as get_display_l4

        return _marks_after_base(get_display_l4(line, base_dir="R"))
    from bidi import get_display

    return _marks_after_base(get_display(line, base_dir="R"))


_ISOLATE_CONTROLS = {ord(c): None for c in "\u2066\u2067\u2068\u2069"}


def _strip_isolates(text: str) -> str:
    return text.translate(_ISOLATE_CONTROLS)


@functools.cache
def _mirrorable() -> frozenset[str]:
    """The characters UAX #9 may mirror (python-bidi's table), loaded when visual order is first needed."""
    from bidi.mirror import MIRRORED

    return frozenset(MIRRORED)


def _marks_after_base(s: str) -> str:
    """python-bidi reverses a run character by character; put each niqqud mark back after its letter."""
    chars = list(s)
    out: list[str] = []
    pending: list[str] = []
    for ch in chars:
        if unicodedata.combining(ch):
            pending.append(ch)
            continue
        out.append(ch)
        if pending:
            # marks that came *before* a base char after reversal belong to it
            out.extend(reversed(pending))
            pending = []
    if pending:
        out.extend(reversed(pending))
    return "".join(out)


_IN_ISOLATE = re.compile(f"{FSI}[^{FSI}{PDI}]*{PDI}")
_IN_BRACKETS = re.compile(r"\([^()\n]*\)|\[[^\[\]\n]*\]")
_SHORT_ASIDE = 32  # cells
_HELD_SPACE = "\ue0ff"  # stands for a space the wrapping must not break at (a private-use character, one cell)


def visual_lines(text: str, width: int) -> list[str]:
    """A paragraph as a terminal that does not reorder must be sent it: wrapped to `width` first (in logical
    order: the words that begin the sentence on the first line), each line then in visual order and, when the
    paragraph is Hebrew, pushed to the right edge."""
    hebrew = has_hebrew(text)
    out = []
    for ln in wrap(text, width):
        vis = visual(ln, paragraph_rtl=hebrew)
        out.append(" " * max(width - cell_width(vis), 0) + vis if hebrew else vis)
    return out


def wrap(text: str, width: int) -> list[str]:
    """Wrap by words to `width` terminal cells (long words are cut). Keeps explicit newlines; an isolated
    run of Latin words (a command with its id) and a short bracketed aside (`(עוד 6 ימים)`,
    `(zchuyot family waiver)`) are each one word, moved to the next line whole — a bracket pair cut in
    two is a pair no more, and each half would be shown facing the wrong way."""
    if "\n" not in text and cell_width(text) <= width:  # the usual cell: it fits as it is
        return [text]

    def hold(most: int) -> Callable[[re.Match[str]], str]:
        def one(m: re.Match[str]) -> str:
            group = m.group()
            return group.replace(" ", _HELD_SPACE) if cell_width(group) <= most else group
        return one

    held = _IN_ISOLATE.sub(hold(width), text) if FSI in text else text
    if "(" in held or "[" in held:  # a short aside; a long one is wrapped like the rest of the sentence
        held = _IN_BRACKETS.sub(hold(min(width, _SHORT_ASIDE)), held)
    if held is text:
        return _wrap(text, width)
    return [ln.replace(_HELD_SPACE, " ") for ln in _wrap(held, width)]


def _wrap(text: str, width: int) -> list[str]:
    width = max(width, 1)
    lines: list[str] = []
    for para in str(text).split("\n"):
        words = para.split(" ")
        cur = ""
        for w in words:
            cand = f"{cur} {w}" if cur else w
            if cell_width(cand) <= width:
                cur = cand
                continue
            if cur:
                lines.append(cur)
            while cell_width(w) > width:
                cut = _cut(w, width)
                lines.append(w[:cut])
                w = w[cut:]
            cur = w
        lines.append(cur)
    return lines


def _cut(word: str, width: int) -> int:
    n = 0
    for i in range(1, len(word) + 1):
        if cell_width(word[:i]) > width:
            break
        n = i
    # never split a letter from its niqqud
    while n < len(word) and unicodedata.combining(word[n]):
        n += 1
    return max(n, 1)


_CONTROLS = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)}  # ␀ … ␟: C0 shown, not obeyed
_CONTROLS[0x7F] = 0x2421  # ␡
_CONTROLS.update({c: 0xFFFD for c in range(0x80, 0xA0)})  # C1 (0x9b is a CSI by itself on some terminals)


def visible(text: str) -> str:
    """Text from the data made harmless for a terminal: every control character other than tab and newline
    (ESC of an escape sequence, a carriage return, a bell, the C1 controls) shown as a visible symbol (␛, ␍,
    ␇, �) instead of being obeyed — nothing typed or synced can retitle, clear or hide the screen."""
    return text.translate(_CONTROLS) if not text.isprintable() else text
