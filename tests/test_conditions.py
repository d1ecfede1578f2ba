"""qiappraise.rubric.conditions: the condition language and its evaluation."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from qiappraise.rubric.conditions import (
    QUESTION_OPERATORS,
    Condition,
    ConditionT,
    DimensionCondition,
    QuestionCondition,
    evaluate,
    questions_in,
)
from qiappraise.rubric.model import Rubric

_ADAPTER: TypeAdapter[ConditionT] = TypeAdapter(Condition)


def cond(data: dict[str, Any]) -> ConditionT:
    return _ADAPTER.validate_python(data)


def holds(data: dict[str, Any], answers: dict[str, Any], **kw: Any) -> bool:
    return evaluate(cond(data), answers, **kw)


def test_no_condition_always_holds() -> None:
    assert evaluate(None, {}) is True


@pytest.mark.parametrize(
    ("data", "answer", "expected"),
    [
        ({"is": "x"}, "x", True),
        ({"is": "x"}, "y", False),
        ({"is_not": "x"}, "y", True),
        ({"is_not": "x"}, "x", False),
        ({"in": ["x", "y"]}, "y", True),
        ({"in": ["x", "y"]}, "z", False),
        ({"not_in": ["x", "y"]}, "z", True),
        ({"not_in": ["x", "y"]}, "x", False),
        ({"includes": "b"}, ["a", "b"], True),
        ({"includes": "c"}, ["a", "b"], False),
        ({"includes": "a"}, "a", False),  # only lists include
        ({"includes_any": ["c", "b"]}, ["a", "b"], True),
        ({"includes_any": ["c", "d"]}, ["a", "b"], False),
        ({"includes_any": ["c"]}, [], False),
        ({"at_least": 3}, 3, True),
        ({"at_least": 3}, 2.5, False),
        ({"at_most": 3}, 3, True),
        ({"at_most": 3}, 4, False),
        ({"at_least": 1}, True, False),  # a yes/no answer is not a number
        ({"at_least": 1}, "x", False),  # nor is text, without a scale order
        ({"answered": True}, "x", True),
        ({"answered": False}, "x", False),
        ({"is": False}, False, True),
        ({"is": 0}, 0, True),
    ],
)
def test_operators(data: dict[str, Any], answer: Any, expected: bool) -> None:
    assert holds({"question": "q", **data}, {"q": answer}) is expected


@pytest.mark.parametrize(
    ("data", "answer", "expected"),
    [
        ({"is": 1}, True, False),
        ({"is": 0}, False, False),
        ({"is": True}, 1, False),
        ({"is": 1}, 1, True),
        ({"is": True}, True, True),
        ({"is_not": 1}, True, True),
        ({"in": [1, 2]}, True, False),
        ({"not_in": [0]}, False, True),
    ],
)
def test_bool_never_equals_int(data: dict[str, Any], answer: Any, expected: bool) -> None:
    assert holds({"question": "q", **data}, {"q": answer}) is expected


def test_operands_keep_their_yaml_types() -> None:
    one = cond({"question": "q", "is": 1})
    true = cond({"question": "q", "is": True})
    assert isinstance(one, QuestionCondition) and isinstance(true, QuestionCondition)
    assert type(one.is_) is int and type(true.is_) is bool


_SAMPLE_OPERANDS = {
    "is": "x",
    "is_not": "x",
    "in": ["x"],
    "not_in": ["x"],
    "includes": "x",
    "includes_any": ["x"],
    "at_least": 1,
    "at_most": 1,
    "answered": True,
}


@pytest.mark.parametrize("op", QUESTION_OPERATORS)
@pytest.mark.parametrize("answers", [{}, {"q": None}], ids=["absent", "null"])
def test_unanswered_satisfies_only_answered_false(op: str, answers: dict[str, Any]) -> None:
    assert holds({"question": "q", op: _SAMPLE_OPERANDS[op]}, answers) is False
    assert holds({"question": "q", "answered": False}, answers) is True


def test_combinators() -> None:
    a_x = {"question": "a", "is": "x"}
    b_y = {"question": "b", "is": "y"}
    answers = {"a": "x", "b": "z"}
    assert holds({"all": [a_x, b_y]}, answers) is False
    assert holds({"all": [a_x, {"not": b_y}]}, answers) is True
    assert holds({"any": [a_x, b_y]}, answers) is True
    assert holds({"any": [{"not": a_x}, b_y]}, answers) is False
    assert holds({"not": {"any": [{"not": a_x}, b_y]}}, answers) is True
    # `not` is plain negation: unlike is_not it holds on a blank.
    assert holds({"not": a_x}, {}) is True
    assert holds({"question": "a", "is_not": "x"}, {}) is False


def test_scale_levels_compare_by_order(mini: Rubric) -> None:
    order = mini.level_rank  # scope: task < pathway < system
    at_least_pathway = {"question": "scope", "at_least": "pathway"}
    at_most_pathway = {"question": "scope", "at_most": "pathway"}
    assert [
        holds(at_least_pathway, {"scope": v}, order=order) for v in ("task", "pathway", "system")
    ] == [False, True, True]
    assert [
        holds(at_most_pathway, {"scope": v}, order=order) for v in ("task", "pathway", "system")
    ] == [True, True, False]
    # Without the order, text levels do not compare (no alphabetical accidents).
    assert holds(at_least_pathway, {"scope": "system"}) is False
    # A level the scale does not have compares with nothing.
    assert (
        holds({"question": "scope", "at_least": "galaxy"}, {"scope": "system"}, order=order)
        is False
    )
    # Numbers still compare directly when an order is given.
    assert holds({"question": "cycles", "at_least": 3}, {"cycles": 4}, order=order) is True


def test_dimension_conditions() -> None:
    none = {"dimension": "equitable", "is": "none"}
    served = {"dimension": "equitable", "in": ["primary", "secondary"]}
    # Absent from the profile: no answered question speaks to it, so unknown.
    assert holds(none, {}, dimensions={}) is False
    assert holds(none, {}) is False
    assert holds(none, {}, dimensions={"equitable": "none"}) is True
    assert holds(none, {}, dimensions={"equitable": "secondary"}) is False
    assert holds(served, {}, dimensions={"equitable": "secondary"}) is True
    assert holds(served, {}, dimensions={"equitable": "none", "safe": "primary"}) is False
    d = cond(served)
    assert isinstance(d, DimensionCondition) and d.levels() == ["primary", "secondary"]


def test_questions_in_lists_each_once_in_order() -> None:
    c = cond(
        {
            "all": [
                {"question": "b", "is": "x"},
                {"any": [{"question": "a", "answered": True}, {"dimension": "safe", "is": "none"}]},
                {"not": {"question": "b", "is": "y"}},
            ]
        }
    )
    assert questions_in(c) == ["b", "a"]
    assert questions_in(None) == []


def _message(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        cond(data)
    errors = info.value.errors()
    assert len(errors) == 1
    return str(errors[0]["msg"])


def test_two_operators_refused_naming_them() -> None:
    msg = _message({"question": "q", "is": "x", "in": ["y"]})
    assert msg == (
        "Value error, a question condition needs exactly one of: is, is_not, in, not_in, "
        "includes, includes_any, at_least, at_most, answered (got is, in)"
    )


def test_no_operator_refused() -> None:
    msg = _message({"question": "q"})
    assert msg == (
        "Value error, a question condition needs exactly one of: is, is_not, in, not_in, "
        "includes, includes_any, at_least, at_most, answered"
    )


def test_dimension_condition_needs_one_operator() -> None:
    assert _message({"dimension": "safe"}).endswith("needs exactly one of: is, in")
    assert _message({"dimension": "safe", "is": "none", "in": ["primary"]}).endswith(
        "needs exactly one of: is, in"
    )


def test_unknown_condition_kind() -> None:
    assert _message({"questoin": "q", "is": "x"}) == (
        "a condition needs one of the keys: question, dimension, all, any, not"
    )


def test_unknown_operator_key_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        cond({"question": "q", "equals": "x"})


def test_empty_all_refused() -> None:
    with pytest.raises(ValidationError):
        cond({"all": []})
