"""Policy practice: recurring barriers across all workers' issues, and the issues flagged for it.

Body names are normalised through templates/bodies.yaml (names and aliases), so "ב.ל." and
"המוסד לביטוח לאומי" count as one body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zchuyot.case.file import IssueRecord
from zchuyot.practice.directory import names
from zchuyot.workspace.store import Workspace


@dataclass
class Barrier:
    kind: str
    issues: list[str] = field(default_factory=list)
    families: set[str] = field(default_factory=set)
    workers: set[str] = field(default_factory=set)
    bodies: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": len(self.issues),
            "families": len(self.families),
            "workers": len(self.workers),
            "bodies": [b for b, _ in sorted(self.bodies.items(), key=lambda x: (-x[1], x[0]))],
            "issues": sorted(self.issues),
        }


@dataclass
class PolicyReport:
    barriers: list[Barrier]
    flagged: list[IssueRecord]
    errors: list[Any]

    def as_json(self) -> dict[str, Any]:
        return {"barriers": [b.as_json() for b in self.barriers], "flagged": [r.issue.id for r in self.flagged]}


def report(ws: Workspace, min_families: int = 1) -> PolicyReport:
    directory = names(ws)
    issues, errors = ws.stream_issues()  # every worker: the rights worker's view
    by_kind: dict[str, Barrier] = {}
    flagged = []
    for rec in issues:
        i = rec.issue
        if i.policy and i.policy.flag:
            flagged.append(rec)
        if not i.barrier or not i.barrier.kind:
            continue
        b = by_kind.setdefault(i.barrier.kind, Barrier(i.barrier.kind))
        b.issues.append(i.id)
        b.families.add(i.family)
        b.workers.add(rec.worker_dir)
        orgs = {directory.canonical(x.org or "") for x in i.bodies}
        orgs |= {directory.canonical(e.body) for e in i.corrected_log if e.body}
        for org in orgs - {""}:
            b.bodies[org] = b.bodies.get(org, 0) + 1
    barriers = [b for b in by_kind.values() if len(b.families) >= min_families]
    barriers.sort(key=lambda b: (-len(b.families), -len(b.issues), b.kind))
    flagged.sort(key=lambda r: r.issue.id)
    return PolicyReport(barriers, flagged, errors)


def combine(reports: list[PolicyReport]) -> list[Barrier]:
    """The district's barriers: each kind counted across departments, the bodies behind it merged by name
    (each department's directory has already made its aliases one body). Issue ids and family codes stay
    inside their department: only counts cross (as in the anonymised export)."""
    out: dict[str, Barrier] = {}
    for n, rep in enumerate(reports):
        for b in rep.barriers:
            mine = out.setdefault(b.kind, Barrier(b.kind))
            mine.issues += [f"{n}:{i}" for i in b.issues]
            mine.families |= {f"{n}:{f}" for f in b.families}
            mine.workers |= {f"{n}:{w}" for w in b.workers}
            for body, count in b.bodies.items():
                mine.bodies[body] = mine.bodies.get(body, 0) + count
    return sorted(out.values(), key=lambda b: (-len(b.families), -len(b.issues), b.kind))


def district_json(b: Barrier) -> dict[str, Any]:
    """A district barrier as it may cross a department's boundary: counts and bodies, never ids or codes."""
    return {"kind": b.kind, "count": len(b.issues), "families": len(b.families),
            "departments": len({i.split(":", 1)[0] for i in b.issues}),
            "bodies": [x for x, _ in sorted(b.bodies.items(), key=lambda x: (-x[1], x[0]))]}
