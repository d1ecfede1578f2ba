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
#: What GitHub and GitLab turn into links in plain text (GFM's "extended
#: autolinks"): a scheme's colon, "www." and an address's "@". Escaping one
#: character of each keeps the text as written, and not a link a reader might
#: follow from a report (markdownlint calls the same thing a bare URL).
_AUTOLINK = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*)(:)(?=//)|(\bwww)(\.)|(@)")


def _no_autolink(s: str) -> str:
    def defuse(m: re.Match[str]) -> str:
        scheme, colon, www, dot, _ = m.groups()
        if colon:
            return f"{scheme}\\:"
        if dot:
            return f"{www}\\."
        return "\\@"

    return _AUTOLINK.sub(defuse, s)


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
    return _line_start(_no_autolink(_INLINE.sub(r"\\\1", " ".join(str(text).split()))))


def cell(text: object) -> str:
    """Text for a table cell: one line, pipes escaped, never empty."""
    return inline(text) or " "


def quote(text: object) -> str:
    """A block quote of several lines, each escaped."""
    lines = str(text).strip("\n").splitlines() or [""]
    return "\n".join("> " + inline(line) if line.strip() else ">" for line in lines)
