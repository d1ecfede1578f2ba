"""The versioned JSON document of an appraisal (``score --format json``).

Scripts read this; its shape only grows. Bump ``SCHEMA_VERSION`` on any
change that removes or renames a key.
"""

from __future__ import annotations

from typing import Any

from .appraisal import Appraisal

SCHEMA_VERSION = 1


def document(a: Appraisal) -> dict[str, Any]:
    """One appraisal as plain JSON-ready data."""
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
        "findings": [
            {
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
            for f in a.findings
        ],
        "complete": {"complete": a.complete, "missing": list(a.missing)},
        "ignored": list(a.ignored),
    }
