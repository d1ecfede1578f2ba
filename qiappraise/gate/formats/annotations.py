"""Everything a check reports, flattened to one located annotation each.

The machine formats (SARIF, GitHub, GitLab) and the text format all list the
same things in the same order: invalid input, failed policy rules, a note on a
review that counts without recording the version it rated (or rated an
earlier version with the same answers), a note that the
score is provisional (when the policy lets a provisional proposal pass),
findings (failing first, waived ones marked), unused waivers and ignored answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..verdict import CheckReport, FileResult, provisional_note

LEVEL = {"error": "error", "warning": "warning", "info": "note"}


@dataclass(frozen=True)
class Annotation:
    file: str
    line: int
    rule: str  # a finding id (CE004) or a key of gate.POLICY_RULES
    level: str  # error | warning | note (SARIF's words)
    title: str
    message: str
    subject: str = ""  # what the rule is about within the file: keeps fingerprints stable
    severity: str = ""  # the finding's own severity, for findings
    waived: str | None = None  # the waiver's reason
    fails: bool = False  # this annotation is why the file fails the check
    #: A finding raised because it cannot be ruled out yet: the questions to answer.
    open_on: tuple[str, ...] = ()
    details: tuple[str, ...] = ()  # a finding's lines naming the answers behind it

    def full_message(self, sep: str = "\n") -> str:
        """The message and the finding's details, one per line (or ``sep``)."""
        return sep.join((self.message, *(f"- {d}" for d in self.details)))


_CAVEAT_TITLES = {
    "review/unpinned": "review records no version",
    "review/changed": "reviewed an earlier version",
}


def for_file(result: FileResult) -> list[Annotation]:
    out: list[Annotation] = []
    for p in result.problems:
        out.append(
            Annotation(
                result.file,
                p.line or 1,
                "input/invalid",
                "error",
                "invalid proposal",
                p.message,
                subject=f"{p.line}:{p.message}",
                fails=True,
            )
        )
    for r in result.failed_rules:
        if r.rule == "policy/fail-on":
            continue  # the failing findings below carry it, each on its own line
        out.append(
            Annotation(
                result.file,
                r.line,
                r.rule,
                "error",
                f"policy: {r.title}",
                r.message,
                subject=r.subject,
                fails=True,
            )
        )
    for r in result.rules:
        if r.passed and r.caveat:
            out.append(
                Annotation(
                    result.file,
                    r.line,
                    r.caveat_rule,
                    "note",
                    _CAVEAT_TITLES.get(r.caveat_rule, r.caveat_rule),
                    r.caveat,
                    subject=r.subject,
                )
            )
    a = result.appraisal
    if (
        a is not None
        and a.provisional
        and not any(r.rule == "policy/complete" for r in result.failed_rules)
    ):
        out.append(
            Annotation(
                result.file,
                result.answers_line,
                "score/provisional",
                "note",
                "provisional score",
                provisional_note(a),
                subject="provisional",
            )
        )
    for f in sorted(result.findings, key=lambda f: (not f.fails, f.finding.waived is not None)):
        finding = f.finding
        waived = finding.waived is not None
        message = " ".join(finding.message.split())
        if finding.open_on:
            message += f" Not ruled out yet: answer {', '.join(finding.open_on)}."
        out.append(
            Annotation(
                result.file,
                f.line,
                finding.id,
                "note" if waived else ("error" if f.fails else LEVEL.get(finding.severity, "note")),
                f"{finding.id} {finding.title}",
                message,
                subject=finding.id,
                severity=finding.severity,
                waived=finding.waived,
                fails=f.fails,
                open_on=finding.open_on,
                details=tuple(" ".join(d.split()) for d in finding.details),
            )
        )
    for w in result.unused_waivers:
        out.append(
            Annotation(
                result.file,
                w.line,
                "waiver/unused",
                "warning",
                f"unused waiver {w.finding}",
                f"the waiver for {w.finding} matches no finding; remove it or check the id",
                subject=w.finding,
            )
        )
    for i in result.ignored_answers:
        out.append(
            Annotation(
                result.file,
                i.line,
                "answer/ignored",
                "note",
                f"ignored answer {i.question}",
                f"{i.question} does not apply, given the other answers, so this answer "
                "is not scored; remove it or check the answer it depends on",
                subject=i.question,
            )
        )
    return out


def all_annotations(report: CheckReport) -> list[Annotation]:
    return [a for result in report.files for a in for_file(result)]


def summary(report: CheckReport) -> str:
    """One line: the verdict and the counts, as every human-facing format ends."""
    from ..verdict import INVALID, PASS, WANTING, verdict

    n = len(report.files)
    parts = [f"{n} proposal{'s' * (n != 1)} checked"]
    parts.append(f"{report.count(PASS)} passed")
    parts.append(f"{report.count(WANTING)} found wanting")
    if report.count(INVALID):
        parts.append(f"{report.count(INVALID)} invalid")
    if report.provisional:
        parts.append(f"{report.provisional} provisional")
    counts = [f"{report.findings} finding{'s' * (report.findings != 1)}"]
    counts.append(f"{report.waived} waived")
    if report.unused_waivers:
        u = report.unused_waivers
        counts.append(f"{u} unused waiver{'s' * (u != 1)}")
    if report.ignored_answers:
        i = report.ignored_answers
        counts.append(f"{i} ignored answer{'s' * (i != 1)}")
    if report.skipped:
        counts.append(f"{len(report.skipped)} file{'s' * (len(report.skipped) != 1)} skipped")
    return f"{verdict(report.decision).capitalize()}: {', '.join(parts)}; {', '.join(counts)}."
