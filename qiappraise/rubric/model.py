"""The rubric model: what a rubric file may say, as frozen pydantic models.

These models are the single source of the rubric format: loading validates
against them, ``rubric schema`` emits their JSON Schema, and the docs describe
them. Semantic checks that need the whole rubric (unknown references, cycles,
findings that can never fire) live in ``qiappraise.load.lint``.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .conditions import Condition, DimensionLevel

Severity = Literal["info", "warning", "error"]
#: What a question's answer feeds. The two axes are kept apart by construction:
#: "score" questions earn points and place nothing, "position" questions place
#: the project on the spectrum and earn nothing, and "profile" questions feed
#: neither (only the dimension profile and findings). See load.lint.
Feeds = Literal["score", "position", "profile"]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
SpectrumPull = float | str


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        ignored_types=(cached_property,),
        # `points: .inf` made every score NaN, which JSON cannot carry and
        # every comparison with a minimum passes (issue 13).
        allow_inf_nan=False,
        # Build each validator when it is first used, not at import: a run on
        # the bundled rubric rebuilds it from a snapshot (rubric.snapshot) and
        # never validates, which saves about 10 ms of every start-up.
        defer_build=True,
    )


class Source(_Model):
    id: Slug
    citation: str = Field(description="Full reference, as it would appear in a bibliography.")
    url: str | None = Field(None, description="Where to read it (never fetched by the tool).")
    licence: str | None = None


class Dimension(_Model):
    id: Slug = Field(description="Key used in JSON output, e.g. patient_centred.")
    label: str
    description: str = ""


class Band(_Model):
    id: Slug
    label: str
    up_to: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Positions below this value fall in this band; the last band has none.",
    )
    anchor: float = Field(ge=0, le=1, description="Position of an answer tagged with this band.")
    description: str = ""
    next_step: str = Field(
        "",
        description="What would move a project in this band one step towards reform.",
    )


class Spectrum(_Model):
    bands: list[Band] = Field(min_length=2, description="From repair (0) to reform (1).")
    description: str = ""
    cite: str = ""
    self_placement: str | None = Field(
        None,
        description=(
            "Id of the question in which the team places its own project (its "
            "choices are band ids); when its answer differs from the computed band "
            "the rubric's 'placement' automatic finding is raised."
        ),
    )
    placed_by: list[str] = Field(
        default_factory=list,
        description=(
            "Position questions that must be answered before the project is "
            "placed at all (in the default rubric: scale and ends, which count "
            "equally); until then the position is 'not placed yet'."
        ),
    )


class Choice(_Model):
    value: Slug
    label: str
    descriptor: str = Field("", description="What this level looks like (shown beside it).")
    points: float | None = Field(
        0,
        ge=0,
        description="Points earned; null means 'not scored' (e.g. not yet known).",
    )
    dimensions: dict[str, DimensionLevel] = Field(
        default_factory=dict,
        description="Dimensions this answer says the project serves.",
    )
    spectrum: SpectrumPull | None = Field(
        None, description="Where this answer places the project: a band id or 0..1."
    )
    exclusive: bool = Field(False, description="Multiple choice: may not be combined.")
    feedback: str = Field("", description="Shown in reports when this answer is given.")
    unsure: bool = Field(
        False,
        description=(
            "A 'not sure' answer: it earns 0 of the question's points, places nothing, "
            "leaves findings that read the question open, and raises the rubric's "
            "not-sure finding with the question's reflective prompt."
        ),
    )
    evidence: bool = Field(
        False,
        description=(
            "A claim a supervisor would want evidence for: without a note on the "
            "question it counts as the level below (the previous choice; for a "
            "multiple choice answer, as not ticked) and is shown as claimed."
        ),
    )
    without_evidence: str | None = Field(
        None,
        description=(
            "The value a claim without evidence counts as, when it is not simply "
            "the nearest level before it."
        ),
    )


class _Question(_Model):
    id: Slug
    prompt: str
    help: str = Field("", description="Why the question matters (the rationale).")
    cite: str = Field("", description="Where the idea comes from, e.g. 'Box 1'.")
    feeds: Feeds = Field(
        description=(
            "What the answer feeds: the critical-engagement score, the spectrum "
            "position, or only the profile (dimensions and findings). Never both axes."
        )
    )
    reflect: str = Field(
        "",
        description=(
            "A reflective question to discuss: shown with a 'not sure' answer and "
            "in a supervisor's conversation about the answer."
        ),
    )
    required: bool = True
    when: Condition | None = Field(None, description="Ask only when this holds.")
    spectrum_weight: float = Field(
        1.0,
        ge=0,
        description="How much this question's answer counts towards the position.",
    )
    invalid_message: str | None = Field(None, description="Shown when an answer is rejected.")

    @property
    def choices_(self) -> list[Choice]:
        return []

    @cached_property
    def choice_by_value(self) -> dict[str, Choice]:
        """The choices by value: answers are looked up for every proposal scored."""
        found: dict[str, Choice] = {}
        for c in self.choices_:
            found.setdefault(c.value, c)  # the first, as a scan would find (lint flags repeats)
        return found


class TextQuestion(_Question):
    type: Literal["text", "long_text"]
    points: float = Field(0, ge=0, description="Earned for any non-empty answer.")
    min_length: int = Field(0, ge=0)
    max_length: int = Field(10_000, ge=1)
    placeholder: str = ""


class ChoiceQuestion(_Question):
    type: Literal["choice", "multi"]
    choices: list[Choice] = Field(min_length=1)
    min_selected: int = Field(0, ge=0, description="Multiple choice: fewest to pick.")
    max_selected: int | None = Field(None, ge=1, description="Multiple choice: most to pick.")
    max_points: float | None = Field(
        None, ge=0, description="Multiple choice: cap on the summed points."
    )

    @property
    def choices_(self) -> list[Choice]:
        return self.choices


class ScaleQuestion(_Question):
    """An anchored scale: ordered levels, lowest first, each with a descriptor."""

    type: Literal["scale"]
    levels: list[Choice] = Field(min_length=2)

    @property
    def choices_(self) -> list[Choice]:
        return self.levels


class YesNoOutcome(_Model):
    label: str | None = None
    points: float | None = Field(0, ge=0)
    dimensions: dict[str, DimensionLevel] = Field(default_factory=dict)
    spectrum: SpectrumPull | None = None
    feedback: str = ""
    evidence: bool = Field(False, description="'yes' only: a claim that needs a note, else 'no'.")


class YesNoQuestion(_Question):
    type: Literal["yes_no"]
    yes: YesNoOutcome = Field(default_factory=YesNoOutcome)
    no: YesNoOutcome = Field(default_factory=YesNoOutcome)

    @cached_property
    def choices_(self) -> list[Choice]:
        # Built once: a batch asks for them for every proposal it scores. Not
        # validated again: every value comes from a validated outcome, and
        # validating would build Choice's validator on every run (about 9 ms).
        # Except an outcome's default points, the integer 0, which validation
        # would make 0.0 (JSON shows the difference): tests/test_snapshot.py
        # holds these equal to validated choices, type for type.
        fields = {"value", "label", "points", "dimensions", "spectrum", "feedback", "evidence"}
        return [
            Choice.model_construct(
                fields,
                value=v,
                label=o.label or v.capitalize(),
                points=None if o.points is None else float(o.points),
                dimensions=o.dimensions,
                spectrum=o.spectrum,
                feedback=o.feedback,
                evidence=o.evidence,
            )
            for v, o in (("yes", self.yes), ("no", self.no))
        ]


class NumberStep(_Model):
    at_least: float
    points: float = Field(ge=0)


class NumberQuestion(_Question):
    type: Literal["number"]
    min: float | None = None
    max: float | None = None
    integer: bool = False
    unit: str = ""
    points: list[NumberStep] = Field(
        default_factory=list,
        description="Points by threshold: the highest step the answer reaches counts.",
    )


Question = Annotated[
    TextQuestion | ChoiceQuestion | ScaleQuestion | YesNoQuestion | NumberQuestion,
    Field(discriminator="type"),
]
QuestionT = TextQuestion | ChoiceQuestion | ScaleQuestion | YesNoQuestion | NumberQuestion


class Cap(_Model):
    """A critical gap that limits a section's score (the RoB 2 pattern)."""

    when: Condition
    max: float = Field(ge=0, le=100, description="Highest section score (0-100) while it holds.")
    reason: str


class Section(_Model):
    id: Slug
    title: str
    why: str = Field(description="Why this matters: shown before the section's questions.")
    cite: str = ""
    weight: float = Field(ge=0, description="Share of the overall score, in percent.")
    questions: list[Question] = Field(min_length=1)
    caps: list[Cap] = Field(default_factory=list)
    reflect: list[str] = Field(
        default_factory=list, description="Questions a supervisor could ask next."
    )


class Finding(_Model):
    id: str = Field(pattern=r"^[A-Z]{2,4}[0-9]{3}$", description="Stable id, e.g. CE001.")
    severity: Severity
    title: str
    when: Condition
    message: str
    rationale: str
    cite: str = ""
    suggestion: str
    concerns: list[str] | None = Field(
        None,
        description="Question ids it concerns; by default those its condition reads.",
    )


class AutoFinding(_Model):
    """A finding raised by the scoring model itself, worded by the rubric."""

    id: str = Field(pattern=r"^[A-Z]{2,4}[0-9]{3}$")
    severity: Severity
    title: str
    message: str
    rationale: str
    cite: str = ""
    suggestion: str


class AutoFindings(_Model):
    """The findings the model raises for answers rather than by a condition."""

    unsure: AutoFinding | None = Field(
        None, description="Raised when any answer is 'not sure'; lists their reflective prompts."
    )
    unevidenced: AutoFinding | None = Field(
        None, description="Raised when a claim that needs evidence has no note; lists them."
    )
    placement: AutoFinding | None = Field(
        None,
        description="Raised when the team's own placement differs from the computed band.",
    )


class Rubric(_Model):
    """A whole rubric file."""

    id: Slug
    version: str = Field(pattern=r"^[0-9]+(\.[0-9]+){0,2}$", description="e.g. 1.0.0")
    title: str
    summary: str
    licence: str
    sources: list[Source] = Field(min_length=1)
    dimensions: list[Dimension] = Field(min_length=1)
    spectrum: Spectrum
    sections: list[Section] = Field(min_length=1)
    findings: list[Finding] = Field(default_factory=list)
    auto_findings: AutoFindings = Field(default_factory=AutoFindings)
    upgrade: str = Field(
        "",
        description="Where a proposal written for an earlier major version learns what changed.",
    )

    @cached_property
    def questions(self) -> dict[str, QuestionT]:
        """Every question by id, in the order they are asked."""
        return {q.id: q for s in self.sections for q in s.questions}

    @cached_property
    def section_of(self) -> dict[str, str]:
        return {q.id: s.id for s in self.sections for q in s.questions}

    def band(self, position: float) -> Band:
        for band in self.spectrum.bands:
            if band.up_to is not None and position < band.up_to:
                return band
        return self.spectrum.bands[-1]

    def pull(self, value: SpectrumPull) -> float:
        """The 0..1 position an answer's spectrum tag stands for."""
        if isinstance(value, (int, float)):
            return float(value)
        for band in self.spectrum.bands:
            if band.id == value:
                return band.anchor
        raise KeyError(value)

    @cached_property
    def level_ranks(self) -> dict[str, dict[str, int]]:
        """For each scale question, the rank of each level (lowest first)."""
        ranks: dict[str, dict[str, int]] = {}
        for q in self.questions.values():
            if isinstance(q, ScaleQuestion):
                levels = ranks[q.id] = {}
                for i, level in enumerate(q.levels):
                    levels.setdefault(level.value, i)  # the first, as a scan would find
        return ranks

    def level_rank(self, question: str, value: Any) -> int | None:
        levels = self.level_ranks.get(question)
        if levels is None or not isinstance(value, str):
            return None  # level values are text: nothing else can match one
        return levels.get(value)


def json_schema() -> dict[str, Any]:
    """JSON Schema of rubric files, generated from the models."""
    schema = Rubric.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "qiappraise rubric"
    return schema
