"""Moderation: two raters of one project, their differences ordered by what they move."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from qiappraise.base.errors import ProblemsError, UsageError
from qiappraise.load.pipeline import resolve
from qiappraise.proposal.model import Proposal
from qiappraise.raters import moderation as mod
from qiappraise.rubric.model import Rubric

from .test_cli_core import run

ROOT = Path(__file__).resolve().parent.parent
TRAINEE = ROOT / "examples" / "poverty-screening.yaml"
REVIEW = ROOT / "examples" / "reviews" / "poverty-screening.supervisor.yaml"


def _load(path: Path) -> tuple[Proposal, Rubric, str]:
    proposal, loaded = resolve(path)
    return proposal, loaded.rubric, loaded.sha256


def _pair(tmp_path: Path, review_edits: dict[str, Any]) -> tuple[Path, Path]:
    """The example trainee file and a review of it, copied, with ``review_edits`` applied."""
    trainee = tmp_path / "trainee.yaml"
    shutil.copyfile(TRAINEE, trainee)
    data = yaml.safe_load(TRAINEE.read_text())
    review: dict[str, Any] = {
        "rubric": data["rubric"],
        "project": {"title": data["project"]["title"]},
        "rater": {"name": "Dr R", "role": "supervisor"},
        "reviews": {"file": "trainee.yaml"},
        "answers": dict(data["answers"]),
        "notes": dict(data["notes"]),
    }
    for key, value in review_edits.items():
        if key == "answers":
            for qid, answer in value.items():
                if answer is None:
                    review["answers"].pop(qid, None)
                else:
                    review["answers"][qid] = answer
        else:
            review[key] = value
    path = tmp_path / "review.yaml"
    path.write_text(yaml.safe_dump(review, sort_keys=False))
    return trainee, path


def _moderate(first: Path, second: Path) -> mod.Moderation:
    a, rubric, sha = _load(first)
    b, _, _ = _load(second)
    a, b = mod.order(a, b)
    actual = hashlib.sha256(Path(a.file).read_bytes()).hexdigest()
    return mod.moderate(rubric, a, b, sha256=sha, first_bytes_sha256=actual)


def test_identical_answers_agree_everywhere(tmp_path: Path) -> None:
    trainee, review = _pair(tmp_path, {})
    m = _moderate(trainee, review)
    assert m.bands_agree is True
    assert m.score_difference == 0.0
    assert m.disagreements() == ()
    counts = m.summary()
    assert counts["adjacent"] == counts["apart"] == counts["one-answered"] == 0
    assert counts["same"] == 20  # the example answers 20 non-text questions
    assert counts["neither-answered"] > 0  # two blanks are not agreement


def test_a_ladder_step_is_adjacent_and_a_jump_is_apart(tmp_path: Path) -> None:
    # family_outcomes_measured: none < satisfaction < own-outcomes (points 0, 1, 2).
    trainee, review = _pair(tmp_path, {"answers": {"family_outcomes_measured": "satisfaction"}})
    q = {q.id: q for q in _moderate(trainee, review).questions}["family_outcomes_measured"]
    assert (q.agreement, q.ordered) == ("adjacent", True)
    trainee, review = _pair(tmp_path, {"answers": {"family_outcomes_measured": "none"}})
    q = {q.id: q for q in _moderate(trainee, review).questions}["family_outcomes_measured"]
    assert q.agreement == "apart"


def test_a_dimension_one_level_apart_is_adjacent(tmp_path: Path) -> None:
    # dim_equitable is primary in the example: secondary is one step down,
    # "not addressed" two. Profile answers earn nothing, yet they are ordered.
    trainee, review = _pair(tmp_path, {"answers": {"dim_equitable": "secondary"}})
    q = {q.id: q for q in _moderate(trainee, review).questions}["dim_equitable"]
    assert (q.agreement, q.ordered) == ("adjacent", True)
    trainee, review = _pair(tmp_path, {"answers": {"dim_equitable": "none"}})
    q = {q.id: q for q in _moderate(trainee, review).questions}["dim_equitable"]
    assert q.agreement == "apart"


def test_unordered_answers_are_same_or_apart(tmp_path: Path) -> None:
    trainee, review = _pair(tmp_path, {"answers": {"outcome_named": False}})
    q = {q.id: q for q in _moderate(trainee, review).questions}["outcome_named"]
    assert (q.agreement, q.ordered) == ("apart", False)


def test_one_rater_silent_is_its_own_level(tmp_path: Path) -> None:
    trainee, review = _pair(tmp_path, {"answers": {"pdsa_cycles": None}})
    q = {q.id: q for q in _moderate(trainee, review).questions}["pdsa_cycles"]
    assert q.agreement == "one-answered"
    assert q.answers == ("2 cycles", "(not answered)")


def test_disagreements_come_in_order_of_what_they_move(tmp_path: Path) -> None:
    trainee, review = _pair(
        tmp_path,
        {
            "answers": {
                "measure_types": ["process"],
                "purpose_questions": "within-service",
                "dim_efficient": "secondary",
            }
        },
    )
    m = _moderate(trainee, review)
    order = [q.id for q in m.disagreements()]
    assert set(order) == {"measure_types", "purpose_questions", "dim_efficient"}
    weights = [q.weight for q in m.disagreements()]
    assert weights == sorted(weights, reverse=True)
    by_id = {q.id: q for q in m.questions}
    # Each move is what the first rater's result becomes with that answer alone swapped.
    assert by_id["measure_types"].moves_score is not None and by_id["measure_types"].moves_score < 0
    assert by_id["measure_types"].moves_position == 0.0  # a score question never moves the position
    assert (
        by_id["purpose_questions"].moves_score == 0.0
    )  # a position question never moves the score
    assert by_id["purpose_questions"].moves_position is not None
    assert by_id["purpose_questions"].moves_position < 0
    assert by_id["dim_efficient"].weight == 0.0  # profile only
    assert order[-1] == "dim_efficient"


def test_moves_are_recomputed_not_guessed(tmp_path: Path) -> None:
    trainee, review = _pair(tmp_path, {"answers": {"measure_types": ["process"]}})
    m = _moderate(trainee, review)
    a, rubric, _ = _load(trainee)
    swapped = dataclasses.replace(a, answers={**a.answers, "measure_types": ("process",)})
    from qiappraise.scoring.score import score

    expected = round(score(rubric, swapped).score - score(rubric, a).score, 1)  # type: ignore[operator]
    q = {q.id: q for q in m.questions}["measure_types"]
    assert q.moves_score == expected != 0


def test_comments_reflect_and_not_accepted_are_carried(tmp_path: Path) -> None:
    trainee, review = _pair(
        tmp_path,
        {
            "comments": {"outcome_named": "Which outcome?"},
            "reviews": {"file": "trainee.yaml", "not_accepted": ["family_outcomes_measured"]},
        },
    )
    m = _moderate(trainee, review)
    q = {q.id: q for q in m.questions}
    assert q["outcome_named"].comment == "Which outcome?"
    assert q["outcome_named"].reflect  # the rubric's reflective question
    assert [x.id for x in m.not_accepted()] == ["family_outcomes_measured"]


def test_findings_raised_for_one_rater_only(tmp_path: Path) -> None:
    trainee, review = _pair(tmp_path, {"answers": {"outcome_named": False}})
    m = _moderate(trainee, review)
    a, b = m.first.appraisal, m.second.appraisal
    assert set(m.only_second) == {f.id for f in b.active_findings()} - {
        f.id for f in a.active_findings()
    }
    assert m.only_second and m.only_first == ()  # "no outcome named" is raised for the reviewer


def test_order_puts_the_reviewed_file_first(tmp_path: Path) -> None:
    trainee, review = _pair(tmp_path, {})
    m = _moderate(review, trainee)
    assert m.first.file == str(trainee) and m.second.file == str(review)
    assert m.second.role == "supervisor" and m.first.role == "self"
    assert m.link == "reviews"


def test_unrelated_appraisals_are_refused(tmp_path: Path) -> None:
    a, rubric, _ = _load(TRAINEE)
    b, _, _ = _load(ROOT / "examples" / "cypic.yaml")
    with pytest.raises(UsageError, match="not known to appraise one project"):
        mod.moderate(rubric, a, b)


def test_a_shared_project_id_links_two_appraisals(tmp_path: Path) -> None:
    data = yaml.safe_load(TRAINEE.read_text())
    data["project"]["id"] = "poverty-2021"
    first = tmp_path / "a.yaml"
    first.write_text(yaml.safe_dump(data))
    data["rater"] = {"role": "peer", "name": "Dr P"}
    second = tmp_path / "b.yaml"
    second.write_text(yaml.safe_dump(data))
    assert _moderate(first, second).link == "project.id"


def test_an_edited_reviewed_file_is_named_by_what_changed(tmp_path: Path) -> None:
    trainee, review = _pair(tmp_path, {})
    data = yaml.safe_load(review.read_text())
    seen = yaml.safe_load(trainee.read_text())
    data["reviews"] = {
        "file": "trainee.yaml",
        "sha256": hashlib.sha256(trainee.read_bytes()).hexdigest(),
        "seen": {"answers": seen["answers"], "notes": seen["notes"]},
    }
    review.write_text(yaml.safe_dump(data))
    assert _moderate(trainee, review).reviewed_changed is None
    trainee.write_text(trainee.read_text().replace("pdsa_cycles: 2", "pdsa_cycles: 5"))
    change = _moderate(trainee, review).reviewed_changed
    assert change is not None and change.answers is not None
    assert [(c.question, c.old, c.new) for c in change.answers] == [
        ("pdsa_cycles", "2 cycles", "5 cycles")
    ]


def test_an_edit_without_a_record_of_what_was_seen_still_warns(tmp_path: Path) -> None:
    trainee, review = _pair(tmp_path, {"reviews": {"file": "trainee.yaml", "sha256": "0" * 64}})
    change = _moderate(trainee, review).reviewed_changed
    assert change is not None and change.answers is None and change.recorded == "0" * 64


def test_the_json_document(tmp_path: Path) -> None:
    result = run("moderate", "-f", "json", TRAINEE, REVIEW)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == 1
    assert [r["role"] for r in doc["raters"]] == ["self", "supervisor"]
    assert set(doc["score"]) >= {"values", "difference"}
    assert set(doc["band"]) >= {"values", "agree"}
    assert set(doc["position"]) >= {"values", "difference"}
    assert set(doc["summary"]) == set(mod.AGREEMENT_LEVELS)
    assert sum(doc["summary"].values()) == len(doc["questions"])
    for q in doc["questions"]:
        assert {"id", "answers", "agreement"} <= set(q)
        assert len(q["answers"]) == 2
    assert doc["disagreements"][0] in {q["id"] for q in doc["questions"]}
    assert doc["reviewed_changed"] is None  # the example's recorded hash is current


def test_the_example_review_records_the_current_trainee_file() -> None:
    # Editing examples/poverty-screening.yaml must come with updating the
    # review's sha256 and seen answers, or `moderate` warns on the example.
    review = yaml.safe_load(REVIEW.read_text())
    trainee = yaml.safe_load(TRAINEE.read_text())
    assert review["reviews"]["sha256"] == hashlib.sha256(TRAINEE.read_bytes()).hexdigest()
    assert review["reviews"]["seen"]["answers"] == trainee["answers"]


def test_the_terminal_view_puts_the_agenda_first() -> None:
    result = run("moderate", REVIEW, TRAINEE)
    assert result.exit_code == 0, result.stderr
    # Lines wrap at the terminal's width, and the files' paths differ in length
    # from clone to clone: read the words, not the lines.
    out = " ".join(result.stdout.split())
    assert "(Dr D. Example, self)" in out and "(Dr S. Example, supervisor)" in out
    assert "bands agree" in out
    agenda = out.index("To discuss (5)")
    assert out.index("Which kinds of measure") > agenda
    assert "ask:" in out and "comment:" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"rater": {"role": "boss"}},
            "rater.role: 'boss'; allowed: self, supervisor, peer, assessor",
        ),
        ({"rater": {"name": "X"}}, "rater.role: missing"),
        ({"reviews": {"sha256": "a" * 64}}, "reviews.file: required"),
        ({"reviews": {"file": "t.yaml", "sha256": "xyz"}}, "reviews.sha256: expected the 64 hex"),
        ({"reviews": {"file": "t.yaml", "not_accepted": ["nope"]}}, "reviews.not_accepted[0]"),
        ({"comments": {"outcome_named": "Why?"}}, "comments: only a review"),
        ({"reviews": {"file": "t.yaml"}}, "rater.role: a review is another rater's appraisal"),
    ],
)
def test_review_keys_are_checked(tmp_path: Path, extra: dict[str, Any], message: str) -> None:
    data = yaml.safe_load(TRAINEE.read_text())
    data.update(extra)
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ProblemsError) as info:
        resolve(path)
    assert any(message in p.message for p in info.value.problems), [
        p.message for p in info.value.problems
    ]


def test_notes_not_recorded_are_not_reported_as_changed(tmp_path: Path) -> None:
    trainee, review = _pair(tmp_path, {})
    data = yaml.safe_load(review.read_text())
    seen = yaml.safe_load(trainee.read_text())
    data["reviews"] = {
        "file": "trainee.yaml",
        "sha256": "0" * 64,
        "seen": {"answers": seen["answers"]},
    }
    review.write_text(yaml.safe_dump(data))
    trainee.write_text(trainee.read_text() + "# a comment: the bytes change, nothing else\n")
    change = _moderate(trainee, review).reviewed_changed
    assert change is not None
    assert change.answers == () and change.notes is None


def test_a_question_without_its_own_reflective_prompt_takes_its_sections(tmp_path: Path) -> None:
    trainee, review = _pair(tmp_path, {"answers": {"dim_efficient": "secondary"}})
    q = {q.id: q for q in _moderate(trainee, review).questions}["dim_efficient"]
    assert q.reflect  # dim_efficient has none of its own


def test_comments_on_agreed_answers_reach_the_meeting(tmp_path: Path) -> None:
    trainee, review = _pair(tmp_path, {"comments": {"purpose_driver": "Was there one incident?"}})
    m = _moderate(trainee, review)
    assert [q.id for q in m.other_comments()] == ["purpose_driver"]
    result = run("moderate", trainee, review)
    assert "Other comments (1)" in result.stdout and "Was there one incident?" in result.stdout
    md = run("moderate", trainee, review, "-f", "md").stdout
    assert "## Other comments" in md and "Was there one incident?" in md


def test_a_review_naming_a_missing_file_says_so(tmp_path: Path) -> None:
    trainee, review = _pair(tmp_path, {"reviews": {"file": "../trainees/trainee.yaml"}})
    result = run("moderate", trainee, review)
    assert result.exit_code == 2
    assert "reviews.file: ../trainees/trainee.yaml: no such file" in result.stderr


def test_a_review_of_another_file_names_it(tmp_path: Path) -> None:
    _trainee, review = _pair(tmp_path, {})
    other = tmp_path / "other.yaml"
    shutil.copyfile(ROOT / "examples" / "cypic.yaml", other)
    result = run("moderate", other, review)
    assert result.exit_code == 2
    assert "reviews" in result.stderr and "moderate it against the file it reviews" in result.stderr


def test_not_accepted_counts_the_claim_below_even_with_a_note(tmp_path: Path) -> None:
    from qiappraise.scoring.score import score

    _trainee, review = _pair(tmp_path, {})
    kept, rubric, _ = _load(review)
    data = yaml.safe_load(review.read_text())
    data["reviews"]["not_accepted"] = ["family_outcomes_measured"]
    review.write_text(yaml.safe_dump(data))
    refused, _, _ = _load(review)
    assert refused.notes["family_outcomes_measured"]  # the note is still there, and shown
    before, after = score(rubric, kept), score(rubric, refused)
    assert "family_outcomes_measured" in after.unevidenced
    assert after.score is not None and before.score is not None and after.score < before.score


def test_not_accepted_names_only_claims(tmp_path: Path) -> None:
    data = yaml.safe_load(REVIEW.read_text())
    data["reviews"]["not_accepted"] = ["pdsa_cycles"]
    path = tmp_path / "examples" / "reviews" / "r.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ProblemsError) as info:
        resolve(path)
    assert "'pdsa_cycles' has no answer the rubric marks as a claim" in str(info.value)


@pytest.mark.parametrize(
    ("typed", "hint"), [("Supervisor", "'supervisor'"), ("supervisr", "'supervisor'")]
)
def test_a_mistyped_role_gets_one_error_with_a_hint(tmp_path: Path, typed: str, hint: str) -> None:
    _trainee, review = _pair(tmp_path, {"rater": {"name": "Dr R", "role": typed}})
    with pytest.raises(ProblemsError) as info:
        resolve(review)
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 1 and f"did you mean {hint}?" in messages[0], messages
