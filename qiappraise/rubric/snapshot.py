"""Snapshots: a validated rubric kept as data, so known bytes are not validated again.

Every command reads a rubric, and for the bundled one that was about a third
of what ``score`` adds to the bare cost of a typer command: reading YAML with
the line of every value, checking its text, and pydantic building and running
the validators of 26 models. For rubric text whose SHA-256 names a snapshot
shipped here, the model is rebuilt from the snapshot with pydantic's
``model_construct`` instead, in about 3 ms; any other text (an edited copy, a
programme's own rubric) is validated as before.

A snapshot holds each model's class name, the fields the file set, and the
field values exactly as validation left them, so the rebuilt rubric is equal to
the validated one field for field. ``tests/test_snapshot.py`` checks that for
every bundled rubric, and fails with the command to run when a rubric or the
model changes:

    .venv/bin/python -m qiappraise.rubric.freeze

A snapshot is a cache: one that is missing, unreadable, of another format,
for other bytes or for another version of the model (its source files'
digest, so a changed default or validator cannot be rebuilt from a stale
snapshot) is ignored and the rubric validated. Only files in this package's
``snapshots`` folder are read, never one beside a user's rubric, and decoding
can only build the registered model classes below, each with exactly its
fields.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import conditions, model

#: Bumped whenever the encoding below changes; a snapshot of another format is ignored.
FORMAT = 1

SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshots"

#: Every class a snapshot may name: the rubric's models and its conditions'.
#: Explicit, so a snapshot can build nothing else; tests/test_snapshot.py checks
#: that no model is missing.
MODELS: dict[str, type[BaseModel]] = {
    cls.__name__: cls
    for cls in (
        model.Source,
        model.Dimension,
        model.Band,
        model.Spectrum,
        model.Choice,
        model.TextQuestion,
        model.ChoiceQuestion,
        model.ScaleQuestion,
        model.YesNoOutcome,
        model.YesNoQuestion,
        model.NumberStep,
        model.NumberQuestion,
        model.Cap,
        model.Section,
        model.Finding,
        model.AutoFinding,
        model.AutoFindings,
        model.Rubric,
        conditions.QuestionCondition,
        conditions.DimensionCondition,
        conditions.AllCondition,
        conditions.AnyCondition,
        conditions.NotCondition,
    )
}

_HEX64 = re.compile(r"[0-9a-f]{64}")
_CLASS = "$model"
_SET = "$set"
_FIELDS = "$fields"


class SnapshotError(ValueError):
    """A value a snapshot cannot hold (raised when writing, never when reading)."""


def path_for(sha256: str) -> Path:
    """Where the snapshot of the rubric text with this SHA-256 lives."""
    return SNAPSHOT_DIR / f"{sha256}.json"


def model_digest() -> str | None:
    """SHA-256 of the model's source files (None: not readable, so no snapshot is used)."""
    digest = hashlib.sha256()
    for module in (model, conditions):
        try:
            digest.update(Path(module.__file__ or "").read_bytes())
        except OSError:
            return None
    return digest.hexdigest()


def encode(rubric: model.Rubric, sha256: str) -> str:
    """The snapshot text of ``rubric``, the validated model of text with ``sha256``."""
    doc = {
        "format": FORMAT,
        "sha256": sha256,
        "model": model_digest(),
        "rubric": _encode(rubric),
    }
    # Indented, so that a change to the rubric shows as a readable diff.
    return json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def _encode(value: Any) -> Any:
    if isinstance(value, BaseModel):
        name = type(value).__name__
        if MODELS.get(name) is not type(value):
            raise SnapshotError(f"{name} is not a registered rubric model")
        return {
            _CLASS: name,
            _SET: sorted(value.model_fields_set),
            _FIELDS: {name: _encode(getattr(value, name)) for name in type(value).model_fields},
        }
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise SnapshotError("only text keys survive JSON")
        if _CLASS in value:
            raise SnapshotError(f"a mapping with the key {_CLASS!r} would read back as a model")
        return {key: _encode(item) for key, item in value.items()}
    if value is None or type(value) in (str, int, float, bool):
        return value
    # A tuple, set or enum would come back from JSON as something else.
    raise SnapshotError(f"a {type(value).__name__} does not survive JSON")


def load(sha256: str) -> model.Rubric | None:
    """The rubric rebuilt from its snapshot, or None when there is no usable one."""
    if not _HEX64.fullmatch(sha256):
        return None  # a digest names a file in SNAPSHOT_DIR, never a path elsewhere
    try:
        doc = json.loads(path_for(sha256).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not (isinstance(doc, dict) and doc.get("format") == FORMAT and doc.get("sha256") == sha256):
        return None
    if doc.get("model") is None or doc.get("model") != model_digest():
        return None
    try:
        rubric = _decode(doc.get("rubric"))
    except Exception:  # a damaged cache is no cache: the rubric is validated instead
        return None
    return rubric if isinstance(rubric, model.Rubric) else None


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        name = value.get(_CLASS)
        if name is None:
            return {key: _decode(item) for key, item in value.items()}
        cls = MODELS[name]
        given = value[_FIELDS]
        if given.keys() != cls.model_fields.keys():
            raise SnapshotError(f"{name} with other fields than the model's")
        fields = {key: _decode(item) for key, item in given.items()}
        return cls.model_construct(set(value[_SET]), **fields)
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value
