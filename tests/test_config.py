"""Finding the policy: config files walking up, precedence, unknown keys with their line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qiappraise.base.errors import InputError
from qiappraise.gate.config import Resolver, find_config, read_config, toml_line
from qiappraise.gate.policy import DimensionRequirement

from .checkhelpers import PITCH, REFORM, STEPPING_STONE, run

PYPROJECT = """\
[project]
name = "programme"

[tool.qiappraise]
fail-under = 40
fail-on = ["warning"]

[tool.qiappraise.min-section]
purpose = 20
"""


def _tree(tmp_path: Path) -> Path:
    """tmp/pyproject.toml (fail-under 40), tmp/cohort/.qiappraise.yaml (fail-under 60)."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    cohort = tmp_path / "cohort" / "2025"
    cohort.mkdir(parents=True)
    (tmp_path / "cohort" / ".qiappraise.yaml").write_text(
        "# our programme\nfail-under: 60\nrequire-dimensions: [equitable]\n", encoding="utf-8"
    )
    shutil.copy(STEPPING_STONE, cohort / "poverty.yaml")
    shutil.copy(STEPPING_STONE, tmp_path / "top.yaml")
    return cohort


def test_nearest_config_file_wins(tmp_path: Path) -> None:
    cohort = _tree(tmp_path)
    assert find_config(cohort) == tmp_path / "cohort" / ".qiappraise.yaml"
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    resolver = Resolver()
    nested = resolver.resolve(cohort / "poverty.yaml")
    assert nested.policy.fail_under == 60
    assert nested.policy.require_dimensions == (DimensionRequirement("equitable"),)
    assert nested.policy.fail_on == ("error",)  # files are not merged: nearest only
    assert nested.origins["fail-under"].endswith(".qiappraise.yaml:2")
    assert nested.origins["fail-on"] == "default"
    top = resolver.resolve(tmp_path / "top.yaml")
    assert (top.policy.fail_under, top.policy.fail_on) == (40, ("warning",))
    assert dict(top.policy.min_section) == {"purpose": 20}
    assert top.origins["fail-on"].endswith("pyproject.toml:6")
    assert top.origins["min-section"].endswith("pyproject.toml:8")


def test_pyproject_without_our_table_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert find_config(inner) == tmp_path / "pyproject.toml"


def test_command_line_beats_config_beats_defaults(tmp_path: Path) -> None:
    cohort = _tree(tmp_path)
    resolved = Resolver({"fail-under": 70.0}).resolve(cohort / "poverty.yaml")
    assert resolved.policy.fail_under == 70
    assert resolved.origins["fail-under"] == "command line (--fail-under)"
    assert resolved.origins["require-dimensions"].endswith(".qiappraise.yaml:3")
    assert resolved.origins["min-band"] == "default"


def test_precedence_decides_the_exit_code(tmp_path: Path) -> None:
    cohort = _tree(tmp_path)
    poverty = cohort / "poverty.yaml"  # score 65.3, equitable primary, two warnings
    assert run("check", poverty).exit_code == 0
    assert run("check", poverty, "--fail-under", "80").exit_code == 1
    assert run("check", tmp_path / "top.yaml").exit_code == 1  # fail-on warning from pyproject
    assert run("check", tmp_path / "top.yaml", "--fail-on", "none").exit_code == 0
    assert run("check", tmp_path / "top.yaml", "--isolated").exit_code == 0
    explicit = tmp_path / "strict.yaml"
    explicit.write_text("fail-under: 90\n", encoding="utf-8")
    assert run("check", poverty, "--config", explicit).exit_code == 1


def test_show_config_prints_values_and_origins(tmp_path: Path) -> None:
    cohort = _tree(tmp_path)
    result = run("check", "--show-config", "--min-band", "stepping-stone", cohort / "poverty.yaml")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"# effective policy for {cohort / 'poverty.yaml'}")
    rows = {line.split(" = ")[0]: line for line in lines[1:]}
    assert rows["fail-under"].split("#")[1].strip().endswith(".qiappraise.yaml:2")
    assert "= 60" in rows["fail-under"]
    assert rows["min-band"].endswith("# command line (--min-band)")
    assert rows["fail-on"].startswith('fail-on = ["error"]') and rows["fail-on"].endswith(
        "# default"
    )
    assert rows["require-dimensions"].startswith('require-dimensions = ["equitable"]')
    assert rows["require-evidence"].startswith("require-evidence = false")
    assert rows["require-evidence"].endswith("# default")
    strict = run("check", "--show-config", "--require-evidence", cohort / "poverty.yaml")
    shown = [line.split() for line in strict.stdout.splitlines()]
    assert [
        "require-evidence",
        "=",
        "true",
        "#",
        "command",
        "line",
        "(--require-evidence)",
    ] in shown


def test_unknown_key_in_yaml_names_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / ".qiappraise.yaml"
    config.write_text("fail-under: 60\nfail_on: [warning]\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_config(config)
    assert info.value.line == 2
    assert "unknown key 'fail_on' (did you mean 'fail-on'?)" in info.value.message
    shutil.copy(REFORM, tmp_path / "p.yaml")
    result = run("check", tmp_path / "p.yaml")
    assert result.exit_code == 2
    assert (
        result.stderr.startswith("error: ") and ".qiappraise.yaml:2: unknown key" in result.stderr
    )


def test_unknown_key_in_toml_names_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(PYPROJECT + "\n[tool.qiappraise.extra]\nx = 1\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_config(config)
    assert info.value.line == 11  # the [tool.qiappraise.extra] header
    assert str(info.value.file).endswith("pyproject.toml")
    config.write_text(PYPROJECT.replace("fail-on", "fial-on"), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_config(config)
    assert info.value.line == 6 and "did you mean 'fail-on'" in info.value.message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("fail-under: 120\n", 1, "fail-under: 120 is out of range"),
        ("fail-on: [fatal]\n", 1, "'fatal' is not a severity"),
        ("min-section:\n  purpose: high\n", 2, "section 'purpose'"),
        ("allow-incomplete: maybe\n", 1, "expected true or false (or yes or no)"),
        ("fail-under: 40\nrequire-evidence: sometimes\n", 2, "require-evidence: expected true"),
        ("fail-on: [none, warning]\n", 1, "'none' cannot be combined with severities (warning)"),
        ("require-dimensions: ['equitable:main']\n", 1, "optionally with ':primary'"),
        ("- fail-under\n", 1, "expected a mapping"),
    ],
)
def test_bad_values_are_located(tmp_path: Path, text: str, line: int, message: str) -> None:
    config = tmp_path / ".qiappraise.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_config(config)
    assert info.value.line == line
    assert message in info.value.message


def test_names_the_rubric_lacks_are_errors(tmp_path: Path) -> None:
    (tmp_path / ".qiappraise.yaml").write_text("min-band: revolution\n", encoding="utf-8")
    shutil.copy(REFORM, tmp_path / "p.yaml")
    result = run("check", tmp_path / "p.yaml")
    assert result.exit_code == 2
    assert ".qiappraise.yaml:1: min-band: 'revolution' is not a band" in result.stderr


def test_a_wrong_section_id_is_shown_on_its_own_line_with_a_suggestion(tmp_path: Path) -> None:
    (tmp_path / ".qiappraise.yaml").write_text(
        "fail-under: 40\nmin-section:\n  purpose: 20\n  measure: 30\n", encoding="utf-8"
    )
    shutil.copy(REFORM, tmp_path / "p.yaml")
    result = run("check", tmp_path / "p.yaml")
    assert result.exit_code == 2
    assert ".qiappraise.yaml:4: min-section: 'measure' is not a section" in result.stderr
    assert "did you mean 'measures'?" in result.stderr
    # In pyproject.toml too, and a command-line value replaces the file's lines.
    (tmp_path / ".qiappraise.yaml").unlink()
    (tmp_path / "pyproject.toml").write_text(
        "[tool.qiappraise.min-section]\npurpose = 20\nmeasure = 30\n", encoding="utf-8"
    )
    result = run("check", tmp_path / "p.yaml")
    assert "pyproject.toml:3: min-section: 'measure' is not a section" in result.stderr
    result = run("check", tmp_path / "p.yaml", "--min-section", "purpse=10")
    assert "command line (--min-section): min-section: 'purpse'" in result.stderr
    assert "did you mean 'purpose'?" in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("allow-incomplete: 'no'\n", False),
        ("allow-incomplete: 'Yes'\n", True),
        ("allow-incomplete: no\n", False),
        ("allow-incomplete: true\n", True),
    ],
)
def test_allow_incomplete_takes_yes_and_no_as_proposals_do(
    tmp_path: Path, text: str, expected: bool
) -> None:
    config = tmp_path / ".qiappraise.yaml"
    config.write_text(text, encoding="utf-8")
    assert read_config(config).values["allow-incomplete"] is expected


def test_secondary_is_the_default_level_and_may_be_written(tmp_path: Path) -> None:
    config = tmp_path / ".qiappraise.yaml"
    config.write_text(
        "require-dimensions: [equitable, 'timely:secondary', 'safe:Primary']\n", encoding="utf-8"
    )
    assert read_config(config).values["require-dimensions"] == (
        DimensionRequirement("equitable", "secondary"),
        DimensionRequirement("timely", "secondary"),
        DimensionRequirement("safe", "primary"),
    )


def test_comment_only_config_sets_nothing(tmp_path: Path) -> None:
    config = tmp_path / ".qiappraise.yaml"
    config.write_text("# defaults are fine\n", encoding="utf-8")
    assert read_config(config).values == {}


def test_toml_line_finder() -> None:
    text = (
        '[tool.other]\nfail-under = 1\n[tool.qiappraise]\n"fail-under" = 2\nmin-section = {a = 1}\n'
    )
    assert toml_line(text, ("tool", "qiappraise"), ("fail-under",)) == 4
    assert toml_line(text, ("tool", "qiappraise"), ("min-section", "a")) == 5
    assert toml_line(text, ("tool", "qiappraise"), ("missing",)) == 3


def test_the_docs_show_config_sample_is_what_the_tool_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "ci.md").read_text(encoding="utf-8")
    config = docs.split("```yaml\n# .qiappraise.yaml\n", 1)[1].split("```", 1)[0]
    command = "$ qiappraise check proposals/ --show-config --fail-under 70\n"
    shown = docs.split(command, 1)[1].split("```", 1)[0]
    (tmp_path / ".qiappraise.yaml").write_text("# .qiappraise.yaml\n" + config, "utf-8")
    (tmp_path / "proposals").mkdir()
    shutil.copy(REFORM, tmp_path / "proposals" / "p.yaml")
    monkeypatch.chdir(tmp_path)
    result = run("check", "proposals/", "--show-config", "--fail-under", "70")
    assert result.exit_code == 0, result.output

    def words(text: str) -> list[list[str]]:
        return [line.split() for line in text.strip().splitlines()]

    assert words(result.stdout) == words(shown)


def test_require_evidence_from_a_config_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.qiappraise]\nfail-under = 0\nrequire-evidence = true\n", encoding="utf-8"
    )
    shutil.copy(PITCH, tmp_path / "pitch.yaml")
    shutil.copy(REFORM, tmp_path / "reform.yaml")
    resolved = Resolver().resolve(tmp_path / "pitch.yaml")
    assert resolved.policy.require_evidence is True
    assert resolved.origins["require-evidence"].endswith("pyproject.toml:3")
    # The pitch's claims have no notes; the reform's do.
    failed = run("check", tmp_path / "pitch.yaml")
    assert failed.exit_code == 1
    assert "FAIL policy evidence: 10 claims without evidence" in failed.stdout
    assert run("check", tmp_path / "reform.yaml").exit_code == 0
    # The command line overrides the file.
    assert run("check", tmp_path / "pitch.yaml", "--no-require-evidence").exit_code == 0
    yaml_config = tmp_path / "strict.yaml"
    yaml_config.write_text("require-evidence: yes\n", encoding="utf-8")
    assert read_config(yaml_config).values == {"require-evidence": True}


# Issue 13, item 7a: a table TOML spells another way is the same table. Each
# was passed over (its header text did not match), so the gate passed.
SPELLINGS = {
    "header": ("[tool.qiappraise]\nfail-under = 100\n", 2),
    "inline table": ('[project]\nname = "x"\n\n[tool]\nqiappraise = {fail-under = 100}\n', 5),
    "dotted under tool": ("[tool]\nqiappraise.fail-under = 100\n", 2),
    "dotted at the top": ('tool.qiappraise.fail-under = 100\n\n[project]\nname = "x"\n', 1),
    "nested inline": ("tool = {qiappraise = {fail-under = 100}}\n", 1),
}


@pytest.mark.parametrize("text", [t for t, _ in SPELLINGS.values()], ids=list(SPELLINGS))
def test_every_toml_spelling_of_the_table_is_read(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    shutil.copy(STEPPING_STONE, tmp_path / "p.yaml")  # score 65.3: passes the default 50
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    result = run("check", tmp_path / "p.yaml")
    assert result.exit_code == 1, result.output
    assert "is below the minimum 100" in result.stdout


@pytest.mark.parametrize(("text", "line"), list(SPELLINGS.values()), ids=list(SPELLINGS))
def test_every_toml_spelling_has_its_line(text: str, line: int) -> None:
    assert toml_line(text, ("tool", "qiappraise"), ("fail-under",)) == line


def test_toml_line_for_dotted_and_inline_sub_keys() -> None:
    text = (
        "tool.qiappraise.min-section.purpose = 5\n"
        "[tool]\n"
        "qiappraise.min-section.measures = 6\n"
        "qiappraise.fail-on = ['warning']\n"
    )
    table = ("tool", "qiappraise")
    assert toml_line(text, table, ("min-section", "purpose")) == 1
    assert toml_line(text, table, ("min-section", "measures")) == 3
    assert toml_line(text, table, ("min-section", "other")) == 1  # the first line of the key
    assert toml_line(text, table, ("fail-on",)) == 4
    assert toml_line(text, table, ("nowhere",)) == 1  # the table's first line
    inline = "[tool]\nqiappraise = {min-section = {purpose = 5}}\n"
    assert toml_line(inline, table, ("min-section", "purpose")) == 2


def test_an_unknown_key_in_an_inline_table_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool]\nqiappraise = {fail-under = 60, bogus = 1}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_config(path)
    assert info.value.line == 2
    assert info.value.message.startswith("unknown key 'bogus'")


# Issue 13, item 10: config files that gave exit 70 (an internal error).


def test_a_pyproject_with_invalid_utf8_is_invalid_input(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.qiappraise]\nfail-under = 60 # \xff\n")
    shutil.copy(STEPPING_STONE, tmp_path / "p.yaml")
    result = run("check", tmp_path / "p.yaml")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        f"error: {tmp_path / 'pyproject.toml'}:2: not valid UTF-8 (byte 0xff); "
        "save the file as UTF-8"
    )


def test_a_pyproject_that_may_be_ours_but_does_not_parse_is_not_passed_over(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.qiappraise\nfail-under = 60\n")
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    (tmp_path / "pyproject.toml").write_text("[project\nname = 'not ours'\n")
    assert find_config(tmp_path) is None


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pyproject.toml", "[tool.qiappraise]\nfail-under = " + "[" * 5000 + "]" * 5000 + "\n"),
        ("pyproject.toml", "[tool.qiappraise]\nx = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n"),
        (".qiappraise.yaml", "fail-under: " + "[" * 5000 + "]" * 5000 + "\n"),
    ],
    ids=["toml arrays", "toml inline tables", "yaml"],
)
def test_a_config_nested_5000_deep_is_invalid_input(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    shutil.copy(STEPPING_STONE, tmp_path / "p.yaml")
    result = run("check", tmp_path / "p.yaml")
    assert result.exit_code == 2, result.output
    assert "nesting" in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr


def test_yaml_nested_5000_deep_without_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """PyYAML built without libyaml composes recursively: RecursionError, exit 70."""
    import yaml

    from qiappraise.base import yamlio

    class PureLoader(yaml.SafeLoader):
        pass

    monkeypatch.setattr(yamlio, "_Loader", PureLoader)
    for text in ("a: " + "[" * 5000 + "]" * 5000 + "\n", "a:\n  " + "- " * 5000 + "1\n"):
        with pytest.raises(InputError) as info:
            yamlio.load_text(text, "deep.yaml")
        assert info.value.message == "invalid YAML: nesting deeper than 64 levels; not loaded"


def test_every_problem_in_a_config_file_at_once(tmp_path: Path) -> None:
    (tmp_path / ".qiappraise.yaml").write_text(
        "fail-undr: 40\nmin-section: {purpose: 500}\nfail-on: [fatal]\nallow-incomplete: maybe\n",
        encoding="utf-8",
    )
    shutil.copyfile(
        Path(__file__).resolve().parent.parent / "examples" / "cypic.yaml", tmp_path / "p.yaml"
    )
    result = run("check", tmp_path / "p.yaml")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(":")[2] for line in lines] == ["1", "2", "3", "4"], lines
    assert all(line.startswith("error: ") and ".qiappraise.yaml:" in line for line in lines)


def test_every_name_the_rubric_lacks_at_once(tmp_path: Path) -> None:
    (tmp_path / ".qiappraise.yaml").write_text(
        "min-band: nowhere\nrequire-dimensions: [equitble]\nmin-section: {purpse: 50}\n",
        encoding="utf-8",
    )
    shutil.copyfile(
        Path(__file__).resolve().parent.parent / "examples" / "cypic.yaml", tmp_path / "p.yaml"
    )
    result = run("check", tmp_path / "p.yaml")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3
    assert [
        "min-band" in lines[0],
        "require-dimensions" in lines[1],
        "min-section" in lines[2],
    ] == [True] * 3


def test_check_with_no_paths_uses_the_configs_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = tmp_path / "cohort"
    sub.mkdir()
    shutil.copyfile(
        Path(__file__).resolve().parent.parent / "examples" / "cypic.yaml", sub / "p.yaml"
    )
    (tmp_path / ".qiappraise.yaml").write_text(
        "paths: [cohort]\nfail-under: 0\nallow-incomplete: true\nfail-on: none\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = run("check", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert "note: checking cohort (paths in .qiappraise.yaml)" in result.stderr
    assert [f["file"] for f in json.loads(result.stdout)["files"]] == ["cohort/p.yaml"]


def test_check_with_no_paths_falls_back_to_proposals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("check")
    assert result.exit_code == 2
    assert "give proposal files or folders to check" in result.stderr
    assert "paths in the config" in result.stderr
    (tmp_path / "proposals").mkdir()
    shutil.copyfile(
        Path(__file__).resolve().parent.parent / "examples" / "cypic.yaml",
        tmp_path / "proposals" / "p.yaml",
    )
    result = run(
        "check", "--isolated", "--fail-under", "0", "--allow-incomplete", "--fail-on", "none"
    )
    assert result.exit_code == 0, result.stderr
    assert "note: checking proposals/ (no paths given)" in result.stderr


@pytest.mark.parametrize("value", ["[]", "3", "[proposals, 4]"])
def test_a_bad_paths_value_is_an_error(tmp_path: Path, value: str) -> None:
    (tmp_path / ".qiappraise.yaml").write_text(f"paths: {value}\n", encoding="utf-8")
    with pytest.raises(InputError, match="paths: expected a list of files or folders"):
        read_config(tmp_path / ".qiappraise.yaml")
