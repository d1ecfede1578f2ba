"""A whole check run: paths in, one :class:`~qiappraise.gate.verdict.CheckReport` out.

Pure apart from reading files: no printing, no exit. An invalid proposal is
recorded in the report (so every format can show it) rather than raised; a
broken config file or a policy naming something the rubric lacks is raised,
since it is a problem with the check itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import InputError, ProblemsError, QiAppraiseError
from ..load.pipeline import load_rubric_option, resolve
from ..proposal.model import Waiver
from ..rubric.read import LoadedRubric
from ..scoring.score import score
from .checkpaths import collect
from .config import Resolver
from .verdict import CheckReport, FileResult, RuleInfo, RuleResult, evaluate, invalid, rule_infos


def run(
    paths: list[Path], resolver: Resolver | None = None, rubric_path: Path | None = None
) -> CheckReport:
    """Check every proposal under ``paths`` against its policy."""
    resolver = resolver or Resolver()
    if rubric_path is not None:
        # A --rubric that cannot be loaded is the check's problem, raised once,
        # not an invalid result blamed on each proposal.
        load_rubric_option(rubric_path)
    files, skipped, problems = collect(paths)
    results: list[FileResult] = [
        invalid(str(p.file), p, resolver.resolve(Path(p.file or ".")).policy) for p in problems
    ]
    rules: dict[str, RuleInfo] = {}
    reviews: dict[str, list[_ReviewSeen]] = {}  # reviewed file's real path -> its reviews
    by_id: dict[str, list[_ReviewSeen]] = {}  # project.id -> other raters' appraisals of it
    # results index -> (real path, project.id, lead, what it asks to be rated on),
    # for the team's own appraisals
    own: dict[int, tuple[str, str, str, _Rated]] = {}
    for file in files:
        resolved = resolver.resolve(file)
        policy = resolved.policy
        try:
            proposal, loaded = resolve(file, rubric_path)
        except InputError as exc:
            results.append(invalid(str(file), exc, policy))
            continue
        except QiAppraiseError as exc:  # e.g. the rubric it names is unknown
            results.append(invalid(str(file), InputError(exc.message, file=file, line=1), policy))
            continue
        _check_policy_names(resolved.origins, policy.check_names(loaded.rubric))
        appraisal = score(loaded.rubric, proposal, sha256=loaded.sha256)
        # A review, or any rater but the team (linked by project.id), is
        # another rater's appraisal: it needs no review of its own.
        if proposal.reviews is not None:
            target = os.path.realpath(proposal.reviews.path(file))
            recorded = proposal.reviews
            reviews.setdefault(target, []).append(
                _ReviewSeen(
                    str(file),
                    proposal.rater.role,
                    proposal.rater.name,
                    recorded.sha256,
                    None
                    if recorded.seen_answers is None or recorded.seen_notes is None
                    else _Rated(
                        recorded.seen_answers,
                        recorded.seen_notes,
                        (proposal.rubric.id, proposal.rubric.version),
                        None if recorded.seen_waivers is None else _waived(recorded.seen_waivers),
                    ),
                )
            )
        elif proposal.rater.role != "self":
            if proposal.project.id:
                by_id.setdefault(proposal.project.id, []).append(
                    _ReviewSeen(
                        str(file), proposal.rater.role, proposal.rater.name, None, by_id=True
                    )
                )
        else:
            own[len(results)] = (
                os.path.realpath(file),
                proposal.project.id,
                proposal.project.lead,
                _Rated(
                    proposal.answers,
                    proposal.notes,
                    (proposal.rubric.id, proposal.rubric.version),
                    _waived(proposal.waivers),
                ),
            )
        results.append(evaluate(proposal, appraisal, loaded.rubric, policy))
        _add_rules(rules, loaded)
    for i, (real, project_id, lead, now) in own.items():
        if results[i].policy.require_review is not None:
            seen = reviews.get(real, []) + (by_id.get(project_id, []) if project_id else [])
            results[i] = _with_review_rule(results[i], seen, lead, now)
    return CheckReport(
        files=tuple(results), skipped=tuple(skipped), rules=tuple(sorted(rules.values(), key=_id))
    )


@dataclass(frozen=True)
class _Rated:
    """What a rating rests on: the answers, their notes, and the rubric they answer."""

    answers: dict[str, Any]
    notes: dict[str, str]
    rubric: tuple[str, str | None]
    #: The findings waived, with their reasons, in a stable order. None: a
    #: review that did not record the waivers it saw (written before it
    #: could), so a file with any cannot be shown unchanged without its bytes.
    waivers: tuple[tuple[str, str], ...] | None = ()

    def same_as_seen(self, seen: _Rated) -> bool:
        waivers_same = not self.waivers if seen.waivers is None else self.waivers == seen.waivers
        return (
            waivers_same
            and self.answers == seen.answers
            and self.notes == seen.notes
            and self.rubric == seen.rubric
        )


def _waived(waivers: Sequence[Waiver]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((w.finding, w.reason) for w in waivers))


@dataclass(frozen=True)
class _ReviewSeen:
    file: str
    role: str
    name: str
    sha256: str | None  # of the reviewed file when reviewed, if recorded
    #: What the review saw (reviews.seen answers and notes, and the rubric the
    #: review answers), when it recorded both answers and notes.
    seen: _Rated | None = None
    #: Another rater's appraisal of the project (same project.id), not a review of the file.
    by_id: bool = False

    def unpinned(self) -> str:
        """Why a change to the file since would not show, if it would not ("" if it would)."""
        if self.by_id:
            return (
                f"{self.file} is linked by project.id: it appraises the project, not this "
                "version of the file, so a change since would not show"
            )
        if self.sha256 is None and self.seen is None:
            return (
                f"{self.file} records neither the file's SHA-256 nor what it saw (answers "
                "and notes), so a change since would not show; qiappraise review records both"
            )
        return ""

    def current(self, digest: str | None, now: _Rated | None) -> bool:
        """This review is of the file as it is now (or of what a rating reads in it)."""
        if self.sha256 is not None and self.sha256 == digest:
            return True
        if self.seen is not None:
            return now is not None and now.same_as_seen(self.seen)
        # Neither recorded: a hand-written review naming the file, taken at its word.
        return self.sha256 is None


def _with_review_rule(
    result: FileResult,
    seen: list[_ReviewSeen],
    lead: str,
    now: _Rated | None = None,
) -> FileResult:
    """``result`` with the policy/review rule: a review by the role asked, of this version.

    A "review" by the project's own lead is not a second rater's, whatever
    role it claims: it is left out, and the message says so. A file whose
    bytes changed since its review still counts as reviewed when the review
    recorded what it saw (``reviews.seen``) and the answers, notes and
    waivers are those, under the same rubric (a review that recorded no
    waivers, written before reviews did, allows none): a fixed typo in the
    title or a new comment is not a new appraisal. A review that recorded
    what it saw is held to it even without a SHA-256.
    """
    role = result.policy.require_review or "any"
    own = [r for r in seen if lead.strip() and r.name.strip().casefold() == lead.strip().casefold()]
    seen = [r for r in seen if r not in own]
    by_role = [r for r in seen if role == "any" or r.role == role]
    who = "any second rater" if role == "any" else f"a {role}"
    caveat, caveat_rule = "", ""
    if not by_role:
        passed, message = (
            False,
            f"no file checked reviews it as {who}"
            + (f" (reviewed by: {', '.join(sorted({r.role for r in seen}))})" if seen else "")
            + (
                f"; {own[0].file} is by the project's own lead, which does not count" if own else ""
            ),
        )
    else:
        try:
            digest = hashlib.sha256(Path(result.file).read_bytes()).hexdigest()
        except OSError:
            digest = None
        # One that records the version it rated first: it says more than one taken at its word.
        current = sorted(
            (r for r in by_role if r.current(digest, now)), key=lambda r: bool(r.unpinned())
        )
        if current:
            r = current[0]
            same_bytes = r.sha256 is not None and r.sha256 == digest
            if caveat := r.unpinned():
                caveat_rule = "review/unpinned"
            elif r.sha256 is not None and not same_bytes:
                caveat_rule = "review/changed"
                caveat = (
                    f"{r.file} reviewed an earlier version of the file, with the same answers, "
                    "notes and waivers; only other text changed since"
                )
            passed, message = (
                True,
                f"reviewed by {who}: {r.file}"
                + (
                    ""
                    if same_bytes or r.seen is None
                    else " (the file changed since, but not its answers, notes or waivers)"
                )
                + (f"; {caveat}" if caveat_rule == "review/unpinned" else ""),
            )
        else:
            r = by_role[0]
            passed = False
            if r.seen is None:
                why = "its SHA-256 differs from the one the review records"
            else:
                why = (
                    "its answers, notes or waivers differ from those the review saw"
                    if r.sha256 is None
                    else "its SHA-256 differs from the one the review records, and its "
                    "answers, notes or waivers from those the review saw"
                )
            message = (
                f"reviewed by {who} ({r.file}), but the file changed since ({why}): "
                "the review needs updating"
            )
    rule = RuleResult(
        "policy/review", role, f"reviewed by {who}", passed, message, 1, caveat, caveat_rule
    )
    return dataclasses.replace(result, rules=(*result.rules, rule))


def _id(rule: RuleInfo) -> str:
    return rule.id


def _add_rules(rules: dict[str, RuleInfo], loaded: LoadedRubric) -> None:
    for info in rule_infos(loaded.rubric, loaded.path):
        rules.setdefault(info.id, info)


def _check_policy_names(origins: Mapping[str, str], problems: list[tuple[str, str]]) -> None:
    """Every section, dimension or band the policy names that the rubric lacks, at once."""
    if not problems:
        return
    errors: list[InputError] = []
    for where, message in problems:
        key = where.split(".", 1)[0]  # min-section.<id> -> min-section
        origin = origins.get(where) or origins.get(key, "")
        file, _, line = origin.rpartition(":")
        if file and line.isdigit():
            errors.append(InputError(f"{key}: {message}", file=file, line=int(line)))
        else:  # the command line, or a default
            errors.append(
                InputError(f"{origin}: {key}: {message}" if origin else f"{key}: {message}")
            )
    raise ProblemsError(sorted(errors, key=lambda e: (e.file or "", e.line or 0)))
