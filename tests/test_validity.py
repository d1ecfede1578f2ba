"""The default rubric judges as the article does (issue 11, parts a, b, e and f).

Two made-up projects, kept in tests/fixtures/validity/: a complete, deliberate,
well-reflected repair, and an unevidenced reform pitch. The default `check`
policy must pass the first and fail the second: repair done well is good QI,
and sounding like reform earns nothing by itself. The band rule is checked on
variations of the repair: scale and ends both count.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from qiappraise.base.yamlio import dump, load_text
from qiappraise.cli.app import app
from qiappraise.load.pipeline import appraise_file
from qiappraise.scoring.appraisal import Appraisal

FIXTURES = Path(__file__).parent / "fixtures" / "validity"
REPAIR = FIXTURES / "sepsis-deliberate-repair.yaml"
PITCH = FIXTURES / "reform-pitch-unevidenced.yaml"
GLOSSY = FIXTURES / "glossy-pitch-no-notes.yaml"


def variant(
    tmp_path: Path, base: Path, answers: dict[str, Any], notes: dict[str, str]
) -> Appraisal:
    data = load_text(base.read_text(encoding="utf-8")).data
    data["answers"].update(answers)
    data.setdefault("notes", {}).update(notes)
    path = tmp_path / "variant.yaml"
    path.write_text(dump(data), encoding="utf-8")
    return appraise_file(path)


def check(*paths: Path) -> Any:
    result = CliRunner().invoke(app, ["check", "--output-format", "json", *map(str, paths)])
    return result.exit_code, json.loads(result.stdout)


def test_a_deliberate_repair_earns_a_high_score_and_stays_a_repair() -> None:
    a = appraise_file(REPAIR)
    assert a.score is not None and a.score >= 80
    assert a.band is not None and a.band.id == "repair"
    assert not a.provisional and a.unevidenced == ()
    assert a.self_placement == "repair"  # its own placement agrees: no CE032
    assert "CE032" not in {f.id for f in a.findings}


def test_the_default_gate_passes_the_repair_and_fails_the_pitch() -> None:
    code, doc = check(REPAIR)
    assert code == 0, doc
    code, doc = check(PITCH)
    assert code == 1, doc
    # A pitch that claims every top rung, and backs none of them, fails too.
    code, doc = check(GLOSSY)
    assert code == 1, doc
    assert len(appraise_file(GLOSSY).unevidenced) >= 8


def test_the_pitch_claims_are_counted_a_level_down_and_listed() -> None:
    a = appraise_file(PITCH)
    assert a.score is not None and a.score < 50
    assert {"change_scope", "aim_setters", "beyond_health", "catalyst"} <= set(a.unevidenced)
    claims = next(f for f in a.findings if f.id == "CE031")
    assert len(claims.details) == len(a.unevidenced)
    # Its own placement (reform) differs from what its counted answers show.
    assert a.self_placement == "reform" and a.band is not None and a.band.id != "reform"
    assert "CE032" in {f.id for f in a.findings}


def test_sounding_like_reform_earns_nothing(tmp_path: Path) -> None:
    # The same deliberate team, now describing a reform with evidence for every
    # claim: the position moves, the score does not.
    reform = variant(
        tmp_path,
        REPAIR,
        {
            "change_scope": "system",
            "project_ends": "beyond",
            "aim_setters": "partners",
            "beyond_health": "cross-sector",
            "catalyst": "programme",
            "purpose_questions": "starts-from-purpose",
            "self_position": "reform",
        },
        {
            "change_scope": "With the council, schools and the voluntary sector.",
            "aim_setters": "Parents' forum chose the aim.",
            "beyond_health": "Schools run the follow-up.",
            "catalyst": "Part of the regional collaborative.",
            "purpose_questions": "Began from a city-wide review of what urgent care is for.",
        },
    )
    repair = appraise_file(REPAIR)
    assert reform.band is not None and reform.band.id == "reform"
    assert reform.score == repair.score


def test_a_small_project_for_equity_is_a_stepping_stone(tmp_path: Path) -> None:
    # Box 3: small, ordinary QI methods, oriented to ends beyond efficiency and safety.
    a = variant(tmp_path, REPAIR, {"project_ends": "beyond", "self_position": "stepping-stone"}, {})
    assert a.band is not None and a.band.id == "stepping-stone"


def test_a_reconfiguration_from_questions_of_purpose_is_reform(tmp_path: Path) -> None:
    # 'Reform models': reconfigures services, from difficult questions of purpose.
    a = variant(
        tmp_path,
        REPAIR,
        {
            "change_scope": "system",
            "purpose_questions": "starts-from-purpose",
            "project_ends": "beyond",
        },
        {
            "change_scope": "Health, social care and education share one pathway.",
            "purpose_questions": "Began from a city-wide review of what urgent care is for.",
        },
    )
    assert a.band is not None and a.band.id == "reform"


def test_the_same_claim_without_its_note_places_the_project_lower(tmp_path: Path) -> None:
    noted = variant(
        tmp_path,
        REPAIR,
        {
            "change_scope": "system",
            "purpose_questions": "starts-from-purpose",
            "project_ends": "beyond",
        },
        {"change_scope": "Health, social care and education share one pathway."},
    )
    bare = variant(
        tmp_path,
        REPAIR,
        {
            "change_scope": "system",
            "purpose_questions": "starts-from-purpose",
            "project_ends": "beyond",
        },
        {"change_scope": ""},
    )
    assert bare.position is not None and noted.position is not None
    assert bare.position < noted.position
    assert "change_scope" in bare.unevidenced


def test_a_multiple_choice_claim_falls_to_the_answer_the_rubric_names(tmp_path: Path) -> None:
    # "We checked, no group is at greater risk" with no note counts as "not looked
    # at yet": a definite answer, so CE002 is raised by it, not left open.
    a = variant(
        tmp_path, REPAIR, {"equity_populations": ["checked-none"]}, {"equity_populations": ""}
    )
    q = next(x for s in a.sections for x in s.questions if x.id == "equity_populations")
    assert (q.status, q.earned, q.display) == ("answered", 0.0, "Not looked at yet")
    ce002 = next(f for f in a.findings if f.id == "CE002")
    assert ce002.open_on == ()
    assert "equity_populations" in a.unevidenced and not a.provisional


def test_scale_and_ends_must_both_be_answered_to_place_it(tmp_path: Path) -> None:
    data = load_text(REPAIR.read_text(encoding="utf-8")).data
    del data["answers"]["change_scope"]
    path = tmp_path / "no-scale.yaml"
    path.write_text(dump(data), encoding="utf-8")
    a = appraise_file(path)
    assert (a.position, a.band) == (None, None)


def test_a_finding_that_reads_an_unbacked_claim_says_so() -> None:
    # The glossy pitch claims stratified measures with no note: the claim
    # counts as "No", so CE011 fires. Said without the claim, the finding
    # would contradict what the team answered.
    from qiappraise.load.pipeline import appraise_file

    a = appraise_file(
        Path(__file__).parent / "fixtures" / "validity" / "glossy-pitch-no-notes.yaml"
    )
    found = {f.id: f for f in a.findings}
    assert found["CE011"].details == (
        "Will you break your measures down by those groups as the change goes in, so you "
        "would see if it widens a gap? Claimed: Yes, with no note to back it, so read as: No.",
    )
    # A finding that reads no claim gets no such line.
    for f in a.findings:
        if not set(f.concerns) & set(a.unevidenced):
            assert not [d for d in f.details if "with no note to back it" in d], f.id
