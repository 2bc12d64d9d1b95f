"""YAML text in and out for the one file a command rewrites: round-trip parsing and
comment-preserving edits. What a case file must never hold is refused by `yamlfast` (the reader
every command uses), before ruamel reads it. Writing keeps every comment and the key order
(ruamel.yaml round-trip), keeps Hebrew as Hebrew, writes long text as block scalars and dates
as YYYY-MM-DD.

ruamel stores a comment line that stands *before* a key as the trailing comment of whatever
came last before it — often the last entry of the previous list. `append`, `set_key` and
`insert_key` move that comment along so that labels stay above their keys.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from zchuyot.case import yamlfast
from zchuyot.case.yamlfast import MAX_BYTES, decode  # noqa: F401  (re-exported for callers that write)
from zchuyot.errors import DataError


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.allow_unicode = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    y.preserve_quotes = True
    # the same date object written twice must not become an anchor and an alias
    # (containers are still tracked: ruamel writes a lone None as `key:` only then)
    plain = y.representer.ignore_aliases
    y.representer.ignore_aliases = lambda data: isinstance(data, dt.date) or plain(data)
    return y


# ------------------------------------------------------------------ reading
def parse(text: str, checked: bool = False) -> Any:
    """Parse YAML text round-trip, refusing anything a zchuyot file may not contain.

    The refusals are the fast reader's (one definition, with their lines); ruamel then builds
    the comment-keeping document of the same text. `checked`: the caller has just read this very
    text with the fast reader (the edit path), so it is not read a second time."""
    if not checked:
        yamlfast.load(text)
    try:
        return _yaml().load(text)
    except Exception as e:  # text libyaml accepts and ruamel does not: rare, never a traceback
        raise DataError("err.file.syntax", line=1, why=type(e).__name__, fix="fix.syntax") from None


# ------------------------------------------------------------------ writing
def dump(doc: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(doc, buf)
    return buf.getvalue()


def _literal_ok(s: str) -> bool:
    """Can this text be written as a `|` block exactly as it is?"""
    if not s.strip() or s[0] in " \n" or "\r" in s or "\t" in s:
        return False
    return all(ch.isprintable() or ch == "\n" for ch in s) and not any(ln.endswith(" ") for ln in s.split("\n"))


def prepare(value: Any) -> Any:
    """A Python value as it should be written: long or multi-line text as a block scalar."""
    if isinstance(value, str) and not isinstance(value, LiteralScalarString):
        if ("\n" in value.strip("\n") or len(value) > 80) and _literal_ok(value):
            return LiteralScalarString(value)
        return value
    if isinstance(value, dict) and not isinstance(value, CommentedMap):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = prepare(v)
        return m
    if isinstance(value, list) and not isinstance(value, CommentedSeq):
        s = CommentedSeq()
        for v in value:
            s.append(prepare(v))
        return s
    return value


def _slot_index(container: Any) -> int:
    return 2 if isinstance(container, CommentedMap) else 0


def _last_key(node: Any) -> Any:
    if isinstance(node, CommentedMap):
        return next(reversed(node)) if len(node) else None
    return len(node) - 1 if len(node) else None


def _take(parent: Any, key: Any) -> str | None:
    """Detach the comment lines that trail parent[key] (deepest last element first).

    Returns the lines (without the end-of-line comment, which stays where it is), or None."""
    value = parent[key]
    if isinstance(value, (CommentedMap, CommentedSeq)) and len(value):
        got = _take(value, _last_key(value))
        if got is not None:
            return got
    slot = parent.ca.items.get(key)
    idx = _slot_index(parent)
    if not slot or len(slot) <= idx or slot[idx] is None:
        return None
    tok = slot[idx]
    eol, sep, rest = str(tok.value).partition("\n")
    if not sep or not rest.strip("\n"):
        return None
    if eol.strip():
        tok.value = eol + "\n"
    else:
        slot[idx] = None
    return rest


def _put(parent: Any, key: Any, lines: str | None) -> None:
    """Attach comment lines so that they print right after parent[key] (and its children)."""
    if not lines:
        return
    value = parent[key]
    if isinstance(value, (CommentedMap, CommentedSeq)) and len(value):
        _put(value, _last_key(value), lines)
        return
    idx = _slot_index(parent)
    slot = parent.ca.items.setdefault(key, [None, None, None, None])
    if slot[idx] is None:
        slot[idx] = CommentToken("\n" + lines, CommentMark(0), None)
    else:
        slot[idx].value = str(slot[idx].value).rstrip("\n") + "\n" + lines


def append(parent: Any, key: Any, item: Any) -> Any:
    """Append item to the list at parent[key] (creating it), keeping the comments after it in place."""
    seq = parent.get(key) if isinstance(parent, CommentedMap) else parent[key]
    if not isinstance(seq, CommentedSeq):
        new = CommentedSeq(list(seq or []))
        carried = _take(parent, key) if key in parent else None
        parent[key] = new
        seq = new
    else:
        carried = _take(parent, key)
    seq.fa.set_block_style()
    item = prepare(item)
    seq.append(item)
    _put(parent, key, carried)
    return item


def replace_items(parent: Any, key: Any, items: list[Any]) -> None:
    """Put these items in the list at parent[key] (existing item objects keep their comments),
    keeping the comments after the list in place."""
    carried = _take(parent, key)
    seq = parent[key]
    seq.clear()
    seq.ca.items.clear()
    seq.extend(x if isinstance(x, (CommentedMap, CommentedSeq)) else prepare(x) for x in items)
    seq.fa.set_block_style()
    _put(parent, key, carried)


def set_key(m: CommentedMap, key: str, value: Any, order: tuple[str, ...] | None = None,
            label: str | None = None) -> None:
    """Set m[key] = value in place; a missing key is inserted in `order`'s position with its label."""
    value = prepare(value)
    if key in m:
        old = m[key]
        if isinstance(old, (CommentedMap, CommentedSeq)) or isinstance(value, (CommentedMap, CommentedSeq)):
            carried = _take(m, key)
            m[key] = value
            _put(m, key, carried)
        else:
            m[key] = value
        return
    insert_key(m, key, value, order, label)


def insert_key(m: CommentedMap, key: str, value: Any, order: tuple[str, ...] | None, label: str | None) -> None:
    keys = list(m.keys())
    pos = len(keys)
    if order and key in order:
        rank = order.index(key)
        before = [i for i, k in enumerate(keys) if k in order and order.index(k) < rank]
        pos = (before[-1] + 1) if before else 0
    if pos == 0:
        m.insert(0, key, value)
        if label:
            m.yaml_set_comment_before_after_key(key, before=label)
        return
    prev = keys[pos - 1]
    carried = _take(m, prev)
    m.insert(pos, key, value)
    _put(m, key, carried)
    if label:
        _put(m, prev, f"# {label}\n")
