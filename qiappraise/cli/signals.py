"""How the process stops: Ctrl-C, SIGTERM and SIGHUP unwind, so nothing is left behind.

Imported by ``entry`` before anything else of ours, and by the commands that
keep something to say when they are stopped (``appraise``). ``EXIT_INTERRUPTED``
is also in ``base.errors``; importing that here would lengthen the start-up path.
"""

EXIT_INTERRUPTED = 130


class Terminated(SystemExit):
    """SIGTERM or SIGHUP arrived: unwinds like Ctrl-C, then exits 128 + the signal."""


def stop_on_signals() -> None:
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
