"""A commented proposal skeleton for a rubric, to fill in by hand (``qiappraise init``).

Every question appears as a commented-out key under ``answers:`` with its
prompt, type, allowed values and their labels, the condition under which it
is asked, and its help. The skeleton itself is a valid (incomplete) proposal,
and its first line points editors at the proposal JSON Schema.

A review skeleton (``init --review``) is the same, for another rater: the
reviewed file's answers and notes are shown under each question as comments,
and the answers are left blank, so the rating starts independent of them.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from typing import Any

from ..rubric.conditions import (
    AllCondition,
    AnyCondition,
    ConditionT,
    DimensionCondition,
    NotCondition,
)
from ..rubric.model import ChoiceQuestion, NumberQuestion, QuestionT, Rubric, TextQuestion
from ..rubric.questions import kind
from .model import RATER_ROLES

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


def _quoted(text: str) -> str:
    """``text`` as one double-quoted YAML scalar, every awkward character escaped."""
    import yaml

    dumped = yaml.dump(
        text, Dumper=yaml.SafeDumper, default_style='"', allow_unicode=True, width=float("inf")
    )
    return dumped.rstrip("\n")


#: YAML line breaks besides \n, and what a block scalar cannot carry as it is.
_AWKWARD = ("\x85", "\u2028", "\u2029", "\r")


def _answered(key: str, value: Any, pad: str) -> list[str]:
    """``key: value`` as YAML lines at ``pad``, written as a proposal file writes it.

    The lines are moved right by ``pad``, so a value must not need what only a
    whole document can hold: text ending in line breaks (a ``|+`` block, which
    PyYAML closes with ``...``) or with YAML's other line breaks is written on
    one line, double-quoted, instead; at any depth, so a mapping is written
    key by key (a review's ``seen`` notes, a filled skeleton's ``notes``).
    """
    from ..base.yamlio import dump

    if isinstance(value, str) and (value.endswith("\n") or any(c in value for c in _AWKWARD)):
        return [f"{pad}{key}: {_quoted(value)}"]
    if isinstance(value, dict) and value:
        head = dump({key: {}}).rstrip("\n").removesuffix(" {}")  # the key, quoted if need be
        return [f"{pad}{head}"] + [
            line for k, v in value.items() for line in _answered(str(k), v, pad + "  ")
        ]
    # Split on \n only: str.splitlines would also split inside a value.
    lines = dump({key: value}).rstrip("\n").split("\n")
    return [f"{pad}{line}" if line else "" for line in lines]


_FEEDS = {
    "score": "scored",
    "position": "places the project on the spectrum, earns no points",
    "profile": "recorded in the profile, not scored",
}


def _question(
    q: QuestionT, answers: dict[str, Any] | None = None, shown: list[str] | None = None
) -> list[str]:
    """A question's commented block; ``shown``: comment lines put just above its key."""
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
    feeds = _FEEDS[q.feeds]
    out += _comment(f"{detail}; {required}; {feeds}.", pad, "Type: ")
    choices = q.choices_ if q.type in ("choice", "multi", "scale") else []
    if choices:
        out.append(f"{pad}# {'One of' if q.type != 'multi' else 'Any of'}:")
        for c in choices:
            text = c.label + (f": {c.descriptor}" if c.descriptor else "")
            if c.evidence:
                text += " (a claim: add a note saying what backs it)"
            out += _comment(text, pad, f"  {c.value} = ")
    elif q.type == "yes_no" and q.choices_[0].evidence:
        out += _comment("yes is a claim: add a note saying what backs it.", pad)
    if q.when is not None:
        out += _comment(describe(q.when) + ".", pad, "Asked only when ")
    if q.help.strip():
        out += _comment(q.help, pad, "Help: ")
    out += shown or []
    if answers is not None and q.id in answers:
        out += _answered(q.id, answers[q.id], pad)
    elif q.type == "long_text":
        out.append(f"{pad}# {q.id}: |")
        out.append(f"{pad}#   ...")
    elif q.type == "multi":
        out.append(f"{pad}# {q.id}: []")
    else:
        out.append(f"{pad}# {q.id}:")
    return out


#: The project fields the skeleton offers, with the example each shows commented out.
PROJECT_EXAMPLES = (
    ("lead", "Dr A. Example"),
    ("team", "[A trainee, A nurse, A parent representative]"),
    ("setting", "Where the project runs"),
    ("specialty", "Paediatrics"),
    ("organisation", "The trust or health board"),
    ("date", "2025-01-31"),
    ("summary", "One paragraph about the project."),
)
#: A line only the skeleton has: how ``appraise`` knows to keep a file's shape.
MARKER = "# Answer a question by removing the '# ' before its key and giving a value."


def skeleton(
    rubric: Rubric,
    *,
    schema_ref: str,
    title: str = "Untitled QI project",
    filled: dict[str, Any] | None = None,
) -> str:
    """The skeleton's YAML text; ``schema_ref`` is the schema's path or URL.

    With ``filled`` (proposal data, as ``appraise`` saves it), the values given
    are written in place of the commented-out examples, so a skeleton that is
    filled in keeps every help comment for the questions still open.
    """
    project: dict[str, Any] = dict((filled or {}).get("project") or {})
    answers: dict[str, Any] | None = (filled or {}).get("answers") if filled else None
    title = project.pop("title", title) if filled else title
    out = [
        f"# yaml-language-server: $schema={schema_ref}",
        f"# A QI project proposal for the rubric {rubric.id} {rubric.version}:",
        *_comment(rubric.title + ".", ""),
        "#",
        MARKER,
        "# An unanswered question earns none of its points (the score is then",
        "# provisional); `qiappraise check FILE` lists the required ones still missing,",
        "# and `qiappraise score FILE` scores it. An answer marked 'a claim' needs a",
        "# note under notes: saying what backs it, or it counts as the level below.",
        "",
        "rubric:",
        f"  id: {rubric.id}",
        f"  version: {json.dumps(rubric.version)}",
        "",
        "project:",
        f"  title: {_quoted(title)}   # required",
    ]
    for key, example in PROJECT_EXAMPLES:
        if key in project:
            out += _answered(key, project.pop(key), "  ")
        else:
            out.append(f"  # {key}: {example}")
    for key, value in project.items():  # fields a hand-written file had
        out += _answered(key, value, "  ")
    out += _answers_block(rubric, answers)
    notes = (filled or {}).get("notes")
    waivers = (filled or {}).get("waivers")
    out.append("")
    if notes:
        out += ["# Notes by question id, shown in reports.", *_answered("notes", notes, "")]
    else:
        out += [
            "# notes:                      # optional: notes by question id, shown in reports",
            "#   general: Anything a supervisor should know.",
        ]
    out.append("")
    if waivers:
        out += ["# Findings accepted, each with the reason.", *_answered("waivers", waivers, "")]
    else:
        out += [
            "# waivers:                    # optional: accept a finding, with the reason",
            f"#   - finding: {rubric.findings[0].id if rubric.findings else 'AB001'}",
            "#     reason: Why it does not apply to this project.",
        ]
    out.append("")
    return "\n".join(out)


def _answers_block(
    rubric: Rubric,
    answers: dict[str, Any] | None,
    shown: Callable[[QuestionT], list[str]] | None = None,
) -> list[str]:
    """``answers:`` with every question's block, section by section."""
    out = ["", "answers:"]
    for section in rubric.sections:
        out.append("")
        rule = f"  # {'=' * 4} {section.title} ({section.weight:g}% of the score) "
        out.append(rule + "=" * max(4, WIDTH - len(rule)))
        out += _comment(section.why, "  ", "Why this matters: ")
        for q in section.questions:
            out += _question(q, answers, shown(q) if shown else None)
    return out


#: A line only the review skeleton has (``appraise`` must not take it for its own).
REVIEW_MARKER = "# Rate each question yourself: remove the '# ' before its key and give a value."


def review_skeleton(
    rubric: Rubric,
    *,
    schema_ref: str,
    reviewed: str,
    sha256: str,
    answers: dict[str, Any],
    notes: dict[str, str],
    project: dict[str, Any],
    waivers: list[dict[str, str]] | None = None,
) -> str:
    """A review skeleton for the appraisal at ``reviewed`` (as ``reviews.file`` says it).

    ``answers``, ``notes``, ``waivers`` and ``project`` are the reviewed file's, ``sha256``
    its bytes' digest. The answers are left blank on purpose: the reviewed
    answers are shown as comments beside each question, not filled in, so a
    hand-written review is an independent rating rather than an edit.
    """
    from .answers import has_evidence, is_claim

    def shown(q: QuestionT) -> list[str]:
        value = answers.get(q.id)
        if value is None:
            return _comment("not answered.", "  ", "Their answer: ")
        text = _written(value)
        label = kind(q).display(q, value)
        if label != text and q.type not in ("text", "long_text", "number"):
            text += f" ({label})"
        if is_claim(q, value) and not has_evidence(notes.get(q.id)):
            text += "; a claim without evidence (reviews.not_accepted if you do not accept it)"
        out = _comment(text + ".", "  ", "Their answer: ")
        if notes.get(q.id):
            out += _comment(notes[q.id], "  ", "Their note: ")
        return out

    # notes: {} says there were none; left out, it would say "not recorded". Waivers too.
    seen = {"answers": dict(answers), "notes": dict(notes), "waivers": list(waivers or [])}
    out = [
        f"# yaml-language-server: $schema={schema_ref}",
        f"# A review, for the rubric {rubric.id} {rubric.version}, of the appraisal in",
        *_comment(reviewed, "", "  "),
        *_comment(rubric.title + ".", ""),
        "#",
        REVIEW_MARKER,
        *_comment(
            "Their answer and note are shown as comments under each question: "
            "rate first, then compare. The answers are left blank so that your rating does "
            "not anchor on theirs (`qiappraise review` starts from their answers instead).",
            "",
        ),
        *_comment(
            "Under notes: put what backs an answer of yours; under comments: what you want "
            "to say about their answer. Then `qiappraise moderate REVIEWED THIS-FILE` puts "
            "the two side by side.",
            "",
        ),
        *(_comment(notes["general"], "", "Their general note: ") if notes.get("general") else []),
        "",
        "rater:",
        '  name: ""             # your name',
        f"  role:                 # required: {', '.join(RATER_ROLES[1:])}",
        "",
        "reviews:",
        *_answered("file", reviewed, "  "),
        *_answered("sha256", sha256, "  "),
        "  # not_accepted: []    # their claims you do not accept without evidence",
        "  # What the reviewed file said when this skeleton was written: leave it as it is,",
        "  # so that `qiappraise moderate` can name what changes there later.",
        *_answered("seen", seen, "  "),
        "",
        "rubric:",
        f"  id: {rubric.id}",
        f"  version: {json.dumps(rubric.version)}",
        "",
        *_answered("project", project, ""),
    ]
    out += _answers_block(rubric, None, shown)
    out += [
        "",
        "# notes:                      # what backs your answers, by question id",
        "#   general: Anything the trainee or a moderator should know.",
        "",
        "# comments:                   # on their answers, by question id",
        f"#   {next(iter(rubric.questions))}: A question or a point to discuss.",
        "",
    ]
    return "\n".join(out)


def _written(value: Any) -> str:
    """An answer as it is written in a proposal file, on one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return " ".join(str(value).split())
