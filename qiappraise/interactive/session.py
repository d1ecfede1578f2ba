"""The state of an interactive appraisal, without any prompting.

A session holds the project metadata and the answers given so far, knows
which steps (metadata fields, then the questions that apply) remain, drops
answers that no longer apply when an earlier answer changes, and turns itself
into the same proposal data a hand-written file holds. ``appraise.py``
drives it with prompts; tests drive it directly.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.errors import InputError, ProblemsError, UsageError
from ..base.yamlio import dump, read_text, write_text
from ..proposal import model as _proposal
from ..rubric.model import QuestionT, Rubric
from ..rubric.questions import AnswerError, kind
from ..rubric.relevance import applicable, effective_answers

if TYPE_CHECKING:
    from ..base.yamlio import Located
    from ..scoring.appraisal import Appraisal


@dataclass(frozen=True)
class MetaField:
    key: str
    prompt: str
    required: bool = False
    help: str = ""


#: The project metadata asked before the rubric, in order.
META_FIELDS: tuple[MetaField, ...] = (
    MetaField("title", "Project title", True, "A short name a supervisor would recognise."),
    MetaField("lead", "Project lead (your name)"),
    MetaField(
        "team",
        "Team members or roles, separated by commas (semicolons if a name has one)",
        False,
        "Use semicolons when a name or role itself contains a comma.",
    ),
    MetaField("setting", "Setting (ward, department, organisation)"),
    MetaField("specialty", "Specialty"),
    MetaField("date", "Date (YYYY-MM-DD)", False, "When the project started or was proposed."),
)

#: The title ``init`` writes into a skeleton (its ``--title`` default): not a
#: title anyone gave, so ``appraise`` asks for one.
PLACEHOLDER_TITLE = "Untitled QI project"

#: Words with which a question, or a choice's label, asks for a note ("say
#: which in a note"): ``appraise`` then asks for one after the answer.
NOTE_ASKED = "in a note"


@dataclass(frozen=True)
class Step:
    """One thing to ask: a metadata field or a rubric question."""

    kind: str  # "meta" or "question"
    key: str

    @property
    def is_question(self) -> bool:
        return self.kind == "question"


@dataclass
class Session:
    rubric: Rubric
    path: Path
    project: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    waivers: list[dict[str, Any]] = field(default_factory=list)
    #: The file's editor modeline (``# yaml-language-server: $schema=...``, as
    #: ``init`` writes), kept at the top when the file is rewritten.
    modeline: str = ""
    #: The file is a skeleton from ``init``: saved as one, filled in, so the
    #: help comments of the questions still open stay in the file.
    skeleton: bool = False
    #: The file's text when the session began ("" for a new file).
    original: str = ""
    #: Steps asked in this session, even if left empty: an empty answer is not
    #: saved, so a later session asks it again.
    visited: set[str] = field(default_factory=set)

    # --- what to ask ---------------------------------------------------------

    def steps(self) -> list[Step]:
        """Every step that applies now, in the order they are asked."""
        meta = [Step("meta", f.key) for f in META_FIELDS]
        return meta + [Step("question", qid) for qid in applicable(self.rubric, self.answers)]

    def is_answered(self, step: Step) -> bool:
        if step.is_question:
            # An optional question left empty is not asked again in this session
            # (it came back at the end of the questions, again and again).
            left = step.key in self.visited and not self.question(step.key).required
            return self.answers.get(step.key) is not None or left
        if step.key == "title":
            title = str(self.project.get("title") or "").strip()
            return bool(title) and title != PLACEHOLDER_TITLE
        # A detail is settled once given, or once asked in this session.
        return step.key in self.visited or self.has_value(step)

    def has_value(self, step: Step) -> bool:
        """Answered with something: visited optional details left empty do not count."""
        if step.is_question:
            return self.answers.get(step.key) is not None
        return self.project.get(step.key) not in (None, "", [], ())

    def first_open(self) -> int | None:
        """Index of the first step still to ask: required or not yet visited."""
        for i, step in enumerate(self.steps()):
            if not self.is_answered(step):
                return i
        return None

    def missing_required(self) -> list[str]:
        return [
            s.key
            for s in self.steps()
            if s.is_question and self.question(s.key).required and not self.is_answered(s)
        ]

    def question(self, qid: str) -> QuestionT:
        return self.rubric.questions[qid]

    def default(self, qid: str) -> Any:
        """What the prompt for ``qid`` starts from: the answer given so far."""
        return self.answers.get(qid)

    def position(self, step: Step) -> tuple[int, int, int, int, str]:
        """(section index, sections, question index, questions in section, section title)."""
        sections = self.rubric.sections
        if not step.is_question:
            return (0, len(sections), 0, 0, "Project details")
        applies = set(applicable(self.rubric, self.answers))
        for si, s in enumerate(sections, 1):
            ids = [q.id for q in s.questions if q.id in applies]
            if step.key in ids:
                return (si, len(sections), ids.index(step.key) + 1, len(ids), s.title)
        raise KeyError(step.key)  # pragma: no cover - steps only name applicable questions

    # --- changing it -----------------------------------------------------------

    def set_answer(self, step: Step, value: Any) -> list[str]:
        """Record an answer; return the ids of answers dropped as no longer relevant."""
        self.visited.add(step.key)
        if not step.is_question:
            self.project[step.key] = value
            return []
        if value is None:
            self.answers.pop(step.key, None)
        else:
            self.answers[step.key] = value
        kept = effective_answers(self.rubric, self.answers)
        dropped = [qid for qid in self.answers if qid not in kept]
        self.answers = {qid: kept[qid] for qid in self.rubric.questions if qid in kept}
        return dropped

    def set_note(self, qid: str, text: str) -> None:
        """The note on ``qid`` (stripped); empty text removes it."""
        put_text(self.notes, qid, text)

    def asks_for_note(self, qid: str) -> bool:
        """The question, or a choice its answer ticks, asks for a note in its wording."""
        q = self.question(qid)
        value = self.answers.get(qid)
        chosen = kind(q).chosen(q, value) if value is not None else []
        return any(NOTE_ASKED in t.casefold() for t in [q.prompt, *(c.label for c in chosen)])

    def meta_default(self, step: Step) -> str:
        """What a project detail's prompt starts from: init's placeholder title is none."""
        shown = self.display(step)
        return "" if step.key == "title" and shown.strip() == PLACEHOLDER_TITLE else shown

    def display(self, step: Step) -> str:
        if not step.is_question:
            value = self.project.get(step.key)
            if isinstance(value, (list, tuple)):
                items = [str(v) for v in value]
                return ("; " if any("," in i for i in items) else ", ").join(items)
            return "" if value is None else str(value)
        value = self.answers.get(step.key)
        if value is None:
            return ""
        q = self.question(step.key)
        return kind(q).display(q, value)

    # --- as a proposal file -------------------------------------------------------

    def to_data(self) -> dict[str, Any]:
        """The proposal as plain data, keys in the order a reader expects."""
        project = {
            f.key: self.project[f.key]
            for f in META_FIELDS
            if self.project.get(f.key) not in (None, "", [], ())
        }
        for key, value in self.project.items():  # keep fields we do not ask about
            if key not in project and value not in (None, "", [], ()):
                project[key] = value
        data: dict[str, Any] = {
            "rubric": {"id": self.rubric.id, "version": self.rubric.version},
            "project": project,
            "answers": dict(self.answers),
        }
        if self.notes:
            data["notes"] = dict(self.notes)
        if self.waivers:
            data["waivers"] = list(self.waivers)
        return data

    def render(self) -> str:
        """The text ``save`` writes."""
        if self.skeleton:
            from ..proposal.skeleton import skeleton

            text = skeleton(self.rubric, schema_ref="", filled=self.to_data())
            # The file's own modeline, as it was (or none, if the user removed it).
            rest = text.split("\n", 1)[1]
            return f"{self.modeline}\n{rest}" if self.modeline else rest
        header = "# Written by `qiappraise appraise`; edit by hand or run it again to continue.\n"
        if self.modeline:
            header = self.modeline + "\n" + header
        return header + dump(self.to_data())

    def save(self) -> None:
        """Write the proposal file atomically (temporary file + rename)."""
        write_text(self.path, self.render())

    def appraisal(self) -> Appraisal:
        """The answers so far, scored as ``score`` would score the saved file."""
        from ..scoring.score import score

        located = _proposal.read_text(dump(self.to_data()), str(self.path))
        return score(self.rubric, _proposal.validate(located, self.rubric))

    def comments_dropped(self) -> list[str]:
        """Comments in the file as it was read that saving would not keep.

        ``appraise`` asks before it rewrites such a file: they are the user's words.
        """
        if not self.original:
            return []
        ours = ""
        if self.skeleton:
            from ..proposal.skeleton import skeleton

            ours = skeleton(self.rubric, schema_ref="")
        return dropped_comments(self.original, self.render(), ours)


def put_text(mapping: dict[str, str], key: str, text: str) -> None:
    """``mapping[key]`` is ``text``, stripped; empty text removes the key."""
    text = text.strip()
    if text:
        mapping[key] = text
    else:
        mapping.pop(key, None)


def dropped_comments(original: str, written: str, ours: str = "") -> list[str]:
    """The comments of ``original`` that neither ``written`` nor ``ours`` has.

    ``ours`` is text whose comments are the tool's own (a pristine skeleton):
    they come back, or give way to answers, and are no loss. Comments are
    found by YAML's own scanner, so a ``#`` inside a quoted or block value is
    never taken for one.
    """
    kept = set(comments(written)) | set(comments(ours))
    # A commented-out line of ours may hold a comment of its own ("# notes:  # optional").
    kept |= {c for line in comments(ours) for c in comments(line.lstrip("#").lstrip())}
    return [c for c in comments(original) if c not in kept]


def comments(text: str) -> list[str]:
    """Every comment in YAML ``text`` (whole lines, or after a value), in order."""
    import yaml

    lines = text.splitlines()
    covered: list[list[tuple[int, float]]] = [[] for _ in lines]
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            start, end = token.start_mark, token.end_mark
            if start.line == end.line:
                if start.line < len(lines):
                    covered[start.line].append((start.column, end.column))
                continue
            for n in range(start.line, min(end.line + 1, len(lines))):
                low = start.column if n == start.line else 0
                high = end.column if n == end.line else float("inf")
                covered[n].append((low, high))
    except yaml.YAMLError:
        pass  # text that no longer scans: the lines scanned so far are known
    out = []
    for n, line in enumerate(lines):
        for col, ch in enumerate(line):
            if ch != "#" or (col and line[col - 1] not in " \t\ufeff"):
                continue
            if any(low <= col < high for low, high in covered[n]):
                continue
            text_ = line[col:].strip()
            if text_.strip("# \t"):
                out.append(text_)
            break
    return out


def new(rubric: Rubric, path: Path) -> Session:
    return Session(rubric=rubric, path=path)


def from_file(rubric: Rubric, path: Path) -> Session:
    """A session continuing an existing proposal file (validated against ``rubric``)."""
    return _from_located(rubric, path, _proposal.read(path))


def _from_located(rubric: Rubric, path: Path, located: Located) -> Session:
    p = _proposal.validate(located, rubric)
    raw_project = located.data.get("project") or {}
    project: dict[str, Any] = {k: v for k, v in raw_project.items() if v is not None}
    if isinstance(project.get("team"), list):
        project["team"] = [str(t) for t in project["team"]]
    raw_waivers = located.data.get("waivers") or []
    modeline, is_skeleton = leading_comments(path)
    return Session(
        modeline=modeline,
        skeleton=is_skeleton,
        original=read_text(path),
        rubric=rubric,
        path=path,
        project=project,
        answers={qid: p.answers[qid] for qid in rubric.questions if qid in p.answers},
        notes=dict(p.notes),
        waivers=[dict(w) for w in raw_waivers if isinstance(w, dict)],
    )


@dataclass(frozen=True)
class Repair:
    """A file that fails to load only because of some of its answers."""

    error: ProblemsError  # every problem, as loading reported them
    cleared: dict[str, str]  # question id (or key) -> why its answer cannot be read
    session: Session  # the file, with those answers cleared


def repair(rubric: Rubric, path: Path, error: ProblemsError) -> Repair | None:
    """The session ``path`` gives once the answers that ``error`` is about are cleared.

    None when clearing answers would not make the file load (its YAML, its
    project details or its notes are wrong too): those are fixed by hand.
    """
    located = _proposal.read(path)
    raw = located.data.get("answers")
    if not isinstance(raw, dict):
        return None
    cleared: dict[str, str] = {}
    for qid, value in raw.items():
        q = rubric.questions.get(qid) if isinstance(qid, str) else None
        if q is None:
            cleared[str(qid)] = "not a question of this rubric"
            continue
        if value is None:
            continue
        try:
            kind(q).coerce(q, value)
        except AnswerError as exc:
            cleared[qid] = str(exc)
    if not cleared:
        return None
    kept = {k: v for k, v in raw.items() if str(k) not in cleared}
    fixed = dataclasses.replace(located, data={**located.data, "answers": kept})
    try:
        session = _from_located(rubric, path, fixed)
    except ProblemsError:
        return None
    return Repair(error=error, cleared=cleared, session=session)


def leading_comments(path: Path) -> tuple[str, bool]:
    """The editor modeline among the file's leading comments (or ""), and
    whether those comments are a skeleton's from ``init``."""
    from ..proposal.skeleton import MARKER

    modeline, is_skeleton = "", False
    try:
        # utf-8-sig: an editor on Windows may have saved the file with a BOM.
        with path.open(encoding="utf-8-sig", errors="replace") as fh:
            for line in fh:
                if not line.strip() or line.rstrip() == "---":
                    continue  # blank lines and a document start may come first
                if not line.startswith("#"):
                    break  # past the leading comments
                if line.lstrip("# \t").startswith("yaml-language-server:"):
                    modeline = line.rstrip("\r\n")
                is_skeleton = is_skeleton or line.rstrip("\r\n") == MARKER
    except OSError:
        pass
    return modeline, is_skeleton


def prefill(session: Session, rubric: Rubric, path: Path) -> int:
    """Fill unanswered questions from another proposal file.

    Only the answers: the other file's title, lead and dates belong to another
    project, and copying them would make it easy to save this one under them.
    """
    other = from_file(rubric, path)
    filled = 0
    for qid, value in other.answers.items():
        if session.answers.get(qid) is None:
            session.answers[qid] = value
            filled += 1
    kept = effective_answers(rubric, session.answers)
    session.answers = {qid: kept[qid] for qid in rubric.questions if qid in kept}
    return filled


def parse_meta(key: str, text: str) -> Any:
    """A metadata answer from typed text; raises ValueError with what is allowed."""
    text = text.strip()
    if key == "title" and not text:
        raise ValueError("a title is required")
    if key == "team":
        sep = ";" if ";" in text else ","
        return [t.strip() for t in text.split(sep) if t.strip()]
    if key == "date" and text:
        try:
            return _dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError("use the form YYYY-MM-DD, e.g. 2026-03-01") from None
    return text


# --- one session per file ------------------------------------------------------------


class Lock:
    """An advisory lock file beside the proposal, so two sessions cannot interleave.

    The lock holds the owner's pid; a lock left by a process that has died is
    taken over, so a crash never blocks the user.
    """

    def __init__(self, path: Path, command: str = "appraise") -> None:
        self.path = path.with_name(f".{path.name}.lock")
        self.command = command  # named in the refusal: the session that holds the file
        self.held = False

    def acquire(self) -> None:
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if self._stale():
                    self.path.unlink(missing_ok=True)
                    continue
                raise UsageError(
                    f"{self.path.name[1:-5]} is open in another `qiappraise {self.command}` session "
                    f"(lock file {self.path}); finish that session first, or delete the lock "
                    "file if no session is running"
                ) from None
            except OSError as exc:
                raise InputError(
                    f"cannot create a lock file: {exc.strerror}", file=self.path
                ) from None
            # Held from here: a signal while the pid is written still removes it.
            self.held = True
            with os.fdopen(fd, "w") as fh:
                fh.write(str(os.getpid()))
            return

    def _stale(self) -> bool:
        try:
            pid = int(self.path.read_text().strip() or "0")
        except (OSError, ValueError):
            return True
        if pid <= 0:
            return True
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def release(self) -> None:
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self) -> Lock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
