"""The article's four cases land where Singh and Cribb (2021) put them.

DOMAIN.md's table: electronic growth charts (Box 1) and the 4-hour target
(Box 1) are repair, the Scottish CYPIC (Box 2) is reform, and the trainees'
child-poverty screening (Box 3) is a stepping stone. The findings are the ones
the article's analysis of each case implies.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qiappraise.appraisal import Appraisal
from qiappraise.loading import appraise_file

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def appraise(name: str) -> Appraisal:
    return appraise_file(EXAMPLES / f"{name}.yaml")


def ids(a: Appraisal) -> set[str]:
    return {f.id for f in a.findings}


def level(a: Appraisal, dim: str) -> str:
    return a.dimension(dim).level


@pytest.mark.parametrize(
    ("name", "band"),
    [
        ("growth-charts", "repair"),
        ("four-hour-target", "repair"),
        ("cypic", "reform"),
        ("poverty-screening", "stepping-stone"),
    ],
)
def test_band_as_in_the_article(name: str, band: str) -> None:
    a = appraise(name)
    assert a.band is not None and a.band.id == band
    assert a.complete, a.missing
    assert a.ignored == ()
    # Comfortably inside the band, not on a threshold that a small edit could tip.
    edges = {"repair": (0.0, 0.4), "stepping-stone": (0.4, 0.7), "reform": (0.7, 1.0)}[band]
    assert a.position is not None
    assert edges[0] + 0.05 <= a.position or edges[0] == 0.0
    assert a.position <= edges[1] - 0.05 or edges[1] == 1.0


def test_growth_charts_limited_ambition() -> None:
    a = appraise("growth-charts")
    # "to what end?": safety and efficiency only, no health outcome named, and
    # "by their very success, they can shift the problem to another part of the system".
    assert {"CE001", "CE010", "CE006"} <= ids(a)
    assert level(a, "equitable") == "none" and level(a, "patient_centred") == "none"


def test_four_hour_target_meets_the_target_and_misses_the_point() -> None:
    a = appraise("four-hour-target")
    # An institutional target with fines is the purpose; perverse incentives and
    # delay moved elsewhere; waits after a breach are invisible (no balancing measure).
    assert {"CE005", "CE006", "CE004", "CE013"} <= ids(a)
    assert level(a, "timely") == "primary" and level(a, "efficient") == "primary"
    assert level(a, "equitable") == "none"
    assert "CE009" in ids(a)  # equity and patient-centredness both left out


def test_cypic_asks_what_really_matters() -> None:
    a = appraise("cypic")
    assert a.findings == ()  # nothing for the team to reconsider
    assert level(a, "equitable") == "primary"
    assert a.score is not None and a.score >= 85


def test_poverty_screening_is_a_stepping_stone() -> None:
    a = appraise("poverty-screening")
    # Aimed at equity and what matters to families: none of the narrow-quality findings.
    assert not {"CE001", "CE002", "CE005", "CE009"} & ids(a)
    assert level(a, "equitable") == "primary"
    # A trainee project that is "on-going and developing iteratively": who owns it next?
    assert "CE007" in ids(a)


def test_the_cases_rank_as_the_article_would() -> None:
    scores = {
        n: appraise(n).score or 0.0
        for n in ("growth-charts", "four-hour-target", "cypic", "poverty-screening")
    }
    assert (
        scores["cypic"]
        > scores["poverty-screening"]
        > max(scores["growth-charts"], scores["four-hour-target"])
    )
