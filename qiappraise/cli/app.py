"""The command line: a thin typer layer over the library.

Commands live in ``qiappraise/cli/commands/`` (one module per group, each with a
``register(app)``) and are listed in ``COMMAND_MODULES``. Errors are mapped to
exit codes in one place, ``_Group.invoke``. Heavy modules are imported inside
commands so ``--version`` and ``--help`` stay quick.
"""

import importlib
import os
import sys
from functools import cache
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperGroup

from ..base.errors import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, OutputError, QiAppraiseError
from ..base.version import __version__
from .util import CONTEXT, err, report_error

ISSUES_URL = "https://github.com/qiappraise/qiappraise/issues"
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in qiappraise, not in the input


#: What --help calls a value, by parameter name, where its type alone does
#: not say it well; any other path is FILE, a number N, text TEXT (typer's own
#: display is Python's: `<list[Path]>`, `--csv <str>`, `{files}`).
METAVARS = {
    "inputs": "PATH",
    "paths": "PATH",
    "out": "DIR",
    "template_dir": "DIR",
    "fail_under": "SCORE",
    "rubric": "ID|FILE",
    "old": "OLD",
    "new": "NEW",
    "first": "FIRST",
    "second": "SECOND",
    "csv_file": "FILE",  # typed str: '-' means stdout
    "json_file": "FILE",
}
_BY_TYPE = {"Path": "FILE", "int": "N", "float": "NUMBER", "str": "TEXT"}


def readable_help(command: Any) -> None:
    """Give every parameter of ``command`` (and of its subcommands) a metavar a person reads."""
    for sub in getattr(command, "commands", {}).values():
        readable_help(sub)
    for param in command.params:
        desc = getattr(param, "type_descriptor", None)
        if desc is None or desc.is_choice or desc.annotation is bool:
            continue  # a flag, or choices typer already spells out: <text|json>
        if param.metavar is None:
            kind = getattr(desc.annotation, "__name__", "")
            if desc.is_list:
                kind = "Path" if "Path" in str(desc.annotation) else "str"
            name = METAVARS.get(param.name or "") or _BY_TYPE.get(kind, "VALUE")
            param.metavar = name
        if type(param) is TyperArgument:
            param.__class__ = _ReadableArgument


class _ReadableArgument(TyperArgument):
    """An argument shown by its metavar alone, as click shows one: ``FILE...``.

    typer adds the Python type after the name and writes a required argument
    as ``{files}``. These two hooks are typer's own (private) ones: a test
    (tests/test_cli_help.py) notices if a typer release renames them.
    """

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _label(self) -> str:
        return (self.metavar or self.name or "") + ("..." if self.nargs != 1 else "")

    def _rich_display_name(self) -> str:
        return self._label()

    def _usage_display_name(self) -> str:
        return self._label() if self.required else f"[{self._label()}]"


class _Group(TyperGroup):
    """Maps the project's errors to one line on stderr and an exit code."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            readable_help(command)
        return command

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


def _new_app() -> typer.Typer:
    app = typer.Typer(
        name="qiappraise",
        cls=_Group,
        context_settings=CONTEXT,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        add_completion=False,
    )
    app.callback()(_root)
    return app


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qiappraise {__version__}")
        raise typer.Exit()


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


#: The command modules (in ``qiappraise.cli.commands``), in the order `--help`
#: lists them, each with the commands its ``register(app)`` adds.
#: tests/test_cli_help.py checks these names against what each module registers.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "score": ("score", "report"),
    "appraise": ("appraise",),
    "review": ("review",),
    "batch": ("batch", "compare"),
    "moderate": ("moderate",),
    "agreement": ("agreement",),
    "check": ("check", "init", "schema"),
    "rubric": ("rubric",),
}

#: Which module defines each command.
MODULE_OF = {command: module for module, names in COMMAND_MODULES.items() for command in names}


def _register(app: typer.Typer, module: str) -> None:
    importlib.import_module(f"{__package__}.commands.{module}").register(app)


@cache
def build_app(module: str | None) -> typer.Typer:
    """The command line with every command, or with only ``module``'s commands.

    typer turns every registered command into a click command on each run
    (reading signatures, building pydantic adapters), and a command module
    imports what its commands need. A run of one command needs neither for
    the others: about 12 ms of every start-up. The help, usage and errors of
    a command are the same in either app; the list of commands, and the error
    for an unknown one, come from the whole app.
    """
    app = _new_app()
    for name in COMMAND_MODULES if module is None else (module,):
        _register(app, name)
    return app


def app_for(args: list[str]) -> typer.Typer:
    """The app that can run ``args``: only the module of the command named first, if any."""
    return build_app(MODULE_OF.get(args[0]) if args else None)


def __getattr__(name: str) -> typer.Typer:
    # `from qiappraise.cli.app import app` (tests, embedders) gets the whole
    # command line, built on first use rather than on every import.
    if name == "app":
        return build_app(None)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Console-script entry point."""
    app_for(sys.argv[1:])(prog_name="qiappraise")
