"""Many files, many workers, many problems: work and output stay bounded.

Memory is measured, never time: a busy machine must not fail these tests.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qiappraise.base.errors import Problems
from qiappraise.cli.commands import batch as batch_command
from qiappraise.load.pipeline import appraise_file
from qiappraise.rendering.jsonout import document

from .test_cli_core import run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def test_score_json_is_the_array_json_dumps_writes(tmp_path: Path) -> None:
    # The array is written a document at a time; its bytes must not change.
    result = run("score", "-f", "json", *EXAMPLES)
    assert result.exit_code == 0, result.stderr
    expected = [document(appraise_file(f)) for f in EXAMPLES]
    assert result.stdout == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"


def test_score_json_leaves_out_a_file_it_cannot_score_and_fails(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rubric: {id: critical-engagement, version: 2.0.0}\nproject: []\n")
    result = run("score", "-f", "json", EXAMPLES[0], bad, EXAMPLES[1])
    assert result.exit_code == 2
    # One whole array, of the files that could be scored, in the order given.
    expected = [document(appraise_file(f)) for f in (EXAMPLES[0], EXAMPLES[1])]
    assert result.stdout == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    assert "bad.yaml:2" in result.stderr


def test_score_text_shows_what_it_can_then_fails(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    result = run("score", EXAMPLES[0], missing)
    assert result.exit_code == 2
    # The good file's summary is shown in full before the bad one is reported.
    title = appraise_file(EXAMPLES[0]).project.title
    assert title in " ".join(result.stdout.split())
    assert "Critical engagement:" in result.stdout
    assert result.stderr.strip() == f"error: {missing}: no such file"


def test_score_on_a_folder_names_batch(tmp_path: Path) -> None:
    result = run("score", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {tmp_path}: is a folder; `qiappraise batch {tmp_path}` scores every proposal in it"
    )


_PEAK = textwrap.dedent(
    """
    import resource, sys
    from qiappraise.cli.entry import main
    sys.argv = ["qiappraise", "score", "-f", "json", *sys.argv[1:]]
    try:
        main()
    finally:
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
    """
)


def _peak_kb(files: list[Path]) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *map(str, files)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    return int(done.stderr.strip().splitlines()[-1])


@pytest.mark.slow
def test_score_json_memory_does_not_grow_with_the_file_count(tmp_path: Path) -> None:
    # Holding every appraisal cost about 130 kB a file (657 MB at 5,000
    # files). Between 20 and 320 files that would be about 40 MB more; a
    # streamed array stays within a few MB (the allocator's own slack).
    example = ROOT / "examples" / "cypic.yaml"
    files = []
    for i in range(320):
        path = tmp_path / f"p{i:03}.yaml"
        shutil.copyfile(example, path)
        files.append(path)
    small, large = _peak_kb(files[:20]), _peak_kb(files)
    assert large - small < 12_000, (small, large)


def test_jobs_are_capped_at_a_multiple_of_the_cores(capsys: pytest.CaptureFixture[str]) -> None:
    cores = batch_command.default_jobs()
    cap = batch_command.JOBS_PER_CORE * cores
    assert batch_command.effective_jobs(None) == cores
    assert batch_command.effective_jobs(1) == 1
    assert batch_command.effective_jobs(cap) == cap
    assert capsys.readouterr().err == ""
    assert batch_command.effective_jobs(100_000) == cap
    note = capsys.readouterr().err
    assert f"-j 100000 is more than {batch_command.JOBS_PER_CORE} workers per core" in note
    assert f"using {cap}" in note


def test_batch_with_a_huge_job_count_finishes(tmp_path: Path) -> None:
    for i in range(12):
        shutil.copyfile(EXAMPLES[i % len(EXAMPLES)], tmp_path / f"p{i}.yaml")
    result = run("batch", "-j", "100000", "--json", "-", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "workers per core" in result.stderr
    assert len(json.loads(result.stdout)["proposals"]) == 12


def _many_unknown_keys(tmp_path: Path, n: int) -> Path:
    lines = ["rubric: {id: critical-engagement, version: 2.0.0}", "project: {title: x}", "answers:"]
    lines += [f"  unknown_{i}: 1" for i in range(n)]
    path = tmp_path / "many.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_errors_stop_at_a_bound_with_a_count_of_the_rest(tmp_path: Path) -> None:
    path = _many_unknown_keys(tmp_path, 500)
    result = run("score", path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == Problems.LIMIT + 1
    assert all(line.startswith(f"error: {path}:") for line in lines)
    assert "answers.unknown_0: unknown question id" in lines[0]
    rest = 500 - Problems.LIMIT
    assert lines[-1] == f"error: {path}: {rest} more problems not shown (the first 50 are)"


def test_check_reports_the_count_of_problems_left_out(tmp_path: Path) -> None:
    path = _many_unknown_keys(tmp_path, 120)
    result = run("check", "-f", "json", path)
    assert result.exit_code == 2
    problems = json.loads(result.stdout)["files"][0]["problems"]
    assert len(problems) == Problems.LIMIT + 1
    assert problems[-1] == {
        "message": "70 more problems not shown (the first 50 are)",
        "line": None,
    }


def test_a_short_list_of_problems_is_given_whole(tmp_path: Path) -> None:
    path = _many_unknown_keys(tmp_path, 3)
    result = run("score", path)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 3
    assert "not shown" not in result.stderr


def test_problems_counts_beyond_its_limit() -> None:
    from qiappraise.base.errors import InputError

    problems = Problems()
    for i in range(Problems.LIMIT + 7):
        if not problems.counted_if_full():
            problems.append(InputError(f"p{i}", file="f.yaml", line=Problems.LIMIT - i))
    error = problems.error()
    assert len(error.problems) == Problems.LIMIT and error.omitted == 7
    assert [p.line for p in error.problems] == sorted(p.line or 0 for p in error.problems)
    assert str(error).endswith(f"(and {Problems.LIMIT - 1 + 7} more problems)")
