"""Rich presentation of appraisals and rubrics on the terminal.

Only the CLI calls this. Nothing here decides anything: it shows values that
``scoring`` computed. Colour is never the only carrier of meaning (a band is
named, a severity is spelled out), so the output reads the same with NO_COLOR.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .appraisal import Appraisal
from .rubric import Rubric

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
LEVEL_MARK = {"primary": "●● primary", "secondary": "●○ secondary", "none": "○○ not addressed"}


def bar(value: float | None, width: int = 20) -> str:
    """A text bar for a 0-100 value; readable without colour."""
    if value is None:
        return "·" * width
    filled = round(width * max(0.0, min(100.0, value)) / 100)
    return "█" * filled + "░" * (width - filled)


def spectrum_line(position: float | None, width: int = 41) -> str:
    """repair ├────●────┤ reform, with the project's position marked."""
    if position is None:
        return "repair ├" + "─" * width + "┤ reform"
    at = round(position * (width - 1))
    cells = ["─"] * width
    cells[at] = "●"
    return "repair ├" + "".join(cells) + "┤ reform"


def fmt_score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def hanging(console: Console, lead: str, text: str, style: str = "") -> None:
    """``lead`` then ``text``, whose wrapped lines stay indented under its start."""
    grid = Table.grid(padding=0)
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(Text(lead, style=style), Text(text, style=style))
    console.print(grid)


def appraisal(console: Console, a: Appraisal, *, reasons: int = 3) -> None:
    """The summary `score` prints for one proposal."""
    title = Text(a.project.title or "(untitled)", style="bold")
    console.print(title)
    meta = " · ".join(x for x in (a.project.lead, a.project.setting, a.project.date) if x)
    console.print(Text(f"{a.file}" + (f" · {meta}" if meta else ""), style="dim"))
    console.print(
        Text(
            f"Rubric {a.rubric.id} {a.rubric.version} (sha256 {a.rubric.sha256[:12]})", style="dim"
        )
    )
    console.print()

    headline = Text()
    headline.append("Critical engagement: ", style="bold")
    headline.append("not scored yet" if a.score is None else f"{a.score:.0f}/100")
    headline.append("   Band: ", style="bold")
    headline.append(a.band.label if a.band else "not placed (no answers place it yet)")
    if a.position is not None:
        headline.append(f" (position {a.position:.2f})")
    console.print(headline)
    console.print("  " + spectrum_line(a.position))
    toward_reform = [r for r in a.reasons if r.pull > 0.5][:reasons]
    toward_repair = [r for r in a.reasons if r.pull < 0.5][:reasons]
    for label, group in (("towards reform", toward_reform), ("towards repair", toward_repair)):
        if group:
            console.print(Text(f"  Pulling {label}:", style="dim"))
            for r in group:
                hanging(
                    console,
                    "    - ",
                    f"{r.question}: {r.answer} ({r.pull:.2f}, weight {r.weight:g})",
                )
    if not a.complete:
        shown = ", ".join(a.missing[:8]) + (
            f" and {len(a.missing) - 8} more" if len(a.missing) > 8 else ""
        )
        hanging(
            console,
            "  ",
            f"Incomplete: {len(a.missing)} required question(s) unanswered: {shown}",
            "yellow",
        )
    if a.ignored:
        hanging(
            console,
            "  ",
            "Ignored (answered, but the question does not apply): " + ", ".join(a.ignored),
            "dim",
        )
    console.print()

    # The bar repeats the score: on a narrow terminal it shrinks, then goes,
    # before the section titles have to wrap.
    bar_width = 20 if console.width >= 90 else (10 if console.width >= 72 else 0)
    table = Table(title="Sections", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Section")
    table.add_column("Weight", justify="right")
    table.add_column("Score", justify="right")
    if bar_width:
        table.add_column("", no_wrap=True)
    table.add_column("Answered", justify="right")
    for s in a.sections:
        score_text = fmt_score(s.score) + (" (capped)" if s.caps else "")
        cells = [s.title, f"{s.weight:g}%", score_text]
        cells += [bar(s.score, bar_width)] if bar_width else []
        table.add_row(*cells, f"{s.answered}/{s.applicable}")
    console.print(table)
    console.print()

    dims = Table(
        title="Dimensions of quality", title_justify="left", show_edge=False, pad_edge=False
    )
    dims.add_column("Dimension")
    dims.add_column("Level")
    for d in a.dimensions:
        style = "dim" if d.level == "none" else ""
        dims.add_row(d.label, Text(LEVEL_MARK[d.level], style=style))
    console.print(dims)
    console.print()

    active = a.active_findings()
    waived = [f for f in a.findings if f.waived is not None]
    console.print(Text(f"Findings ({len(active)})", style="bold"))
    if not active:
        console.print("  None raised.")
    for f in active:
        line = Text("  ")
        line.append(f"{f.severity.upper():7}", style=SEVERITY_STYLE.get(f.severity, ""))
        line.append(f" {f.id} {f.title}", style="bold")
        console.print(line)
        console.print(
            Padding(
                Group(Text(f.message), Text("→ " + f.suggestion, style="italic")), (0, 0, 0, 10)
            )
        )
    for f in waived:
        console.print(Text(f"  WAIVED  {f.id} {f.title}: {f.waived}", style="dim"))
    for w in a.unused_waivers:
        console.print(Text(f"  note: waiver for {w} matches no finding raised", style="yellow"))


def rubric_summary(console: Console, r: Rubric, path: str, sha256: str) -> None:
    """`rubric show`: the rubric's structure, question by question."""
    console.print(Text(f"{r.title}", style="bold"))
    console.print(Text(f"{r.id} {r.version} · {path} · sha256 {sha256[:12]}", style="dim"))
    console.print(r.summary.strip())
    console.print()
    for s in r.sections:
        console.print(Text(f"{s.title} [{s.id}] weight {s.weight:g}%", style="bold"))
        table = Table(show_header=True, show_edge=False, pad_edge=False, box=None)
        table.add_column("id", no_wrap=True)
        table.add_column("type", no_wrap=True)
        table.add_column("prompt")
        for q in s.questions:
            flag = "" if q.required else " (optional)"
            cond = " [conditional]" if q.when is not None else ""
            table.add_row(q.id, q.type, q.prompt + flag + cond)
        console.print(Padding(table, (0, 0, 0, 2)))
        console.print()
    console.print(Text(f"Findings ({len(r.findings)})", style="bold"))
    for f in r.findings:
        console.print(f"  {f.id} {f.severity:7} {f.title}")
