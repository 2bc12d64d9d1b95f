"""Making a workspace: a new department (its first admin, encryption on from the first family), or this
computer's copy of the department's repository (its history verified, her keys published as her request)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from zchuyot.case.file import WriteResult, make_private_dirs, read_text, write_atomic
from zchuyot.errors import WorkspaceError
from zchuyot.workspace import gitio, members
from zchuyot.workspace.config import user_config_dir
from zchuyot.workspace.store import (
    CASES,
    DEFAULT_SETTINGS,
    GITATTRIBUTES,
    GITIGNORE,
    LOCAL_DIR,
    SETTINGS_FILE,
    Workspace,
    add_worker,
    check_slug,
    directory_starters,
    set_setting,
)


def init_workspace(path: Path, worker: str, department: str | None = None, name: str | None = None,
                   role: str | None = None, remote: str | None = None) -> Workspace:
    """A new workspace, or (with `remote`) this computer's copy of the department's repository."""

    check_slug(worker, "worker")
    root = path.expanduser().resolve()
    if (root / SETTINGS_FILE).exists():
        if remote:
            return join_remote(root, worker, remote)
        raise WorkspaceError("err.already_workspace", path=str(root))
    cloned = False
    if remote:
        probe = gitio.run(Path.cwd(), "ls-remote", "--heads", remote, check=False)
        if probe.returncode != 0:  # nothing made: no workspace, nothing "saved here"
            raise WorkspaceError("err.init_remote", why=gitio.reason(probe.stderr) or "ls-remote")
        heads = probe.stdout.strip()
        if heads:
            if root.exists() and any(root.iterdir()):
                raise WorkspaceError("err.already_workspace", path=str(root))
            cloned_now = gitio.run(Path.cwd(), "clone", "-q", remote, str(root), check=False)
            if cloned_now.returncode != 0:
                import shutil

                shutil.rmtree(root, ignore_errors=True)
                raise WorkspaceError("err.init_remote", why=gitio.reason(cloned_now.stderr) or "clone")
            gitio.checkout_default_branch(root)
            cloned = True
    root.mkdir(parents=True, exist_ok=True)
    changed: list[Path] = []
    joining_signed = False
    if cloned:
        joining_signed = _verify_clone(root, worker)
    if (root / SETTINGS_FILE).is_file():
        if not joining_signed and add_worker(root, worker, name, role):
            changed.append(root / SETTINGS_FILE)
    else:
        write_atomic(root / SETTINGS_FILE, _settings_text(department or "", worker, name or worker, role or "family"))
        os.chmod(root / SETTINGS_FILE, 0o644)
        # a new department — on this computer, or started on an empty server — encrypts the families'
        # personal data from its first family
        set_setting(root, "encryption", True)
        changed += members.first_admin(root, worker)  # its first admin: the department's anchor (trust on first use)
    for fname, text in ((".gitignore", GITIGNORE), (".gitattributes", GITATTRIBUTES)):
        p = root / fname
        if not p.exists():
            write_atomic(p, text)
            os.chmod(p, 0o644)
            changed.append(p)
    changed += directory_starters(root)  # the directory of bodies and partners, from the shipped starters
    make_private_dirs(root / CASES, root)
    if not any((root / CASES).iterdir()):
        (root / CASES / ".gitkeep").touch()
        changed.append(root / CASES / ".gitkeep")
    make_private_dirs(root / LOCAL_DIR, root)
    write_atomic(root / LOCAL_DIR / "local.yaml", f"# this computer's worker (not synced)\nworker: {worker}\n")
    ws = Workspace.find(str(root), worker)
    ws.make_private()  # a clone's files follow the umask: this worker's only
    if gitio.available():
        if not gitio.is_repo(root):
            gitio.init(root)
        gitio.ensure_identity(root, worker)
        gitio.register_merge_driver(root)
        if remote and not cloned:
            gitio.run(root, "remote", "add", "origin", remote)
        result = WriteResult("", root)
        if changed:
            ws.commit(changed, "zchuyot init: workspace settings", result)
        if joining_signed:
                members.request(ws)  # her keys, published as her request to join (an admin approves them)
        elif not cloned and ws.signed:
            from zchuyot.workspace import trust

            anchor = gitio.run(root, "rev-parse", "HEAD").stdout.strip()
            members.pin(root, anchor, trust.department_fingerprint(ws.roster))
            gitio.run(root, "update-ref", members.VERIFIED_REF, anchor)
    if gitio.available():
        made = Workspace.find(str(root), worker)
        members.configure_clone(made)
        made.make_private()  # .git 0700, its config 0600: history and a remote's password are hers only
    _remember_default_root(root)
    return ws


def _verify_clone(root: Path, worker: str) -> bool:
    """A fresh clone of a department that signs: its whole history verified (the anchor pinned, trust on
    first use) and the joining worker listed by an admin. True when the department signs. A clone that
    fails either is removed: nothing is left behind."""
    import shutil

    from zchuyot.workspace.trust import Roster

    try:
        roster = Roster.from_text(read_text(root / SETTINGS_FILE)) if (root / SETTINGS_FILE).is_file() else Roster()
        if not roster.signed:
            return False
        # nothing excluded: the whole history, from the department's first signed roster
        members.verify_incoming(Workspace(root, dict(DEFAULT_SETTINGS), worker), "HEAD", exclude=[])
        if worker not in roster.members:
            raise WorkspaceError("err.join_not_listed", worker=worker)
        return True
    except Exception:
        shutil.rmtree(root, ignore_errors=True)
        raise


def join_remote(root: Path, worker: str, remote: str) -> Workspace:
    """An existing workspace joins the department's repository: `origin` is set to it (the next `sync`
    merges the two histories — its work kept, the department's history kept, ids made on both sides
    renumbered). A workspace already syncing with another repository is refused."""
    if not gitio.available():
        raise WorkspaceError("err.not_git")
    ws = Workspace.find(str(root), worker)
    if not gitio.is_repo(root):
        gitio.init(root)
        gitio.ensure_identity(root, worker)
    gitio.register_merge_driver(root)
    now = gitio.run(root, "remote", "get-url", "origin", check=False)
    if now.returncode == 0 and now.stdout.strip() not in (remote, str(Path(remote).expanduser().resolve())):
        raise WorkspaceError("err.other_remote", url=now.stdout.strip())
    if now.returncode != 0:
        gitio.run(root, "remote", "add", "origin", remote)
    return ws




def _remember_default_root(root: Path) -> None:
    """The first workspace made on this computer becomes the default, so commands work from anywhere."""
    from zchuyot.case import yamlio

    cfg = user_config_dir() / "config.yaml"
    if cfg.exists():
        return
    with contextlib.suppress(OSError):
        cfg.parent.mkdir(parents=True, exist_ok=True)
        doc = yamlio.parse("# zchuyot: this computer's default workspace\nroot: ''\n")
        doc["root"] = str(root)
        write_atomic(cfg, yamlio.dump(doc))


def _settings_text(department: str, worker: str, name: str, role: str) -> str:
    from zchuyot.case import yamlio

    doc = yamlio.parse(
        "# הגדרות סביבת העבודה של zchuyot – משותפות לכל העובדות במחלקה\n"
        "# שם המחלקה\n"
        "department: ''\n"
        "# כמה ימי עבודה בלי תיעוד עד שסוגיה נחשבת 'שקטה' (א'-ה', בלי חגים)\n"
        "stale_after: 5\n"
        "# כמה ימים מותר לסירוב לעמוד בלי פנייה לקומה מעל או ערר\n"
        "refusal_grace: 3\n"
        "# כמה ימים לפני מועד חוקי להתריע\n"
        "deadline_warning: 14\n"
        "# לוח השנה: ימי עבודה א'-ה', חגי ישראל וימי הבחירות (templates/rest_days.yaml)\n"
        "calendar: israel\n"
        "# ימים שהמחלקה סגורה בהם (למשל 2026-12-24), נוסף על החגים\n"
        "closed_days: []\n"
        "# כמה שנים לשמור תיק משפחה אחרי סיום הטיפול\n"
        "retention_years: 7\n"
        "# העובדות: קוד, שם ותפקיד (family | rights | volunteer | student | lawyer | other)\n"
        "workers: {}\n"
    )
    doc["department"] = department
    from ruamel.yaml.comments import CommentedMap

    w = CommentedMap()
    w["name"] = name
    w["role"] = role
    doc["workers"] = CommentedMap({worker: w})
    return yamlio.dump(doc)
