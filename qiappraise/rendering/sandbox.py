"""The template sandbox: where templates may come from, and how much they may do.

A user's ``--template-dir`` is untrusted: a template is loaded only if its
real path (links followed) is a regular file inside the user's template folder
or the bundled one, so a link to ``/etc/passwd`` or ``/proc/self/environ``
cannot be included (issue 13, item 1).

Rendering runs in Jinja's immutable sandbox, bounded (issue 13, item 2): no
string or list a template builds may exceed ``Limits.text``, loop turns, calls,
operators and lookups are counted against ``Limits.steps``, and the text built
along the way against ``Limits.produced``. The limits grow with the data being
rendered, so a large cohort still renders while a hostile template over a
normal proposal fails within a fraction of a second.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from jinja2.compiler import CodeGenerator, Frame, operators, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.nodes import Compare, Concat, For, Getitem, Node, Operand, Slice
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter
from jinja2.utils import Namespace, generate_lorem_ipsum
from markupsafe import EscapeFormatter, Markup

from ..base.errors import InputError

#: A template file larger than this is refused before it is read in full.
MAX_TEMPLATE_BYTES = 1_000_000
#: Limits for a render over little data; they grow with the data (see ``Limits``).
BASE_TEXT = 2_000_000
BASE_STEPS = 50_000
#: Bits an integer a template computes may have (2**100000 has 30,103 digits).
MAX_INT_BITS = 100_000
#: What one macro call counts for against ``Limits.steps``.
MACRO_STEPS = 20
#: Escaping can make text this many times longer (``"`` becomes ``&#34;``).
ESCAPE_FACTOR = 6


class TemplateError(InputError):
    """A template failed to load or render."""


class LimitError(SecurityError):
    """A template tried to build too much text or do too much work."""


# --- loading -------------------------------------------------------------------


class ConfinedLoader(jinja2.BaseLoader):
    """Templates by name from ``folders`` in order, never from outside them.

    Jinja's own ``FileSystemLoader`` refuses names with ``..`` but follows
    links wherever they lead; here a name must resolve (links and all) to a
    regular file inside one of ``folders``.
    """

    def __init__(self, folders: Sequence[str | Path]) -> None:
        self.folders = [str(f) for f in folders]
        self.roots = [os.path.realpath(f) for f in folders]

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses "..": TemplateNotFound
        for folder in self.folders:
            filename = os.path.normpath(os.path.join(folder, *pieces))
            if not os.path.lexists(filename):
                continue
            real = os.path.realpath(filename)
            if not any(_inside(real, root) for root in self.roots):
                raise TemplateError(
                    f"template {template!r} leads outside the template folders (to {real}); "
                    "a template must be a file inside its folder, and links must stay there",
                    file=filename,
                )
            source, mtime = _read_template(filename, real, template)
            return source, filename, functools.partial(_unchanged, filename, real, mtime)
        raise jinja2.TemplateNotFound(template)


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # different drives on Windows
        return False


def _read_template(filename: str, real: str, name: str) -> tuple[str, int]:
    # O_NONBLOCK: a FIFO planted in the folder must not hang the open; O_NOFOLLOW:
    # a link swapped in after realpath() is refused rather than followed.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(real, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise TemplateError(
            f"cannot read template {name!r}: {exc.strerror}", file=filename
        ) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise TemplateError(f"template {name!r} is not a regular file", file=filename)
        data = fh.read(MAX_TEMPLATE_BYTES + 1)
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateError(
            f"template {name!r} is larger than {MAX_TEMPLATE_BYTES:,} bytes", file=filename
        )
    try:
        return data.decode("utf-8"), info.st_mtime_ns
    except UnicodeDecodeError as exc:
        raise TemplateError(
            f"template {name!r} is not UTF-8 text (byte {exc.start})", file=filename
        ) from None


def _unchanged(filename: str, real: str, mtime: int) -> bool:
    try:
        return os.path.realpath(filename) == real and os.stat(real).st_mtime_ns == mtime
    except OSError:
        return False


# --- limits --------------------------------------------------------------------


@dataclasses.dataclass
class Limits:
    """One render's allowance, and what it has used so far."""

    text: int = BASE_TEXT  # characters (or items) in any one value built, and the output
    steps: int = BASE_STEPS  # loop turns, calls, operators and lookups
    produced: int = 4 * BASE_TEXT  # characters built by operators, filters and calls
    used_steps: int = 0
    used_text: int = 0
    #: Estimated lengths of objects already measured: id -> (object, length).
    sizes: dict[int, tuple[object, int]] = dataclasses.field(default_factory=dict)

    @classmethod
    def for_data(cls, data: object) -> Limits:
        """Limits in proportion to the data a template renders."""
        nodes, chars = _data_size(data)
        text = BASE_TEXT + 10 * chars
        return cls(text=text, steps=BASE_STEPS + 10 * nodes, produced=4 * text)

    def step(self, n: int = 1) -> None:
        self.used_steps += n
        if self.used_steps > self.steps:
            raise LimitError(
                f"the template does more than {self.steps:,} steps (loop turns, calls and "
                "lookups); make it do less work"
            )

    def check(self, size: int, what: str) -> None:
        if size > self.text:
            raise LimitError(
                f"{what} would be {size:,} characters or items long; "
                f"a template may build at most {self.text:,}"
            )

    def charge(self, *values: object) -> None:
        """One step, and more for work in proportion to the size of ``values``."""
        self.step(1 + sum(_cost(v) for v in values))

    def built(self, value: object) -> object:
        """Count a value an operator, filter or call built; refuse it if too large."""
        if isinstance(value, str | bytes | list | tuple):
            size = len(value)
            self.check(size, "a value")
            self.step(_cost(value))
            self.used_text += size
            if self.used_text > self.produced:
                raise LimitError(
                    f"the template builds more than {self.produced:,} characters in all; "
                    "make it build less"
                )
        return value

    def weight(self, obj: object) -> int:
        """About how long ``str(obj)`` is; counting stops once past ``text``."""
        total = 0
        stack = [obj]
        while stack and total <= self.text:
            x = stack.pop()
            if isinstance(x, str | bytes):
                total += len(x)
            elif isinstance(x, bool | float | complex) or x is None:
                total += 8
            elif isinstance(x, int):
                total += x.bit_length() // 3 + 2
            elif isinstance(x, range):
                total += len(x) * (len(str(max(abs(x.start), abs(x.stop)))) + 3)
            elif isinstance(x, list | tuple | set | frozenset):
                total += 2 + 2 * len(x)
                if total <= self.text:
                    stack.extend(x)
            elif isinstance(x, dict):
                total += 2 + 4 * len(x)
                if total <= self.text:
                    stack.extend(x.keys())
                    stack.extend(x.values())
            elif isinstance(x, Namespace):
                stack.append(object.__getattribute__(x, "_Namespace__attrs"))
            else:
                total += self._measured(x)
        return total

    def _measured(self, x: object) -> int:
        # Objects from the data (an appraisal, a rubric) print as their repr:
        # measured once per render, which the data's own size bounds.
        known = self.sizes.get(id(x))
        if known is None:
            try:
                known = (x, len(repr(x)))
            except Exception:
                known = (x, 16)
            self.sizes[id(x)] = known
        return known[1]


def _cost(x: object) -> int:
    """Steps that work over each item of ``x`` (sorting, comparing, copying) costs."""
    if isinstance(x, str | bytes):
        return len(x) // 1024
    if isinstance(x, list | tuple | dict | set | frozenset):
        return len(x) // 16
    if isinstance(x, range):
        return len(x) // 64
    return 0


def _data_size(data: object, cap: int = 5_000_000) -> tuple[int, int]:
    """(objects, characters) reachable from ``data``: how much there is to render."""
    nodes = chars = 0
    seen: set[int] = set()
    stack = [data]
    while stack and nodes < cap:
        x = stack.pop()
        nodes += 1
        if isinstance(x, str | bytes):
            chars += len(x)
            continue
        if isinstance(x, int | float | bool | range) or x is None or id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, Mapping):
            stack.extend(x.keys())
            stack.extend(x.values())
        elif isinstance(x, list | tuple | set | frozenset):
            stack.extend(x)
        elif dataclasses.is_dataclass(x) and not isinstance(x, type):
            stack.extend(getattr(x, f.name, None) for f in dataclasses.fields(x))
        elif hasattr(x, "__dict__") and not callable(x):
            stack.extend(vars(x).values())
    return nodes, chars


# --- checks on what a template asks for -----------------------------------------

#: printf-style conversions; the width and precision groups are what can blow up.
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?.")
_DIGITS = re.compile(r"\d+")


def _check_percent(limits: Limits, fmt: str, args: object, escape: bool = False) -> None:
    """``fmt % args`` must not ask for more text than the limit."""
    total = len(fmt) + limits.weight(args) * (ESCAPE_FACTOR if escape else 1)
    stars = False
    for m in _PERCENT.finditer(fmt):
        for group in m.groups():
            if group == "*":
                stars = True
            elif group:
                limits.check(int(group), "a %-format field")
                total += int(group)
    if stars:
        values = args if isinstance(args, tuple) else (args,)
        for v in values:
            if isinstance(v, int):
                limits.check(abs(v), "a %-format field")
                total += abs(v)
    limits.check(total, "the %-formatted text")


def _check_spec(limits: Limits, spec: str) -> None:
    """A ``str.format`` spec's width and precision must be within the limit."""
    # Any run of digits bounds width and precision from above: a fill digit
    # is always followed by an alignment character, never by more digits.
    for digits in _DIGITS.findall(spec):
        limits.check(int(digits), "a format field")


def _check_call(
    limits: Limits, obj: object, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, ...]:
    """Refuse a string method call that would build too much; return the args to use."""
    owner: Any = getattr(obj, "__self__", None)
    if not isinstance(owner, str | bytes):
        return args
    name = getattr(obj, "__name__", "")
    factor = ESCAPE_FACTOR if isinstance(owner, Markup) else 1
    if name in ("center", "ljust", "rjust", "zfill"):
        width = args[0] if args else kwargs.get("width", 0)
        if isinstance(width, int):
            limits.check(width, f"str.{name}()")
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int):
            limits.check(
                len(owner)
                + _count(owner, b"\t" if isinstance(owner, bytes) else "\t") * max(size, 0),
                "str.expandtabs()",
            )
    elif name == "replace" and len(args) >= 2:
        old, new = args[0], args[1]
        count = args[2] if len(args) > 2 else kwargs.get("count", -1)
        if isinstance(old, str | bytes) and isinstance(new, str | bytes):
            n = len(owner) + 1 if not old else _count(owner, old)
            if isinstance(count, int) and count >= 0:
                n = min(n, count)
            limits.check(len(owner) + n * len(new) * factor, "str.replace()")
    elif name == "join" and args:
        items = list(args[0])
        size = limits.weight(items) * factor + len(owner) * max(len(items) - 1, 0)
        limits.check(size, "str.join()")
        return (items, *args[1:])
    elif name == "translate" and args and isinstance(args[0], Mapping):
        longest = max((limits.weight(v) for v in args[0].values()), default=1)
        limits.check(len(owner) * max(longest, 1), "str.translate()")
    return args


def _count(text: Any, sub: Any) -> int:
    try:
        return int(text.count(sub))
    except TypeError:  # str and bytes mixed: the call itself will fail
        return 0


def _check_binop(limits: Limits, op: str, left: Any, right: Any) -> None:
    if op == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, str | bytes | list | tuple) and isinstance(n, int):
                limits.check(len(seq) * max(n, 0), f"the product {type(seq).__name__} * int")
        if isinstance(left, int) and isinstance(right, int):
            _check_bits(left.bit_length() + right.bit_length())
    elif op == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            _check_bits(left.bit_length() * right)
    elif op == "+":
        if isinstance(left, str | bytes | list | tuple) and isinstance(
            right, str | bytes | list | tuple
        ):
            factor = ESCAPE_FACTOR if isinstance(left, Markup) or isinstance(right, Markup) else 1
            limits.check((len(left) + len(right)) * factor, "the sum")
    elif op == "%" and isinstance(left, str | bytes):
        fmt = left if isinstance(left, str) else left.decode("latin-1")
        _check_percent(limits, fmt, right, escape=isinstance(left, Markup))


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise LimitError(
            f"the number would have about {bits:,} bits; a template may compute "
            f"at most {MAX_INT_BITS:,}"
        )


# --- filters -------------------------------------------------------------------

_SIZED = (str, bytes, list, tuple)

#: Filters that turn their value (and arguments) into text, some escaping it.
_TEXT_FILTERS = frozenset(
    "capitalize e escape forceescape lower upper title trim striptags string safe pprint "  # noqa: SIM905
    "tojson urlencode urlize xmlattr truncate wordcount md mdcell mdquote".split()
)


def _filter_guard(
    limits: Limits, name: str, value: Any, rest: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """Refuse a filter call that would build too much; return the value to use."""

    def arg(i: int, key: str, default: Any) -> Any:
        return rest[i] if len(rest) > i else kwargs.get(key, default)

    if name in _TEXT_FILTERS:
        limits.check(
            limits.weight((value, rest, kwargs)) * ESCAPE_FACTOR, f"the {name} filter's text"
        )
    elif name == "center":
        width = arg(0, "width", 80)
        limits.check(
            limits.weight(value) + (width if isinstance(width, int) else 0),
            "the center filter's text",
        )
    elif name == "indent":
        width = arg(0, "width", 4)
        w = width if isinstance(width, int) else limits.weight(width)
        text = limits.weight(value)
        lines = str(value).count("\n") + 1 if text <= limits.text else 1
        limits.check(text + lines * max(w, 0), "the indent filter's text")
    elif name == "format":
        fmt = (
            value
            if isinstance(value, str)
            else str(value)
            if limits.weight(value) <= limits.text
            else ""
        )
        _check_percent(limits, fmt, kwargs or rest)
    elif name == "wordwrap":
        wrap = arg(3, "wrapstring", None)
        limits.check(
            limits.weight(value) * max(1, limits.weight(wrap) if wrap else 1),
            "the wordwrap filter's text",
        )
    elif name == "join":
        if not isinstance(value, str | Mapping | Sequence):
            value = list(value)
        sep = arg(0, "d", "")
        n = len(value)
        limits.check(
            limits.weight(value) * ESCAPE_FACTOR + limits.weight(sep) * max(n - 1, 0),
            "the join filter's text",
        )
    elif name == "replace":
        old, new = arg(0, "old", ""), arg(1, "new", "")
        text = limits.weight(value)
        limits.check(text, "the replace filter's text")
        s = str(value)
        n = len(s) + 1 if not old else s.count(str(old))
        limits.check((text + n * limits.weight(new)) * ESCAPE_FACTOR, "the replace filter's text")
    elif name in ("batch", "slice"):
        count = arg(0, "linecount" if name == "batch" else "slices", 1)
        if isinstance(count, int):
            limits.check(count, f"the {name} filter's groups")
    elif name == "sum":
        start = arg(1, "start", 0)
        if not isinstance(start, int | float):
            value = list(value)
            size = sum(len(v) for v in value if isinstance(v, _SIZED))
            limits.check(size * len(value), "the sum filter's work")
    return value


#: Filters that take the same time whatever the size of their value.
_CONSTANT_FILTERS = frozenset(["length", "count", "first", "last", "default", "d", "attr"])


def _bounded_filter(env: Sandbox, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    skip = 0 if getattr(func, "jinja_pass_arg", None) is None else 1
    constant = name in _CONSTANT_FILTERS

    @functools.wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        limits = env.limits
        if len(args) > skip:
            if constant:
                limits.step()
            else:
                limits.charge(args[skip])
            value = _filter_guard(limits, name, args[skip], args[skip + 1 :], kwargs)
            args = (*args[:skip], value, *args[skip + 1 :])
        return limits.built(func(*args, **kwargs))

    return bounded


def _bounded_test(env: Sandbox, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        env.limits.charge(*args)
        return func(*args, **kwargs)

    return bounded


def _bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if n > 100 or max > 1000:
        raise LimitError("lipsum() is limited to 100 paragraphs of at most 1000 words")
    return generate_lorem_ipsum(n=n, html=html, min=min, max=max)


# --- the environment -------------------------------------------------------------


class _BoundedFormatter(SandboxedFormatter):
    _env: Sandbox

    def format_field(self, value: Any, format_spec: str) -> Any:
        limits = self._env.limits
        limits.step()
        _check_spec(limits, format_spec)
        limits.check(limits.weight(value), "a format field")
        return limits.built(super().format_field(value, format_spec))


class _BoundedEscapeFormatter(_BoundedFormatter, EscapeFormatter):
    pass


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator, with loops, comparisons and slices counted, ``~`` bounded."""

    #: ids of the loop iterables still to be written, to wrap in ``environment.counted``.
    _counted: frozenset[int] = frozenset()

    def visit_For(self, node: For, frame: Frame) -> None:
        self._counted = self._counted | {id(node.iter)}
        super().visit_For(node, frame)

    def visit(self, node: Node, *args: Any, **kwargs: Any) -> Any:
        if id(node) in self._counted:
            self._counted = self._counted - {id(node)}
            self.write("environment.counted(")
            super().visit(node, *args, **kwargs)
            self.write(")")
            return None
        return super().visit(node, *args, **kwargs)

    @optimizeconst
    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        # As Jinja's own, with the operands measured before they are joined.
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"{func_name}(environment.operands((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")))")

    @optimizeconst
    def visit_Compare(self, node: Compare, frame: Frame) -> None:
        # As Jinja's, with each operand charged by its size (``x in big_list``).
        self.write("(environment.compared(")
        self.visit(node.expr, frame)
        self.write(")")
        for op in node.ops:
            self.visit(op, frame)
        self.write(")")

    def visit_Getitem(self, node: Getitem, frame: Frame) -> None:
        # Jinja writes slices as plain Python (``l[1:]``): charge the copy.
        if isinstance(node.arg, Slice):
            self.write("environment.sliced(")
            super().visit_Getitem(node, frame)
            self.write(")")
        else:
            super().visit_Getitem(node, frame)

    def visit_Operand(self, node: Operand, frame: Frame) -> None:
        self.write(f" {operators[node.op]} environment.compared(")
        self.visit(node.expr, frame)
        self.write(")")


class _Template(jinja2.Template):
    def render(self, *args: Any, **kwargs: Any) -> str:
        env = self.environment
        if isinstance(env, Sandbox):
            env.limits = Limits.for_data((args, kwargs))
        return super().render(*args, **kwargs)


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with every render's text and work bounded."""

    intercepted_binops = frozenset({"+", "*", "%", "**"})
    code_generator_class = _CodeGenerator
    template_class = _Template

    def __init__(self, *, filters: Mapping[str, Callable[..., Any]] = {}, **options: Any) -> None:
        super().__init__(finalize=self._finalize, **options)
        self.limits = Limits()
        self.filters.update(filters)
        self.filters = {name: _bounded_filter(self, name, f) for name, f in self.filters.items()}
        tests: Mapping[str, Any] = self.tests
        self.tests = {name: _bounded_test(self, f) for name, f in tests.items()}
        self.globals["lipsum"] = _bounded_lipsum

    def concat(self, pieces: Iterable[str]) -> str:
        """The output of a template, a macro or a block: ``"".join``, bounded."""
        out: list[str] = []
        size = 0
        for piece in pieces:
            size += len(piece)
            if size > self.limits.text:
                self.limits.check(size, "the output")
            out.append(piece)
        return "".join(out)

    def counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """A loop's items, each turn counted."""
        limits = self.limits
        for item in iterable:
            limits.step()
            yield item

    def compared(self, value: Any) -> Any:
        """An operand of a comparison (``==``, ``in``), charged by its size."""
        cost = _cost(value)
        if cost:
            self.limits.step(cost)
        return value

    def operands(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """The operands of ``~``, refused if joining them would build too much."""
        limits = self.limits
        limits.step()
        limits.check(sum(limits.weight(v) for v in values) * ESCAPE_FACTOR, "the joined text")
        return values

    def _finalize(self, value: Any) -> Any:
        if not isinstance(value, str):
            limits = self.limits
            limits.check(limits.weight(value), "an output value")
        return value

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        limits = self.limits
        limits.step()
        _check_binop(limits, operator, left, right)
        return limits.built(super().call_binop(context, operator, left, right))

    def call(self, context: jinja2.runtime.Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        limits = self.limits
        # A macro or recursive loop call sets up a frame and a buffer: it costs
        # as much as a few dozen lookups.
        if isinstance(obj, Macro | LoopContext):
            limits.step(MACRO_STEPS)
        owner = getattr(obj, "__self__", None)
        limits.step(1 + len(args) // 16 + (_cost(owner) if isinstance(owner, _SIZED) else 0))
        args = _check_call(limits, obj, args, kwargs)
        return limits.built(super().call(context, obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.limits.step()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: str | Any) -> Any:
        self.limits.step()
        return super().getitem(obj, argument)

    def sliced(self, value: Any) -> Any:
        """A slice a template took (``l[1:]``), charged as a copy."""
        self.limits.step()
        return self.limits.built(value)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """As Jinja's, with a formatter that bounds each field's width and size."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        f_self: str = value.__self__
        formatter: _BoundedFormatter
        if isinstance(f_self, Markup):
            formatter = _BoundedEscapeFormatter(self, escape=f_self.escape)
        else:
            formatter = _BoundedFormatter(self)
        is_format_map = value.__name__ == "format_map"
        str_type = type(f_self)

        def bounded(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs, args = args[0], ()
            return str_type(formatter.vformat(f_self, args, kwargs))

        return functools.update_wrapper(bounded, value)
