"""A commented proposal skeleton for a rubric, to fill in by hand (``qiappraise init``).

Every question appears as a commented-out key under ``answers:`` with its
prompt, type, allowed values and their labels, the condition under which it
is asked, and its help. The skeleton itself is a valid (incomplete) proposal,
and its first line points editors at the proposal JSON Schema.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

from .conditions import (
    AllCondition,
    AnyCondition,
    ConditionT,
    DimensionCondition,
    NotCondition,
)
from .questions import kind
from .rubric import ChoiceQuestion, NumberQuestion, QuestionT, Rubric, TextQuestion

WIDTH = 80
TYPE_WORDS = {
    "text": "one line of text",
    "long_text": "text, several lines allowed",
    "choice": "single choice",
    "multi": "multiple choice, a list",
    "scale": "scale, lowest level first",
    "yes_no": "yes or no",
    "number": "number",
}
_OPS = {
    "is": "is",
    "is_not": "is not",
    "in": "is one of",
    "not_in": "is none of",
    "includes": "includes",
    "includes_any": "includes any of",
    "at_least": "is at least",
    "at_most": "is at most",
}


def describe(cond: ConditionT) -> str:
    """A condition in words: ``purpose_driver is institutional-target``."""
    if isinstance(cond, AllCondition):
        return " and ".join(_group(c) for c in cond.all)
    if isinstance(cond, AnyCondition):
        return " or ".join(_group(c) for c in cond.any)
    if isinstance(cond, NotCondition):
        return f"not ({describe(cond.not_)})"
    if isinstance(cond, DimensionCondition):
        levels = " or ".join("not addressed" if lv == "none" else lv for lv in cond.levels())
        return f"dimension {cond.dimension} is {levels}"
    op = cond.operator
    if op == "answered":
        return f"{cond.question} is {'answered' if cond.operand(op) else 'unanswered'}"
    return f"{cond.question} {_OPS[op]} {_value(cond.operand(op))}"


def _group(cond: ConditionT) -> str:
    text = describe(cond)
    return f"({text})" if isinstance(cond, (AllCondition, AnyCondition)) else text


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _comment(text: str, indent: str, prefix: str = "") -> list[str]:
    lines = textwrap.wrap(
        " ".join(text.split()),
        width=WIDTH - len(indent) - 2,
        initial_indent=prefix,
        subsequent_indent=" " * len(prefix),
        break_on_hyphens=False,
    )
    return [f"{indent}# {line}".rstrip() for line in lines]


def _question(q: QuestionT) -> list[str]:
    pad = "  "
    out = [""]
    out += _comment(q.prompt, pad)
    required = "required" if q.required else "optional"
    detail = TYPE_WORDS.get(q.type, q.type)
    if isinstance(q, NumberQuestion):
        detail = kind(q).allowed(q) + (f" ({q.unit})" if q.unit else "")
    elif isinstance(q, TextQuestion) and q.max_length < 10_000:
        detail += f", at most {q.max_length} characters"
    elif isinstance(q, ChoiceQuestion) and q.type == "multi" and q.max_selected:
        detail += f", at most {q.max_selected}"
    out += _comment(f"{detail}; {required}.", pad, "Type: ")
    choices = q.choices_ if q.type in ("choice", "multi", "scale") else []
    if choices:
        out.append(f"{pad}# {'One of' if q.type != 'multi' else 'Any of'}:")
        for c in choices:
            text = c.label + (f": {c.descriptor}" if c.descriptor else "")
            out += _comment(text, pad, f"  {c.value} = ")
    if q.when is not None:
        out += _comment(describe(q.when) + ".", pad, "Asked only when ")
    if q.help.strip():
        out += _comment(q.help, pad, "Help: ")
    if q.type == "long_text":
        out.append(f"{pad}# {q.id}: |")
        out.append(f"{pad}#   ...")
    elif q.type == "multi":
        out.append(f"{pad}# {q.id}: []")
    else:
        out.append(f"{pad}# {q.id}:")
    return out


def skeleton(rubric: Rubric, *, schema_ref: str, title: str = "Untitled QI project") -> str:
    """The skeleton's YAML text; ``schema_ref`` is the schema's path or URL."""
    out = [
        f"# yaml-language-server: $schema={schema_ref}",
        f"# A QI project proposal for the rubric {rubric.id} {rubric.version}:",
        *_comment(rubric.title + ".", ""),
        "#",
        "# Answer a question by removing the '# ' before its key and giving a value.",
        "# Unanswered questions are simply not scored; `qiappraise check FILE` says",
        "# which required ones are still missing, and `qiappraise score FILE` scores it.",
        "",
        "rubric:",
        f"  id: {rubric.id}",
        f"  version: {json.dumps(rubric.version)}",
        "",
        "project:",
        f"  title: {json.dumps(title, ensure_ascii=False)}   # required",
        "  # lead: Dr A. Example",
        "  # team: [A trainee, A nurse, A parent representative]",
        "  # setting: Where the project runs",
        "  # specialty: Paediatrics",
        "  # organisation: The trust or health board",
        "  # date: 2025-01-31",
        "  # summary: One paragraph about the project.",
        "",
        "answers:",
    ]
    for section in rubric.sections:
        out.append("")
        rule = f"  # {'=' * 4} {section.title} ({section.weight:g}% of the score) "
        out.append(rule + "=" * max(4, WIDTH - len(rule)))
        out += _comment(section.why, "  ", "Why this matters: ")
        for q in section.questions:
            out += _question(q)
    out += [
        "",
        "# notes:                      # optional: notes by question id, shown in reports",
        "#   general: Anything a supervisor should know.",
        "",
        "# waivers:                    # optional: accept a finding, with the reason",
        f"#   - finding: {rubric.findings[0].id if rubric.findings else 'AB001'}",
        "#     reason: Why it does not apply to this project.",
        "",
    ]
    return "\n".join(out)
