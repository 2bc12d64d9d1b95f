"""Benchmark: `treat` on an issue with 15,000 log entries (issue 25). Not a test: run it by hand and put the
figures in bench/RESULTS.md.

    python bench/long_issue.py [--entries 15000]

A fresh workspace, one issue whose log holds ENTRIES entries of Hebrew text (≈ 1.75 MB at 15,000), committed;
then `zchuyot treat` three times, each a fresh process as a user runs it (median).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=15_000)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="zchuyot-long-"))
    env = {**os.environ, "ZCHUYOT_CONFIG_DIR": str(base / "_config"), "ZCHUYOT_TODAY": "2026-11-23",
           "GIT_CONFIG_GLOBAL": str(base / "_gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}

    def z(*a: str) -> str:
        return subprocess.run([sys.executable, "-m", "zchuyot", "--root", str(base / "ws"), *a], env=env,
                              check=True, capture_output=True, text=True).stdout

    try:
        subprocess.run([sys.executable, "-m", "zchuyot", "init", str(base / "ws"), "--worker", "dana"], env=env,
                       check=True, capture_output=True)
        z("family", "add", "f1", "--name", "משפחה בדויה")
        i = z("new", "--family", "f1", "--subject", "ארנונה", "--domain", "housing").split()[-1]
        z("treat", i, "שיחה ראשונה")
        p = next((base / "ws" / "cases").glob(f"*/*/{i}.yaml"))
        entries = "".join(f"  - date: 2026-{1 + n % 10:02d}-{1 + n % 27:02d}\n    kind: note\n"
                          f"    text: תיעוד מספר {n} של שיחה עם הפקידה\n    by: dana\n" for n in range(args.entries))
        p.write_text(re.sub(r"(?m)^log:\n", lambda m: "log:\n" + entries, p.read_text(encoding="utf-8"), count=1),
                     encoding="utf-8")
        subprocess.run(["git", "-C", str(base / "ws"), "commit", "-qam", "long"], env=env, check=True)
        z("check")  # validated once, as a sync or the morning's followup would
        runs = []
        for k in range(3):
            t0 = time.perf_counter()
            z("treat", i, f"שיחה נוספת {k}")
            runs.append(time.perf_counter() - t0)
        print(f"{args.entries} entries ({p.stat().st_size / 1e6:.2f} MB): treat median {statistics.median(runs):.2f} s")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
