"""Thin, quiet helpers around the git command line. Messages name issue ids only."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from zchuyot.errors import WorkspaceError

# how this process's git signs its commits (signing.git_env of the worker the workspace is run as): every
# commit zchuyot makes — its own, a merge, the key store's — carries that worker's SSH signature
SIGN_ENV: dict[str, str] = {}
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's empty tree: a diff against it lists every file
# how this process's git reaches an SSH server (share_ssh): one connection for a whole sync
NET_ENV: dict[str, str] = {}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.update(SIGN_ENV)
    env.update(NET_ENV)
    return env


def _is_ssh(url: str) -> bool:
    import re

    if url.startswith(("ssh://", "git+ssh://", "ssh+git://")):
        return True
    # scp-like: [user@]host:path — no "://", and not a local path (a drive letter, a leading / or .)
    return "://" not in url and re.match(r"^[^/.][^/:]*:", url) is not None and not re.match(r"^[A-Za-z]:[\\/]", url)


def _control_dir() -> Path | None:
    """A folder for the shared connections' sockets that only this user can enter (a socket path must stay
    short: a runtime folder, not the config folder); None where one cannot be made safely."""
    import stat

    base = os.environ.get("XDG_RUNTIME_DIR") or "/tmp"
    d = Path(base) / f"zchuyot-ssh-{os.getuid()}"
    try:
        d.mkdir(mode=0o700, exist_ok=True)
        st = d.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None  # another user's folder, or one others may enter: no shared connection through it
    return d


@contextlib.contextmanager
def shared_ssh(root: Path, persist: int = 15) -> Iterator[bool]:
    """share_ssh for the time of one sync: afterwards git reaches the server as it was told to."""
    try:
        yield share_ssh(root, persist)
    finally:
        NET_ENV.clear()


def share_ssh(root: Path, persist: int = 15) -> bool:
    """When the department's remote is reached over SSH with OpenSSH: every git of this process (the fetch,
    the branch's push, the key store's push) goes through one shared connection (ControlMaster), kept
    `persist` seconds after the last. The worker's own ssh command (GIT_SSH_COMMAND, core.sshCommand) is
    kept and only given these options; another program (GIT_SSH, plink) is left alone."""
    import shlex

    NET_ENV.clear()
    url = run(root, "remote", "get-url", "origin", check=False).stdout.strip()
    if not url or not _is_ssh(url) or os.environ.get("GIT_SSH"):
        return False
    cmd = os.environ.get("GIT_SSH_COMMAND") or run(root, "config", "core.sshCommand", check=False).stdout.strip() \
        or "ssh"
    try:
        first = shlex.split(cmd)[0]
    except (ValueError, IndexError):
        return False
    d = _control_dir()
    if os.path.basename(first) != "ssh" or d is None:
        return False
    import hashlib

    # one shared connection per server, user and ssh command (another key or option: another connection)
    tag = hashlib.sha256(cmd.encode()).hexdigest()[:8]
    NET_ENV["GIT_SSH_COMMAND"] = (f"{cmd} -o ControlMaster=auto -o "
                                  f"{shlex.quote(f'ControlPath={d}/%C-{tag}')} -o ControlPersist={persist}")
    return True


def available() -> bool:
    return shutil.which("git") is not None


def run(root: Path, *args: str, check: bool = True, input_: str | None = None) -> subprocess.CompletedProcess[str]:
    if not available():
        raise WorkspaceError("err.no_git")
    proc = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, env=_env(),
        **({"input": input_} if input_ is not None else {"stdin": subprocess.DEVNULL}),
    )
    if check and proc.returncode != 0:
        raise failure(proc, args[0])
    return proc


def run_env(root: Path, extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """git with more of its environment set (a temporary index: GIT_INDEX_FILE)."""
    if not available():
        raise WorkspaceError("err.no_git")
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          env={**_env(), **extra}, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise failure(proc, args[0])
    return proc


def run_bytes(root: Path, *args: str, input_: bytes | None = None) -> bytes:
    """git's output as bytes (blobs), its input given as bytes."""
    if not available():
        raise WorkspaceError("err.no_git")
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, env=_env(),
                          **({"input": input_} if input_ is not None else {"stdin": subprocess.DEVNULL}))
    if proc.returncode != 0:
        raise failure(subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(errors="replace"),
                                                  proc.stderr.decode(errors="replace")), args[0])
    return proc.stdout


_NO_REMOTE = ("could not read from remote repository", "does not appear to be a git repository",
              "could not resolve host", "connection refused", "connection timed out", "repository not found")


def failure(proc: subprocess.CompletedProcess[str], what: str) -> WorkspaceError:
    """git's failure as one error: its own cause line (the `fatal:`/`error:` line, not the last line of its
    advice), and for the usual case — the department's repository cannot be reached — a message of our own."""
    why = reason(proc.stderr or proc.stdout)
    if unreachable(proc.stderr or proc.stdout) or diagnosis(proc.stderr or proc.stdout):
        return WorkspaceError("err.git_remote", why=why)
    return WorkspaceError("err.git", what=what, why=why or f"exit {proc.returncode}")


def cause(text: str) -> str:
    """The line of git's message that says what went wrong (`fatal: …`, `error: …`, without the prefix),
    not the last line of its advice ("and the repository exists.")."""
    lines = [ln.strip() for ln in (text or "").strip().splitlines() if ln.strip()]
    if any("[remote rejected]" in ln for ln in lines):  # the server's own reason, as its hook said it
        said = [ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("remote:") and ln[7:].strip()]
        if said:
            return said[0]
    line = next((ln for ln in lines if ln.lower().startswith(("fatal:", "error:"))), lines[0] if lines else "")
    return line.split(":", 1)[1].strip() if line.lower().startswith(("fatal:", "error:")) else line


def shown_url(url: str) -> str:
    """A remote's address as it may be shown: without a user name and password (https://user:pass@host/…)."""
    import re

    return re.sub(r"(?<=://)[^/@\s]*@", "", url)


def contended(text: str) -> bool:
    """A push refused only because another clone updated the ref first (fetch, merge and try again) — not a
    server that refuses the update (a hook, protected refs, a full disk, a quota)."""
    low = (text or "").lower()
    if "cannot lock ref" in low and "but expected" in low or "failed to lock" in low and "denied" not in low:
        return True  # another push moved the ref between the server's check and its update (smart HTTP)
    if "[remote rejected]" in low or "unpacker error" in low or "no space left" in low or "denied" in low:
        return False
    return "stale info" in low or "fetch first" in low or "non-fast-forward" in low or "[rejected]" in low


def diagnosis(text: str) -> tuple[str, dict[str, str]] | None:
    """What an SSH or HTTPS failure really was, told apart (ssh's own line comes before git's `fatal:` one,
    which always reads "Could not read from remote repository"): the server cannot be reached; it does not
    know this computer's key; its host key is unknown or changed (with the fingerprint it sent); the HTTPS
    user name or password is wrong. None: not one of these."""
    import re

    low = (text or "").lower()
    fp = re.search(r"SHA256:[A-Za-z0-9+/]+", text or "")
    if "remote host identification has changed" in low:
        return "net.hostkey_changed", {"fp": fp.group(0) if fp else "?"}
    if "host key verification failed" in low or "host key is known for" in low:
        return "net.hostkey_unknown", {"fp": fp.group(0) if fp else "?"}
    if "permission denied (publickey" in low or "permission denied, please try again" in low:
        home = Path.home() / ".ssh"
        pub = next((str(p) for p in (home / "id_ed25519.pub", home / "id_ecdsa.pub", home / "id_rsa.pub")
                    if p.is_file()), "")
        return "net.key_unknown", {"pub": pub or "ssh-keygen -t ed25519"}
    if "authentication failed for" in low or "http basic: access denied" in low or " 401" in low:
        return "net.http_auth", {}
    if any(p in low for p in ("connection refused", "could not resolve hostname", "connection timed out",
                              "no route to host", "network is unreachable", "could not resolve host",
                              "failed to connect to", "connection reset")):
        return "net.unreachable", {}
    return None


def reason(text: str) -> str:
    """git's failure as a worker reads it: the diagnosis of an SSH/HTTPS failure in plain words, else git's
    own cause line."""
    found = diagnosis(text)
    if found is None:
        return shown_url(cause(text))  # an address in git's line never carries its password out
    from zchuyot.text.labels import t

    return t(found[0], **found[1])


def unreachable(text: str) -> bool:
    """git's message says the other repository could not be reached (address, network or access)."""
    return any(p in (text or "").lower() for p in _NO_REMOTE)


def is_repo(root: Path) -> bool:
    if not available():
        return False
    p = root
    while True:
        if (p / ".git").exists():
            return True
        if p.parent == p:
            return False
        p = p.parent


def init(root: Path) -> None:
    run(root, "init", "-q")
    # a branch name that does not depend on the machine's git defaults
    run(root, "symbolic-ref", "HEAD", "refs/heads/main")


def checkout_default_branch(root: Path) -> None:
    """After a clone whose remote HEAD names a branch that does not exist: check out main (or the first)."""
    if run(root, "rev-parse", "--verify", "-q", "HEAD", check=False).returncode == 0:
        return
    branches = [b.strip() for b in run(root, "branch", "-r", "--format=%(refname:short)").stdout.splitlines()]
    branches = [b for b in branches if b and not b.endswith("/HEAD")]
    if not branches:
        return
    pick = "origin/main" if "origin/main" in branches else branches[0]
    run(root, "checkout", "-q", "-b", pick.split("/", 1)[1], "--track", pick)


STALE_LOCK_SECONDS = 60


def _held_open(path: Path) -> bool | None:
    """Whether a live process has this file open (Linux: /proc/*/fd); None where that cannot be known."""
    proc = Path("/proc")
    if not (proc / "self" / "fd").is_dir():
        return None
    target = str(path.resolve())
    for pid in os.listdir(proc):
        if not pid.isdigit():
            continue
        try:
            fds = os.listdir(proc / pid / "fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(proc / pid / "fd" / fd) == target:
                    return True
            except OSError:
                continue
    return False


def clear_stale_index_lock(root: Path) -> bool:
    """A git killed mid-commit leaves .git/index.lock; every later commit would fail. Called only while
    holding the workspace's git lock (no zchuyot git is running): a lock no live process holds open is
    removed at once; where that cannot be seen (not Linux), a lock a minute old."""
    import time

    git_dir = root / ".git"
    if not git_dir.is_dir():  # a worktree or a workspace inside a bigger repository: ask git
        found = run(root, "rev-parse", "--absolute-git-dir", check=False).stdout.strip()
        if not found:
            return False
        git_dir = Path(found)
    lock = git_dir / "index.lock"
    try:
        if not lock.exists():
            return False
        held = _held_open(lock)
        if held is False or (held is None and time.time() - lock.stat().st_mtime > STALE_LOCK_SECONDS):
            lock.unlink()
            return True
    except OSError:
        pass
    return False


def config_values(root: Path, scope: str = "") -> dict[str, str]:
    """git's settings as this clone sees them (one process): `scope` "--local" for the clone's own only."""
    out = run(root, "config", *([scope] if scope else []), "--list", "-z", check=False).stdout
    values: dict[str, str] = {}
    for item in out.split("\0"):
        if item:
            key, _, value = item.partition("\n")
            values[key.lower()] = value
    return values


def set_config(root: Path, wanted: dict[str, str], have: dict[str, str] | None = None) -> None:
    """The clone's own settings made these (only those that differ from `have`, read once when not given)."""
    have = config_values(root, "--local") if have is None else have
    for key, value in wanted.items():
        if have.get(key.lower()) != value:
            run(root, "config", "--local", key, value)


def register_merge_driver(root: Path, have: dict[str, str] | None = None) -> None:
    """The driver named in .gitattributes (`merge=zchuyot`): this Python's `zchuyot merge-file`."""
    import shlex
    import sys

    set_config(root, {"merge.zchuyot.name": "zchuyot: merge issue files field by field",
                      "merge.zchuyot.driver": f"{shlex.quote(sys.executable)} -m zchuyot merge-file %O %A %B %P"},
               have)


LOCAL_ATTRIBUTES = "# zchuyot: this clone's own (never synced): events merged key by key\nevents/*.yaml merge=zchuyot\n"


def local_attributes(root: Path) -> None:
    """Files zchuyot merges that the department's `.gitattributes` (an admin's to change) does not name yet:
    named in this clone's own `.git/info/attributes`, which git reads first and never sends."""
    git_dir = root / ".git" if (root / ".git").is_dir() else Path(
        run(root, "rev-parse", "--absolute-git-dir").stdout.strip())
    path = git_dir / "info" / "attributes"
    have = path.read_text(encoding="utf-8") if path.is_file() else ""
    if "events/*.yaml merge=zchuyot" not in have:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(have + ("" if not have or have.endswith("\n") else "\n") + LOCAL_ATTRIBUTES,
                        encoding="utf-8")


def ensure_identity(root: Path, name: str, have: dict[str, str] | None = None) -> None:
    """Give this clone a commit identity (the worker's code) when git has none (its own or the user's)."""
    have = config_values(root) if have is None else have
    for key, value in (("user.email", f"{name}@zchuyot.invalid"), ("user.name", name)):
        if not have.get(key, "").strip():
            run(root, "config", key, value)


def commit(root: Path, paths: list[Path], message: str, worker: str | None = None, tracked: bool = False) -> None:
    """Stage exactly these paths (added, changed or removed) and commit them alone. Files git already
    knows (`tracked`) are committed by one git process — `commit -- paths` takes them as they are on
    disk; new ones are added first (two processes), and so is a file that turns out to be unknown."""
    rel = [str(p.relative_to(root)) if p.is_absolute() else str(p) for p in paths]
    # one file's commit does not stop to see whether the repository needs packing (~10 ms at 10,000 files):
    # `zchuyot sync` does that (`gc --auto`), and so do the fetch and merge it runs
    args = ["-c", "gc.auto=0", "-c", "maintenance.auto=false", "commit", "-q", "--no-verify", "-m", message, "--", *rel]
    proc = run(root, *args, check=False) if tracked else None
    if proc is None or (proc.returncode != 0 and "did not match" in proc.stderr):
        run(root, "add", "-A", "--", *rel)
        proc = run(root, *args, check=False)
    out = (proc.stdout + proc.stderr).lower()
    if proc.returncode != 0 and ("identity" in out or "tell me who you are" in out):
        who = worker or "zchuyot"
        proc = run(root, "-c", f"user.name={who}", "-c", f"user.email={who}@zchuyot.invalid", *args, check=False)
        out = (proc.stdout + proc.stderr).lower()
    if proc.returncode != 0 and ("nothing to commit" in out or "no changes added" in out or "nothing added" in out):
        return  # the file was already committed as it is
    if proc.returncode != 0:
        raise failure(proc, "commit")
