"""Rubric snapshots: the bundled rubric rebuilt without validation is the validated one."""

from __future__ import annotations

import inspect
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from qiappraise.base.errors import ProblemsError
from qiappraise.base.resources import rubrics_dir
from qiappraise.rubric import conditions, model, read, snapshot
from qiappraise.rubric.read import read_rubric

REGENERATE = "run: .venv/bin/python -m qiappraise.rubric.freeze"
BUNDLED = sorted(rubrics_dir().glob("*.yaml"))


def _same(a: Any, b: Any, where: str = "rubric") -> None:
    """``a`` and ``b`` alike down to the type of every value and the fields each model set."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, BaseModel):
        assert a.model_fields_set == b.model_fields_set, f"{where}: fields set differ"
        for name in type(a).model_fields:
            _same(getattr(a, name), getattr(b, name), f"{where}.{name}")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{where}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{where}: keys differ"
        for key in a:
            _same(a[key], b[key], f"{where}.{key}")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_bundled_rubric_has_a_current_snapshot(path: Path) -> None:
    validated = read_rubric(path, snapshot=False)
    shipped = snapshot.path_for(validated.sha256)
    assert shipped.is_file(), f"no snapshot for {path.name}; {REGENERATE}"
    expected = snapshot.encode(validated.rubric, validated.sha256)
    assert shipped.read_text(encoding="utf-8") == expected, f"stale snapshot; {REGENERATE}"


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_the_rebuilt_rubric_is_the_validated_one(path: Path) -> None:
    validated = read_rubric(path, snapshot=False)
    rebuilt = snapshot.load(validated.sha256)
    assert rebuilt is not None
    _same(rebuilt, validated.rubric)
    assert rebuilt == validated.rubric
    assert rebuilt.model_dump_json() == validated.rubric.model_dump_json()
    # Derived views (cached properties) are computed from the fields, so they agree too.
    assert rebuilt.level_ranks == validated.rubric.level_ranks
    first = rebuilt.sections[0].questions[0]
    assert first == validated.rubric.sections[0].questions[0]


def test_no_snapshot_is_left_without_its_rubric() -> None:
    current = {read_rubric(p, snapshot=False).sha256 for p in BUNDLED}
    shipped = {p.stem for p in snapshot.SNAPSHOT_DIR.glob("*.json")}
    assert shipped == current, REGENERATE


def test_the_registry_names_every_rubric_model() -> None:
    defined = {
        cls
        for module in (model, conditions)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, BaseModel)
        and cls.__module__ == module.__name__
        and not cls.__name__.startswith("_")
    }
    assert defined == set(snapshot.MODELS.values())
    assert all(name == cls.__name__ for name, cls in snapshot.MODELS.items())


def test_reading_the_bundled_rubric_validates_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any) -> Any:
        raise AssertionError("validated although a snapshot exists")

    monkeypatch.setattr(read, "validate", refuse)
    loaded = read_rubric(BUNDLED[0])
    assert loaded.rubric.id == "critical-engagement"
    # The line of every value is still there for whoever asks (lint does).
    assert loaded.located.line(("sections", 0, "questions", 0)) is not None
    with pytest.raises(AssertionError, match="validated although"):
        read_rubric(BUNDLED[0], snapshot=False)


def test_an_edited_copy_is_validated_and_its_errors_located(tmp_path: Path) -> None:
    text = BUNDLED[0].read_text(encoding="utf-8")
    copy = tmp_path / "copy.yaml"
    copy.write_text(text, encoding="utf-8")
    assert read_rubric(copy).rubric == read_rubric(BUNDLED[0]).rubric  # same bytes: same model
    broken = text.replace("version: 2.0.0", "version: two", 1)
    assert broken != text
    copy.write_text(broken, encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        read_rubric(copy)
    (problem,) = caught.value.problems
    assert problem.line is not None and "version" in str(problem)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda doc: {**doc, "format": snapshot.FORMAT + 1},
        lambda doc: {**doc, "sha256": "0" * 64},
        lambda doc: {**doc, "rubric": {"$model": "Path", "$set": [], "$fields": {}}},
        lambda doc: {**doc, "rubric": {"$model": "Source", "$set": [], "$fields": {}}},
        lambda doc: {**doc, "rubric": {"$model": "Rubric"}},
        lambda doc: {**doc, "rubric": {**doc["rubric"], "$fields": {"id": "x"}}},
        lambda doc: {**doc, "rubric": {**doc["rubric"], "$set": 5}},
        lambda doc: json.dumps(doc).replace('"rubric": {', '"rubric": ' + "[" * 10**5 + "{", 1),
        lambda doc: {**doc, "model": "0" * 64},
        lambda doc: {key: value for key, value in doc.items() if key != "model"},
        lambda doc: [doc],
    ],
    ids=[
        "format",
        "digest",
        "unregistered",
        "not-a-rubric",
        "no-fields",
        "missing-fields",
        "bad-set",
        "deep",
        "other-model",
        "no-model",
        "not-a-mapping",
    ],
)
def test_an_unusable_snapshot_is_ignored(
    mangle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sha = read_rubric(BUNDLED[0], snapshot=False).sha256
    shutil.copytree(snapshot.SNAPSHOT_DIR, tmp_path / "snapshots")
    monkeypatch.setattr(snapshot, "SNAPSHOT_DIR", tmp_path / "snapshots")
    target = snapshot.path_for(sha)
    assert snapshot.load(sha) is not None  # the copy works before it is spoiled
    spoiled = mangle(json.loads(target.read_text()))
    target.write_text(
        spoiled if isinstance(spoiled, str) else json.dumps(spoiled), encoding="utf-8"
    )
    assert snapshot.load(sha) is None
    target.write_text("{not json", encoding="utf-8")
    assert snapshot.load(sha) is None
    target.unlink()
    assert snapshot.load(sha) is None
    # Whatever is wrong with the cache, the rubric is still read: by validating it.
    assert read_rubric(BUNDLED[0]).rubric.id == "critical-engagement"


def test_a_changed_model_source_sets_the_snapshot_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A changed default or validator must not be rebuilt from a snapshot of
    # the old model: the snapshot names the model's source by its digest.
    sha = read_rubric(BUNDLED[0], snapshot=False).sha256
    assert snapshot.load(sha) is not None
    source = tmp_path / "model.py"
    source.write_text(Path(model.__file__).read_text() + "\n# changed\n")
    monkeypatch.setattr(model, "__file__", str(source))
    assert snapshot.load(sha) is None
    monkeypatch.setattr(model, "__file__", str(tmp_path / "gone.py"))
    assert snapshot.model_digest() is None
    assert snapshot.load(sha) is None


@pytest.mark.parametrize("digest", ["../" * 8 + "etc/passwd", "A" * 64, "0" * 63, ""])
def test_only_a_digest_names_a_snapshot(digest: str) -> None:
    assert snapshot.load(digest) is None


@pytest.mark.parametrize("value", [(1, 2), {1, 2}, Path("x"), {1: "a"}, {"$model": "x"}])
def test_values_json_would_change_are_refused_when_writing(value: Any) -> None:
    with pytest.raises(snapshot.SnapshotError):
        snapshot._encode(value)


def test_freeze_writes_the_snapshots_and_removes_stale_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qiappraise.rubric import freeze

    monkeypatch.setattr(snapshot, "SNAPSHOT_DIR", tmp_path / "snapshots")
    (tmp_path / "snapshots").mkdir()
    stale = tmp_path / "snapshots" / ("0" * 64 + ".json")
    stale.write_text("{}", encoding="utf-8")
    written = freeze.write_all()
    assert not stale.exists()
    assert sorted(p.name for p in written) == sorted(
        p.name for p in (Path(snapshot.__file__).parent / "snapshots").glob("*.json")
    )
    for path in written:
        shipped = Path(snapshot.__file__).parent / "snapshots" / path.name
        assert path.read_bytes() == shipped.read_bytes()


YES_NO_OUTCOMES = [
    {},  # every default: points 0, no label, nothing else
    {"yes": {"points": 2}},
    {"yes": {"points": 2, "label": "Named", "evidence": True}, "no": {"points": None}},
    {"yes": {"spectrum": 1, "dimensions": {"equitable": "primary"}}, "no": {"spectrum": "repair"}},
]


@pytest.mark.parametrize("outcomes", YES_NO_OUTCOMES)
def test_yes_no_choices_are_what_validation_would_make(outcomes: dict[str, Any]) -> None:
    # YesNoQuestion.choices_ builds its Choice objects without validating them.
    q = model.YesNoQuestion.model_validate(
        {"id": "q", "type": "yes_no", "feeds": "score", "prompt": "Q?", **outcomes}
    )
    for built in q.choices_:
        given = {name: getattr(built, name) for name in built.model_fields_set}
        _same(built, model.Choice.model_validate(given))
