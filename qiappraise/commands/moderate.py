"""`moderate`: a second rater's appraisal beside the first, as the agenda for a conversation."""

import hashlib
import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..cliutil import RubricOption, console


class ModerateFormat(str, Enum):
    text = "text"
    json = "json"


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
        ModerateFormat, typer.Option("--format", "-f", help="text or json.")
    ] = ModerateFormat.text,
    all_: Annotated[
        bool, typer.Option("--all", help="List every disagreement, not only the first ten.")
    ] = False,
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

    Example: qiappraise moderate trainee/screening.yaml reviews/screening.yaml
    """
    from .. import moderation as mod
    from ..errors import UsageError
    from ..loading import resolve

    p1, r1 = resolve(first, rubric)
    p2, r2 = resolve(second, rubric)
    if (r1.rubric.id, r1.sha256) != (r2.rubric.id, r2.sha256):
        raise UsageError(
            f"cannot moderate: {first} answers {r1.rubric.id} {r1.rubric.version} and {second} "
            f"{r2.rubric.id} {r2.rubric.version}; raters must use one rubric "
            "(--rubric FILE scores both with one)"
        )
    p1, p2 = mod.order(p1, p2)
    m = mod.moderate(
        r1.rubric, p1, p2, sha256=r1.sha256, first_bytes_sha256=_file_sha256(Path(p1.file))
    )
    if format is ModerateFormat.json:
        typer.echo(json.dumps(mod.document(m), indent=2, ensure_ascii=False))
        return
    from ..present_moderation import moderation

    moderation(console(), m, limit=None if all_ else 10)


def _file_sha256(path: Path) -> str | None:
    """The SHA-256 of a file's bytes, as `sha256sum` prints it; None if it cannot be read now."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def register(app: typer.Typer) -> None:
    app.command()(moderate)
