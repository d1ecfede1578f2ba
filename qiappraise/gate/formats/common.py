"""Small helpers the machine formats share: paths as URIs, stable fingerprints."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import quote


def relative_path(file: str) -> str:
    """``file`` as a forward-slash path relative to the working folder where possible.

    CI systems (GitHub code scanning, GitLab Code Quality) match paths against
    the repository root, which is where a CI job runs.
    """
    p = Path(file)
    if p.is_absolute():
        try:
            p = p.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            return p.as_posix()
    return p.as_posix().removeprefix("./")


def artifact_uri(file: str) -> str:
    path = relative_path(file)
    if Path(path).is_absolute():
        return Path(path).as_uri()
    # A file name that is not UTF-8 is percent-encoded as the bytes it is.
    return quote(path, safe="/", errors="surrogateescape")


def fingerprint(*parts: str) -> str:
    """A stable hash of what an issue is, not where it happens to sit.

    Line numbers are left out on purpose: editing one answer must not make
    every issue below it look new to GitLab's merge-request comparison.
    """
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
