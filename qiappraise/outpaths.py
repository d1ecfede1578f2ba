"""Safe, unique report file names derived from proposal paths.

A name is the proposal's relative path turned into one slug (folders joined
with ``--``), ASCII, lower case, at most 80 characters, never empty, never
starting with a dot or a dash, with no ``..`` and no separator, so a report
always lands directly inside the output folder. Names are compared without
case (macOS and Windows file systems ignore it); a name already taken, or
reserved for the cohort report, gets a short hash of the full relative path.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from .errors import UsageError

MAX_STEM = 80
RESERVED = frozenset({"index"})
_UNSAFE = re.compile(r"[^a-z0-9]+")
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits joined by single dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _UNSAFE.sub("-", ascii_text.lower()).strip("-")


def stem_for(relative: str) -> str:
    """The report name (without extension) for one proposal's relative path."""
    parts = [p for p in re.split(r"[\\/]+", relative) if p not in ("", ".", "..")]
    if parts:
        last = parts[-1]
        for suffix in (".yaml", ".yml"):
            if last.lower().endswith(suffix):
                parts[-1] = last[: -len(suffix)]
    stem = "--".join(s for s in (slug(p) for p in parts) if s)
    stem = stem[:MAX_STEM].strip("-")
    if not stem or stem in _WINDOWS_DEVICES:
        stem = f"proposal-{stem}" if stem else "proposal"
    return stem


def _short_hash(text: str) -> str:
    # surrogateescape: a file name that is not UTF-8 hashes as the bytes it is.
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def unique_stems(relatives: list[str]) -> dict[str, str]:
    """A distinct stem for every relative path; the same input gives the same names.

    Paths are visited in sorted order, so which of two colliding paths keeps
    the plain name does not depend on the order they were found in.
    """
    taken: set[str] = set(RESERVED)
    out: dict[str, str] = {}
    for rel in sorted(set(relatives)):
        stem = stem_for(rel)
        if stem.lower() in taken:
            base = stem[: MAX_STEM - 9]
            stem = f"{base}-{_short_hash(rel)}"
            n = 2
            while stem.lower() in taken:  # two hashes colliding: practically never
                stem = f"{base}-{_short_hash(f'{rel}#{n}')}"
                n += 1
        taken.add(stem.lower())
        out[rel] = stem
    return out


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing any name that could leave the folder."""
    if not name or name != Path(name).name or name in (".", "..") or "\\" in name or "/" in name:
        raise UsageError(f"unsafe report name {name!r}")
    target = folder / name
    if target.is_symlink():
        # os.replace would swap the link itself, not what it points to; remove it
        # first anyway so nobody mistakes a link out of the folder for our report.
        target.unlink()
    if target.parent.resolve() != folder.resolve():
        raise UsageError(f"report {name!r} would be written outside {folder}")
    return target
