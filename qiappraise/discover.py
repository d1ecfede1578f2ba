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


def is_pattern(text: str) -> bool:
    return any(c in _GLOB_CHARS for c in text)


def walk(folder: str) -> list[str]:
    """The YAML files below ``folder``, sorted, without hidden or skipped ones."""
    out: list[str] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        out.extend(
            os.path.join(root, f)
            for f in sorted(files)
            if f.endswith(SUFFIXES) and not f.startswith(".")
        )
    return out


def expand(inputs: list[str]) -> Discovery:
    """The proposal files named by ``inputs``, de-duplicated by resolved path."""
    seen: dict[object, str] = {}
    found: list[Found] = []
    errors: list[tuple[str, str]] = []
    duplicates: list[tuple[str, str]] = []
    for item in inputs:
        explicit = False
        if os.path.isdir(item):
            candidates = walk(item)
            if not candidates:
                errors.append((item, f"folder holds no .yaml or .yml files{PASSED_OVER}"))
        elif os.path.lexists(item) or not is_pattern(item):
            # An explicit file is scored whatever its name ends with; a missing one
            # is reported (and `file[1].yaml` that exists is a file, not a pattern).
            if not os.path.exists(item):
                errors.append((item, "no such file or folder"))
                continue
            candidates = [item]
            explicit = True
        else:
            matches = sorted(glob.glob(item, recursive=True))
            candidates = []
            for m in matches:
                if os.path.isdir(m):
                    if os.path.basename(os.path.normpath(m)) not in SKIP_DIRS:
                        candidates.extend(walk(m))  # a folder a pattern reaches, searched as one
                elif m.endswith(SUFFIXES) or not item.endswith(("*", "**")):
                    candidates.append(m)
            if not candidates:
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
    return Discovery(tuple(found), tuple(errors), tuple(duplicates))


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
