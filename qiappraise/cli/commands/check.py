"""`check`, `init` and `schema`: proposals in CI, and help writing them by hand."""

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ...base.errors import InputError, UsageError
from ..util import RubricOption, console, emit, err

if TYPE_CHECKING:
    from ...base.outpaths import InputGuard
    from ...gate.config import Resolver
    from ...gate.verdict import CheckReport


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    gitlab = "gitlab"


RubricRef = Annotated[
    str | None,
    typer.Option(
        "--rubric",
        "-r",
        help="Rubric id or file (default: critical-engagement).",
        envvar="QIAPPRAISE_RUBRIC",
    ),
]


def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Proposal files, or folders searched for *.yaml/*.yml proposals.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat | None,
        typer.Option(
            "--output-format",
            "-f",
            help="text (default), json, sarif, junit, github or gitlab; "
            "github when GITHUB_ACTIONS=true.",
            envvar="QIAPPRAISE_OUTPUT_FORMAT",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report here (atomically), not to stdout."),
    ] = None,
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under", help="Lowest acceptable overall score (0-100).", min=0, max=100
        ),
    ] = None,
    min_section: Annotated[
        list[str] | None,
        typer.Option(
            "--min-section",
            metavar="SECTION=SCORE",
            help="Lowest acceptable score of a section (repeatable).",
        ),
    ] = None,
    require_dimension: Annotated[
        list[str] | None,
        typer.Option(
            "--require-dimension",
            metavar="DIMENSION[:primary]",
            help="A dimension the project must address (repeatable).",
        ),
    ] = None,
    min_band: Annotated[
        str | None,
        typer.Option(
            "--min-band", metavar="BAND", help="Lowest acceptable band, e.g. stepping-stone."
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            metavar="SEVERITIES",
            help="Finding severities that fail unless waived: comma-separated, or none.",
        ),
    ] = None,
    allow_incomplete: Annotated[
        bool | None,
        typer.Option(
            "--allow-incomplete/--require-complete",
            help="Let provisional proposals (required questions unanswered, counted as 0) "
            "pass on their score (or not).",
            show_default=False,
        ),
    ] = None,
    require_evidence: Annotated[
        bool | None,
        typer.Option(
            "--require-evidence/--no-require-evidence",
            help="Fail proposals with a claim that needs evidence and has no note (or not).",
            show_default=False,
        ),
    ] = None,
    require_review: Annotated[
        str | None,
        typer.Option(
            "--require-review",
            metavar="ROLE",
            help="Fail proposals that no file checked reviews as ROLE: supervisor, peer, "
            "assessor, any, or none. Give the folders holding the reviews too.",
            show_default=False,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Read the policy from this file instead of searching for one.",
            dir_okay=False,
            envvar="QIAPPRAISE_CONFIG",
        ),
    ] = None,
    isolated: Annotated[
        bool, typer.Option("--isolated", help="Ignore config files: defaults and options only.")
    ] = False,
    show_config: Annotated[
        bool,
        typer.Option(
            "--show-config", help="Print the effective policy and where each value comes from."
        ),
    ] = False,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when proposals are found wanting.")
    ] = False,
    rubric: RubricOption = None,
) -> None:
    """Check proposals against a policy: exit 0 pass, 1 found wanting, 2 invalid input.

    The policy (minimum scores, required dimensions, lowest band, failing
    finding severities, completeness, evidence for claims) comes from the
    nearest .qiappraise.yaml or [tool.qiappraise] in pyproject.toml above each
    file; options override it. A proposal with required questions unanswered
    is provisional: they count as 0, so its score is a floor.

    Example: qiappraise check proposals/ --fail-under 60 --require-dimension equitable
    """
    from ...gate.config import Resolver

    overrides = _overrides(
        fail_under=fail_under,
        min_section=min_section,
        require_dimension=require_dimension,
        min_band=min_band,
        fail_on=fail_on,
        allow_incomplete=allow_incomplete,
        require_evidence=require_evidence,
        require_review=require_review,
    )
    resolver = Resolver(overrides, explicit=config, isolated=isolated)
    if show_config:
        typer.echo(_show_config(resolver, paths or [Path(".")]), nl=False)
        return
    if not paths:
        paths = _default_paths(resolver)

    from ...gate.check import run
    from ...gate.formats import FORMATS
    from ...gate.formats.annotations import summary
    from ...gate.verdict import exit_code

    report = run(list(paths), resolver, rubric)
    for skipped in report.skipped:
        err(f"note: {skipped.path}: skipped, {skipped.reason}")
    fmt = output_format.value if output_format else _default_format()
    if fmt != "text":
        for result in report.files:
            for problem in result.problems:
                where = f"{result.file}:{problem.line}" if problem.line else result.file
                err(f"error: {where}: {problem.message}")
    if not report.files:
        err("note: no proposal files found")
    color = fmt == "text" and output is None and _color()
    text = FORMATS[fmt](report, color)
    # An output never replaces a file this check read (`check c.yaml -o c.yaml`).
    inputs = _inputs(report, resolver, config, rubric)
    if output is not None:
        inputs.check(output, "--output")
    if output is None:
        sys.stdout.write(text)
    else:
        from ...base.yamlio import write_text

        write_text(output, text)
        err(summary(report))
        err(f"wrote {output}")
    if fmt == "github":
        _step_summary(report, inputs)
    code = exit_code(report.decision, exit_zero=exit_zero)
    if code:
        raise typer.Exit(code)


def _default_format() -> str:
    # GitHub sets GITHUB_ACTIONS=true in every workflow step.
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def _color() -> bool:
    out = console()
    return out.is_terminal and not out.no_color


def _inputs(
    report: "CheckReport", resolver: "Resolver", config: Path | None, rubric: Path | None
) -> "InputGuard":
    """Every file this check read: proposals, files passed over, config, rubrics."""
    from .outputs import guard

    configs = {resolver.resolve(Path(r.file)).config for r in report.files}
    read = [r.file for r in report.files] + [s.path for s in report.skipped]
    return guard([*read, *configs, config, rubric])


def _step_summary(report: "CheckReport", inputs: "InputGuard") -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    inputs.check(target, "GITHUB_STEP_SUMMARY")
    from ...gate.formats.github import step_summary

    # Appended, not replaced: other steps of the job write to the same file.
    try:
        with open(target, "a", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(step_summary(report) + "\n")
    except OSError as exc:
        raise InputError(
            f"cannot append the step summary: {exc.strerror or exc}", file=target
        ) from None


def _overrides(**options: Any) -> dict[str, Any]:
    """Command-line options as policy values, read by the same rules as config files."""
    from ...gate.policy import SETTINGS, SettingError

    raw: dict[str, Any] = {}
    if options["fail_under"] is not None:
        raw["fail-under"] = options["fail_under"]
    if options["min_section"]:
        raw["min-section"] = dict(_pair(item) for item in options["min_section"])
    if options["require_dimension"]:
        raw["require-dimensions"] = list(options["require_dimension"])
    if options["min_band"] is not None:
        raw["min-band"] = None if options["min_band"].lower() == "none" else options["min_band"]
    if options["fail_on"] is not None:
        raw["fail-on"] = [options["fail_on"]]
    if options["allow_incomplete"] is not None:
        raw["allow-incomplete"] = options["allow_incomplete"]
    if options["require_evidence"] is not None:
        raw["require-evidence"] = options["require_evidence"]
    if options["require_review"] is not None:
        raw["require-review"] = options["require_review"]
    values: dict[str, Any] = {}
    for key, value in raw.items():
        try:
            values[key] = SETTINGS[key].read(value)
        except SettingError as exc:
            raise UsageError(f"{SETTINGS[key].option}: {exc}") from None
    return values


def _pair(item: str) -> tuple[str, Any]:
    name, sep, value = item.partition("=")
    try:
        number = float(value)
    except ValueError:
        number = None
    if not sep or not name.strip() or number is None:
        raise UsageError(f"--min-section: {item!r}: expected SECTION=SCORE, e.g. purpose=60")
    return name.strip(), number


def _default_paths(resolver: "Resolver") -> list[Path]:
    """What `check` with no paths checks: the config's ``paths``, else ./proposals."""
    from ...gate.config import display_path

    config = resolver.config_for(Path("."))
    if config is not None and config.paths:
        # Relative to the working folder, as if typed: annotations name files that way.
        shown = [Path(display_path(p)) for p in config.paths]
        err(f"note: checking {', '.join(map(str, shown))} (paths in {config.path})")
        return shown
    if Path("proposals").is_dir():
        err("note: checking proposals/ (no paths given)")
        return [Path("proposals")]
    raise UsageError(
        "give proposal files or folders to check, e.g. `qiappraise check proposals/`, "
        "or list them as paths in the config (.qiappraise.yaml or [tool.qiappraise] "
        "in pyproject.toml)"
    )


def _show_config(resolver: "Resolver", paths: list[Path]) -> str:
    from ...gate.policy import SETTINGS, show_value

    blocks: list[str] = []
    seen: set[str | None] = set()
    for path in paths:
        resolved = resolver.resolve(path)
        if resolved.config in seen:
            continue
        seen.add(resolved.config)
        source = resolved.config or "no config file found; defaults"
        lines = [f"# effective policy for {path} ({source})"]
        rows = [
            (f"{key} = {show_value(resolved.policy, key)}", resolved.origins[key])
            for key in SETTINGS
        ]
        width = max(len(r[0]) for r in rows)
        lines += [f"{left:<{width}}  # {origin}" for left, origin in rows]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def init(
    file: Annotated[
        Path | None,
        typer.Argument(help="Write the skeleton here (default: print it).", show_default=False),
    ] = None,
    rubric: RubricRef = None,
    title: Annotated[
        str | None,
        typer.Option("--title", help="The project's title (default: Untitled QI project)."),
    ] = None,
    schema_url: Annotated[
        str | None,
        typer.Option(
            "--schema-url",
            help="Point the $schema line here instead of writing <rubric>.schema.json beside FILE.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    review: Annotated[
        Path | None,
        typer.Option(
            "--review",
            metavar="REVIEWED",
            help="Write a review skeleton of this appraisal (e.g. a trainee's) instead: "
            "its answers and notes shown as comments, yours left blank.",
        ),
    ] = None,
) -> None:
    """Write a commented proposal skeleton to fill in by hand.

    Every question is a commented key with its prompt, type, allowed values
    and help. The first line points editors (yaml-language-server) at the
    proposal JSON Schema, which is written beside FILE unless --schema-url is given.

    With --review REVIEWED, the skeleton is a review of that appraisal: a
    rater to fill in (the role is required), the file reviewed with its
    SHA-256 and answers as they are now, its project copied, and every
    question left blank with their answer and note shown beside it as
    comments. Blank, because a rating written beside another's answers tends
    to anchor on them: rate first, then compare. (`qiappraise review` is the
    interactive way, and starts each question from their answer instead.)

    Example: qiappraise init my-proposal.yaml

    Example: qiappraise init --review trainee/screening.yaml reviews/screening.yaml
    """
    from ...base.yamlio import write_text
    from ...load.rubric import load_rubric
    from ...proposal.schema import proposal_schema
    from ...proposal.skeleton import skeleton
    from .rubric import rubric_path

    if review is None:
        loaded = load_rubric(rubric_path(rubric))
    else:
        from ...load.reviewed import read_reviewed

        if title is not None:
            raise UsageError("--title: a review copies the project of the appraisal it reviews")
        source, loaded = read_reviewed(review, rubric_path(rubric) if rubric else None)
    schema_name = f"{loaded.rubric.id}.schema.json"
    ref = schema_url or schema_name
    if review is None:
        text = skeleton(loaded.rubric, schema_ref=ref, title=title or "Untitled QI project")
    else:
        from ...load.reviewed import relative
        from ...proposal.skeleton import review_skeleton

        # reviews.file is relative to the review's folder (printed: to this one).
        text = review_skeleton(
            loaded.rubric,
            schema_ref=ref,
            reviewed=relative(review, file.parent if file is not None else Path.cwd()),
            sha256=source.sha256,
            answers=source.answers,
            notes=source.notes,
            project=source.project(),
            waivers=source.waivers,
        )
    if file is None:
        sys.stdout.write(text)
        if schema_url is None:
            err(f"note: write the schema beside it: qiappraise schema > {schema_name}")
        if review is not None:
            err("note: reviews.file is written relative to this folder: save the review here")
        return
    if file.exists() and not force:
        raise InputError("already exists; use --force to overwrite it", file=file)
    from .outputs import guard

    inputs = guard([loaded.path, review])
    inputs.check(file, "FILE")
    # `init proposals/asthma.yaml` in a fresh repository: make the folder.
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create its folder: {exc.strerror or exc}", file=file) from None
    if schema_url is None:
        # The schema is generated, so it is refreshed in place: it stays in step
        # with the installed qiappraise.
        schema_path = file.parent / schema_name
        inputs.check(schema_path, "the schema")
        write_text(schema_path, json.dumps(proposal_schema(loaded.rubric), indent=2) + "\n")
        err(f"wrote {schema_path}")
    write_text(file, text)
    err(f"wrote {file}")


def schema(
    rubric: RubricRef = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here (atomically) instead of to stdout."),
    ] = None,
) -> None:
    """Print the JSON Schema (draft 2020-12) of proposal files for a rubric.

    Editors use it to validate and complete proposals. Required answers are
    not required by the schema: an incomplete proposal is valid input.

    Example: qiappraise schema --rubric critical-engagement > proposal.schema.json
    """
    from ...load.rubric import load_rubric
    from ...proposal.schema import proposal_schema
    from .rubric import rubric_path

    loaded = load_rubric(rubric_path(rubric))
    if output is not None:
        from .outputs import guard

        guard([loaded.path]).check(output, "--output")
    emit(json.dumps(proposal_schema(loaded.rubric), indent=2, ensure_ascii=False) + "\n", output)


def register(app: typer.Typer) -> None:
    app.command()(check)
    app.command()(init)
    app.command()(schema)
