"""`init --review`: a review skeleton to fill in by hand, blank for an independent rating."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from qiappraise.base.errors import ProblemsError
from qiappraise.load.pipeline import load_proposal, resolve
from qiappraise.proposal import model as proposal_mod
from qiappraise.proposal.schema import proposal_schema
from qiappraise.proposal.skeleton import REVIEW_MARKER, review_skeleton
from qiappraise.rubric.model import Rubric

from .checkhelpers import EXAMPLES, run
from .conftest import MINI_FULL, MINI_RUBRIC

POVERTY = EXAMPLES / "poverty-screening.yaml"


def with_role(path: Path, role: str = "supervisor") -> str:
    """The skeleton's text with its rater role filled in, as a reviewer would."""
    text = path.read_text(encoding="utf-8")
    filled, n = re.subn(r"^  role: ", f"  role: {role}", text, count=1, flags=re.MULTILINE)
    assert n == 1
    path.write_text(filled, encoding="utf-8")
    return filled


def test_the_skeleton_validates_once_a_role_is_filled_in(tmp_path: Path) -> None:
    review = tmp_path / "reviews" / "screening.yaml"
    result = run("init", "--review", POVERTY, review)
    assert result.exit_code == 0, result.output
    with pytest.raises(ProblemsError, match=r"rater\.role: missing; allowed: self, supervisor"):
        resolve(review)  # a review must say who reviews
    with_role(review)
    p, loaded = resolve(review)
    trainee, _ = resolve(POVERTY)
    assert p.is_review and p.reviews is not None and p.rater.role == "supervisor"
    assert p.answers == {} and p.notes == {} and p.comments == {}  # blank: independent
    assert p.reviews.path(review).resolve() == POVERTY.resolve()
    assert p.reviews.sha256 == hashlib.sha256(POVERTY.read_bytes()).hexdigest()
    assert p.reviews.seen_answers == trainee.answers
    assert p.reviews.seen_notes == trainee.notes
    assert p.project == trainee.project and p.rubric == trainee.rubric
    # The schema written beside it accepts it too (editors validate as you type).
    schema = (review.parent / "critical-engagement.schema.json").read_text(encoding="utf-8")
    data = yaml.safe_load(review.read_text(encoding="utf-8"))
    jsonschema.validate(data, yaml.safe_load(schema))
    assert yaml.safe_load(schema) == proposal_schema(loaded.rubric)


def test_reviews_file_is_relative_to_the_review(tmp_path: Path) -> None:
    trainee = tmp_path / "trainee" / "t.yaml"
    trainee.parent.mkdir()
    trainee.write_bytes(MINI_FULL.read_bytes())
    review = tmp_path / "reviews" / "t.yaml"
    assert run("init", "--review", trainee, review, "--rubric", MINI_RUBRIC).exit_code == 0
    data = yaml.safe_load(with_role(review, "peer"))
    assert data["reviews"]["file"] == "../trainee/t.yaml"
    assert load_proposal(review, _mini()).rater.role == "peer"


def test_each_question_shows_their_answer_and_note_as_comments(tmp_path: Path) -> None:
    review = tmp_path / "r.yaml"
    assert run("init", "--review", POVERTY, review).exit_code == 0
    text = review.read_text(encoding="utf-8")
    assert REVIEW_MARKER in text
    block = text[text.index("  # What first set this project going?") :]
    block = block[: block.index("  # purpose_driver:")]
    assert "# Their answer: professional-concern (Something we as clinicians" in block
    assert '# Their note: Box 3: "it arose from a desire' in block
    # Every question stays commented out; one they did not answer says so.
    trainee, loaded = resolve(POVERTY)
    for qid in loaded.rubric.questions:
        assert re.search(rf"^  # {qid}:", text, re.MULTILINE), qid
    silent = next(q for q in loaded.rubric.questions if q not in trainee.answers)
    assert re.search(rf"# Their answer: not answered\.\n  # {silent}:", text)


def test_a_claim_without_evidence_is_pointed_out(tmp_path: Path) -> None:
    trainee = tmp_path / "t.yaml"
    data = yaml.safe_load(MINI_FULL.read_text(encoding="utf-8"))
    del data["notes"]  # scope: system is a claim; now nothing backs it
    trainee.write_text(yaml.safe_dump(data), encoding="utf-8")
    review = tmp_path / "r.yaml"
    assert run("init", "--review", trainee, review, "--rubric", MINI_RUBRIC).exit_code == 0
    text = " ".join(review.read_text(encoding="utf-8").replace("#", "").split())
    assert "Their answer: system (System); a claim without evidence" in text
    assert "reviews.not_accepted if you do not accept it" in text
    p = proposal_mod.validate(proposal_mod.read_text(with_role(review), "r.yaml"), _mini())
    assert p.reviews is not None and p.reviews.seen_notes == {}  # none, rather than not recorded


def test_without_file_it_prints_with_the_path_from_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "t.yaml").write_bytes(MINI_FULL.read_bytes())
    monkeypatch.chdir(tmp_path)
    result = run("init", "--review", "sub/t.yaml", "--rubric", MINI_RUBRIC)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.stdout)
    assert data["reviews"]["file"] == "sub/t.yaml"
    assert "relative to this folder" in result.stderr


@pytest.mark.parametrize("spelling", ["t.yaml", "./t.yaml", "sub/../t.yaml"])
def test_the_reviewed_file_is_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    (tmp_path / "sub").mkdir()
    trainee = tmp_path / "t.yaml"
    trainee.write_bytes(MINI_FULL.read_bytes())
    monkeypatch.chdir(tmp_path)
    result = run("init", "--review", "t.yaml", spelling, "--force", "--rubric", MINI_RUBRIC)
    assert result.exit_code == 2
    assert "refusing to overwrite an input of this command" in result.stderr
    assert trainee.read_bytes() == MINI_FULL.read_bytes()


def test_title_does_not_go_with_review(tmp_path: Path) -> None:
    result = run("init", "--review", POVERTY, tmp_path / "r.yaml", "--title", "X")
    assert result.exit_code == 2
    assert "--title: a review copies the project" in result.stderr
    assert not (tmp_path / "r.yaml").exists()


def test_an_invalid_or_review_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rubric: {id: critical-engagement}\nproject: {title: T}\nanswers: {x: 1}\n")
    result = run("init", "--review", bad, tmp_path / "r.yaml")
    assert result.exit_code == 2 and "answers.x: unknown question id" in result.stderr
    supervisor = EXAMPLES / "reviews" / "poverty-screening.supervisor.yaml"
    result = run("init", "--review", supervisor, tmp_path / "r.yaml")
    assert result.exit_code == 2 and "is itself a review" in result.stderr
    assert not (tmp_path / "r.yaml").exists()


def test_help_says_why_the_answers_are_blank() -> None:
    result = run("init", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "--review" in text and "anchor" in text and "qiappraise review" in text


AWKWARD = [
    "yes",
    "ends with breaks\n\n",
    "indented\n  second line\n    third",
    "Para one.\n\nPara two.",
    "# not a comment",
    "key: value",
    "  padded  ",
]


@pytest.mark.parametrize("value", AWKWARD)
def test_what_they_wrote_reads_back_exactly(value: str) -> None:
    mini = _mini()
    text = review_skeleton(
        mini,
        schema_ref="m.json",
        reviewed="t.yaml",
        sha256="0" * 64,  # all digits: must stay text, not become a number
        answers={"driver": "need", "story": value.strip()},
        notes={"driver": value, "general": value},
        project={"title": "T", "summary": value},
    )
    text = text.replace("\n  role: ", "\n  role: assessor", 1)
    p = proposal_mod.validate(proposal_mod.read_text(text, "r.yaml"), mini)
    assert p.reviews is not None and p.reviews.sha256 == "0" * 64
    assert p.reviews.seen_notes == {"driver": value, "general": value}
    assert p.reviews.seen_answers == {"driver": "need", "story": value.strip()}
    assert p.project.summary == value


def _mini() -> Rubric:
    from qiappraise.load.rubric import load_rubric

    return load_rubric(MINI_RUBRIC).rubric


def test_the_skeleton_records_the_waivers_it_saw(tmp_path: Path) -> None:
    data = yaml.safe_load(MINI_FULL.read_text(encoding="utf-8"))
    data["waivers"] = [{"finding": "MI003", "reason": "Nobody else is involved, by design."}]
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    made = run(
        "init", "--review", tmp_path / "t.yaml", tmp_path / "r.yaml", "--rubric", MINI_RUBRIC
    )
    assert made.exit_code == 0, made.output
    review = yaml.safe_load((tmp_path / "r.yaml").read_text(encoding="utf-8"))
    assert review["reviews"]["seen"]["waivers"] == data["waivers"]
    review["rater"]["role"] = "supervisor"  # left for the reviewer to fill in
    jsonschema.validate(review, proposal_schema(_mini()))  # the schema knows seen.waivers
