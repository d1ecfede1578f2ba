"""The docs' screenshots, made from the examples by the browser the tests already drive.

Each picture is taken again on every run and compared with the one in
docs/images/: both are cut to the same box, turned grey and shrunk, so a
pixel of font smoothing does not matter but a moved table, a lost section or
a new colour does. `pytest --update-screenshots tests/test_screenshots.py`
rewrites them (look at the pictures before committing).
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from .test_cli_core import run
from .validators import launch

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
VIEWPORT = {"width": 1100, "height": 760}
#: Mean difference per pixel (0-255) allowed after shrinking to a tenth:
#: anti-aliasing and hinting stay well under it, a changed layout does not.
TOLERANCE = 6.0
pytestmark = pytest.mark.slow


def _terminal_html(tmp_path: Path) -> Path:
    """The terminal summary of `score`, as rich records it, for the browser to draw."""
    from rich.console import Console

    from qiappraise.load.pipeline import appraise_file
    from qiappraise.rendering import present

    console = Console(record=True, width=90, force_terminal=True, color_system="truecolor")
    # Relative, as a user types it: a clone's own path must not show in the picture.
    present.appraisal(console, appraise_file(Path("examples") / "poverty-screening.yaml"))
    page = tmp_path / "terminal.html"
    page.write_text(console.export_html(inline_styles=True), encoding="utf-8")
    return page


def _report_html(tmp_path: Path) -> Path:
    page = tmp_path / "report.html"
    result = run("report", Path("examples") / "poverty-screening.yaml", "-o", page)
    assert result.exit_code == 0, result.stderr
    return page


def _cohort_html(tmp_path: Path) -> Path:
    out = tmp_path / "cohort"
    result = run("batch", Path("examples"), "--out", out, "--report-format", "html")
    assert result.exit_code == 0, result.stderr
    return out / "index.html"


PAGES: dict[str, Callable[[Path], Path]] = {
    "terminal-summary": _terminal_html,
    "appraisal-report": _report_html,
    "cohort-report": _cohort_html,
}


def _shot(page_file: Path) -> bytes:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
            page.goto(page_file.resolve().as_uri())
            return page.screenshot(full_page=False, animations="disabled")
        finally:
            browser.close()


def _difference(a: bytes, b: bytes) -> float:
    from PIL import Image, ImageChops, ImageStat

    first, second = (Image.open(io.BytesIO(x)).convert("L") for x in (a, b))
    size = (VIEWPORT["width"] // 10, VIEWPORT["height"] // 10)
    first, second = first.resize(size), second.resize(size)
    return float(ImageStat.Stat(ImageChops.difference(first, second)).mean[0])


@pytest.mark.parametrize("name", PAGES)
def test_screenshot_is_current(
    name: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.chdir(ROOT)
    fresh = _shot(PAGES[name](tmp_path))
    stored = IMAGES / f"{name}.png"
    if request.config.getoption("--update-screenshots"):
        IMAGES.mkdir(parents=True, exist_ok=True)
        stored.write_bytes(fresh)
        return
    assert stored.is_file(), f"{stored} is missing: run pytest --update-screenshots {__file__}"
    difference = _difference(stored.read_bytes(), fresh)
    if difference > TOLERANCE:
        (tmp_path / stored.name).write_bytes(fresh)
        shutil.copy(tmp_path / stored.name, ROOT / "test-artifacts" / f"fresh-{stored.name}")
    assert difference <= TOLERANCE, (
        f"{stored.name} no longer shows what qiappraise draws (mean difference {difference:.1f} "
        f"> {TOLERANCE}); the fresh one is test-artifacts/fresh-{stored.name}. If the change is "
        f"meant, run pytest --update-screenshots {__file__}"
    )


def test_the_tolerance_catches_a_changed_picture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The comparison must be able to fail: a report and a cohort are not alike.
    monkeypatch.chdir(ROOT)
    report, cohort = _shot(_report_html(tmp_path)), _shot(_cohort_html(tmp_path))
    assert _difference(report, report) == 0.0
    assert _difference(report, cohort) > TOLERANCE


def test_the_docs_show_them() -> None:
    # The README shows one; the guides show the others.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count("](docs/images/") == 1
    shown = readme + "".join(
        page.read_text(encoding="utf-8").replace("](images/", "](docs/images/")
        for page in sorted((ROOT / "docs").glob("*.md"))
    )
    for name in PAGES:
        assert f"](docs/images/{name}.png)" in shown, name
