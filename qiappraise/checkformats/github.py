"""``--output-format github``: workflow commands that annotate a pull request.

Chosen automatically when ``GITHUB_ACTIONS=true``. Escaping follows the
runner's rules (actions/toolkit ``command.ts``): in the message ``%``, CR
and LF are percent-encoded; in properties (file, title) also ``:`` and ``,``.
``step_summary`` is the Markdown the CLI appends to ``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

from .. import mdtext
from ..gate import CheckReport, verdict
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
                message,
                file=relative_path(a.file),
                line=a.line,
                title=f"qiappraise {a.title}",
            )
        )
    for r in report.files:
        got = r.appraisal
        floor = got is not None and got.provisional and got.score is not None
        shown = f" (provisional score {got.score:g})" if got is not None and floor else ""
        lines.append(f"{r.file}: {verdict(r.status)}{shown}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


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
            f"`{relative_path(r.file)}`".replace("|", "\\|"),
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
