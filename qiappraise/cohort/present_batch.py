"""Rich presentation for `batch` (the cohort table) and `compare` (what changed).

Only the CLI calls this; it shows values computed elsewhere. Meaning is never
carried by colour alone: severities are counted in named columns and changes
are spelled out.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.text import Text

from ..base.textcheck import visible
from ..rendering.present import fmt_score, hanging
from ..scoring.compare import LEVEL_WORDS, Comparison
from .aggregate import Review
from .batch import Row

SORT_KEYS = ("score", "band", "title", "file")
#: After a provisional score (required questions unanswered, so it is a floor).
PROVISIONAL_MARK = " prov."


def sort_rows(rows: Sequence[Row], key: str, band_order: Sequence[str]) -> list[Row]:
    """Rows ordered for the table: best score, or furthest band then best score, first; else A-Z."""
    rank = {b: i for i, b in enumerate(band_order)}
    if key == "score":
        return sorted(rows, key=lambda r: (r.score is None, -(r.score or 0.0), r.file))
    if key == "band":
        return sorted(
            rows,
            key=lambda r: (
                r.band is None,
                -rank.get(r.band or "", -1),
                # Within a band, by score: the table shows the score, not the
                # position, so an order by position looked arbitrary (issue 14).
                r.score is None,
                -(r.score or 0.0),
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


def _fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: padded, or cut with an ellipsis."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def _fit_left(text: str, width: int) -> str:
    """Like ``_fit``, cutting from the left: the end of a path tells files apart."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    kept = text[-(width - 1) :]
    while cell_len(kept) > width - 1:
        kept = kept[1:]
    return set_cell_size("…" + kept, width)


def cohort_table(console: Console, rows: Sequence[Row], labels: dict[str, str]) -> None:
    """The ranked table: one line per proposal, whatever the terminal's width.

    Dimensions show as one letter each (a dot where not addressed) with a key
    below, so six long labels do not push every row onto several lines. On a
    narrow terminal Lead goes first, then Title; below that each proposal
    takes a few short lines. The table is laid out here rather than by rich, which
    took seconds for a cohort of thousands.
    """
    marks = initials(labels)
    # Paths are shown below the folder they all share, named in the title.
    folders = [os.path.dirname(r.file) for r in rows]
    # commonpath refuses a mix of absolute and relative paths: then there is no
    # shared folder to name, and each path is shown whole.
    mixed = len({os.path.isabs(f) for f in folders}) > 1
    base = os.path.commonpath(folders) if folders and not mixed else ""
    cut = len(base) + 1 if base else 0
    data: list[tuple[str, ...]] = []
    unknown_seen = False
    for r in rows:
        c = r.severity_counts()
        addressed = set(r.addressed())
        unknown = {d for d, level in r.dimensions if level == "unknown"}
        unknown_seen = unknown_seen or bool(unknown)
        data.append(
            (
                # One line each, control characters spelled out: a tab or an
                # escape sequence in a file name would throw the columns out of line.
                visible(r.file[cut:]),
                visible(" ".join(r.title.split())),
                visible(" ".join(r.lead.split())),
                fmt_score(r.score) + (PROVISIONAL_MARK if r.provisional else ""),
                r.band_label or "not placed",
                "".join(
                    marks[d] if d in addressed else ("?" if d in unknown else "·") for d in labels
                ),
                f"{c['error']}/{c['warning']}/{c['info']}",
            )
        )
    if base:
        console.print(Text(f"In {visible(base)}{os.sep}", style="bold"))
    fixed = [
        max([cell_len(d[i]) for d in data] + [len(h)])
        for i, h in ((3, "Score"), (4, "Band"), (5, "Dims"), (6, "E/W/I"))
    ]
    longest = [max([cell_len(d[i]) for d in data] + [len(h)]) for i, h in enumerate(_FLEX)]
    # Each column after the first costs 3 cells of separator (" │ ").
    room = console.width - sum(fixed) - 3 * len(fixed)
    flex = _flex_widths(room, longest, lead=console.width >= 100)
    if flex is None:
        _stacked(console, data)
    else:
        _table(console, data, flex, fixed)
    key = ", ".join(f"{marks[d]} {label}" for d, label in labels.items())
    key += "; ? not known yet" if unknown_seen else ""
    provisional = (
        f" {PROVISIONAL_MARK.strip()}: provisional, with required questions unanswered; they"
        " count as 0, so the score is a floor that can only rise as they are answered."
        if any(r.provisional for r in rows)
        else ""
    )
    console.print(
        Text(
            f"Dims: dimensions addressed as primary or secondary ({key}; · not addressed). "
            f"E/W/I: findings by severity (error/warning/info).{provisional}",
            style="dim",
        )
    )


_FLEX = ("File", "Title", "Lead")
#: The narrowest each flexible column may be, and the shares of what is left.
_FLEX_MIN = (10, 12, 10)
_FLEX_SHARE = (2, 3, 1)


def _flex_widths(room: int, longest: list[int], *, lead: bool) -> list[int] | None:
    """Widths for File, Title and Lead (0: left out), or None when not even File fits."""
    for shown in (3, 2, 1) if lead else (2, 1):
        need = sum(_FLEX_MIN[:shown]) + 3 * (shown - 1)
        if room >= need:
            break
    else:
        return None
    space = room - 3 * (shown - 1)
    widths = [min(longest[i], _FLEX_MIN[i]) for i in range(shown)]
    # The file name is how a supervisor finds the proposal: it comes first,
    # whole if the other columns keep their least; a title cut short is still
    # recognisable.
    widths[0] = max(widths[0], min(longest[0], space - sum(widths[1:])))
    # Hand out what is left by share, never beyond what a column needs.
    while space > sum(widths):
        grew = False
        for i in range(shown):
            if widths[i] < longest[i] and space > sum(widths):
                step = min(_FLEX_SHARE[i], longest[i] - widths[i], space - sum(widths))
                widths[i] += step
                grew = True
        if not grew:
            break
    return widths + [0] * (3 - shown)


def _table(
    console: Console, data: list[tuple[str, ...]], flex: list[int], fixed: list[int]
) -> None:
    shown = [i for i in range(3) if flex[i]]
    widths = [flex[i] for i in shown] + fixed
    heads = [_FLEX[i] for i in shown] + ["Score", "Band", "Dims", "E/W/I"]
    right = {len(shown), len(shown) + 3}  # Score and E/W/I are numbers

    def line(cells: list[str]) -> list[str]:
        out = []
        for k, (cell, w) in enumerate(zip(cells, widths, strict=True)):
            if k in right:
                out.append(set_cell_size(" " * max(0, w - cell_len(cell)) + cell, w))
            elif k == 0:
                out.append(_fit_left(cell, w))
            else:
                out.append(_fit(cell, w))
        return out

    console.print(Text(" ┃ ".join(line(heads)), style="bold"))
    console.print(Text("━╇━".join("━" * w for w in widths)))
    body = "\n".join(" │ ".join(line([d[i] for i in shown] + list(d[3:]))) for d in data)
    # One write for the whole body: rich's per-line rendering is the slow part.
    console.out(body, highlight=False)


def _stacked(console: Console, data: list[tuple[str, ...]]) -> None:
    """The file, its figures and its title on lines of their own, for narrow terminals."""
    for d in data:
        console.print(Text(d[0], style="bold"), overflow="fold")
        console.print(Text(f"  {d[3]} {d[4]} · {d[5]} · E/W/I {d[6]}"), overflow="fold")
        if d[1]:
            console.print(Text(f"  {d[1]}"), overflow="ellipsis", no_wrap=True)


def comparison(console: Console, c: Comparison) -> None:
    """`compare` on the terminal."""
    console.print(Text(c.new.project.title or "(untitled)", style="bold"))
    console.print(Text(f"{visible(c.old.file)} → {visible(c.new.file)}", style="dim"))
    console.print()
    delta = "n/a" if c.score_change is None else f"{c.score_change:+.1f}"
    old_score = _one_decimal(c.old.score) + (" (provisional)" if c.old.provisional else "")
    new_score = _one_decimal(c.new.score) + (" (provisional)" if c.new.provisional else "")
    console.print(Text(f"Score: {old_score} → {new_score} ({delta})"))
    if c.old.provisional or c.new.provisional:
        # A provisional score is a floor: part of a change may be questions answered since.
        console.print(
            Text(
                "  provisional: required questions unanswered count as 0, so the score is a floor",
                style="dim",
            )
        )
    old_band = c.old.band.label if c.old.band else "not placed"
    new_band = c.new.band.label if c.new.band else "not placed"
    console.print(f"Band: {old_band} → {new_band}" + ("" if c.band_changed else " (unchanged)"))
    if c.position_change is not None:
        moved = "unchanged" if c.movement == "none" else f"{c.position_change:+.2f}, {c.movement}"
        console.print(f"Position: {c.old.position:.2f} → {c.new.position:.2f} ({moved})")
    console.print()
    console.print(Text("Dimensions", style="bold"))
    if not c.dimensions:
        console.print("  No dimension changed level.")
    for d in c.dimensions:
        console.print(
            Text(f"  {d.kind:8} {d.label}: {_level_words(d.old)} → {_level_words(d.new)}")
        )
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
            hanging(console, "  ", f"{p.field}: {p.old_shown} → {p.new_shown}")
    if c.notes:
        console.print()
        console.print(Text(f"Notes changed ({len(c.notes)})", style="bold"))
        for n in c.notes:
            hanging(console, "  ", f"{n.question}: {n.prompt}")
            hanging(console, "    ", f"{n.old} → {n.new}", "dim")
    console.print()
    console.print(Text(f"Answers changed ({len(c.answers)})", style="bold"))
    if not c.answers:
        console.print("  No answer changed.")
    for a in c.answers:
        hanging(console, "  ", f"{a.question}: {a.prompt}")
        hanging(console, "    ", f"{a.old} → {a.new}", "dim")


def _level_words(level: str) -> str:
    # "unknown": none so far, and a question that could raise it is unanswered.
    return LEVEL_WORDS.get(level, level)


def _one_decimal(value: float | None) -> str:
    # The change is shown to one decimal, so the scores are too: 77.2 → 82.0 (+4.8).
    return "n/a" if value is None else f"{value:.1f}"


def review_lines(console: Console, reviews: Sequence[Review]) -> None:
    """Second raters' appraisals, each beside the one it reviews (`batch` on the terminal)."""
    if not reviews:
        return
    console.print()
    disagree = sum(1 for r in reviews if r.bands_agree is False)
    console.print(
        Text(
            f"Reviews ({len(reviews)}; bands differ in {disagree})",
            style="bold",
        )
    )
    for r in sorted(reviews, key=lambda r: (r.reviewed is None, r.relative)):
        who = f"{r.rater}, {r.role}" if r.rater else r.role
        mark = PROVISIONAL_MARK if r.provisional else ""
        theirs = f"{fmt_score(r.score)}{mark} {r.band_label or 'not placed'}"
        if r.reviewed is None:
            console.print(
                Text(
                    f"  {visible(r.relative)} ({who}): {theirs}; the appraisal it reviews is not in this batch"
                )
            )
            continue
        own = r.reviewed
        own_mark = PROVISIONAL_MARK if own.provisional else ""
        agree = {True: "bands agree", False: "BANDS DIFFER", None: "not both placed"}[r.bands_agree]
        hanging(
            console,
            "  ",
            f"{own.title}: self {fmt_score(own.score)}{own_mark} {own.band_label or 'not placed'}"
            f" | {who} {theirs} ({agree}; {visible(r.relative)})",
        )
