"""Small helpers shared by the command modules: output streams and common options."""

from __future__ import annotations

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
