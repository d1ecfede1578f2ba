"""qiappraise.load.lint (and the located model errors of qiappraise.rubric.read).

Each test breaks the mini rubric in one place and checks that the problem is
reported on the right line. Line numbers refer to tests/fixtures/mini-rubric.yaml.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from qiappraise.base.errors import InputError, ProblemsError
from qiappraise.base.resources import rubrics_dir
from qiappraise.base.yamlio import dump, load_text
from qiappraise.load.lint import lint
from qiappraise.load.rubric import LINTED_CLEAN, load_rubric
from qiappraise.rubric.read import LoadedRubric

from .conftest import MINI_RUBRIC, WriteYaml

BASE = MINI_RUBRIC.read_text()
MI001_WHEN = "    when: {question: driver, is: target}\n    message"  # line 97
TARGET_WHEN = "        when: {question: driver, is: target}\n"  # line 42


def lines_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture
def problems(tmp_path: Path, write_yaml: WriteYaml) -> Any:
    count = 0

    def run(*edits: tuple[str, str], text: str | None = None) -> list[tuple[int | None, str]]:
        nonlocal count
        count += 1
        if text is None:
            text = BASE
            for old, new in edits:
                assert text.count(old) == 1, f"edit target not unique: {old!r}"
                text = text.replace(old, new)
        path = write_yaml(tmp_path, f"rubric-{count}.yaml", text)
        with pytest.raises(ProblemsError) as info:
            load_rubric(path)
        assert all(p.file == str(path) for p in info.value.problems)
        return [(p.line, p.message) for p in info.value.problems]

    return run


def test_mini_rubric_lints_clean(mini_loaded: LoadedRubric) -> None:
    assert lint(mini_loaded) == []


def test_known_clean_hashes_are_the_bundled_rubrics_and_lint_clean() -> None:
    # load_rubric skips linting for these exact texts; keep the list true.
    hashes = set()
    for path in sorted(rubrics_dir().glob("*.yaml")):
        loaded = load_rubric(path, lint=False)
        assert lint(loaded) == [], path
        assert loaded.sha256 in LINTED_CLEAN, (
            f"{path} changed: lint it, then put {loaded.sha256} in qiappraise.load.rubric.LINTED_CLEAN"
        )
        hashes.add(loaded.sha256)
    assert hashes == LINTED_CLEAN  # nothing stale left in the list


def test_a_known_text_is_trusted_but_trust_known_false_lints_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qiappraise.load import lint as rubric_lint

    calls = []
    real = rubric_lint.lint

    def counting(loaded: LoadedRubric) -> list[InputError]:
        calls.append(loaded.path)
        return real(loaded)

    monkeypatch.setattr(rubric_lint, "lint", counting)
    copy = tmp_path / "copy.yaml"
    copy.write_bytes((rubrics_dir() / "critical-engagement.yaml").read_bytes())
    load_rubric(copy)
    assert calls == []
    load_rubric(copy, trust_known=False)  # what `rubric validate` does
    assert calls == [str(copy)]
    edited = tmp_path / "edited.yaml"
    edited.write_bytes(copy.read_bytes() + b"\n# an edit\n")
    load_rubric(edited)
    assert calls == [str(copy), str(edited)]


def test_line_anchors_of_this_file() -> None:
    # The expectations below rely on these lines of the fixture.
    assert lines_of(BASE, "sections:") == 18
    assert lines_of(BASE, "- id: driver") == 28
    assert lines_of(BASE, TARGET_WHEN.strip()) == 42
    assert BASE.splitlines()[96] == "    when: {question: driver, is: target}"


def test_unknown_key_with_allowed_keys_and_suggestion(problems: Any) -> None:
    assert problems(
        ("    why: How far it goes.\n", "    why: How far it goes.\n    wieght: 3\n")
    ) == [
        (
            58,
            "sections[1]: unknown key 'wieght' (did you mean 'weight'?); allowed keys: "
            "caps, cite, id, questions, reflect, title, weight, why",
        )
    ]


def test_unknown_top_level_key(problems: Any) -> None:
    assert problems(("licence: CC BY 4.0\n", "licence: CC BY 4.0\nsumary: x\n")) == [
        (
            7,
            "unknown key 'sumary' (did you mean 'summary'?); allowed keys: auto_findings, "
            "dimensions, findings, id, licence, sections, sources, spectrum, summary, title, "
            "upgrade, version",
        )
    ]


def test_misspelt_question_key_names_the_missing_key(problems: Any) -> None:
    # The allowed keys are those of the question's own type (choice here).
    assert problems(("        prompt: What drives it?", "        promt: What drives it?")) == [
        (28, "sections[0].questions[0].prompt: required key is missing"),
        (
            31,
            "sections[0].questions[0]: unknown key 'promt' (did you mean 'prompt'?); "
            "allowed keys: choices, cite, feeds, help, id, invalid_message, max_points, "
            "max_selected, min_selected, prompt, reflect, required, spectrum_weight, type, when",
        ),
    ]


def test_missing_top_level_key(problems: Any) -> None:
    assert problems(("title: Mini rubric for tests\n", "")) == [
        (2, "title: required key is missing")
    ]


def test_duplicate_question_id(problems: Any) -> None:
    # Reported where the id is repeated (line 60), not where it first appears (49).
    found = problems(("      - id: story", "      - id: scope"))
    assert found == [(60, "duplicate question id 'scope'; ids must be unique")]


def test_duplicate_choice_value(problems: Any) -> None:
    assert problems(("{value: staff,", "{value: families,")) == [
        (76, "duplicate choice (in question 'groups') id 'families'; ids must be unique")
    ]


def test_condition_on_unknown_question(problems: Any) -> None:
    found = problems((MI001_WHEN, MI001_WHEN.replace("driver", "drivr")))
    assert (97, "condition names unknown question 'drivr'") in found


def test_condition_value_not_a_choice(problems: Any) -> None:
    found = problems((MI001_WHEN, MI001_WHEN.replace("is: target", "is: targt")))
    assert (
        97,
        "condition on 'driver' (choice): 'targt' is not one of its values: target, need, unsure",
    ) in found


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (
            "{question: driver, includes: target}",
            "condition on 'driver' (choice): 'includes' only applies to multiple choice",
        ),
        (
            "{question: story, at_least: 3}",
            "condition on 'story' (long_text): a text answer can only be tested with 'answered'",
        ),
        (
            "{question: driver, at_least: need}",
            "condition on 'driver' (choice): 'at_least' applies to numbers and scales, "
            "not to single choice",
        ),
        (
            "{question: groups, is: nobody}",
            "condition on 'groups' (multi): use 'includes' or 'includes_any' on multiple "
            "choice, not 'is'",
        ),
        (
            "{question: outcome, is: 'yes'}",
            "condition on 'outcome' (yes_no): use 'is: true' or 'is: false' on a yes/no question",
        ),
        (
            "{question: cycles, at_least: many}",
            "condition on 'cycles' (number): compare a number with numbers",
        ),
        (
            "{question: scope, at_least: galaxy}",
            "condition on 'scope' (scale): 'galaxy' is not one of its values: task, pathway, system",
        ),
    ],
)
def test_operator_must_fit_the_type(problems: Any, condition: str, message: str) -> None:
    found = problems((MI001_WHEN, f"    when: {condition}\n    message"))
    assert (97, message) in found


def test_fitting_operators_are_accepted(tmp_path: Path, write_yaml: WriteYaml) -> None:
    for condition in (
        "{question: scope, at_least: pathway}",
        "{question: cycles, at_most: 2}",
        "{question: groups, includes_any: [children, staff]}",
        "{question: outcome, is: false}",
        "{question: story, answered: true}",
        "{question: driver, in: [target, unsure]}",
    ):
        text = BASE.replace(MI001_WHEN, f"    when: {condition}\n    message")
        load_rubric(write_yaml(tmp_path, "ok.yaml", text))  # no ProblemsError


def test_when_reading_a_later_question(problems: Any) -> None:
    assert problems((TARGET_WHEN, "        when: {question: outcome, is: true}\n")) == [
        (
            42,
            "question 'target_name': 'when' reads 'outcome', which is asked later; "
            "a condition may only read earlier questions",
        )
    ]


def test_when_reading_itself(problems: Any) -> None:
    found = problems((TARGET_WHEN, "        when: {question: target_name, answered: true}\n"))
    assert (42, "question 'target_name': 'when' reads its own answer (a cycle)") in found


def test_cycle_between_two_questions(problems: Any) -> None:
    found = problems(
        (TARGET_WHEN, "        when: {question: outcome, is: true}\n"),
        (
            "        prompt: Is a health outcome named?\n",
            "        prompt: Is a health outcome named?\n"
            "        when: {question: target_name, answered: true}\n",
        ),
    )
    assert (18, "conditions form a cycle: target_name -> outcome -> target_name") in found


def test_unknown_dimension_tag(problems: Any) -> None:
    assert problems(("dimensions: {safe: secondary}", "dimensions: {safty: secondary}")) == [
        (34, "unknown dimension 'safty'; declared: equitable, safe")
    ]


def test_condition_on_unknown_dimension(problems: Any) -> None:
    found = problems(("{dimension: equitable, is: none}", "{dimension: equity, is: none}"))
    assert (104, "condition names unknown dimension 'equity'") in found


def test_unknown_spectrum_band(problems: Any) -> None:
    assert problems(("spectrum: stepping-stone}", "spectrum: stepping}")) == [
        (
            66,
            "spectrum 'stepping' is not a band; use one of: repair, stepping-stone, reform "
            "or a number 0..1",
        )
    ]


def test_spectrum_number_out_of_range(problems: Any) -> None:
    assert problems(("spectrum: stepping-stone}", "spectrum: 1.5}")) == [
        (66, "spectrum 1.5 is outside 0..1")
    ]


def test_weights_must_add_up_to_100(problems: Any) -> None:
    assert problems(("    weight: 40", "    weight: 30")) == [
        (18, "section weights add up to 90, they must add up to 100")
    ]


def test_band_thresholds_out_of_order(problems: Any) -> None:
    found = problems(("up_to: 0.7, anchor: 0.5", "up_to: 0.3, anchor: 0.5"))
    assert (
        16,
        "band 'stepping-stone': up_to 0.3 must be above the previous threshold 0.4",
    ) in found


def test_last_band_must_not_have_up_to(problems: Any) -> None:
    found = problems(
        (
            "{id: reform, label: Reform, anchor: 1.0}",
            "{id: reform, label: Reform, up_to: 0.9, anchor: 1.0}",
        )
    )
    assert (17, "band 'reform' is the last band and must not have 'up_to'") in found


def test_finding_that_can_never_fire(problems: Any) -> None:
    never = "{all: [{question: driver, is: target}, {question: driver, is: need}]}"
    assert problems((MI001_WHEN, f"    when: {never}\n    message")) == [
        (
            97,
            "finding MI001 can never fire: no combination of answers makes its condition hold",
        )
    ]


def test_finding_on_a_question_that_is_never_asked_with_that_answer(problems: Any) -> None:
    # target_name is only asked when driver is target: with driver need it is dropped.
    cond = "{all: [{question: driver, is: need}, {question: target_name, answered: true}]}"
    assert problems((MI001_WHEN, f"    when: {cond}\n    message")) == [
        (
            97,
            "finding MI001 can never fire: no combination of answers makes its condition hold",
        )
    ]


def test_cap_that_can_never_apply(problems: Any) -> None:
    found = problems(
        ("- when: {question: outcome, is: false}", "- when: {question: cycles, at_least: 51}")
    )
    assert found == [(24, "cap in section 'purpose' can never apply: its condition can never hold")]


def test_concerns_unknown_question(problems: Any) -> None:
    assert problems(("concerns: [groups]", "concerns: [group]")) == [
        (115, "finding MI003: concerns unknown question 'group'")
    ]


def test_several_problems_all_reported_in_line_order(problems: Any) -> None:
    assert problems(
        ("concerns: [groups]", "concerns: [group]"),
        ("    weight: 40", "    weight: 30"),
        ("dimensions: {safe: secondary}", "dimensions: {safty: secondary}"),
    ) == [
        (18, "section weights add up to 90, they must add up to 100"),
        (34, "unknown dimension 'safty'; declared: equitable, safe"),
        (115, "finding MI003: concerns unknown question 'group'"),
    ]


def test_edited_data_dumped_back(problems: Any) -> None:
    # yamlio, not yaml.safe_load: the latter turns the key `yes:` into True.
    data = load_text(BASE).data
    data["findings"].append(
        {
            "id": "MI004",
            "severity": "info",
            "title": "Impossible",
            "when": {"question": "cycles", "at_least": 60},
            "message": "m",
            "rationale": "r",
            "suggestion": "s",
        }
    )
    data["sections"][0]["questions"][0]["choices"][1]["value"] = "target"
    text = dump(data)
    found = problems(text=text)
    choice_line = [i for i, line in enumerate(text.splitlines(), 1) if "value: target" in line][1]
    all_lines = text.splitlines()
    start = lines_of(text, "id: MI004")
    when_line = next(i for i in range(start, len(all_lines) + 1) if "when:" in all_lines[i - 1])
    assert (
        choice_line,
        "duplicate choice (in question 'driver') id 'target'; ids must be unique",
    ) in found
    assert (
        when_line,
        "finding MI004 can never fire: no combination of answers makes its condition hold",
    ) in found


def test_rubric_that_is_not_a_mapping(tmp_path: Path, write_yaml: WriteYaml) -> None:
    path = write_yaml(tmp_path, "list.yaml", "- a\n")
    with pytest.raises(InputError) as info:
        load_rubric(path)
    assert str(info.value) == (
        f"{path}:1: a rubric must be a YAML mapping (id, version, sections, ...), not a list"
    )


def test_rubric_list_notes_broken_and_shadowed_rubrics(tmp_path: Path) -> None:
    from .checkhelpers import run

    (tmp_path / "broken.yaml").write_text("id: [oops\n", encoding="utf-8")
    (tmp_path / "mini.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "mini-copy.yaml").write_text(BASE, encoding="utf-8")
    result = run("rubric", "list", env={"QIAPPRAISE_RUBRICS": str(tmp_path)})
    assert result.exit_code == 0
    listed = [line.split("\t")[-1] for line in result.stdout.splitlines()]
    assert listed[:2] == [str(tmp_path / "mini-copy.yaml"), str(tmp_path / "mini.yaml")]
    assert listed[2].endswith("critical-engagement.yaml")  # the others are still listed
    assert f"note: not a valid rubric, skipped: {tmp_path / 'broken.yaml'}:2: invalid YAML" in (
        result.stderr
    )
    # `--rubric mini` means mini.yaml (its name matches); the copy is never chosen.
    assert (
        f"note: {tmp_path / 'mini-copy.yaml'} is not used for 'mini': "
        f"{tmp_path / 'mini.yaml'} is named after it"
    ) in result.stderr


def test_a_file_named_after_an_id_it_does_not_declare_is_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qiappraise.rubric.read import find_rubric

    from .checkhelpers import run

    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "mini.yaml").write_text(BASE.replace("id: mini\n", "id: other\n", 1), "utf-8")
    (second / "x.yaml").write_text(BASE, encoding="utf-8")
    env = {"QIAPPRAISE_RUBRICS": f"{first}{os.pathsep}{second}"}
    result = run("rubric", "list", env=env)
    assert result.exit_code == 0 and "note:" not in result.stderr
    monkeypatch.setenv("QIAPPRAISE_RUBRICS", env["QIAPPRAISE_RUBRICS"])
    assert find_rubric("mini") == second / "x.yaml"
    assert find_rubric("other") == first / "mini.yaml"


# ------------------------------------------------------- two axes, never mixed


def test_a_position_question_may_not_earn_points(problems: Any) -> None:
    found = problems(
        (
            "descriptor: A pathway, spectrum: stepping-stone}",
            "descriptor: A pathway, spectrum: stepping-stone, points: 1}",
        )
    )
    assert (
        60,
        "question 'scope' feeds the position but earns points; only questions that feed "
        "the score earn points (give its points to a score question)",
    ) in found


def test_a_score_question_may_not_place_the_project(problems: Any) -> None:
    found = problems(
        ("label: A need, points: 2,", "label: A need, points: 2, spectrum: reform,"),
    )
    assert (
        28,
        "question 'driver' feeds the score but places the project (spectrum); only "
        "questions that feed the position may",
    ) in found


def test_a_profile_question_feeds_neither(problems: Any) -> None:
    found = problems(("        feeds: profile\n", "        feeds: profile\n        points: 1\n"))
    assert any("'target_name' feeds the profile but earns points" in m for _, m in found)


def test_whether_a_score_question_is_asked_may_not_depend_on_the_position(
    problems: Any,
) -> None:
    # cycles (score) asked only for some scopes (position) would let scope move the score.
    found = problems(
        (
            "        feeds: score\n        prompt: How many PDSA cycles?",
            "        feeds: score\n        when: {question: scope, at_least: pathway}\n"
            "        prompt: How many PDSA cycles?",
        )
    )
    assert any(
        "question 'cycles' feeds the score, but whether it is asked depends on 'scope', "
        "which feeds the position" in m
        for _, m in found
    )


def test_a_cap_may_only_read_score_questions(problems: Any) -> None:
    found = problems(
        (
            "      - when: {question: outcome, is: false}",
            "      - when: {question: scope, is: task}",
        )
    )
    assert (
        24,
        "cap in section 'purpose' reads position question 'scope'; a cap limits the score, "
        "so it may only read questions that feed the score",
    ) in found
    found = problems(
        (
            "      - when: {question: outcome, is: false}",
            "      - when: {dimension: safe, is: none}",
        )
    )
    assert any("cap in section 'purpose' reads dimension 'safe'" in m for _, m in found)


def test_a_claim_needs_a_level_below_it(problems: Any) -> None:
    found = problems(
        (
            "{value: task, label: Task, descriptor: One task, spectrum: repair}",
            "{value: task, label: Task, descriptor: One task, spectrum: repair, evidence: true}",
        )
    )
    assert any(
        "question 'scope': 'task' needs evidence but has no level below" in m for _, m in found
    )


def test_feeds_is_required(problems: Any) -> None:
    found = problems(
        ("        feeds: score\n        prompt: What drives it?", "        prompt: What drives it?")
    )
    assert (28, "sections[0].questions[0].feeds: required key is missing") in found
