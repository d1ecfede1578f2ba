"""Small helpers shared by the command modules: output streams and common options."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console, RenderHook

    from ..base.errors import QiAppraiseError

CONTEXT = {"help_option_names": ["-h", "--help"]}


def err(message: str) -> None:
    """One line on stderr, safe to show whatever user data it carries.

    Line breaks and other control characters are spelled out (``\\n``,
    ``\\x1b``): a file name must not repaint the terminal or start a line of
    its own. A CI runner's command markers are defused too: in a GitHub job,
    stderr is read for workflow commands like stdout.
    """
    from ..base.textcheck import inert_log_line

    typer.echo(inert_log_line(message.rstrip("\r\n")), err=True)


def report_error(exc: QiAppraiseError) -> None:
    """An error as ``error: ...`` lines on stderr: one per problem, and the count of any left out."""
    from ..base.errors import ProblemsError

    if not isinstance(exc, ProblemsError):
        err(f"error: {exc}")
        return
    for problem in exc.problems:
        err(f"error: {problem}")
    if (rest := exc.omitted_line()) is not None:
        err(f"error: {rest}")


def console(stderr: bool = False) -> Console:
    """A rich console for the terminal that shows control characters as text."""
    from rich.console import Console

    # rich honours NO_COLOR and drops styling when not writing to a terminal.
    # No markup and no emoji codes: what we print carries file names and rubric
    # and proposal text, and a name like "[link=...]x[/link].yaml" or
    # ":warning:" must show as written, not become a hyperlink or a picture.
    # (Styling is given with Text objects, never in markup.) Leaving emoji off
    # also spares every run importing rich's 4,000-entry emoji table.
    out = Console(stderr=stderr, highlight=False, soft_wrap=False, markup=False, emoji=False)
    out.push_render_hook(_visible_hook())
    return out


def _visible_hook() -> RenderHook:
    """A render hook that spells out control characters in everything printed.

    The presenters already escape the file names they show; this is the net
    under them: text that reaches a console by any other path (a message, a
    value nobody thought of) still cannot carry an escape sequence to the
    terminal. Only text is touched, never rich's own control segments.
    """
    from rich.console import ConsoleOptions, ConsoleRenderable, RenderHook, RenderResult
    from rich.segment import Segment

    from ..base.textcheck import visible

    class _Visible:
        def __init__(self, inner: ConsoleRenderable) -> None:
            self.inner = inner

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            for seg in console.render(self.inner, options):
                if seg.control or not seg.text:
                    yield seg
                else:
                    yield Segment(visible(seg.text, multiline=True), seg.style, seg.control)

    class _Hook(RenderHook):
        def process_renderables(
            self, renderables: list[ConsoleRenderable]
        ) -> list[ConsoleRenderable]:
            return [_Visible(r) for r in renderables]

    return _Hook()


def rubric_file(ref: str) -> Path:
    """The file a rubric reference names: a path as given, or the id of a known rubric.

    A reference that names no file and looks like no path (no folder, no
    .yaml ending) is an id; an unknown id raises UsageError naming the known ones.
    """
    seps = [os.sep] + ([os.altsep] if os.altsep else [])
    if Path(ref).exists() or ref.endswith((".yaml", ".yml")) or any(c in ref for c in seps):
        return Path(ref)
    from ..rubric.read import find_rubric

    return find_rubric(ref)


def rubric_id_or_file(value: Path | None) -> Path | None:
    """``--rubric``: a rubric file, or the id of a known rubric, as its file.

    `appraise`, `init` and `rubric show` took an id and the other commands
    only a file, though all read QIAPPRAISE_RUBRIC: an id set there for one
    broke the rest.
    """
    if value is None:
        return None
    from ..base.errors import UsageError

    try:
        return rubric_file(str(value))
    except UsageError as exc:
        raise UsageError(f"--rubric: {exc.message}") from None


RubricOption = Annotated[
    Path | None,
    typer.Option(
        "--rubric",
        "-r",
        help="Rubric id or file to use instead of the one the proposal names.",
        envvar="QIAPPRAISE_RUBRIC",
        dir_okay=False,
        callback=rubric_id_or_file,
    ),
]

JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Worker processes (default: the number of cores; at most 4 per core).",
    ),
]

TemplateDirOption = Annotated[
    Path | None,
    typer.Option(
        "--template-dir",
        help="Folder of templates that override the bundled ones by name (rendered sandboxed).",
        envvar="QIAPPRAISE_TEMPLATE_DIR",
    ),
]


def emit(text: str, output: Path | None) -> None:
    """``text`` to stdout, or atomically to ``output`` with a note on stderr."""
    if output is None:
        sys.stdout.write(text)
        return
    from ..base.yamlio import write_text

    write_text(output, text)
    err(f"wrote {output}")
