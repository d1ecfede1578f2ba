"""Scoring: ``score(rubric, proposal) -> Appraisal``, pure and deterministic.

The model, in the words the README uses:

* a question earns the points of the answer given, out of the most it could
  earn; unanswered, not-applicable and "not scored" answers count for neither;
* a section scores 100 x earned / possible, then any cap whose condition holds
  limits it;
* the overall score is the weighted mean of the section scores that exist;
* each dimension sits at the highest level any answer gives it;
* the position is the weighted mean of where the tagged answers place the
  project (0 = repair, 1 = reform), and the band is read off the thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .appraisal import (
    Appraisal,
    BandInfo,
    CapResult,
    DimensionResult,
    FindingResult,
    QuestionResult,
    RubricInfo,
    SectionResult,
    SpectrumReason,
)
from .conditions import evaluate, questions_in
from .proposal import Proposal
from .questions import kind
from .relevance import relevance
from .rubric import Rubric

_LEVELS = {"none": 0, "secondary": 1, "primary": 2}
#: Question types whose answers come from a fixed set: worth remembering.
_FINITE = frozenset({"choice", "multi", "scale", "yes_no"})


class _Facts:
    """What each answer of a rubric means, worked out once per rubric and answer.

    Batches score thousands of proposals whose choice answers repeat; looking
    a choice up (and building a yes/no question's choices) dominated scoring.
    The values are exactly what ``questions.kind`` returns, remembered.
    """

    def __init__(self) -> None:
        self.choices: dict[str, list[Any]] = {}
        self.maximum: dict[str, float] = {}
        self.answers: dict[tuple[str, type, Any], tuple[list[Any], float | None, str]] = {}

    def of(self, q: Any) -> list[Any]:
        found = self.choices.get(q.id)
        if found is None:
            found = self.choices[q.id] = q.choices_
        return found

    def max(self, q: Any) -> float:
        found = self.maximum.get(q.id)
        if found is None:
            found = self.maximum[q.id] = kind(q).maximum(q)
        return found

    def answer(self, q: Any, value: Any) -> tuple[list[Any], float | None, str]:
        """(chosen choices, points earned, display) of an answer given."""
        if q.type not in _FINITE:
            k = kind(q)
            return k.chosen(q, value), k.earned(q, value), k.display(q, value)
        key = (q.id, type(value), tuple(value) if isinstance(value, list) else value)
        found = self.answers.get(key)
        if found is None:
            k = kind(q)
            found = self.answers[key] = (
                k.chosen(q, value),
                k.earned(q, value),
                k.display(q, value),
            )
        return found


# Keyed by id(); the rubric is kept alive beside its facts so the id stays its own.
_FACTS: dict[int, tuple[Rubric, _Facts]] = {}


def _facts(rubric: Rubric) -> _Facts:
    entry = _FACTS.get(id(rubric))
    if entry is None or entry[0] is not rubric:
        if len(_FACTS) >= 16:
            _FACTS.clear()
        entry = _FACTS[id(rubric)] = (rubric, _Facts())
    return entry[1]


def score(rubric: Rubric, proposal: Proposal, *, sha256: str = "") -> Appraisal:
    """Appraise ``proposal`` against ``rubric``."""
    answers, applies_in_order = relevance(rubric, proposal.answers)
    applies = set(applies_in_order)
    facts = _facts(rubric)
    dims = dimension_levels(rubric, answers)
    evidence = _evidence(rubric, answers, dims, facts)

    sections = tuple(
        _section(rubric, s, answers, applies, dims, proposal.notes, facts) for s in rubric.sections
    )
    weighted = [(s.weight, s.score) for s in sections if s.score is not None and s.weight > 0]
    total_weight = sum(w for w, _ in weighted)
    overall = round(sum(w * sc for w, sc in weighted) / total_weight, 1) if total_weight else None

    position, reasons = spectrum_position(rubric, answers)
    band = None
    if position is not None:
        b = rubric.band(position)
        band = BandInfo(b.id, b.label, b.description, b.next_step)

    waivers = {w.finding: w.reason for w in proposal.waivers}
    findings = []
    for f in rubric.findings:
        if evaluate(f.when, answers, order=rubric.level_rank, dimensions=dims):
            concerns = tuple(f.concerns if f.concerns is not None else questions_in(f.when))
            findings.append(
                FindingResult(
                    id=f.id,
                    severity=f.severity,
                    title=f.title,
                    message=f.message,
                    rationale=f.rationale,
                    cite=f.cite,
                    suggestion=f.suggestion,
                    concerns=concerns,
                    waived=waivers.get(f.id),
                )
            )
    fired = {f.id for f in findings}

    missing = tuple(
        qid
        for qid, q in rubric.questions.items()
        if qid in applies and q.required and qid not in answers
    )
    ignored = tuple(qid for qid in proposal.answers if qid not in applies)
    return Appraisal(
        file=proposal.file,
        project=proposal.project,
        rubric=RubricInfo(rubric.id, rubric.version, rubric.title, sha256),
        score=overall,
        sections=sections,
        dimensions=tuple(
            DimensionResult(
                d.id,
                d.label,
                dims.get(d.id, "none"),
                evidence.get(d.id, ()) if dims.get(d.id, "none") != "none" else (),
            )
            for d in rubric.dimensions
        ),
        position=position,
        band=band,
        reasons=reasons,
        findings=tuple(sorted(findings, key=_finding_order)),
        missing=missing,
        ignored=ignored,
        unused_waivers=tuple(w.finding for w in proposal.waivers if w.finding not in fired),
    )


def _finding_order(f: FindingResult) -> tuple[int, str]:
    return ({"error": 0, "warning": 1, "info": 2}.get(f.severity, 3), f.id)


def _section(
    rubric: Rubric,
    section: Any,
    answers: Mapping[str, Any],
    applies: set[str],
    dims: Mapping[str, str],
    notes: Mapping[str, str],
    facts: _Facts,
) -> SectionResult:
    results = []
    earned_total = 0.0
    max_total = 0.0
    for q in section.questions:
        answered = q.id in answers
        value = answers.get(q.id)
        chosen, earned, display = facts.answer(q, value) if answered else ([], None, "")
        maximum = facts.max(q)
        if earned is not None and maximum > 0:
            earned_total += earned
            max_total += maximum
        feedback = tuple(c.feedback for c in chosen if c.feedback) if answered else ()
        results.append(
            QuestionResult(
                id=q.id,
                prompt=q.prompt,
                type=q.type,
                applies=q.id in applies,
                answered=answered,
                value=value,
                display=display,
                earned=earned if maximum > 0 else None,
                maximum=maximum,
                feedback=feedback,
                note=notes.get(q.id, ""),
            )
        )
    uncapped = round(100 * earned_total / max_total, 1) if max_total else None
    caps = tuple(
        CapResult(c.reason, c.max)
        for c in section.caps
        if evaluate(c.when, answers, order=rubric.level_rank, dimensions=dims)
    )
    final = uncapped
    if final is not None:
        for c in caps:
            final = min(final, c.max)
    return SectionResult(
        id=section.id,
        title=section.title,
        weight=section.weight,
        score=final,
        uncapped=uncapped,
        earned=earned_total,
        maximum=max_total,
        caps=tuple(c for c in caps if uncapped is not None and uncapped > c.max),
        questions=tuple(results),
        reflect=tuple(section.reflect),
    )


def dimension_levels(rubric: Rubric, answers: Mapping[str, Any]) -> dict[str, str]:
    """Each dimension at the highest level any given answer tags it with.

    Only dimensions that some answered question speaks to (one of its choices
    is tagged with the dimension) appear: a dimension nobody has been asked
    about yet is unknown, not "none", so that no finding fires on a blank.
    """
    facts = _facts(rubric)
    levels: dict[str, str] = {}
    for qid, value in answers.items():
        q = rubric.questions.get(qid)
        if q is None:
            continue
        for c in facts.of(q):
            for dim in c.dimensions:
                levels.setdefault(dim, "none")
        for choice in facts.answer(q, value)[0]:
            for dim, level in choice.dimensions.items():
                if dim in levels and _LEVELS[level] > _LEVELS[levels[dim]]:
                    levels[dim] = level
    return levels


def _evidence(
    rubric: Rubric, answers: Mapping[str, Any], dims: Mapping[str, str], facts: _Facts
) -> dict[str, tuple[str, ...]]:
    """For each dimension, the questions whose answers tag it at its final level.

    One pass over the answers (in their order) for all dimensions at once.
    """
    out: dict[str, list[str]] = {}
    for qid, value in answers.items():
        q = rubric.questions[qid]
        matched: list[str] = []
        for c in facts.answer(q, value)[0]:
            for dim, level in c.dimensions.items():
                if dims.get(dim) == level and dim not in matched:
                    matched.append(dim)
        for dim in matched:
            out.setdefault(dim, []).append(qid)
    return {dim: tuple(qids) for dim, qids in out.items()}


def spectrum_position(
    rubric: Rubric, answers: Mapping[str, Any]
) -> tuple[float | None, tuple[SpectrumReason, ...]]:
    """Weighted mean of the answers' pulls; the reasons, strongest first."""
    facts = _facts(rubric)
    reasons = []
    for qid, value in answers.items():
        q = rubric.questions[qid]
        if q.spectrum_weight <= 0:
            continue
        chosen, _, display = facts.answer(q, value)
        pulls = [rubric.pull(c.spectrum) for c in chosen if c.spectrum is not None]
        if not pulls:
            continue
        reasons.append(
            SpectrumReason(
                question=qid,
                prompt=q.prompt,
                answer=display,
                pull=round(sum(pulls) / len(pulls), 3),
                weight=q.spectrum_weight,
            )
        )
    total = sum(r.weight for r in reasons)
    if not total:
        return None, ()
    position = round(sum(r.weight * r.pull for r in reasons) / total, 3)
    # Strongest first: the answers that pull furthest from the middle, weighted.
    ordered = sorted(reasons, key=lambda r: (-r.weight * abs(r.pull - 0.5), r.question))
    return position, tuple(ordered)
