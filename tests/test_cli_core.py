"""The core commands through typer's CliRunner, at a fixed terminal width."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from qiappraise import __version__
from qiappraise.cli.app import app

from .conftest import FIXTURES, MINI_FULL, MINI_RUBRIC, MakeProposal, WriteYaml

ENV = {"COLUMNS": "100", "NO_COLOR": "1", "QIAPPRAISE_DEBUG": None, "QIAPPRAISE_RUBRIC": None}


def run(*args: str | Path, env: dict[str, str | None] | None = None) -> Result:
    # This typer's CliRunner keeps stderr apart: result.stdout / result.stderr.
    return CliRunner().invoke(
        app, [str(a) for a in args], env={**ENV, **(env or {})}, terminal_width=100
    )


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"qiappraise {__version__}\n"
    assert result.stderr == ""


def test_no_arguments_shows_help() -> None:
    result = run()
    assert "score" in result.output and "rubric" in result.output


def test_score_text() -> None:
    result = run("score", "--rubric", MINI_RUBRIC, MINI_FULL)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Full marks"
    assert "100/100" in result.stdout
    assert "Reform" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour off a terminal
    assert result.stderr == ""


def test_score_finds_the_rubric_by_id() -> None:
    result = run("score", "-f", "json", MINI_FULL, env={"QIAPPRAISE_RUBRICS": str(FIXTURES)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["rubric"]["id"] == "mini"


def test_score_json_in_input_order(proposal: MakeProposal) -> None:
    low = proposal(_name="low.yaml", _title="Low", driver="target", outcome=False)
    result = run("score", "--format", "json", "--rubric", MINI_RUBRIC, MINI_FULL, low)
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)
    assert isinstance(docs, list)
    assert [d["file"] for d in docs] == [str(MINI_FULL), str(low)]
    assert [d["project"]["title"] for d in docs] == ["Full marks", "Low"]
    # low: purpose (0 + 0 + 0) / 5 = 0; reach unanswered earns nothing -> overall 0
    assert [d["score"] for d in docs] == [100.0, 0.0]
    assert docs[1]["band"] is None  # no position answer: not placed
    assert [d["provisional"] for d in docs] == [False, True]
    assert result.stderr == ""
    # Reversed input, reversed output.
    again = run("score", "--format", "json", "--rubric", MINI_RUBRIC, low, MINI_FULL)
    assert [d["file"] for d in json.loads(again.stdout)] == [str(low), str(MINI_FULL)]


def test_invalid_proposal_is_one_line_per_problem(tmp_path: Path, write_yaml: WriteYaml) -> None:
    bad = write_yaml(
        tmp_path,
        "bad.yaml",
        "rubric: {id: mini, version: 1.2.0}\n"
        "project: {title: T}\n"
        "answers:\n"
        "  driver: x\n"
        "  cycles: 99\n",
    )
    result = run("score", "--rubric", MINI_RUBRIC, bad)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {bad}:4: answers.driver: 'x' is not one of: target, need, unsure",
        f"error: {bad}:5: answers.cycles: 99 is out of range; a whole number from 0 to 50",
    ]
    assert "Traceback" not in result.output


def test_invalid_yaml(tmp_path: Path, write_yaml: WriteYaml) -> None:
    bad = write_yaml(tmp_path, "dup.yaml", "rubric: mini\nrubric: mini\n")
    result = run("score", "--rubric", MINI_RUBRIC, bad)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {bad}:2: duplicate key 'rubric' (first given on line 1); "
        "each key may appear once\n"
    )
    assert "Traceback" not in result.output


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = run("score", "--rubric", MINI_RUBRIC, missing)
    assert result.exit_code == 2
    assert result.stderr == f"error: {missing}: no such file\n"
    assert "Traceback" not in result.output


def test_unknown_rubric_id(proposal: MakeProposal, tmp_path: Path) -> None:
    path = proposal()
    empty = tmp_path / "no-rubrics"
    empty.mkdir()
    result = run("score", path, env={"QIAPPRAISE_RUBRICS": str(empty)})
    assert result.exit_code == 2
    # The proposal names the rubric, so the error points at that line.
    assert result.stderr.startswith(
        f"error: {path}:2: rubric.id: unknown rubric 'mini'; known rubrics: "
    )


def test_unexpected_error_says_it_is_a_bug(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import qiappraise.load.pipeline

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(qiappraise.load.pipeline, "appraise_file", boom)
    result = run("score", MINI_FULL)
    assert result.exit_code == 70
    assert result.stderr.startswith("internal error: RuntimeError: boom. This is a bug")
    assert "Traceback" not in result.output


def test_rubric_validate_broken(tmp_path: Path, write_yaml: WriteYaml) -> None:
    text = MINI_RUBRIC.read_text().replace("    weight: 40", "    weight: 30")
    text = text.replace("concerns: [groups]", "concerns: [group]")
    broken = write_yaml(tmp_path, "broken.yaml", text)
    result = run("rubric", "validate", broken, MINI_RUBRIC)
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{broken}:18: section weights add up to 90, they must add up to 100",
        f"{broken}:115: finding MI003: concerns unknown question 'group'",
        f"{MINI_RUBRIC}: ok (mini 1.2.0: 2 sections, 7 questions, 3 findings)",
    ]


def test_rubric_validate_ok() -> None:
    result = run("rubric", "validate", MINI_RUBRIC)
    assert result.exit_code == 0
    assert result.stdout == f"{MINI_RUBRIC}: ok (mini 1.2.0: 2 sections, 7 questions, 3 findings)\n"


def test_rubric_validate_unreadable(tmp_path: Path) -> None:
    result = run("rubric", "validate", tmp_path / "gone.yaml")
    assert result.exit_code == 2
    assert result.stdout == f"{tmp_path / 'gone.yaml'}: no such file\n"


def test_rubric_schema() -> None:
    result = run("rubric", "schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "qiappraise rubric"
    assert {"id", "version", "sections", "findings"} <= set(schema["properties"])


def test_rubric_show_path() -> None:
    result = run("rubric", "show", MINI_RUBRIC)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Mini rubric for tests"
    for qid in ("driver", "target_name", "outcome", "story", "scope", "groups", "cycles"):
        assert qid in result.stdout
    assert result.stderr == ""


def test_a_bad_option_is_one_line() -> None:
    result = run("report", str(MINI_FULL), "--format", "pdf")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "error: Invalid value for '--format' / '-f': 'pdf' is not one of 'md', 'html'. "
        "(see: qiappraise report --help)"
    ]
