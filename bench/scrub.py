"""Benchmark: the anonymised export's scrubber on long texts (issue 25). Not a test: run it by hand and put
the figures in bench/RESULTS.md.

    python bench/scrub.py

One family's finder (a name with a nickname), applied to: 40,000 letters without a space, a 1 MB log text
full of names, phones and addresses, and a 1 MB text with none — each the median of 3 runs.
"""

from __future__ import annotations

import statistics
import time

from zchuyot.case.pii import Finder

LABELS = {"name": "[שם]", "phone": "[טלפון]", "id": "[ת.ז.]", "email": "[דוא\"ל]", "address": "[כתובת]"}


def timed(finder: Finder, text: str) -> float:
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        finder.replace(text, LABELS)
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    f = Finder.of("רותי אבוטבול (בובה)")
    cases = {
        "40,000 letters, no space": "א" * 40_000,
        "40,000 Latin letters and dots, no space": "a." * 20_000,
        "1 MB, a name, a phone and an address in every line": (
            "שיחה עם אבוטבול 050-7654321 ברחוב הרצל 12\n" * 30_000)[:1_000_000],
        "1 MB of plain documentation": ("נערכה שיחה עם הפקידה ונקבעה פגישה נוספת\n" * 30_000)[:1_000_000],
    }
    for what, text in cases.items():
        print(f"{what}: {timed(f, text):.3f} s")


if __name__ == "__main__":
    main()
