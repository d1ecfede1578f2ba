"""User text: control characters and invisible reordering are refused."""

from __future__ import annotations

import pytest

from qiappraise.base.textcheck import problem


@pytest.mark.parametrize(
    "text",
    [
        "Plain title",
        "Ärztliche Qualität – café",
        "تحسين الجودة",
        "עברית\u200f mark",
        "tab\there",
        "",
    ],
)
def test_ordinary_text_is_fine(text: str) -> None:
    assert problem(text) is None


def test_line_breaks_only_where_allowed() -> None:
    assert problem("one\ntwo", multiline=True) is None
    assert (
        problem("one\ntwo")
        == "contains a line break at character 4 (this field is one line); remove it"
    )


@pytest.mark.parametrize(
    ("text", "code", "name"),
    [
        ("a\x07b", "U+0007", "BELL"),
        ("\x1b[31mred", "U+001B", "ESCAPE"),
        ("nul\x00", "U+0000", "NULL"),
        ("del\x7f", "U+007F", "DELETE"),
        ("c1\x85", "U+0085", "control character"),
        ("cr\rlf", "U+000D", "CARRIAGE RETURN"),
    ],
)
def test_control_characters(text: str, code: str, name: str) -> None:
    why = problem(text, multiline=True)
    assert why is not None and f"a control character {code} ({name})" in why


@pytest.mark.parametrize(
    "ch", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
)
def test_bidirectional_controls(ch: str) -> None:
    why = problem(f"safe{ch}txt.exe", multiline=True)
    assert why is not None
    assert f"invisible bidirectional control U+{ord(ch):04X}" in why
    assert "at character 5" in why
