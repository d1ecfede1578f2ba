"""batch through the CLI: folders, globs, duplicates, bad files, hostile names, exports."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from qiappraise.cli.app import app
from qiappraise.cohort.batch import MAX_CHUNK, MIN_CHUNK, Options, Scored, Task, chunk_sizes, run

ROOT = Path(__file__).resolve().parent.parent
#: Proposals answering the default rubric, made up for the tests (see checkhelpers).
CASES = Path(__file__).parent / "fixtures" / "check" / "cases"
ENV = {
    "COLUMNS": "200",
    "NO_COLOR": "1",
    "QIAPPRAISE_RUBRIC": None,
    "QIAPPRAISE_DEBUG": None,
    "SOURCE_DATE_EPOCH": "1700000000",
}


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV, terminal_width=200)


def copy(src: str, dest: Path, title: str | None = None) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    text = (CASES / src).read_text(encoding="utf-8")
    if title is not None:
        start = text.index("  title: ")
        end = text.index("\n", start)
        text = text[:start] + f"  title: {json.dumps(title)}" + text[end:]
    dest.write_text(text, encoding="utf-8")
    return dest


@pytest.fixture
def cohort(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Nested proposals, hostile names, a rubric file (not a proposal) and a corrupt file.

    alice: reform, 100; bob smith: stepping stone, 65.3; Zoë: repair, 89.5; the
    hostile name: repair, 38.6, provisional (required questions unanswered).
    """
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "cohort"
    copy("evidenced-reform.yaml", root / "2026" / "alice" / "v1.yaml")
    copy("stepping-stone.yaml", root / "2026" / "bob smith" / "v1.yaml")
    copy("deliberate-repair.yaml", root / "2026" / "Zoë naïve.yaml")
    copy("provisional.yaml", root / "-rf --force.yaml", title='=cmd("calc")')
    shutil.copy(ROOT / "rubrics" / "critical-engagement.yaml", root / "rubric.yaml")
    (root / "corrupt.yaml").write_text("project: {title: [unclosed\n", encoding="utf-8")
    return root


def test_a_bad_file_does_not_stop_the_batch(cohort: Path) -> None:
    result = invoke("batch", "cohort", "--sort", "file")
    assert result.exit_code == 2, result.output
    err = result.stderr.splitlines()
    assert "error: cohort/corrupt.yaml:2: invalid YAML" in "\n".join(err)
    assert any(line.startswith("note: skipped cohort/rubric.yaml: not a proposal") for line in err)
    assert err[-1] == "4 scored, 1 failed, 1 skipped"
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "In cohort/"  # the table shows paths below the shared folder
    order = [next(i for i, ln in enumerate(lines) if ln.startswith(n)) for n in (
        "-rf --force.yaml", "2026/Zoë naïve.yaml", "2026/alice/v1.yaml", "2026/bob smith/v1.yaml",
    )]  # fmt: skip
    assert order == sorted(order)


def test_sort_by_score_and_band(cohort: Path) -> None:
    by_score = invoke("batch", "cohort/2026").stdout
    assert by_score.index("alice") < by_score.index("Zoë") < by_score.index("bob smith")
    by_band = invoke("batch", "cohort/2026", "--sort", "band").stdout
    assert by_band.index("Reform") < by_band.index("Stepping") < by_band.index("Repair")


def test_globs_duplicates_and_json_on_stdout(cohort: Path) -> None:
    result = invoke("batch", "cohort/**/v1.yaml", "cohort/2026", "--json", "-")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)  # nothing but data on stdout
    assert list(doc) == ["schema_version", "proposals", "errors", "skipped", "summary"]
    files = [p["file"] for p in doc["proposals"]]
    assert files == ["cohort/2026/alice/v1.yaml", "cohort/2026/bob smith/v1.yaml", "cohort/2026/Zoë naïve.yaml"]  # fmt: skip
    assert "note: cohort/2026/alice/v1.yaml given more than once: scored once" in result.stderr
    assert "note: cohort/2026/bob smith/v1.yaml given more than once: scored once" in (
        result.stderr
    )
    score = invoke("score", "-f", "json", "cohort/2026/alice/v1.yaml")
    assert doc["proposals"][0] == json.loads(score.stdout)[0]
    assert doc["summary"]["scored"] == 3
    assert doc["summary"]["bands"] == {"repair": 1, "stepping-stone": 1, "reform": 1}


def test_json_file_lists_errors(cohort: Path) -> None:
    result = invoke("batch", "cohort", "nope.yaml", "--json", "out.json")
    assert result.exit_code == 2
    doc = json.loads(Path("out.json").read_text(encoding="utf-8"))
    assert [e["file"] for e in doc["errors"]] == ["nope.yaml", "cohort/corrupt.yaml"]
    assert doc["skipped"] == [
        {
            "file": "cohort/rubric.yaml",
            "reason": "not a proposal (a YAML mapping with a rubric, project or answers key)",
        }
    ]
    assert len(doc["proposals"]) == 4
    assert "Title" in result.stdout  # the table still goes to the terminal


def test_csv_neutralises_formulas(cohort: Path) -> None:
    result = invoke("batch", "cohort", "--csv", "scores.csv")
    raw = Path("scores.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 4
    hostile = next(r for r in rows if r["file"].endswith("force.yaml"))
    assert hostile["title"] == '\'=cmd("calc")'
    assert (hostile["score"], hostile["complete"], hostile["provisional"]) == ("38.6", "no", "yes")
    assert {r["provisional"] for r in rows if r is not hostile} == {"no"}
    assert "section:purpose" in rows[0] and "dimension:equitable" in rows[0]
    assert result.exit_code == 2


def test_out_writes_reports_and_cohort(cohort: Path) -> None:
    result = invoke("batch", "cohort", "--out", "review", "--report-format", "both")
    assert result.exit_code == 2
    # Besides its reports, batch leaves the marker that lets it write here again.
    assert Path("review/.qiappraise-batch").is_file()
    names = sorted(p.name for p in Path("review").iterdir() if p.name != ".qiappraise-batch")
    assert names == [
        "2026--alice--v1.html", "2026--alice--v1.md", "2026--bob-smith--v1.html",
        "2026--bob-smith--v1.md", "2026--zoe-naive.html", "2026--zoe-naive.md",
        "index.html", "index.md", "rf-force.html", "rf-force.md",
    ]  # fmt: skip
    index = Path("review/index.html").read_text(encoding="utf-8")
    for name in names:
        if name.endswith(".html") and name != "index.html":
            assert f'href="{name}"' in index
    assert "=cmd(&#34;calc&#34;)" in index or "=cmd(&quot;calc&quot;)" in index
    assert "](2026--alice--v1.md)" in Path("review/index.md").read_text(encoding="utf-8")
    # Deterministic: a second run writes the same bytes, and leaves no temporary files.
    first = {p.name: p.read_bytes() for p in Path("review").iterdir()}
    invoke("batch", "cohort", "--out", "review", "--report-format", "both")
    assert {p.name: p.read_bytes() for p in Path("review").iterdir()} == first


def test_out_must_be_a_folder(cohort: Path) -> None:
    Path("afile").write_text("x")
    result = invoke("batch", "cohort", "--out", "afile")
    assert result.exit_code == 2 and "not a folder" in result.stderr


def test_nothing_to_score(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("batch", "missing/*.yaml")
    assert result.exit_code == 2
    assert "error: missing/*.yaml: pattern matches no files" in result.stderr


def test_worker_processes_give_the_same_results(tmp_path: Path) -> None:
    paths = [copy("evidenced-reform.yaml" if i % 2 else "provisional.yaml", tmp_path / f"p{i:02}.yaml") for i in range(30)]  # fmt: skip
    (tmp_path / "p05.yaml").write_text("- not a mapping\n", encoding="utf-8")
    (tmp_path / "p07.yaml").write_text("rubric: nope\nproject: {title: x}\n", encoding="utf-8")
    tasks = [Task(file=str(p), relative=p.name) for p in paths]
    serial = list(run(tasks, Options(), jobs=1))
    pooled = list(run(tasks, Options(), jobs=2))

    def strip(outcomes: list[object]) -> list[object]:
        # Which outcome carries the rubric's description depends on the worker.
        return [(o.row, o.document) if isinstance(o, Scored) else o for o in outcomes]

    assert strip(serial) == strip(pooled)  # type: ignore[arg-type]
    assert [type(o).__name__ for o in pooled[4:8]] == ["Scored", "Skipped", "Scored", "Failed"]
    assert sum(1 for o in pooled if isinstance(o, Scored) and o.rubric is not None) >= 1


def test_chunks_shrink_towards_the_end() -> None:
    for n, jobs in ((10_000, 2), (50_000, 8), (30, 2), (1, 4), (0, 2), (24, 16), (100, 32)):
        sizes = chunk_sizes(n, jobs)
        assert sum(sizes) == n
        assert all(0 < s <= MAX_CHUNK for s in sizes)
        smallest = max(1, min(MIN_CHUNK, n // jobs))  # small batches reach every worker
        assert all(s >= smallest for s in sizes[:-1])  # only the remainder is smaller
        assert len(sizes) >= min(n, jobs)
        assert sizes == sorted(sizes, reverse=True)
    big = chunk_sizes(10_000, 2)
    assert big[0] == MAX_CHUNK and big[-2] == MIN_CHUNK


def test_help_has_an_example() -> None:
    for cmd in ("batch", "compare"):
        result = invoke(cmd, "--help")
        assert f"Example: qiappraise {cmd} " in " ".join(result.stdout.split())


def test_a_named_file_that_is_not_a_proposal_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: QI\n")
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "mkdocs.yml")], env=ENV)
    assert result.exit_code == 2
    assert "not a proposal: it has none of the keys rubric, project and answers" in result.stderr


def test_nothing_but_other_yaml_fails_and_makes_no_folder(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "mkdocs.yml").write_text("site_name: QI\n")
    out = tmp_path / "review"
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "in"), "--out", str(out)], env=ENV)
    assert result.exit_code == 2
    assert "error: none of the files given is a proposal" in result.stderr
    assert not out.exists()


def test_a_file_name_that_is_not_utf8_is_written_back_as_its_bytes(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    folder = tmp_path / "cohort"
    folder.mkdir()
    odd = os.fsencode(folder) + b"/caf\xe9.yaml"  # Latin-1, as an old file system may have it
    with open(odd, "wb") as fh:
        fh.write((CASES / "evidenced-reform.yaml").read_bytes())
    shutil.copy(CASES / "deliberate-repair.yaml", folder / "ok.yaml")
    exe = Path(sys.executable).with_name("qiappraise")
    for locale in ("C.UTF-8", "C"):
        env = {**os.environ, "LC_ALL": locale, "PYTHONUTF8": "0"}
        proc = subprocess.run(
            [exe, "batch", folder, "--json", "-"], capture_output=True, env=env, check=False
        )
        assert proc.returncode == 0, proc.stderr
        assert b'"file":"' + odd + b'"' in proc.stdout
        doc = json.loads(proc.stdout.decode("utf-8", "replace"))
        assert doc["summary"]["scored"] == 2 and doc["errors"] == []
    out = tmp_path / "out.json"
    proc = subprocess.run([exe, "batch", folder, "--json", out], capture_output=True, check=False)
    assert proc.returncode == 0 and odd in out.read_bytes()
    # Reports and exports carry the name too (they were an internal error before).
    review = tmp_path / "review"
    proc = subprocess.run(
        [exe, "batch", folder, "--out", review, "--csv", tmp_path / "s.csv"],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    reports = sorted(p.name for p in review.iterdir() if p.name != ".qiappraise-batch")
    assert reports == ["caf.html", "index.html", "ok.html"]
    assert b"caf\xe9.yaml" in (tmp_path / "s.csv").read_bytes()
    proc = subprocess.run(
        [exe, "report", odd, "-o", tmp_path / "r.html"], capture_output=True, check=False
    )
    assert proc.returncode == 0, proc.stderr


def test_json_to_a_stdout_without_a_binary_buffer() -> None:
    import contextlib

    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.suppress(SystemExit):
        app(["batch", str(CASES / "evidenced-reform.yaml"), "--json", "-"], standalone_mode=False)
    doc = json.loads(captured.getvalue())
    assert [d["file"] for d in doc["proposals"]] == [str(CASES / "evidenced-reform.yaml")]


def test_many_duplicates_are_named_up_to_a_few(cohort: Path) -> None:
    result = invoke("batch", "cohort", "cohort", "cohort", "--json", "-")
    assert result.exit_code == 2  # the cohort holds a corrupt file; the rest are scored
    notes = [line for line in result.stderr.splitlines() if "scored once" in line]
    # Each file of the cohort is named once, however many times it was reached.
    more = len(list(cohort.rglob("*.yaml"))) - 5
    assert len(notes) == 6 and notes[-1] == (
        f"note: and {more} more file{'s' if more != 1 else ''} reached more than once, scored once"
    )
    assert len(set(notes)) == len(notes)
    doc = json.loads(result.stdout)
    assert doc["summary"]["scored"] == len(doc["proposals"])


def _table_at(width: int, rows: list[object] | None = None) -> list[str]:
    from rich.console import Console

    from qiappraise.cohort.present_batch import cohort_table

    outcomes = list(run([Task(str(p), p.name) for p in sorted(CASES.glob("*.yaml"))], Options(), 1))
    found = [o.row for o in outcomes if isinstance(o, Scored)]
    meta = next(o.rubric for o in outcomes if isinstance(o, Scored) and o.rubric is not None)
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None)
    cohort_table(console, rows if rows is not None else found, dict(meta.dimensions))  # type: ignore[arg-type]
    return out.getvalue().splitlines()


@pytest.mark.parametrize(
    ("width", "columns"),
    [
        (120, ["File", "Title", "Lead", "Score", "Band", "Dims", "E/W/I"]),
        (80, ["File", "Title", "Score", "Band", "Dims", "E/W/I"]),
        (56, ["File", "Score", "Band", "Dims", "E/W/I"]),
    ],
)
def test_the_table_fits_the_terminal_dropping_lead_then_title(
    width: int, columns: list[str]
) -> None:
    lines = _table_at(width)
    at = next(i for i, line in enumerate(lines) if "┃" in line)
    header = lines[at]
    assert [c.strip() for c in header.split("┃")] == columns
    table = lines[at : at + 7]  # header, rule, five proposals
    assert all(len(line) <= width for line in table)
    assert len({len(line) for line in table}) == 1  # every row lines up
    assert sum("│" in line for line in table) == 5
    if width >= 100:
        assert any(line.startswith("deliberate-repair.yaml ") for line in table)
    if len(columns) == 6:  # file names come whole before titles do: the title gives way
        file_width, title_width = (len(c) for c in header.split(" ┃ ")[:2])
        assert file_width > title_width == 12
    # The provisional draft is marked, and the legend says what that means.
    draft = next(line for line in table if "prov." in line)
    assert "39 prov. │ Repair" in draft
    legend = " ".join(" ".join(lines[at + 7 :]).split())
    assert "prov.: provisional, with required questions unanswered; they count as 0" in legend
    assert "? not known yet" in legend  # the draft leaves equitable open


def test_a_very_narrow_terminal_gets_two_lines_a_proposal() -> None:
    lines = _table_at(40)
    at = lines.index("evidenced-reform.yaml")
    assert lines[at + 1].startswith("  100 Reform · ")
    draft = lines.index("provisional.yaml")
    assert lines[draft + 1].startswith("  39 prov. Repair · ")
    assert all(len(line) <= 40 for line in lines)


def test_wide_characters_keep_the_columns_aligned(tmp_path: Path) -> None:
    from rich.cells import cell_len

    from qiappraise.cohort.batch import Row

    def row(file: str, title: str) -> Row:
        return Row(file, file, title, "", "", 50.0, "repair", "Repair", 0.2, True, (), (), ())

    rows: list[object] = [
        row("d/小児科の改善プロジェクト.yaml", "子どもと家族のための待ち時間の短縮"),
        row("d/plain.yaml", "Plain title"),
        row("d/tab.yaml", "A\ttab and  double space"),  # validation lets tabs through
    ]
    lines = _table_at(70, rows)
    assert not any("prov." in line for line in lines)  # all three are complete
    body = [line for line in lines if "│" in line or "┃" in line]
    assert len({cell_len(line) for line in body}) == 1
    assert all(cell_len(line) <= 70 for line in body)


def test_non_utf8_names_that_clash_and_every_check_format(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    folder = tmp_path / "nu"
    folder.mkdir()
    shutil.copy(CASES / "evidenced-reform.yaml", folder / "caf.yaml")
    with open(os.fsencode(folder) + b"/caf\xe9.yaml", "wb") as fh:
        fh.write((CASES / "evidenced-reform.yaml").read_bytes())
    exe = Path(sys.executable).with_name("qiappraise")

    def qi(*args: object, **env: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [exe, *map(str, args)], capture_output=True, env={**os.environ, **env}, check=False
        )

    proc = qi("batch", folder, "--out", tmp_path / "out")  # both names reduce to "caf"
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir() if p.name != ".qiappraise-batch")
    assert names[0].startswith("caf") and len(names) == 3
    for fmt in ("text", "json", "sarif", "junit", "github", "gitlab"):
        proc = qi("check", folder, "--output-format", fmt, GITHUB_STEP_SUMMARY=str(tmp_path / "s"))
        assert proc.returncode == 0, (fmt, proc.stderr)


def test_a_provisional_score_is_marked_in_the_table() -> None:
    from qiappraise.cohort.batch import Row

    draft = Row(
        "d/x.yaml", "x.yaml", "X", "", "", 100.0, "reform", "Reform", 0.9, False, (), (), ()
    )
    lines = _table_at(100, [draft])
    assert "│ 100 prov. │ Reform" in "\n".join(lines)
    assert (
        "prov.: provisional, with required questions unanswered; they count as 0, so the "
        "score is a floor that can only rise as they are answered."
    ) in " ".join(" ".join(lines).split())
    assert "draft" not in " ".join(lines)


def test_provisional_in_the_json_summary_and_the_cohort_report(cohort: Path) -> None:
    result = invoke(
        "batch", "cohort", "--json", "out.json", "--out", "review", "--report-format", "both"
    )
    assert result.exit_code == 2  # the corrupt file
    doc = json.loads(Path("out.json").read_text(encoding="utf-8"))
    assert doc["summary"]["provisional"] == 1
    assert sum(b["provisional"] for b in doc["summary"]["score"]["bins"]) == 1
    assert doc["summary"]["dimensions"]["equitable"]["unknown"] == 1
    md = Path("review/index.md").read_text(encoding="utf-8")
    assert "- Provisional: 1 (with required questions unanswered, which count as 0)" in md
    assert " 39 *(provisional)* |" in md
    html = Path("review/index.html").read_text(encoding="utf-8")
    assert html.count('<span class="muted">(provisional)</span>') == 1
    table = result.stdout
    assert "39 prov." in table and "prov.: provisional" in " ".join(table.split())


def test_absolute_and_relative_paths_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # commonpath refuses such a mix: the table shows each path whole (it was exit 70).
    folder = tmp_path / "cohort"
    folder.mkdir()
    repair = Path(__file__).parent / "fixtures" / "validity" / "sepsis-deliberate-repair.yaml"
    (folder / "a.yaml").write_text(repair.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(repair.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["batch", str(folder / "a.yaml"), "b.yaml"], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert "a.yaml" in result.stdout and "b.yaml" in result.stdout


def test_each_run_renders_with_its_own_template_dir(tmp_path: Path) -> None:
    # The report environment is cached per process: a second run in the same
    # process with another --template-dir once rendered with the first's.
    example = Path(__file__).resolve().parent.parent / "examples" / "cypic.yaml"
    for marker in ("FIRST", "SECOND"):
        templates = tmp_path / f"t-{marker}"
        templates.mkdir()
        (templates / "report.md.j2").write_text(f"{marker} {{{{ a.project.title }}}}\n")
        out = tmp_path / f"out-{marker}"
        result = invoke(
            "batch",
            example,
            "--out",
            out,
            "--report-format",
            "md",
            "--template-dir",
            templates,
            "-j",
            "1",
        )
        assert result.exit_code == 0, result.stderr
        (report,) = [p for p in out.glob("*.md") if p.name != "index.md"]
        assert report.read_text().startswith(marker)


def test_the_cohort_report_lists_every_problem_of_a_failed_file(tmp_path: Path) -> None:
    folder = tmp_path / "cohort"
    folder.mkdir()
    example = Path(__file__).resolve().parent.parent / "examples" / "cypic.yaml"
    (folder / "good.yaml").write_text(example.read_text())
    unknown = "".join(f"  unknown_{i}: 1\n" for i in range(4))
    (folder / "many.yaml").write_text(
        "rubric: {id: critical-engagement, version: 2.0.0}\nproject: {title: x}\nanswers:\n"
        + unknown
    )
    out = tmp_path / "out"
    result = invoke("batch", folder, "--out", out, "--report-format", "both")
    assert result.exit_code == 2
    md = (out / "index.md").read_text()
    failed = md.split("## Files that failed", 1)[1]
    assert "(and 3 more problems)" in failed
    for i in range(4):
        assert "  - " in failed and f"answers.unknown\\_{i}: unknown question id" in failed
    html = (out / "index.html").read_text()
    assert html.count("<details>") == 1 and html.count("answers.unknown_3") == 1
