"""The GitHub Action's steps, run in order as a runner would, on a folder with an invalid proposal.

A runner is not available here, so this emulates one for what the action
uses: step ``if`` expressions (``inputs``, ``steps.<id>.outcome``,
``!cancelled()``, ``hashFiles``, ``&&``), ``env`` with ``${{ inputs.* }}``,
``GITHUB_OUTPUT`` and the implicit ``success()`` of a step without a status
function. The install step is replaced by the test's own environment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .checkhelpers import ROOT, tool
from .test_check_formats import SARIF_SCHEMA

ACTION = ROOT / "action.yml"
STATUS_FUNCTIONS = ("always()", "cancelled()", "failure()", "success()")


class Runner:
    def __init__(self, inputs: dict[str, str], workspace: Path) -> None:
        action = yaml.safe_load(ACTION.read_text())
        self.inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
        self.inputs.update(inputs)
        self.steps: list[dict[str, Any]] = action["runs"]["steps"]
        self.workspace = workspace
        self.outcomes: dict[str, str] = {}
        self.ran: list[str] = []
        self.failed = False
        self.codes: dict[str, int] = {}

    def value(self, expr: str) -> Any:
        expr = expr.strip()
        if m := re.fullmatch(r"inputs\.([\w-]+)", expr):
            return self.inputs[m.group(1)]
        if m := re.fullmatch(r"steps\.([\w-]+)\.outcome", expr):
            return self.outcomes.get(m.group(1), "")
        if m := re.fullmatch(r"hashFiles\((.+)\)", expr):
            path = self.workspace / str(self.value(m.group(1)))
            return "hash" if path.is_file() else ""
        if m := re.fullmatch(r"'(.*)'", expr):
            return m.group(1)
        if expr == "!cancelled()":
            return True  # nothing is cancelled here
        raise AssertionError(f"the emulated runner does not know {expr!r}")

    def condition(self, raw: Any) -> bool:
        text = str(raw or "").strip()
        if text.startswith("${{") and text.endswith("}}"):
            text = text[3:-2].strip()
        if self.failed and not any(f in text for f in STATUS_FUNCTIONS):
            return False  # the implicit success()
        if not text:
            return True
        for part in text.split("&&"):
            part = part.strip()
            if m := re.fullmatch(r"(.+?)\s*(==|!=)\s*(.+)", part):
                left, op, right = self.value(m.group(1)), m.group(2), self.value(m.group(3))
                if (left == right) != (op == "=="):
                    return False
            elif not self.value(part):
                return False
        return True

    def substitute(self, text: str) -> str:
        return re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: str(self.value(m.group(1))), text)

    def run(self) -> None:
        output = self.workspace / "github_output"
        summary = self.workspace / "step_summary"
        for step in self.steps:
            name = step.get("name", step.get("uses", "?"))
            if not self.condition(step.get("if")):
                continue
            self.ran.append(name)
            if "uses" in step or step.get("id") == "install":
                outcome = "success"  # setup-python, upload-sarif, and our own install
            else:
                env = {
                    **os.environ,
                    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                    "GITHUB_OUTPUT": str(output),
                    "GITHUB_STEP_SUMMARY": str(summary),
                    "GITHUB_ACTIONS": "true",
                    "NO_COLOR": "1",
                    **{k: self.substitute(str(v)) for k, v in step.get("env", {}).items()},
                }
                done = subprocess.run(
                    ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
                    cwd=self.workspace,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                self.codes[name] = done.returncode
                outcome = "success" if done.returncode == 0 else "failure"
            if "id" in step:
                self.outcomes[step["id"]] = outcome
            self.failed = self.failed or outcome == "failure"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    proposals = tmp_path / "proposals"
    proposals.mkdir()
    shutil.copyfile(ROOT / "examples" / "cypic.yaml", proposals / "good.yaml")
    (proposals / "bad.yaml").write_text(
        "rubric: {id: critical-engagement, version: 2.0.0}\nproject: []\n", encoding="utf-8"
    )
    return tmp_path


def test_sarif_is_written_and_uploaded_when_a_proposal_is_invalid(workspace: Path) -> None:
    runner = Runner({"path": "proposals", "sarif": "true"}, workspace)
    runner.run()
    sarif = workspace / "qiappraise.sarif"
    assert sarif.is_file()
    assert runner.codes["SARIF report"] == 2  # invalid input is not hidden by --exit-zero
    assert "Upload SARIF" in runner.ran  # ... and the upload still runs
    assert "Check proposals" in runner.ran  # ... and so does the verdict with its summary
    assert runner.codes["Check proposals"] == 2
    assert (workspace / "step_summary").read_text().strip()
    assert f"file={runner.inputs['sarif-file']}" in (workspace / "github_output").read_text()
    checked = tool("check-jsonschema", "--schemafile", SARIF_SCHEMA, sarif)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_without_sarif_the_check_alone_runs(workspace: Path) -> None:
    runner = Runner({"path": "proposals"}, workspace)
    runner.run()
    assert "SARIF report" not in runner.ran and "Upload SARIF" not in runner.ran
    assert runner.codes["Check proposals"] == 2
    assert not (workspace / "qiappraise.sarif").exists()


def test_the_runner_emulation_skips_steps_after_a_failure() -> None:
    # The emulation's implicit success() is what makes the test above mean something.
    runner = Runner({}, ROOT)
    runner.failed = True
    assert runner.condition("inputs.sarif == 'false'") is False
    assert runner.condition("${{ !cancelled() && inputs.sarif == 'false' }}") is True
