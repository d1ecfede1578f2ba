"""compare: the exact changes between two hand-made versions of a proposal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qiappraise.base.errors import UsageError
from qiappraise.cli.app import app
from qiappraise.load.pipeline import appraise_file
from qiappraise.scoring.compare import compare, document

ROOT = Path(__file__).resolve().parent.parent
V1 = ROOT / "examples" / "poverty-screening.yaml"
ENV = {"COLUMNS": "100", "NO_COLOR": "1", "QIAPPRAISE_RUBRIC": None, "SOURCE_DATE_EPOCH": "0"}


@pytest.fixture
def v2(tmp_path: Path) -> Path:
    """Version 2: timeliness secondary, families' feedback shapes it, more cycles, and
    an honest no to stratifying."""
    text = V1.read_text(encoding="utf-8")
    for old, new in (
        ("dim_timely: none", "dim_timely: secondary"),
        ("aim_setters: clinical-team", "aim_setters: with-feedback"),
        ("pdsa_cycles: 2", "pdsa_cycles: 4"),
        (
            "  equity_populations: [deprivation]\n",
            "  equity_populations: [deprivation]\n  equity_stratified: false\n",
        ),
    ):
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "v2.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_exact_changes(v2: Path) -> None:
    old, new = appraise_file(V1), appraise_file(v2)
    c = compare(old, new)
    assert [(d.id, d.old, d.new, d.kind) for d in c.dimensions] == [
        ("timely", "none", "secondary", "gained")
    ]
    assert [(a.question, a.old, a.new) for a in c.answers] == [
        ("dim_timely", "Not addressed", "A secondary aim"),
        ("equity_stratified", "(not answered)", "No"),
        ("aim_setters", "Our clinical team", "Our team, changed by feedback"),
        ("pdsa_cycles", "2 cycles", "4 cycles"),
    ]
    # CE011 was open (not ruled out) and is now raised by the answer: the same finding.
    assert c.resolved == c.raised == ()
    # Only the PDSA cycles move the score: Measures 1 more point of 13, weight 15.
    # An honest "no" earns what silence did (0 of 2), and who sets the aims
    # moves the position only: (0.25 - 0) x 1 / 10 = 0.025.
    assert (old.score, new.score, c.score_change) == (23.0, 24.1, 1.1)
    assert c.position_change == 0.025 and c.movement == "towards reform"
    assert not c.band_changed
    assert c.old.band is not None and c.old.band.id == "stepping-stone"


def test_a_dimension_becoming_known_is_a_change_not_a_gain() -> None:
    from qiappraise.scoring.compare import DimensionChange

    assert (
        DimensionChange(
            "safe",
            "Safe",
            "unknown",
            "primary",
        ).kind
        == "changed"
    )
    assert DimensionChange("safe", "Safe", "none", "unknown").kind == "changed"
    assert DimensionChange("safe", "Safe", "none", "secondary").kind == "gained"
    assert DimensionChange("safe", "Safe", "primary", "none").kind == "lost"


def test_identical_versions_change_nothing() -> None:
    a = appraise_file(V1)
    c = compare(a, appraise_file(V1))
    assert (c.score_change, c.position_change, c.movement) == (0.0, 0.0, "none")
    assert c.dimensions == c.resolved == c.raised == c.answers == ()
    assert not c.band_changed
    text = CliRunner().invoke(app, ["compare", str(V1), str(V1)], env=ENV).stdout
    position = next(line for line in text.splitlines() if line.startswith("Position:"))
    assert position.endswith("(unchanged)"), position  # not "(+0.00, none)"


def test_different_rubrics_are_refused(tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures"
    mini = appraise_file(fixtures / "mini-full.yaml", fixtures / "mini-rubric.yaml")
    with pytest.raises(UsageError, match="same rubric"):
        compare(appraise_file(V1), mini)
    result = CliRunner().invoke(
        app, ["compare", str(V1), str(fixtures / "mini-full.yaml")], env=ENV
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_cli_formats(v2: Path) -> None:
    runner = CliRunner()
    text = runner.invoke(app, ["compare", str(V1), str(v2)], env=ENV, terminal_width=100)
    assert text.exit_code == 0, text.output
    assert "timely" in text.stdout.lower() and "pdsa_cycles" in text.stdout
    js = runner.invoke(app, ["compare", str(V1), str(v2), "--format", "json"], env=ENV)
    doc = json.loads(js.stdout)
    assert doc == document(compare(appraise_file(V1), appraise_file(v2)))
    assert doc["dimensions"] == [
        {"id": "timely", "old": "none", "new": "secondary", "change": "gained"}
    ]
    md = runner.invoke(app, ["compare", str(V1), str(v2), "--format", "md"], env=ENV)
    assert md.exit_code == 0
    assert md.stdout.startswith("# What changed: ")
    assert "| equity\\_stratified |" in md.stdout


def test_project_details_that_changed_are_listed(tmp_path: Path) -> None:
    text = V1.read_text(encoding="utf-8")
    data_title = next(line for line in text.splitlines() if line.startswith("  title: "))
    v2 = tmp_path / "v2.yaml"
    v2.write_text(text.replace(data_title, "  title: A | renamed *project*"), encoding="utf-8")
    old, new = appraise_file(V1), appraise_file(v2)
    c = compare(old, new)
    assert [(p.field, p.old_shown, p.new_shown) for p in c.project] == [
        ("title", old.project.title, "A | renamed *project*")
    ]
    assert compare(old, appraise_file(V1)).project == ()
    # Spacing alone is no change; a team is compared, and exported, as names.
    spaced = tmp_path / "spaced.yaml"
    spaced.write_text(text.replace(data_title, data_title + "   "), encoding="utf-8")
    assert compare(old, appraise_file(spaced)).project == ()
    no_team = tmp_path / "no-team.yaml"
    lines = text.splitlines()
    start = lines.index("  team:")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    - "))
    no_team.write_text("\n".join(lines[:start] + lines[end:]) + "\n", encoding="utf-8")
    [team] = compare(old, appraise_file(no_team)).project
    assert team.field == "team" and team.new == () and team.new_shown == "(none)"
    doc = document(compare(old, appraise_file(no_team)))
    assert doc["project_changed"] == [{"field": "team", "old": list(old.project.team), "new": []}]
    runner = CliRunner()
    out = runner.invoke(app, ["compare", str(V1), str(v2)], env=ENV, terminal_width=200).stdout
    assert f"Project details changed\n  title: {old.project.title} → A | renamed *project*" in out
    js = json.loads(runner.invoke(app, ["compare", str(V1), str(v2), "-f", "json"], env=ENV).stdout)
    assert js["project_changed"] == [
        {"field": "title", "old": old.project.title, "new": "A | renamed *project*"}
    ]
    md = runner.invoke(app, ["compare", str(V1), str(v2), "-f", "md"], env=ENV).stdout
    assert "| title |" in md and "A \\| renamed \\*project\\*" in md


def test_notes_that_changed_are_listed(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load(V1.read_text(encoding="utf-8"))
    v2 = tmp_path / "v2.yaml"
    data["notes"].update(general="Agreed with the consultant.", equity_stratified="By postcode.")
    v2.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    old, new = appraise_file(V1), appraise_file(v2)
    c = compare(old, new)
    assert [(n.question, n.new) for n in c.notes] == [
        ("general", "Agreed with the consultant."),
        ("equity_stratified", "By postcode."),
    ]
    assert c.answers == ()  # a note is not an answer
    doc = document(c)
    assert doc["notes_changed"][0] == {
        "question": "general",
        "old": old.note or None,
        "new": "Agreed with the consultant.",
    }
    runner = CliRunner()
    out = runner.invoke(app, ["compare", str(V1), str(v2)], env=ENV, terminal_width=200).stdout
    assert "Notes changed (2)" in out and "By postcode." in out
    md = runner.invoke(app, ["compare", str(V1), str(v2), "-f", "md"], env=ENV).stdout
    assert "## Notes changed" in md and "| By postcode. |" in md
    assert "| Score | 23.0 | 23.0 | +0.0 |" in md  # scores to one decimal, as their change


def test_wrapped_lines_keep_their_indent() -> None:
    from .checkhelpers import run

    out = run("score", ROOT / "examples" / "cypic.yaml", env={"COLUMNS": "60"}).stdout.splitlines()
    at = next(
        i
        for i, line in enumerate(out)
        if line.startswith("    - Which ends is the project chiefly for?")
    )
    assert out[at + 1].startswith("      ") and out[at + 1].strip()  # under the text, not col 0
