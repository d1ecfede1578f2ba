"""The command line: a thin typer layer over the library.

Commands parse options, call the core and present results. Errors are
mapped to exit codes in one place, ``_Group.invoke``. Heavy modules are
imported inside commands so ``--version`` and ``--help`` stay quick.
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from . import __version__
from .errors import EXIT_INTERRUPTED, EXIT_INVALID, ProblemsError, QiAppraiseError

if TYPE_CHECKING:
    from rich.console import Console

ISSUES_URL = "https://github.com/qiappraise/qiappraise/issues"


class _Group(TyperGroup):
    """Maps the project's errors to one line on stderr and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ProblemsError as exc:
            for problem in exc.problems:
                _err(f"error: {problem}")
            raise typer.Exit(exc.exit_code) from None
        except QiAppraiseError as exc:
            _err(f"error: {exc}")
            raise typer.Exit(exc.exit_code) from None
        except (KeyboardInterrupt, typer.Abort):
            _err("interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            # `qiappraise score ... | head`: the reader left; that is not our error.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except (typer.Exit, typer.TyperException):
            raise
        except Exception as exc:
            if os.environ.get("QIAPPRAISE_DEBUG"):
                raise
            _err(
                f"internal error: {type(exc).__name__}: {exc}. This is a bug in qiappraise; "
                f"please report it at {ISSUES_URL} (set QIAPPRAISE_DEBUG=1 for a traceback)"
            )
            raise typer.Exit(70) from None


def _err(message: str) -> None:
    # One line each: strip newlines a message might carry from user data.
    typer.echo(" ".join(message.splitlines()), err=True)


CONTEXT = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="qiappraise",
    cls=_Group,
    context_settings=CONTEXT,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    help="Critically appraise quality improvement projects (Singh & Cribb 2021).",
)
rubric_app = typer.Typer(
    cls=_Group,
    context_settings=CONTEXT,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="List, show, validate and describe rubrics.",
)
app.add_typer(rubric_app, name="rubric")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qiappraise {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Critically appraise quality improvement projects.

    A reflective rubric asks what a project is for, whose values shape it,
    which dimensions of quality it serves and whether it repairs or reforms
    the status quo; qiappraise scores the answers transparently.
    """


class Format(str, Enum):
    text = "text"
    json = "json"


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    # rich honours NO_COLOR and drops styling when not on a terminal.
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _usage(message: str) -> NoReturn:
    from .errors import UsageError

    raise UsageError(message)


RubricOption = Annotated[
    Path | None,
    typer.Option(
        "--rubric",
        "-r",
        help="Rubric file to use instead of the one the proposal names.",
        envvar="QIAPPRAISE_RUBRIC",
        dir_okay=False,
    ),
]


@app.command()
def score(
    files: Annotated[list[Path], typer.Argument(help="Proposal YAML files.", show_default=False)],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    rubric: RubricOption = None,
) -> None:
    """Score proposal files against their rubric.

    Prints a summary per file on the terminal, or with --format json a JSON
    array with one document per file, in the order given.

    Example: qiappraise score examples/cypic.yaml
    """
    from .loading import appraise_file

    appraisals = [appraise_file(f, rubric) for f in files]
    if format is Format.json:
        from .jsonout import document

        typer.echo(json.dumps([document(a) for a in appraisals], indent=2, ensure_ascii=False))
        return
    from . import present

    console = _console()
    for i, a in enumerate(appraisals):
        if i:
            console.rule()
        present.appraisal(console, a)


class ReportFormat(str, Enum):
    md = "md"
    html = "html"


@app.command()
def report(
    file: Annotated[Path, typer.Argument(help="Proposal YAML file.", show_default=False)],
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="md (Markdown) or html.")
    ] = ReportFormat.md,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here (atomically) instead of to stdout."),
    ] = None,
    template_dir: Annotated[
        Path | None,
        typer.Option(
            "--template-dir",
            help="Folder of templates that override the bundled ones by name (rendered sandboxed).",
            envvar="QIAPPRAISE_TEMPLATE_DIR",
        ),
    ] = None,
    rubric: RubricOption = None,
) -> None:
    """Write an appraisal report in Markdown or HTML.

    Example: qiappraise report examples/cypic.yaml --format html -o cypic.html
    """
    from .loading import resolve
    from .report import render
    from .scoring import score as score_proposal

    proposal, loaded = resolve(file, rubric)
    appraisal = score_proposal(loaded.rubric, proposal, sha256=loaded.sha256)
    text = render(appraisal, loaded.rubric, format.value, template_dir=template_dir)
    if output is None:
        sys.stdout.write(text)
        return
    from .yamlio import write_text

    write_text(output, text)
    _err(f"wrote {output}")


@rubric_app.command("list")
def rubric_list() -> None:
    """List the rubrics qiappraise knows (bundled and in $QIAPPRAISE_RUBRICS).

    Example: qiappraise rubric list
    """
    from .rubric_load import bundled_rubrics, load_rubric

    for path in bundled_rubrics():
        loaded = load_rubric(path, lint=False)
        r = loaded.rubric
        typer.echo(f"{r.id}\t{r.version}\t{len(r.questions)} questions\t{r.title}\t{path}")


def _rubric_path(ref: str | None) -> Path:
    from .rubric_load import DEFAULT_RUBRIC, find_rubric

    if ref is None:
        return find_rubric(DEFAULT_RUBRIC)
    if ref.endswith((".yaml", ".yml")) or os.sep in ref or Path(ref).exists():
        return Path(ref)
    return find_rubric(ref)


@rubric_app.command("show")
def rubric_show(
    rubric: Annotated[
        str | None, typer.Argument(help="Rubric id or file (default: critical-engagement).")
    ] = None,
) -> None:
    """Show a rubric's sections, questions and findings.

    Example: qiappraise rubric show critical-engagement
    """
    from . import present
    from .rubric_load import load_rubric

    path = _rubric_path(rubric)
    loaded = load_rubric(path)
    present.rubric_summary(_console(), loaded.rubric, str(path), loaded.sha256)


@rubric_app.command("validate")
def rubric_validate(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Rubric files (default: every bundled rubric).")
    ] = None,
) -> None:
    """Check rubric files and report every problem as file:line: message.

    Example: qiappraise rubric validate rubrics/critical-engagement.yaml
    """
    from .errors import InputError
    from .rubric_load import bundled_rubrics, load_rubric

    paths = files or bundled_rubrics()
    failed = 0
    for path in paths:
        try:
            loaded = load_rubric(path)
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
            f"{path}: ok ({r.id} {r.version}: {len(r.sections)} sections, "
            f"{len(r.questions)} questions, {len(r.findings)} findings)"
        )
    if failed:
        raise typer.Exit(EXIT_INVALID)


@rubric_app.command("schema")
def rubric_schema() -> None:
    """Print the JSON Schema of rubric files (generated from the models).

    Example: qiappraise rubric schema > rubric.schema.json
    """
    from .rubric import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


def main() -> None:
    """Console-script entry point."""
    app(prog_name="qiappraise")
