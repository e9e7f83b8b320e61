"""CSV cells a spreadsheet would run as a formula, written so that it shows them as text.

OWASP's CSV-injection rule: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage
return or a line feed (and the full-width ``＝＋－＠`` some spreadsheets also read) is prefixed
with a single quote, which spreadsheets take as "this is text" and do not show. Reading a file
back removes exactly that quote, so export then import changes nothing:

- ``=HYPERLINK(...)`` is written ``'=HYPERLINK(...)`` and read back as ``=HYPERLINK(...)``;
- ``'=x`` (already quoted) is written ``''=x`` and read back as ``'=x``;
- ``'Tis the season`` starts with no formula character after its quote and is left alone.
"""

from __future__ import annotations

import re

_FORMULA_START = "=+-@\t\r\n＝＋－＠"
_GUARDED = re.compile(rf"'*[{re.escape(_FORMULA_START)}]")


def guard(cell: str) -> str:
    """The cell as it is written to a CSV file: quoted when a spreadsheet would run it."""
    return "'" + cell if _GUARDED.match(cell) else cell


def unguard(cell: str) -> str:
    """The cell as it was before :func:`guard`: one quote off a guarded cell."""
    return cell[1:] if cell.startswith("'") and _GUARDED.match(cell, 1) else cell
