"""A real wheel, installed into a fresh virtual environment: the install a user gets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    (path,) = out.glob("qiappraise-*.whl")
    return path


def test_wheel_carries_rubrics_and_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "qiappraise/rubrics/critical-engagement.yaml" in names
    assert "qiappraise/templates/report.md.j2" in names
    assert "qiappraise/templates/report.html.j2" in names
    assert "qiappraise/py.typed" in names
    snapshots = [n for n in names if n.startswith("qiappraise/rubric/snapshots/")]
    assert len(snapshots) == 1 and snapshots[0].endswith(".json"), snapshots


def test_installed_wheel_scores_an_example(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        timeout=600,
    )
    # Run from an empty folder so nothing can come from the source checkout.
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "QIAPPRAISE_RUBRICS")}
    exe = env_dir / "bin" / "qiappraise"
    result = subprocess.run(
        [str(exe), "score", str(ROOT / "examples" / "cypic.yaml"), "--format", "json"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    (doc,) = json.loads(result.stdout)
    assert doc["band"] == "reform"

    def installed(code: str) -> list[str]:
        """What ``code`` prints, run by the installed Python away from the checkout."""
        done = subprocess.run(
            [str(py), "-c", code], cwd=work, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout.split()

    where = installed(
        "import qiappraise.base.resources as r; print(r.rubrics_dir()); print(r.templates_dir())"
    )
    assert all(str(env_dir) in w for w in where), where
    report = subprocess.run(
        [
            str(py),
            "-m",
            "qiappraise",
            "report",
            str(ROOT / "examples" / "cypic.yaml"),
            "--format",
            "html",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert report.returncode == 0, report.stderr
    assert report.stdout.startswith("<!DOCTYPE html>")
    # The installed rubric is rebuilt from its snapshot: no validator is built.
    snapshot_used = installed(
        "from qiappraise.rubric.read import find_rubric, read_rubric\n"
        "from qiappraise.rubric.model import Rubric\n"
        "loaded = read_rubric(find_rubric('critical-engagement'))\n"
        "print(loaded.rubric.id, Rubric.__pydantic_complete__)"
    )
    assert snapshot_used == ["critical-engagement", "False"]
