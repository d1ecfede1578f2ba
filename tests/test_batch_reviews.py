"""`batch` with reviews in the cohort: one appraisal per project in the figures, reviews beside."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import yaml

from .test_cli_core import run

ROOT = Path(__file__).resolve().parent.parent
TRAINEE = ROOT / "examples" / "poverty-screening.yaml"
REVIEW = ROOT / "examples" / "reviews" / "poverty-screening.supervisor.yaml"


def _cohort(tmp_path: Path, review_band_answer: str | None = None) -> Path:
    """Two trainees' files and a supervisor's review of one of them."""
    folder = tmp_path / "cohort"
    (folder / "reviews").mkdir(parents=True)
    shutil.copyfile(TRAINEE, folder / "poverty.yaml")
    shutil.copyfile(ROOT / "examples" / "cypic.yaml", folder / "cypic.yaml")
    review = yaml.safe_load(REVIEW.read_text())
    review["reviews"] = {"file": "../poverty.yaml"}
    if review_band_answer is not None:
        # Both of the heaviest position questions at the repair end: a different band.
        review["answers"]["change_scope"] = review_band_answer
        review["answers"]["project_ends"] = "efficiency-safety"
        review["answers"]["beyond_health"] = "within"
        review["answers"]["catalyst"] = "self-contained"
        review["answers"]["purpose_questions"] = "within-service"
    (folder / "reviews" / "poverty.supervisor.yaml").write_text(yaml.safe_dump(review))
    return folder


def test_reviews_are_not_counted_as_projects(tmp_path: Path) -> None:
    folder = _cohort(tmp_path)
    result = run("batch", folder, "--json", "-")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert len(doc["proposals"]) == 3  # every file is scored ...
    summary = doc["summary"]
    assert summary["scored"] == 2  # ... but the figures take one appraisal per project
    assert sum(summary["bands"].values()) + summary["unplaced"] == 2
    (review,) = summary["reviews"]
    assert review["role"] == "supervisor" and review["rater"] == "Dr S. Example"
    assert review["reviewed"].endswith("poverty.yaml")
    assert review["bands_agree"] is True
    assert review["reviewed_score"] == 23.0 and review["score"] == 18.2


def test_the_terminal_lists_reviews_beside_what_they_review(tmp_path: Path) -> None:
    folder = _cohort(tmp_path, review_band_answer="task")
    result = run("batch", folder)
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())  # lines wrap at the terminal's width
    table, reviews = out.split("Reviews (1; bands differ in 1)")
    assert "poverty.supervisor" not in table  # one line per project in the table
    assert "self 23 prov. Stepping stone" in reviews
    assert "BANDS DIFFER" in reviews and "Repair" in reviews


def test_a_review_of_a_file_outside_the_batch_is_listed_as_such(tmp_path: Path) -> None:
    folder = _cohort(tmp_path)
    result = run("batch", folder / "reviews", folder / "cypic.yaml")
    assert result.exit_code == 0, result.stderr
    assert "the appraisal it reviews is not in this batch" in " ".join(result.stdout.split())


def test_the_cohort_report_has_a_reviews_section(tmp_path: Path) -> None:
    folder = _cohort(tmp_path, review_band_answer="task")
    out = tmp_path / "out"
    result = run("batch", folder, "--out", out, "--report-format", "both")
    assert result.exit_code == 0, result.stderr
    md = (out / "index.md").read_text()
    assert "# Cohort report: 2 projects" in md
    assert "## Reviews by second raters" in md
    assert "the bands differ in 1 review." in md
    assert "| Dr S. Example, supervisor |" in md
    html = (out / "index.html").read_text()
    assert 'id="reviews"' in html and "<td>differ</td>" in html


def test_csv_says_who_rated_each_file(tmp_path: Path) -> None:
    folder = _cohort(tmp_path)
    result = run("batch", folder, "--csv", "-")
    assert result.exit_code == 0, result.stderr
    rows = {r["file"].split("/")[-1]: r for r in csv.DictReader(io.StringIO(result.stdout[1:]))}
    assert rows["poverty.yaml"]["rater_role"] == "self"
    assert rows["poverty.yaml"]["reviews"] == ""
    assert rows["poverty.supervisor.yaml"]["rater_role"] == "supervisor"
    assert rows["poverty.supervisor.yaml"]["reviews"].endswith("poverty.yaml")


def test_a_rater_linked_by_project_id_is_listed_not_counted(tmp_path: Path) -> None:
    folder = _cohort(tmp_path)
    data = yaml.safe_load(TRAINEE.read_text())
    data["project"]["id"] = "poverty-2021"
    (folder / "poverty.yaml").write_text(yaml.safe_dump(data))
    data["rater"] = {"name": "Dr A. Assessor", "role": "assessor"}
    (folder / "assessor.yaml").write_text(yaml.safe_dump(data))
    doc = json.loads(run("batch", folder, "--json", "-").stdout)
    assert doc["summary"]["scored"] == 2  # still two projects
    roles = sorted(r["role"] for r in doc["summary"]["reviews"])
    assert roles == ["assessor", "supervisor"]
    assessor = next(r for r in doc["summary"]["reviews"] if r["role"] == "assessor")
    assert assessor["reviewed"].endswith("poverty.yaml")


def test_a_review_of_a_review_is_listed_beside_the_teams_appraisal(tmp_path: Path) -> None:
    folder = _cohort(tmp_path)
    peer = yaml.safe_load((folder / "reviews" / "poverty.supervisor.yaml").read_text())
    peer["rater"] = {"name": "Dr P", "role": "peer"}
    peer["reviews"] = {"file": "poverty.supervisor.yaml"}
    (folder / "reviews" / "poverty.peer.yaml").write_text(yaml.safe_dump(peer))
    doc = json.loads(run("batch", folder, "--json", "-").stdout)
    reviewed = {r["file"].split("/")[-1]: r["reviewed"] for r in doc["summary"]["reviews"]}
    assert reviewed["poverty.peer.yaml"].endswith("poverty.yaml")


def test_two_self_appraisals_of_one_project_are_named(tmp_path: Path) -> None:
    # A v1 and a v2 sharing project.id are both the team's own: the cohort
    # counts each, and cannot tell which is current, so it says so.
    folder = tmp_path / "cohort"
    folder.mkdir()
    data = yaml.safe_load((ROOT / "examples" / "cypic.yaml").read_text(encoding="utf-8"))
    data["project"]["id"] = "CYPIC"
    for name in ("v1.yaml", "v2.yaml"):
        (folder / name).write_text(yaml.safe_dump(data), encoding="utf-8")
    shutil.copy(ROOT / "examples" / "growth-charts.yaml", folder / "other.yaml")
    result = run("batch", folder, "--json", "-")
    assert result.exit_code == 0, result.stderr
    note = (
        f"note: {folder / 'v1.yaml'}, {folder / 'v2.yaml'} are each the team's own appraisal "
        "of project 'CYPIC', and the cohort counts each"
    )
    assert note in " ".join(result.stderr.split())
    assert "other.yaml" not in result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert sum(summary["bands"].values()) == 3  # the figures count each, as the note says
    assert summary["several_self_appraisals"] == [
        {"id": "CYPIC", "files": [str(folder / "v1.yaml"), str(folder / "v2.yaml")]}
    ]
    out = tmp_path / "out"
    assert run("batch", folder, "--out", out, "--report-format", "both").exit_code == 0
    for page in ("index.md", "index.html"):
        text = (out / page).read_text(encoding="utf-8")
        assert "Counted more than once" in text and "v2.yaml" in text, page
