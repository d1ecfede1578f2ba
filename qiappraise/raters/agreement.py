"""Agreement between raters across a cohort: how consistently raters apply one rubric.

Where :mod:`moderation` puts two appraisals of one project side by side, this
measures, over many projects each appraised by two or more raters, how far
the raters agree question by question, on the band and on the score, and
names the questions they disagree on most: the agenda for a calibration
meeting. Three steps, none of which keeps an ``Appraisal``:

1. :func:`sheet` reduces each scored appraisal to a :class:`Sheet`: who
   rated, what links it to a project, the band, the score and one small
   hashable answer per question; :class:`Sheets` keeps them, sharing what
   repeats;
2. :func:`group` joins sheets into projects by ``project.id`` and by following
   ``reviews.file`` to the file reviewed (a chain of reviews is one project);
3. :func:`measure` feeds the projects with two or more raters into the
   streaming accumulators of :mod:`interrater` and returns an
   :class:`Agreement`.

The decisions behind the figures (docs/supervisor.md's calibration section says the
same for users):

* **Which kappa.** With two raters on every project, Cohen's kappa between
  the first and the second rater, quadratic-weighted for ordered answers
  (``moderation.ladder``), unweighted otherwise. As soon as one project has
  three or more raters, Fleiss' kappa over every rater of every project, with
  Gwet's treatment of projects rated by different numbers of raters
  (``interrater.FleissTable``), unweighted: a weighted Fleiss' kappa is not
  standard. ``method="cohen"`` or ``"fleiss"`` forces one.
* **Rater order.** Raters of a project are ordered by role (self,
  supervisor, peer, assessor), then by file name: the first rater is
  usually the team's self-appraisal, the second its supervisor.
* **Answers.** An answer counts as the rater gave it (a claim without
  evidence as claimed, as ``moderation`` compares them). Unanswered, "not
  sure" and not applicable are *not rated*: such a pair (Cohen) or rating
  (Fleiss) is left out and counted. A multiple choice answer is one category
  per distinct set chosen. Free text is not compared.
* **Numbers and the score.** ICC(2,1), absolute agreement of single raters,
  over rater slots: each project gives its first ``k`` raters in rater
  order, ``k`` chosen to use the most ratings (2 for Cohen). Projects with
  fewer raters, or a missing rating, are left out of the ICC and counted.
  The percentage agreement of a number question is exact agreement.
* **Band.** The same kappa over band ids in the rubric's band order
  (quadratic weights under Cohen), and the share of projects where every
  rater who placed the project placed it in the same band.

Pure: the identities of files (to follow ``reviews.file``) are passed in.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..base.errors import UsageError
from ..proposal.model import RATER_ROLES, Proposal
from ..rubric.model import Rubric
from ..scoring.appraisal import Appraisal, QuestionResult
from .interrater import FleissTable, IccResult, IccSums, KappaResult, PairTable
from .moderation import ladder

SCHEMA_VERSION = 1
METHODS = ("auto", "cohen", "fleiss")
#: Questions on the calibration agenda unless asked for more or fewer.
AGENDA = 10
ROLE_RANK = {role: i for i, role in enumerate(RATER_ROLES)}
TEXT_REASON = "free text is not compared: raters word the same judgement differently"
_ANSWERED = "answered"


@dataclass(frozen=True)
class QuestionSpec:
    """What agreement needs to know about one question of the rubric."""

    id: str
    prompt: str
    section: str
    type: str
    reflect: str
    #: The answers lowest first, when they are ordered (``moderation.ladder``).
    order: tuple[str, ...] | None

    @property
    def kind(self) -> str:
        """``text`` (not compared), ``number`` (ICC) or ``category`` (kappa)."""
        if self.type in ("text", "long_text"):
            return "text"
        return "number" if self.type == "number" else "category"


@dataclass(frozen=True)
class RubricPlan:
    id: str
    version: str
    title: str
    sha256: str
    questions: tuple[QuestionSpec, ...]  # rubric order
    bands: tuple[tuple[str, str], ...]  # (id, label), repair first


def plan(rubric: Rubric, sha256: str) -> RubricPlan:
    """The rubric as agreement sees it."""
    questions = tuple(
        QuestionSpec(
            id=q.id,
            prompt=q.prompt,
            section=s.title,
            type=q.type,
            # As moderation does: a question without its own takes its section's first.
            reflect=q.reflect or next(iter(s.reflect), ""),
            order=ladder(q),
        )
        for s in rubric.sections
        for q in s.questions
    )
    return RubricPlan(
        id=rubric.id,
        version=rubric.version,
        title=rubric.title,
        sha256=sha256,
        questions=questions,
        bands=tuple((b.id, b.label) for b in rubric.spectrum.bands),
    )


# Kept for every file of the cohort: slots, and answers shared between sheets.
@dataclass(frozen=True, slots=True)
class Sheet:
    """One rater's appraisal, reduced to what agreement needs."""

    file: str
    identity: Hashable  # the same for every path that reaches the file
    role: str
    project_id: str
    reviews: Hashable | None  # identity of the file this one reviews
    band: str | None
    score: float | None
    #: One per question in rubric order; None: not rated (see the module's notes).
    answers: tuple[Any, ...]


def sheet(
    rubric_plan: RubricPlan,
    proposal: Proposal,
    appraisal: Appraisal,
    *,
    identity: Hashable,
    reviewed: Hashable | None = None,
) -> Sheet:
    """What agreement needs of one appraisal; ``reviewed`` identifies the file it reviews."""
    results = [q for s in appraisal.sections for q in s.questions]
    answers = tuple(
        _answer(q) if spec.kind != "text" else None
        for q, spec in zip(results, rubric_plan.questions, strict=True)
    )
    return Sheet(
        file=proposal.file,
        identity=identity,
        role=proposal.rater.role,
        project_id=proposal.project.id,
        reviews=reviewed,
        band=appraisal.band.id if appraisal.band else None,
        score=appraisal.score,
        answers=answers,
    )


def _answer(q: QuestionResult) -> Any:
    if q.status != _ANSWERED:
        return None
    if isinstance(q.value, tuple):
        return tuple(sorted(set(q.value)))  # a multiple choice answer: the set chosen
    return q.value


class Sheets:
    """The sheets of one rubric: the whole cohort, kept small."""

    def __init__(self, rubric_plan: RubricPlan) -> None:
        self.plan = rubric_plan
        self.items: list[Sheet] = []
        # One object per distinct answer text or set: 30,000 sheets of 40
        # answers would otherwise hold a copy of each string per file.
        self._shared: dict[Any, Any] = {}

    def keep(self, s: Sheet) -> None:
        """Add ``s``, sharing its answers with the sheets kept before."""
        self.items.append(
            replace(
                s,
                band=self._share(s.band),
                answers=tuple([self._share(v) for v in s.answers]),
            )
        )

    def _share(self, value: Any) -> Any:
        # Only text and tuples: True == 1 == 1.0 would share a yes as a number.
        if isinstance(value, (str, tuple)):
            return self._shared.setdefault(value, value)
        return value


# --- grouping ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Grouping:
    """Sheets joined into projects."""

    #: Projects with two or more raters: sheet indices in rater order.
    projects: tuple[tuple[int, ...], ...]
    single: int  # projects with one rater only
    #: Different project ids joined into one project by reviews.
    conflicts: tuple[tuple[str, ...], ...] = ()
    #: Reviews whose reviewed file is not among the sheets (they still join
    #: other reviews of that file).
    unlinked: tuple[str, ...] = ()
    #: Projects with more than one file that is the team's own appraisal.
    several_self: tuple[SeveralSelf, ...] = ()


@dataclass(frozen=True)
class SeveralSelf:
    """A project in which more than one file is the team's own appraisal (role self).

    Versions, a copy, another rater's file written without ``rater:``, or two
    projects sharing an id: compared as raters they would agree with
    themselves. When reviews rate exactly one of them, that one is kept and
    the others are left out; otherwise the whole project is left out.
    """

    project_id: str
    files: tuple[str, ...]  # every self-appraisal, in rater order
    kept: str | None  # the one a review rates, or None: the project is left out


def rater_order(sheet: Sheet) -> tuple[int, str]:
    """Role order (self, supervisor, peer, assessor), then file name."""
    return ROLE_RANK.get(sheet.role, len(ROLE_RANK)), sheet.file


def group(sheets: Sequence[Sheet]) -> Grouping:
    """Projects: sheets sharing a ``project.id``, or linked by ``reviews.file``, are one."""
    parent: dict[Hashable, Hashable] = {}

    def root(key: Hashable) -> Hashable:
        top = key
        while (up := parent.get(top, top)) != top:
            top = up
        while key != top:  # path compression keeps later look-ups short
            parent[key], key = top, parent.get(key, key)
        return top

    def join(a: Hashable, b: Hashable) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[rb] = ra

    known = set()
    for s in sheets:
        key = ("file", s.identity)
        known.add(s.identity)
        if s.project_id:
            join(key, ("id", s.project_id))
        if s.reviews is not None:
            join(key, ("file", s.reviews))
    members: dict[Hashable, list[int]] = {}
    for i, s in enumerate(sheets):
        members.setdefault(root(("file", s.identity)), []).append(i)
    projects = []
    conflicts = []
    several_self = []
    single = 0
    for indices in members.values():
        if len(indices) < 2:
            single += 1
            continue
        ordered = sorted(indices, key=lambda i: rater_order(sheets[i]))
        selves = [i for i in ordered if sheets[i].role == "self"]
        if len(selves) > 1:
            # Two files that are both the team's own appraisal would agree with
            # themselves. A review that names one of them says which is rated.
            rated = {sheets[i].reviews for i in ordered if sheets[i].role != "self"}
            reviewed = [i for i in selves if sheets[i].identity in rated]
            kept = reviewed[0] if len(reviewed) == 1 else None
            pid = next((sheets[i].project_id for i in ordered if sheets[i].project_id), "")
            several_self.append(
                SeveralSelf(
                    pid,
                    tuple(sheets[i].file for i in selves),
                    None if kept is None else sheets[kept].file,
                )
            )
            if kept is None:
                continue
            ordered = [i for i in ordered if sheets[i].role != "self" or i == kept]
            if len(ordered) < 2:
                single += 1
                continue
        projects.append(tuple(ordered))
        ids = sorted({sheets[i].project_id for i in ordered if sheets[i].project_id})
        if len(ids) > 1:
            conflicts.append(tuple(ids))
    unlinked = tuple(s.file for s in sheets if s.reviews is not None and s.reviews not in known)
    return Grouping(tuple(projects), single, tuple(conflicts), unlinked, tuple(several_self))


# --- the figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One agreement statistic, as reports show it: never NaN; None with a reason."""

    statistic: str  # "kappa" or "icc"
    method: str
    value: float | None
    n: int  # projects behind the figure
    raters: int
    dropped: int  # projects left out (a rating missing)
    categories: int | None = None
    percent_agreement: float | None = None  # 0-100
    ci95: tuple[float, float] | None = None
    ci_reason: str | None = None
    reason: str | None = None  # why value is None
    caution: str | None = None  # n below a published minimum, with the source


def _kappa_figure(k: KappaResult) -> Figure:
    return Figure(
        "kappa", k.method, k.value, k.n, k.raters, k.dropped,
        categories=k.categories,
        percent_agreement=k.percent_agreement,
        reason=k.reason,
        caution=k.caution,
    )  # fmt: skip


def _icc_figure(r: IccResult, left_out: int, percent: float | None = None) -> Figure:
    """``left_out``: projects with too few raters for the ICC's slots."""
    ci = (r.ci_low, r.ci_high) if r.ci_low is not None and r.ci_high is not None else None
    return Figure(
        "icc", r.method, r.value, r.n, r.raters, r.dropped + left_out,
        percent_agreement=percent,
        ci95=ci,
        ci_reason=None if r.value is None else r.ci_reason,
        reason=r.reason,
        caution=r.caution,
    )  # fmt: skip


@dataclass(frozen=True)
class QuestionAgreement:
    spec: QuestionSpec
    figure: Figure | None  # None: not compared (free text)
    not_compared: str | None = None

    @property
    def value(self) -> float | None:
        return None if self.figure is None else self.figure.value

    @property
    def reason(self) -> str | None:
        return self.not_compared if self.figure is None else self.figure.reason

    @property
    def disagreed(self) -> bool:
        """Raters did not agree perfectly, and a coefficient says how far."""
        f = self.figure
        return f is not None and f.value is not None and (f.value < 1.0 or _below_100(f))


def _below_100(f: Figure) -> bool:
    return f.percent_agreement is not None and f.percent_agreement < 100.0


@dataclass(frozen=True)
class Agreement:
    rubric: RubricPlan
    method: str  # "cohen" or "fleiss": what the kappas are
    method_reason: str
    files: int  # appraisals read
    projects: int  # with two or more raters: the figures' population
    single: int  # projects with one rater, left out
    raters: tuple[tuple[int, int], ...]  # (raters on a project, projects), fewest first
    roles: tuple[tuple[str, int], ...]  # raters in the projects compared, by role
    slots: int  # raters per project in the ICCs
    short: int  # projects with fewer raters than that, left out of the ICCs
    band: Figure
    band_projects: int  # projects placed by two or more raters
    band_agree: int  # of which every rater placed it in the same band
    score: Figure
    questions: tuple[QuestionAgreement, ...]  # rubric order
    conflicts: tuple[tuple[str, ...], ...] = ()
    unlinked: tuple[str, ...] = ()
    several_self: tuple[SeveralSelf, ...] = ()  # see Grouping
    failures: tuple[tuple[str, str], ...] = ()  # (file, one-line error): not read
    skipped: int = 0  # files passed over: not proposals
    #: Each project compared, in rater order: (file, role, project id) per appraisal,
    #: so a reader can see which files the figures joined (and catch a wrong join).
    members: tuple[tuple[tuple[str, str, str], ...], ...] = ()

    @property
    def self_projects_left_out(self) -> int:
        """Projects left out: several self-appraisals, and no review says which is rated."""
        return sum(1 for s in self.several_self if s.kept is None)

    @property
    def self_versions_left_out(self) -> int:
        """Self-appraisals left out beside the one a review rates."""
        return sum(len(s.files) - 1 for s in self.several_self if s.kept is not None)

    @property
    def band_share(self) -> float | None:
        """Percent of projects whose raters all placed them in one band; None with none placed."""
        return 100.0 * self.band_agree / self.band_projects if self.band_projects else None

    def ranking(self) -> tuple[QuestionAgreement, ...]:
        """Questions raters disagree on, most first: lowest coefficient, then lowest agreement.

        Kappa and ICC share one scale here: quadratic-weighted kappa and the
        ICC agree closely (Fleiss & Cohen 1973). Percentage agreement is shown
        beside because kappa is low when one answer dominates.
        """
        index = {q.spec.id: i for i, q in enumerate(self.questions)}
        found = [q for q in self.questions if q.disagreed]
        return tuple(
            sorted(
                found,
                key=lambda q: (
                    q.value,
                    _pct(q.figure),
                    -(q.figure.n if q.figure else 0),
                    index[q.spec.id],
                ),
            )
        )

    def agenda(self, limit: int = AGENDA) -> tuple[QuestionAgreement, ...]:
        return self.ranking()[:limit]

    def cautions(self) -> tuple[Figure, ...]:
        """The figures that rest on fewer projects than a published minimum."""
        figures = [self.band, self.score, *(q.figure for q in self.questions)]
        return tuple(f for f in figures if f is not None and f.caution)


def _pct(f: Figure | None) -> float:
    return 100.0 if f is None or f.percent_agreement is None else f.percent_agreement


def _method(requested: str, sizes: Sequence[int]) -> tuple[str, str]:
    if requested not in METHODS:
        raise UsageError(f"unknown method {requested!r}; allowed: {', '.join(METHODS)}")
    most = max(sizes)
    if requested == "cohen" or (requested == "auto" and most == 2):
        why = (
            "Cohen's kappa between each project's two raters"
            if most == 2
            else "Cohen's kappa between each project's first two raters (others left out)"
        )
        return "cohen", why + ", quadratic-weighted for ordered answers"
    why = (
        "some projects have three or more raters"
        if requested == "auto"
        else "Fleiss' kappa was asked for"
    )
    mixed = (
        " (each project counts once, whatever its number of raters)" if min(sizes) != most else ""
    )
    return "fleiss", f"{why}: Fleiss' kappa over every rater, unweighted{mixed}"


def icc_slots(sizes: Sequence[int], method: str) -> int:
    """How many raters per project the ICCs use: the number that uses the most ratings.

    Each project gives its first ``k`` raters (in rater order); projects with
    fewer are left out. Ties go to more raters.
    """
    if method == "cohen":
        return 2
    return max(range(2, max(sizes) + 1), key=lambda k: (k * sum(s >= k for s in sizes), k))


NO_PROJECTS = (
    "no project has two or more raters ({files} appraisal{s} read, each its own project): "
    "a review names the appraisal it reviews (reviews: {{file: ...}}), or appraisals of "
    "one project share a project.id"
)
NO_PROJECTS_SEVERAL_SELF = (
    "no project has two or more raters to compare ({files} appraisal{s} read): "
    "{left} project{ps} left out for more than one self-appraisal (see the notes above); "
    "give another rater's file rater: {{role: ...}}, or keep one version of the team's"
)


def measure(
    sheets: Sequence[Sheet],
    rubric_plan: RubricPlan,
    *,
    method: str = "auto",
    grouping: Grouping | None = None,
    failures: Sequence[tuple[str, str]] = (),
    skipped: int = 0,
) -> Agreement:
    """Agreement across the projects ``sheets`` form; a UsageError when no project has two raters.

    ``grouping`` is ``group(sheets)`` when the caller has it already.
    """
    if grouping is None:
        grouping = group(sheets)
    projects = [[sheets[i] for i in p] for p in grouping.projects]
    if not projects:
        n = len(sheets)
        left = sum(1 for s in grouping.several_self if s.kept is None)
        if left:
            raise UsageError(
                NO_PROJECTS_SEVERAL_SELF.format(
                    files=n, s="s" * (n != 1), left=left, ps="s" * (left != 1)
                )
            )
        raise UsageError(NO_PROJECTS.format(files=n, s="s" * (n != 1)))
    sizes = [len(p) for p in projects]
    chosen, why = _method(method, sizes)
    cohen = chosen == "cohen"
    k = icc_slots(sizes, chosen)
    specs = rubric_plan.questions
    compared = [i for i, q in enumerate(specs) if q.kind != "text"]
    numbers = {i: IccSums() for i in compared if specs[i].kind == "number"}
    pairs = {i: PairTable() for i in compared} if cohen else {}
    units = {i: FleissTable() for i in compared} if not cohen else {}
    band_pairs, band_units = PairTable(), FleissTable()
    scores = IccSums()
    band_projects = band_agree = short = 0
    for raters in projects:
        if cohen:
            first, second = raters[0].answers, raters[1].answers
            for i, table in pairs.items():
                table.add(first[i], second[i])
            band_pairs.add(raters[0].band, raters[1].band)
        else:
            for i, unit in units.items():
                unit.add([r.answers[i] for r in raters])
            band_units.add([r.band for r in raters])
        placed = {r.band for r in raters if r.band is not None}
        if sum(r.band is not None for r in raters) >= 2:
            band_projects += 1
            band_agree += len(placed) == 1
        if len(raters) < k:
            short += 1
            continue
        slots = raters[:k]
        scores.add([r.score for r in slots])
        for i, sums in numbers.items():
            sums.add([r.answers[i] for r in slots])
    questions = []
    for i, spec in enumerate(specs):
        if spec.kind == "text":
            questions.append(QuestionAgreement(spec, None, TEXT_REASON))
            continue
        if not cohen:
            kappa = units[i].kappa()
        elif spec.order is not None and spec.kind == "category":
            kappa = pairs[i].weighted_kappa(spec.order)
        else:
            kappa = pairs[i].kappa()
        if spec.kind == "number":
            figure = _icc_figure(numbers[i].icc(), short, kappa.percent_agreement)
        else:
            figure = _kappa_figure(kappa)
        questions.append(QuestionAgreement(spec, figure))
    band_order = [b for b, _ in rubric_plan.bands]
    band = band_pairs.weighted_kappa(band_order) if cohen else band_units.kappa()
    counts: dict[int, int] = {}
    roles: dict[str, int] = {}
    for raters in projects:
        counts[len(raters)] = counts.get(len(raters), 0) + 1
        for r in raters:
            roles[r.role] = roles.get(r.role, 0) + 1
    return Agreement(
        rubric=rubric_plan,
        method=chosen,
        method_reason=why,
        files=len(sheets),
        projects=len(projects),
        single=grouping.single,
        raters=tuple(sorted(counts.items())),
        roles=tuple(sorted(roles.items(), key=lambda kv: ROLE_RANK.get(kv[0], len(ROLE_RANK)))),
        slots=k,
        short=short,
        band=_kappa_figure(band),
        band_projects=band_projects,
        band_agree=band_agree,
        score=_icc_figure(scores.icc(), short),
        questions=tuple(questions),
        conflicts=grouping.conflicts,
        unlinked=grouping.unlinked,
        several_self=grouping.several_self,
        failures=tuple(failures),
        skipped=skipped,
        members=tuple(tuple((r.file, r.role, r.project_id) for r in raters) for raters in projects),
    )


# --- presentation helpers shared by every format ----------------------------------------


def figure_text(value: float | None, digits: int = 2) -> str:
    """A coefficient as text: ``n/a`` where it is undefined, never ``nan``."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def percent_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}%"


# --- JSON ----------------------------------------------------------------------------------


def document(g: Agreement, *, agenda: int = AGENDA) -> dict[str, Any]:
    """``agreement --format json``: schema version 1. Undefined figures are null with a reason."""
    ranked = g.ranking()
    rank = {q.spec.id: i + 1 for i, q in enumerate(ranked)}
    return {
        "schema_version": SCHEMA_VERSION,
        "rubric": {
            "id": g.rubric.id,
            "version": g.rubric.version,
            "title": g.rubric.title,
            "sha256": g.rubric.sha256,
        },
        "method": g.method,
        "method_reason": g.method_reason,
        "files": g.files,
        "n_projects": g.projects,
        "left_out": {
            "single_rater_projects": g.single,
            "several_self_projects": g.self_projects_left_out,
            "other_self_appraisals": g.self_versions_left_out,
            "failed_files": len(g.failures),
        },
        "raters_per_project": {str(n): count for n, count in g.raters},
        "roles": dict(g.roles),
        "icc_raters": g.slots,
        "band": {
            **_figure(g.band),
            "agreement": {
                "percent": g.band_share,
                "projects": g.band_projects,
                "agree": g.band_agree,
                "reason": None if g.band_projects else "no project was placed by two raters",
            },
        },
        "score": _figure(g.score),
        "questions": {
            q.spec.id: {
                "prompt": q.spec.prompt,
                "section": q.spec.section,
                "type": q.spec.type,
                "ordered": q.spec.order is not None,
                **_figure(q.figure, q.not_compared),
                "rank": rank.get(q.spec.id),
                "reflect": q.spec.reflect or None,
            }
            for q in g.questions
        },
        "agenda": [q.spec.id for q in ranked[:agenda]],
        "notes": {
            "project_ids_joined": [list(ids) for ids in g.conflicts],
            "reviewed_file_not_given": list(g.unlinked),
            "several_self_appraisals": [
                {"id": s.project_id or None, "files": list(s.files), "kept": s.kept}
                for s in g.several_self
            ],
        },
        "errors": [{"file": f, "error": e} for f, e in g.failures],
        "skipped": g.skipped,
        "projects": [
            {
                "ids": sorted({pid for _, _, pid in raters if pid}),
                "raters": [{"file": f, "role": role} for f, role, _ in raters],
            }
            for raters in g.members
        ],
    }


def _figure(f: Figure | None, not_compared: str | None = None) -> dict[str, Any]:
    """``kappa`` or ``icc`` (the other null), with what stands behind it."""
    if f is None:
        return {**dict.fromkeys(_FIGURE_KEYS), "n": 0, "reason": not_compared}
    return {
        "statistic": f.statistic,
        "method": f.method,
        "kappa": f.value if f.statistic == "kappa" else None,
        "icc": f.value if f.statistic == "icc" else None,
        "ci95": list(f.ci95) if f.ci95 else None,
        "n": f.n,
        "raters": f.raters,
        "categories": f.categories,
        "dropped": f.dropped,
        "percent_agreement": f.percent_agreement,
        "reason": f.reason,
        "ci_reason": f.ci_reason,
        "caution": f.caution,
    }


_FIGURE_KEYS = tuple(_figure(Figure("kappa", "", None, 0, 0, 0)))
