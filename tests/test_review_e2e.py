"""End to end: the installed `qiappraise review` in a real pseudo-terminal (pexpect).

The reviewed file answers the mini rubric (every question type, a claim that
needs evidence, a follow-up question). Every expect has a timeout, so a
prompt that never comes fails the test instead of hanging it; nothing waits
on time, only on what the command prints.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pexpect
import pytest
import yaml

from qiappraise.load.pipeline import resolve
from qiappraise.scoring.score import score

from .conftest import MINI_FULL, MINI_RUBRIC
from .test_appraise_e2e import (
    CTRL_C,
    DOWN,
    ENTER,
    ESC_ENTER,
    EXE,
    UP,
    _prompt_pattern,
    spawn,
)

pytestmark = pytest.mark.slow

RUBRIC = ("--rubric", str(MINI_RUBRIC))
SCOPE_NOTE = "The council's schools and housing teams run it with us."
# The mini rubric's questions as the review asks them, with what accepting each
# takes: a list or tick boxes accept with Enter, a long text with Esc Enter.
PROMPTS = {
    "driver": "What drives it?",
    "target_name": "Which target?",
    "outcome": "Is a health outcome named?",
    "story": "Tell the story.",
    "scope": "Scope of change?",
    "groups": "Who is involved?",
    "cycles": "How many PDSA cycles?",
}
ACCEPT = {"story": ESC_ENTER}


def reviewed_file(tmp_path: Path, *, scope_note: bool = True, name: str = "t.yaml") -> Path:
    """The trainee's appraisal: mini-full, with or without evidence for its claim."""
    data = yaml.safe_load(MINI_FULL.read_text(encoding="utf-8"))
    if not scope_note:
        del data["notes"]
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command without a terminal (stdin and stdout are pipes)."""
    return subprocess.run(
        [EXE, *args], input="", capture_output=True, text=True, cwd=cwd, timeout=60
    )


def saved(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def give_rater(child: pexpect.spawn, name: str = "Dr S. Example") -> None:
    child.expect("Your name, as the reviewer")
    child.send(name + ENTER)
    child.expect("Your role in this review")
    child.send(ENTER)  # supervisor, the default


def start(tmp_path: Path, **options: bool) -> pexpect.spawn:
    """A review of a new reviewed file into r.yaml, past the rater's questions."""
    reviewed_file(tmp_path, **options)
    child = spawn("review", "t.yaml", "-o", "r.yaml", *RUBRIC, cwd=tmp_path)
    give_rater(child)
    return child


def stopped_at_the_second_question(tmp_path: Path) -> None:
    """A review into r.yaml, one answer accepted, left with Ctrl-C at the second question."""
    child = start(tmp_path)
    accept(child, ["driver"])
    question(child, "outcome")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()


def question(child: pexpect.spawn, qid: str) -> None:
    """Wait until ``qid`` is asked (its own prompt, for a long text)."""
    child.expect(_prompt_pattern(PROMPTS[qid]))
    if qid == "story":
        child.expect("Esc then Enter to finish")
        child.expect("Answer")


def accept(child: pexpect.spawn, qids: list[str]) -> None:
    """Accept each answer as given, with no comment."""
    for qid in qids:
        question(child, qid)
        child.send(ACCEPT.get(qid, ENTER))
        comment(child)


def comment(child: pexpect.spawn, text: str = "") -> None:
    child.expect("Comment to them on their answer")
    child.send(text + ENTER)


def finish(child: pexpect.spawn) -> None:
    child.expect("Review: choose a section")
    child.send(ENTER)  # "Finish and see the summary" is the first entry
    child.expect("Side by side with theirs: qiappraise moderate")
    child.expect(pexpect.EOF)
    child.close()


def test_enter_accepts_every_answer_and_its_note(tmp_path: Path) -> None:
    trainee = reviewed_file(tmp_path)
    before = trainee.read_bytes()
    # No -o: the review goes beside the reviewed file.
    child = spawn("review", "t.yaml", *RUBRIC, cwd=tmp_path)
    child.expect("saving the review to t.review.yaml")
    give_rater(child)
    child.expect("Their answer: A need")
    child.expect("Enter keeps their answer")
    accept(child, ["driver", "outcome"])
    # A text of several lines: Enter adds a line there, so the hint says what keeps it.
    child.expect(
        re.escape("Esc then Enter keeps their answer (and its note); edit it to change it.")
    )
    accept(child, ["story"])
    child.expect("Their note: The council's schools")  # shown before the question
    accept(child, ["scope", "groups", "cycles"])
    finish(child)
    assert child.exitstatus == 0, child.before
    assert trainee.read_bytes() == before  # the reviewed file is only read

    review = tmp_path / "t.review.yaml"
    data = saved(review)
    full = saved(trainee)
    assert data["rater"] == {"name": "Dr S. Example", "role": "supervisor"}
    assert data["reviews"]["file"] == "t.yaml"
    assert data["reviews"]["sha256"] == hashlib.sha256(before).hexdigest()
    assert data["rubric"] == full["rubric"] and data["project"]["title"] == full["project"]["title"]
    assert "comments" not in data and "not_accepted" not in data["reviews"]
    p, _ = resolve(review, MINI_RUBRIC)
    t, _ = resolve(trainee, MINI_RUBRIC)
    assert p.is_review and p.reviews is not None
    assert p.answers == t.answers  # accepted as given...
    assert p.notes == t.notes == {"scope": SCOPE_NOTE}  # ...with the note that backs the claim
    assert p.reviews.seen_answers == t.answers and p.reviews.seen_notes == t.notes
    assert p.reviews.path(review).resolve() == trainee.resolve()


def test_changing_an_answer_asks_for_a_note_and_a_comment(tmp_path: Path) -> None:
    child = start(tmp_path)
    accept(child, ["driver"])
    question(child, "outcome")
    child.send(DOWN + ENTER)  # Yes -> No
    child.expect("Your note: what you read or assume")
    child.send("No outcome is named in the aim." + ENTER)
    comment(child, "Which outcome do families feel?")
    accept(child, ["story", "scope", "groups"])
    question(child, "cycles")
    child.send("\x15" + "2" + ENTER)  # 4 -> 2, with no note of the reviewer's own
    child.expect("Your note")
    child.send(ENTER)
    comment(child)
    finish(child)
    assert child.exitstatus == 0, child.before
    data = saved(tmp_path / "r.yaml")
    assert data["answers"]["outcome"] is False and data["answers"]["cycles"] == 2
    assert data["notes"] == {"outcome": "No outcome is named in the aim.", "scope": SCOPE_NOTE}
    assert data["comments"] == {"outcome": "Which outcome do families feel?"}
    assert data["reviews"]["seen"]["answers"]["outcome"] is True  # what they said


def test_a_claim_without_evidence_can_be_marked_not_accepted(tmp_path: Path) -> None:
    child = start(tmp_path, scope_note=False)
    accept(child, ["driver", "outcome", "story"])
    question(child, "scope")
    child.send(ENTER)  # their answer, System: a claim they give no evidence for
    child.expect("They give no evidence for this claim: without a note it counts as: Pathway")
    child.expect("Do you accept this claim")
    child.send(DOWN + ENTER)  # "Not accepted without evidence"
    comment(child, "What shows the whole system changed?")
    accept(child, ["groups", "cycles"])
    child.expect("Review: choose a section")
    child.send(DOWN * 2 + ENTER)  # Finish, Purpose, Reach
    child.expect("which answer do you want to change")
    child.expect(r"System \[not accepted without evidence\]")
    child.send(DOWN * 3 + ENTER)  # scope, groups, cycles, back to the sections
    finish(child)
    assert child.exitstatus == 0, child.before
    review = tmp_path / "r.yaml"
    data = saved(review)
    assert data["answers"]["scope"] == "system"  # the answer is kept...
    assert "notes" not in data  # ...with no note...
    assert data["reviews"]["not_accepted"] == ["scope"]
    assert data["reviews"]["seen"]["notes"] == {}  # they had none (not: "not recorded")
    p, loaded = resolve(review, MINI_RUBRIC)
    result = {q.id: q for s in score(loaded.rubric, p).sections for q in s.questions}
    assert result["scope"].claimed == "System"  # ...so the review counts the level below
    assert result["scope"].display == "Pathway"
    moderated = run("moderate", "t.yaml", "r.yaml", *RUBRIC, "-f", "json", cwd=tmp_path)
    assert moderated.returncode == 0, moderated.stderr
    assert json.loads(moderated.stdout)["not_accepted"] == ["scope"]  # moderate reads it


def test_back_returns_to_the_previous_question_with_the_answer_given(tmp_path: Path) -> None:
    child = start(tmp_path)
    accept(child, ["driver"])
    question(child, "outcome")
    child.send(DOWN * 3 + ENTER)  # Yes, No, help, back
    question(child, "driver")
    child.send(UP + ENTER)  # need -> target: their answer changed, and a follow-up applies
    child.expect("Your note")
    child.send("A national target." + ENTER)
    comment(child)
    child.expect("Their answer: \\(not answered\\)")  # shown above the question
    question(child, "target_name")
    child.send("4-hour standard" + ENTER)
    child.expect("Your note")
    child.send(ENTER)
    comment(child)
    question(child, "outcome")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    data = saved(tmp_path / "r.yaml")
    assert data["answers"] == {"driver": "target", "target_name": "4-hour standard"}
    assert data["notes"] == {"driver": "A national target."}


def test_ctrl_c_keeps_what_was_saved_and_the_same_command_resumes(tmp_path: Path) -> None:
    child = start(tmp_path)
    accept(child, ["driver"])
    question(child, "outcome")
    child.send(DOWN + ENTER)
    child.expect("Your note")
    child.send("Not named." + ENTER)
    comment(child, "Name it?")
    question(child, "story")
    child.send(CTRL_C)
    child.expect("continue with: qiappraise review t.yaml -o r.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    data = saved(tmp_path / "r.yaml")
    assert data["answers"] == {"driver": "need", "outcome": False}
    assert data["notes"] == {"outcome": "Not named."}
    assert data["comments"] == {"outcome": "Name it?"}
    assert not list(tmp_path.glob(".*.tmp")) and not list(tmp_path.glob(".*.lock"))

    # The same command continues at the first open question; the rater is not asked again.
    child = spawn("review", "t.yaml", "-o", "r.yaml", *RUBRIC, cwd=tmp_path)
    # Whose review it is, asked before anything else: a second rater must not
    # carry on the first's by accident.
    child.expect(re.escape("r.yaml is the review by Dr S. Example (supervisor). Is that you?"))
    child.send(ENTER)
    child.expect("Continuing r.yaml: 2 answers so far")
    accept(child, ["story", "scope", "groups", "cycles"])
    finish(child)
    assert child.exitstatus == 0, child.before
    data = saved(tmp_path / "r.yaml")
    assert data["rater"]["name"] == "Dr S. Example"
    assert data["answers"]["outcome"] is False and data["answers"]["cycles"] == 4
    assert data["comments"] == {"outcome": "Name it?"}


def test_a_review_skeleton_is_continued_interactively(tmp_path: Path) -> None:
    reviewed_file(tmp_path)
    made = run("init", "--review", "t.yaml", "r.yaml", *RUBRIC, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    child = spawn("review", "t.yaml", "-o", "r.yaml", *RUBRIC, cwd=tmp_path)
    child.expect("Continuing r.yaml: 0 answers so far")
    give_rater(child)  # its role was blank; the skeleton's own comments are no loss
    accept(child, ["driver", "outcome", "story", "scope", "groups", "cycles"])
    finish(child)
    assert child.exitstatus == 0, child.before
    p, _ = resolve(tmp_path / "r.yaml", MINI_RUBRIC)
    assert p.rater.role == "supervisor" and p.answers["scope"] == "system"


def test_second_session_on_the_same_review_is_refused(tmp_path: Path) -> None:
    reviewed_file(tmp_path)
    first = spawn("review", "t.yaml", "-o", "r.yaml", *RUBRIC, cwd=tmp_path)
    first.expect("Your name, as the reviewer")
    second = spawn("review", "t.yaml", "-o", "r.yaml", *RUBRIC, cwd=tmp_path)
    second.expect("is open in another `qiappraise review` session")
    second.expect(pexpect.EOF)
    second.close()
    assert second.exitstatus == 2
    first.send(CTRL_C)
    first.expect("nothing was saved")
    first.expect(pexpect.EOF)
    first.close()
    assert first.exitstatus == 130
    assert not (tmp_path / "r.yaml").exists()


def test_an_invalid_reviewed_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "rubric: {id: mini}\nproject: {title: T}\nanswers: {driver: needs}\n", encoding="utf-8"
    )
    child = spawn("review", "t.yaml", *RUBRIC, cwd=tmp_path)
    child.expect(r"error: t\.yaml:3: answers\.driver: 'needs' is not one of")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert not (tmp_path / "t.review.yaml").exists()


def test_without_a_terminal_it_says_what_to_use_instead(tmp_path: Path) -> None:
    reviewed_file(tmp_path)
    result = run("review", "t.yaml", "-o", "r.yaml", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "needs an interactive terminal" in lines[0]
    assert "qiappraise init --review" in lines[0]
    assert not (tmp_path / "r.yaml").exists()


@pytest.mark.parametrize("spelling", ["t.yaml", "./t.yaml", "sub/../t.yaml", "{abs}", "link.yaml"])
def test_the_reviewed_file_is_never_the_output(tmp_path: Path, spelling: str) -> None:
    trainee = reviewed_file(tmp_path)
    (tmp_path / "sub").mkdir()
    os.symlink(trainee, tmp_path / "link.yaml")
    before = trainee.read_bytes()
    target = spelling.replace("{abs}", str(trainee))
    result = run("review", "t.yaml", "-o", target, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"-o {Path(target)}: that is the file being reviewed" in lines[0]
    assert "t.review.yaml" in lines[0]  # what to use instead
    assert trainee.read_bytes() == before


def test_the_reviewed_file_is_never_the_output_in_a_terminal_either(tmp_path: Path) -> None:
    trainee = reviewed_file(tmp_path)
    before = trainee.read_bytes()
    child = spawn("review", "t.yaml", "-o", "./t.yaml", *RUBRIC, cwd=tmp_path)
    child.expect("that is the file being reviewed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert trainee.read_bytes() == before


def test_appraise_leaves_a_review_to_review(tmp_path: Path) -> None:
    """appraise would save a review without its rater, reviews and comments."""
    reviewed_file(tmp_path)
    assert run("init", "--review", "t.yaml", "r.yaml", *RUBRIC, cwd=tmp_path).returncode == 0
    before = (tmp_path / "r.yaml").read_bytes()
    child = spawn("appraise", "r.yaml", cwd=tmp_path)
    child.expect("is a review of another appraisal")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert (tmp_path / "r.yaml").read_bytes() == before


def test_a_second_rater_is_not_carried_into_the_firsts_review(tmp_path: Path) -> None:
    stopped_at_the_second_question(tmp_path)
    before = (tmp_path / "r.yaml").read_bytes()
    child = spawn("review", "t.yaml", "-o", "r.yaml", *RUBRIC, cwd=tmp_path)
    child.expect("Is that you?")
    child.send("n")
    child.expect(
        re.escape("error: r.yaml is the review by Dr S. Example (supervisor) and is left as it was")
    )
    # A file name to paste and edit: not the file just declined, nothing a shell redirects.
    child.expect(re.escape("give your review a file of its own: qiappraise review t.yaml -o"))
    child.expect(re.escape("r.YOUR-NAME.yaml"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2  # not done: a script must not take it for a review written
    assert (tmp_path / "r.yaml").read_bytes() == before
    assert not list(tmp_path.glob(".*.lock"))


def test_a_list_they_left_blank_opens_on_help_so_enter_records_nothing(tmp_path: Path) -> None:
    data = yaml.safe_load(MINI_FULL.read_text(encoding="utf-8"))
    del data["answers"]["outcome"]
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    child = spawn("review", "t.yaml", "-o", "r.yaml", *RUBRIC, cwd=tmp_path)
    give_rater(child)
    accept(child, ["driver"])
    child.expect("Their answer: \\(not answered\\)")
    child.expect("They left it blank: choose your own answer")
    question(child, "outcome")
    child.send(ENTER)  # the highlight is on Help: shows it, records nothing
    child.expect("Why we ask: Is a health outcome named\\?")
    question(child, "outcome")
    child.send(UP + ENTER)  # from Help, one up is "No": a choice made, not a reflex
    child.expect("Your note")
    child.send(ENTER)
    comment(child)
    question(child, "story")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    assert saved(tmp_path / "r.yaml")["answers"]["outcome"] is False


def test_back_from_a_note_or_comment_box_returns_to_the_answer(tmp_path: Path) -> None:
    child = start(tmp_path)
    question(child, "driver")
    child.send(ENTER)
    child.expect("Comment to them on their answer")
    child.expect(re.escape("(< to go back)"))  # on the prompt's own line, 80 columns wide
    child.send("<" + ENTER)  # back to the answer, not a comment "<"
    question(child, "driver")
    child.send(ENTER)
    comment(child)
    question(child, "outcome")
    child.send(DOWN + ENTER)  # Yes -> No
    child.expect("Your note: what you read or assume")
    child.expect(re.escape("(< to go back)"))
    child.send("<" + ENTER)
    question(child, "outcome")  # asked again, from the answer just given
    child.send(ENTER)
    child.expect("Your note: what you read or assume")
    child.send("No outcome is named in the aim." + ENTER)
    comment(child)
    accept(child, ["story", "scope", "groups", "cycles"])
    finish(child)
    assert child.exitstatus == 0, child.before
    data = saved(tmp_path / "r.yaml")
    assert data["answers"]["outcome"] is False
    assert data["notes"]["outcome"] == "No outcome is named in the aim."
    assert "comments" not in data or data["comments"] == {}


def test_back_from_the_note_backing_a_claim_settles_nothing(tmp_path: Path) -> None:
    child = start(tmp_path, scope_note=False)
    accept(child, ["driver", "outcome", "story"])
    question(child, "scope")
    child.send(ENTER)  # their answer, System: a claim they give no evidence for
    child.expect("Do you accept this claim")
    child.send(DOWN * 2 + ENTER)  # "Accept it: I know what backs it (add my note)"
    child.expect("Your note: what backs it")
    child.expect(re.escape("(< to go back)"))
    child.send("<" + ENTER)
    question(child, "scope")  # back at the answer, nothing settled yet
    child.send(ENTER)
    child.expect("Do you accept this claim")
    child.send(DOWN + ENTER)  # "Not accepted without evidence"
    comment(child)
    accept(child, ["groups", "cycles"])
    finish(child)
    assert child.exitstatus == 0, child.before
    data = saved(tmp_path / "r.yaml")
    assert data["reviews"]["not_accepted"] == ["scope"]
    assert "notes" not in data


def test_a_comment_saved_as_a_lone_back_mark_is_kept_on_enter(tmp_path: Path) -> None:
    # Before "<" meant back in a comment box, it was saved as the comment "<".
    # Offered again, Enter keeps it: it must not send the reviewer back forever.
    stopped_at_the_second_question(tmp_path)
    data = saved(tmp_path / "r.yaml")
    data["comments"] = {"driver": "<"}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    child = spawn("review", "t.yaml", "-o", "r.yaml", *RUBRIC, cwd=tmp_path)
    child.expect("Is that you?")
    child.send(ENTER)
    accept(child, ["outcome", "story", "scope", "groups", "cycles"])
    child.expect("Review: choose a section")
    child.send(DOWN + ENTER)  # Purpose
    child.expect("which answer do you want to change")
    child.send(ENTER)  # driver
    question(child, "driver")
    child.send(ENTER)
    child.expect("Comment to them on their answer")
    child.send(ENTER)  # the "<" offered again: kept, not read as back
    child.expect("Review: choose a section")
    child.send(ENTER)
    child.expect("Side by side with theirs: qiappraise moderate")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert saved(tmp_path / "r.yaml")["comments"] == {"driver": "<"}
