"""qiappraise.rubric.questions: each question type through the KINDS registry."""

from __future__ import annotations

import math
from typing import Any

import pytest

from qiappraise.rubric.model import (
    ChoiceQuestion,
    NumberQuestion,
    QuestionT,
    Rubric,
    ScaleQuestion,
    TextQuestion,
)
from qiappraise.rubric.questions import KINDS, AnswerError, kind


def refuse(q: QuestionT, raw: Any) -> str:
    with pytest.raises(AnswerError) as info:
        kind(q).coerce(q, raw)
    return str(info.value)


def text_q(**kw: Any) -> TextQuestion:
    return TextQuestion.model_validate(
        {"id": "t", "prompt": "?", "type": "text", "feeds": "score", **kw}
    )


def multi_q(choices: list[dict[str, Any]], **kw: Any) -> ChoiceQuestion:
    return ChoiceQuestion.model_validate(
        {"id": "m", "prompt": "?", "type": "multi", "feeds": "score", "choices": choices, **kw}
    )


def number_q(**kw: Any) -> NumberQuestion:
    return NumberQuestion.model_validate(
        {"id": "n", "prompt": "?", "type": "number", "feeds": "score", **kw}
    )


def test_registry_covers_every_type(mini: Rubric) -> None:
    assert set(KINDS) == {"text", "long_text", "choice", "multi", "scale", "yes_no", "number"}
    assert {q.type for q in mini.questions.values()} == set(KINDS)
    for q in mini.questions.values():
        assert kind(q) is KINDS[q.type]


# --- text --------------------------------------------------------------------


def test_text_single_line(mini: Rubric) -> None:
    q = mini.questions["target_name"]
    k = kind(q)
    assert k.coerce(q, "4-hour target\n") == "4-hour target"
    assert k.coerce(q, 42) == "42"
    assert k.coerce(q, "   ") is None  # blank is unanswered
    assert refuse(q, "line one\nline two") == "expected one line of text"
    assert refuse(q, True) == "expected text, got true/false"
    assert refuse(q, ["a"]) == "expected text, got a list"
    assert refuse(q, {"a": 1}) == "expected text, got a mapping"
    assert k.allowed(q) == "one line of text"


def test_long_text(mini: Rubric) -> None:
    q = mini.questions["story"]
    k = kind(q)
    assert k.coerce(q, "We asked.\nThey said.\n") == "We asked.\nThey said."
    assert k.allowed(q) == "text (several lines allowed)"
    assert k.earned(q, "anything") == 1.0
    assert k.maximum(q) == 1.0
    assert k.display(q, "We asked.") == "We asked."
    assert k.chosen(q, "We asked.") == []


def test_text_without_points_is_not_scored(mini: Rubric) -> None:
    q = mini.questions["target_name"]
    assert kind(q).earned(q, "x") is None
    assert kind(q).maximum(q) == 0


def test_text_lengths() -> None:
    q = text_q(min_length=5, max_length=8)
    assert kind(q).coerce(q, " abcde  ") == " abcde  "
    # The minimum counts the text without its margins; the maximum counts all of it.
    assert refuse(q, "  abcd  ") == "too short: at least 5 characters"
    assert refuse(q, "abcdefghi") == "too long: at most 8 characters"


def test_invalid_message_replaces_the_default() -> None:
    q = text_q(invalid_message="Name the target in one line.")
    assert refuse(q, "a\nb") == "Name the target in one line."


# --- single choice and scale -------------------------------------------------


def test_choice(mini: Rubric) -> None:
    q = mini.questions["driver"]
    k = kind(q)
    assert k.coerce(q, "need") == "need"
    assert refuse(q, "x") == "'x' is not one of: target, need, unsure"
    assert refuse(q, True) == "True is not one of: target, need, unsure"
    assert refuse(q, ["need"]) == "['need'] is not one of: target, need, unsure"
    assert refuse(q, "x" * 100) == "'" + "x" * 56 + "... is not one of: target, need, unsure"
    assert k.allowed(q) == "one of: target, need, unsure"
    # "Not yet known" is marked unsure: it earns nothing (scoring counts it as 0 of 2).
    assert (k.earned(q, "target"), k.earned(q, "need"), k.earned(q, "unsure")) == (0.0, 2.0, 0.0)
    assert k.maximum(q) == 2.0
    assert k.display(q, "need") == "A need"
    assert [c.value for c in k.chosen(q, "need")] == ["need"]


def test_scale(mini: Rubric) -> None:
    q = mini.questions["scope"]
    k = kind(q)
    assert k.coerce(q, "pathway") == "pathway"
    assert refuse(q, "world") == "'world' is not one of: task, pathway, system"
    # It feeds the position: its levels earn nothing.
    assert [k.earned(q, v) for v in ("task", "pathway", "system")] == [0.0, 0.0, 0.0]
    assert k.maximum(q) == 0.0
    assert k.display(q, "system") == "System"
    scored = ScaleQuestion.model_validate(
        {
            "id": "s",
            "prompt": "?",
            "type": "scale",
            "feeds": "score",
            "levels": [
                {"value": v, "label": v, "points": p} for v, p in (("a", 0), ("b", 1), ("c", 2))
            ],
        }
    )
    assert [k.earned(scored, v) for v in "abc"] == [0.0, 1.0, 2.0]
    assert k.maximum(scored) == 2.0


def test_choice_maximum_ignores_unscored_choices() -> None:
    q = ChoiceQuestion.model_validate(
        {
            "id": "c",
            "prompt": "?",
            "type": "choice",
            "feeds": "score",
            "choices": [{"value": "a", "label": "A", "points": None}],
        }
    )
    assert kind(q).maximum(q) == 0.0
    assert kind(q).earned(q, "a") is None


# --- multiple choice ---------------------------------------------------------


def test_multi_coerce(mini: Rubric) -> None:
    q = mini.questions["groups"]
    k = kind(q)
    assert k.coerce(q, ["children", "staff"]) == ["children", "staff"]
    assert k.coerce(q, "staff") == ["staff"]  # one value alone reads as a list of one
    assert k.coerce(q, ["nobody"]) == ["nobody"]
    assert k.coerce(q, []) is None  # nothing chosen: unanswered, never a silent zero
    assert refuse(q, ["nobody", "staff"]) == "'nobody' cannot be combined with other choices"
    assert refuse(q, ["staff", "staff"]) == "'staff' is listed twice"
    assert refuse(q, ["aliens"]) == "'aliens' is not one of: children, families, staff, nobody"
    assert refuse(q, 3) == "expected a list of values from: children, families, staff, nobody"
    assert k.allowed(q) == "a list of any of: children, families, staff, nobody"


def test_multi_selection_limits() -> None:
    choices = [{"value": v, "label": v.upper(), "points": 1} for v in "abc"]
    q = multi_q(choices, min_selected=2, max_selected=2)
    assert kind(q).coerce(q, ["a", "c"]) == ["a", "c"]
    assert refuse(q, ["a"]) == "choose at least 2"
    assert refuse(q, ["a", "b", "c"]) == "choose at most 2"


def test_multi_points_capped_by_max_points(mini: Rubric) -> None:
    q = mini.questions["groups"]  # children 2, families 2, staff 1; max_points 3
    k = kind(q)
    assert k.earned(q, ["children", "families", "staff"]) == 3.0  # 5, capped
    assert k.earned(q, ["children"]) == 2.0
    assert k.earned(q, ["staff"]) == 1.0
    assert k.earned(q, ["nobody"]) == 0.0
    assert k.earned(q, []) == 0.0
    assert k.maximum(q) == 3.0
    assert k.display(q, ["children", "staff"]) == "Children; Staff"
    assert k.display(q, []) == "(none)"


def test_multi_maximum_weighs_exclusive_choice_alone() -> None:
    q = multi_q(
        [
            {"value": "a", "label": "A", "points": 1},
            {"value": "b", "label": "B", "points": 2},
            {"value": "only", "label": "Only", "points": 5, "exclusive": True},
        ]
    )
    assert kind(q).maximum(q) == 5.0  # max(1 + 2, 5)
    q2 = multi_q(
        [
            {"value": "a", "label": "A", "points": 3},
            {"value": "b", "label": "B", "points": 2},
            {"value": "only", "label": "Only", "points": 4, "exclusive": True},
        ]
    )
    assert kind(q2).maximum(q2) == 5.0  # max(3 + 2, 4)


def test_multi_unscored_choices() -> None:
    q = multi_q(
        [
            {"value": "a", "label": "A", "points": None},
            {"value": "b", "label": "B", "points": None},
            {"value": "c", "label": "C", "points": 2},
        ]
    )
    k = kind(q)
    assert k.earned(q, ["a", "b"]) is None  # nothing picked is scored
    assert k.earned(q, ["a", "c"]) == 2.0
    assert k.maximum(q) == 2.0


# --- yes / no ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        ("yes", True),
        ("no", False),
        (" Yes ", True),
        ("NO", False),
        ("y", True),
        ("n", False),
        ("true", True),
        ("false", False),
    ],
)
def test_yes_no_reads(mini: Rubric, raw: Any, expected: bool) -> None:
    q = mini.questions["outcome"]
    assert kind(q).coerce(q, raw) is expected


@pytest.mark.parametrize("raw", ["maybe", 1, 0, None, ["yes"]])
def test_yes_no_refuses(mini: Rubric, raw: Any) -> None:
    q = mini.questions["outcome"]
    assert refuse(q, raw) == f"{raw!r} is not yes or no (true/false)"


def test_yes_no_scoring(mini: Rubric) -> None:
    q = mini.questions["outcome"]  # yes 2, no 0
    k = kind(q)
    assert (k.earned(q, True), k.earned(q, False)) == (2.0, 0.0)
    assert k.maximum(q) == 2.0
    assert (k.display(q, True), k.display(q, False)) == ("Yes", "No")
    assert k.allowed(q) == "yes or no (true/false)"
    assert [c.value for c in k.chosen(q, False)] == ["no"]


# --- numbers -----------------------------------------------------------------


def test_number_integer_and_range(mini: Rubric) -> None:
    q = mini.questions["cycles"]  # integer, 0..50
    k = kind(q)
    assert k.coerce(q, 3) == 3
    three = k.coerce(q, 3.0)
    assert three == 3 and type(three) is int
    assert k.coerce(q, 0) == 0
    assert k.coerce(q, 50) == 50
    allowed = "a whole number from 0 to 50"
    assert k.allowed(q) == allowed
    assert refuse(q, 2.5) == f"2.5 is not a whole number; {allowed}"
    assert refuse(q, -1) == f"-1 is out of range; {allowed}"
    assert refuse(q, 51) == f"51 is out of range; {allowed}"
    assert refuse(q, 10**400) == f"{10**400} is out of range; {allowed}"


@pytest.mark.parametrize("raw", [math.nan, math.inf, -math.inf, True, False, "3", None, [3]])
def test_number_refuses_non_numbers(mini: Rubric, raw: Any) -> None:
    q = mini.questions["cycles"]
    assert refuse(q, raw) == f"{raw!r} is not a number; a whole number from 0 to 50"


def test_number_allowed_wording() -> None:
    assert kind(number_q()).allowed(number_q()) == "a number"
    q = number_q(min=1)
    assert kind(q).allowed(q) == "a number of at least 1"
    q = number_q(max=2.5)
    assert kind(q).allowed(q) == "a number of at most 2.5"
    q = number_q(min=0.5, max=1.5)
    assert kind(q).coerce(q, 1.25) == 1.25
    assert refuse(q, 2) == "2 is out of range; a number from 0.5 to 1.5"


def test_number_huge_whole_number_without_bounds() -> None:
    q = number_q(unit="days")
    big = 10**400
    assert kind(q).coerce(q, big) == big
    assert kind(q).display(q, big) == f"{big} days"


def test_number_points_steps(mini: Rubric) -> None:
    q = mini.questions["cycles"]  # >= 1: 1 point, >= 3: 2 points
    k = kind(q)
    assert [k.earned(q, v) for v in (0, 1, 2, 3, 4, 50)] == [0.0, 1.0, 1.0, 2.0, 2.0, 2.0]
    assert k.maximum(q) == 2.0
    assert k.chosen(q, 3) == []


def test_number_without_points_is_not_scored() -> None:
    q = number_q()
    assert kind(q).earned(q, 7) is None
    assert kind(q).maximum(q) == 0.0


def test_number_display() -> None:
    q = number_q(unit="weeks")
    assert kind(q).display(q, 4) == "4 weeks"
    assert kind(q).display(q, 4.0) == "4 weeks"
    assert kind(q).display(q, 2.5) == "2.5 weeks"
    assert kind(number_q()).display(number_q(), 3) == "3"


def test_did_you_mean_for_labels_case_and_lists(mini: Rubric) -> None:
    assert refuse(mini.questions["driver"], "Need") == (
        "'Need' is not one of: target, need, unsure (did you mean 'need'?)"
    )
    assert refuse(mini.questions["driver"], "A target") == (
        "'A target' is not one of: target, need, unsure (did you mean 'target'?)"
    )
    assert refuse(mini.questions["groups"], "children, staff") == (
        "'children, staff' is not one of: children, families, staff, nobody"
        " (give a list, e.g. [children, staff])"
    )
