"""The docs stay true: generated pages are current, links resolve, snippets run.

- `docs/cli.md` (every command's `--help`) and `docs/findings.md` (the bundled
  rubric's findings) are generated with cog; `cog --check` fails when either is
  stale.
- Every page passes markdownlint-cli2, and every relative link names a file
  that exists and, with `#anchor`, a heading in it (GitHub's anchor rules).
- Every fenced block in the README and `docs/` is either run here or listed in
  `NOT_RUN` with the reason it cannot be. A block is marked runnable by an HTML
  comment on the line before its fence (GitHub and GitLab do not show it):

  - `<!-- runnable -->` on a `sh` block: each line is a `qiappraise` command,
    run by bash in a scratch folder holding a copy of the examples, and must
    exit 0 (`exit=N` names another code).
  - `<!-- runnable -->` on a block whose commands start with `$ `: the output
    shown after each command must be what it prints (stdout, or stderr with
    `stream=stderr`), line for line.
  - `<!-- runnable: proposal -->` on a `yaml` block: a whole proposal that
    `qiappraise score` accepts; `proposal-fragment` adds its keys to
    `examples/poverty-screening.yaml` first.
  - `<!-- runnable: config=FILE -->` on a `yaml` or `toml` block: written to
    FILE in the scratch folder (later blocks on the page see it) and accepted
    by `qiappraise check --show-config --config FILE`.
  - `<!-- runnable: python -->` on a `python` block: run as a script in the
    scratch folder; it must exit 0.
  - `<!-- runnable: shape of: COMMAND -->` on a `json` block: every key shown
    is in what COMMAND prints (values are examples, "..." stands for more).

The snippets use the command line and the public API; the docs' own
`python` blocks (`<!-- runnable: python -->`) run as they are written.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .validators import markdownlint_errors

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
GENERATED = [DOCS / "cli.md", DOCS / "findings.md"]
MD = MarkdownIt("commonmark")

#: Blocks that are not run, by page and first line, with the reason.
NOT_RUN: dict[tuple[str, str], str] = {
    (
        "README.md",
        "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/qiappraise score "
        "examples/poverty-screening.yaml",
    ): "installs the package into a new virtual environment (tests/test_packaging.py "
    "builds and installs the wheel; the score it runs is run below)",
    (
        "README.md",
        "bash .ci/setup && .venv/bin/python -m pytest",
    ): "installs the test dependencies and runs this test suite; .ci/run runs it",
    ("README.md", "qiappraise appraise my-project.yaml"): "interactive: needs a terminal "
    "(tests/test_appraise_e2e.py drives appraise in a pseudo-terminal)",
    (
        "docs/trainee.md",
        "qiappraise appraise                      # a new appraisal with the "
        "default rubric; asks where to save",
    ): "interactive: needs a terminal "
    "(tests/test_appraise_e2e.py drives appraise in a pseudo-terminal)",
    ("docs/trainee.md", ".*.yaml.lock"): "a .gitignore line, not a command or YAML",
    ("docs/ci.md", "proposals/asthma.yaml: found wanting (score 27.5, band repair)"): (
        "illustrates the text format on proposals that are not in the repository; the "
        "format is held by tests/test_check.py and tests/test_check_formats.py"
    ),
    ("docs/ci.md", "# .pre-commit-config.yaml"): "configuration for pre-commit in a user's "
    "repository, fetched from GitHub by tag; test_the_pre_commit_hook_is_the_one_documented "
    "checks the hook id",
    ("docs/ci.md", "# .github/workflows/proposals.yml"): "a workflow that runs on GitHub; "
    "tests/test_action.py runs the action's steps; test_the_action_inputs_are_documented "
    "checks the inputs",
    ("docs/ci.md", "# .gitlab-ci.yml"): "a job that runs on GitLab and installs from GitHub; "
    "its three qiappraise commands are run by test_the_gitlab_job_commands_run",
    ("docs/architecture.md", "flowchart TD"): "a Mermaid diagram of the layers; "
    "tests/test_architecture.py checks the table beside it against the contract",
    ("docs/architecture.md", "proposal.yaml"): "the path of a proposal, a drawing; "
    "test_the_architecture_path_names_real_functions checks the names in it",
    ("docs/development.md", "rubrics/            rubric files (content is data)"): "a listing "
    "of the repository's folders, not a command",
    ("docs/development.md", ".venv/bin/python -m cogapp -r docs/cli.md docs/findings.md"): (
        "rewrites the generated pages in place; test_generated_pages_are_current runs the "
        "same cog with --check"
    ),
    ("docs/development.md", ".venv/bin/python -m qiappraise.rubric.freeze"): (
        "rewrites the snapshots in the package; tests/test_snapshot.py runs the same "
        "freeze.write_all into a temporary folder and compares"
    ),
    (
        "docs/performance.md",
        ".venv/bin/python benchmarks/bench_batch.py --sizes 1000,10000   "
        "# default: 1000,10000,50000",
    ): "a benchmark: minutes of work, prints figures",
    (
        "docs/performance.md",
        ".venv/bin/python benchmarks/bench_agreement.py          # 1,000 "
        "and 10,000 projects; --projects 200 --seed 7",
    ): "a benchmark: minutes of work",
    (
        "docs/performance.md",
        ".venv/bin/python benchmarks/bench_startup.py            # median of 21 runs each",
    ): "a benchmark: prints timings",
    (
        "docs/rubric-format.md",
        "id: critical-engagement          # lower-case slug; proposals name it",
    ): "an annotated excerpt of a rubric (one dimension, one section, texts left "
    "out), not a whole one; the bundled rubrics are validated by tests/test_rubric_lint.py",
    (
        "docs/supervisor.md",
        "rater: {name: Dr S. Example, role: supervisor}   # role: self, supervisor, peer, assessor",
    ): "a fragment with the hash and what was seen left out; "
    "the whole review is examples/reviews/poverty-screening.supervisor.yaml, run by "
    "the moderate block below it",
}

# --- finding the blocks ------------------------------------------------------


@dataclass
class Block:
    page: str
    line: int
    info: str
    content: str
    marker: str | None
    generated: bool

    @property
    def first(self) -> str:
        return self.content.split("\n", 1)[0]

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


MARKER = re.compile(r"^<!--\s*runnable(?::\s*(?P<options>.*?))?\s*-->\s*$")


def _cog_ranges(text: str) -> list[tuple[int, int]]:
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if "[[[cog" in line]
    ends = [i for i, line in enumerate(lines) if "[[[end]]]" in line]
    return list(zip(starts, ends, strict=True))


def blocks(text: str, page: str) -> list[Block]:
    tokens = MD.parse(text)
    ranges = _cog_ranges(text)
    found = []
    for i, token in enumerate(tokens):
        if token.type != "fence":
            continue
        assert token.map is not None
        marker = None
        before = tokens[i - 1] if i else None
        if before is not None and before.type == "html_block":
            match = MARKER.match(before.content.strip())
            if match:
                marker = match.group("options") or ""
        line = token.map[0]
        found.append(
            Block(
                page=page,
                line=line + 1,
                info=token.info.strip(),
                content=token.content,
                marker=marker,
                generated=any(a < line < b for a, b in ranges),
            )
        )
    return found


def page_blocks() -> Iterator[Block]:
    for path in PAGES:
        yield from blocks(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())


# --- running them ---------------------------------------------------------------


@dataclass
class Options:
    kind: str = "commands"
    exit: int = 0
    stream: str = "stdout"
    words: bool = False
    path: str = ""
    command: str = ""
    extra: list[str] = field(default_factory=list)


def parse_options(marker: str) -> Options:
    options = Options()
    if " of: " in f" {marker} ":
        marker, options.command = (part.strip() for part in f" {marker} ".split(" of: ", 1))
    for word in marker.split():
        key, _, value = word.partition("=")
        if key == "exit":
            options.exit = int(value)
        elif key == "stream":
            assert value in ("stdout", "stderr"), word
            options.stream = value
        elif key == "words":
            options.words = True
        elif key == "config":
            options.kind, options.path = "config", value
        elif key in ("proposal", "proposal-fragment", "shape", "python"):
            options.kind = key
        else:
            raise AssertionError(f"unknown runnable option {word!r}")
    return options


def _env(workspace: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("QIAPPRAISE_", "GITHUB_", "GITLAB_", "FORCE_COLOR", "CLICOLOR"))
        and key != "CI"
    }
    env.update(
        PATH=f"{workspace / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        NO_COLOR="1",
        TERM="dumb",
        COLUMNS="80",
        LINES="24",
        SOURCE_DATE_EPOCH="1700000000",
    )
    return env


#: A proposal with the two mistakes docs/proposal-format.md shows, at lines 14 and 20.
X_YAML = """\
rubric:
  id: critical-engagement
  version: 2.0.0
project:
  title: Screening for child poverty in the paediatric emergency department
  lead: Dr D. Example
  setting: Paediatric ED of a London district general hospital
  specialty: Paediatrics
  date: 2021-03-01
answers:
  outcome_named: true
  aim_elements: [how-much, by-when]
  aim_setters: with-feedback
  change_scope: hospital
  pdsa_cycles: 4
  local_context: |
    Busy district general hospital ED.
    Families wait long.
    Few know of local help.
  purpose_drivr: professional-concern
"""


def make_workspace(root: Path) -> Path:
    """A scratch folder with what the docs' commands name, and `qiappraise` on PATH."""
    examples = ROOT / "examples"
    shutil.copytree(examples, root / "examples")
    folders = (
        "proposals",
        "cohort-2026/a",
        "cohort-2026/b",
        "cohort-mixed",
        "reviews",
        "my-templates",
    )
    for folder in folders:
        (root / folder).mkdir(parents=True)
    for i, example in enumerate(sorted(examples.glob("*.yaml"))):
        shutil.copy(example, root / "proposals")
        shutil.copy(example, root / "cohort-2026" / "ab"[i % 2])
    # A cohort with a file that cannot be read and one that is not a proposal.
    shutil.copy(examples / "cypic.yaml", root / "cohort-mixed")
    (root / "cohort-mixed" / "broken.yaml").write_text("rubric: [\n", encoding="utf-8")
    shutil.copy(
        ROOT / "rubrics" / "critical-engagement.yaml", root / "cohort-mixed" / "rubric.yaml"
    )
    review = (examples / "reviews" / "poverty-screening.supervisor.yaml").read_text("utf-8")
    assert "  file: ../poverty-screening.yaml\n" in review
    review = review.replace(
        "  file: ../poverty-screening.yaml\n", "  file: ../proposals/poverty-screening.yaml\n"
    )
    (root / "reviews" / "poverty-screening.supervisor.yaml").write_text(review, "utf-8")
    shutil.copy(examples / "poverty-screening.yaml", root / "v1.yaml")
    v2 = (examples / "poverty-screening.yaml").read_text("utf-8")
    for before, after in (
        ("  pdsa_cycles: 2\n", "  pdsa_cycles: 4\n"),  # an answer
        ("  dim_timely: none\n", "  dim_timely: secondary\n"),  # a dimension
        ("  title: Screening for", "  title: Screening families for"),  # a detail
        ("  general: >-\n", "  general: >-\n    Second version.\n"),  # a note
    ):
        assert before in v2, before
        v2 = v2.replace(before, after)
    (root / "v2.yaml").write_text(v2, "utf-8")
    shutil.copy(examples / "cypic.yaml", root / "my.yaml")
    shutil.copy(ROOT / "rubrics" / "critical-engagement.yaml", root / "my-rubric.yaml")
    (root / "bin").mkdir()
    wrapper = root / "bin" / "qiappraise"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m qiappraise "$@"\n', "utf-8")
    wrapper.chmod(0o755)
    return root


#: What a page's commands need beyond the common scratch folder.
PAGE_SETUP: dict[str, Any] = {
    "docs/proposal-format.md": lambda root: (
        (root / "my.yaml").unlink(),  # `init my.yaml` must not find one there already
        (root / "examples" / "x.yaml").write_text(X_YAML, encoding="utf-8"),
    ),
}


def run(command: str, workspace: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=workspace,
        env=_env(workspace),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _said(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def _commands(block: Block, options: Options, workspace: Path) -> None:
    for line in block.content.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        assert line.startswith("qiappraise "), f"{block.where}: not a qiappraise command: {line}"
        result = run(line, workspace)
        assert result.returncode == options.exit, f"{block.where}: {line}\n{_said(result)}"


def _lines(text: str, words: bool) -> list[str]:
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    return [" ".join(line.split()) for line in lines] if words else lines


def _transcript(block: Block, options: Options, workspace: Path) -> None:
    steps: list[tuple[str, list[str]]] = []
    for line in block.content.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"{block.where}: output before the first command"
            steps[-1][1].append(line)
    for command, shown in steps:
        assert command.startswith("qiappraise "), f"{block.where}: {command}"
        result = run(command, workspace)
        assert result.returncode == options.exit, f"{block.where}: {command}\n{_said(result)}"
        printed = result.stderr if options.stream == "stderr" else result.stdout
        expected = _lines("\n".join(shown), options.words)
        assert _lines(printed, options.words) == expected, (
            f"{block.where}: `{command}` printed something other than the docs show\n"
            f"{_said(result)}"
        )


def _proposal(block: Block, options: Options, workspace: Path) -> None:
    text = block.content
    if options.kind == "proposal-fragment":
        base = (ROOT / "examples" / "poverty-screening.yaml").read_text("utf-8")
        text = base.rstrip("\n") + "\n" + text
    target = workspace / f"snippet-{block.line}.yaml"
    target.write_text(text, encoding="utf-8")
    result = run(f"qiappraise score {target.name}", workspace)
    assert result.returncode == options.exit, (
        f"{block.where}: not a valid proposal\n{_said(result)}"
    )


def _python(block: Block, options: Options, workspace: Path) -> None:
    target = workspace / f"snippet-{block.line}.py"
    target.write_text(block.content, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, target.name],
        cwd=workspace,
        env=_env(workspace),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == options.exit, f"{block.where}: the snippet fails\n{_said(result)}"


def _config(block: Block, options: Options, workspace: Path) -> None:
    target = workspace / options.path
    target.write_text(block.content, encoding="utf-8")
    result = run(f"qiappraise check proposals/ --show-config --config {options.path}", workspace)
    assert result.returncode == 0, f"{block.where}: not a valid config\n{_said(result)}"


def _keys_missing(shown: Any, real: Any, at: str = "") -> list[str]:
    """Keys of ``shown`` that ``real`` lacks ("..." stands for more, so it is no key)."""
    if isinstance(shown, dict):
        if not isinstance(real, dict):
            return [at or "."]
        missing = []
        for key, value in shown.items():
            if key == "...":
                continue
            if key not in real:
                missing.append(f"{at}.{key}")
            else:
                missing += _keys_missing(value, real[key], f"{at}.{key}")
        return missing
    if isinstance(shown, list) and shown and isinstance(shown[0], dict):
        if not isinstance(real, list) or not real:
            return [f"{at}[]"]
        return _keys_missing(shown[0], real[0], f"{at}[0]")
    return []


def _shape(block: Block, options: Options, workspace: Path) -> None:
    shown = json.loads(block.content)
    result = run(options.command, workspace)
    assert result.returncode == options.exit, f"{block.where}: {options.command}\n{_said(result)}"
    real = json.loads(result.stdout)
    missing = _keys_missing(shown, real)
    assert not missing, f"{block.where}: keys shown that `{options.command}` lacks: {missing}"


def run_page(text: str, page: str, workspace: Path, not_run: dict[tuple[str, str], str]) -> int:
    """Run every runnable block of a page, in order, in one workspace; the number run."""
    count = 0
    for block in blocks(text, page):
        if block.generated:
            continue  # written by cog; test_generated_pages_are_current holds it
        if block.marker is None:
            assert (page, block.first) in not_run, (
                f"{block.where}: a ```{block.info} block that is neither marked runnable nor "
                f"listed in NOT_RUN with a reason: {block.first!r}"
            )
            continue
        options = parse_options(block.marker)
        if options.kind == "commands":
            transcript = block.content.startswith("$ ")
            (_transcript if transcript else _commands)(block, options, workspace)
        elif options.kind in ("proposal", "proposal-fragment"):
            _proposal(block, options, workspace)
        elif options.kind == "config":
            _config(block, options, workspace)
        elif options.kind == "python":
            _python(block, options, workspace)
        else:
            _shape(block, options, workspace)
        count += 1
    return count


# --- the tests -----------------------------------------------------------------


def test_generated_pages_are_current() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", *(str(p.relative_to(ROOT)) for p in GENERATED)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        "a generated page is stale: run `python -m cogapp -r docs/cli.md docs/findings.md`\n"
        + result.stdout
        + result.stderr
    )


def _help_commands(*args: str) -> list[str]:
    env = {**_env(ROOT), "PATH": os.environ.get("PATH", "")}
    result = subprocess.run(
        [sys.executable, "-m", "qiappraise", *args, "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    if "\nCommands:\n" not in result.stdout:
        return []
    listing = result.stdout.split("\nCommands:\n", 1)[1]
    return [line.split()[0] for line in listing.splitlines() if line.startswith("  ")]


def _cog_commands() -> list[str]:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    source = text.split("<!-- [[[cog\n", 1)[1].split("]]] -->", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COMMANDS":
            return list(ast.literal_eval(node.value))
    raise AssertionError("no COMMANDS list in docs/cli.md's cog block")


def test_the_cli_reference_lists_every_command() -> None:
    expected = [""]
    for name in _help_commands():
        expected.append(name)
        expected += [f"{name} {sub}" for sub in _help_commands(name)]
    assert len(expected) > 10 and "rubric validate" in expected
    assert _cog_commands() == expected
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for command in expected:
        assert f"\n### `{' '.join(['qiappraise', *command.split()])}`\n" in text, command


@pytest.mark.slow
def test_pages_pass_markdownlint() -> None:
    assert markdownlint_errors(PAGES) == ""


def slug(text: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def _inline_text(token: Token) -> str:
    return "".join(c.content for c in token.children or () if c.type in ("text", "code_inline"))


def anchors(path: Path) -> set[str]:
    tokens = MD.parse(path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    found = set()
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            base = slug(_inline_text(tokens[i + 1]))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
    return found


def links(path: Path) -> Iterator[str]:
    def walk(tokens: list[Token]) -> Iterator[str]:
        for token in tokens:
            if token.type == "link_open":
                yield str(token.attrs["href"])
            elif token.type == "image":
                yield str(token.attrs["src"])
            if token.children:
                yield from walk(token.children)

    yield from walk(MD.parse(path.read_text(encoding="utf-8")))


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    broken = []
    for href in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I) or href.startswith("//"):
            continue  # not relative
        target, _, anchor = href.partition("#")
        resolved = (path.parent / target).resolve() if target else path
        if not resolved.is_relative_to(root) or not resolved.exists():
            broken.append(f"{href}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{href}: no heading with that anchor in {target or 'this page'}")
    return broken


def test_the_slugs_follow_github() -> None:
    assert slug("Upgrading from rubric 1.x") == "upgrading-from-rubric-1x"
    assert slug("What changed: `qiappraise compare`") == "what-changed-qiappraise-compare"
    assert slug("`--out DIR`: report names") == "--out-dir-report-names"
    assert slug("Every command's help") == "every-commands-help"
    assert slug("CE001") == "ce001"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve(path: Path) -> None:
    assert broken_links(path) == []


def test_a_broken_link_is_caught(tmp_path: Path) -> None:
    # A scratch docs folder: a page beside a real one, never written into docs/.
    shutil.copy(DOCS / "ci.md", tmp_path / "ci.md")
    page = tmp_path / "a-page-for-this-test.md"
    text = (
        "# T\n\n## Two words\n\n[ok](#two-words) [bad](#two) [gone](nowhere.md) [x](ci.md#nope)\n"
        "[ok too](ci.md#the-policy) [out](../../etc/passwd)\n"
    )
    page.write_text(text, encoding="utf-8")
    assert broken_links(page, root=tmp_path) == [
        "#two: no heading with that anchor in this page",
        "nowhere.md: no such file",
        "ci.md#nope: no heading with that anchor in ci.md",
        "../../etc/passwd: no such file",
    ]


def test_the_package_docstring_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import doctest

    import qiappraise

    monkeypatch.chdir(ROOT)
    result = doctest.testmod(qiappraise)
    assert (result.attempted, result.failed) == (5, 0)


def test_findings_and_policy_anchors_exist() -> None:
    from qiappraise import load_rubric

    rubric = load_rubric(ROOT / "rubrics" / "critical-engagement.yaml").rubric
    ids = [f.id.lower() for f in rubric.findings]
    assert set(ids) <= anchors(DOCS / "findings.md")
    assert "the-policy" in anchors(DOCS / "ci.md")
    assert "requiring-a-review" in anchors(DOCS / "supervisor.md")


def test_every_rule_links_to_a_heading_in_the_docs() -> None:
    # SARIF's helpUri for qiappraise's own rules: DOCS + "page.md#anchor".
    from qiappraise.gate.verdict import DOCS as WEB_DOCS
    from qiappraise.gate.verdict import POLICY_RULES

    assert WEB_DOCS.endswith("/blob/main/docs/")
    for rule, (_, _, link) in POLICY_RULES.items():
        page, _, anchor = link.partition("#")
        assert anchor in anchors(DOCS / page), f"{rule}: {link}"


def test_every_block_is_run_or_has_a_reason() -> None:
    found = list(page_blocks())
    keys = {(b.page, b.first) for b in found if b.marker is None and not b.generated}
    assert keys <= set(NOT_RUN), sorted(keys - set(NOT_RUN))
    assert set(NOT_RUN) <= keys, f"NOT_RUN names blocks that are gone: {set(NOT_RUN) - keys}"
    assert all(reason.strip() for reason in NOT_RUN.values())
    runnable = [b for b in found if b.marker is not None]
    assert len(runnable) >= 15


@pytest.mark.parametrize(
    "path",
    [p for p in PAGES if any(b.marker is not None for b in blocks(p.read_text("utf-8"), ""))],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_the_runnable_blocks_run(path: Path, tmp_path: Path) -> None:
    page = path.relative_to(ROOT).as_posix()
    workspace = make_workspace(tmp_path)
    if page in PAGE_SETUP:
        PAGE_SETUP[page](workspace)
    assert run_page(path.read_text(encoding="utf-8"), page, workspace, NOT_RUN) > 0


# The checks must be able to fail.

SELF_TEST = """\
# A page

<!-- runnable -->
```console
$ qiappraise --version
qiappraise {version}
```
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (SELF_TEST.format(version="9.9.9"), "printed something other than the docs show"),
        (SELF_TEST.replace("runnable", "runnable: exit=1").format(version="0"), "exit 0"),
        ("# A page\n\n<!-- runnable -->\n```sh\nqiappraise score nowhere.yaml\n```\n", "exit 2"),
        ("# A page\n\n```sh\nqiappraise --version\n```\n", "neither marked runnable"),
        ("# P\n\n<!-- runnable: proposal -->\n```yaml\nanswers: {x: 1}\n```\n", "not a valid"),
        ("# P\n\n<!-- runnable: python -->\n```python\nimport qiappraise.nope\n```\n", "fails"),
        ("# P\n\n<!-- runnable: config=c.yaml -->\n```yaml\nfail-undr: 1\n```\n", "not a valid"),
        (
            "# P\n\n<!-- runnable: shape of: qiappraise score -f json examples/cypic.yaml -->\n"
            '```json\n[{"score": 1, "grade": "A"}]\n```\n',
            "[0].grade",
        ),
    ],
    ids=[
        "wrong output",
        "wrong exit",
        "failing command",
        "unmarked",
        "proposal",
        "python",
        "config",
        "shape",
    ],
)
def test_a_false_block_is_caught(text: str, message: str, tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path)
    with pytest.raises(AssertionError, match=re.escape(message)):
        run_page(text, "self-test.md", workspace, {})


def test_a_true_block_passes(tmp_path: Path) -> None:
    from qiappraise import __version__

    workspace = make_workspace(tmp_path)
    assert run_page(SELF_TEST.format(version=__version__), "self-test.md", workspace, {}) == 1


# Blocks that cannot run here, checked for what can be checked.


def _block(page: str, first: str) -> Block:
    return next(b for b in page_blocks() if b.page == page and b.first == first)


def test_the_pre_commit_hook_is_the_one_documented() -> None:
    import yaml

    shown = yaml.safe_load(_block("docs/ci.md", "# .pre-commit-config.yaml").content)
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert shown["repos"][0]["hooks"][0]["id"] in {hook["id"] for hook in hooks}


def test_the_action_inputs_are_documented() -> None:
    import yaml

    shown = yaml.safe_load(_block("docs/ci.md", "# .github/workflows/proposals.yml").content)
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    step = shown["jobs"]["check"]["steps"][1]
    assert set(step["with"]) <= set(action["inputs"])
    text = (DOCS / "ci.md").read_text("utf-8")
    for name, spec in action["inputs"].items():
        assert f"`{name}`" in text, name
        if spec.get("default"):
            assert str(spec["default"]) in text, (name, spec["default"])


def test_the_gitlab_job_commands_run(tmp_path: Path) -> None:
    import yaml

    job = yaml.safe_load(_block("docs/ci.md", "# .gitlab-ci.yml").content)["qiappraise"]
    commands = [c for c in job["script"] if c.startswith("qiappraise ")]
    assert len(commands) == 3
    workspace = make_workspace(tmp_path)
    results = [run(command, workspace) for command in commands]
    # The bundled examples are provisional, so the policy finds them wanting.
    assert [r.returncode for r in results] == [0, 0, 1], [_said(r) for r in results]
    for name in job["artifacts"]["reports"].values():
        assert (workspace / name).is_file(), name


def test_the_table_of_the_bundled_cases_is_what_score_gives(tmp_path: Path) -> None:
    text = (DOCS / "scoring.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| `(examples/[\w-]+\.yaml)` \| [^|]+ \| ([\w-]+) \(([\d.]+)\) \| ([\d.]+), provisional \|$",
        text,
        re.M,
    )
    assert len(rows) == 4
    workspace = make_workspace(tmp_path)
    result = run("qiappraise score -f json " + " ".join(row[0] for row in rows), workspace)
    assert result.returncode == 0, _said(result)
    real = [
        (d["file"], d["band"], f"{d['position']:.2f}", f"{d['score']:.1f}")
        for d in json.loads(result.stdout)
        if d["provisional"]
    ]
    assert [tuple(row) for row in rows] == real
