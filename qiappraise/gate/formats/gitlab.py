"""``--output-format gitlab``: a GitLab Code Quality report (JSON).

Each annotation is an issue with a ``fingerprint`` that is unique in the
report and stable across runs (it hashes the file, rule and subject, not the
line, so editing one answer does not renew every issue below it).
"""

from __future__ import annotations

import json
from typing import Any

from ..verdict import CheckReport
from .annotations import Annotation, all_annotations
from .common import fingerprint, relative_path

_SEVERITY = {"info": "info", "warning": "minor", "error": "major"}


def severity(a: Annotation) -> str:
    """Code Quality severity: info, minor, major, critical or blocker."""
    if a.rule == "input/invalid":
        return "blocker"
    if a.fails:
        return "critical"
    if a.waived is not None:
        return "info"
    if a.rule == "waiver/unused":
        return "minor"
    if a.rule in ("answer/ignored", "score/provisional", "review/unpinned", "review/changed"):
        return "info"
    return _SEVERITY.get(a.severity, "minor")


def issues(report: CheckReport) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for a in all_annotations(report):
        path = relative_path(a.file)
        base = fingerprint(path, a.rule, a.subject)
        fp, n = base, 1
        while fp in seen:  # two issues of one rule and subject in one file
            n += 1
            fp = fingerprint(path, a.rule, a.subject, str(n))
        seen.add(fp)
        description = f"{a.title}: {a.full_message(' ')}"
        if a.waived is not None:
            description += f" (waived: {a.waived})"
        out.append(
            {
                "type": "issue",
                "description": description,
                "check_name": a.rule,
                "fingerprint": fp,
                "severity": severity(a),
                "location": {"path": path, "lines": {"begin": a.line}},
            }
        )
    return out


def render(report: CheckReport, color: bool = False) -> str:
    return json.dumps(issues(report), indent=2, ensure_ascii=False) + "\n"
