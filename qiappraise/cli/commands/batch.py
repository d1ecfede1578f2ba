"""`batch` and `compare`: a cohort of proposals, and two versions of one."""

import json
import os
import sys
import time
from contextlib import ExitStack
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ...base.errors import EXIT_INVALID, UsageError
from ..util import JobsOption, RubricOption, TemplateDirOption, console, err

if TYPE_CHECKING:
    from rich.progress import Progress

    from ...base.discover import Discovery
    from ...base.outpaths import OutFolder
    from ...cohort.batch import Failed, Task


class Sort(str, Enum):
    score = "score"
    band = "band"
    title_ = "title"  # `title` would shadow str.title
    file = "file"


class ReportFormats(str, Enum):
    html = "html"
    md = "md"
    both = "both"


class CompareFormat(str, Enum):
    text = "text"
    json = "json"
    md = "md"


def default_jobs() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


# More workers than this many per core only add start-up and memory: the work
# is CPU-bound, and `-j 100000` never finished starting its pool.
JOBS_PER_CORE = 4


def effective_jobs(requested: int | None) -> int:
    """Workers to start for ``-j requested``: the cores by default, capped at JOBS_PER_CORE x cores."""
    cores = default_jobs()
    if requested is None:
        return cores
    cap = JOBS_PER_CORE * cores
    if requested > cap:
        err(
            f"note: -j {requested} is more than {JOBS_PER_CORE} workers per core "
            f"({cores} {'core' if cores == 1 else 'cores'} here); using {cap}"
        )
        return cap
    return requested


class LazyProgress:
    """A progress bar on stderr, shown only on a terminal and once work takes a moment."""

    DELAY = 0.5  # seconds before a bar is worth its flicker

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.start = time.monotonic()
        self.enabled = sys.stderr.isatty() and total > 1
        self.progress: Progress | None = None
        self.task: Any = None

    def advance(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        if self.progress is None:
            if time.monotonic() - self.start < self.DELAY or self.done >= self.total:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.progress = Progress(
                "Scoring",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console(stderr=True),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("scoring", total=self.total, completed=self.done)
            return
        self.progress.update(self.task, completed=self.done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _claim_outputs(
    found: "Discovery",
    tasks: "list[Task]",
    formats: tuple[str, ...],
    out: Path | None,
    csv_file: str | None,
    json_file: str | None,
    rubric: Path | None,
    template_dir: Path | None,
    force: bool,
) -> "OutFolder | None":
    """Refuse outputs that would replace an input or a user's file, before any work.

    Returns the --out folder, created and marked as batch's (see outpaths.claim_folder).
    """
    from ...base.outpaths import claim_folder
    from .outputs import guard

    inputs = guard(
        [*(f.path for f in found.files), rubric],
        template_dir=template_dir,
        templates=out is not None,
    )
    for option, target in (("--csv", csv_file), ("--json", json_file)):
        if target is not None and target != "-":
            inputs.check(target, option)
    if out is None:
        return None
    targets = [t for task in tasks for _, t in task.reports]
    targets += [str(out / f"index.{fmt}") for fmt in formats]
    for target in targets:
        inputs.check(target, "--out")
    return claim_folder(out, [os.path.basename(t) for t in targets], force=force)


def _one_line_error(f: "Failed") -> str:
    """``file:line: message``, naming the file once."""
    return f.error if f.error.startswith(f.file) else f"{f.file}: {f.error}"


#: Duplicates named one by one; overlapping patterns can reach thousands twice.
MAX_DUPLICATE_NOTES = 5


def batch(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Proposal files, folders (searched recursively) or glob patterns ('**' for any depth).",
            show_default=False,
        ),
    ],
    jobs: JobsOption = None,
    sort: Annotated[Sort, typer.Option("--sort", help="Order of the terminal table.")] = Sort.score,
    exclude_drafts: Annotated[
        bool,
        typer.Option(
            "--exclude-drafts",
            help="Leave provisional appraisals (required questions unanswered) out of the "
            "cohort's figures: bands, dimensions, findings and the neglect verdict.",
        ),
    ] = False,
    csv_file: Annotated[
        str | None,
        typer.Option("--csv", help="Write one row per proposal to this CSV file ('-': stdout)."),
    ] = None,
    json_file: Annotated[
        str | None,
        typer.Option(
            "--json", help="Write the JSON documents and a summary to this file ('-': stdout)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write one report per proposal and the cohort report here."
        ),
    ] = None,
    report_format: Annotated[
        ReportFormats,
        typer.Option("--report-format", help="Report format for --out: html, md or both."),
    ] = ReportFormats.html,
    template_dir: TemplateDirOption = None,
    rubric: RubricOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into an --out folder that holds files batch did not write, "
            "replacing any that have a report's name.",
        ),
    ] = False,
) -> None:
    """Score a cohort of proposals: a ranked table, exports and a cohort report.

    Files that are not proposals are skipped with a note; a file reached twice
    is scored once; a bad file is listed with its error while the others are
    scored, and the exit code is then 2. With --json - or --csv - stdout
    carries only that data. --out writes into a new or empty folder, or one an
    earlier batch --out filled (it leaves a .qiappraise-batch file listing its
    reports); any other folder needs --force.

    Example: qiappraise batch proposals/ --out review/ --csv scores.csv
    """
    formats = ("html", "md") if report_format is ReportFormats.both else (report_format.value,)
    run_batch(
        inputs,
        jobs=jobs,
        sort=sort,
        exclude_drafts=exclude_drafts,
        csv_file=csv_file,
        json_file=json_file,
        out=out,
        formats=formats,
        template_dir=template_dir,
        rubric=rubric,
        force=force,
    )


def run_batch(
    inputs: list[str],
    *,
    jobs: int | None = None,
    sort: Sort = Sort.score,
    exclude_drafts: bool = False,
    csv_file: str | None = None,
    json_file: str | None = None,
    out: Path | None = None,
    formats: tuple[str, ...] = ("html",),
    template_dir: Path | None = None,
    rubric: Path | None = None,
    force: bool = False,
    cohort_outputs: bool = True,
) -> None:
    """`batch`, and `report` given several files or a folder (``cohort_outputs=False``:
    one report per proposal in ``out``, without the cohort report or the table)."""
    from ...base.discover import expand
    from ...base.outpaths import release_folder
    from ...cohort import batch as core
    from ...cohort.aggregate import aggregate, summary

    if json_file == "-" and csv_file == "-":
        raise UsageError("--json - and --csv - cannot both write to stdout; give one a file")
    found = expand(inputs)
    if out is not None and os.path.lexists(out) and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    tasks = core.plan(found.files, out, formats if out is not None else ())
    failed = [core.Failed(item, f"{item}: {why}") for item, why in found.errors]
    if not tasks and not failed:
        raise UsageError("nothing to score: give proposal files, folders or patterns")
    folder = _claim_outputs(
        found, tasks, formats, out, csv_file, json_file, rubric, template_dir, force
    )
    options = core.Options(
        rubric_path=str(rubric) if rubric is not None else None,
        documents=json_file is not None,
        template_dir=str(template_dir) if template_dir is not None else None,
    )

    rows: list[core.Row] = []
    metas: dict[str, core.RubricMeta] = {}
    # FIFOs and devices a folder search met: never read (a FIFO blocks the reader).
    skipped = [core.Skipped(path, why) for path, why in found.passed_over]
    with ExitStack() as stack:
        json_out: core.BytesOut | None = None
        if json_file == "-":
            sys.stdout.flush()  # the stream writes beneath the text layer
            buffer = getattr(sys.stdout, "buffer", None)  # None: e.g. redirect_stdout(StringIO())
            json_out = buffer if buffer is not None else core.TextAsBytes(sys.stdout)
        elif json_file is not None:
            from ...base.yamlio import atomic_open

            json_out = stack.enter_context(atomic_open(json_file, "wb"))
        stream = core.JsonStream(json_out) if json_out is not None else None
        if stream is not None:
            stream.begin()
        progress = LazyProgress(len(tasks))
        stack.callback(progress.close)
        for outcome in core.run(tasks, options, effective_jobs(jobs)):
            progress.advance()
            if isinstance(outcome, core.Scored):
                rows.append(outcome.row)
                if outcome.rubric is not None:
                    metas.setdefault(outcome.rubric.sha256, outcome.rubric)
                if stream is not None:
                    stream.add(outcome.document)
            elif isinstance(outcome, core.Failed):
                failed.append(outcome)
            else:
                skipped.append(outcome)
        progress.close()
        cohort = aggregate(
            rows,
            list(metas.values()),
            skipped=len(skipped),
            failures=[(f.file, _one_line_error(f)) for f in failed],
            failure_problems={f.file: f.problems for f in failed if f.problems},
            exclude_drafts=exclude_drafts,
        )
        if stream is not None:
            stream.finish(failed, skipped, summary(cohort))
        if csv_file is not None:
            from ...cohort.csvout import to_csv

            text = to_csv(rows, list(metas.values()))
            if csv_file == "-":
                sys.stdout.write(text)
            else:
                from ...base.yamlio import atomic_open

                # newline="" semantics: the CSV already carries its CRLF line ends.
                with atomic_open(csv_file, "wb") as fh:
                    fh.write(text.encode("utf-8", "surrogateescape"))
        # With nothing scored there is no cohort to report on, and last run's
        # cohort report in the folder is better left as it was.
        if out is not None and rows and cohort_outputs:
            from ...base.yamlio import write_text
            from ...cohort.report import render

            for fmt in formats:
                write_text(out / f"index.{fmt}", render(cohort, fmt, template_dir=template_dir))

    for s in skipped:
        err(f"note: skipped {s.file}: {s.reason}")
    # One note per file reached more than once, however often (by its first name).
    again_as: dict[str, str] = {}
    for again, first in found.duplicates:
        if again_as.get(first, first) == first:
            again_as[first] = again  # prefer a different name (a symlink) to show
    for first, again in list(again_as.items())[:MAX_DUPLICATE_NOTES]:
        same = "given more than once" if again == first else f"is the same file as {first}"
        err(f"note: {again} {same}: scored once")
    if len(again_as) > MAX_DUPLICATE_NOTES:
        n = len(again_as) - MAX_DUPLICATE_NOTES
        err(f"note: and {n} more file{'s' if n != 1 else ''} reached more than once, scored once")
    _several_self_notes(cohort.several_self)
    for f in failed:
        err(f"error: {_one_line_error(f)}")
    if json_file != "-" and csv_file != "-" and rows and cohort_outputs:
        from ...cohort.present_batch import cohort_table, review_lines, sort_rows

        band_order = [b for m in metas.values() for b, _ in m.bands]
        labels = {d: label for m in metas.values() for d, label in m.dimensions}
        out_console = console()
        # One line per project: reviews are listed beneath, beside what they review.
        own = [r for r in rows if not r.second_rater]
        if own:
            cohort_table(out_console, sort_rows(own, sort.value, band_order), labels)
        review_lines(out_console, cohort.reviews)
    if out is not None and rows:
        what = " and the cohort report" if cohort_outputs else ""
        err(f"wrote {len(rows)} report{'s' if len(rows) != 1 else ''}{what} to {out}")
    elif out is not None:
        if folder is not None:
            release_folder(folder)
        err(f"nothing was scored, so nothing was written to {out}")
    summary_line = f"{len(rows)} scored, {len(failed)} failed, {len(skipped)} skipped"
    err(summary_line)
    if not rows and not failed:
        # Everything was passed over: most likely the wrong folder.
        err("error: none of the files given is a proposal")
        raise typer.Exit(EXIT_INVALID)
    if failed:
        raise typer.Exit(EXIT_INVALID)


def _several_self_notes(several: "tuple[tuple[str, tuple[str, ...]], ...]") -> None:
    """Name projects with more than one self-appraisal: the cohort counts each.

    The figures count one appraisal per project, the team's own; two files
    that both are (a v1 and a v2 sharing ``project.id``, or a copy) are
    counted twice, and which one is current cannot be told from the files.
    """
    from ...base.textcheck import visible

    for pid, files in several[:MAX_DUPLICATE_NOTES]:
        err(
            f"note: {', '.join(visible(f) for f in files)} are each the team's own "
            f"appraisal of project {visible(pid)!r}, and the cohort counts each: keep the "
            "current version in the cohort, or give different projects different ids"
        )
    if len(several) > MAX_DUPLICATE_NOTES:
        n = len(several) - MAX_DUPLICATE_NOTES
        err(f"note: and {n} more project{'s' if n != 1 else ''} with several self-appraisals")


def compare(
    old: Annotated[Path, typer.Argument(help="The earlier version.", show_default=False)],
    new: Annotated[Path, typer.Argument(help="The later version.", show_default=False)],
    format: Annotated[
        CompareFormat, typer.Option("--format", "-f", help="text, json or md.")
    ] = CompareFormat.text,
    rubric: RubricOption = None,
) -> None:
    """Show what changed between two versions of a proposal.

    Score and band, movement along the spectrum, dimensions gained or lost,
    findings resolved or new, and every answer changed. Both versions must
    answer the same rubric.

    Example: qiappraise compare v1.yaml v2.yaml --format md
    """
    from ...load.pipeline import appraise_file
    from ...scoring import compare as diff

    c = diff.compare(appraise_file(old, rubric), appraise_file(new, rubric))
    if format is CompareFormat.json:
        typer.echo(json.dumps(diff.document(c), indent=2, ensure_ascii=False))
    elif format is CompareFormat.md:
        from ...rendering.compare import render_markdown

        sys.stdout.write(render_markdown(c))
    else:
        from ...cohort.present_batch import comparison

        comparison(console(), c)


def register(app: typer.Typer) -> None:
    app.command()(batch)
    app.command()(compare)
