"""What every part stands on: the exception root, safe text, YAML and file I/O.

Nothing here knows what a rubric or a proposal is.
"""
