"""Every worker's signing key, and git's own SSH signing of every commit zchuyot makes.

The department's history must say who wrote what in a way nobody can forge, and verify with standard git
(`git verify-commit`, `git log --show-signature`, the signed-commit badges of the git servers departments
use). So the signatures are git's own SSH signatures (`gpg.format=ssh`): the key is an ed25519 key made by
OpenSSH's `ssh-keygen`, kept in the worker's user config directory beside her age identity
(`identities/<worker>.ssh`, 0600, never in the repository), and git signs through `ssh-keygen -Y sign`.
Nothing here is cryptography: this module makes and finds keys, computes OpenSSH's fingerprint of a public
key (SHA-256 of the key blob, as `ssh-keygen -l` prints it) and tells git which key to sign with.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from zchuyot.errors import WorkspaceError
from zchuyot.workspace.config import user_config_dir


def key_path(worker: str) -> Path:
    return user_config_dir() / "identities" / f"{worker}.ssh"


def has_key(worker: str) -> bool:
    return key_path(worker).is_file() and key_path(worker).with_suffix(".ssh.pub").is_file()


def public_key(worker: str) -> str | None:
    """This computer's signing public key of the worker (`ssh-ed25519 AAAA…`), or None."""
    pub = key_path(worker).with_suffix(".ssh.pub")
    if not pub.is_file():
        return None
    return normalize(pub.read_text(encoding="utf-8"))


def normalize(text: str) -> str:
    """An OpenSSH public key line without its comment: `type base64`."""
    parts = text.strip().split()
    return " ".join(parts[:2]) if len(parts) >= 2 else ""


def fingerprint(public: str) -> str:
    """OpenSSH's fingerprint of a public key line (`SHA256:…`, as `ssh-keygen -l` and git's %GF print it)."""
    parts = public.strip().split()
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (IndexError, ValueError):
        return ""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def make_key(worker: str) -> tuple[str, bool]:
    """The worker's signing key, made once on this computer (kept: a lost key is replaced by an admin, not
    here). Returns (public key line, made now)."""
    existing = public_key(worker)
    if existing and key_path(worker).is_file():
        return existing, False
    if shutil.which("ssh-keygen") is None:
        raise WorkspaceError("err.no_ssh_keygen")
    path = key_path(worker)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    for p in (path, path.with_suffix(".ssh.pub")):
        p.unlink(missing_ok=True)
    proc = subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"zchuyot:{worker}", "-f", str(path)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise WorkspaceError("err.ssh_keygen", why=(proc.stderr or proc.stdout).strip()[:200])
    os.chmod(path, 0o600)
    return public_key(worker) or "", True


def git_env(worker: str | None) -> dict[str, str]:
    """The environment that makes every git process sign its commits with this worker's key (none where the
    computer holds no key of hers: the caller decides whether that is allowed)."""
    if not worker or not key_path(worker).is_file():
        return {}
    pairs = [("gpg.format", "ssh"), ("user.signingkey", str(key_path(worker))), ("commit.gpgsign", "true")]
    env = {"GIT_CONFIG_COUNT": str(len(pairs))}
    for n, (k, v) in enumerate(pairs):
        env[f"GIT_CONFIG_KEY_{n}"] = k
        env[f"GIT_CONFIG_VALUE_{n}"] = v
    return env


def allowed_signers(members: dict[str, list[str]]) -> str:
    """git's `gpg.ssh.allowedSignersFile` for the roster in force: `worker namespaces="git" key` a line,
    so `git verify-commit` and `git log --show-signature` name the worker who signed."""
    return "".join(f'{w} namespaces="git" {k}\n' for w, keys in sorted(members.items()) for k in keys)
