"""``--output-format json``: the versioned document of a check run.

Scripts read this; its shape only grows. Bump ``SCHEMA_VERSION`` on any change
that removes or renames a key.
"""

from __future__ import annotations

import json
from typing import Any

from ..policy import SETTINGS, Policy
from ..verdict import INVALID, PASS, WANTING, CheckReport, FileResult

SCHEMA_VERSION = 1


def policy_document(policy: Policy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, setting in SETTINGS.items():
        value = getattr(policy, setting.attr)
        if isinstance(value, tuple):
            value = [str(v) for v in value]
        elif not isinstance(value, (int, float, str, bool, type(None))):
            value = dict(value)
        out[key] = value
    return out


def file_document(r: FileResult) -> dict[str, Any]:
    a = r.appraisal
    return {
        "file": r.file,
        "status": r.status,
        "score": a.score if a else None,
        "band": a.band.id if a and a.band else None,
        "complete": a.complete if a else None,
        # Required questions unanswered count as 0: the score is a floor.
        "provisional": a.provisional if a else None,
        "missing": list(a.missing) if a else [],
        "unsure": list(a.unsure) if a else [],
        "unevidenced": list(a.unevidenced) if a else [],
        "policy": policy_document(r.policy),
        "rules": [
            {
                "rule": x.rule,
                "subject": x.subject,
                "title": x.title,
                "passed": x.passed,
                "message": x.message,
                "line": x.line,
            }
            for x in r.rules
        ],
        "findings": [
            {
                "id": f.finding.id,
                "severity": f.finding.severity,
                "title": f.finding.title,
                "message": " ".join(f.finding.message.split()),
                "line": f.line,
                "questions": list(f.finding.concerns),
                "fails": f.fails,
                "waived": f.finding.waived is not None,
                "waiver_reason": f.finding.waived,
                "open_on": list(f.finding.open_on),
                "details": list(f.finding.details),
            }
            for f in r.findings
        ],
        "unused_waivers": [{"finding": w.finding, "line": w.line} for w in r.unused_waivers],
        "ignored_answers": [{"question": i.question, "line": i.line} for i in r.ignored_answers],
        "problems": [{"message": p.message, "line": p.line} for p in r.problems],
    }


def document(report: CheckReport) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "decision": report.decision,
        "passed": report.decision == PASS,
        "summary": {
            "files": len(report.files),
            "passed": report.count(PASS),
            "wanting": report.count(WANTING),
            "invalid": report.count(INVALID),
            "provisional": report.provisional,
            "findings": report.findings,
            "waived": report.waived,
            "unused_waivers": report.unused_waivers,
            "ignored_answers": report.ignored_answers,
            "skipped": len(report.skipped),
        },
        "files": [file_document(r) for r in report.files],
        "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
    }


def render(report: CheckReport, color: bool = False) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
