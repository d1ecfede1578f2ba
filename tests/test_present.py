"""present: the terminal `score` summary says honestly what each answer counts as."""

from __future__ import annotations

import io
from pathlib import Path

import yaml
from rich.console import Console
from typer.testing import CliRunner

from qiappraise.cli.app import app
from qiappraise.load.pipeline import appraise_file
from qiappraise.rendering.present import appraisal

from .checkhelpers import PITCH, PROVISIONAL, REPAIR, STEPPING_STONE
from .conftest import MINI_RUBRIC, MakeProposal

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "QIAPPRAISE_RUBRIC": None, "QIAPPRAISE_DEBUG": None}


def score_lines(*args: str | Path) -> list[str]:
    """`qiappraise score` on a wide terminal, each line with runs of spaces made one."""
    result = CliRunner().invoke(app, ["score", *map(str, args)], env=ENV, terminal_width=200)
    assert result.exit_code == 0, result.output
    return [" ".join(line.split()) for line in result.stdout.splitlines()]


def score(*args: str | Path) -> str:
    """The same as one line of words: a wrapped sentence reads whole."""
    return " ".join(score_lines(*args))


def test_a_provisional_score_says_it_is_a_floor_and_what_is_missing() -> None:
    out = score(PROVISIONAL)
    assert "Critical engagement: 39/100 (provisional) Band: Repair (position 0.03)" in out
    assert (
        "Provisional: 10 required questions unanswered; they count as 0, so the score can "
        "only rise as they are answered."
    ) in out
    # A person reads questions, not ids: a long list is counted by section...
    assert (
        "Not answered (scored ones count as 0): 10 questions: 4 in Dimensions of quality, "
        "4 in Context and consequences, 2 in Place, limits and next step"
    ) in out
    # ...a short one names them by their prompts.
    assert (
        "Not sure (counted as not answered): “How does the project connect to wider "
        "improvement work?”"
    ) in out
    assert "Incomplete" not in out
    # "Not sure" is not an answer: the sections table counts it apart.
    assert "Sustainability and system fit │ 10% │ 50 │ ██████████░░░░░░░░░░ │ 2/3 │ 1 " in out
    # A dimension whose question is unanswered is not known yet, not "not addressed".
    assert "Equitable │ ?? not known yet" in out
    # A finding raised because it cannot be ruled out says what would settle it.
    # It is listed apart from the findings the answers raise, as a question.
    opened = out.index("Not ruled out yet (")
    ce008 = out.index("CE008 A standalone project (projectitis)?")
    assert opened < ce008 < out.index("answer: “How does the project connect to", ce008)
    assert "strategy_fit" not in out
    # Automatic findings list their details (here the reflective question) below.
    assert (
        "- How does the project connect to wider improvement work? Which strategy or network "
        "does this serve, and does its lead know about the project?"
    ) in out[out.index("CE030 Answered not sure") :]


def test_one_unanswered_question_is_said_in_the_singular(proposal: MakeProposal) -> None:
    path = proposal(driver="need", outcome=True, scope="pathway", groups=["children"])
    out = score("-r", MINI_RUBRIC, path)
    assert (
        "Provisional: 1 required question unanswered; it counts as 0, so the score can only "
        "rise as it is answered."
    ) in out
    # The optional story earns points too: unanswered, it counts as 0 and is listed.
    assert (
        "Not answered (scored ones count as 0): “Tell the story.”; “How many PDSA cycles?”" in out
    )


def test_claims_without_evidence_say_what_they_count_as() -> None:
    out = score(PITCH)
    assert "Critical engagement: 26/100 Band: Stepping stone (position 0.62)" in out
    assert "(provisional)" not in out and "Provisional:" not in out
    assert "Claimed without evidence (add a note saying what backs it):" in out
    assert "- How deep does the change go? Choose the largest thing it… — claimed A system" in out
    assert (
        "- Is where the project sits on the spectrum a choice you… — claimed Chosen, counted "
        "as Aware"
    ) in out
    # The same words where the answer pulls the position.
    assert (
        "- Who decides the project's aims and changes? — claimed Partners, including in the "
        "aim, counted as Our team, changed by feedback (0.25, weight 1)"
    ) in out
    assert "change_scope" not in out and "aim_setters" not in out
    ce031 = out[out.index("CE031 Claims without evidence") :]
    assert "- How deep does the change go?" in ce031
    assert "Claimed: A system; counted as: An organisation." in ce031


def test_the_teams_placement_stands_beside_the_band() -> None:
    pitch = score_lines(PITCH)
    band = next(i for i, line in enumerate(pitch) if line.startswith("Critical engagement:"))
    assert pitch[band + 1] == "Team's own placement: Reform (the answers give Stepping stone)"
    assert "- The team places the project at Reform; the answers place it at Stepping stone." in (
        " ".join(pitch)
    )
    same = score(STEPPING_STONE)
    assert "Team's own placement: Stepping stone (the same band as the answers give)" in same


def test_the_band_label_is_the_rubrics_or_else_its_id_in_words() -> None:
    a = appraise_file(PITCH)
    out = io.StringIO()
    appraisal(Console(file=out, width=200, color_system=None), a, band_labels={"reform": "REFORM"})
    assert "Team's own placement: REFORM (the answers give Stepping stone)" in out.getvalue()
    out = io.StringIO()
    appraisal(Console(file=out, width=200, color_system=None), a)
    assert "Team's own placement: Reform (the answers give" in out.getvalue()


def test_a_complete_evidenced_proposal_has_no_caveats() -> None:
    out = score(REPAIR)
    assert "Critical engagement: 90/100 Band: Repair (position 0.03)" in out
    for caveat in ("rovisional", "Not answered", "Not sure", "Claimed", "not known yet"):
        assert caveat not in out
    assert "Findings raised by the answers (0)" in out and "None raised." in out
    assert "Not ruled out yet" not in out


def test_user_text_is_shown_as_typed(tmp_path: Path) -> None:
    # Rich markup in what a proposal says stays text (control characters are
    # refused when the proposal is read).
    data = yaml.safe_load(PROVISIONAL.read_text(encoding="utf-8"))
    data["project"]["title"] = "[bold red]Loud[/] title"
    data["project"]["lead"] = "[link=http://example.invalid]Dr X[/link]"
    data["waivers"] = [{"finding": "CE003", "reason": "[blink]waived[/blink] for now"}]
    path = tmp_path / "markup.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["score", str(path)], env=ENV, terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "[bold red]Loud[/]" in result.stdout
    assert "[link=http://example.invalid]Dr X[/link]" in result.stdout
    assert "WAIVED CE003" in " ".join(result.stdout.split())
    assert "[blink]waived[/blink] for now" in result.stdout


def test_a_band_placed_without_some_answers_says_which(tmp_path: Path) -> None:
    data = yaml.safe_load(PITCH.read_text(encoding="utf-8"))
    del data["answers"]["aim_setters"]
    del data["answers"]["catalyst"]
    path = tmp_path / "unplaced.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = score(path)
    assert (
        "Placed without 2 answers that would place it: “Who decides the project's aims and "
        "changes?”; “Does the project mean to change anything beyond itself?”"
    ) in out


def test_no_band_until_scale_and_ends_are_answered(tmp_path: Path) -> None:
    # Scale and ends count equally: one of them alone places nothing.
    data = yaml.safe_load(PITCH.read_text(encoding="utf-8"))
    del data["answers"]["change_scope"]
    data["answers"]["project_ends"] = "not-sure"
    path = tmp_path / "unplaced.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = score(path)
    assert "Band: not placed" in " ".join(out.split())
    assert "Not sure (counted as not answered): “Which ends is the project chiefly for?”" in out
    assert "Placed without" not in score(PITCH)


def test_an_answer_whose_question_may_not_apply_is_said_so(proposal: MakeProposal) -> None:
    # target_name applies only when the driver is a target; the driver is not given.
    path = proposal(target_name="The four-hour standard", outcome=True, scope="pathway")
    out = score("-r", MINI_RUBRIC, path)
    assert (
        "Answered, but whether it applies waits on an unanswered question: “Which target?”"
    ) in out


def test_sort_by_band_orders_each_band_by_score() -> None:
    from qiappraise.cohort.batch import Row
    from qiappraise.cohort.present_batch import sort_rows

    def row(name: str, band: str, score: float, position: float) -> Row:
        return Row(
            file=name, relative=name, title=name, lead="", rubric_sha256="", score=score,
            band=band, band_label=band, position=position, complete=True, sections=(),
            dimensions=(), findings=(),
        )  # fmt: skip

    rows = [
        row("a", "repair", 80, 0.1),
        row("b", "reform", 40, 0.9),
        row("c", "reform", 70, 0.7),
        row("d", "repair", 20, 0.2),
    ]
    ordered = sort_rows(rows, "band", ["repair", "stepping-stone", "reform"])
    # Reform first; within a band the better score first, whatever the position.
    assert [r.file for r in ordered] == ["c", "b", "a", "d"]


def test_rubric_show_prints_rubric_text_as_written(tmp_path: Path) -> None:
    # Rubric text is never read as rich markup: a bracket in a prompt once
    # crashed `rubric show` (exit 70) or vanished, and "[conditional]" with it.
    text = Path(MINI_RUBRIC).read_text(encoding="utf-8")
    odd = "What drives it [/see notes] [link=https://example.org]here[/link] :warning:?"
    assert "prompt: What drives it?" in text
    rubric = tmp_path / "odd.yaml"
    rubric.write_text(text.replace("prompt: What drives it?", f'prompt: "{odd}"', 1))
    result = CliRunner().invoke(app, ["rubric", "show", str(rubric)], env=ENV)
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())
    assert odd in shown
    assert "Which target? (optional) [conditional]" in shown


def test_a_capped_section_ends_with_one_full_stop(proposal: MakeProposal) -> None:
    from rich.console import Console as _Console

    from qiappraise.rendering.present import section_feedback

    # The mini rubric caps Purpose at 50 when no outcome is named ("No outcome named.").
    a = appraise_file(proposal(driver="need", outcome=False, story="S."), MINI_RUBRIC)
    out = io.StringIO()
    section_feedback(_Console(file=out, width=200), a, "purpose", [])
    line = next(x for x in out.getvalue().splitlines() if x.startswith("End of Purpose"))
    assert "capped at 50: No outcome named" in line
    assert line.endswith(").") and not line.endswith(".).")
