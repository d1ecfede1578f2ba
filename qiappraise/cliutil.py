"""Small helpers shared by the command modules: output streams and common options."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

CONTEXT = {"help_option_names": ["-h", "--help"]}


def err(message: str) -> None:
    """One line on stderr: newlines a message might carry from user data are folded."""
    typer.echo(" ".join(message.splitlines()), err=True)


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    # rich honours NO_COLOR and drops styling when not writing to a terminal.
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


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

TemplateDirOption = Annotated[
    Path | None,
    typer.Option(
        "--template-dir",
        help="Folder of templates that override the bundled ones by name (rendered sandboxed).",
        envvar="QIAPPRAISE_TEMPLATE_DIR",
    ),
]


def emit(text: str, output: Path | None) -> None:
    """``text`` to stdout, or atomically to ``output`` with a note on stderr."""
    if output is None:
        sys.stdout.write(text)
        return
    from .yamlio import write_text

    write_text(output, text)
    err(f"wrote {output}")
