"""Every rendered report passes real validators (slow: Java and a browser)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from qiappraise.load.pipeline import load_proposal, resolve
from qiappraise.load.rubric import load_rubric
from qiappraise.rendering.report import render
from qiappraise.rubric.model import Rubric
from qiappraise.scoring.appraisal import Appraisal
from qiappraise.scoring.score import score

from .conftest import MINI_RUBRIC, proposal_text
from .test_report import _write
from .validators import axe_violations, dump, markdownlint_errors, vnu_errors

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

pytestmark = pytest.mark.slow


def _built(folder: Path) -> dict[str, tuple[Appraisal, Rubric]]:
    """Appraisals the examples may not show: every status, open findings, no placement."""
    out = {}
    for name, path in {
        # Provisional, not sure, a claim without evidence, an answer that may not
        # apply yet, a placement that differs, open findings (on questions and
        # on a dimension not known yet).
        "provisional": _write(
            folder,
            {"limits_named": "not-sure", "change_scope": "system", "self_position": "reform"},
            drop=("purpose_driver", "sustain_owner", "dim_patient_centred", "dim_equitable"),
            notes={"aim_setters": "", "position_chosen": ""},
            name="provisional.yaml",
        ),
        "complete": _write(folder, name="complete.yaml"),
    }.items():
        proposal, loaded = resolve(path)
        out[name] = (score(loaded.rubric, proposal, sha256=loaded.sha256), loaded.rubric)
    mini = load_rubric(MINI_RUBRIC).rubric
    path = folder / "mini.yaml"
    path.write_text(proposal_text({"outcome": True, "scope": "system"}), encoding="utf-8")
    out["mini"] = (score(mini, load_proposal(path, mini)), mini)
    return out


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path_factory.mktemp("reports")
    appraisals = {}
    for example in EXAMPLES:
        proposal, loaded = resolve(example)
        appraisals[example.stem] = (
            score(loaded.rubric, proposal, sha256=loaded.sha256),
            loaded.rubric,
        )
    appraisals.update(_built(tmp_path_factory.mktemp("built")))
    files: dict[str, list[Path]] = {"md": [], "html": []}
    for stem, (appraisal, rubric) in appraisals.items():
        for fmt in ("md", "html"):
            path = out / f"{stem}.{fmt}"
            path.write_text(render(appraisal, rubric, fmt), encoding="utf-8")
            files[fmt].append(path)
    return files


def test_html_reports_pass_the_nu_checker(rendered: dict[str, list[Path]]) -> None:
    assert len(rendered["html"]) == len(EXAMPLES) + 3
    assert vnu_errors(rendered["html"]) == ""


def test_html_reports_have_no_axe_violations(rendered: dict[str, list[Path]]) -> None:
    found = axe_violations(rendered["html"])
    assert found == {}, dump(found)


def test_markdown_reports_pass_markdownlint(rendered: dict[str, list[Path]]) -> None:
    assert markdownlint_errors(rendered["md"]) == ""


def test_markdown_reports_parse_as_commonmark(rendered: dict[str, list[Path]]) -> None:
    md = MarkdownIt("commonmark").enable("table")
    for path in rendered["md"]:
        tokens = md.parse(path.read_text(encoding="utf-8"))
        kinds = [t.type for t in tokens]
        assert "table_open" in kinds
        assert "html_block" not in kinds and "html_inline" not in kinds
        assert kinds.count("heading_open") >= 8


def test_validators_catch_broken_output(tmp_path: Path) -> None:
    """The validators themselves can fail: a broken page and a bad Markdown file."""
    bad_html = tmp_path / "bad.html"
    bad_html.write_text("<!DOCTYPE html><html><head></head><body><p><div></p></body></html>")
    assert vnu_errors([bad_html]) != ""
    bad_md = tmp_path / "bad.md"
    bad_md.write_text("# A\n# A\ntext  \n")
    assert markdownlint_errors([bad_md]) != ""
    low_contrast = tmp_path / "contrast.html"
    low_contrast.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main>'
        '<p style="color:#eeeeee;background:#ffffff">faint</p><img src="data:,"></main></body></html>'
    )
    assert axe_violations([low_contrast]) != {}


def test_hostile_report_is_still_valid_html(tmp_path: Path) -> None:
    """Payloads in every user field leave the HTML valid and accessible."""
    from .test_security import hostile_proposal

    proposal, loaded = resolve(hostile_proposal(tmp_path))
    appraisal = score(loaded.rubric, proposal, sha256=loaded.sha256)
    page = tmp_path / "hostile.html"
    page.write_text(render(appraisal, loaded.rubric, "html"), encoding="utf-8")
    assert vnu_errors([page]) == ""
    found = axe_violations([page])
    assert found == {}, dump(found)
