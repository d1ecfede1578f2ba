"""JSON Schema (draft 2020-12) of proposal files for one rubric.

Editors (through yaml-language-server) use it to validate and complete a
proposal as it is typed. It follows what ``proposal.model.validate`` accepts, with
one deliberate difference in emphasis: required answers are *not* required
here, because an incomplete proposal is valid input (it is scored and
marked incomplete); ``qiappraise check`` is what insists on completeness.
"""

from __future__ import annotations

from typing import Any

from ..rubric.model import (
    ChoiceQuestion,
    NumberQuestion,
    QuestionT,
    Rubric,
    ScaleQuestion,
    TextQuestion,
    YesNoQuestion,
)
from ..rubric.questions import kind
from .model import PROJECT_KEYS, RATER_ROLES

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_YES_NO = r"^\s*([Yy]([Ee][Ss])?|[Nn][Oo]?|[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])\s*$"
_TEXT = ["string", "number"]  # the loader reads a bare number as text
_NON_BLANK = r"\S"


def _nullable(schema: dict[str, Any], **meta: Any) -> dict[str, Any]:
    # An empty value (`purpose_driver:`) reads as unanswered, which is allowed.
    return {**meta, "anyOf": [schema, {"type": "null"}]}


def answer_schema(q: QuestionT) -> dict[str, Any]:
    """The schema of one question's answer."""
    meta: dict[str, Any] = {"title": q.prompt}
    help_text = " ".join(q.help.split())
    meta["description"] = f"{help_text} Allowed: {kind(q).allowed(q)}.".strip()
    schema: dict[str, Any]
    if isinstance(q, TextQuestion):
        schema = {"type": _TEXT, "maxLength": q.max_length}
        if q.min_length:
            schema["minLength"] = q.min_length
        if q.type == "text":
            schema["pattern"] = r"^\s*[^\n]*\s*$"  # one line (blank lines around it are trimmed)
    elif isinstance(q, (ChoiceQuestion, ScaleQuestion)) and q.type != "multi":
        schema = _choice(q)
    elif isinstance(q, ChoiceQuestion):
        items = _choice(q)
        array: dict[str, Any] = {"type": "array", "items": items, "uniqueItems": True}
        if q.min_selected:
            array["minItems"] = q.min_selected
        if q.max_selected is not None:
            array["maxItems"] = q.max_selected
        schema = {"anyOf": [array, items]}  # a single value is read as a list of one
    elif isinstance(q, YesNoQuestion):
        schema = {"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": _YES_NO}]}
    elif isinstance(q, NumberQuestion):
        schema = {"type": "integer" if q.integer else "number"}
        if q.min is not None:
            schema["minimum"] = q.min
        if q.max is not None:
            schema["maximum"] = q.max
    else:  # pragma: no cover - every question type is handled above
        raise TypeError(f"no schema for question type {q.type!r}")
    return _nullable(schema, **meta)


def _choice(q: ChoiceQuestion | ScaleQuestion) -> dict[str, Any]:
    return {
        "enum": [c.value for c in q.choices_],
        "description": "; ".join(f"{c.value}: {c.label}" for c in q.choices_),
    }


def _rubric_ref(rubric: Rubric) -> dict[str, Any]:
    major = rubric.version.split(".")[0]
    rid = rubric.id  # a slug ([a-z0-9_-]): nothing to escape, and ECMA regex rejects "\-"
    return {
        "description": f"The rubric this proposal answers: {rubric.id}, version {major}.x.",
        "anyOf": [
            {
                "type": "object",
                "required": ["id"],
                "additionalProperties": False,
                "properties": {
                    "id": {"const": rubric.id},
                    "version": {
                        "anyOf": [
                            {"type": "string", "pattern": rf"^{major}(\.|$)"},
                            {
                                "type": "number",
                                "minimum": int(major),
                                "exclusiveMaximum": int(major) + 1,
                            },
                        ]
                    },
                },
            },
            {"type": "string", "pattern": rf"^\s*{rid}\s*(@\s*{major}(\.[^@]*)?)?$"},
        ],
    }


def _project() -> dict[str, Any]:
    text = {"type": _TEXT}
    props: dict[str, Any] = {key: _nullable(text) for key in PROJECT_KEYS}
    props["title"] = {"type": "string", "pattern": _NON_BLANK, "description": "Required."}
    props["team"] = _nullable({"anyOf": [text, {"type": "array", "items": text}]})
    return {
        "type": "object",
        "required": ["title"],
        "additionalProperties": False,
        "properties": props,
    }


def proposal_schema(rubric: Rubric) -> dict[str, Any]:
    """The JSON Schema of proposal files answering ``rubric``."""
    finding_ids = [f.id for f in rubric.findings]
    waiver_list = {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["finding", "reason"],
            "additionalProperties": False,
            "properties": {
                "finding": {
                    "type": "string",
                    "minLength": 1,
                    "examples": finding_ids,
                    "description": "The id of the finding waived: " + ", ".join(finding_ids),
                },
                "reason": {"type": "string", "pattern": _NON_BLANK},
            },
        },
    }
    note = {"type": ["string", "number", "null"]}
    answers = {
        "type": "object",
        "additionalProperties": False,
        "properties": {qid: answer_schema(q) for qid, q in rubric.questions.items()},
    }
    by_question = {
        "anyOf": [
            {"type": "string"},
            {
                "type": "object",
                "propertyNames": {"enum": ["general", *rubric.questions]},
                "additionalProperties": note,
            },
        ]
    }
    notes = by_question
    return {
        "$schema": DRAFT,
        "title": f"qiappraise proposal: {rubric.title} ({rubric.id} {rubric.version})",
        "description": (
            "A QI project proposal answering this rubric. Required answers are not "
            "required by this schema: an incomplete proposal is valid and is marked "
            "incomplete when scored."
        ),
        "type": "object",
        "required": ["rubric", "project"],
        "additionalProperties": False,
        "properties": {
            "rubric": _rubric_ref(rubric),
            "project": _project(),
            "answers": _nullable(
                answers,
                description="Answers by question id (`qiappraise rubric show` lists them).",
            ),
            "notes": _nullable(
                notes,
                description="Notes by question id (or 'general'), shown in reports.",
            ),
            "waivers": _nullable(
                waiver_list,
                description="Findings accepted, each with the reason it does not apply.",
            ),
            "rater": _nullable(
                {
                    "type": "object",
                    "required": ["role"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string"},
                        "role": {"enum": list(RATER_ROLES)},
                    },
                },
                description="Who gave these answers; without it, the project's own team (self).",
            ),
            "reviews": _nullable(
                {
                    "type": "object",
                    "required": ["file"],
                    "additionalProperties": False,
                    "properties": {
                        "file": {"type": "string", "pattern": _NON_BLANK},
                        "sha256": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
                        "seen": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "answers": answers,
                                "notes": notes,
                                "waivers": waiver_list,
                            },
                        },
                        "not_accepted": {
                            "type": "array",
                            "items": {"enum": list(rubric.questions)},
                        },
                    },
                },
                description=(
                    "Makes this file a review: another rater's appraisal of the project in "
                    "`file` (relative to this file), whose bytes had this SHA-256 when reviewed."
                ),
            ),
            "comments": _nullable(
                by_question,
                description="A reviewer's comments on the reviewed answers, by question id.",
            ),
        },
    }
