"""Scoring: ``score(rubric, proposal) -> Appraisal``, pure and deterministic.

The model, in the words docs/scoring.md uses:

* Two axes, never mixed. Questions that ``feed: score`` earn points and place
  nothing; questions that ``feed: position`` place the project and earn nothing;
  ``profile`` questions feed only the dimension profile and findings. The
  rubric linter keeps conditions and caps from crossing the axes, so changing a
  position answer cannot move the score, nor a score answer the position.
* Silence earns nothing. A scored question that applies, or may apply, earns 0
  of its points when it is unanswered or answered "not sure"; only a choice
  marked not applicable (``points: null``) leaves it out. A section scores
  100 x earned / possible, capped by any cap that holds or cannot be ruled out;
  the overall score is the weighted mean of the section scores.
* Claims need evidence: an answer marked ``evidence: true`` with no note counts
  as the level below (see ``answers.resolve``).
* The position is the weighted mean of where the counted answers to position
  questions place the project (0 = repair, 1 = reform); the band is read off
  the thresholds.
* A finding is raised when its condition holds or cannot be ruled out yet
  (three-valued logic, ``conditions.predicate3``): removing an answer never
  removes a finding and never raises the score.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..proposal.answers import ANSWERED, NOT_ANSWERED, NOT_SURE, Resolved, resolve
from ..proposal.model import Proposal
from ..rubric.conditions import DimensionCondition, Known, predicate3, questions_in, walk
from ..rubric.model import AutoFinding, Finding, Rubric
from ..rubric.questions import kind
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
    author,
)

#: The levels at which a project addresses a dimension, lowest first.
DIMENSION_LEVELS = {"none": 0, "secondary": 1, "primary": 2}
_LEVELS = DIMENSION_LEVELS
#: Question types whose answers come from a fixed set: their results are worth sharing.
_FINITE = frozenset({"choice", "multi", "scale", "yes_no"})
_CACHE_MAX = 65536
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class _Facts:
    """What a rubric's questions are worth, worked out once per rubric.

    Batches score thousands of proposals against one rubric; the maxima, the
    dimensions each question speaks to and the order findings are reported in
    do not depend on the proposal.
    """

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self.maximum = {
            qid: (kind(q).maximum(q) if q.feeds == "score" else 0.0)
            for qid, q in rubric.questions.items()
        }
        # The dimensions any choice of a question speaks to, in choice order.
        self.speaks = {
            qid: tuple(dict.fromkeys(d for c in q.choices_ for d in c.dimensions))
            for qid, q in rubric.questions.items()
        }
        self.required = [qid for qid, q in rubric.questions.items() if q.required]
        self.finding_order = {f.id: _SEVERITY_ORDER.get(f.severity, 3) for f in rubric.findings}
        self.concerns = [
            tuple(f.concerns if f.concerns is not None else questions_in(f.when))
            for f in rubric.findings
        ]
        self.infos: dict[Any, Any] = {}  # RubricInfo by hash, BandInfo by band
        self.results: dict[tuple[Any, ...], QuestionResult] = {}
        self.meanings: dict[Any, tuple[bool, Any]] = {}  # see answers.resolve
        # Position questions that place anything, and their reasons by answer.
        self.placing = frozenset(
            qid
            for qid, q in rubric.questions.items()
            if q.feeds == "position" and q.spectrum_weight > 0
        )
        self.reasons: dict[Any, SpectrumReason | None] = {}
        self._chosen: dict[Any, tuple[Any, ...]] = {}

    def chosen(self, qid: str, value: Any) -> tuple[Any, ...]:
        """The choices an answer selects, remembered for answers from a fixed set."""
        q = self.rubric.questions[qid]
        if q.type not in _FINITE:
            return ()
        key = (qid, _key(value))
        found = self._chosen.get(key)
        if found is None:
            if len(self._chosen) >= _CACHE_MAX:
                self._chosen.clear()
            found = self._chosen[key] = tuple(kind(q).chosen(q, value))
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
    facts = _facts(rubric)
    notes = proposal.notes or {}
    # A reviewer who did not accept a claim without evidence does not let a
    # note back it in their own appraisal: it counts as the level below.
    refused = proposal.reviews.not_accepted if proposal.reviews is not None else ()
    backing = {k: v for k, v in notes.items() if k not in refused} if refused else notes
    res = resolve(rubric, proposal.answers, backing, facts.meanings)
    dims, open_dims = _dimension_levels(facts, res)
    known = Known(res.counted, res.unknown, rubric.level_rank, dims, open_dims)

    sections = tuple(
        _section(rubric, s, res, known, proposal.answers, notes, facts) for s in rubric.sections
    )
    weighted = [(s.weight, s.score) for s in sections if s.score is not None and s.weight > 0]
    total_weight = sum(w for w, _ in weighted)
    overall = round(sum(w * sc for w, sc in weighted) / total_weight, 1) if total_weight else None

    position, reasons = _spectrum_position(rubric, res)
    band = None
    if position is not None:
        b = rubric.band(position)
        band = facts.infos.get(("band", b.id))
        if band is None:
            band = facts.infos[("band", b.id)] = BandInfo(b.id, b.label, b.description, b.next_step)

    waivers = {w.finding: w.reason for w in proposal.waivers}
    raised: list[tuple[int, str, FindingResult]] = []
    for i, f in enumerate(rubric.findings):
        held = predicate3(f.when)(known)
        if held is False:
            continue
        open_on = () if held else _open_on(f.when, res.unknown, facts)
        found = _result(
            f,
            facts.concerns[i],
            waivers,
            open_on=open_on,
            details=_unbacked(rubric, res, facts.concerns[i]),
        )
        raised.append((_SEVERITY_ORDER.get(f.severity, 3), f.id, found))

    unsure = tuple(qid for qid, st in res.status.items() if st == NOT_SURE)
    unevidenced = tuple(res.claimed)
    self_band = _self_placement(rubric, res)
    who = author(proposal.rater, proposal.reviews.file if proposal.reviews is not None else None)
    for auto, found_auto in _automatic(
        rubric, res, unsure, unevidenced, self_band, band, waivers, who
    ):
        raised.append((_SEVERITY_ORDER.get(auto.severity, 3), auto.id, found_auto))
    raised.sort(key=lambda r: (r[0], r[1]))
    findings = tuple(r[2] for r in raised)
    fired = {f.id for f in findings}

    missing = tuple(
        qid
        for qid in facts.required
        if res.applies[qid] is not False and res.status[qid] not in (ANSWERED, NOT_SURE)
    )
    ignored = tuple(qid for qid in proposal.answers if res.applies.get(qid) is False)
    info = facts.infos.get(sha256)
    if info is None:
        info = facts.infos[sha256] = RubricInfo(rubric.id, rubric.version, rubric.title, sha256)
    evidence = _evidence(facts, res, dims)
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
                _shown_level(dims.get(d.id, "none"), d.id in open_dims),
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
        note=notes.get("general", ""),
        unsure=unsure,
        unevidenced=unevidenced,
        self_placement=self_band,
        rater=proposal.rater,
        reviews=proposal.reviews.file if proposal.reviews is not None else None,
    )


def _unbacked(rubric: Rubric, res: Resolved, concerns: tuple[str, ...]) -> tuple[str, ...]:
    """The claims without evidence a finding reads, said as such.

    A claim with no note counts as the level below, in findings as in
    points: a finding can then read as if it contradicted what the team
    answered. These lines say which answer it read, and why.
    """
    lines = []
    for qid in concerns:
        if qid in res.claimed:
            prompt, claimed, counted = _claim(rubric, res, qid)
            lines.append(
                f"{prompt} Claimed: {claimed}, with no note to back it, so read as: {counted}."
            )
    return tuple(lines)


def _claim(rubric: Rubric, res: Resolved, qid: str) -> tuple[str, str, str]:
    """A claim without evidence in words: the question, what was claimed, what counts."""
    q = rubric.questions[qid]
    k = kind(q)
    counted = res.counted.get(qid)
    below = k.display(q, counted) if counted is not None else "not answered"
    return q.prompt, k.display(q, res.claimed[qid]), below


def _shown_level(level: str, is_open: bool) -> str:
    return "unknown" if is_open and level == "none" else level


def _key(value: Any) -> Any:
    """A hashable key for an answer; True and 1 must not share one."""
    return (type(value), tuple(value) if isinstance(value, list) else value)


def _open_on(cond: Any, unknown: frozenset[str], facts: _Facts) -> tuple[str, ...]:
    """The unanswered or not-sure questions whose answers would settle ``cond``.

    A dimension is settled by the questions that speak to it, so a test on an
    open dimension names those of them that are not known yet.
    """
    found: dict[str, None] = {}
    for leaf in walk(cond):
        if isinstance(leaf, DimensionCondition):
            for qid, dims in facts.speaks.items():
                if leaf.dimension in dims and qid in unknown:
                    found.setdefault(qid)
        elif leaf.question in unknown:
            found.setdefault(leaf.question)
    return tuple(found)


def _section(
    rubric: Rubric,
    section: Any,
    res: Resolved,
    known: Known,
    answers: Mapping[str, Any],
    notes: Mapping[str, str],
    facts: _Facts,
) -> SectionResult:
    results = []
    earned_total = 0.0
    max_total = 0.0
    cache = facts.results
    for q in section.questions:
        qid = q.id
        k = kind(q)
        fits = res.applies[qid]
        status = res.status[qid]
        maximum = facts.maximum[qid]
        shown = res.counted.get(qid)
        counts = fits is not False and q.feeds == "score" and maximum > 0
        earned: float | None = None
        if counts:
            if status == ANSWERED:
                earned = k.earned(q, shown) if shown is not None else 0.0
            else:
                earned = 0.0
            if earned is not None:  # None: a choice marked not applicable
                earned_total += earned
                max_total += maximum
        note = notes.get(qid, "") if notes else ""
        # Most questions of most proposals in a batch give a result an earlier
        # proposal gave too: share it (it is frozen; the JSON writer reuses its
        # text by identity). Not for free text and numbers, nor with a note.
        key = None
        if not note and q.type in _FINITE:
            given = answers.get(qid)
            key = (qid, fits, status, _key(given), _key(shown))
            found = cache.get(key)
            if found is not None:
                results.append(found)
                continue
        value: Any = None
        display = ""
        if fits is not False and status != NOT_ANSWERED:
            given = answers.get(qid)
            value = tuple(given) if isinstance(given, list) else given
            if status == ANSWERED:
                display = k.display(q, shown) if shown is not None else "(nothing counted)"
            elif given is not None:
                display = k.display(q, given)
        claimed = ""
        if qid in res.claimed:
            claimed = k.display(q, res.claimed[qid])
        pull = None
        if q.feeds == "position" and shown is not None and status == ANSWERED and fits:
            pulls = [rubric.pull(c.spectrum) for c in k.chosen(q, shown) if c.spectrum is not None]
            pull = round(sum(pulls) / len(pulls), 3) if pulls else None
        result = QuestionResult(
            id=qid,
            prompt=q.prompt,
            type=q.type,
            applies=fits is not False,
            answered=status in (ANSWERED, NOT_SURE) and fits is not False,
            value=value,
            display=display,
            earned=earned if counts else None,
            maximum=maximum,
            feedback=tuple(c.feedback for c in k.chosen(q, shown) if c.feedback)
            if shown is not None and status == ANSWERED
            else (),
            note=note,
            feeds=q.feeds,
            status=status if fits is not False else "not-applicable",
            claimed=claimed,
            reflect=q.reflect,
            pull=pull,
        )
        if key is not None:
            if len(cache) >= _CACHE_MAX:
                cache.clear()
            cache[key] = result
        results.append(result)
    uncapped = round(100 * earned_total / max_total, 1) if max_total else None
    caps = tuple(
        CapResult(c.reason, c.max) for c in section.caps if predicate3(c.when)(known) is not False
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


def _dimension_levels(facts: _Facts, res: Resolved) -> tuple[dict[str, str], frozenset[str]]:
    """Each dimension at the highest level a counted answer gives it, and the open ones.

    A dimension is open while a question that speaks to it is not known: its
    level is then only a floor, and conditions on it are unknown.
    """
    levels: dict[str, str] = {}
    speaks = facts.speaks
    for qid, value in res.counted.items():
        if not speaks[qid]:
            continue
        for choice in facts.chosen(qid, value):
            for dim, level in choice.dimensions.items():
                if _LEVELS[level] > _LEVELS[levels.get(dim, "none")]:
                    levels[dim] = level
    open_dims = frozenset(d for qid in res.unknown for d in facts.speaks[qid])
    return levels, open_dims


def dimension_levels(rubric: Rubric, answers: Mapping[str, Any]) -> dict[str, str]:
    """Each dimension at the highest level the answers give it (answers taken as given).

    Every dimension of the rubric is listed: one no answer raises is "none".
    """
    res = resolve(rubric, answers, _AS_EVIDENCED)
    levels = _dimension_levels(_facts(rubric), res)[0]
    return {d.id: levels.get(d.id, "none") for d in rubric.dimensions}


class _Evidenced(dict[str, str]):
    """Notes that back every claim: for callers that read answers as given."""

    def get(self, key: str, default: Any = None) -> str:
        return "given"


_AS_EVIDENCED = _Evidenced()


def _evidence(facts: _Facts, res: Resolved, dims: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """For each dimension, the questions whose counted answers tag it at its final level."""
    out: dict[str, list[str]] = {}
    speaks = facts.speaks
    for qid, value in res.counted.items():
        if not speaks[qid]:
            continue
        matched: list[str] = []
        for c in facts.chosen(qid, value):
            for dim, level in c.dimensions.items():
                if dims.get(dim) == level and dim not in matched:
                    matched.append(dim)
        for dim in matched:
            out.setdefault(dim, []).append(qid)
    return {dim: tuple(qids) for dim, qids in out.items()}


def _spectrum_position(
    rubric: Rubric, res: Resolved
) -> tuple[float | None, tuple[SpectrumReason, ...]]:
    facts = _facts(rubric)
    reasons = []
    for qid, value in res.counted.items():
        if qid not in facts.placing:
            continue
        # A reason depends only on the question and the answer: share it (the
        # JSON writer reuses the text of shared results by identity).
        key = (qid, _key(value))
        reason = facts.reasons.get(key, _NO_REASON)
        if reason is _NO_REASON:
            reason = facts.reasons[key] = _reason(rubric, qid, value)
        if reason is not None:
            reasons.append(reason)
    total = sum(r.weight for r in reasons)
    # Not placed until the questions that must place it (scale and ends) are answered.
    if not total or any(qid not in res.counted for qid in rubric.spectrum.placed_by):
        return None, ()
    position = round(sum(r.weight * r.pull for r in reasons) / total, 3)
    # Strongest first: the answers that pull furthest from the middle, weighted.
    ordered = sorted(reasons, key=lambda r: (-r.weight * abs(r.pull - 0.5), r.question))
    return position, tuple(ordered)


_NO_REASON: Any = object()


def _reason(rubric: Rubric, qid: str, value: Any) -> SpectrumReason | None:
    q = rubric.questions[qid]
    k = kind(q)
    pulls = [rubric.pull(c.spectrum) for c in k.chosen(q, value) if c.spectrum is not None]
    if not pulls:
        return None
    return SpectrumReason(
        question=qid,
        prompt=q.prompt,
        answer=k.display(q, value),
        pull=round(sum(pulls) / len(pulls), 3),
        weight=q.spectrum_weight,
    )


def _self_placement(rubric: Rubric, res: Resolved) -> str | None:
    qid = rubric.spectrum.self_placement
    if qid is None:
        return None
    value = res.counted.get(qid)
    return value if isinstance(value, str) else None


def _result(
    spec: Finding | AutoFinding,
    concerns: tuple[str, ...],
    waivers: Mapping[str, str],
    *,
    details: tuple[str, ...] = (),
    open_on: tuple[str, ...] = (),
) -> FindingResult:
    """A raised finding, worded as the rubric words it."""
    return FindingResult(
        id=spec.id,
        severity=spec.severity,
        title=spec.title,
        message=spec.message,
        rationale=spec.rationale,
        cite=spec.cite,
        suggestion=spec.suggestion,
        concerns=concerns,
        waived=waivers.get(spec.id),
        details=details,
        open_on=open_on,
    )


def _automatic(
    rubric: Rubric,
    res: Resolved,
    unsure: tuple[str, ...],
    unevidenced: tuple[str, ...],
    self_band: str | None,
    band: BandInfo | None,
    waivers: Mapping[str, str],
    who: str = "team",
) -> list[tuple[AutoFinding, FindingResult]]:
    """The findings the model raises itself, worded by the rubric's ``auto_findings``.

    ``who`` says whose placement it is: the team's, or a reviewer's or rater's.
    """
    auto = rubric.auto_findings
    questions = rubric.questions
    out: list[tuple[AutoFinding, FindingResult]] = []

    def add(spec: AutoFinding | None, concerns: tuple[str, ...], details: list[str]) -> None:
        if spec is None:
            return
        out.append((spec, _result(spec, concerns, waivers, details=tuple(details))))

    if unsure:
        add(
            auto.unsure,
            unsure,
            [
                f"{questions[q].prompt} {questions[q].reflect}".strip()
                for q in unsure
                if questions[q].reflect or questions[q].prompt
            ],
        )
    if unevidenced:
        lines = []
        for qid in unevidenced:
            prompt, claimed, counted = _claim(rubric, res, qid)
            lines.append(f"{prompt} Claimed: {claimed}; counted as: {counted}.")
        add(auto.unevidenced, unevidenced, lines)
    if self_band is not None and band is not None and self_band != band.id:
        labels = {b.id: b.label for b in rubric.spectrum.bands}
        qid = rubric.spectrum.self_placement or ""
        add(
            auto.placement,
            (qid,),
            [
                f"The {who} places the project at {labels.get(self_band, self_band)}; "
                f"the answers place it at {band.label}."
            ],
        )
    return out
