"""The gate: one policy applied to one appraisal gives pass or found wanting.

``evaluate`` turns an appraisal into a :class:`FileResult` (each policy rule
passed or failed, each finding with its line and whether it fails the
check); a :class:`CheckReport` holds them all, and its ``decision`` is the one
value the printed verdict and the exit code are both read from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..base.errors import EXIT_INVALID, EXIT_OK, EXIT_WANTING, InputError, ProblemsError
from ..base.resources import rubrics_dir
from ..proposal.model import Proposal
from ..rubric.model import AutoFinding, Finding, Rubric
from ..scoring.appraisal import Appraisal, FindingResult
from .policy import Policy

PASS = "pass"
WANTING = "wanting"
INVALID = "invalid"

HOMEPAGE = "https://github.com/qiappraise/qiappraise"
#: Where the docs pages live on the web; rules link to a page and heading there.
DOCS = f"{HOMEPAGE}/blob/main/docs/"

#: The rules qiappraise itself adds to a rubric's findings: id -> (title, help, docs page#anchor).
#: tests/test_docs.py checks that each page and heading exists.
#: These ids are stable: CI systems key annotations on them.
POLICY_RULES: dict[str, tuple[str, str, str]] = {
    "policy/complete": (
        "The proposal answers every required question",
        "An unanswered required question counts as 0 of its points, so the score of a "
        "proposal with any unanswered is provisional: a floor that can only rise as they "
        "are answered. Answer them, or set allow-incomplete to judge the proposal on its "
        "provisional score.",
        "ci.md#the-policy",
    ),
    "policy/evidence": (
        "Every claim that needs evidence has a note",
        "The rubric marks answers a supervisor would want evidence for; without a note "
        "saying what backs it, such a claim counts as the level below. The policy "
        "(require-evidence) also fails the check until each has a note.",
        "ci.md#the-policy",
    ),
    "policy/review": (
        "A second rater has reviewed the proposal",
        "The policy (require-review) asks for a review of each proposal by a rater of a "
        "given role: a file with `rater: {role: ...}` and `reviews: {file: ...}` naming "
        "this proposal, among the files checked, written for its current version (the "
        "SHA-256 it records matches, or the answers and notes it saw are those the "
        "proposal has now, with no waivers).",
        "supervisor.md#requiring-a-review",
    ),
    "policy/fail-under": (
        "The overall score reaches the minimum",
        "The weighted mean of the section scores is below the policy's fail-under.",
        "ci.md#the-policy",
    ),
    "policy/min-section": (
        "A section's score reaches its minimum",
        "The policy sets a minimum score for this section (min-section).",
        "ci.md#the-policy",
    ),
    "policy/require-dimension": (
        "A required dimension of quality is addressed",
        "The policy requires the project to address this dimension (require-dimensions).",
        "ci.md#the-policy",
    ),
    "policy/min-band": (
        "The project reaches the lowest acceptable band",
        "The policy sets a lowest acceptable band on the repair..reform spectrum (min-band).",
        "ci.md#the-policy",
    ),
    "policy/fail-on": (
        "No finding of a failing severity is left unwaived",
        "Findings of the severities in fail-on fail the check unless the proposal "
        "waives them with a reason.",
        "ci.md#the-policy",
    ),
    "waiver/unused": (
        "A waiver matches no finding",
        "The proposal waives a finding that did not fire: remove the waiver, or check its id.",
        "ci.md#waivers",
    ),
    "answer/ignored": (
        "Every answer counts",
        "The proposal answers a question that does not apply, given its other answers, "
        "so the answer is not scored: remove it, or check the answer it depends on.",
        "proposal-format.md#proposal-files",
    ),
    "score/provisional": (
        "The score is final",
        "Required questions are unanswered and count as 0, so the score is provisional: "
        "a floor that can only rise as they are answered. Reported as a note when the "
        "policy lets such a proposal pass (allow-incomplete); it never fails a check.",
        "ci.md#the-policy",
    ),
    "review/unpinned": (
        "The review that counts records the version it rated",
        "The review that satisfies require-review records neither the reviewed file's "
        "SHA-256 nor what it saw (its answers and notes), or is another rater's appraisal "
        "linked only by project.id, so a change to the proposal since would not show. "
        "Reported as a note beside a passing review rule; it never fails a check.",
        "supervisor.md#requiring-a-review",
    ),
    "review/changed": (
        "The file is the version its review rated",
        "The proposal's bytes changed since the review that satisfies require-review, "
        "but its answers, notes and waivers are those the review saw, so the review still "
        "counts. Reported as a note beside the passing review rule; it never fails a check.",
        "supervisor.md#requiring-a-review",
    ),
    "input/invalid": (
        "The proposal file is valid",
        "The file could not be read or its answers do not fit the rubric.",
        "proposal-format.md#proposal-files",
    ),
}


@dataclass(frozen=True)
class RuleResult:
    """One policy rule applied to one proposal."""

    rule: str  # a key of POLICY_RULES
    subject: str  # the section or dimension it tests, or ""
    title: str  # what it asks, in words
    passed: bool
    message: str  # what was found
    line: int
    #: Said of a passing rule that passed on weaker grounds than it might,
    #: reported as a note in every format under ``caveat_rule``
    #: (review/unpinned, review/changed).
    caveat: str = ""
    caveat_rule: str = ""

    @property
    def name(self) -> str:
        short = self.rule.split("/", 1)[-1]
        return f"{short} {self.subject}" if self.subject else short


@dataclass(frozen=True)
class CheckedFinding:
    finding: FindingResult
    line: int
    fails: bool  # unwaived and of a severity the policy fails on


@dataclass(frozen=True)
class UnusedWaiver:
    finding: str
    line: int


@dataclass(frozen=True)
class IgnoredAnswer:
    """An answer to a question that does not apply: kept in the file, not scored."""

    question: str
    line: int


@dataclass(frozen=True)
class Problem:
    message: str
    line: int | None


@dataclass(frozen=True)
class FileResult:
    """Everything ``check`` found about one proposal file."""

    file: str
    policy: Policy
    appraisal: Appraisal | None = None
    rules: tuple[RuleResult, ...] = ()
    findings: tuple[CheckedFinding, ...] = ()
    unused_waivers: tuple[UnusedWaiver, ...] = ()
    ignored_answers: tuple[IgnoredAnswer, ...] = ()
    problems: tuple[Problem, ...] = ()  # invalid input: nothing else is set
    answers_line: int = 1  # the line of ``answers:``, for notes about the whole proposal

    @property
    def status(self) -> str:
        if self.problems:
            return INVALID
        return WANTING if self.failed_rules else PASS

    @property
    def provisional(self) -> bool:
        """Scored with required questions unanswered: the score is a floor."""
        return self.appraisal is not None and self.appraisal.provisional

    @property
    def failed_rules(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.rules if not r.passed)

    @property
    def active(self) -> tuple[CheckedFinding, ...]:
        return tuple(f for f in self.findings if f.finding.waived is None)

    @property
    def waived(self) -> tuple[CheckedFinding, ...]:
        return tuple(f for f in self.findings if f.finding.waived is not None)


@dataclass(frozen=True)
class RuleInfo:
    """What a finding id means, for SARIF rules and the docs."""

    id: str
    title: str
    severity: str
    message: str
    rationale: str
    suggestion: str
    cite: str
    help_uri: str | None


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class CheckReport:
    files: tuple[FileResult, ...]
    skipped: tuple[Skipped, ...] = ()
    rules: tuple[RuleInfo, ...] = ()  # the findings of every rubric the proposals answer

    @property
    def decision(self) -> str:
        """INVALID if any file is invalid, else WANTING if any fails, else PASS."""
        statuses = {f.status for f in self.files}
        for status in (INVALID, WANTING):
            if status in statuses:
                return status
        return PASS

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def findings(self) -> int:
        return sum(len(f.active) for f in self.files)

    @property
    def waived(self) -> int:
        return sum(len(f.waived) for f in self.files)

    @property
    def unused_waivers(self) -> int:
        return sum(len(f.unused_waivers) for f in self.files)

    @property
    def ignored_answers(self) -> int:
        return sum(len(f.ignored_answers) for f in self.files)

    @property
    def provisional(self) -> int:
        return sum(1 for f in self.files if f.provisional)


def exit_code(decision: str, *, exit_zero: bool = False) -> int:
    """The exit code for a decision; ``--exit-zero`` reports without failing.

    Invalid input still exits 2 with ``--exit-zero``: it is not a verdict on
    a proposal but a file that could not be checked at all.
    """
    if decision == INVALID:
        return EXIT_INVALID
    if decision == WANTING and not exit_zero:
        return EXIT_WANTING
    return EXIT_OK


def verdict(decision: str) -> str:
    return {PASS: "passed", WANTING: "found wanting", INVALID: "invalid input"}[decision]


def invalid(file: str, error: InputError, policy: Policy) -> FileResult:
    problems = error.problems if isinstance(error, ProblemsError) else [error]
    listed = [Problem(p.message, p.line) for p in problems]
    if isinstance(error, ProblemsError) and error.omitted:
        # The count of the problems not kept, in every format, as the last one.
        s = "s" * (error.omitted > 1)
        listed.append(
            Problem(
                f"{error.omitted} more problem{s} not shown (the first {len(problems)} are)", None
            )
        )
    return FileResult(file=file, policy=policy, problems=tuple(listed))


def evaluate(
    proposal: Proposal, appraisal: Appraisal, rubric: Rubric, policy: Policy
) -> FileResult:
    """Apply ``policy`` to one appraisal."""
    answers_line = proposal.line_of("answers") or 1

    def first_line(qids: Sequence[str]) -> int:
        # The first of these questions that is answered; else the answers key.
        lines = (proposal.lines.get(("answers", q)) for q in qids)
        return next((line for line in lines if line is not None), answers_line)

    findings = tuple(
        CheckedFinding(
            finding=f,
            line=first_line(f.concerns),
            fails=f.waived is None and f.severity in policy.fail_on,
        )
        for f in appraisal.findings
    )
    waiver_lines = {w.finding: w.line or 1 for w in proposal.waivers}
    unused = tuple(UnusedWaiver(fid, waiver_lines.get(fid, 1)) for fid in appraisal.unused_waivers)
    ignored = tuple(
        IgnoredAnswer(qid, proposal.lines.get(("answers", qid)) or answers_line)
        for qid in appraisal.ignored
    )
    rules = _rules(appraisal, rubric, policy, findings, answers_line, first_line)
    return FileResult(
        file=appraisal.file,
        policy=policy,
        appraisal=appraisal,
        rules=tuple(rules),
        findings=findings,
        unused_waivers=unused,
        ignored_answers=ignored,
        answers_line=answers_line,
    )


def _rules(
    a: Appraisal,
    rubric: Rubric,
    policy: Policy,
    findings: tuple[CheckedFinding, ...],
    answers_line: int,
    first_line: Callable[[Sequence[str]], int],
) -> list[RuleResult]:
    out: list[RuleResult] = []
    if not policy.allow_incomplete:
        out.append(
            RuleResult(
                "policy/complete",
                "",
                "every required question is answered",
                not a.missing,
                provisional_note(a),
                first_line(a.missing),
            )
        )
    if policy.require_evidence:
        n = len(a.unevidenced)
        out.append(
            RuleResult(
                "policy/evidence",
                "",
                "every claim that needs evidence has a note",
                not a.unevidenced,
                f"{_count(n, 'claim')} without evidence, each counted as the level below "
                f"until a note says what backs it: {', '.join(a.unevidenced)}"
                if n
                else "every claim has a note",
                first_line(a.unevidenced),
            )
        )
    if policy.fail_under is not None:
        out.append(
            RuleResult(
                "policy/fail-under",
                "",
                f"overall score at least {policy.fail_under:g}",
                a.score is not None and a.score >= policy.fail_under,
                "no answer is scored yet"
                if a.score is None
                else f"overall score {a.score:g}"
                + (" (provisional: a floor)" if a.provisional else "")
                + (" is below" if a.score < policy.fail_under else " meets")
                + f" the minimum {policy.fail_under:g}",
                answers_line,
            )
        )
    for sid, minimum in policy.min_section.items():
        section = a.section(sid)
        qids = [q.id for q in section.questions]
        score = section.score
        out.append(
            RuleResult(
                "policy/min-section",
                sid,
                f"section {sid} scores at least {minimum:g}",
                score is not None and score >= minimum,
                f"section {sid} has no scored answers yet"
                if score is None
                else f"section {sid} scores {score:g} "
                + ("(below" if score < minimum else "(meets")
                + f" the minimum {minimum:g})",
                first_line(qids),
            )
        )
    rank = {"none": 0, "secondary": 1, "primary": 2}
    for req in policy.require_dimensions:
        dim = a.dimension(req.dimension)
        wanted = "addressed" if req.level == "secondary" else "served as primary"
        found = "not addressed" if dim.level == "none" else f"{dim.level}"
        out.append(
            RuleResult(
                "policy/require-dimension",
                str(req),
                f"dimension {req.dimension} is {wanted}",
                rank.get(dim.level, 0) >= rank[req.level],
                f"dimension {req.dimension}: {found} ({wanted} required)",
                first_line(dim.evidence),
            )
        )
    if policy.min_band is not None:
        order = [b.id for b in rubric.spectrum.bands]
        ok = a.band is not None and order.index(a.band.id) >= order.index(policy.min_band)
        out.append(
            RuleResult(
                "policy/min-band",
                "",
                f"band {policy.min_band} or beyond",
                ok,
                "no answer places the project on the spectrum yet"
                if a.band is None
                else f"band {a.band.id} ({policy.min_band} or beyond required)",
                first_line([r.question for r in a.reasons]),
            )
        )
    if policy.fail_on:
        failing = [f for f in findings if f.fails]
        out.append(
            RuleResult(
                "policy/fail-on",
                "",
                f"no unwaived finding of severity {' or '.join(policy.fail_on)}",
                not failing,
                "unwaived: " + ", ".join(f"{f.finding.id} ({f.finding.severity})" for f in failing)
                if failing
                else "none",
                failing[0].line if failing else answers_line,
            )
        )
    return out


def provisional_note(a: Appraisal) -> str:
    """Why a score is provisional and what that means, in one line ("complete" if it is not).

    Unanswered required questions count as 0 (issue 11): the score is a floor.
    """
    n = len(a.missing)
    if not n:
        return "complete"
    they = "they count" if n != 1 else "it counts"
    floor = (
        "nothing is scored yet"
        if a.score is None
        else f"the score {a.score:g} is provisional, a floor that can only rise as "
        + ("they are" if n != 1 else "it is")
        + " answered"
    )
    unanswered = f"{_count(n, 'required question')} unanswered ({', '.join(a.missing)})"
    return f"{unanswered}; {they} as 0, so {floor}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def rule_infos(rubric: Rubric, path: str) -> tuple[RuleInfo, ...]:
    """The rubric's findings as rules; bundled rubrics link to docs/findings.md.

    The findings the model raises itself (``auto_findings``: not sure, claims
    without evidence, the team's placement) are rules too: without them SARIF
    would have no rule for their results.
    """
    try:
        bundled = Path(path).resolve().is_relative_to(rubrics_dir().resolve())
    except OSError:
        bundled = False
    auto = rubric.auto_findings
    specs: list[Finding | AutoFinding] = [*rubric.findings]
    specs += [f for f in (auto.unsure, auto.unevidenced, auto.placement) if f is not None]
    return tuple(
        RuleInfo(
            id=f.id,
            title=f.title,
            severity=f.severity,
            message=" ".join(f.message.split()),
            rationale=" ".join(f.rationale.split()),
            suggestion=" ".join(f.suggestion.split()),
            cite=f.cite,
            help_uri=f"{DOCS}findings.md#{f.id.lower()}" if bundled else None,
        )
        for f in specs
    )
