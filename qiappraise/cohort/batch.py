"""Scoring many proposal files, in parallel, one outcome per file.

The parent process plans the work (``plan``), worker processes score chunks
of files (``score_one``) and return compact results: a summary ``Row`` and
the JSON document already serialised, never the whole ``Appraisal``. Reports
for ``--out`` are rendered and written (atomically) in the worker too, so
the parent's memory grows by one small row per proposal, not by appraisals.

One bad file never stops a batch: every ``QiAppraiseError`` becomes a
``Failed`` outcome carrying its one-line message.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from ..base.discover import Found, relative_names
from ..base.errors import ProblemsError, QiAppraiseError
from ..base.outpaths import unique_stems

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.connection import Connection

    from ..rubric.read import LoadedRubric

#: Report format -> file extension.
REPORT_EXT = {"md": "md", "html": "html"}
#: Below this many files the pool costs more than it saves.
POOL_THRESHOLD = 24
JSON_SCHEMA_VERSION = 1


# Rows are what the parent keeps for every proposal: slots, not a __dict__ each.
@dataclass(frozen=True, slots=True)
class FindingRef:
    id: str
    severity: str
    title: str


@dataclass(frozen=True)
class RubricMeta:
    """What a cohort needs to know about a rubric: its order of things and labels."""

    id: str
    version: str
    title: str
    sha256: str
    sections: tuple[tuple[str, str], ...]  # (id, title)
    dimensions: tuple[tuple[str, str], ...]  # (id, label)
    bands: tuple[tuple[str, str], ...]  # (id, label), repair first


@dataclass(frozen=True, slots=True)
class Row:
    """One scored proposal, as tables, CSV and the cohort report need it."""

    file: str
    relative: str
    title: str
    lead: str
    rubric_sha256: str
    score: float | None
    band: str | None
    band_label: str
    position: float | None
    complete: bool  # every required question answered; else the score is provisional
    sections: tuple[tuple[str, float | None], ...]
    dimensions: tuple[tuple[str, str], ...]  # (id, primary|secondary|none|unknown)
    findings: tuple[FindingRef, ...]  # active (not waived) findings, severity order
    reports: tuple[str, ...] = ()  # report file names inside the output folder
    #: Who rated it: "self" (the project's team) unless the file says otherwise.
    role: str = "self"
    rater: str = ""  # the rater's name, when given
    #: A review: the real path of the appraisal it reviews. "" for any other file.
    reviews: str = ""
    project_id: str = ""

    @property
    def provisional(self) -> bool:
        """Required questions unanswered count as 0: the score is a floor."""
        return not self.complete

    @property
    def second_rater(self) -> bool:
        """Another rater's appraisal: a review (``reviews``), or a rater other than the team."""
        return bool(self.reviews) or self.role != "self"

    def severity_counts(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        return counts

    def addressed(self) -> tuple[str, ...]:
        """Ids of the dimensions served as primary or secondary."""
        return tuple(d for d, level in self.dimensions if level in ("primary", "secondary"))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Rows travel from the workers as plain values and are rebuilt by
        # ``_row``, which shares what repeats between rows (see there).
        return _row, (
            self.file,
            self.relative,
            self.title,
            self.lead,
            self.rubric_sha256,
            self.score,
            self.band,
            self.band_label,
            self.position,
            self.complete,
            self.sections,
            self.dimensions,
            tuple((f.id, f.severity, f.title) for f in self.findings),
            self.reports,
            self.role,
            self.rater,
            self.reviews,
            self.project_id,
        )


#: Values that repeat from row to row (findings, dimension levels, section
#: scores, the rubric's hash), one object each per process and run: the parent
#: keeps a row for every proposal, and copies of these were most of each row.
_shared: dict[Any, Any] = {}
_finding_refs: dict[tuple[str, str, str], FindingRef] = {}


def _share(value: Any) -> Any:
    return _shared.setdefault(value, value)


def _findings(refs: Sequence[tuple[str, str, str]]) -> tuple[FindingRef, ...]:
    out = []
    for ref in refs:
        found = _finding_refs.get(ref)
        if found is None:
            found = _finding_refs[ref] = FindingRef(*ref)
        out.append(found)
    return tuple(out)


def _row(
    file: str,
    relative: str,
    title: str,
    lead: str,
    rubric_sha256: str,
    score: float | None,
    band: str | None,
    band_label: str,
    position: float | None,
    complete: bool,
    sections: tuple[tuple[str, float | None], ...],
    dimensions: tuple[tuple[str, str], ...],
    findings: tuple[tuple[str, str, str], ...],
    reports: tuple[str, ...],
    role: str = "self",
    rater: str = "",
    reviews: str = "",
    project_id: str = "",
) -> Row:
    """A ``Row``, sharing its repeated parts with the rows before it."""
    return Row(
        file=file,
        relative=relative,
        title=title,
        lead=lead,
        rubric_sha256=_share(rubric_sha256),
        score=score,
        band=_share(band),
        band_label=_share(band_label),
        position=position,
        complete=complete,
        # Keyed with the score's type too: ("x", 1) == ("x", 1.0) would share wrongly.
        sections=tuple([_shared.setdefault((s, type(s[1])), s) for s in sections]),
        dimensions=_share(dimensions),
        findings=_findings(findings),
        reports=reports,
        role=_share(role),
        rater=rater,
        reviews=reviews,
        project_id=project_id,
    )


@dataclass(frozen=True)
class Scored:
    row: Row
    # The `score --format json` document as UTF-8: encoded in the worker, so the
    # parent copies bytes to the output without decoding and encoding each one.
    document: bytes
    rubric: RubricMeta | None = None  # sent once per rubric per worker


@dataclass(frozen=True)
class Failed:
    file: str
    error: str
    #: Every problem found, one line each, when there are several (the
    #: cohort report lists them, folded); ``error`` is the first and a count.
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str


Outcome = Scored | Failed | Skipped


@dataclass(frozen=True)
class Task:
    file: str  # as the user would name it; what the documents say
    relative: str
    reports: tuple[tuple[str, str], ...] = ()  # (format, target path)
    explicit: bool = False  # named on the command line: never skipped


@dataclass(frozen=True)
class Options:
    rubric_path: str | None = None
    documents: bool = True  # serialise the JSON document (only --json needs it)
    template_dir: str | None = None


def plan(
    files: Sequence[Found], out_dir: Path | None = None, formats: Sequence[str] = ()
) -> list[Task]:
    """One task per file, with safe, unique report paths when ``out_dir`` is given."""
    relatives = relative_names(list(files))
    stems = unique_stems(relatives) if out_dir is not None else {}
    tasks = []
    for f, rel in zip(files, relatives, strict=True):
        reports: tuple[tuple[str, str], ...] = ()
        if out_dir is not None:
            reports = tuple(
                (fmt, str(out_dir / f"{stems[rel]}.{REPORT_EXT[fmt]}")) for fmt in formats
            )
        tasks.append(Task(file=f.path, relative=rel, reports=reports, explicit=f.explicit))
    return tasks


# --- in the worker -----------------------------------------------------------

_rubric_paths: dict[str, Path] = {}
_sent_rubrics: set[str] = set()
#: Rubrics loaded in this run, by path: one stat and resolve per run, not per file.
_loaded: dict[str, LoadedRubric] = {}
_environments: dict[str | None, Any] = {}


def _rubric_path(rubric_id: str) -> Path:
    # find_rubric lists the rubric folders; once per id and process is enough.
    if rubric_id not in _rubric_paths:
        from ..rubric.read import find_rubric

        _rubric_paths[rubric_id] = find_rubric(rubric_id)
    return _rubric_paths[rubric_id]


def _env(template_dir: str | None) -> Any:
    """The report environment for ``template_dir``, built once per process and folder.

    Keyed by the folder: a later run in the same process (the library, the
    test suite) with another --template-dir must not render with the first's.
    """
    found = _environments.get(template_dir)
    if found is None:
        from ..rendering.report import environment

        found = _environments[template_dir] = environment(template_dir)
    return found


def score_one(task: Task, options: Options) -> Outcome:
    """Score one file; every error a user can cause comes back as ``Failed``."""
    try:
        return _score(task, options)
    except ProblemsError as exc:
        lines = [" ".join(str(p).splitlines()) for p in exc.problems]
        if (rest := exc.omitted_line()) is not None:
            lines.append(rest)
        return Failed(
            task.file, " ".join(str(exc).splitlines()), tuple(lines) if len(lines) > 1 else ()
        )
    except QiAppraiseError as exc:
        return Failed(task.file, " ".join(str(exc).splitlines()))
    except RecursionError:
        return Failed(task.file, "nested too deeply to read")
    except Exception as exc:  # a bug in qiappraise must not lose the other files
        return Failed(task.file, f"internal error: {type(exc).__name__}: {exc}")


def _score(task: Task, options: Options) -> Outcome:
    from ..base.yamlio import load_file
    from ..load.pipeline import rubric_file
    from ..load.rubric import load_rubric
    from ..proposal import model as _proposal
    from ..rendering.jsonout import document_text
    from ..scoring.score import score

    located = load_file(task.file)
    if not _proposal.looks_like_proposal(located.data):
        if task.explicit:
            # Named on the command line: an error that says what a proposal is, not a skip.
            _proposal.check_shape(located)
            raise located.error(
                (), "not a proposal: it has none of the keys rubric, project and answers"
            )
        return Skipped(
            task.file, "not a proposal (a YAML mapping with a rubric, project or answers key)"
        )
    ref = None
    if options.rubric_path is not None:
        rubric_path = options.rubric_path
    else:
        ref = _proposal.rubric_ref(located)
        rubric_path = str(rubric_file(located, ref.id, _rubric_path))
    loaded = _loaded.get(rubric_path)
    if loaded is None:
        loaded = _loaded[rubric_path] = load_rubric(rubric_path)
    rubric = loaded.rubric
    proposal = _proposal.validate(located, rubric, ref=ref)
    a = score(rubric, proposal, sha256=loaded.sha256)
    # surrogateescape: a file name that is not UTF-8 is written back as the
    # bytes it was, as Python's own stdout does with it.
    text = document_text(a).encode("utf-8", "surrogateescape") if options.documents else b""
    written = []
    if task.reports:
        from ..base.yamlio import write_text
        from ..rendering.report import FORMATS, context, render_template, tidy_markdown

        env = _env(options.template_dir)
        ctx = context(a, rubric)
        for fmt, target in task.reports:
            out = render_template(env, FORMATS[fmt], ctx)
            write_text(target, tidy_markdown(out) if fmt == "md" else out)
            written.append(os.path.basename(target))
    row = Row(
        file=task.file,
        relative=task.relative,
        title=a.project.title,
        lead=a.project.lead,
        rubric_sha256=loaded.sha256,
        score=a.score,
        band=a.band.id if a.band else None,
        band_label=a.band.label if a.band else "",
        position=a.position,
        complete=a.complete,
        sections=tuple((s.id, s.score) for s in a.sections),
        dimensions=tuple((d.id, d.level) for d in a.dimensions),
        findings=_findings([(f.id, f.severity, f.title) for f in a.active_findings()]),
        reports=tuple(written),
        role=proposal.rater.role,
        rater=proposal.rater.name,
        reviews=(
            os.path.realpath(proposal.reviews.path(task.file))
            if proposal.reviews is not None
            else ""
        ),
        project_id=proposal.project.id,
    )
    meta = None
    if loaded.sha256 not in _sent_rubrics:
        _sent_rubrics.add(loaded.sha256)
        meta = RubricMeta(
            id=rubric.id,
            version=rubric.version,
            title=rubric.title,
            sha256=loaded.sha256,
            sections=tuple((s.id, s.title) for s in rubric.sections),
            dimensions=tuple((d.id, d.label) for d in rubric.dimensions),
            bands=tuple((b.id, b.label) for b in rubric.spectrum.bands),
        )
    return Scored(row, text, meta)


# --- stopping the workers ------------------------------------------------------
#
# A worker stops when it is told to (SIGTERM or SIGHUP, sent to it or to its
# process group) and when its parent stops or dies: the parent holds the only
# writing end of a pipe whose reading end every worker watches, so the end of
# that pipe reaches the workers however the parent ends, even by SIGKILL. A
# worker stopped while scoring unwinds first, so the report it was writing
# leaves no temporary file (yamlio.atomic_open removes it); idle, it just exits.

#: A worker's exit status when it was stopped (128 + SIGTERM, as a shell reports it).
EXIT_STOPPED = 143
#: How long a worker told to stop may take to unwind before it exits regardless:
#: C code (a huge regular expression, say) delays a Python signal handler.
STOP_GRACE = 2.0

_busy = False  # in _score_chunk: a stop unwinds instead of exiting on the spot
_stopping = False


class _Stop(BaseException):
    """Raised in a worker told to stop while it scores: unwinds, then it exits."""


def _stop_worker(signum: int, frame: object) -> None:
    global _stopping
    if _stopping:
        # Told again (the pipe's end and the pool's terminate() both say so):
        # a second _Stop would cut short the clean-up the first one started.
        return
    _stopping = True
    if _busy:
        raise _Stop
    os._exit(EXIT_STOPPED)


def _watch_parent(reading: Connection) -> None:
    """In a worker's thread: wait for the pipe to end (the parent closed its end), then stop."""
    import threading
    import time

    with contextlib.suppress(EOFError, OSError):
        reading.recv_bytes()  # nothing is ever sent: this returns at the end
    main = threading.main_thread().ident
    if hasattr(signal, "pthread_kill") and main is not None:
        # The signal interrupts whatever the main thread waits on (the pool's
        # queue, a sleep) and runs _stop_worker there.
        signal.pthread_kill(main, signal.SIGTERM)
        time.sleep(STOP_GRACE)
    os._exit(EXIT_STOPPED)


def worker_init(reading: Connection, writing: Connection) -> None:
    import threading

    # Ctrl-C goes to the whole process group. The parent handles it and stops
    # the workers through the pipe, as for everything else.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop_worker)
    # A forked worker inherits the parent's writing end too; while it held
    # one, the pipe would never end.
    writing.close()
    threading.Thread(target=_watch_parent, args=(reading,), daemon=True).start()
    # What the worker inherited (modules, the loaded rubric) lives as long as
    # it does: keep it out of the collector's passes over young objects.
    gc.freeze()


def _score_chunk(tasks: list[Task], options: Options) -> list[Outcome]:
    # Two functions, so that a _Stop raised anywhere while _busy is set is
    # caught here: were it to escape, the pool would send it to the parent as
    # this chunk's result and keep the worker waiting for more.
    try:
        return _score_chunk_busy(tasks, options)
    except _Stop:
        pass
    # Out of the except block the traceback, and the frames it held, are gone:
    # a context manager stopped between its steps (atomic_open, after its
    # yield, before the with block took it) is closed now, and removes its
    # temporary file. Cycles need the collector for that.
    gc.collect()
    os._exit(EXIT_STOPPED)


def _score_chunk_busy(tasks: list[Task], options: Options) -> list[Outcome]:
    global _busy
    _busy = True
    try:
        return [score_one(t, options) for t in tasks]
    finally:
        _busy = False


#: Bounds on the files in one chunk: below MIN_CHUNK the round trips cost
#: more than the scoring; above MAX_CHUNK a slow chunk at the end keeps one
#: core busy while the others wait.
MIN_CHUNK = 4
MAX_CHUNK = 128


def chunk_sizes(n: int, jobs: int) -> list[int]:
    """Sizes for splitting ``n`` tasks among ``jobs`` workers (guided scheduling).

    Each chunk takes about 1/(6 x jobs) of what is left, between MIN_CHUNK and
    MAX_CHUNK: big chunks while there is plenty to do, small ones at the end,
    so the workers finish close together. A batch too small for MIN_CHUNK
    files per worker gets smaller chunks, so that every worker has some.
    """
    # A small batch still goes to every worker: with --out, each file is slow.
    smallest = max(1, min(MIN_CHUNK, n // max(jobs, 1)))
    sizes = []
    left = n
    while left > 0:
        size = min(left, max(smallest, min(MAX_CHUNK, math.ceil(left / (jobs * 6)))))
        sizes.append(size)
        left -= size
    return sizes


def run(tasks: Sequence[Task], options: Options, jobs: int) -> Iterator[Outcome]:
    """Outcomes in task order; in worker processes when it pays."""
    _sent_rubrics.clear()  # a fresh run describes each rubric again
    _loaded.clear()  # and reads them afresh: they may have changed since the last
    _shared.clear()
    _finding_refs.clear()
    if jobs <= 1 or len(tasks) < POOL_THRESHOLD:
        for t in tasks:
            outcome = score_one(t, options)
            if isinstance(outcome, Scored):  # share, as unpickling does for the pool
                row = _row(*outcome.row.__reduce__()[1])
                outcome = Scored(row, outcome.document, outcome.rubric)
            yield outcome
        return
    yield from _pooled(tasks, options, jobs)


def _pooled(tasks: Sequence[Task], options: Options, jobs: int) -> Iterator[Outcome]:
    from collections import deque
    from concurrent.futures import Future

    from ..base.checkpoint import checkpoint

    _prewarm(options)
    chunks = []
    start = 0
    for size in chunk_sizes(len(tasks), jobs):
        chunks.append(list(tasks[start : start + size]))
        start += size
    with worker_pool(min(jobs, len(chunks))) as pool:
        work = partial(_score_chunk, options=options)
        # A bounded window of chunks in flight: results wait in memory only
        # while the parent catches up, so memory does not grow with N.
        pending = iter(chunks)
        futures: deque[Future[list[Outcome]]] = deque()
        for c in pending:
            futures.append(pool.submit(work, c))
            if len(futures) >= 4 * jobs:
                break
        first = True
        while futures:
            outcomes = futures.popleft().result()
            if first:
                checkpoint("batch-running")
                first = False
            nxt = next(pending, None)
            if nxt is not None:
                futures.append(pool.submit(work, nxt))
            yield from outcomes


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers stop with their parent, however it stops.

    The workers watch the reading end of a pipe whose writing end only the
    parent keeps (see "stopping the workers"): when the parent dies, they
    notice. Interrupted, terminated, or the caller stopped reading: the
    workers stop now, each removing the temporary file it was writing,
    rather than finish the chunks they hold. `batch` and `agreement` share it.
    """
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import Pipe

    reading, writing = Pipe(duplex=False)
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=worker_init, initargs=(reading, writing)
    )
    try:
        yield pool
        pool.shutdown(wait=True)
    except BaseException:
        writing.close()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        writing.close()
        reading.close()


def _prewarm(options: Options) -> None:
    """Import and load what every worker needs before the pool forks.

    On platforms that fork, workers inherit the loaded (and linted) rubric and
    compiled modules instead of each repeating the work.
    """
    from ..load.rubric import load_rubric
    from ..rubric.read import DEFAULT_RUBRIC, find_rubric
    from ..scoring import score as scoring  # noqa: F401

    try:
        path = options.rubric_path or str(_rubric_path(DEFAULT_RUBRIC))
        _loaded[path] = load_rubric(path)
        if options.rubric_path is None:
            find_rubric(DEFAULT_RUBRIC)
    except QiAppraiseError:
        pass  # the workers report it, file by file


# --- the JSON export -----------------------------------------------------------


class BytesOut(Protocol):
    def write(self, data: bytes, /) -> int: ...


class TextAsBytes:
    """A text stream taking bytes: for a stdout without a binary buffer."""

    def __init__(self, fh: IO[str]) -> None:
        self.fh = fh

    def write(self, data: bytes, /) -> int:
        return self.fh.write(data.decode("utf-8", "surrogateescape"))


@dataclass
class JsonStream:
    """``{"schema_version", "proposals": [...], "errors", "skipped", "summary"}``, streamed.

    Documents are written as they arrive, one per line, so memory does not
    grow with the number of proposals. The stream is binary: documents come
    from the workers as UTF-8 already.
    """

    fh: BytesOut
    count: int = 0

    def begin(self) -> None:
        self.fh.write(b'{"schema_version": %d,\n"proposals": [\n' % JSON_SCHEMA_VERSION)

    def add(self, document: bytes) -> None:
        if self.count:
            self.fh.write(b",\n")
        self.fh.write(document)
        self.count += 1

    def finish(
        self,
        errors: Sequence[Failed],
        skipped: Sequence[Skipped],
        summary: dict[str, Any],
    ) -> None:
        def dumps(value: Any) -> str:
            return json.dumps(value, ensure_ascii=False, indent=2)

        errors_ = dumps([{"file": e.file, "error": e.error} for e in errors])
        skipped_ = dumps([{"file": s.file, "reason": s.reason} for s in skipped])
        tail = (
            f'\n],\n"errors": {errors_},\n"skipped": {skipped_},\n"summary": {dumps(summary)}\n}}\n'
        )
        self.fh.write(tail.encode("utf-8", "surrogateescape"))


ProgressFn = Callable[[Outcome], None]
