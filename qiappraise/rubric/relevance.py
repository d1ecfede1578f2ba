"""Which questions apply, given the answers so far.

A question applies when its ``when`` holds over the answers of the questions
asked before it. Questions are visited in rubric order, and the answers of
questions that do not apply are dropped before later conditions read them, so
a chain of conditions behaves the same in a file and in the interactive flow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .conditions import evaluate, predicate
from .model import Rubric


def effective_answers(rubric: Rubric, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers that count: those to questions that apply, in rubric order."""
    kept: dict[str, Any] = {}
    for qid, q in rubric.questions.items():
        if not evaluate(q.when, kept, order=rubric.level_rank):
            continue
        value = answers.get(qid)
        if value is not None:
            kept[qid] = value
    return kept


def applicable(rubric: Rubric, answers: Mapping[str, Any]) -> list[str]:
    """Ids of the questions that apply, in the order they are asked."""
    kept: dict[str, Any] = {}
    out: list[str] = []
    for qid, q in rubric.questions.items():
        if evaluate(q.when, kept, order=rubric.level_rank):
            out.append(qid)
            if answers.get(qid) is not None:
                kept[qid] = answers[qid]
    return out


def relevance(rubric: Rubric, answers: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``(effective_answers(...), applicable(...))`` in one pass over the conditions."""
    kept: dict[str, Any] = {}
    out: list[str] = []
    order = rubric.level_rank
    for qid, q in rubric.questions.items():
        # Once per question of every proposal scored: the compiled test, not evaluate().
        if q.when is None or predicate(q.when)(kept, order, None):
            out.append(qid)
            value = answers.get(qid)
            if value is not None:
                kept[qid] = value
    return kept, out
