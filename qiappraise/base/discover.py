"""Expanding batch inputs (files, folders, glob patterns) into proposal files.

Folders are searched recursively for ``*.yaml`` and ``*.yml`` files, passing
over hidden files and folders (``.git``, ``.gitlab-ci.yml``) and the folders
in ``SKIP_DIRS`` (``walk``, which ``check`` uses too); patterns are expanded with
``**`` meaning any depth. The same file reached twice (through a folder and a
pattern, or a symlink) is kept once, where it was first found. The result is
sorted within each input so that output never depends on the order a file
system lists entries in.
"""

from __future__ import annotations

import glob
import os
import stat
from dataclasses import dataclass
from pathlib import Path

#: The file name endings a folder search picks up.
SUFFIXES = (".yaml", ".yml")
#: Folder names a recursive search never enters (a folder named on the command
#: line is always searched): installed packages and caches hold YAML of their own.
SKIP_DIRS = frozenset({"node_modules", "__pycache__", "venv", "site-packages"})
_GLOB_CHARS = frozenset("*?[")
#: Said when a folder search finds nothing: the files may be where it does not look.
PASSED_OVER = " (hidden files and folders, and node_modules, venv, site-packages and __pycache__, are passed over)"


@dataclass(frozen=True)
class Found:
    """One file to score: as the user would name it, and its absolute path."""

    path: str
    resolved: str
    #: Named on the command line (not found in a folder or by a pattern): such a
    #: file that is not a proposal is an error, not a skip.
    explicit: bool = False


@dataclass(frozen=True)
class Discovery:
    files: tuple[Found, ...]
    errors: tuple[tuple[str, str], ...]  # (input, one-line reason): nothing to score there
    #: (path as reached again, path it was first found as): scored once, there.
    duplicates: tuple[tuple[str, str], ...] = ()
    #: (path, why): found by a folder search or a pattern but not a regular
    #: file (a FIFO, a device), so not read; a note, not an error.
    passed_over: tuple[tuple[str, str], ...] = ()


def is_pattern(text: str) -> bool:
    return any(c in _GLOB_CHARS for c in text)


@dataclass(frozen=True)
class Walk:
    """What a folder search found: files to read, and what it could not use."""

    files: list[str]
    #: (path, why): YAML-named entries that are not regular files (a FIFO would
    #: block the reader forever), passed over with a note.
    passed_over: list[tuple[str, str]]
    #: (folder, why): folders that could not be listed. Their files are
    #: unknown, so a search that met one is incomplete, never a pass.
    unreadable: list[tuple[str, str]]


def walk(folder: str) -> Walk:
    """The YAML files below ``folder``, sorted, without hidden or skipped ones.

    The order is os.walk's top-down one: a folder's files, then each of its
    sub-folders in name order. Symlinked folders are not entered.
    """
    files: list[str] = []
    passed_over: list[tuple[str, str]] = []
    unreadable: list[tuple[str, str]] = []
    todo = [folder]
    while todo:
        root = todo.pop()
        try:
            with os.scandir(root) as listing:
                entries = list(listing)
        except OSError as exc:
            unreadable.append((root, f"cannot read this folder: {_reason(exc)}"))
            continue
        names: list[os.DirEntry[str]] = []
        subfolders: list[str] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if _is_dir(entry):
                if entry.name not in SKIP_DIRS and not entry.is_symlink():
                    subfolders.append(entry.name)
            elif entry.name.endswith(SUFFIXES):
                names.append(entry)
        for entry in sorted(names, key=_name):
            why = _not_regular(entry)
            if why is None:
                files.append(os.path.join(root, entry.name))
            else:
                passed_over.append((os.path.join(root, entry.name), why))
        todo.extend(os.path.join(root, d) for d in sorted(subfolders, reverse=True))
    return Walk(files, passed_over, unreadable)


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _not_regular(entry: os.DirEntry[str]) -> str | None:
    """None for a regular file (or one the reader should report: a dangling
    link); otherwise why it is passed over. Costs no system call for a plain
    file: the folder listing already says what each entry is."""
    try:
        if entry.is_file():
            return None
        mode = entry.stat().st_mode
    except OSError:
        return None  # gone or a broken link: reading it says so, and fails closed
    return _passed_over(mode)


def _not_regular_path(path: str) -> str | None:
    """As :func:`_not_regular`, for a path a pattern matched."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else _passed_over(mode)


def _passed_over(mode: int) -> str:
    from ..base.yamlio import file_kind

    return f"{file_kind(mode)}, not a regular file"


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or str(exc)).lower()


def expand(inputs: list[str]) -> Discovery:
    """The proposal files named by ``inputs``, de-duplicated by resolved path."""
    seen: dict[object, str] = {}
    found: list[Found] = []
    errors: list[tuple[str, str]] = []
    duplicates: list[tuple[str, str]] = []
    passed_over: list[tuple[str, str]] = []

    def search(folder: str) -> Walk:
        result = walk(folder)
        passed_over.extend((_display(p), why) for p, why in result.passed_over)
        # A folder that cannot be listed may hold proposals: an error, so the
        # run is incomplete (exit 2) rather than quietly smaller.
        errors.extend((_display(f), why) for f, why in result.unreadable)
        return result

    for item in inputs:
        explicit = False
        if os.path.isdir(item):
            searched = search(item)
            candidates = searched.files
            if not candidates and not searched.unreadable:
                errors.append((item, f"folder holds no .yaml or .yml files{PASSED_OVER}"))
        elif os.path.lexists(item) or not is_pattern(item):
            # An explicit file is scored whatever its name ends with; a missing one
            # is reported (and `file[1].yaml` that exists is a file, not a pattern).
            # One that is not a regular file is refused when it is read.
            if not os.path.exists(item):
                errors.append((item, "no such file or folder"))
                continue
            candidates = [item]
            explicit = True
        else:
            matches = sorted(glob.glob(item, recursive=True))
            candidates = []
            noted = len(passed_over)
            for m in matches:
                if os.path.isdir(m):
                    if os.path.basename(os.path.normpath(m)) not in SKIP_DIRS:
                        # a folder a pattern reaches, searched as one
                        candidates.extend(search(m).files)
                elif m.endswith(SUFFIXES) or not item.endswith(("*", "**")):
                    why = _not_regular_path(m)
                    if why is None:
                        candidates.append(m)
                    else:
                        passed_over.append((_display(m), why))
            if not candidates and len(passed_over) == noted:
                errors.append((item, "pattern matches no files"))
        for c in candidates:
            identity = file_identity(c)
            shown = _display(c)
            first = seen.get(identity)
            if first is not None:
                duplicates.append((shown, first))
                continue
            seen[identity] = shown
            found.append(Found(path=shown, resolved=os.path.abspath(c), explicit=explicit))
    return Discovery(tuple(found), tuple(errors), tuple(duplicates), tuple(passed_over))


def file_identity(path: str | os.PathLike[str]) -> object:
    """What makes a file the same file however it is reached (a folder, a
    pattern, a symlink): its device and inode, in one stat, where realpath
    would lstat every component of every path."""
    try:
        st = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    return (st.st_dev, st.st_ino)


def _display(path: str) -> str:
    p = os.path.normpath(path)
    return Path(p).as_posix() if os.sep == "\\" else p


def relative_names(files: tuple[Found, ...] | list[Found]) -> list[str]:
    """Each file's path relative to the deepest folder holding them all (POSIX form).

    Report names derive from these, so they do not depend on the working folder.
    """
    if not files:
        return []
    parents = [os.path.dirname(f.resolved) for f in files]
    try:
        root = os.path.commonpath(parents)
    except ValueError:  # different drives on Windows
        root = ""
    prefix = root.rstrip("/\\") + os.sep if root else ""
    out = []
    for f in files:
        if prefix and f.resolved.startswith(prefix):
            rel = f.resolved[len(prefix) :]  # plain slicing: relpath is slow on 10,000 paths
        else:
            rel = os.path.relpath(f.resolved, root) if root else f.resolved.lstrip("/\\")
        out.append(rel.replace(os.sep, "/"))
    return out
