"""Percentages as members read them: every share the bot shows is written here, and only here.

A share worked out from counts is rounded once, half up, on the decimal value of the float
(its shortest form): 59,285 papers of 142,673 entitled (41.5527...%) is "41.6%" on the card,
in the verdict's working, in lists, in the picture and in its alt text alike. Rounding a
rounded figure again (41.5527 -> 41.55 -> 41.5) is how two parts of one card came to disagree.

A reported share is written as the source wrote it (:class:`bot.domain.Percentage` keeps its
decimals): "80%" stays "80%", never "80.0%", and "52.90%" keeps its zero.
"""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal

from bot.domain import written_decimals

SHOWN_DECIMALS = 1
"""A computed share is shown to one decimal (``41.6%``) unless a caller needs more."""


@functools.lru_cache(maxsize=8192)  # a card rounds ~15 figures; members ask the same ones
def rounded(value: float, decimals: int = SHOWN_DECIMALS) -> Decimal:
    """``value`` rounded half up to ``decimals`` places: ``41.55`` -> ``41.6``.

    The float is read as the decimal its shortest form writes (``repr``), so a value that
    prints as ``41.55`` rounds up although the binary float behind it is a hair below.
    """
    exact = Decimal(repr(float(value)))
    result = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(result) if result.is_zero() else result  # never "-0.0%"


def number(value: float, decimals: int = SHOWN_DECIMALS) -> str:
    """The figure without its sign: ``41.6`` (always in plain digits, never ``1E+1``)."""
    return format(rounded(value, decimals), "f")


def percent(value: float, decimals: int = SHOWN_DECIMALS) -> str:
    """A computed share: ``41.6%`` (half up, to ``decimals`` places)."""
    return f"{number(value, decimals)}%"


def as_reported(value: float) -> str:
    """A reported share as it was written: ``80%``, ``52.90%``, ``31.5%``.

    A :class:`bot.domain.Percentage` knows its decimals; a plain float is written in its
    shortest form (:func:`bot.domain.written_decimals`): ``50.0`` is ``50%``.
    """
    return percent(value, written_decimals(value))


def trimmed(value: float) -> str:
    """``52.85%``, ``49.5%``, ``50%``: a share to at most six decimals with no trailing zeros
    (the ends of the range a rounded report stands for)."""
    text = number(value, 6).rstrip("0").rstrip(".")
    return f"{text or '0'}%"
