"""What start-up imports (not how long it takes: that is benchmarks/bench_startup.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qiappraise.cli.app import COMMAND_MODULES

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("typer", "click", "pydantic", "yaml", "jinja2", "rich", "questionary", "prompt_toolkit")


def _modules_after(*argv: str) -> set[str]:
    code = (
        "import json, sys\n"
        f"sys.argv = ['qiappraise', *{list(argv)!r}]\n"
        "from qiappraise.cli.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY}


def test_version_imports_nothing_heavy() -> None:
    modules = _modules_after("--version")
    assert _heavy(modules) == set()
    assert {m for m in modules if m.startswith("qiappraise")} == {
        "qiappraise",
        "qiappraise.base",  # a docstring, and base.version: one literal
        "qiappraise.base.version",
        "qiappraise.cli",  # the package's __init__ is only its docstring
        "qiappraise.cli.entry",
        "qiappraise.cli.signals",
    }


def test_help_does_not_import_the_machinery() -> None:
    heavy = {m.split(".")[0] for m in _heavy(_modules_after("--help"))}
    # typer (and the click it vendors) draw the help; nothing else is needed for it.
    assert heavy <= {"typer", "click"}, heavy


def test_score_does_not_import_reports_or_prompts() -> None:
    modules = _modules_after("score", str(ROOT / "examples" / "cypic.yaml"))
    assert "qiappraise.scoring.score" in modules  # it did score
    roots = {m.split(".")[0] for m in modules}
    assert not roots & {"jinja2", "questionary", "prompt_toolkit"}
    assert (
        "qiappraise.rendering.report" not in modules
        and "qiappraise.interactive.appraise" not in modules
    )


def test_a_command_loads_only_its_own_module() -> None:
    modules = _modules_after("score", str(ROOT / "examples" / "cypic.yaml"))
    commands = {m for m in modules if m.startswith("qiappraise.cli.commands.")}
    assert commands == {"qiappraise.cli.commands.score"}
    # The list of commands needs them all.
    listed = _modules_after("--help")
    assert {m for m in listed if m.startswith("qiappraise.cli.commands.")} == {
        f"qiappraise.cli.commands.{name}" for name in COMMAND_MODULES
    }


def test_score_on_the_bundled_rubric_builds_no_validator() -> None:
    # The bundled rubric comes from its snapshot (qiappraise.rubric.snapshot):
    # no rubric model's validator is built, and rich's emoji table is never read.
    code = (
        "import json, sys\n"
        f"sys.argv = ['qiappraise', 'score', {str(ROOT / 'examples' / 'cypic.yaml')!r}]\n"
        "from qiappraise.cli.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "from qiappraise.rubric import snapshot\n"
        "built = sorted(n for n, c in snapshot.MODELS.items() if c.__pydantic_complete__)\n"
        "sys.stderr.write(json.dumps([built, 'rich._emoji_codes' in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    built, emoji = json.loads(result.stderr.strip().splitlines()[-1])
    assert (built, emoji) == ([], False)


def test_the_entry_point_freezes_start_up_and_collects_during_the_command() -> None:
    # What cli.entry tells the garbage collector: off while the command line
    # is imported, start-up frozen, collecting as usual while the command
    # runs, and everything frozen at the end so exit skips a full collection.
    code = (
        "import gc, json, sys\n"
        f"sys.argv = ['qiappraise', 'score', {str(ROOT / 'examples' / 'cypic.yaml')!r}]\n"
        "import qiappraise.load.pipeline as pipeline\n"
        "real = pipeline.appraise_file\n"
        "seen = {}\n"
        "def spy(*a, **k):\n"
        "    seen.update(enabled=gc.isenabled(), frozen=gc.get_freeze_count())\n"
        "    return real(*a, **k)\n"
        "pipeline.appraise_file = spy\n"
        "class Watch:\n"  # notes the collector's state as main() imports the command line
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'qiappraise.cli.app':\n"
        "            seen['importing'] = gc.isenabled()\n"
        "        return None\n"
        "sys.meta_path.insert(0, Watch())\n"
        "from qiappraise.cli.entry import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    seen['code'] = exc.code\n"
        "seen.update(after=gc.get_freeze_count(), enabled_after=gc.isenabled())\n"
        "sys.stderr.write(json.dumps(seen))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    seen = json.loads(result.stderr.strip().splitlines()[-1])
    assert seen["code"] == 0, result.stderr
    assert seen["importing"] is False
    assert seen["enabled"] is True
    assert seen["frozen"] > 1000  # the modules, classes and app built at start-up
    assert seen["after"] > seen["frozen"]  # what the command built, frozen for exit
    assert "Critical engagement:" in result.stdout


def test_running_the_app_as_a_library_leaves_the_collector_alone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import gc

    from typer.testing import CliRunner

    from qiappraise.cli import app as cli_app

    example = str(ROOT / "examples" / "cypic.yaml")
    before = (gc.isenabled(), gc.get_freeze_count())
    result = CliRunner().invoke(cli_app.app, ["score", example])
    assert result.exit_code == 0, result.output
    assert (gc.isenabled(), gc.get_freeze_count()) == before
    monkeypatch.setattr(sys, "argv", ["qiappraise", "score", example])
    with pytest.raises(SystemExit) as ended:
        cli_app.main()
    assert ended.value.code == 0
    assert "Critical engagement:" in capsys.readouterr().out
    assert (gc.isenabled(), gc.get_freeze_count()) == before


def test_version_leaves_the_collector_on() -> None:
    code = (
        "import gc, sys\n"
        "sys.argv = ['qiappraise', '--version']\n"
        "from qiappraise.cli.entry import main\n"
        "main()\n"
        "sys.stderr.write(str(gc.isenabled()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.startswith("qiappraise ")
    assert result.stderr.strip().splitlines()[-1] == "True"
