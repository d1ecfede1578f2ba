"""Safe by default: hostile text stays text, nothing runs, nothing leaves the machine."""

from __future__ import annotations

import io
import socket
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from qiappraise.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "poverty-screening.yaml"

PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "javascript:alert(document.cookie)",
    '"><iframe src="javascript:alert(1)"></iframe>',
    "</title><script>alert(2)</script>",
    "<a href='javascript:alert(3)'>click</a>",
    "<style>body{display:none}</style>",
    "<!-- comment --> ]]> <![CDATA[ x ]]>",
    "{{ config.__class__ }} {% raw %}",
    "[link](javascript:alert(4)) ![img](http://example.invalid/x.png)",
    "&lt;script&gt; &amp; &#60;b&#62;",
]


def hostile_proposal(tmp_path: Path) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    p = data["project"]
    p["title"] = "Title " + PAYLOADS[0]
    p["lead"] = PAYLOADS[1]
    p["team"] = PAYLOADS[2:5]
    p["setting"] = PAYLOADS[5]
    data["answers"]["active_ingredient"] = " ".join(PAYLOADS[6:9])
    data["answers"]["local_context"] = "\n".join(PAYLOADS)
    data["notes"] = {"purpose_driver": PAYLOADS[9], "general": PAYLOADS[10]}
    data["waivers"] = [{"finding": "CE003", "reason": PAYLOADS[11]}]
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


class _Audit(HTMLParser):
    """Every element and attribute in a document, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.text = io.StringIO()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(k, v or "") for k, v in attrs]

    def handle_data(self, data: str) -> None:
        self.text.write(data)


def _invoke(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args], env={"SOURCE_DATE_EPOCH": "0"})


def _assert_inert_html(html: str) -> None:
    audit = _Audit()
    audit.feed(html)
    assert "script" not in audit.tags and "iframe" not in audit.tags and "img" not in audit.tags
    assert audit.tags.count("style") == 1  # our own stylesheet only
    assert not [k for k, _ in audit.attrs if k.startswith("on")]
    assert not [v for k, v in audit.attrs if k in ("href", "src") and "javascript:" in v.lower()]
    # Links only point inside the document: no external fetch, no navigation away.
    assert all(v.startswith("#") for k, v in audit.attrs if k in ("href", "src"))
    text = audit.text.getvalue()
    for payload in PAYLOADS[:9]:
        assert payload in text  # shown to the reader exactly as typed


def test_html_report_shows_payloads_as_text(tmp_path: Path) -> None:
    result = _invoke("report", hostile_proposal(tmp_path), "--format", "html")
    assert result.exit_code == 0, result.stderr
    _assert_inert_html(result.stdout)


def test_markdown_report_shows_payloads_as_text(tmp_path: Path) -> None:
    result = _invoke("report", hostile_proposal(tmp_path))
    assert result.exit_code == 0, result.stderr
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(result.stdout)
    children = [c for t in tokens for c in (t.children or [])]
    kinds = {t.type for t in tokens} | {c.type for c in children}
    assert not kinds & {"html_block", "html_inline", "image"}
    links = [c.attrGet("href") for c in children if c.type == "link_open"]
    assert links == []
    html = md.render(result.stdout)
    assert (
        "<script" not in html
        and "<iframe" not in html
        and "onerror=" not in html.replace("onerror=&quot;", "")
    )


def test_cohort_report_shows_payloads_as_text(tmp_path: Path) -> None:
    hostile_proposal(tmp_path)
    out = tmp_path / "out"
    result = _invoke("batch", tmp_path / "hostile.yaml", "--out", out)
    assert result.exit_code == 0, result.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    audit = _Audit()
    audit.feed(index)
    # One script, the bundled table sorter, word for word; no payload becomes another.
    assert audit.tags.count("script") == 1 and "img" not in audit.tags
    assert _scripts(index) == _scripts((ROOT / "templates" / "cohort.html.j2").read_text())
    assert not [k for k, _ in audit.attrs if k.startswith("on")]
    assert PAYLOADS[0] in audit.text.getvalue().split("/* Sorting for the table")[0]
    hrefs = [v for k, v in audit.attrs if k == "href"]
    assert all(h.startswith("#") or (h.endswith(".html") and "/" not in h) for h in hrefs), hrefs


def test_python_tags_are_refused_everywhere(tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    marker = tmp_path / "pwned"
    evil.write_text(
        "rubric: {id: critical-engagement, version: 1.0.0}\n"
        "project:\n  title: !!python/object/apply:os.system ['touch " + str(marker) + "']\n"
    )
    for command in (["score"], ["report"], ["check"], ["batch"], ["compare", evil]):
        result = _invoke(*command, evil)
        assert result.exit_code == 2, (command, result.output)
        assert "unsupported YAML tag" in result.stdout + result.stderr  # check reports on stdout
    result = _invoke("rubric", "validate", evil)
    assert result.exit_code == 2
    assert not marker.exists()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Make every attempt to open a socket fail loudly, and record it."""
    attempts: list[tuple[Any, ...]] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network access attempted during a test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_no_command_opens_a_network_connection(tmp_path: Path, no_network: list[Any]) -> None:
    ex = [str(p) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    commands: list[list[str | Path]] = [
        ["score", *ex],
        ["score", "--format", "json", *ex],
        ["report", ex[0], "--format", "html", "-o", tmp_path / "r.html"],
        ["report", ex[0]],
        ["batch", *ex, "--jobs", "1", "--out", tmp_path / "out", "--report-format", "both"],
        ["batch", *ex, "--jobs", "1", "--json", tmp_path / "b.json", "--csv", tmp_path / "b.csv"],
        ["compare", ex[0], ex[1]],
        ["rubric", "validate"],
        ["rubric", "show"],
        ["rubric", "schema"],
        ["rubric", "list"],
        ["schema"],
        ["init", tmp_path / "new.yaml"],
        ["--version"],
    ]
    commands += [
        ["check", *ex, "--output-format", f, "--exit-zero"]
        for f in ("text", "json", "sarif", "junit", "github", "gitlab")
    ]
    for command in commands:
        result = _invoke(*command)
        assert result.exit_code in (0, 1), (command, result.output)
    assert no_network == []


def _scripts(html: str) -> list[str]:
    """The text of each script element, as written."""
    import re

    return re.findall(r"<script>(.*?)</script>", html, flags=re.S)
