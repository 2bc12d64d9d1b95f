"""Merging two versions of one issue file (git's merge driver: `zchuyot merge-file %O %A %B %P`).

Rules, so that nothing either worker typed is lost and both clones reach the same result:
- `log`, `actions`, `bodies`, `deadlines`: the union. Log entries are one entry when date, kind,
  text and author are the same; the merged log is sorted by date. An entry one side edited by hand
  in place is kept once, as it was, followed by a `correction` entry carrying the edit (what
  `zchuyot correct` writes), never twice. Actions are matched by `id`;
  the same id with a different `what` added on both sides is a collision: the other side's action
  gets the next free number (and its log entries' `action` follow it). A matched action keeps the
  changes of both sides field by field (one side marked it done, the other changed its due date:
  both kept). Bodies are one when `org` is the same; deadlines when `key` and `from` are.
- `step`: the furthest of the two.
- every other field (and each sub-field of `worker`, `barrier`, `policy`, `outcome`): changed on one
  side only → that side; changed differently on both → the side whose last log entry is later wins
  (on a tie, the larger value, so the result is the same whichever side merges); the losing value
  is never dropped: it is written into the log as a note (`merge`) dated the day of the merge.
- comments and layout: those of the local version, and every comment the other side added, each where it
  stood (before the same line, or at the end of the same line; at the end of the file if that line is gone).
The result must validate; if it does not, the driver fails and `zchuyot sync` aborts cleanly.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from zchuyot import flow
from zchuyot.case import form, yamlfast, yamlio
from zchuyot.case.file import apply
from zchuyot.case.form import LISTS, MAPS
from zchuyot.case.rules import ADMIN_KINDS
from zchuyot.errors import DataError


def _key(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)


def _log_id(e: dict[str, Any]) -> str:
    return _key(form.identity("log", e))


def _last(doc: dict[str, Any]) -> Any:
    dates = [e.get("date") for e in doc.get("log") or [] if isinstance(e, dict) and isinstance(e.get("date"), dt.date)]
    return max(dates) if dates else dt.date.min


def edited_entries(base: dict[str, Any], side: dict[str, Any]) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
    """Log entries a version changed by hand in place: (place from 0, the base's entry, that version's) — the
    entry at the same place, which neither has elsewhere. The log is append-only; `correct` is the way."""
    old = [e for e in base.get("log") or [] if isinstance(e, dict)]
    mine = [e for e in side.get("log") or [] if isinstance(e, dict)]
    old_ids = {_log_id(e) for e in old}
    mine_ids = {_log_id(e) for e in mine}
    return [(n, b, s) for n, (b, s) in enumerate(zip(old, mine, strict=False))
            if _log_id(b) not in mine_ids and _log_id(s) not in old_ids
            and s.get("kind") not in ADMIN_KINDS and b.get("kind") not in ADMIN_KINDS]



def as_read(field: str, value: Any) -> str:
    """A value the merge replaced, as the worker reads it in the log: the form's label and the value's name
    ("היסטוריית הטיפול: סירוב", never `history: refused`)."""
    from zchuyot.case.form import FAMILY, field_at
    from zchuyot.text.labels import choice_label, t

    path = tuple(field.split("."))
    f = field_at(path) or field_at(path, FAMILY)
    label = t(f.label_key, "he").rstrip("?") if f is not None else field
    if isinstance(value, dict):
        subs = {x.key: x for x in (f.sub if f is not None else ())}
        shown = "; ".join(as_read(f"{field}.{k}", v).split(": ", 1)[1] if k in subs else f"{k}: {v}"
                          for k, v in value.items() if v not in (None, "", []))
    elif f is not None and f.kind == "choice":
        shown = choice_label(f.vocab or "", str(value), "he")
    elif isinstance(value, dt.date):
        shown = value.strftime("%d/%m/%Y")
    else:
        shown = str(value)
    return f"{label}: {shown}"

class Merger:
    def __init__(self, base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any], today: dt.date) -> None:
        self.base, self.ours, self.theirs, self.today = base, ours, theirs, today
        self.lost: list[str] = []  # "field: value" kept only in the log
        ol, tl = _last(ours), _last(theirs)
        self.theirs_wins_ties = tl > ol
        self.tie = ol == tl

    def pick(self, field: str, b: Any, o: Any, t: Any) -> Any:
        if _key(o) == _key(t) or _key(t) == _key(b):
            return o
        if _key(o) == _key(b):
            return t
        if self.tie:
            winner, loser = (o, t) if _key(o) >= _key(t) else (t, o)
        else:
            winner, loser = (t, o) if self.theirs_wins_ties else (o, t)
        if loser not in (None, ""):
            self.lost.append(as_read(field, loser))
        return winner

    # -------------------------------------------------------- lists
    def edited(self, side: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        return [(b, s) for _, b, s in edited_entries(self.base, side)]

    def log(self, renumber: dict[str, str]) -> list[dict[str, Any]]:
        """Both sides' entries, each once, by date. An entry one side edited by hand is kept once, as it
        was, with a correction entry that carries the edit (`correct`'s own record): the audit trail
        stays whole and every display reads the edited text."""
        edits = [*self.edited(self.ours), *self.edited(self.theirs)]
        hand = {_log_id(s) for _, s in edits}
        seen: dict[str, dict[str, Any]] = {}
        for side, entries in (("b", [b for b, _ in edits]), ("o", self.ours.get("log") or []),
                              ("t", self.theirs.get("log") or [])):
            for e in entries:
                if not isinstance(e, dict) or _log_id(e) in hand:
                    continue
                if side == "t" and str(e.get("action")) in renumber:
                    e = {**e, "action": int(renumber[str(e["action"])])}
                seen.setdefault(_log_id(e), e)
        out = sorted(seen.values(), key=lambda e: e.get("date") if isinstance(e.get("date"), dt.date) else dt.date.min)
        place = {_log_id(e): n for n, e in enumerate(out, 1)}
        for b, s in edits:
            out.append(self._correction(place[_log_id(b)], b, s))
        return out

    def _correction(self, n: int, was: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
        from zchuyot.text.labels import t

        fix = {f: now.get(f) for f in ("date", "kind", "text") if _key(now.get(f)) != _key(was.get(f))}
        def shown(f: str, v: Any) -> str:
            return v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else t(f"kind.{v}", "he") if f == "kind" else str(v)

        parts = [f"{t('field.' + f, 'he')}: {shown(f, v)}" for f, v in fix.items()]
        entry: dict[str, Any] = {"date": self.today, "kind": "correction", "by": "zchuyot",
                                 "text": t("ui.correction_merged", "he", n=n, what="; ".join(parts)),
                                 "corrects": n, "was": was.get("text") or ""}
        entry.update({f"fix_{f}": v for f, v in fix.items()})
        return entry

    def actions(self) -> tuple[list[dict[str, Any]], dict[str, str]]:
        base = {str(a.get("id")): a for a in self.base.get("actions") or [] if isinstance(a, dict)}
        ours = [a for a in self.ours.get("actions") or [] if isinstance(a, dict)]
        mine = {str(a.get("id")): a for a in ours}
        out = [dict(a) for a in ours]
        index = {str(a.get("id")): n for n, a in enumerate(out)}
        numbers = [int(a["id"]) for a in out if str(a.get("id")).isdigit()]
        numbers += [int(a["id"]) for a in self.theirs.get("actions") or [] if isinstance(a, dict)
                    and str(a.get("id")).isdigit()]
        nxt = max(numbers, default=0)
        renumber: dict[str, str] = {}
        for a in self.theirs.get("actions") or []:
            if not isinstance(a, dict):
                continue
            aid = str(a.get("id"))
            if aid in mine and (aid in base or mine[aid].get("what") == a.get("what")):
                b = base.get(aid, {})
                merged = dict(out[index[aid]])
                for k in dict.fromkeys([*mine[aid], *a]):
                    merged[k] = self.pick(f"actions.{aid}.{k}", b.get(k), mine[aid].get(k), a.get(k))
                out[index[aid]] = merged
            elif aid in mine:  # the same number added on both sides for different actions
                nxt += 1
                renumber[aid] = str(nxt)
                out.append({**a, "id": nxt})
            else:
                out.append(dict(a))
        return out, renumber

    def referrals(self) -> list[dict[str, Any]]:
        """Referrals by identity (`uid`, or for an older referral one derived from partner, date and ask —
        the same in every clone): the same referral on both sides is one, keeping both sides' feedback (each
        once, by date) and the status that moved on (done / returned over open); two different referrals are
        never one, whatever their numbers. Two with the same number: the one whose identity sorts later takes
        the next free number — the same choice whichever clone merges."""
        def keyed(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
            out: dict[str, dict[str, Any]] = {}
            for r in doc.get("referrals") or []:
                if isinstance(r, dict):
                    out.setdefault(form.referral_uid(r), {**r, "uid": form.referral_uid(r)})
            return out

        base, mine, theirs = keyed(self.base), keyed(self.ours), keyed(self.theirs)
        out: dict[str, dict[str, Any]] = {}
        for uid in dict.fromkeys([*mine, *theirs]):
            o, t = mine.get(uid), theirs.get(uid)
            if o is None or t is None:
                if uid in base and _key(o or t) == _key(base[uid]):
                    continue  # removed on one side (by hand), unchanged on the other
                out[uid] = dict(o or t or {})
                continue
            b = base.get(uid, {})
            merged = dict(o)
            for k in dict.fromkeys([*o, *t]):
                if k == "feedback":
                    seen: dict[str, Any] = {}
                    for f in [*(o.get(k) or []), *(t.get(k) or [])]:
                        if isinstance(f, dict):
                            seen.setdefault(_key(form.identity_of(form.FEEDBACK_SAME, f)), f)
                    merged[k] = sorted(seen.values(), key=lambda f: f.get("date") if isinstance(f.get("date"), dt.date)
                                       else dt.date.min)
                elif k == "status" and "open" in (o.get(k), t.get(k)) and o.get(k) != t.get(k):
                    merged[k] = t.get(k) if o.get(k) == "open" else o.get(k)  # the referral moved on
                else:
                    merged[k] = self.pick(f"referrals.{uid}.{k}", b.get(k), o.get(k), t.get(k))
            out[uid] = merged
        numbers = [int(r["id"]) for r in out.values() if str(r.get("id")).isdigit()]
        nxt = max(numbers, default=0)
        taken: dict[str, str] = {}
        for uid in sorted(out, key=lambda u: (str(out[u].get("id")), u)):
            n = str(out[uid].get("id"))
            if n in taken:
                nxt += 1
                out[uid]["id"] = nxt
            else:
                taken[n] = uid
        return list(out.values())

    def union(self, field: str) -> list[dict[str, Any]]:
        """Both sides' records of a list, each once (told apart as the form says, `form.identity`)."""
        seen: dict[str, dict[str, Any]] = {}
        for entries in (self.ours.get(field) or [], self.theirs.get(field) or []):
            for e in entries:
                if isinstance(e, dict):
                    seen.setdefault(_key(form.identity(field, e)), e)
        return list(seen.values())

    # -------------------------------------------------------- the whole file
    def merged(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        actions, renumber = self.actions()
        keys = list(dict.fromkeys([*self.ours, *self.theirs]))
        for k in keys:
            b, o, t = self.base.get(k), self.ours.get(k), self.theirs.get(k)
            if k == "log":
                continue
            if k == "actions":
                out[k] = actions
            elif k == "referrals":
                out[k] = self.referrals()
            elif k == "waivers" and isinstance(o, list) and isinstance(t, list):  # a family's: both sides' kept
                out[k] = list({_key(w): w for w in [*o, *t]}.values())
            elif k in LISTS:  # bodies, deadlines (the log and the actions have their own rules above)
                out[k] = self.union(k)
            elif k == "step":
                out[k] = flow.furthest(o, t) if o and t else (o or t)
            elif k in MAPS and isinstance(o, dict) and isinstance(t, dict):
                bb = b if isinstance(b, dict) else {}
                out[k] = {s: self.pick(f"{k}.{s}", bb.get(s), o.get(s), t.get(s)) for s in dict.fromkeys([*o, *t])}
            else:
                out[k] = self.pick(k, b, o, t)
        if "log" not in self.ours and "log" not in self.theirs:  # a family record: keep the lost values in notes
            if self.lost:
                out["notes"] = "\n".join(x for x in [out.get("notes") or "", *self.lost] if x)
            return out
        out["log"] = self.log(renumber)
        if self.lost:
            out["log"].append({"date": self.today, "kind": "note", "by": "zchuyot",
                               "text": "מיזוג: ערכים שהוחלפו (נשמרים כאן) – " + "; ".join(self.lost)})
        return out


def _comment(line: str) -> tuple[str, str] | None:
    """(the line's code, its comment) — code "" for a whole-line comment; None for a line without one. A
    `#` inside quotes is not a comment; the result is checked by reading it back (keep_their_comments)."""
    stripped = line.strip()
    if stripped.startswith("#"):
        return "", stripped
    if " #" not in line or "'" in line.split(" #", 1)[0].split(":", 1)[-1] or '"' in line:
        return None
    code, _, rest = line.partition(" #")
    return code.rstrip(), "#" + rest


def _code(line: str) -> str:
    """A line without its end-of-line comment (how a comment's neighbour is found again)."""
    found = _comment(line)
    return (found[0] if found is not None else line).rstrip()


def keep_their_comments(base: str, theirs: str, merged: str) -> str:
    """The comments the other side added (not in the common version, not already in the merged text), put
    into the merged text where they stood: a whole-line comment before the line that followed it there (or
    after the one before it), an end-of-line comment at the end of the same line; a comment whose place is
    gone, at the end of the file. The data must read the same afterwards — else they all go at the end."""
    had = set(base.splitlines()) | set(merged.splitlines())
    lines = merged.splitlines()
    theirs_lines = theirs.splitlines()
    tail: list[str] = []
    moved = False
    for n, line in enumerate(theirs_lines):
        found = _comment(line)
        if found is None or line in had or not found[1].strip("# "):
            continue
        code, text = found
        if code:  # an end-of-line comment: the same line in the merged text, without one yet
            at = next((k for k, m in enumerate(lines) if m.rstrip() == code), None)
            if at is not None:
                lines[at] = f"{code}  {text}"
                moved = True
            else:
                tail.append(text)
            continue
        after = next((m for m in theirs_lines[n + 1:] if m.strip() and _comment(m) != ("", m.strip())), None)
        before = next((m for m in reversed(theirs_lines[:n]) if m.strip() and not m.strip().startswith("#")), None)
        def place(anchor: str | None) -> int | None:
            code = _code(anchor) if anchor is not None else None
            return next((k for k, m in enumerate(lines) if _code(m) == code), None) if code else None

        at = place(after)
        if at is None and place(before) is not None:
            at = (place(before) or 0) + 1
        if at is None:
            tail.append(text)
            continue
        lines.insert(at, line)
        moved = True
    out = "\n".join(lines) + ("\n" if merged.endswith("\n") or not lines else "")
    if moved and yamlfast.load(out)[0] != yamlfast.load(merged)[0]:
        out, tail = merged, [t for t in (
            _comment(x)[1] for x in theirs_lines if _comment(x) is not None and x not in had) if t.strip("# ")]
    if tail:
        out = out + ("" if out.endswith("\n") or not out else "\n") + "".join(f"{t}\n" for t in tail)
    return out


def merge_texts(base: str, ours: str, theirs: str, today: dt.date, opened: Any = None) -> str:
    """The merged text of one issue or family file. Raises DataError if a side cannot be read.

    `opened` (a sealed family record, keys.py): (open, seal) — each side's sealed personal fields opened,
    merged field by field like any other, and the result sealed again; a side that cannot be opened here
    is merged as it is (its sealed text one value)."""
    b = yamlfast.load(base)[0] if base.strip() else {}
    o = yamlfast.load(ours)[0]
    t = yamlfast.load(theirs)[0]
    if not isinstance(o, dict) or not isinstance(t, dict) or not isinstance(b, dict):
        raise DataError("err.file.not_mapping", line=1)
    if opened is not None:
        open_, seal_ = opened
        try:
            sides = [open_(x) if x.get("sealed") else x for x in (b, o, t)]
        except Exception:  # noqa: BLE001 — not a recipient here, an older key: merged as it is
            sides = []
        if sides:
            # sealed again with the key the merged key store keeps (each side's `key:` says which it had)
            merged = seal_(Merger(*sides, today).merged(), tuple(x.get("key") for x in (b, o, t)))
            doc = yamlio.parse(ours, checked=True)
            apply(doc, o, merged)
            return keep_their_comments(base, theirs, yamlio.dump(doc))
    merged = Merger(b, o, t, today).merged()
    doc = yamlio.parse(ours, checked=True)  # `ours` was just read by the fast reader above
    apply(doc, o, merged)  # the edit path's own way of writing a change into the local document
    return keep_their_comments(base, theirs, yamlio.dump(doc))


def merge_settings(base: str, ours: str, theirs: str, today: dt.date) -> str:
    """The department's settings (`.zchuyot.yaml`) merged: the workers are the union of both sides (a worker
    changed on both sides: field by field); every other key 3-way — changed on one side only, that side;
    on both, the larger value wins (the same result whichever clone merges) and the other is written
    below the settings as a comment, never dropped."""
    b = (yamlfast.load(base)[0] if base.strip() else {}) or {}
    o = yamlfast.load(ours)[0] or {}
    t = yamlfast.load(theirs)[0] or {}
    if not all(isinstance(x, dict) for x in (b, o, t)):
        raise DataError("err.file.not_mapping", line=1)
    m = Merger(b, o, t, today)
    m.tie = True  # settings have no log: the larger value wins a real conflict
    merged: dict[str, Any] = {}
    for k in dict.fromkeys([*o, *t]):
        bk, ok, tk = b.get(k), o.get(k), t.get(k)
        if k == "workers" and isinstance(ok, dict) and isinstance(tk, dict):
            bw = bk if isinstance(bk, dict) else {}
            workers: dict[str, Any] = {}
            for w in dict.fromkeys([*ok, *tk]):
                ow, tw, bww = ok.get(w), tk.get(w), bw.get(w)
                if isinstance(ow, dict) and isinstance(tw, dict):
                    bd = bww if isinstance(bww, dict) else {}
                    workers[w] = {s: m.pick(f"workers.{w}.{s}", bd.get(s), ow.get(s), tw.get(s))
                                  for s in dict.fromkeys([*ow, *tw])}
                else:
                    workers[w] = ow if ow is not None else tw
            merged[k] = workers
        else:
            merged[k] = m.pick(k, bk, ok, tk)
    doc = yamlio.parse(ours, checked=True)
    apply(doc, o, merged)
    text = keep_their_comments(base, theirs, yamlio.dump(doc))
    if m.lost:
        text += "".join(f"# מיזוג {today.isoformat()}: ערך שהוחלף ונשמר כאן – {x}\n" for x in m.lost)
    return text


def merge_directory(base: str, ours: str, theirs: str, today: dt.date) -> str:
    """A directory file (`directory/bodies.yaml`, `directory/partners.yaml`) merged: the entries of both
    sides by key (one added on each side: both kept); an entry on both sides keeps each side's changes
    field by field (a real conflict: the larger value, the other written below as a comment), and its
    contacts are the union of both sides' (one person once)."""
    def entries(text: str) -> list[dict[str, Any]]:
        data = yamlfast.load(text)[0] if text.strip() else []
        if data is None:
            return []
        if not isinstance(data, list):
            raise DataError("err.file.not_mapping", line=1)
        return [e for e in data if isinstance(e, dict) and e.get("key")]

    b, o, t = ({str(e["key"]): e for e in entries(x)} for x in (base, ours, theirs))
    m = Merger({}, {}, {}, today)
    m.tie = True
    merged: list[dict[str, Any]] = []
    for key in dict.fromkeys([*o, *t]):
        mine, other, was = o.get(key), t.get(key), b.get(key, {})
        if mine is None or other is None:
            if (mine or other) is not None and not (key in b and (mine is None or other is None)
                                                    and _key(mine or other) == _key(was)):
                merged.append(dict(mine or other or {}))  # added on one side (a deletion on one side keeps it)
            continue
        entry: dict[str, Any] = {}
        for k in dict.fromkeys([*mine, *other]):
            if k == "contacts":
                people: dict[str, Any] = {}
                for c in [*(mine.get(k) or []), *(other.get(k) or [])]:
                    if isinstance(c, dict):
                        people.setdefault(str(c.get("person")), c)
                entry[k] = list(people.values())
            else:
                entry[k] = m.pick(f"{key}.{k}", was.get(k), mine.get(k), other.get(k))
        merged.append(entry)
    doc = yamlio.parse(ours, checked=False) if ours.strip() else None
    if doc is None or not isinstance(doc, list):
        from ruamel.yaml.comments import CommentedSeq

        doc = CommentedSeq()
    by_key = {str(e.get("key")): n for n, e in enumerate(doc) if isinstance(e, dict)}
    out = []
    for e in merged:  # ours keep their nodes (and comments); the rest are new nodes
        n = by_key.get(str(e["key"]))
        if n is not None and _key(dict(doc[n])) == _key(e):
            out.append(doc[n])
        else:
            out.append(yamlio.prepare(e))
    doc.clear()
    doc.extend(out)
    text = keep_their_comments(base, theirs, yamlio.dump(doc))
    if m.lost:
        text += "".join(f"# מיזוג {today.isoformat()}: ערך שהוחלף ונשמר כאן – {x}\n" for x in m.lost)
    return text
