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
from typing import Any, NamedTuple

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
from .conditions import predicate, questions_in
from .proposal import Proposal
from .questions import kind
from .relevance import relevance
from .rubric import Rubric

_LEVELS = {"none": 0, "secondary": 1, "primary": 2}
#: Question types whose answers come from a fixed set: worth remembering.
_FINITE = frozenset({"choice", "multi", "scale", "yes_no"})
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class _Answer(NamedTuple):
    """What one answer to one question means; the same for every proposal giving it."""

    chosen: list[Any]  # the choices it selects
    earned: float | None
    display: str
    feedback: tuple[str, ...]
    reason: SpectrumReason | None  # how it places the project, when its choices are tagged


class _Facts:
    """What each answer of a rubric means, worked out once per rubric and answer.

    Batches score thousands of proposals whose choice answers repeat; looking
    a choice up (and building a yes/no question's choices) dominated scoring.
    The values are exactly what ``questions.kind`` returns, remembered, and
    the results that depend on nothing but the rubric and one answer (a
    question's result, a finding's) are built once and shared: they are frozen.
    """

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self.maximum = {qid: kind(q).maximum(q) for qid, q in rubric.questions.items()}
        # The dimensions any choice of a question speaks to, in choice order.
        self.speaks = {
            qid: tuple(dict.fromkeys(d for c in q.choices_ for d in c.dimensions))
            for qid, q in rubric.questions.items()
        }
        # Per section, what the loop over its questions needs of each.
        self.rows = {
            s.id: [(q, q.id, self.maximum[q.id], q.type in _FINITE) for q in s.questions]
            for s in rubric.sections
        }
        self.required = [qid for qid, q in rubric.questions.items() if q.required]
        # Findings are reported by severity, then id: the order of each, once.
        self.finding_order = [(_SEVERITY_ORDER.get(f.severity, 3), f.id) for f in rubric.findings]
        self.infos: dict[Any, Any] = {}  # RubricInfo by hash, BandInfo by band
        self.answers: dict[tuple[str, type, Any], _Answer] = {}
        self.results: dict[tuple[Any, ...], QuestionResult] = {}
        self.findings: dict[int, FindingResult] = {}  # unwaived, by index in the rubric

    def answer(self, q: Any, value: Any) -> _Answer:
        """What the answer ``value`` to ``q`` chooses, earns and shows."""
        if q.type not in _FINITE:
            return self._work_out(q, value)
        key = (q.id, type(value), tuple(value) if isinstance(value, list) else value)
        found = self.answers.get(key)
        if found is None:
            found = self.answers[key] = self._work_out(q, value)
        return found

    def _work_out(self, q: Any, value: Any) -> _Answer:
        k = kind(q)
        chosen = k.chosen(q, value)
        pulls = []
        if q.spectrum_weight > 0:  # a weightless answer places nothing: leave its tags unread
            pulls = [self.rubric.pull(c.spectrum) for c in chosen if c.spectrum is not None]
        display = k.display(q, value)
        pull = round(sum(pulls) / len(pulls), 3) if pulls else None
        return _Answer(
            chosen,
            k.earned(q, value),
            display,
            tuple(c.feedback for c in chosen if c.feedback),
            None
            if pull is None
            else SpectrumReason(
                question=q.id,
                prompt=q.prompt,
                answer=display,
                pull=pull,
                weight=q.spectrum_weight,
            ),
        )

    def finding(self, index: int, f: Any, waived: str | None) -> FindingResult:
        # Waiver reasons are free text: a finding with one is not worth keeping.
        found = self.findings.get(index) if waived is None else None
        if found is None:
            concerns = tuple(f.concerns if f.concerns is not None else questions_in(f.when))
            found = FindingResult(
                id=f.id,
                severity=f.severity,
                title=f.title,
                message=f.message,
                rationale=f.rationale,
                cite=f.cite,
                suggestion=f.suggestion,
                concerns=concerns,
                waived=waived,
            )
            if waived is None:
                self.findings[index] = found
        return found


# Keyed by id(); the rubric is kept alive beside its facts so the id stays its own.
_FACTS: dict[int, tuple[Rubric, _Facts]] = {}


def _facts(rubric: Rubric) -> _Facts:
    entry = _FACTS.get(id(rubric))
    if entry is None or entry[0] is not rubric:
        if len(_FACTS) >= 16:
            _FACTS.clear()
        entry = _FACTS[id(rubric)] = (rubric, _Facts(rubric))
    return entry[1]


def score(rubric: Rubric, proposal: Proposal, *, sha256: str = "") -> Appraisal:
    """Appraise ``proposal`` against ``rubric``."""
    answers, applies_in_order = relevance(rubric, proposal.answers)
    applies = set(applies_in_order)
    facts = _facts(rubric)
    questions = rubric.questions
    given = {qid: facts.answer(questions[qid], value) for qid, value in answers.items()}
    dims = _dimension_levels(facts, given)
    evidence = _evidence(given, dims)

    sections = tuple(
        _section(rubric, s, answers, given, applies, dims, proposal.notes, facts)
        for s in rubric.sections
    )
    weighted = [(s.weight, s.score) for s in sections if s.score is not None and s.weight > 0]
    total_weight = sum(w for w, _ in weighted)
    overall = round(sum(w * sc for w, sc in weighted) / total_weight, 1) if total_weight else None

    position, reasons = _spectrum_position(rubric, given)
    band = None
    if position is not None:
        b = rubric.band(position)
        band = facts.infos.get(("band", b.id))
        if band is None:
            band = facts.infos[("band", b.id)] = BandInfo(b.id, b.label, b.description, b.next_step)

    waivers = {w.finding: w.reason for w in proposal.waivers}
    order = rubric.level_rank
    rules = rubric.findings
    hits = [i for i, f in enumerate(rules) if predicate(f.when)(answers, order, dims)]
    hits.sort(key=facts.finding_order.__getitem__)  # severity, then id; stable, as sorted()
    findings = tuple(facts.finding(i, rules[i], waivers.get(rules[i].id)) for i in hits)
    fired = {f.id for f in findings}

    missing = tuple(qid for qid in facts.required if qid in applies and qid not in answers)
    ignored = tuple(qid for qid in proposal.answers if qid not in applies)
    info = facts.infos.get(sha256)
    if info is None:
        info = facts.infos[sha256] = RubricInfo(rubric.id, rubric.version, rubric.title, sha256)
    return Appraisal(
        file=proposal.file,
        project=proposal.project,
        rubric=info,
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
        findings=findings,
        missing=missing,
        ignored=ignored,
        unused_waivers=tuple(w.finding for w in proposal.waivers if w.finding not in fired),
        note=proposal.notes.get("general", ""),
    )


def _section(
    rubric: Rubric,
    section: Any,
    answers: Mapping[str, Any],
    given: Mapping[str, _Answer],
    applies: set[str],
    dims: Mapping[str, str],
    notes: Mapping[str, str],
    facts: _Facts,
) -> SectionResult:
    results = []
    earned_total = 0.0
    max_total = 0.0
    cache = facts.results
    for q, qid, maximum, finite in facts.rows[section.id]:
        found = given.get(qid)
        value = None
        earned = None
        if found is not None:
            value = answers[qid]
            if type(value) is list:  # results are frozen, and shared: see below
                value = tuple(value)
            earned = found.earned
            if earned is not None and maximum > 0:
                earned_total += earned
                max_total += maximum
        note = notes.get(qid, "") if notes else ""
        # Most questions of most proposals give a result some earlier proposal
        # gave too; share it (it is frozen). Not for free text and numbers (the
        # cache would grow with every proposal) or notes.
        key = None
        if not note and (found is None or finite):
            key = (qid, qid in applies, found is not None, type(value), value)
            result = cache.get(key)
            if result is not None:
                results.append(result)
                continue
        result = QuestionResult(
            id=qid,
            prompt=q.prompt,
            type=q.type,
            applies=qid in applies,
            answered=found is not None,
            value=value,
            display=found.display if found is not None else "",
            earned=earned if maximum > 0 else None,
            maximum=maximum,
            feedback=found.feedback if found is not None else (),
            note=note,
        )
        if key is not None:
            cache[key] = result
        results.append(result)
    uncapped = round(100 * earned_total / max_total, 1) if max_total else None
    order = rubric.level_rank
    caps = tuple(
        CapResult(c.reason, c.max) for c in section.caps if predicate(c.when)(answers, order, dims)
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
    questions = rubric.questions
    given = {
        qid: facts.answer(questions[qid], value)
        for qid, value in answers.items()
        if qid in questions
    }
    return _dimension_levels(facts, given)


def _dimension_levels(facts: _Facts, given: Mapping[str, _Answer]) -> dict[str, str]:
    levels: dict[str, str] = {}
    for qid, found in given.items():
        for dim in facts.speaks[qid]:
            levels.setdefault(dim, "none")
        for choice in found.chosen:
            for dim, level in choice.dimensions.items():
                if dim in levels and _LEVELS[level] > _LEVELS[levels[dim]]:
                    levels[dim] = level
    return levels


def _evidence(given: Mapping[str, _Answer], dims: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """For each dimension, the questions whose answers tag it at its final level.

    One pass over the answers (in their order) for all dimensions at once.
    """
    out: dict[str, list[str]] = {}
    for qid, found in given.items():
        matched: list[str] = []
        for c in found.chosen:
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
    questions = rubric.questions
    given = {qid: facts.answer(questions[qid], value) for qid, value in answers.items()}
    return _spectrum_position(rubric, given)


def _spectrum_position(
    rubric: Rubric, given: Mapping[str, _Answer]
) -> tuple[float | None, tuple[SpectrumReason, ...]]:
    # Untagged answers, and those to questions of no spectrum weight, have no reason.
    reasons = [found.reason for found in given.values() if found.reason is not None]
    total = sum(r.weight for r in reasons)
    if not total:
        return None, ()
    position = round(sum(r.weight * r.pull for r in reasons) / total, 3)
    # Strongest first: the answers that pull furthest from the middle, weighted.
    ordered = sorted(reasons, key=lambda r: (-r.weight * abs(r.pull - 0.5), r.question))
    return position, tuple(ordered)
