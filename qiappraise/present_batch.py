"""Rich presentation for `batch` (the cohort table) and `compare` (what changed).

Only the CLI calls this; it shows values computed elsewhere. Meaning is never
carried by colour alone: severities are counted in named columns and changes
are spelled out.
"""

from __future__ import annotations

import os
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


def initials(labels: dict[str, str]) -> dict[str, str]:
    """One distinct capital per dimension, from its label (Efficient -> F after Effective -> E)."""
    used: set[str] = set()
    out: dict[str, str] = {}
    for dim, label in labels.items():
        letter = next(
            (ch.upper() for ch in label if ch.isalpha() and ch.upper() not in used), dim[:1].upper()
        )
        used.add(letter)
        out[dim] = letter
    return out


def cohort_table(console: Console, rows: Sequence[Row], labels: dict[str, str]) -> None:
    """The ranked table: one line per proposal, whatever the terminal's width.

    Dimensions show as one letter each (a dot where not addressed) with a key
    below, so six long labels do not push every row onto several lines.
    """
    marks = initials(labels)
    table = Table(show_edge=False, pad_edge=False, title_justify="left")
    # The short columns are sized to their content; File, Title and Lead share
    # what is left of the terminal's width (rich would rather drop columns).
    # Lead gives way first on a narrow terminal.
    show_lead = console.width >= 100
    band_width = max([len(r.band_label or "not placed") for r in rows] + [4])
    dims_width = max(4, len(labels))
    fixed = 5 + band_width + dims_width + 6 + 3 * (6 if show_lead else 5)
    free = max(24, console.width - fixed)
    lead_width = free // 6 if show_lead else 0
    file_width = max(10, (free - lead_width) * 2 // 5)
    title_width = max(10, free - lead_width - file_width)
    # Paths are shown below the folder they all share, named in the title.
    base = os.path.commonpath([os.path.dirname(r.file) for r in rows]) if rows else ""
    cut = len(base) + 1 if base else 0
    if base:
        table.title = f"In {base}{os.sep}"
    table.add_column("File", no_wrap=True, overflow="ellipsis", max_width=file_width)
    table.add_column("Title", no_wrap=True, overflow="ellipsis", max_width=title_width)
    if show_lead:
        table.add_column("Lead", no_wrap=True, overflow="ellipsis", max_width=lead_width)
    table.add_column("Score", justify="right", no_wrap=True, min_width=5)
    table.add_column("Band", no_wrap=True, min_width=band_width)
    table.add_column("Dims", no_wrap=True, min_width=dims_width)
    table.add_column("E/W/I", justify="right", no_wrap=True, min_width=6)
    for r in rows:
        c = r.severity_counts()
        addressed = set(r.addressed())
        # The end of a path tells files apart; cut long paths from the left.
        rel = r.file[cut:]
        name = rel if len(rel) <= file_width else "…" + rel[-(file_width - 1) :]
        cells = [name, r.title] + ([r.lead] if show_lead else [])
        table.add_row(
            *cells,
            fmt_score(r.score),
            r.band_label or "not placed",
            "".join(marks[d] if d in addressed else "·" for d in labels),
            f"{c['error']}/{c['warning']}/{c['info']}",
        )
    console.print(table)
    key = ", ".join(f"{marks[d]} {label}" for d, label in labels.items())
    console.print(
        Text(
            f"Dims: dimensions addressed as primary or secondary ({key}; · not addressed). "
            "E/W/I: findings by severity (error/warning/info).",
            style="dim",
        )
    )


def comparison(console: Console, c: Comparison) -> None:
    """`compare` on the terminal."""
    console.print(Text(c.new.project.title or "(untitled)", style="bold"))
    console.print(Text(f"{c.old.file} → {c.new.file}", style="dim"))
    console.print()
    delta = "n/a" if c.score_change is None else f"{c.score_change:+.1f}"
    console.print(f"Score: {_one_decimal(c.old.score)} → {_one_decimal(c.new.score)} ({delta})")
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
    if c.project:
        console.print()
        console.print(Text("Project details changed", style="bold"))
        for p in c.project:
            console.print(Text(f"  {p.field}: {p.old} → {p.new}"))
    console.print()
    console.print(Text(f"Answers changed ({len(c.answers)})", style="bold"))
    if not c.answers:
        console.print("  No answer changed.")
    for a in c.answers:
        console.print(Text(f"  {a.question}: {a.prompt}"))
        console.print(Text(f"    {a.old} → {a.new}", style="dim"))


def _one_decimal(value: float | None) -> str:
    # The change is shown to one decimal, so the scores are too: 77.2 → 82.0 (+4.8).
    return "n/a" if value is None else f"{value:.1f}"
