"""Escaping user text for Markdown: it reads as written and never becomes markup or a link."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from qiappraise.base.mdtext import cell, inline, quote

MD = MarkdownIt("commonmark")


def _text(rendered_markdown: str) -> str:
    """What a reader sees: the text of the rendered paragraph."""
    tokens = MD.parseInline(rendered_markdown)
    return "".join(c.content for t in tokens for c in (t.children or []) if c.type == "text")


@pytest.mark.parametrize(
    "text",
    [
        "see https://evil.example/x now",
        "www.nhs.uk",
        "dr.example@nhs.net",
        "javascript://alert(1)",
        "[link](http://x) ![img](http://y)",
        "<b>bold</b> *em* `code` | pipe",
    ],
)
def test_links_and_markup_stay_text(text: str) -> None:
    escaped = inline(text)
    tokens = MD.parseInline(escaped)
    kinds = {c.type for t in tokens for c in (t.children or [])}
    assert kinds <= {"text", "softbreak"}, kinds
    assert _text(escaped) == text
    # GitHub's extended autolinks need an unbroken "scheme://", "www." or "a@b":
    # each is broken by an escape that CommonMark renders as the plain character.
    assert not re.search(r"(?<!\\)://|www\.|(?<!\\)@", escaped), escaped


def test_a_colon_that_is_not_a_scheme_stays_as_it_is() -> None:
    assert inline("ratio 2:1, time 10:30") == "ratio 2:1, time 10:30"


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80))
def test_any_printable_text_reads_back_exactly(text: str) -> None:
    one_line = " ".join(text.split())
    if not one_line:
        return
    assert _text(inline(one_line)) == one_line


def test_cell_is_never_empty_and_quote_keeps_lines() -> None:
    assert cell("") == " "
    assert quote("a\nb") == "> a\n> b"
