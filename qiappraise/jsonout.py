"""The versioned JSON document of an appraisal (``score --format json``).

Scripts read this; its shape only grows. Bump ``SCHEMA_VERSION`` on any
change that removes or renames a key.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .appraisal import Appraisal, FindingResult, QuestionResult, SectionResult, SpectrumReason

SCHEMA_VERSION = 1


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
        "band": a.band.id if a.band else None,
        "position": a.position,
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
                        "answer": q.value,
                        "earned": q.earned,
                        "possible": q.maximum,
                    }
                    for q in s.questions
                ],
            }
            for s in a.sections
        ],
        "findings": [_finding(f) for f in a.findings],
        "complete": {"complete": a.complete, "missing": list(a.missing)},
        "ignored": list(a.ignored),
    }


# --- the same document as compact text, fast -----------------------------------

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_encode_str = json.encoder.encode_basestring  # what _encode does with text
#: Question types whose results repeat from proposal to proposal.
_FINITE = frozenset({"choice", "multi", "scale", "yes_no"})
_FRAGMENTS: dict[Any, str] = {}
_FRAGMENTS_MAX = 50_000


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
    return _encode(v)  # lists, NaN, subclasses: exactly as the encoder has it


def _question_text(q: QuestionResult) -> str:
    value = q.value
    key = None
    if not isinstance(value, list) and (not q.answered or q.type in _FINITE):
        # Free text and numbers rarely repeat: not worth keeping. Types are part
        # of the key: True == 1 == 1.0 in Python, not in JSON.
        key = (
            q.id,
            q.answered,
            q.applies,
            type(value),
            value,
            type(q.earned),
            q.earned,
            type(q.maximum),
            q.maximum,
        )
        found = _FRAGMENTS.get(key)
        if found is not None:
            return found
    text = (
        f'{{"id":{_scalar(q.id)},"answered":{_scalar(q.answered)},'
        f'"applies":{_scalar(q.applies)},"answer":{_scalar(value)},'
        f'"earned":{_scalar(q.earned)},"possible":{_scalar(q.maximum)}}}'
    )
    if key is not None:
        _remember(key, text)
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
    return (
        f'{{"question":{_scalar(r.question)},"answer":{_scalar(r.answer)},'
        f'"pull":{_scalar(r.pull)},"weight":{_scalar(r.weight)}}}'
    )


def _finding_text(f: FindingResult) -> str:
    # A finding's text is the rubric's, the same in every proposal it fires in
    # (unless waived: the reason is the proposal's own).
    key = ("finding", f)
    found = _FRAGMENTS.get(key) if f.waived is None else None
    if found is None:
        found = _encode(_finding(f))
        if f.waived is None:
            _remember(key, found)
    return found


def _remember(key: Any, text: str) -> None:
    if len(_FRAGMENTS) >= _FRAGMENTS_MAX:
        _FRAGMENTS.clear()
    _FRAGMENTS[key] = text


def document_text(a: Appraisal) -> str:
    """``json.dumps(document(a), ensure_ascii=False, separators=(",", ":"))``, faster.

    A batch writes one document per proposal, and encoding them was a fifth
    of the work. The parts that repeat from one proposal to the next (the
    findings' prose, the results of choice questions) are encoded once and
    reused; the rest is written out key by key in ``document``'s order, each
    value encoded exactly as the json module encodes it.
    """
    head = _encode(_head(a))
    reasons = ",".join([_reason_text(r) for r in a.reasons])
    dimensions = _encode(
        {d.id: {"level": d.level, "evidence": list(d.evidence)} for d in a.dimensions}
    )
    sections = ",".join([_section_text(s) for s in a.sections])
    findings = ",".join([_finding_text(f) for f in a.findings])
    tail = _encode(
        {
            "complete": {"complete": a.complete, "missing": list(a.missing)},
            "ignored": list(a.ignored),
        }
    )
    return (
        f'{head[:-1]},"reasons":[{reasons}],"dimensions":{dimensions},'
        f'"sections":[{sections}],"findings":[{findings}],{tail[1:]}'
    )
