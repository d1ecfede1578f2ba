"""End to end: the installed `qiappraise appraise` in a real pseudo-terminal (pexpect).

Every expect has a timeout, so a prompt that never comes fails the test
instead of hanging it.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
import yaml

from qiappraise.interactive.session import META_FIELDS, Session
from qiappraise.load.pipeline import load_proposal
from qiappraise.load.rubric import load_rubric
from qiappraise.proposal.answers import fallback
from qiappraise.rubric.model import Rubric
from qiappraise.rubric.read import find_rubric
from qiappraise.rubric.relevance import applicable
from qiappraise.scoring.score import score

from .conftest import MINI_RUBRIC

ROOT = Path(__file__).resolve().parent.parent
EXE = str(Path(sys.executable).parent / "qiappraise")
# A complete proposal: the article's cases leave questions unanswered on purpose.
EXAMPLE = ROOT / "tests" / "fixtures" / "validity" / "sepsis-deliberate-repair.yaml"
TIMEOUT = 15

DOWN, UP, ENTER, SPACE, ESC_ENTER, CTRL_C, CTRL_U = (
    "\x1b[B",
    "\x1b[A",
    "\r",
    " ",
    "\x1b\r",
    "\x03",
    "\x15",
)

pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(PROMPT_TOOLKIT_NO_CPR="1", NO_COLOR="1", TERM="xterm", COLUMNS="80", LINES="24")
    return env


class _Transcript(io.StringIO):
    """Everything the command wrote, also appended to $QIAPPRAISE_E2E_LOG when set."""

    def write(self, text: str) -> int:
        if log := os.environ.get("QIAPPRAISE_E2E_LOG"):
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(text)
        return super().write(text)


def _signals_at_default() -> None:
    # A suite started in the background may have them ignored, and the entry
    # point leaves an ignored signal ignored (see tests/signalhelpers.py).
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def spawn(*args: str, cwd: Path) -> pexpect.spawn:
    child = pexpect.spawn(
        EXE,
        list(args),
        cwd=str(cwd),
        env=_env(),
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=TIMEOUT,
        preexec_fn=_signals_at_default,
    )
    child.logfile_read = _Transcript()
    return child


def transcript(child: pexpect.spawn) -> str:
    """What the command wrote so far, without terminal escapes, spaces made one."""
    log = child.logfile_read
    assert isinstance(log, _Transcript)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\r", " ", log.getvalue())
    return " ".join(text.split())


def answered(text: str, answer: str) -> str:
    """A pattern for a prompt's line once answered: its words, then the answer echoed."""
    return re.escape(text) + r"(?:\x1b\[[0-9;?]*[A-Za-z]|\s)*" + re.escape(answer)


def rubric() -> Rubric:
    return load_rubric(find_rubric("critical-engagement")).rubric


def example() -> dict[str, Any]:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _prompt_pattern(text: str) -> str:
    # The first words of a prompt: enough to be unique, short enough not to wrap.
    return re.escape(" ".join(text.split())[:24])


def keys_for(r: Rubric, qid: str, value: Any) -> str:
    """The keys a user presses to give ``value`` to question ``qid``."""
    q = r.questions[qid]
    if q.type in ("choice", "scale"):
        return DOWN * [c.value for c in q.choices_].index(value) + ENTER
    if q.type == "yes_no":
        return ("" if value else DOWN) + ENTER
    if q.type == "multi":
        return "".join((SPACE if c.value in value else "") + DOWN for c in q.choices_) + ENTER
    if q.type == "number":
        return str(value) + ENTER
    if q.type == "long_text":
        return str(value).rstrip("\n").replace("\n", "\r") + ESC_ENTER
    return str(value) + ENTER


def answer_metadata(child: pexpect.spawn, project: dict[str, Any]) -> None:
    for f in META_FIELDS:
        child.expect(_prompt_pattern(f.prompt))
        value = project.get(f.key, "")
        if isinstance(value, list):
            value = "; ".join(value)
        child.send(str(value) + ENTER)


def is_claim(r: Rubric, qid: str, value: Any) -> bool:
    q = r.questions[qid]
    if q.type not in ("choice", "scale", "multi", "yes_no"):
        return False
    lower = fallback(q, value)
    return lower != value or type(lower) is not type(value)


def asks_for_note(r: Rubric, qid: str, answers: dict[str, Any]) -> bool:
    """The question or the answer's label asks for a note ("say which in a note")."""
    return Session(rubric=r, path=Path("x.yaml"), answers=dict(answers)).asks_for_note(qid)


def ends_section(r: Rubric, qid: str, answers: dict[str, Any]) -> bool:
    """``qid`` is the last question of its section that applies: a summary follows it."""
    section = r.section_of[qid]
    return [q for q in applicable(r, answers) if r.section_of[q] == section][-1] == qid


def go_on(child: pexpect.spawn) -> None:
    """Past the summary shown as a section ends."""
    child.expect("Enter to go on, m for more on this section")
    child.send(ENTER)


def answer_questions(
    child: pexpect.spawn,
    r: Rubric,
    answers: dict[str, Any],
    qids: list[str],
    notes: dict[str, str] | None = None,
) -> None:
    for qid in qids:
        child.expect(_prompt_pattern(r.questions[qid].prompt))
        if r.questions[qid].type == "long_text":
            # The question is printed above the prompt; wait for the prompt itself.
            child.expect("Esc then Enter to finish")
            child.expect("Answer")
        child.send(keys_for(r, qid, answers[qid]))
        if is_claim(r, qid, answers[qid]):
            # A claim that needs evidence: appraise asks what backs it.
            child.expect("What backs it")
            child.send((notes or {}).get(qid, "") + ENTER)
        elif asks_for_note(r, qid, answers):
            child.expect("The question asks for a note")
            child.send((notes or {}).get(qid, "") + ENTER)
        if ends_section(r, qid, answers):
            go_on(child)


def drop_comments(child: pexpect.spawn) -> None:
    """The examples carry comments: appraise asks before its first save drops them."""
    child.expect("comment lines of your own that appraise cannot keep")
    child.expect("Continue, and drop them from the file")
    child.send("y")


def finish(child: pexpect.spawn) -> None:
    child.expect("Review: choose a section")
    child.send(ENTER)  # "Finish and see the summary" is the first entry
    child.expect("Write a report beside the proposal file")
    child.send(ENTER)  # nothing ticked: no report
    child.expect(pexpect.EOF)
    child.close()


def test_prompt_prefixes_are_unique() -> None:
    r = rubric()
    prefixes = [_prompt_pattern(q.prompt) for q in r.questions.values()]
    assert len(set(prefixes)) == len(prefixes)


def test_complete_appraisal_matches_the_example(tmp_path: Path) -> None:
    r, ex = rubric(), example()
    qids = applicable(r, ex["answers"])
    assert set(qids) == set(ex["answers"])  # the example answers exactly what applies
    child = spawn("appraise", "new.yaml", cwd=tmp_path)
    answer_metadata(child, ex["project"])
    answer_questions(child, r, ex["answers"], qids, ex["notes"])
    finish(child)
    assert child.exitstatus == 0, child.before
    saved = yaml.safe_load((tmp_path / "new.yaml").read_text(encoding="utf-8"))
    # The same answers as the example, as the loader reads them (a literal block's
    # final newline is not part of an answer).
    assert load_proposal(tmp_path / "new.yaml", r).answers == load_proposal(EXAMPLE, r).answers
    assert saved["rubric"] == {"id": r.id, "version": r.version}
    for key in ("title", "lead", "setting", "team"):
        assert saved["project"][key] == ex["project"][key]
    # Every claim's note was asked for and saved, and so was every note the
    # rubric's wording asks for; other notes are not asked for.
    claims = {q for q in qids if is_claim(r, q, ex["answers"][q])}
    asked = {q for q in qids if asks_for_note(r, q, ex["answers"])}
    assert claims and asked - claims
    assert saved["notes"] == {q: ex["notes"][q] for q in claims | asked}
    assert str(saved["project"]["date"]) == str(ex["project"]["date"])


def test_ctrl_c_halfway_then_resume(tmp_path: Path) -> None:
    r, ex = rubric(), example()
    qids = applicable(r, ex["answers"])
    half = len(qids) // 2
    child = spawn("appraise", "p.yaml", cwd=tmp_path)
    answer_metadata(child, ex["project"])
    answer_questions(child, r, ex["answers"], qids[:half], ex["notes"])
    child.expect(_prompt_pattern(r.questions[qids[half]].prompt))
    child.send(CTRL_C)
    child.expect("continue with: qiappraise appraise p.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    saved = yaml.safe_load((tmp_path / "p.yaml").read_text(encoding="utf-8"))
    assert saved["answers"] == {q: ex["answers"][q] for q in qids[:half]}
    assert not list(tmp_path.glob(".*.tmp")) and not list(tmp_path.glob(".*.lock"))

    # Resume: it continues at the first unanswered question.
    child = spawn("appraise", "p.yaml", cwd=tmp_path)
    child.expect(f"Continuing p.yaml: {half} answers so far")
    child.expect("Specialty")  # left empty, so not saved: asked again
    child.send(ENTER)
    answer_questions(child, r, ex["answers"], qids[half:], ex["notes"])
    finish(child)
    assert child.exitstatus == 0
    assert load_proposal(tmp_path / "p.yaml", r).answers == load_proposal(EXAMPLE, r).answers


def test_answer_changed_from_the_review_screen_is_saved(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "p.yaml")
    r, ex = rubric(), example()
    assert ex["answers"]["pdsa_cycles"] != 12
    child = spawn("appraise", "p.yaml", cwd=tmp_path)
    drop_comments(child)
    child.expect("Specialty")  # the one detail the file does not give is asked
    child.send(ENTER)
    child.expect("Review: choose a section")
    # Entries: Finish, Project details, then the rubric's sections in order.
    measures = [s.id for s in r.sections].index("measures")
    child.send(DOWN * (measures + 2) + ENTER)
    child.expect("which answer do you want to change")
    ids = [q.id for q in r.sections[measures].questions if q.id in ex["answers"]]
    child.send(DOWN * ids.index("pdsa_cycles") + ENTER)
    child.expect(_prompt_pattern(r.questions["pdsa_cycles"].prompt))
    child.send(CTRL_U + "12" + ENTER)
    finish(child)
    assert child.exitstatus == 0
    saved = load_proposal(tmp_path / "p.yaml", r).answers
    assert saved["pdsa_cycles"] == 12
    before = load_proposal(EXAMPLE, r).answers
    assert {k: v for k, v in saved.items() if k != "pdsa_cycles"} == {
        k: v for k, v in before.items() if k != "pdsa_cycles"
    }


def test_second_session_on_the_same_file_is_refused(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "p.yaml")
    first = spawn("appraise", "p.yaml", cwd=tmp_path)
    drop_comments(first)
    first.expect("Specialty")
    second = spawn("appraise", "p.yaml", cwd=tmp_path)
    second.expect("is open in another `qiappraise appraise` session")
    second.expect(pexpect.EOF)
    second.close()
    assert second.exitstatus == 2
    first.send(CTRL_C)
    first.expect(pexpect.EOF)
    first.close()
    assert first.exitstatus == 130


def test_without_a_terminal_it_says_what_to_use_instead(tmp_path: Path) -> None:
    result = subprocess.run(
        [EXE, "appraise", "p.yaml"],
        input="",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=30,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "needs an interactive terminal" in lines[0]
    assert "qiappraise score" in lines[0]
    assert not (tmp_path / "p.yaml").exists()


@pytest.mark.parametrize(
    ("key", "said", "code"),
    [
        ("n", "nothing changed: p.yaml is as it was", 0),  # the user says no
        ("\x04", "interrupted: nothing changed, p.yaml is as it was", 130),  # end of input
    ],
)
def test_a_hand_written_file_with_comments_is_left_alone_unless_agreed(
    tmp_path: Path, key: str, said: str, code: int
) -> None:
    shutil.copy(EXAMPLE, tmp_path / "p.yaml")
    before = (tmp_path / "p.yaml").read_bytes()
    child = spawn("appraise", "p.yaml", cwd=tmp_path)
    child.expect("comment lines of your own that appraise cannot keep")
    child.expect("Continue, and drop them from the file")
    child.send(key)
    child.expect(said)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == code
    assert (tmp_path / "p.yaml").read_bytes() == before


# --- issue 14, items 1-9: what a trainee trips over ------------------------------------

MINI = str(MINI_RUBRIC)
CTRL_N = "\x0e"


def mini_details(child: pexpect.spawn, title: str = "T") -> None:
    """A new appraisal of the mini rubric: a title, the other details left empty."""
    child.expect("Project title")
    child.send(title + ENTER)
    for f in META_FIELDS[1:]:
        child.expect(_prompt_pattern(f.prompt))
        child.send(ENTER)


def mini_purpose(child: pexpect.spawn, *, target: bool = False, summary: bool = True) -> None:
    """Purpose answered (a need, or a target named "Fines"; yes; no story), and its
    summary passed unless ``summary`` is False."""
    child.expect("What drives it")
    if target:
        child.send(ENTER)  # A target: MI001, and the follow-up
        child.expect("Which target")
        child.send("Fines" + ENTER)
    else:
        child.send(DOWN + ENTER)
    child.expect("Is a health outcome named")
    child.send(ENTER)
    child.expect("Esc then Enter to finish")
    child.expect("Answer")
    child.send(ESC_ENTER)  # the story is optional
    if summary:
        go_on(child)


def stop(child: pexpect.spawn) -> None:
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_a_required_tick_box_cannot_be_left_empty(tmp_path: Path) -> None:
    child = spawn("appraise", "p.yaml", "--rubric", MINI, cwd=tmp_path)
    mini_details(child)
    mini_purpose(child)
    child.expect("Scope of change")
    child.send(ENTER)
    child.expect("Who is involved")
    child.send(ENTER)  # nothing ticked: refused at the question, which stays
    child.expect(re.escape("an answer is required: tick at least one (or tick ? alone for help)"))
    child.send(SPACE + DOWN + SPACE + ENTER)
    # The answer is echoed as the labels chosen.
    child.expect(answered("Who is involved?", "Children; Families"))
    child.expect("How many PDSA cycles")
    stop(child)
    assert "done (" not in transcript(child)
    assert saved_answers(tmp_path)["groups"] == ["children", "families"]


def saved_answers(folder: Path, name: str = "p.yaml") -> dict[str, Any]:
    data = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    answers = data["answers"]
    assert isinstance(answers, dict)
    return answers


def test_init_then_appraise_asks_the_project_details(tmp_path: Path) -> None:
    subprocess.run([EXE, "init", "p.yaml", "--rubric", MINI], cwd=tmp_path, check=True, timeout=60)
    child = spawn("appraise", "p.yaml", "--rubric", MINI, cwd=tmp_path)
    # init's placeholder title is not a title: asked, and not offered as the answer.
    child.expect("Project title")
    child.send("Asthma plans" + ENTER)
    child.expect("Project lead")
    child.send("Dr A" + ENTER)
    for f in META_FIELDS[2:]:
        child.expect(_prompt_pattern(f.prompt))
        child.send(ENTER)
    mini_purpose(child)
    for keys in (ENTER, SPACE + ENTER, "2" + ENTER):  # task; children; 2 cycles
        child.send(keys)
    go_on(child)
    # The review screen edits the details too: the answer first, then the question.
    child.expect("Review: choose a section")
    child.send(DOWN + ENTER)  # Project details
    child.expect(re.escape("Asthma plans · Project title"))
    child.expect(re.escape("Dr A · Project lead"))
    child.send(ENTER)
    child.expect("Project title")
    child.send(CTRL_U + "Asthma action plans" + ENTER)
    finish(child)
    assert child.exitstatus == 0
    data = yaml.safe_load((tmp_path / "p.yaml").read_text(encoding="utf-8"))
    assert data["project"] == {"title": "Asthma action plans", "lead": "Dr A"}
    assert data["answers"]["groups"] == ["children"]


def test_a_note_can_follow_any_answer_and_the_review_screen_shows_it(tmp_path: Path) -> None:
    child = spawn("appraise", "p.yaml", "--rubric", MINI, cwd=tmp_path)
    mini_details(child)
    child.expect("What drives it")
    child.expect(re.escape("n to add a note)"))  # the key, in the hint line
    child.send(DOWN + "n")  # A need, with a note
    child.expect("Your note on this answer")
    child.send("Families asked for it." + ENTER)
    child.expect("Is a health outcome named")
    child.send(ENTER)
    child.expect(re.escape("Ctrl-N to answer and add a note"))
    child.expect("Answer")
    child.send("We asked families." + CTRL_N)  # a text answer, with a note
    child.expect("Your note on this answer")
    child.send("From the clinic's minutes." + ENTER)
    go_on(child)
    for keys in (ENTER, SPACE + ENTER, "2" + ENTER):
        child.send(keys)
    go_on(child)
    child.expect("Review: choose a section")
    child.send(DOWN * 2 + ENTER)  # Purpose
    child.expect(re.escape("A need [+ note] · What drives it?"))
    child.expect(re.escape("note: Families asked for it."))  # for the entry under the pointer
    child.send(DOWN * 3 + ENTER)  # driver, outcome, story, back to the sections
    finish(child)
    data = yaml.safe_load((tmp_path / "p.yaml").read_text(encoding="utf-8"))
    assert data["notes"] == {
        "driver": "Families asked for it.",
        "story": "From the clinic's minutes.",
    }
    assert data["answers"]["story"] == "We asked families."


def test_each_section_ends_with_what_it_earned_and_the_findings_it_raised(tmp_path: Path) -> None:
    child = spawn("appraise", "p.yaml", "--rubric", MINI, cwd=tmp_path)
    mini_details(child)
    mini_purpose(child, target=True, summary=False)
    child.expect(re.escape("End of Purpose: 40/100 (2 of 5 points)."))
    child.expect(re.escape("Raised: MI001 Target-driven (warning)"))
    child.expect("Enter to go on, m for more on this section")
    child.send("m")  # more: every answer and what it counts for, and the finding in full
    child.expect(re.escape("A target · 0 of 2 points"))
    child.expect(re.escape("→ Name a health outcome."))
    # The detail waits to be read: the next section comes only after Enter.
    child.expect("Enter to go on")
    assert child.expect(["Scope of change", pexpect.TIMEOUT], timeout=1) == 1
    child.send(ENTER)
    child.expect("Scope of change")
    stop(child)


@pytest.mark.parametrize("agree", [True, False])
def test_an_invalid_file_can_be_opened_with_its_bad_answers_cleared(
    tmp_path: Path, agree: bool
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "rubric: {id: mini, version: 1.2.0}\n"
        "project: {title: T, lead: L, team: [A], setting: S, specialty: P, date: 2026-01-05}\n"
        "answers:\n"
        "  driver: need\n"
        "  outcome: true\n"
        "  story: We asked.\n"
        "  scope: task\n"
        "  groups: [nobody, staff]\n"
        "  cycles: 99\n",
        encoding="utf-8",
    )
    before = path.read_bytes()
    child = spawn("appraise", "p.yaml", "--rubric", MINI, cwd=tmp_path)
    # Every problem first, then the offer.
    child.expect(re.escape("error: p.yaml:8: answers.groups: 'nobody' cannot be combined"))
    child.expect(re.escape("error: p.yaml:9: answers.cycles: 99 is out of range"))
    child.expect(re.escape("(p.yaml is copied to p.yaml.bak first)"))
    child.expect("Clear the 2 answers that cannot be read, and ask them again")
    if not agree:
        child.send("n")
        child.expect("nothing changed: p.yaml is as it was")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 2
        assert path.read_bytes() == before
        assert not (tmp_path / "p.yaml.bak").exists()
        return
    child.send("y")
    child.expect("copied p.yaml to p.yaml.bak; cleared: “Who is involved\\?”, “How many PDSA")
    child.expect("Continuing p.yaml: 4 answers so far")
    child.expect("Who is involved")
    child.send(SPACE + ENTER)
    child.expect("How many PDSA cycles")
    child.send("3" + ENTER)
    go_on(child)
    finish(child)
    assert child.exitstatus == 0
    assert (tmp_path / "p.yaml.bak").read_bytes() == before
    answers = saved_answers(tmp_path)
    assert answers == {
        "driver": "need",
        "outcome": True,
        "story": "We asked.",
        "scope": "task",
        "groups": ["children"],
        "cycles": 3,
    }


def test_what_a_person_reads_names_questions_and_choices_not_ids(tmp_path: Path) -> None:
    child = spawn("appraise", "p.yaml", "--rubric", MINI, cwd=tmp_path)
    mini_details(child)
    mini_purpose(child, target=True)
    child.expect("Scope of change")
    child.send(ENTER)
    child.expect("Who is involved")
    child.send(SPACE + DOWN * 3 + SPACE + ENTER)  # Children and Nobody
    child.expect(re.escape("“Nobody” cannot be combined with other choices"))
    child.send(UP * 3 + SPACE + ENTER)  # Nobody alone
    child.expect("How many PDSA cycles")
    child.send("1" + ENTER)
    go_on(child)
    child.expect("Review: choose a section")
    child.send(DOWN * 2 + ENTER + ENTER)  # Purpose, then its first answer (the driver)
    child.expect("What drives it")
    child.send(DOWN + ENTER)  # A need: the follow-up no longer applies
    child.expect(re.escape("No longer relevant after that answer, so removed: “Which target?”"))
    finish(child)
    said = transcript(child)
    assert "'nobody'" not in said and "target_name" not in said


def test_help_says_what_answers_mean_and_back_at_the_start_says_there_is_none(
    tmp_path: Path,
) -> None:
    child = spawn("appraise", "p.yaml", "--rubric", MINI, cwd=tmp_path)
    child.expect("Project title")
    child.send("<" + ENTER)
    child.expect("This is the first question: there is nothing to go back to.")
    child.expect("Project title")
    child.send(CTRL_U + "T" + ENTER)
    for f in META_FIELDS[1:]:
        child.expect(_prompt_pattern(f.prompt))
        child.send(ENTER)
    mini_purpose(child)
    child.expect("Scope of change")
    child.send(DOWN * 3 + ENTER)  # Task, Pathway, System, help
    child.expect("What the answers mean:")
    child.expect(re.escape("- Task: One task"))
    child.expect(re.escape("- System: Whole system A claim: say in a note what backs it"))
    child.expect("Scope of change")  # asked again
    stop(child)
    assert "Task: One task" in transcript(child)


def test_a_long_answer_is_echoed_cut_at_a_word(tmp_path: Path) -> None:
    long = "A need that families raised at three clinics and again in the waiting room survey"
    text = MINI_RUBRIC.read_text(encoding="utf-8").replace("label: A need,", f"label: {long},")
    (tmp_path / "long.yaml").write_text(text, encoding="utf-8")
    child = spawn("appraise", "p.yaml", "--rubric", "long.yaml", cwd=tmp_path)
    mini_details(child)
    child.expect("What drives it")
    child.send(DOWN + ENTER)
    # The list entry, and so the echo, ends at a whole word.
    child.expect(answered("What drives it?", "A need that families raised at three clinics and"))
    child.expect("…")
    child.expect("Is a health outcome named")
    stop(child)
    assert saved_answers(tmp_path)["driver"] == "need"


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)], ids=["SIGTERM", "SIGHUP"]
)
def test_a_stop_signal_at_a_prompt_removes_the_lock(
    tmp_path: Path, signum: signal.Signals, code: int
) -> None:
    child = spawn("appraise", "p.yaml", "--rubric", MINI, cwd=tmp_path)
    mini_details(child)
    child.expect("What drives it")
    child.send(DOWN + ENTER)
    child.expect("Is a health outcome named")  # a prompt is waiting: signal now
    assert (tmp_path / ".p.yaml.lock").exists()
    child.kill(signum)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == code
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml"]
    said = transcript(child)
    assert "Traceback" not in said and "Press ENTER" not in said
    assert "stopped: the project details and 1 answer given are saved in p.yaml" in said
    assert saved_answers(tmp_path) == {"driver": "need"}


def test_back_from_a_note_box_returns_to_the_answer_and_saves_no_note(tmp_path: Path) -> None:
    # `<` goes back everywhere in a session; in a note box it once became the
    # note "<", which counts as evidence for a claim.
    child = spawn("appraise", "p.yaml", "--rubric", MINI, cwd=tmp_path)
    mini_details(child)
    child.expect("What drives it")
    child.send(DOWN + "n")  # A need, with a note
    child.expect("Your note on this answer")
    child.expect(re.escape("(< to go back)"))  # on the prompt's own line, 80 columns wide
    child.send("<" + ENTER)
    child.expect("What drives it")  # asked again, starting from the answer given
    child.send(ENTER)
    child.expect("Is a health outcome named")
    child.send(ENTER)
    child.expect("Answer")
    child.send("A story." + ESC_ENTER)
    go_on(child)
    child.expect("Scope of change")
    child.send(DOWN * 2 + ENTER)  # System: a claim that needs evidence
    child.expect("What backs it")
    child.expect(re.escape("(< to go back)"))
    child.send("<" + ENTER)
    child.expect("Scope of change")
    child.send(ENTER)  # keeps System, and is asked what backs it again
    child.expect("What backs it")
    child.send("-" + ENTER)  # kept, but no evidence: it says so
    child.expect("Who is involved")
    assert (
        "it is not evidence (it has no word in it): the claim still counts as: Pathway"
        in transcript(child)
    )
    for keys in (SPACE + ENTER, "2" + ENTER):
        child.send(keys)
    go_on(child)
    finish(child)
    data = yaml.safe_load((tmp_path / "p.yaml").read_text(encoding="utf-8"))
    assert data["answers"]["driver"] == "need" and data["answers"]["scope"] == "system"
    assert data["notes"] == {"scope": "-"}  # kept as written, and counted as no evidence
    mini = load_rubric(MINI_RUBRIC).rubric
    assert score(mini, load_proposal(tmp_path / "p.yaml", mini)).unevidenced == ("scope",)


def test_the_team_is_echoed_as_it_was_split(tmp_path: Path) -> None:
    # Semicolons win over commas when both are typed: say how the names were
    # split, since the echo of what was typed cannot show it.
    child = spawn("appraise", "p.yaml", "--rubric", MINI, cwd=tmp_path)
    child.expect("Project title")
    child.send("T" + ENTER)
    child.expect("Project lead")
    child.send(ENTER)
    child.expect(re.escape("separated by commas (semicolons if a name has one)"))
    child.send("Smith, J. (consultant); Nurse B" + ENTER)
    child.expect(re.escape("Saved as 2: Smith, J. (consultant) · Nurse B"))
    stop(child)
    team = yaml.safe_load((tmp_path / "p.yaml").read_text(encoding="utf-8"))["project"]["team"]
    assert team == ["Smith, J. (consultant)", "Nurse B"]
