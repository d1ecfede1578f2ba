"""Conditions: structured data that says when a question, cap or finding applies.

A condition is a small tree, never a string to ``eval``::

    when: {question: scope, in: [task, process]}
    when: {all: [{question: balancing, is: false}, {not: {question: purpose, is: target}}]}
    when: {dimension: equitable, is: none}

Evaluation is pure: it reads the answers (and, for findings and caps, the
dimension profile) and returns a bool. An unanswered question satisfies only
``answered: false``, so nothing fires on a blank.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

Scalar = bool | int | float | str
DimensionLevel = Literal["primary", "secondary", "none"]

#: The operators a question condition may use, in the order the docs list them.
QUESTION_OPERATORS = (
    "is",
    "is_not",
    "in",
    "not_in",
    "includes",
    "includes_any",
    "at_least",
    "at_most",
    "answered",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class QuestionCondition(_Strict):
    """Compare one question's answer with a value (exactly one operator)."""

    question: str = Field(description="Id of the question whose answer is tested.")
    is_: Scalar | None = Field(None, alias="is", description="Answer equals this value.")
    is_not: Scalar | None = Field(None, description="Answered, and not this value.")
    in_: list[Scalar] | None = Field(None, alias="in", description="Answer is one of these.")
    not_in: list[Scalar] | None = Field(None, description="Answered, and none of these.")
    includes: str | None = Field(None, description="Multiple choice answer includes this.")
    includes_any: list[str] | None = Field(None, description="Includes at least one of these.")
    at_least: Scalar | None = Field(
        None, description="Number at least this, or scale level at or above this level."
    )
    at_most: Scalar | None = Field(None, description="Number or scale level at most this.")
    answered: bool | None = Field(None, description="true: has any answer; false: unanswered.")

    @model_validator(mode="after")
    def _one_operator(self) -> QuestionCondition:
        given = [op for op in QUESTION_OPERATORS if self.operand(op) is not None]
        if len(given) != 1:
            raise ValueError(
                "a question condition needs exactly one of: "
                + ", ".join(QUESTION_OPERATORS)
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    def operand(self, op: str) -> Any:
        return getattr(self, {"is": "is_", "in": "in_"}.get(op, op))

    @property
    def operator(self) -> str:
        return next(op for op in QUESTION_OPERATORS if self.operand(op) is not None)


class DimensionCondition(_Strict):
    """Test the level at which the project addresses one dimension of quality."""

    dimension: str = Field(description="Id of a dimension declared by the rubric.")
    is_: DimensionLevel | None = Field(None, alias="is")
    in_: list[DimensionLevel] | None = Field(None, alias="in")

    @model_validator(mode="after")
    def _one_operator(self) -> DimensionCondition:
        if (self.is_ is None) == (self.in_ is None):
            raise ValueError("a dimension condition needs exactly one of: is, in")
        return self

    def levels(self) -> list[str]:
        return [self.is_] if self.is_ is not None else list(self.in_ or [])


class AllCondition(_Strict):
    all: list[Condition] = Field(min_length=1, description="Every condition holds.")


class AnyCondition(_Strict):
    any: list[Condition] = Field(min_length=1, description="At least one condition holds.")


class NotCondition(_Strict):
    not_: Condition = Field(alias="not", description="The condition does not hold.")


def _kind(value: Any) -> str | None:
    if isinstance(value, Mapping):
        for key in ("question", "dimension", "all", "any", "not"):
            if key in value:
                return key
        return None
    if isinstance(value, BaseModel):
        return {
            QuestionCondition: "question",
            DimensionCondition: "dimension",
            AllCondition: "all",
            AnyCondition: "any",
            NotCondition: "not",
        }.get(type(value))
    return None


Condition = Annotated[
    Annotated[QuestionCondition, Tag("question")]
    | Annotated[DimensionCondition, Tag("dimension")]
    | Annotated[AllCondition, Tag("all")]
    | Annotated[AnyCondition, Tag("any")]
    | Annotated[NotCondition, Tag("not")],
    Discriminator(
        _kind,
        custom_error_type="condition",
        custom_error_message=(
            "a condition needs one of the keys: question, dimension, all, any, not"
        ),
    ),
]

AllCondition.model_rebuild()
AnyCondition.model_rebuild()
NotCondition.model_rebuild()

ConditionT = QuestionCondition | DimensionCondition | AllCondition | AnyCondition | NotCondition


def walk(cond: ConditionT) -> Iterator[QuestionCondition | DimensionCondition]:
    """Every leaf of a condition tree."""
    if isinstance(cond, AllCondition):
        for c in cond.all:
            yield from walk(c)
    elif isinstance(cond, AnyCondition):
        for c in cond.any:
            yield from walk(c)
    elif isinstance(cond, NotCondition):
        yield from walk(cond.not_)
    else:
        yield cond


def questions_in(cond: ConditionT | None) -> list[str]:
    """Ids of the questions a condition reads, in order, without repeats."""
    if cond is None:
        return []
    seen: dict[str, None] = {}
    for leaf in walk(cond):
        if isinstance(leaf, QuestionCondition):
            seen.setdefault(leaf.question)
    return list(seen)


def evaluate(
    cond: ConditionT | None,
    answers: Mapping[str, Any],
    *,
    order: Callable[[str, Any], int | None] | None = None,
    dimensions: Mapping[str, str] | None = None,
) -> bool:
    """Whether ``cond`` holds. ``None`` (no condition) always holds.

    ``order(question, value)`` gives the rank of a scale level so that
    ``at_least``/``at_most`` work on anchored scales; ``dimensions`` maps a
    dimension id to its level for dimension conditions.
    """
    if cond is None:
        return True
    if isinstance(cond, AllCondition):
        return all(evaluate(c, answers, order=order, dimensions=dimensions) for c in cond.all)
    if isinstance(cond, AnyCondition):
        return any(evaluate(c, answers, order=order, dimensions=dimensions) for c in cond.any)
    if isinstance(cond, NotCondition):
        return not evaluate(cond.not_, answers, order=order, dimensions=dimensions)
    if isinstance(cond, DimensionCondition):
        # A dimension no answered question speaks to is unknown: it satisfies nothing.
        level = (dimensions or {}).get(cond.dimension)
        return level is not None and level in cond.levels()
    return _question(cond, answers, order)


def _same(a: Any, b: Any) -> bool:
    # bool is an int in Python; `is: 1` must not match a yes/no answer of true.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


def _question(
    cond: QuestionCondition,
    answers: Mapping[str, Any],
    order: Callable[[str, Any], int | None] | None,
) -> bool:
    op = cond.operator
    operand = cond.operand(op)
    present = cond.question in answers and answers[cond.question] is not None
    if op == "answered":
        return bool(present == operand)
    if not present:
        return False
    value = answers[cond.question]
    if op == "is":
        return _same(value, operand)
    if op == "is_not":
        return not _same(value, operand)
    if op == "in":
        return any(_same(value, o) for o in operand)
    if op == "not_in":
        return not any(_same(value, o) for o in operand)
    if op == "includes":
        return isinstance(value, list) and bool(operand in value)
    if op == "includes_any":
        return isinstance(value, list) and any(o in value for o in operand)
    return _compare(cond, op, value, operand, order)


def _compare(
    cond: QuestionCondition,
    op: str,
    value: Any,
    operand: Any,
    order: Callable[[str, Any], int | None] | None,
) -> bool:
    # at_least / at_most: numbers compare directly, scale levels by their rank.
    left: Any = value
    right: Any = operand
    if order is not None and not isinstance(value, (int, float)):
        left, right = order(cond.question, value), order(cond.question, operand)
    if isinstance(left, bool) or isinstance(right, bool):
        return False
    if not isinstance(left, (int, float)) or not isinstance(right, (int, float)):
        return False
    return bool(left >= right) if op == "at_least" else bool(left <= right)
