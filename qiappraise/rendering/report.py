"""Rendering appraisals through Jinja templates (Markdown and HTML).

Every template, bundled or user-supplied, renders in the bounded sandbox of
``sandbox.py`` with ``StrictUndefined``: a typo is an error naming the template
and line, and a template cannot reach Python internals, import, read files,
or build text and do work without limit. Templates are found by name, user
folder first, then the bundled ones, and only as files inside those folders.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from markupsafe import Markup

from ..base import mdtext
from ..base.errors import UsageError
from ..base.resources import templates_dir
from ..rubric.model import Rubric
from ..scoring.appraisal import Appraisal, FindingResult
from . import charts
from .sandbox import ConfinedLoader, LimitError, Sandbox, TemplateError

#: Output format -> the template that renders it.
FORMATS: dict[str, str] = {"md": "report.md.j2", "html": "report.html.j2"}


def environment(template_dir: str | Path | None = None) -> jinja2.Environment:
    """The sandboxed environment; ``template_dir`` overrides templates by name."""
    paths: list[str] = []
    if template_dir is not None:
        d = Path(template_dir)
        if not d.is_dir():
            raise UsageError(f"--template-dir {d}: not a folder")
        paths.append(str(d))
    paths.append(str(templates_dir()))
    return Sandbox(
        loader=ConfinedLoader(paths),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        filters={
            "md": mdtext.inline,
            "mdcell": mdtext.cell,
            "mdquote": mdtext.quote,
            "score": _score,
            "pct": _pct,
            "points": _points,
        },
    )


def _autoescape(name: str | None) -> bool:
    return bool(name) and str(name).endswith((".html.j2", ".html", ".svg.j2", ".xml.j2"))


def _score(value: float | None) -> str:
    return "not scored" if value is None else f"{value:.0f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _points(value: float | None) -> str:
    if value is None:
        return "not scored"
    return f"{value:g}"


def generated_date() -> str:
    """Today, or the date of ``SOURCE_DATE_EPOCH`` for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc).date().isoformat()
        except (ValueError, OverflowError, OSError):
            raise UsageError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds since 1970"
            ) from None
    return _dt.date.today().isoformat()


def band_ranges(rubric: Rubric) -> list[tuple[str, float, float]]:
    out = []
    start = 0.0
    for b in rubric.spectrum.bands:
        end = b.up_to if b.up_to is not None else 1.0
        out.append((b.label, start, end))
        start = end
    return out


def context(a: Appraisal, rubric: Rubric) -> dict[str, Any]:
    """What templates see: the appraisal plus a few views derived from it."""
    sections = {s.id: s for s in rubric.sections}
    dims_missing = [d for d in a.dimensions if d.level == "none"]
    missing_ids = {d.id for d in dims_missing}
    next_band = None
    bands = rubric.spectrum.bands
    if a.band is not None:
        idx = [b.id for b in bands].index(a.band.id)
        if idx + 1 < len(bands):
            next_band = bands[idx + 1]
    active = a.active_findings()
    # Findings the answers raise come before those only not yet ruled out:
    # a reader should meet what the team said before what it has not said yet.
    raised = [f for f in a.findings if not f.open_on]
    still_open = [f for f in a.findings if f.open_on]
    headline = [f for f in active if not f.open_on] + [f for f in active if f.open_on]
    return {
        "a": a,
        "project": a.project,
        "rubric": rubric,
        "sections_info": {
            sid: {"why": s.why, "cite": s.cite, "reflect": list(s.reflect)}
            for sid, s in sections.items()
        },
        "questions_info": {
            q.id: {"prompt": q.prompt, "help": q.help, "cite": q.cite, "type": q.type}
            for q in rubric.questions.values()
        },
        "feedback_by_section": {
            s.id: [t for q in s.questions if q.applies and q.answered for t in q.feedback]
            for s in a.sections
        },
        "headline_findings": headline[:3],
        "findings_raised": raised,
        "findings_open": still_open,
        "open_on": {f.id: open_on(a, rubric, f) for f in still_open},
        "self_band": self_band(a, rubric),
        "dims_missing": dims_missing,
        "equity_missing": "equitable" in missing_ids,
        "patient_centred_missing": "patient_centred" in missing_ids,
        "next_band": next_band,
        "band_ranges": band_ranges(rubric),
        "sources": list(rubric.sources),
        "generated": generated_date(),
        "charts": {
            "dimensions": Markup(charts.radar(a)),
            "spectrum": Markup(charts.spectrum(a, band_ranges(rubric))),
            "sections": Markup(charts.sections(a)),
        },
    }


#: Statuses of a question whose answer is not known yet (see answers.py).


@dataclass(frozen=True)
class OpenItem:
    """A question an open finding waits on."""

    id: str
    label: str  # the question's prompt


def open_on(a: Appraisal, rubric: Rubric, f: FindingResult) -> list[OpenItem]:
    """What would settle an open finding: the questions to answer, with their prompts.

    Scoring names questions only (a test on a dimension names the unanswered
    questions that speak to it).
    """
    return [
        OpenItem(ref, rubric.questions[ref].prompt if ref in rubric.questions else ref)
        for ref in f.open_on
    ]


def self_band(a: Appraisal, rubric: Rubric) -> dict[str, Any] | None:
    """Where the team placed its own project, if the rubric asks (None: it does not).

    ``{"id": band id or None, "label": ..., "status": the question's status}``.
    """
    qid = rubric.spectrum.self_placement
    if qid is None:
        return None
    status = next(
        (q.status for s in a.sections for q in s.questions if q.id == qid), "not-answered"
    )
    labels = {b.id: b.label for b in rubric.spectrum.bands}
    band = a.self_placement
    return {
        "id": band,
        "label": labels.get(band, band) if band is not None else None,
        "status": status,
    }


def render(
    a: Appraisal,
    rubric: Rubric,
    fmt: str = "md",
    *,
    template_dir: str | Path | None = None,
) -> str:
    """The report for one appraisal as Markdown (``md``) or HTML (``html``)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown report format {fmt!r}; allowed: {', '.join(FORMATS)}")
    env = environment(template_dir)
    text = render_template(env, FORMATS[fmt], context(a, rubric))
    return tidy_markdown(text) if fmt == "md" else text


def tidy_markdown(text: str) -> str:
    """Even out the blank lines that template logic leaves behind.

    Headings get a blank line either side, runs of blank lines become one,
    trailing spaces go, and the file ends with exactly one newline; this keeps
    every template (bundled or not) within markdownlint's spacing rules.
    """
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        is_heading = line.startswith("#")
        if is_heading and out and out[-1] != "":
            out.append("")
        if line == "" and (not out or out[-1] == ""):
            continue
        if out and out[-1].startswith("#") and line != "":
            out.append("")
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def render_template(env: jinja2.Environment, name: str, ctx: dict[str, Any]) -> str:
    """Render ``name``; every template failure becomes one located TemplateError."""
    template: jinja2.Template | None = None
    try:
        template = env.get_template(name)
        return template.render(ctx)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"template syntax error: {exc.message}",
            file=exc.filename or exc.name or name,
            line=exc.lineno,
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name}", file=name) from None
    except LimitError as exc:
        file, line = _template_frame(exc.__traceback__, _filename(template, name))
        raise TemplateError(
            f"template exceeds the sandbox's limits: {exc}", file=file, line=line
        ) from None
    except jinja2.exceptions.SecurityError as exc:
        file, line = _template_frame(exc.__traceback__, name)
        raise TemplateError(
            f"template tried something the sandbox forbids: {exc}", file=file, line=line
        ) from None
    except jinja2.UndefinedError as exc:
        file, line = _template_frame(exc.__traceback__, name)
        raise TemplateError(f"undefined in template: {exc.message}", file=file, line=line) from None
    except jinja2.TemplateError as exc:
        file, line = _template_frame(exc.__traceback__, name)
        raise TemplateError(f"template error: {exc}", file=file, line=line) from None
    except TemplateError:
        raise
    except Exception as exc:
        # Whatever goes wrong while a template runs (a division by zero, a range
        # the sandbox refuses, a runaway recursion) is the template's error.
        file, line = _template_frame(exc.__traceback__, name)
        raise TemplateError(
            f"template error: {type(exc).__name__}: {exc}", file=file, line=line
        ) from None


def _filename(template: jinja2.Template | None, name: str) -> str:
    return template.filename if template is not None and template.filename else name


def _template_frame(tb: TracebackType | None, default: str) -> tuple[str, int | None]:
    """The innermost traceback frame that belongs to a template file."""
    found: tuple[str, int | None] = (default, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") or "<template>" in filename:
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


Renderer = Callable[[Appraisal, Rubric], str]
