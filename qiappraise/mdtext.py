"""Escaping user text for Markdown, so an answer can never change the document.

CommonMark lets any ASCII punctuation be escaped with a backslash. We escape
the characters that start inline markup (or raw HTML, or a table cell's end)
everywhere, and those that only matter at the start of a line (list items,
setext underlines) there.
"""

from __future__ import annotations

import re

_INLINE = re.compile(r"([\\`*_\[\]<>|~&#!{}$])")
_ORDERED = re.compile(r"^(\s*)(\d+)([.)])")
_BULLET = re.compile(r"^(\s*)([-+=])")


def _line_start(s: str) -> str:
    m = _ORDERED.match(s)
    if m:
        return f"{m.group(1)}{m.group(2)}\\{m.group(3)}{s[m.end() :]}"
    m = _BULLET.match(s)
    if m:
        return f"{m.group(1)}\\{m.group(2)}{s[m.end() :]}"
    return s


def inline(text: object) -> str:
    """One line of escaped text (newlines become spaces)."""
    return _line_start(_INLINE.sub(r"\\\1", " ".join(str(text).split())))


def cell(text: object) -> str:
    """Text for a table cell: one line, pipes escaped, never empty."""
    return inline(text) or " "


def quote(text: object) -> str:
    """A block quote of several lines, each escaped."""
    lines = str(text).strip("\n").splitlines() or [""]
    return "\n".join("> " + inline(line) if line.strip() else ">" for line in lines)
