"""Semantic checks of a rubric that the models alone cannot make.

Every problem is returned (not just the first), each located by line, so
``rubric validate`` reads like a linter.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from ..base.errors import InputError
from ..rubric.conditions import (
    AllCondition,
    AnyCondition,
    ConditionT,
    DimensionCondition,
    NotCondition,
    QuestionCondition,
    evaluate,
    walk,
)
from ..rubric.model import (
    ChoiceQuestion,
    NumberQuestion,
    QuestionT,
    Rubric,
    ScaleQuestion,
    TextQuestion,
    YesNoQuestion,
)
from ..rubric.questions import kind
from ..rubric.read import LoadedRubric
from ..rubric.relevance import effective_answers
from ..scoring.score import dimension_levels

#: Most answer combinations tried when asking whether a condition can hold.
MAX_COMBINATIONS = 50_000

Path_ = tuple[str | int, ...]


def lint(loaded: LoadedRubric) -> list[InputError]:
    """Every semantic problem in a rubric, in file order."""
    r = loaded.rubric
    loc = loaded.located
    problems: list[tuple[Path_, str]] = []

    def add(path: Path_, message: str) -> None:
        problems.append((path, message))

    _duplicates(r, add)
    total = sum(s.weight for s in r.sections)
    if abs(total - 100) > 0.01:
        add(
            ("sections",),
            f"section weights add up to {total:g}, they must add up to 100",
        )
    _bands(r, add)

    dims = {d.id for d in r.dimensions}
    bands = {b.id for b in r.spectrum.bands}
    order = list(r.questions)
    for si, s in enumerate(r.sections):
        for qi, q in enumerate(s.questions):
            qpath: Path_ = ("sections", si, "questions", qi)
            _question_fields(q, qpath, add)
            _axis(r, q, qpath, add)
            for ci, c in enumerate(q.choices_):
                cpath = _choice_path(q, qpath, ci)
                for dim in c.dimensions:
                    if dim not in dims:
                        add(
                            (*cpath, "dimensions", dim),
                            f"unknown dimension {dim!r}; declared: {', '.join(sorted(dims))}",
                        )
                if isinstance(c.spectrum, str) and c.spectrum not in bands:
                    add(
                        (*cpath, "spectrum"),
                        f"spectrum {c.spectrum!r} is not a band; use one of: {', '.join(b.id for b in r.spectrum.bands)} or a number 0..1",
                    )
                if isinstance(c.spectrum, (int, float)) and not 0 <= c.spectrum <= 1:
                    add((*cpath, "spectrum"), f"spectrum {c.spectrum} is outside 0..1")
            if q.when is not None:
                wpath = (*qpath, "when")
                for leaf in walk(q.when):
                    if isinstance(leaf, DimensionCondition):
                        add(
                            wpath,
                            f"question {q.id!r}: 'when' may only read answers, not dimensions",
                        )
                    elif leaf.question == q.id:
                        add(
                            wpath,
                            f"question {q.id!r}: 'when' reads its own answer (a cycle)",
                        )
                    elif leaf.question in r.questions and order.index(leaf.question) > order.index(
                        q.id
                    ):
                        add(
                            wpath,
                            f"question {q.id!r}: 'when' reads {leaf.question!r}, which is asked later; a condition may only read earlier questions",
                        )
                if _condition(r, q.when, wpath, add) and not _can_hold(r, q.when):
                    add(
                        wpath,
                        f"question {q.id!r} can never be asked: its 'when' can never hold",
                    )
        for ci, cap in enumerate(s.caps):
            cpath = ("sections", si, "caps", ci, "when")
            for leaf in walk(cap.when):
                target = (
                    r.questions.get(leaf.question) if isinstance(leaf, QuestionCondition) else None
                )
                if isinstance(leaf, DimensionCondition) or (
                    target is not None and target.feeds != "score"
                ):
                    what = (
                        f"dimension {leaf.dimension!r}"
                        if isinstance(leaf, DimensionCondition)
                        else f"{target.feeds} question {leaf.question!r}"  # type: ignore[union-attr]
                    )
                    add(
                        cpath,
                        f"cap in section {s.id!r} reads {what}; a cap limits the score, so it may "
                        "only read questions that feed the score",
                    )
            if _condition(r, cap.when, cpath, add) and not _can_hold(r, cap.when):
                add(
                    cpath,
                    f"cap in section {s.id!r} can never apply: its condition can never hold",
                )
    _self_placement(r, add)
    for cycle in _cycles(r):
        add(("sections",), "conditions form a cycle: " + " -> ".join(cycle))
    for fi, f in enumerate(r.findings):
        fpath: Path_ = ("findings", fi)
        _condition(r, f.when, (*fpath, "when"), add)
        for qid in f.concerns or []:
            if qid not in r.questions:
                add(
                    (*fpath, "concerns"),
                    f"finding {f.id}: concerns unknown question {qid!r}",
                )
        if not _can_hold(r, f.when):
            add(
                (*fpath, "when"),
                f"finding {f.id} can never fire: no combination of answers makes its condition hold",
            )

    seen: set[tuple[int | None, str]] = set()
    out = []
    for path, message in problems:
        line = loc.line(path)
        if (line, message) not in seen:
            seen.add((line, message))
            out.append(InputError(message, file=loaded.path, line=line))
    return sorted(out, key=lambda e: e.line or 0)


def _choice_path(q: QuestionT, qpath: Path_, ci: int) -> Path_:
    if isinstance(q, ScaleQuestion):
        return (*qpath, "levels", ci)
    if isinstance(q, YesNoQuestion):
        return (*qpath, ("yes", "no")[ci])
    return (*qpath, "choices", ci)


def _duplicates(r: Rubric, add: Any) -> None:
    def check(items: list[tuple[Path_, str]], what: str) -> None:
        first: dict[str, Path_] = {}
        for path, ident in items:
            if ident in first:
                add(path, f"duplicate {what} id {ident!r}; ids must be unique")
            else:
                first[ident] = path

    check([(("sections", i, "id"), s.id) for i, s in enumerate(r.sections)], "section")
    check(
        [
            (("sections", si, "questions", qi, "id"), q.id)
            for si, s in enumerate(r.sections)
            for qi, q in enumerate(s.questions)
        ],
        "question",
    )
    check([(("findings", i, "id"), f.id) for i, f in enumerate(r.findings)], "finding")
    check(
        [(("dimensions", i, "id"), d.id) for i, d in enumerate(r.dimensions)],
        "dimension",
    )
    check(
        [(("spectrum", "bands", i, "id"), b.id) for i, b in enumerate(r.spectrum.bands)],
        "band",
    )
    check([(("sources", i, "id"), src.id) for i, src in enumerate(r.sources)], "source")
    for si, s in enumerate(r.sections):
        for qi, q in enumerate(s.questions):
            key = "levels" if isinstance(q, ScaleQuestion) else "choices"
            check(
                [
                    ((("sections", si, "questions", qi, key, ci, "value")), c.value)
                    for ci, c in enumerate(q.choices_)
                ]
                if not isinstance(q, YesNoQuestion)
                else [],
                f"choice (in question {q.id!r})",
            )


def _bands(r: Rubric, add: Any) -> None:
    bands = r.spectrum.bands
    last = 0.0
    for i, b in enumerate(bands):
        path = ("spectrum", "bands", i)
        if i == len(bands) - 1:
            if b.up_to is not None:
                add(
                    (*path, "up_to"),
                    f"band {b.id!r} is the last band and must not have 'up_to'",
                )
            continue
        if b.up_to is None:
            add(path, f"band {b.id!r} needs 'up_to' (only the last band has none)")
            continue
        if b.up_to <= last:
            add(
                (*path, "up_to"),
                f"band {b.id!r}: up_to {b.up_to} must be above the previous threshold {last}",
            )
        last = b.up_to
    for i, b in enumerate(bands):
        if r.band(b.anchor).id != b.id:
            add(
                ("spectrum", "bands", i, "anchor"),
                f"band {b.id!r}: anchor {b.anchor} falls outside the band's own range",
            )


def _question_fields(q: QuestionT, path: Path_, add: Any) -> None:
    if isinstance(q, ChoiceQuestion) and q.type == "multi":
        n = len(q.choices)
        if q.max_selected is not None and q.max_selected < q.min_selected:
            add(
                (*path, "max_selected"),
                f"question {q.id!r}: max_selected is below min_selected",
            )
        if q.min_selected > n:
            add(
                (*path, "min_selected"),
                f"question {q.id!r}: min_selected {q.min_selected} is more than the {n} choices",
            )
    elif isinstance(q, ChoiceQuestion):
        for ci, c in enumerate(q.choices):
            if c.exclusive:
                add(
                    (*path, "choices", ci, "exclusive"),
                    f"question {q.id!r}: 'exclusive' only applies to multiple choice",
                )
    if isinstance(q, NumberQuestion) and q.min is not None and q.max is not None and q.min > q.max:
        add((*path, "min"), f"question {q.id!r}: min is above max")
    if isinstance(q, TextQuestion) and q.min_length > q.max_length:
        add((*path, "min_length"), f"question {q.id!r}: min_length is above max_length")


def _axis(r: Rubric, q: QuestionT, path: Path_, add: Any) -> None:
    """Keep the two axes apart: no question both earns points and places the project."""
    earns = _earns(q)
    places = any(c.spectrum is not None for c in q.choices_)
    if q.feeds != "score" and earns:
        add(
            path,
            f"question {q.id!r} feeds the {q.feeds} but earns points; only questions that "
            "feed the score earn points (give its points to a score question)",
        )
    if q.feeds != "position" and places:
        add(
            path,
            f"question {q.id!r} feeds the {q.feeds} but places the project (spectrum); only "
            "questions that feed the position may",
        )
    if q.when is not None and q.feeds != "profile":
        for leaf in walk(q.when):
            if isinstance(leaf, QuestionCondition):
                other = r.questions.get(leaf.question)
                if other is not None and other.feeds != q.feeds:
                    add(
                        (*path, "when"),
                        f"question {q.id!r} feeds the {q.feeds}, but whether it is asked depends "
                        f"on {leaf.question!r}, which feeds the {other.feeds}: that would let "
                        "one axis move the other",
                    )
    choices = q.choices_
    for ci, c in enumerate(choices):
        cpath = _choice_path(q, path, ci)
        if c.unsure and q.type == "multi" and not c.exclusive:
            add((*cpath, "unsure"), f"question {q.id!r}: a 'not sure' choice must be exclusive")
        if c.unsure and q.type == "yes_no":
            add((*cpath, "unsure"), f"question {q.id!r}: yes/no has no 'not sure'; use a choice")
        if c.without_evidence is not None:
            target = q.choice_by_value.get(c.without_evidence)
            if (
                not c.evidence
                or target is None
                or target.evidence
                or target.unsure
                or (q.type == "multi" and not target.exclusive)
            ):
                add(
                    (*cpath, "without_evidence"),
                    f"question {q.id!r}: without_evidence of {c.value!r} must name another "
                    "choice of the question that is not itself a claim (on multiple choice, "
                    "an exclusive one), on a choice with evidence: true",
                )
            continue
        if not c.evidence:
            continue
        if q.type == "yes_no" and c.value == "no":
            add((*cpath, "evidence"), f"question {q.id!r}: only 'yes' can be a claim")
        elif q.type in ("choice", "scale") and not any(
            not other.unsure and not other.evidence for other in choices[:ci]
        ):
            add(
                (*cpath, "evidence"),
                f"question {q.id!r}: {c.value!r} needs evidence but has no level below "
                "to count as without it; put it after the level it falls to",
            )


def _earns(q: QuestionT) -> bool:
    if isinstance(q, TextQuestion):
        return q.points > 0
    if isinstance(q, NumberQuestion):
        return any(s.points > 0 for s in q.points)
    return any((c.points or 0) > 0 for c in q.choices_)


def _self_placement(r: Rubric, add: Any) -> None:
    for placer in r.spectrum.placed_by:
        target = r.questions.get(placer)
        if target is None or target.feeds != "position":
            add(
                ("spectrum", "placed_by"),
                f"placed_by: {placer!r} is not a question that feeds the position",
            )
    qid = r.spectrum.self_placement
    if qid is None:
        return
    q = r.questions.get(qid)
    if q is None:
        add(("spectrum", "self_placement"), f"self_placement: no question {qid!r}")
        return
    bands = {b.id for b in r.spectrum.bands}
    odd = [c.value for c in q.choices_ if c.value not in bands and not c.unsure]
    if q.type not in ("choice", "scale") or odd or q.feeds != "profile":
        add(
            ("spectrum", "self_placement"),
            f"self_placement: question {qid!r} must be a choice that feeds the profile, "
            f"with one choice per band ({', '.join(sorted(bands))})",
        )


def _condition(r: Rubric, cond: ConditionT, path: Path_, add: Any) -> bool:
    """Report the condition's broken references; True when it has none."""
    sound = True
    for leaf in walk(cond):
        if isinstance(leaf, DimensionCondition):
            if leaf.dimension not in {d.id for d in r.dimensions}:
                add(path, f"condition names unknown dimension {leaf.dimension!r}")
                sound = False
            continue
        q = r.questions.get(leaf.question)
        if q is None:
            add(path, f"condition names unknown question {leaf.question!r}")
            sound = False
            continue
        op = leaf.operator
        if op == "answered":
            continue
        problem = _operand_problem(q, op, leaf.operand(op))
        if problem:
            add(path, f"condition on {q.id!r} ({q.type}): {problem}")
            sound = False
    return sound


def _operand_problem(q: QuestionT, op: str, operand: Any) -> str | None:
    values = [c.value for c in q.choices_]
    if isinstance(q, ChoiceQuestion) and q.type == "multi":
        if op not in ("includes", "includes_any"):
            return f"use 'includes' or 'includes_any' on multiple choice, not {op!r}"
        wanted = operand if isinstance(operand, list) else [operand]
    elif op in ("includes", "includes_any"):
        return f"{op!r} only applies to multiple choice"
    elif isinstance(q, YesNoQuestion):
        if op not in ("is", "is_not") or not isinstance(operand, bool):
            return "use 'is: true' or 'is: false' on a yes/no question"
        return None
    elif isinstance(q, NumberQuestion):
        if op not in ("at_least", "at_most", "is", "is_not", "in", "not_in"):
            return f"{op!r} does not apply to a number"
        items = operand if isinstance(operand, list) else [operand]
        if any(isinstance(i, bool) or not isinstance(i, (int, float)) for i in items):
            return "compare a number with numbers"
        return None
    elif isinstance(q, TextQuestion):
        return "a text answer can only be tested with 'answered'"
    elif op in ("at_least", "at_most") and not isinstance(q, ScaleQuestion):
        return f"{op!r} applies to numbers and scales, not to single choice"
    else:
        wanted = operand if isinstance(operand, list) else [operand]
    unknown = [w for w in wanted if w not in values]
    if unknown:
        return f"{unknown[0]!r} is not one of its values: {', '.join(map(str, values))}"
    return None


def _cycles(r: Rubric) -> list[list[str]]:
    """Cycles in the graph 'question -> questions its when reads'."""
    graph = {
        qid: [
            x.question
            for x in walk(q.when)
            if isinstance(x, QuestionCondition) and x.question in r.questions
        ]
        if q.when
        else []
        for qid, q in r.questions.items()
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1 and nxt != node:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for qid in graph:
        if qid not in state:
            visit(qid)
    return cycles


# --- can a condition ever hold? ------------------------------------------------


def _can_hold(r: Rubric, cond: ConditionT) -> bool:
    """Search the answers a condition depends on for one that makes it hold.

    Undecidable in general (text, large multi-choice); we try every
    combination of a small, representative set of answers per question and
    give the rubric the benefit of the doubt when there are too many.
    """
    needed = _dependencies(r, cond)
    domains = [_domain(r, r.questions[qid], cond) for qid in needed]
    size = 1
    for d in domains:
        size *= len(d)
        if size > MAX_COMBINATIONS:
            return True
    for combo in itertools.product(*domains):
        raw = {qid: v for qid, v in zip(needed, combo, strict=False) if v is not None}
        answers = effective_answers(r, raw)
        dims = dimension_levels(r, answers)
        if evaluate(cond, answers, order=r.level_rank, dimensions=dims):
            return True
    return False


def _dependencies(r: Rubric, cond: ConditionT) -> list[str]:
    todo = []
    for leaf in walk(cond):
        if isinstance(leaf, QuestionCondition):
            todo.append(leaf.question)
        else:
            todo.extend(
                qid
                for qid, q in r.questions.items()
                if any(leaf.dimension in c.dimensions for c in q.choices_)
            )
    seen: dict[str, None] = {}
    while todo:
        qid = todo.pop()
        if qid in seen or qid not in r.questions:
            continue
        seen[qid] = None
        when = r.questions[qid].when
        if when is not None:
            todo.extend(x.question for x in walk(when) if isinstance(x, QuestionCondition))
    return [qid for qid in r.questions if qid in seen]


def _domain(r: Rubric, q: QuestionT, cond: ConditionT) -> list[Any]:
    if isinstance(q, YesNoQuestion):
        return [None, True, False]
    if isinstance(q, TextQuestion):
        return [None, "text"]
    if isinstance(q, NumberQuestion):
        points = {0.0, *(s.at_least for s in q.points)}
        for leaf in _leaves_on(r, q.id):
            operand = leaf.operand(leaf.operator)
            for x in operand if isinstance(operand, list) else [operand]:
                if isinstance(x, (int, float)) and not isinstance(x, bool):
                    points |= {x - 1, x, x + 1}
        if q.min is not None:
            points = {max(p, q.min) for p in points}
        if q.max is not None:
            points = {min(p, q.max) for p in points}
        return [None, *sorted(points)]
    values = [c.value for c in q.choices_]
    if isinstance(q, ChoiceQuestion) and q.type == "multi":
        named = [v for v in values if any(_mentions(leaf, v) for leaf in _leaves_on(r, q.id))]
        other = [v for v in values if v not in named][:1]
        pool = named + other
        if len(pool) > 10:
            return [None, [], *([v] for v in values)]
        subsets = [list(c) for n in range(len(pool) + 1) for c in itertools.combinations(pool, n)]
        ok = []
        for s in subsets:
            try:
                ok.append(kind(q).coerce(q, s))
            except ValueError:
                continue
        return [None, *ok]
    return [None, *values]


def _leaves_on(r: Rubric, qid: str) -> Iterator[QuestionCondition]:
    conds: list[ConditionT] = [f.when for f in r.findings]
    conds += [c.when for s in r.sections for c in s.caps]
    conds += [q.when for q in r.questions.values() if q.when is not None]
    for cond in conds:
        for leaf in walk(cond):
            if isinstance(leaf, QuestionCondition) and leaf.question == qid:
                yield leaf


def _mentions(leaf: QuestionCondition, value: str) -> bool:
    operand = leaf.operand(leaf.operator)
    return value == operand or (isinstance(operand, list) and value in operand)


__all__ = ["AllCondition", "AnyCondition", "NotCondition", "lint"]
