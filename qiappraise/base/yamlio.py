"""Reading YAML safely with line numbers, and writing files atomically.

PyYAML's safe loader forgets where values came from and silently keeps the
last of two duplicate keys. We compose the node graph with the C safe loader
(falling back to the pure-Python one) and build plain values ourselves, which
gives us a line for every path, refuses duplicate keys and unknown tags, and
bounds alias expansion ("billion laughs") and nesting depth.
"""

from __future__ import annotations

import datetime as _dt
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

from .checkpoint import checkpoint
from .errors import InputError

try:  # the C composer is several times faster; the constructor is ours either way
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: Largest input file we read. Proposals are a few KB; rubrics tens of KB.
MAX_BYTES = 2 * 1024 * 1024
#: Most values one document may expand to (aliases count every time they are used).
MAX_NODES = 200_000
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]

_STANDARD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STANDARD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}


#: Tags of short plain scalars, by (text, implicit flags): see _Loader.resolve.
_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}
_RESOLVED_MAX = 10_000
_resolve: Callable[..., str] = _BaseLoader.resolve


class _Loader(_BaseLoader):
    """The safe loader, with the Python callbacks libyaml makes for every node trimmed.

    Even the C composer asks the Python resolver for each scalar's tag, trying
    up to a dozen regular expressions; in a batch this was a seventh of the
    time spent reading. Short values ("yes", "2026-01-15", "process") repeat
    from file to file, so their tags are remembered. The safe loader has no
    path resolvers, so descending and ascending need no bookkeeping.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and len(value) <= 32:
            key = (value, implicit)
            tag = _RESOLVED.get(key)
            if tag is None:
                if len(_RESOLVED) >= _RESOLVED_MAX:
                    _RESOLVED.clear()
                tag = _RESOLVED[key] = _resolve(self, kind, value, implicit)
            return tag
        return _resolve(self, kind, value, implicit)

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


@dataclass(frozen=True)
class Located:
    """Plain data from a YAML file, with the line of every value."""

    data: Any
    file: str
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)

    def error(self, path: Path_, message: str) -> InputError:
        return InputError(message, file=self.file, line=self.line(path))


#: Opened without waiting: opening a FIFO for reading blocks until a writer
#: comes, and O_NOCTTY keeps a terminal device from becoming ours.
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)
_DIRECTORY = "is a directory, expected a YAML file"


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, from its ``st_mode``."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def _not_regular(p: Path, mode: int) -> InputError:
    if stat.S_ISDIR(mode):
        return InputError(_DIRECTORY, file=p)
    return InputError(f"is {file_kind(mode)}, not a regular file; expected a YAML file", file=p)


def open_regular(path: str | Path) -> IO[bytes]:
    """``path`` opened for reading bytes; anything but a regular file is an InputError.

    A FIFO would block the open (and the read) forever, and opening a device
    can have effects of its own, so the path is asked about first (stat) and
    a file that is not regular is never opened. The open itself does not wait
    either, and the open file is asked again (fstat): a file swapped for a
    FIFO between the two is refused too.
    """
    p = Path(path)
    try:
        mode = os.stat(p).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(p, mode)
        fd = os.open(p, _READ_FLAGS)
    except FileNotFoundError:
        raise InputError("no such file", file=p) from None
    except PermissionError:
        # Windows refuses to open a folder with "permission denied". (os.path.isdir
        # returns False where it cannot look; Path.is_dir raises.)
        if os.path.isdir(p):
            raise InputError(_DIRECTORY, file=p) from None
        raise InputError("permission denied: cannot read this file", file=p) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=p) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(p, mode)
        if _READ_FLAGS & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


#: Byte order marks of the encodings a YAML file is sometimes saved in by
#: mistake. UTF-32 first: its little-endian mark begins with UTF-16's.
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def read_text(path: str | Path, *, max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 text file, turning every OS failure into an InputError."""
    p = Path(path)
    with open_regular(p) as fh:
        try:
            raw = fh.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", file=p) from None
    if len(raw) > max_bytes:
        raise InputError(
            f"file is larger than the {_size(max_bytes)} limit for input files",
            file=p,
        )
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            raise InputError(f"is saved as {encoding}; save it as UTF-8", file=p)
    if b"\x00" in raw:
        raise InputError("looks like a binary file, expected YAML text", file=p)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8 (byte {raw[exc.start]:#04x}); save the file as UTF-8",
            file=p,
            line=line,
        ) from None


def _size(n: int) -> str:
    # `n // MiB` said "0 MB" for any limit under one megabyte.
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"


def load_file(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Located:
    """Load one YAML document from ``path``."""
    return load_text(read_text(path, max_bytes=max_bytes), str(path))


def load_text(text: str, file: str = "<string>") -> Located:
    """Load one YAML document from ``text``; ``file`` names it in errors."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        if "\t" in problem or "tab character" in problem or _char_at(text, mark) == "\t":
            problem += " (YAML does not allow tabs for indentation; use spaces)"
        context = exc.context_mark
        if exc.context and context is not None and mark is not None and context.line < mark.line:
            # An unclosed [ or { is found where the file goes on: say where it opened.
            problem += f" ({exc.context} that starts on line {context.line + 1})"
        raise InputError(
            f"invalid YAML: {problem}", file=file, line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=file) from None
    except RecursionError:
        # libyaml stops at 1,000 levels itself; the pure-Python composer
        # (PyYAML built without libyaml) recurses once per level instead.
        raise InputError(
            f"invalid YAML: nesting deeper than {MAX_DEPTH} levels; not loaded", file=file
        ) from None
    finally:
        loader.dispose()
    if node is None:
        raise InputError("file is empty, expected a YAML mapping", file=file, line=1)
    builder = _Builder(file)
    builder.lines[()] = node.start_mark.line + 1
    data = builder.build(node, (), 0)
    return Located(data=data, file=file, lines=builder.lines)


def _char_at(text: str, mark: Any) -> str:
    # libyaml's message omits the offending character ("found character that
    # cannot start any token"), so read it from the text at the mark.
    if mark is None:
        return ""
    lines = text.splitlines()
    line: int = mark.line
    column: int = mark.column
    if not 0 <= line < len(lines):
        return ""
    return lines[line][column : column + 1]


_STR = f"{_STANDARD}str"
_SEQ = f"{_STANDARD}seq"
_MAP = f"{_STANDARD}map"
_ScalarNode = yaml.ScalarNode


class _Builder:
    # Plain text is most of every file. For it SafeConstructor only returns
    # ``node.value``, so ``build`` does that directly (inline, for the values
    # of mappings and lists: a batch builds ~50 per file) and leaves the
    # constructor to the other tags.

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[Path_, int] = {}
        self.count = 0
        self._scalars = yaml.constructor.SafeConstructor()

    def _fail(self, node: yaml.Node, message: str) -> InputError:
        return InputError(message, file=self.file, line=node.start_mark.line + 1)

    def _too_many(self, node: yaml.Node) -> InputError:
        return self._fail(
            node,
            f"document expands to more than {MAX_NODES} values "
            "(too many aliases or too large); not loaded",
        )

    def _check(self, node: yaml.Node, depth: int) -> None:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._too_many(node)
        if depth > MAX_DEPTH:
            raise self._fail(node, f"nesting deeper than {MAX_DEPTH} levels; not loaded")

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        """The value of ``node``; its parent has recorded the line of ``path``."""
        self._check(node, depth)
        if isinstance(node, yaml.ScalarNode):
            return node.value if node.tag == _STR else self._scalar(node)
        lines = self.lines
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self._fail(node, _tag_message(node.tag))
            out = []
            for i, item in enumerate(node.value):
                lines[(*path, i)] = item.start_mark.line + 1
                if type(item) is _ScalarNode and item.tag == _STR and depth < MAX_DEPTH:
                    self.count += 1  # build(item), inline
                    if self.count > MAX_NODES:
                        raise self._too_many(item)
                    out.append(item.value)
                else:
                    out.append(self.build(item, (*path, i), depth + 1))
            return out
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                raise self._fail(node, _tag_message(node.tag))
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key_tag = key_node.tag
                if key_tag != _STR or type(key_node) is not _ScalarNode:
                    if key_tag == f"{_STANDARD}merge":
                        raise self._fail(key_node, "YAML merge keys ('<<') are not supported")
                    if not isinstance(key_node, yaml.ScalarNode):
                        raise self._fail(key_node, "mapping keys must be plain text")
                    self._scalar(key_node)  # refuses unknown tags on keys too
                # Keys are names in our formats: keep the text as written, so
                # `yes:` stays "yes" instead of YAML 1.1's boolean true.
                key = key_node.value
                if key in result:
                    first = lines.get((*path, key))
                    raise self._fail(
                        key_node,
                        f"duplicate key {key!r}"
                        + (f" (first given on line {first})" if first else "")
                        + "; each key may appear once",
                    )
                lines[(*path, key)] = key_node.start_mark.line + 1
                if type(value_node) is _ScalarNode and value_node.tag == _STR and depth < MAX_DEPTH:
                    self.count += 1  # build(value_node), inline
                    if self.count > MAX_NODES:
                        raise self._too_many(value_node)
                    result[key] = value_node.value
                else:
                    result[key] = self.build(value_node, (*path, key), depth + 1)
            return result
        raise self._fail(node, "unsupported YAML node")  # pragma: no cover

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise self._fail(node, _tag_message(node.tag))
        try:
            value = self._scalars.yaml_constructors[node.tag](self._scalars, node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            what = "date" if node.tag.endswith("timestamp") else "value"
            hint = "; use the form YYYY-MM-DD" if what == "date" else ""
            raise self._fail(node, f"invalid {what} {node.value!r}: {exc}{hint}") from None
        if isinstance(value, (_dt.date, _dt.datetime)):
            return value.isoformat()
        return value


def dump(data: Any) -> str:
    """YAML text that keeps key order and is pleasant to edit by hand."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=88,
    )


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Multi-line answers read far better as literal blocks than as quoted strings.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


@contextmanager
def atomic_open(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open ``path`` for writing a whole new file: ``mode`` is "w" or "wb".

    A regular file (or a new one) is written to a temporary file beside it
    that is renamed over it on success; on any failure (including
    KeyboardInterrupt) the temporary file is removed and ``path`` is
    untouched, so a reader never sees half a file. A symlink is replaced by
    the new file, not followed. A FIFO or character device (``/dev/null``,
    ``/dev/stdout``, a process substitution) is written into instead, since
    renaming over it would replace the device with a regular file.
    """
    target = Path(path)
    how = _how_to_write(target)
    if how is not None:
        with _write_into(target, mode, append=how == "append") as fh:
            yield fh
        return
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = _create_temp(directory, target.name)
    except FileNotFoundError:
        raise InputError("cannot write: the folder does not exist", file=target) from None
    except PermissionError:
        raise InputError("cannot write: permission denied for this folder", file=target) from None
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=target) from None
    try:
        with _fdopen(fd, mode) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():
            with suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644 & ~_umask())
        checkpoint("write", target.name)  # for the signal tests: whole, not yet renamed
        os.replace(tmp, target)
        checkpoint("written", target.name)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise InputError(f"cannot write: {exc.strerror or exc}", file=target) from None
        raise


def _create_temp(directory: Path, name: str) -> tuple[int, str]:
    """A new ``.<name>.<random>.tmp`` in ``directory``, open for writing; its descriptor and path.

    Not tempfile.mkstemp: an exception that lands as mkstemp creates the file
    (Ctrl-C, or a stop signal while the open waits on a busy folder) leaves a
    file whose name nobody was given, so nobody removes it. Here the name is
    known before the file exists.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(directory, f".{name}.{os.urandom(5).hex()}.tmp")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue  # someone else's: leave it
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)  # ours, if the open got as far as creating it
            raise
    raise FileExistsError(f"no free temporary file name in {directory}")


def _fdopen(fd: int, mode: str) -> IO[Any]:
    text = "b" not in mode
    # surrogateescape: a file name that is not UTF-8 (it reaches reports and
    # exports) is written back as the bytes it was, as Python's stdout does.
    return os.fdopen(
        fd,
        mode,
        encoding="utf-8" if text else None,
        errors="surrogateescape" if text else None,
        newline="\n" if text else None,
    )


def _how_to_write(target: Path) -> str | None:
    """None to replace ``target`` atomically; "into" or "append" to write into it."""
    try:
        st = os.stat(target)
    except OSError:
        return None  # a new file, or a dangling link (replaced, never followed)
    mode = st.st_mode
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return "into"
    if stat.S_ISREG(mode):
        # `-o /dev/stdout > out.txt`: /dev/stdout leads through /proc/self/fd/1
        # to the file the shell opened. Renaming over the link is refused (or,
        # as root, replaces /dev/stdout); the shell's file is the output.
        return "append" if _through_fd_link(target) else None
    if stat.S_ISDIR(mode):
        return None  # the rename reports "Is a directory"
    raise InputError(
        "cannot write: not a regular file, FIFO or character device; give a file name",
        file=target,
    )


def _through_fd_link(path: Path) -> bool:
    """True when ``path`` is, or leads by symlinks to, a /proc/<pid>/fd/N entry."""
    current = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on links followed
        folder = os.path.realpath(os.path.dirname(current))
        if folder.startswith("/proc/") and os.path.basename(folder) == "fd":
            return True
        try:
            link = os.readlink(current)
        except OSError:
            return False  # not a link: the end of the chain
        current = os.path.join(os.path.dirname(current), link)
    return False


@contextmanager
def _write_into(target: Path, mode: str, *, append: bool) -> Iterator[IO[Any]]:
    # No O_CREAT: if the FIFO or device went away since the stat, fail rather
    # than create a file where the user expected a stream. Not atomic: a
    # stream cannot take back what it was given.
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | (os.O_APPEND if append else 0)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=target) from None
    try:
        with _fdopen(fd, mode) as fh:
            yield fh
            fh.flush()
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=target) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path``: atomically for a file, see :func:`atomic_open`."""
    with atomic_open(path) as fh:
        fh.write(text)


def _tag_message(tag: str) -> str:
    # Show the tag as it was written (!!python/object), not as YAML expands it.
    shown = "!!" + tag[len(_STANDARD) :] if tag.startswith(_STANDARD) else tag
    return (
        f"unsupported YAML tag {shown!r}; tags are not allowed: only plain mappings, "
        "lists, text, numbers, true/false, dates and null"
    )
