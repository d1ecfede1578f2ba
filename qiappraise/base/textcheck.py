"""What user text may contain: no control characters, no invisible reordering.

Proposal text ends up in terminals, reports and CI annotations. A stray
escape sequence can repaint a terminal; a right-to-left override or isolate
(the "Trojan Source" characters) can make a title display as something other
than what it says. Both are refused with a message naming the character.
Text that is shown but never checked (file names, error messages) is made
``visible`` instead: such characters are spelled out, never obeyed.
"""

from __future__ import annotations

import re
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


# One regular expression finds the first refused character at C speed: this
# runs on every text of every proposal a batch scores.
_REFUSED = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_ONE_LINE = re.compile(f"[{_REFUSED}\n]")
_MULTILINE = re.compile(f"[{_REFUSED}]")


def problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` is refused, or None when it is fine."""
    found = (_MULTILINE if multiline else _ONE_LINE).search(text)
    if found is None:
        return None
    ch, i = found.group(), found.start()
    code = ord(ch)
    if ch in BIDI_CONTROLS:
        return (
            f"contains an invisible bidirectional control U+{code:04X} ({_name(ch)}) at "
            f"character {i + 1}, which can make text display differently from what it "
            "says; remove it"
        )
    if ch == "\n":
        return f"contains a line break at character {i + 1} (this field is one line); remove it"
    return (
        f"contains a control character U+{code:04X} ({_name(ch)}) at character {i + 1}; remove it"
    )


# What ``visible`` spells out: everything ``problem`` refuses, and (in one-line
# text) tabs, line breaks and the Unicode line and paragraph separators.
_SHOWN_MULTILINE = re.compile(f"[{_REFUSED}]")
_SHOWN_ONE_LINE = re.compile(f"[{_REFUSED}\t\n\u2028\u2029]")


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return {9: "\\t", 10: "\\n", 13: "\\r"}.get(code) or (
        f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    )


def visible(text: str, *, multiline: bool = False) -> str:
    """``text`` with control and bidi characters spelled out (``\\x1b``), for a terminal.

    Text a user could not have typed into a proposal still reaches the
    terminal through file names and error messages; shown this way, an
    escape sequence cannot repaint the screen and a line break in a file
    name cannot fake a line of output. ``multiline`` keeps line breaks and tabs.
    """
    pattern = _SHOWN_MULTILINE if multiline else _SHOWN_ONE_LINE
    if pattern.search(text) is None:  # the usual case, at C speed
        return text
    return pattern.sub(_escape, text)


def inert_log_line(text: str) -> str:
    """One line of log text that a CI runner cannot read as a command.

    GitHub's runner reads ``::command::`` at the start of a line (after
    leading blanks) on stdout and stderr, and the older ``##[command]``
    anywhere in a line. The line is made visible (a line break too, so no
    second line can start), then a leading ``::`` and every ``##[`` get a
    backslash, which the runner does not look past.
    """
    line = visible(text)
    stripped = line.lstrip()
    if stripped.startswith("::"):
        line = line[: len(line) - len(stripped)] + "\\" + stripped
    return line.replace("##[", "##\\[")
