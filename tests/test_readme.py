"""README sections that are generated from the bundled rubric, so they cannot drift.

The findings reference (SARIF results link to it) is rendered from
`rubrics/critical-engagement.yaml`; `pytest --update-goldens` rewrites it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qiappraise.base.resources import rubrics_dir
from qiappraise.load.rubric import load_rubric
from qiappraise.rubric.model import Rubric

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START = "<!-- findings reference: generated from the rubric by tests/test_readme.py -->\n"
END = "<!-- end of findings reference -->\n"


def _one(fid: str, severity: str, title: str, message: str, suggestion: str) -> str:
    flat = " ".join(message.split())
    hint = " ".join(suggestion.split())
    return f"### {fid}\n\n**{title}** ({severity}). {flat}\n*Suggestion:* {hint}\n"


def render(rubric: Rubric) -> str:
    parts = [_one(f.id, f.severity, f.title, f.message, f.suggestion) for f in rubric.findings]
    auto = rubric.auto_findings
    for spec in (auto.unsure, auto.unevidenced, auto.placement):
        if spec is not None:
            parts.append(_one(spec.id, spec.severity, spec.title, spec.message, spec.suggestion))
    return START + "\n" + "\n".join(parts) + "\n" + END


def test_findings_reference_matches_the_rubric(request: pytest.FixtureRequest) -> None:
    rubric = load_rubric(rubrics_dir() / "critical-engagement.yaml").rubric
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    expected = head + render(rubric) + tail
    if request.config.getoption("--update-goldens"):
        README.write_text(expected, encoding="utf-8")
        text = expected
    assert text == expected, "README findings reference is stale: run pytest --update-goldens"


def test_upgrading_section_is_where_the_error_points() -> None:
    rubric = load_rubric(rubrics_dir() / "critical-engagement.yaml").rubric
    text = README.read_text(encoding="utf-8")
    assert "'Upgrading from rubric 1.x' in the README" in rubric.upgrade
    assert "\n### Upgrading from rubric 1.x\n" in text
