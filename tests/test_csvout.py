"""csvout: spreadsheet-friendly CSV with formula injection neutralised."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

from qiappraise.base.csvsafe import BOM, neutralise
from qiappraise.cohort.batch import FindingRef, Row, RubricMeta
from qiappraise.cohort.csvout import to_csv

META = RubricMeta(
    id="r",
    version="1.0.0",
    title="R",
    sha256="0" * 64,
    sections=(("purpose", "Purpose"), ("measures", "Measures")),
    dimensions=(("safe", "Safe"), ("equitable", "Equitable")),
    bands=(("repair", "Repair"), ("reform", "Reform")),
)


def row(title: str, lead: str = "", score: float | None = 50.0, *, complete: bool = True) -> Row:
    return Row(
        file="x.yaml",
        relative="x.yaml",
        title=title,
        lead=lead,
        rubric_sha256="0" * 64,
        score=score,
        band="repair",
        band_label="Repair",
        position=0.25,
        complete=complete,
        sections=(("purpose", 40.0), ("measures", None)),
        dimensions=(("safe", "primary"), ("equitable", "none")),
        findings=(FindingRef("CE1", "warning", "t"), FindingRef("CE2", "info", "u")),
    )


def test_neutralise() -> None:
    for bad in ("=cmd()", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(bad) == "'" + bad
    assert neutralise("Dr =") == "Dr ="


def test_injection_in_a_title_is_text() -> None:
    text = to_csv([row('=HYPERLINK("http://evil","x")', lead="@lead")], [META])
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text[1:])))
    header, data = rows
    assert header == [
        "file", "title", "lead", "score", "band", "position", "complete", "provisional",
        "section:purpose", "section:measures", "dimension:safe", "dimension:equitable",
        "errors", "warnings", "infos", "findings", "rater_role", "reviews",
    ]  # fmt: skip
    assert data[1] == '\'=HYPERLINK("http://evil","x")' and data[2] == "'@lead"
    assert data[3:10] == ["50", "repair", "0.25", "yes", "no", "40", ""]
    assert data[10:] == ["primary", "none", "0", "1", "1", "CE1 CE2", "self", ""]


def test_a_review_names_its_rater_and_what_it_reviews(tmp_path: Path) -> None:
    reviewed = tmp_path / "=trainee.yaml"  # a formula-like name stays text
    review = dataclasses.replace(
        row("Screening"), role="supervisor", reviews=str(reviewed.resolve())
    )
    text = to_csv([review], [META])
    (data,) = list(csv.DictReader(io.StringIO(text[1:])))
    assert data["rater_role"] == "supervisor"
    assert data["reviews"].endswith("=trainee.yaml") and not data["reviews"].startswith("=")
    assert "\r\n" in text


def test_a_provisional_row_says_so() -> None:
    # Required questions unanswered count as 0: the score is a floor. "complete"
    # stays for spreadsheets that read it; "provisional" says what it means now.
    text = to_csv([row("Draft", score=38.6, complete=False), row("Done")], [META])
    reader = csv.DictReader(io.StringIO(text[1:]))
    draft, done = reader
    header = list(reader.fieldnames or [])
    assert header.index("provisional") == header.index("complete") + 1
    assert (draft["score"], draft["complete"], draft["provisional"]) == ("38.6", "no", "yes")
    assert (done["complete"], done["provisional"]) == ("yes", "no")
