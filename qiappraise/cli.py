"""The command line: a thin typer layer over the library.

Commands live in ``qiappraise/commands/`` (one module per group, each with a
``register(app)``) and are listed in ``COMMAND_MODULES``. Errors are mapped to
exit codes in one place, ``_Group.invoke``. Heavy modules are imported inside
commands so ``--version`` and ``--help`` stay quick.
"""

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from . import __version__
from .cliutil import CONTEXT, err, report_error
from .commands import appraise as _appraise
from .commands import batch as _batch
from .commands import check as _check
from .commands import moderate as _moderate
from .commands import review as _review
from .commands import rubric as _rubric
from .commands import score as _score
from .errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    OutputError,
    QiAppraiseError,
)

ISSUES_URL = "https://github.com/qiappraise/qiappraise/issues"
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in qiappraise, not in the input


class _Group(TyperGroup):
    """Maps the project's errors to one line on stderr and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except OutputError:
            raise  # stdout failed: stdio.run ends the process, wherever the write was
        except QiAppraiseError as exc:
            report_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except (KeyboardInterrupt, typer.Abort):
            err("interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            # `qiappraise score ... | head`: the reader left; that is not our
            # error. (A guarded stdout raises OutputClosed; this is a write
            # that went around it.) Quiet, and 141 as stdio.ended exits.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except typer.Exit:
            raise
        except typer.TyperException as exc:
            ctx_of = getattr(exc, "ctx", None)
            if type(exc).__name__ == "NoArgsIsHelpError" or ctx_of is None:
                raise  # click prints the help, or the message, itself
            # A bad option on a command: one line, like every other error.
            message = exc.format_message().replace("Value error, ", "")
            err(f"error: {message} (see: {ctx_of.command_path} --help)")
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            if os.environ.get("QIAPPRAISE_DEBUG"):
                raise
            err(
                f"internal error: {type(exc).__name__}: {exc}. This is a bug in qiappraise; "
                f"please report it at {ISSUES_URL} (set QIAPPRAISE_DEBUG=1 for a traceback)"
            )
            raise typer.Exit(EXIT_INTERNAL) from None


app = typer.Typer(
    name="qiappraise",
    cls=_Group,
    context_settings=CONTEXT,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)


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


#: The command modules, in the order `--help` lists them.
COMMAND_MODULES = (
    _score,
    _appraise,
    _review,
    _batch,
    _moderate,
    _check,
    _rubric,
)
for _module in COMMAND_MODULES:
    _module.register(app)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="qiappraise")
