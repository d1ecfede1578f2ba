"""Every command has help with an example, and is documented in docs/cli.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from qiappraise.cli.app import app

CLI_DOCS = (Path(__file__).resolve().parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")


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
def test_command_in_the_cli_reference(path: list[str]) -> None:
    assert f"`qiappraise {' '.join(path)}" in CLI_DOCS


def test_version() -> None:
    from qiappraise import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"qiappraise {__version__}"


def test_no_arguments_shows_help() -> None:
    result = CliRunner().invoke(app, [])
    assert "Usage:" in result.output


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_names_values_as_a_person_reads_them(path: list[str]) -> None:
    # typer shows Python's types: `<list[Path]>`, `--csv <str>`, `{files}...`.
    text = CliRunner().invoke(app, [*path, "--help"], terminal_width=100).output
    usage = text.splitlines()[0]
    assert "{" not in usage and "}" not in usage, usage
    for python in ("<list[", "<str>", "<Path>", "<int", "<float>", "<bool>", "Path]"):
        assert python not in text, (python, text)


def test_help_metavars() -> None:
    def usage(*args: str) -> str:
        return CliRunner().invoke(app, [*args, "--help"], terminal_width=100).output

    assert usage("batch").startswith("Usage: qiappraise batch [OPTIONS] PATH...")
    assert "--csv FILE" in usage("batch") and "-o, --out DIR" in usage("batch")
    assert usage("score").startswith("Usage: qiappraise score [OPTIONS] FILE...")
    assert usage("check").startswith("Usage: qiappraise check [OPTIONS] [PATH...]")
    assert "--fail-under SCORE" in usage("check")
    assert usage("compare").startswith("Usage: qiappraise compare [OPTIONS] OLD NEW")
    assert usage("moderate").startswith("Usage: qiappraise moderate [OPTIONS] FIRST SECOND")


def test_the_registry_lists_what_each_module_registers() -> None:
    import importlib

    import typer

    from qiappraise.cli.app import COMMAND_MODULES

    for module, names in COMMAND_MODULES.items():
        probe = typer.Typer()
        probe.callback()(lambda: None)
        importlib.import_module(f"qiappraise.cli.commands.{module}").register(probe)
        assert tuple(get_command(probe).commands) == names, module  # type: ignore[attr-defined]
    listed = [name for names in COMMAND_MODULES.values() for name in names]
    assert listed == list(get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("extra", [["--help"], ["--no-such-option"]], ids=["help", "bad-option"])
def test_a_command_reads_the_same_alone_as_in_the_whole_app(
    path: list[str], extra: list[str]
) -> None:
    # A run builds only the command it names (cli.app.app_for); what it
    # prints must not show that.
    from qiappraise.cli.app import app_for

    alone = app_for([*path, *extra])
    assert alone is not app
    whole = CliRunner().invoke(app, [*path, *extra], terminal_width=100)
    single = CliRunner().invoke(alone, [*path, *extra], terminal_width=100)
    assert (single.exit_code, single.output) == (whole.exit_code, whole.output)


@pytest.mark.parametrize("args", [[], ["--help"], ["scor"], ["--version"], ["-V", "score"]])
def test_anything_but_a_command_gets_the_whole_app(args: list[str]) -> None:
    from qiappraise.cli.app import app_for

    assert app_for(args) is app
