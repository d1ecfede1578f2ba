"""Reading a rubric file into the model, with every problem located by line,
and finding a rubric by its id.

Linting (can every finding fire?) needs scoring, so it lives above, in
``qiappraise.load``: ``load_rubric`` is read, then lint, then cache.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
import re
import types
import typing
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..base import textcheck
from ..base.errors import InputError, ProblemsError, UsageError
from ..base.resources import rubrics_dir
from ..base.yamlio import Located, Path_, load_file, load_text, open_regular, read_text
from . import snapshot as snapshots
from .model import Rubric

DEFAULT_RUBRIC = "critical-engagement"


@dataclass(frozen=True)
class LoadedRubric:
    """A validated rubric with where it came from, its text and its content hash."""

    rubric: Rubric
    path: str
    sha256: str
    text: str = field(repr=False)

    @cached_property
    def located(self) -> Located:
        """The file's data with the line of every value (read again if a snapshot was used)."""
        return load_text(self.text, self.path)


def read_rubric(path: str | Path, *, snapshot: bool = True) -> LoadedRubric:
    """Read and validate a rubric file (not linted); raise on any problem.

    Text with a snapshot (``rubric.snapshot``: the bundled rubrics as released)
    is rebuilt from it rather than validated again; ``snapshot=False`` always
    validates.
    """
    text = read_text(path)
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    known = snapshots.load(sha256) if snapshot else None
    if known is not None:
        return LoadedRubric(rubric=known, path=str(path), sha256=sha256, text=text)
    located = load_text(text, str(path))
    loaded = LoadedRubric(rubric=validate(located), path=str(path), sha256=sha256, text=text)
    loaded.__dict__["located"] = located  # already read: fill the cached_property
    return loaded


def validate(located: Located) -> Rubric:
    """The Rubric model of ``located``; every structural problem is reported."""
    if not isinstance(located.data, dict):
        raise InputError(
            f"a rubric must be a YAML mapping (id, version, sections, ...), "
            f"not {_kind(located.data)}",
            file=located.file,
            line=1,
        )
    hidden = text_problems(located)
    if hidden:
        raise ProblemsError(hidden)
    non_finite = _non_finite(located)
    if non_finite:
        raise ProblemsError(non_finite)
    try:
        return Rubric.model_validate(located.data)
    except ValidationError as exc:
        raise ProblemsError(
            [pydantic_problem(located, err, Rubric) for err in exc.errors()]
        ) from None


#: Enough to find them all in practice, few enough to read.
MAX_TEXT_PROBLEMS = 20


def text_problems(located: Located) -> list[InputError]:
    """Control and bidi characters anywhere in a rubric's text, one located error each.

    Rubric text reaches terminals, reports and CI annotations just as proposal
    text does, so it follows the same rule (``textcheck``). Values may span
    lines; a key may not.
    """
    out: list[InputError] = []

    def walk(value: Any, path: Path_) -> None:
        if len(out) >= MAX_TEXT_PROBLEMS:
            return
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and (why := textcheck.problem(key)):
                    out.append(
                        located.error((*path, key), f"{_dotted((*path, key))}: the key {why}")
                    )
                walk(item, (*path, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, (*path, i))
        elif isinstance(value, str) and (why := textcheck.problem(value, multiline=True)):
            out.append(located.error(path, f"{_dotted(path)}: {why}" if path else why))

    walk(located.data, ())
    return out


def _non_finite(located: Located) -> list[InputError]:
    """Every ``.inf``, ``-.inf`` and ``.nan`` in the file, wherever it stands.

    Checked over the whole document, not field by field, so a number in a
    condition (``at_least: .nan``) is refused as surely as a points value.
    """
    problems: list[InputError] = []

    def visit(value: Any, path: Path_) -> None:
        if isinstance(value, float) and not math.isfinite(value):
            shown = ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
            problems.append(
                located.error(
                    path,
                    f"{_dotted(path)}: {shown} is not a number a rubric can use; "
                    "give a finite number",
                )
            )
        elif isinstance(value, dict):
            for key, item in value.items():
                visit(item, (*path, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                visit(item, (*path, i))

    visit(located.data, ())
    return problems


def _kind(value: Any) -> str:
    return {
        list: "a list",
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true/false",
    }.get(type(value), type(value).__name__)


def pydantic_problem(located: Located, err: Any, root: type[BaseModel]) -> InputError:
    """Turn one pydantic error into a located, plain-words problem."""
    loc: tuple[Any, ...] = tuple(err["loc"])
    path, _ = _resolve(located.data, loc, root)
    dotted = _dotted(path)
    kind = err["type"]
    if kind == "extra_forbidden":
        _, parent = _resolve(located.data, loc[:-1], root)
        allowed = sorted(_aliases(parent)) if parent else []
        bad = path[-1] if path else loc[-1]
        hint = _close(str(bad), allowed)
        msg = f"unknown key {bad!r}{hint}; allowed keys: {', '.join(allowed)}"
        where = dotted.rsplit(".", 1)[0] if "." in dotted else ""
        return located.error(path, f"{where}: {msg}" if where else msg)
    if kind == "missing":
        # The missing key is not in the data, so `path` stops at the mapping
        # that lacks it: name the key from pydantic's loc, locate the mapping.
        return located.error(path, f"{_dotted((*path, loc[-1]))}: required key is missing")
    message = err["msg"]
    if kind == "literal_error":
        message = "must be one of: " + err["ctx"]["expected"].replace("'", "")
    elif kind == "string_pattern_mismatch":
        message = f"{err['input']!r} does not match the pattern {err['ctx']['pattern']}"
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return located.error(path, f"{dotted}: {message}" if dotted else message)


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _close(word: str, options: list[str]) -> str:
    match = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _aliases(model: type[BaseModel]) -> set[str]:
    return {f.alias or name for name, f in model.model_fields.items()}


def _resolve(
    data: Any, loc: tuple[Any, ...], root: type[BaseModel]
) -> tuple[Path_, type[BaseModel] | None]:
    """Strip pydantic's union tags from ``loc`` and find the model at its end."""
    path: list[str | int] = []
    model: Any = root
    for part in loc:
        if isinstance(data, dict) and part in data:
            path.append(part)
            data = data[part]
            model = _field_type(model, part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            path.append(part)
            data = data[part]
            model = _item_type(model)
        else:
            model = _union_member(model, part) or model
    while not (isinstance(model, type) and issubclass(model, BaseModel)):
        member = _union_member(model, None)
        if member is None:
            break
        model = member
    return tuple(path), model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _field_type(model: Any, key: str) -> Any:
    model = _unwrap(model)
    if isinstance(model, type) and issubclass(model, BaseModel):
        for name, f in model.model_fields.items():
            if (f.alias or name) == key:
                return f.annotation
    return None


def _item_type(tp: Any) -> Any:
    tp = _unwrap(tp)
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
        return _item_type(args[0])
    if typing.get_origin(tp) is list and args:
        return args[0]
    return None


def _union_member(tp: Any, tag: Any) -> Any:
    tp = _unwrap(tp)
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    members = [_unwrap(a) for a in typing.get_args(tp) if a is not type(None)]
    if tag is None:
        return members[0] if len(members) == 1 else None
    for m in members:
        if isinstance(m, type) and issubclass(m, BaseModel):
            if m.__name__ == tag:
                return m
            type_field = m.model_fields.get("type")
            if type_field is not None and tag in typing.get_args(type_field.annotation):
                return m
    tags = {"question": 0, "dimension": 1, "all": 2, "any": 3, "not": 4}
    if tag in tags:
        for m in members:
            if isinstance(m, type) and issubclass(m, BaseModel) and tag in _aliases(m):
                return m
    return None


def bundled_rubrics() -> list[Path]:
    """The rubric files shipped with qiappraise, plus any in $QIAPPRAISE_RUBRICS."""
    dirs = [rubrics_dir()]
    extra = os.environ.get("QIAPPRAISE_RUBRICS")
    if extra:
        dirs = [Path(d) for d in extra.split(os.pathsep) if d] + dirs
    out: list[Path] = []
    for d in dirs:
        if d.is_dir():
            out.extend(sorted(d.glob("*.yaml")))
    return out


_TOP_ID = re.compile(r"""^id:[ \t]*["']?([^\s"'#]+)""", re.MULTILINE)


def _declared_id(path: Path) -> str | None:
    """The top-level ``id:`` a rubric file declares, read without parsing it (None: unknown)."""
    try:
        with open_regular(path) as fh:  # a FIFO in a rubric folder must not block the search
            head = fh.read(64 * 1024).decode("utf-8", errors="replace")
    except (InputError, OSError):
        return None
    found = _TOP_ID.search(head)
    return found.group(1) if found else None


def find_rubric(rubric_id: str) -> Path:
    """The file of the rubric with this id among the known rubric folders."""
    candidates = bundled_rubrics()
    for path in candidates:
        # A file named after the id is the quick way in, unless it says it is another rubric.
        if path.stem == rubric_id and _declared_id(path) in (rubric_id, None):
            return path
    for path in candidates:  # the id inside a file need not match its name
        try:
            data = load_file(path).data
        except InputError:
            continue
        if isinstance(data, dict) and data.get("id") == rubric_id:
            return path
    known = sorted({p.stem for p in candidates})
    raise UsageError(
        f"unknown rubric {rubric_id!r}; known rubrics: {', '.join(known) or 'none'} "
        "(or give a rubric file with --rubric)"
    )
