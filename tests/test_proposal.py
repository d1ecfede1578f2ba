"""qiappraise.proposal.model: reading a proposal and checking it against its rubric."""

from __future__ import annotations

from pathlib import Path

import pytest

from qiappraise.base.errors import InputError, ProblemsError
from qiappraise.load.pipeline import load_proposal
from qiappraise.proposal import model as P
from qiappraise.rubric.model import Rubric

from .conftest import MakeProposal, WriteYaml

HEAD = "rubric: {id: mini, version: 1.2.0}\nproject:\n  title: T\n"  # lines 1-3


def check(text: str, rubric: Rubric) -> P.Proposal:
    return P.validate(P.read_text(text, "p.yaml"), rubric)


def problems(text: str, rubric: Rubric) -> list[str]:
    with pytest.raises(ProblemsError) as info:
        check(text, rubric)
    assert str(info.value.problems[0]) == str(info.value).split(" (and ")[0]
    return [str(p) for p in info.value.problems]


def test_valid_proposal(mini: Rubric) -> None:
    p = check(
        HEAD
        + "  lead: Dr A\n  team: [Nurse B, 7]\n  date: 2026-02-03\n"
        + "answers:\n  driver: need\n  outcome: 'yes'\n  groups: staff\n  cycles: 2.0\n"
        + "  scope: ~\n  story: '  '\n",
        mini,
    )
    assert p.file == "p.yaml"
    assert p.rubric == P.RubricRef("mini", "1.2.0")
    assert p.project == P.Project(title="T", lead="Dr A", team=("Nurse B", "7"), date="2026-02-03")
    # Null and blank answers are left out: they are unanswered.
    assert p.answers == {"driver": "need", "outcome": True, "groups": ["staff"], "cycles": 2}
    assert p.line_of("answers", "cycles") == 11
    assert p.line_of("answers", "nope") == 7


def test_bad_choice_names_file_line_question_and_values(
    tmp_path: Path, write_yaml: WriteYaml, mini: Rubric
) -> None:
    path = write_yaml(tmp_path, "bad.yaml", HEAD + "answers:\n  outcome: true\n  driver: x\n")
    with pytest.raises(ProblemsError) as info:
        load_proposal(path, mini)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:6: answers.driver: 'x' is not one of: target, need, unsure"
    ]
    assert (info.value.file, info.value.line) == (str(path), 6)


def test_each_type_reports_what_is_allowed(mini: Rubric) -> None:
    text = HEAD + (
        "answers:\n"  # 4
        "  outcome: maybe\n"  # 5
        "  scope: 2\n"  # 6
        "  groups: [nobody, staff]\n"  # 7
        "  cycles: 2.5\n"  # 8
        "  target_name: [a]\n"  # 9
    )
    assert problems(text, mini) == [
        "p.yaml:5: answers.outcome: 'maybe' is not yes or no (true/false)",
        "p.yaml:6: answers.scope: 2 is not one of: task, pathway, system",
        "p.yaml:7: answers.groups: 'nobody' cannot be combined with other choices",
        "p.yaml:8: answers.cycles: 2.5 is not a whole number; a whole number from 0 to 50",
        "p.yaml:9: answers.target_name: expected text, got a list",
    ]


def test_unknown_question_id_with_suggestion(mini: Rubric) -> None:
    assert problems(HEAD + "answers:\n  drivr: need\n", mini) == [
        "p.yaml:5: answers.drivr: unknown question id (did you mean 'driver'?); "
        "`qiappraise rubric show mini` lists the 7 question ids"
    ]


def test_unknown_question_id_without_suggestion(mini: Rubric) -> None:
    (msg,) = problems(HEAD + "answers:\n  zzz: 1\n", mini)
    assert msg.startswith("p.yaml:5: answers.zzz: unknown question id; ")


def test_unknown_top_level_key(mini: Rubric) -> None:
    assert problems(HEAD + "answer:\n  driver: need\n", mini) == [
        "p.yaml:4: unknown key 'answer' (did you mean 'answers'?); "
        "allowed keys: rubric, project, answers, notes, waivers, rater, reviews, comments"
    ]


def test_unknown_project_key(mini: Rubric) -> None:
    assert problems(HEAD + "  leed: Dr A\n", mini) == [
        "p.yaml:4: project: unknown key 'leed' (did you mean 'lead'?); "
        "allowed keys: title, lead, team, setting, specialty, organisation, date, summary, id"
    ]


def test_missing_project_title(mini: Rubric) -> None:
    assert problems("rubric: mini\nproject:\n  lead: Dr A\n", mini) == [
        "p.yaml:2: project.title: required; give the project's title"
    ]


def test_empty_project_title(mini: Rubric) -> None:
    assert problems("rubric: mini\nproject: {title: '  '}\n", mini) == [
        "p.yaml:2: project.title: must not be empty"
    ]


def test_missing_project(mini: Rubric) -> None:
    assert problems("rubric: mini\n", mini) == [
        "p.yaml:1: no 'project' key: give at least project.title"
    ]


def test_project_value_types(mini: Rubric) -> None:
    text = "rubric: mini\nproject:\n  title: T\n  team: [{a: 1}]\n  lead: [x]\n"
    assert problems(text, mini) == [
        "p.yaml:4: project.team: expected a list of names or roles",
        "p.yaml:5: project.lead: expected text, not a list",
    ]


def test_rubric_reference_forms(mini: Rubric) -> None:
    assert check("rubric: mini\nproject: {title: T}\n", mini).rubric == P.RubricRef("mini")
    assert check("rubric: mini@1.0\nproject: {title: T}\n", mini).rubric == P.RubricRef(
        "mini", "1.0"
    )
    with pytest.raises(InputError, match="no 'rubric' key"):
        check("project: {title: T}\n", mini)
    with pytest.raises(InputError) as info:
        check("rubric: {id: mini, edition: 2}\nproject: {title: T}\n", mini)
    assert info.value.message == "rubric: unknown key 'edition'; allowed keys: id, version"
    with pytest.raises(InputError, match=r"rubric\.id: expected the rubric's id as text"):
        check("rubric: {version: 1}\nproject: {title: T}\n", mini)
    with pytest.raises(InputError, match="expected a mapping with id and version, not a list"):
        check("rubric: [mini]\nproject: {title: T}\n", mini)


def test_rubric_id_mismatch(mini: Rubric) -> None:
    assert problems("rubric: {id: maxi}\nproject: {title: T}\n", mini) == [
        "p.yaml:1: rubric.id: this proposal answers 'maxi', but the rubric given is 'mini'"
    ]


@pytest.mark.parametrize("version", ["1.0.0", "1.9", "1", "1.2.0"])
def test_same_major_version_accepted(mini: Rubric, version: str) -> None:
    p = check(f"rubric: {{id: mini, version: '{version}'}}\nproject: {{title: T}}\n", mini)
    assert p.rubric.version == version


@pytest.mark.parametrize("version", ["2.0.0", "0.9.1"])
def test_other_major_version_rejected(mini: Rubric, version: str) -> None:
    text = f"rubric:\n  id: mini\n  version: {version}\nproject: {{title: T}}\n"
    assert problems(text, mini) == [
        f"p.yaml:3: rubric.version: written for mini {version}, but the rubric here is "
        "1.2.0, a different major version whose questions and scoring differ; answer the "
        "new questions, then set the version"
    ]


def test_other_major_version_is_the_only_error(mini: Rubric) -> None:
    # Answers written for another version would each fail against questions they
    # were not written for: one clear error says what to do instead.
    text = "rubric: {id: mini, version: 3.0}\nproject: {title: T}\nanswers:\n  drivr: x\n"
    (only,) = problems(text, mini)
    assert only.startswith("p.yaml:1: rubric.version: written for mini 3.0")


def test_waivers(mini: Rubric) -> None:
    p = check(HEAD + "waivers:\n  - finding: MI001\n    reason: '  Set by the board.  '\n", mini)
    assert p.waivers == (P.Waiver("MI001", "Set by the board.", 5),)


def test_waiver_shape_problems(mini: Rubric) -> None:
    text = HEAD + (
        "waivers:\n"  # 4
        "  - {finding: MI001}\n"  # 5
        "  - {reason: because}\n"  # 6
        "  - MI002\n"  # 7
        "  - {finding: MI003, reason: x, until: 2027}\n"  # 8
        "  - {finding: MI003, reason: '  '}\n"  # 9
    )
    assert problems(text, mini) == [
        "p.yaml:5: waivers[0].reason: required; say why MI001 does not apply",
        "p.yaml:6: waivers[1].finding: required; the id of the finding waived, e.g. CE004",
        "p.yaml:7: waivers[2]: expected a mapping with finding and reason",
        "p.yaml:8: waivers[3]: unknown key 'until'; allowed keys: finding, reason",
        "p.yaml:9: waivers[4].reason: required; say why MI003 does not apply",
    ]
    assert problems(HEAD + "waivers: {finding: MI001}\n", mini) == [
        "p.yaml:4: waivers: expected a list of {finding: ID, reason: text}"
    ]


def test_notes(mini: Rubric) -> None:
    p = check(HEAD + "notes:\n  general: Overall.\n  driver: Asked twice.\n  scope: 3\n", mini)
    assert p.notes == {"general": "Overall.", "driver": "Asked twice.", "scope": "3"}
    # A single text is the general note, checked like any other.
    assert check(HEAD + "notes: Just one note.\n", mini).notes == {"general": "Just one note."}
    assert problems(HEAD + 'notes: "bell \\a"\n', mini)[0].startswith("p.yaml:4: notes.general: ")
    assert problems(HEAD + "notes:\n  scop: x\n  driver: [a]\n", mini) == [
        "p.yaml:5: notes.scop: unknown question id (did you mean 'scope'?); "
        "use a question id or 'general'",
        "p.yaml:6: notes.driver: expected text, not a list",
    ]


def test_shape_of_the_whole_file(mini: Rubric) -> None:
    with pytest.raises(InputError) as info:
        P.read_text("- a\n- b\n", "p.yaml")
    assert str(info.value) == (
        "p.yaml:1: a proposal must be a YAML mapping with the keys "
        "rubric, project, answers, notes, waivers, rater, reviews, comments, not a list"
    )
    assert problems(HEAD + "answers: [driver]\n", mini) == [
        "p.yaml:4: answers: expected a mapping of question id to answer, not a list"
    ]


def test_several_problems_reported_together(mini: Rubric) -> None:
    text = (
        "rubric: {id: mini, version: 1.2}\n"  # 1
        "project: {leed: x}\n"  # 2
        "answers:\n"  # 3
        "  driver: x\n"  # 4
        "  cycles: 99\n"  # 5
        "extra: 1\n"  # 6
    )
    with pytest.raises(ProblemsError) as info:
        check(text, mini)
    located = [(p.line, p.message.split(":")[0]) for p in info.value.problems]
    assert located == [
        (2, "project"),
        (2, "project.title"),
        (4, "answers.driver"),
        (5, "answers.cycles"),
        (6, "unknown key 'extra'; allowed keys"),
    ]
    assert str(info.value).endswith("(and 4 more problems)")


def test_proposal_fixture_writes_a_valid_file(proposal: MakeProposal, mini: Rubric) -> None:
    path = proposal(driver="target", target_name="4 hours", outcome=False)
    p = load_proposal(path, mini)
    assert p.answers == {"driver": "target", "target_name": "4 hours", "outcome": False}
    assert p.project.title == "Test project"


@pytest.mark.parametrize("date", ["March 2021", "01/03/2021", "2021-3-1"])
def test_project_date_must_be_iso(mini: Rubric, date: str) -> None:
    text = f"rubric: {{id: mini, version: 1.2.0}}\nproject:\n  title: x\n  date: '{date}'\n"
    with pytest.raises(ProblemsError) as info:
        check(text, mini)
    assert info.value.problems[0].line == 4
    assert info.value.problems[0].message == (
        f"project.date: {date!r} is not a date; use the form YYYY-MM-DD, e.g. 2026-03-01"
    )
