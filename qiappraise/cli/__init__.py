"""The command line: the typer app, one module per command (group), and the
edge where errors become exit codes.

This ``__init__`` stays empty: the console script's ``entry`` answers
``--version`` before typer is imported.
"""
