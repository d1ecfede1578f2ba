"""`score` and `report`: one proposal (or several) in, an appraisal out."""

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..util import RubricOption, TemplateDirOption, console, emit, report_error


class Format(str, Enum):
    text = "text"
    json = "json"


class ReportFormat(str, Enum):
    md = "md"
    html = "html"


def score(
    files: Annotated[list[Path], typer.Argument(help="Proposal YAML files.", show_default=False)],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    rubric: RubricOption = None,
) -> None:
    """Score proposal files against their rubric.

    Prints a summary per file on the terminal, or with --format json a JSON
    array with one document per file, in the order given. A proposal with
    required questions unanswered is scored as provisional: they count as 0,
    so its score can only rise as they are answered. A file that cannot be
    scored is reported and the others are still shown; the exit code is then
    2. For a folder, use `qiappraise batch`.

    Example: qiappraise score examples/cypic.yaml
    """
    _no_folders(files)
    if format is Format.json:
        _json_array(files, rubric)
        return
    from ...base.errors import QiAppraiseError
    from ...load.pipeline import appraise_file
    from ...rendering import present

    # Each file is scored and shown in turn, so memory stays flat however many
    # files are given; a file that cannot be scored is reported in its place.
    out = console()
    failed: QiAppraiseError | None = None
    shown = 0
    for f in files:
        try:
            a = appraise_file(f, rubric)
        except QiAppraiseError as exc:
            out.file.flush()
            report_error(exc)
            failed = failed or exc
            continue
        if shown:
            out.rule()
        present.appraisal(out, a)
        shown += 1
    if failed is not None:
        raise typer.Exit(failed.exit_code)


def _no_folders(files: list[Path]) -> None:
    """A folder given to `score` is a usage error that names the command for folders."""
    from ...base.errors import UsageError

    for f in files:
        if f.is_dir():
            raise UsageError(
                f"{f}: is a folder; `qiappraise batch {f}` scores every proposal in it"
            )


# Above this, the JSON array waits on disk instead of in memory.
_SPOOL_BYTES = 8 << 20


def _json_array(files: list[Path], rubric: Path | None) -> None:
    """Print the JSON array of the documents of the files that can be scored.

    Holding every appraisal until the end made memory grow with the file
    count (657 MB for 5,000 files). Each document is serialised as soon as
    its file is scored and the appraisal dropped; the text waits in a spooled
    temporary file, so stdout gets one whole array, never a partial one. A
    file that cannot be scored is reported on stderr and left out of the
    array, and the exit code is then 2. The bytes are those of
    ``json.dumps(list, indent=2)``: a document's lines indented two more
    spaces inside the array.
    """
    # Here, not at the top: every command imports this module, only this needs them.
    import shutil
    import tempfile
    import textwrap

    from ...base.errors import QiAppraiseError
    from ...load.pipeline import appraise_file
    from ...rendering.jsonout import document

    failed: QiAppraiseError | None = None
    with tempfile.SpooledTemporaryFile(_SPOOL_BYTES, mode="w+", encoding="utf-8") as buf:
        buf.write("[")
        n = 0
        for f in files:
            try:
                doc = document(appraise_file(f, rubric))
            except QiAppraiseError as exc:
                report_error(exc)
                failed = failed or exc
                continue
            text = json.dumps(doc, indent=2, ensure_ascii=False)
            buf.write(",\n" if n else "\n")
            buf.write(textwrap.indent(text, "  "))
            n += 1
        buf.write("\n]\n" if n else "]\n")
        buf.seek(0)
        shutil.copyfileobj(buf, sys.stdout)
    if failed is not None:
        raise typer.Exit(failed.exit_code)


def report(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="A proposal YAML file; or several, or folders, with -o DIR.",
            show_default=False,
        ),
    ],
    format: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="md (Markdown) or html; default: from the --output name (.html, .htm), else md "
            "(html for a folder of reports).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write here (atomically) instead of to stdout; a folder for several files.",
        ),
    ] = None,
    template_dir: TemplateDirOption = None,
    rubric: RubricOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="With a folder: write into one that holds files qiappraise did not write.",
        ),
    ] = False,
) -> None:
    """Write an appraisal report in Markdown or HTML.

    One file: the report goes to stdout or to -o FILE. Several files, or a
    folder (searched like `batch` does): one report per proposal in -o DIR,
    named after each file, as `batch --out` writes them but without the
    cohort report; a file that cannot be scored is reported and the exit
    code is then 2.

    Example: qiappraise report examples/cypic.yaml --format html -o cypic.html
    """
    if len(files) > 1 or files[0].is_dir():
        _reports_into_folder(files, format, output, template_dir, rubric, force)
        return
    from ...load.pipeline import resolve
    from ...rendering.report import render
    from ...scoring.score import score as score_proposal

    file = files[0]
    proposal, loaded = resolve(file, rubric)
    appraisal = score_proposal(loaded.rubric, proposal, sha256=loaded.sha256)
    if format is None:
        suffix = output.suffix.lower() if output is not None else ""
        format = ReportFormat.html if suffix in (".html", ".htm") else ReportFormat.md
    if output is not None:
        from .outputs import guard

        # Checked before rendering: `report p.yaml -o p.yaml` replaced the proposal.
        inputs = [file, rubric, loaded.path]
        guard(inputs, template_dir=template_dir, templates=True).check(output, "--output")
    text = render(appraisal, loaded.rubric, format.value, template_dir=template_dir)
    emit(text, output)


def _reports_into_folder(
    files: list[Path],
    format: ReportFormat | None,
    output: Path | None,
    template_dir: Path | None,
    rubric: Path | None,
    force: bool,
) -> None:
    """`report` with several files or a folder: `batch --out` without the cohort report."""
    from ...base.errors import UsageError
    from .batch import run_batch

    if output is None:
        folders = [str(f) for f in files if f.is_dir()]
        what = f"{folders[0]}: a folder" if folders else "several files"
        raise UsageError(
            f"{what} makes a report per proposal: give a folder for them with -o DIR "
            "(or use `qiappraise batch` for a cohort report too)"
        )
    if output.exists() and not output.is_dir():
        what = next((f"{f}: a folder" for f in files if f.is_dir()), "several files")
        raise UsageError(
            f"{what} makes a report per proposal, so -o must be a folder; {output} is a file"
        )
    run_batch(
        [str(f) for f in files],
        out=output,
        formats=((format or ReportFormat.html).value,),
        template_dir=template_dir,
        rubric=rubric,
        force=force,
        cohort_outputs=False,
    )


def register(app: typer.Typer) -> None:
    app.command()(score)
    app.command()(report)
