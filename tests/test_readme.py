"""The README keeps what the bundled rubric's error message points to.

The findings reference that used to be generated here now lives in
docs/findings.md, generated with cog and checked by tests/test_docs.py.
"""

from __future__ import annotations

from pathlib import Path

from qiappraise import load_rubric

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def test_upgrading_section_is_where_the_error_points() -> None:
    rubric = load_rubric(ROOT / "rubrics" / "critical-engagement.yaml").rubric
    text = README.read_text(encoding="utf-8")
    assert "'Upgrading from rubric 1.x' in the README" in rubric.upgrade
    assert "\n### Upgrading from rubric 1.x\n" in text


def test_the_readme_is_short() -> None:
    # Issue 15: what and why, the quick start, the roles and links; the rest is in docs/.
    assert len(README.read_text(encoding="utf-8")) <= 15_000


def test_the_quick_start_commands_are_what_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    install = (
        "python3 -m venv .venv && .venv/bin/pip install . && "
        ".venv/bin/qiappraise score examples/poverty-screening.yaml"
    )
    tests = "bash .ci/setup && .venv/bin/python -m pytest"
    assert f"```sh\n{install}\n```\n" in text
    assert f"```sh\n{tests}\n```\n" in text
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
