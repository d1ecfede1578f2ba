"""The check policy: what a proposal must meet to pass ``qiappraise check``.

A policy is a frozen value with the defaults below; ``config`` reads one from
a file and the command line, remembering where each value came from. Keys
are spelled as in the config file (kebab-case), and one table (``SETTINGS``)
says how each is read, so the config reader, ``--show-config`` and the docs
share a single list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..rubric.model import Rubric

SEVERITIES = ("error", "warning", "info")
LEVELS = ("secondary", "primary")  # "addressed" means at least secondary


@dataclass(frozen=True)
class DimensionRequirement:
    """A dimension the project must address, at least at ``level``."""

    dimension: str
    level: str = "secondary"

    def __str__(self) -> str:
        return self.dimension if self.level == "secondary" else f"{self.dimension}:{self.level}"


@dataclass(frozen=True)
class Policy:
    """What a proposal must meet. The defaults suit a training programme."""

    #: Lowest acceptable overall score (0-100); None: no minimum.
    fail_under: float | None = 50.0
    #: Lowest acceptable score per section id.
    min_section: Mapping[str, float] = field(default_factory=dict)
    #: Dimensions the project must address.
    require_dimensions: tuple[DimensionRequirement, ...] = ()
    #: Lowest acceptable band on the repair..reform spectrum; None: any band.
    min_band: str | None = None
    #: Finding severities that fail the check unless waived.
    fail_on: tuple[str, ...] = ("error",)
    #: Whether a provisional proposal (required questions unanswered) may pass.
    allow_incomplete: bool = False
    #: Whether a claim that needs evidence (``evidence: true`` in the rubric)
    #: fails the check when no note backs it. Off by default: such a claim
    #: already counts as the level below, so it cannot inflate the score.
    require_evidence: bool = False
    #: A rater role (supervisor, peer, assessor, or any) whose review each
    #: proposal checked needs, among the files checked; None: no review needed.
    require_review: str | None = None

    def check_names(self, rubric: Rubric) -> list[tuple[str, str]]:
        """(where, problem) for every section, dimension or band the rubric lacks.

        ``where`` is the config key, or ``min-section.<id>`` for a section id,
        so that the error can point at the line that names it.
        """
        problems: list[tuple[str, str]] = []
        sections = [s.id for s in rubric.sections]
        for sid in self.min_section:
            if sid not in sections:
                problems.append(
                    (f"min-section.{sid}", _unknown("section", sid, rubric.id, sections))
                )
        dims = [d.id for d in rubric.dimensions]
        for req in self.require_dimensions:
            if req.dimension not in dims:
                problems.append(
                    ("require-dimensions", _unknown("dimension", req.dimension, rubric.id, dims))
                )
        bands = [b.id for b in rubric.spectrum.bands]
        if self.min_band is not None and self.min_band not in bands:
            problems.append(("min-band", _unknown("band", self.min_band, rubric.id, bands)))
        return problems


def _unknown(what: str, name: str, rubric_id: str, allowed: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name.replace("-", "_").lower(), allowed, n=1)
    if not close:
        close = difflib.get_close_matches(name.replace("_", "-").lower(), allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{name!r} is not a {what} of rubric {rubric_id} ({what}s: {', '.join(allowed)}){hint}"


class SettingError(ValueError):
    """A config or option value of the wrong type or out of range."""

    def __init__(self, message: str, key: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.key = key  # path below the setting, e.g. a section id in min-section


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingError(f"expected a number from 0 to 100, not {value!r}")
    if not 0 <= value <= 100:
        raise SettingError(f"{value} is out of range; expected a number from 0 to 100")
    return float(value)


def read_fail_under(value: Any) -> float | None:
    if value is None or value is False:
        return None
    return _number(value)


def read_min_section(value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise SettingError("expected a mapping of section id to minimum score, e.g. {purpose: 60}")
    out: dict[str, float] = {}
    for sid, score in value.items():
        try:
            out[str(sid)] = _number(score)
        except SettingError as exc:
            raise SettingError(f"section {sid!r}: {exc}", (str(sid),)) from None
    return out


def parse_dimension(text: str) -> DimensionRequirement:
    """``equitable`` or ``equitable:secondary`` (addressed at all), or ``equitable:primary``."""
    name, _, level = text.strip().partition(":")
    level = level.strip().lower() or "secondary"
    if not name.strip() or level not in LEVELS:
        raise SettingError(
            f"{text!r}: expected a dimension id, optionally with ':primary' (the main aim) "
            "or ':secondary' (addressed at all, the default); e.g. equitable or equitable:primary"
        )
    return DimensionRequirement(name.strip(), level)


def read_dimensions(value: Any) -> tuple[DimensionRequirement, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise SettingError("expected a list of dimension ids, e.g. [equitable, patient_centred]")
    return tuple(parse_dimension(i) for i in items)


def read_min_band(value: Any) -> str | None:
    if value is None or value is False:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SettingError("expected a band id, e.g. stepping-stone")
    return value.strip()


#: What require-review accepts: a reviewer's role, or any of them.
REVIEW_ROLES = ("supervisor", "peer", "assessor", "any")


def read_review_role(value: Any) -> str | None:
    if value is None or value is False or (isinstance(value, str) and value.strip() == "none"):
        return None
    if not isinstance(value, str) or value.strip() not in REVIEW_ROLES:
        raise SettingError(
            f"expected a reviewer's role: {', '.join(REVIEW_ROLES)} (or none), not {value!r}"
        )
    return value.strip()


def read_fail_on(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise SettingError(f"expected a list of severities from: {', '.join(SEVERITIES)}")
    out: list[str] = []
    said_none = False
    for item in items:
        for part in item.split(","):
            sev = part.strip().lower()
            if sev == "none":
                said_none = True
                continue
            if not sev:
                continue
            if sev not in SEVERITIES:
                raise SettingError(
                    f"{sev!r} is not a severity; expected any of: {', '.join(SEVERITIES)} (or none)"
                )
            if sev not in out:
                out.append(sev)
    if said_none and out:
        raise SettingError(
            f"'none' cannot be combined with severities ({', '.join(out)}); "
            "give none on its own, or only severities"
        )
    return tuple(out)


#: Text a config file may use for true or false: TOML has no yes/no, and a
#: quoted "no" in YAML is text, but proposals accept yes and no for yes/no questions.
_BOOL_WORDS = {"true": True, "yes": True, "false": False, "no": False}


def read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
        return _BOOL_WORDS[value.strip().lower()]
    raise SettingError(f"expected true or false (or yes or no), not {value!r}")


@dataclass(frozen=True)
class Setting:
    """One policy key: its config name, the Policy field, how to read it, its help."""

    key: str
    attr: str
    read: Callable[[Any], Any]
    option: str
    help: str


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "fail-under",
            "fail_under",
            read_fail_under,
            "--fail-under",
            "lowest acceptable overall score (0-100)",
        ),
        Setting(
            "min-section",
            "min_section",
            read_min_section,
            "--min-section",
            "lowest acceptable score per section id",
        ),
        Setting(
            "require-dimensions",
            "require_dimensions",
            read_dimensions,
            "--require-dimension",
            "dimensions the project must address (id, or id:primary)",
        ),
        Setting(
            "min-band",
            "min_band",
            read_min_band,
            "--min-band",
            "lowest acceptable band on the repair..reform spectrum",
        ),
        Setting(
            "fail-on",
            "fail_on",
            read_fail_on,
            "--fail-on",
            "finding severities that fail the check unless waived",
        ),
        Setting(
            "allow-incomplete",
            "allow_incomplete",
            read_bool,
            "--allow-incomplete",
            "whether provisional proposals (required questions unanswered) may pass",
        ),
        Setting(
            "require-evidence",
            "require_evidence",
            read_bool,
            "--require-evidence",
            "whether a claim that needs evidence fails the check when no note backs it",
        ),
        Setting(
            "require-review",
            "require_review",
            read_review_role,
            "--require-review",
            "a review each proposal needs, by a rater of this role (supervisor, peer, assessor, any)",
        ),
    )
}

DEFAULT = Policy()


def with_values(policy: Policy, values: Mapping[str, Any]) -> Policy:
    """``policy`` with already-read values (by config key) replaced."""
    return replace(policy, **{SETTINGS[k].attr: v for k, v in values.items()})


def show_value(policy: Policy, key: str) -> str:
    """A policy value as TOML-like text, for ``--show-config``."""
    value = getattr(policy, SETTINGS[key].attr)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {v:g}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return f'"{value}"'
