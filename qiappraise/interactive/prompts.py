"""Asking one question in the terminal, with the questionary prompt that fits its type.

``ASKERS`` maps each rubric question type to a function that asks it and
returns the stored answer, or ``BACK`` / ``HELP`` when the user asks to go
back or to see the rationale (``NOWHERE``: back was asked at the first
question). Lists offer both as entries at the bottom; text prompts take ``<``
(back) and ``?`` (help) typed alone. Given a :class:`NoteKey`, a prompt also
takes a key that answers and asks for a note (``n`` in lists, Ctrl-N in text).
"""

from __future__ import annotations

import shutil
import signal
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import questionary
from prompt_toolkit.application import Application
from prompt_toolkit.filters import Condition, is_done
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, Window, to_container
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.styles import Style
from questionary.prompts.common import InquirerControl

from ..base import textcheck
from ..rendering.present import short as cut
from ..rubric.model import (
    ChoiceQuestion,
    NumberQuestion,
    QuestionT,
    ScaleQuestion,
    TextQuestion,
    YesNoQuestion,
)
from ..rubric.questions import AnswerError, exclusive_conflict, kind


class Action:
    """What a user asked for instead of an answer: help, or to go back."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


BACK = Action("BACK")
HELP = Action("HELP")
#: ``<`` at the first question: there is nothing to go back to.
NOWHERE = Action("NOWHERE")
BACK_LABEL = "<- Go back to the previous question"
HELP_LABEL = "?  Show why this question matters"
TEXT_KEYS = "type ? for help, < to go back"
#: The note key, as each kind of prompt names it in its hint line.
NOTE_IN_LIST = "n to add a note"
NOTE_IN_TEXT = "Ctrl-N to answer and add a note"

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
T = TypeVar("T")


@dataclass
class NoteKey:
    """Given to a prompt, it offers the note key; ``pressed`` says it answered with it."""

    pressed: bool = False


# questionary's list prompts bind the Ctrl-C key but not the SIGINT signal
# (`kill -INT`, a terminal's interrupt from outside), which prompt_toolkit
# turns into a <sigint> key press: without this binding such a signal is
# silently ignored.
_SIGINT = KeyBindings()


@_SIGINT.add(Keys.SIGINT)
def _interrupt(event: KeyPressEvent) -> None:
    event.app.exit(exception=KeyboardInterrupt, style="class:aborting")


class _Stopped(Exception):
    """SIGTERM or SIGHUP arrived while a prompt ran (see ``run``)."""


def _stop_signals() -> list[int]:
    """SIGTERM and SIGHUP, where a Python handler (the entry point's) catches them."""
    found = []
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and callable(signal.getsignal(signum)):
            found.append(signum)
    return found


def run(question: questionary.Question) -> Any:
    """Ask ``question``; Ctrl-C or SIGINT raises KeyboardInterrupt, EOF raises EOFError.

    SIGTERM and SIGHUP (a closed terminal) end the prompt first and then reach
    the entry point's handler, which unwinds the command (so the lock file
    goes, issue 14, item 9). Raised inside prompt_toolkit's event loop, that
    handler's exception was caught there first: a traceback and "Press ENTER
    to continue..." on the terminal, with the unwinding left to chance.
    """
    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), _SIGINT])
    signals = _stop_signals()
    if not signals:
        return question.unsafe_ask()
    previous = {signum: signal.getsignal(signum) for signum in signals}
    stopped: list[int] = []

    def end_prompt() -> None:
        if not app.is_done:
            app.exit(exception=_Stopped())

    def handler(signum: int, frame: object) -> None:
        stopped.append(signum)
        loop = app.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(end_prompt)  # safe from a signal handler

    def stopped_early() -> None:
        if stopped:  # the signal came before the event loop ran
            end_prompt()

    app.pre_run_callables.append(stopped_early)
    for signum in signals:
        signal.signal(signum, handler)
    try:
        return question.unsafe_ask()
    except _Stopped:
        pass
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
        if stopped:
            first = previous[stopped[0]]
            assert callable(first)
            first(stopped[0], None)  # raises, as the signal would have
    raise AssertionError("unreachable: a prompt ended by a signal re-raises it")


Submit = Callable[[KeyPressEvent], object]


def _note_bindings(note: NoteKey, keys: tuple[str | Keys, ...], submit: Submit) -> KeyBindings:
    """``keys`` submit as ``submit`` does, remembering that a note is wanted.

    A submission the prompt refuses (validation) leaves the flag unset, so a
    later plain Enter is just Enter.
    """
    bindings = KeyBindings()

    def answer_with_note(event: KeyPressEvent) -> None:
        note.pressed = True
        submit(event)
        if not event.app.is_done:
            note.pressed = False

    for key in keys:
        bindings.add(key, eager=True)(answer_with_note)
    return bindings


def _enter_handler(app: Application[Any]) -> Submit:
    """The prompt's own Enter handler (questionary's, for lists and tick boxes)."""
    assert app.key_bindings is not None
    found = app.key_bindings.get_bindings_for_keys((Keys.ControlM,))
    return found[-1].handler


def _offer_note(question: questionary.Question, note: NoteKey | None, *, text: bool) -> None:
    if note is None:
        return
    app = question.application
    note.pressed = False
    keys: tuple[str | Keys, ...] = (Keys.ControlN,) if text else ("n", "N")
    submit: Submit = (
        (lambda event: event.current_buffer.validate_and_handle()) if text else _enter_handler(app)
    )
    app.key_bindings = merge_key_bindings(
        [app.key_bindings or KeyBindings(), _note_bindings(note, keys, submit)]
    )


def _actions(can_go_back: bool) -> list[questionary.Choice]:
    out = [questionary.Choice(HELP_LABEL, value=HELP)]
    if can_go_back:
        out.append(questionary.Choice(BACK_LABEL, value=BACK))
    return out


def fit_line(message: str, width: int | None = None) -> str:
    """``message`` on one line of the terminal, for the bar that shows why an answer is refused.

    That bar is one line: what runs past the edge is never seen (a rubric's
    message for a number, say, with its reason in brackets). A closing
    aside in brackets goes first, then words from the end, marked with "…".
    """
    if width is None:
        width = shutil.get_terminal_size((80, 24)).columns - 1
    if len(message) <= width:
        return message
    head, bracket, _ = message.rpartition(" (")
    if bracket and message.rstrip(".").endswith(")") and len(head) <= width:
        return head
    cut = message[: width - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > width // 2 else cut).rstrip(" ,;:(") + "…"


def one_line(validate: Callable[[Any], bool | str]) -> Callable[[Any], bool | str]:
    """``validate`` with its refusal fitted to the terminal's width (``fit_line``)."""

    def check(value: Any) -> bool | str:
        result = validate(value)
        return fit_line(result) if isinstance(result, str) else result

    return check


def _keys(base: str, note: NoteKey | None, note_hint: str) -> str:
    return f"({base}{', ' + note_hint if note is not None else ''})"


def ask_text(
    q: TextQuestion, default: Any, *, can_go_back: bool = True, note: NoteKey | None = None
) -> Any:
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
    instruction = _keys(TEXT_KEYS, note, NOTE_IN_TEXT)
    message = q.prompt
    if multiline:
        # prompt_toolkit draws nothing at all for a multi-line prompt whose message
        # is wider than the terminal, and every line of the answer starts where the
        # message ends: so the question and the keys go above a short message.
        cols = shutil.get_terminal_size((80, 24)).columns - 1
        questionary.print(
            textwrap.fill("? " + q.prompt, cols, subsequent_indent="  "), style="bold"
        )
        keys = TEXT_KEYS + ("; " + NOTE_IN_TEXT if note is not None else "")
        questionary.print(f"  (several lines allowed; Esc then Enter to finish; {keys})")
        message, instruction = "Answer", ""
    question = questionary.text(
        message,
        default="" if default is None else str(default),
        validate=one_line(validate),
        multiline=multiline,
        instruction=instruction or None,
        style=STYLE,
    )
    _offer_note(question, note, text=True)
    raw = run(question)
    return _text_action(raw, can_go_back) or (kind(q).coerce(q, raw) if raw.strip() else None)


def _text_action(raw: str, can_go_back: bool) -> Action | None:
    if raw.strip() == "?":
        return HELP
    if raw.strip() == "<":
        return BACK if can_go_back else NOWHERE
    return None


def ask_number(
    q: NumberQuestion, default: Any, *, can_go_back: bool = True, note: NoteKey | None = None
) -> Any:
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

    question = questionary.text(
        q.prompt + (f" ({q.unit})" if q.unit else ""),
        default="" if default is None else str(default),
        validate=one_line(validate),
        instruction=_keys(f"{k.allowed(q)}; {TEXT_KEYS}", note, NOTE_IN_TEXT),
        style=STYLE,
    )
    _offer_note(question, note, text=True)
    raw = run(question)
    return _text_action(raw, can_go_back) or (parse(raw.strip()) if raw.strip() else None)


def _fit(text: str) -> tuple[str, str | None]:
    """A one-line title for a list entry, and the full text when it had to be cut."""
    width = max(40, shutil.get_terminal_size((80, 24)).columns - 6)
    text = " ".join(text.split())
    if len(text) <= width:
        return text, None
    return cut(text, width), text


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
    return [cut(t, width) for t in clean]


def _list_keys(numbered: bool, note: NoteKey | None) -> str:
    base = "arrow keys or number, Enter to choose" if numbered else "arrow keys, Enter to choose"
    return _keys(base, note, NOTE_IN_LIST)


def ask_choice(
    q: ChoiceQuestion | ScaleQuestion,
    default: Any,
    *,
    can_go_back: bool = True,
    note: NoteKey | None = None,
) -> Any:
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
    question = questionary.select(
        q.prompt,
        choices=choices,
        default=start,
        use_shortcuts=numbered,
        instruction=_list_keys(numbered, note),
        style=STYLE,
    )
    _offer_note(question, note, text=False)
    return run(question)


def ask_yes_no(
    q: YesNoQuestion, default: Any, *, can_go_back: bool = True, note: NoteKey | None = None
) -> Any:
    choices = [
        questionary.Choice(c.label, value=(c.value == "yes")) for c in q.choices_
    ] + _actions(can_go_back)
    start = next((c for c in choices if default is not None and c.value is default), None)
    question = questionary.select(
        q.prompt,
        choices=choices,
        default=start,
        use_shortcuts=True,
        instruction=_keys("arrow keys or number, Enter", note, NOTE_IN_LIST),
        style=STYLE,
    )
    _offer_note(question, note, text=False)
    return run(question)


def echo_width(prompt: str, columns: int) -> int:
    """Room for a tick-box answer's echo after ``prompt`` ("? " and a space around it).

    A long prompt wraps: the echo gets what is left of its last line, and
    the next line as well when that is little (a whole answer beats "…").
    """
    used = (len(prompt) + 3) % columns
    left = columns - 1 - used
    return left if left >= 40 else left + columns - 1


def echo(labels: list[str], width: int) -> str:
    """What a tick-box answer says once given: the labels chosen, whole where they fit."""
    if not labels:
        return "none"
    shown: list[str] = []
    for i, label in enumerate(labels):
        rest = len(labels) - i - 1
        more = f"; and {rest} more" if rest else ""
        candidate = "; ".join([*shown, label])
        if len(candidate + more) > width:
            if not shown:
                return cut(label, width - len(f"; and {rest} more" if rest else "")) + more
            return "; ".join(shown) + f"; and {len(labels) - i} more"
        shown.append(label)
    return "; ".join(shown)


def _tick_box(question: questionary.Question, q: ChoiceQuestion) -> None:
    """Two changes to questionary's checkbox, made on its control and layout.

    Once ticked, the prompt line says which were chosen, not "done (3
    selections)": questionary words that line from its control's selection, so
    once the answer is taken (the result is already read) the control is given
    one entry whose title is the labels, which questionary shows as it is.

    A refused answer says why below the list on any terminal: questionary puts
    it in a bottom toolbar, which prompt_toolkit draws only once the terminal
    has reported its cursor position (never with PROMPT_TOOLKIT_NO_CPR, nor on
    a terminal that does not answer), and then an empty required tick box
    looked as if Enter did nothing.
    """
    app = question.application
    ic = next(
        (
            w.content
            for w in app.layout.find_all_windows()
            if isinstance(w.content, InquirerControl)
        ),
        None,
    )
    root = app.layout.container
    if ic is None or not isinstance(root, HSplit):  # pragma: no cover - questionary's layout
        return
    refusal = ConditionalContainer(
        Window(
            FormattedTextControl(lambda: ic.error_message or ""),
            dont_extend_height=True,
            wrap_lines=True,
        ),
        filter=Condition(lambda: ic.error_message is not None) & ~is_done,
    )
    root.children[-1] = to_container(refusal)  # in place of the toolbar
    enter = _enter_handler(app)
    labels = {c.value: c.label for c in q.choices}
    width = echo_width(q.prompt, shutil.get_terminal_size((80, 24)).columns)

    def done(event: KeyPressEvent) -> None:
        picked = [v for v in ic.selected_options if v in labels]
        enter(event)
        if event.app.is_done and picked:
            line = echo([labels[v] for v in picked], width)
            entry = questionary.Choice([("class:answer", line)], value=line)
            ic.selected_options = [line]
            ic.get_selected_values = lambda: [entry]  # type: ignore[method-assign]

    bindings = KeyBindings()
    bindings.add(Keys.ControlM, eager=True)(done)
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), bindings])


def ask_multi(
    q: ChoiceQuestion, default: Any, *, can_go_back: bool = True, note: NoteKey | None = None
) -> Any:
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
        actions = [v for v in values if isinstance(v, Action)]
        if actions:
            return True if len(values) == 1 else "choose help or back on its own"
        if not values:
            if not q.required and q.min_selected == 0:
                return True  # optional: nothing ticked leaves it unanswered
            if q.min_selected > 1:
                return f"choose at least {q.min_selected} (or tick ? alone for help)"
            return "an answer is required: tick at least one (or tick ? alone for help)"
        conflict = exclusive_conflict(q, values)
        if conflict:
            return conflict
        try:
            k.coerce(q, values)
        except AnswerError as exc:
            return str(exc)
        return True

    base = "Space to tick, Enter when done"
    hint = base + (", " + NOTE_IN_LIST if note is not None else "")
    question = questionary.checkbox(
        q.prompt,
        choices=choices,
        validate=one_line(validate),
        instruction=f"({hint}; tick help or back alone to use them)",
        style=STYLE,
    )
    _tick_box(question, q)  # before the note key, which submits through it
    _offer_note(question, note, text=False)
    values = run(question)
    if len(values) == 1 and isinstance(values[0], Action):
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


def ask(
    q: QuestionT, default: Any, *, can_go_back: bool = True, note: NoteKey | None = None
) -> Any:
    return ASKERS[q.type](q, default, can_go_back=can_go_back, note=note)


#: The hint of a note or comment asked after an answer, worded as in the
#: questions' own hint (TEXT_KEYS). The prompts that carry it are short
#: enough that prompt and hint fit a line of 80 columns.
BACK_TO_ANSWER = "< to go back"


def ask_line(message: str, default: str = "", *, limit: int | None = None) -> str:
    """One line of free text (a name, say), stripped; "" when left empty.

    Refuses hidden characters, and more than ``limit`` characters, as the
    proposal loader does, so what is typed here can always be read back.
    """
    raw = run(_line(message, default, limit, instruction=None))
    return (raw or "").strip()


def ask_after(message: str, default: str = "", *, limit: int | None = None) -> str | Action:
    """A note or comment on the answer just given: ``ask_line``, or BACK for a lone ``<`` typed.

    ``<`` goes back everywhere else in a session, so here too: to the
    question just answered, its answer kept. Taken as text, it would have
    been a note of one character that backs a claim.
    """
    raw = (run(_line(message, default, limit, instruction=f"({BACK_TO_ANSWER})")) or "").strip()
    # Only a "<" typed now: one saved before (as a note, when "<" was not yet
    # "back" here) is kept on Enter, not read as going back again and again.
    return BACK if raw == "<" and default.strip() != "<" else raw


def _line(message: str, default: str, limit: int | None, instruction: str | None) -> Any:
    def validate(text: str) -> bool | str:
        text = text.strip()
        if limit is not None and len(text) > limit:
            return f"too long ({len(text)} characters; at most {limit})"
        return textcheck.problem(text) or True

    return questionary.text(
        message, default=default, validate=one_line(validate), instruction=instruction, style=STYLE
    )


def ask_meta(
    prompt: str,
    default: str,
    validate: Callable[[str], bool | str],
    *,
    can_go_back: bool,
) -> Any:
    raw = run(
        questionary.text(
            prompt,
            default=default,
            validate=one_line(validate),
            instruction=f"({TEXT_KEYS})",
            style=STYLE,
        )
    )
    return _text_action(raw, can_go_back) or raw


def ask_key(message: str, keys: Mapping[str, T], enter: T) -> T:
    """A one-key question: Enter gives ``enter``; each key of ``keys`` its value.

    Other keys are ignored; Ctrl-C and SIGINT interrupt, the end of input
    raises EOFError, as in every other prompt.
    """
    bindings = KeyBindings()

    def give(value: T) -> Callable[[KeyPressEvent], None]:
        return lambda event: event.app.exit(result=value)

    bindings.add(Keys.ControlM, eager=True)(give(enter))
    for key, value in keys.items():
        bindings.add(key, eager=True)(give(value))

    @bindings.add(Keys.ControlC, eager=True)
    def _cancel(event: KeyPressEvent) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    @bindings.add(Keys.Any)
    def _other(event: KeyPressEvent) -> None:
        pass

    text = FormattedText([("class:question", message)])
    app: Application[T] = Application(
        layout=Layout(Window(FormattedTextControl(text), dont_extend_height=True)),
        key_bindings=bindings,
        style=STYLE,
        erase_when_done=True,
    )
    return run(questionary.Question(app))  # type: ignore[no-any-return]
