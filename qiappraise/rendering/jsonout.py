"""The versioned JSON document of an appraisal (``score --format json``).

Scripts read this; its shape only grows. Bump ``SCHEMA_VERSION`` on any
change that removes or renames a key, or changes what one means: version 2
(rubric 2.0's model) scores an unanswered question 0 instead of null and adds
the dimension level "unknown". docs/json-output.md describes every
key, and a test checks that it names each one ``document`` writes.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..scoring.appraisal import (
    Appraisal,
    FindingResult,
    QuestionResult,
    SectionResult,
    SpectrumReason,
)

SCHEMA_VERSION = 2


def _head(a: Appraisal) -> dict[str, Any]:
    """The document's first keys: what was appraised, with what, and the result."""
    p = a.project
    return {
        "schema_version": SCHEMA_VERSION,
        "file": a.file,
        "project": {
            "title": p.title,
            "lead": p.lead,
            "team": list(p.team),
            "setting": p.setting,
            "specialty": p.specialty,
            "organisation": p.organisation,
            "date": p.date,
            "summary": p.summary,
        },
        "rubric": {
            "id": a.rubric.id,
            "version": a.rubric.version,
            "title": a.rubric.title,
            "sha256": a.rubric.sha256,
        },
        "score": a.score,
        # The score counts required questions left unanswered as 0: a floor.
        "provisional": a.provisional,
        "band": a.band.id if a.band else None,
        "position": a.position,
        "self_placement": a.self_placement,
    }


def _finding(f: FindingResult) -> dict[str, Any]:
    return {
        "id": f.id,
        "severity": f.severity,
        "title": f.title,
        "message": f.message,
        "rationale": f.rationale,
        "cite": f.cite,
        "suggestion": f.suggestion,
        "questions": list(f.concerns),
        "details": list(f.details),
        "open_on": list(f.open_on),
        "waived": f.waived is not None,
        **({"waiver_reason": f.waived} if f.waived is not None else {}),
    }


def document(a: Appraisal) -> dict[str, Any]:
    """One appraisal as plain JSON-ready data."""
    return {
        **_head(a),
        "reasons": [
            {
                "question": r.question,
                "answer": r.answer,
                "pull": r.pull,
                "weight": r.weight,
            }
            for r in a.reasons
        ],
        "dimensions": {
            d.id: {"level": d.level, "evidence": list(d.evidence)} for d in a.dimensions
        },
        "sections": [
            {
                "id": s.id,
                "title": s.title,
                "weight": s.weight,
                "score": s.score,
                "uncapped": s.uncapped,
                "earned": s.earned,
                "possible": s.maximum,
                "answered": s.answered,
                "applicable": s.applicable,
                "caps": [{"reason": c.reason, "max": c.max} for c in s.caps],
                "questions": [
                    {
                        "id": q.id,
                        "answered": q.answered,
                        "applies": q.applies,
                        "answer": list(q.value) if isinstance(q.value, tuple) else q.value,
                        "earned": q.earned,
                        "possible": q.maximum,
                        "feeds": q.feeds,
                        "status": q.status,
                        "claimed": q.claimed or None,
                        "pull": q.pull,
                    }
                    for q in s.questions
                ],
            }
            for s in a.sections
        ],
        "findings": [_finding(f) for f in a.findings],
        "complete": {"complete": a.complete, "missing": list(a.missing)},
        "unsure": list(a.unsure),
        "unevidenced": list(a.unevidenced),
        "ignored": list(a.ignored),
        "unused_waivers": list(a.unused_waivers),
        "note": a.note,
        # Who gave the answers ("self": the team's own) and, for a review, what it reviews.
        "rater": {"role": a.rater.role, "name": a.rater.name},
        "reviews": a.reviews,
    }


# --- the same document as compact text, fast -----------------------------------

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_encode_str = json.encoder.encode_basestring  # what _encode does with text
#: Question types whose results repeat from proposal to proposal.
_FINITE = frozenset({"choice", "multi", "scale", "yes_no"})
#: Text of results that scoring shares between proposals (frozen, so their
#: text never changes), by id(). Each entry holds its object, so the id
#: cannot be reused by another object while the entry exists.
_SHARED: dict[int, tuple[object, str]] = {}
_SHARED_MAX = 50_000


def _shared(obj: object) -> str | None:
    entry = _SHARED.get(id(obj))
    return entry[1] if entry is not None and entry[0] is obj else None


def _remember(obj: object, text: str) -> None:
    if len(_SHARED) >= _SHARED_MAX:
        _SHARED.clear()
    _SHARED[id(obj)] = (obj, text)


def _scalar(v: Any) -> str:
    """``_encode(v)``, without its per-call set-up for the common plain values."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    t = type(v)
    if t is str:
        return _encode_str(v)
    if t is int:
        return int.__repr__(v)
    if t is float and math.isfinite(v):
        return float.__repr__(v)
    if t is tuple:  # the answer to a multi question
        return _strings(v)
    return _encode(v)  # lists, NaN, subclasses: exactly as the encoder has it


def _strings(items: Any) -> str:
    """A JSON array of ``items``: text, or anything else as the encoder has it."""
    if all(type(x) is str for x in items):
        return f"[{','.join([_encode_str(x) for x in items])}]"
    return _encode(list(items))


def _question_text(q: QuestionResult) -> str:
    found = _shared(q)
    if found is not None:
        return found
    text = (
        f'{{"id":{_scalar(q.id)},"answered":{_scalar(q.answered)},'
        f'"applies":{_scalar(q.applies)},"answer":{_scalar(q.value)},'
        f'"earned":{_scalar(q.earned)},"possible":{_scalar(q.maximum)},'
        f'"feeds":{_scalar(q.feeds)},"status":{_scalar(q.status)},'
        f'"claimed":{_scalar(q.claimed or None)},"pull":{_scalar(q.pull)}}}'
    )
    # The results scoring shares: unanswered ones and answers from a fixed set
    # without a note (see scoring._section). Free text rarely repeats.
    if not q.note and (not q.answered or q.type in _FINITE):
        _remember(q, text)
    return text


def _section_text(s: SectionResult) -> str:
    caps = _encode([{"reason": c.reason, "max": c.max} for c in s.caps]) if s.caps else "[]"
    questions = []
    answered = applicable = 0  # SectionResult.answered and .applicable, in the same pass
    for q in s.questions:
        questions.append(_question_text(q))
        if q.applies:
            applicable += 1
            if q.answered:
                answered += 1
    return (
        f'{{"id":{_scalar(s.id)},"title":{_scalar(s.title)},"weight":{_scalar(s.weight)},'
        f'"score":{_scalar(s.score)},"uncapped":{_scalar(s.uncapped)},'
        f'"earned":{_scalar(s.earned)},"possible":{_scalar(s.maximum)},'
        f'"answered":{answered},"applicable":{applicable},'
        f'"caps":{caps},"questions":[{",".join(questions)}]}}'
    )


def _reason_text(r: SpectrumReason) -> str:
    # Reasons are shared between proposals giving the same answer (scoring._reason).
    found = _shared(r)
    if found is None:
        found = (
            f'{{"question":{_scalar(r.question)},"answer":{_scalar(r.answer)},'
            f'"pull":{_scalar(r.pull)},"weight":{_scalar(r.weight)}}}'
        )
        _remember(r, found)
    return found


def _finding_text(f: FindingResult) -> str:
    # A finding's text is the rubric's, the same in every proposal it fires in
    # (unless waived: the reason is the proposal's own, and scoring does not share it).
    found = _shared(f)
    if found is None:
        found = _encode(_finding(f))
        if f.waived is None:
            _remember(f, found)
    return found


def document_text(a: Appraisal) -> str:
    """``json.dumps(document(a), ensure_ascii=False, separators=(",", ":"))``, faster.

    A batch writes one document per proposal, and encoding them was a fifth
    of the work. The parts that repeat from one proposal to the next (the
    findings' prose, the results of choice questions) are encoded once and
    reused; the rest is written out key by key in ``document``'s order, each
    value encoded exactly as the json module encodes it.
    """
    p = a.project
    rubric = _shared(a.rubric)  # scoring shares one RubricInfo per rubric
    if rubric is None:
        rubric = _encode(_head(a)["rubric"])
        _remember(a.rubric, rubric)
    head = (
        f'{{"schema_version":{SCHEMA_VERSION},"file":{_scalar(a.file)},'
        f'"project":{{"title":{_scalar(p.title)},"lead":{_scalar(p.lead)},'
        f'"team":{_strings(p.team)},"setting":{_scalar(p.setting)},'
        f'"specialty":{_scalar(p.specialty)},"organisation":{_scalar(p.organisation)},'
        f'"date":{_scalar(p.date)},"summary":{_scalar(p.summary)}}},'
        f'"rubric":{rubric},"score":{_scalar(a.score)},"provisional":{_scalar(a.provisional)},'
        f'"band":{_scalar(a.band.id if a.band else None)},"position":{_scalar(a.position)},'
        f'"self_placement":{_scalar(a.self_placement)}}}'
    )
    reasons = ",".join([_reason_text(r) for r in a.reasons])
    dimensions = (
        "{"
        + ",".join(
            [
                f'{_scalar(d.id)}:{{"level":{_scalar(d.level)},"evidence":{_strings(d.evidence)}}}'
                for d in a.dimensions
            ]
        )
        + "}"
    )
    sections = ",".join([_section_text(s) for s in a.sections])
    findings = ",".join([_finding_text(f) for f in a.findings])
    tail = (
        f'{{"complete":{{"complete":{_scalar(a.complete)},"missing":{_strings(a.missing)}}},'
        f'"unsure":{_strings(a.unsure)},"unevidenced":{_strings(a.unevidenced)},'
        f'"ignored":{_strings(a.ignored)},"unused_waivers":{_strings(a.unused_waivers)},'
        f'"note":{_scalar(a.note)},"rater":{{"role":{_scalar(a.rater.role)},'
        f'"name":{_scalar(a.rater.name)}}},"reviews":{_scalar(a.reviews)}}}'
    )
    return (
        f'{head[:-1]},"reasons":[{reasons}],"dimensions":{dimensions},'
        f'"sections":[{sections}],"findings":[{findings}],{tail[1:]}'
    )
