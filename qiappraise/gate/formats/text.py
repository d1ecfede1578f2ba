"""The default, human format: grouped by file, ``file:line:`` so editors can jump.

Colour is added only when asked (the CLI asks when stdout is a terminal and
``NO_COLOR`` is unset); every label is also spelled out, so nothing depends
on colour. Control characters in file names and messages are spelled out
(``\x1b``): this format is read on terminals.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...base.textcheck import visible
from ..verdict import INVALID, PASS, CheckReport, FileResult, verdict
from .annotations import Annotation, for_file, summary

_STATUS_STYLE = {PASS: "bold green", INVALID: "bold magenta"}
_LABEL_STYLE = {
    "FAIL": "bold red",
    "error": "bold red",
    "warning": "yellow",
    "info": "cyan",
    "note": "cyan",
    "waived": "dim",
}


def _head(result: FileResult) -> tuple[str, str]:
    a = result.appraisal
    status = verdict(result.status)
    if a is not None:
        score = "no score yet" if a.score is None else f"score {a.score:g}"
        if a.provisional and a.score is not None:
            score = "provisional " + score  # a floor; a line below says why
        band = f", band {a.band.id}" if a.band else ""
        status += f" ({score}{band})"
    return f"{visible(result.file)}: ", status


def _label(a: Annotation) -> str:
    if a.fails:
        return "FAIL"
    if a.waived is not None:
        return "waived"
    return a.severity or {"warning": "warning", "note": "note"}.get(a.level, "error")


def _body(a: Annotation) -> str:
    if a.rule.startswith("policy/"):
        name = a.rule.removeprefix("policy/") + (f" {a.subject}" if a.subject else "")
        return f"policy {name}: {a.message}"
    if a.rule in (
        "input/invalid",
        "waiver/unused",
        "answer/ignored",
        "score/provisional",
        "review/unpinned",
        "review/changed",
    ):
        return a.message
    text = a.title + (f" ({a.severity})" if a.fails else "")
    if a.open_on:
        text += f" (not ruled out yet; answer: {', '.join(a.open_on)})"
    return text + (f"; waived: {a.waived}" if a.waived is not None else "")


def render(report: CheckReport, color: bool = False) -> str:
    from rich.text import Text

    lines: list[Text] = []
    for result in report.files:
        head, status = _head(result)
        line = Text(head, style="bold")
        line.append(status, style=_STATUS_STYLE.get(result.status, "bold red"))
        lines.append(line)
        for a in for_file(result):
            label = _label(a)
            row = Text(f"  {visible(a.file)}:{a.line}: ")
            row.append(label, style=_LABEL_STYLE.get(label, ""))
            row.append(f" {visible(_body(a))}", style="dim" if a.waived is not None else "")
            lines.append(row)
            lines += [Text(f"      - {visible(d)}", style="dim") for d in a.details]
    if report.files:
        lines.append(Text())
    lines.append(Text(summary(report), style="bold"))
    if not color:
        return "\n".join(t.plain for t in lines) + "\n"
    return _ansi(lines)


def _ansi(lines: Sequence[object]) -> str:
    import io

    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=True, color_system="standard", soft_wrap=True, highlight=False
    )
    for line in lines:
        console.print(line)
    return buffer.getvalue()
