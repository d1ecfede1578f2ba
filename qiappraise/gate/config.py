"""Finding and reading the check policy: config files, then command-line options.

The policy for a proposal comes from the nearest config file above it
(``.qiappraise.yaml`` or ``[tool.qiappraise]`` in ``pyproject.toml``, the
dedicated file winning in the same folder, as ruff's ``ruff.toml`` does over
``pyproject.toml``), overridden by command-line options. Every value remembers
where it came from, so ``--show-config`` can say.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.errors import InputError, Problems
from .policy import DEFAULT, SETTINGS, Policy, SettingError, with_values

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: Looked for in each folder, in this order; the first that configures qiappraise wins.
CONFIG_NAMES = (".qiappraise.yaml", ".qiappraise.yml", "pyproject.toml")
DEFAULT_ORIGIN = "default"


@dataclass(frozen=True)
class ConfigFile:
    """The policy values one config file sets, each with its line."""

    path: str
    values: Mapping[str, Any] = field(default_factory=dict)
    #: By key, and by ``key.id`` for each entry of a mapping (min-section).
    lines: Mapping[str, int | None] = field(default_factory=dict)
    #: ``paths``: what `check` checks when given no paths, relative to the
    #: config file's folder. Not a policy value.
    paths: tuple[Path, ...] = ()

    def origin(self, key: str) -> str:
        line = self.lines.get(key)
        return f"{self.path}:{line}" if line else self.path


@dataclass(frozen=True)
class ResolvedPolicy:
    """A policy and, for each key, where its value came from."""

    policy: Policy
    origins: Mapping[str, str]
    config: str | None = None  # the config file used, if any


def display_path(path: Path) -> str:
    """``path`` relative to the working folder when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def find_config(start: Path) -> Path | None:
    """The nearest config file at or above folder ``start`` that configures qiappraise."""
    folder = start.resolve()
    for parent in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            candidate = parent / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_tool_table(candidate)):
                return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    # A pyproject.toml without a qiappraise table does not stop the walk (ruff
    # and black behave the same). The parsed TOML decides, not the header text:
    # `tool.qiappraise.fail-under = 100` or `[tool]` + `qiappraise = {...}` are
    # the same table, and passing over them let the gate pass. A file that
    # cannot be read or parsed is not passed over when it may be ours: the
    # gate fails closed, and read_config reports what is wrong with it.
    from ..base.yamlio import read_text

    try:
        text = read_text(path)
    except InputError:
        return True
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return "qiappraise" in text
    tool = data.get("tool")
    return isinstance(tool, dict) and "qiappraise" in tool


def read_config(path: Path) -> ConfigFile:
    """Read and check one config file; unknown keys and bad values name their line."""
    shown = display_path(path)
    if path.name == "pyproject.toml" or path.suffix == ".toml":
        raw, line_of = _read_toml(path, shown)
    else:
        raw, line_of = _read_yaml(path, shown)
    values: dict[str, Any] = {}
    lines: dict[str, int | None] = {}
    # Every problem at once, as for proposals: five mistakes took four runs.
    problems = Problems()
    paths: tuple[Path, ...] = ()
    for key, value in raw.items():
        if key == "paths":
            try:
                paths = _paths(value, path.parent)
            except SettingError as exc:
                problems.append(InputError(f"paths: {exc}", file=shown, line=line_of((key,))))
            lines[key] = line_of((key,))
            continue
        setting = SETTINGS.get(key)
        if setting is None:
            if not problems.counted_if_full():
                problems.append(
                    InputError(
                        f"unknown key {key!r}{_close(key)}; allowed keys: {', '.join(SETTINGS)}, paths",
                        file=shown,
                        line=line_of((key,)),
                    )
                )
            continue
        try:
            values[key] = setting.read(value)
        except SettingError as exc:
            problems.append(InputError(f"{key}: {exc}", file=shown, line=line_of((key, *exc.key))))
            continue
        lines[key] = line_of((key,))
        if isinstance(value, Mapping):  # so a wrong section id can be shown on its own line
            for sub in value:
                lines[f"{key}.{sub}"] = line_of((key, str(sub)))
    if problems:
        raise problems.error()
    return ConfigFile(shown, values, lines, paths)


def _paths(value: Any, folder: Path) -> tuple[Path, ...]:
    """The ``paths`` key: files or folders (or globs) to check, relative to ``folder``."""
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(i, str) and i.strip() for i in items)
    ):
        raise SettingError("expected a list of files or folders to check, e.g. [proposals/]")
    return tuple(folder / i.strip() for i in items)


def _close(key: str) -> str:
    import difflib

    match = difflib.get_close_matches(key.replace("_", "-"), list(SETTINGS), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


LineOf = Callable[[tuple[str, ...]], int | None]


def _read(path: Path, shown: str) -> str:
    from ..base.yamlio import read_text

    try:
        return read_text(path)
    except InputError as exc:  # named as every other message about this file names it
        raise InputError(exc.message, file=shown, line=exc.line) from None


def _read_yaml(path: Path, shown: str) -> tuple[dict[str, Any], LineOf]:
    from ..base.yamlio import load_text

    text = _read(path, shown)
    if not any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
        return {}, lambda _key: None  # a file of comments only sets nothing
    located = load_text(text, shown)
    if not isinstance(located.data, dict):
        raise InputError(
            f"expected a mapping of settings ({', '.join(SETTINGS)})", file=shown, line=1
        )
    return located.data, located.line


def _read_toml(path: Path, shown: str) -> tuple[dict[str, Any], LineOf]:
    text = _read(path, shown)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise InputError(
            f"invalid TOML: {exc}", file=shown, line=int(match.group(1)) if match else None
        ) from None
    except RecursionError:
        # tomllib recurses once per nested array or inline table.
        raise InputError("invalid TOML: nesting too deep; not loaded", file=shown) from None
    table = data.get("tool", {}).get("qiappraise")
    if table is None:
        raise InputError("no [tool.qiappraise] table in this file", file=shown)
    if not isinstance(table, dict):
        raise InputError("tool.qiappraise: expected a table", file=shown)

    def line_of(key: tuple[str, ...]) -> int | None:
        return toml_line(text, ("tool", "qiappraise"), key)

    return table, line_of


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")


def _split_key(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in dotted.split("."))


def toml_line(text: str, table: tuple[str, ...], key: tuple[str, ...]) -> int | None:
    """Line of ``key`` (a path below ``table``) in TOML ``text``, by scanning it.

    tomllib keeps no positions. This follows headers and dotted keys to the
    full path of each assignment, so ``key = `` under the table's header,
    ``[table.key]``, ``tool.qiappraise.key = `` and ``qiappraise.key = ``
    under ``[tool]`` are all found. A value inside an inline table
    (``qiappraise = {key = 1}``) gets the line of that table; anything not
    found, the line where the table starts.
    """
    target = (*table, *key)
    current: tuple[str, ...] = ()
    table_line: int | None = None
    best: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("[["):
            current = _split_key(header.group(1))
            path = current
        else:
            assign = _ASSIGN.match(line)
            if assign is None:
                continue
            path = (*current, *_split_key(assign.group(1)))
        if path == target:
            return number
        if target[: len(path)] == path and len(path) > len(table):
            if best is None:
                best = number  # [tool.qiappraise.min-section], min-section = {...}
        elif table_line is None and (
            path[: len(table)] == table or (not header and target[: len(path)] == path)
        ):
            table_line = number  # the table's header, first key, or inline table
    return best if best is not None else table_line


_ASSIGN = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")


class Resolver:
    """The policy for each checked path: nearest config file, then overrides.

    ``overrides`` are values already read from the command line, by config
    key; ``explicit`` is a config file given with ``--config`` (no search then).
    """

    def __init__(
        self,
        overrides: Mapping[str, Any] | None = None,
        *,
        explicit: Path | None = None,
        isolated: bool = False,
    ) -> None:
        self.overrides = dict(overrides or {})
        self.explicit = explicit
        self.isolated = isolated
        self._files: dict[Path, ConfigFile] = {}
        self._found: dict[Path, Path | None] = {}

    def config_for(self, path: Path) -> ConfigFile | None:
        if self.isolated:
            return None
        if self.explicit is not None:
            where: Path | None = self.explicit
        else:
            folder = path if path.is_dir() else path.parent
            folder = Path(os.path.abspath(folder))
            if folder not in self._found:
                self._found[folder] = find_config(folder)
            where = self._found[folder]
        if where is None:
            return None
        if where not in self._files:
            self._files[where] = read_config(where)
        return self._files[where]

    def resolve(self, path: Path) -> ResolvedPolicy:
        config = self.config_for(path)
        origins = dict.fromkeys(SETTINGS, DEFAULT_ORIGIN)
        policy = DEFAULT
        if config is not None:
            policy = with_values(policy, config.values)
            origins.update({k: config.origin(k) for k in config.lines})
        policy = with_values(policy, self.overrides)
        for k in self.overrides:
            # An option replaces the whole value: the file's lines for it no longer apply.
            for stale in [o for o in origins if o.startswith(f"{k}.")]:
                del origins[stale]
            origins[k] = f"command line ({SETTINGS[k].option})"
        return ResolvedPolicy(policy, origins, config.path if config else None)
