"""`check --require-review ROLE` (and `require-review` in config): a second rater's review is needed."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from .checkhelpers import tool
from .test_check_formats import SARIF_SCHEMA
from .test_cli_core import run

ROOT = Path(__file__).resolve().parent.parent
TRAINEE = ROOT / "examples" / "poverty-screening.yaml"
REVIEW = ROOT / "examples" / "reviews" / "poverty-screening.supervisor.yaml"
LENIENT = ("--fail-under", "0", "--allow-incomplete", "--fail-on", "none")


def _folder(tmp_path: Path, **reviews: Any) -> Path:
    """A trainee's file and, for each name given, a review with those ``reviews``/``rater`` edits."""
    folder = tmp_path / "proposals"
    folder.mkdir(parents=True)
    shutil.copyfile(TRAINEE, folder / "trainee.yaml")
    for name, edits in reviews.items():
        data = yaml.safe_load(REVIEW.read_text())
        data["reviews"] = {"file": "trainee.yaml", **edits.get("reviews", {})}
        data["rater"] = edits.get("rater", data["rater"])
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(data))
    return folder


def _rule(folder: Path, *args: str) -> tuple[int, dict[str, Any] | None]:
    result = run("check", folder, *LENIENT, "-f", "json", *args)
    doc = json.loads(result.stdout)
    (trainee,) = [f for f in doc["files"] if f["file"].endswith("trainee.yaml")]
    rules = [r for r in trainee["rules"] if r["rule"] == "policy/review"]
    return result.exit_code, (rules[0] if rules else None)


def test_no_rule_unless_asked(tmp_path: Path) -> None:
    code, rule = _rule(_folder(tmp_path))
    assert code == 0 and rule is None


def test_a_missing_review_fails(tmp_path: Path) -> None:
    code, rule = _rule(_folder(tmp_path), "--require-review", "supervisor")
    assert code == 1
    assert rule is not None and rule["passed"] is False
    assert "no file checked reviews it as a supervisor" in rule["message"]


def test_a_supervisors_review_passes(tmp_path: Path) -> None:
    code, rule = _rule(_folder(tmp_path, review={}), "--require-review", "supervisor")
    assert code == 0, rule
    assert rule is not None and rule["passed"] is True and "review.yaml" in rule["message"]


def test_a_review_by_another_role_does_not_count(tmp_path: Path) -> None:
    folder = _folder(tmp_path, review={"rater": {"role": "peer", "name": "Dr P"}})
    code, rule = _rule(folder, "--require-review", "supervisor")
    assert code == 1 and rule is not None
    assert "(reviewed by: peer)" in rule["message"]
    code, rule = _rule(folder, "--require-review", "any")
    assert code == 0 and rule is not None and rule["passed"]


def test_a_review_of_an_older_version_needs_updating(tmp_path: Path) -> None:
    folder = _folder(tmp_path, review={"reviews": {"sha256": "0" * 64}})
    code, rule = _rule(folder, "--require-review", "supervisor")
    assert code == 1 and rule is not None
    assert "the file changed since" in rule["message"]
    digest = hashlib.sha256((folder / "trainee.yaml").read_bytes()).hexdigest()
    current = _folder(tmp_path / "b", review={"reviews": {"sha256": digest}})
    code, rule = _rule(current, "--require-review", "supervisor")
    assert code == 0 and rule is not None and rule["passed"]


def test_reviews_themselves_need_no_review(tmp_path: Path) -> None:
    result = run(
        "check",
        _folder(tmp_path, review={}),
        *LENIENT,
        "-f",
        "json",
        "--require-review",
        "supervisor",
    )
    doc = json.loads(result.stdout)
    (review,) = [f for f in doc["files"] if f["file"].endswith("review.yaml")]
    assert not [r for r in review["rules"] if r["rule"] == "policy/review"]


def test_the_config_key(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.qiappraise]\nrequire-review = "supervisor"\n')
    result = run("check", folder, *LENIENT, "-f", "json")
    assert result.exit_code == 1
    assert '"policy/review"' in result.stdout


@pytest.mark.parametrize("bad", ["boss", "self"])
def test_a_bad_role_is_a_usage_error(tmp_path: Path, bad: str) -> None:
    result = run("check", _folder(tmp_path), "--require-review", bad)
    assert result.exit_code == 2
    assert (
        "--require-review: expected a reviewer's role: supervisor, peer, assessor, any"
        in result.stderr
    )


def test_a_rater_linked_by_project_id_counts_and_needs_no_review(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    data = yaml.safe_load(TRAINEE.read_text())
    data["project"]["id"] = "poverty-2021"
    (folder / "trainee.yaml").write_text(yaml.safe_dump(data))
    data["rater"] = {"name": "Dr A", "role": "assessor"}
    (folder / "assessor.yaml").write_text(yaml.safe_dump(data))
    result = run("check", folder, *LENIENT, "-f", "json", "--require-review", "assessor")
    assert result.exit_code == 0, result.stdout
    doc = json.loads(result.stdout)
    (assessor,) = [f for f in doc["files"] if f["file"].endswith("assessor.yaml")]
    assert not [r for r in assessor["rules"] if r["rule"] == "policy/review"]
    (trainee,) = [f for f in doc["files"] if f["file"].endswith("trainee.yaml")]
    (rule,) = [r for r in trainee["rules"] if r["rule"] == "policy/review"]
    assert "is linked by project.id: it appraises the project, not this version" in rule["message"]


def test_a_review_by_the_projects_own_lead_does_not_count(tmp_path: Path) -> None:
    lead = yaml.safe_load(TRAINEE.read_text())["project"]["lead"]
    folder = _folder(tmp_path, review={"rater": {"name": lead, "role": "supervisor"}})
    code, rule = _rule(folder, "--require-review", "supervisor")
    assert code == 1 and rule is not None
    assert "is by the project's own lead, which does not count" in rule["message"]


def _reviewed_as_seen(
    folder: Path, edit: str, *, sha256: bool = True, waivers: list[Any] | None = None
) -> tuple[int, dict[str, Any] | None]:
    """The example review of trainee.yaml, recording the digest (unless not
    ``sha256``) and what it saw; then the trainee's file edited by ``edit``
    (``before -> after``)."""
    trainee = folder / "trainee.yaml"
    data = yaml.safe_load(REVIEW.read_text())
    data["reviews"]["file"] = "trainee.yaml"
    data["reviews"]["sha256"] = hashlib.sha256(trainee.read_bytes()).hexdigest()
    if not sha256:
        del data["reviews"]["sha256"]
    assert data["reviews"]["seen"]["answers"] == yaml.safe_load(trainee.read_text())["answers"]
    data["reviews"]["seen"]["notes"] = yaml.safe_load(trainee.read_text())["notes"]
    if waivers is not None:
        data["reviews"]["seen"]["waivers"] = waivers
    (folder / "review.yaml").write_text(yaml.safe_dump(data))
    before, after = edit.split(" -> ")
    text = trainee.read_text(encoding="utf-8")
    assert before in text, before
    trainee.write_text(text.replace(before, after, 1), encoding="utf-8")
    return _rule(folder, "--require-review", "supervisor")


def test_a_changed_title_keeps_the_review_that_saw_the_same_answers(tmp_path: Path) -> None:
    # The example review records the trainee's answers and notes (reviews.seen).
    code, rule = _reviewed_as_seen(
        _folder(tmp_path), "title: Screening for -> title: Screening families for"
    )
    assert code == 0 and rule is not None and rule["passed"], rule
    assert "(the file changed since, but not its answers, notes or waivers)" in rule["message"]


@pytest.mark.parametrize("fmt", ["text", "sarif", "junit", "github", "gitlab"])
def test_every_format_notes_a_review_of_an_earlier_version(tmp_path: Path, fmt: str) -> None:
    folder = _folder(tmp_path)
    _reviewed_as_seen(folder, "title: Screening for -> title: Screening families for")
    result = run("check", folder, *LENIENT, "-f", fmt, "--require-review", "supervisor")
    assert result.exit_code == 0, result.stdout
    said = " ".join(result.stdout.split())
    assert "reviewed an earlier version of the file, with the same answers" in said
    if fmt == "sarif":
        results = json.loads(result.stdout)["runs"][0]["results"]
        assert [r["level"] for r in results if r["ruleId"] == "review/changed"] == ["note"]


@pytest.mark.parametrize(
    "edit",
    [
        "pdsa_cycles: 2 -> pdsa_cycles: 5",  # an answer
        "notes:\n -> waivers:\n  - {finding: CE004, reason: Not needed.}\nnotes:\n",  # a waiver
        '    Box 3: "it arose ->    Box 3 (p 374): "it arose',  # a note
    ],
)
def test_a_changed_answer_or_note_needs_the_review_updated(tmp_path: Path, edit: str) -> None:
    code, rule = _reviewed_as_seen(_folder(tmp_path), edit)
    assert code == 1 and rule is not None and not rule["passed"]
    assert "answers, notes or waivers from those the review saw" in rule["message"]


def test_a_review_that_did_not_record_what_it_saw_needs_the_same_bytes(tmp_path: Path) -> None:
    folder = _folder(tmp_path, review={"reviews": {"sha256": "0" * 64}})  # no seen: block
    code, rule = _rule(folder, "--require-review", "supervisor")
    assert code == 1 and rule is not None and "needs updating" in rule["message"]


def test_a_review_that_recorded_what_it_saw_is_held_to_it_without_a_digest(
    tmp_path: Path,
) -> None:
    code, rule = _reviewed_as_seen(
        _folder(tmp_path), "pdsa_cycles: 2 -> pdsa_cycles: 9", sha256=False
    )
    assert code == 1 and rule is not None and not rule["passed"]
    assert "its answers, notes or waivers differ from those the review saw" in rule["message"]
    code, rule = _reviewed_as_seen(
        _folder(tmp_path / "b"),
        "title: Screening for -> title: Screening families for",
        sha256=False,
    )
    assert code == 0 and rule is not None and rule["passed"], rule


CAVEAT = "records neither the file's SHA-256 nor what it saw (answers and notes)"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github", "gitlab"])
def test_a_pass_says_when_a_change_since_would_not_show(tmp_path: Path, fmt: str) -> None:
    # A review taken at its word (no SHA-256, no answers seen) passes, and
    # every format says what that means, so a supervisor can question it.
    folder = _folder(tmp_path, review={})
    result = run("check", folder, *LENIENT, "-f", fmt, "--require-review", "supervisor")
    assert result.exit_code == 0, result.stdout
    assert CAVEAT in result.stdout
    if fmt == "sarif":
        (note,) = [
            r
            for r in json.loads(result.stdout)["runs"][0]["results"]
            if r["ruleId"] == "review/unpinned"
        ]
        assert note["level"] == "note"
        (tmp_path / "r.sarif").write_text(result.stdout, encoding="utf-8")
        checked = tool("check-jsonschema", "--schemafile", SARIF_SCHEMA, tmp_path / "r.sarif")
        assert checked.returncode == 0, checked.stdout + checked.stderr
    digest = hashlib.sha256(TRAINEE.read_bytes()).hexdigest()
    pinned = _folder(tmp_path / "b", review={"reviews": {"sha256": digest}})
    result = run("check", pinned, *LENIENT, "-f", fmt, "--require-review", "supervisor")
    assert result.exit_code == 0 and "so a change since would not show" not in result.stdout
    if fmt == "sarif":
        results = json.loads(result.stdout)["runs"][0]["results"]
        assert not [r for r in results if r["ruleId"] == "review/unpinned"]


def test_a_pinned_review_is_named_before_one_taken_at_its_word(tmp_path: Path) -> None:
    digest = hashlib.sha256(TRAINEE.read_bytes()).hexdigest()
    folder = _folder(tmp_path, a_unpinned={}, b_pinned={"reviews": {"sha256": digest}})
    code, rule = _rule(folder, "--require-review", "supervisor")
    assert code == 0 and rule is not None
    assert rule["message"].endswith("b_pinned.yaml"), rule["message"]


def test_a_review_that_saw_answers_but_not_notes_is_described_exactly(tmp_path: Path) -> None:
    answers = yaml.safe_load(TRAINEE.read_text())["answers"]
    folder = _folder(tmp_path, review={"reviews": {"seen": {"answers": answers}}})
    code, rule = _rule(folder, "--require-review", "supervisor")
    assert code == 0 and rule is not None
    assert CAVEAT in rule["message"]


WAIVER = {"finding": "CE004", "reason": "Not needed."}


def test_a_review_that_saw_the_waivers_is_held_to_them(tmp_path: Path) -> None:
    # Recorded (as `review` writes it): a waiver added since needs the review updated...
    code, rule = _reviewed_as_seen(
        _folder(tmp_path),
        "notes:\n -> waivers:\n  - {finding: CE004, reason: Not needed.}\nnotes:\n",
        waivers=[],
    )
    assert code == 1 and rule is not None and not rule["passed"]
    assert "its answers, notes or waivers from those the review saw" in rule["message"]
    # ...while the waivers it saw, and only a title changed since, keep it.
    folder = _folder(tmp_path / "b")
    trainee = folder / "trainee.yaml"
    with_waiver = trainee.read_text(encoding="utf-8").replace(
        "notes:\n", "waivers:\n  - {finding: CE004, reason: Not needed.}\nnotes:\n", 1
    )
    trainee.write_text(with_waiver, encoding="utf-8")
    code, rule = _reviewed_as_seen(
        folder, "title: Screening for -> title: Screening families for", waivers=[WAIVER]
    )
    assert code == 0 and rule is not None and rule["passed"], rule
    assert "(the file changed since, but not its answers, notes or waivers)" in rule["message"]
    # A review written before reviews recorded waivers allows none.
    folder = _folder(tmp_path / "c")
    (folder / "trainee.yaml").write_text(with_waiver, encoding="utf-8")
    code, rule = _reviewed_as_seen(folder, "title: Screening for -> title: Screening families for")
    assert code == 1 and rule is not None and not rule["passed"]


def test_seen_waivers_are_read_and_checked_like_a_files_own(tmp_path: Path) -> None:
    folder = _folder(tmp_path, review={"reviews": {"seen": {"waivers": [{"finding": "CE004"}]}}})
    result = run("check", folder, *LENIENT)
    assert result.exit_code == 2
    assert "reviews.seen.waivers[0].reason: required; say why CE004 does not apply" in (
        result.stdout + result.stderr
    )
