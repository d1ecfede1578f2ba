"""Reports: golden files, escaping, determinism, the sandbox and atomic output.

Besides the golden files (the article's cases), the tests build their own
proposals against the default rubric (``_write``), so what they assert does
not move when an example's answers do.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from qiappraise.base.errors import InputError, QiAppraiseError
from qiappraise.cli.app import app
from qiappraise.load.pipeline import load_proposal, resolve
from qiappraise.load.rubric import load_rubric
from qiappraise.rendering import charts, jsonout
from qiappraise.rendering.report import band_ranges, context, open_on, render, tidy_markdown
from qiappraise.rubric.model import Rubric
from qiappraise.rubric.read import find_rubric
from qiappraise.scoring.appraisal import Appraisal
from qiappraise.scoring.score import score

from .conftest import MINI_RUBRIC, MakeProposal

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GOLDEN = Path(__file__).parent / "golden"
EPOCH = "1700000000"  # 2023-11-14
DEFAULT = load_rubric(find_rubric("critical-engagement")).rubric

#: A complete, deliberate repair against the default rubric (made up for the
#: tests), with a note behind every claim that needs evidence.
COMPLETE: dict[str, Any] = {
    "purpose_driver": "professional-concern",
    "outcome_named": True,
    "problem_framing": "child-family-outcomes",
    "aim_elements": ["how-much", "by-when", "for-whom", "with-whom"],
    "theory_of_change": "written",
    "views_sought": ["families", "frontline-staff"],
    "value_conflicts": "named",
    "vocation": "discussed-shaped",
    "dim_safe": "primary",
    "dim_effective": "secondary",
    "dim_patient_centred": "secondary",
    "dim_timely": "primary",
    "dim_efficient": "none",
    "dim_equitable": "secondary",
    "dimensions_weighed": "all-six-effects",
    "equity_populations": ["deprivation", "language"],
    "equity_baseline": "done",
    "equity_stratified": True,
    "family_outcomes_measured": "own-outcomes",
    "change_scope": "process",
    "project_ends": "efficiency-safety",
    "aim_setters": "with-feedback",
    "beyond_health": "within",
    "catalyst": "self-contained",
    "purpose_questions": "within-service",
    "measure_types": ["outcome", "process", "balancing"],
    "measure_rationale": "important",
    "data_over_time": "run-chart",
    "pdsa_cycles": 5,
    "gaming_considered": True,
    "local_context": "A busy department with a new triage system.",
    "active_ingredient": "A nurse-initiated sepsis screen at triage.",
    "problem_shift": ["other-patients", "staff"],
    "problem_shift_plan": True,
    "sustain_owner": "built-in",
    "strategy_fit": "organisation",
    "duplication_checked": True,
    "self_position": "repair",
    "position_chosen": "chosen-reviewed",
    "limits_named": "named-response",
    "next_step_considered": "own-right",
}
EVIDENCE = {
    "dimensions_weighed": "Minutes of the planning meeting weigh all six.",
    "equity_baseline": "The baseline audit was split by deprivation decile.",
    "equity_stratified": "The run chart is plotted by decile.",
    "family_outcomes_measured": "A three-question survey chosen with parents.",
    "sustain_owner": "Written into the department's sepsis guideline.",
    "position_chosen": "Reviewed at each quarterly governance meeting.",
    "views_sought": "A parent sat on the PDSA group; the nurses ran two huddles.",
    "measure_rationale": "Parents chose the outcome measure with us.",
    "data_over_time": "Twelve weekly baseline points, then a run chart.",
    "strategy_fit": "Part of the trust's deteriorating-child programme.",
    "purpose_questions": "Began from a review of what the service is for.",
}


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _render(path: Path, fmt: str, template_dir: Path | None = None) -> str:
    proposal, loaded = resolve(path)
    # Golden files must not depend on where the checkout lives.
    rel = os.path.relpath(path, ROOT)
    appraisal = score(loaded.rubric, proposal, sha256=loaded.sha256)
    appraisal = type(appraisal)(**{**appraisal.__dict__, "file": rel})
    return render(appraisal, loaded.rubric, fmt, template_dir=template_dir)


def _write(
    tmp_path: Path,
    answers: dict[str, Any] | None = None,
    *,
    drop: tuple[str, ...] = (),
    notes: dict[str, str] | None = None,
    name: str = "proposal.yaml",
    **top: Any,
) -> Path:
    """A proposal against the default rubric: COMPLETE with ``answers`` over it."""
    merged = {**COMPLETE, **(answers or {})}
    data: dict[str, Any] = {
        "rubric": {"id": DEFAULT.id, "version": DEFAULT.version},
        "project": {"title": "Antibiotics within the hour for children with sepsis"},
        "answers": {k: v for k, v in merged.items() if k not in drop},
        "notes": {**EVIDENCE, **(notes or {})},
    }
    data.update(top)
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _appraise(path: Path) -> tuple[Appraisal, Rubric]:
    proposal, loaded = resolve(path)
    return score(loaded.rubric, proposal, sha256=loaded.sha256), loaded.rubric


def _table_rows(md: str) -> list[list[str]]:
    """Every Markdown table row as its cells (escapes kept), header rows included."""
    return [
        [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        for line in md.splitlines()
        if line.startswith("| ") and not line.startswith("| ---")
    ]


def _row(md: str, first_cell: str) -> list[str]:
    [row] = [r for r in _table_rows(md) if r[0] == first_cell]
    return row


def test_there_are_four_examples() -> None:
    assert [p.stem for p in EXAMPLES] == [
        "cypic",
        "four-hour-target",
        "growth-charts",
        "poverty-screening",
    ]


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_golden(example: Path, fmt: str, request: pytest.FixtureRequest) -> None:
    text = _render(example, fmt)
    golden = GOLDEN / f"{example.stem}.{fmt}"
    if request.config.getoption("--update-goldens", default=False):
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run pytest --update-goldens"
    assert text == golden.read_text(encoding="utf-8"), (
        f"{example.name} {fmt} report differs from {golden.name}; "
        "if the change is intended, run pytest --update-goldens and review the diff"
    )


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_deterministic(tmp_path: Path, fmt: str) -> None:
    # Provisional, with open findings, claims and "not sure": every new part.
    path = _write(
        tmp_path,
        {"limits_named": "not-sure"},
        drop=("sustain_owner",),
        notes={"position_chosen": ""},
    )
    assert _render(path, fmt) == _render(path, fmt)


def test_source_date_epoch_sets_the_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path)
    text = _render(path, "md")
    assert "**Report generated:** 2023-11-14" in text
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert "**Report generated:** 1970-01-01" in _render(path, "md")


def test_bad_source_date_epoch_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(QiAppraiseError, match="SOURCE_DATE_EPOCH"):
        _render(_write(tmp_path), "md")


def test_report_content(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {"dim_patient_centred": "none", "dim_equitable": "none", "measure_types": ["outcome"]},
    )
    text = _render(path, "md")
    position = _appraise(path)[0].position or 0.0
    assert f"- **Where it sits:** the **Repair** band, at {position:.2f} on a scale from 0" in text
    assert "## Dimensions of quality" in text
    assert "**Equity and patient-centredness are both missing.**" in text
    assert "#### CE004 No balancing measure" in text
    assert "## From repair to reform" in text
    assert "Questions a supervisor could ask next:" in text


HOSTILE = "<script>alert(1)</script> {{ 7*7 }} a|b # `tick` *star* [x](javascript:alert(1)) &amp;"


def _hostile_proposal(tmp_path: Path) -> Path:
    return _write(
        tmp_path,
        {
            "active_ingredient": HOSTILE,
            # A long-text answer that tries to start a heading, a list and close our markup.
            "local_context": "# not a heading\n- not a list\n===\n1. not ordered\n"
            "</blockquote><script>x()</script>\n",
        },
        name="hostile.yaml",
        project={"title": "# Heading <img src=x onerror=alert(1)> | pipe"},
    )


def test_user_text_is_only_text_in_markdown(tmp_path: Path) -> None:
    path = _hostile_proposal(tmp_path)
    text = _render(path, "md")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    kinds = {t.type for t in tokens}
    assert "html_block" not in kinds
    inline_children = [c for t in tokens if t.children for c in t.children]
    assert not [c for c in inline_children if c.type in ("html_inline", "link_open", "image")]
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert not any("not a heading" in h for h in headings)
    assert "{{ 7\\*7 }}" in text or "\\{\\{ 7\\*7 \\}\\}" in text
    # The pipe stays inside its cell: every table row has exactly 3 cells.
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script>" not in html
    assert "a|b" in html or "a\\|b" in text


def test_user_text_is_only_text_in_html(tmp_path: Path) -> None:
    path = _hostile_proposal(tmp_path)
    html = _render(path, "html")
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html  # shown as typed, never evaluated
    assert "&lt;/blockquote&gt;" in html


def test_markdown_tidy_spacing() -> None:
    assert tidy_markdown("# A\ntext\n\n\n\n## B\n- x  \n") == "# A\n\ntext\n\n## B\n\n- x\n"


# --- templates -------------------------------------------------------------


def test_override_template_by_name(tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "report.md.j2").write_text("# {{ project.title | md }} scored {{ a.score | score }}\n")
    path = _write(tmp_path)
    text = _render(path, "md", template_dir=tpl)
    assert text.startswith("# Antibiotics within the hour")
    assert f"scored {_appraise(path)[0].score:.0f}" in text


def test_override_keeps_other_templates(tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "_style.css.j2").write_text("body { color: #000000; }\n")
    html = _render(_write(tmp_path), "html", template_dir=tpl)
    assert "body { color: #000000; }" in html
    assert '<h2 id="headline">' in html


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ a.__class__ }}", "sandbox forbids"),
        ("{{ a.score.__class__.__mro__ }}", "sandbox forbids"),
        ("{{ ''.__class__.__subclasses__() }}", "sandbox forbids"),
        ("{{ projekt.title }}", "'projekt' is undefined"),
        ("{% for x in %}", "template syntax error"),
        ("{% include '../../etc/passwd' %}", "template not found"),
        ("{% import 'os' as os %}", "template not found"),
    ],
)
def test_sandbox_and_strict_errors(tmp_path: Path, template: str, message: str) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "report.md.j2").write_text("line one\n" + template + "\n")
    with pytest.raises(InputError) as info:
        _render(_write(tmp_path), "md", template_dir=tpl)
    assert message in str(info.value)
    if "not found" not in message:
        assert str(info.value).startswith(str(tpl / "report.md.j2"))


def test_cli_template_error_is_one_line(tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "report.md.j2").write_text("ok\n{{ a.__class__.__init__.__globals__ }}\n")
    result = CliRunner().invoke(app, ["report", str(_write(tmp_path)), "--template-dir", str(tpl)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {tpl / 'report.md.j2'}:2: ")


# --- writing -----------------------------------------------------------------


def test_cli_writes_output_atomically(tmp_path: Path) -> None:
    source = _write(tmp_path / "in")
    out = tmp_path / "out" / "sepsis.html"
    out.parent.mkdir()
    out.write_text("old report")
    result = CliRunner().invoke(app, ["report", str(source), "-f", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in out.parent.iterdir()) == ["sepsis.html"]


def test_failed_render_leaves_existing_output(tmp_path: Path) -> None:
    source = _write(tmp_path / "in")
    work = tmp_path / "work"
    work.mkdir()
    out = work / "report.md"
    out.write_text("old report")
    tpl = work / "tpl"
    tpl.mkdir()
    (tpl / "report.md.j2").write_text("{{ nope }}\n")
    result = CliRunner().invoke(
        app, ["report", str(source), "-o", str(out), "--template-dir", str(tpl)]
    )
    assert result.exit_code == 2
    assert out.read_text() == "old report"
    assert sorted(p.name for p in work.iterdir()) == ["report.md", "tpl"]


def test_markdown_to_stdout(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(_write(tmp_path))])
    assert result.exit_code == 0
    assert result.stdout.startswith("# Appraisal: ")


def test_output_name_chooses_the_format(tmp_path: Path) -> None:
    source = _write(tmp_path)
    out = tmp_path / "sepsis.html"
    result = CliRunner().invoke(app, ["report", str(source), "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    md = tmp_path / "sepsis.md"
    CliRunner().invoke(app, ["report", str(source), "-o", str(md)])
    assert md.read_text(encoding="utf-8").startswith("# Appraisal: ")


def test_a_runaway_template_is_a_template_error(tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "report.md.j2").write_text("{% for i in range(100000000) %}x{% endfor %}\n")
    result = CliRunner().invoke(app, ["report", str(_write(tmp_path)), "--template-dir", str(tpl)])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {tpl / 'report.md.j2'}:1: template error: OverflowError"
    )


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_ignored_answers_and_unused_waivers_are_noted(tmp_path: Path, fmt: str) -> None:
    assert COMPLETE["purpose_driver"] != "institutional-target"
    path = _write(
        tmp_path,
        {"target_name": "The four-hour standard"},  # applies only to a target
        waivers=[{"finding": "CE099", "reason": "No such finding"}],
    )
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    text = _render(path, fmt)
    strong = "<strong>{}</strong>" if fmt == "html" else "**{}**"
    assert (
        strong.format("Not counted:") + " 1 answer to a question that does not apply, "
        "given the other answers (“Which target, standard or inspection is it, and who set "
        "it?”). Remove it, or check the answers it depends on."
    ) in text
    assert (
        strong.format("Unused waiver:") + " CE099 matches no finding raised. "
        "Remove it, or check the finding id."
    ) in text
    # A waiver's id is the proposal's own text: only ever text in the report.
    data["waivers"] = [{"finding": "<b>CE*99*</b>", "reason": "x"}]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    text = _render(path, fmt)
    assert "<b>CE" not in text
    if fmt == "md":
        tokens = MarkdownIt("commonmark").enable("table").parse(text)
        [note] = [t for t in tokens if t.type == "inline" and "Unused waiver" in t.content]
        kinds = [c.type for c in note.children or ()]
        assert "html_inline" not in kinds and "em_open" not in kinds
        assert "<b>CE*99*</b> matches no finding" in "".join(
            c.content for c in note.children or () if c.type == "text"
        )
    # And nothing of the sort when there is nothing to note.
    assert "Not counted" not in _render(_write(tmp_path, name="plain.yaml"), fmt)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_summary_organisation_and_general_note_reach_the_report(tmp_path: Path, fmt: str) -> None:
    data = yaml.safe_load(_write(tmp_path).read_text(encoding="utf-8"))
    data["project"]["organisation"] = "Healthcare Improvement Scotland"
    data["project"]["summary"] = "First line <b>of</b> the summary.\nSecond line."
    data["notes"] = "Read the *measures* section first."  # a single text: the general note
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    text = _render(path, fmt)
    assert "Healthcare Improvement Scotland" in text
    assert "The team's summary:" in text and "Second line." in text
    assert "The team's note for the reader:" in text
    if fmt == "html":
        assert "First line &lt;b&gt;of&lt;/b&gt; the summary." in text
    else:
        assert "> Read the \\*measures\\* section first." in text


def test_chart_text_stays_inside_its_picture(tmp_path: Path) -> None:
    from qiappraise.scoring.appraisal import CapResult

    a, rubric = _appraise(_write(tmp_path, {"dim_equitable": "none"}, drop=("dim_safe",)))
    assert any(s.weight == 0 for s in a.sections)  # its words are the longest
    capped = dataclasses.replace(a.sections[0], caps=(CapResult("r", 50.0),), score=100.0)
    a = dataclasses.replace(a, sections=(capped, *a.sections[1:]))
    for svg in (charts.sections(a), charts.spectrum(a, band_ranges(rubric))):
        width, height = map(float, re.search(r'viewBox="0 0 (\S+) (\S+)"', svg).groups())  # type: ignore[union-attr]
        for x, y, anchor, size, text in re.findall(
            r'<text x="([\d.]+)" y="([\d.]+)"(?: text-anchor="(\w+)")? font-size="(\d+)"[^>]*>([^<]*)<',
            svg,
        ):
            assert float(y) <= height, text
            if anchor in ("", "start"):  # about 0.6 em a character
                assert float(x) + 0.6 * int(size) * len(text) <= width, text


# --- the 2.0 model in reports ---------------------------------------------------


def _both(path: Path) -> tuple[str, str]:
    return _render(path, "md"), _render(path, "html")


def test_headline_keeps_where_it_sits_apart_from_how_well(tmp_path: Path) -> None:
    md, html = _both(_write(tmp_path))
    a, _ = _appraise(_write(tmp_path))
    assert not a.provisional and a.position is not None
    assert (
        f"- **Where it sits:** the **Repair** band, at {a.position:.2f} on a scale from 0 "
        "(repairs the status quo) to 1 (reforms the system)."
    ) in md
    assert (
        f"- **How well the team has thought:** a critical-engagement score of "
        f"**{a.score:.0f}/100**."
    ) in md
    # The position is described, never ranked: every band can be good QI.
    for text in (md, html):
        assert (
            "every band can be good quality improvement, and the position earns no points" in text
        )
        assert "Provisional" not in text
    assert '<span class="kicker">Where it sits</span><span class="value">Repair</span>' in html
    assert (
        '<span class="kicker">How well the team has thought</span>'
        f'<span class="value">{a.score:.0f}/100</span>'
    ) in html


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_provisional_is_marked_in_the_headline_with_what_is_missing(
    tmp_path: Path, fmt: str
) -> None:
    path = _write(tmp_path, drop=("sustain_owner", "vocation"))
    a, _ = _appraise(path)
    assert a.provisional and a.missing == ("vocation", "sustain_owner")
    text = _render(path, fmt)
    strong = "<strong>{}</strong>" if fmt == "html" else "**{}**"
    assert (
        strong.format("Provisional:") + " 2 required questions unanswered; the score counts "
        "them as 0 and can only rise as they are answered (“Has the team talked about how "
        "this project sits with what its members value in their work?”; “Who will own the "
        "change once you rotate on?”)."
    ) in text
    assert "sustain_owner" not in text
    # In the headline, before the dimensions.
    dimensions = '<h2 id="dimensions">' if fmt == "html" else "## Dimensions of quality"
    assert text.index("Provisional:") < text.index(dimensions)
    if fmt == "md":
        assert f"score of **{a.score:.0f}/100**, provisional." in text
    else:
        assert f'{a.score:.0f}/100 <span class="flag">Provisional</span>' in text
    # One unanswered: the sentence reads in the singular.
    one = _render(_write(tmp_path, drop=("vocation",), name="one.yaml"), fmt)
    assert (
        "1 required question unanswered; the score counts it as 0 and can only rise as it "
        "is answered (“Has the team talked about how this project sits with what its members "
        "value in their work?”)."
    ) in one


def test_question_rows_show_status_honestly(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "limits_named": "not-sure",
            "change_scope": "system",  # a claim that needs evidence: no note
            "target_name": "The four-hour standard",  # may apply: its condition is unknown
        },
        drop=("vocation", "purpose_driver"),
    )
    md = _render(path, "md")
    q = DEFAULT.questions
    assert _row(md, q["vocation"].prompt)[1:] == ["not answered", "0 of 2"]
    assert _row(md, q["limits_named"].prompt)[1:] == ["not sure", "0 of 2"]
    assert _row(md, q["change_scope"].prompt)[1:] == [
        "claimed: A system (no evidence given; counted as An organisation)",
        "places it at 0.50",
    ]
    assert _row(md, q["target_name"].prompt)[1:] == [
        "may not apply yet; answered: The four-hour standard",
        "profile only",
    ]
    assert _row(md, q["purpose_driver"].prompt)[1:] == ["not answered", "profile only"]
    assert _row(md, q["project_ends"].prompt)[1:] == [
        "Safety, efficiency, timeliness or meeting a standard",
        "places it at 0.00",
    ]
    assert _row(md, q["outcome_named"].prompt)[1:] == ["Yes", "2 of 2"]
    html = _render(path, "html")
    assert (
        '<span class="status">claimed:</span> A system <span class="muted">(no evidence '
        "given; counted as An organisation)</span>"
    ) in html
    assert '<span class="status">not answered</span></td><td class="num">0 of 2</td>' in html
    assert '<span class="status">not sure</span></td><td class="num">0 of 2</td>' in html
    assert '<span class="status">may not apply yet</span>; answered: The four-hour standard' in html
    assert '<td class="num">places it at 0.50</td>' in html


def test_a_claim_that_falls_away_counts_as_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, {"equity_populations": ["checked-none"]})
    a, _ = _appraise(path)
    assert a.unevidenced == ("equity_populations",)
    q = DEFAULT.questions["equity_populations"]
    label = q.choice_by_value["checked-none"].label
    lower = q.choice_by_value["none-named"].label  # what the rubric says it falls to
    row = _row(_render(path, "md"), q.prompt)
    assert row[1:] == [f"claimed: {label} (no evidence given; counted as {lower})", "0 of 2"]


def test_the_spectrum_section_places_and_earns_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path)
    a, _ = _appraise(path)
    [spectrum] = [s for s in a.sections if s.weight == 0]
    md, html = _both(path)
    assert f"### {spectrum.title}: places the project, earns no points" in md
    assert _row(md, spectrum.title)[1:] == [
        "none",
        "places the project, earns no points",
        "6 of 6",
    ]
    assert f"### {spectrum.title}: -" not in md and f"{spectrum.title}: not scored" not in md
    assert "These answers place the project on the repair to reform spectrum" in md
    assert (
        f'<h3 id="section-{spectrum.id}">{spectrum.title}: places the project, earns no points</h3>'
        in html
    )
    svg = charts.sections(a)
    assert f"{spectrum.title} places the project, earns no points" in svg  # the description
    assert ">places the project, earns no points</text>" in svg


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_findings_raised_and_open_are_told_apart(tmp_path: Path, fmt: str) -> None:
    path = _write(tmp_path, {"measure_types": ["outcome", "process"]}, drop=("sustain_owner",))
    a, _ = _appraise(path)
    by_id = {f.id: f for f in a.findings}
    assert by_id["CE004"].open_on == () and by_id["CE007"].open_on == ("sustain_owner",)
    text = _render(path, fmt)
    prompt = DEFAULT.questions["sustain_owner"].prompt
    if fmt == "md":
        raised, opened = "### Raised by the answers", "### Open: not ruled out yet"
        assert "#### CE004 No balancing measure\n" in text
        assert "#### CE007 No sustainability plan beyond the rotation (open)\n" in text
        assert (f"**Open:** not ruled out until this is answered: “{prompt}”.") in text
    else:
        raised, opened = '<h3 id="findings-raised">', '<h3 id="findings-open">'
        assert '<article class="finding warning open" aria-labelledby="finding-CE007">' in text
        assert '<article class="finding warning" aria-labelledby="finding-CE004">' in text
        assert f"<li>{prompt}</li>" in text
    findings = text.split("## Findings" if fmt == "md" else '<h2 id="findings">')[1]
    assert findings.index(raised) < findings.index("CE004 No balancing") < findings.index(opened)
    assert findings.index(opened) < findings.index("CE007 No sustainability")


def test_open_on_a_dimension_names_the_questions_that_set_it(
    mini: Rubric, proposal: MakeProposal
) -> None:
    path = proposal(outcome=True, scope="task", groups=["children"], cycles=3)
    a = score(mini, load_proposal(path, mini))
    [mi002] = [f for f in a.findings if f.id == "MI002"]
    assert mi002.open_on == ("driver",)  # the driver is unanswered: equity unknown
    [item] = open_on(a, mini, mi002)
    assert (item.id, item.label) == ("driver", "What drives it?")
    md = render(a, mini, "md")
    assert "not ruled out until this is answered: “What drives it?”." in md
    assert "| Equitable | Not known yet | - |" in md
    html = render(a, mini, "html")
    assert "<td>Not known yet</td>" in html
    assert "Equitable: not known yet" in charts.radar(a)


def test_headline_findings_prefer_those_the_answers_raise(tmp_path: Path) -> None:
    path = _write(tmp_path, {"limits_named": "not-sure"}, drop=("sustain_owner", "strategy_fit"))
    a, rubric = _appraise(path)
    opened = [f for f in a.active_findings() if f.open_on]
    raised = [f for f in a.active_findings() if not f.open_on]
    assert opened and raised
    # Put the open ones first, as severity might: the headline still leads with raised.
    a = dataclasses.replace(a, findings=(*opened, *raised))
    headline = context(a, rubric)["headline_findings"]
    assert headline[: len(raised[:3])] == raised[:3]
    md = render(a, rubric, "md")
    block = md.split("The most important findings:")[1].split("##")[0]
    assert "open: not ruled out yet" not in block.split("\n1. ")[1]
    # With nothing raised by the answers, open findings lead, marked open.
    only_open = dataclasses.replace(a, findings=tuple(opened))
    md = render(only_open, rubric, "md")
    assert (
        f"1. **{opened[0].id} {opened[0].title}** ({opened[0].severity}; open: not ruled out yet)"
        in md
    )


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_finding_details_are_listed(tmp_path: Path, fmt: str) -> None:
    path = _write(
        tmp_path,
        {"self_position": "reform", "limits_named": "not-sure"},
        notes={"position_chosen": ""},
    )
    a, _ = _appraise(path)
    details = {f.id: f.details for f in a.findings}
    assert set(details) >= {"CE030", "CE031", "CE032"}
    text = _render(path, fmt)
    for fid in ("CE030", "CE031", "CE032"):
        assert details[fid]
        for line in details[fid]:
            item = f"- {line}" if fmt == "md" else f"<li>{line}</li>"
            assert item.replace("'", "&#39;" if fmt == "html" else "'") in text, line
    assert "The team places the project at Reform; the answers place it at Repair." in text


def test_the_teams_own_placement_sits_beside_the_band(tmp_path: Path) -> None:
    md, html = _both(_write(tmp_path, {"self_position": "stepping-stone"}))
    assert "- **The team's own placement:** Stepping stone (the answers place it at Repair)." in md
    assert "The team's own placement: <strong>Stepping stone</strong>" in html
    same = _render(_write(tmp_path, name="same.yaml"), "md")
    assert "- **The team's own placement:** Repair.\n" in same
    unsure = _render(_write(tmp_path, {"self_position": "not-sure"}, name="u.yaml"), "md")
    assert "- **The team's own placement:** not sure yet." in unsure
    missing = _render(_write(tmp_path, drop=("self_position",), name="m.yaml"), "md")
    assert "- **The team's own placement:** not given yet." in missing


def test_no_placement_line_when_the_rubric_does_not_ask(
    mini: Rubric, proposal: MakeProposal
) -> None:
    a = score(mini, load_proposal(proposal(driver="need", scope="task"), mini))
    assert "own placement" not in render(a, mini, "md")
    assert "own placement" not in render(a, mini, "html")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_how_this_was_scored_describes_the_model(tmp_path: Path, fmt: str) -> None:
    text = _render(_write(tmp_path), fmt)
    about = text.rsplit("About this appraisal", 1)[1]
    for phrase in (
        "two things are worked out from separate questions and never mixed",
        "it earns no points",
        'an unanswered or "not sure" question earns 0 of its points',
        "a claim that needs evidence and has no note counts as the level below",
        "when it cannot be ruled out yet (it is then marked open",
        "the score is provisional: a floor, which answering can only raise or keep",
    ):
        assert phrase in about, phrase
    assert "count for neither" not in text  # the 1.x wording


def _hostile_rubric(tmp_path: Path) -> Path:
    """The mini rubric with markup in a claimable label, and the automatic findings."""
    # Edited as text: PyYAML would read the yes/no keys as booleans.
    text = MINI_RUBRIC.read_text(encoding="utf-8")
    label = "{value: system, label: System,"
    assert text.count(label) == 1
    text = text.replace(
        label, "{value: system, label: '<b>Whole</b> | *system* [x](javascript:alert(1)) # `t`',"
    )
    if "\nauto_findings:" not in text:
        text += (
            "auto_findings:\n"
            "  unevidenced:\n"
            "    {id: MI031, severity: warning, title: Claims without evidence,\n"
            "     message: Claims need notes., rationale: Claims are easy., suggestion: Add a note.}\n"
        )
    path = tmp_path / "hostile-rubric.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_claimed_text_is_escaped_like_any_answer(tmp_path: Path, proposal: MakeProposal) -> None:
    rubric = load_rubric(_hostile_rubric(tmp_path)).rubric
    a = score(rubric, load_proposal(proposal(driver="need", scope="system"), rubric))
    assert a.unevidenced == ("scope",)
    md = render(a, rubric, "md")
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    children = [c for t in tokens if t.children for c in t.children]
    assert not [c for c in children if c.type in ("html_inline", "link_open")]
    assert "html_block" not in {t.type for t in tokens}
    row = _row(md, "Scope of change?")
    assert len(row) == 3 and row[1].startswith("claimed: \\<b\\>Whole\\</b\\> \\| \\*system\\*")
    as_html = MarkdownIt("commonmark").enable("table").render(md)
    assert (
        "<td>claimed: &lt;b&gt;Whole&lt;/b&gt; | *system* [x](javascript:alert(1)) # `t` "
        "(no evidence given; counted as Pathway)</td>"
    ) in as_html
    # The finding's detail line carries the same label, escaped too.
    assert "- Scope of change? Claimed: \\<b\\>Whole\\</b\\>" in md
    html = render(a, rubric, "html")
    assert "<b>Whole" not in html
    assert "claimed:</span> &lt;b&gt;Whole&lt;/b&gt; | *system*" in html
    assert "<li>Scope of change? Claimed: &lt;b&gt;Whole&lt;/b&gt;" in html


def test_rendered_markdown_stays_in_its_tables(tmp_path: Path) -> None:
    # Every status at once; every question table keeps three cells a row.
    path = _write(
        tmp_path,
        {"limits_named": "not-sure", "change_scope": "system", "target_name": "A | B"},
        drop=("vocation", "purpose_driver"),
    )
    md = _render(path, "md")
    widths = {len(r) for r in _table_rows(md)}
    assert widths == {3, 4}  # question and dimension tables; the sections table
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<td>may not apply yet; answered: A | B</td>" in html


# --- the JSON document -------------------------------------------------------------


def _question(doc: dict[str, Any], qid: str) -> dict[str, Any]:
    [found] = [q for s in doc["sections"] for q in s["questions"] if q["id"] == qid]
    return found


def test_json_carries_the_new_model(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {"limits_named": "not-sure", "change_scope": "system", "self_position": "reform"},
        drop=("sustain_owner", "dim_equitable"),
    )
    a, _ = _appraise(path)
    doc = jsonout.document(a)
    assert doc["provisional"] is True
    assert doc["complete"] == {"complete": False, "missing": ["dim_equitable", "sustain_owner"]}
    assert doc["self_placement"] == "reform"
    assert doc["unsure"] == ["limits_named"]
    assert doc["unevidenced"] == ["change_scope"]
    assert doc["dimensions"]["equitable"] == {"level": "unknown", "evidence": []}
    assert _question(doc, "change_scope") == {
        "id": "change_scope",
        "answered": True,
        "applies": True,
        "answer": "system",
        "earned": None,
        "possible": 0.0,
        "feeds": "position",
        "status": "answered",
        "claimed": "A system",
        "pull": 0.5,
    }
    assert _question(doc, "sustain_owner") | {"possible": None} == {
        "id": "sustain_owner",
        "answered": False,
        "applies": True,
        "answer": None,
        "earned": 0.0,
        "possible": None,
        "feeds": "score",
        "status": "not-answered",
        "claimed": None,
        "pull": None,
    }
    assert _question(doc, "limits_named")["status"] == "not-sure"
    assert _question(doc, "dim_safe")["feeds"] == "profile"
    assert _question(doc, "target_name")["status"] == "not-applicable"
    findings = {f["id"]: f for f in doc["findings"]}
    assert findings["CE007"]["open_on"] == ["sustain_owner"]
    assert findings["CE007"]["details"] == []
    assert findings["CE031"]["open_on"] == []
    assert findings["CE031"]["details"] == list(
        next(f for f in a.findings if f.id == "CE031").details
    )
    assert findings["CE031"]["details"][0].endswith(
        "Claimed: A system; counted as: An organisation."
    )
    # The fast writer writes the same document.
    assert jsonout.document_text(a) == json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    complete = jsonout.document(_appraise(_write(tmp_path, name="c.yaml"))[0])
    assert complete["provisional"] is False and complete["unevidenced"] == []


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_every_json_key_is_documented(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {"limits_named": "not-sure", "change_scope": "system"},
        drop=("sustain_owner",),
        waivers=[{"finding": "CE007", "reason": "Handed over."}],
    )
    doc = jsonout.document(_appraise(path)[0])
    keys = _keys(doc) - {d.id for d in DEFAULT.dimensions}  # dimension ids are the rubric's
    assert "waiver_reason" in keys and "open_on" in keys
    text = (ROOT / "docs" / "json-output.md").read_text(encoding="utf-8")
    undocumented = sorted(k for k in keys if f"`{k}`" not in text)
    assert undocumented == []
