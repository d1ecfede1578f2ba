"""What start-up imports (not how long it takes: that is benchmarks/bench_startup.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qiappraise.cli.app import COMMAND_MODULES

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("typer", "click", "pydantic", "yaml", "jinja2", "rich", "questionary", "prompt_toolkit")


def _run_main(*argv: str, before: str = "", after: str = "report = None") -> tuple[Any, str]:
    """Run the console script's ``main`` with ``argv`` in a fresh interpreter.

    ``before`` runs first; ``after`` runs once ``main`` has ended (its exit
    code is ``code``) and sets ``report``, which comes back decoded from JSON,
    with what the command printed.
    """
    code = (
        "import gc, json, sys\n"
        f"sys.argv = ['qiappraise', *{list(argv)!r}]\n"
        f"{before}\n"
        "from qiappraise.cli.entry import main\n"
        "code = 0\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        f"{after}\n"
        "sys.stderr.write('\\n' + json.dumps(report))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    lines = result.stderr.strip().splitlines()
    assert lines, result
    return json.loads(lines[-1]), result.stdout


def _modules_after(*argv: str) -> set[str]:
    modules, _ = _run_main(*argv, after="report = sorted(sys.modules)")
    return set(modules)


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
    (code, built, emoji), _ = _run_main(
        "score",
        str(ROOT / "examples" / "cypic.yaml"),
        after=(
            "from qiappraise.rubric import snapshot\n"
            "built = sorted(n for n, c in snapshot.MODELS.items() if c.__pydantic_complete__)\n"
            "report = [code, built, 'rich._emoji_codes' in sys.modules]"
        ),
    )
    assert (code, built, emoji) == (0, [], False)


def test_the_entry_point_freezes_start_up_and_collects_during_the_command() -> None:
    # What cli.entry tells the garbage collector: off while the command line
    # is imported, start-up frozen, collecting as usual while the command
    # runs, and everything frozen at the end so exit skips a full collection.
    seen, out = _run_main(
        "score",
        str(ROOT / "examples" / "cypic.yaml"),
        before=(
            "import qiappraise.load.pipeline as pipeline\n"
            "real = pipeline.appraise_file\n"
            "seen = {}\n"
            "def spy(*a, **k):\n"
            "    seen.update(enabled=gc.isenabled(), frozen=gc.get_freeze_count())\n"
            "    return real(*a, **k)\n"
            "pipeline.appraise_file = spy\n"
            # notes the collector's state as main() imports the command line
            "class Watch:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'qiappraise.cli.app':\n"
            "            seen['importing'] = gc.isenabled()\n"
            "        return None\n"
            "sys.meta_path.insert(0, Watch())"
        ),
        after="report = {**seen, 'code': code, 'after': gc.get_freeze_count()}",
    )
    assert seen["code"] == 0, seen
    assert seen["importing"] is False
    assert seen["enabled"] is True
    assert seen["frozen"] > 1000  # the modules, classes and app built at start-up
    assert seen["after"] > seen["frozen"]  # what the command built, frozen for exit
    assert "Critical engagement:" in out


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
    (code, enabled), out = _run_main("--version", after="report = [code, gc.isenabled()]")
    assert out.startswith("qiappraise ")
    assert (code, enabled) == (0, True)
