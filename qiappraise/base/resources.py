"""Where the bundled rubrics and templates live.

A wheel carries them inside the package (``qiappraise/rubrics``); a source
checkout or editable install has them beside the package. We look in the
packaged place first and fall back to the source tree.
"""

from __future__ import annotations

from pathlib import Path

# This module is qiappraise/base/resources.py; the data sits by the package root.
_PACKAGE = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    """The folder holding bundled ``name`` (``rubrics`` or ``templates``)."""
    packaged = _PACKAGE / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def rubrics_dir() -> Path:
    return data_dir("rubrics")


def templates_dir() -> Path:
    return data_dir("templates")
