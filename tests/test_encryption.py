"""Encryption at rest with three clones on real git (the family's worker, a rights worker, a volunteer): only
the recipients read the family's personal data; a referral covered by a waiver opens access and its end
closes it (the key replaced); the non-recipient's clone and the remote hold only ciphertext."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import plain_department, run

PII = ("משפחת לוי", "050-1234567", "012345674")


def z(root: Path, *args: str, code: int | None = 0, worker: str | None = None):
    r = run("--root", str(root), *(["--worker", worker] if worker else []), *args)
    if code is not None:
        assert r.exit_code == code, (args, r.stdout, r.stderr)
    return r


def git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout


def holds_pii(clone: Path) -> list[str]:
    """What of the family's personal data the clone holds anywhere: its files, and every version in git."""
    found = []
    history = git("-C", str(clone), "log", "-p", "--all")
    for p in clone.rglob("*"):
        if p.is_file() and ".git" not in p.parts and ".zchuyot" not in p.parts:
            text = p.read_bytes().decode("utf-8", "replace")
            found += [f"{p.name}: {x}" for x in PII if x in text]
    found += [f"history: {x}" for x in PII if x in history]
    return found


@pytest.fixture
def dept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    remote = tmp_path / "dept.git"
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(remote)], check=True)
    clones = {"dana": ("family", tmp_path / "dana"), "miri": ("rights", tmp_path / "miri"),
              "noa": ("volunteer", tmp_path / "noa")}

    def on(worker: str) -> None:  # each worker on her own computer: her own config directory, her own keys
        monkeypatch.setenv("ZCHUYOT_CONFIG_DIR", str(tmp_path / f"config-{worker}"))

    dana = clones["dana"][1]
    for worker, (role, root) in clones.items():
        if worker != "dana":  # the department's first admin lists her, she joins, the admin approves her keys
            on("dana")
            z(dana, "worker", "add", worker, "--role", role)
            z(dana, "sync")
        on(worker)
        assert run("init", str(root), "--worker", worker, "--role", role, "--remote", str(remote)).exit_code == 0
        z(root, "keys", "init")
        z(root, "sync")
        if worker != "dana":
            on("dana")
            z(dana, "sync")
            z(dana, "worker", "approve", worker)
            z(dana, "sync")
            on(worker)
            z(root, "sync")
    return {"remote": remote, **{w: r for w, (_, r) in clones.items()}, "tmp": tmp_path}


def as_(dept: dict[str, Path], worker: str, monkeypatch: pytest.MonkeyPatch, *args: str, code: int | None = 0):
    monkeypatch.setenv("ZCHUYOT_CONFIG_DIR", str(dept["tmp"] / f"config-{worker}"))
    return z(dept[worker], *args, code=code)


def test_only_the_recipients_read_and_a_referral_opens_and_closes_access(dept: dict[str, Path],
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for w in ("dana", "miri", "noa", "dana"):
        as_(dept, w, monkeypatch, "sync")
    as_(dept, "dana", monkeypatch, "keys", "migrate")
    as_(dept, "dana", monkeypatch, "family", "add", "f1", "--name", "משפחת לוי", "--phone", "050-1234567",
        "--id-number", "012345674")
    i = as_(dept, "dana", monkeypatch, "new", "--family", "f1", "--subject", "סיוע בשכר דירה",
            "--domain", "housing").stdout.strip()
    as_(dept, "dana", monkeypatch, "sync")
    for w in ("miri", "noa"):
        as_(dept, w, monkeypatch, "sync")
    assert "משפחת לוי" in as_(dept, "dana", monkeypatch, "family", "show", "f1").stdout
    assert "012345674" in as_(dept, "miri", monkeypatch, "family", "show", "f1").stdout  # the rights worker
    r = as_(dept, "noa", monkeypatch, "family", "show", "f1", code=1)  # the volunteer: not (yet)
    assert "אין הרשאה לפרטי המשפחה f1" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr
    assert as_(dept, "noa", monkeypatch, "show", i).exit_code == 0  # the issue itself: every command works
    assert holds_pii(dept["noa"]) == []
    bare = git("--git-dir", str(dept["remote"]), "log", "-p", "--all")
    assert not any(x in bare for x in PII)
    # a referral to the volunteer, covered by the family's waiver, opens access
    as_(dept, "dana", monkeypatch, "partner", "add", "vol_noa", "--name", "נועה", "--kind", "volunteer",
        "--worker", "noa")
    as_(dept, "dana", monkeypatch, "family", "waiver", "f1", "--body", "vol_noa", "--signed", "2026-11-01")
    as_(dept, "dana", monkeypatch, "refer", i, "--to", "vol_noa", "--ask", "ליווי למשרד השיכון")
    as_(dept, "dana", monkeypatch, "sync")
    as_(dept, "noa", monkeypatch, "sync")
    assert "050-1234567" in as_(dept, "noa", monkeypatch, "family", "show", "f1").stdout
    # its end closes it: the key is replaced and the record sealed again
    as_(dept, "noa", monkeypatch, "feedback", i, "ליוויתי", "--done")
    as_(dept, "noa", monkeypatch, "sync")
    as_(dept, "dana", monkeypatch, "sync")
    as_(dept, "noa", monkeypatch, "sync")
    r = as_(dept, "noa", monkeypatch, "family", "show", "f1", code=1)
    assert "אין הרשאה" in r.stderr
    assert "משפחת לוי" in as_(dept, "dana", monkeypatch, "family", "show", "f1").stdout
    assert "משפחת לוי" in as_(dept, "miri", monkeypatch, "sync").stdout + \
        as_(dept, "miri", monkeypatch, "family", "show", "f1").stdout
    # the access log records every opening
    log = (dept["dana"] / ".zchuyot" / "access.log").read_text(encoding="utf-8")
    assert "decrypt (family show)" in log
    # a lost key: one clear line
    (dept["tmp"] / "config-miri" / "identities" / "miri.key").unlink()
    r = as_(dept, "miri", monkeypatch, "family", "show", "f1", code=1)
    assert "zchuyot keys init" in r.stderr and "Traceback" not in r.stderr


def test_migration_seals_every_plain_record_and_check_warns_about_plain_ones(dept: dict[str, Path],
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    plain_department(dept["dana"])
    for w in ("dana", "miri", "noa", "dana"):
        as_(dept, w, monkeypatch, "sync")
    as_(dept, "dana", monkeypatch, "family", "add", "f1", "--name", "משפחת לוי", "--phone", "050-1234567")
    record = dept["dana"] / "cases" / "dana" / "f1" / "family.yaml"
    assert "משפחת לוי" in record.read_text(encoding="utf-8")
    r = as_(dept, "dana", monkeypatch, "keys", "migrate")
    assert "f1" in r.stdout
    text = record.read_text(encoding="utf-8")
    assert "משפחת לוי" not in text and "BEGIN AGE ENCRYPTED FILE" in text
    assert "משפחת לוי" in as_(dept, "dana", monkeypatch, "family", "show", "f1").stdout
    assert "plain" not in as_(dept, "dana", monkeypatch, "check").stdout
    import re

    record.write_text(re.sub(r"(?m)^name:.*$", "name: 'גלוי'", text), encoding="utf-8")  # plain, by hand
    r = as_(dept, "dana", monkeypatch, "check")
    assert "גלויים" in r.stdout and "zchuyot keys migrate" in r.stdout


def test_concurrent_edits_of_a_sealed_record_are_merged_field_by_field(dept: dict[str, Path],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for w in ("dana", "miri", "noa", "dana"):
        as_(dept, w, monkeypatch, "sync")
    as_(dept, "dana", monkeypatch, "keys", "migrate")
    as_(dept, "dana", monkeypatch, "family", "add", "f1", "--name", "משפחת לוי", "--phone", "050-1234567")
    as_(dept, "dana", monkeypatch, "sync")
    as_(dept, "miri", monkeypatch, "sync")
    # offline on both sides: dana the phone, miri the ID number
    as_(dept, "dana", monkeypatch, "family", "add", "f1", "--phone", "052-7654321")
    as_(dept, "miri", monkeypatch, "family", "add", "f1", "--id-number", "012345674")
    as_(dept, "dana", monkeypatch, "sync")
    as_(dept, "miri", monkeypatch, "sync")
    as_(dept, "dana", monkeypatch, "sync")
    for w in ("dana", "miri"):
        out = as_(dept, w, monkeypatch, "family", "show", "f1", "--json").stdout
        assert "052-7654321" in out and "012345674" in out and "משפחת לוי" in out, (w, out)
        assert as_(dept, w, monkeypatch, "check").exit_code == 0
    record = dept["miri"] / "cases" / "dana" / "f1" / "family.yaml"
    assert not any(x in record.read_text(encoding="utf-8") for x in PII)
    assert holds_pii(dept["noa"]) == []


def test_letters_are_encrypted_like_the_record(dept: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    from docx import Document

    for w in ("dana", "miri", "noa", "dana"):
        as_(dept, w, monkeypatch, "sync")
    as_(dept, "dana", monkeypatch, "keys", "migrate")
    as_(dept, "dana", monkeypatch, "family", "add", "f1", "--name", "משפחת לוי", "--id-number", "012345674",
        "--phone", "050-1234567")
    i = as_(dept, "dana", monkeypatch, "new", "--family", "f1", "--subject", "קצבת נכות", "--domain",
            "national_insurance", "--description", "בקשה לקצבה").stdout.strip()
    as_(dept, "dana", monkeypatch, "letter", i, "--template", "request", "--to", "ביטוח לאומי", "--out",
        str(tmp_path / "print" / "request.docx"))
    sealed = next((dept["dana"] / "cases" / "dana" / "f1" / "letters").glob("*.docx.age"))
    assert b"012345674" not in sealed.read_bytes() and sealed.read_bytes().startswith(b"age-encryption.org")
    assert "012345674" in "\n".join(p.text for p in Document(str(tmp_path / "print" / "request.docx")).paragraphs)
    # finding 9 of issue 25: a plain copy asked for inside the workspace would be sent by sync — refused
    r = as_(dept, "dana", monkeypatch, "letter", i, "--template", "request", "--to", "ביטוח לאומי", "--out",
            str(dept["dana"] / "print" / "request.docx"), code=1)
    assert r.exit_code == 1 and "מחוץ" in r.stderr and not (dept["dana"] / "print").exists(), r.stderr
    as_(dept, "dana", monkeypatch, "sync")
    as_(dept, "noa", monkeypatch, "sync")
    assert holds_pii(dept["noa"]) == []


def test_purge_is_crypto_shredding(dept: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import pyrage
    from pyrage import x25519

    for w in ("dana", "miri", "noa", "dana"):
        as_(dept, w, monkeypatch, "sync")
    as_(dept, "dana", monkeypatch, "keys", "migrate")
    as_(dept, "dana", monkeypatch, "family", "add", "f1", "--name", "משפחת לוי", "--id-number", "012345674")
    i = as_(dept, "dana", monkeypatch, "new", "--family", "f1", "--subject", "x", "--domain", "debts").stdout.strip()
    as_(dept, "dana", monkeypatch, "sync")
    as_(dept, "miri", monkeypatch, "sync")
    assert "משפחת לוי" in as_(dept, "miri", monkeypatch, "family", "show", "f1").stdout
    # the wrapped key never enters the branch's history: it travels in its own ref, without history
    assert "keys/families" not in git("-C", str(dept["miri"]), "log", "--all", "--name-only", "--format=")
    wrapped = (dept["miri"] / "keys" / "families" / "f1.age").read_bytes()
    blob = subprocess.run(["git", "-C", str(dept["miri"]), "hash-object", "--stdin"], input=wrapped,
                          capture_output=True).stdout.decode().strip()
    old = git("-C", str(dept["miri"]), "rev-parse", "HEAD").strip()
    as_(dept, "dana", monkeypatch, "close", i, "--ended")
    r = as_(dept, "dana", monkeypatch, "purge", "f1", "--yes", "--before-retention", "family_request")
    for w in ("dana", "miri", "noa", "dana", "miri"):
        as_(dept, w, monkeypatch, "sync")
    subprocess.run(["git", "--git-dir", str(dept["remote"]), "gc", "-q", "--prune=now"], check=True)  # the server's
    for w in ("dana", "miri", "noa"):
        clone = dept[w]
        assert not (clone / "keys" / "families" / "f1.age").exists()
        # the destroyed key is nowhere in the clone, reachable or not
        assert subprocess.run(["git", "-C", str(clone), "cat-file", "-e", blob], capture_output=True).returncode != 0, w
    assert subprocess.run(["git", "--git-dir", str(dept["remote"]), "cat-file", "-e", blob],
                          capture_output=True).returncode != 0
    # the old record is still in git history — sealed with the destroyed key: no identity opens it
    sealed = git("-C", str(dept["miri"]), "show", f"{old}:cases/dana/f1/family.yaml")
    assert "משפחת לוי" not in sealed and "012345674" not in sealed
    body = sealed.split("sealed: |", 1)[1]
    armored = "\n".join(ln.strip() for ln in body.splitlines() if ln.strip() and ":" not in ln[:12] or "-----" in ln)
    identities = [x25519.Identity.from_str(
        next(ln for ln in (dept["tmp"] / f"config-{w}" / "identities" / f"{w}.key").read_text().splitlines()
             if ln.startswith("AGE-SECRET-KEY"))) for w in ("dana", "miri", "noa")]
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(armored.encode(), identities)
    assert "012345674" not in r.stdout and "הושמד" in r.stdout


def test_a_new_rights_worker_is_granted_by_a_recipient(dept: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    for w in ("dana", "miri", "noa", "dana"):
        as_(dept, w, monkeypatch, "sync")
    as_(dept, "dana", monkeypatch, "keys", "migrate")
    as_(dept, "dana", monkeypatch, "family", "add", "f1", "--name", "משפחת לוי")
    as_(dept, "dana", monkeypatch, "sync")
    as_(dept, "dana", monkeypatch, "worker", "add", "rina", "--role", "rights")  # the admin lists her
    as_(dept, "dana", monkeypatch, "sync")
    rina = tmp_path / "rina"
    monkeypatch.setenv("ZCHUYOT_CONFIG_DIR", str(dept["tmp"] / "config-rina"))
    dept["rina"] = rina
    r = run("init", str(rina), "--worker", "rina", "--role", "rights", "--remote", str(dept["remote"]))
    assert r.exit_code == 0
    z(rina, "sync")
    assert "ממתינה לאישור" in as_(dept, "rina", monkeypatch, "family", "show", "f1", code=1).stderr
    as_(dept, "dana", monkeypatch, "sync")
    r = as_(dept, "dana", monkeypatch, "worker", "approve", "rina")  # the admin, a recipient, grants her
    as_(dept, "dana", monkeypatch, "sync")
    as_(dept, "miri", monkeypatch, "sync")
    assert "f1" not in as_(dept, "miri", monkeypatch, "keys", "grant").stdout  # nothing left to grant
    as_(dept, "rina", monkeypatch, "sync")
    assert "משפחת לוי" in as_(dept, "rina", monkeypatch, "family", "show", "f1").stdout


def test_a_denied_opening_is_in_the_access_log(dept: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 25, finding 11: a worker who is no recipient and tries `family show` is refused — and the
    refusal is recorded in her computer's access log."""
    for w in ("dana", "miri", "noa", "dana"):
        as_(dept, w, monkeypatch, "sync")
    as_(dept, "dana", monkeypatch, "keys", "migrate")
    as_(dept, "dana", monkeypatch, "family", "add", "f1", "--name", "משפחת לוי")
    as_(dept, "dana", monkeypatch, "sync")
    as_(dept, "noa", monkeypatch, "sync")
    as_(dept, "noa", monkeypatch, "family", "show", "f1", code=1)
    log = (dept["noa"] / ".zchuyot" / "access.log").read_text(encoding="utf-8")
    assert any(e.get("action", "").startswith("denied") and e.get("family") == "f1"
               for e in map(json.loads, log.splitlines())), log
