"""Where a cohort stands: pure aggregation of batch rows into frozen values.

Nothing here reads files or formats text; the cohort templates word it. The
one judgement made here is mechanical and documented: the article's claim
that equity and patient-centredness are neglected *holds* for a cohort when
each is addressed (primary or secondary) by a smaller share of projects than
the mean share of the other dimensions, *partly* holds when one of them is,
and is *refuted* when neither is.
"""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .batch import Row, RubricMeta

#: The dimensions the article says QI neglects (Singh & Cribb 2021).
NEGLECTED = ("equitable", "patient_centred")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
BIN_WIDTH = 10


@dataclass(frozen=True)
class BandCount:
    id: str
    label: str
    count: int
    share: float


@dataclass(frozen=True)
class ScoreBin:
    low: int
    high: int  # inclusive: the last bin is 90-100
    count: int
    provisional: int = 0  # of ``count``, the provisional scores (floors)

    @property
    def label(self) -> str:
        return f"{self.low}-{self.high}"


@dataclass(frozen=True)
class DimensionShare:
    id: str
    label: str
    primary: int
    secondary: int
    not_addressed: int
    #: Not addressed so far, but a question that could raise it is unanswered.
    unknown: int = 0

    @property
    def addressed(self) -> int:
        return self.primary + self.secondary

    @property
    def total(self) -> int:
        return self.primary + self.secondary + self.not_addressed + self.unknown

    @property
    def share(self) -> float:
        return self.addressed / self.total if self.total else 0.0


@dataclass(frozen=True)
class Neglect:
    """How the article's claim about equity and patient-centredness fares here."""

    verdict: str  # holds | partly | refuted
    neglected: tuple[DimensionShare, ...]  # those below the others' mean share
    checked: tuple[DimensionShare, ...]  # equitable and patient_centred, as found
    others_share: float  # mean share of the remaining dimensions
    #: 95% Wilson intervals of the shares in ``checked``, in that order.
    intervals: tuple[tuple[float, float], ...] = ()

    @property
    def uncertain(self) -> bool:
        """The others' mean share lies inside a checked share's 95% interval.

        Then the cohort is too small (or the difference too slight) for the
        verdict to tell neglect from chance: "holds" for 58% against 62%
        across 19 projects read as a fact.
        """
        return any(low <= self.others_share <= high for low, high in self.intervals)


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval for k successes in n (95% by default).

    Wilson (1927); Brown, Cai and DasGupta (2001, Statistical Science 16:101-133)
    recommend it over the textbook (Wald) interval for small n and shares
    near 0 or 1, which are the cohorts a programme has.
    """
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, round(centre - half, 4)), min(1.0, round(centre + half, 4)))


@dataclass(frozen=True)
class ProjectRef:
    title: str
    lead: str
    file: str
    relative: str
    score: float | None
    band: str | None
    band_label: str
    addressed: tuple[str, ...]  # dimension labels served as primary or secondary
    errors: int
    warnings: int
    infos: int
    html_report: str = ""
    md_report: str = ""
    complete: bool = True  # False: required questions unanswered

    @property
    def provisional(self) -> bool:
        """Required questions unanswered count as 0: the score is a floor."""
        return not self.complete


@dataclass(frozen=True)
class FindingFrequency:
    id: str
    severity: str
    title: str
    count: int
    share: float
    projects: tuple[ProjectRef, ...]


@dataclass(frozen=True)
class Review:
    """A second rater's appraisal in the cohort, beside the one it reviews."""

    file: str
    relative: str
    role: str
    rater: str
    score: float | None
    band: str | None
    band_label: str
    provisional: bool
    #: The appraisal reviewed, when it is in this cohort (matched by the
    #: review's ``reviews.file``, else by ``project.id``); None when it is not.
    reviewed: ProjectRef | None

    @property
    def bands_agree(self) -> bool | None:
        if self.reviewed is None or self.reviewed.band is None or self.band is None:
            return None
        return self.reviewed.band == self.band

    @property
    def score_difference(self) -> float | None:
        if self.reviewed is None or self.reviewed.score is None or self.score is None:
            return None
        return round(self.score - self.reviewed.score, 1)


@dataclass(frozen=True)
class Cohort:
    scored: int
    failed: int
    skipped: int
    rubrics: tuple[RubricMeta, ...]
    bands: tuple[BandCount, ...]
    unplaced: int  # scored, but no answer places them on the spectrum
    bins: tuple[ScoreBin, ...]
    unscored: int  # nothing scored yet
    mean: float | None
    median: float | None
    lowest: float | None
    highest: float | None
    dimensions: tuple[DimensionShare, ...]
    neglect: Neglect | None
    findings: tuple[FindingFrequency, ...]  # most frequent first
    projects: tuple[ProjectRef, ...]  # by relative path
    failures: tuple[tuple[str, str], ...] = ()  # (file, one-line error), as given
    #: Every problem of a failed file with several, one line each, by file.
    failure_problems: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    incomplete: int = 0  # scored, but with required questions unanswered
    #: Provisional appraisals left out of the figures (``--exclude-drafts``).
    drafts_excluded: int = 0
    #: Reviews by second raters: scored, but not counted in the figures above,
    #: which are one appraisal per project (a review would count it twice).
    reviews: tuple[Review, ...] = ()
    #: Projects (by project.id) with more than one self-appraisal, and their
    #: files: versions or copies, which the figures count each (which is
    #: current cannot be told from the files).
    several_self: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def reviewed(self) -> int:
        """Projects in the cohort with at least one review."""
        return len({r.reviewed.file for r in self.reviews if r.reviewed is not None})

    @property
    def band_disagreements(self) -> int:
        return sum(1 for r in self.reviews if r.bands_agree is False)

    @property
    def provisional(self) -> int:
        """Projects whose score is provisional (a floor): required questions unanswered."""
        return self.incomplete


def _ordered_union(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for key, label in pairs:
        seen.setdefault(key, label)
    return list(seen.items())


def _ref(row: Row, addressed: tuple[str, ...]) -> ProjectRef:
    counts = row.severity_counts()
    html = md = ""
    for r in row.reports:
        if not html and r.endswith(".html"):
            html = r
        elif not md and r.endswith(".md"):
            md = r
    return ProjectRef(
        title=row.title,
        lead=row.lead,
        file=row.file,
        relative=row.relative,
        score=row.score,
        band=row.band,
        band_label=row.band_label,
        addressed=addressed,
        errors=counts["error"],
        warnings=counts["warning"],
        infos=counts["info"],
        html_report=html,
        md_report=md,
        complete=row.complete,
    )


def bins(
    scores: Sequence[float], width: int = BIN_WIDTH, *, floors: Sequence[float] = ()
) -> tuple[ScoreBin, ...]:
    """Counts in bins 0-9, 10-19, ... and a last bin that includes 100.

    ``floors`` are the provisional scores among ``scores``: each bin counts them again.
    """
    edges = list(range(0, 100, width))

    def tally(values: Sequence[float]) -> list[int]:
        counts = [0] * len(edges)
        for s in values:
            i = min(int(s // width), len(edges) - 1)
            counts[max(i, 0)] += 1
        return counts

    return tuple(
        ScoreBin(low, (low + width - 1) if low + width < 100 else 100, c, p)
        for low, c, p in zip(edges, tally(scores), tally(floors), strict=True)
    )


def aggregate(
    rows: Sequence[Row],
    rubrics: Sequence[RubricMeta],
    *,
    failed: int = 0,
    skipped: int = 0,
    failures: Sequence[tuple[str, str]] = (),
    failure_problems: Mapping[str, tuple[str, ...]] | None = None,
    exclude_drafts: bool = False,
) -> Cohort:
    """The cohort's figures from its rows (any order: the result is sorted).

    ``failures`` names the files that could not be scored, with their errors;
    ``failed`` counts them when only the number is known.
    """
    rows = sorted(rows, key=lambda r: (r.relative, r.file))
    # One appraisal per project in the figures: the team's own. Reviews, and
    # raters linked only by project.id, are listed beside it instead.
    review_rows = [r for r in rows if r.second_rater]
    rows = [r for r in rows if not r.second_rater]
    drafts = 0
    if exclude_drafts:
        # Provisional appraisals skew the bands and the neglect verdict: their
        # unanswered questions count as 0 and their dimensions as not known.
        drafts = sum(1 for r in rows if r.provisional)
        rows = [r for r in rows if not r.provisional]
    n = len(rows)
    dim_order = _ordered_union(d for m in rubrics for d in m.dimensions)
    band_order = _ordered_union(b for m in rubrics for b in m.bands)
    labels = dict(dim_order)
    # Rows from a batch share their dimension tuples (see batch._row): a few
    # dozen distinct ones in a cohort of thousands. Tally each once.
    by_dims: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for i, r in enumerate(rows):
        by_dims.setdefault(r.dimensions, []).append(i)
    addressed: list[tuple[str, ...]] = [()] * n
    level_counts: dict[str, dict[str, int]] = {d: {} for d, _ in dim_order}
    for dimensions, members in by_dims.items():
        names = tuple(
            labels.get(d, d) for d, level in dimensions if level in ("primary", "secondary")
        )
        for i in members:
            addressed[i] = names
        levels = dict(dimensions)
        for dim_id, counts in level_counts.items():
            level = levels.get(dim_id, "none")
            counts[level] = counts.get(level, 0) + len(members)
    refs = [_ref(r, addressed[i]) for i, r in enumerate(rows)]

    band_counts = {b: 0 for b, _ in band_order}
    for r in rows:
        if r.band is not None:
            band_counts[r.band] = band_counts.get(r.band, 0) + 1
    band_labels = dict(band_order)
    for r in rows:
        if r.band is not None:
            band_labels.setdefault(r.band, r.band_label)
    bands = tuple(
        BandCount(b, band_labels[b], c, c / n if n else 0.0) for b, c in band_counts.items()
    )

    scores = [r.score for r in rows if r.score is not None]
    dims = []
    for dim_id, label in dim_order:
        counts = level_counts[dim_id]
        primary = counts.get("primary", 0)
        secondary = counts.get("secondary", 0)
        unknown = counts.get("unknown", 0)
        dims.append(
            DimensionShare(
                dim_id, label, primary, secondary, n - primary - secondary - unknown, unknown
            )
        )

    by_finding: dict[str, list[int]] = {}
    meta: dict[str, tuple[str, str]] = {}
    for i, r in enumerate(rows):
        for f in r.findings:
            by_finding.setdefault(f.id, []).append(i)
            meta.setdefault(f.id, (f.severity, f.title))
    findings = tuple(
        sorted(
            (
                FindingFrequency(
                    fid,
                    meta[fid][0],
                    meta[fid][1],
                    len(idx),
                    len(idx) / n,
                    tuple(refs[i] for i in idx),
                )
                for fid, idx in by_finding.items()
            ),
            key=lambda f: (-f.count, SEVERITY_ORDER.get(f.severity, 3), f.id),
        )
    )
    return Cohort(
        scored=n,
        failed=max(failed, len(failures)),
        failures=tuple(failures),
        failure_problems=dict(failure_problems or {}),
        incomplete=sum(1 for r in rows if not r.complete),
        skipped=skipped,
        rubrics=tuple(sorted(rubrics, key=lambda m: (m.id, m.version, m.sha256))),
        bands=bands,
        unplaced=sum(1 for r in rows if r.band is None),
        bins=bins(scores, floors=[r.score for r in rows if r.score is not None and r.provisional]),
        unscored=n - len(scores),
        mean=round(statistics.fmean(scores), 1) if scores else None,
        median=round(statistics.median(scores), 1) if scores else None,
        lowest=min(scores) if scores else None,
        highest=max(scores) if scores else None,
        dimensions=tuple(dims),
        neglect=neglect(dims) if n else None,
        findings=findings,
        projects=tuple(refs),
        reviews=_reviews(review_rows, rows, refs),
        drafts_excluded=drafts,
        several_self=_several_self(rows),
    )


def _several_self(rows: Sequence[Row]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Project ids that more than one of the team's own appraisals give, with their files."""
    by_id: dict[str, list[str]] = {}
    for r in rows:
        if r.project_id:
            by_id.setdefault(r.project_id, []).append(r.file)
    return tuple((pid, tuple(sorted(files))) for pid, files in by_id.items() if len(files) > 1)


def _reviews(
    review_rows: Sequence[Row], rows: Sequence[Row], refs: Sequence[ProjectRef]
) -> tuple[Review, ...]:
    """Each second rater's appraisal beside the team's own, when that is in the cohort.

    A review names the file it reviews; a review of a review leads, along the
    chain, to the team's appraisal; a rater linked only by ``project.id`` is
    matched to the team's appraisal with that id.
    """
    if not review_rows:
        return ()
    by_path = {os.path.realpath(r.file): refs[i] for i, r in enumerate(rows)}
    by_id: dict[str, ProjectRef] = {}
    for i, r in enumerate(rows):
        if r.project_id:
            by_id.setdefault(r.project_id, refs[i])
    reviews_by_path = {os.path.realpath(r.file): r for r in review_rows}

    def reviewed(r: Row) -> ProjectRef | None:
        seen: set[str] = set()
        while True:
            if r.reviews in by_path:
                return by_path[r.reviews]
            if r.project_id and r.project_id in by_id:
                return by_id[r.project_id]
            nxt = reviews_by_path.get(r.reviews)
            if nxt is None or r.reviews in seen:
                return None
            seen.add(r.reviews)
            r = nxt

    return tuple(
        Review(
            file=r.file,
            relative=r.relative,
            role=r.role,
            rater=r.rater,
            score=r.score,
            band=r.band,
            band_label=r.band_label,
            provisional=r.provisional,
            reviewed=reviewed(r),
        )
        for r in review_rows
    )


def neglect(dims: Sequence[DimensionShare]) -> Neglect | None:
    """The verdict on the article's claim; None when the rubric lacks the dimensions."""
    by_id = {d.id: d for d in dims}
    if not all(d in by_id for d in NEGLECTED):
        return None
    others = [d for d in dims if d.id not in NEGLECTED]
    if not others:
        return None
    others_share = sum(d.share for d in others) / len(others)
    checked = tuple(by_id[d] for d in NEGLECTED)
    low = tuple(d for d in checked if d.share < others_share)
    verdict = "holds" if len(low) == len(checked) else ("partly" if low else "refuted")
    intervals = tuple(wilson(d.addressed, d.total) for d in checked)
    return Neglect(verdict, low, checked, round(others_share, 4), intervals)


def summary(c: Cohort) -> dict[str, Any]:
    """The ``summary`` object of ``batch --json``."""
    return {
        "scored": c.scored,
        "failed": c.failed,
        "skipped": c.skipped,
        # Scored with required questions unanswered, which count as 0: floors.
        "provisional": c.provisional,
        "drafts_excluded": c.drafts_excluded,
        "bands": {b.id: b.count for b in c.bands},
        "unplaced": c.unplaced,
        "score": {
            "mean": c.mean,
            "median": c.median,
            "min": c.lowest,
            "max": c.highest,
            "unscored": c.unscored,
            "bins": [
                {"from": b.low, "to": b.high, "count": b.count, "provisional": b.provisional}
                for b in c.bins
            ],
        },
        "dimensions": {
            d.id: {
                "primary": d.primary,
                "secondary": d.secondary,
                "not_addressed": d.not_addressed,
                "unknown": d.unknown,
                "addressed_share": round(d.share, 4),
            }
            for d in c.dimensions
        },
        "neglect": (
            None
            if c.neglect is None
            else {
                "verdict": c.neglect.verdict,
                "neglected": [d.id for d in c.neglect.neglected],
                "others_share": c.neglect.others_share,
                # 95% Wilson intervals of equity's and patient-centredness's shares.
                "intervals": {
                    d.id: list(ci)
                    for d, ci in zip(c.neglect.checked, c.neglect.intervals, strict=True)
                },
                "uncertain": c.neglect.uncertain,
            }
        ),
        "findings": [
            {"id": f.id, "severity": f.severity, "title": f.title, "count": f.count}
            for f in c.findings
        ],
        # Second raters' appraisals, beside the one each reviews; not counted above.
        "reviews": [
            {
                "file": r.file,
                "role": r.role,
                "rater": r.rater or None,
                "score": r.score,
                "band": r.band,
                "provisional": r.provisional,
                "reviewed": None if r.reviewed is None else r.reviewed.file,
                "reviewed_score": None if r.reviewed is None else r.reviewed.score,
                "reviewed_band": None if r.reviewed is None else r.reviewed.band,
                "bands_agree": r.bands_agree,
            }
            for r in c.reviews
        ],
        # Versions or copies of one project's own appraisal, each counted above.
        "several_self_appraisals": [
            {"id": pid, "files": list(files)} for pid, files in c.several_self
        ],
    }
