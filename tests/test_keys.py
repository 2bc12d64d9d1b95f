"""The workers' age keys (issue 17's foundation): made once per worker on her own computer, the public key
published to the department and committed; the recipient rule; encryption through pyrage with clear errors."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import run


def z(ws: Path, *args: str, code: int = 0, worker: str | None = None):
    r = run("--root", str(ws), *(["--worker", worker] if worker else []), *args)
    assert r.exit_code == code, (args, r.stdout, r.stderr)
    return r


def test_keys_init_makes_a_private_identity_once_and_publishes_the_public_key(ws: Path, tmp_path: Path) -> None:
    r = z(ws, "keys", "init")
    identity = tmp_path / "_config" / "identities" / "dana.key"
    assert stat.S_IMODE(identity.stat().st_mode) == 0o600
    assert stat.S_IMODE(identity.parent.stat().st_mode) == 0o700
    secret = identity.read_text(encoding="utf-8")
    assert "AGE-SECRET-KEY-" in secret
    pub = (ws / "keys" / "dana.pub").read_text(encoding="utf-8")
    public = next(ln for ln in pub.splitlines() if ln.startswith("age1"))
    assert public in r.stdout and "AGE-SECRET-KEY" not in r.stdout + pub
    # made by `init` (issue 23: a new department's first admin has her keys from the start) and committed
    assert public in subprocess.run(["git", "-C", str(ws), "log", "-p"], capture_output=True, text=True).stdout
    assert "AGE-SECRET-KEY" not in subprocess.run(["git", "-C", str(ws), "log", "-p"], capture_output=True,
                                                  text=True).stdout
    # again: the same key, nothing new committed (a lost identity would lose what only it opens)
    n = subprocess.run(["git", "-C", str(ws), "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout
    r = z(ws, "keys", "init")
    assert identity.read_text(encoding="utf-8") == secret and public in r.stdout
    assert subprocess.run(["git", "-C", str(ws), "rev-list", "--count", "HEAD"], capture_output=True,
                          text=True).stdout == n
    z(ws, "keys", "init", worker="miri")
    z(ws, "worker", "add", "gal", "--role", "volunteer")  # listed, no keys published yet
    rows = {k["worker"]: k for k in json.loads(z(ws, "keys", "list", "--json").stdout)}
    assert rows["dana"]["public_key"] == public and rows["dana"]["identity_on_this_computer"]
    assert rows["miri"]["reads"] == "all_families" and rows["dana"]["reads"] == "own_families"
    assert rows["gal"]["public_key"] is None
    assert "dana" in z(ws, "keys", "list").stdout


def test_a_broken_key_is_one_clear_line(ws: Path, tmp_path: Path) -> None:
    z(ws, "keys", "init")
    settings = (ws / ".zchuyot.yaml").read_text(encoding="utf-8")
    miri_age = json.loads(z(ws, "worker", "list", "--json").stdout)[1]["age_public_key"]
    (ws / ".zchuyot.yaml").write_text(settings.replace(miri_age, "age1notakey"), encoding="utf-8")
    r = z(ws, "keys", "list", code=1)
    assert "miri" in r.stderr and "zchuyot keys init" in r.stderr and "Traceback" not in r.stderr
    (ws / ".zchuyot.yaml").write_text(settings, encoding="utf-8")
    (tmp_path / "_config" / "identities" / "dana.key").write_text("garbage\n", encoding="utf-8")
    r = z(ws, "keys", "init", code=1)
    assert "פגום" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_only_the_recipients_decrypt(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule and the cryptography the family files build on: the family's worker and the rights workers
    read; another worker gets one clear line; a lost identity too."""
    from zchuyot.errors import InputError, WorkspaceError
    from zchuyot.workspace import keys
    from zchuyot.workspace.store import Workspace

    monkeypatch.setenv("ZCHUYOT_CONFIG_DIR", str(tmp_path / "_config"))
    for w in ("dana", "miri", "noa"):
        z(ws, "keys", "init", worker=w)
    w = Workspace.find(str(ws), "dana")
    to = keys.recipients_for(w, "dana")
    assert set(to) == {"dana", "miri"}  # miri: the rights worker; noa (a student) is not a recipient
    assert set(keys.recipients_for(w, "dana", ["noa"])) == {"dana", "miri", "noa"}
    data = "שם: משפחת לוי\nת\"ז: 012345674\nטלפון: 050-1234567\n".encode()
    sealed = keys.encrypt(data, to)
    assert sealed.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----") and b"012345674" not in sealed
    assert keys.decrypt(sealed, "dana", "f1") == data and keys.decrypt(sealed, "miri", "f1") == data
    with pytest.raises(WorkspaceError) as e:
        keys.decrypt(sealed, "noa", "f1")
    assert "f1" in e.value.render() and "עו\"ס מיצוי הזכויות" in e.value.render()
    (tmp_path / "_config" / "identities" / "miri.key").unlink()
    with pytest.raises(WorkspaceError) as e:
        keys.decrypt(sealed, "miri", "f1")
    assert "zchuyot keys init" in e.value.render()
    # a rights worker listed but not yet approved is no recipient yet: `worker approve` grants her the families
    z(ws, "worker", "add", "gal", "--role", "rights")
    assert set(keys.recipients_for(Workspace.find(str(ws), "dana"), "dana")) == {"dana", "miri"}
    # a worker who is no member holds no key the department vouches for: no recipient
    assert set(keys.recipients_for(w, "dana", ["nobody"])) == {"dana", "miri"}
    (ws / ".zchuyot.yaml").write_text((ws / ".zchuyot.yaml").read_text(encoding="utf-8").replace(
        "role: rights", "role: family"), encoding="utf-8")
    with pytest.raises(InputError) as e2:  # nobody left who could read it: refused, never sealed to no one
        keys.recipients_for(Workspace.find(str(ws), "dana"), "nobody")
    assert "nobody" in e2.value.render()
