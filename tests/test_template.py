"""One definition of each thing: the form's fields drive the template, the labels and validation."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO

from zchuyot import flow
from zchuyot.case import yamlio
from zchuyot.case.form import ISSUE as FIELDS
from zchuyot.case.form import ISSUE_KEYS as FIELD_KEYS
from zchuyot.case.form import STEPS, VOCABULARIES, valid_israeli_id
from zchuyot.text import labels


def test_template_is_the_form_in_order() -> None:
    text = (REPO / "templates" / "case.yaml").read_text(encoding="utf-8")
    doc = yamlio.parse(text)
    assert list(doc) == list(FIELD_KEYS)
    lines = text.splitlines()
    for spec in FIELDS:
        if not spec.form or spec.key in ("worker",):
            continue
        idx = next(n for n, ln in enumerate(lines) if ln.startswith(f"{spec.key}:"))
        label = labels.t(f"field.{spec.key}", "he")
        assert label.split(" – ")[0] in lines[idx - 1], (spec.key, lines[idx - 1])
    # every vocabulary value of the form is spelled out in the template's comments
    for value in VOCABULARIES["domain"]:
        assert f"{value} {labels.t(f'domain.{value}', 'he')}" in text


def test_every_label_has_hebrew_and_english() -> None:
    for key, (he, en) in labels.T.items():
        assert he.strip() and en.strip(), key
    for vocab, values in VOCABULARIES.items():
        if vocab in ("step",):
            continue
        for v in values:
            assert f"{vocab}.{v}" in labels.T, f"{vocab}.{v}"
    from zchuyot.case.form import FAMILY

    for spec in (*FIELDS, *FAMILY):
        assert spec.label_key in labels.T, spec.key
        for sub in spec.sub:  # every field of a record (a log entry, an action...) has its label too
            assert sub.label_key in labels.T, f"{spec.key}.{sub.key}"
    for step in STEPS:
        assert f"step.{step}" in labels.T and f"guide.{step}" in labels.T


def test_error_keys_used_in_code_exist() -> None:
    import re

    src = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "zchuyot").glob("*.py"))
    used = set(re.findall(r'"((?:err|ui|why|fix|prompt)\.[a-z_.:]+)"', src))
    missing = {k for k in used if k not in labels.T and not k.endswith(".")}
    assert not missing, missing


def test_eight_steps_in_order() -> None:
    assert [s.key for s in flow.STEP_LIST] == list(STEPS)
    assert [labels.t(f"step.{s}", "he") for s in STEPS] == [
        "הקשבה אקטיבית", "רשימת סוגיות", "איסוף נתונים", "תכנית פעולה משותפת",
        "טיפול ותיעוד", "התעקשות", "מעקב פרואקטיבי", "פרקטיקת מדיניות",
    ]
    assert flow.furthest("persist", "treat") == "persist"
    assert flow.furthest(None, "list") == "list"


def test_israeli_id_check_digit() -> None:
    assert valid_israeli_id("123456782")
    assert valid_israeli_id("000000018") and valid_israeli_id("0000018")
    assert not valid_israeli_id("123456789")
    assert not valid_israeli_id("000000000")
    assert not valid_israeli_id("12345678a")
    assert not valid_israeli_id("1234567890")


def test_workspace_template_overrides_shipped(ws: Path) -> None:
    from conftest import issue_path, new_issue

    custom = (REPO / "templates" / "case.yaml").read_text(encoding="utf-8").replace(
        "# טופס תיעוד תהליך עבודה – מיצוי זכויות אקטיבי", "# טופס המחלקה שלנו")
    (ws / "templates").mkdir()
    (ws / "templates" / "case.yaml").write_text(custom, encoding="utf-8")
    i = new_issue(ws)
    assert issue_path(ws, i).read_text(encoding="utf-8").startswith("# טופס המחלקה שלנו")
