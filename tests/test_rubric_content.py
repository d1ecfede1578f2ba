"""The bundled rubric's content is faithful to its source (issue 11, part h).

* Text in double quotes in the rubric's prose is a quotation from Singh and
  Cribb (2021) and must appear there word for word.
* The article's DOI and the SQUIRE 2.0 item numbers are the right ones.
* Each question says what it is for: a reflective question to discuss.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from qiappraise.base.resources import rubrics_dir
from qiappraise.base.yamlio import load_text

ARTICLE = Path(__file__).parent / "fixtures" / "article" / "singh-cribb-2021.txt"
RUBRIC = rubrics_dir() / "critical-engagement.yaml"


def normalise(text: str) -> str:
    """The article's text as a reader sees it: line-break hyphens and spacing undone."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2014", " - ")
    text = re.sub(r"(\w)- +(\w)", r"\1-\2", text)  # 'short- term' as printed across lines
    return " ".join(text.split())


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return []


def quotations(text: str) -> list[str]:
    return re.findall(r'"([^"]+)"', text)


ARTICLE_TEXT = normalise(ARTICLE.read_text(encoding="utf-8"))
RUBRIC_DATA = load_text(RUBRIC.read_text(encoding="utf-8")).data
QUOTED = sorted({q for s in strings(RUBRIC_DATA) for q in quotations(s)})


def test_the_rubric_quotes_the_article() -> None:
    assert len(QUOTED) >= 5  # the check below is not vacuous


@pytest.mark.parametrize("phrase", QUOTED)
def test_every_quotation_is_word_for_word(phrase: str) -> None:
    assert normalise(phrase) in ARTICLE_TEXT, f"not in the article: {phrase!r}"


def test_a_changed_quotation_would_be_caught() -> None:
    # The normalisation must not be so loose that a paraphrase passes.
    assert normalise("winnable, measurable and fixable") in ARTICLE_TEXT
    assert normalise("winnable, measurable and solvable") not in ARTICLE_TEXT


def test_the_article_is_cited_with_its_doi() -> None:
    source = next(s for s in RUBRIC_DATA["sources"] if s["id"] == "singh-cribb-2021")
    assert source["url"] == "https://doi.org/10.1136/archdischild-2020-318924"


def test_squire_items_are_the_right_ones() -> None:
    # SQUIRE 2.0: item 10 is measures, item 12 ethical considerations, item 13
    # results (unintended consequences), item 15 interpretation, item 16 limitations.
    text = " ".join(strings(RUBRIC_DATA))
    assert "SQUIRE 2.0 item 12" not in text
    assert "SQUIRE 2.0 item 15" not in text
    measures = next(
        q for s in RUBRIC_DATA["sections"] for q in s["questions"] if q["id"] == "measure_types"
    )
    assert "item 10" in measures["cite"] and "item 13" in measures["cite"]


def test_every_question_has_a_reflective_question() -> None:
    missing = [
        q["id"]
        for s in RUBRIC_DATA["sections"]
        for q in s["questions"]
        if q["feeds"] != "profile" and not q.get("reflect")
    ]
    assert missing == []
