"""The console-script entry point, kept tiny so `--version` imports nothing else.

`qiappraise --version` is what scripts and bug reports run first; answering it
before typer (and through it click and pydantic) is imported makes it as quick
as Python itself. Everything else goes to the typer app in ``cli``, whose
``_Group.invoke`` maps errors to exit codes; a Ctrl-C that lands while the
modules are still loading, before a command runs, is handled here. Before
``main`` runs (the interpreter starting, the launcher's imports), an interrupt
is Python's: that import path is kept to this module, ``signals`` and the
packages' ``__init__``.

The process is ours from ``main`` to exit, so ``main`` also tells the
garbage collector what it cannot know: what start-up creates (modules,
classes, typer's app) lives until exit, and at exit nothing needs collecting.
The collector is off while the command line is imported, then everything so
far is frozen (``gc.freeze``: later collections pass over it) and it runs as
usual for the command itself, however long that takes. At the end everything
is frozen again, which spares the interpreter's last full collection: about
30 ms, a sixth of a `score` run (docs/performance.md). Every file we write
is closed explicitly and stdout and stderr are flushed by ``stdio.run``,
so nothing waits on a collection to be written; exit handlers still run.
This is the console script's, for a process that ends when it returns; the
library (``cli.app``, the packages below) leaves a caller's collector alone.
"""

import gc
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
    gc.disable()
    try:
        if sys.argv[1:] in (["--version"], ["-V"]):
            _version()
            return
        from . import stdio

        stdio.require_stdout()  # before anything can open a file as descriptor 1
        stop_on_signals()
        from .app import main as cli_main

        gc.freeze()
        gc.enable()
        stdio.run(cli_main)  # a failed write to stdout ends it cleanly (qiappraise.cli.stdio)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    except Terminated:
        from contextlib import suppress

        with suppress(OSError):  # after SIGHUP the terminal may be gone
            sys.stderr.write("terminated\n")
        raise
    finally:
        gc.freeze()
        gc.enable()  # --version returns before the command would have turned it on
