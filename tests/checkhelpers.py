"""Shared helpers of the check tests: running the CLI and the validators it is tested with."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner, Result

from qiappraise.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CHECK_FIXTURES = Path(__file__).parent / "fixtures" / "check"
#: Proposals answering the default rubric (2.0), made up for the tests: a
#: deliberate repair, a stepping stone, an evidenced reform, an unevidenced
#: reform pitch and a provisional draft. The bundled examples are not used:
#: they are checked against the article by their own tests.
CASES = CHECK_FIXTURES / "cases"
REPAIR = CASES / "deliberate-repair.yaml"
STEPPING_STONE = CASES / "stepping-stone.yaml"
REFORM = CASES / "evidenced-reform.yaml"
PITCH = CASES / "reform-pitch.yaml"
PROVISIONAL = CASES / "provisional.yaml"
BIN = Path(sys.executable).parent
ENV = {
    "COLUMNS": "100",
    "NO_COLOR": "1",
    "QIAPPRAISE_DEBUG": None,
    "QIAPPRAISE_RUBRIC": None,
    "QIAPPRAISE_CONFIG": None,
    "QIAPPRAISE_OUTPUT_FORMAT": None,
    "GITHUB_ACTIONS": None,
    "GITHUB_STEP_SUMMARY": None,
}


def run(*args: str | Path, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(
        app, [str(a) for a in args], env={**ENV, **(env or {})}, terminal_width=100
    )


def tool(name: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run a validator installed beside this Python (check-jsonschema, pre-commit)."""
    return subprocess.run(
        [str(BIN / name), *map(str, args)], capture_output=True, text=True, timeout=600
    )
