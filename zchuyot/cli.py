"""The command line: parse, call one core function, render. No logic lives here.

Exit statuses (`ExitStatus`, documented in the README): 0 done; 1 the user's input or data is
wrong (one line on stderr saying what to do); 2 the command line itself is wrong (usage).
"""

import contextlib
import enum
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from rich.console import Console

    from zchuyot.terminal.render import Renderer
    from zchuyot.workspace.store import Workspace

class ExitStatus(enum.IntEnum):
    """Every way a zchuyot command ends (as httpie's ExitStatus)."""

    OK = 0  # done
    ERROR = 1  # the user's input or data is wrong: one line on stderr says what to do
    USAGE = 2  # the command line itself is wrong (unknown option, missing argument, options that exclude each other)


def exit_status(e: BaseException) -> ExitStatus:
    """The exit status of an error the core raised."""
    from zchuyot.errors import UsageError

    return ExitStatus.USAGE if isinstance(e, UsageError) else ExitStatus.ERROR


def message(e: "Any") -> str:
    """An error of the core as the one line the worker reads: a field's key becomes its flag and label."""
    if not getattr(e, "field", None):
        return e.render()
    from zchuyot.case.form import FAMILY, field_at, flag_of
    from zchuyot.text.labels import t

    f = field_at(tuple(e.field.split("."))) or field_at(tuple(e.field.split(".")), FAMILY)
    label = t(f.label_key) if f else e.field
    return e.render(flag=flag_of(e.field) or e.field, label=label)


GLOBAL_OPTIONS = ("--root", "--worker", "--lang", "--bidi")
FOLLOWUP_SCREEN = 20  # the morning screen's items (whole families); `--all` for every one
GLOBAL_FLAGS = ("--no-cache", "--keep-personal-data")


class _State:
    no_cache: bool = False
    keep_personal_data: bool = False
    root: str | None = None
    roots: tuple[str, ...] = ()  # --root given more than once: the district's view (report, policy)
    worker: str | None = None
    lang: str = "he"
    bidi: str | None = None


STATE = _State()


def _err_console() -> "Console":
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _new_line() -> None:
    """After ^C at a prompt the cursor stands at the end of the prompt's line: the message starts below it."""
    if sys.stderr.isatty():
        sys.stderr.write("\n")
        sys.stderr.flush()


def _say_error(text: str) -> None:
    from zchuyot.text import rtl

    err = _err_console()
    mode = rtl.choose_mode(STATE.bidi, sys.stderr.isatty())
    text = rtl.isolate_latin(rtl.visible(text))  # 'nope' and 'zchuyot list' stay apart inside the Hebrew sentence
    line = "\n".join(rtl.visual_lines(text, err.width - 1)) if mode == "visual" else text
    err.print(line, markup=False, highlight=False, soft_wrap=True, style="red" if sys.stderr.isatty() else None)


CSV_BOM = "\ufeff"


def _broken_pipe() -> None:
    raise BrokenPipeError


def _stdout_closed() -> None:
    """The reader of a pipe left (`| head`): quietly, like git — what is still buffered goes nowhere, so Python
    does not complain about it at exit."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _in_ui_language(text: str) -> str:
    """A command's help is written "Hebrew. / English.": the part of the UI's language."""
    from zchuyot.text.labels import current_lang

    he, sep, en = text.partition(" / ")
    return (en if current_lang() == "en" else he).strip() if sep else text


def _help_formatter() -> type:
    """click's help formatter, speaking the UI's language (click's own words are English and fixed) and,
    where the terminal does not reorder Hebrew, writing each Hebrew line in visual order."""
    from typer._click.formatting import HelpFormatter

    class ZFormatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            from zchuyot.text.labels import t

            super().write_usage(prog, args, prefix if prefix is not None else t("help.usage") + " ")

        def section(self, name: str) -> Any:
            from zchuyot.text.labels import t

            key = {"Options": "help.options", "Commands": "help.commands", "Arguments": "help.arguments"}.get(name)
            return super().section(t(key) if key else name)

        def write_text(self, text: str) -> None:
            super().write_text(_in_ui_language(text))

        def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
            from zchuyot.text.labels import t

            words = {"Show this message and exit.": t("help.help"),
                     "Install completion for the current shell.": t("help.install_completion"),
                     "Show completion for the current shell, to copy it or customize the installation.":
                         t("help.show_completion")}
            rows = [(a, words.get(b) or b.replace("[required]", t("help.required"))) for a, b in rows]
            super().write_dl(rows, col_max, col_spacing)

        def getvalue(self) -> str:
            from zchuyot.text import rtl

            text = super().getvalue()
            if rtl.choose_mode(STATE.bidi, sys.stdout.isatty()) != "visual":
                return text
            width = self.width or 80
            out: list[str] = []
            hebrew_above = False
            for line in text.split("\n"):
                indent = len(line) - len(line.lstrip(" "))
                # a line of its own, or the wrapped end of the Hebrew description above (`(ZCHUYOT_NO_CACHE=1).`)
                if rtl.has_hebrew(line) or (hebrew_above and indent >= 8 and line.strip()):
                    vis = rtl.visual(rtl.isolate_latin(line.strip()), paragraph_rtl=True)
                    hebrew_above = True
                    line = " " * max(width - rtl.cell_width(vis), 0) + vis
                else:
                    hebrew_above = False
                out.append(line)
            return "\n".join(out)

    return ZFormatter


# `zchuyot --help` lists the commands in the order of the practice, in sections
HELP_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("help.intake", ("init", "new", "family", "worker")),
    ("help.steps", ("listen", "list", "collect", "plan", "treat", "persist", "followup", "policy")),
    ("help.issue", ("show", "search", "correct", "amend", "close", "reopen", "letter", "attach", "open")),
    ("help.network", ("body", "partner", "refer", "feedback")),
    ("help.center", ("report", "export", "event")),
    ("help.files", ("check", "sync", "purge", "keys")),
)


class ZGroup(TyperGroup):
    """Turns the core's errors into one clear line and an exit code — never a traceback."""

    def make_context(self, info_name: Any, args: list[str], *rest: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        from zchuyot.text import labels

        typer.Context.__mro__[1].formatter_class = _help_formatter()  # every context of this run, sub-commands too
        if kwargs.get("parent") is None:  # --help is answered before the options are: take --lang and --bidi now
            def early(flag: str) -> str | None:
                found = None
                for n, a in enumerate(args):
                    found = a.split("=", 1)[1] if a.startswith(flag + "=") else (
                        args[n + 1] if a == flag and n + 1 < len(args) else found)
                return found

            chosen = early("--lang") or os.environ.get("ZCHUYOT_LANG") or "he"
            labels.set_lang(chosen if chosen in labels.LANGS else "he")
            STATE.root = STATE.worker = None
            STATE.roots = ()
            STATE.no_cache = False
            STATE.lang, STATE.bidi = labels.current_lang(), early("--bidi")
        return super().make_context(info_name, args, *rest, **kwargs)

    def list_commands(self, ctx: Any) -> list[str]:  # type: ignore[override]
        known = [c for _, cmds in HELP_SECTIONS for c in cmds]
        rest = [c for c in super().list_commands(ctx) if c not in known]
        return [c for c in known if c in self.commands] + rest

    def format_commands(self, ctx: Any, formatter: Any) -> None:  # type: ignore[override]
        """The commands in the practice's sections (the top level); a sub-group as click does it."""
        if ctx.parent is not None:
            return super().format_commands(ctx, formatter)
        from zchuyot.text.labels import t

        for key, names in HELP_SECTIONS:
            rows = [(n, _in_ui_language(self.commands[n].get_short_help_str(limit=200)))
                    for n in names if n in self.commands and not self.commands[n].hidden]
            if rows:
                with formatter.section(t(key)):
                    formatter.write_dl(rows)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        from zchuyot.errors import Cancelled, ZError

        try:
            return super().invoke(ctx)
        except ZError as e:
            if isinstance(e, Cancelled):
                _new_line()  # ^C or ^D at a prompt: below the prompt's line
            _say_error(message(e))
            ctx.exit(exit_status(e))
        except (typer.Exit, typer.Abort):
            raise
        except BrokenPipeError:  # `zchuyot export | head -1`: the reader has all it wanted
            _stdout_closed()
            ctx.exit(ExitStatus.OK)
        except KeyboardInterrupt:
            from zchuyot.text.labels import t

            _new_line()
            _say_error(t("ui.cancelled"))
            ctx.exit(ExitStatus.ERROR)
        except Exception as e:  # the last guard: no traceback for a social worker
            if os.environ.get("ZCHUYOT_DEBUG") or type(e).__module__.startswith(("click", "typer")):
                raise
            from zchuyot.text.labels import t

            _say_error(t("err.internal", what=type(e).__name__))
            ctx.exit(ExitStatus.ERROR)


def _completer(what: str) -> Any:
    """Shell completion (Typer's) of issue ids, family codes or worker codes from the workspace that the
    command line names (--root, or the usual one); nothing at all when there is none."""
    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        from zchuyot.workspace.store import Workspace

        top = ctx.find_root().params
        try:
            return Workspace.find(top.get("root"), top.get("worker")).completions(what, incomplete)
        except Exception:  # noqa: BLE001 — a completion never prints an error into the shell
            return []

    return complete


IssueId = Annotated[str, typer.Argument(metavar="ID", help="מזהה הסוגיה (או הקיצור שלו).",
                                        autocompletion=_completer("id"))]
FamilyCode = Annotated[str, typer.Argument(help="קוד המשפחה.", autocompletion=_completer("family"))]


app = typer.Typer(
    cls=ZGroup,
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="zchuyot (זכויות) – מעקב סוגיות למיצוי זכויות אקטיבי. / A case tracker for active rights exhaustion.",
)
family_app = typer.Typer(cls=ZGroup, no_args_is_help=True, help="פרטי המשפחה ובני הבית (שם, טלפון, ת.ז., כתובת) – רק ב-family.yaml.")
app.add_typer(family_app, name="family")
member_app = typer.Typer(cls=ZGroup, no_args_is_help=True, help="בני הבית: קרבה, שנת לידה, מגדר, נכות, קצבאות.")
family_app.add_typer(member_app, name="member")
worker_app = typer.Typer(cls=ZGroup, no_args_is_help=True, help="העובדות של המחלקה: קוד, שם ותפקיד של כל אחת.")
app.add_typer(worker_app, name="worker")
event_app = typer.Typer(cls=ZGroup, no_args_is_help=True, help="אירועים שהמרכז סופר: הדרכות, ירידי זכויות, סדנאות.")
app.add_typer(event_app, name="event")
keys_app = typer.Typer(cls=ZGroup, no_args_is_help=True, help="מפתחות ההצפנה של העובדות (age).")
app.add_typer(keys_app, name="keys")
body_app = typer.Typer(cls=ZGroup, no_args_is_help=True, help="מדריך הגופים ואנשי הקשר בהם (רישות).")
app.add_typer(body_app, name="body")
partner_app = typer.Typer(cls=ZGroup, no_args_is_help=True,
                          help="השותפים: מתנדבים, סטודנטים, קליניקות משפטיות, עורכי דין, ארגונים.")
app.add_typer(partner_app, name="partner")


@app.callback()
def _globals(
    root: Annotated[Optional[list[str]], typer.Option("--root", help="תיקיית סביבת העבודה (ZCHUYOT_ROOT); כמה פעמים – דוח מחוזי (report, policy).")] = None,
    worker: Annotated[Optional[str], typer.Option("--worker", help="קוד העובדת (ZCHUYOT_WORKER).", autocompletion=_completer("worker"))] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="he | en (ZCHUYOT_LANG).")] = None,
    bidi: Annotated[Optional[str], typer.Option("--bidi", help="auto | visual | logical (ZCHUYOT_BIDI).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="לקרוא את כל הקבצים בלי מטמון האינדקס (ZCHUYOT_NO_CACHE=1).")] = False,
    keep_personal_data: Annotated[bool, typer.Option("--keep-personal-data", help="לשמור בסוגיה טלפון, ת.ז. או דוא\"ל שהוקלדו בטקסט (נרשם ב-git); בלי זה – נעצר לפני השמירה.")] = False,
) -> None:
    from zchuyot.text import labels

    lang = lang or os.environ.get("ZCHUYOT_LANG") or "he"
    if lang not in labels.LANGS:
        raise typer.BadParameter("he | en", param_hint="--lang")
    if bidi is not None and bidi not in ("auto", "visual", "logical"):
        raise typer.BadParameter("auto | visual | logical", param_hint="--bidi")
    labels.set_lang(lang)
    STATE.roots = tuple(root or ())
    STATE.root, STATE.worker, STATE.lang, STATE.bidi = (root[0] if root else None), worker, lang, bidi
    STATE.no_cache = no_cache
    STATE.keep_personal_data = keep_personal_data


# ------------------------------------------------------------------ helpers
def _district(roots_from: str | None) -> list["Workspace"]:
    """The workspaces of a district report: every --root given, and each line of --roots-from; one (the
    usual one) when neither names more."""
    from zchuyot.errors import InputError
    from zchuyot.workspace.store import Workspace

    roots = list(STATE.roots)
    if roots_from:
        try:
            lines = Path(roots_from).read_text(encoding="utf-8").splitlines()
        except OSError:
            raise InputError("err.roots_from", value=roots_from) from None
        roots += [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]
    if len(roots) <= 1:
        if roots and roots[0] != STATE.root:
            STATE.root = roots[0]
        STATE.roots = ()
        return [_ws()]  # the usual checks: the worker code, --no-cache
    spaces = [Workspace.find(r, None) for r in dict.fromkeys(roots)]
    for w in spaces:
        w.use_cache = w.use_cache and not STATE.no_cache
    return spaces


def _department(ws: "Workspace") -> str:
    return str(ws.settings.get("department") or ws.root.name)


def _ws() -> "Workspace":
    from zchuyot.workspace.store import Workspace

    if len(STATE.roots) > 1:
        from zchuyot.errors import UsageError

        raise UsageError("err.roots_only_report")
    ws = Workspace.find(STATE.root, STATE.worker)
    if STATE.no_cache:
        ws.use_cache = False
    ws.keep_personal_data = STATE.keep_personal_data
    if _interactive():  # a phone typed into a text: asked before anything is written
        def decide(found: list[Any]) -> Any:
            from zchuyot.terminal.prompts import Asker, decide_personal

            return decide_personal(Asker(*_out()), found)

        ws.on_personal_data = decide
    if ws.worker:  # --worker nobody: one clear line, never issues no one's followup shows
        ws.check_worker(ws.worker)
    return ws


def _out() -> "tuple[Console, Renderer]":
    from rich.console import Console

    from zchuyot.terminal.render import Renderer
    from zchuyot.text import rtl

    console = Console(highlight=False, soft_wrap=False)
    console.on_broken_pipe = _broken_pipe  # type: ignore[method-assign]  # Rich would exit 1; the guard exits 0
    mode = rtl.choose_mode(STATE.bidi, sys.stdout.isatty())
    return console, Renderer(console, mode, STATE.lang)


def _json(obj: Any) -> None:
    import datetime as dt

    def default(o: Any) -> Any:
        if isinstance(o, dt.date):
            return o.isoformat()
        raise TypeError(type(o).__name__)

    # indented for a person at a terminal; compact (and much faster) for scripts and pipes
    indent = 2 if sys.stdout.isatty() else None
    text = json.dumps(obj, ensure_ascii=False, indent=indent, default=default, check_circular=False)
    # JSON escapes C0 itself; DEL and the C1 controls escaped too, so no terminal obeys them (valid JSON)
    sys.stdout.write(text.translate(_JSON_CONTROLS) + "\n")


_JSON_CONTROLS = {c: f"\\u{c:04x}" for c in (0x7F, *range(0x80, 0xA0))}


def _say(text: str) -> None:
    """One line for the worker on stdout. To a pipe or a file in logical order it is the text itself (what
    Rich would write), so a writing command does not load Rich to say what it did; a terminal gets Rich."""
    from zchuyot.text import rtl

    if not sys.stdout.isatty() and rtl.choose_mode(STATE.bidi, False) == "logical":
        sys.stdout.write(rtl.isolate_latin(rtl.visible(text)) + "\n")
        return
    _out()[1].line(text)


def _notes(result: Any, info: bool = False) -> None:
    """Warnings to stderr; with `info`, also what was done to stdout."""
    from zchuyot.text.labels import t

    for key, params in getattr(result, "notes", []):
        _say_error(t(key, **params))
    moved = getattr(result, "moved", None)
    if moved and getattr(result, "issue", None) is not None:
        from zchuyot.practice import core

        family = result.issue.family
        core.take_personal(_ws(), family, moved)
        for kind in dict.fromkeys(x.kind for x in moved):
            _say(t("ui.pii_moved", kind=t(f"pii.kind.{kind}"), family=family))
    if info:
        for key, params in getattr(result, "info", []):
            _say(t(key, **params))


def _ask_or_usage(ws: "Any", issue_id: str, what: str, command: str) -> "Any":
    """A step run without what it records: asked in a terminal (the issue returned, to name it and offer
    its bodies and actions), else the usage error a script expects — nothing is written either way."""
    if not _interactive():
        from zchuyot.errors import UsageError

        raise UsageError("usage.missing_no_terminal", what=what, command=f"zchuyot {command}")
    ws.require_worker()
    return ws.get_issue(issue_id).issue


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


# ------------------------------------------------------------------ init
@app.command()
def init(
    path: Annotated[Optional[Path], typer.Argument(help="איפה ליצור (ברירת מחדל: --root, אחרת כאן).")] = None,
    department: Annotated[Optional[str], typer.Option("--department", help="שם המחלקה.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="השם שלך לתצוגה (בעברית).")] = None,
    role: Annotated[Optional[str], typer.Option("--role", help="family | rights | volunteer | student | lawyer | other")] = None,
    remote: Annotated[Optional[str], typer.Option("--remote", help="מאגר ה-git של המחלקה.")] = None,
) -> None:
    """יצירת סביבת עבודה (git, הגדרות, העובדת של המחשב הזה). / Create a workspace."""
    from zchuyot.practice import core
    from zchuyot.text.labels import t
    from zchuyot.workspace import store

    # `zchuyot --root DIR init` makes the workspace in DIR, never in the folder the command ran from
    where = path if path is not None else Path(STATE.root) if STATE.root else Path(".")
    joining = remote is not None and (where / store.SETTINGS_FILE).exists()
    worker = STATE.worker or os.environ.get("ZCHUYOT_WORKER")
    if not worker and joining:  # the workspace's own worker (local.yaml)
        worker = store.Workspace.find(str(where)).worker
    if not worker:
        raise typer.BadParameter("--worker W", param_hint="--worker")
    r = core.choice("role", role, "role") if role else None
    from zchuyot.workspace.setup import init_workspace

    ws = init_workspace(where, worker, department, name, r, remote)
    console, rnd = _out()
    if joining:  # an existing workspace joins the department: its first sync merges the two histories
        from zchuyot.workspace import sync as sy

        _sync_said(sy.sync(ws), rnd)
        return
    rnd.line(t("ui.workspace_created", path=str(ws.root), worker=worker))
    member = ws.roster.members.get(worker)
    if ws.signed and member is not None:
        from zchuyot.workspace import signing, trust

        if member.approved and member.admin and len(ws.roster.admins()) == 1 and not remote:
            rnd.line(t("ui.department_started", worker=worker, fp=trust.department_fingerprint(ws.roster)))
        elif not member.approved and signing.public_key(worker):
            rnd.line(t("ui.trusted_first", fp=trust.department_fingerprint(ws.roster)))
            rnd.line(t("ui.join_requested", worker=worker, fp=signing.fingerprint(signing.public_key(worker) or "")))


# ------------------------------------------------------------------ new
@app.command()
def new(
    family: Annotated[Optional[str], typer.Option("--family", help="קוד המשפחה.", autocompletion=_completer("family"))] = None,
    subject: Annotated[Optional[str], typer.Option("--subject", help="נושא הפניה.")] = None,
    domain: Annotated[Optional[str], typer.Option("--domain", help="תחום הפניה (housing, debts, ... או בעברית).")] = None,
    domain_other: Annotated[Optional[str], typer.Option("--domain-other", help="בתחום 'אחר': איזה.")] = None,
    description: Annotated[Optional[str], typer.Option("--description", help="תיאור.")] = None,
    body: Annotated[Optional[list[str]], typer.Option("--body", help='גוף רלוונטי: "ארגון|איש קשר|פרטים" (אפשר כמה).')] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="תאריך הפניה (ברירת מחדל: היום).")] = None,
    need: Annotated[Optional[str], typer.Option("--need", help="הצורך, במילים של המשפחה.")] = None,
    right: Annotated[Optional[str], typer.Option("--right", help="הזכות שהצורך מתורגם אליה.")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="asked | reported")] = None,
    priority: Annotated[Optional[int], typer.Option("--priority", help="סדר העדיפות של המשפחה (1 = ראשון).")] = None,
    urgency: Annotated[Optional[str], typer.Option("--urgency", help="now | later")] = None,
) -> None:
    """פתיחת סוגיה חדשה לפי טופס התיעוד; מדפיס את המזהה. / Open an issue; prints its id."""
    from zchuyot.errors import InputError
    from zchuyot.practice import core
    from zchuyot.text.labels import t

    intake: dict[str, Any] = {"family": family, "subject": subject, "domain": domain, "domain_other": domain_other,
                              "description": description, "bodies": list(body or []), "opened": date, "need": need,
                              "right": right, "source": source, "priority": priority, "urgency": urgency}
    ws = _ws()
    ws.require_worker()
    missing = core.missing_for_new(intake)
    decided = None
    if _interactive():
        from zchuyot.terminal.prompts import Asker, NewFamily, fill_intake, settle_family
        from zchuyot.workspace.store import check_slug

        decided = NewFamily()
        console, rnd = _out()
        if intake.get("family"):  # given as a flag: settled before anything is asked
            check_slug(str(intake["family"]), "family")
            settle_family(Asker(console, rnd), ws, intake, decided)
        if missing:
            fill_intake(Asker(console, rnd), intake, ws, decided)
    elif missing:
        raise InputError("err.required_tty", field=missing[0])
    if decided is not None and decided.create:  # every answer given: the new family's record, then the issue
        core.add_family(ws, str(intake["family"]), decided.name, None, None)
    result = core.open_issue(ws, intake)
    _notes(result)
    if sys.stdout.isatty():
        console, rnd = _out()
        rnd.line(t("ui.new_opened"))
    sys.stdout.write(result.id + "\n")
    sys.stdout.flush()
    if _interactive():
        from zchuyot.terminal.prompts import Asker, walk_from

        console, rnd = _out()
        walk_from("new", Asker(console, rnd), ws, issue_id=result.id, family=intake["family"])


# ------------------------------------------------------------------ workers
@worker_app.command("add")
def worker_add(
    code: Annotated[str, typer.Argument(metavar="CODE", help="קוד העובדת (אותיות אנגליות קטנות וספרות).")],
    name: Annotated[Optional[str], typer.Option("--name", help="השם לתצוגה.")] = None,
    role: Annotated[Optional[str], typer.Option("--role", help="family | rights | volunteer | student | lawyer | other")] = None,
    admin: Annotated[bool, typer.Option("--admin", help="גם מנהלת מערכת (משנה את רשימת העובדות וההגדרות).")] = False,
) -> None:
    """(מנהלת מערכת) הוספת עובדת למחלקה; היא ממתינה לאישור המפתחות שלה. / (admin) Add a member."""
    from zchuyot.practice import core
    from zchuyot.text.labels import t

    result = core.add_worker(_ws(), code, name, role, admin)
    _say(t("ui.worker_added", worker=result.id))


@worker_app.command("approve")
def worker_approve(
    code: Annotated[str, typer.Argument(metavar="CODE", help="קוד העובדת שביקשה להצטרף.")],
    fingerprint: Annotated[Optional[str], typer.Option("--fingerprint", help="טביעת האצבע שהעובדת מסרה לך (SHA256:…).")] = None,
) -> None:
    """(מנהלת מערכת) אישור המפתחות שהעובדת פרסמה בהצטרפות, אחרי בדיקת טביעת האצבע איתה. / (admin) Approve."""
    from zchuyot.text.labels import t
    from zchuyot.workspace import members

    result, fp = members.approve(_ws(), code, fingerprint)
    _say(t("ui.worker_approved", worker=result.id, fp=fp))


@worker_app.command("remove")
def worker_remove(
    code: Annotated[str, typer.Argument(metavar="CODE", help="קוד העובדת שעוזבת.")],
) -> None:
    """(מנהלת מערכת) עובדת שעוזבת: המפתחות שלה מבוטלים, ולמשפחות שקראה מוחלף מפתח. / (admin) Revoke a member."""
    from zchuyot.text.labels import t
    from zchuyot.workspace import members

    result, rotated, left = members.remove(_ws(), code)
    _say(t("ui.worker_removed", worker=result.id, n=len(rotated), families=", ".join(rotated) or "-"))
    if left:
        _say(t("ui.worker_removed_left", families=", ".join(left)))


@worker_app.command("list")
def worker_list(as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False) -> None:
    """העובדות של המחלקה. / The department's workers."""
    from zchuyot.practice import core
    from zchuyot.text.labels import choice_label, t
    from zchuyot.workspace.signing import fingerprint

    ws = _ws()
    rows = core.workers(ws)
    roster = ws.roster.members
    if as_json:
        out = []
        for c, n, r in rows:
            m = roster.get(c)
            out.append({"worker": c, "name": n, "role": r, "admin": bool(m and m.admin),
                        "approved": bool(m and m.approved),
                        "signing_fingerprint": fingerprint(m.signing) if m and m.signing else None,
                        "age_public_key": m.age if m else None})
        _json(out)
        return
    _out()[1].table([t("field.worker_code"), t("field.name"), t("field.role"), t("field.admin"), t("field.approved")],
                    [[c, n, choice_label("role", r), t("ui.yes") if roster.get(c) and roster[c].admin else "",
                      t("ui.yes") if roster.get(c) and roster[c].approved else ""] for c, n, r in rows],
                    nowrap=(0,))


# ------------------------------------------------------------------ referrals and feedback
@app.command()
def refer(
    issue_id: IssueId,
    to: Annotated[Optional[str], typer.Option("--to", help="מפתח השותף (zchuyot partner list).", autocompletion=_completer("partner"))] = None,
    ask: Annotated[Optional[str], typer.Option("--ask", help="מה מבקשים מהשותף.")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="עד מתי (למשל +14).")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="מתי הופנה (ברירת מחדל: היום).")] = None,
) -> None:
    """הפניה לשותף – מתנדב/ת, סטודנט/ית, קליניקה משפטית – עם מה מבקשים ועד מתי. / Refer to a partner."""
    from zchuyot.practice import referrals

    ws = _ws()
    if (to is None or ask is None) and _interactive():
        from zchuyot.terminal.prompts import Asker, ask_referral

        ws.require_worker()
        to, ask, due = ask_referral(Asker(*_out()), ws, ws.get_issue(issue_id).issue, to, ask, due)
    if to is None or ask is None:
        from zchuyot.errors import UsageError

        raise UsageError("err.refer_usage")
    _notes(referrals.refer(ws, issue_id, to, ask, due, date), info=True)


@app.command()
def feedback(
    issue_id: IssueId,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="המשוב, במילים.")],
    referral: Annotated[Optional[str], typer.Option("--referral", help="מספר ההפניה או מזהה ההפניה (כשיש כמה פתוחות).")] = None,
    done: Annotated[bool, typer.Option("--done", help="ההפניה הסתיימה.")] = False,
    returned: Annotated[bool, typer.Option("--returned", help="ההפניה הוחזרה לעובדת.")] = False,
    date: Annotated[Optional[str], typer.Option("--date", help="מתי (ברירת מחדל: היום).")] = None,
    accompanied: Annotated[Optional[str], typer.Option("--accompanied", help="השותף ליווה את המשפחה לגוף הזה (נספר כליווי בדוח).")] = None,
    meeting: Annotated[Optional[str], typer.Option("--meeting", help="לאן היה הליווי: medical_committee | branch | court | committee | other.")] = None,
) -> None:
    """משוב של השותף על הפניה (בידי השותף או העובדת). / A partner's feedback on a referral."""
    from zchuyot.practice import referrals

    _notes(referrals.feedback(_ws(), issue_id, text, referral, done, returned, date, accompanied, meeting), info=True)


# ------------------------------------------------------------------ events
@event_app.command("add")
def event_add(
    kind: Annotated[str, typer.Option("--kind", help="training | fair | workshop | meeting")],
    title: Annotated[str, typer.Option("--title", help="הנושא.")],
    date: Annotated[Optional[str], typer.Option("--date", help="מתי (ברירת מחדל: היום).")] = None,
    participants: Annotated[Optional[int], typer.Option("--participants", help="כמה השתתפו.")] = None,
) -> None:
    """אירוע: הדרכה לעובדות, יריד זכויות, סדנה, מפגש – נספר בדוח. / An event, counted in the report."""
    from zchuyot.practice import events
    from zchuyot.text.labels import t

    result = events.add_event(_ws(), kind, date, title, participants)
    _say(t("ui.event_added", file=result.id))


# ------------------------------------------------------------------ keys
@keys_app.command("init")
def keys_init() -> None:
    """מפתחות העובדת (הצפנה וחתימה): נוצרים פעם אחת במחשב שלה, והחלק הציבורי מתפרסם למחלקה. / Her keys."""
    from zchuyot.text.labels import t
    from zchuyot.workspace import keys, members

    ws = _ws()
    if not ws.signed:  # the department does not sign yet: she is its first admin (trust on first use)
        fp = members.start_signing(ws)
        _say(t("ui.department_started", worker=ws.worker, fp=fp))
        return
    member = ws.roster.members.get(ws.worker or "")
    if member is not None and member.approved:
        result, public, made = keys.init_keys(ws)
        _say(t("ui.key_made" if made else "ui.key_kept", path=str(keys.identity_path(result.id)), public=public))
        return
    result, fp, _ = members.request(ws)
    _say(t("ui.join_requested", worker=result.id, fp=fp))


@keys_app.command("migrate")
def keys_migrate(
    rewrite_history: Annotated[bool, typer.Option("--rewrite-history", help="(מנהלת מערכת) גם לכתוב מחדש את ההיסטוריה בלי הגרסאות הגלויות.")] = False,
) -> None:
    """הצפנת פרטי המשפחות: מפעיל הצפנה במחלקה וחותם כל רשומת משפחה שעדיין גלויה. / Encrypt the families."""
    from zchuyot.text.labels import t
    from zchuyot.workspace import keys

    ws = _ws()
    _, sealed = keys.migrate(ws)
    _say(t("ui.migrated", n=len(sealed), families=", ".join(sealed) or "-"))
    if rewrite_history:
        from zchuyot.workspace import rewrite

        anchor, left_out = rewrite.rewrite(ws, ws.require_worker())
        _say(t("ui.rewritten", n=left_out, anchor=anchor[:10]))
    elif sealed:  # their plain versions stay in history: said plainly
        _say(t("ui.migrate_history", n=len(sealed)))


@keys_app.command("grant")
def keys_grant() -> None:
    """עדכון מי יכולה לקרוא כל משפחה (עו"ס מיצוי זכויות חדשה, שותף בהפניה). / Update the recipients."""
    from zchuyot.text.labels import t
    from zchuyot.workspace import keys

    changed = keys.grant(_ws())
    _say(t("ui.granted", n=len(changed), families=", ".join(changed) or "-"))


@keys_app.command("list")
def keys_list(as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False) -> None:
    """מי פרסמה מפתח, ומי יכולה לקרוא מה. / Who has a key and who reads what."""
    from zchuyot.text.labels import choice_label, t
    from zchuyot.workspace import keys

    rows = keys.key_list(_ws())
    if as_json:
        _json([k.as_json() for k in rows])
        return
    _out()[1].table([t("field.worker_code"), t("field.name"), t("field.role"), t("keys.public"), t("keys.here"),
                     t("keys.reads")],
                    [[k.worker, k.name, choice_label("role", k.role), (k.public or t("keys.none"))[:16] + "…",
                      t("ui.yes") if k.here else "", t(f"keys.reads.{keys.reads(k.role)}")] for k in rows],
                    nowrap=(0, 3), prefer=1)


# ------------------------------------------------------------------ letters
@app.command()
def letter(
    issue_id: Annotated[Optional[str], typer.Argument(metavar="[ID]", help="מזהה הסוגיה.", autocompletion=_completer("id"))] = None,
    template: Annotated[Optional[str], typer.Option("--template", help="התבנית: request, objection, appeal, floor_above, waiver (--list).")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="הגוף שהמכתב נשלח אליו (ברירת מחדל: הגוף של הסירוב האחרון).", autocompletion=_completer("body"))] = None,
    out: Annotated[Optional[str], typer.Option("--out", help="לאן לכתוב (ברירת מחדל: תיקיית letters של המשפחה).")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="תאריך המכתב (ברירת מחדל: היום).")] = None,
    show_list: Annotated[bool, typer.Option("--list", help="תבניות המכתבים ושמותיהן.")] = False,
    include: Annotated[Optional[list[int]], typer.Option("--include", help="רשומה מהתיעוד (#) שתיכנס לנימוקים; אפשר כמה.")] = None,
    attach: Annotated[Optional[list[int]], typer.Option("--attach", help="מסמך מצורף (# ב-show) שיופיע תחת \"מצורפים\"; אפשר כמה.")] = None,
    copy: Annotated[Optional[list[str]], typer.Option("--copy", help="שורת \"העתק\" (למשל: המשפחה); אפשר כמה.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="גם PDF לצד ה-Word (דרוש LibreOffice).")] = False,
) -> None:
    """מכתב ב-Word מתבנית, ממולא מפרטי המשפחה, הסוגיה והעובדת. / A Word letter from a template."""
    from zchuyot.outputs import letters
    from zchuyot.text.labels import t

    ws = _ws()
    if show_list:
        rnd = _out()[1]
        rnd.table([t("ui.key"), t("field.name")], [[x.key, x.title] for x in letters.templates(ws)],
                  title=t("ui.letters_title"), nowrap=(0,))
        return
    if issue_id is None or template is None:
        from zchuyot.errors import UsageError

        raise UsageError("err.letter_usage")
    if include is None and attach is None and _interactive():  # asked: only what the worker picks goes out
        from zchuyot.terminal.prompts import Asker, ask_letter

        ws.require_worker()
        include, attach = ask_letter(Asker(*_out()), ws.get_issue(issue_id).issue)
    _notes(letters.write_letter(ws, issue_id, template, to, out, date, list(include or []), list(attach or []),
                                list(copy or []), pdf), info=True)


# ------------------------------------------------------------------ the directory: bodies and partners
@body_app.command("list")
def body_list(as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False) -> None:
    """הגופים במדריך, עם כינוייהם ומספר אנשי הקשר. / The bodies in the directory."""
    from zchuyot.practice import directory
    from zchuyot.text.labels import t

    known = directory.bodies(_ws())
    if as_json:
        _json([b.as_json() for b in known])
        return
    _out()[1].table([t("ui.key"), t("field.name"), t("dir.aliases"), t("dir.contacts")],
                    [[b.key, b.name, ", ".join(b.aliases), str(len(b.contacts))] for b in known],
                    nowrap=(0, 3), prefer=2)


@body_app.command("show")
def body_show(
    key: Annotated[str, typer.Argument(metavar="KEY", help="מפתח הגוף, שמו או כינוי.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False,
) -> None:
    """הגוף: אנשי הקשר בו, הסוגיות שעסקו בו, הסירובים שלו ומה הושג דרכו. / A body, its people and issues."""
    from zchuyot.practice import directory

    act, errors = directory.activity(_ws(), key)
    if as_json:
        _json(act.as_json())
        return
    _out()[1].body(act, errors)


@body_app.command("add")
def body_add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="שם הגוף.")],
    key: Annotated[Optional[str], typer.Option("--key", help="מפתח באנגלית (ברירת מחדל: נקבע לבד).")] = None,
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help="שם נוסף של אותו גוף (אפשר כמה).")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="government | municipality | housing_company | health | organization | company | other")] = None,
    address: Annotated[Optional[str], typer.Option("--address", help="הכתובת למכתבים.")] = None,
    fax: Annotated[Optional[str], typer.Option("--fax", help="מספר הפקס.")] = None,
) -> None:
    """הוספת גוף למדריך. / Add a body to the directory."""
    from zchuyot.practice import directory
    from zchuyot.text.labels import t

    directory.add_body(_ws(), name, key, alias, kind, address, fax)
    _say(t("ui.body_added", name=name))


@body_app.command("edit")
def body_edit(
    key: Annotated[str, typer.Argument(metavar="KEY", help="הגוף (מפתח, שם או כינוי).", autocompletion=_completer("body"))],
    address: Annotated[Optional[str], typer.Option("--address", help="הכתובת למכתבים.")] = None,
    fax: Annotated[Optional[str], typer.Option("--fax", help="מספר הפקס.")] = None,
) -> None:
    """לאן נשלחים המכתבים לגוף: כתובת ופקס. / Where a body's letters go."""
    from zchuyot.practice import directory
    from zchuyot.text.labels import t

    directory.edit_body(_ws(), key, address, fax)
    _say(t("ui.body_edited", name=key))


@body_app.command("contact")
def body_contact(
    key: Annotated[str, typer.Argument(metavar="KEY", help="מפתח הגוף, שמו או כינוי.")],
    person: Annotated[str, typer.Option("--person", help="שם איש/אשת הקשר.")],
    role: Annotated[Optional[str], typer.Option("--role", help="תפקיד.")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="טלפון.")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="דוא\"ל.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="הערה (למשל: זמינה בימי שני).")] = None,
) -> None:
    """איש/אשת קשר בגוף – מי פותח את הדלת. / A contact person at a body."""
    from zchuyot.calendar import dates
    from zchuyot.practice import directory
    from zchuyot.text.labels import t

    directory.add_contact(_ws(), key, person, role, phone, email, note, dates.today().isoformat())
    _say(t("ui.contact_added", person=person, body=key))


@partner_app.command("list")
def partner_list(as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False) -> None:
    """השותפים שהמחלקה מפנה אליהם. / The partners."""
    from zchuyot.practice import directory
    from zchuyot.text.labels import choice_label, t

    known = directory.partners(_ws())
    if as_json:
        _json([p.as_json() for p in known])
        return
    if not known:
        _say(t("ui.partners_none"))
        return
    _out()[1].table([t("ui.key"), t("field.name"), t("dir.kind"), t("field.domain"), t("field.worker_code")],
                    [[p.key, p.name, choice_label("partner_kind", p.kind),
                      ", ".join(choice_label("domain", d) for d in p.domains), p.worker] for p in known],
                    nowrap=(0, 4), prefer=1)


@partner_app.command("add")
def partner_add(
    key: Annotated[str, typer.Argument(metavar="KEY", help="מפתח באנגלית (למשל bgu_clinic).")],
    name: Annotated[str, typer.Option("--name", help="השם.")],
    kind: Annotated[str, typer.Option("--kind", help="volunteer | student | clinic | lawyer | organization")],
    domain: Annotated[Optional[list[str]], typer.Option("--domain", help="תחום שהשותף עוסק בו (אפשר כמה).")] = None,
    worker: Annotated[Optional[str], typer.Option("--worker", help="קוד העובדת, כשהשותף עובד בסביבת העבודה (ההפניות אליו יופיעו במעקב היומי שלו).")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="איך פונים (טלפון, דוא\"ל).")] = None,
) -> None:
    """הוספת שותף. / Add a partner."""
    from zchuyot.practice import directory
    from zchuyot.text.labels import t

    directory.add_partner(_ws(), key, name, kind, domain, worker, contact)
    _say(t("ui.partner_added", key=key, name=name))


# ------------------------------------------------------------------ family
_FamName = Annotated[Optional[str], typer.Option("--name", help="שם המשפחה / הפונה.")]
_FamPhone = Annotated[Optional[str], typer.Option("--phone", help="טלפון.")]
_FamId = Annotated[Optional[str], typer.Option("--id-number", help="מספר תעודת זהות (נבדקת ספרת ביקורת).")]
_FamGender = Annotated[Optional[str], typer.Option("--gender", help="מגדר הפונה: female | male (לפנייה ולמכתבים).")]
_FamAddress = Annotated[Optional[str], typer.Option("--address", help="כתובת המשפחה.")]


@family_app.command("add")
def family_add(family: FamilyCode, name: _FamName = None, phone: _FamPhone = None, id_number: _FamId = None,
               gender: _FamGender = None, address: _FamAddress = None) -> None:
    """רישום או עדכון פרטי המשפחה (המקום היחיד למידע מזהה); בטרמינל בלי דגלים – נשאל הכול, גם בני הבית. / The family record."""
    from zchuyot.practice import core
    from zchuyot.text.labels import t

    ws = _ws()
    members: list[Any] = []
    if all(x is None for x in (name, phone, id_number, gender, address)) and _interactive():
        from zchuyot.terminal.prompts import Asker, ask_family

        ws.require_worker()
        asked = ask_family(Asker(*_out()), core.get_family(ws, family) if ws.family_known(family) else None)
        name, phone, id_number, gender, address = (asked[k] for k in ("name", "phone", "id_number", "gender",
                                                                      "address"))
        members = asked["members"]
    result = core.add_family(ws, family, name, phone, id_number, gender, address, members=members)
    _notes(result)
    _say(t("ui.family_saved", family=family))


@family_app.command("edit")
def family_edit(family: FamilyCode, name: _FamName = None, phone: _FamPhone = None, id_number: _FamId = None,
                gender: _FamGender = None, address: _FamAddress = None) -> None:
    """עדכון פרטי משפחה רשומה (כתובת, טלפון…). / Update a family's record."""
    from zchuyot.practice import core
    from zchuyot.text.labels import t

    if all(x is None for x in (name, phone, id_number, gender, address)):
        from zchuyot.errors import UsageError

        raise UsageError("err.family_edit_nothing")
    result = core.add_family(_ws(), family, name, phone, id_number, gender, address, must_exist=True)
    _notes(result)
    _say(t("ui.family_saved", family=family))


_RELATION = typer.Option("--relation", help="mother | father | spouse | child | other (או בעברית: אם, אב…).")
_BORN = typer.Option("--born", help="שנת לידה (YYYY).")
_GENDER = typer.Option("--gender", help="female | male.")
_RECEIVES = typer.Option("--receives", help="זכות שכבר מתקבלת (מפתח מ-zchuyot listen --list); אפשר כמה.")


@member_app.command("add")
def member_add(
    family: FamilyCode,
    relation: Annotated[Optional[str], _RELATION] = None,
    born: Annotated[Optional[str], _BORN] = None,
    gender: Annotated[Optional[str], _GENDER] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="שם (לא חובה).")] = None,
    id_number: Annotated[Optional[str], typer.Option("--id-number", help="ת.ז. (לא חובה).")] = None,
    disability: Annotated[Optional[str], typer.Option("--disability", help="אחוזי נכות (0–100).")] = None,
    receives: Annotated[Optional[list[str]], _RECEIVES] = None,
) -> None:
    """הוספת בן/בת בית. / Add a household member."""
    from zchuyot.practice import core

    m = core.Member(relation, born, gender, name, id_number, disability, receives)
    if relation is None:
        if not _interactive():
            from zchuyot.errors import UsageError

            raise UsageError("usage.missing_no_terminal", what="--relation", command="zchuyot family member add")
        from zchuyot.terminal.prompts import Asker, ask_member

        m = ask_member(Asker(*_out()))
    _notes(core.member_add(_ws(), family, m), info=True)


@member_app.command("edit")
def member_edit(
    family: FamilyCode,
    n: Annotated[int, typer.Argument(metavar="N", help="מספר בן/בת הבית (zchuyot family show).")],
    relation: Annotated[Optional[str], _RELATION] = None,
    born: Annotated[Optional[str], _BORN] = None,
    gender: Annotated[Optional[str], _GENDER] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="שם.")] = None,
    id_number: Annotated[Optional[str], typer.Option("--id-number", help="ת.ז.")] = None,
    disability: Annotated[Optional[str], typer.Option("--disability", help="אחוזי נכות (0–100).")] = None,
    receives: Annotated[Optional[list[str]], _RECEIVES] = None,
) -> None:
    """עדכון פרטי בן/בת בית. / Update a household member."""
    from zchuyot.practice import core

    _notes(core.member_edit(_ws(), family, n, core.Member(relation, born, gender, name, id_number, disability,
                                                          receives)), info=True)


@member_app.command("remove")
def member_remove(
    family: FamilyCode,
    n: Annotated[int, typer.Argument(metavar="N", help="מספר בן/בת הבית.")],
) -> None:
    """הסרת בן/בת בית (השינוי נשמר ב-git). / Remove a household member."""
    from zchuyot.practice import core

    _notes(core.member_remove(_ws(), family, n), info=True)


@family_app.command("waiver")
def family_waiver(
    family: FamilyCode,
    body: Annotated[Optional[list[str]], typer.Option("--body", help="גוף (מפתח, שם או כינוי) או שותף שהוויתור חל עליו; אפשר כמה.", autocompletion=_completer("body"))] = None,
    signed: Annotated[Optional[str], typer.Option("--signed", help="תאריך החתימה.")] = None,
    expires: Annotated[Optional[str], typer.Option("--expires", help="בתוקף עד.")] = None,
) -> None:
    """ויתור סודיות חתום של המשפחה: מול אילו גופים, ממתי ועד מתי. / A signed confidentiality waiver."""
    from zchuyot.practice import referrals

    if signed is None:
        from zchuyot.errors import UsageError

        raise UsageError("err.waiver_usage")
    _notes(referrals.add_waiver(_ws(), family, list(body or []), signed, expires), info=True)


@family_app.command("show")
def family_show(
    family: FamilyCode,
    as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False,
) -> None:
    """הצגת פרטי המשפחה. / Show the family record."""
    from zchuyot.errors import NotFound
    from zchuyot.practice import core
    from zchuyot.text.labels import choice_label, t
    from zchuyot.workspace.privacy import log_access

    ws = _ws()
    fam = core.get_family(ws, family)
    if fam is None:
        raise NotFound("err.unknown_family", value=family)
    log_access(ws, "family show", family, family)
    data = {k: v for k, v in fam.model_dump(exclude_none=True).items() if k not in ("key", "sealed")}
    if as_json:
        _json(data)
        return
    console, rnd = _out()
    waivers = data.pop("waivers", [])
    members = data.pop("members", [])
    if data.get("gender"):
        data["gender"] = choice_label("gender", data["gender"])
    rnd.kv([(t(f"field.{k}") if k != "gender" else t("field.client_gender"), str(v)) for k, v in data.items()])
    if members:
        rnd.blank()
        rnd.table([t("field.member_n"), t("field.relation"), t("field.member_name"), t("field.born"),
                   t("field.gender"), t("field.id_number"), t("field.disability"), t("field.receives")],
                  [[str(m["n"]), choice_label("relation", m.get("relation")), m.get("name") or "",
                    str(m.get("born") or ""), choice_label("gender", m.get("gender")), m.get("id_number") or "",
                    f"{m['disability']}%" if m.get("disability") is not None else "",
                    ", ".join(m.get("receives") or [])] for m in members],
                  title=t("field.members"), nowrap=(0, 3, 5, 6))
    if waivers:
        from zchuyot.terminal.render import fmt_date

        rnd.blank()
        from zchuyot.practice.directory import display_names

        named = display_names(ws)
        rnd.table([t("field.waiver_bodies"), t("field.signed"), t("field.expires")],
                  [[", ".join(named(b) for b in w["bodies"]), fmt_date(w["signed"]),
                    fmt_date(w.get("expires")) or t("ui.no_expiry")] for w in waivers],
                  title=t("field.waivers"), nowrap=(1, 2))


# ------------------------------------------------------------------ treat / close
@app.command()
def treat(
    issue_id: IssueId,
    text: Annotated[Optional[str], typer.Argument(help="מה נעשה (בלי – נשאל בטרמינל).")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="meeting, call, letter, documents, contact, accompaniment, simulation, refusal, escalation, appeal, answer, note")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="מתי (ברירת מחדל: היום).")] = None,
    done: Annotated[Optional[str], typer.Option("--done", help="מספר פעולה מהתכנית שבוצעה.")] = None,
    next_date: Annotated[Optional[str], typer.Option("--next", help="תאריך המעקב הבא.")] = None,
    body: Annotated[Optional[str], typer.Option("--body", help="מול איזה גוף (בליווי: לאן ליווית).", autocompletion=_completer("body"))] = None,
    meeting: Annotated[Optional[str], typer.Option("--meeting", help="ליווי – לאן: medical_committee | branch | court | committee | other.")] = None,
) -> None:
    """טיפול ותיעוד (שלב 5): תיעוד פעולה בסוגיה (נוסף, לא נמחק). / Step 5: log an action."""
    from zchuyot.practice import core
    from zchuyot.text.labels import t

    ws = _ws()
    if text is None:
        issue = _ask_or_usage(ws, issue_id, "TEXT", "treat")
        from zchuyot.terminal.prompts import Asker, ask_treat

        asked = ask_treat(Asker(*_out()), issue)
        text, kind, date, done, next_date = (asked["text"], kind or asked["kind"], date or asked["date"],
                                             done or asked["done"], next_date or asked["next_date"])
        body, meeting = body or asked.get("body"), meeting or asked.get("meeting")
    result = core.treat(ws, issue_id, text, kind, date, done, next_date, body, meeting)
    _notes(result)
    _say(t("ui.logged", id=result.id))


@app.command()
def close(
    issue_id: IssueId,
    ended: Annotated[bool, typer.Option("--ended", help="סיום טיפול.")] = False,
    stopped: Annotated[Optional[str], typer.Option("--stopped", help="הפסקה – מדוע?")] = None,
    referred: Annotated[Optional[str], typer.Option("--referred", help="הפניה לגורם אחר – איזה?")] = None,
    insights: Annotated[Optional[str], typer.Option("--insights", help="תובנות והמלצות.")] = None,
    benefit: Annotated[Optional[str], typer.Option("--benefit", help="הזכות שהושגה: מפתח או שם מרשימת ההקשבה (general_disability, קצבת נכות כללית), או במילים.")] = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="סכום בש\"ח.")] = None,
    period: Annotated[Optional[str], typer.Option("--period", help="monthly | one_off")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="recovery | avoidance")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="תאריך הסגירה (ברירת מחדל: היום).")] = None,
) -> None:
    """סגירת סוגיה כפי שהטופס דורש. / Close an issue as the form requires."""
    from zchuyot.practice import core
    from zchuyot.text.labels import choice_label, t

    ws = _ws()
    if not ended and stopped is None and referred is None:
        issue = _ask_or_usage(ws, issue_id, "--ended | --stopped | --referred", "close")
        from zchuyot.practice import steps
        from zchuyot.terminal.prompts import Asker, ask_close

        a = ask_close(Asker(*_out()), issue, steps.rights(ws))
        ended, stopped, referred = a["ended"], a["stopped"], a["referred"]
        benefit, amount, period, kind = (benefit or a["benefit"], amount or a["amount"], period or a["period"],
                                         kind or a["kind"])
        insights, date = insights or a["insights"], date or a["date"]
    result = core.close(ws, issue_id, ended=ended, stopped=stopped, referred=referred, insights=insights,
                        benefit=benefit, amount=amount, period=period, kind=kind, date=date)
    _notes(result)
    status = result.issue.status if result.issue else ""
    _say(t("ui.closed", id=result.id, status=choice_label("status", status)))


@app.command()
def correct(
    issue_id: IssueId,
    n: Annotated[int, typer.Argument(metavar="N", help="מספר הרשומה בתיעוד (העמודה # ב-zchuyot show).")],
    text: Annotated[Optional[str], typer.Option("--text", help="התיאור הנכון.")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="התאריך הנכון.")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="הסוג הנכון (meeting, call, letter, ...).")] = None,
) -> None:
    """תיקון רשומה בתיעוד; המקור נשמר בקובץ וב-git. / Correct a log entry (the original is kept)."""
    from zchuyot.practice import core

    result = core.correct(_ws(), issue_id, n, text=text, date=date, kind=kind)
    _notes(result, info=True)


@app.command()
def amend(
    issue_id: IssueId,
    field: Annotated[str, typer.Argument(metavar="FIELD", help="השדה: מפתח בטופס, עם נקודות לרשומה (outcome.amount, actions.2.due, referrals.1.ask, status_reason).")],
    value: Annotated[Optional[str], typer.Argument(metavar="VALUE", help="הערך הנכון (ריק – מוחק שדה שאינו חובה).")] = None,
    why: Annotated[Optional[str], typer.Option("--why", help="למה (נשמר בתיעוד).")] = None,
    cancel: Annotated[bool, typer.Option("--cancel", help="ביטול פעולה מהתכנית: actions.N --cancel.")] = False,
    mistaken: Annotated[bool, typer.Option("--mistaken", help="סגירה שנעשתה בטעות: outcome --mistaken (ההישג לא נספר).")] = False,
) -> None:
    """תיקון שדה שנרשם; המקור נשמר בתיעוד וב-git. / Amend a recorded field (the original is kept)."""
    from zchuyot.practice import core

    result = core.amend(_ws(), issue_id, field, value, why=why, cancel=cancel, mistaken=mistaken)
    _notes(result, info=True)


@app.command()
def attach(
    issue_id: IssueId,
    files: Annotated[list[str], typer.Argument(metavar="FILE...", help="הקבצים: PDF, JPEG, PNG, HEIC או Word.")],
    kind: Annotated[Optional[str], typer.Option("--kind", help="refusal | decision | medical | income | id | other")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="תאריך המסמך (למשל תאריך מכתב הסירוב).")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="מה זה (בלי פרטים מזהים).")] = None,
) -> None:
    """צירוף מסמכים לסוגיה (סירוב סרוק, סיכום רפואי, תלושים); מוצפנים במפתח המשפחה. / Attach documents."""
    from zchuyot.practice import documents

    _notes(documents.attach(_ws(), issue_id, list(files), kind, date, note), info=True)


@app.command("open")
def open_(
    issue_id: IssueId,
    n: Annotated[int, typer.Argument(metavar="N", help="מספר המסמך (zchuyot show).")],
    out: Annotated[Optional[str], typer.Option("--out", help="לכתוב עותק לקובץ או לתיקייה (מחוץ לסביבת העבודה).")] = None,
) -> None:
    """פתיחת מסמך מצורף (למי שרשאית לפרטי המשפחה). / Open an attached document."""
    import shlex
    import shutil
    import subprocess

    from zchuyot.practice import documents
    from zchuyot.text.labels import t

    path = documents.open_document(_ws(), issue_id, n, out)
    if out is not None:
        _say(t("ui.doc_written", path=str(path)))
        return
    opener = os.environ.get("ZCHUYOT_OPENER")
    cmd = shlex.split(opener) if opener else next(([c] for c in ("xdg-open", "open") if shutil.which(c)), None)
    if sys.platform == "win32" and not opener:
        os.startfile(str(path))  # type: ignore[attr-defined]  # the system's viewer
        _say(t("ui.doc_opened", path=str(path)))
        return
    if not cmd:
        _say(t("ui.doc_no_viewer", path=str(path)))
        return
    subprocess.run([*cmd, str(path)], check=False, stdin=subprocess.DEVNULL)
    _say(t("ui.doc_opened", path=str(path)))


@app.command()
def reopen(
    issue_id: IssueId,
    why: Annotated[Optional[str], typer.Option("--why", help="למה נפתחת מחדש (למשל: העירייה ביטלה את ההנחה).")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="מתי (ברירת מחדל: היום).")] = None,
) -> None:
    """פתיחה מחדש של סוגיה סגורה; הסגירה נשמרת בתיעוד. / Reopen a closed issue (its closing kept in the log)."""
    from zchuyot.practice import core

    ws = _ws()
    if why is None:
        from zchuyot.terminal.prompts import Asker, ask_reopen

        why = ask_reopen(Asker(*_out()), _ask_or_usage(ws, issue_id, "--why", "reopen"))
    result = core.reopen(ws, issue_id, why, date)
    _notes(result, info=True)


# ------------------------------------------------------------------ the steps
@app.command()
def listen(
    family: Annotated[str, typer.Option("--family", help="קוד המשפחה.", autocompletion=_completer("family"))],
    right: Annotated[Optional[list[str]], typer.Option("--right", help="מפתח זכות שלא מוצתה (אפשר כמה).")] = None,
    show_list: Annotated[bool, typer.Option("--list", help="הצגת רשימת ההקשבה והמפתחות.")] = False,
) -> None:
    """הקשבה אקטיבית (שלב 1): רשימת ההקשבה; פותח סוגיה לכל זכות שלא מוצתה. / Step 1: the listening checklist."""
    from zchuyot.practice import steps
    from zchuyot.text.labels import choice_label, t

    ws = _ws()
    if show_list:
        console, rnd = _out()
        rows = [[r.key, choice_label("domain", r.domain), r.name, r.question] for r in steps.rights(ws)]
        rnd.table([t("ui.key"), t("field.domain"), t("field.right"), t("ui.question")], rows, nowrap=(0,),
                  title=t("ui.rights_title"), prefer=3)
        return
    keys, needs = list(right or []), {}
    console, rnd = _out()
    interactive = not keys and _interactive()
    asker = None
    if interactive:
        from zchuyot.terminal.prompts import Asker, ask_listen

        ws.require_worker()
        asker = Asker(console, rnd)
        keys, needs = ask_listen(asker, steps.rights(ws), family, steps.won_for(ws, family))
        if not keys:
            rnd.line(t("ui.listen_none"))
            return
    res = steps.listen(ws, family, keys, needs, won_asked=interactive)
    for r in res.opened:
        _notes(r)
        rnd.line(t("ui.listen_opened", id=r.id, name=r.issue.subject if r.issue else ""))
    for key, existing in res.skipped:
        rnd.line(t("ui.listen_skipped", name=key, id=existing))
    if interactive and asker is not None and res.opened:
        from zchuyot.terminal.prompts import walk_from

        walk_from("listen", asker, ws, issue_id=res.opened[0].id, family=family)


@app.command()
def collect(
    issue_id: IssueId,
    problem: Annotated[Optional[str], typer.Option("--problem", help="1. מהי הבעיה?")] = None,
    history: Annotated[Optional[str], typer.Option("--history", help="2. never | stopped | refused | unclear")] = None,
    body: Annotated[Optional[list[str]], typer.Option("--body", help='3. גוף מעורב: "ארגון|איש קשר|פרטים".')] = None,
    barrier_kind: Annotated[Optional[str], typer.Option("--barrier-kind", help="4. סוג החסם: information, bureaucracy, documents, eligibility, attitude, digital, language, cost, stuck, other")] = None,
    barrier: Annotated[Optional[str], typer.Option("--barrier", help="4. איפה בדיוק החסם (במילים).")] = None,
    claim_number: Annotated[Optional[str], typer.Option("--claim-number", help="מספר התיק או התביעה בגוף (למכתבים).")] = None,
) -> None:
    """איסוף נתונים (שלב 3): חמש השאלות על הסוגיה. / Step 3: the five questions."""
    from zchuyot.practice import steps
    from zchuyot.text.labels import t

    ws = _ws()
    c = steps.Collected(problem, history, barrier_kind, barrier, list(body or []), claim_number)
    interactive = c.empty() and _interactive()
    if interactive:
        from zchuyot.terminal.prompts import Asker, ask_collect, walk_from

        console, rnd = _out()
        rec = ws.get_issue(issue_id)
        ws.require_worker()
        asker = Asker(console, rnd)
        c = ask_collect(asker, rec.issue)
        if c.empty():
            walk_from("collect", asker, ws, issue_id=rec.issue.id, family=rec.issue.family)
            return
    result = steps.collect(ws, issue_id, c)
    _notes(result)
    _say(t("ui.collected", id=result.id))
    if interactive:
        walk_from("collect", asker, ws, issue_id=result.id, family=result.issue.family if result.issue else None)


@app.command()
def plan(
    issue_id: IssueId,
    action: Annotated[Optional[str], typer.Option("--action", help="מה עושים.")] = None,
    who: Annotated[Optional[str], typer.Option("--who", help="client | client_advised | simulation | accompanied | worker | rights_worker | volunteer")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="עד מתי (למשל +7).")] = None,
    body: Annotated[Optional[str], typer.Option("--body", help="מול איזה גוף.")] = None,
    agreed: Annotated[bool, typer.Option("--agreed", help="סוכם עם המשפחה.")] = False,
    next_date: Annotated[Optional[str], typer.Option("--next", help="תאריך המעקב הבא.")] = None,
    person: Annotated[Optional[str], typer.Option("--person", help="קוד העובדת שהפעולה ממתינה לה (המעקב היומי שלה יציג אותה).", autocompletion=_completer("worker"))] = None,
) -> None:
    """תכנית פעולה משותפת (שלב 4): מוסיף פעולה; בלי דגלים – מציג את התכנית. / Step 4: the joint plan."""
    from zchuyot.practice import steps

    ws = _ws()
    if action is None and who is None and due is None and body is None and next_date is None and not agreed \
            and person is None:
        console, rnd = _out()
        rec = ws.get_issue(issue_id)
        rnd.plan(rec.issue)
        if _interactive() and rec.issue.is_open:
            from zchuyot.terminal.prompts import Asker, ask_plan

            ws.require_worker()
            actions = ask_plan(Asker(console, rnd), ws)
            if actions:
                result = steps.plan(ws, rec.issue.id, actions)
                _notes(result, info=True)
        return
    actions = ([steps.PlannedAction(action or "", who or "", due, body, agreed, person)]
               if action is not None or who or person else [])
    result = steps.plan(ws, issue_id, actions, next_date)
    _notes(result, info=True)


@app.command()
def persist(
    issue_id: IssueId,
    refusal: Annotated[Optional[str], typer.Option("--refusal", help='ה"לא" שהתקבל, במילים.')] = None,
    escalate: Annotated[Optional[str], typer.Option("--escalate", help="פנייה לקומה מעל: למי ומה.")] = None,
    appeal: Annotated[Optional[str], typer.Option("--appeal", help="ערר / ערעור שהוגש.")] = None,
    body: Annotated[Optional[str], typer.Option("--body", help='הגוף (חובה עם --refusal).')] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="מתי (ברירת מחדל: היום).")] = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", help="מפתח מועד חוקי מ-templates/deadlines.yaml.")] = None,
) -> None:
    """התעקשות (שלב 6): סירוב, פנייה לקומה מעל, ערר; מועד חוקי מתחיל לרוץ. / Step 6: persist."""
    from zchuyot.practice import steps
    from zchuyot.text.labels import choice_label, t

    ws = _ws()
    if refusal is None and escalate is None and appeal is None:
        issue = _ask_or_usage(ws, issue_id, "--refusal | --escalate | --appeal", "persist")
        from zchuyot.practice import steps as steps_
        from zchuyot.practice.directory import names
        from zchuyot.terminal.prompts import Asker, ask_persist

        known = names(ws)
        a = ask_persist(Asker(*_out()), issue, steps_.deadline_rules(ws), lambda r, b: r.applies_to(b, known))
        refusal, escalate, appeal = (a["text"] if a["kind"] == k else None for k in ("refusal", "escalation", "appeal"))
        body, date, deadline = body or a["body"], date or a["date"], deadline or a["deadline"]
    ask = None
    if deadline and _interactive():  # a clock of another body's decisions is asked about, not assumed
        from zchuyot.terminal.prompts import Asker, confirm

        asker = Asker(*_out())

        def ask(key: str, params: dict[str, str]) -> bool:
            return confirm(asker, key, **params)

    result = steps.persist(ws, issue_id, refusal=refusal, escalate=escalate, appeal=appeal, body=body,
                           date=date, deadline=deadline, confirm=ask)
    kind = "refusal" if refusal is not None else "escalation" if escalate is not None else "appeal"
    _say(t("ui.persisted", id=result.id, kind=choice_label("kind", kind)))
    _notes(result, info=True)


@app.command()
def policy(
    issue_id: Annotated[Optional[str], typer.Argument(metavar="[ID]", help="סוגיה לסמן (עם --flag).")] = None,
    flag: Annotated[Optional[str], typer.Option("--flag", help="מה הסוגיה המשותפת למשפחות נוספות.")] = None,
    min_families: Annotated[int, typer.Option("--min", help="רק חסמים שחוזרים בלפחות N משפחות.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False,
    roots_from: Annotated[Optional[str], typer.Option("--roots-from", help="קובץ עם סביבת עבודה אחת בכל שורה: חסמים מחוזיים.")] = None,
) -> None:
    """פרקטיקת מדיניות (שלב 8): חסמים חוזרים אצל כל העובדות; --flag מסמן סוגיה. / Step 8: policy practice."""
    from zchuyot.errors import InputError
    from zchuyot.text.labels import choice_label, t

    spaces = _district(roots_from)
    if len(spaces) > 1:  # the district: barriers counted across departments, no issue or family named
        from zchuyot.practice import policy as pol

        barriers = pol.combine([pol.report(w, min_families) for w in spaces])
        data = {"departments": [_department(w) for w in spaces],
                "barriers": [pol.district_json(b) for b in barriers if len(b.families) >= min_families]}
        if as_json:
            _json(data)
            return
        _out()[1].table([t("field.barrier_kind"), t("rep.count"), t("xl.families"), t("xl.bodies")],
                        [[choice_label("barrier", b["kind"]), str(b["count"]), str(b["families"]),
                          ", ".join(b["bodies"])] for b in data["barriers"]],
                        title=t("page.barriers"), nowrap=(1, 2), prefer=3)
        return
    ws = spaces[0]
    if issue_id is not None or flag is not None:
        if issue_id is None or flag is None:
            raise InputError("err.policy_usage")
        from zchuyot.practice import steps

        result = steps.flag_policy(ws, issue_id, flag)
        _notes(result)
        _say(t("ui.flagged", id=result.id))
        return
    from zchuyot.practice import policy as pol

    rep = pol.report(ws, min_families)
    if as_json:
        _json(rep.as_json())
        return
    console, rnd = _out()
    rnd.policy(rep)


# ------------------------------------------------------------------ read commands
@app.command()
def show(
    issue_id: IssueId,
    as_json: Annotated[bool, typer.Option("--json", help="JSON: המיפוי של הקובץ.")] = False,
) -> None:
    """הטופס, התכנית, התיעוד ושמונת השלבים. / The form, plan, log and the eight steps."""
    from zchuyot.practice import core
    from zchuyot.workspace.privacy import log_access

    ws = _ws()
    rec = core.show_issue(ws, issue_id)
    log_access(ws, "show", rec.issue.id, rec.issue.family)
    if as_json:
        from zchuyot.case.file import issue_json

        _json(issue_json(rec.data))
        return
    from zchuyot.practice import steps

    console, rnd = _out()
    rnd.issue(rec)
    from zchuyot.practice import knowledge
    from zchuyot.text.labels import t

    right = knowledge.match_right(steps.rights(ws), rec.issue.right or "") if rec.issue.right else None
    if right is not None and right.link:  # the page to read before acting, a link the worker can open
        rnd.line(t("ui.right_link", name=right.name, link=right.link))
    rnd.waivers(*_coverage(ws, rec.issue))
    rnd.suggestions(steps.suggestions(rec.issue))


def _coverage(ws: Any, issue: Any) -> tuple[list[Any], list[str]]:
    """The family's waivers valid today, and what the issue's open work needs that none covers."""
    from zchuyot.calendar import dates
    from zchuyot.case.rules import waiver_needs
    from zchuyot.practice.followup import Waivers

    w = Waivers(ws)
    on = dates.today().toordinal()
    valid = w.of(issue.family, on)
    needs = waiver_needs(issue) if issue.is_open else []
    return valid, [w.shown(n) for n in needs if not any(w.covers(v, n) for v in valid)]


@app.command()
def search(
    text: Annotated[Optional[str], typer.Argument(help="מה לחפש (בלי ניקוד; 'לארנונה' מוצא גם 'ארנונה').")] = None,
    all_workers: Annotated[bool, typer.Option("--all-workers", help="בסוגיות של כל העובדות.")] = False,
    status: Annotated[Optional[str], typer.Option("--status", help="open | ended | stopped | referred")] = None,
    insights: Annotated[bool, typer.Option("--insights", help="רק בתובנות של סוגיות שנסגרו (של כל המחלקה).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False,
) -> None:
    """חיפוש בנושא, בתיאור, בצורך, בזכות, בבעיה, בחסם, בגופים, בתיעוד ובתובנות. / Search the issues' texts."""
    from zchuyot.practice import core

    found, errors = core.search_issues(_ws(), text, all_workers=all_workers, status=status, insights=insights)
    if as_json:
        _json([f.as_json() for f in found])
    else:
        _out()[1].found(found)
    for p in errors:
        _say_error(p.headline())


@app.command("list")
def list_(
    family: Annotated[Optional[str], typer.Option("--family", help="רק משפחה אחת (בסדר העדיפות שלה).", autocompletion=_completer("family"))] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="open | ended | stopped | referred")] = None,
    domain: Annotated[Optional[str], typer.Option("--domain", help="תחום.")] = None,
    all_workers: Annotated[bool, typer.Option("--all-workers", help="גם סוגיות של עובדות אחרות.")] = False,
    order: Annotated[Optional[str], typer.Option("--order", help="סדר העדיפות של המשפחה: ID,ID,... (עם --family).")] = None,
    now: Annotated[Optional[str], typer.Option("--now", help="עם --order: הסוגיות המיידיות ID,ID (השאר 'בהמשך').")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON: רשימת המיפויים.")] = False,
) -> None:
    """רשימת סוגיות (שלב 2): הסוגיות כטבלה; למשפחה אחת – בסדר שלה (--order קובע אותו). / Step 2: the issues."""
    from zchuyot.practice import core

    ws = _ws()
    if order is not None or now is not None:
        from zchuyot.errors import InputError
        from zchuyot.practice import steps
        from zchuyot.text.labels import t

        if not family:
            raise InputError("err.order_needs_family")
        if order is None:
            raise InputError("err.order_empty")
        steps.set_order(ws, family, _split_ids(order), _split_ids(now) if now is not None else None)
        if not as_json:
            console, rnd = _out()
            rnd.line(t("ui.order_set", family=family))
    res = core.list_issues(ws, family=family, status=status, domain=domain, all_workers=all_workers,
                           with_data=as_json)
    if as_json:
        from zchuyot.case.file import issue_json

        _json([issue_json(r.data) for r in res.issues])
        if res.errors:
            for p in res.errors:
                _say_error(p.headline())
        return
    console, rnd = _out()
    rnd.issue_list(res.issues, all_workers or not ws.worker)
    if res.errors:
        rnd.blank()
        rnd.problems(res.errors)


@app.command()
def followup(
    on: Annotated[Optional[str], typer.Option("--on", help="מה יחכה בתאריך הזה (כמו ZCHUYOT_TODAY).")] = None,
    all_workers: Annotated[bool, typer.Option("--all-workers", help="כל העובדות (המבט של עו\"ס מיצוי זכויות).")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="איך חושב הניקוד.")] = False,
    show_all: Annotated[bool, typer.Option("--all", help="כל הסוגיות שדורשות מעקב, לא רק החשובות ביותר.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False,
) -> None:
    """מעקב פרואקטיבי (שלב 7) – הבדיקה היומית: מה לעשות היום קודם. / Step 7: the daily check."""
    from zchuyot.calendar import dates
    from zchuyot.practice import followup as fu
    from zchuyot.text.labels import t

    ws = _ws()
    day = dates.parse_date(on) if on else dates.today()
    result = fu.followup(ws, day, all_workers)
    if as_json:  # the contract's keys (on, items, errors); who waits for approval: `worker list --json`
        _json(result.as_json())
        return
    from zchuyot.workspace import members

    trust = members.notices(ws)  # she waits for approval; the admins see the requests to join
    console, rnd = _out()
    if trust["waiting_for_approval"]:
        rnd.line(t("followup.pending", worker=ws.worker, fp=trust["waiting_for_approval"]))
    if trust["requests"]:
        rnd.line(t("followup.requests", who=", ".join(f"{r['worker']} ({r['fingerprint']})" for r in trust["requests"])))
    rnd.followup(result, explain, limit=None if show_all else FOLLOWUP_SCREEN)


@app.command()
def report(
    start: Annotated[Optional[str], typer.Option("--from", help="מתאריך (ברירת מחדל: 1 בינואר השנה).")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="עד תאריך (ברירת מחדל: היום).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json | csv | xlsx")] = "table",
    as_json: Annotated[bool, typer.Option("--json", help="JSON (כמו --format json).")] = False,
    html_file: Annotated[Optional[str], typer.Option("--html", help="דף אחד מימין לשמאל עם גרפים, להנהלה (קובץ).")] = None,
    out: Annotated[Optional[str], typer.Option("--out", help="קובץ הגיליון (עם --format xlsx).")] = None,
    roots_from: Annotated[Optional[str], typer.Option("--roots-from", help="קובץ עם סביבת עבודה אחת בכל שורה: דוח מחוזי.")] = None,
    compare: Annotated[bool, typer.Option("--compare", help="לצד התקופה – אותה תקופה לפני שנה.")] = False,
) -> None:
    """נתוני המרכז: משפחות, סוגיות, ליוויים, זכויות שהושגו ו-₪ (חודשי × 12). --worker W לעובדת אחת. / Figures."""
    import datetime as dt

    from zchuyot.calendar import dates
    from zchuyot.errors import InputError
    from zchuyot.outputs import report as rp

    if fmt not in ("table", "json", "csv", "xlsx"):
        raise InputError("err.bad_format", value=fmt)
    if fmt == "xlsx" and not (out and out.lower().endswith(".xlsx")):
        from zchuyot.errors import UsageError

        raise UsageError("err.xlsx_out")
    if html_file is not None and not html_file.lower().endswith((".html", ".htm")):
        raise InputError("err.html_out", value=html_file)
    spaces = _district(roots_from)
    ws = spaces[0]
    today = dates.today()
    d0 = dates.parse_date(start) if start else dt.date(today.year, 1, 1)
    d1 = dates.parse_date(end) if end else today
    if d0 > d1:
        raise InputError("err.period", start=d0.isoformat(), end=d1.isoformat())
    # department-wide unless --worker was given on this command line
    from zchuyot.workspace.store import check_slug

    worker = check_slug(STATE.worker, "worker") if STATE.worker else None
    def figures(a: dt.date, b: dt.date) -> Any:
        if len(spaces) > 1:  # the district: each department's figures, summed
            return rp.combine([(_department(w), rp.report(w, a, b, worker)) for w in spaces])
        return rp.report(ws, a, b, worker)

    rep = figures(d0, d1)
    earlier = figures(dates.year_before(d0), dates.year_before(d1)) if compare else None
    if html_file is not None or fmt == "xlsx":
        from zchuyot.case.file import write_atomic
        from zchuyot.outputs import reportout
        from zchuyot.practice import policy
        from zchuyot.text.labels import t

        barriers = policy.combine([policy.report(w) for w in spaces]) if len(spaces) > 1 else policy.report(ws).barriers
        if html_file is not None:
            target = Path(html_file).expanduser()
            write_atomic(target, reportout.page(rep, barriers, " + ".join(_department(w) for w in spaces)))
            _say(t("ui.page_written", path=str(target)))
        if fmt == "xlsx":
            target = Path(out or "").expanduser()
            reportout.write_xlsx(rep, barriers, target)
            _say(t("ui.xlsx_written", path=str(target)))
        return
    if as_json or fmt == "json":
        _json({**rep.as_json(), **({"compare": earlier.as_json()} if earlier is not None else {})})
    elif fmt == "csv":
        import csv

        from zchuyot.text.labels import choice_label, t

        sys.stdout.write(CSV_BOM)  # Excel reads the file as UTF-8 (Hebrew, ₪) only with it
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["section", "key", "label", "value"])
        for section, key, value in rep.rows():
            label = {"by_domain": choice_label("domain", key), "by_status": choice_label("status", key),
                     "by_benefit": key, "by_partner": key, "clocks": t(f"rep.clock_{key}"),
                     "accompaniments_by": t(f"rep.acc_{key}"), "referrals": t(f"rep.ref_{key}"),
                     "events": t(f"rep.{key}" if key != "count" else "rep.events"),
                     "events_by_kind": t(f"event.{key}")}.get(section) \
                    or t(f"rep.{key}") \
                if section not in ("period",) else key
            w.writerow([section, key, label, value])
    else:
        console, rnd = _out()
        rnd.report(rep, earlier)


@app.command()
def check(
    as_json: Annotated[bool, typer.Option("--json", help="JSON: errors ו-warnings.")] = False,
) -> None:
    """בדיקת כל הקבצים: קובץ:שורה, מה לא תקין ומה לעשות. / Validate every file."""
    from zchuyot.practice import core
    from zchuyot.text.labels import t

    ws = _ws()
    res = core.check(ws)
    if as_json:
        _json({"errors": [p.as_json() for p in res.errors], "warnings": [p.as_json() for p in res.warnings]})
    else:
        console, rnd = _out()
        styles = {"error": "red", "warning": "yellow", "source": "dim", "caret": "red", "fix": None}
        for p in res.errors + res.warnings:
            for kind, text in p.explained(ws.root):
                rnd.line(text, style=styles[kind])
        if res.errors or res.warnings:
            rnd.line(t("ui.check_summary", errors=len(res.errors), warnings=len(res.warnings), n=res.files))
        else:
            rnd.line(t("ui.check_ok", n=res.files))
    if res.errors:
        raise typer.Exit(ExitStatus.ERROR)


def _split_ids(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


# ------------------------------------------------------------------ privacy
@app.command()
def export(
    anonymize: Annotated[bool, typer.Option("--anonymize", help="בלי קודי משפחה, שמות, טלפונים ותעודות זהות.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="json | csv")] = "json",
) -> None:
    """כל הסוגיות לניתוח או לשיתוף ידע (--anonymize לשיתוף עם מחלקות אחרות). / Export."""
    from zchuyot.errors import InputError
    from zchuyot.workspace import privacy

    if fmt not in ("json", "csv"):
        raise InputError("err.bad_format", value=fmt)
    if fmt == "json" and not sys.stdout.isatty():
        # streamed: the same bytes as the whole list dumped at once, in constant memory
        if anonymize:
            items, errors = privacy.export(_ws(), anonymize)
            texts: Any = (json.dumps(d, ensure_ascii=False, check_circular=False) for d in items)
        else:
            texts, errors = privacy.export_texts(_ws())
        write = sys.stdout.write
        write("[")
        for n, text in enumerate(texts):
            write(", " + text if n else text)
        write("]\n")
        _export_notes(errors)
        return
    items, errors = privacy.export(_ws(), anonymize)
    if fmt == "json":
        _json(list(items))  # indented for a person
    else:
        import csv

        sys.stdout.write(CSV_BOM)  # Excel reads the file as UTF-8 (Hebrew, ₪) only with it
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(privacy.CSV_COLUMNS)
        for d in items:
            w.writerow(privacy.csv_row(d))
    _export_notes(errors)


def _export_notes(errors: list[Any]) -> None:
    """After an export: each file that could not be read (FILE:LINE: cause), and what was left out and why."""
    for p in errors:
        _say_error(f"{p.message()} {p.fix_text()}" if p.line == 0 and p.severity == "warning" else p.headline())


@app.command()
def purge(
    family: FamilyCode,
    yes: Annotated[bool, typer.Option("--yes", help="בלי שאלת אישור.")] = False,
    before_retention: Annotated[Optional[str], typer.Option("--before-retention", help="מחיקה לפני תום תקופת השמירה – הסיבה: court_order | family_request | opened_in_error")] = None,
) -> None:
    """מחיקת תיק משפחה שתקופת השמירה שלו הסתיימה. / Remove a family's files (retention)."""
    from zchuyot.errors import Cancelled, InputError
    from zchuyot.text.labels import t
    from zchuyot.workspace import privacy

    ws = _ws()
    privacy.purgeable(ws, family, before_retention)  # refused before anything is asked
    if not yes:
        if not _interactive():
            raise InputError("err.purge_confirm", family=family)
        console, rnd = _out()
        from zchuyot.terminal.prompts import Asker

        answer = Asker(console, rnd).ask_text(t("ui.purge_ask", family=family))
        if answer != family:
            raise Cancelled("ui.cancelled")
    removed = privacy.purge(ws, family, before_retention)
    console, rnd = _out()
    rnd.line(t("ui.purged", n=len(removed), family=family))
    from zchuyot.workspace import keys

    # encrypted: crypto-shredding (the family's key destroyed); plain: history keeps the old versions
    rnd.line(t("ui.purge_shredded" if keys.encryption_on(ws) else "ui.purge_history", family=family))


# ------------------------------------------------------------------ trust
@app.command()
def verify(as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False) -> None:
    """בדיקת כל ההיסטוריה: כל commit חתום בידי עובדת המחלקה ומותר לפי הכללים. / Verify the whole history."""
    from zchuyot.text.labels import t
    from zchuyot.workspace import members

    ws = _ws()
    report = members.verify_all(ws)
    if as_json:
        _json(report)
    elif report["signed"] is False:
        _say_error(t("ui.verify_unsigned"))
    elif report["ok"]:
        _say(t("ui.verify_ok", n=report["checked"]))
    else:
        for r in report["refused"]:
            _say_error(t("ui.verify_refused", commit=r["commit"][:10],
                         signer=r["signer"] or r["fingerprint"] or t("trust.unsigned"),
                         rule=t(f"trust.rule.{r['rule']}"), path=r["path"] or "-"))
    if not report["ok"]:
        raise typer.Exit(ExitStatus.ERROR)


server_app = typer.Typer(cls=ZGroup, no_args_is_help=True, help="השרת של המחלקה (מאגר ה-git המשותף).")
app.add_typer(server_app, name="server")


@server_app.command("install")
def server_install(
    bare_repo: Annotated[Path, typer.Argument(metavar="BARE_REPO", help="תיקיית המאגר (bare) בשרת.")],
) -> None:
    """התקנת בדיקת המחלקה (pre-receive) במאגר בשרת: כל דחיפה נבדקת כמו בסנכרון. / Install the server's hook."""
    from zchuyot.text.labels import t
    from zchuyot.workspace import server

    path, fp = server.install(bare_repo)
    _say(t("ui.hook_installed", path=str(path), fp=fp or "-"))


@app.command()
def doctor() -> None:
    """איך העברית נראית במסוף הזה: שורת בדיקה בשני האופנים, ואיך לקבוע את הנכון. / Hebrew in this terminal."""
    import os

    from zchuyot.text import fribidi, rtl
    from zchuyot.text.labels import t

    sample = t("doctor.sample")
    chosen = rtl.choose_mode(STATE.bidi, sys.stdout.isatty())
    _say(t("doctor.intro"))
    # the two lines written as they are, whatever the mode: the worker compares them
    sys.stdout.write(f"  1) {sample}\n")  # as stored: a terminal that reorders shows it right
    sys.stdout.write(f"  2) {rtl.visual(rtl.isolate_latin(sample))}\n")  # in visual order: for one that does not
    _say(t("doctor.chosen", mode=t(f"doctor.mode_{chosen}"), n="1" if chosen == "logical" else "2"))
    _say(t("doctor.how"))
    term = ", ".join(f"{k}={os.environ[k]}" for k in ("TERM", "TERM_PROGRAM", "VTE_VERSION", "KONSOLE_VERSION",
                                                       "WT_SESSION", "TMUX") if os.environ.get(k))
    _say(t("doctor.facts", term=term or "-", fribidi=fribidi.version() or t("doctor.no_fribidi")))


@app.command("server-hook", hidden=True)
def server_hook(kind: Annotated[str, typer.Argument()] = "pre-receive") -> None:
    """The pre-receive hook's body: reads `old new ref` lines, refuses a push that does not verify."""
    from zchuyot.text.labels import t
    from zchuyot.workspace import server

    refused = server.pre_receive(Path.cwd(), sys.stdin.read())
    for r in refused:
        _say_error(t("err.commit_refused_server", commit=r.commit[:10],
                     signer=r.signer or (t("trust.unknown_key", fp=r.fingerprint) if r.fingerprint else t("trust.unsigned")),
                     rule=t(f"trust.rule.{r.rule}"), path=r.path or "-"))
    if refused:
        raise typer.Exit(ExitStatus.ERROR)


# ------------------------------------------------------------------ sync
@app.command()
def sync(
    show_status: Annotated[bool, typer.Option("--status", help="רק להראות מה עוד לא נשלח.")] = False,
    refuse: Annotated[Optional[str], typer.Option("--refuse", metavar="COMMIT", help="(מנהלת מערכת) לסרב ל-commit בשם המחלקה: השפעתו מבוטלת והסירוב נרשם.")] = None,
) -> None:
    """שמירה, קבלה ושליחה למאגר המחלקה; עובד גם בלי חיבור. / Commit, pull, push."""
    from zchuyot.text.labels import t
    from zchuyot.workspace import sync as sy

    ws = _ws()
    console, rnd = _out()
    if refuse is not None:
        res, found = sy.refuse(ws, refuse)
        rnd.line(t("sync.refused_cleared", commit=found[:10]))
        if res.offline is not None:
            _say_error(t("sync.offline", why=res.offline, n=1))
            raise typer.Exit(ExitStatus.ERROR)
        return
    if show_status:
        st = sy.status(ws, fetch=True)
        if st.remote:
            from zchuyot.workspace.gitio import shown_url

            rnd.line(t("sync.status_remote", url=shown_url(st.remote)))  # never a password
        if st.uncommitted:
            rnd.line(t("sync.status_uncommitted", files=", ".join(st.uncommitted)))
        if st.unsent_commits:
            rnd.line(t("sync.status_unsent", n=st.unsent_commits, ids=", ".join(st.unsent_ids) or "—"))
        if not st.uncommitted and not st.unsent_commits:
            rnd.line(t("sync.status_clean"))
        return
    _sync_said(sy.sync(ws), rnd)


def _sync_said(res: Any, rnd: Any) -> None:
    """What a sync did, a line each; exit 1 when it could not finish (offline, no remote, a file kept back)."""
    from zchuyot.text.labels import t

    if res.recovered_lock:
        rnd.line(t("sync.recovered"))
    if res.joined:
        rnd.line(t("sync.joined"))
    if res.trusted:
        rnd.line(t("ui.trusted_first", fp=res.trusted))
    if res.waiting:
        _say_error(t("sync.join_waiting", fp=res.waiting))
    if res.followed:
        rnd.line(t("sync.followed_rewrite"))
    if res.committed:
        rnd.line(t("sync.committed", ids=", ".join(res.committed)))
    for p in res.broken:
        _say_error(t("sync.broken", file=p.file, line=p.line, why=p.message()))
    for family, issue_id in res.purged:
        _say_error(t("sync.purged", family=family, id=issue_id))
    for old, new in res.renamed:
        rnd.line(t("sync.renamed", old=old, new=new))
    if res.new_in:
        rnd.line(t("sync.new_in", n=len(res.new_in), ids=", ".join(res.new_in)))
    if res.changed_in:
        rnd.line(t("sync.changed_in", n=len(res.changed_in), ids=", ".join(res.changed_in)))
    if res.sent:
        rnd.line(t("sync.sent", n=len(res.sent), ids=", ".join(res.sent)))
    # the rest by kind (the issues were named above)
    came = {k: n for k, n in res.received_kinds.items() if k != "issues" or not (res.new_in or res.changed_in)}
    went = {**{k: n for k, n in res.sent_kinds.items() if k != "issues" or not res.sent},
            **({"keys": res.keys_sent} if res.keys_sent else {})}
    if came:
        rnd.line(t("sync.received_kinds", what=_kinds_text(came)))
    if went:
        rnd.line(t("sync.sent_kinds", what=_kinds_text(went)))
    elif res.pushed and not res.sent:
        rnd.line(t("sync.sent_other"))
    if res.keys_rebuilt:
        rnd.line(t("sync.keys_rebuilt"))
    if res.no_remote:
        _say_error(t("sync.no_remote"))
    elif res.keys_refused:
        _say_error(t("sync.keys_refused", why=res.offline))
    elif res.offline == "contended":
        _say_error(t("sync.contended", n=res.unsent))
    elif res.refused_by_server:
        _say_error(t("sync.server_refused", why=res.offline, n=res.unsent))
    elif res.offline is not None:
        _say_error(t("sync.offline", why=res.offline, n=res.unsent))
    elif not (res.new_in or res.changed_in or res.sent or res.pushed or res.committed or res.renamed
              or res.received_kinds or res.keys_sent):
        rnd.line(t("sync.nothing"))
    if not res.ok:
        raise typer.Exit(ExitStatus.ERROR)


def _kinds_text(counts: dict[str, int]) -> str:
    """"3 סוגיות, משפחה אחת, ההגדרות": each kind with its count, in its singular or plural form."""
    from zchuyot.text.labels import t

    return ", ".join(t(f"kind_count.{k}_one") if n == 1 else t(f"kind_count.{k}", n=n) for k, n in counts.items())


def _sealed_merge(p: Path) -> Any:
    """A family record's merge opens each side's sealed fields and seals the result again (keys.py)."""
    from zchuyot.workspace import keys
    from zchuyot.workspace.store import Workspace

    try:
        ws = Workspace.find(None)
    except Exception:  # noqa: BLE001 — no workspace found from here: merged as it is
        return None
    return keys.merge_opener(ws, p.parent.name)


@app.command("merge-file", hidden=True)
def merge_file(
    base: Annotated[Path, typer.Argument()],
    ours: Annotated[Path, typer.Argument()],
    theirs: Annotated[Path, typer.Argument()],
    path: Annotated[str, typer.Argument()] = "",
) -> None:
    """git's merge driver for issue files (registered by init and sync)."""
    from zchuyot.calendar import dates
    from zchuyot.case import yamlfast
    from zchuyot.case.file import FAMILY_FILE, read_text, write_atomic
    from zchuyot.case.validate import family_from_data, issue_from_data
    from zchuyot.errors import DataError
    from zchuyot.workspace import merge
    from zchuyot.workspace.store import SETTINGS_FILE

    try:
        p = Path(path)
        texts = (read_text(base), read_text(ours), read_text(theirs), dates.today())
        in_directory = Path(path).parent.name == "directory"
        mapping = p.name == SETTINGS_FILE or Path(path).parent.name == "events"  # key by key, 3-way
        text = (merge.merge_settings(*texts) if mapping else merge.merge_directory(*texts)
                if in_directory else merge.merge_texts(*texts, opened=_sealed_merge(p) if p.name == FAMILY_FILE
                                                       else None))
        data, lines = yamlfast.load(text)
        if mapping:
            ok, problems = (data if isinstance(data, dict) else None), []
        elif in_directory:
            ok, problems = (data if isinstance(data, list) else None), []
        elif p.name == FAMILY_FILE:
            ok, problems = family_from_data(data, lines, path)
        else:
            ok, problems = issue_from_data(data, lines, path, stem=p.stem or None)
        if ok is None:
            raise DataError("err.merge_file", path=path, why=problems[0].message() if problems else "?")
    except DataError as e:
        raise DataError("err.merge_file", path=path, why=e.render()) from None
    write_atomic(ours, text)


# ------------------------------------------------------------------ entry point
def hoist_globals(argv: list[str]) -> list[str]:
    """Allow the global options anywhere: `zchuyot list --root X` = `zchuyot --root X list`."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            rest.extend(argv[i:])
            break
        name = a.split("=", 1)[0]
        if a in GLOBAL_FLAGS:  # (at the start too: a repeated --root keeps its order)
            front.append(a)
            i += 1
            continue
        if name == "--worker" and "partner" in rest and rest[rest.index("partner") + 1:][:1] == ["add"]:
            pass  # `partner add KEY --worker W`: the partner's own worker code, not who runs the command
        elif name in GLOBAL_OPTIONS:
            if "=" in a:
                front.append(a)
                i += 1
                continue
            if i + 1 < len(argv):
                front.extend([a, argv[i + 1]])
                i += 2
                continue
        rest.append(a)
        i += 1
    # `init --worker W` keeps working: --worker is global but hoisting it is harmless
    return front + rest


_USAGE_PATTERNS = (
    (r"Missing argument '(.+?)'", "usage.missing_argument"),
    (r"Missing option '(.+?)'", "usage.missing_option"),
    (r"No such option: (\S+)", "usage.no_such_option"),
    (r"No such command '(.+?)'", "usage.no_such_command"),
    (r"Missing (command)", "usage.missing_command"),
    (r"Option '(.+?)' requires an argument", "usage.needs_value"),
    (r"Invalid value for '?([^':]+)'?", "usage.invalid_value"),
    (r"Got unexpected extra argument\S* \((.+?)\)", "usage.extra"),
)


def usage_line(message: str, command: str) -> str:
    """A usage error as one line in the UI language, with where to get help."""
    import re

    from zchuyot.text.labels import t

    for pattern, key in _USAGE_PATTERNS:
        if m := re.search(pattern, message):
            return t(key, what=m.group(1), command=command)
    return t("usage.other", what=message.strip().rstrip("."), command=command)


def main() -> None:
    argv = hoist_globals(sys.argv[1:])
    usage_error = typer.BadParameter.__mro__[1]  # click's UsageError (typer may vendor click)
    try:
        rc = app(args=argv, prog_name="zchuyot", standalone_mode=False)
    except usage_error as e:
        ctx = getattr(e, "ctx", None)
        command = ctx.command_path if ctx is not None else "zchuyot"
        _say_error(usage_line(e.format_message(), command))
        sys.exit(ExitStatus.USAGE)
    except typer.Abort:
        from zchuyot.text.labels import t

        _new_line()
        _say_error(t("ui.cancelled"))
        sys.exit(ExitStatus.ERROR)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_closed()
    sys.exit(rc if isinstance(rc, int) else ExitStatus.OK)


if __name__ == "__main__":
    main()
