"""Shared fixtures: the mini rubric (every question type) and small file builders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from qiappraise.load.rubric import load_rubric
from qiappraise.rubric.model import Rubric
from qiappraise.rubric.read import LoadedRubric

FIXTURES = Path(__file__).parent / "fixtures"
MINI_RUBRIC = FIXTURES / "mini-rubric.yaml"
MINI_FULL = FIXTURES / "mini-full.yaml"

WriteYaml = Callable[[Path, str, str], Path]
MakeProposal = Callable[..., Path]


def _write_yaml(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def write_yaml() -> WriteYaml:
    """``write_yaml(tmp_path, name, text) -> Path``: one file, written as given."""
    return _write_yaml


@pytest.fixture
def mini_rubric_path() -> Path:
    return MINI_RUBRIC


@pytest.fixture
def mini_loaded(mini_rubric_path: Path) -> LoadedRubric:
    return load_rubric(mini_rubric_path)


@pytest.fixture
def mini(mini_loaded: LoadedRubric) -> Rubric:
    return mini_loaded.rubric


def proposal_text(answers: dict[str, Any], *, title: str = "Test project", **top: Any) -> str:
    """YAML of a proposal answering the mini rubric."""
    data: dict[str, Any] = {
        "rubric": {"id": "mini", "version": "1.2.0"},
        "project": {"title": title},
        "answers": answers,
    }
    data.update(top)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@pytest.fixture
def proposal(tmp_path: Path) -> MakeProposal:
    """``proposal(**answers) -> Path``: a mini proposal file with these answers.

    ``_name``, ``_title``, ``_waivers`` and ``_notes`` set the file name and
    the other top-level parts.
    """
    count = 0

    def make(
        *,
        _name: str | None = None,
        _title: str = "Test project",
        _waivers: list[dict[str, str]] | None = None,
        _notes: dict[str, str] | None = None,
        **answers: Any,
    ) -> Path:
        nonlocal count
        count += 1
        top: dict[str, Any] = {}
        if _notes is not None:
            top["notes"] = _notes
        if _waivers is not None:
            top["waivers"] = _waivers
        text = proposal_text(answers, title=_title, **top)
        return _write_yaml(tmp_path, _name or f"proposal-{count}.yaml", text)

    return make


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="Rewrite tests/golden/* from the current output (review the diff afterwards).",
    )
    parser.addoption(
        "--update-screenshots",
        action="store_true",
        default=False,
        help="Rewrite docs/images/*.png, the docs' screenshots, from the examples.",
    )
