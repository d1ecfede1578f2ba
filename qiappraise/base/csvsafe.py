"""CSV a spreadsheet opens safely: a byte-order mark, and no formulas.

Excel recognises UTF-8 only by the BOM. Text that a spreadsheet would run as
a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return)
gets a leading apostrophe (OWASP's advice on CSV injection). Shared by the
batch CSV (``cohort.csvout``) and the agreement CSV (``raters.agreement_report``).
"""

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet will show, never evaluate."""
    return "'" + text if text.startswith(_FORMULA_START) else text
