"""qiappraise.scoring.score against the mini rubric, every number worked out by hand.

The mini rubric (tests/fixtures/mini-rubric.yaml), in points:

* purpose (weight 60): driver (score) target 0 / need 2 / unsure (not sure:
  0 of 2); target_name (profile, only when driver is target); outcome yes 2 /
  no 0; story 1 (optional, but silence still earns nothing). Most: 5.
  Cap: outcome no (or not known) -> at most 50.
* reach (weight 40): scope feeds the position only; groups children 2 +
  families 2 + staff 1, capped at 3 (nobody 0, exclusive); cycles >= 1: 1,
  >= 3: 2. Most: 5.
* spectrum: scope (weight 1) task 0.0 / pathway 0.5 / system 1.0; system is a
  claim that needs a note, else it counts as pathway.
  Bands: repair < 0.4 <= stepping-stone < 0.7 <= reform.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qiappraise.load.pipeline import appraise_file, load_proposal
from qiappraise.load.rubric import load_rubric
from qiappraise.rendering import jsonout
from qiappraise.rubric.model import Rubric
from qiappraise.rubric.read import LoadedRubric
from qiappraise.scoring.appraisal import Appraisal, CapResult
from qiappraise.scoring.score import score

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
        ("reach", 100.0, 5.0, 5.0),
    ]
    assert a.position == 1.0  # scope system, with a note behind the claim
    assert a.band is not None and a.band.id == "reform"
    assert a.complete and a.missing == () and not a.provisional
    assert a.ignored == () and a.unevidenced == () and a.unsure == ()
    assert a.findings == ()  # need -> equitable primary, so MI002 stays quiet
    assert a.project.title == "Full marks"


def test_nothing_answered_earns_nothing_and_rules_nothing_out(appraise: Any) -> None:
    a = appraise()
    # Silence earns nothing: every scored question counts 0 of its points.
    assert a.score == 0.0
    assert [(s.score, s.uncapped, s.earned, s.maximum) for s in a.sections] == [
        (0.0, 0.0, 0.0, 5.0),
        (0.0, 0.0, 0.0, 5.0),
    ]
    assert (a.position, a.band, a.reasons) == (None, None, ())
    assert a.missing == REQUIRED
    assert a.provisional and not a.complete
    # target_name may apply (driver is not known yet); it feeds no score.
    t = q(a, "target_name")
    assert (t.applies, t.status, t.earned) == (True, "not-answered", None)
    assert [q(a, x).status for x in REQUIRED] == ["not-answered"] * 5
    assert [q(a, x).earned for x in ("driver", "outcome", "groups", "cycles")] == [0.0] * 4
    assert [d.level for d in a.dimensions] == ["unknown", "unknown"]
    # Nothing is ruled out: every finding is raised, open on what would settle it.
    # MI002 reads a dimension: the question that would settle it is named.
    assert [(f.id, f.open_on) for f in a.findings] == [
        ("MI002", ("driver",)),
        ("MI001", ("driver",)),
        ("MI003", ("groups",)),
    ]


def test_dimension_finding_settles_once_the_dimension_is_known(appraise: Any) -> None:
    # driver speaks to equitable (its 'need' choice tags it); 'target' leaves it at none.
    found = {f.id: f for f in appraise(driver="target").findings}
    assert found["MI002"].open_on == ()  # raised by the answers
    assert "MI002" not in [f.id for f in appraise(driver="need").findings]
    # scope tags no dimension, so answering it alone keeps equity open.
    found = {f.id: f for f in appraise(scope="task").findings}
    assert found["MI002"].open_on == ("driver",)


def test_partial_answers(appraise: Any) -> None:
    a = appraise(driver="need", scope="pathway")
    # purpose 2/5 = 40 (outcome and story unanswered: 0 of 3); reach 0/5 = 0
    # overall (60 * 40 + 40 * 0) / 100 = 24
    assert [s.score for s in a.sections] == [40.0, 0.0]
    assert a.score == 24.0
    assert a.missing == ("outcome", "groups", "cycles")
    assert a.position == 0.5  # scope alone places it
    assert a.band is not None and a.band.id == "stepping-stone"


def test_overall_score_rounds_to_one_decimal(appraise: Any) -> None:
    a = appraise(driver="need", outcome=True, story="s", scope="task", groups=["staff"], cycles=0)
    # purpose 5/5 = 100; reach (1 + 0) / 5 = 20; overall (60 * 100 + 40 * 20) / 100 = 68
    assert [s.score for s in a.sections] == [100.0, 20.0]
    assert a.score == 68.0
    b = appraise(driver="need", outcome=True, scope="task", groups=["staff"], cycles=1)
    # purpose 4/5 = 80; reach 2/5 = 40; overall 64
    assert b.score == 64.0
    c = appraise(driver="target", outcome=True, story="s", groups=["staff"], cycles=1)
    # purpose 3/5 = 60; reach 2/5 = 40 -> 52; with story dropped 2/5 = 40 -> 40
    assert c.score == 52.0


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


def test_cap_holds_until_ruled_out(appraise: Any) -> None:
    # outcome unanswered: the cap cannot be ruled out, so it holds.
    a = appraise(driver="need", story="We asked.")
    purpose = a.section("purpose")
    assert (purpose.uncapped, purpose.score) == (60.0, 50.0)
    assert purpose.caps == (CapResult("No outcome named.", 50.0),)
    b = appraise(driver="need", story="We asked.", outcome=True)
    assert b.section("purpose").caps == ()


def test_cap_that_does_not_bite_is_not_listed(appraise: Any) -> None:
    a = appraise(driver="target", outcome=False, story="x")
    purpose = a.section("purpose")
    # (0 + 0 + 1) / 5 = 20: below the cap of 50
    assert (purpose.uncapped, purpose.score, purpose.caps) == (20.0, 20.0, ())


def test_not_applicable_answer_is_ignored(appraise: Any) -> None:
    a = appraise(driver="need", target_name="4-hour target", outcome=True)
    assert a.ignored == ("target_name",)
    t = q(a, "target_name")
    assert (t.applies, t.answered, t.value, t.earned, t.status) == (
        False,
        False,
        None,
        None,
        "not-applicable",
    )
    assert a.section("purpose").maximum == 5.0  # driver 2 + outcome 2 + story 1


def test_applicable_follow_up_counts(appraise: Any) -> None:
    a = appraise(driver="target", target_name="4-hour target")
    t = q(a, "target_name")
    assert (t.applies, t.answered, t.value, t.earned) == (True, True, "4-hour target", None)
    assert t.feeds == "profile"
    assert a.ignored == ()


def test_not_sure_earns_nothing_and_leaves_findings_open(appraise: Any) -> None:
    a = appraise(driver="unsure", outcome=True)
    purpose = a.section("purpose")
    # driver 0 of 2, outcome 2 of 2, story 0 of 1
    assert (purpose.earned, purpose.maximum, purpose.score) == (2.0, 5.0, 40.0)
    d = q(a, "driver")
    assert (d.answered, d.status, d.earned, d.maximum, d.display) == (
        True,
        "not-sure",
        0.0,
        2.0,
        "Not yet known",
    )
    assert d.reflect == "Whose goal is it?"
    assert "driver" not in a.missing
    assert a.unsure == ("driver",)
    found = {f.id: f for f in a.findings}
    # MI001 reads driver: not sure leaves it open instead of switching it off.
    assert found["MI001"].open_on == ("driver",)
    assert found["MI030"].concerns == ("driver",)
    assert found["MI030"].details == ("What drives it? Whose goal is it?",)
    assert a.position is None  # not sure places nothing


def test_claim_without_evidence_counts_as_the_level_below(appraise: Any) -> None:
    a = appraise(scope="system")
    s = q(a, "scope")
    assert (s.claimed, s.display, s.pull) == ("System", "Pathway", 0.5)
    assert a.position == 0.5 and a.unevidenced == ("scope",)
    found = {f.id: f for f in a.findings}
    assert found["MI031"].details == ("Scope of change? Claimed: System; counted as: Pathway.",)
    # A note backs it; an assumption does not.
    backed = appraise(scope="system", _notes={"scope": "The council runs it with us."})
    assert (backed.position, backed.unevidenced, q(backed, "scope").claimed) == (1.0, (), "")
    assumed = appraise(scope="system", _notes={"scope": "Assumed: probably county-wide."})
    assert (assumed.position, assumed.unevidenced) == (0.5, ("scope",))
    # Nor does a note with no word in it: nothing a supervisor could check.
    for mark in (".", " - ", "<", "?", "…"):
        bare = appraise(scope="system", _notes={"scope": mark})
        assert (bare.position, bare.unevidenced) == (0.5, ("scope",)), mark
    short = appraise(scope="system", _notes={"scope": "Board minutes, 3/24."})
    assert short.unevidenced == ()


def test_multi_capped_at_max_points(appraise: Any) -> None:
    a = appraise(groups=["children", "families", "staff"])
    g = q(a, "groups")
    assert (g.earned, g.maximum) == (3.0, 3.0)
    assert a.section("reach").score == 60.0  # 3 of 5: cycles unanswered earns 0 of 2


@pytest.mark.parametrize(("cycles", "earned"), [(0, 0.0), (1, 1.0), (2, 1.0), (3, 2.0), (50, 2.0)])
def test_number_steps(appraise: Any, cycles: int, earned: float) -> None:
    a = appraise(cycles=cycles)
    assert q(a, "cycles").earned == earned
    assert a.section("reach").score == round(100 * earned / 5, 1)


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
        "descriptor: A pathway, spectrum: stepping-stone}",
        "descriptor: A pathway, spectrum: 0.4, dimensions: {safe: secondary, equitable: secondary}}",
    ).replace(
        "spectrum: reform, evidence: true}",
        "spectrum: reform, dimensions: {safe: primary}}",
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
    text = MINI_RUBRIC.read_text().replace(
        "        feeds: position\n", "        feeds: position\n        spectrum_weight: 0\n"
    )
    rubric = load_rubric(write_yaml(tmp_path, "zero.yaml", text)).rubric
    a = _score_with(rubric, proposal, driver="need", scope="task")
    assert (a.position, a.band, a.reasons) == (None, None, ())


def test_numeric_pull_on_a_band_boundary(tagged: Rubric, proposal: MakeProposal) -> None:
    a = _score_with(tagged, proposal, scope="pathway")
    assert a.position == 0.4
    assert a.band is not None and a.band.id == "stepping-stone"  # 0.4 is not below 0.4


def test_score_answers_place_nothing(appraise: Any) -> None:
    # driver earns points and places nothing: only scope moves the position.
    a = appraise(driver="target", scope="pathway")
    b = appraise(driver="need", scope="pathway")
    assert a.position == b.position == 0.5
    assert a.score != b.score
    assert [(r.question, r.pull, r.weight, r.answer) for r in a.reasons] == [
        ("scope", 0.5, 1.0, "Pathway"),
    ]


def test_position_answers_earn_nothing(appraise: Any) -> None:
    a = appraise(driver="need", scope="task")
    b = appraise(driver="need", scope="system", _notes={"scope": "With the council."})
    assert a.score == b.score
    assert (a.position, b.position) == (0.0, 1.0)
    assert q(a, "scope").earned is None and q(a, "scope").feeds == "position"


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
    assert [(f.id, f.severity, f.concerns, f.open_on) for f in a.findings] == [
        ("MI002", "error", (), ()),
        ("MI001", "warning", ("driver",), ()),
        ("MI003", "info", ("groups",), ()),
    ]
    assert a.findings[1].message == "Driven by a target."
    assert all(f.waived is None for f in a.findings)


def test_findings_quiet_when_ruled_out(appraise: Any) -> None:
    a = appraise(driver="need", groups=["staff"])
    assert a.findings == ()


def test_waivers(appraise: Any) -> None:
    a = appraise(
        driver="target",
        groups=["staff"],
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
