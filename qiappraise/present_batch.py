"""Rich presentation for `batch` (the cohort table) and `compare` (what changed).

Only the CLI calls this; it shows values computed elsewhere. Meaning is never
carried by colour alone: severities are counted in named columns and changes
are spelled out.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .batch import Row
from .compare import LEVEL_WORDS, Comparison
from .present import fmt_score

SORT_KEYS = ("score", "band", "title", "file")


def sort_rows(rows: Sequence[Row], key: str, band_order: Sequence[str]) -> list[Row]:
    """Rows ordered for the table: best score or furthest band first; else A-Z."""
    rank = {b: i for i, b in enumerate(band_order)}
    if key == "score":
        return sorted(rows, key=lambda r: (r.score is None, -(r.score or 0.0), r.file))
    if key == "band":
        return sorted(
            rows,
            key=lambda r: (
                r.band is None,
                -rank.get(r.band or "", -1),
                -(r.position or 0.0),
                r.file,
            ),
        )
    if key == "title":
        return sorted(rows, key=lambda r: (r.title.casefold(), r.file))
    return sorted(rows, key=lambda r: r.file)


def cohort_table(console: Console, rows: Sequence[Row], labels: dict[str, str]) -> None:
    table = Table(show_edge=False, pad_edge=False, title_justify="left")
    table.add_column("File", overflow="fold")
    table.add_column("Title", overflow="fold")
    table.add_column("Lead", overflow="fold")
    table.add_column("Score", justify="right")
    table.add_column("Band")
    table.add_column("Dimensions addressed", overflow="fold")
    table.add_column("Err", justify="right")
    table.add_column("Warn", justify="right")
    table.add_column("Info", justify="right")
    for r in rows:
        c = r.severity_counts()
        table.add_row(
            r.file,
            r.title,
            r.lead,
            fmt_score(r.score),
            r.band_label or "not placed",
            ", ".join(labels.get(d, d) for d in r.addressed()) or "none",
            str(c["error"]),
            str(c["warning"]),
            str(c["info"]),
        )
    console.print(table)


def comparison(console: Console, c: Comparison) -> None:
    """`compare` on the terminal."""
    console.print(Text(c.new.project.title or "(untitled)", style="bold"))
    console.print(Text(f"{c.old.file} → {c.new.file}", style="dim"))
    console.print()
    delta = "n/a" if c.score_change is None else f"{c.score_change:+.1f}"
    console.print(f"Score: {fmt_score(c.old.score)} → {fmt_score(c.new.score)} ({delta})")
    old_band = c.old.band.label if c.old.band else "not placed"
    new_band = c.new.band.label if c.new.band else "not placed"
    console.print(f"Band: {old_band} → {new_band}" + ("" if c.band_changed else " (unchanged)"))
    if c.position_change is not None:
        console.print(
            f"Position: {c.old.position:.2f} → {c.new.position:.2f} "
            f"({c.position_change:+.2f}, {c.movement})"
        )
    console.print()
    console.print(Text("Dimensions", style="bold"))
    if not c.dimensions:
        console.print("  No dimension changed level.")
    for d in c.dimensions:
        console.print(f"  {d.kind:8} {d.label}: {LEVEL_WORDS[d.old]} → {LEVEL_WORDS[d.new]}")
    console.print()
    console.print(Text("Findings", style="bold"))
    if not c.resolved and not c.raised:
        console.print("  The same findings are raised.")
    for f in c.resolved:
        console.print(f"  resolved {f.id} {f.title} ({f.severity})")
    for f in c.raised:
        console.print(f"  new      {f.id} {f.title} ({f.severity})")
    console.print()
    console.print(Text(f"Answers changed ({len(c.answers)})", style="bold"))
    if not c.answers:
        console.print("  No answer changed.")
    for a in c.answers:
        console.print(Text(f"  {a.question}: {a.prompt}"))
        console.print(Text(f"    {a.old} → {a.new}", style="dim"))
