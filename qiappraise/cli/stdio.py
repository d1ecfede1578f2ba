"""Standard output and error at the process's edge: a failed write is not a bug.

Writing can fail in ways that are the caller's business, not qiappraise's: the
reader left (``qiappraise score x.yaml | head``: EPIPE), the disk or device is
full (``> /dev/full``: ENOSPC), or stdout was closed before we started
(``>&-``). :func:`run` wraps both streams so such a failure surfaces as an
:class:`~qiappraise.base.errors.OutputError` wherever it happens (in a command, in
click drawing the help, in rich's console, in the last flush) and ends the
process the same way each time:

- the reader left: quietly, exit 141 (128 + SIGPIPE, what a shell reports for
  a process that signal ended); never 1, which says "found wanting", and never
  0, so under ``set -o pipefail`` a gate cut short by ``| head`` does not pass;
- any other failure to write stdout: one line on stderr, exit 2;
- stdout closed at start: one line on stderr, exit 2, before anything runs.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from contextlib import suppress
from typing import Any, NoReturn

from ..base.errors import EXIT_BROKEN_PIPE, EXIT_INVALID, OutputClosed, OutputError

_NAMES = {1: "standard output", 2: "standard error"}


class _Guarded:
    """A stream whose write and flush failures are our errors, not OSErrors.

    Not a BrokenPipeError: click's main turns that into exit 1, and rich's
    console into ``SystemExit(1)``, before our handler could see it.
    Everything else (isatty, encoding, fileno, ...) is the stream's own.
    """

    def __init__(self, stream: Any, fd: int) -> None:
        self._stream = stream
        self._fd = fd
        self._buffer: _Guarded | None = None

    def write(self, data: Any) -> Any:
        try:
            return self._stream.write(data)
        except OSError as exc:
            raise failure(exc, self._fd) from None

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise failure(exc, self._fd) from None

    @property
    def buffer(self) -> Any:
        # `batch --json -` writes bytes beneath the text layer.
        if self._buffer is None:
            self._buffer = _Guarded(self._stream.buffer, self._fd)
        return self._buffer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def failure(exc: OSError, fd: int) -> OutputError:
    """The error for ``exc``, raised writing to file descriptor ``fd``."""
    name = _NAMES.get(fd, f"file descriptor {fd}")
    if isinstance(exc, BrokenPipeError) or exc.errno in (errno.EPIPE, errno.ECONNRESET):
        return OutputClosed(f"{name} was closed by its reader", fd)
    return OutputError(f"cannot write to {name}: {exc.strerror or exc}", fd)


def require_stdout() -> None:
    """End the process (exit 2) if stdout was closed before it started.

    Python then sets ``sys.stdout`` to None and every write is silently
    dropped (exit 0, nothing written), and the next file opened takes its
    descriptor, 1, where a child process would write its output.
    """
    if sys.stdout is None:
        _say(
            "error: standard output is closed, so nothing could be written; "
            "redirect it instead (>/dev/null to discard the output)"
        )
        raise SystemExit(EXIT_INVALID)


def run(main: Callable[[], object]) -> None:
    """Run ``main`` with both streams guarded; a failed write ends it as described above."""
    require_stdout()
    sys.stdout = _Guarded(sys.stdout, 1)
    if sys.stderr is not None:
        sys.stderr = _Guarded(sys.stderr, 2)
    try:
        try:
            main()
        except SystemExit:
            _flush()  # while a failure can still be reported, not at interpreter exit
            raise
        _flush()
    except OutputError as exc:
        ended(exc)


def ended(exc: OutputError) -> NoReturn:
    """End the process for a stream that failed: quietly for a reader that left."""
    _silence(exc.fd)
    if isinstance(exc, OutputClosed):
        raise SystemExit(EXIT_BROKEN_PIPE)
    if exc.fd != 2:
        _say(f"error: {exc}")
    raise SystemExit(EXIT_INVALID)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()


def _silence(fd: int) -> None:
    # What is still buffered for the failed stream goes to /dev/null, so the
    # interpreter's own flush at exit does not fail again with a traceback.
    with suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)


def _say(line: str) -> None:
    if sys.stderr is not None:
        with suppress(Exception):  # a stderr that fails too has nobody to tell
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
