"""`qiappraise agreement`: grouping raters into projects, and every figure checked independently.

The fixture cohort (tests/fixtures/agreement, see its README) is read twice:
by the command, and here straight from the YAML, whose answers go to
scikit-learn (Cohen's kappa), statsmodels (Fleiss' kappa) and the numpy ANOVA
of tests/test_interrater.py (ICC). Bands and scores, which the rubric
computes, come from scoring each file on its own.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from markdown_it import MarkdownIt
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner, Result

from qiappraise.cli.app import app
from qiappraise.load.pipeline import appraise_file
from qiappraise.raters.agreement import QuestionSpec, RubricPlan, Sheet, Sheets, group, icc_slots
from qiappraise.raters.interrater import ONE_CATEGORY

from .test_interrater import gwet_reference, icc_reference, statsmodels_fleiss
from .validators import axe_violations, dump, markdownlint_errors, vnu_errors

FIXTURES = Path(__file__).parent / "fixtures"
COHORT = FIXTURES / "agreement"
MINI = FIXTURES / "mini-rubric.yaml"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ENV = {
    "COLUMNS": "120",
    "NO_COLOR": "1",
    "QIAPPRAISE_RUBRIC": None,
    "QIAPPRAISE_RUBRICS": None,
    "QIAPPRAISE_TEMPLATE_DIR": None,
    "SOURCE_DATE_EPOCH": "1700000000",
}
#: The mini rubric's questions as agreement compares them.
CATEGORIES = ("driver", "outcome", "scope", "groups")
ORDER = {"scope": ["task", "pathway", "system"]}
BANDS = ["repair", "stepping-stone", "reform"]
ROLES = ("self", "supervisor", "peer")


def invoke(*args: str | Path, **env: str | None) -> Result:
    return CliRunner().invoke(app, ["agreement", *map(str, args)], env={**ENV, **env})


def measured(*args: str | Path, **env: str | None) -> dict[str, Any]:
    """The JSON document of a run that must succeed; NaN or Infinity fail the test."""
    result = invoke(*args, "-f", "json", "-j", "1", **env)
    assert result.exit_code == 0, (result.stderr, result.exception)
    return json.loads(result.stdout, parse_constant=_no_constant)  # type: ignore[no-any-return]


def _no_constant(name: str) -> None:
    raise AssertionError(f"{name} in the JSON output")


# --- the fixture, read independently ---------------------------------------------------------


def rating(path: Path, qid: str) -> Any:
    """The answer as written: "not sure" and unanswered are no rating; a set in one order."""
    value = yaml.safe_load(path.read_text(encoding="utf-8"))["answers"].get(qid)
    if value == "unsure":
        return None
    return ",".join(sorted(set(value))) if isinstance(value, list) else value


def pair_files() -> list[tuple[Path, Path]]:
    return [
        (COHORT / "pairs" / f"p{i}.yaml", COHORT / "pairs" / "reviews" / f"p{i}.supervisor.yaml")
        for i in range(1, 7)
    ]


def triple_files() -> list[tuple[Path, ...]]:
    return [tuple(COHORT / "triples" / f"t{i}.{role}.yaml" for role in ROLES) for i in range(1, 6)]


def band_and_score(path: Path) -> tuple[str | None, float | None]:
    a = appraise_file(path, MINI)
    return (a.band.id if a.band else None), a.score


def cohen(
    pairs: Sequence[tuple[Any, Any]], labels: list[Any] | None = None
) -> tuple[float | None, int, int, float]:
    """scikit-learn's kappa (quadratic with ``labels``), n, dropped pairs and percent agreement."""
    kept = [(a, b) for a, b in pairs if a is not None and b is not None]
    first, second = zip(*kept, strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns where kappa is undefined (nan)
        value = cohen_kappa_score(
            first, second, labels=labels, weights="quadratic" if labels else None
        )
    same = sum(a == b for a, b in kept)
    kappa = None if math.isnan(value) else float(value)
    return kappa, len(kept), len(pairs) - len(kept), 100.0 * same / len(kept)


def fleiss(units: list[list[Any]]) -> tuple[float | None, int, float]:
    """statsmodels' Fleiss' kappa (Gwet's formulas where a rating is missing), n, percent."""
    codes = {c: i for i, c in enumerate(sorted({r for u in units for r in u if r is not None}))}
    coded = [[None if r is None else codes[r] for r in u] for u in units]
    several = [u for u in coded if sum(r is not None for r in u) >= 2]
    reference = gwet_reference(coded)
    assert reference is not None
    p_a, p_e = reference
    if all(None not in u for u in coded):
        kappa = statsmodels_fleiss(coded)  # type: ignore[arg-type]
    else:
        kappa = None if p_e == 1 else (p_a - p_e) / (1 - p_e)
    return kappa, len(several), 100.0 * p_a


def icc(rows: list[list[float | None]]) -> dict[str, float]:
    complete = [r for r in rows if None not in r]
    found = icc_reference(np.array(complete, dtype=float))
    assert found is not None
    return found


def assert_figure(got: dict[str, Any], kappa: float | None, n: int, percent: float) -> None:
    if kappa is None:
        assert got["kappa"] is None and got["reason"]
    else:
        assert got["kappa"] == pytest.approx(kappa, abs=1e-12)
    assert got["n"] == n
    assert got["percent_agreement"] == pytest.approx(percent)


def assert_icc(got: dict[str, Any], expected: dict[str, float], n: int) -> None:
    assert got["statistic"] == "icc" and got["kappa"] is None
    assert got["icc"] == pytest.approx(expected["icc"], abs=1e-9)
    assert got["ci95"] == pytest.approx([expected["low"], expected["high"]], abs=1e-6)
    assert got["n"] == n


# --- grouping ----------------------------------------------------------------------------------


def _sheet(
    file: str, role: str = "self", project_id: str = "", reviews: str | None = None
) -> Sheet:
    return Sheet(file, file, role, project_id, reviews, None, None, ())


def test_grouping_by_project_id_by_reviews_and_along_chains() -> None:
    sheets = [
        _sheet("a.yaml", project_id="A"),
        _sheet("b.yaml", "peer", project_id="A"),
        _sheet("t.yaml"),
        _sheet("t.sup.yaml", "supervisor", reviews="t.yaml"),
        _sheet("t.ass.yaml", "assessor", reviews="t.sup.yaml"),  # a review of a review
        _sheet("alone.yaml"),
        _sheet("r1.yaml", "supervisor", reviews="missing.yaml"),  # the file reviewed is not given
        _sheet("r2.yaml", "peer", reviews="missing.yaml"),
        _sheet("x.yaml", project_id="X"),
        _sheet("y.yaml", "supervisor", project_id="Y", reviews="x.yaml"),  # ids joined
    ]
    g = group(sheets)
    files = [[sheets[i].file for i in p] for p in g.projects]
    assert files == [
        ["a.yaml", "b.yaml"],
        ["t.yaml", "t.sup.yaml", "t.ass.yaml"],
        ["r1.yaml", "r2.yaml"],
        ["x.yaml", "y.yaml"],
    ]
    assert g.single == 1
    assert g.conflicts == (("X", "Y"),)
    assert g.unlinked == ("r1.yaml", "r2.yaml")


def test_raters_are_ordered_by_role_then_file_name() -> None:
    sheets = [
        _sheet("z.yaml", "assessor", "P"),
        _sheet("b.yaml", "peer", "P"),
        _sheet("a.yaml", "peer", "P"),
        _sheet("m.yaml", "self", "P"),
        _sheet("s.yaml", "supervisor", "P"),
    ]
    (project,) = group(sheets).projects
    assert [sheets[i].file for i in project] == ["m.yaml", "s.yaml", "a.yaml", "b.yaml", "z.yaml"]


def test_icc_slots_use_the_most_ratings() -> None:
    assert icc_slots([2, 2, 2], "fleiss") == 2
    assert icc_slots([3, 3, 3], "fleiss") == 3
    assert icc_slots([2, 3, 3, 3], "fleiss") == 3  # 9 ratings against 8
    assert icc_slots([2, 2, 3, 3], "fleiss") == 2  # 8 against 6
    assert icc_slots([2, 2, 3, 5], "fleiss") == 2
    assert icc_slots([3, 3, 3], "cohen") == 2


def test_kept_sheets_share_answers_but_never_a_yes_with_a_number() -> None:
    spec = QuestionSpec("q", "Q?", "S", "choice", "", None)
    sheets = Sheets(RubricPlan("r", "1", "R", "0" * 64, (spec,) * 3, ()))
    first = _sheet("a.yaml")
    one = "".join(["pa", "thway"])  # equal to "pathway", another object
    sheets.keep(Sheet("a", "a", "self", "", None, None, None, ("pathway", True, 1)))
    sheets.keep(Sheet("b", "b", "self", "", None, None, None, (one, 1, True)))
    a, b = sheets.items
    assert a.answers[0] is b.answers[0]
    assert [type(v) for v in b.answers[1:]] == [int, bool]
    assert first.answers == ()


def test_the_fixture_cohort_groups_into_its_projects() -> None:
    doc = measured(COHORT, "--rubric", MINI)
    assert doc["files"] == 6 * 2 + 5 * 3 + 3 + 1
    assert doc["n_projects"] == 12
    assert doc["raters_per_project"] == {"2": 6, "3": 6}
    assert doc["left_out"] == {
        "single_rater_projects": 1,
        "several_self_projects": 0,
        "other_self_appraisals": 0,
        "failed_files": 0,
    }
    assert doc["roles"] == {"self": 12, "supervisor": 12, "peer": 5, "assessor": 1}


# --- the figures, checked independently ------------------------------------------------------


def test_two_raters_everywhere_give_cohens_kappa_as_scikit_learn_does() -> None:
    doc = measured(COHORT / "pairs", "--rubric", MINI)
    assert doc["method"] == "cohen" and doc["n_projects"] == 6
    files = pair_files()
    for qid in CATEGORIES:
        got = doc["questions"][qid]
        kappa, n, dropped, percent = cohen(
            [(rating(a, qid), rating(b, qid)) for a, b in files], ORDER.get(qid)
        )
        assert_figure(got, kappa, n, percent)
        assert got["dropped"] == dropped
        assert got["method"] == (
            "Cohen's kappa, quadratic weights" if qid in ORDER else "Cohen's kappa"
        )
    # p4's "not sure" is no rating: that pair is left out of driver's kappa.
    assert doc["questions"]["driver"]["dropped"] == 1
    # p2's raters chose one set in different orders: the same answer.
    assert rating(files[1][0], "groups") == rating(files[1][1], "groups")
    cycles = [[rating(a, "cycles"), rating(b, "cycles")] for a, b in files]
    assert_icc(doc["questions"]["cycles"], icc(cycles), n=5)
    assert doc["questions"]["cycles"]["dropped"] == 1  # p5's review leaves it unanswered
    placed = [(band_and_score(a), band_and_score(b)) for a, b in files]
    band = doc["band"]
    kappa, n, _, percent = cohen([(a[0], b[0]) for a, b in placed], BANDS)
    assert_figure(band, kappa, n, percent)
    same = sum(a[0] == b[0] for a, b in placed)
    assert band["agreement"] == {
        "percent": 100.0 * same / 6,
        "projects": 6,
        "agree": same,
        "reason": None,
    }
    assert_icc(doc["score"], icc([[a[1], b[1]] for a, b in placed]), n=6)


def test_three_raters_give_fleiss_kappa_as_statsmodels_does() -> None:
    doc = measured(COHORT / "triples", "--rubric", MINI)
    assert doc["method"] == "fleiss" and doc["icc_raters"] == 3
    files = triple_files()
    for qid in CATEGORIES:
        kappa, n, percent = fleiss([[rating(f, qid) for f in unit] for unit in files])
        got = doc["questions"][qid]
        assert_figure(got, kappa, n, percent)
        assert got["method"] == "Fleiss' kappa" and got["raters"] == 3
    cycles = [[rating(f, "cycles") for f in unit] for unit in files]
    assert_icc(doc["questions"]["cycles"], icc(cycles), n=5)
    placed = [[band_and_score(f) for f in unit] for unit in files]
    kappa, n, percent = fleiss([[b for b, _ in unit] for unit in placed])
    assert_figure(doc["band"], kappa, n, percent)
    assert_icc(doc["score"], icc([[s for _, s in unit] for unit in placed]), n=5)


def test_a_mixed_cohort_uses_fleiss_and_the_first_raters_for_the_icc() -> None:
    doc = measured(COHORT, "--rubric", MINI)
    assert doc["method"] == "fleiss"
    assert "three or more raters" in doc["method_reason"]
    # 6 projects of 2 and 6 of 3 raters: two slots use 24 ratings, three 18.
    assert doc["icc_raters"] == 2
    assert doc["score"]["n"] == 12 and doc["score"]["raters"] == 2


def test_cohen_can_be_asked_for_and_takes_the_first_two_raters() -> None:
    doc = measured(COHORT / "triples", "--rubric", MINI, "--method", "cohen")
    assert doc["method"] == "cohen" and "first two raters" in doc["method_reason"]
    files = triple_files()
    kappa, n, _, percent = cohen(
        [(rating(u[0], "scope"), rating(u[1], "scope")) for u in files], ORDER["scope"]
    )
    assert_figure(doc["questions"]["scope"], kappa, n, percent)


def test_fleiss_can_be_asked_for_on_pairs() -> None:
    doc = measured(COHORT / "pairs", "--rubric", MINI, "--method", "fleiss")
    assert doc["method"] == "fleiss"
    kappa, n, percent = fleiss([[rating(a, "scope"), rating(b, "scope")] for a, b in pair_files()])
    assert_figure(doc["questions"]["scope"], kappa, n, percent)


def test_free_text_is_not_compared() -> None:
    doc = measured(COHORT / "pairs", "--rubric", MINI)
    for qid in ("story", "target_name"):
        got = doc["questions"][qid]
        assert got["statistic"] is None and got["kappa"] is None and got["n"] == 0
        assert "free text" in got["reason"]
        assert qid not in doc["agenda"]


def test_the_agenda_lists_the_lowest_agreement_first_with_reflective_prompts() -> None:
    doc = measured(COHORT / "pairs", "--rubric", MINI, "--agenda", "2")
    questions = doc["questions"]
    ranked = sorted(
        (q for q in questions if questions[q]["rank"] is not None),
        key=lambda q: questions[q]["rank"],
    )
    values = [
        questions[q]["kappa"] if questions[q]["kappa"] is not None else questions[q]["icc"]
        for q in ranked
    ]
    assert values == sorted(values)
    assert doc["agenda"] == ranked[:2]
    assert questions["driver"]["reflect"] == "Whose goal is it?"


# --- edge cases ------------------------------------------------------------------------------


def write_pair(folder: Path, name: str, first: dict[str, Any], second: dict[str, Any]) -> None:
    """A self-appraisal of the mini rubric and a supervisor's review of it."""
    folder.mkdir(parents=True, exist_ok=True)
    top = {"rubric": {"id": "mini", "version": "1.2.0"}, "project": {"title": name}}
    (folder / f"{name}.yaml").write_text(yaml.safe_dump({**top, "answers": first}))
    review = {
        **top,
        "rater": {"name": "S", "role": "supervisor"},
        "reviews": {"file": f"{name}.yaml"},
        "answers": second,
    }
    (folder / f"{name}.review.yaml").write_text(yaml.safe_dump(review))


def test_perfect_agreement_is_one_and_leaves_nothing_to_calibrate(tmp_path: Path) -> None:
    for i, (scope, outcome) in enumerate([("task", True), ("pathway", False), ("system", True)]):
        answers = {"driver": "need", "outcome": outcome, "scope": scope, "cycles": i}
        write_pair(tmp_path, f"p{i}", answers, answers)
    doc = measured(tmp_path, "--rubric", MINI)
    assert doc["questions"]["scope"]["kappa"] == 1.0
    assert doc["questions"]["outcome"]["kappa"] == 1.0
    assert doc["band"]["agreement"]["percent"] == 100.0
    assert doc["agenda"] == []
    text = invoke(tmp_path, "--rubric", MINI, "-j", "1")
    assert text.exit_code == 0 and "nothing to calibrate" in text.stdout


def test_one_category_only_is_n_a_with_a_reason_never_nan(tmp_path: Path) -> None:
    for i in range(3):
        write_pair(
            tmp_path, f"p{i}", {"driver": "need", "cycles": 2}, {"driver": "need", "cycles": 2}
        )
    doc = measured(tmp_path, "--rubric", MINI)
    driver = doc["questions"]["driver"]
    assert driver["kappa"] is None and driver["reason"] == ONE_CATEGORY
    assert driver["percent_agreement"] == 100.0
    cycles = doc["questions"]["cycles"]
    assert cycles["icc"] is None and "same value" in cycles["reason"]
    text = invoke(tmp_path, "--rubric", MINI, "-j", "1").stdout
    assert "n/a" in text and "nan" not in text.lower().replace("financ", "")


def test_no_project_with_two_raters_is_an_error(tmp_path: Path) -> None:
    for name in ("a", "b"):
        shutil.copy(COHORT / "single" / "alone.yaml", tmp_path / f"{name}.yaml")
    result = invoke(tmp_path, "--rubric", MINI, "-j", "1")
    assert result.exit_code == 2
    assert "no project has two or more raters (2 appraisals read" in result.stderr
    assert "reviews: {file: ...}" in result.stderr and "project.id" in result.stderr
    assert result.stdout == ""
    # Reviews given without the files they review: the notes say why nothing links.
    reviews = COHORT / "pairs" / "reviews"
    result = invoke(
        reviews / "p1.supervisor.yaml", reviews / "p2.supervisor.yaml", "--rubric", MINI
    )
    assert result.exit_code == 2
    assert "p1.supervisor.yaml reviews a file not among those given" in result.stderr


def test_a_bad_file_is_listed_while_the_others_are_compared(tmp_path: Path) -> None:
    shutil.copytree(COHORT / "pairs", tmp_path / "pairs")
    (tmp_path / "pairs" / "broken.yaml").write_text("rubric: mini\nanswers: {driver: maybe}\n")
    (tmp_path / "pairs" / "ci.yaml").write_text("jobs: {}\n")  # not a proposal: passed over
    result = invoke(tmp_path, "--rubric", MINI, "-f", "json", "-j", "1")
    assert result.exit_code == 2
    assert "broken.yaml" in result.stderr and "error:" in result.stderr
    assert "note: skipped" in result.stderr and "ci.yaml" in result.stderr
    doc = json.loads(result.stdout)
    assert doc["n_projects"] == 6
    assert [e["file"] for e in doc["errors"]] == [str(tmp_path / "pairs" / "broken.yaml")]
    assert doc["skipped"] == 1


def _two_versions_of_p1(tmp_path: Path) -> tuple[Path, Path]:
    """The pairs cohort, with p1 and a later version of it sharing project id P1."""
    shutil.copytree(COHORT / "pairs", tmp_path / "pairs")
    first = tmp_path / "pairs" / "p1.yaml"
    text = first.read_text(encoding="utf-8")
    assert "  title: Pair project 1\n" in text
    text = text.replace("  title: Pair project 1\n", "  title: Pair project 1\n  id: P1\n")
    first.write_text(text, encoding="utf-8")
    second = tmp_path / "pairs" / "p1.v2.yaml"
    second.write_text(text, encoding="utf-8")
    return first, second


def test_the_self_appraisal_a_review_rates_is_kept_and_other_versions_left_out(
    tmp_path: Path,
) -> None:
    # Compared as raters, two versions would agree with themselves; the
    # supervisor's review names p1.yaml, so that one is the team's rating.
    first, second = _two_versions_of_p1(tmp_path)
    result = invoke(tmp_path, "--rubric", MINI, "-f", "json", "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert (
        f"note: {second}, {first} are each the team's own appraisal of project 'P1': "
        f"{first}, the one a review rates, is compared; the others are left out"
    ) in result.stderr
    doc = json.loads(result.stdout)
    assert doc["n_projects"] == 6
    assert doc["left_out"]["several_self_projects"] == 0
    assert doc["left_out"]["other_self_appraisals"] == 1
    assert doc["notes"]["several_self_appraisals"] == [
        {"id": "P1", "files": [str(second), str(first)], "kept": str(first)}
    ]
    (p1,) = [p for p in doc["projects"] if p["ids"] == ["P1"]]
    assert [(Path(r["file"]).name, r["role"]) for r in p1["raters"]] == [
        ("p1.yaml", "self"),
        ("p1.supervisor.yaml", "supervisor"),
    ]
    text_out = invoke(tmp_path, "--rubric", MINI, "-j", "1")
    assert "1 other self-appraisal beside the one a review rates" in " ".join(
        text_out.stdout.split()
    )


def test_two_self_appraisals_no_review_tells_apart_leave_the_project_out(
    tmp_path: Path,
) -> None:
    _two_versions_of_p1(tmp_path)
    (tmp_path / "pairs" / "reviews" / "p1.supervisor.yaml").unlink()
    result = invoke(tmp_path, "--rubric", MINI, "-f", "json", "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert "and no review says which is rated: the project is left out" in result.stderr
    doc = json.loads(result.stdout)
    assert doc["n_projects"] == 5
    assert doc["left_out"]["several_self_projects"] == 1
    assert doc["notes"]["several_self_appraisals"][0]["kept"] is None
    text_out = invoke(tmp_path, "--rubric", MINI, "-j", "1")
    assert "1 project with more than one self-appraisal and no review" in " ".join(
        text_out.stdout.split()
    )


def test_only_versions_is_an_error_that_says_so(tmp_path: Path) -> None:
    first, second = _two_versions_of_p1(tmp_path)
    only = tmp_path / "only"
    only.mkdir()
    shutil.move(str(first), only / "p1.yaml")
    shutil.move(str(second), only / "p1.v2.yaml")
    result = invoke(only, "--rubric", MINI, "-j", "1")
    assert result.exit_code == 2
    assert "1 project left out for more than one self-appraisal" in result.stderr
    assert "each its own project" not in result.stderr


def test_files_answering_another_rubric_are_errors(tmp_path: Path) -> None:
    shutil.copytree(COHORT / "pairs", tmp_path / "pairs")
    shutil.copy(EXAMPLES / "poverty-screening.yaml", tmp_path / "other.yaml")
    result = invoke(tmp_path, "-f", "json", "-j", "1", QIAPPRAISE_RUBRICS=str(FIXTURES))
    assert result.exit_code == 2
    assert "other.yaml: answers critical-engagement" in result.stderr
    assert "most files answer mini 1.2.0" in result.stderr
    assert json.loads(result.stdout)["n_projects"] == 6


def test_notes_name_reviews_of_files_not_given_and_joined_ids(tmp_path: Path) -> None:
    shutil.copytree(COHORT / "chain", tmp_path / "chain")
    (tmp_path / "chain" / "self.yaml").unlink()
    result = invoke(tmp_path / "chain", "--rubric", MINI, "-f", "json", "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert "supervisor.yaml reviews a file not among those given" in result.stderr
    assert json.loads(result.stdout)["n_projects"] == 1  # the assessor reviews the supervisor


def test_workers_give_the_same_figures_as_one_process() -> None:
    # 31 files: more than batch's pool threshold, so two workers read them.
    one = invoke(COHORT, "--rubric", MINI, "-f", "json", "-j", "1")
    two = invoke(COHORT, "--rubric", MINI, "-f", "json", "-j", "2")
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout


# --- outputs -----------------------------------------------------------------------------------


def test_json_has_the_documented_keys() -> None:
    doc = measured(COHORT, "--rubric", MINI)
    assert doc["schema_version"] == 1
    assert {"n_projects", "band", "score", "questions", "agenda", "method"} <= doc.keys()
    assert {"kappa", "agreement", "n", "caution"} <= doc["band"].keys()
    assert {"icc", "ci95", "n", "caution"} <= doc["score"].keys()
    assert list(doc["questions"]) == [
        "driver", "target_name", "outcome", "story", "scope", "groups", "cycles"
    ]  # fmt: skip
    for q in doc["questions"].values():
        assert {"kappa", "n", "percent_agreement", "reason", "reflect", "rank"} <= q.keys()
    # Too few projects for any published minimum: each caution names its source.
    assert "Cicchetti (1981" in doc["band"]["caution"]
    assert "Koo & Li (2016" in doc["score"]["caution"]
    # Which files the figures joined, one entry per project compared.
    assert len(doc["projects"]) == doc["n_projects"]
    for project in doc["projects"]:
        assert len(project["raters"]) >= 2
        assert {r["role"] for r in project["raters"]} <= {"self", "supervisor", "peer", "assessor"}
        assert all(Path(r["file"]).is_file() for r in project["raters"])
    files = [r["file"] for p in doc["projects"] for r in p["raters"]]
    assert len(files) == len(set(files))  # no appraisal in two projects


def hostile_rubric(folder: Path) -> Path:
    """The mini rubric with formulas and markup in the text a report shows."""
    text = MINI.read_text(encoding="utf-8")
    text = text.replace(
        "prompt: What drives it?", "prompt: '=HYPERLINK(\"x\") <script>*x*</script> | a'"
    )
    text = text.replace("title: Purpose", "title: '+cmd|calc'")
    text = text.replace("reflect: Whose goal is it?", "reflect: '@SUM(1) [link](x.html) <b>'")
    path = folder / "hostile-rubric.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_has_a_row_per_question_and_neutralises_formulas(tmp_path: Path) -> None:
    rubric = hostile_rubric(tmp_path)
    out = tmp_path / "agreement.csv"
    result = invoke(COHORT / "pairs", "--rubric", rubric, "-o", out, "-j", "1")
    assert result.exit_code == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [r["question"] for r in rows] == [
        "driver", "target_name", "outcome", "story", "scope", "groups", "cycles"
    ]  # fmt: skip
    driver = rows[0]
    assert driver["prompt"].startswith("'=HYPERLINK")
    assert driver["section"] == "'+cmd|calc"
    assert driver["reflect"].startswith("'@SUM")
    doc = measured(COHORT / "pairs", "--rubric", rubric)
    assert float(driver["value"]) == pytest.approx(doc["questions"]["driver"]["kappa"], rel=1e-5)
    assert rows[3]["statistic"] == "" and "free text" in rows[3]["reason"]


def test_the_terminal_table_shows_figures_agenda_and_cautions() -> None:
    result = invoke(COHORT, "--rubric", MINI, "-j", "1")
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "Agreement between raters" in out
    assert "Fleiss' kappa over every rater" in out
    assert "Calibration agenda" in out and "Reflect: Whose goal is it?" in out
    assert "Cicchetti (1981" in out and "Koo & Li (2016" in out
    assert "not compared" in out
    assert "12 projects compared, 1 with one rater left out" in result.stderr


def test_help_says_how_raters_and_answers_are_treated() -> None:
    result = CliRunner().invoke(app, ["agreement", "--help"], terminal_width=100)
    text = " ".join(result.stdout.split())
    for phrase in (
        "project.id",
        "reviews.file",
        "role (self, supervisor, peer, assessor)",
        "quadratic-weighted for ordered answers",
        "Fleiss' kappa over every rater",
        "free text is not compared",
        "ICC(2,1)",
        "n/a",
    ):
        assert phrase in text, phrase


def test_format_follows_the_output_name_and_text_is_for_the_terminal(tmp_path: Path) -> None:
    out = tmp_path / "calibration.html"
    assert invoke(COHORT / "pairs", "--rubric", MINI, "-o", out, "-j", "1").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    for bad in (["-o", tmp_path / "x.txt"], ["-f", "text", "-o", tmp_path / "x.md"]):
        result = invoke(COHORT / "pairs", "--rubric", MINI, *bad)
        assert result.exit_code == 2 and "--format" in result.stderr


def test_output_never_replaces_an_input(tmp_path: Path) -> None:
    shutil.copytree(COHORT / "pairs", tmp_path / "pairs")
    target = tmp_path / "pairs" / "p1.yaml"
    before = target.read_bytes()
    result = invoke(tmp_path / "pairs", "--rubric", MINI, "-f", "json", "-o", target)
    assert result.exit_code == 2 and "refusing to overwrite an input" in result.stderr
    assert target.read_bytes() == before
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "calibration.md.j2").write_text("{{ g.projects }}\n")
    result = invoke(
        tmp_path / "pairs", "--rubric", MINI, "--template-dir", templates,
        "-f", "md", "-o", templates / "calibration.md.j2",
    )  # fmt: skip
    assert result.exit_code == 2 and "template folder" in result.stderr
    ok = invoke(
        tmp_path / "pairs", "--rubric", MINI, "--template-dir", templates,
        "-f", "md", "-o", tmp_path / "out.md", "-j", "1",
    )  # fmt: skip
    assert ok.exit_code == 0 and (tmp_path / "out.md").read_text() == "6\n"


def test_markdown_escapes_what_the_rubric_says(tmp_path: Path) -> None:
    rubric = hostile_rubric(tmp_path)
    result = invoke(COHORT / "pairs", "--rubric", rubric, "-f", "md", "-j", "1")
    assert result.exit_code == 0, result.stderr
    tokens = MarkdownIt("commonmark").enable("table").parse(result.stdout)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or ()}
    assert "html_inline" not in kinds and "html_block" not in kinds and "link_open" not in kinds
    html = invoke(COHORT / "pairs", "--rubric", rubric, "-f", "html", "-j", "1").stdout
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- rendered reports through the real validators (slow: Java and a browser) -------------------


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    out = tmp_path_factory.mktemp("calibration")
    rubric = hostile_rubric(out)
    files: dict[str, list[Path]] = {"md": [], "html": []}
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    for name, folder, extra in (
        ("cohort", COHORT, ["--rubric", MINI]),
        ("pairs", COHORT / "pairs", ["--rubric", MINI]),
        ("hostile", COHORT / "triples", ["--rubric", rubric]),
    ):
        for fmt in ("md", "html"):
            path = out / f"calibration-{name}.{fmt}"
            result = invoke(folder, *extra, "-o", path, "-j", "1")
            assert result.exit_code == 0, result.stderr
            files[fmt].append(path)
    # One with every file failing but the pairs, so the failures section renders.
    shutil.copytree(COHORT / "pairs", out / "failing")
    (out / "failing" / "broken.yaml").write_text("rubric: mini\nanswers: [1]\n")
    for fmt in ("md", "html"):
        path = out / f"calibration-failures.{fmt}"
        assert invoke(out / "failing", "--rubric", MINI, "-o", path, "-j", "1").exit_code == 2
        files[fmt].append(path)
    return files


@pytest.mark.slow
def test_calibration_html_passes_the_nu_checker(reports: dict[str, list[Path]]) -> None:
    assert vnu_errors(reports["html"]) == ""


@pytest.mark.slow
def test_calibration_html_has_no_axe_violations(reports: dict[str, list[Path]]) -> None:
    found = axe_violations(reports["html"])
    assert found == {}, dump(found)


@pytest.mark.slow
def test_calibration_markdown_passes_markdownlint(reports: dict[str, list[Path]]) -> None:
    assert markdownlint_errors(reports["md"]) == ""
    for path in reports["md"]:
        text = path.read_text(encoding="utf-8")
        assert "## Calibration agenda" in text
        kinds = [t.type for t in MarkdownIt("commonmark").enable("table").parse(text)]
        assert "table_open" in kinds and "html_block" not in kinds
