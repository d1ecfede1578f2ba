"""Which files ``check`` reads: proposal files given, or found in folders.

A YAML file is a proposal when it is a mapping with a ``rubric``, ``project``
or ``answers`` key (``proposal.model.looks_like_proposal``); another mapping (CI
config, a rubric, mkdocs.yml) is skipped with a note, so a folder or a
pre-commit ``types: [yaml]`` hook can be checked as a whole. A file that
cannot be read as YAML at all is *not* skipped: it may be a broken proposal,
and a gate fails closed; nor is a file named on the command line that is not
a mapping at all (an empty file, a list): nobody names such a file by accident.
"""

from __future__ import annotations

from pathlib import Path

from ..base.discover import PASSED_OVER, file_identity, walk
from ..base.errors import InputError
from ..base.yamlio import load_file
from ..proposal.model import looks_like_proposal
from .verdict import Skipped

CONFIG_FILES = frozenset({".qiappraise.yaml", ".qiappraise.yml", ".pre-commit-hooks.yaml"})


def skip_reason(path: Path, explicit: bool = False) -> str | None:
    """None when ``path`` should be checked; otherwise why it is skipped."""
    if path.name in CONFIG_FILES:
        return "a config file, not a proposal"
    try:
        data = load_file(path).data
    except InputError:
        return None  # reported as invalid by the check itself
    if looks_like_proposal(data) or (explicit and not isinstance(data, dict)):
        return None
    return "not a proposal (a YAML mapping with a rubric, project or answers key)"


def collect(paths: list[Path]) -> tuple[list[Path], list[Skipped], list[InputError]]:
    """Proposal files under ``paths`` in a stable order, those skipped, and paths
    that give nothing to check (recorded, not raised, so every output format
    can show them and CI still gets its report file)."""
    found: list[Path] = []
    skipped: list[Skipped] = []
    problems: list[InputError] = []
    seen: dict[object, Path] = {}

    def consider(path: Path, explicit: bool = False) -> bool:
        key = file_identity(path)  # the same file however it is reached, as in batch
        first = seen.get(key)
        if first is not None:
            same = "given more than once" if first == path else f"the same file as {first}"
            skipped.append(Skipped(str(path), f"{same}, checked once"))
            return True
        seen[key] = path
        reason = skip_reason(path, explicit)
        if reason is None:
            found.append(path)
            return True
        skipped.append(Skipped(str(path), reason))
        return False

    for path in paths:
        if path.is_dir():
            files = _walk(path, skipped, problems)
            # A gate fails closed: a folder with nothing to check is most likely
            # the wrong folder, and passing it would pass everything.
            if not files:
                if not any(p.file == str(path) for p in problems):
                    problems.append(
                        InputError(
                            f"folder holds no .yaml or .yml files to check{PASSED_OVER}",
                            file=path,
                        )
                    )
            elif not [f for f in files if consider(f)]:
                problems.append(
                    InputError(
                        f"folder holds no proposals ({len(files)} YAML file"
                        f"{'s' if len(files) != 1 else ''} passed over)",
                        file=path,
                    )
                )
        elif path.exists():
            consider(path, explicit=True)  # one that is not a regular file is refused on reading
        else:
            problems.append(InputError("no such file or folder", file=path))
    return found, skipped, problems


def _walk(folder: Path, skipped: list[Skipped], problems: list[InputError]) -> list[Path]:
    # The same search as batch: hidden files and folders, and installed
    # packages, are passed over; so are FIFOs and devices (reading one would
    # block or worse). A folder that cannot be listed is a problem: what it
    # holds is unknown, and a gate fails closed.
    result = walk(str(folder))
    skipped.extend(Skipped(path, why) for path, why in result.passed_over)
    problems.extend(InputError(why, file=where) for where, why in result.unreadable)
    return [Path(f) for f in result.files]
