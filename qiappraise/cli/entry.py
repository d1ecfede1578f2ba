"""The console-script entry point, kept tiny so `--version` imports nothing else.

`qiappraise --version` is what scripts and bug reports run first; answering it
before typer (and through it click and pydantic) is imported makes it as quick
as Python itself. Everything else goes to the typer app in ``cli``, whose
``_Group.invoke`` maps errors to exit codes; a Ctrl-C that lands while the
modules are still loading, before a command runs, is handled here. Before
``main`` runs (the interpreter starting, the launcher's imports), an interrupt
is Python's: that import path is kept to this module, ``signals`` and the
packages' ``__init__``.
"""

import sys

from .signals import EXIT_INTERRUPTED, Terminated, stop_on_signals


def _version() -> None:
    from ..base.version import __version__

    if sys.stdout is None:  # closed (`>&-`): an error, not a silent exit 0
        from .stdio import require_stdout

        require_stdout()
    try:
        sys.stdout.write(f"qiappraise {__version__}\n")
        sys.stdout.flush()
    except OSError as exc:  # the reader left, or a full device
        from . import stdio

        stdio.ended(stdio.failure(exc, 1))


def main() -> None:
    try:
        if sys.argv[1:] in (["--version"], ["-V"]):
            _version()
            return
        from . import stdio

        stdio.require_stdout()  # before anything can open a file as descriptor 1
        stop_on_signals()
        from .app import main as cli_main

        stdio.run(cli_main)  # a failed write to stdout ends it cleanly (qiappraise.cli.stdio)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    except Terminated:
        from contextlib import suppress

        with suppress(OSError):  # after SIGHUP the terminal may be gone
            sys.stderr.write("terminated\n")
        raise
