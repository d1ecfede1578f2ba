"""The one exception root of qiappraise and the exit codes it maps to.

Every error a user can cause is a :class:`QiAppraiseError`; the CLI turns it
into one line on stderr and an exit code in exactly one place (``cli.app._Group.invoke``).
"""

from __future__ import annotations

from pathlib import Path

from .textcheck import visible

EXIT_OK = 0
EXIT_WANTING = 1  # checked and found wanting: only the CI gate uses it
EXIT_INVALID = 2  # usage error or invalid input
EXIT_INTERRUPTED = 130
#: stdout's reader left (`| head`): 128 + SIGPIPE, as a shell reports a process
#: that signal ended. Never 1 ("found wanting"); not 0, so a gate cut short fails.
EXIT_BROKEN_PIPE = 141


class QiAppraiseError(Exception):
    """Root of every error qiappraise raises on purpose."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        # Printed on terminals (and by `rubric validate` on stdout): a message
        # quoting user text must not carry its escape sequences there.
        return visible(self.message, multiline=True)


class InputError(QiAppraiseError):
    """Bad input in a file: names the file and, where known, line and column."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column

    def location(self) -> str:
        """``file:line`` (or ``file``) as editors expect, control characters spelled out."""
        if self.file is None:
            return ""
        if self.line is None:
            return visible(self.file)
        return f"{visible(self.file)}:{self.line}"

    def __str__(self) -> str:
        where = self.location()
        message = visible(self.message, multiline=True)
        return f"{where}: {message}" if where else message


class UsageError(QiAppraiseError):
    """The command line asked for something that cannot be done."""


class ProblemsError(InputError):
    """Several problems found in one file (the rubric linter reports them all).

    ``omitted`` counts problems found beyond :data:`Problems.LIMIT` and not kept.
    """

    def __init__(self, problems: list[InputError], omitted: int = 0) -> None:
        first = problems[0]
        super().__init__(first.message, file=first.file, line=first.line, column=first.column)
        self.problems = problems
        self.omitted = omitted

    def __str__(self) -> str:
        more = len(self.problems) - 1 + self.omitted
        head = super().__str__()
        return head if more == 0 else f"{head} (and {more} more problem{'s' * (more > 1)})"

    def omitted_line(self) -> str | None:
        """The line that closes a list of :attr:`problems` cut at the limit, if it was."""
        if not self.omitted:
            return None
        s = "s" * (self.omitted > 1)
        return (
            f"{visible(self.file) if self.file is not None else 'input'}: "
            f"{self.omitted} more problem{s} not shown (the first {len(self.problems)} are)"
        )


class Problems:
    """The problems found in one file, kept up to :attr:`LIMIT` and counted beyond.

    A 2 MB file of 160,000 unknown keys took 10 s and printed 22 MB of
    errors: no one reads past the first screenful, and the fix for the first
    fifty is the fix for the rest. Loops over user keys ask
    :meth:`counted_if_full` before building a message: a "did you mean"
    costs a fuzzy match.
    """

    LIMIT = 50

    def __init__(self) -> None:
        self.kept: list[InputError] = []
        self.omitted = 0

    @property
    def full(self) -> bool:
        return len(self.kept) >= self.LIMIT

    def append(self, problem: InputError) -> None:
        if self.full:
            self.omitted += 1
        else:
            self.kept.append(problem)

    def counted_if_full(self) -> bool:
        """Once :attr:`full`, count one more problem and say so: its message need not be built."""
        if self.full:
            self.omitted += 1
        return self.full

    def __bool__(self) -> bool:
        return bool(self.kept)

    def error(self) -> ProblemsError:
        """The error to raise: the problems kept, in line order, and the count of the rest."""
        return ProblemsError(sorted(self.kept, key=lambda e: e.line or 0), self.omitted)


class OutputError(QiAppraiseError):
    """Standard output (or error) could not be written: a full disk, an I/O error."""

    def __init__(self, message: str, fd: int) -> None:
        super().__init__(message)
        self.fd = fd


class OutputClosed(OutputError):
    """The reader of the stream went away (a closed pipe): not an error to report."""

    exit_code = EXIT_BROKEN_PIPE
