"""``--output-format junit``: JUnit XML for GitLab test reports and Jenkins.

One test suite per proposal file, holding one test case for "the file is a
valid proposal" and one per policy rule; a failed rule is a ``<failure>``,
an invalid file an ``<error>``. Findings are listed in the suite's
``<system-out>``; the suite's properties give the score and whether it is
provisional. Valid against Jenkins' ``junit-10.xsd``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..verdict import CheckReport, FileResult
from .annotations import for_file

# XML 1.0 cannot carry most control characters, even escaped; answers might.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _suite(result: FileResult) -> ET.Element:
    suite = ET.Element("testsuite", name=_clean(result.file), file=_clean(result.file))
    a = result.appraisal
    if a is not None:
        # Required questions unanswered count as 0: the score is a floor (a property
        # a report viewer shows, and a note in system-out saying why).
        props = ET.SubElement(suite, "properties")
        if a.score is not None:
            ET.SubElement(props, "property", name="score", value=f"{a.score:g}")
        ET.SubElement(props, "property", name="provisional", value=str(a.provisional).lower())
    valid = ET.SubElement(suite, "testcase", name="valid proposal", classname=_clean(result.file))
    errors = failures = 0
    if result.problems:
        errors = 1
        first = result.problems[0]
        error = ET.SubElement(valid, "error", type="input/invalid", message=_clean(first.message))
        error.text = _clean(
            "\n".join(f"{result.file}:{p.line or 1}: {p.message}" for p in result.problems)
        )
    for rule in result.rules:
        case = ET.SubElement(
            suite,
            "testcase",
            name=_clean(f"{rule.name}: {rule.title}"),
            classname=_clean(result.file),
        )
        if not rule.passed:
            failures += 1
            failure = ET.SubElement(case, "failure", type=rule.rule, message=_clean(rule.message))
            failure.text = _clean(f"{result.file}:{rule.line}: {rule.message}")
    notes = [a for a in for_file(result) if a.rule not in ("input/invalid",)]
    if notes:
        out = ET.SubElement(suite, "system-out")
        out.text = _clean(
            "\n".join(
                f"{a.file}:{a.line}: {a.title}: {a.full_message()}"
                + (f" (waived: {a.waived})" if a.waived is not None else "")
                for a in notes
            )
        )
    suite.set("tests", str(1 + len(result.rules)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    return suite


def render(report: CheckReport, color: bool = False) -> str:
    root = ET.Element("testsuites", name="qiappraise check")
    suites = [_suite(r) for r in report.files]
    root.extend(suites)
    for attr in ("tests", "failures", "errors"):
        root.set(attr, str(sum(int(s.get(attr, "0")) for s in suites)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
