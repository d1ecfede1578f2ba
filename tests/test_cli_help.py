"""Every command has help with an example, and is documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from qiappraise.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands() -> list[list[str]]:
    root = get_command(app)
    out: list[list[str]] = []

    def walk(cmd: object, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            out.append(path)

    walk(root, [])
    return out


COMMANDS = _commands()


def test_commands_found() -> None:
    assert ["score"] in COMMANDS
    assert ["rubric", "validate"] in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_command_has_help_with_example(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "Example: qiappraise " + " ".join(path) in " ".join(result.output.split())
    short = CliRunner().invoke(app, [*path, "-h"], terminal_width=100)
    assert short.exit_code == 0


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_command_in_readme(path: list[str]) -> None:
    assert f"`qiappraise {' '.join(path)}" in README


def test_version() -> None:
    from qiappraise import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"qiappraise {__version__}"


def test_no_arguments_shows_help() -> None:
    result = CliRunner().invoke(app, [])
    assert "Usage:" in result.output
