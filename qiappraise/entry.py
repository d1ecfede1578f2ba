"""The console-script entry point, kept tiny so `--version` imports nothing else.

`qiappraise --version` is what scripts and bug reports run first; answering it
before typer (and through it click and pydantic) is imported makes it as quick
as Python itself. Everything else goes to the typer app in ``cli``, whose
``_Group.invoke`` maps errors to exit codes; a Ctrl-C that lands while the
modules are still loading, before a command runs, is handled here.
"""

import sys

EXIT_INTERRUPTED = 130


def main() -> None:
    try:
        if sys.argv[1:] in (["--version"], ["-V"]):
            from . import __version__

            sys.stdout.write(f"qiappraise {__version__}\n")
            return
        from .cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
