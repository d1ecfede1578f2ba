"""`init` writes a skeleton that loads; `schema` is valid JSON Schema that fits real proposals."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from qiappraise.base.yamlio import load_file
from qiappraise.load.rubric import load_rubric
from qiappraise.proposal import model as proposal_mod
from qiappraise.proposal.schema import proposal_schema
from qiappraise.proposal.skeleton import describe
from qiappraise.rubric.read import DEFAULT_RUBRIC, find_rubric
from qiappraise.scoring.score import score

from .checkhelpers import EXAMPLES, ROOT, run, tool
from .conftest import MINI_RUBRIC


def _default() -> Any:
    return load_rubric(find_rubric(DEFAULT_RUBRIC)).rubric


def test_init_writes_a_valid_incomplete_proposal_and_its_schema(tmp_path: Path) -> None:
    target = tmp_path / "my-proposal.yaml"
    result = run("init", target, "--title", "Asthma plans: a first try")
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[0] == (
        "# yaml-language-server: $schema=critical-engagement.schema.json"
    )
    rubric = _default()
    loaded = proposal_mod.validate(proposal_mod.read(target), rubric)
    assert loaded.project.title == "Asthma plans: a first try"
    assert loaded.answers == {}
    appraisal = score(rubric, loaded)
    assert not appraisal.complete
    schema = json.loads((tmp_path / "critical-engagement.schema.json").read_text(encoding="utf-8"))
    assert schema == proposal_schema(rubric)
    for qid, q in rubric.questions.items():
        assert re.search(rf"^  # {qid}:", text, re.MULTILINE), qid
        assert " ".join(q.prompt.split())[:30] in " ".join(text.replace("#", "").split())
    # allowed values with their labels, and conditions in words
    assert "institutional-target = " in text
    assert "Asked only when " in text
    checked = run("check", "--isolated", target)
    assert checked.exit_code == 1 and "required questions unanswered" in checked.stdout


def test_init_uncommenting_an_answer_is_enough(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    run("init", target)
    text = target.read_text(encoding="utf-8").replace(
        "  # purpose_driver:", "  purpose_driver: health-need"
    )
    target.write_text(text, encoding="utf-8")
    loaded = proposal_mod.validate(proposal_mod.read(target), _default())
    assert loaded.answers == {"purpose_driver": "health-need"}


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    target.write_text("mine\n", encoding="utf-8")
    refused = run("init", target)
    assert refused.exit_code == 2
    assert "already exists; use --force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert run("init", target, "--force").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# yaml-language-server")


def test_init_schema_url_and_stdout(tmp_path: Path) -> None:
    url = "https://example.org/ce.schema.json"
    target = tmp_path / "p.yaml"
    assert run("init", target, "--schema-url", url).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith(f"# yaml-language-server: $schema={url}\n")
    assert [p.name for p in tmp_path.iterdir()] == ["p.yaml"]
    printed = run("init", "--rubric", MINI_RUBRIC)
    assert printed.exit_code == 0
    assert "# driver:" in printed.stdout and "mini.schema.json" in printed.stderr


def test_conditions_in_words() -> None:
    mini = load_rubric(MINI_RUBRIC).rubric
    assert describe(mini.questions["target_name"].when) == "driver is target"  # type: ignore[arg-type]
    assert describe(mini.findings[1].when) == "dimension equitable is not addressed"


def _json_file(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def schema_file(tmp_path: Path) -> Path:
    result = run("schema")
    assert result.exit_code == 0
    return _json_file(tmp_path, "schema.json", json.loads(result.stdout))


def test_schema_passes_the_metaschema(schema_file: Path) -> None:
    checked = tool("check-jsonschema", "--check-metaschema", schema_file)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_accepts_the_examples(schema_file: Path, tmp_path: Path) -> None:
    files = [
        _json_file(tmp_path, p.stem + ".json", load_file(p).data)
        for p in sorted(EXAMPLES.glob("*.yaml"))
    ]
    assert len(files) == 4
    checked = tool("check-jsonschema", "--schemafile", schema_file, *files)
    assert checked.returncode == 0, checked.stdout + checked.stderr


BROKEN = {
    "unknown question": {"answers": {"purpose_drivr": "health-need"}},
    "value not allowed": {"answers": {"purpose_driver": "boredom"}},
    "multi not a list of values": {"answers": {"aim_elements": ["how-much", "how-much"]}},
    "yes/no given a number": {"answers": {"outcome_named": 3}},
    "unknown top-level key": {"extra": 1},
    "unknown project key": {"project": {"title": "x", "budget": 3}},
    "empty title": {"project": {"title": "  "}},
    "other rubric": {"rubric": {"id": "mini", "version": "1.0.0"}},
    "incompatible version": {"rubric": {"id": "critical-engagement", "version": "1.0.0"}},
    "waiver without reason": {"waivers": [{"finding": "CE004"}]},
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_schema_rejects_broken_proposals(schema_file: Path, tmp_path: Path, case: str) -> None:
    data: dict[str, Any] = {
        "rubric": {"id": "critical-engagement", "version": "2.0.0"},
        "project": {"title": "A project"},
        "answers": {"purpose_driver": "health-need", "aim_elements": ["how-much"]},
    }
    data.update(BROKEN[case])
    path = _json_file(tmp_path, "broken.json", data)
    checked = tool("check-jsonschema", "--schemafile", schema_file, path)
    assert checked.returncode == 1, case
    # ... and the loader agrees that each of these is invalid.
    text = json.dumps(data)
    with pytest.raises(Exception):  # noqa: B017 - InputError or ProblemsError
        loaded = proposal_mod.read_text(text, "broken.json")
        proposal_mod.validate(loaded, _default())


def test_schema_does_not_require_answers(schema_file: Path, tmp_path: Path) -> None:
    minimal = {"rubric": "critical-engagement@2.0.0", "project": {"title": "Just started"}}
    path = _json_file(tmp_path, "minimal.json", minimal)
    checked = tool("check-jsonschema", "--schemafile", schema_file, path)
    assert checked.returncode == 0, checked.stdout
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert "required" not in schema["properties"]["answers"]["anyOf"][0]


def test_schema_for_another_rubric_file() -> None:
    result = run("schema", "--rubric", MINI_RUBRIC)
    schema = json.loads(result.stdout)
    answers = schema["properties"]["answers"]["anyOf"][0]["properties"]
    assert answers["cycles"]["anyOf"][0] == {"type": "integer", "minimum": 0, "maximum": 50}
    assert answers["driver"]["anyOf"][0]["enum"] == ["target", "need", "unsure"]
    groups = answers["groups"]["anyOf"][0]["anyOf"][0]
    assert groups["type"] == "array" and groups["uniqueItems"] is True


def test_the_docs_document_every_finding() -> None:
    """The findings reference (SARIF links point at it) covers the rubric."""
    from qiappraise import load_rubric as load_public

    text = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    for finding in load_public(ROOT / "rubrics" / "critical-engagement.yaml").rubric.findings:
        assert f"\n### {finding.id}\n" in text, finding.id
        assert finding.title in text, finding.id
    guide = (ROOT / "docs" / "proposal-format.md").read_text(encoding="utf-8")
    guide += (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    for command in ("check", "init", "schema"):
        assert f"`qiappraise {command}" in guide


def test_init_makes_missing_folders(tmp_path: Path) -> None:
    target = tmp_path / "proposals" / "2026" / "asthma.yaml"
    result = run("init", target)
    assert result.exit_code == 0, result.stderr
    assert target.exists() and (target.parent / "critical-engagement.schema.json").exists()
