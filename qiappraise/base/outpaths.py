"""Safe, unique report file names derived from proposal paths.

A name is the proposal's relative path turned into one slug (folders joined
with ``--``), ASCII, lower case, at most 80 characters, never empty, never
starting with a dot or a dash, with no ``..`` and no separator, so a report
always lands directly inside the output folder. Names are compared without
case (macOS and Windows file systems ignore it); a name already taken, or
reserved for the cohort report, gets a short hash of the full relative path.

Also the rules every output path follows: an output never replaces a file
the same command reads (:class:`InputGuard`), and ``batch --out`` writes only
into a folder of its own (:func:`claim_folder`). docs/safety.md
states them for users.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
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


# --- outputs never replace inputs -------------------------------------------


class InputGuard:
    """Refuses an output path that leads to a file the same command reads.

    ``report p.yaml -o p.yaml`` used to replace the proposal with its report.
    An existing target is compared with each input by device and inode (the
    same file through a symlink, a hard link, ``./`` or another case on a
    case-insensitive disk) and by resolved path. Every file inside a
    ``folders`` entry counts as an input: a template folder can include any
    file in it.
    """

    def __init__(
        self,
        files: Iterable[str | os.PathLike[str] | None] = (),
        folders: Iterable[str | os.PathLike[str] | None] = (),
    ) -> None:
        self._files = [os.fspath(f) for f in files if f is not None]
        self._folders = [os.fspath(d) for d in folders if d is not None]
        self._ids: dict[tuple[int, int], str] | None = None
        self._real: dict[str, str] | None = None

    def _index(self) -> tuple[dict[tuple[int, int], str], dict[str, str]]:
        # Built on the first existing target only: most runs write new files.
        if self._ids is None or self._real is None:
            self._ids, self._real = {}, {}
            for f in self._files:
                with suppress(OSError):
                    st = os.stat(f)
                    self._ids.setdefault((st.st_dev, st.st_ino), f)
                self._real.setdefault(os.path.realpath(f), f)
        return self._ids, self._real

    def check(self, target: str | os.PathLike[str], option: str) -> None:
        """Raise a UsageError when writing ``target`` would replace an input."""
        shown = os.fspath(target)
        try:
            st = os.stat(shown)
        except OSError:
            return  # nothing there (or a dangling link): it is no input
        ids, real = self._index()
        resolved = os.path.realpath(shown)
        hit = ids.get((st.st_dev, st.st_ino)) or real.get(resolved)
        if hit is not None:
            same = "" if hit == shown else f" (the same file as {hit})"
            raise UsageError(
                f"{option} {shown}: refusing to overwrite an input of this command{same}; "
                "write the output to another file"
            )
        for folder in self._folders:
            inner = os.path.realpath(folder)
            if resolved.startswith(inner.rstrip(os.sep) + os.sep):
                raise UsageError(
                    f"{option} {shown}: refusing to overwrite a file in the template folder "
                    f"{folder}, which this command reads; write the output to another file"
                )


# --- batch --out: a folder of our own ----------------------------------------

#: Written into every ``batch --out`` folder: the names batch wrote there.
MARKER = ".qiappraise-batch"
_MARKER_HEAD = "# qiappraise batch --out"
_MARKER_TEXT = (
    f"{_MARKER_HEAD}\n"
    "# The files listed below are reports qiappraise batch wrote into this folder;\n"
    "# a later batch run may replace them. Other files here are never touched\n"
    "# unless batch is given --force. Delete this file to disown the folder.\n"
)
_MARKER_MAX = 4 * 1024 * 1024


def read_marker(folder: Path) -> frozenset[str] | None:
    """The names a previous batch wrote into ``folder``; None when it has no marker."""
    path = folder / MARKER
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None  # opening a FIFO to read it would wait for a writer
        with open(path, "rb") as fh:
            raw = fh.read(_MARKER_MAX + 1)
    except OSError:
        return None
    text = raw.decode("utf-8", "surrogateescape")
    if len(raw) > _MARKER_MAX or not text.startswith(_MARKER_HEAD + "\n"):
        return None
    return frozenset(
        line for line in text.splitlines() if line and not line.startswith("#") and "/" not in line
    )


@dataclass(frozen=True)
class OutFolder:
    """A ``batch --out`` folder made ready for writing."""

    path: Path
    created: bool  # made by this run
    previous: frozenset[str] | None  # names listed by an earlier run's marker


def claim_folder(folder: Path, names: Iterable[str], *, force: bool = False) -> OutFolder:
    """Make ``folder`` ready for reports called ``names`` and mark it as batch's.

    A folder that does not exist or is empty is batch's to fill. A folder
    holding other files is refused unless it has the marker of an earlier run
    and none of ``names`` is a file that run did not write, or ``force`` is
    given. Nothing but a regular file (or a link to one) is ever written over.
    """
    if os.path.lexists(folder) and not folder.is_dir():
        raise UsageError(f"--out {folder}: exists and is not a folder")
    created = not os.path.lexists(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        entries = os.listdir(folder)
    except OSError as exc:
        raise UsageError(f"--out {folder}: cannot create the folder: {exc.strerror}") from None
    previous = read_marker(folder)
    if entries and previous is None and not force:
        raise UsageError(
            f"--out {folder}: the folder holds files that batch did not write; "
            "give a new or empty folder, or add --force to write into it"
        )
    wanted = sorted(set(names))
    for name in [MARKER, *wanted]:
        if not _regular_or_absent(folder / name, follow=name != MARKER):
            # A FIFO would be written into (and block); a device must not be touched.
            raise UsageError(
                f"--out {folder}: {name} exists and is not a regular file; "
                "remove it or give another folder"
            )
        if name == MARKER or not os.path.lexists(folder / name):
            continue
        if not force and name not in (previous or ()):
            raise UsageError(
                f"--out {folder}: {name} exists and was not written by batch; "
                "move it, give another folder, or add --force to replace it"
            )
    # Marked before the first report, so an interrupted run is recognised too.
    kept = sorted(n for n in previous or () if n not in wanted and n in entries)
    from .yamlio import write_text

    claimed = OutFolder(folder, created, previous)
    try:
        write_text(folder / MARKER, _MARKER_TEXT + "".join(f"{n}\n" for n in [*kept, *wanted]))
    except BaseException:
        release_folder(claimed)
        raise
    return claimed


def _regular_or_absent(path: Path, *, follow: bool) -> bool:
    """True when ``path`` is missing, a regular file, or (``follow``) a link to one
    or to nothing: the things a report's atomic write may replace."""
    try:
        mode = os.lstat(path).st_mode
        if follow and stat.S_ISLNK(mode):
            mode = os.stat(path).st_mode
    except OSError:
        return True
    return stat.S_ISREG(mode)


def release_folder(out: OutFolder) -> None:
    """Undo :func:`claim_folder` when nothing was written: the folder is as it was."""
    if out.previous is not None:
        return  # an earlier run's folder keeps its marker
    with suppress(OSError):
        os.unlink(out.path / MARKER)
    if out.created:
        with suppress(OSError):
            out.path.rmdir()  # made for this run, and nothing went into it
