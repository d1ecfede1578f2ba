"""The result of scoring: frozen values that renderers and exporters read."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ..proposal.model import Project, Rater


@dataclass(frozen=True)
class RubricInfo:
    id: str
    version: str
    title: str
    sha256: str


@dataclass(frozen=True)
class QuestionResult:
    id: str
    prompt: str
    type: str
    applies: bool
    answered: bool
    value: Any  # the answer as given; a multiple choice answer is a tuple
    display: str
    earned: float | None  # None: not scored (a position or profile question, or not applicable)
    maximum: float
    feedback: tuple[str, ...] = ()
    note: str = ""
    feeds: str = "score"  # score | position | profile
    #: answered | not-answered | not-sure | pending (may not apply: an answer it
    #: depends on is not known yet); see answers.py
    status: str = "answered"
    #: A claim that needs evidence and has no note: what was claimed (display);
    #: ``display`` and ``earned`` are what it counts as.
    claimed: str = ""
    reflect: str = ""  # the rubric's reflective question for this one
    pull: float | None = None  # position questions: where the counted answer places it

    @property
    def unevidenced(self) -> bool:
        return bool(self.claimed)

    @property
    def lost(self) -> float:
        return 0.0 if self.earned is None else self.maximum - self.earned


@dataclass(frozen=True)
class CapResult:
    reason: str
    max: float


@dataclass(frozen=True)
class SectionResult:
    id: str
    title: str
    weight: float
    score: float | None  # 0-100 after caps; None when nothing in it is scored yet
    uncapped: float | None
    earned: float
    maximum: float
    caps: tuple[CapResult, ...]
    questions: tuple[QuestionResult, ...]
    reflect: tuple[str, ...] = ()

    @property
    def answered(self) -> int:
        return sum(1 for q in self.questions if q.applies and q.answered)

    @property
    def applicable(self) -> int:
        return sum(1 for q in self.questions if q.applies)


@dataclass(frozen=True)
class DimensionResult:
    id: str
    label: str
    #: primary | secondary | none | unknown (none so far, and a question that
    #: could raise it is not answered yet)
    level: str
    evidence: tuple[str, ...]  # question ids whose answers set the level


@dataclass(frozen=True)
class SpectrumReason:
    question: str
    prompt: str
    answer: str
    pull: float  # 0 = repair .. 1 = reform
    weight: float


@dataclass(frozen=True)
class BandInfo:
    id: str
    label: str
    description: str
    next_step: str


@dataclass(frozen=True)
class FindingResult:
    id: str
    severity: str
    title: str
    message: str
    rationale: str
    cite: str
    suggestion: str
    concerns: tuple[str, ...]
    waived: str | None = None  # the waiver's reason, when the proposal waives it
    #: Lines that say which answers raised it (automatic findings list them).
    details: tuple[str, ...] = ()
    #: Raised because it cannot be ruled out yet: the unanswered or "not sure"
    #: questions whose answers would settle it. Empty: raised by the answers.
    open_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Appraisal:
    file: str
    project: Project
    rubric: RubricInfo
    score: float | None  # 0-100, one decimal
    sections: tuple[SectionResult, ...]
    dimensions: tuple[DimensionResult, ...]
    position: float | None  # 0 = repair .. 1 = reform
    band: BandInfo | None
    reasons: tuple[SpectrumReason, ...]
    findings: tuple[FindingResult, ...]
    missing: tuple[str, ...]  # required questions that apply and are unanswered
    ignored: tuple[str, ...]  # answered, but the question does not apply
    unused_waivers: tuple[str, ...] = ()
    note: str = ""  # the proposal's general note (notes: general), for the reader
    unsure: tuple[str, ...] = ()  # questions answered "not sure"
    unevidenced: tuple[str, ...] = ()  # claims that need evidence and have no note
    self_placement: str | None = None  # the band the team placed its own project in
    #: Who gave the answers (role "self": the team's own appraisal), and, for a
    #: review, the appraisal it reviews as the file names it (``reviews.file``).
    rater: Rater = field(default_factory=Rater)
    reviews: str | None = None

    @property
    def author(self) -> str:
        """Whose answers these are, in a word for labels: "team", "reviewer" or "rater"."""
        return author(self.rater, self.reviews)

    @property
    def reviewed_path(self) -> str | None:
        """The appraisal a review reviews, as a path from here rather than from the review."""
        if self.reviews is None or os.path.isabs(self.reviews):
            return self.reviews
        return os.path.normpath(os.path.join(os.path.dirname(self.file), self.reviews))

    @property
    def rater_words(self) -> str:
        """Who appraised, for a reader; "" for the team's own unnamed appraisal."""
        if self.rater.role == "self" and not self.rater.name and self.reviews is None:
            return ""
        who = f"{self.rater.name or '(no name given)'} ({self.rater.role})"
        return f"{who}, a review of {self.reviewed_path}" if self.reviews is not None else who

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def provisional(self) -> bool:
        """Scored with required questions unanswered: the score can only rise or stay."""
        return bool(self.missing)

    def section(self, section_id: str) -> SectionResult:
        return next(s for s in self.sections if s.id == section_id)

    def dimension(self, dimension_id: str) -> DimensionResult:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def active_findings(self) -> tuple[FindingResult, ...]:
        return tuple(f for f in self.findings if f.waived is None)


def author(rater: Rater, reviews: str | None) -> str:
    """ "team" for the team's own appraisal, "reviewer" for a review, else "rater"."""
    if reviews is not None:
        return "reviewer"
    return "team" if rater.role == "self" else "rater"
