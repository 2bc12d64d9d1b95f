"""Events the centers count beside cases (trainings for workers, rights fairs, workshops, meetings): one
YAML file per event under `events/`, synced like the cases, counted by `report`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from zchuyot.case.file import WriteResult, make_private_dirs, parse_file, write_atomic
from zchuyot.errors import DataError, InputError
from zchuyot.workspace.store import Workspace

EVENTS = "events"
KINDS = ("training", "fair", "workshop", "meeting")


@dataclass(frozen=True)
class Event:
    kind: str
    date: dt.date
    title: str
    participants: int | None
    worker: str


def add_event(ws: Workspace, kind: str, date: str | None, title: str, participants: int | None) -> WriteResult:
    from zchuyot.case import yamlio
    from zchuyot.practice.core import past_date

    worker = ws.require_worker()
    if kind not in KINDS:
        raise InputError("err.bad_choice", value=kind, flag="--kind", suggest="", options=", ".join(KINDS))
    text = (title or "").strip()
    if not text:
        raise InputError("err.empty_value", what="--title")
    if participants is not None and participants < 0:
        raise InputError("err.event_participants", value=str(participants))
    when = past_date(date)
    folder = ws.root / EVENTS
    make_private_dirs(folder, ws.root)
    import secrets

    # a name no other clone makes for its own event of the same day and kind (two offline: both kept)
    path = folder / f"{when.isoformat()}-{kind}-{secrets.token_hex(3)}.yaml"
    while path.exists():
        path = folder / f"{when.isoformat()}-{kind}-{secrets.token_hex(3)}.yaml"
    data = {"kind": kind, "date": when, "title": text, "participants": participants, "by": worker}
    write_atomic(path, yamlio.dump(yamlio.prepare({k: v for k, v in data.items() if v is not None})))
    result = WriteResult(path.stem, path)
    ws.commit([path], f"zchuyot event add: {kind} {when.isoformat()}", result)
    return result


def events(ws: Workspace) -> list[Event]:
    """Every event of the workspace (a file that does not read is one error naming it)."""
    out = []
    folder = ws.root / EVENTS
    for p in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = parse_file(p)[0]
        if not isinstance(data, dict) or data.get("kind") not in KINDS or not isinstance(data.get("date"), dt.date):
            raise DataError("err.event_broken", file=ws.rel(p), line=1)
        n = data.get("participants")
        out.append(Event(str(data["kind"]), data["date"], str(data.get("title") or ""),
                         n if isinstance(n, int) else None, str(data.get("by") or "")))
    return out


def counted(items: list[Event], start: dt.date, end: dt.date) -> dict[str, Any]:
    """The period's events for the report: {count, by_kind, participants}."""
    inside = [e for e in items if start <= e.date <= end]
    by_kind: dict[str, int] = {}
    for e in inside:
        by_kind[e.kind] = by_kind.get(e.kind, 0) + 1
    return {"count": len(inside), "by_kind": {k: by_kind[k] for k in KINDS if k in by_kind},
            "participants": sum(e.participants or 0 for e in inside)}
