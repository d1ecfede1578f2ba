"""Proposal files: a project's metadata and its answers to a rubric.

A proposal is what a trainee writes (by hand or through ``appraise``), what a
supervisor batch-scores and what CI checks. Reading one is two steps: the
YAML is read and its rubric reference found (``read``), then the answers are
checked against that rubric (``validate``), every problem with its line.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import textcheck
from .errors import InputError, Problems
from .questions import AnswerError, kind
from .rubric import Rubric
from .yamlio import Located, load_file, load_text

#: Longest allowed value of each project field, in characters (others: 1000).
FIELD_LIMITS = {"title": 300, "summary": 5000}
NOTE_LIMIT = 10_000
REASON_LIMIT = 2000

TOP_KEYS = ("rubric", "project", "answers", "notes", "waivers")
PROJECT_KEYS = (
    "title",
    "lead",
    "team",
    "setting",
    "specialty",
    "organisation",
    "date",
    "summary",
)


@dataclass(frozen=True)
class Project:
    title: str
    lead: str = ""
    team: tuple[str, ...] = ()
    setting: str = ""
    specialty: str = ""
    organisation: str = ""
    date: str = ""
    summary: str = ""


@dataclass(frozen=True)
class Waiver:
    finding: str
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class RubricRef:
    id: str
    version: str | None = None


@dataclass(frozen=True)
class Proposal:
    """A validated proposal: answers already checked against its rubric."""

    file: str
    rubric: RubricRef
    project: Project
    answers: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict, compare=False)

    def line_of(self, *path: str | int) -> int | None:
        """Line of a key in the file (or of its nearest parent), for annotations."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return None


#: A YAML mapping with any of these keys is taken for a proposal when folders
#: are searched; anything else (a rubric, a CI config) is passed over.
PROPOSAL_MARKERS = frozenset({"rubric", "project", "answers"})


def looks_like_proposal(data: Any) -> bool:
    return isinstance(data, dict) and not PROPOSAL_MARKERS.isdisjoint(data)


def read(path: str | Path) -> Located:
    """Read a proposal file and check that it is a mapping naming a rubric."""
    located = load_file(path)
    check_shape(located)
    return located


def read_text(text: str, file: str) -> Located:
    located = load_text(text, file)
    check_shape(located)
    return located


def check_shape(located: Located) -> None:
    data = located.data
    if not isinstance(data, dict):
        raise InputError(
            "a proposal must be a YAML mapping with the keys "
            + ", ".join(TOP_KEYS)
            + f", not {_what(data)}",
            file=located.file,
            line=1,
        )


def rubric_ref(located: Located) -> RubricRef:
    """Which rubric the proposal says it answers."""
    raw = located.data.get("rubric")
    if raw is None:
        raise located.error(
            (),
            "no 'rubric' key: say which rubric this answers, e.g. rubric: {id: critical-engagement, version: 1.0.0}",
        )
    if isinstance(raw, str):
        name, _, ver = raw.partition("@")
        return RubricRef(name.strip(), ver.strip() or None)
    if isinstance(raw, dict):
        extra = sorted(set(raw) - {"id", "version"})
        if extra:
            raise located.error(
                ("rubric", extra[0]),
                f"rubric: unknown key {extra[0]!r}; allowed keys: id, version",
            )
        rid: Any = raw.get("id")
        version: Any = raw.get("version")
        if not isinstance(rid, str) or not rid:
            raise located.error(("rubric",), "rubric.id: expected the rubric's id as text")
        if version is not None and not isinstance(version, (str, int, float)):
            raise located.error(
                ("rubric", "version"),
                "rubric.version: expected a version such as 1.0.0",
            )
        return RubricRef(rid, str(version) if version is not None else None)
    raise located.error(
        ("rubric",), f"rubric: expected a mapping with id and version, not {_what(raw)}"
    )


def validate(located: Located, rubric: Rubric, *, ref: RubricRef | None = None) -> Proposal:
    """Check a read proposal against ``rubric``; report every problem at once.

    ``ref`` is ``rubric_ref(located)`` when the caller has already read it.
    """
    data: dict[str, Any] = located.data
    problems = Problems()
    if ref is None:
        ref = rubric_ref(located)
    if ref.id != rubric.id:
        problems.append(
            located.error(
                ("rubric", "id"),
                f"rubric.id: this proposal answers {ref.id!r}, but the rubric given is {rubric.id!r}",
            )
        )
    if ref.version is not None and ref.version.split(".")[0] != rubric.version.split(".")[0]:
        problems.append(
            located.error(
                ("rubric", "version"),
                f"rubric.version: written for {ref.id} {ref.version}, but the rubric here is "
                f"{rubric.version}, a different major version whose questions and scoring "
                f"differ; " + (rubric.upgrade or "answer the new questions, then set the version"),
            )
        )
        # Every answer would be checked against questions it was not written
        # for: one clear error says what to do, instead of a screenful.
        raise problems.error()
    for key in data:
        if key not in TOP_KEYS:
            if problems.counted_if_full():
                continue
            problems.append(
                located.error(
                    (key,),
                    f"unknown key {key!r}{_close(key, TOP_KEYS)}; allowed keys: {', '.join(TOP_KEYS)}",
                )
            )
    project = _project(located, problems)
    answers = _answers(located, rubric, problems)
    notes = _notes(located, rubric, problems)
    waivers = _waivers(located, problems)
    if problems:
        raise problems.error()
    return Proposal(
        file=located.file,
        rubric=ref,
        project=project,
        answers=answers,
        notes=notes,
        waivers=waivers,
        lines=located.lines,
    )


def _project(located: Located, problems: Problems) -> Project:
    raw = located.data.get("project")
    if raw is None:
        problems.append(located.error((), "no 'project' key: give at least project.title"))
        return Project(title="")
    if not isinstance(raw, dict):
        problems.append(
            located.error(
                ("project",),
                f"project: expected a mapping (title, lead, ...), not {_what(raw)}",
            )
        )
        return Project(title="")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in PROJECT_KEYS:
            if problems.counted_if_full():
                continue
            problems.append(
                located.error(
                    ("project", key),
                    f"project: unknown key {key!r}{_close(key, PROJECT_KEYS)}; allowed keys: {', '.join(PROJECT_KEYS)}",
                )
            )
            continue
        if value is None:
            continue
        if key == "team":
            items = value if isinstance(value, list) else [value]
            if not all(isinstance(i, (str, int, float)) and not isinstance(i, bool) for i in items):
                problems.append(
                    located.error(
                        ("project", key),
                        "project.team: expected a list of names or roles",
                    )
                )
                continue
            team = tuple(str(i) for i in items)
            why = next((w for t in team if (w := _text_problem(t, 200))), None)
            if why is None and len(team) > 100:
                why = f"{len(team)} members; at most 100"
            if why:
                problems.append(located.error(("project", key), f"project.team: {why}"))
                continue
            values[key] = team
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = str(value)
            why = _text_problem(text, FIELD_LIMITS.get(key, 1000), multiline=key == "summary")
            if why is None and key == "date":
                why = _date_problem(text)
            if why:
                problems.append(located.error(("project", key), f"project.{key}: {why}"))
                continue
            values[key] = text
        else:
            problems.append(
                located.error(
                    ("project", key),
                    f"project.{key}: expected text, not {_what(value)}",
                )
            )
    if not str(values.get("title", "")).strip():
        if raw.get("title") is not None and "title" not in values:
            pass  # given but refused above: that message says what is wrong
        elif "title" not in values:
            problems.append(
                located.error(("project",), "project.title: required; give the project's title")
            )
        else:
            problems.append(located.error(("project", "title"), "project.title: must not be empty"))
        values["title"] = ""
    return Project(**values)


def _answers(located: Located, rubric: Rubric, problems: Problems) -> dict[str, Any]:
    raw = located.data.get("answers")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(
            located.error(
                ("answers",),
                f"answers: expected a mapping of question id to answer, not {_what(raw)}",
            )
        )
        return {}
    out: dict[str, Any] = {}
    for qid, value in raw.items():
        q = rubric.questions.get(qid)
        if q is None:
            if problems.counted_if_full():
                continue
            problems.append(
                located.error(
                    ("answers", qid),
                    f"answers.{qid}: unknown question id{_close(qid, list(rubric.questions))}; "
                    f"`qiappraise rubric show {rubric.id}` lists the {len(rubric.questions)} question ids",
                )
            )
            continue
        if value is None:
            continue
        try:
            coerced = kind(q).coerce(q, value)
        except AnswerError as exc:
            problems.append(located.error(("answers", qid), f"answers.{qid}: {exc}"))
            continue
        if coerced is not None:
            out[qid] = coerced
    return out


def _notes(located: Located, rubric: Rubric, problems: Problems) -> dict[str, str]:
    raw = located.data.get("notes")
    if raw is None:
        return {}
    if isinstance(raw, str):  # `notes: text` is the general note
        raw = {"general": raw}
    if not isinstance(raw, dict):
        problems.append(
            located.error(
                ("notes",),
                f"notes: expected a mapping of question id to text, not {_what(raw)}",
            )
        )
        return {}
    out: dict[str, str] = {}
    for key, value in raw.items():
        if key != "general" and key not in rubric.questions:
            if problems.counted_if_full():
                continue
            problems.append(
                located.error(
                    ("notes", key),
                    f"notes.{key}: unknown question id{_close(key, list(rubric.questions))}; use a question id or 'general'",
                )
            )
        elif value is not None and not isinstance(value, (str, int, float)):
            problems.append(
                located.error(("notes", key), f"notes.{key}: expected text, not {_what(value)}")
            )
        elif value is not None:
            why = _text_problem(str(value), NOTE_LIMIT, multiline=True)
            if why:
                problems.append(located.error(("notes", key), f"notes.{key}: {why}"))
            else:
                out[key] = str(value)
    return out


def _waivers(located: Located, problems: Problems) -> tuple[Waiver, ...]:
    raw = located.data.get("waivers")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(
            located.error(("waivers",), "waivers: expected a list of {finding: ID, reason: text}")
        )
        return ()
    out: list[Waiver] = []
    for i, item in enumerate(raw):
        path = ("waivers", i)
        if not isinstance(item, dict):
            problems.append(
                located.error(path, f"waivers[{i}]: expected a mapping with finding and reason")
            )
            continue
        extra = sorted(set(item) - {"finding", "reason"})
        if extra:
            problems.append(
                located.error(
                    (*path, extra[0]),
                    f"waivers[{i}]: unknown key {extra[0]!r}; allowed keys: finding, reason",
                )
            )
            continue
        finding, reason = item.get("finding"), item.get("reason")
        if not isinstance(finding, str) or not finding:
            problems.append(
                located.error(
                    path,
                    f"waivers[{i}].finding: required; the id of the finding waived, e.g. CE004",
                )
            )
        elif not isinstance(reason, str) or not reason.strip():
            problems.append(
                located.error(
                    path,
                    f"waivers[{i}].reason: required; say why {finding} does not apply",
                )
            )
        elif why := _text_problem(reason, REASON_LIMIT, multiline=True):
            problems.append(located.error((*path, "reason"), f"waivers[{i}].reason: {why}"))
        else:
            out.append(Waiver(finding, reason.strip(), located.line(path)))
    return tuple(out)


def _close(word: str, options: Any) -> str:
    match = difflib.get_close_matches(str(word), list(options), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _what(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "nothing"
    return "text"


def _text_problem(text: str, limit: int, *, multiline: bool = False) -> str | None:
    """Why a piece of user text is refused (too long, or hidden characters)."""
    if len(text) > limit:
        return f"too long ({len(text)} characters; at most {limit})"
    return textcheck.problem(text, multiline=multiline)


def _date_problem(text: str) -> str | None:
    """Dates are ISO dates, so they sort and read the same for everyone."""
    import datetime as _dt

    try:
        _dt.date.fromisoformat(text[:10] if "T" in text or " " in text[10:11] else text)
    except ValueError:
        return f"{text!r} is not a date; use the form YYYY-MM-DD, e.g. 2026-03-01"
    return None
