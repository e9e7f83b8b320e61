"""Search that understands members' words.

A query is read as facets plus name words (:mod:`bot.search.reading`): a union by any of its
names (:mod:`bot.search.unions`), a kind of ballot, a year or month, a status; the rest are
words of names (employer, branch, alias, area, sector, campaign), found exactly, with typos or
by their start (:mod:`bot.search.vocabulary`) whatever their case, accents or Unicode form
(:mod:`bot.search.text`). Every facet named must hold; the words rank what is left by rules a
member can follow (:mod:`bot.search.ranking`). A card only when one employer, union or campaign
is clearly meant; otherwise a short list; never a silent guess.
"""

from bot.search.index import Match, NamedFilter, SearchIndex, Suggestion
from bot.search.text import fold, normalise, words
from bot.search.unions import BUILTIN_TABLE, Union, UnionTable

__all__ = [
    "BUILTIN_TABLE",
    "Match",
    "NamedFilter",
    "SearchIndex",
    "Suggestion",
    "Union",
    "UnionTable",
    "fold",
    "normalise",
    "words",
]
