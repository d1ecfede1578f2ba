"""Moderation reports (`moderate --format md|html`): deterministic, escaped, guarded, valid.

They are held to the appraisal report's checks: hostile text stays text in
both formats, `-o` never replaces an input, a `--template-dir` cannot lead
outside itself, and the output passes the Nu HTML Checker, axe-core and
markdownlint (slow).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from qiappraise.base.errors import UsageError
from qiappraise.base.resources import templates_dir
from qiappraise.load.pipeline import load_proposal, resolve
from qiappraise.load.rubric import load_rubric
from qiappraise.raters.moderation import Moderation, moderate, order
from qiappraise.raters.moderation_report import AGREEMENT_WORDS, raters_named, render

from .conftest import MINI_RUBRIC, proposal_text
from .test_output_safety import _spellings, invoke, refused
from .test_security import PAYLOADS, _assert_inert_html, _Audit
from .test_template_sandbox import SECRET, _secret, needs_links
from .validators import axe_violations, dump, markdownlint_errors, vnu_errors

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "poverty-screening.yaml"
REVIEW = ROOT / "examples" / "reviews" / "poverty-screening.supervisor.yaml"

Edit = Callable[[dict[str, Any]], None]

#: Markdown and HTML specials, backticks and pipes, for single-line fields.
SPECIALS = "| `tick` *star* _u_ # h [x](y) <b>b</b> 1. ~~s~~ &amp; \\"
#: File names that a shell, Markdown and HTML would each read as something.
HOSTILE_FIRST = "first <b>|`x`*_[l](j) #.yaml"
HOSTILE_REVIEW = "rev`iew|<i>x<i>\n# h *y*.yaml"


# --- builders -----------------------------------------------------------------


def pair(
    folder: Path,
    *,
    first: Edit | None = None,
    review: Edit | None = None,
    first_name: str = "first.yaml",
    review_name: str = "review.yaml",
    recorded: str = "match",
) -> tuple[Path, Path]:
    """The example appraisal and its review, edited, written to ``folder``.

    ``recorded``: the review's ``reviews.sha256`` is the first file's
    (``match``), an earlier version's (``stale``), or left out (``none``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    a = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    b = yaml.safe_load(REVIEW.read_text(encoding="utf-8"))
    b["reviews"]["file"] = first_name
    if first:
        first(a)
    if review:
        review(b)
    first_path = folder / first_name
    first_path.write_text(yaml.safe_dump(a, sort_keys=False, allow_unicode=True), "utf-8")
    digest = hashlib.sha256(first_path.read_bytes()).hexdigest()
    if recorded == "match":
        b["reviews"]["sha256"] = digest
    elif recorded == "stale":
        b["reviews"]["sha256"] = hashlib.sha256(b"an earlier version").hexdigest()
    else:
        b["reviews"].pop("sha256", None)
    review_path = folder / review_name
    review_path.write_text(yaml.safe_dump(b, sort_keys=False, allow_unicode=True), "utf-8")
    return first_path, review_path


def moderation_of(first: Path, second: Path) -> Moderation:
    """What `moderate FIRST SECOND` works out, as a value."""
    p1, r1 = resolve(first)
    p2, _ = resolve(second)
    p1, p2 = order(p1, p2)
    actual = hashlib.sha256(Path(p1.file).read_bytes()).hexdigest()
    return moderate(r1.rubric, p1, p2, sha256=r1.sha256, first_bytes_sha256=actual)


def _hostile_first(a: dict[str, Any]) -> None:
    a["project"]["title"] = "Title " + PAYLOADS[0] + " " + SPECIALS
    a["project"]["lead"] = PAYLOADS[1]
    a["answers"]["active_ingredient"] = PAYLOADS[6] + " | a | b |"
    a["notes"]["measure_types"] = PAYLOADS[7] + "\n\n> quoted\n```\nfenced\n```\n| a | b |"
    a["notes"]["pdsa_cycles"] = PAYLOADS[11] + "\n# not a heading\n1. not a list"


def _hostile_review(b: dict[str, Any]) -> None:
    b["project"]["title"] = "Title " + PAYLOADS[0] + " " + SPECIALS
    b["rater"]["name"] = PAYLOADS[2] + " " + SPECIALS
    b["comments"]["measure_types"] = PAYLOADS[3] + "\n## injected heading\n---\n==="
    b["comments"]["family_outcomes_measured"] = PAYLOADS[4] + "\n- item\n+ item\n    indented"
    b["comments"]["purpose_questions"] = PAYLOADS[5] + " `unclosed"
    b["comments"]["pdsa_cycles"] = PAYLOADS[8] + "\n<div>block</div>"
    b["notes"]["dim_efficient"] = PAYLOADS[9] + "\n\n" + PAYLOADS[10]
    b["reviews"]["not_accepted"] = ["family_outcomes_measured"]


def hostile_pair(folder: Path) -> tuple[Path, Path]:
    # The review records an earlier version, so the warning block shows hostile notes too.
    return pair(
        folder,
        first=_hostile_first,
        review=_hostile_review,
        first_name=HOSTILE_FIRST,
        review_name=HOSTILE_REVIEW,
        recorded="stale",
    )


def hostile_texts() -> list[str]:
    """Every piece of user text the hostile pair puts where a report shows it."""
    a: dict[str, Any] = defaultdict(dict)
    b: dict[str, Any] = defaultdict(dict)
    _hostile_first(a)
    _hostile_review(b)
    texts = [HOSTILE_FIRST, HOSTILE_REVIEW, *a["answers"].values()]
    texts += [a["project"]["title"], a["project"]["lead"], b["rater"]["name"]]
    texts += [*a["notes"].values(), *b["comments"].values(), *b["notes"].values()]
    return texts


def _same_answers(b: dict[str, Any]) -> None:
    """A review that agrees on every answer."""
    first = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    b["answers"] = first["answers"]
    b["notes"] = {}
    b["comments"] = {}


def _claims_and_findings(a: dict[str, Any]) -> None:
    # A claim without evidence: counted as the level below.
    a["notes"].pop("family_outcomes_measured")


def _review_raises_findings(b: dict[str, Any]) -> None:
    b["answers"]["dim_equitable"] = "none"
    b["answers"]["dim_patient_centred"] = "none"
    b["reviews"]["not_accepted"] = ["family_outcomes_measured"]


def mini_pair(folder: Path) -> tuple[Path, Path]:
    """Two raters of the mini rubric (every question type), linked by project.id only."""
    folder.mkdir(parents=True, exist_ok=True)
    first = folder / "mini-a.yaml"
    first.write_text(
        proposal_text(
            {"driver": "need", "outcome": True, "scope": "system", "groups": ["children"]},
            project={"title": "Mini", "id": "mini-1"},
        ),
        encoding="utf-8",
    )
    second = folder / "mini-b.yaml"
    second.write_text(
        proposal_text(
            {"driver": "target", "outcome": False, "scope": "task", "cycles": 4},
            project={"title": "Mini", "id": "mini-1"},
            rater={"role": "peer"},
        ),
        encoding="utf-8",
    )
    return first, second


def mini_moderation(folder: Path) -> Moderation:
    loaded = load_rubric(MINI_RUBRIC)
    a, b = (load_proposal(p, loaded.rubric) for p in mini_pair(folder))
    return moderate(loaded.rubric, a, b, sha256=loaded.sha256)


# --- reading the output -------------------------------------------------------


def _text(inline: Token) -> str:
    """An inline's text as a reader sees it (escapes undone, line breaks as spaces)."""
    return "".join(
        " " if c.type in ("softbreak", "hardbreak") else c.content for c in inline.children or []
    )


def _inline_texts(tokens: list[Token]) -> list[str]:
    return [_text(t) for t in tokens if t.type == "inline"]


def _headings(tokens: list[Token]) -> list[tuple[str, str]]:
    return [(t.tag, _text(tokens[i + 1])) for i, t in enumerate(tokens) if t.type == "heading_open"]


class _Outline(HTMLParser):
    """Headings, tables and their header cells, and the root's lang."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.headings: list[tuple[int, str]] = []
        self.tables = 0
        self.captions = 0
        self.th_scopes: list[str | None] = []
        self._in: int | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._in, self._text = int(tag[1]), []
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th":
            self.th_scopes.append(a.get("scope"))

    def handle_endtag(self, tag: str) -> None:
        if self._in is not None and tag == f"h{self._in}":
            self.headings.append((self._in, " ".join("".join(self._text).split())))
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._text.append(data)


def outline(html: str) -> _Outline:
    parsed = _Outline()
    parsed.feed(html)
    return parsed


MD = MarkdownIt("commonmark").enable("table")


# --- determinism --------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_rendering_is_deterministic(fmt: str) -> None:
    first = render(moderation_of(EXAMPLE, REVIEW), fmt)
    again = render(moderation_of(EXAMPLE, REVIEW), fmt)
    assert first == again
    assert "2023-11-14" in first  # SOURCE_DATE_EPOCH, not today


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_argument_order_does_not_change_the_file(tmp_path: Path, fmt: str) -> None:
    """The reviewed appraisal comes first whichever way round they are given."""
    one, two = tmp_path / f"one.{fmt}", tmp_path / f"two.{fmt}"
    assert invoke("moderate", EXAMPLE, REVIEW, "-o", one).exit_code == 0
    assert invoke("moderate", REVIEW, EXAMPLE, "-o", two).exit_code == 0
    assert one.read_bytes() == two.read_bytes()
    assert one.read_bytes() == render(moderation_of(EXAMPLE, REVIEW), fmt).encode()


def test_unknown_format_is_refused() -> None:
    with pytest.raises(UsageError, match="allowed: md, html"):
        render(moderation_of(EXAMPLE, REVIEW), "pdf")


# --- what the report says -----------------------------------------------------


def test_markdown_sets_out_the_agenda() -> None:
    m = moderation_of(EXAMPLE, REVIEW)
    text = render(m, "md")
    tokens = MD.parse(text)
    heads = _headings(tokens)
    assert heads[0] == ("h1", f"Moderation: {m.first.appraisal.project.title}")
    assert [h for tag, h in heads if tag == "h2"] == [
        "The two appraisals",
        "Answers compared",
        "To discuss",
        "Claims not accepted without evidence",
        "Findings raised for one rater only",
        "Every question",
    ]
    # The disagreements, those that move most first, by prompt (not by id).
    discussed = [h for tag, h in heads if tag == "h3"]
    order_ = [f"{i}. {q.prompt}" for i, q in enumerate(m.disagreements(), 1)]
    assert discussed == order_ and len(order_) == 5
    assert m.disagreements()[0].id == "purpose_questions"
    texts = _inline_texts(tokens)
    who = raters_named(m)
    assert who == ("Dr D. Example (self-appraisal)", "Dr S. Example (supervisor)")
    assert "23.0 (provisional)" in texts and "18.2 (provisional)" in texts
    assert any(
        t.startswith("The bands agree: both place the project in Stepping stone") for t in texts
    )
    asked = [q for q in m.disagreements() if q.reflect]
    assert len(asked) == 5  # a question without its own takes its section's
    for q in asked:
        assert f"To ask: {q.reflect}" in texts
    for q in m.disagreements():
        assert " ".join(q.comment.split()) in texts  # the reviewer's comment, quoted
    assert "Moves: the score by -2.3" in texts
    assert "Moves: the position by -0.05" in texts
    assert "Moves: neither the score nor the position" in texts
    # The summary table, then the full table: one row per question.
    counts = m.summary()
    for level, n in counts.items():
        assert f"| {AGREEMENT_WORDS[level]} | {n} |" in text
    last_table = text.split("## Every question", 1)[1]
    rows = [line for line in last_table.splitlines() if line.startswith("| ")][2:]
    assert len(rows) == len(m.questions) == sum(counts.values())
    assert counts["neither-answered"] == 19  # two blanks are not counted as the same
    assert "2023-11-14" in text
    # No warning: the review recorded these very bytes.
    assert m.reviewed_changed is None and "Warning" not in text


def test_html_is_ordered_and_labelled() -> None:
    m = moderation_of(EXAMPLE, REVIEW)
    page = outline(render(m, "html"))
    assert page.lang == "en"
    levels = [level for level, _ in page.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in pairwise(levels))  # none skipped
    assert [h for level, h in page.headings if level == 3] == [
        f"{i}. {q.prompt}" for i, q in enumerate(m.disagreements(), 1)
    ]
    assert page.tables == page.captions == 3
    assert page.th_scopes and None not in page.th_scopes


def test_a_changed_file_is_a_warning_that_names_what_changed(tmp_path: Path) -> None:
    def edit(a: dict[str, Any]) -> None:
        a["answers"]["pdsa_cycles"] = 5

    first, review = pair(tmp_path, first=edit, recorded="stale")
    # The review saw pdsa_cycles: 2 (reviews.seen), so the change has a name.
    m = moderation_of(first, review)
    assert m.reviewed_changed is not None
    md = render(m, "md")
    heads = _headings(MD.parse(md))
    assert ("h2", "Warning: the reviewed file changed after the review") in heads
    prompt = "How many PDSA cycles have you run or planned so far?"
    assert f"- **{prompt}:** 2 cycles → 5 cycles" in md
    html = render(m, "html")
    assert "<strong>Warning:</strong>" in html
    assert f"<li><strong>{prompt}:</strong> 2 cycles → 5 cycles</li>" in html
    # The same edit, recorded by the review: no warning.
    first, review = pair(tmp_path / "seen", first=edit)
    assert "Warning" not in render(moderation_of(first, review), "md")


def test_a_review_that_did_not_record_what_it_saw_says_so(tmp_path: Path) -> None:
    def unseen(b: dict[str, Any]) -> None:
        del b["reviews"]["seen"]

    first, review = pair(tmp_path, review=unseen, recorded="stale")
    for fmt in ("md", "html"):
        text = render(moderation_of(first, review), fmt)
        assert "The review did not record what it saw (reviews.seen)" in text


def test_claims_not_accepted_and_findings_for_one_rater(tmp_path: Path) -> None:
    first, review = pair(tmp_path, first=_claims_and_findings, review=_review_raises_findings)
    m = moderation_of(first, review)
    assert [q.id for q in m.not_accepted()] == ["family_outcomes_measured"]
    # The review drops equity and patient-centredness; the first claims without evidence.
    assert m.only_second == ("CE001", "CE020", "CE009") and m.only_first == ("CE031",)
    md = render(m, "md")
    section = md.split("## Claims not accepted without evidence", 1)[1].split("\n## ", 1)[0]
    q = m.not_accepted()[0]
    assert q.answers[0] != q.counted[0]  # the claim counts as the level below
    assert f"- **{q.prompt}:** {q.answers[0]} (counts as: {q.counted[0]}" in section
    assert "no note" in section
    findings = md.split("## Findings raised for one rater only", 1)[1].split("\n## ", 1)[0]
    for rating, ids in ((m.first, m.only_first), (m.second, m.only_second)):
        titles = {f.id: f.title for f in rating.appraisal.findings}
        block = findings.split(f"For {raters_named(m)[rating is m.second]} only:", 1)[1]
        for fid in ids:
            assert f"- {fid} {titles[fid]} (" in block.split("For ", 1)[0]


def test_no_disagreement_is_said_plainly(tmp_path: Path) -> None:
    first, review = pair(tmp_path, review=_same_answers)
    m = moderation_of(first, review)
    assert not m.disagreements()
    md = render(m, "md")
    assert "The raters gave the same answer to every question compared." in md
    assert not [h for tag, h in _headings(MD.parse(md)) if tag == "h3"]


def test_raters_with_the_same_label_are_told_apart(tmp_path: Path) -> None:
    m = mini_moderation(tmp_path)
    same = dataclasses.replace(m, second=dataclasses.replace(m.second, role="self"))
    assert raters_named(same) == ("Self-appraisal, rater 1", "Self-appraisal, rater 2")
    assert raters_named(m) == ("Self-appraisal", "Peer")


# --- hostile text -------------------------------------------------------------


def test_hostile_html_stays_text(tmp_path: Path) -> None:
    first, review = hostile_pair(tmp_path)
    result = invoke("moderate", first, review, "-f", "html")
    assert result.exit_code == 0, result.stderr
    _assert_inert_html(result.stdout)  # PAYLOADS shown exactly as typed, nothing live
    page = outline(result.stdout)
    assert [level for level, _ in page.headings].count(1) == 1
    assert not [h for _, h in page.headings if "injected" in h or "not a heading" in h]
    audit = _Audit()
    audit.feed(result.stdout)
    shown = audit.text.getvalue()
    for text in hostile_texts():
        for line in text.splitlines():
            assert line in shown, line
    assert "div" not in audit.tags and "b" not in audit.tags and "i" not in audit.tags


def _assert_inert_markdown(md: str, texts: list[str]) -> None:
    tokens = MD.parse(md)
    children = [c for t in tokens for c in (t.children or [])]
    kinds = {t.type for t in tokens} | {c.type for c in children}
    assert not kinds & {"html_block", "html_inline", "image", "link_open", "code_block", "fence"}
    # Only the template's own code spans: the SHA-256 prefixes.
    spans = [c.content for c in children if c.type == "code_inline"]
    assert all(len(s) == 16 and set(s) <= set("0123456789abcdef") for s in spans), spans
    # Headings are the template's: a user's line never becomes one.
    heads = {h for _, h in _headings(tokens)}
    lines = {line.lstrip("#").strip() for text in texts for line in text.splitlines()}
    assert not heads & lines, heads & lines
    lists = [t for t in tokens if t.type == "bullet_list_open"]
    assert all(t.markup == "-" for t in lists)
    assert "ordered_list_open" not in kinds
    # Each line of user text reads as typed (escapes undone), in one piece.
    shown = "\n".join(_inline_texts(tokens))
    for text in texts:
        for line in text.splitlines():
            if line.strip():
                assert " ".join(line.split()) in shown, line


def test_hostile_markdown_stays_text(tmp_path: Path) -> None:
    first, review = hostile_pair(tmp_path)
    result = invoke("moderate", first, review, "-f", "md")
    assert result.exit_code == 0, result.stderr
    _assert_inert_markdown(result.stdout, hostile_texts())
    html = MD.render(result.stdout)
    assert "<script" not in html and "<iframe" not in html and "<div" not in html
    # The tables keep their columns: a pipe in a name or a file name is escaped.
    for line in result.stdout.splitlines():
        if line.startswith("| "):
            cells = line.replace("\\|", "").count("|")
            assert cells in (3, 6), line  # the two-column summary, the five-column tables


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_line_breaks_in_any_field_stay_inside_it(tmp_path: Path, fmt: str) -> None:
    """render() is safe on its own, whatever a loader lets through: a title with lines."""
    m = mini_moderation(tmp_path)
    evil = "Line one\n# Not a heading\n<script>x</script>\n| a | b |\n```"
    a = m.first.appraisal
    m = dataclasses.replace(
        m,
        first=dataclasses.replace(
            m.first,
            file=evil,
            name=evil,
            appraisal=dataclasses.replace(a, project=dataclasses.replace(a.project, title=evil)),
        ),
    )
    text = render(m, fmt)
    if fmt == "md":
        tokens = MD.parse(text)
        h1 = [h for tag, h in _headings(tokens) if tag == "h1"]
        assert h1 == ["Moderation: " + " ".join(evil.split())]
        _assert_inert_markdown(text, [evil])
    else:
        assert "<script>x" not in text and "&lt;script&gt;x&lt;/script&gt;" in text
        assert outline(text).headings[0] == (1, " ".join(evil.split()))


# --- -o and --template-dir ----------------------------------------------------


@pytest.mark.parametrize("which", ["first", "review"])
@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink", "hard link"])
def test_output_never_replaces_either_input(tmp_path: Path, which: str, spelling: str) -> None:
    first, review = pair(tmp_path)
    before = {p: p.read_bytes() for p in (first, review)}
    target = _spellings(tmp_path, first if which == "first" else review)[spelling]
    for fmt in ("md", "html", "json"):
        refused(invoke("moderate", first, review, "-f", fmt, "-o", target), str(target))
    assert {p: p.read_bytes() for p in before} == before


def test_output_never_replaces_the_rubric_or_a_template(tmp_path: Path) -> None:
    first, review = pair(tmp_path)
    rubric = Path(shutil.copy(ROOT / "rubrics" / "critical-engagement.yaml", tmp_path / "r.yaml"))
    refused(invoke("moderate", first, review, "--rubric", rubric, "-o", rubric), str(rubric))
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "moderation.md.j2").write_text("# {{ project.title | md }}\n")
    result = invoke(
        "moderate", first, review, "--template-dir", tpl, "-o", tpl / "moderation.md.j2"
    )
    refused(result, "moderation.md.j2")
    assert (tpl / "moderation.md.j2").read_text() == "# {{ project.title | md }}\n"
    # A new file beside the inputs is fine.
    assert invoke("moderate", first, review, "-o", tmp_path / "m.md").exit_code == 0


@pytest.mark.parametrize(
    ("name", "starts"),
    [("m.html", "<!DOCTYPE html>"), ("m.HTM", "<!DOCTYPE html>"), ("m.md", "# Moderation: "),
     ("m.txt", "# Moderation: "), ("m.json", "{")],
)  # fmt: skip
def test_the_format_follows_the_output_name(tmp_path: Path, name: str, starts: str) -> None:
    out = tmp_path / name
    result = invoke("moderate", EXAMPLE, REVIEW, "-o", out)
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith(starts)
    if name.endswith(".json"):
        assert json.loads(text)["schema_version"] == 1
    # --format wins over the name.
    assert invoke("moderate", EXAMPLE, REVIEW, "-f", "md", "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Moderation: ")


def test_text_is_not_written_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "m.txt"
    result = invoke("moderate", EXAMPLE, REVIEW, "-f", "text", "-o", out)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --output writes json, md or html")
    assert not out.exists()


def test_stdout_is_the_report(tmp_path: Path) -> None:
    result = invoke("moderate", EXAMPLE, REVIEW, "-f", "md")
    assert result.exit_code == 0
    assert result.stdout == render(moderation_of(EXAMPLE, REVIEW), "md")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_template_dir_overrides_by_name_and_falls_back(tmp_path: Path, fmt: str) -> None:
    bundled = render(moderation_of(EXAMPLE, REVIEW), fmt)
    other = tmp_path / "other"
    other.mkdir()
    (other / f"report.{fmt}.j2").write_text("not this one\n")
    result = invoke("moderate", EXAMPLE, REVIEW, "-f", fmt, "--template-dir", other)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == bundled
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / f"moderation.{fmt}.j2").write_text(
        "{% include '_style.css.j2' %}\nMINE {{ summary['apart'] }} {{ who[1] }}\n"
    )
    result = invoke("moderate", EXAMPLE, REVIEW, "-f", fmt, "--template-dir", mine)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(":root {")  # the bundled stylesheet, included
    assert "MINE 1 Dr S. Example (supervisor)" in result.stdout


def test_a_template_typo_is_one_located_error(tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "moderation.md.j2").write_text("# ok\n{{ m.nonesuch }}\n")
    result = invoke("moderate", EXAMPLE, REVIEW, "-f", "md", "--template-dir", tpl)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {tpl / 'moderation.md.j2'}:2:")


def _include_a_link(tpl: Path, outside: Path, fmt: str) -> str:
    (tpl / "leak.j2").symlink_to(outside / "secret.txt")
    (tpl / f"moderation.{fmt}.j2").write_text("# Leak\n{% include 'leak.j2' %}\n")
    return "leak.j2"


def _template_is_a_link(tpl: Path, outside: Path, fmt: str) -> str:
    (tpl / f"moderation.{fmt}.j2").symlink_to(outside / "secret.txt")
    return f"moderation.{fmt}.j2"


def _style_is_a_folder_link(tpl: Path, outside: Path, fmt: str) -> str:
    # The bundled HTML template includes _style.css.j2: a user's one is found first.
    (tpl / "etc").symlink_to(outside, target_is_directory=True)
    (tpl / "_style.css.j2").symlink_to("etc/secret.txt")
    if fmt == "md":
        (tpl / "moderation.md.j2").write_text("{% include '_style.css.j2' %}\n")
    return "_style.css.j2"


@needs_links
@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize(
    "plant", [_include_a_link, _template_is_a_link, _style_is_a_folder_link], ids=lambda f: f.__name__.strip("_")
)  # fmt: skip
def test_a_link_out_of_the_template_dir_is_refused(
    tmp_path: Path, fmt: str, plant: Callable[[Path, Path, str], str]
) -> None:
    outside = _secret(tmp_path)
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    name = plant(tpl, outside, fmt)
    out = tmp_path / f"m.{fmt}"
    result = invoke("moderate", EXAMPLE, REVIEW, "-f", fmt, "--template-dir", tpl, "-o", out)
    assert result.exit_code == 2, result.output
    assert SECRET not in result.output
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {tpl / name}: template '{name}' leads outside")
    assert not out.exists()


# --- validators (slow) --------------------------------------------------------


def _cases(folder: Path) -> Iterator[tuple[str, Moderation]]:
    yield "example", moderation_of(EXAMPLE, REVIEW)

    def edit(a: dict[str, Any]) -> None:
        a["answers"]["pdsa_cycles"] = 5
        a["notes"]["pdsa_cycles"] = "Counted: five."

    yield "changed", moderation_of(*pair(folder / "changed", first=edit, recorded="stale"))

    def unseen(b: dict[str, Any]) -> None:
        del b["reviews"]["seen"]

    yield "unseen", moderation_of(*pair(folder / "unseen", review=unseen, recorded="stale"))
    yield (
        "claims",
        moderation_of(
            *pair(folder / "claims", first=_claims_and_findings, review=_review_raises_findings)
        ),
    )
    yield "agree", moderation_of(*pair(folder / "agree", review=_same_answers))
    yield "mini", mini_moderation(folder / "mini")
    yield "hostile", moderation_of(*hostile_pair(folder / "hostile"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
    try:
        out = tmp_path_factory.mktemp("moderation")
        files: dict[str, list[Path]] = {"md": [], "html": []}
        for stem, m in _cases(tmp_path_factory.mktemp("cases")):
            for fmt in ("md", "html"):
                # Named for the screenshots in test-artifacts/, beside the appraisal reports'.
                path = out / f"moderation-{stem}.{fmt}"
                path.write_text(render(m, fmt), encoding="utf-8")
                files[fmt].append(path)
        return files
    finally:
        mp.undo()


@pytest.mark.slow
def test_html_passes_the_nu_checker(rendered: dict[str, list[Path]]) -> None:
    assert len(rendered["html"]) == 7
    assert vnu_errors(rendered["html"]) == ""


@pytest.mark.slow
def test_html_has_no_axe_violations(rendered: dict[str, list[Path]]) -> None:
    found = axe_violations(rendered["html"])
    assert found == {}, dump(found)


@pytest.mark.slow
def test_markdown_passes_markdownlint(rendered: dict[str, list[Path]]) -> None:
    # The hostile text too: a URL in user text is defused (mdtext), not a bare URL.
    assert markdownlint_errors(rendered["md"]) == ""


def test_markdown_parses_as_commonmark_without_html(rendered: dict[str, list[Path]]) -> None:
    for path in rendered["md"]:
        tokens = MD.parse(path.read_text(encoding="utf-8"))
        kinds = [t.type for t in tokens]
        assert kinds.count("table_open") == 3, path.name
        assert "html_block" not in kinds and "html_inline" not in kinds
        assert kinds.count("heading_open") >= 7, path.name


def test_html_is_self_contained(rendered: dict[str, list[Path]]) -> None:
    for path in rendered["html"]:
        html = path.read_text(encoding="utf-8")
        audit = _Audit()
        audit.feed(html)
        assert not {"script", "link", "img", "iframe", "object"} & set(audit.tags), path.name
        links = [v for k, v in audit.attrs if k in ("href", "src", "action")]
        assert links and all(v.startswith("#") for v in links), links
        style = html.split("<style>", 1)[1].split("</style>", 1)[0]
        assert "url(" not in style and "@import" not in style
        page = outline(html)
        assert page.lang == "en" and page.tables == page.captions
        assert None not in page.th_scopes


def test_bundled_templates_exist() -> None:
    for name in ("moderation.md.j2", "moderation.html.j2"):
        assert (templates_dir() / name).is_file()
