"""A test hook: stop at a named point and wait there for a signal.

The signal tests must interrupt a command at a known point, not after a
guessed delay: under load a delay lands anywhere, even in Python's own
start-up (issue 13). With ``QIAPPRAISE_TEST_CHECKPOINT=<name>`` in the
environment, each process that reaches ``checkpoint(<name>)`` writes
``qiappraise-checkpoint <name> <pid>`` to stderr and waits for the test's
signal; without it, ``checkpoint`` returns at once. ``<name>:<pattern>``
stops only where the subject (for a write, the file's name) matches the
shell-style pattern: ``write:*.html``.
"""

from __future__ import annotations

import os
import time

ENV = "QIAPPRAISE_TEST_CHECKPOINT"
MARK = "qiappraise-checkpoint"
#: A safety net only: the test's signal ends the wait long before this.
WAIT = 120.0


def checkpoint(name: str, subject: str = "") -> None:
    """Announce reaching ``name`` and wait for a signal, when a test asked for it."""
    wanted = os.environ.get(ENV)
    if wanted is None:
        return
    point, _, pattern = wanted.partition(":")
    if point != name:
        return
    if pattern:
        from fnmatch import fnmatchcase

        if not fnmatchcase(subject, pattern):
            return
    # One os.write: the lines of several workers sharing stderr never mix.
    os.write(2, f"{MARK} {name} {os.getpid()}\n".encode())
    deadline = time.monotonic() + WAIT
    # Short sleeps, not signal.pause(): a signal that lands just before pause()
    # would leave it waiting forever; here its handler runs within 50 ms.
    while time.monotonic() < deadline:
        time.sleep(0.05)
