"""The README's console samples, run for real (issue 27): every ```console block marked `<!-- sample: tour -->`
(in order, in one new workspace, as the README's tour creates it) or `<!-- sample: demo -->` (in a copy of the
demo caseload `cases/`) is run through the installed `zchuyot`, as of 23/11/2026, and its output compared with
the README's. Ids are random, so the README's ids stand for the ids each command printed (mapped in order of
appearance); git hashes and key fingerprints are compared by shape. A line `…` in the README elides the rest.

    python scripts/readme_samples.py           # exit 1 and a diff when the README differs from the real runs
    python scripts/readme_samples.py --write   # write the real outputs into the README

Blocks without a marker are illustrations (a department's server, another department) that a sample run cannot
hold; they say so in the text around them."""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
TODAY = "2026-11-23"
MARK = re.compile(r"^<!-- sample: (tour|demo) -->$")
ID = re.compile(r"\b(?:dana|miri|sara|noa)-[a-z0-9]{5}\b")
HASH = re.compile(r"^[0-9a-f]{7}(?= )", re.M)
FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")
AGE_KEY = re.compile(r"age1[0-9a-z]{58}|age1[0-9a-z]{12}…")  # a public key, whole or as a table shows it
ISOLATES = {ord(c): None for c in "\u2066\u2067\u2068\u2069"}


@dataclass
class Command:
    text: str  # as the README writes it (continuation lines joined)
    expected: list[str]
    first: int  # the README line of its output's first line
    count: int  # how many output lines the README has for it


@dataclass
class Block:
    kind: str
    commands: list[Command] = field(default_factory=list)


def blocks(lines: list[str]) -> list[Block]:
    out: list[Block] = []
    n = 0
    while n < len(lines):
        m = MARK.match(lines[n])
        if not m or n + 1 >= len(lines) or lines[n + 1] != "```console":
            n += 1
            continue
        block, n = Block(m.group(1)), n + 2
        cmd: Command | None = None
        while n < len(lines) and lines[n] != "```":
            line = lines[n]
            if line.startswith("$ "):
                text = line[2:]
                while text.endswith("\\") and n + 1 < len(lines):
                    n += 1
                    text = text[:-1] + " " + lines[n].strip()
                cmd = Command(text, [], n + 1, 0)
                block.commands.append(cmd)
            elif cmd is not None:
                cmd.expected.append(line)
                cmd.count += 1
            n += 1
        out.append(block)
        n += 1
    return out


class Ids:
    """The README's ids ↔ the ids the real run printed, in order of appearance."""

    def __init__(self) -> None:
        self.real: dict[str, str] = {}  # README id → real id

    def learn(self, expected: list[str], actual: str) -> None:
        said = [x for x in dict.fromkeys(ID.findall("\n".join(expected))) if x not in self.real]
        got = [x for x in dict.fromkeys(ID.findall(actual)) if x not in self.real.values()]
        self.real.update(zip(said, got, strict=False))

    def to_real(self, text: str) -> str:
        for readme, real in self.real.items():
            text = text.replace(readme, real).replace(readme.split("-")[1], real.split("-")[1])
        return text

    def to_readme(self, text: str) -> str:
        for readme, real in self.real.items():
            text = text.replace(real, readme)
        return text


def run(cmd: str, cwd: Path, env: dict[str, str]) -> str:
    r = subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    return (r.stdout + r.stderr).translate(ISOLATES)


def shaped(text: str) -> str:
    """Hashes and fingerprints by their shape: they differ on every run."""
    return AGE_KEY.sub("age1…", FINGERPRINT.sub("SHA256:…", HASH.sub("0000000", text)))


def compare(write: bool) -> int:
    lines = README.read_text(encoding="utf-8").split("\n")
    found = blocks(lines)
    if not found:
        print("no marked samples in README.md", file=sys.stderr)
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="zchuyot-readme-"))
    home = tmp / "home"
    home.mkdir()
    demo = tmp / "demo"  # the repository's own demo workspace (its settings, cases and directory), copied
    demo.mkdir()
    shutil.copy2(REPO / ".zchuyot.yaml", demo / ".zchuyot.yaml")
    for folder in ("cases", "directory"):
        shutil.copytree(REPO / folder, demo / folder)
    subprocess.run(["git", "init", "-q"], cwd=demo, check=True)
    env = {**os.environ, "HOME": str(home), "ZCHUYOT_TODAY": TODAY, "ZCHUYOT_CONFIG_DIR": str(tmp / "config"),
           "COLUMNS": "100", "ZCHUYOT_BIDI": "logical", "GIT_CONFIG_GLOBAL": str(tmp / "gitconfig"),
           "GIT_CONFIG_NOSYSTEM": "1", "ZCHUYOT_LANG": "he", "TERM": "dumb"}
    for k in ("ZCHUYOT_ROOT", "ZCHUYOT_WORKER", "ZCHUYOT_NO_CACHE"):
        env.pop(k, None)
    subprocess.run(["git", "add", "-A"], cwd=demo, check=True, env=env)
    subprocess.run(["git", "-c", "user.name=demo", "-c", "user.email=demo@example.org", "commit", "-qm", "demo"],
                   cwd=demo, check=True, env=env)
    ids, cwd = Ids(), {"tour": home, "demo": demo}
    diffs: list[str] = []
    edits: list[tuple[int, int, list[str]]] = []
    try:
        for block in found:
            for c in block.commands:
                text = ids.to_real(c.text.replace("/home/dana", str(home)))
                if text.startswith("cd "):
                    cwd[block.kind] = Path(os.path.expanduser(text[3:].strip().replace("~", str(home))))
                    continue
                # the demo is dana's desk, as `ZCHUYOT_TODAY=2026-11-23 zchuyot followup` from the repository shows it
                here = {**env, "ZCHUYOT_WORKER": "dana"} if block.kind == "demo" else env
                actual = run(text, cwd[block.kind], here).replace(str(home), "/home/dana").rstrip("\n")
                ids.learn(c.expected, actual)
                got = [ln.rstrip() for ln in ids.to_readme(actual).split("\n")] if actual else []
                want = [ln.rstrip() for ln in c.expected]
                if "…" in want:  # the README shows the beginning only
                    cut = want.index("…")
                    got_cmp, want_cmp = got[:cut], want[:cut]
                    new = got[:cut] + want[cut:]
                else:
                    got_cmp, want_cmp, new = got, want, got
                if [shaped(x) for x in got_cmp] != [shaped(x) for x in want_cmp]:
                    diffs.append(f"README.md:{c.first}: $ {c.text}\n" + "\n".join(
                        difflib.unified_diff(want_cmp, got_cmp, "README", "run", lineterm="", n=1)))
                    edits.append((c.first, c.count, new))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if write and edits:
        for first, count, new in sorted(edits, reverse=True):
            lines[first:first + count] = new
        README.write_text("\n".join(lines), encoding="utf-8")
        print(f"README.md: {len(edits)} samples written from real runs")
        return 0
    if diffs:
        print("\n\n".join(diffs))
        print(f"\n{len(diffs)} README samples differ from what zchuyot prints; "
              "run: python scripts/readme_samples.py --write", file=sys.stderr)
        return 1
    print(f"README.md: {sum(len(b.commands) for b in found)} sample commands match their real runs")
    return 0


if __name__ == "__main__":
    sys.exit(compare("--write" in sys.argv[1:]))
