"""The case's documents (issue 28): a worker attaches the refusal she photographed and a PDF, lists them, opens
them and purges them; with encryption on the repository holds only ciphertext, and a clone that is not the
family's recipient can neither read nor open them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import git_log, git_status, new_issue, run

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32


def files(tmp_path: Path) -> tuple[Path, Path]:
    pdf, jpg = tmp_path / "סירוב.pdf", tmp_path / "IMG_2041.jpg"
    pdf.write_bytes(PDF)
    jpg.write_bytes(JPEG)
    return pdf, jpg


def show(root: Path, i: str) -> dict:
    return json.loads(run("--root", str(root), "show", i, "--json").stdout)


def test_attach_list_open_and_purge(ws: Path, tmp_path: Path) -> None:
    pdf, jpg = files(tmp_path)
    old = new_issue(ws, "--date", "2017-03-01", family="f1")
    r = run("--root", str(ws), "attach", old, str(pdf), str(jpg), "--kind", "refusal", "--date", "2017-03-05",
            "--note", "מכתב הדחייה")
    assert r.exit_code == 0, r.stderr
    assert "2 מסמכים" in r.stdout and git_log(ws)[0] == f"zchuyot attach: {old} (2)" and git_status(ws) == ""
    docs = show(ws, old)["documents"]
    assert [(d["id"], d["kind"], d["type"], d["date"]) for d in docs] == [(1, "refusal", "pdf", "2017-03-05"),
                                                                          (2, "refusal", "jpeg", "2017-03-05")]
    stored = next((ws / "cases").glob("dana/f1/documents"))
    assert sorted(p.name for p in stored.iterdir()) == [f"{old}-1-refusal.pdf", f"{old}-2-refusal.jpg"]
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in stored.iterdir())
    assert oct(stored.stat().st_mode & 0o777) == "0o700"
    shown = run("--root", str(ws), "show", old).stdout
    assert "מסמכים מצורפים" in shown and "מכתב סירוב" in shown and "jpeg" in shown
    # opened: handed to the system's viewer (here `cp`), from a private temporary copy
    seen = tmp_path / "seen.pdf"
    r = run("--root", str(ws), "open", old, "1", env={"ZCHUYOT_OPENER": f"cp --no-preserve=mode -t {tmp_path}"})
    assert r.exit_code == 0, r.stderr
    opened = Path(r.stdout.split(": ", 1)[1].strip())
    assert opened.read_bytes() == PDF and oct(opened.stat().st_mode & 0o777) == "0o600"
    assert oct(opened.parent.stat().st_mode & 0o777) == "0o700"
    r = run("--root", str(ws), "open", old, "2", "--out", str(seen))
    assert r.exit_code == 0 and seen.read_bytes() == JPEG
    assert "open document" in (ws / ".zchuyot" / "access.log").read_text(encoding="utf-8")
    # the anonymised export names them by kind only
    anon = json.loads(run("--root", str(ws), "export", "--anonymize").stdout)[0]["documents"]
    assert anon == [{"id": 1, "kind": "refusal", "date": "2017-03-05", "type": "pdf"},
                    {"id": 2, "kind": "refusal", "date": "2017-03-05", "type": "jpeg"}]
    # purge removes them with the family's folder
    assert run("--root", str(ws), "close", old, "--ended", "--date", "2018-01-10").exit_code == 0
    r = run("--root", str(ws), "purge", "f1", "--yes", "--before-retention", "family_request")
    assert r.exit_code == 0, r.stderr
    assert not stored.exists() and git_status(ws) == ""


def test_only_documents_an_office_sends_and_nothing_half_attached(ws: Path, tmp_path: Path) -> None:
    i = new_issue(ws)
    before = git_log(ws)
    text, exe, big, heic = tmp_path / "notes.txt", tmp_path / "photo.jpg", tmp_path / "scan.pdf", tmp_path / "a.heic"
    text.write_text("hello", encoding="utf-8")
    exe.write_bytes(b"MZ\x90\x00 not a photo")  # the name lies: the bytes decide
    with big.open("wb") as f:
        f.write(PDF)
        f.seek(21 * 1024 * 1024)
        f.write(b"\n")
    heic.write_bytes(HEIC)
    pdf, _ = files(tmp_path)
    for args, needle in (((str(text),), "אינו PDF"), ((str(exe),), "אינו PDF"), ((str(big),), "גדול מדי"),
                         ((str(pdf), str(tmp_path / "missing.pdf")), "לא נמצא"), ((str(pdf), str(text)), "אינו PDF")):
        r = run("--root", str(ws), "attach", i, *args)
        assert r.exit_code in (1, 2) and needle in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1
    assert run("--root", str(ws), "attach", i).exit_code == 2  # no file named: usage
    assert git_log(ws) == before and not list((ws / "cases").glob("*/*/documents"))
    assert run("--root", str(ws), "attach", i, str(heic), "--kind", "medical").exit_code == 0  # a phone's HEIC
    r = run("--root", str(ws), "open", i, "7")
    assert r.exit_code == 1 and "7" in r.stderr
    # a record edited by hand to point outside the family's documents is not followed
    p = next((ws / "cases").glob(f"dana/f1/{i}.yaml"))
    p.write_text(p.read_text(encoding="utf-8").replace("file: documents/", "file: ../../"), encoding="utf-8")
    r = run("--root", str(ws), "open", i, "1")
    assert r.exit_code == 1 and "מחוץ" in r.stderr


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_sealed_documents_are_ciphertext_for_everyone_but_the_familys_recipients(tmp_path: Path) -> None:
    from conftest import department

    _, (a, b) = department(tmp_path, ("dana", "dana", "family"), ("noa", "noa", "student"))
    r = run("--root", str(a), "new", "--family", "f7", "--subject", "ערר על קצבה", "--domain", "national_insurance")
    assert r.exit_code == 0, r.stderr
    i = r.stdout.split()[-1]
    pdf, jpg = files(tmp_path)
    r = run("--root", str(a), "attach", i, str(pdf), str(jpg), "--kind", "medical")
    assert r.exit_code == 0 and "מוצפנים" in r.stdout, r.stderr
    stored = sorted(next((a / "cases").glob("dana/f7/documents")).iterdir())
    assert [p.name.endswith(".age") for p in stored] == [True, True]
    assert all(p.read_bytes().startswith(b"age-encryption.org/v1") and PDF not in p.read_bytes() for p in stored)
    inside = run("--root", str(a), "open", i, "1", "--out", str(a / "copy.pdf"))
    assert inside.exit_code == 1 and "--out" in inside.stderr  # a plain copy the next sync would send
    assert run("--root", str(a), "open", i, "1", "--out", str(tmp_path / "ok.pdf")).exit_code == 0
    assert (tmp_path / "ok.pdf").read_bytes() == PDF
    assert run("--root", str(a), "sync").exit_code == 0
    assert run("--root", str(b), "sync").exit_code == 0
    theirs = sorted(next((b / "cases").glob("dana/f7/documents")).iterdir())
    assert [p.read_bytes() for p in theirs] == [p.read_bytes() for p in stored]  # the same ciphertext, no more
    r = run("--root", str(b), "open", i, "1", "--out", str(tmp_path / "noa.pdf"))
    assert r.exit_code == 1 and not (tmp_path / "noa.pdf").exists()
    assert len(r.stderr.strip().splitlines()) == 1
    listed = subprocess.run(["git", "-C", str(b), "log", "--format=%s", "-3"], capture_output=True, text=True).stdout
    assert "attach" in listed
