"""cohort: figures checked against a small cohort computed by hand; the cohort report."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from qiappraise.cohort.aggregate import DimensionShare, aggregate, neglect, summary, wilson
from qiappraise.cohort.batch import FindingRef, Row, RubricMeta
from qiappraise.cohort.report import render

DIMS = ("safe", "effective", "patient_centred", "timely", "efficient", "equitable")
META = RubricMeta(
    id="critical-engagement",
    version="1.0.0",
    title="Critical engagement",
    sha256="a" * 64,
    sections=(("purpose", "Purpose"),),
    dimensions=tuple((d, d.replace("_", "-").capitalize()) for d in DIMS),
    bands=(("repair", "Repair"), ("stepping-stone", "Stepping-stone"), ("reform", "Reform")),
)
LABELS = {"repair": "Repair", "stepping-stone": "Stepping-stone", "reform": "Reform"}


def row(
    name: str,
    score: float | None,
    band: str | None,
    levels: dict[str, str],
    findings: tuple[tuple[str, str], ...] = (),
) -> Row:
    return Row(
        file=f"cohort/{name}.yaml",
        relative=f"{name}.yaml",
        title=f"Project {name} <b>&",
        lead="Dr X",
        rubric_sha256="a" * 64,
        score=score,
        band=band,
        band_label=LABELS.get(band or "", ""),
        position=None,
        complete=True,
        sections=(("purpose", score),),
        dimensions=tuple((d, levels.get(d, "none")) for d in DIMS),
        findings=tuple(FindingRef(i, sev, f"Title of {i}") for i, sev in findings),
        reports=(f"{name}.html", f"{name}.md"),
    )


P, S = "primary", "secondary"
ROWS = [
    row(
        "e",
        None,
        None,
        {},
        (("CE009", "warning"),),
    ),
    row(
        "a",
        95.0,
        "reform",
        {"safe": S, "effective": P, "patient_centred": S, "efficient": S, "equitable": P},
    ),
    row(
        "b",
        28.0,
        "repair",
        {"safe": S, "timely": P, "efficient": P},
        (("CE002", "warning"), ("CE009", "warning")),
    ),
    row(
        "c", 29.0, "repair", {"safe": P, "efficient": S}, (("CE009", "warning"), ("CE014", "info"))
    ),
    row(
        "d",
        77.0,
        "stepping-stone",
        {"effective": S, "patient_centred": S, "equitable": P},
        (("CE011", "warning"),),
    ),
]


def test_hand_computed_cohort() -> None:
    c = aggregate(ROWS, [META], failed=1, skipped=2)
    assert (c.scored, c.failed, c.skipped, c.unplaced, c.unscored) == (5, 1, 2, 1, 1)
    assert [(b.id, b.count) for b in c.bands] == [
        ("repair", 2),
        ("stepping-stone", 1),
        ("reform", 1),
    ]
    assert [b.share for b in c.bands] == [0.4, 0.2, 0.2]
    assert {b.label: b.count for b in c.bins if b.count} == {"20-29": 2, "70-79": 1, "90-100": 1}
    assert len(c.bins) == 10 and sum(b.count for b in c.bins) == 4
    # mean (95 + 28 + 29 + 77) / 4 = 57.25; median (29 + 77) / 2 = 53
    assert (c.mean, c.median, c.lowest, c.highest) == (57.2, 53.0, 28.0, 95.0)
    shares = {d.id: (d.primary, d.secondary, d.not_addressed, d.share) for d in c.dimensions}
    assert shares == {
        "safe": (1, 2, 2, 0.6),
        "effective": (1, 1, 3, 0.4),
        "patient_centred": (0, 2, 3, 0.4),
        "timely": (1, 0, 4, 0.2),
        "efficient": (1, 2, 2, 0.6),
        "equitable": (2, 0, 3, 0.4),
    }
    # Others: (0.6 + 0.4 + 0.2 + 0.6) / 4 = 0.45 > 0.4 for both: the claim holds.
    assert c.neglect is not None
    assert c.neglect.verdict == "holds" and c.neglect.others_share == 0.45
    assert [(f.id, f.count) for f in c.findings] == [
        ("CE009", 3),
        ("CE002", 1),
        ("CE011", 1),
        ("CE014", 1),
    ]
    assert [p.relative for p in c.findings[0].projects] == ["b.yaml", "c.yaml", "e.yaml"]
    assert [p.relative for p in c.projects] == ["a.yaml", "b.yaml", "c.yaml", "d.yaml", "e.yaml"]
    s = summary(c)
    assert s["bands"] == {"repair": 2, "stepping-stone": 1, "reform": 1}
    assert s["dimensions"]["equitable"]["addressed_share"] == 0.4
    assert s["neglect"] == {
        "verdict": "holds",
        "neglected": ["equitable", "patient_centred"],
        "others_share": 0.45,
        # 2 of 5 each: the Wilson 95% interval, which holds 0.45, so "holds" is uncertain.
        "intervals": {"equitable": [0.1176, 0.7693], "patient_centred": [0.1176, 0.7693]},
        "uncertain": True,
    }


def test_order_of_rows_does_not_matter() -> None:
    assert aggregate(ROWS, [META]) == aggregate(list(reversed(ROWS)), [META])


def _share(dim: str, addressed: int, total: int = 10) -> DimensionShare:
    return DimensionShare(dim, dim, addressed, 0, total - addressed)


def test_neglect_verdicts() -> None:
    others = [_share(d, 5) for d in ("safe", "effective", "timely", "efficient")]
    partly = neglect([*others, _share("equitable", 2), _share("patient_centred", 9)])
    assert partly is not None and partly.verdict == "partly"
    assert [d.id for d in partly.neglected] == ["equitable"]
    refuted = neglect([*others, _share("equitable", 5), _share("patient_centred", 9)])
    assert refuted is not None and refuted.verdict == "refuted"
    assert neglect(others) is None


def test_reports_say_it_in_words_and_link_each_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    c = aggregate(ROWS, [META])
    html = render(c, "html")
    assert "equity and patient-centredness are neglected holds for this cohort" in html
    assert 'href="a.html"' in html and "Project a &lt;b&gt;&amp;" in html
    # The one script is the bundled table sorter; nothing else runs or is fetched.
    assert html.count("<script") == 1 and "<script>\n/* Sorting for the table" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "2023-11-14" in html
    assert render(c, "html") == html
    md = render(c, "md")
    assert "[Project a \\<b\\>\\&](a.md)" in md
    assert "| Repair | 2 | 40% |" in md
    tokens = [t.type for t in MarkdownIt("commonmark").enable("table").parse(md)]
    assert "html_inline" not in tokens and "html_block" not in tokens


def test_empty_cohort_renders() -> None:
    c = aggregate([], [META], failed=2)
    assert "No project has a score yet" in render(c, "html")
    assert "No findings were raised" in render(c, "md")


@pytest.mark.slow
def test_cohort_reports_pass_the_validators(tmp_path: Path) -> None:
    import dataclasses

    from .validators import axe_violations, dump, markdownlint_errors, vnu_errors

    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    # A provisional project, a dimension not known yet and a failed file: every
    # optional part of the report is drawn.
    first = dataclasses.replace(
        ROWS[1],
        complete=False,
        dimensions=tuple((d, "unknown" if d == "timely" else lv) for d, lv in ROWS[1].dimensions),
    )
    # A review of one of them, a failed file with several problems, and (in
    # the second report) drafts left out: the parts added for issues 12 and 14.
    review = dataclasses.replace(
        ROWS[2],
        file="cohort/review.yaml",
        relative="review.yaml",
        role="supervisor",
        rater="Dr <R> & co",
        reviews=os.path.realpath(ROWS[2].file),
    )
    rows = [ROWS[0], first, *ROWS[2:], review]
    failures = [("b.yaml", "b.yaml:2: invalid YAML: <x> (and 1 more problem)")]
    problems = {"b.yaml": ("b.yaml:2: invalid YAML: <x>", "b.yaml:3: `y` | <z>")}
    whole = aggregate(rows, [META], failures=failures, failure_problems=problems)
    assert whole.reviews and whole.neglect is not None and whole.neglect.uncertain
    drafts_out = aggregate(rows, [META], exclude_drafts=True)
    assert drafts_out.drafts_excluded == 1
    htmls, mds = [], []
    for name, c in (("whole", whole), ("drafts-out", drafts_out)):
        html = tmp_path / f"{name}.html"
        html.write_text(render(c, "html"), encoding="utf-8")
        md = tmp_path / f"{name}.md"
        md.write_text(render(c, "md"), encoding="utf-8")
        htmls.append(html)
        mds.append(md)
    assert vnu_errors(htmls) == ""
    found = axe_violations(htmls)
    assert found == {}, dump(found)
    assert markdownlint_errors(mds) == ""
    text = htmls[0].read_text()
    assert "Dr &lt;R&gt; &amp; co" in text and "<details>" in text and "Too close to call" in text


def test_wilson_intervals_match_published_values() -> None:
    # Brown, Cai and DasGupta (2001) and any Wilson calculator: 5 of 10 and 0 of 10.
    assert wilson(5, 10) == (0.2366, 0.7634)
    assert wilson(0, 10) == (0.0, 0.2775)
    assert wilson(10, 10) == (0.7225, 1.0)
    assert wilson(0, 0) == (0.0, 1.0)


def test_a_close_verdict_is_uncertain_and_a_clear_one_is_not() -> None:
    def cohort(n: int, others: int, low: int) -> bool:
        dims = [
            DimensionShare(d, d, others, 0, n - others)
            for d in ("safe", "effective", "timely", "efficient")
        ] + [DimensionShare(d, d, low, 0, n - low) for d in ("equitable", "patient_centred")]
        found = neglect(dims)
        assert found is not None and found.verdict == "holds"
        return found.uncertain

    assert cohort(19, 12, 11)  # 58% against 63% across 19 projects: chance could do it
    assert not cohort(400, 250, 100)  # 25% against 62% across 400: it cannot


def test_drafts_can_be_left_out_of_the_figures() -> None:
    import dataclasses

    draft = dataclasses.replace(ROWS[1], complete=False)
    rows = [ROWS[0], draft, *ROWS[2:]]
    kept = aggregate(rows, [META])
    out = aggregate(rows, [META], exclude_drafts=True)
    assert (kept.scored, kept.drafts_excluded) == (5, 0)
    assert (out.scored, out.drafts_excluded) == (4, 1)
    assert sum(b.count for b in out.bands) == sum(b.count for b in kept.bands) - 1
    assert summary(out)["drafts_excluded"] == 1


def test_provisional_projects_and_failed_files_are_named_in_the_report() -> None:
    import dataclasses

    # "a" (95) has required questions unanswered: its score is a floor.
    rows = [ROWS[0], dataclasses.replace(ROWS[1], complete=False), *ROWS[2:]]
    failures = [("cohort/broken.yaml", "cohort/broken.yaml:2: invalid YAML: <not> *closed*")]
    c = aggregate(rows, [META], failures=failures)
    assert (c.failed, c.provisional, c.failures) == (1, 1, tuple(failures))
    assert [p.relative for p in c.projects if p.provisional] == ["a.yaml"]
    html, md = render(c, "html"), render(c, "md")
    assert (
        "<dt>Provisional</dt><dd>1 (with required questions unanswered, which count as 0), "
        "marked (provisional) below; a provisional score is a floor"
    ) in html
    assert html.count("(provisional)</span>") == 1 and "(draft)" not in html
    assert "<code>cohort/broken.yaml:2: invalid YAML: &lt;not&gt; *closed*</code>" in html
    assert (
        "- Provisional: 1 (with required questions unanswered, which count as 0), "
        "marked *(provisional)* below; a provisional score is a floor"
    ) in md
    assert md.count(" *(provisional)* |") == 1 and "draft" not in md.lower()
    assert "| 95 *(provisional)* |" in md
    assert "These figures include provisional scores, which are floors." in md
    assert "These figures include provisional scores, which are floors." in html
    assert "- cohort/broken.yaml:2: invalid YAML: \\<not\\> \\*closed\\*" in md
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
    assert aggregate(ROWS, [META], failed=2).failed == 2  # a count alone still works
    # A complete cohort says nothing about provisional scores.
    whole = aggregate(ROWS, [META])
    assert whole.provisional == 0
    assert "rovisional" not in render(whole, "md") and "rovisional" not in render(whole, "html")


def test_provisional_scores_are_counted_in_their_bins() -> None:
    import dataclasses

    rows = [dataclasses.replace(r, complete=r.relative != "c.yaml") for r in ROWS]
    c = aggregate(rows, [META])
    assert {b.label: (b.count, b.provisional) for b in c.bins if b.count} == {
        "20-29": (2, 1),
        "70-79": (1, 0),
        "90-100": (1, 0),
    }
    s = summary(c)
    assert s["provisional"] == 1
    assert s["score"]["bins"][2] == {"from": 20, "to": 29, "count": 2, "provisional": 1}
    md = render(c, "md")
    assert "| Score | Projects | Of which provisional |" in md and "| 20-29 | 2 | 1 |" in md
    html = render(c, "html")
    assert '<td class="num">2</td><td class="num">1</td>' in html
    assert "2 scored 20-29 (1 provisional)" in html  # the chart's description, in words
    assert 'stroke-dasharray="4 3"' in html  # the floors drawn apart, not by colour alone


def test_dimensions_not_known_yet_are_counted_apart() -> None:
    import dataclasses

    # "e" answered nothing: equitable may yet be addressed.
    rows = [
        dataclasses.replace(
            r,
            complete=False,
            dimensions=tuple((d, "unknown" if d == "equitable" else lv) for d, lv in r.dimensions),
        )
        if r.relative == "e.yaml"
        else r
        for r in ROWS
    ]
    c = aggregate(rows, [META])
    eq = next(d for d in c.dimensions if d.id == "equitable")
    assert (eq.primary, eq.secondary, eq.not_addressed, eq.unknown, eq.total) == (2, 0, 2, 1, 5)
    assert summary(c)["dimensions"]["equitable"]["unknown"] == 1
    md = render(c, "md")
    assert "| Dimension | Primary | Secondary | Not addressed | Not known yet |" in md
    assert "| Equitable | 2 | 0 | 2 | 1 | 40% |" in md
    assert "Not known yet</th>" in render(c, "html")
    assert "Not known yet" not in render(aggregate(ROWS, [META]), "md")


def test_a_partly_verdict_reads_as_two_sentences() -> None:
    import dataclasses

    # Give every project the equitable dimension: only patient-centredness stays low.
    rows = [
        dataclasses.replace(
            r, dimensions=tuple((d, P if d == "equitable" else lv) for d, lv in r.dimensions)
        )
        for r in ROWS
    ]
    c = aggregate(rows, [META])
    assert c.neglect is not None and c.neglect.verdict == "partly"
    md = render(c, "md")
    assert "falls below that mean. (Singh and Cribb 2021" in md
