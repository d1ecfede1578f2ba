"""What changed between two versions of a proposal: a pure diff of two appraisals.

``rendering.compare`` words it as Markdown; the terminal view is
``cohort.present_batch``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..base.errors import UsageError
from ..proposal.model import PROJECT_KEYS
from ..scoring.appraisal import Appraisal, FindingResult

NOT_ANSWERED = "(not answered)"
NO_NOTE = "(no note)"


@dataclass(frozen=True)
class DimensionChange:
    id: str
    label: str
    old: str
    new: str

    @property
    def kind(self) -> str:
        """gained (now addressed), lost (no longer addressed) or changed.

        "unknown" (a question that could raise it is unanswered) is neither
        addressed nor not addressed: going to or from it is a change, not a gain.
        """
        addressed = ("primary", "secondary")
        if self.new in addressed and self.old not in addressed and self.old != "unknown":
            return "gained"
        if self.old in addressed and self.new not in addressed and self.new != "unknown":
            return "lost"
        return "changed"


@dataclass(frozen=True)
class AnswerChange:
    question: str
    prompt: str
    old: str
    new: str


@dataclass(frozen=True)
class ProjectChange:
    """A project detail (title, lead, team, ...) that differs between the versions."""

    field: str
    old: str | tuple[str, ...]  # as the proposal gives it: text, or the team's names
    new: str | tuple[str, ...]

    @property
    def old_shown(self) -> str:
        return _detail(self.old)

    @property
    def new_shown(self) -> str:
        return _detail(self.new)


@dataclass(frozen=True)
class FindingRef:
    id: str
    severity: str
    title: str


@dataclass(frozen=True)
class Comparison:
    old: Appraisal
    new: Appraisal
    score_change: float | None  # None unless both are scored
    position_change: float | None
    dimensions: tuple[DimensionChange, ...]
    resolved: tuple[FindingRef, ...]  # raised before, not now
    raised: tuple[FindingRef, ...]  # new this version
    answers: tuple[AnswerChange, ...]  # in rubric order
    project: tuple[ProjectChange, ...] = ()  # in proposal.PROJECT_KEYS order
    notes: tuple[AnswerChange, ...] = ()  # notes changed: the general one, then by question

    @property
    def band_changed(self) -> bool:
        return _band(self.old) != _band(self.new)

    @property
    def movement(self) -> str:
        """towards reform, towards repair, none, or unknown (either not placed)."""
        if self.position_change is None:
            return "unknown"
        if self.position_change > 0:
            return "towards reform"
        if self.position_change < 0:
            return "towards repair"
        return "none"


def _band(a: Appraisal) -> str | None:
    return a.band.id if a.band else None


def _refs(findings: tuple[FindingResult, ...], ids: set[str]) -> tuple[FindingRef, ...]:
    return tuple(FindingRef(f.id, f.severity, f.title) for f in findings if f.id in ids)


def compare(old: Appraisal, new: Appraisal) -> Comparison:
    """The changes from ``old`` to ``new``; both must be scored with the same rubric."""
    if (old.rubric.id, old.rubric.sha256) != (new.rubric.id, new.rubric.sha256):
        raise UsageError(
            f"cannot compare: {old.file} is scored with {old.rubric.id} {old.rubric.version} "
            f"and {new.file} with {new.rubric.id} {new.rubric.version}; "
            "a comparison only means something against one rubric, so both versions must name "
            "the same rubric file (when the ids match but the files differ, --rubric FILE "
            "scores both with one)"
        )
    score_change = (
        round(new.score - old.score, 1) if old.score is not None and new.score is not None else None
    )
    position_change = (
        round(new.position - old.position, 3)
        if old.position is not None and new.position is not None
        else None
    )
    old_dims = {d.id: d.level for d in old.dimensions}
    dims = tuple(
        DimensionChange(d.id, d.label, old_dims.get(d.id, "none"), d.level)
        for d in new.dimensions
        if old_dims.get(d.id, "none") != d.level
    )
    old_active = {f.id for f in old.active_findings()}
    new_active = {f.id for f in new.active_findings()}
    answers = []
    old_q = {q.id: q for s in old.sections for q in s.questions}
    for s in new.sections:
        for q in s.questions:
            before = old_q.get(q.id)
            was = _shown(before.answered, before.value, before.display) if before else NOT_ANSWERED
            now = _shown(q.answered, q.value, q.display)
            if before is None or (before.answered, _key(before.value)) != (
                q.answered,
                _key(q.value),
            ):
                answers.append(AnswerChange(q.id, q.prompt, was, now))
    project = []
    for name in PROJECT_KEYS:
        was, now = getattr(old.project, name), getattr(new.project, name)
        # Spacing is not a change a reader would see (a folded block, a trailing space).
        if _words(was) != _words(now):
            project.append(ProjectChange(name, was, now))
    notes = []
    if _words(old.note) != _words(new.note):
        notes.append(
            AnswerChange("general", "General note", old.note or NO_NOTE, new.note or NO_NOTE)
        )
    for s in new.sections:
        for q in s.questions:
            was_note = old_q[q.id].note if q.id in old_q else ""
            if _words(was_note) != _words(q.note):
                notes.append(AnswerChange(q.id, q.prompt, was_note or NO_NOTE, q.note or NO_NOTE))
    return Comparison(
        old=old,
        new=new,
        project=tuple(project),
        notes=tuple(notes),
        score_change=score_change,
        position_change=position_change,
        dimensions=dims,
        resolved=_refs(old.active_findings(), old_active - new_active),
        raised=_refs(new.active_findings(), new_active - old_active),
        answers=tuple(answers),
    )


def _note_value(shown: str) -> str | None:
    return None if shown == NO_NOTE else shown


def _words(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(" ".join(v.split()) for v in value)
    return " ".join(str(value).split())


def _json_detail(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value or None


def _detail(value: Any) -> str:
    if isinstance(value, tuple):  # the team
        return "; ".join(value) if value else "(none)"
    return str(value) if value else "(none)"


def _shown(answered: bool, value: Any, display: str) -> str:
    return display if answered else NOT_ANSWERED


def _key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def document(c: Comparison) -> dict[str, Any]:
    """``compare --format json``: a stable, versioned shape."""

    def side(a: Appraisal) -> dict[str, Any]:
        return {
            "file": a.file,
            "title": a.project.title,
            "score": a.score,
            "band": a.band.id if a.band else None,
            "position": a.position,
        }

    return {
        "schema_version": 1,
        "rubric": {"id": c.new.rubric.id, "version": c.new.rubric.version},
        "old": side(c.old),
        "new": side(c.new),
        "score_change": c.score_change,
        "band_changed": c.band_changed,
        "position_change": c.position_change,
        "movement": c.movement,
        "dimensions": [
            {"id": d.id, "old": d.old, "new": d.new, "change": d.kind} for d in c.dimensions
        ],
        "findings_resolved": [f.id for f in c.resolved],
        "findings_new": [f.id for f in c.raised],
        "project_changed": [
            {"field": p.field, "old": _json_detail(p.old), "new": _json_detail(p.new)}
            for p in c.project
        ],
        "notes_changed": [
            {"question": n.question, "old": _note_value(n.old), "new": _note_value(n.new)}
            for n in c.notes
        ],
        "answers_changed": [
            {"question": a.question, "prompt": a.prompt, "old": a.old, "new": a.new}
            for a in c.answers
        ],
    }


LEVEL_WORDS = {
    "primary": "primary",
    "secondary": "secondary",
    "none": "not addressed",
    "unknown": "not known yet",
}
