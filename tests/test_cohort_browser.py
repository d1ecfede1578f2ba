"""The cohort report in a real browser: readable at common widths, sortable, plain without script."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from .test_cli_core import run
from .validators import launch

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cohort with long words in every column a reader scans: groups, bands, titles."""
    folder = tmp_path_factory.mktemp("cohort")
    for i, example in enumerate(sorted((ROOT / "examples").glob("*.yaml"))):
        data = yaml.safe_load(example.read_text())
        data["project"]["title"] = f"groupA project {i}: {data['project']['title']}"
        (folder / f"groupA-{i}.yaml").write_text(yaml.safe_dump(data))
    out = folder / "out"
    result = run("batch", folder, "--out", out, "--report-format", "html")
    assert result.exit_code == 0, result.stderr
    return out / "index.html"


def _rows(page: Any, column: int) -> list[str]:
    return page.eval_on_selector_all(
        "#every-project tbody tr",
        f"rows => rows.map(r => r.cells[{column}].textContent.trim())",
    )


@pytest.mark.parametrize("width", [1200, 1024, 800])
def test_no_word_is_broken_in_the_table(report: Path, width: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(report.as_uri())
            # A cell whose words were split mid-word is wider inside than its
            # box (scrollWidth) or wraps a single word: check every word of the
            # band, score and count columns stays on one line.
            broken = page.evaluate(
                """() => {
                  const out = [];
                  for (const row of document.querySelectorAll('#every-project tbody tr')) {
                    for (const i of [3, 4, 6, 7, 8]) {
                      const cell = row.cells[i];
                      const range = document.createRange();
                      for (const node of cell.childNodes) {
                        if (node.nodeType !== Node.TEXT_NODE) continue;
                        const re = /\\S+/g; let m;
                        while ((m = re.exec(node.textContent))) {
                          range.setStart(node, m.index);
                          range.setEnd(node, m.index + m[0].length);
                          if (range.getClientRects().length > 1) out.push(m[0]);
                        }
                      }
                    }
                  }
                  return out;
                }"""
            )
            assert broken == []
        finally:
            browser.close()


def test_every_column_sorts_both_ways(report: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(report.as_uri())
            heads = page.query_selector_all("#every-project thead th button.sort")
            assert len(heads) == 9  # each heading became a button
            score = page.locator("#every-project thead th").nth(3)
            score.locator("button").click()
            assert score.get_attribute("aria-sort") == "ascending"
            ascending = [float(s.split()[0]) for s in _rows(page, 3)]
            assert ascending == sorted(ascending)
            score.locator("button").click()
            assert score.get_attribute("aria-sort") == "descending"
            assert [float(s.split()[0]) for s in _rows(page, 3)] == sorted(ascending, reverse=True)
            band = page.locator("#every-project thead th").nth(4)
            band.locator("button").click()
            bands = _rows(page, 4)
            order = ["Repair", "Stepping stone", "Reform"]  # the rubric's order, not A-Z
            assert [order.index(b) for b in bands] == sorted(order.index(b) for b in bands)
            assert score.get_attribute("aria-sort") is None  # one column sorted at a time
            title = page.locator("#every-project thead th").nth(0)
            title.locator("button").click()
            titles = _rows(page, 0)
            assert titles == sorted(titles, key=str.casefold)
        finally:
            browser.close()


def test_without_script_it_is_the_plain_table(report: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(java_script_enabled=False)
            page = context.new_page()
            page.goto(report.as_uri())
            assert page.query_selector_all("#every-project thead th button") == []
            files = _rows(page, 1)
            assert files == sorted(files) and len(files) == 4
        finally:
            browser.close()
