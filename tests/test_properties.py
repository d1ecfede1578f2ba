"""Property tests: loaders and the scorer on generated, then perturbed, input.

The default run is quick; set QIAPPRAISE_FUZZ_EXAMPLES (e.g. 5000) for a long one.
Whatever the input, the loaders and the scorer either succeed or raise the
project's own errors; scores stay within bounds and are deterministic; any
valid appraisal renders to well-formed HTML and to Markdown without raw HTML.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
from html.parser import HTMLParser
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from qiappraise.base.errors import QiAppraiseError
from qiappraise.base.yamlio import load_text
from qiappraise.load.rubric import load_rubric
from qiappraise.proposal import model as proposal_mod
from qiappraise.rendering.jsonout import document, document_text
from qiappraise.rendering.report import render
from qiappraise.rubric.model import Rubric
from qiappraise.rubric.read import DEFAULT_RUBRIC, find_rubric
from qiappraise.rubric.read import validate as validate_rubric
from qiappraise.scoring.score import score

from .conftest import MINI_RUBRIC

EXAMPLES = int(os.environ.get("QIAPPRAISE_FUZZ_EXAMPLES", "60"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

MINI_DATA: dict[str, Any] = yaml.safe_load(MINI_RUBRIC.read_text(encoding="utf-8"))
MINI = validate_rubric(load_text(MINI_RUBRIC.read_text(encoding="utf-8"), str(MINI_RUBRIC)))

# Any text a person might type, including control characters and other scripts.
TEXT = st.text(min_size=0, max_size=60)
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def _answer(q: Any) -> st.SearchStrategy[Any]:
    values = [c.value for c in q.choices_]
    if q.type in ("choice", "scale"):
        return st.sampled_from(values)
    if q.type == "multi":
        plain = [c.value for c in q.choices_ if not c.exclusive]
        return st.lists(st.sampled_from(plain), unique=True, max_size=len(plain))
    if q.type == "yes_no":
        return st.booleans()
    if q.type == "number":
        return st.integers(min_value=int(q.min or 0), max_value=int(q.max or 100))
    return TEXT.filter(lambda t: "\n" not in t.strip()) if q.type == "text" else TEXT


@st.composite
def proposals(draw: st.DrawFn, rubric: Rubric = MINI) -> dict[str, Any]:
    answers = {}
    for qid, q in rubric.questions.items():
        if draw(st.booleans()):
            answers[qid] = draw(_answer(q))
    return {
        "rubric": {"id": rubric.id, "version": rubric.version},
        "project": {"title": draw(TEXT.filter(lambda t: t.strip() != "")), "lead": draw(TEXT)},
        "answers": answers,
    }


@st.composite
def perturbed(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(proposals())
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        section = draw(st.sampled_from(["rubric", "project", "answers", "top"]))
        target = data if section == "top" else data.setdefault(section, {})
        if not isinstance(target, dict):
            continue
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        keys = list(target)
        if action == "replace" and keys:
            target[draw(st.sampled_from(keys))] = draw(JUNK)
        elif action == "delete" and keys:
            del target[draw(st.sampled_from(keys))]
        else:
            target[draw(TEXT)] = draw(JUNK)
    return data


def _load(data: Any, rubric: Rubric = MINI) -> Any:
    text = yaml.safe_dump(data, allow_unicode=True)
    located = proposal_mod.read_text(text, "fuzz.yaml")
    return proposal_mod.validate(located, rubric)


@SETTINGS
@given(st.text(max_size=400))
def test_yaml_loader_never_crashes(text: str) -> None:
    with contextlib.suppress(QiAppraiseError):
        load_text(text, "fuzz.yaml")


@SETTINGS
@given(perturbed())
def test_proposal_loader_and_scorer_only_raise_our_errors(data: dict[str, Any]) -> None:
    try:
        p = _load(data)
    except QiAppraiseError:
        return
    a = score(MINI, p)
    assert a.score is None or 0 <= a.score <= 100


@st.composite
def annotated(draw: st.DrawFn, rubric: Rubric = MINI) -> dict[str, Any]:
    """A proposal with the optional parts too: team, notes and waivers."""
    data = draw(proposals(rubric))
    data["project"]["team"] = draw(st.lists(TEXT.filter(lambda t: t.strip() != ""), max_size=3))
    data["project"]["date"] = draw(st.sampled_from(["2026-01-15", "1999-12-31"]))
    qids = list(rubric.questions)
    # Notes back claims, except those that say the answer is assumed.
    note = TEXT | TEXT.map(lambda t: "Assumed: " + t)
    data["notes"] = draw(st.dictionaries(st.sampled_from(qids), note, max_size=3))
    auto = rubric.auto_findings
    findings = [f.id for f in rubric.findings] + [
        f.id for f in (auto.unsure, auto.unevidenced, auto.placement) if f is not None
    ]
    data["waivers"] = [
        {"finding": f, "reason": draw(TEXT.filter(lambda t: t.strip() != ""))}
        for f in draw(st.lists(st.sampled_from(findings), unique=True, max_size=2))
    ]
    return data


DEFAULT = load_rubric(find_rubric(DEFAULT_RUBRIC)).rubric


@SETTINGS
@given(st.data())
def test_fast_json_writer_matches_the_json_module(draw: st.DataObject) -> None:
    # batch writes documents with jsonout.document_text, which reuses encoded
    # fragments between proposals; it must equal json.dumps of the document.
    rubric = draw.draw(st.sampled_from([MINI, DEFAULT]))
    try:
        p = _load(draw.draw(annotated(rubric)), rubric)
    except QiAppraiseError:
        return
    for _ in range(2):  # the second time from the remembered fragments
        a = score(rubric, p, sha256="f" * 64)
        assert document_text(a) == json.dumps(
            document(a), ensure_ascii=False, separators=(",", ":")
        )


@SETTINGS
@given(proposals())
def test_scoring_is_bounded_and_deterministic(data: dict[str, Any]) -> None:
    try:
        p = _load(data)
    except QiAppraiseError:
        return  # e.g. generated text with a control character: refused, which is allowed
    first, second = score(MINI, p), score(MINI, p)
    assert first == second
    assert first.score is None or 0 <= first.score <= 100
    assert first.position is None or 0 <= first.position <= 1
    for s in first.sections:
        assert s.score is None or 0 <= s.score <= 100
        assert 0 <= s.earned <= s.maximum
    assert (first.band is None) == (first.position is None)


@st.composite
def rubric_variants(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(MINI_DATA)
    first = draw(st.integers(min_value=0, max_value=100))
    data["sections"][0]["weight"], data["sections"][1]["weight"] = first, 100 - first
    low = draw(st.floats(min_value=0.05, max_value=0.6))
    high = draw(st.floats(min_value=low + 0.05, max_value=0.95))
    bands = data["spectrum"]["bands"]
    bands[0]["up_to"], bands[1]["up_to"] = round(low, 3), round(high, 3)
    bands[0]["anchor"], bands[1]["anchor"], bands[2]["anchor"] = (
        0.0,
        round((low + high) / 2, 3),
        1.0,
    )
    for section in data["sections"]:
        for q in section["questions"]:
            for c in q.get("choices", []) + q.get("levels", []):
                c["points"] = draw(st.none() | st.integers(min_value=0, max_value=5))
    return data


@SETTINGS
@given(rubric_variants(), st.data())
def test_generated_rubrics_score_within_bounds(data: dict[str, Any], draw: st.DataObject) -> None:
    text = yaml.safe_dump(data)
    try:
        rubric = validate_rubric(load_text(text, "rubric.yaml"))
    except QiAppraiseError:
        return
    try:
        p = _load(draw.draw(proposals(rubric)), rubric)
    except QiAppraiseError:
        return
    a = score(rubric, p)
    assert a.score is None or 0 <= a.score <= 100
    assert a.position is None or 0 <= a.position <= 1
    if a.band is not None:
        assert a.band.id == rubric.band(a.position or 0).id


VOID = {
    "meta",
    "link",
    "br",
    "img",
    "input",
    "hr",
    "col",
    "area",
    "base",
    "wbr",
    "source",
    "path",
    "circle",
    "line",
    "rect",
    "polygon",
    "stop",
}


class _Balance(HTMLParser):
    """Checks that every element that is opened is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


@settings(
    max_examples=max(10, EXAMPLES // 4), deadline=None, suppress_health_check=list(HealthCheck)
)
@given(proposals())
def test_any_valid_appraisal_renders(data: dict[str, Any]) -> None:
    try:
        p = _load(data)
    except QiAppraiseError:
        return
    a = score(MINI, p)
    html = render(a, MINI, "html")
    checker = _Balance()
    checker.feed(html)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    assert "<script" not in html
    md = render(a, MINI, "md")
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in (t.children or [])}
    assert not kinds & {"html_block", "html_inline"}
