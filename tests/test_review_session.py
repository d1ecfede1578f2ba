"""A review's state (``review_session``) and its prompts, without a terminal.

The prompts are driven through prompt_toolkit's pipe input, as in
test_interactive; the real command in a terminal is in test_review_e2e.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from qiappraise.base.errors import UsageError
from qiappraise.interactive import appraise as interactive
from qiappraise.interactive import review_session as reviews
from qiappraise.interactive.review import ReviewFlow
from qiappraise.interactive.session import Step
from qiappraise.load.pipeline import load_proposal
from qiappraise.load.reviewed import ReviewedFile, read_reviewed, relative
from qiappraise.rubric.model import Rubric

from .conftest import MINI_FULL, MINI_RUBRIC
from .test_interactive import DOWN, ENTER, ESC_ENTER, drive

NOTE = "The council's schools and housing teams run it with us."


def reviewed(tmp_path: Path, **changes: object) -> ReviewedFile:
    """mini-full as the reviewed file; ``notes=None`` drops its note."""
    data = yaml.safe_load(MINI_FULL.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path = tmp_path / "trainee" / "t.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return read_reviewed(path, MINI_RUBRIC)[0]


def q(qid: str) -> Step:
    return Step("question", qid)


def test_accepting_copies_their_note_and_changing_drops_it(mini: Rubric, tmp_path: Path) -> None:
    s = reviews.new(mini, tmp_path / "r.yaml", reviewed(tmp_path))
    assert s.default("scope") == "system"  # Enter accepts theirs
    s.set_answer(q("scope"), "system")
    assert s.accepted("scope") and s.notes == {"scope": NOTE}
    s.set_answer(q("scope"), "pathway")
    assert not s.accepted("scope") and s.notes == {}  # their note backed their answer
    assert s.display(q("scope")) == "Pathway [changed; was: System]"
    s.set_note("scope", "Only the ED pathway changed.")
    s.set_answer(q("scope"), "pathway")  # back, and Enter on the same answer: kept
    assert s.notes == {"scope": "Only the ED pathway changed."}


def test_a_claim_not_accepted_keeps_no_note(mini: Rubric, tmp_path: Path) -> None:
    s = reviews.new(mini, tmp_path / "r.yaml", reviewed(tmp_path, notes=None))
    s.set_answer(q("scope"), "system")
    assert s.unevidenced_claim("scope")
    s.refuse("scope")
    s.set_answer(q("scope"), "system")  # visited again: the decision stands
    assert s.not_accepted == ["scope"] and "scope" not in s.notes
    assert s.display(q("scope")) == "System [not accepted without evidence]"
    assert s.to_data()["reviews"]["not_accepted"] == ["scope"]
    s.set_answer(q("scope"), "task")  # changed: no longer their claim
    assert s.not_accepted == []


def test_answers_that_no_longer_apply_take_their_notes_along(mini: Rubric, tmp_path: Path) -> None:
    s = reviews.new(mini, tmp_path / "r.yaml", reviewed(tmp_path))
    s.set_answer(q("driver"), "target")
    s.set_answer(q("target_name"), "4-hour standard")
    s.set_note("target_name", "Named in the aim.")
    assert s.set_answer(q("driver"), "need") == ["target_name"]
    assert "target_name" not in s.answers and "target_name" not in s.notes


def test_the_file_records_what_it_reviews(mini: Rubric, tmp_path: Path) -> None:
    src = reviewed(tmp_path)
    path = tmp_path / "reviews" / "r.yaml"
    path.parent.mkdir()
    s = reviews.new(mini, path, src)
    s.rater = {"name": "Dr S", "role": "peer"}
    s.set_answer(q("driver"), "need")
    s.set_comment("driver", "Whose need?")
    s.save()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert list(data) == ["rater", "reviews", "rubric", "project", "answers", "comments"]
    assert data["reviews"]["file"] == "../trainee/t.yaml"
    assert data["reviews"]["sha256"] == src.sha256
    assert data["reviews"]["seen"] == {"answers": src.answers, "notes": src.notes, "waivers": []}
    p = load_proposal(path, mini)
    assert p.rater.role == "peer" and p.comments == {"driver": "Whose need?"}
    assert relative(Path("/a/b.yaml"), Path("/c")) == "/a/b.yaml"  # only the root shared


def test_continuing_asks_again_what_changed_there(mini: Rubric, tmp_path: Path) -> None:
    src = reviewed(tmp_path)
    path = tmp_path / "r.yaml"
    s = reviews.new(mini, path, src)
    s.rater = {"name": "", "role": "supervisor"}
    for qid, value in src.answers.items():
        s.set_answer(q(qid), value)  # everything accepted...
    s.set_answer(q("cycles"), 2)  # ...but the cycles
    s.save()
    # They edit their file: more cycles, and a new note on the driver.
    changed = reviewed(tmp_path, answers={**src.answers, "cycles": 6}, notes={"driver": "Why."})
    again = reviews.from_file(mini, path, changed)
    assert again.reopen_changed() == ["driver", "scope"]  # accepted, and changed there
    assert again.answers["cycles"] == 2  # the reviewer's own answer stays
    assert again.default("driver") == "need" and again.first_open() == 0


def test_only_a_review_of_that_file_is_continued(mini: Rubric, tmp_path: Path) -> None:
    src = reviewed(tmp_path)
    plain = tmp_path / "plain.yaml"
    plain.write_bytes(MINI_FULL.read_bytes())
    with pytest.raises(UsageError, match="an appraisal, not a review"):
        reviews.from_file(mini, plain, src)
    other = tmp_path / "other.yaml"
    other.write_bytes(MINI_FULL.read_bytes())
    s = reviews.new(mini, tmp_path / "r.yaml", read_reviewed(other, MINI_RUBRIC)[0])
    s.rater = {"role": "supervisor"}
    s.save()
    with pytest.raises(UsageError, match=r"this review reviews other\.yaml"):
        reviews.from_file(mini, tmp_path / "r.yaml", src)


def test_a_claim_accepted_with_the_reviewers_own_note(mini: Rubric, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    s = reviews.new(mini, path, reviewed(tmp_path, notes=None))
    s.rater = {"role": "supervisor"}
    buf = io.StringIO()
    keys = (
        ENTER + ENTER  # driver: accept, no comment
        + ENTER + ENTER  # outcome
        + ESC_ENTER + ENTER  # story
        + ENTER  # scope: accept their System, a claim with no evidence...
        + DOWN + DOWN + ENTER  # ...accepted, with my own note
        + "I saw the council's minutes." + ENTER
        + ENTER  # no comment
        + ENTER + ENTER  # groups
        + ENTER + "Fine." + ENTER  # cycles, with a comment
        + ENTER  # finish at the review screen
    )  # fmt: skip
    drive(keys, lambda: interactive.run(s, Console(file=buf, width=80), ReviewFlow()))
    p = load_proposal(path, mini)
    assert p.answers["scope"] == "system" and p.reviews is not None
    assert p.notes == {"scope": "I saw the council's minutes."}
    assert p.reviews.not_accepted == () and p.comments == {"cycles": "Fine."}
    shown = " ".join(buf.getvalue().split())
    assert "Their answer: System" in shown
    assert "They give no evidence for this claim: without a note it counts as: Pathway" in shown


@pytest.mark.parametrize(
    ("qid", "blank", "hint"),
    [
        ("scope", False, "Enter keeps their answer"),
        ("scope", True, "They left it blank: choose your own answer"),
        ("outcome", True, "They left it blank: choose your own answer"),
        ("cycles", True, None),  # Enter on an empty number leaves it blank
        ("story", True, None),
    ],
)
def test_the_hint_says_what_enter_does(
    mini: Rubric, tmp_path: Path, qid: str, blank: bool, hint: str | None
) -> None:
    data = yaml.safe_load(MINI_FULL.read_text(encoding="utf-8"))
    if blank:
        data["answers"].pop(qid, None)
    s = reviews.new(mini, tmp_path / "r.yaml", reviewed(tmp_path, answers=data["answers"]))
    out = io.StringIO()
    ReviewFlow().before(s, qid, Console(file=out, width=200))
    shown = out.getvalue()
    assert "Their answer: " + ("(not answered)" if blank else "") in shown
    if hint is None:
        assert "Enter" not in shown
    else:
        assert hint in shown


def test_a_list_left_blank_opens_on_help_not_on_an_answer(mini: Rubric, tmp_path: Path) -> None:
    from qiappraise.interactive.prompts import HELP

    data = yaml.safe_load(MINI_FULL.read_text(encoding="utf-8"))
    for qid in ("scope", "outcome", "cycles"):
        data["answers"].pop(qid, None)
    s = reviews.new(mini, tmp_path / "r.yaml", reviewed(tmp_path, answers=data["answers"]))
    assert s.default("scope") is HELP and s.default("outcome") is HELP
    assert s.default("cycles") is None  # a number: Enter on an empty box leaves it blank
    assert s.default("driver") == data["answers"]["driver"]  # theirs: Enter accepts it
    s.set_answer(q("scope"), "pathway")
    assert s.default("scope") == "pathway"  # once answered, the answer
