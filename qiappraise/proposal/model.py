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

from ..base import textcheck
from ..base.errors import InputError, Problems
from ..base.yamlio import Located, Path_, load_file, load_text
from ..rubric.model import Rubric
from ..rubric.questions import AnswerError, kind

#: Longest allowed value of each project field, in characters (others: 1000).
FIELD_LIMITS = {"title": 300, "summary": 5000}
NOTE_LIMIT = 10_000
REASON_LIMIT = 2000

TOP_KEYS = ("rubric", "project", "answers", "notes", "waivers", "rater", "reviews", "comments")
PROJECT_KEYS = (
    "title",
    "lead",
    "team",
    "setting",
    "specialty",
    "organisation",
    "date",
    "summary",
    "id",
)

#: Who can rate a project: its own team (a self-appraisal) or someone else.
RATER_ROLES = ("self", "supervisor", "peer", "assessor")
REVIEWS_KEYS = ("file", "sha256", "seen", "not_accepted")


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
    #: Any stable string naming the project, so appraisals of it in different
    #: files are matched (a review's ``reviews.file`` matches them too).
    id: str = ""


@dataclass(frozen=True)
class Waiver:
    finding: str
    reason: str
    line: int | None = None

    def as_data(self) -> dict[str, str]:
        """The waiver as a file writes it."""
        return {"finding": self.finding, "reason": self.reason}


@dataclass(frozen=True)
class Rater:
    """Who gave the answers. Without a ``rater`` key a proposal is a self-appraisal."""

    role: str = "self"
    name: str = ""


@dataclass(frozen=True)
class Reviewed:
    """The appraisal a review reviews, as the review records it."""

    file: str  # as written: relative to the review's own folder, or absolute
    sha256: str | None = None  # of the reviewed file's bytes when it was reviewed
    #: The reviewed file's answers and notes when it was reviewed, so that a
    #: later edit can be named question by question. None: not recorded.
    seen_answers: dict[str, Any] | None = None
    seen_notes: dict[str, str] | None = None
    #: The findings it waived then (None: not recorded, as in reviews before 2026-12).
    seen_waivers: tuple[Waiver, ...] | None = None
    #: Claims the reviewer did not accept without evidence.
    not_accepted: tuple[str, ...] = ()

    def path(self, review_file: str | Path) -> Path:
        """Where the reviewed file is, for a review read from ``review_file``."""
        target = Path(self.file)
        return target if target.is_absolute() else Path(review_file).parent / target


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
    rater: Rater = field(default_factory=Rater)
    reviews: Reviewed | None = None  # set: this is a review of another appraisal
    comments: dict[str, str] = field(default_factory=dict)  # a reviewer's, by question id

    @property
    def is_review(self) -> bool:
        return self.reviews is not None

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
    rater = _rater(located, problems)
    reviews = _reviews(located, rubric, problems)
    comments = _notes(located, rubric, problems, ("comments",), general=True)
    if comments and reviews is None:
        problems.append(
            located.error(
                ("comments",),
                "comments: only a review (a file with `reviews:`) comments on another "
                "appraisal's answers; put this rater's own reasoning in notes",
            )
        )
    if reviews is not None and rater.role == "self":
        problems.append(
            located.error(
                ("rater",) if "rater" in data else ("reviews",),
                "rater.role: a review is another rater's appraisal; give rater: {name: ..., "
                f"role: ...}} with role one of {', '.join(RATER_ROLES[1:])}",
            )
        )
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
        rater=rater,
        reviews=reviews,
        comments=comments,
    )


def _rater(located: Located, problems: Problems) -> Rater:
    raw = located.data.get("rater")
    if raw is None:
        return Rater()
    if not isinstance(raw, dict):
        problems.append(
            located.error(
                ("rater",), f"rater: expected a mapping with name and role, not {_what(raw)}"
            )
        )
        return Rater()
    for key in raw:
        if key not in ("name", "role"):
            problems.append(
                located.error(
                    ("rater", key), f"rater: unknown key {key!r}; allowed keys: name, role"
                )
            )
    role, name = raw.get("role"), raw.get("name")
    if role not in RATER_ROLES:
        shown = "missing" if role is None else repr(role)
        hint = ""
        if isinstance(role, str):
            folded = role.strip().casefold()
            hint = (
                f" (did you mean {folded!r}?)"
                if folded in RATER_ROLES
                else _close(folded, RATER_ROLES)
            )
        problems.append(
            located.error(
                ("rater", "role") if role is not None else ("rater",),
                f"rater.role: {shown}{hint}; allowed: {', '.join(RATER_ROLES)} "
                "(self: the project's own team)",
            )
        )
        # Not "self": a review with a mistyped role gets this one error, not a
        # second saying a review cannot be self.
        role = "supervisor"
    if name is None:
        name = ""
    elif not isinstance(name, str):
        problems.append(
            located.error(("rater", "name"), f"rater.name: expected text, not {_what(name)}")
        )
        name = ""
    elif why := _text_problem(name, 200):
        problems.append(located.error(("rater", "name"), f"rater.name: {why}"))
        name = ""
    return Rater(role=str(role), name=name.strip())


def _reviews(located: Located, rubric: Rubric, problems: Problems) -> Reviewed | None:
    raw = located.data.get("reviews")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(
            located.error(
                ("reviews",),
                f"reviews: expected a mapping with file and sha256 (of the appraisal reviewed), not {_what(raw)}",
            )
        )
        return None
    for key in raw:
        if key not in REVIEWS_KEYS:
            problems.append(
                located.error(
                    ("reviews", key),
                    f"reviews: unknown key {key!r}{_close(key, REVIEWS_KEYS)}; allowed keys: {', '.join(REVIEWS_KEYS)}",
                )
            )
    file, digest = raw.get("file"), raw.get("sha256")
    if not isinstance(file, str) or not file.strip():
        problems.append(
            located.error(
                ("reviews", "file") if "file" in raw else ("reviews",),
                "reviews.file: required; the path of the appraisal reviewed, relative to this file",
            )
        )
        file = ""
    elif why := _text_problem(file, 1000):
        problems.append(located.error(("reviews", "file"), f"reviews.file: {why}"))
    if digest is not None and not (
        isinstance(digest, str)
        and len(digest) == 64
        and all(c in "0123456789abcdef" for c in digest.lower())
    ):
        problems.append(
            located.error(
                ("reviews", "sha256"),
                "reviews.sha256: expected the 64 hex digits of the reviewed file's SHA-256 "
                "(`sha256sum FILE`)",
            )
        )
        digest = None
    seen = raw.get("seen")
    seen_answers: dict[str, Any] | None = None
    seen_notes: dict[str, str] | None = None
    seen_waivers: tuple[Waiver, ...] | None = None
    if seen is not None:
        if isinstance(seen, dict):
            for key in seen:
                if key not in ("answers", "notes", "waivers"):
                    problems.append(
                        located.error(
                            ("reviews", "seen", key),
                            f"reviews.seen: unknown key {key!r}; "
                            "allowed keys: answers, notes, waivers",
                        )
                    )
            seen_answers = _answers(located, rubric, problems, ("reviews", "seen", "answers"))
            if "notes" in seen:  # absent: not recorded, which is not "no notes"
                seen_notes = _notes(located, rubric, problems, ("reviews", "seen", "notes"))
            if "waivers" in seen:  # likewise
                seen_waivers = _waivers(located, problems, ("reviews", "seen", "waivers"))
        else:
            problems.append(
                located.error(
                    ("reviews", "seen"),
                    f"reviews.seen: expected a mapping with answers and notes, not {_what(seen)}",
                )
            )
    refused = raw.get("not_accepted")
    not_accepted: list[str] = []
    if refused is not None:
        if not isinstance(refused, list):
            problems.append(
                located.error(
                    ("reviews", "not_accepted"),
                    f"reviews.not_accepted: expected a list of question ids, not {_what(refused)}",
                )
            )
        else:
            for i, qid in enumerate(refused):
                if qid not in rubric.questions:
                    problems.append(
                        located.error(
                            ("reviews", "not_accepted", i),
                            f"reviews.not_accepted[{i}]: unknown question id "
                            f"{qid!r}{_close(qid, list(rubric.questions))}",
                        )
                    )
                elif not any(c.evidence for c in rubric.questions[qid].choices_):
                    problems.append(
                        located.error(
                            ("reviews", "not_accepted", i),
                            f"reviews.not_accepted[{i}]: {qid!r} has no answer the rubric "
                            "marks as a claim needing evidence, so there is nothing to "
                            "accept or not; say what you doubt in comments",
                        )
                    )
                elif qid not in not_accepted:
                    not_accepted.append(qid)
    return Reviewed(
        file=file.strip(),
        sha256=digest.lower() if isinstance(digest, str) else None,
        seen_answers=seen_answers,
        seen_notes=seen_notes,
        seen_waivers=seen_waivers,
        not_accepted=tuple(not_accepted),
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


def _answers(
    located: Located, rubric: Rubric, problems: Problems, at: tuple[str, ...] = ("answers",)
) -> dict[str, Any]:
    """The answers at ``at`` (``answers``, or a review's ``reviews.seen.answers``)."""
    raw = _at(located.data, at)
    name = ".".join(at)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(
            located.error(
                at,
                f"{name}: expected a mapping of question id to answer, not {_what(raw)}",
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
                    (*at, qid),
                    f"{name}.{qid}: unknown question id{_close(qid, list(rubric.questions))}; "
                    f"`qiappraise rubric show {rubric.id}` lists the {len(rubric.questions)} question ids",
                )
            )
            continue
        if value is None:
            continue
        try:
            coerced = kind(q).coerce(q, value)
        except AnswerError as exc:
            problems.append(located.error((*at, qid), f"{name}.{qid}: {exc}"))
            continue
        if coerced is not None:
            out[qid] = coerced
    return out


def _notes(
    located: Located,
    rubric: Rubric,
    problems: Problems,
    at: tuple[str, ...] = ("notes",),
    *,
    general: bool = True,
) -> dict[str, str]:
    """Text by question id at ``at`` (``notes``, a review's ``comments``, ...).

    ``general``: the key ``general`` (and a bare text) is the note on the whole.
    """
    raw = _at(located.data, at)
    name = ".".join(at)
    if raw is None:
        return {}
    if isinstance(raw, str) and general:  # `notes: text` is the general note
        raw = {"general": raw}
    if not isinstance(raw, dict):
        problems.append(
            located.error(
                at,
                f"{name}: expected a mapping of question id to text, not {_what(raw)}",
            )
        )
        return {}
    allowed = "a question id or 'general'" if general else "a question id"
    out: dict[str, str] = {}
    for key, value in raw.items():
        if not (general and key == "general") and key not in rubric.questions:
            if problems.counted_if_full():
                continue
            problems.append(
                located.error(
                    (*at, key),
                    f"{name}.{key}: unknown question id{_close(key, list(rubric.questions))}; use {allowed}",
                )
            )
        elif value is not None and not isinstance(value, (str, int, float)):
            problems.append(
                located.error((*at, key), f"{name}.{key}: expected text, not {_what(value)}")
            )
        elif value is not None:
            why = _text_problem(str(value), NOTE_LIMIT, multiline=True)
            if why:
                problems.append(located.error((*at, key), f"{name}.{key}: {why}"))
            else:
                out[key] = str(value)
    return out


def _at(data: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in nested mappings, or None where a step is missing."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _waivers(
    located: Located, problems: Problems, where: tuple[str, ...] = ("waivers",)
) -> tuple[Waiver, ...]:
    """The waivers at ``where``: the file's own, or those a review saw (reviews.seen.waivers)."""
    raw = _at(located.data, where)
    name = ".".join(where)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(
            located.error(where, f"{name}: expected a list of {{finding: ID, reason: text}}")
        )
        return ()
    out: list[Waiver] = []
    for i, item in enumerate(raw):
        path: Path_ = (*where, i)
        if not isinstance(item, dict):
            problems.append(
                located.error(path, f"{name}[{i}]: expected a mapping with finding and reason")
            )
            continue
        extra = sorted(set(item) - {"finding", "reason"})
        if extra:
            problems.append(
                located.error(
                    (*path, extra[0]),
                    f"{name}[{i}]: unknown key {extra[0]!r}; allowed keys: finding, reason",
                )
            )
            continue
        finding, reason = item.get("finding"), item.get("reason")
        if not isinstance(finding, str) or not finding:
            problems.append(
                located.error(
                    path,
                    f"{name}[{i}].finding: required; the id of the finding waived, e.g. CE004",
                )
            )
        elif not isinstance(reason, str) or not reason.strip():
            problems.append(
                located.error(
                    path,
                    f"{name}[{i}].reason: required; say why {finding} does not apply",
                )
            )
        elif why := _text_problem(reason, REASON_LIMIT, multiline=True):
            problems.append(located.error((*path, "reason"), f"{name}[{i}].reason: {why}"))
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
