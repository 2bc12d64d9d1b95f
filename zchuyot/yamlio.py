"""YAML text in and out: a guarded round-trip parser and comment-preserving edits.

Reading refuses what a case file must never hold (tabs in indentation, duplicate keys, tags,
anchors/aliases, conflict markers, non-UTF-8, oversized text) with the line it was found on.
Writing keeps every comment and the key order (ruamel.yaml round-trip), keeps Hebrew as
Hebrew, writes long text as block scalars and dates as YYYY-MM-DD.

ruamel stores a comment line that stands *before* a key as the trailing comment of whatever
came last before it — often the last entry of the previous list. `append`, `set_key` and
`insert_key` move that comment along so that labels stay above their keys.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import deque
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import CommentMark, MarkedYAMLError
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from zchuyot.errors import DataError
from zchuyot.yamlfast import _BAD_DATE, _LEAD_TAB, _MARKERS, MAX_BYTES, decode  # noqa: F401


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
def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def parse(text: str) -> Any:
    """Parse YAML text round-trip, refusing anything a zchuyot file may not contain."""
    if m := _MARKERS.search(text):
        raise DataError("err.file.merge_markers", line=_line_of(text, m.start()), fix="fix.merge_markers")
    if m := _LEAD_TAB.search(text):
        raise DataError("err.file.tab", line=_line_of(text, m.start()), fix="fix.tab")
    try:
        doc = _yaml().load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = (mark.line + 1) if mark is not None else 1
        problem = (e.problem or e.context or "").strip()
        if "duplicate key" in problem or type(e).__name__ == "DuplicateKeyError":
            key = re.search(r'duplicate key "(.*?)"', str(e))
            raise DataError("err.file.duplicate", line=line, key=key[1] if key else "?", fix="fix.duplicate") from None
        if "constructor" in problem:
            raise DataError("err.file.tag", line=line, tag=problem, fix="fix.tag") from None
        raise DataError("err.file.syntax", line=line, why=problem or type(e).__name__, fix="fix.syntax") from None
    except (ValueError, TypeError, OverflowError) as e:
        for i, ln in enumerate(text.splitlines(), 1):
            if (m := _BAD_DATE.search(ln)) and not _date_ok(m[1]):
                raise DataError("err.file.bad_date", line=i, value=m[1], fix="fix.bad_date") from None
        raise DataError("err.file.syntax", line=1, why=str(e), fix="fix.syntax") from None
    except RecursionError:
        raise DataError("err.file.syntax", line=1, why="nesting too deep", fix="fix.syntax") from None
    except Exception as e:  # ruamel raises a few non-marked errors on hostile input
        raise DataError("err.file.syntax", line=1, why=type(e).__name__, fix="fix.syntax") from None
    _guard(doc)
    return doc


def _date_ok(s: str) -> bool:
    try:
        y, m, d = (int(x) for x in s.split("-"))
        dt.date(y, m, d)
        return True
    except ValueError:
        return False


def _where(parent: Any, key: Any) -> int:
    try:
        if isinstance(parent, CommentedMap):
            return int(parent.lc.key(key)[0]) + 1
        if isinstance(parent, CommentedSeq):
            return int(parent.lc.item(key)[0]) + 1
    except Exception:
        pass
    return 1


def _guard(doc: Any) -> None:
    """Walk the tree once: no tags, no binary/sets, no shared (aliased) nodes. Fails fast."""
    seen: set[int] = set()
    stack: deque[tuple[Any, Any, Any]] = deque([(None, None, doc)])  # in document order
    while stack:
        parent, key, node = stack.popleft()
        line = _where(parent, key) if parent is not None else 1
        if isinstance(node, (TaggedScalar, bytes, bytearray, set, frozenset)):
            tag = getattr(getattr(node, "tag", None), "value", None) or type(node).__name__
            raise DataError("err.file.tag", line=line, tag=str(tag), fix="fix.tag")
        if isinstance(node, (CommentedMap, CommentedSeq)):
            if id(node) in seen or (getattr(node, "anchor", None) is not None and node.anchor.value):
                raise DataError("err.file.alias", line=line, fix="fix.alias")
            seen.add(id(node))
            tag = getattr(getattr(node, "tag", None), "value", None)
            if tag and tag not in ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
                raise DataError("err.file.tag", line=line, tag=str(tag), fix="fix.tag")
            if isinstance(node, CommentedMap):
                for k, v in node.items():
                    if not isinstance(k, (str, int, float, bool, dt.date)) and k is not None:
                        raise DataError("err.file.syntax", line=_where(node, k), why="complex key", fix="fix.syntax")
                    stack.append((node, k, v))
            else:
                for i, v in enumerate(node):
                    stack.append((node, i, v))
        elif isinstance(node, dt.datetime):
            raise DataError("err.file.syntax", line=line, why="a date with a time; write YYYY-MM-DD", fix="fix.syntax")


def to_plain(node: Any) -> Any:
    """The loaded tree as plain dicts/lists/str (for pydantic and JSON)."""
    if isinstance(node, dict):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def line_of_path(doc: Any, path: tuple[Any, ...]) -> int:
    """The 1-based line of a key path like ('log', 2, 'date') in a round-trip document."""
    line = 1
    node = doc
    for part in path:
        in_map = isinstance(node, CommentedMap) and part in node
        in_seq = isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node)
        if in_map or in_seq:
            line = _where(node, part)
            node = node[part]
        else:
            break
    return line


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
