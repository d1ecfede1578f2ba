"""Question types: how each reads, checks, scores and shows an answer.

One registry (``KINDS``) keyed by the rubric's ``type``; adding a question
type means adding a model in ``model.py`` and an entry here (and, for the
interactive mode, one in ``interactive/prompts.py``).
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from ..base import textcheck
from .model import (
    Choice,
    ChoiceQuestion,
    NumberQuestion,
    QuestionT,
    ScaleQuestion,
    TextQuestion,
    YesNoQuestion,
)

_Choosy = ChoiceQuestion | ScaleQuestion | YesNoQuestion

_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false"}


class AnswerError(ValueError):
    """An answer that the question does not allow; the message says what is allowed."""


class Kind(Protocol):
    def coerce(self, q: Any, raw: Any) -> Any:
        """The stored answer for ``raw``, or AnswerError saying what is allowed."""

    def allowed(self, q: Any) -> str:
        """What answers the question allows, in words."""

    def chosen(self, q: Any, value: Any) -> list[Choice]:
        """The choices an answer selects (empty for text and number)."""

    def earned(self, q: Any, value: Any) -> float | None:
        """Points earned; None when the answer is not scored."""

    def maximum(self, q: Any) -> float:
        """Most points the question can earn."""

    def display(self, q: Any, value: Any) -> str:
        """The answer as a person reads it."""


def _fail(q: QuestionT, message: str) -> AnswerError:
    return AnswerError(q.invalid_message or message)


def _values(q: QuestionT) -> str:
    return ", ".join(c.value for c in q.choices_)


def _by_value(q: QuestionT, value: Any) -> Choice | None:
    if isinstance(q, YesNoQuestion) and isinstance(value, bool):
        value = "yes" if value else "no"
    if not isinstance(value, str):
        return None  # choice values are text; lists and mappings are not even hashable
    return q.choice_by_value.get(value)


class _TextKind:
    def coerce(self, q: TextQuestion, raw: Any) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise _fail(q, f"expected text, got {_describe(raw)}")
        text = str(raw)
        if q.type == "text" and "\n" in text.strip():
            raise _fail(q, "expected one line of text")
        if len(text.strip()) < q.min_length:
            raise _fail(q, f"too short: at least {q.min_length} characters")
        if len(text) > q.max_length:
            raise _fail(q, f"too long: at most {q.max_length} characters")
        why = textcheck.problem(text.rstrip("\n"), multiline=q.type == "long_text")
        if why:
            raise AnswerError(why)  # not the rubric's message: it is about the characters
        return text.rstrip("\n") if text.strip() else None

    def allowed(self, q: TextQuestion) -> str:
        return "one line of text" if q.type == "text" else "text (several lines allowed)"

    def chosen(self, q: TextQuestion, value: Any) -> list[Choice]:
        return []

    def earned(self, q: TextQuestion, value: Any) -> float | None:
        return q.points if q.points else None

    def maximum(self, q: TextQuestion) -> float:
        return q.points

    def display(self, q: TextQuestion, value: Any) -> str:
        return str(value)


def _hint(q: QuestionT, raw: Any) -> str:
    """A did-you-mean for a value written as its label, in other case or with spaces."""
    if not isinstance(raw, str):
        return ""
    wanted = " ".join(raw.split()).casefold()
    for c in q.choices_:
        if wanted in (c.value.casefold(), c.label.casefold(), c.value.replace("-", " ").casefold()):
            return f" (did you mean {c.value!r}?)"
    if "," in raw and q.type == "multi":
        items = ", ".join(i.strip() for i in raw.split(","))
        return f" (give a list, e.g. [{items}])"
    return ""


class _ChoiceKind:
    def coerce(self, q: _Choosy, raw: Any) -> Any:
        if isinstance(raw, (dict, list)) or _by_value(q, raw) is None:
            raise _fail(q, f"{_show(raw)} is not one of: {_values(q)}{_hint(q, raw)}")
        return raw

    def allowed(self, q: _Choosy) -> str:
        return f"one of: {_values(q)}"

    def chosen(self, q: _Choosy, value: Any) -> list[Choice]:
        c = _by_value(q, value)
        return [c] if c else []

    def earned(self, q: _Choosy, value: Any) -> float | None:
        c = _by_value(q, value)
        return c.points if c else None

    def maximum(self, q: _Choosy) -> float:
        return max((c.points for c in q.choices_ if c.points is not None), default=0.0)

    def display(self, q: _Choosy, value: Any) -> str:
        c = _by_value(q, value)
        return c.label if c else str(value)


class _MultiKind:
    def coerce(self, q: ChoiceQuestion, raw: Any) -> Any:
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list):
            raise _fail(q, f"expected a list of values from: {_values(q)}")
        out: list[str] = []
        for item in items:
            if isinstance(item, (dict, list)) or _by_value(q, item) is None:
                raise _fail(q, f"{_show(item)} is not one of: {_values(q)}{_hint(q, item)}")
            if item in out:
                raise _fail(q, f"{item!r} is listed twice")
            out.append(item)
        if not out:
            # An empty list says nothing was chosen: unanswered, never a silent zero
            # (a rubric offers an explicit "none of these" choice for that).
            return None
        exclusive = [v for v in out if (c := _by_value(q, v)) is not None and c.exclusive]
        if exclusive and len(out) > 1:
            raise _fail(q, f"{exclusive[0]!r} cannot be combined with other choices")
        if len(out) < q.min_selected:
            raise _fail(q, f"choose at least {q.min_selected}")
        if q.max_selected is not None and len(out) > q.max_selected:
            raise _fail(q, f"choose at most {q.max_selected}")
        return out

    def allowed(self, q: ChoiceQuestion) -> str:
        return f"a list of any of: {_values(q)}"

    def chosen(self, q: ChoiceQuestion, value: Any) -> list[Choice]:
        return [c for v in value if (c := _by_value(q, v)) is not None]

    def earned(self, q: ChoiceQuestion, value: Any) -> float | None:
        picked = self.chosen(q, value)
        if picked and all(c.points is None for c in picked):
            return None
        total = sum(c.points or 0.0 for c in picked)
        return min(total, self.maximum(q))

    def maximum(self, q: ChoiceQuestion) -> float:
        combined = sum(c.points or 0.0 for c in q.choices if not c.exclusive)
        alone = max((c.points or 0.0 for c in q.choices if c.exclusive), default=0.0)
        best = max(combined, alone)
        return min(best, q.max_points) if q.max_points is not None else best

    def display(self, q: ChoiceQuestion, value: Any) -> str:
        return "; ".join(c.label for c in self.chosen(q, value)) or "(none)"


def exclusive_conflict(q: ChoiceQuestion, values: list[Any]) -> str | None:
    """Why ticked ``values`` cannot go together, in the choices' labels (None: they can).

    ``coerce`` names values, as a file holds them; a person ticking boxes sees
    labels, so the prompts say it this way (issue 14: ids are not for people).
    """
    picked = [c for v in values if (c := _by_value(q, v)) is not None]
    exclusive = [c for c in picked if c.exclusive]
    if not exclusive or len(picked) < 2:
        return None
    return f"“{exclusive[0].label}” cannot be combined with other choices: untick it or the others"


class _YesNoKind(_ChoiceKind):
    def coerce(self, q: YesNoQuestion, raw: Any) -> Any:  # type: ignore[override]
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _YES | _NO:
            return raw.strip().lower() in _YES
        raise _fail(q, f"{_show(raw)} is not yes or no (true/false)")

    def allowed(self, q: YesNoQuestion) -> str:  # type: ignore[override]
        return "yes or no (true/false)"


class _NumberKind:
    def coerce(self, q: NumberQuestion, raw: Any) -> Any:
        if (
            isinstance(raw, bool)
            or not isinstance(raw, (int, float))
            # math.isfinite raises OverflowError on ints beyond float range
            or (isinstance(raw, float) and not math.isfinite(raw))
        ):
            raise _fail(q, f"{_show(raw)} is not a number; {self.allowed(q)}")
        if q.integer and raw != int(raw):
            raise _fail(q, f"{raw} is not a whole number; {self.allowed(q)}")
        if (q.min is not None and raw < q.min) or (q.max is not None and raw > q.max):
            raise _fail(q, f"{raw} is out of range; {self.allowed(q)}")
        return int(raw) if q.integer else raw

    def allowed(self, q: NumberQuestion) -> str:
        what = "a whole number" if q.integer else "a number"
        if q.min is not None and q.max is not None:
            return f"{what} from {_num(q.min)} to {_num(q.max)}"
        if q.min is not None:
            return f"{what} of at least {_num(q.min)}"
        if q.max is not None:
            return f"{what} of at most {_num(q.max)}"
        return what

    def chosen(self, q: NumberQuestion, value: Any) -> list[Choice]:
        return []

    def earned(self, q: NumberQuestion, value: Any) -> float | None:
        if not q.points:
            return None
        reached = [s.points for s in q.points if value >= s.at_least]
        return max(reached, default=0.0)

    def maximum(self, q: NumberQuestion) -> float:
        return max((s.points for s in q.points), default=0.0)

    def display(self, q: NumberQuestion, value: Any) -> str:
        return f"{_num(value)} {q.unit}".strip()


def _num(x: float) -> str:
    if isinstance(x, int):  # float(x) overflows on very large whole numbers
        return str(x)
    return str(int(x)) if float(x).is_integer() else str(x)


def _show(raw: Any) -> str:
    text = repr(raw)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(raw: Any) -> str:
    if isinstance(raw, list):
        return "a list"
    if isinstance(raw, dict):
        return "a mapping"
    if isinstance(raw, bool):
        return "true/false"
    return type(raw).__name__


KINDS: dict[str, Kind] = {
    "text": _TextKind(),
    "long_text": _TextKind(),
    "choice": _ChoiceKind(),
    "multi": _MultiKind(),
    "scale": _ChoiceKind(),
    "yes_no": _YesNoKind(),
    "number": _NumberKind(),
}


def kind(q: QuestionT) -> Kind:
    return KINDS[q.type]
