"""The console-script entry point, kept tiny so `--version` imports nothing else.

`qiappraise --version` is what scripts and bug reports run first; answering it
before typer (and through it click and pydantic) is imported makes it as quick
as Python itself. Everything else goes to the typer app in ``cli``, whose
``_Group.invoke`` maps errors to exit codes; a Ctrl-C that lands while the
modules are still loading, before a command runs, is handled here. Before
``main`` runs (the interpreter starting, the launcher's imports), an interrupt
is Python's: that import path is kept to this module and the package's
``__init__``.
"""

import sys

EXIT_INTERRUPTED = 130


class Terminated(SystemExit):
    """SIGTERM or SIGHUP arrived: unwinds like Ctrl-C, then exits 128 + the signal."""


def _stop_on_signals() -> None:
    """SIGTERM and SIGHUP raise ``Terminated``, so temporary files go and workers stop.

    Their default action ends the process on the spot, leaving a half-written
    temporary file and, for ``batch``, workers with no parent (issue 13, item
    8). A signal the caller ignores (``nohup`` ignores SIGHUP) stays ignored;
    a second one does not cut the clean-up short (SIGKILL does).
    """
    import signal

    caught = [
        signum
        for signum in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None))
        if signum is not None and signal.getsignal(signum) == signal.SIG_DFL
    ]

    def stop(signum: int, frame: object) -> None:
        for again in caught:
            signal.signal(again, signal.SIG_IGN)
        raise Terminated(128 + signum)

    for signum in caught:
        signal.signal(signum, stop)
    from ..base.checkpoint import checkpoint

    checkpoint("start")


def _version() -> None:
    from .. import __version__

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
        _stop_on_signals()
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
