"""`review`: a supervisor's (or peer's) interactive review of another appraisal."""

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ...base.errors import EXIT_INTERRUPTED, UsageError
from ..util import RubricOption, console, err

if TYPE_CHECKING:
    from ...interactive.review_session import ReviewSession

NEEDS_TTY = (
    "`qiappraise review` asks questions and needs an interactive terminal; "
    "to review without one, write a review skeleton with "
    "`qiappraise init --review REVIEWED.yaml REVIEW.yaml` and fill it in by hand"
)


def default_output(reviewed: Path) -> Path:
    """Where a review of ``reviewed`` is saved unless -o says: beside it."""
    return reviewed.with_name(f"{reviewed.stem}.review.yaml")


def review(
    reviewed: Annotated[
        Path,
        typer.Argument(
            help="The appraisal to review (e.g. the trainee's proposal file).",
            show_default=False,
            metavar="REVIEWED",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="The review file to write, or to continue "
            "(default: REVIEWED's name with .review.yaml, beside it).",
            show_default=False,
        ),
    ] = None,
    rubric: RubricOption = None,
) -> None:
    """Review another rater's appraisal interactively, question by question.

    Walks the rubric as `appraise` does (help, `<` to go back, the review
    screen, saving after every answer). Each question shows their answer and
    note and starts from their answer: Enter accepts it, with its note;
    choose another to change it and give your own note. A claim they give no
    evidence for may be marked not accepted without evidence. Each question
    offers a comment to them. The review records the file reviewed and what
    it said, for `qiappraise moderate`. Ctrl-C keeps every answer given; run
    the same command again to continue.

    Example: qiappraise review trainee/screening.yaml -o reviews/screening.yaml
    """
    from ...base.outpaths import InputGuard
    from .outputs import guard

    out_path = output if output is not None else default_output(reviewed)
    try:
        InputGuard([reviewed]).check(out_path, "-o")
    except UsageError:
        raise UsageError(
            f"-o {out_path}: that is the file being reviewed, {reviewed}; a review is saved "
            f"to a file of its own (default: {default_output(reviewed)})"
        ) from None
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(NEEDS_TTY)

    from ...interactive import appraise as interactive
    from ...interactive import review_session as reviews
    from ...interactive.review import ReviewFlow, ask_rater
    from ...interactive.session import Lock
    from ...load.reviewed import read_reviewed
    from .appraise import may_drop_comments

    source, loaded = read_reviewed(reviewed, rubric)
    guard([loaded.path]).check(out_path, "-o")
    if not out_path.parent.is_dir():
        raise UsageError(f"-o {out_path}: the folder {out_path.parent} does not exist")
    out = console()
    again = f"qiappraise review {reviewed} -o {out_path}"
    with Lock(out_path, command="review"):
        existed = out_path.exists()
        if existed:
            sess = reviews.from_file(loaded.rubric, out_path, source)
            if sess.rater_given:
                _check_is_yours(sess.rater, out_path, reviewed)
            out.print(f"Continuing {out_path}: {len(sess.answers)} answers so far.", markup=False)
            reopened = sess.reopen_changed()
            if reopened:
                out.print(
                    f"{reviewed} changed since: asking again the answers you had accepted "
                    f"that changed there: {', '.join(reopened)}.",
                    markup=False,
                )
        else:
            sess = reviews.new(loaded.rubric, out_path, source)
            out.print(f"Reviewing {reviewed}; saving the review to {out_path}.", markup=False)
        if not may_drop_comments(sess.comments_dropped(), out_path, "review"):
            return
        try:
            if not sess.rater_given:
                ask_rater(sess)
            sess.save()
            interactive.run(sess, out, ReviewFlow())
        except (KeyboardInterrupt, EOFError):
            if out_path.exists() and (existed or sess.rater_given):
                given = _count(len(sess.answers), "answer")
                err(
                    f"interrupted: the review and the {given} given are saved in {out_path} "
                    f"(an answer being typed is not); continue with: {again}"
                )
            else:
                err("interrupted before anything was answered; nothing was saved")
            raise typer.Exit(EXIT_INTERRUPTED) from None

    _summary(sess, loaded.sha256, reviewed, out_path)


def _check_is_yours(rater: "dict[str, str]", out_path: Path, reviewed: Path) -> None:
    """Go on only if the person at the terminal is the rater of the review being continued.

    Two raters reviewing one file both get the default review file: the second
    silently continued the first's review. Saying whose it is, and asking,
    costs one Enter. Someone else's review is not theirs to write to: that
    ends the command as a usage error (exit 2), naming the file to use.
    """
    import questionary

    from ...interactive import prompts
    from ...interactive.prompts import STYLE

    name, role = rater.get("name", "").strip(), rater.get("role", "").strip()
    if name and role:
        who = f"{name} ({role})"
    elif name or role:
        who = name or f"a {role}"
    else:
        who = "another rater"
    try:
        yours = prompts.run(
            questionary.confirm(f"{out_path} is the review by {who}. Is that you?", style=STYLE)
        )
    except (KeyboardInterrupt, EOFError):
        err(f"interrupted: nothing changed, {out_path} is as it was")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if not yours:
        raise UsageError(
            f"{out_path} is the review by {who} and is left as it was; give your review a file "
            f"of its own: qiappraise review {shlex.quote(str(reviewed))} "
            f"-o {shlex.quote(str(_yours(out_path)))}"
        )


def _yours(taken: Path) -> Path:
    """A file name for another rater's review beside ``taken`` (a placeholder to edit).

    YOUR-NAME, not <you>: the suggestion is meant to be pasted, and a shell
    reads < as a redirection.
    """
    name = taken.name
    if name.endswith(".review.yaml"):
        return taken.with_name(name.removesuffix(".review.yaml") + ".YOUR-NAME.review.yaml")
    return taken.with_name(f"{taken.stem}.YOUR-NAME{taken.suffix}")


def _summary(sess: "ReviewSession", sha256: str, reviewed: Path, out_path: Path) -> None:
    from ...load.pipeline import load_proposal
    from ...rendering import present
    from ...scoring.score import score

    out = console()
    appraisal = score(sess.rubric, load_proposal(out_path, sess.rubric), sha256=sha256)
    out.print()
    out.rule("Your review")
    present.appraisal(out, appraisal)
    answered = list(sess.answers)
    kept = sum(1 for q in answered if sess.accepted(q))
    refused = sum(1 for q in sess.not_accepted if q in sess.answers)
    out.print(
        f"{_count(len(answered), 'answer')}: {kept} as they gave it ({refused} not accepted "
        f"without evidence), {len(answered) - kept} changed; "
        f"{_count(len(sess.comments), 'comment')}.",
        markup=False,
    )
    out.print(f"Side by side with theirs: qiappraise moderate {reviewed} {out_path}", markup=False)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def register(app: typer.Typer) -> None:
    app.command()(review)
