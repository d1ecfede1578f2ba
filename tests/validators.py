"""Real validators for rendered output: the Nu HTML Checker, axe-core, markdownlint.

`.ci/setup` installs what these need (npm packages, Debian's chromium). When a
tool is missing the test fails with a message saying how to install it: a
validator that silently skipped would prove nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
MARKDOWNLINT = ROOT / "node_modules" / ".bin" / "markdownlint-cli2"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"

SETUP_HINT = "run `bash .ci/setup` to install the validators"


def _need(path: Path | str, what: str) -> None:
    if not Path(path).exists():
        pytest.fail(f"{what} not found at {path}; {SETUP_HINT}")


def vnu_errors(files: Iterable[Path]) -> str:
    """Nu HTML Checker errors for ``files`` ('' when they are valid)."""
    _need(VNU, "vnu.jar")
    java = shutil.which("java")
    if java is None:
        pytest.fail(f"java not found; {SETUP_HINT}")
    proc = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return (proc.stdout + proc.stderr).strip() if proc.returncode else ""


def markdownlint_errors(files: Iterable[Path]) -> str:
    _need(MARKDOWNLINT, "markdownlint-cli2")
    proc = subprocess.run(
        [str(MARKDOWNLINT), "--config", str(ROOT / ".markdownlint-cli2.jsonc"), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return (proc.stdout + proc.stderr).strip() if proc.returncode else ""


def launch(playwright: Any) -> Any:
    """Headless Debian chromium, quiet: no network of its own, no first-run work."""
    _need(CHROMIUM, "chromium")
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )


def axe_violations(files: Iterable[Path]) -> dict[str, list[str]]:
    """axe-core violations per file, run in headless Debian chromium; screenshots too."""
    _need(AXE, "axe-core")
    _need(CHROMIUM, "chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    found: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 900})
            # Reports must not fetch anything: fail the test on any request but the file itself.
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            for f in files:
                requests.clear()
                page.goto(f.resolve().as_uri())
                page.screenshot(path=str(ARTIFACTS / f"{f.stem}.png"), full_page=True)
                page.add_script_tag(path=str(AXE))
                result = page.evaluate(
                    "async () => await axe.run(document, {resultTypes: ['violations']})"
                )
                problems = [
                    f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}"
                    for v in result["violations"]
                ]
                external = [u for u in requests if not u.startswith("file://")]
                problems += [f"fetched {u}" for u in external]
                if problems:
                    found[f.name] = problems
        finally:
            browser.close()
    return found


def dump(found: dict[str, list[str]]) -> str:
    return json.dumps(found, indent=2)
