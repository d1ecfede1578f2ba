"""The template sandbox against a hostile ``--template-dir`` (issue 13, items 1 and 2).

A template folder may hold links, but none that lead outside it; a template
may ask for a billion characters or loop for ever, but fails with exit 2
instead, in a process whose address space is capped (``RLIMIT_AS``) and whose
CPU time is capped (``RLIMIT_CPU``) so that a regression fails rather than hangs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qiappraise.base.resources import templates_dir
from qiappraise.cli.app import app
from qiappraise.rendering.report import TemplateError, environment, render_template
from qiappraise.rendering.sandbox import LimitError, Limits

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "poverty-screening.yaml"
SECRET = "SECRET-7f3a9c"

needs_links = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")


def _invoke(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args], env={"SOURCE_DATE_EPOCH": "0"})


def _secret(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"TOKEN={SECRET}\n")
    return outside


# --- item 1: links ------------------------------------------------------------


def _file_link_included(tpl: Path, outside: Path) -> str:
    (tpl / "leak.j2").symlink_to(outside / "secret.txt")
    (tpl / "report.md.j2").write_text("# Leak\n{% include 'leak.j2' %}\n")
    return "leak.j2"


def _report_is_a_link(tpl: Path, outside: Path) -> str:
    (tpl / "report.md.j2").symlink_to(outside / "secret.txt")
    return "report.md.j2"


def _folder_link(tpl: Path, outside: Path) -> str:
    (tpl / "etc").symlink_to(outside, target_is_directory=True)
    (tpl / "report.md.j2").write_text("# Leak\n{% include 'etc/secret.txt' %}\n")
    return "etc/secret.txt"


def _link_chain(tpl: Path, outside: Path) -> str:
    # A link to a link inside the folder that itself leads out.
    (tpl / "hop.j2").symlink_to(outside / "secret.txt")
    (tpl / "alias.j2").symlink_to(tpl / "hop.j2")
    (tpl / "report.md.j2").write_text("{% import 'alias.j2' as x %}{% include 'alias.j2' %}\n")
    return "alias.j2"


LEAKS = [_file_link_included, _report_is_a_link, _folder_link, _link_chain]


@needs_links
@pytest.mark.parametrize("plant", LEAKS, ids=lambda f: f.__name__.strip("_"))
def test_report_refuses_a_link_out_of_the_template_folder(tmp_path: Path, plant: Any) -> None:
    outside = _secret(tmp_path)
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    name = plant(tpl, outside)
    result = _invoke("report", EXAMPLE, "--template-dir", tpl)
    assert result.exit_code == 2, result.output
    assert SECRET not in result.output
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {tpl / name}: template '{name}' leads outside")


@needs_links
def test_proc_environ_is_not_readable_through_a_link(tmp_path: Path) -> None:
    environ = Path("/proc/self/environ")
    if not environ.exists():
        pytest.skip("no /proc")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "leak.j2").symlink_to(environ)
    (tpl / "report.md.j2").write_text("{% include 'leak.j2' %}\n")
    result = CliRunner().invoke(
        app,
        ["report", str(EXAMPLE), "--template-dir", str(tpl)],
        env={"SOURCE_DATE_EPOCH": "0", "QI_TEST_SECRET": SECRET},
    )
    assert result.exit_code == 2
    assert SECRET not in result.output
    assert "leads outside the template folders" in result.stderr


@needs_links
@pytest.mark.parametrize("fmt", ["html", "md"])
def test_batch_out_refuses_a_link_out_of_the_template_folder(tmp_path: Path, fmt: str) -> None:
    outside = _secret(tmp_path)
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    # The per-proposal report and the cohort report both go through the folder.
    (tpl / "etc").symlink_to(outside, target_is_directory=True)
    for name in (f"report.{fmt}.j2", f"cohort.{fmt}.j2"):
        (tpl / name).write_text("{% include 'etc/secret.txt' %}\n")
    out = tmp_path / "out"
    result = _invoke(
        "batch", EXAMPLE, "--jobs", "1", "--out", out, "--report-format", fmt,
        "--template-dir", tpl,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert SECRET not in result.output
    assert "leads outside the template folders" in result.stderr
    written = [p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()]
    assert not [text for text in written if SECRET in text]


@needs_links
def test_links_that_stay_inside_are_followed(tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    (tpl / "parts").mkdir(parents=True)
    (tpl / "parts" / "title.j2").write_text("# {{ project.title | md }}\n")
    (tpl / "shared").symlink_to(tpl / "parts", target_is_directory=True)
    (tpl / "heading.j2").symlink_to("shared/title.j2")
    (tpl / "report.md.j2").write_text("{% include 'heading.j2' %}\nscored {{ a.score | score }}\n")
    result = _invoke("report", EXAMPLE, "--template-dir", tpl)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# ")
    assert "scored " in result.stdout


@needs_links
def test_a_link_to_a_bundled_template_is_followed(tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "report.md.j2").symlink_to(templates_dir() / "report.md.j2")
    linked = _invoke("report", EXAMPLE, "--template-dir", tpl)
    assert linked.exit_code == 0, linked.output
    assert linked.stdout == _invoke("report", EXAMPLE).stdout


@needs_links
def test_a_template_folder_that_is_itself_a_link_is_fine(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "report.md.j2").write_text("# {{ project.title | md }}\n")
    (tmp_path / "tpl").symlink_to(real, target_is_directory=True)
    result = _invoke("report", EXAMPLE, "--template-dir", tmp_path / "tpl")
    assert result.exit_code == 0, result.output


# --- item 2: resources ------------------------------------------------------------

#: Templates that asked for gigabytes or hours before the sandbox was bounded.
EXHAUSTING = {
    "str-times-int": "{{ 'a' * 10**9 }}",
    "percent-filter": "{{ '%999999999s' | format('x') }}",
    "percent-operator": "{{ '%999999999s' % 'x' }}",
    "percent-star": "{{ '%*s' % (999999999, 'x') }}",
    "str-format": "{{ '{:>999999999}'.format('x') }}",
    "str-format-nested": "{{ '{:>{w}}'.format('x', w=999999999) }}",
    "markup-format": "{{ ('{:>999999999}' | safe).format('x') }}",
    "center-method": "{{ 'x'.center(10**9) }}",
    "center-filter": "{{ 'x' | center(10**9) }}",
    "ljust": "{{ 'x'.ljust(10**9) }}",
    "indent": "{{ 'x\ny' | indent(10**9) }}",
    "filter-block": "{% filter center(10**9) %}x{% endfilter %}",
    "list-times-int": "{{ ([1] * 10**9) | length }}",
    "big-power": "{{ 10**(10**8) }}",
    "nested-ranges": (
        "{% for i in range(99999) %}{% for j in range(99999) %}{{ i }}{% endfor %}{% endfor %}"
    ),
    "nested-ranges-silent": (
        "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    ),
    "nested-data-loops": "{% set l = range(10) | list %}"
    + "{% for x in l %}" * 9
    + "{% endfor %}" * 9,
    "doubling-tilde": "{% set x = 'a' %}" + "{% set x = x ~ x %}" * 40 + "{{ x | length }}",
    "doubling-plus": "{% set x = 'a' %}" + "{% set x = x + x %}" * 40 + "{{ x | length }}",
    "doubling-block": "{% set x %}a{% endset %}"
    + "{% set x %}{{ x }}{{ x }}{% endset %}" * 40
    + "{{ x | length }}",
    "doubling-replace": "{% set x = 'aaaaaaaaaa' %}"
    + "{% set x = x.replace('a', 'aaaaaaaaaa') %}" * 12
    + "{{ x | length }}",
    "nested-lists-printed": "{% set l = 'aaaaaaaaaa' %}"
    + "{% set l = [l, l, l, l, l, l, l, l, l, l] %}" * 9
    + "{{ l }}",
    "macro-fan-out": (
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% else %}x{% endif %}"
        "{% endmacro %}{{ f(40) }}"
    ),
    "membership-in-a-loop": (
        "{% set l = range(99999) | list %}"
        "{% for i in range(99999) %}{% if -1 in l %}{% endif %}{% endfor %}"
    ),
    "slice-in-a-loop": (
        "{% set l = range(99999) | list %}"
        "{% for i in range(99999) %}{% set m = l[1:] %}{% endfor %}"
    ),
    "sort-in-a-loop": (
        "{% for i in range(99999) %}{{ range(99999) | list | sort | length }}{% endfor %}"
    ),
    "big-strings-in-a-loop": "{% for i in range(99999) %}{% set x = 'a' * 1999999 %}{% endfor %}",
    "lipsum": "{{ lipsum(10**7) }}",
}

#: Address space for the whole CLI process: about 50 MB of interpreter and
#: libraries, and 200 MB more at most for the template.
ADDRESS_SPACE = 256 * 1024 * 1024
#: A safety net only, never an assertion: a regression is killed, not waited for.
CPU_SECONDS = 60

_RUN = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({mem}, {mem}))
resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu}))
sys.argv = ["qiappraise", *sys.argv[1:]]
from qiappraise.cli.entry import main
main()
"""


def _run_capped(*args: str | Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("resource")
    code = _RUN.format(mem=ADDRESS_SPACE, cpu=CPU_SECONDS)
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "SOURCE_DATE_EPOCH": "0", "NO_COLOR": "1"},
        check=False,
    )


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
@pytest.mark.parametrize("source", EXHAUSTING.values(), ids=EXHAUSTING.keys())
def test_an_exhausting_template_fails_within_bounded_memory(tmp_path: Path, source: str) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "report.md.j2").write_text("# Report\n" + source + "\n")
    result = _run_capped("report", EXAMPLE, "--template-dir", tpl)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {tpl / 'report.md.j2'}")
    assert "exceeds the sandbox's limits" in lines[0]
    assert result.stdout == ""


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_the_error_names_the_template_line(tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "report.md.j2").write_text("# Report\n\nfine\n{{ 'a' * 10**9 }}\n")
    result = _run_capped("report", EXAMPLE, "--template-dir", tpl)
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"error: {tpl / 'report.md.j2'}:4: template exceeds the sandbox's limits: "
        "the product str * int would be 1,000,000,000 characters or items long"
    )


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
@pytest.mark.parametrize("name", ["report.html.j2", "cohort.html.j2"])
def test_batch_out_stops_an_exhausting_template(tmp_path: Path, name: str) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / name).write_text(EXHAUSTING["str-format"] + EXHAUSTING["nested-ranges"] + "\n")
    out = tmp_path / "out"
    result = _run_capped("batch", EXAMPLE, "--jobs", "1", "--out", out, "--template-dir", tpl)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert f"{tpl / name}:1: template exceeds the sandbox's limits" in result.stderr


def test_work_is_counted_not_timed() -> None:
    # The same template always stops at the same step: no clock is involved.
    env = environment()
    source = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    used = set()
    for _ in range(2):
        template = env.from_string(source)
        with pytest.raises(LimitError):
            template.render()
        used.add(env.limits.used_steps)
    [steps] = used
    assert Limits().steps < steps < Limits().steps + 100


def test_limits_grow_with_the_data() -> None:
    small = Limits.for_data({"rows": ["x"] * 10})
    large = Limits.for_data({"rows": [f"row {i}" for i in range(50_000)]})
    assert large.steps > small.steps and large.text > small.text


def test_a_bundled_report_renders_well_within_the_limits() -> None:
    from qiappraise.load.pipeline import resolve
    from qiappraise.rendering.report import context
    from qiappraise.scoring.score import score

    proposal, loaded = resolve(EXAMPLE)
    ctx = context(score(loaded.rubric, proposal, sha256=loaded.sha256), loaded.rubric)
    for name in ("report.md.j2", "report.html.j2"):
        env = environment()
        render_template(env, name, ctx)
        # A tenth of the allowance: room for richer custom templates.
        assert env.limits.used_steps < env.limits.steps / 10
        assert env.limits.used_text < env.limits.produced / 10


def test_a_limit_error_is_a_template_error_with_the_path(tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "report.md.j2").write_text("{{ 'a' * 10**9 }}\n")
    with pytest.raises(TemplateError) as info:
        render_template(environment(tpl), "report.md.j2", {})
    assert info.value.file == str(tpl / "report.md.j2")
    assert info.value.line == 1
