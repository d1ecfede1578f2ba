"""Asking one question in the terminal, with the questionary prompt that fits its type.

``ASKERS`` maps each rubric question type to a function that asks it and
returns the stored answer, or ``BACK`` / ``HELP`` when the user asks to go
back or to see the rationale. Lists offer both as entries at the bottom; text
prompts take ``<`` (back) and ``?`` (help) typed alone.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from typing import Any

import questionary
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.styles import Style

from . import textcheck
from .questions import AnswerError, kind
from .rubric import (
    ChoiceQuestion,
    NumberQuestion,
    QuestionT,
    ScaleQuestion,
    TextQuestion,
    YesNoQuestion,
)


class _Action:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


BACK = _Action("BACK")
HELP = _Action("HELP")
BACK_LABEL = "<- Go back to the previous question"
HELP_LABEL = "?  Show why this question matters"
TEXT_KEYS = "type ? for help, < to go back"

# Meaning never rests on colour alone: the pointer and marks carry it, so the
# prompts read the same with NO_COLOR or on a monochrome terminal.
STYLE = Style(
    [
        ("qmark", "bold"),
        ("question", "bold"),
        ("pointer", "bold"),
        ("highlighted", "bold"),
        ("selected", "bold"),
        ("instruction", "italic"),
        ("answer", "bold"),
    ]
)

Asker = Callable[[QuestionT, Any], Any]

# questionary's list prompts bind the Ctrl-C key but not the SIGINT signal
# (`kill -INT`, a terminal's interrupt from outside), which prompt_toolkit
# turns into a <sigint> key press: without this binding such a signal is
# silently ignored.
_SIGINT = KeyBindings()


@_SIGINT.add(Keys.SIGINT)
def _interrupt(event: KeyPressEvent) -> None:
    event.app.exit(exception=KeyboardInterrupt, style="class:aborting")


def run(question: questionary.Question) -> Any:
    """Ask ``question``; Ctrl-C or SIGINT raises KeyboardInterrupt, EOF raises EOFError."""
    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), _SIGINT])
    return question.unsafe_ask()


def _actions(can_go_back: bool) -> list[questionary.Choice]:
    out = [questionary.Choice(HELP_LABEL, value=HELP)]
    if can_go_back:
        out.append(questionary.Choice(BACK_LABEL, value=BACK))
    return out


def ask_text(q: TextQuestion, default: Any, *, can_go_back: bool = True) -> Any:
    def validate(text: str) -> bool | str:
        if text.strip() in ("?", "<"):
            return True
        if not text.strip():
            return True if not q.required else "an answer is required (or ? for help)"
        try:
            kind(q).coerce(q, text)
        except AnswerError as exc:
            return str(exc)
        return True

    multiline = q.type == "long_text"
    instruction = f"({TEXT_KEYS})"
    message = q.prompt
    if multiline:
        # prompt_toolkit draws nothing at all for a multi-line prompt whose message
        # is wider than the terminal, and every line of the answer starts where the
        # message ends: so the question and the keys go above a short message.
        cols = shutil.get_terminal_size((80, 24)).columns - 1
        questionary.print(
            textwrap.fill("? " + q.prompt, cols, subsequent_indent="  "), style="bold"
        )
        questionary.print(f"  (several lines allowed; Esc then Enter to finish; {TEXT_KEYS})")
        message, instruction = "Answer", ""
    raw = run(
        questionary.text(
            message,
            default="" if default is None else str(default),
            validate=validate,
            multiline=multiline,
            instruction=instruction or None,
            style=STYLE,
        )
    )
    return _text_action(raw, can_go_back) or (kind(q).coerce(q, raw) if raw.strip() else None)


def _text_action(raw: str, can_go_back: bool) -> _Action | None:
    if raw.strip() == "?":
        return HELP
    if raw.strip() == "<":
        return BACK if can_go_back else HELP
    return None


def ask_number(q: NumberQuestion, default: Any, *, can_go_back: bool = True) -> Any:
    k = kind(q)

    def parse(text: str) -> Any:
        value = float(text) if any(c in text for c in ".eE") else int(text)
        return k.coerce(q, value)

    def validate(text: str) -> bool | str:
        text = text.strip()
        if text in ("?", "<") or (not text and not q.required):
            return True
        try:
            parse(text)
        except (ValueError, OverflowError):
            return q.invalid_message or f"{text!r} is not a number; {k.allowed(q)}"
        return True

    raw = run(
        questionary.text(
            q.prompt + (f" ({q.unit})" if q.unit else ""),
            default="" if default is None else str(default),
            validate=validate,
            instruction=f"({k.allowed(q)}; {TEXT_KEYS})",
            style=STYLE,
        )
    )
    return _text_action(raw, can_go_back) or (parse(raw.strip()) if raw.strip() else None)


def _fit(text: str) -> tuple[str, str | None]:
    """A one-line title for a list entry, and the full text when it had to be cut."""
    width = max(40, shutil.get_terminal_size((80, 24)).columns - 6)
    text = " ".join(text.split())
    if len(text) <= width:
        return text, None
    return text[: width - 1] + "…", text


#: Lists this long or shorter are numbered 1) to 9), and typing the number
#: moves to the entry (questionary's shortcuts); longer lists use the arrows.
MAX_NUMBERED = 9


def _numbered(texts: list[str], numbered: bool) -> list[str]:
    """List titles; when any is too long for the terminal the full texts are
    printed above the list first (the terminal wraps them), numbered as the
    list is, so a long answer is never cut off unread."""
    width = max(40, shutil.get_terminal_size((80, 24)).columns - 8)
    clean = [" ".join(t.split()) for t in texts]
    if any(len(t) > width for t in clean):
        cols = shutil.get_terminal_size((80, 24)).columns - 1
        for i, t in enumerate(clean, 1):
            mark = f"  {i}) " if numbered else "  - "
            questionary.print(
                textwrap.fill(t, cols, initial_indent=mark, subsequent_indent=" " * len(mark))
            )
    return [t if len(t) <= width else f"{t[: width - 1]}…" for t in clean]


def ask_choice(q: ChoiceQuestion | ScaleQuestion, default: Any, *, can_go_back: bool = True) -> Any:
    actions = _actions(can_go_back)
    numbered = len(q.choices_) + len(actions) <= MAX_NUMBERED
    # Scale levels show their descriptor beside the label.
    titles = _numbered(
        [f"{c.label}: {c.descriptor}" if c.descriptor else c.label for c in q.choices_],
        numbered,
    )
    choices = [
        questionary.Choice(t, value=c.value) for t, c in zip(titles, q.choices_, strict=True)
    ]
    choices += actions
    start = next((c for c in choices if c.value == default), None)
    return run(
        questionary.select(
            q.prompt,
            choices=choices,
            default=start,
            use_shortcuts=numbered,
            instruction="(arrow keys or number, Enter to choose)"
            if numbered
            else "(arrow keys, Enter to choose)",
            style=STYLE,
        )
    )


def ask_yes_no(q: YesNoQuestion, default: Any, *, can_go_back: bool = True) -> Any:
    choices = [
        questionary.Choice(c.label, value=(c.value == "yes")) for c in q.choices_
    ] + _actions(can_go_back)
    start = next((c for c in choices if default is not None and c.value is default), None)
    return run(
        questionary.select(
            q.prompt,
            choices=choices,
            default=start,
            use_shortcuts=True,
            instruction="(arrow keys or number, Enter)",
            style=STYLE,
        )
    )


def ask_multi(q: ChoiceQuestion, default: Any, *, can_go_back: bool = True) -> Any:
    chosen = set(default or [])
    choices = []
    for c in q.choices:
        title, full = _fit(c.label)
        choices.append(
            questionary.Choice(title, value=c.value, checked=c.value in chosen, description=full)
        )
    choices += _actions(can_go_back)
    k = kind(q)

    def validate(values: list[Any]) -> bool | str:
        actions = [v for v in values if isinstance(v, _Action)]
        if actions:
            return True if len(values) == 1 else "choose help or back on its own"
        if not values:
            return (
                True
                if not q.required or q.min_selected == 0
                else f"choose at least {q.min_selected}"
            )
        try:
            k.coerce(q, values)
        except AnswerError as exc:
            return str(exc)
        return True

    values = run(
        questionary.checkbox(
            q.prompt,
            choices=choices,
            validate=validate,
            instruction="(Space to tick, Enter when done; tick help or back alone to use them)",
            style=STYLE,
        )
    )
    if len(values) == 1 and isinstance(values[0], _Action):
        return values[0]
    return values or None  # nothing ticked on an optional question: unanswered


#: Question type -> the prompt that asks it. Add the next question type here.
ASKERS: dict[str, Callable[..., Any]] = {
    "text": ask_text,
    "long_text": ask_text,
    "choice": ask_choice,
    "scale": ask_choice,
    "multi": ask_multi,
    "yes_no": ask_yes_no,
    "number": ask_number,
}


def ask(q: QuestionT, default: Any, *, can_go_back: bool = True) -> Any:
    return ASKERS[q.type](q, default, can_go_back=can_go_back)


def ask_line(message: str, default: str = "", *, limit: int | None = None) -> str:
    """One line of free text (a note, a comment), stripped; "" when left empty.

    Refuses hidden characters, and more than ``limit`` characters, as the
    proposal loader does, so what is typed here can always be read back.
    """

    def validate(text: str) -> bool | str:
        text = text.strip()
        if limit is not None and len(text) > limit:
            return f"too long ({len(text)} characters; at most {limit})"
        return textcheck.problem(text) or True

    raw = run(questionary.text(message, default=default, validate=validate, style=STYLE))
    return (raw or "").strip()


def ask_meta(
    prompt: str, default: str, validate: Callable[[str], bool | str], *, can_go_back: bool
) -> Any:
    raw = run(
        questionary.text(
            prompt, default=default, validate=validate, instruction=f"({TEXT_KEYS})", style=STYLE
        )
    )
    return _text_action(raw, can_go_back) or raw
