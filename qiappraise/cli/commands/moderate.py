"""`moderate`: a second rater's appraisal beside the first, as the agenda for a conversation."""

import hashlib
import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..util import RubricOption, TemplateDirOption, console, emit


class ModerateFormat(str, Enum):
    text = "text"
    json = "json"
    md = "md"
    html = "html"


def moderate(
    first: Annotated[
        Path, typer.Argument(help="An appraisal (e.g. the trainee's).", show_default=False)
    ],
    second: Annotated[
        Path,
        typer.Argument(
            help="Another appraisal of the same project (e.g. a review).", show_default=False
        ),
    ],
    format: Annotated[
        ModerateFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="text, json, md (Markdown) or html; default: text, or with --output from its "
            "name (.html, .htm: html; .json: json; else md).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write json, md or html here (atomically) instead of to stdout.",
        ),
    ] = None,
    all_: Annotated[
        bool,
        typer.Option("--all", help="text: list every disagreement, not only the first ten."),
    ] = False,
    template_dir: TemplateDirOption = None,
    rubric: RubricOption = None,
) -> None:
    """Put two appraisals of one project side by side.

    Both scores, bands and positions; each answer with how close the raters
    are (same; adjacent, for ordered answers; apart); the disagreements that
    move the score or the position most first, each with the rubric's
    reflective question to discuss; claims the reviewer did not accept
    without evidence; findings raised for one rater only. The reviewed file
    comes first whatever the order given. A warning (not an error) says when
    the reviewed file changed after the review.

    --format md or html writes the same as a report, with every
    disagreement, both raters' notes and every question, from the templates
    moderation.md.j2 and moderation.html.j2 (--template-dir overrides them
    by name). --output never replaces either appraisal, the rubric or a
    template.

    Example: qiappraise moderate trainee/screening.yaml reviews/screening.yaml -o moderation.html
    """
    from ...base.errors import UsageError
    from ...load.pipeline import resolve
    from ...raters import moderation as mod

    if format is None:
        format = _format_for(output)
    if format is ModerateFormat.text and output is not None:
        raise UsageError(
            "--output writes json, md or html; text is for the terminal "
            "(give --format json, md or html, or leave out --output)"
        )
    p1, r1 = resolve(first, rubric)
    p2, r2 = resolve(second, rubric)
    if (r1.rubric.id, r1.sha256) != (r2.rubric.id, r2.sha256):
        raise UsageError(
            f"cannot moderate: {first} answers {r1.rubric.id} {r1.rubric.version} and {second} "
            f"{r2.rubric.id} {r2.rubric.version}; raters must use one rubric "
            "(--rubric FILE scores both with one)"
        )
    rendered = format in (ModerateFormat.md, ModerateFormat.html)
    if output is not None:
        from .outputs import guard

        # Checked before anything is written: -o must never replace an appraisal.
        inputs = [first, second, rubric, r1.path, r2.path]
        guard(inputs, template_dir=template_dir, templates=rendered).check(output, "--output")
    p1, p2 = mod.order(p1, p2)
    m = mod.moderate(
        r1.rubric, p1, p2, sha256=r1.sha256, first_bytes_sha256=_file_sha256(Path(p1.file))
    )
    if format is ModerateFormat.json:
        emit(json.dumps(mod.document(m), indent=2, ensure_ascii=False) + "\n", output)
        return
    if rendered:
        from ...raters.moderation_report import render

        emit(render(m, format.value, template_dir=template_dir), output)
        return
    from ...raters.present_moderation import moderation

    moderation(console(), m, limit=None if all_ else 10)


def _format_for(output: Path | None) -> ModerateFormat:
    """Text on the terminal; to a file, the format its name says (Markdown by default)."""
    if output is None:
        return ModerateFormat.text
    suffix = output.suffix.lower()
    if suffix in (".html", ".htm"):
        return ModerateFormat.html
    return ModerateFormat.json if suffix == ".json" else ModerateFormat.md


def _file_sha256(path: Path) -> str | None:
    """The SHA-256 of a file's bytes, as `sha256sum` prints it; None if it cannot be read now."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def register(app: typer.Typer) -> None:
    app.command()(moderate)
