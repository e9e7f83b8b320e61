"""Text as search compares it: one key however a name was typed, displays left as typed.

``Ynys Môn`` (precomposed or with a combining circumflex), ``YNYS MON``, ``ｙｎｙｓ ｍｏｎ``
(full-width) and ``ynys mon`` all become the words ``ynys mon``; ``İZMİR`` becomes ``izmir``.
The steps: Unicode NFKC (full-width and compatibility forms to plain ones), case folding,
accents removed (canonical decomposition, then combining marks dropped), the few letters that
carry no separable accent mapped by hand (``ı ø ł æ œ ð þ``), possessive ``'s`` and
apostrophes dropped (``St John's`` -> ``st john``), dots inside abbreviations dropped
(``N.E.U.`` -> ``neu``), and everything that is not a letter or a digit separating words.
"""

from __future__ import annotations

import re
import unicodedata

_BY_HAND = str.maketrans(
    {"ı": "i", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ħ": "h"}
)
_APOSTROPHES = "'’ʼ‘`´"
_POSSESSIVE = re.compile(rf"(?<=\w)[{_APOSTROPHES}]s\b")
_JOINED = re.compile(rf"[{_APOSTROPHES}]|(?<=\w)\.(?=\w)")
_SEPARATORS = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Case and accents removed, compatibility forms unified: ``Môn`` -> ``mon``."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).translate(_BY_HAND)


def words(text: str) -> list[str]:
    """The words of ``text`` as search compares them: ``Kirklees-Council!`` -> kirklees, council."""
    folded = _JOINED.sub("", _POSSESSIVE.sub("", fold(text)))
    return [word for word in _SEPARATORS.split(folded) if word]


def stem(word: str) -> str:
    """A word without a plural or possessive ``s`` (``pensions`` -> ``pension``, ``mcdonalds``
    -> ``mcdonald``), applied alike to names and queries so either form finds the other."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def normalise(text: str) -> str:
    """One key for a name however it was typed: ``  Cyngor Sir Ynys Môn! `` -> ``cyngor sir
    ynys mon``. Used wherever two names are compared (search, subscriptions)."""
    return " ".join(words(text))
