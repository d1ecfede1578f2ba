"""`appraise`: the interactive appraisal for trainees."""

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ...base.errors import EXIT_INTERRUPTED, ProblemsError, UsageError
from ..signals import Terminated
from ..util import console, err

if TYPE_CHECKING:
    from ...base.outpaths import InputGuard
    from ...interactive.session import Session
    from ...rubric.model import Rubric
    from ...scoring.appraisal import Appraisal

NEEDS_TTY = (
    "`qiappraise appraise` asks questions and needs an interactive terminal; "
    "to appraise a proposal file without one, run `qiappraise score FILE` "
    "(or `qiappraise check FILE` in CI)"
)


def appraise(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Proposal file to create, or to continue or edit (asked for when omitted).",
            show_default=False,
        ),
    ] = None,
    rubric: Annotated[
        str | None,
        typer.Option(
            "--rubric",
            "-r",
            help="Rubric id or file for a new appraisal (default: critical-engagement).",
            envvar="QIAPPRAISE_RUBRIC",
        ),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="Pre-fill answers from another proposal file."),
    ] = None,
) -> None:
    """Appraise a project interactively, section by section, saving after every answer.

    Ctrl-C at any point keeps every answer given; run the same command again
    to continue. Ends with the scored summary and an offer to write reports.

    Example: qiappraise appraise my-project.yaml
    """
    if not sys.stdin.isatty():
        raise UsageError(NEEDS_TTY)
    import questionary

    from ...interactive import appraise as interactive
    from ...interactive import session as sessions
    from ...load.rubric import load_rubric
    from ...proposal.model import read, rubric_ref
    from ...rendering import present
    from .rubric import rubric_path

    out = console()
    if file is None:
        from ...interactive import prompts
        from ...interactive.prompts import STYLE

        answer = prompts.run(
            questionary.text(
                "Where should this appraisal be saved?",
                default=_free_name(Path("qi-appraisal.yaml")),
                style=STYLE,
            )
        )
        file = Path(answer.strip() or "qi-appraisal.yaml")
    if file.exists():
        located = read(file)
        if "reviews" in located.data:
            # appraise would save it without its rater, reviews and comments.
            raise UsageError(
                f"{file} is a review of another appraisal (it has reviews:); continue it with "
                f"`qiappraise review REVIEWED.yaml -o {file}`"
            )
        ref = rubric_ref(located)
        loaded = load_rubric(rubric_path(rubric) if rubric else rubric_path(ref.id))
    else:
        loaded = load_rubric(rubric_path(rubric))
        if not file.parent.is_dir():
            raise UsageError(f"{file}: the folder {file.parent} does not exist")

    from .outputs import guard

    # The proposal is this command's output: never the rubric or the answers it reads.
    guard([loaded.path, answers]).check(file, "FILE")
    with sessions.Lock(file):
        if file.exists():
            try:
                sess = sessions.from_file(loaded.rubric, file)
            except ProblemsError as exc:
                sess = _repaired(file, loaded.rubric, exc)
            out.print(f"Continuing {file}: {len(sess.answers)} answers so far.")
        else:
            sess = sessions.new(loaded.rubric, file)
        if answers is not None:
            filled = sessions.prefill(sess, loaded.rubric, answers)
            out.print(f"Pre-filled {filled} answers from {answers}.")
        if not may_drop_comments(sess.comments_dropped(), file):
            return
        if sess.answers or sess.project:
            sess.save()
        try:
            interactive.run(sess, out)
        except (KeyboardInterrupt, EOFError):
            _say_saved("interrupted", sess, file)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Terminated:
            # SIGTERM, or SIGHUP from a closed terminal: the lock goes as this
            # unwinds; say what is kept, if anyone is still there to read it.
            with contextlib.suppress(OSError):
                _say_saved("stopped", sess, file)
            raise

    from ...load.pipeline import load_proposal
    from ...scoring.score import score

    appraisal = score(loaded.rubric, load_proposal(file, loaded.rubric), sha256=loaded.sha256)
    out.print()
    out.rule("Your appraisal")
    present.appraisal(out, appraisal)
    _offer_reports(file, appraisal, loaded.rubric, guard([file, loaded.path, answers]))


def _say_saved(what: str, sess: "Session", file: Path) -> None:
    if file.exists():
        n = len(sess.answers)
        err(
            f"{what}: the project details and {n} answer{'s' if n != 1 else ''} "
            f"given are saved in {file} (an answer being typed is not); "
            f"continue with: qiappraise appraise {file}"
        )
    else:
        err(f"{what} before anything was answered; nothing was saved")


def _repaired(file: Path, rubric: "Rubric", error: ProblemsError) -> "Session":
    """A file some of whose answers cannot be read: show them, and offer to clear them.

    The file is copied aside first; anything else wrong (its YAML, project or
    notes) is reported as before, for the user to fix by hand.
    """
    import shutil

    import questionary

    from ...interactive import prompts
    from ...interactive import session as sessions
    from ...interactive.prompts import STYLE
    from ..util import report_error

    fix = sessions.repair(rubric, file, error)
    if fix is None:
        raise error
    report_error(error)
    backup = file.with_name(_free_name(file.with_name(file.name + ".bak")))
    n = len(fix.cleared)
    them = "them" if n != 1 else "it"
    console().print(
        f"{file} cannot be read as it is. Its other answers can: appraise can clear the "
        f"{n} above and ask {them} again ({file} is copied to {backup.name} first).",
        markup=False,
    )
    try:
        go_on = prompts.run(
            questionary.confirm(
                f"Clear the {n} answer{'s' * (n != 1)} that cannot be read, and ask {them} again?",
                default=True,
                style=STYLE,
            )
        )
    except (KeyboardInterrupt, EOFError):
        err(f"interrupted: nothing changed, {file} is as it was")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if not go_on:
        err(f"nothing changed: {file} is as it was; fix the answers above, then run appraise again")
        raise typer.Exit(error.exit_code)
    shutil.copy2(file, backup)
    err(f"copied {file} to {backup}; cleared: {', '.join(_cleared(rubric, fix.cleared))}")
    return fix.session


def _cleared(rubric: "Rubric", cleared: dict[str, str]) -> list[str]:
    """The cleared answers as a person knows them: the questions' prompts."""
    from ...rendering.present import short

    return [
        f"“{short(rubric.questions[k].prompt)}”" if k in rubric.questions else repr(k)
        for k in cleared
    ]


def may_drop_comments(dropped: list[str], file: Path, command: str = "appraise") -> bool:
    """Whether to go on when saving would drop comments of the user's own.

    A proposal written by hand may carry notes in comments; the file is saved
    after every answer, so this is asked before anything is written. A no says
    so; an interrupt here ends the command, the file as it was.
    """
    if not dropped:
        return True
    try:
        go_on = _ask_drop_comments(dropped, file, command)
    except (KeyboardInterrupt, EOFError):
        err(f"interrupted: nothing changed, {file} is as it was")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if not go_on:
        err(f"nothing changed: {file} is as it was")
    return go_on


def _ask_drop_comments(dropped: list[str], file: Path, command: str) -> bool:
    import questionary

    from ...interactive import prompts
    from ...interactive.prompts import STYLE

    out = console()
    n = len(dropped)
    out.print(
        f"{file} has {n} comment line{'s' if n != 1 else ''} of your own that {command} cannot "
        "keep: it rewrites the file as it saves. For example:",
        markup=False,
    )
    for line in dropped[:3]:
        out.print(f"  {line}", markup=False)
    out.print(
        "To keep them, stop here and move them into notes (notes: {question_id: text}), "
        "which reports show.",
        markup=False,
    )
    return bool(
        prompts.run(
            questionary.confirm(
                "Continue, and drop them from the file?", default=False, style=STYLE
            )
        )
    )


def _free_name(path: Path) -> str:
    """``path``, or ``stem-2.yaml`` and so on when it exists."""
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return str(candidate)


def _offer_reports(
    file: Path, appraisal: "Appraisal", rubric: "Rubric", inputs: "InputGuard"
) -> None:
    import questionary

    from ...base.yamlio import write_text
    from ...interactive import prompts
    from ...interactive.prompts import STYLE
    from ...rendering.report import render

    picked = prompts.run(
        questionary.checkbox(
            "Write a report beside the proposal file?",
            choices=[
                questionary.Choice(f"Markdown ({file.with_suffix('.md').name})", value="md"),
                questionary.Choice(f"HTML ({file.with_suffix('.html').name})", value="html"),
            ],
            instruction="(Space to tick, Enter when done; nothing ticked writes nothing)",
            style=STYLE,
        )
    )
    for fmt in picked:
        target = file.with_suffix(f".{fmt}")
        inputs.check(target, "the report")  # `appraise notes.md` would replace itself
        write_text(target, render(appraisal, rubric, fmt))
        err(f"wrote {target}")


def register(app: typer.Typer) -> None:
    app.command()(appraise)
