"""The batch CSV export: one row per proposal, ready for a spreadsheet.

Written as UTF-8 *with* a byte-order mark and CRLF line ends (RFC 4180):
Excel only recognises UTF-8 by the BOM (without it names like "Zoë" turn to
mojibake), and LibreOffice, pandas (``encoding="utf-8-sig"``) and Python's
csv module read it fine. Text that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a
leading apostrophe (OWASP's advice on CSV injection); numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence

from ..base.csvsafe import BOM, neutralise
from .batch import Row, RubricMeta


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def header(rubrics: Sequence[RubricMeta]) -> tuple[list[str], list[str], list[str]]:
    """The column names, the section ids and the dimension ids, in rubric order."""
    sections: dict[str, str] = {}
    dims: dict[str, str] = {}
    for m in rubrics:
        for sid, _ in m.sections:
            sections.setdefault(sid, sid)
        for did, _ in m.dimensions:
            dims.setdefault(did, did)
    cols = [
        "file",
        "title",
        "lead",
        "score",
        "band",
        "position",
        "complete",
        "provisional",
        *(f"section:{s}" for s in sections),
        *(f"dimension:{d}" for d in dims),
        "errors",
        "warnings",
        "infos",
        "findings",
        # Last, so the columns before keep their places: who rated it, and
        # for a review, the file it reviews.
        "rater_role",
        "reviews",
    ]
    return cols, list(sections), list(dims)


def to_csv(rows: Iterable[Row], rubrics: Sequence[RubricMeta]) -> str:
    """The whole CSV text, BOM first."""
    cols, sections, dims = header(rubrics)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(cols)
    for r in rows:
        scores = dict(r.sections)
        levels = dict(r.dimensions)
        counts = r.severity_counts()
        writer.writerow(
            [
                neutralise(r.file),
                neutralise(r.title),
                neutralise(r.lead),
                _num(r.score),
                r.band or "",
                _num(r.position),
                "yes" if r.complete else "no",
                "yes" if r.provisional else "no",
                *(_num(scores.get(s)) for s in sections),
                *(levels.get(d, "") for d in dims),
                counts["error"],
                counts["warning"],
                counts["info"],
                " ".join(f.id for f in r.findings),
                r.role,
                neutralise(_relative(r.reviews)) if r.reviews else "",
            ]
        )
    return BOM + buf.getvalue()


def _relative(path: str) -> str:
    """A reviewed file's real path, shown relative to the working folder when inside it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel
