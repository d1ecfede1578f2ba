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
from collections.abc import Set as AbstractSet
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
    # defer_build: see rubric.model._Model. The recursive conditions need no
    # model_rebuild() either: their forward reference to Condition is
    # resolved when the first validation builds the validator.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


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
    return predicate(cond)(answers, order, dimensions)


Order = Callable[[str, Any], int | None]
#: ``test(answers, order, dimensions)``: what ``evaluate`` answers, for one condition.
Test = Callable[[Mapping[str, Any], Order | None, Mapping[str, str] | None], bool]

# A batch evaluates the same few hundred rubric conditions for every proposal,
# and walking the model tree (finding the operator among nine optional fields)
# cost more than the comparisons themselves. Each condition is therefore
# turned into a closure once. Keyed by id(); the condition is kept beside its
# closure so that an id reused after garbage collection is never mistaken.
_COMPILED: dict[int, tuple[ConditionT, Test]] = {}
_COMPILED_MAX = 4096


def predicate(cond: ConditionT) -> Test:
    """``cond`` as a function of (answers, order, dimensions), compiled once."""
    entry = _COMPILED.get(id(cond))
    if entry is not None and entry[0] is cond:
        return entry[1]
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.clear()
    test = _compile(cond)
    _COMPILED[id(cond)] = (cond, test)
    return test


def _compile(cond: ConditionT) -> Test:
    """A closure that answers exactly what the tree walk in ``evaluate`` would."""
    if isinstance(cond, (AllCondition, AnyCondition)):
        parts = [predicate(c) for c in (cond.all if isinstance(cond, AllCondition) else cond.any)]
        want = isinstance(cond, AnyCondition)  # the result that decides early

        def combined(a: Mapping[str, Any], o: Order | None, d: Mapping[str, str] | None) -> bool:
            for part in parts:
                if part(a, o, d) is want:
                    return want
            return not want

        return combined
    if isinstance(cond, NotCondition):
        inner = predicate(cond.not_)
        return lambda a, o, d: not inner(a, o, d)
    if isinstance(cond, DimensionCondition):
        dimension, levels = cond.dimension, cond.levels()

        def dimension_test(
            a: Mapping[str, Any], o: Order | None, d: Mapping[str, str] | None
        ) -> bool:
            # A dimension no answered question speaks to is unknown: it satisfies nothing.
            level = (d or {}).get(dimension)
            return level is not None and level in levels

        return dimension_test
    return _question_test(cond)


def _question_test(cond: QuestionCondition) -> Test:
    qid = cond.question
    op = cond.operator
    operand = cond.operand(op)
    if op == "answered":
        return lambda a, o, d: (qid in a and a[qid] is not None) == operand
    test: Callable[[Any], bool]
    if op in ("is", "is_not", "in", "not_in"):
        options = operand if op in ("in", "not_in") else [operand]
        negate = op in ("is_not", "not_in")
        # bool is an int in Python; `is: 1` must not match a yes/no answer of
        # true. So a bool matches only bool options, anything else only the
        # others (`in` compares with ==).
        bools = [o for o in options if isinstance(o, bool)]
        others = [o for o in options if not isinstance(o, bool)]

        def test(value: Any) -> bool:
            found = value in bools if isinstance(value, bool) else value in others
            return found is not negate

    elif op == "includes":

        def test(value: Any) -> bool:
            return isinstance(value, list) and bool(operand in value)

    elif op == "includes_any":

        def test(value: Any) -> bool:
            return isinstance(value, list) and any(o in value for o in operand)

    else:

        def compare(a: Mapping[str, Any], o: Order | None, d: Mapping[str, str] | None) -> bool:
            value = a.get(qid)
            return value is not None and _compare(cond, op, value, operand, o)

        return compare

    def question_test(a: Mapping[str, Any], o: Order | None, d: Mapping[str, str] | None) -> bool:
        value = a.get(qid)
        return value is not None and test(value)

    return question_test


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


# --------------------------------------------------------------- three values
#
# Scoring reads conditions in three values (Kleene's logic): a question whose
# answer is not known (unanswered while it may apply, or answered "not sure")
# makes every test on it *unknown*, and unknown propagates (false AND unknown
# is false, true OR unknown is true). Kleene's connectives are monotone: taking
# an answer away can turn a definite result into unknown, never into its
# opposite. Findings and caps are raised unless definitely ruled out, so
# removing an answer never removes a finding or lifts a cap: silence earns
# nothing.

_RANK = {"none": 0, "secondary": 1, "primary": 2}
_BY_RANK = ("none", "secondary", "primary")


class Known:
    """What a three-valued test reads: answers, which questions are unknown, levels."""

    __slots__ = ("answers", "dimensions", "open_dimensions", "order", "unknown")

    def __init__(
        self,
        answers: Mapping[str, Any],
        unknown: AbstractSet[str],
        order: Order | None = None,
        dimensions: Mapping[str, str] | None = None,
        open_dimensions: AbstractSet[str] = frozenset(),
    ) -> None:
        self.answers = answers
        self.unknown = unknown
        self.order = order
        self.dimensions = dimensions or {}
        # Dimensions an unknown answer could still raise: their level is a floor.
        self.open_dimensions = open_dimensions


Test3 = Callable[[Known], "bool | None"]
_COMPILED3: dict[int, tuple[ConditionT, Test3]] = {}


def predicate3(cond: ConditionT) -> Test3:
    """``cond`` in three values (True, False, None for unknown), compiled once."""
    entry = _COMPILED3.get(id(cond))
    if entry is not None and entry[0] is cond:
        return entry[1]
    if len(_COMPILED3) >= _COMPILED_MAX:
        _COMPILED3.clear()
    test = _compile3(cond)
    _COMPILED3[id(cond)] = (cond, test)
    return test


def evaluate3(cond: ConditionT | None, known: Known) -> bool | None:
    """Whether ``cond`` holds (True), cannot hold (False) or is not known yet (None)."""
    return True if cond is None else predicate3(cond)(known)


def _compile3(cond: ConditionT) -> Test3:
    if isinstance(cond, (AllCondition, AnyCondition)):
        parts = [predicate3(c) for c in (cond.all if isinstance(cond, AllCondition) else cond.any)]
        decisive = isinstance(cond, AnyCondition)  # the value that settles the whole

        def combined(k: Known) -> bool | None:
            unknown = False
            for part in parts:
                got = part(k)
                if got is None:
                    unknown = True
                elif got is decisive:
                    return decisive
            return None if unknown else not decisive

        return combined
    if isinstance(cond, NotCondition):
        inner = predicate3(cond.not_)

        def negated(k: Known) -> bool | None:
            got = inner(k)
            return None if got is None else not got

        return negated
    if isinstance(cond, DimensionCondition):
        dimension, levels = cond.dimension, set(cond.levels())

        def dimension_test(k: Known) -> bool | None:
            level = k.dimensions.get(dimension, "none")
            if dimension not in k.open_dimensions:
                return level in levels
            possible = {lv in levels for lv in _BY_RANK[_RANK[level] :]}
            return possible.pop() if len(possible) == 1 else None

        return dimension_test
    qid = cond.question
    two = predicate(cond)

    def question_test(k: Known) -> bool | None:
        if qid in k.unknown:
            return None
        return two(k.answers, k.order, None)

    return question_test
