"""Hostile file names and rubric text stay text: on terminals, in CI logs and summaries.

A file name is the one piece of user text no loader checks: it can hold an
escape sequence, a line break, a backtick or a workflow command. Each output
shows it, and none obeys it.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from qiappraise.base.errors import InputError
from qiappraise.base.textcheck import inert_log_line, visible
from qiappraise.gate.check import run as run_check
from qiappraise.gate.config import Resolver
from qiappraise.gate.formats import FORMATS
from qiappraise.gate.formats.github import code_span, step_summary
from qiappraise.gate.verdict import CheckReport

from .checkhelpers import PITCH, REFORM, run
from .conftest import MINI_RUBRIC

#: Clears the screen and retitles the terminal window. click strips the first
#: kind (CSI) from what it echoes to a pipe, but not the second (OSC).
ESCAPES = "\x1b[2J\x1b]0;pwned\x07"
SHOWN = "\\x1b[2J\\x1b]0;pwned\\x07"


def _copy(source: Path, folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copy(source, target)
    return target


def _check(paths: list[Path]) -> CheckReport:
    return run_check(paths, Resolver(isolated=True))


# -- the rules -------------------------------------------------------------------


def test_visible_spells_out_control_and_bidi_characters() -> None:
    assert visible("plain ünïcode – text") == "plain ünïcode – text"
    assert visible(f"a{ESCAPES}b") == f"a{SHOWN}b"
    assert visible("evil\u202etxt.yaml") == "evil\\u202etxt.yaml"
    assert visible("one\ntwo\tthree\r") == "one\\ntwo\\tthree\\r"
    assert visible("one\ntwo\tthree\x1b", multiline=True) == "one\ntwo\tthree\\x1b"
    assert visible("c1\x85 del\x7f sep\u2028") == "c1\\x85 del\\x7f sep\\u2028"


def test_inert_log_line_cannot_be_read_as_a_workflow_command() -> None:
    assert inert_log_line("::error::x") == "\\::error::x"
    assert inert_log_line("  ::warning file=a::b") == "  \\::warning file=a::b"
    assert inert_log_line("a##[error]b ##[group]") == "a##\\[error]b ##\\[group]"
    assert inert_log_line("x\n::error::y") == "x\\n::error::y"
    assert inert_log_line("error: a: b") == "error: a: b"


# -- GitHub: workflow commands and the step summary -------------------------------


def _unescape(text: str) -> str:
    for token, code in (("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C"), ("%", "%25")):
        text = text.replace(code, token)
    return text


def _runner_commands(output: str) -> list[tuple[str, dict[str, str], str]]:
    """What GitHub's runner reads from ``output``, following its parser.

    A line whose start (after blanks) is ``::`` is a command; properties sit
    between the first space and the next ``::``, comma-separated. The older
    form ``##[command]`` counts anywhere in a line.
    """
    found = []
    for line in re.split(r"\r\n|\r|\n", output):  # .NET's ReadLine ends a line at any of them
        stripped = line.lstrip()
        if stripped.startswith("::"):
            head, _, data = stripped[2:].partition("::")
            name, _, props = head.partition(" ")
            pairs = (p.split("=", 1) for p in props.split(",") if "=" in p)
            found.append((name, {k: _unescape(v) for k, v in pairs}, _unescape(data)))
        elif "##[" in line:
            found.append(("legacy", {}, line))
    return found


@pytest.mark.parametrize(
    "name",
    [
        "a\n::error file=README.md,line=1::INJECTED.yaml",
        "::warning::fake.yaml",
        "  ::error::indented.yaml",
        "x##[error]legacy.yaml",
        "cr\r::error::after-cr.yaml",
    ],
)
def test_github_file_names_cannot_inject_workflow_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    _copy(PITCH, tmp_path, name)
    report = _check([Path(name)])
    output = FORMATS["github"](report, False)
    commands = _runner_commands(output)
    assert commands, output  # the real annotations are there
    for command, props, _ in commands:
        # Every command the runner reads is one of ours, about the real file.
        assert command in ("error", "warning", "notice"), (command, output)
        assert props.get("file") == name, (props, output)
    verdict = next(line for line in output.split("\n") if "found wanting" in line)
    assert verdict == inert_log_line(f"{name}: found wanting")


def test_github_annotation_messages_show_escape_sequences(tmp_path: Path) -> None:
    report = _check([_copy(PITCH, tmp_path, f"p{ESCAPES}.yaml")])
    output = FORMATS["github"](report, False)
    # The file property stays exact (escaped, not altered), or the annotation
    # would miss its file; the runner reads it and does not print it.
    shown = re.sub(r"file=[^,]*,", "file=,", output)
    _no_raw_escapes(shown)
    assert "title=qiappraise policy%3A" in shown and SHOWN in shown


HOSTILE_SUMMARY_NAMES = [
    "a`<img src=x onerror=alert(1)>`.yaml",
    "b``<b>bold<\\b>`` [link](javascript:alert(1)).yaml",
    "c\n| x | y | z |.yaml",
    "d \\| pipe | <i>.yaml",
    "`e`.yaml",
]


def test_step_summary_file_names_cannot_break_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in HOSTILE_SUMMARY_NAMES:
        _copy(REFORM, tmp_path, name)
    report = _check([Path(n) for n in HOSTILE_SUMMARY_NAMES])
    text = step_summary(report)
    rows = [line for line in text.split("\n") if line.startswith("|")]
    assert len(rows) == 2 + len(HOSTILE_SUMMARY_NAMES), text  # no row broken in two
    # GitHub renders the summary as GFM, with some raw HTML allowed.
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert not re.search(r"<(img|b|i|a)\b", html), html
    assert html.count("<tr>") == 1 + len(HOSTILE_SUMMARY_NAMES)
    codes = re.findall(r"<code>(.*?)</code>", html)
    unescaped = [c.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") for c in codes]
    assert unescaped == [visible(n) for n in HOSTILE_SUMMARY_NAMES]


@pytest.mark.parametrize("text", ["plain.yaml", "`", "``a```b`", " lead", "trail ", "a|b\\|c"])
def test_code_span_shows_the_text_exactly(text: str) -> None:
    html = MarkdownIt("commonmark").enable("table").render(f"| h |\n|---|\n| {code_span(text)} |\n")
    code = re.findall(r"<code>(.*?)</code>", html)[0]
    assert code.replace("&amp;", "&") == text


# -- GitLab, JUnit, SARIF: the same names, the same rule --------------------------


@pytest.fixture
def hostile_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CheckReport:
    monkeypatch.chdir(tmp_path)
    names = [f"esc{ESCAPES}.yaml", "nl\n::error::x.yaml", "amp&<lt>\"q'.yaml", "bad\udcff.yaml"]
    for name in names:
        _copy(PITCH, tmp_path, name)
    return _check([Path(n) for n in names])


def test_gitlab_paths_are_exact_json_strings(hostile_report: CheckReport) -> None:
    issues = json.loads(FORMATS["gitlab"](hostile_report, False))
    paths = {i["location"]["path"] for i in issues}
    assert f"esc{ESCAPES}.yaml" in paths and "nl\n::error::x.yaml" in paths


def test_junit_is_well_formed_xml_whatever_the_file_names(hostile_report: CheckReport) -> None:
    xml = FORMATS["junit"](hostile_report, False)
    root = ET.fromstring(xml.split("\n", 1)[1].encode("utf-8", "surrogateescape"))
    names = [s.get("name") for s in root]
    assert "amp&<lt>\"q'.yaml" in names
    assert "esc\ufffd[2J\ufffd]0;pwned\ufffd.yaml" in names  # not allowed in XML 1.0


def test_sarif_takes_file_names_that_are_not_utf8(hostile_report: CheckReport) -> None:
    doc = json.loads(FORMATS["sarif"](hostile_report, False))
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]
        for loc in r["locations"]
    }
    assert "bad%FF.yaml" in uris and "nl%0A%3A%3Aerror%3A%3Ax.yaml" in uris


def test_sarif_rule_help_markdown_escapes_rubric_text(tmp_path: Path) -> None:
    text = MINI_RUBRIC.read_text(encoding="utf-8")
    hostile = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold**"
    text = text.replace("rationale: Targets are not outcomes (Box 1).", f"rationale: '{hostile}'")
    rubric = tmp_path / "mini.yaml"
    rubric.write_text(text, encoding="utf-8")
    proposal = _copy(PITCH, tmp_path, "p.yaml")
    proposal.write_text(
        "rubric: {id: mini}\nproject: {title: x}\nanswers: {driver: target}\n", encoding="utf-8"
    )
    report = run_check([proposal], Resolver(isolated=True), rubric_path=rubric)
    doc = json.loads(FORMATS["sarif"](report, False))
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    (rule,) = [r for r in rules if hostile in r["help"]["text"]]
    html = MarkdownIt("commonmark", {"html": True}).render(rule["help"]["markdown"])
    assert "<img" not in html and "<a " not in html
    assert hostile.replace("<", "&lt;").replace(">", "&gt;") in html


# -- terminals: score, check, batch, rubric and error lines -----------------------


def _no_raw_escapes(*texts: str) -> None:
    for text in texts:
        assert "\x1b" not in text and "\x07" not in text, text


def test_score_shows_an_escape_sequence_in_a_file_name(tmp_path: Path) -> None:
    path = _copy(REFORM, tmp_path, f"r{ESCAPES}.yaml")
    result = run("score", path)
    assert result.exit_code == 0, result.stderr
    _no_raw_escapes(result.stdout, result.stderr)
    assert SHOWN in result.stdout


def test_check_text_shows_an_escape_sequence_in_a_file_name(tmp_path: Path) -> None:
    path = _copy(PITCH, tmp_path, f"p{ESCAPES}.yaml")
    result = run("check", path, "-f", "text")
    assert result.exit_code == 1, result.stderr
    _no_raw_escapes(result.stdout, result.stderr)
    assert f"p{SHOWN}.yaml: found wanting" in result.stdout


def test_check_text_shows_a_line_break_in_a_file_name(tmp_path: Path) -> None:
    path = _copy(PITCH, tmp_path, "p\nevil.yaml: passed\nx.yaml")
    result = run("check", path, "-f", "text")
    assert "evil.yaml: passed" not in result.stdout.splitlines()
    assert "p\\nevil.yaml: passed\\nx.yaml: found wanting" in result.stdout


def test_batch_table_shows_an_escape_sequence_in_a_file_name(tmp_path: Path) -> None:
    path = _copy(REFORM, tmp_path, f"r{ESCAPES}.yaml")
    result = run("batch", path)
    assert result.exit_code == 0, result.stderr
    _no_raw_escapes(result.stdout, result.stderr)
    assert SHOWN in result.stdout


def test_error_lines_show_an_escape_sequence_in_a_file_name(tmp_path: Path) -> None:
    missing = tmp_path / f"gone{ESCAPES}\nerror: fake.yaml"
    result = run("score", missing)
    assert result.exit_code == 2
    _no_raw_escapes(result.stdout, result.stderr)
    (line,) = result.stderr.splitlines()  # one line, however the name is made
    assert line.startswith("error: ") and f"gone{SHOWN}\\nerror: fake.yaml" in line


def test_input_error_text_is_visible() -> None:
    exc = InputError(f"bad {ESCAPES}", file=f"f{ESCAPES}.yaml", line=3)
    assert str(exc) == f"f{SHOWN}.yaml:3: bad {SHOWN}"


def test_rubric_show_shows_an_escape_sequence_in_its_path(tmp_path: Path) -> None:
    path = tmp_path / f"m{ESCAPES}.yaml"
    shutil.copy(MINI_RUBRIC, path)
    result = run("rubric", "show", path)
    assert result.exit_code == 0, result.stderr
    _no_raw_escapes(result.stdout, result.stderr)
    assert SHOWN in result.stdout


# -- rubric text: refused, like proposal text -------------------------------------


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        ("title: Mini rubric for tests", 'title: "Mini \\e[2J rubric"', "U+001B (ESCAPE)"),
        ("suggestion: Name a health outcome.", 'suggestion: "Name \\u202E it"', "U+202E"),
        ("    title: Purpose\n", '    title: "Pur\\apose"\n', "U+0007 (BELL)"),
    ],
)
def test_rubric_text_with_control_characters_is_refused(
    tmp_path: Path, old: str, new: str, what: str
) -> None:
    source = MINI_RUBRIC.read_text(encoding="utf-8")
    assert source.count(old) == 1
    text = source.replace(old, new)
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    line = _line_of(text, new.strip().split(":")[0] + ": " + new.strip().split(": ", 1)[1][:4])
    for args in (("rubric", "validate", path), ("rubric", "show", path)):
        result = run(*args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        out = result.stdout + result.stderr
        _no_raw_escapes(out)
        assert f"{path}:{line}: " in out and what in out, out


def test_rubric_list_skips_a_rubric_with_control_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = MINI_RUBRIC.read_text(encoding="utf-8").replace(
        "title: Mini rubric for tests", f'title: "Mini {ESCAPES.encode("unicode_escape").decode()}"'
    )
    (tmp_path / "mini.yaml").write_text(text, encoding="utf-8")
    result = run("rubric", "list", env={"QIAPPRAISE_RUBRICS": str(tmp_path)})
    _no_raw_escapes(result.stdout, result.stderr)
    assert "mini\t" not in result.stdout
    assert "not a valid rubric, skipped" in result.stderr and "U+001B" in result.stderr


def test_terminal_text_is_shown_as_written_not_as_rich_markup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Output lines are f-strings with file names and rubric text in them; a
    # name must not become a hyperlink, a style or an emoji.
    import io

    from qiappraise.cli.util import console

    monkeypatch.setenv("FORCE_COLOR", "1")  # a terminal, where markup would show
    out = console()
    out.file = io.StringIO()
    name = "[link=https://example.org]notes[/link] [bold]x[/bold] :warning:.yaml"
    out.print(f"Continuing {name}: 3 answers so far.")
    shown = out.file.getvalue()
    assert name in shown
    assert "\x1b]8;" not in shown and "\u26a0" not in shown
