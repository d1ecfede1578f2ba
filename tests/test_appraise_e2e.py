"""End to end: the installed `qiappraise appraise` in a real pseudo-terminal (pexpect).

Every expect has a timeout, so a prompt that never comes fails the test
instead of hanging it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
import yaml

from qiappraise.answers import fallback
from qiappraise.loading import load_proposal
from qiappraise.relevance import applicable
from qiappraise.rubric import Rubric
from qiappraise.rubric_load import find_rubric, load_rubric
from qiappraise.session import META_FIELDS

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


def spawn(*args: str, cwd: Path) -> pexpect.spawn:
    child = pexpect.spawn(
        EXE,
        list(args),
        cwd=str(cwd),
        env=_env(),
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=TIMEOUT,
    )
    if os.environ.get("QIAPPRAISE_E2E_LOG"):
        child.logfile_read = open(os.environ["QIAPPRAISE_E2E_LOG"], "a", encoding="utf-8")  # noqa: SIM115
    return child


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
    # Every claim's note was asked for and saved; other notes are not asked for.
    claims = {q for q in qids if is_claim(r, q, ex["answers"][q])}
    assert claims and saved["notes"] == {q: ex["notes"][q] for q in claims}
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
    first.expect("Review: choose a section")
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
