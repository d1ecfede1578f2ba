"""`agreement`: how consistently raters appraise the same projects, across a cohort."""

import json
from enum import Enum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ...base.errors import EXIT_INVALID, QiAppraiseError, UsageError
from ..util import JobsOption, RubricOption, TemplateDirOption, console, emit, err

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ...base.discover import Found
    from ...base.yamlio import Located
    from ...raters.agreement import Agreement, Grouping, RubricPlan, Sheets
    from ...rubric.read import LoadedRubric


class Format(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"
    md = "md"
    html = "html"


class Method(str, Enum):
    auto = "auto"
    cohen = "cohen"
    fleiss = "fleiss"


#: --output's ending -> the format written when --format is not given.
SUFFIX_FORMATS = {
    ".json": Format.json,
    ".csv": Format.csv,
    ".md": Format.md,
    ".markdown": Format.md,
    ".html": Format.html,
    ".htm": Format.html,
}
#: Notes of one kind named one by one; the rest are counted.
MAX_NOTES = 5
NOT_A_PROPOSAL = "not a proposal (a YAML mapping with a rubric, project or answers key)"


def agreement(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Appraisals and reviews: files, folders (searched recursively) or glob patterns.",
            show_default=False,
        ),
    ],
    format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="text (a table), json, csv, md or html; default: from the --output name, else text.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here (atomically) instead of to stdout."),
    ] = None,
    method: Annotated[
        Method,
        typer.Option(
            "--method",
            help="auto: Cohen's kappa when every project has two raters, else Fleiss'; "
            "cohen: each project's first two raters; fleiss: every rater.",
        ),
    ] = Method.auto,
    agenda: Annotated[
        int,
        typer.Option("--agenda", min=1, help="How many questions the calibration agenda lists."),
    ] = 10,
    jobs: JobsOption = None,
    template_dir: TemplateDirOption = None,
    rubric: RubricOption = None,
) -> None:
    """Measure agreement between raters across a cohort, for a calibration meeting.

    Appraisals of one project are those sharing a project.id, or linked by a
    review's reviews.file (a trainee's file and every review of it);
    projects with one rater are counted and left out. Raters are ordered by
    role (self, supervisor, peer, assessor), then file name.

    Per question: Cohen's kappa when every project has two raters,
    quadratic-weighted for ordered answers; Fleiss' kappa over every rater
    (unweighted) as soon as a project has three or more, each project
    counting once whatever its number of raters; --method forces one. Each
    figure gives the projects behind it and the raw percentage agreement
    (the share of a project's pairs of raters giving the same answer). A multiple choice answer is one category per set chosen;
    "not sure", unanswered and not applicable are not ratings; free text is
    not compared. Numbers and the score: ICC(2,1) with its 95% CI, over
    each project's first k raters (k using the most ratings). The band:
    the same kappa over bands, and the share of projects whose raters agree.
    The agenda lists the questions with the lowest agreement, each with its
    reflective question. Undefined figures show as n/a with the reason;
    figures from fewer projects than the published minimum carry a caution
    naming its source.

    Bad files are listed with their error while the others are read, and
    the exit code is then 2; so is a cohort where no project has two raters.

    Example: qiappraise agreement cohort/ --format html -o calibration.html
    """
    from ...base.discover import expand
    from ...raters import agreement as core

    fmt = _format(format, output)
    found = expand(inputs)
    failed = [(item, f"{item}: {why}") for item, why in found.errors]
    if not found.files and not failed:
        raise UsageError("nothing to compare: give appraisal files, folders or patterns")
    if output is not None:
        from .outputs import guard

        # Before any work: an output must never replace a file this run reads.
        templates = fmt in (Format.md, Format.html)
        guard(
            [*(f.path for f in found.files), rubric],
            template_dir=template_dir,
            templates=templates,
        ).check(output, "--output")
    from .batch import effective_jobs

    by_rubric, read_failed, skipped = _read(found.files, rubric, effective_jobs(jobs))
    failed += read_failed
    sheets = _one_rubric(by_rubric, failed)
    for path, why in skipped:
        err(f"note: skipped {path}: {why}")
    if found.duplicates:
        n = len(found.duplicates)
        err(f"note: {n} file{'s were' if n != 1 else ' was'} reached more than once: read once")
    for _, error in failed:
        err(f"error: {error}")
    if sheets is None:
        err(f"0 read, {len(failed)} failed, {len(skipped)} skipped")
        raise UsageError("none of the files given could be read as an appraisal")
    # Notes on the grouping come first: when no project has two raters, they say why.
    grouping = core.group(sheets.items)
    _notes(grouping)
    g = core.measure(
        sheets.items,
        sheets.plan,
        method=method.value,
        grouping=grouping,
        failures=failed,
        skipped=len(skipped),
    )
    _write(g, fmt, output, agenda, template_dir)
    err(
        f"{g.files} appraisal{'s' * (g.files != 1)} read: "
        f"{g.projects} project{'s' * (g.projects != 1)} compared, {g.single} with one rater "
        f"left out; {len(failed)} failed, {len(skipped)} skipped"
    )
    if failed:
        raise typer.Exit(EXIT_INVALID)


def _format(given: Format | None, output: Path | None) -> Format:
    if given is None:
        if output is None:
            return Format.text
        inferred = SUFFIX_FORMATS.get(output.suffix.lower())
        if inferred is None:
            raise UsageError(
                f"--output {output}: give --format json, csv, md or html "
                "(or a name ending .json, .csv, .md or .html)"
            )
        return inferred
    if given is Format.text and output is not None:
        raise UsageError(
            "--output: the text table is for the terminal; give --format json, csv, md or html"
        )
    return given


#: A file's outcome: ("sheet", rubric sha256, Sheet), ("failed", file, one-line
#: error) or ("skipped", file, why).
Outcome = tuple[str, str, Any]
#: What a worker returns for a chunk: the plans of the rubrics its sheets answer.
Chunk = tuple["dict[str, RubricPlan]", list[Outcome]]


def _read(
    files: "tuple[Found, ...]", rubric: Path | None, jobs: int
) -> "tuple[dict[str, Sheets], list[tuple[str, str]], list[tuple[str, str]]]":
    """Every file read, validated, scored and reduced to a sheet, in worker processes when it pays.

    Returns the sheets by rubric (SHA-256), the files that failed (with a
    one-line error) and those passed over as not proposals. Appraisals never
    leave the process that scored them.
    """
    from ...raters.agreement import Sheets
    from .batch import LazyProgress

    option = str(rubric) if rubric is not None else None
    _reader(option)  # a bad --rubric is the command's error, before any worker starts
    by_rubric: dict[str, Sheets] = {}
    failed: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    progress = LazyProgress(len(files))
    try:
        for plans, outcomes in _chunks(files, option, jobs):
            for kind, where, value in outcomes:
                progress.advance()
                if kind == "sheet":
                    if where not in by_rubric:
                        by_rubric[where] = Sheets(plans[where])
                    by_rubric[where].keep(value)
                elif kind == "failed":
                    failed.append((where, value))
                else:
                    skipped.append((where, value))
    finally:
        progress.close()
    return by_rubric, failed, skipped


def _chunks(files: "tuple[Found, ...]", rubric: str | None, jobs: int) -> "Iterator[Chunk]":
    """Chunks read in file order: here, file by file, or by a pool of workers."""
    from ...cohort import batch

    if jobs <= 1 or len(files) < batch.POOL_THRESHOLD:
        for f in files:
            yield _read_chunk([f], rubric)
        return
    chunks: list[list[Found]] = []
    start = 0
    for size in batch.chunk_sizes(len(files), jobs):
        chunks.append(list(files[start : start + size]))
        start += size
    # batch's workers: they ignore Ctrl-C (the parent handles it), stop on
    # SIGTERM and SIGHUP, and stop when the parent ends.
    with batch.worker_pool(min(jobs, len(chunks))) as pool:
        # Every chunk at once: what comes back is small, and kept anyway.
        yield from pool.map(partial(_read_chunk, rubric=rubric), chunks)


_readers: "dict[str | None, _Reader]" = {}


def _reader(rubric: str | None) -> "_Reader":
    """This process's reader for ``--rubric`` (None: each file's own rubric)."""
    found = _readers.get(rubric)
    if found is None:
        found = _readers[rubric] = _Reader(Path(rubric) if rubric is not None else None)
    return found


def _read_chunk(files: "list[Found]", rubric: str | None) -> Chunk:
    reader = _reader(rubric)
    outcomes = [reader.outcome(f) for f in files]
    return reader.plans, outcomes


class _Reader:
    """Reads proposals as `batch` does; keeps nothing but the rubrics it loaded."""

    def __init__(self, rubric: Path | None) -> None:
        from ...load.pipeline import load_rubric_option

        self.option = load_rubric_option(rubric) if rubric is not None else None
        self.plans: dict[str, RubricPlan] = {}
        self._files: dict[str, Path] = {}  # rubric id -> file: one search per id
        self._loaded: dict[Path, LoadedRubric] = {}

    def outcome(self, f: "Found") -> Outcome:
        try:
            return self._read(f)
        except QiAppraiseError as exc:
            message = " ".join(str(exc).splitlines())
            if not message.startswith(f.path):
                message = f"{f.path}: {message}"
            return "failed", f.path, message
        except RecursionError:
            return "failed", f.path, f"{f.path}: nested too deeply to read"

    def _read(self, f: "Found") -> Outcome:
        from ...base.discover import file_identity
        from ...base.yamlio import load_file
        from ...proposal import model as _proposal
        from ...raters import agreement as core
        from ...scoring.score import score

        located = load_file(f.path)
        if not _proposal.looks_like_proposal(located.data):
            if not f.explicit:
                return "skipped", f.path, NOT_A_PROPOSAL
            # Named on the command line: an error that says what a proposal is.
            _proposal.check_shape(located)
            raise located.error(
                (), "not a proposal: it has none of the keys rubric, project and answers"
            )
        ref = None
        loaded = self.option
        if loaded is None:
            ref = _proposal.rubric_ref(located)
            loaded = self._rubric(located, ref.id)
        proposal = _proposal.validate(located, loaded.rubric, ref=ref)
        plan = self.plans.get(loaded.sha256)
        if plan is None:
            plan = self.plans[loaded.sha256] = core.plan(loaded.rubric, loaded.sha256)
        reviewed = None
        if proposal.reviews is not None:
            reviewed = file_identity(proposal.reviews.path(proposal.file))
        made = core.sheet(
            plan,
            proposal,
            score(loaded.rubric, proposal, sha256=loaded.sha256),
            identity=file_identity(f.path),
            reviewed=reviewed,
        )
        return "sheet", loaded.sha256, made

    def _rubric(self, located: "Located", rubric_id: str) -> "LoadedRubric":
        from ...load.pipeline import rubric_file
        from ...load.rubric import load_rubric

        path = self._files.get(rubric_id)
        if path is None:
            path = self._files[rubric_id] = rubric_file(located, rubric_id)
        loaded = self._loaded.get(path)
        if loaded is None:
            loaded = self._loaded[path] = load_rubric(path)
        return loaded


def _one_rubric(by_rubric: "dict[str, Sheets]", failed: list[tuple[str, str]]) -> "Sheets | None":
    """The rubric most files answer; files answering another are failures."""
    if not by_rubric:
        return None
    chosen = max(by_rubric.values(), key=lambda s: len(s.items))
    for other in by_rubric.values():
        if other is chosen:
            continue
        a, b = other.plan, chosen.plan
        same = a.id == b.id and a.version == b.version
        which = f"{a.id} {a.version}" + (" (an edited copy)" if same else "")
        for s in other.items:
            failed.append(
                (
                    s.file,
                    f"{s.file}: answers {which}, but most files answer {b.id} {b.version}: "
                    "raters are compared on one rubric (--rubric FILE reads every file with one)",
                )
            )
    return chosen


def _notes(g: "Grouping") -> None:
    for ids in g.conflicts[:MAX_NOTES]:
        err(f"note: reviews join the project ids {', '.join(ids)} into one project")
    if len(g.conflicts) > MAX_NOTES:
        err(f"note: and {len(g.conflicts) - MAX_NOTES} more projects with several ids")
    for file in g.unlinked[:MAX_NOTES]:
        err(
            f"note: {file} reviews a file not among those given; "
            "it is compared with other reviews of that file only"
        )
    if len(g.unlinked) > MAX_NOTES:
        err(f"note: and {len(g.unlinked) - MAX_NOTES} more reviews of files not given")
    for s in g.several_self[:MAX_NOTES]:
        project = f"project {s.project_id!r}" if s.project_id else "one project"
        said = f"note: {', '.join(s.files)} are each the team's own appraisal of {project}"
        if s.kept is not None:
            err(f"{said}: {s.kept}, the one a review rates, is compared; the others are left out")
        else:
            err(
                f"{said} (versions, a copy, another rater's file without rater:, or "
                "projects sharing an id), and no review says which is rated: the project "
                "is left out"
            )
    if len(g.several_self) > MAX_NOTES:
        err(
            f"note: and {len(g.several_self) - MAX_NOTES} more projects with several self-appraisals"
        )


def _write(
    g: "Agreement", fmt: Format, output: Path | None, agenda: int, template_dir: Path | None
) -> None:
    from ...raters import agreement as core

    if fmt is Format.text:
        from ...raters.present_agreement import agreement as present

        present(console(), g, agenda=agenda)
        return
    if fmt is Format.json:
        doc = core.document(g, agenda=agenda)
        text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    elif fmt is Format.csv:
        from ...raters.agreement_report import to_csv

        text = to_csv(g)
    else:
        from ...raters.agreement_report import render

        text = render(g, fmt.value, agenda=agenda, template_dir=template_dir)
    if fmt is Format.csv and output is not None:
        from ...base.yamlio import atomic_open

        # Bytes, so the CSV's own CRLF line ends pass through untranslated.
        with atomic_open(output, "wb") as fh:
            fh.write(text.encode("utf-8", "surrogateescape"))
        err(f"wrote {output}")
        return
    emit(text, output)


def register(app: typer.Typer) -> None:
    app.command()(agreement)
