"""`rubric list | show | validate | schema`: working with rubric files."""

import json
from pathlib import Path
from typing import Annotated

import typer

from ...base import textcheck
from ...base.errors import EXIT_INVALID, InputError, ProblemsError
from ..util import CONTEXT, console, err, rubric_file

rubric_app = typer.Typer(
    context_settings=CONTEXT,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="List, show, validate and describe rubrics.",
)


@rubric_app.command("list")
def rubric_list() -> None:
    """List the rubrics qiappraise knows (bundled and in $QIAPPRAISE_RUBRICS).

    Example: qiappraise rubric list
    """
    from ...load.rubric import load_rubric
    from ...rubric.read import bundled_rubrics, find_rubric

    for path in bundled_rubrics():
        try:
            r = load_rubric(path, lint=False).rubric
        except (InputError, ProblemsError) as exc:
            # One broken file in $QIAPPRAISE_RUBRICS should not hide the others.
            first = exc.problems[0] if isinstance(exc, ProblemsError) else exc
            err(f"note: not a valid rubric, skipped: {first}")
            err(f"  (qiappraise rubric validate {path} lists every problem)")
            continue
        typer.echo(
            f"{r.id}\t{r.version}\t{len(r.questions)} questions\t{r.title}\t"
            + textcheck.visible(str(path))
        )
        chosen = find_rubric(r.id)
        if Path(chosen) != Path(path):
            why = (
                "is named after it"
                if chosen.stem == r.id
                else "declares the same id and is found first"
            )
            err(f"note: {path} is not used for {r.id!r}: {chosen} {why}")


def rubric_path(ref: str | None) -> Path:
    """A rubric file from an id or a path (default: the default rubric)."""
    from ...rubric.read import DEFAULT_RUBRIC, find_rubric

    if ref is None:
        return find_rubric(DEFAULT_RUBRIC)
    return rubric_file(ref)


@rubric_app.command("show")
def rubric_show(
    rubric: Annotated[
        str | None, typer.Argument(help="Rubric id or file (default: critical-engagement).")
    ] = None,
) -> None:
    """Show a rubric's sections, questions and findings.

    Example: qiappraise rubric show critical-engagement
    """
    from ...load.rubric import load_rubric
    from ...rendering import present

    path = rubric_path(rubric)
    loaded = load_rubric(path)
    present.rubric_summary(console(), loaded.rubric, str(path), loaded.sha256)


@rubric_app.command("validate")
def rubric_validate(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Rubric files (default: every bundled rubric).")
    ] = None,
) -> None:
    """Check rubric files and report every problem as file:line: message.

    Example: qiappraise rubric validate rubrics/critical-engagement.yaml
    """
    from ...load.rubric import load_rubric
    from ...rubric.read import bundled_rubrics

    failed = 0
    for path in files or bundled_rubrics():
        try:
            loaded = load_rubric(path, trust_known=False)
        except ProblemsError as exc:
            failed += 1
            for problem in exc.problems:
                typer.echo(str(problem))
            continue
        except InputError as exc:
            failed += 1
            typer.echo(str(exc))
            continue
        r = loaded.rubric
        typer.echo(
            f"{textcheck.visible(str(path))}: ok ({r.id} {r.version}: {len(r.sections)} sections, "
            f"{len(r.questions)} questions, {len(r.findings)} findings)"
        )
    if failed:
        raise typer.Exit(EXIT_INVALID)


@rubric_app.command("schema")
def rubric_schema() -> None:
    """Print the JSON Schema of rubric files (generated from the models).

    Example: qiappraise rubric schema > rubric.schema.json
    """
    from ...rubric.model import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


def register(app: typer.Typer) -> None:
    app.add_typer(rubric_app, name="rubric")
