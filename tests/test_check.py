"""`qiappraise check`: the gate, exit codes, waivers, folders and the pre-commit hook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from qiappraise.gate.check import run as run_check
from qiappraise.gate.config import Resolver
from qiappraise.gate.policy import Policy
from qiappraise.gate.verdict import INVALID, PASS, WANTING, exit_code

from .checkhelpers import (
    BIN,
    CASES,
    CHECK_FIXTURES,
    PITCH,
    PROVISIONAL,
    REFORM,
    REPAIR,
    ROOT,
    STEPPING_STONE,
    run,
)
from .conftest import MINI_FULL, MINI_RUBRIC, MakeProposal

#: The made-up cases against the default policy (score >= 50, complete, no
#: unwaived error finding). The gate is band-neutral (issue 11 f): a
#: deliberate repair passes and an unevidenced reform pitch fails. Pinned: a
#: change to the rubric or the defaults that flips one must be deliberate.
DEFAULT_VERDICTS = {
    "deliberate-repair.yaml": PASS,
    "stepping-stone.yaml": PASS,
    "evidenced-reform.yaml": PASS,
    "reform-pitch.yaml": WANTING,
    "provisional.yaml": WANTING,
}


def test_default_policy() -> None:
    assert Policy() == Policy(
        fail_under=50.0,
        min_section={},
        require_dimensions=(),
        min_band=None,
        fail_on=("error",),
        allow_incomplete=False,
        require_evidence=False,
    )


@pytest.mark.parametrize("name", sorted(DEFAULT_VERDICTS))
def test_cases_against_default_policy(name: str) -> None:
    report = run_check([CASES / name], Resolver(isolated=True))
    assert [f.status for f in report.files] == [DEFAULT_VERDICTS[name]]


def test_cases_folder_exit_1_and_verdict_agree() -> None:
    result = run("check", "--isolated", CASES)
    assert result.exit_code == 1
    assert (
        "Found wanting: 5 proposals checked, 3 passed, 2 found wanting, 1 provisional"
        in result.stdout
    )
    assert f"{PITCH}: found wanting (score 26.4, band stepping-stone)" in result.stdout
    assert f"{REPAIR}: passed (score 89.5, band repair)" in result.stdout
    assert f"{PROVISIONAL}: found wanting (provisional score 38.6, band repair)" in result.stdout


def test_pass_exits_0() -> None:
    result = run("check", "--isolated", REPAIR)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("Passed: 1 proposal checked")


def test_exit_zero_reports_without_failing() -> None:
    result = run("check", "--isolated", "--exit-zero", PITCH)
    assert result.exit_code == 0
    assert "found wanting" in result.stdout


def test_invalid_input_exits_2_even_with_exit_zero(proposal: MakeProposal) -> None:
    bad = proposal(driver="sideways")
    good = proposal(driver="need", outcome=True, scope="pathway", groups=["children"], cycles=4)
    for extra in ([], ["--exit-zero"]):
        result = run("check", "--isolated", "-r", MINI_RUBRIC, *extra, bad, good)
        assert result.exit_code == 2, result.output
        assert f"{bad}:" in result.stdout and "answers.driver" in result.stdout
        assert "1 invalid" in result.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("check").exit_code == 2
    missing = run("check", tmp_path / "nope.yaml")
    # Recorded in the report (every format shows it), not just on stderr.
    assert missing.exit_code == 2 and "no such file or folder" in missing.stdout
    assert run("check", "--fail-on", "fatal", CASES).exit_code == 2
    assert run("check", "--min-section", "purpose", CASES).exit_code == 2
    unknown = run("check", "--isolated", "--min-band", "revolution", REFORM)
    assert unknown.exit_code == 2
    assert "command line (--min-band): min-band: 'revolution' is not a band" in unknown.stderr


def test_exit_code_comes_from_the_decision() -> None:
    assert exit_code(PASS) == 0
    assert exit_code(WANTING) == 1
    assert exit_code(WANTING, exit_zero=True) == 0
    assert exit_code(INVALID, exit_zero=True) == 2


def test_options_override_defaults() -> None:
    assert run("check", "--isolated", "--require-dimension", "timely", REFORM).exit_code == 1
    assert run("check", "--isolated", "--require-dimension", "equitable", REFORM).exit_code == 0
    primary = run("check", "--isolated", "--require-dimension", "safe:primary", REFORM)
    assert primary.exit_code == 1
    assert "dimension safe: secondary (served as primary required)" in primary.stdout
    assert run("check", "--isolated", "--min-band", "reform", REFORM).exit_code == 0
    assert run("check", "--isolated", "--min-band", "stepping-stone", REPAIR).exit_code == 1
    assert run("check", "--isolated", "--fail-on", "warning", STEPPING_STONE).exit_code == 1
    assert run("check", "--isolated", "--fail-under", "70", STEPPING_STONE).exit_code == 1
    section = run("check", "--isolated", "--min-section", "measures=60", STEPPING_STONE)
    assert section.exit_code == 1
    assert "section measures scores 50" in section.stdout


def test_incomplete_fails_unless_allowed(proposal: MakeProposal) -> None:
    path = proposal(driver="need", outcome=True, scope="pathway", groups=["children"])
    failed = run("check", "--isolated", "-r", MINI_RUBRIC, path)
    assert failed.exit_code == 1
    # Unanswered questions count as 0 (rubric 2.0): the message says the score is a floor.
    assert (
        "FAIL policy complete: 1 required question unanswered (cycles); it counts as 0, "
        "so the score 64 is provisional, a floor that can only rise as it is answered"
    ) in " ".join(failed.stdout.split())
    assert f"{path}: found wanting (provisional score 64" in failed.stdout
    allowed = run("check", "--isolated", "-r", MINI_RUBRIC, "--allow-incomplete", path)
    assert allowed.exit_code == 0, allowed.stdout
    # Allowed to pass, and still said to be provisional.
    assert f"{path}: passed (provisional score 64" in allowed.stdout
    assert "note 1 required question unanswered (cycles); it counts as 0" in allowed.stdout
    assert "1 passed, 0 found wanting, 1 provisional;" in allowed.stdout


def test_a_provisional_score_below_the_minimum_says_it_is_a_floor(
    proposal: MakeProposal,
) -> None:
    # Purpose 2 of 5 (story, optional, counts as 0 too), reach 2 of 5 (cycles unanswered).
    path = proposal(driver="need", outcome=False, scope="task", groups=["children"])
    result = run("check", "--isolated", "-r", MINI_RUBRIC, "--allow-incomplete", path)
    assert result.exit_code == 1
    assert "overall score 40 (provisional: a floor) is below the minimum 50" in result.stdout


def test_an_open_finding_counts_like_any_finding(proposal: MakeProposal) -> None:
    # Without a driver, equity may still turn out not addressed: MI002 (an
    # error) cannot be ruled out, so it is raised, and fails the check as any
    # error does; the output says what would settle it.
    path = proposal(outcome=True, scope="pathway", groups=["children"], cycles=4)
    report = run_check([path], Resolver({"allow-incomplete": True}, isolated=True), MINI_RUBRIC)
    (result,) = report.files
    mi002 = next(f for f in result.findings if f.finding.id == "MI002")
    assert mi002.finding.open_on and mi002.fails
    assert result.status == WANTING
    text = run("check", "--isolated", "--allow-incomplete", "-r", MINI_RUBRIC, path).stdout
    assert ": FAIL MI002 Equity not addressed (error) (not ruled out yet; answer: " in text
    answered = proposal(driver="need", outcome=True, scope="pathway", groups=["children"], cycles=4)
    assert run("check", "--isolated", "-r", MINI_RUBRIC, answered).exit_code == 0


def test_require_evidence_fails_claims_without_a_note(proposal: MakeProposal) -> None:
    # scope: system is a claim that needs evidence (mini rubric): without a
    # note it counts as the level below, and require-evidence fails it.
    answers = dict(driver="need", outcome=True, scope="system", groups=["children"], cycles=4)
    bare = proposal(**answers)
    assert run("check", "--isolated", "-r", MINI_RUBRIC, bare).exit_code == 0  # off by default
    strict = run("check", "--isolated", "-r", MINI_RUBRIC, "--require-evidence", bare)
    assert strict.exit_code == 1
    assert (
        "FAIL policy evidence: 1 claim without evidence, each counted as the level below "
        "until a note says what backs it: scope"
    ) in " ".join(strict.stdout.split())
    line = next(i for i, t in enumerate(bare.read_text().splitlines(), 1) if "scope:" in t)
    assert f"{bare}:{line}: FAIL policy evidence" in strict.stdout
    backed = proposal(**answers, _notes={"scope": "The council and two trusts signed up."})
    assert (
        run("check", "--isolated", "-r", MINI_RUBRIC, "--require-evidence", backed).exit_code == 0
    )
    # "Assumed:" is not evidence.
    assumed = proposal(**answers, _notes={"scope": "Assumed: it will spread."})
    assert (
        run("check", "--isolated", "-r", MINI_RUBRIC, "--require-evidence", assumed).exit_code == 1
    )
    off = run("check", "--isolated", "-r", MINI_RUBRIC, "--no-require-evidence", bare)
    assert off.exit_code == 0


def test_require_evidence_on_the_cases() -> None:
    report = run_check([CASES], Resolver({"require-evidence": True}, isolated=True))
    failing = {
        Path(f.file).name: [r.rule for r in f.failed_rules] for f in report.files if f.failed_rules
    }
    assert failing == {
        "reform-pitch.yaml": ["policy/evidence", "policy/fail-under"],
        "provisional.yaml": ["policy/complete", "policy/fail-under"],
    }
    # The evidenced reform keeps its claims and passes.
    assert {Path(f.file).name: f.status for f in report.files}["evidenced-reform.yaml"] == PASS


def test_findings_point_at_the_answer_line() -> None:
    report = run_check([PITCH], Resolver(isolated=True))
    (result,) = report.files
    text = PITCH.read_text(encoding="utf-8").splitlines()
    ce004 = next(f for f in result.findings if f.finding.id == "CE004")
    assert text[ce004.line - 1].lstrip().startswith(f"{ce004.finding.concerns[0]}:")


def test_waivers_shown_counted_apart_and_unused_warned() -> None:
    path = CHECK_FIXTURES / "waived.yaml"
    result = run("check", "--isolated", "-r", MINI_RUBRIC, path)
    assert result.exit_code == 1  # MI002 is an error and is not waived
    out = result.stdout
    assert "waived MI001 Target-driven; waived: The target is the commissioner's" in out
    assert "warning the waiver for MI003 matches no finding" in out
    assert "1 finding, 1 waived, 1 unused waiver" in out
    doc = json.loads(run("check", "--isolated", "-r", MINI_RUBRIC, "-f", "json", path).stdout)
    assert doc["summary"]["findings"] == 1 and doc["summary"]["waived"] == 1
    (f,) = doc["files"]
    mi001 = next(x for x in f["findings"] if x["id"] == "MI001")
    assert mi001["waived"] and not mi001["fails"]
    assert f["unused_waivers"] == [{"finding": "MI003", "line": 16}]


def test_waiving_the_failing_finding_passes(proposal: MakeProposal) -> None:
    answers = dict(
        driver="target",
        outcome=True,
        story="We asked the ward.",  # optional, and unanswered it would count as 0
        scope="pathway",
        groups=["children"],
        cycles=2,
    )
    failing = proposal(**answers)
    assert run("check", "--isolated", "-r", MINI_RUBRIC, failing).exit_code == 1
    waived = proposal(**answers, _waivers=[{"finding": "MI002", "reason": "Out of scope here."}])
    assert run("check", "--isolated", "-r", MINI_RUBRIC, waived).exit_code == 0


def test_folders_recurse_and_skip_other_yaml(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    shutil.copy(MINI_FULL, tmp_path / "a" / "b" / "one.yml")
    shutil.copy(MINI_FULL, tmp_path / ".hidden" / "ignored.yaml")
    shutil.copy(MINI_FULL, tmp_path / "a" / ".draft.yaml")  # hidden files too, as in batch
    (tmp_path / "venv" / "lib").mkdir(parents=True)
    shutil.copy(MINI_FULL, tmp_path / "venv" / "lib" / "installed.yaml")
    shutil.copy(CHECK_FIXTURES / "not-a-proposal.yaml", tmp_path / "a" / "mkdocs.yaml")
    (tmp_path / "a" / "notes.txt").write_text("not yaml", encoding="utf-8")
    result = run("check", "--isolated", "-r", MINI_RUBRIC, tmp_path)
    assert result.exit_code == 0, result.output
    assert "one.yml: passed" in result.stdout
    assert "ignored.yaml" not in result.stdout
    assert ".draft.yaml" not in result.output and "installed.yaml" not in result.output
    assert "mkdocs.yaml: skipped, not a proposal" in result.stderr
    assert "1 proposal checked" in result.stdout and "1 file skipped" in result.stdout


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    # A gate fails closed: a folder with nothing to check is most likely a typo.
    result = run("check", "--isolated", tmp_path)
    assert result.exit_code == 2
    assert "folder holds no .yaml or .yml files to check" in result.stdout


def test_a_folder_of_other_yaml_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: QI\n")
    result = run("check", "--isolated", tmp_path)
    assert result.exit_code == 2
    assert "folder holds no proposals (1 YAML file passed over)" in result.stdout


def test_other_yaml_named_by_a_hook_is_a_note_not_a_failure(tmp_path: Path) -> None:
    # pre-commit passes the files it matched: a CI config among them is passed over.
    (tmp_path / "mkdocs.yml").write_text("site_name: QI\n")
    result = run("check", "--isolated", tmp_path / "mkdocs.yml")
    assert result.exit_code == 0
    assert "no proposal files found" in result.stderr


def test_machine_output_still_written_when_a_path_is_missing(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = run(
        "check",
        "--isolated",
        "-f",
        "json",
        "-o",
        target,
        REFORM,
        tmp_path / "gone.yaml",
    )
    assert result.exit_code == 2
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["decision"] == "invalid"
    assert len(doc["files"]) == 2


def test_output_file_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = run("check", "--isolated", "-f", "json", "-o", target, REPAIR)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["decision"] == "pass"
    assert "Passed: 1 proposal checked" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_github_format_chosen_in_actions(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = run("check", "--isolated", PITCH, env=env)
    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## qiappraise check: found wanting")
    explicit = run("check", "--isolated", "-f", "text", REPAIR, env=env)
    assert "::" not in explicit.stdout


def _snapshot(dest: Path) -> Path:
    """The working tree (tracked and new files) as a one-commit git repo.

    ``pre-commit try-repo`` adds uncommitted changes to tracked files, but not
    new files; a snapshot tests exactly what is on disk.
    """
    files = (
        subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    _commit(dest)
    return dest


def _commit(repo: Path) -> None:
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "snapshot"], check=True)


@pytest.mark.slow
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (BIN / "pre-commit").exists():
        pytest.skip("needs git and pre-commit")
    hook_repo = _snapshot(tmp_path / "qiappraise")
    repo = tmp_path / "programme"
    (repo / "proposals").mkdir(parents=True)
    shutil.copy(REPAIR, repo / "proposals" / "repair.yaml")
    shutil.copy(PITCH, repo / "proposals" / "pitch.yaml")
    (repo / "README.md").write_text("not a proposal\n", encoding="utf-8")
    _commit(repo)

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                str(BIN / "pre-commit"),
                "try-repo",
                str(hook_repo),
                "qiappraise-check",
                "--files",
                *files,
            ],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=900,
            env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")},
        )

    passed = try_repo("proposals/repair.yaml", "README.md")
    if "Could not find a version" in passed.stdout + passed.stderr:
        pytest.skip("no package index reachable for pre-commit's environment")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "qiappraise check" in passed.stdout and "Passed" in passed.stdout
    failed = try_repo("proposals/repair.yaml", "proposals/pitch.yaml")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "proposals/pitch.yaml: found wanting" in failed.stdout


def test_the_same_file_twice_is_checked_once_with_a_note(tmp_path: Path) -> None:
    shutil.copy(MINI_FULL, tmp_path / "p.yaml")
    os.symlink(tmp_path / "p.yaml", tmp_path / "link.yaml")
    result = run("check", "--isolated", "-r", MINI_RUBRIC, tmp_path)
    assert result.exit_code == 0, result.output
    assert "1 proposal checked" in result.stdout
    assert f"{tmp_path / 'p.yaml'}: skipped, the same file as {tmp_path / 'link.yaml'}" in (
        result.stderr
    )
    again = run("check", "--isolated", "-r", MINI_RUBRIC, tmp_path / "p.yaml", tmp_path / "p.yaml")
    assert "1 proposal checked" in again.stdout
    assert f"{tmp_path / 'p.yaml'}: skipped, given more than once, checked once" in again.stderr
