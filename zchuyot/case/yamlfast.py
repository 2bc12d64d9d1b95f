"""The fast, safe reader every read path uses: libyaml (PyYAML's C parser) composes the nodes,
and this module builds plain data from them under the same rules as the round-trip writer:

- YAML 1.2 core scalars (as ruamel.yaml writes them: `no` is text, `true` is a bool, dates are dates);
- no tags but the standard ones, no anchors or aliases, no duplicate keys, no tabs in indentation,
  no conflict markers, UTF-8 only, at most 1 MB — each refused with the line it was found on;
- a map from key paths to lines, so a field's problem is reported as FILE:LINE.

Round-trip loading (ruamel.yaml, comment-preserving) is used only for the one file a command
rewrites; the text it writes is validated through this reader before it is saved.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from zchuyot.errors import DataError

_T = "tag:yaml.org,2002:"
_LIB: list[Any] = []  # PyYAML and our loader, imported at the first parse (a command that parses nothing never pays)


def _lib() -> tuple[Any, Any]:
    """PyYAML, and libyaml's parser and composer with implicit scalars resolved here (YAML 1.2 core)."""
    if not _LIB:
        import yaml

        base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # PyYAML built without libyaml: the Python one
        kind_tag = {yaml.ScalarNode: _T + "str", yaml.SequenceNode: _T + "seq", yaml.MappingNode: _T + "map"}

        class Loader(base):  # type: ignore[misc, valid-type]
            def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
                return kind_tag[kind]

        _LIB.extend((yaml, Loader))
    return _LIB[0], _LIB[1]

MAX_BYTES = 4_000_000  # an issue with 15,000 log entries of Hebrew text fits (≈ 1.8 MB)
_MARKERS = re.compile(r"^(<{7}|={7}|>{7})(\s|$)", re.M)
_LEAD_TAB = re.compile(r"^[ ]*\t", re.M)


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise DataError("err.file.too_big", line=1, size=len(data), max=MAX_BYTES, fix="fix.too_big")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise DataError("err.file.encoding", line=line, fix="fix.encoding") from None
    text = text.removeprefix("\ufeff")
    # a file saved by Notepad (CRLF): read as LF, so the edit path writes one kind of line ending, not two
    return text.replace("\r\n", "\n") if "\r" in text else text


Lines = dict[tuple[Any, ...], tuple[int, int]]  # key path → (line, column), both from 1

_SCALAR_TAGS = {_T + x for x in ("str", "int", "float", "bool", "null", "timestamp")}
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATETIME = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}([Tt]|[ \t]+)\d{1,2}:\d\d:\d\d")
_MAYBE_NOT_TEXT = frozenset("0123456789+-.~nNtTfF")  # a plain scalar starting otherwise is text

__all__ = ["load", "Lines", "MAX_BYTES", "decode", "line_of", "pos_of"]


def _line(node: Any) -> int:
    return int(node.start_mark.line) + 1


def _pos(node: Any) -> tuple[int, int]:
    return int(node.start_mark.line) + 1, int(node.start_mark.column) + 1


def _scalar(node: Any) -> Any:
    value = node.value
    if node.tag not in _SCALAR_TAGS:
        raise DataError("err.file.tag", line=_line(node), col=_pos(node)[1], tag=str(node.tag), fix="fix.tag")
    if node.style or (value and value[0] not in _MAYBE_NOT_TEXT):  # quoted, block, or plainly text
        return value
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value):
        if len(value.lstrip("+-")) > 15:  # no field holds more; Python refuses to read 4,300 digits at all
            raise DataError("err.file.number_range", line=_line(node), col=_pos(node)[1], value=value[:20] + "…",
                            fix="fix.number_range")
        return int(value)
    if _OCT.match(value):
        return int(value[2:], 8)
    if _HEX.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if value in (".inf", "+.inf", ".Inf", "+.Inf", ".INF", "+.INF"):
        return float("inf")
    if value in ("-.inf", "-.Inf", "-.INF"):
        return float("-inf")
    if value in (".nan", ".NaN", ".NAN"):
        return float("nan")
    if m := _DATE.match(value):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise DataError("err.file.bad_date", line=_line(node), col=_pos(node)[1], value=value,
                            fix="fix.bad_date") from None
    if _DATETIME.match(value):
        raise DataError("err.file.syntax", line=_line(node), why="a date with a time; write YYYY-MM-DD",
                        fix="fix.syntax")
    return value


def _build(root: Any) -> tuple[Any, Lines]:
    """Nodes → plain data and a path → line map. Shared nodes (aliases) are refused."""
    yaml = _lib()[0]
    lines: Lines = {}
    seen: set[int] = set()

    def build(node: Any, path: tuple[Any, ...], depth: int) -> Any:
        if depth > 64:
            raise DataError("err.file.syntax", line=_line(node), why="nesting too deep", fix="fix.syntax")
        if id(node) in seen:
            raise DataError("err.file.alias", line=_line(node), fix="fix.alias")
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _T + "seq":
                raise DataError("err.file.tag", line=_line(node), tag=str(node.tag), fix="fix.tag")
            out_list = []
            for i, item in enumerate(node.value):
                lines[(*path, i)] = _pos(item)
                out_list.append(build(item, (*path, i), depth + 1))
            return out_list
        if isinstance(node, yaml.MappingNode):
            if node.tag != _T + "map":
                raise DataError("err.file.tag", line=_line(node), tag=str(node.tag), fix="fix.tag")
            out: dict[Any, Any] = {}
            for knode, vnode in node.value:
                if not isinstance(knode, yaml.ScalarNode):
                    raise DataError("err.file.syntax", line=_line(knode), why="complex key", fix="fix.syntax")
                key = _scalar(knode)
                if not isinstance(key, (str, int, bool)) and key is not None:
                    key = str(key)
                if key in out:
                    raise DataError("err.file.duplicate", line=_line(knode), col=_pos(knode)[1], key=str(key),
                                    fix="fix.duplicate")
                lines[(*path, key)] = _pos(vnode) if isinstance(vnode, yaml.ScalarNode) else _pos(knode)
                out[key] = build(vnode, (*path, key), depth + 1)
            return out
        raise DataError("err.file.syntax", line=_line(node), why=type(node).__name__, fix="fix.syntax")

    return build(root, (), 0), lines


def load(text: str) -> tuple[Any, Lines]:
    """Parse a zchuyot YAML file: plain data and where each key is. Raises DataError with a line."""
    if m := _MARKERS.search(text):
        raise DataError("err.file.merge_markers", line=text.count("\n", 0, m.start()) + 1, fix="fix.merge_markers")
    if m := _LEAD_TAB.search(text):
        raise DataError("err.file.tab", line=text.count("\n", 0, m.start()) + 1, fix="fix.tab")
    yaml, loader = _lib()
    try:
        if "&" in text or "*" in text:  # only then can there be an anchor or an alias: look at the events
            for ev in yaml.parse(text, Loader=loader):
                if getattr(ev, "anchor", None) is not None:
                    raise DataError("err.file.alias", line=int(ev.start_mark.line) + 1, fix="fix.alias")
        nodes = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = (mark.line + 1) if mark is not None else 1
        col = (mark.column + 1) if mark is not None else 0
        problem = (e.problem or e.context or "").strip()
        if "tab" in problem:
            raise DataError("err.file.tab", line=line, col=col, fix="fix.tab") from None
        raise DataError("err.file.syntax", line=line, col=col, why=problem or type(e).__name__,
                        fix="fix.syntax") from None
    except yaml.YAMLError as e:
        raise DataError("err.file.syntax", line=1, why=type(e).__name__, fix="fix.syntax") from None
    except RecursionError:
        raise DataError("err.file.syntax", line=1, why="nesting too deep", fix="fix.syntax") from None
    if nodes is None:
        return None, {}
    try:
        return _build(nodes)
    except RecursionError:
        raise DataError("err.file.syntax", line=1, why="nesting too deep", fix="fix.syntax") from None


def pos_of(lines: Lines, path: tuple[Any, ...]) -> tuple[int, int]:
    """(line, column) of a key path's value, or of its nearest parent that has one."""
    p = tuple(path)
    while p:
        if p in lines:
            return lines[p]
        p = p[:-1]
    return 1, 0


def line_of(lines: Lines, path: tuple[Any, ...]) -> int:
    return pos_of(lines, path)[0]
