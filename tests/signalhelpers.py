"""Shared helpers of the signal tests: signal a command at a known point, never after a delay.

A command started with ``QIAPPRAISE_TEST_CHECKPOINT=<point>`` announces on
stderr when a process reaches that point and waits there (see
``qiappraise/checkpoint.py``); the test reads the announcement, then signals.
The timeouts here are safety nets for a broken build, not synchronisation.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from qiappraise.base.checkpoint import ENV, MARK

ROOT = Path(__file__).resolve().parent.parent
EXE = str(Path(sys.executable).parent / "qiappraise")
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
#: Generous: only a hung or broken command ever comes near it.
SAFETY_NET = 120.0

linux_only = pytest.mark.skipif(
    not hasattr(os, "pidfd_open"), reason="watches worker processes through pidfds (Linux)"
)


def start(
    args: Sequence[str | Path],
    point: str,
    *,
    session: bool = False,
    preexec_fn: Callable[[], object] | None = None,
) -> subprocess.Popen[bytes]:
    """``qiappraise *args``, told to wait at ``point``; stderr is read by ``reached``.

    The child starts with SIGINT, SIGTERM and SIGHUP at their default actions
    (then ``preexec_fn`` runs): a test suite started in the background by a
    non-interactive shell inherits SIGINT ignored, and a child that ignores the
    signal under test would never end.
    """

    def defaults() -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        if preexec_fn is not None:
            preexec_fn()

    env = dict(os.environ, **{ENV: point})
    env.pop("QIAPPRAISE_DEBUG", None)
    return subprocess.Popen(
        [EXE, *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=session,
        preexec_fn=defaults,
    )


def reached(proc: subprocess.Popen[bytes], count: int = 1) -> list[int]:
    """Wait until ``count`` processes announce the checkpoint; their process ids."""
    assert proc.stderr is not None
    fd = proc.stderr.fileno()
    seen = b""
    deadline = time.monotonic() + SAFETY_NET
    while True:
        pids = [
            int(line.split()[2])
            for line in seen.decode(errors="replace").splitlines()
            if line.startswith(MARK + " ")
        ]
        if len(pids) >= count:
            return pids
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(left, 0))
        chunk = os.read(fd, 65536) if ready else b""
        if not chunk:
            proc.kill()
            proc.wait()
            pytest.fail(f"checkpoint not reached (exit {proc.returncode}): {seen.decode()}")
        seen += chunk


def finish(proc: subprocess.Popen[bytes]) -> str:
    """The rest of stderr once the process has ended.

    Not up to the end of the pipe: a worker left behind would hold it open.
    """
    assert proc.stderr is not None
    if not hasattr(os, "pidfd_open"):
        return proc.communicate(timeout=SAFETY_NET)[1].decode(errors="replace")
    fd = proc.stderr.fileno()
    seen = b""
    ended = os.pidfd_open(proc.pid)  # readable once the process has ended
    try:
        deadline = time.monotonic() + SAFETY_NET
        while True:
            left = max(deadline - time.monotonic(), 0)
            ready, _, _ = select.select([fd, ended], [], [], left)
            if not ready:
                proc.kill()
                pytest.fail(f"the process did not end: {seen.decode(errors='replace')}")
            if fd not in ready:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(ended)
    proc.wait(timeout=SAFETY_NET)
    # What it wrote before it ended is in the pipe already.
    while select.select([fd], [], [], 0)[0]:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        seen += chunk
    proc.stderr.close()
    return seen.decode(errors="replace")


class Exits:
    """Notice, without polling, when processes end: a pidfd is readable once its process has.

    Open it while the processes are known to run (waiting at a checkpoint), so
    a process id cannot have been reused by then.
    """

    def __init__(self, pids: Sequence[int]) -> None:
        self.fds = {os.pidfd_open(pid): pid for pid in pids}

    def running(self, wait: float = 0.0) -> list[int]:
        """Those still running after ``wait`` seconds at most (any sooner once all ended)."""
        left = dict(self.fds)
        deadline = time.monotonic() + wait
        while left:
            ready, _, _ = select.select(list(left), [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                break
            for fd in ready:
                del left[fd]
        return sorted(left.values())

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)


def temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith(".tmp")]


def cohort(folder: Path, n: int) -> Path:
    """``n`` proposals, enough for ``batch`` to score them in worker processes."""
    folder.mkdir()
    for i in range(n):
        (folder / f"p{i:03}.yaml").write_bytes(EXAMPLES[i % len(EXAMPLES)].read_bytes())
    return folder
