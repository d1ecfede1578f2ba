"""A review's own appraisal says whose it is, wherever it is shown.

A supervisor's review scored or reported on its own used to read exactly like
the trainee's appraisal: the same project, lead and title, with no word that
the answers, score and findings are the reviewer's.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from qiappraise.load.pipeline import appraise_file
from qiappraise.load.rubric import load_rubric
from qiappraise.rendering import jsonout
from qiappraise.rendering.report import render
from qiappraise.rubric.read import find_rubric

from .test_cli_core import run

ROOT = Path(__file__).resolve().parent.parent
TRAINEE = ROOT / "examples" / "poverty-screening.yaml"
REVIEW = ROOT / "examples" / "reviews" / "poverty-screening.supervisor.yaml"
# The reviewed file as a path from here, not from the review's folder.
WHO = f"Dr S. Example (supervisor), a review of {TRAINEE}"
RUBRIC = load_rubric(find_rubric("critical-engagement")).rubric


def test_score_names_the_reviewer() -> None:
    result = run("score", REVIEW)
    assert result.exit_code == 0, result.stderr
    assert f"Appraised by {WHO}" in " ".join(result.stdout.split())
    assert "Reviewer's own placement" in result.stdout
    own = run("score", TRAINEE)
    assert "Appraised by" not in own.stdout  # the team's own, unnamed: as before


def test_json_carries_the_rater_and_what_is_reviewed() -> None:
    (doc,) = json.loads(run("score", "-f", "json", REVIEW).stdout)
    assert doc["rater"] == {"role": "supervisor", "name": "Dr S. Example"}
    assert doc["reviews"] == "../poverty-screening.yaml"
    (own,) = json.loads(run("score", "-f", "json", TRAINEE).stdout)
    assert (own["rater"], own["reviews"]) == ({"role": "self", "name": ""}, None)
    for path in (REVIEW, TRAINEE):  # batch's fast writer agrees with json.dumps
        a = appraise_file(path)
        expected = json.dumps(jsonout.document(a), ensure_ascii=False, separators=(",", ":"))
        assert jsonout.document_text(a) == expected


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_reports_name_the_reviewer_and_whose_note_it_is(fmt: str) -> None:
    text = render(appraise_file(REVIEW), RUBRIC, fmt)
    assert WHO in text
    assert "The reviewer's note for the reader" in text
    own = render(appraise_file(TRAINEE), RUBRIC, fmt)
    assert "Appraised by" not in own and "The team's note for the reader" in own


def test_a_named_rater_is_escaped_for_each_output(tmp_path: Path) -> None:
    shutil.copy(TRAINEE, tmp_path / "poverty-screening.yaml")
    review = REVIEW.read_text(encoding="utf-8")
    assert "name: Dr S. Example" in review
    hostile = tmp_path / "r.yaml"
    hostile.write_text(
        review.replace("name: Dr S. Example", "name: '<b>Dr</b> *S* [x](http://e.test)'"),
        encoding="utf-8",
    )
    a = appraise_file(hostile)
    html = render(a, RUBRIC, "html")
    assert "<b>Dr</b>" not in html and "&lt;b&gt;Dr&lt;/b&gt;" in html
    md = render(a, RUBRIC, "md")
    assert "\\*S\\* \\[x\\](http\\://e.test)" in md  # no emphasis, no link
    assert "Appraised by <b>Dr</b> *S*" in run("score", hostile).stdout  # shown, as typed


def test_every_label_says_whose_the_answers_are(tmp_path: Path) -> None:
    # A peer's own appraisal (rater, no reviews): the rater's, not the team's.
    data = yaml.safe_load(TRAINEE.read_text(encoding="utf-8"))
    data["rater"] = {"name": "Dr P. Example", "role": "peer"}
    data["answers"]["self_position"] = "reform"  # unlike the answers: the placement finding
    peer = tmp_path / "peer.yaml"
    peer.write_text(yaml.safe_dump(data), encoding="utf-8")
    a = appraise_file(peer)
    assert (a.author, a.rater_words) == ("rater", "Dr P. Example (peer)")
    md = render(a, RUBRIC, "md")
    assert "The rater's own placement" in md and "The rater's note for the reader" in md
    assert "The team's own placement" not in md and "The team's note" not in md
    placement = [f for f in a.findings if "places the project at" in " ".join(f.details)]
    assert placement and all(" ".join(f.details).startswith("The rater places") for f in placement)
    own = appraise_file(TRAINEE)
    assert own.author == "team" and "The team's own placement" in render(own, RUBRIC, "md")
