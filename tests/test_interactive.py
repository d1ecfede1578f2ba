"""The interactive flow, driven through prompt_toolkit's pipe input.

Keys are what a user types: ``DOWN`` moves in a list, ``SPACE`` ticks a box,
``ENTER`` submits, ``ESC_ENTER`` finishes a multi-line answer.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from qiappraise.base.errors import UsageError
from qiappraise.interactive import appraise as interactive
from qiappraise.interactive import session as sessions
from qiappraise.load.pipeline import load_proposal
from qiappraise.rubric.model import Rubric

DOWN = "\x1b[B"
UP = "\x1b[A"
ENTER = "\r"
SPACE = " "
ESC_ENTER = "\x1b\r"
T = TypeVar("T")

META_DEFAULTS = "My project" + ENTER + ENTER * 5  # title, then five optional fields left empty
GO_ON = ENTER  # past the summary shown as a section ends
# The mini rubric's questions, answered: driver=need, outcome=yes, story, scope=system,
# groups=[children, families], cycles=4. target_name does not apply (driver is not target).
FULL_ANSWERS = (
    DOWN
    + ENTER  # driver: need
    + ENTER  # outcome: Yes
    + "We asked families."
    + ESC_ENTER  # story (long text): the end of Purpose...
    + GO_ON  # ...and its summary
    + DOWN
    + DOWN
    + ENTER  # scope: system, a claim that needs evidence...
    + "The council runs it with us."
    + ENTER  # ...so it asks what backs it
    + SPACE
    + DOWN
    + SPACE
    + ENTER  # groups: children, families
    + "4"
    + ENTER  # cycles: the end of Reach
    + GO_ON
)
FINISH = ENTER  # the review screen's first entry


def drive(keys: str, fn: Callable[[], T]) -> T:
    """Run ``fn`` with ``keys`` as the terminal's input; EOF after the last key."""
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()  # the end of the keys is the end of input: a prompt then gets EOF
        with create_app_session(input=pipe, output=DummyOutput()):
            return fn()


@pytest.fixture
def out() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, width=80, color_system=None), buf


def run(session: sessions.Session, keys: str, console: Console) -> None:
    drive(keys, lambda: interactive.run(session, console))


def saved(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_complete_run_saves_every_answer(mini: Rubric, tmp_path: Path, out: Any) -> None:
    path = tmp_path / "p.yaml"
    s = sessions.new(mini, path)
    run(s, META_DEFAULTS + FULL_ANSWERS + FINISH, out[0])
    data = saved(path)
    assert data["rubric"] == {"id": "mini", "version": "1.2.0"}
    assert data["project"] == {"title": "My project"}
    assert data["answers"] == {
        "driver": "need",
        "outcome": True,
        "story": "We asked families.",
        "scope": "system",
        "groups": ["children", "families"],
        "cycles": 4,
    }
    assert data["notes"] == {"scope": "The council runs it with us."}
    # What was written is a valid proposal with the same answers.
    assert load_proposal(path, mini).answers == data["answers"]
    assert "That answer is a claim a supervisor would want evidence for" in " ".join(
        out[1].getvalue().split()
    )
    text = out[1].getvalue()
    assert "Section 1 of 2: Purpose" in text
    assert "Why the project exists." in text  # the section's "why this matters"
    assert "question 1 of 3" in text  # target_name does not apply, story is counted


def test_progress_is_saved_after_every_answer(mini: Rubric, tmp_path: Path, out: Any) -> None:
    path = tmp_path / "p.yaml"
    s = sessions.new(mini, path)
    # Answer two questions, then the input ends (as when the terminal closes).
    with pytest.raises(EOFError):
        run(s, META_DEFAULTS + DOWN + ENTER + ENTER, out[0])
    assert saved(path)["answers"] == {"driver": "need", "outcome": True}


def test_resume_starts_at_first_unanswered(mini: Rubric, tmp_path: Path, out: Any) -> None:
    path = tmp_path / "p.yaml"
    with pytest.raises(EOFError):
        run(sessions.new(mini, path), META_DEFAULTS + DOWN + ENTER + ENTER, out[0])
    resumed = sessions.from_file(mini, path)
    steps = resumed.steps()
    first = resumed.first_open()
    # The details left empty are asked again (an empty one is not saved), then
    # the first unanswered question.
    assert first is not None and steps[first].key == "lead"
    assert [s.key for s in steps if not resumed.is_answered(s)][5] == "story"
    # scope: system is a claim; Enter at "what backs it?" leaves it without a note.
    rest = ENTER * 5 + (
        "Story." + ESC_ENTER + GO_ON + DOWN + DOWN + ENTER + ENTER + SPACE + ENTER + "2" + ENTER
    )
    rest += GO_ON + FINISH
    run(resumed, rest, out[0])
    assert saved(path)["answers"] == {
        "driver": "need",
        "outcome": True,
        "story": "Story.",
        "scope": "system",
        "groups": ["children"],
        "cycles": 2,
    }
    assert "notes" not in saved(path)  # left for now: the claim counts as the level below
    assert "Without a note it counts as: Pathway." in " ".join(out[1].getvalue().split())


def test_condition_asks_follow_up_and_drops_it_when_irrelevant(
    mini: Rubric, tmp_path: Path, out: Any
) -> None:
    path = tmp_path / "p.yaml"
    s = sessions.new(mini, path)
    # driver = target (first choice) brings in target_name.
    keys = META_DEFAULTS + ENTER + "4-hour standard" + ENTER
    with pytest.raises(EOFError):
        run(s, keys, out[0])
    assert saved(path)["answers"] == {"driver": "target", "target_name": "4-hour standard"}
    # Going back and changing driver drops the follow-up from the file.
    dropped = s.set_answer(sessions.Step("question", "driver"), "need")
    assert dropped == ["target_name"]
    s.save()
    assert saved(path)["answers"] == {"driver": "need"}


def test_back_returns_to_previous_question(mini: Rubric, tmp_path: Path, out: Any) -> None:
    path = tmp_path / "p.yaml"
    s = sessions.new(mini, path)
    back_on_yes_no = DOWN + DOWN + DOWN + ENTER  # Yes, No, help, back
    # Back on driver, the list starts on the current answer (need): one down is unsure.
    keys = META_DEFAULTS + DOWN + ENTER + back_on_yes_no + DOWN + ENTER
    with pytest.raises(EOFError):
        run(s, keys, out[0])
    assert saved(path)["answers"] == {"driver": "unsure"}


def test_back_in_text_prompt(mini: Rubric, tmp_path: Path, out: Any) -> None:
    s = sessions.new(mini, tmp_path / "p.yaml")
    # On the lead (second metadata field) '<' goes back to the title, which is re-asked
    # with what was typed: clear it (ctrl-u) and type a new one.
    keys = "First" + ENTER + "<" + ENTER + "\x15" + "Second" + ENTER
    with pytest.raises(EOFError):
        run(s, keys, out[0])
    assert s.project["title"] == "Second"


def test_help_shows_rationale_and_keeps_the_place(mini: Rubric, tmp_path: Path, out: Any) -> None:
    s = sessions.new(mini, tmp_path / "p.yaml")
    help_on_choice = DOWN + DOWN + DOWN + ENTER  # target, need, unsure, help
    keys = META_DEFAULTS + help_on_choice + DOWN + ENTER
    with pytest.raises(EOFError):
        run(s, keys, out[0])
    assert s.answers == {"driver": "need"}
    assert "Why we ask: What drives it?" in out[1].getvalue()


def test_help_in_text_prompt(mini: Rubric, tmp_path: Path, out: Any) -> None:
    s = sessions.new(mini, tmp_path / "p.yaml")
    with pytest.raises(EOFError):
        run(s, "?" + ENTER + "\x15" + "Title" + ENTER, out[0])
    assert s.project["title"] == "Title"
    assert "A short name a supervisor would recognise." in out[1].getvalue()


def test_scale_shows_descriptors(mini: Rubric, tmp_path: Path) -> None:
    from qiappraise.interactive import prompts

    q = mini.questions["scope"]
    # Asked on its own: the list shows each level with its descriptor.
    output = io.StringIO()
    from prompt_toolkit.output.plain_text import PlainTextOutput

    with create_pipe_input() as pipe:
        pipe.send_text(DOWN + ENTER)
        with create_app_session(input=pipe, output=PlainTextOutput(output)):
            value = prompts.ask(q, None)
    assert value == "pathway"
    assert "Pathway: A pathway" in output.getvalue()
    assert "System: Whole system" in output.getvalue()


def test_invalid_number_is_re_asked_keeping_the_text(
    mini: Rubric, tmp_path: Path, out: Any
) -> None:
    from qiappraise.interactive import prompts

    q = mini.questions["cycles"]
    # 99 is out of range: Enter is refused, the text stays; backspaces fix it.
    value = drive("99" + ENTER + "\x7f" + ENTER, lambda: prompts.ask(q, None))
    assert value == 9


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("abc" + ENTER + "\x15" + "3" + ENTER, 3),
        ("2.5" + ENTER + "\x15" + "2" + ENTER, 2),  # integer: whole numbers only
    ],
)
def test_number_validation(mini: Rubric, keys: str, expected: int) -> None:
    from qiappraise.interactive import prompts

    assert drive(keys, lambda: prompts.ask(mini.questions["cycles"], None)) == expected


def test_multi_exclusive_choice_is_refused_with_others(mini: Rubric) -> None:
    from qiappraise.interactive import prompts

    q = mini.questions["groups"]
    # children + nobody (exclusive) is refused; untick children and submit nobody.
    keys = SPACE + DOWN + DOWN + DOWN + SPACE + ENTER + UP + UP + UP + SPACE + ENTER
    assert drive(keys, lambda: prompts.ask(q, None)) == ["nobody"]


def test_review_changes_an_answer(mini: Rubric, tmp_path: Path, out: Any) -> None:
    path = tmp_path / "p.yaml"
    s = sessions.new(mini, path)
    run(s, META_DEFAULTS + FULL_ANSWERS + FINISH, out[0])
    # Review: sections are Finish, Project details, Purpose, Reach. Open Reach, then
    # its third entry (cycles), type a new number, then finish.
    keys = DOWN + DOWN + DOWN + ENTER + DOWN + DOWN + ENTER + "\x15" + "7" + ENTER + FINISH
    run(s, keys, out[0])
    assert saved(path)["answers"]["cycles"] == 7


def test_review_change_that_brings_a_follow_up_asks_it(
    mini: Rubric, tmp_path: Path, out: Any
) -> None:
    path = tmp_path / "p.yaml"
    s = sessions.new(mini, path)
    run(s, META_DEFAULTS + FULL_ANSWERS + FINISH, out[0])
    # Purpose -> driver -> target; target_name now applies and is asked next.
    keys = DOWN + DOWN + ENTER + ENTER + UP + ENTER + "Fines" + ENTER + FINISH
    run(s, keys, out[0])
    answers = saved(path)["answers"]
    assert answers["driver"] == "target"
    assert answers["target_name"] == "Fines"


def test_prefill_from_answers_file(mini: Rubric, tmp_path: Path) -> None:
    from .conftest import MINI_FULL

    s = sessions.new(mini, tmp_path / "new.yaml")
    assert sessions.prefill(s, mini, MINI_FULL) == 6
    assert "title" not in s.project  # the other project's details are not copied
    first = s.first_open()
    assert first is not None and s.steps()[first].key == "title"
    # Once the project details are given, everything is answered: the review is next.
    for step in s.steps()[:6]:
        s.set_answer(step, "New project" if step.key == "title" else "")
    assert s.first_open() is None


def test_lock_refuses_a_second_session(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    with sessions.Lock(path), pytest.raises(UsageError, match="another `qiappraise appraise`"):
        sessions.Lock(path).acquire()
    # Released: a new session may start.
    with sessions.Lock(path):
        pass


def test_stale_lock_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    (tmp_path / ".p.yaml.lock").write_text("999999999")
    with sessions.Lock(path) as lock:
        assert lock.held


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("team", "a, b ,, c", ["a", "b", "c"]),
        ("team", "Nurse, ED; Dr A", ["Nurse, ED", "Dr A"]),
        ("date", "2026-01-05", "2026-01-05"),
        ("lead", " X ", "X"),
    ],
)
def test_parse_meta(key: str, text: str, expected: Any) -> None:
    assert sessions.parse_meta(key, text) == expected


@pytest.mark.parametrize(("key", "text"), [("title", "  "), ("date", "5/1/2026")])
def test_parse_meta_refuses(key: str, text: str) -> None:
    with pytest.raises(ValueError):
        sessions.parse_meta(key, text)


def test_an_init_skeleton_stays_a_skeleton_when_appraised(mini: Rubric, tmp_path: Path) -> None:
    from .checkhelpers import run as cli
    from .conftest import MINI_RUBRIC

    path = tmp_path / "p.yaml"
    result = cli("init", path, "--rubric", MINI_RUBRIC)
    assert result.exit_code == 0, result.output
    before = path.read_text(encoding="utf-8")
    s = sessions.from_file(mini, path)
    assert s.skeleton and s.modeline == before.splitlines()[0]
    s.project["lead"] = 'Dr Q, "quoted": yes'
    s.project["team"] = ["A nurse", "B: a colon"]
    s.set_answer(sessions.Step("question", "driver"), "target")
    s.set_answer(sessions.Step("question", "target_name"), "yes")  # YAML would read a bool
    s.set_answer(sessions.Step("question", "story"), "Line one.\nLine two: a colon.")
    s.set_answer(sessions.Step("question", "groups"), ["children", "staff"])
    s.notes = {"driver": "Set by the commissioner."}
    s.save()
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == before.splitlines()[0]  # editors still validate the file
    # Answered questions are filled in where their placeholder was; the help of
    # the others stays, and the file reads back as exactly what was saved.
    assert "  # driver:" not in lines and "  driver: target" in lines
    assert "  # outcome:" in lines and "  # Is a health outcome named?" in lines
    assert saved(path) == {
        "rubric": {"id": "mini", "version": "1.2.0"},
        "project": {
            "title": "Untitled QI project",
            "lead": 'Dr Q, "quoted": yes',
            "team": ["A nurse", "B: a colon"],
        },
        "answers": {
            "driver": "target",
            "target_name": "yes",
            "story": "Line one.\nLine two: a colon.",
            "groups": ["children", "staff"],
        },
        "notes": {"driver": "Set by the commissioner."},
    }
    again = sessions.from_file(mini, path)  # and it stays a skeleton, however often
    again.save()
    assert path.read_text(encoding="utf-8") == text


def test_a_plain_file_keeps_its_schema_line_but_is_written_plainly(
    mini: Rubric, tmp_path: Path
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "# yaml-language-server: $schema=x.json\n# my notes\nrubric: {id: mini}\n"
        "project: {title: T}\nanswers: {driver: need}\n",
        encoding="utf-8",
    )
    s = sessions.from_file(mini, path)
    assert not s.skeleton
    s.save()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# yaml-language-server: $schema=x.json"
    assert lines[1].startswith("# Written by `qiappraise appraise`")
    assert saved(path)["answers"] == {"driver": "need"}


def test_a_skeleton_without_its_schema_line_is_saved_without_one(
    mini: Rubric, tmp_path: Path
) -> None:
    from qiappraise.proposal.skeleton import skeleton

    path = tmp_path / "p.yaml"
    text = skeleton(mini, schema_ref="mini.schema.json")
    path.write_text(text.split("\n", 1)[1], encoding="utf-8")
    s = sessions.from_file(mini, path)
    assert s.skeleton and not s.modeline
    s.set_answer(sessions.Step("question", "driver"), "need")
    s.save()
    written = path.read_text(encoding="utf-8")
    assert "yaml-language-server" not in written
    assert written.startswith("# A QI project proposal for the rubric mini")
    assert saved(path)["answers"] == {"driver": "need"}


AWKWARD_VALUES = [
    "yes",
    "null",
    "1.0",
    "- x",
    "# not a comment",
    "  padded  ",
    "Para one.\n\nPara two.",
    "ends with breaks\n\n",
    "x\u2028y and \u2029 and \x85",
    "indented\n  second line\n    third",
    "emoji 👩‍⚕️ and 小児科",
]


@pytest.mark.parametrize("value", AWKWARD_VALUES)
def test_a_filled_skeleton_reads_back_exactly(mini: Rubric, tmp_path: Path, value: str) -> None:
    from qiappraise.proposal import model as proposal
    from qiappraise.proposal.skeleton import skeleton

    path = tmp_path / "p.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + skeleton(mini, schema_ref="m.json").encode())  # with a BOM
    s = sessions.from_file(mini, path)
    assert s.skeleton and s.modeline == "# yaml-language-server: $schema=m.json"
    s.project["summary"] = value
    s.project["title"] = "T\ufffe" if value == "emoji 👩‍⚕️ and 小児科" else "T"
    s.set_answer(sessions.Step("question", "driver"), "target")
    if (
        value.strip()
        and "\n" not in value.strip()
        and not any(c in value for c in "\u2028\u2029\x85")
    ):
        s.set_answer(sessions.Step("question", "target_name"), value.strip())
    s.set_answer(sessions.Step("question", "story"), value.rstrip("\n") or "x")
    s.waivers = [{"finding": "MI001", "reason": value.strip() or "x"}]
    s.save()
    data = proposal.read(path).data
    assert data["project"]["summary"] == value
    assert data["answers"] == s.to_data()["answers"]
    assert data["waivers"] == s.to_data()["waivers"]
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=m.json\n")


def test_comments_of_the_users_own_are_found_before_they_are_dropped(
    mini: Rubric, tmp_path: Path
) -> None:
    from qiappraise.proposal.skeleton import skeleton

    path = tmp_path / "p.yaml"
    fresh = skeleton(mini, schema_ref="m.json")
    path.write_text(fresh, encoding="utf-8")
    assert sessions.from_file(mini, path).comments_dropped() == []  # init's own comments stay
    edited = fresh.replace("  # driver:\n", "  # TODO ask Jo\n  driver: need  # decided in March\n")
    edited = edited.replace('title: "Untitled QI project"', 'title: "Issue #3 fixed"')
    path.write_text(edited, encoding="utf-8")
    s = sessions.from_file(mini, path)
    assert s.comments_dropped() == ["# TODO ask Jo", "# decided in March"]
    s.save()  # once saved (as appraise does after asking), nothing more is flagged
    assert sessions.from_file(mini, path).comments_dropped() == []

    plain = tmp_path / "plain.yaml"
    plain.write_text(
        "# yaml-language-server: $schema=x.json\n# my reminder\nrubric: {id: mini}\n"
        "project: {title: 'A # in a title'}\nanswers:\n  driver: need # why\n",
        encoding="utf-8",
    )
    assert sessions.from_file(mini, plain).comments_dropped() == ["# my reminder", "# why"]
    assert sessions.new(mini, tmp_path / "new.yaml").comments_dropped() == []


def test_comments_are_found_by_the_yaml_scanner() -> None:
    text = (
        "# top\n"
        "lead: Dr C. Example, winter '24  # ask Jo before submitting\n"
        'title: "Issue #3"  # real\n'
        'x: "Dr \\"C\\" # not one"\n'
        "story: |\n  # a heading inside the answer\n  text\n"
        "url: https://example.org/page#part\n"
        "folded: >-\n  ward #3,\n  more\n"
    )
    assert sessions.comments(text) == ["# top", "# ask Jo before submitting", "# real"]


def test_a_skeleton_filled_as_it_says_flags_nothing_of_its_own(
    mini: Rubric, tmp_path: Path
) -> None:
    from qiappraise.proposal.skeleton import skeleton

    path = tmp_path / "p.yaml"
    text = skeleton(mini, schema_ref="m.json")
    # Uncommented as the skeleton says: notes, waivers, an unquoted title, an answer.
    text = text.replace("# notes:     ", "notes:       ").replace(
        "#   general: Anything", "  general: Anything"
    )
    text = text.replace('title: "Untitled QI project"', "title: My ward project")
    text = text.replace("  # driver:\n", "  driver: need\n")
    path.write_text(text, encoding="utf-8")
    s = sessions.from_file(mini, path)
    assert s.project["title"] == "My ward project" and s.notes
    assert s.comments_dropped() == []
    # Answers from elsewhere replace placeholders: not the user's comments either.
    s.set_answer(sessions.Step("question", "outcome"), True)
    s.set_answer(sessions.Step("question", "story"), "A story.")
    assert s.comments_dropped() == []


def test_the_modeline_is_found_after_a_document_start(mini: Rubric, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "---\n\n# yaml-language-server: $schema=x.json\nrubric: {id: mini}\n"
        "project: {title: T}\nanswers: {driver: need}\n",
        encoding="utf-8",
    )
    s = sessions.from_file(mini, path)
    assert s.modeline == "# yaml-language-server: $schema=x.json"
    assert s.comments_dropped() == []


def test_typing_a_choice_number_moves_to_it(mini: Rubric, tmp_path: Path, out: Any) -> None:
    from qiappraise.interactive import prompts

    # driver: 1) A target 2) A need 3) Not yet known; yes/no: 1) Yes 2) No.
    assert drive("3" + ENTER, lambda: prompts.ask_choice(mini.questions["driver"], None)) == (
        "unsure"
    )
    assert drive("2" + ENTER, lambda: prompts.ask_yes_no(mini.questions["outcome"], None)) is False
    path = tmp_path / "p.yaml"
    with pytest.raises(EOFError):
        run(sessions.new(mini, path), META_DEFAULTS + "2" + ENTER + "2" + ENTER, out[0])
    assert saved(path)["answers"] == {"driver": "need", "outcome": False}


def test_the_review_counts_only_details_given(mini: Rubric, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "rubric: {id: mini}\nproject: {title: T, lead: Dr L}\nanswers: {driver: need}\n",
        encoding="utf-8",
    )
    s = sessions.from_file(mini, path)
    meta = [step for step in s.steps() if not step.is_question]
    # The details given are not asked again; the missing ones are, once a session.
    assert [step.key for step in meta if not s.is_answered(step)] == [
        "team",
        "setting",
        "specialty",
        "date",
    ]
    assert sum(s.has_value(step) for step in meta) == 2
    titles = [title for title, _ in interactive._groups(s)]
    assert titles[0] == "Project details"


# --- issue 14, items 1-9 -----------------------------------------------------------------


def test_an_optional_question_left_empty_is_not_asked_again(
    mini: Rubric, tmp_path: Path, out: Any
) -> None:
    s = sessions.new(mini, tmp_path / "p.yaml")
    # The story (optional) left empty; then the rest: the review comes next, not the story.
    keys = META_DEFAULTS + DOWN + ENTER + ENTER + ESC_ENTER + GO_ON
    keys += ENTER + SPACE + ENTER + "2" + ENTER + GO_ON + FINISH
    run(s, keys, out[0])
    assert "story" not in s.answers and s.answers["cycles"] == 2
    assert out[1].getvalue().count("Purpose · question 3 of 3") == 1  # the story, asked once


def test_a_skeletons_placeholder_title_is_asked_for(mini: Rubric, tmp_path: Path) -> None:
    from qiappraise.proposal.skeleton import skeleton

    path = tmp_path / "p.yaml"
    path.write_text(skeleton(mini, schema_ref="m.json"), encoding="utf-8")
    s = sessions.from_file(mini, path)
    title = s.steps()[0]
    assert s.project["title"] == sessions.PLACEHOLDER_TITLE
    assert s.first_open() == 0 and s.meta_default(title) == ""  # asked, and not offered
    s.set_answer(title, "Asthma plans")
    assert s.is_answered(title) and s.meta_default(title) == "Asthma plans"


def test_the_rubrics_own_words_ask_for_a_note(tmp_path: Path) -> None:
    from qiappraise.load.rubric import load_rubric
    from qiappraise.rubric.read import find_rubric

    r = load_rubric(find_rubric("critical-engagement")).rubric
    s = sessions.new(r, tmp_path / "p.yaml")
    s.answers = {
        "self_position": "repair",
        "equity_populations": ["other"],
        "vocation": "discussed",
    }
    assert s.asks_for_note("self_position")  # "Say why in a note." in the question
    assert s.asks_for_note("equity_populations")  # "(say which in a note ...)" in the label
    assert not s.asks_for_note("vocation")
    s.answers["equity_populations"] = ["age"]
    assert not s.asks_for_note("equity_populations")


def test_echoes_and_list_entries_are_cut_at_a_word() -> None:
    from qiappraise.interactive.prompts import echo
    from qiappraise.rendering.present import short

    assert short("How deep does the change go? Choose the largest thing", 30) == (
        "How deep does the change go?…"
    )
    assert short("Supercalifragilisticexpialidocious", 10) == "Supercali…"  # one word: cut
    assert echo(["Children", "Families"], 40) == "Children; Families"
    assert echo(["Children", "Families", "Staff"], 20) == "Children; and 2 more"
    assert echo(["A very long label that cannot fit at all"], 20) == "A very long label…"
    assert echo([], 20) == "none"


def test_a_tick_box_echo_gets_the_room_the_prompt_leaves() -> None:
    from qiappraise.interactive.prompts import echo_width

    assert echo_width("Who is involved?", 80) == 79 - 19  # the rest of the line
    # A prompt of 80 characters wraps: the echo has its second line (it had 30 columns).
    views = "Whose views on what matters did you seek before settling the aim and the change?"
    assert len(views) == 80 and echo_width(views, 80) == 79 - 3
    # Little left on the line: the next one too, rather than "Parents, carers…".
    assert echo_width("x" * 60, 80) == (79 - 63) + 79


def test_what_each_answer_means_comes_from_the_rubric(
    mini: Rubric, tmp_path: Path, out: Any
) -> None:
    s = sessions.new(mini, tmp_path / "p.yaml")
    interactive.show_help(s, sessions.Step("question", "scope"), out[0])
    text = " ".join(out[1].getvalue().split())
    assert "What the answers mean:" in text
    assert "- Task: One task" in text
    assert "- System: Whole system A claim: say in a note what backs it" in text
    out[1].truncate(0)
    # No choice of the driver says more than its label: nothing is repeated.
    interactive.show_help(s, sessions.Step("question", "driver"), out[0])
    assert "What the answers mean" not in out[1].getvalue()


def test_a_file_whose_answers_are_wrong_can_be_repaired(mini: Rubric, tmp_path: Path) -> None:
    from qiappraise.base.errors import ProblemsError

    path = tmp_path / "p.yaml"
    path.write_text(
        "rubric: {id: mini}\nproject: {title: T}\n"
        "answers: {driver: needs, outcome: true, cycles: 99, colour: red}\n",
        encoding="utf-8",
    )
    with pytest.raises(ProblemsError) as caught:
        sessions.from_file(mini, path)
    fix = sessions.repair(mini, path, caught.value)
    assert fix is not None
    assert list(fix.cleared) == ["driver", "cycles", "colour"]
    assert fix.session.answers == {"outcome": True}
    # Anything else wrong (here the title) is not an answer to clear: fixed by hand.
    path.write_text(
        "rubric: {id: mini}\nproject: {title: ''}\nanswers: {driver: needs}\n", encoding="utf-8"
    )
    with pytest.raises(ProblemsError) as caught:
        sessions.from_file(mini, path)
    assert sessions.repair(mini, path, caught.value) is None


def test_the_review_screen_shows_the_answer_first(mini: Rubric, tmp_path: Path) -> None:
    s = sessions.new(mini, tmp_path / "p.yaml")
    s.answers = {"driver": "need", "story": "word " * 40}
    s.notes = {"driver": "Families asked."}
    steps = {step.key: step for step in s.steps()}
    assert interactive.entry(s, steps["driver"]) == "A need [+ note] · What drives it?"
    long = interactive.entry(s, steps["story"])
    assert long.startswith("word word") and long.endswith("· Tell the story.")
    assert len(long) <= interactive.ENTRY_WIDTH
    assert interactive.entry(s, steps["cycles"]) == "(not answered) · How many PDSA cycles?"
    s.notes["story"] = "Told by a parent."  # a long answer keeps its note mark
    assert "… [+ note] · Tell the story." in interactive.entry(s, steps["story"])


def test_a_refusal_fits_the_one_line_bar_it_is_shown_in(monkeypatch: pytest.MonkeyPatch) -> None:
    from qiappraise.interactive.prompts import fit_line, one_line

    pdsa = (
        "Enter a whole number of PDSA cycles, from 0 to 1000 "
        "(count cycles across all teams in a collaborative)."
    )
    assert fit_line(pdsa, 79) == "Enter a whole number of PDSA cycles, from 0 to 1000"
    assert fit_line("short enough", 79) == "short enough"
    long = "an answer is required here because " + "every word counts " * 6
    fitted = fit_line(long, 40)
    assert len(fitted) <= 40 and fitted.endswith("…") and long.startswith(fitted[:-1])
    assert not fitted[:-1].endswith(" ")
    monkeypatch.setenv("COLUMNS", "41")  # every prompt's refusal: fitted to the terminal
    assert one_line(lambda _: long)("x") == fitted
    assert one_line(lambda _: True)("x") is True
