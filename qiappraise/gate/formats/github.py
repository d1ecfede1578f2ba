"""``--output-format github``: workflow commands that annotate a pull request.

Chosen automatically when ``GITHUB_ACTIONS=true``. Escaping follows the
runner's rules (actions/toolkit ``command.ts``): in the message ``%``, CR
and LF are percent-encoded; in properties (file, title) also ``:`` and ``,``.
Every other line (a file's verdict) is made inert: the runner reads
``::command::`` at a line's start and ``##[command]`` anywhere, so a file
name must not be able to start or contain one. ``step_summary`` is the
Markdown the CLI appends to ``$GITHUB_STEP_SUMMARY``; user text there is
escaped, and file names sit in code spans they cannot break out of.
"""

from __future__ import annotations

import re

from ...base import mdtext
from ...base.textcheck import inert_log_line, visible
from ..verdict import CheckReport, verdict
from .annotations import all_annotations, summary
from .common import relative_path

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: str | int) -> str:
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items())
    return (
        f"::{level} {props}::{escape_data(message)}"
        if props
        else f"::{level}::{escape_data(message)}"
    )


def render(report: CheckReport, color: bool = False) -> str:
    lines = []
    for a in all_annotations(report):
        message = a.full_message() + (f" (waived: {a.waived})" if a.waived is not None else "")
        lines.append(
            command(
                _COMMAND[a.level],
                # The log shows ANSI colour: spell out escape sequences. The file
                # stays exact (escaped, not altered), or the annotation misses it.
                visible(message, multiline=True),
                file=relative_path(a.file),
                line=a.line,
                title=visible(f"qiappraise {a.title}"),
            )
        )
    for r in report.files:
        got = r.appraisal
        floor = got is not None and got.provisional and got.score is not None
        shown = f" (provisional score {got.score:g})" if got is not None and floor else ""
        lines.append(inert_log_line(f"{r.file}: {verdict(r.status)}{shown}"))
    lines.append(inert_log_line(summary(report)))
    return "\n".join(lines) + "\n"


def code_span(text: str) -> str:
    """``text`` as a Markdown code span for a table cell, which nothing can break out of.

    The fence is one backtick longer than any run inside, so no backtick in
    the text can close it; control characters and line breaks are spelled
    out, so the table row stays one line; a pipe is escaped, which GFM
    tables undo inside code spans too. Inside the span, ``<`` and ``&`` are
    just characters.
    """
    text = visible(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    # One space each side is stripped by the reader when both are there.
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def step_summary(report: CheckReport) -> str:
    """A Markdown summary for the job's page."""
    out = [f"## qiappraise check: {verdict(report.decision)}", ""]
    out += [
        "| proposal | verdict | score | band | findings | waived | failed rules |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report.files:
        a = r.appraisal
        score = "" if a is None or a.score is None else f"{a.score:g}"
        if a is not None and a.provisional and score:
            score += " (provisional)"
        band = a.band.id if a and a.band else ""
        failed = "; ".join(f"{x.name}: {x.message}" for x in r.failed_rules)
        if r.problems:
            failed = f"invalid: {r.problems[0].message}"
        cells = [
            code_span(relative_path(r.file)),
            verdict(r.status),
            score,
            band,
            str(len(r.active)),
            str(len(r.waived)),
            failed,
        ]
        out.append(
            "| " + " | ".join(mdtext.cell(c) if i else c for i, c in enumerate(cells)) + " |"
        )
    out += ["", mdtext.inline(summary(report)), ""]
    return "\n".join(out)
