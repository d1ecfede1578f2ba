"""qiappraise.scoring against the mini rubric, every number worked out by hand.

The mini rubric (tests/fixtures/mini-rubric.yaml), in points:

* purpose (weight 60): driver target 0 / need 2 / unsure not scored;
  target_name (only when driver is target) 0; outcome yes 2 / no 0;
  story 1. Most: 5. Cap: outcome no -> at most 50.
* reach (weight 40): scope task 0 / pathway 1 / system 2; groups
  children 2 + families 2 + staff 1, capped at 3 (nobody 0, exclusive);
  cycles >= 1: 1, >= 3: 2. Most: 7.
* spectrum: driver (weight 2) target repair 0.0 / need reform 1.0;
  scope (weight 1) task 0.0 / pathway 0.5 / system 1.0.
  Bands: repair < 0.4 <= stepping-stone < 0.7 <= reform.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qiappraise import jsonout
from qiappraise.appraisal import Appraisal, CapResult
from qiappraise.loading import appraise_file, load_proposal
from qiappraise.rubric import Rubric
from qiappraise.rubric_load import LoadedRubric, load_rubric
from qiappraise.scoring import score

from .conftest import MINI_FULL, MINI_RUBRIC, MakeProposal, WriteYaml

REQUIRED = ("driver", "outcome", "scope", "groups", "cycles")


@pytest.fixture
def appraise(proposal: MakeProposal, mini_loaded: LoadedRubric) -> Any:
    def run(**answers: Any) -> Appraisal:
        p = load_proposal(proposal(**answers), mini_loaded.rubric)
        return score(mini_loaded.rubric, p, sha256=mini_loaded.sha256)

    return run


def q(a: Appraisal, qid: str) -> Any:
    return next(x for s in a.sections for x in s.questions if x.id == qid)


def test_full_marks() -> None:
    a = appraise_file(MINI_FULL, MINI_RUBRIC)
    assert a.score == 100.0
    assert [(s.id, s.score, s.earned, s.maximum) for s in a.sections] == [
        ("purpose", 100.0, 5.0, 5.0),
        ("reach", 100.0, 7.0, 7.0),
    ]
    assert a.position == 1.0
    assert a.band is not None and a.band.id == "reform"
    assert a.complete and a.missing == ()
    assert a.ignored == ()
    assert a.findings == ()  # need -> equitable primary, so MI002 stays quiet
    assert a.project.title == "Full marks"


def test_nothing_answered(appraise: Any) -> None:
    a = appraise()
    assert a.score is None
    assert [(s.score, s.uncapped, s.earned, s.maximum) for s in a.sections] == [
        (None, None, 0.0, 0.0),
        (None, None, 0.0, 0.0),
    ]
    assert (a.position, a.band, a.reasons) == (None, None, ())
    # target_name does not apply (driver unanswered); story is optional.
    assert a.missing == REQUIRED
    assert not a.complete
    assert q(a, "target_name").applies is False
    assert [d.level for d in a.dimensions] == ["none", "none"]
    # MI002 reads {dimension: equitable, is: none}: nothing fires on a blank.
    assert a.findings == ()


def test_dimension_finding_fires_once_the_dimension_is_asked(appraise: Any) -> None:
    # driver speaks to equitable (its 'need' choice tags it); 'target' leaves it at none.
    assert "MI002" in [f.id for f in appraise(driver="target").findings]
    assert "MI002" not in [f.id for f in appraise(driver="need").findings]
    # scope tags no dimension, so answering it alone keeps equity unknown.
    assert "MI002" not in [f.id for f in appraise(scope="task").findings]


def test_partial_answers(appraise: Any) -> None:
    a = appraise(driver="need", scope="pathway")
    # purpose 2/2 = 100; reach 1/2 = 50; overall (60*100 + 40*50) / 100 = 80
    assert [s.score for s in a.sections] == [100.0, 50.0]
    assert a.score == 80.0
    assert a.missing == ("outcome", "groups", "cycles")
    # (2 * 1.0 + 1 * 0.5) / 3 = 0.8333
    assert a.position == 0.833
    assert a.band is not None and a.band.id == "reform"


def test_only_one_section_scored(appraise: Any) -> None:
    a = appraise(cycles=2)  # reach 1/2 = 50; purpose has nothing scored
    assert [s.score for s in a.sections] == [None, 50.0]
    assert a.score == 50.0  # the mean of the sections that exist


def test_overall_score_rounds_to_one_decimal(appraise: Any) -> None:
    a = appraise(driver="need", outcome=True, story="s", scope="task", groups=["staff"], cycles=0)
    # purpose 5/5 = 100; reach (0 + 1 + 0) / 7 = 14.2857 -> 14.3
    # overall (60 * 100 + 40 * 14.3) / 100 = 65.72 -> 65.7
    assert [s.score for s in a.sections] == [100.0, 14.3]
    assert a.score == 65.7


def test_cap_applies(appraise: Any) -> None:
    a = appraise(
        driver="need",
        outcome=False,
        story="We asked.",
        scope="system",
        groups=["children", "families"],
        cycles=4,
    )
    purpose = a.section("purpose")
    # uncapped (2 + 0 + 1) / 5 = 60; outcome false caps it at 50
    assert (purpose.uncapped, purpose.score) == (60.0, 50.0)
    assert purpose.caps == (CapResult("No outcome named.", 50.0),)
    assert a.section("reach").score == 100.0
    assert a.score == 70.0  # (60 * 50 + 40 * 100) / 100


def test_cap_that_does_not_bite_is_not_listed(appraise: Any) -> None:
    a = appraise(driver="target", outcome=False, story="x")
    purpose = a.section("purpose")
    # (0 + 0 + 1) / 5 = 20: below the cap of 50
    assert (purpose.uncapped, purpose.score, purpose.caps) == (20.0, 20.0, ())


def test_not_applicable_answer_is_ignored(appraise: Any) -> None:
    a = appraise(driver="need", target_name="4-hour target", outcome=True)
    assert a.ignored == ("target_name",)
    t = q(a, "target_name")
    assert (t.applies, t.answered, t.value, t.earned) == (False, False, None, None)
    assert a.section("purpose").maximum == 4.0  # driver 2 + outcome 2


def test_applicable_follow_up_counts(appraise: Any) -> None:
    a = appraise(driver="target", target_name="4-hour target")
    t = q(a, "target_name")
    assert (t.applies, t.answered, t.value, t.earned) == (True, True, "4-hour target", None)
    assert a.ignored == ()


def test_unscored_answer_counts_for_neither_side(appraise: Any) -> None:
    a = appraise(driver="unsure", outcome=True)
    purpose = a.section("purpose")
    assert (purpose.earned, purpose.maximum, purpose.score) == (2.0, 2.0, 100.0)
    d = q(a, "driver")
    assert (d.answered, d.earned, d.maximum, d.display) == (True, None, 2.0, "Not yet known")
    assert "driver" not in a.missing
    assert a.position is None  # unsure places nothing


def test_multi_capped_at_max_points(appraise: Any) -> None:
    a = appraise(groups=["children", "families", "staff"])
    g = q(a, "groups")
    assert (g.earned, g.maximum) == (3.0, 3.0)
    assert a.section("reach").score == 100.0


@pytest.mark.parametrize(("cycles", "earned"), [(0, 0.0), (1, 1.0), (2, 1.0), (3, 2.0), (50, 2.0)])
def test_number_steps(appraise: Any, cycles: int, earned: float) -> None:
    a = appraise(cycles=cycles)
    assert q(a, "cycles").earned == earned
    assert a.section("reach").score == round(100 * earned / 2, 1)


def test_dimension_profile(appraise: Any) -> None:
    a = appraise(driver="target")
    assert [(d.id, d.level, d.evidence) for d in a.dimensions] == [
        ("safe", "secondary", ("driver",)),
        ("equitable", "none", ()),
    ]
    b = appraise(driver="need")
    assert b.dimension("equitable").level == "primary"
    assert b.dimension("safe").level == "none"


@pytest.fixture
def tagged(tmp_path: Path, write_yaml: WriteYaml) -> Rubric:
    """The mini rubric with scope levels also tagging dimensions.

    pathway: safe and equitable secondary, pull 0.4; system: safe primary.
    """
    text = MINI_RUBRIC.read_text()
    text = text.replace(
        "points: 1, spectrum: stepping-stone}",
        "points: 1, spectrum: 0.4, dimensions: {safe: secondary, equitable: secondary}}",
    ).replace(
        "points: 2, spectrum: reform}", "points: 2, spectrum: reform, dimensions: {safe: primary}}"
    )
    return load_rubric(write_yaml(tmp_path, "tagged.yaml", text)).rubric


def _score_with(rubric: Rubric, proposal: MakeProposal, **answers: Any) -> Appraisal:
    return score(rubric, load_proposal(proposal(**answers), rubric))


def test_dimension_takes_the_highest_level(tagged: Rubric, proposal: MakeProposal) -> None:
    a = _score_with(tagged, proposal, driver="target", scope="system")
    # driver says secondary, scope primary: primary wins, and only scope is evidence
    assert a.dimension("safe").level == "primary"
    assert a.dimension("safe").evidence == ("scope",)
    b = _score_with(tagged, proposal, driver="target", scope="pathway")
    assert b.dimension("safe").level == "secondary"
    assert b.dimension("safe").evidence == ("driver", "scope")
    # A later answer at a lower level does not lower it: need keeps equitable primary.
    c = _score_with(tagged, proposal, driver="need", scope="pathway")
    assert c.dimension("equitable").level == "primary"
    assert c.dimension("equitable").evidence == ("driver",)


def test_zero_spectrum_weight_places_nothing(
    tmp_path: Path, write_yaml: WriteYaml, proposal: MakeProposal
) -> None:
    text = MINI_RUBRIC.read_text().replace("spectrum_weight: 2", "spectrum_weight: 0")
    rubric = load_rubric(write_yaml(tmp_path, "zero.yaml", text)).rubric
    a = _score_with(rubric, proposal, driver="need", scope="task")
    assert a.position == 0.0  # scope task alone; driver need (1.0) counts for nothing
    assert [r.question for r in a.reasons] == ["scope"]
    b = _score_with(rubric, proposal, driver="need")
    assert (b.position, b.band, b.reasons) == (None, None, ())


def test_numeric_pull_on_a_band_boundary(tagged: Rubric, proposal: MakeProposal) -> None:
    a = _score_with(tagged, proposal, scope="pathway")
    assert a.position == 0.4
    assert a.band is not None and a.band.id == "stepping-stone"  # 0.4 is not below 0.4


def test_position_is_weighted_by_spectrum_weight(appraise: Any) -> None:
    a = appraise(driver="target", scope="pathway")
    # (2 * 0.0 + 1 * 0.5) / 3 = 0.1667
    assert a.position == 0.167
    assert a.band is not None and a.band.id == "repair"
    # strongest first: driver 2 * |0 - 0.5| = 1.0 before scope 1 * 0 = 0
    assert [(r.question, r.pull, r.weight, r.answer) for r in a.reasons] == [
        ("driver", 0.0, 2.0, "A target"),
        ("scope", 0.5, 1.0, "Pathway"),
    ]


def test_position_from_one_answer(appraise: Any) -> None:
    a = appraise(driver="unsure", scope="pathway")
    assert a.position == 0.5
    assert a.band is not None and a.band.id == "stepping-stone"


@pytest.mark.parametrize(
    ("position", "band"),
    [
        (0.0, "repair"),
        (0.399, "repair"),
        (0.4, "stepping-stone"),
        (0.699, "stepping-stone"),
        (0.7, "reform"),
        (1.0, "reform"),
    ],
)
def test_band_thresholds(mini: Rubric, position: float, band: str) -> None:
    assert mini.band(position).id == band


def test_findings_fire_in_severity_order(appraise: Any) -> None:
    a = appraise(driver="target", groups=["nobody"])
    assert [(f.id, f.severity, f.concerns) for f in a.findings] == [
        ("MI002", "error", ()),
        ("MI001", "warning", ("driver",)),
        ("MI003", "info", ("groups",)),
    ]
    assert a.findings[1].message == "Driven by a target."
    assert all(f.waived is None for f in a.findings)


def test_findings_quiet_when_conditions_do_not_hold(appraise: Any) -> None:
    a = appraise(driver="need", groups=["staff"])
    assert a.findings == ()


def test_waivers(appraise: Any) -> None:
    a = appraise(
        driver="target",
        _waivers=[
            {"finding": "MI001", "reason": "The target is the brief."},
            {"finding": "MI003", "reason": "Nobody was not chosen."},
        ],
    )
    by_id = {f.id: f for f in a.findings}
    assert set(by_id) == {"MI001", "MI002"}
    assert by_id["MI001"].waived == "The target is the brief."
    assert by_id["MI002"].waived is None
    assert [f.id for f in a.active_findings()] == ["MI002"]
    assert a.unused_waivers == ("MI003",)


def test_notes_reach_the_questions(appraise: Any) -> None:
    a = appraise(driver="need", _notes={"driver": "Asked the families."})
    assert q(a, "driver").note == "Asked the families."
    assert q(a, "outcome").note == ""


def test_feedback_and_display(appraise: Any) -> None:
    a = appraise(outcome=True, groups=["children", "staff"], cycles=4)
    assert q(a, "outcome").display == "Yes"
    assert q(a, "groups").display == "Children; Staff"
    assert q(a, "cycles").display == "4"


def test_deterministic(mini_loaded: LoadedRubric, proposal: MakeProposal) -> None:
    path = proposal(driver="target", outcome=False, groups=["nobody"], scope="task")
    first = score(mini_loaded.rubric, load_proposal(path, mini_loaded.rubric))
    second = score(mini_loaded.rubric, load_proposal(path, mini_loaded.rubric))
    assert first == second
    assert jsonout.document(first) == jsonout.document(second)


def test_json_document(mini_loaded: LoadedRubric) -> None:
    a = appraise_file(MINI_FULL, MINI_RUBRIC)
    doc = jsonout.document(a)
    assert doc["schema_version"] == 1
    assert doc["file"] == str(MINI_FULL)
    assert doc["project"]["title"] == "Full marks"
    assert doc["project"]["date"] == "2026-01-01"
    assert doc["rubric"] == {
        "id": "mini",
        "version": "1.2.0",
        "title": "Mini rubric for tests",
        "sha256": mini_loaded.sha256,
    }
    assert len(doc["rubric"]["sha256"]) == 64
    assert (doc["score"], doc["band"], doc["position"]) == (100.0, "reform", 1.0)
    assert list(doc["dimensions"]) == ["safe", "equitable"]
    assert doc["dimensions"]["equitable"] == {"level": "primary", "evidence": ["driver"]}
    assert [s["id"] for s in doc["sections"]] == ["purpose", "reach"]
    assert doc["sections"][1]["questions"][1] == {
        "id": "groups",
        "answered": True,
        "applies": True,
        "answer": ["children", "families"],
        "earned": 3.0,
        "possible": 3.0,
    }
    assert doc["findings"] == []
    assert doc["complete"] == {"complete": True, "missing": []}


def test_json_document_findings(appraise: Any) -> None:
    a = appraise(driver="target", _waivers=[{"finding": "MI001", "reason": "Given."}])
    doc = jsonout.document(a)
    assert [(f["id"], f["severity"], f["message"], f["waived"]) for f in doc["findings"]] == [
        ("MI002", "error", "Equity is not addressed.", False),
        ("MI001", "warning", "Driven by a target.", True),
    ]
    assert doc["findings"][1]["waiver_reason"] == "Given."
    assert "waiver_reason" not in doc["findings"][0]
    assert doc["score"] == 0.0  # driver target earns 0 of 2
    assert doc["band"] == "repair"
    assert doc["complete"]["missing"] == ["outcome", "scope", "groups", "cycles"]
