"""``--output-format sarif``: SARIF 2.1.0 for GitHub code scanning and other viewers.

Every finding id of the rubrics checked, and every policy rule, is a rule
with stable ``id``, help text and (for bundled rubrics) a help URI into the
docs (docs/findings.md, docs/ci.md); every annotation is a result with file and line. Waived findings are
results with an in-source suppression carrying the waiver's reason. Rubric
text is plain text: in the ``markdown`` help it is escaped, so a rubric
cannot put links, images or HTML into a code-scanning page.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...base import mdtext
from ...base.version import __version__
from ..verdict import DOCS, HOMEPAGE, POLICY_RULES, CheckReport, RuleInfo
from .annotations import LEVEL, Annotation, all_annotations
from .common import artifact_uri, fingerprint, relative_path

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


def _md(text: str) -> str:
    """Plain text as Markdown paragraphs, every character shown as written."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(mdtext.inline(p) for p in paragraphs if p.strip())


def _finding_rule(info: RuleInfo) -> dict[str, Any]:
    text = f"{info.rationale}\n\nSuggestion: {info.suggestion}"
    markdown = (
        f"**{mdtext.inline(info.title)}** ({mdtext.inline(info.severity)})\n\n"
        f"{_md(info.rationale)}\n\n**Suggestion:** {_md(info.suggestion)}"
    )
    if info.cite:
        text += f"\n\nSee: {info.cite}"
        markdown += f"\n\n*See: {mdtext.inline(info.cite)}*"
    rule: dict[str, Any] = {
        "id": info.id,
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.message},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVEL.get(info.severity, "note")},
        "properties": {"tags": ["qiappraise", "finding", info.severity]},
    }
    if info.help_uri:
        rule["helpUri"] = info.help_uri
    return rule


#: Rules that never fail a check on their own; the rest are errors.
_POLICY_LEVEL = {
    "waiver/unused": "warning",
    "answer/ignored": "note",
    "score/provisional": "note",
    "review/unpinned": "note",
    "review/changed": "note",
}


def _policy_rule(rule_id: str) -> dict[str, Any]:
    title, help_text, page = POLICY_RULES[rule_id]
    return {
        "id": rule_id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": help_text},
        "help": {"text": help_text, "markdown": help_text},
        "helpUri": f"{DOCS}{page}",
        "defaultConfiguration": {"level": _POLICY_LEVEL.get(rule_id, "error")},
        "properties": {"tags": ["qiappraise", rule_id.split("/")[0]]},
    }


def _result(a: Annotation, index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": a.rule,
        "ruleIndex": index,
        "level": a.level,
        "message": {"text": f"{a.title}: {a.full_message()}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(a.file)},
                    "region": {"startLine": a.line},
                }
            }
        ],
        "partialFingerprints": {
            "qiappraise/v1": fingerprint(relative_path(a.file), a.rule, a.subject)
        },
    }
    if a.waived is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": a.waived}]
    return result


def document(report: CheckReport) -> dict[str, Any]:
    rules = [_finding_rule(info) for info in report.rules]
    rules += [_policy_rule(rule_id) for rule_id in POLICY_RULES]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [_result(a, index[a.rule]) for a in all_annotations(report) if a.rule in index]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "qiappraise",
                        "version": __version__,
                        "informationUri": HOMEPAGE,
                        "rules": rules,
                    }
                },
                "invocations": [{"executionSuccessful": True}],
                "results": results,
            }
        ],
    }


def render(report: CheckReport, color: bool = False) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
