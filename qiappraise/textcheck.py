"""What user text may contain: no control characters, no invisible reordering.

Proposal text ends up in terminals, reports and CI annotations. A stray
escape sequence can repaint a terminal; a right-to-left override or isolate
(the "Trojan Source" characters) can make a title display as something other
than what it says. Both are refused with a message naming the character.
"""

from __future__ import annotations

import unicodedata

#: Bidirectional embeddings, overrides and isolates. Plain direction marks
#: (U+200E, U+200F, U+061C) stay allowed: right-to-left writing needs them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _name(ch: str) -> str:
    names = {
        "\x00": "NULL",
        "\x07": "BELL",
        "\x1b": "ESCAPE",
        "\x7f": "DELETE",
        "\r": "CARRIAGE RETURN",
    }
    return names.get(ch) or unicodedata.name(ch, "") or "control character"


def problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` is refused, or None when it is fine."""
    for i, ch in enumerate(text):
        code = ord(ch)
        if (ch == "\n" and multiline) or ch == "\t":
            continue
        if ch in BIDI_CONTROLS:
            return (
                f"contains an invisible bidirectional control U+{code:04X} ({_name(ch)}) at "
                f"character {i + 1}, which can make text display differently from what it "
                "says; remove it"
            )
        if code < 0x20 or 0x7F <= code < 0xA0:
            what = (
                "a line break" if ch == "\n" else f"a control character U+{code:04X} ({_name(ch)})"
            )
            allowed = "" if ch != "\n" else " (this field is one line)"
            return f"contains {what} at character {i + 1}{allowed}; remove it"
    return None
