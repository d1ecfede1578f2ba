"""Reports: golden files, escaping, determinism, the sandbox and atomic output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from qiappraise.cli import app
from qiappraise.errors import InputError, QiAppraiseError
from qiappraise.loading import resolve
from qiappraise.report import render, tidy_markdown
from qiappraise.scoring import score

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GOLDEN = Path(__file__).parent / "golden"
EPOCH = "1700000000"  # 2023-11-14


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
def test_deterministic(fmt: str) -> None:
    assert _render(EXAMPLES[0], fmt) == _render(EXAMPLES[0], fmt)


def test_source_date_epoch_sets_the_date(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _render(EXAMPLES[0], "md")
    assert "**Report generated:** 2023-11-14" in text
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert "**Report generated:** 1970-01-01" in _render(EXAMPLES[0], "md")


def test_bad_source_date_epoch_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(QiAppraiseError, match="SOURCE_DATE_EPOCH"):
        _render(EXAMPLES[0], "md")


def test_report_content(tmp_path: Path) -> None:
    text = _render(ROOT / "examples" / "four-hour-target.yaml", "md")
    assert "sits in the **Repair** band" in text
    assert "## Dimensions of quality" in text
    assert "**Equity and patient-centredness are both missing.**" in text
    assert "### CE005 " in text
    assert "## From repair to reform" in text
    assert "Questions a supervisor could ask next:" in text


HOSTILE = "<script>alert(1)</script> {{ 7*7 }} a|b # `tick` *star* [x](javascript:alert(1)) &amp;"


def _hostile_proposal(tmp_path: Path) -> Path:
    data = yaml.safe_load(
        (ROOT / "examples" / "poverty-screening.yaml").read_text(encoding="utf-8")
    )
    data["project"]["title"] = "# Heading <img src=x onerror=alert(1)> | pipe"
    data["answers"]["active_ingredient"] = HOSTILE
    # A long-text answer that tries to start a heading, a list and close our markup.
    data["answers"]["local_context"] = (
        "# not a heading\n- not a list\n===\n1. not ordered\n</blockquote><script>x()</script>\n"
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


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
    (tmp_path / "report.md.j2").write_text(
        "# {{ project.title | md }} scored {{ a.score | score }}\n"
    )
    text = _render(ROOT / "examples" / "cypic.yaml", "md", template_dir=tmp_path)
    assert text.startswith("# Children and Young People")
    assert "scored 95" in text


def test_override_keeps_other_templates(tmp_path: Path) -> None:
    (tmp_path / "_style.css.j2").write_text("body { color: #000000; }\n")
    html = _render(ROOT / "examples" / "cypic.yaml", "html", template_dir=tmp_path)
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
    (tmp_path / "report.md.j2").write_text("line one\n" + template + "\n")
    with pytest.raises(InputError) as info:
        _render(ROOT / "examples" / "cypic.yaml", "md", template_dir=tmp_path)
    assert message in str(info.value)
    if "not found" not in message:
        assert str(info.value).startswith(str(tmp_path / "report.md.j2"))


def test_cli_template_error_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text("ok\n{{ a.__class__.__init__.__globals__ }}\n")
    result = CliRunner().invoke(
        app, ["report", str(ROOT / "examples" / "cypic.yaml"), "--template-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {tmp_path / 'report.md.j2'}:2: ")


# --- writing -----------------------------------------------------------------


def test_cli_writes_output_atomically(tmp_path: Path) -> None:
    out = tmp_path / "cypic.html"
    out.write_text("old report")
    result = CliRunner().invoke(
        app, ["report", str(ROOT / "examples" / "cypic.yaml"), "-f", "html", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cypic.html"]


def test_failed_render_leaves_existing_output(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    out.write_text("old report")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "report.md.j2").write_text("{{ nope }}\n")
    result = CliRunner().invoke(
        app,
        [
            "report",
            str(ROOT / "examples" / "cypic.yaml"),
            "-o",
            str(out),
            "--template-dir",
            str(tpl),
        ],
    )
    assert result.exit_code == 2
    assert out.read_text() == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md", "tpl"]


def test_markdown_to_stdout() -> None:
    result = CliRunner().invoke(app, ["report", str(ROOT / "examples" / "cypic.yaml")])
    assert result.exit_code == 0
    assert result.stdout.startswith("# Appraisal: ")


def test_output_name_chooses_the_format(tmp_path: Path) -> None:
    out = tmp_path / "cypic.html"
    result = CliRunner().invoke(
        app, ["report", str(ROOT / "examples" / "cypic.yaml"), "-o", str(out)]
    )
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    md = tmp_path / "cypic.md"
    CliRunner().invoke(app, ["report", str(ROOT / "examples" / "cypic.yaml"), "-o", str(md)])
    assert md.read_text(encoding="utf-8").startswith("# Appraisal: ")


def test_a_runaway_template_is_a_template_error(tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text("{% for i in range(100000000) %}x{% endfor %}\n")
    result = CliRunner().invoke(
        app, ["report", str(ROOT / "examples" / "cypic.yaml"), "--template-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {tmp_path / 'report.md.j2'}:1: template error: OverflowError"
    )


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_ignored_answers_and_unused_waivers_are_noted(tmp_path: Path, fmt: str) -> None:
    data = yaml.safe_load((ROOT / "examples" / "cypic.yaml").read_text(encoding="utf-8"))
    assert data["answers"]["purpose_driver"] != "institutional-target"
    data["answers"]["target_name"] = "The four-hour standard"  # applies only to a target
    data["waivers"] = [{"finding": "CE099", "reason": "No such finding"}]
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    text = _render(path, fmt)
    strong = "<strong>{}</strong>" if fmt == "html" else "**{}**"
    assert (
        strong.format("Not counted:") + " 1 answer to a question that does not apply, "
        "given the other answers (target_name). Remove it, or check the answers it depends on."
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
    assert "Not counted" not in _render(ROOT / "examples" / "cypic.yaml", fmt)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_summary_organisation_and_general_note_reach_the_report(tmp_path: Path, fmt: str) -> None:
    data = yaml.safe_load((ROOT / "examples" / "cypic.yaml").read_text(encoding="utf-8"))
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


def test_chart_text_stays_inside_its_picture() -> None:
    import dataclasses
    import re

    from qiappraise import charts
    from qiappraise.appraisal import CapResult
    from qiappraise.report import band_ranges

    proposal, loaded = resolve(ROOT / "examples" / "four-hour-target.yaml")
    a = score(loaded.rubric, proposal, sha256=loaded.sha256)
    capped = dataclasses.replace(a.sections[0], caps=(CapResult("r", 50.0),), score=100.0)
    a = dataclasses.replace(a, sections=(capped, *a.sections[1:]))
    for svg in (charts.sections(a), charts.spectrum(a, band_ranges(loaded.rubric))):
        width, height = map(float, re.search(r'viewBox="0 0 (\S+) (\S+)"', svg).groups())  # type: ignore[union-attr]
        for x, y, anchor, size, text in re.findall(
            r'<text x="([\d.]+)" y="([\d.]+)"(?: text-anchor="(\w+)")? font-size="(\d+)"[^>]*>([^<]*)<',
            svg,
        ):
            assert float(y) <= height, text
            if anchor in ("", "start"):  # about 0.6 em a character
                assert float(x) + 0.6 * int(size) * len(text) <= width, text
