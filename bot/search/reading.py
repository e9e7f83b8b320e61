"""A query read as facets plus name words: ``neu strike may 2023 state funded schools``.

Facets are what a member names about a ballot rather than its names: a union (any of its
names, a typo allowed) or who balloted (``teachers``: any teachers' union), a kind
(``strike``, ``asos``, ``pay offer``...), a year or a month (``2023``, ``may 2018``,
``2022/23``), a status (``open``, ``declared``...). What is left, less
noise (``ballot``, ``vote``, ``latest``...), are name words, matched against employers,
branches, aliases, areas, sectors and campaigns.

A word can be both: ``open`` is a status and half of ``Open University``. It is read as a name
word when it stands next to a word it shares a name with in the catalog (``open university``);
a union word (``community``) or a word for who balloted is read as a facet first, and as a
name word only when that finds nothing (see :attr:`Reading.ambiguous`).

Work is bounded: at most :data:`MAX_TOKENS` words are read and :data:`MAX_NAME_WORDS` name words
kept, whatever the length of the query; longer queries are marked :attr:`Reading.cut`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from bot.domain import Kind
from bot.search.lexicon import (
    FIRST_YEAR,
    GENERIC_STEMS,
    KIND_LABELS,
    KINDS,
    LAST_YEAR,
    MONTH_NAMES,
    MONTHS,
    NOISE,
    OCCUPATIONS,
    STATUSES,
    STOP_WORDS,
)
from bot.search.text import stem, words
from bot.search.vocabulary import Vocabulary, typo_budget

MAX_TOKENS = 32
"""Words read from a query; a name is never this long, so more is pasted text."""
MAX_NAME_WORDS = 8
"""Name words matched: more than any ballot's names share with one query."""
MAX_LETTERS = 1_000
"""Characters looked at, before anything else: twice what a member can send."""


FACETS = ("unions", "union_groups", "kinds", "years", "months", "statuses")
"""The fields of a reading (and of the reader's working state) that name a facet."""


def named_facets(found: object) -> bool:
    """Whether ``found`` (a :class:`Reading` or the reader's state) names any facet."""
    return any(getattr(found, name) for name in FACETS)


@dataclass(frozen=True)
class Word:
    """A name word of the query."""

    text: str
    generic: bool
    """One of :data:`bot.search.lexicon.GENERIC`: ranks, but never decides alone."""
    prefix: bool = False
    """The word still being typed: it may be the start of a longer word."""


@dataclass(frozen=True)
class Reading:
    """What a query names. Every facet set must hold for a ballot to match; within a facet,
    any value will do (``strike asos``), except unions, which must all have balloted (a joint
    ballot)."""

    unions: tuple[str, ...] = ()
    union_groups: tuple[frozenset[str], ...] = ()
    """Who balloted, when the query named them rather than their union (``teachers``): one of
    each group's unions must have balloted."""
    kinds: frozenset[Kind] = frozenset()
    years: frozenset[int] = frozenset()
    months: frozenset[tuple[int | None, int]] = frozenset()
    """(year or None for any year, month 1-12)."""
    statuses: frozenset[str] = frozenset()
    words: tuple[Word, ...] = ()
    labels: tuple[str, ...] = ()
    """The facets as a member would write them back: ``UNISON``, ``strike``, ``May 2018``."""
    ambiguous: frozenset[int] = frozenset()
    """Positions of union words that are also words of names, to read again as names."""
    typed_nothing: bool = False
    """No letter or digit worth searching for (``!!!``, an emoji, ``the``)."""
    cut: bool = False
    """The query was longer than any name can be; only its start was read."""
    typos: int = 0
    """Typos corrected in facet words (``stirke``)."""
    tokens: tuple[str, ...] = field(default=(), repr=False)

    @property
    def has_facets(self) -> bool:
        return named_facets(self)

    @property
    def has_dates(self) -> bool:
        return bool(self.years or self.months)


class Reader:
    """Reads queries against one catalog: its unions and the words of its names."""

    def __init__(
        self,
        union_phrases: Mapping[tuple[str, ...], str],
        union_display: Mapping[str, str],
        names: Vocabulary,
        bigrams: Collection[tuple[str, str]],
    ) -> None:
        self.union_phrases = union_phrases
        self.union_display = union_display
        self.names = names
        self.bigrams = bigrams
        phrases = (*union_phrases, *KINDS, *STATUSES, *OCCUPATIONS)
        self.facet_words = Vocabulary({w for p in phrases for w in p} | set(MONTHS))
        self.longest = max(map(len, phrases), default=1)

    def read(self, text: str, *, typing: bool = False, as_names: Collection[int] = ()) -> Reading:
        """Read ``text``. ``typing``: its last word may be unfinished (autocomplete).
        ``as_names``: positions to read as name words whatever else they could be."""
        cut = len(text) > MAX_LETTERS
        tokens = [word for word in words(text[:MAX_LETTERS]) if word not in STOP_WORDS]
        if not tokens:
            return Reading(typed_nothing=True)
        cut = cut or len(tokens) > MAX_TOKENS
        tokens = tokens[:MAX_TOKENS]
        if typing and text[-1:].isspace():
            typing = False  # the last word is finished
        fixed, typos = self._corrected(tokens, typing)
        state = _State()
        i, n = 0, len(tokens)
        while i < n:
            used = 0 if i in as_names else self._facet(tokens, fixed, i, state, as_names)
            if used:
                state.typos += sum(typos[i : i + used])
                i += used
                continue
            # A noise word inside a name the catalogue holds is part of that name: 'close
            # brothers' is Close Brothers, not every ballot with 'brothers' in its name.
            named = tokens[i] in NOISE and self._bound_to_a_name(tokens, i)
            state.add_word(tokens[i], prefix=typing and i == n - 1, named=named)
            i += 1
        if not state.words and not state.has_facets and all(t in NOISE for t in tokens):
            return Reading(typed_nothing=True, tokens=tuple(tokens))
        kept = state.words[:MAX_NAME_WORDS]
        return Reading(
            unions=tuple(dict.fromkeys(state.unions)),
            union_groups=tuple(dict.fromkeys(state.union_groups)),
            kinds=frozenset(state.kinds),
            years=frozenset(state.years),
            months=frozenset(state.months),
            statuses=frozenset(state.statuses),
            words=tuple(kept),
            labels=tuple(dict.fromkeys(state.labels)),
            ambiguous=frozenset(state.ambiguous),
            cut=cut or len(state.words) > MAX_NAME_WORDS,
            typos=state.typos,
            tokens=tuple(tokens),
        )

    def _corrected(self, tokens: list[str], typing: bool) -> tuple[list[str], list[int]]:
        """Each word, or the facet word it is a typo of (``royal colege`` -> ``college``):
        only words that are neither facet words nor words of any name, and only when one facet
        word is nearest."""
        fixed, typos = list(tokens), [0] * len(tokens)
        for i, token in enumerate(tokens):
            if typing and i == len(tokens) - 1:
                continue
            if token in self.facet_words or stem(token) in self.names or not typo_budget(token):
                continue
            near = self.facet_words.near(token)
            if near and (len(near) == 1 or near[0][1:] < near[1][1:]):
                fixed[i] = self.facet_words.words[near[0][0]]
                typos[i] = near[0][1]
        return fixed, typos

    def _facet(
        self,
        tokens: list[str],
        fixed: list[str],
        i: int,
        state: _State,
        as_names: Collection[int],
    ) -> int:
        """Read a facet starting at ``i``; return how many words it took (0: none)."""
        n = len(tokens)
        for length in range(min(self.longest, n - i), 0, -1):
            if any(j in as_names for j in range(i, i + length)):
                continue
            key = tuple(fixed[i : i + length])
            union = self.union_phrases.get(key)
            if union is not None:
                state.unions.append(union)
                state.labels.append(self.union_display.get(union, " ".join(key)))
                if all(stem(t) in self.names for t in tokens[i : i + length]):
                    state.ambiguous.update(range(i, i + length))
                return length
            who = OCCUPATIONS.get(key)
            if who is not None:
                state.union_groups.append(frozenset(who))
                state.labels.append(" ".join(tokens[i : i + length]))
                state.ambiguous.update(range(i, i + length))  # dropped if it finds nothing
                return length
            kinds = KINDS.get(key)
            status = STATUSES.get(key)
            if kinds is None and status is None:
                continue
            if length == 1 and self._bound_to_a_name(tokens, i):
                continue
            if kinds is not None:
                state.kinds.update(kinds)
                state.labels.extend(KIND_LABELS[k] for k in sorted(kinds))
            elif status is not None:
                state.statuses.add(status)
                state.labels.append(status)
            return length
        return self._date(tokens, fixed, i, state)

    def _date(self, tokens: list[str], fixed: list[str], i: int, state: _State) -> int:
        """``2023``, ``2022/23``, ``may 2018``, ``2018 may``; a month alone when no name of the
        catalog has that word (``march`` is also a town). A day beside a month is read with it
        and says no more than the month (``23 july 2018``, ``july 23rd 2018``, ``23/07/2018``,
        ``2018-07-23``): a ballot runs for weeks, and the day it was named by is one of many."""
        n = len(tokens)
        year = _year(tokens[i])
        if year is not None:
            nxt = tokens[i + 1] if i + 1 < n else ""
            if len(nxt) == 2 and nxt.isdigit() and int(nxt) == (year + 1) % 100:
                state.years.update((year, year + 1))
                state.labels.append(f"{year}/{nxt}")
                return 2
            month = MONTHS.get(fixed[i + 1]) if i + 1 < n else None
            if month is not None:
                state.add_month(year, month)
                return 2
            numbered = _month_number(nxt)
            if numbered is not None:  # 2018-07, 2018-07-23
                state.add_month(year, numbered)
                return 3 if i + 2 < n and _day(tokens[i + 2]) is not None else 2
            state.years.add(year)
            state.labels.append(str(year))
            return 1
        if _day(tokens[i]) is not None and i + 1 < n:
            return self._day_first(tokens, fixed, i, state)
        month = MONTHS.get(fixed[i])
        if month is None:
            return 0
        after = i + 1
        if after + 1 < n and _day(tokens[after]) is not None and _year(tokens[after + 1]):
            after += 1  # july 23 2018
        year = _year(tokens[after]) if after < n else None
        if year is not None:
            state.add_month(year, month)
            return after - i + 1
        if stem(tokens[i]) in self.names:
            return 0
        state.add_month(None, month)
        return 1

    def _day_first(self, tokens: list[str], fixed: list[str], i: int, state: _State) -> int:
        """``23 july [2018]`` or ``23/07/2018``: a day, then its month (and year)."""
        n = len(tokens)
        month = MONTHS.get(fixed[i + 1])
        year = _year(tokens[i + 2]) if i + 2 < n else None
        if month is None:
            month = _month_number(tokens[i + 1])
            if month is None or year is None:
                return 0  # "7 11" is no date
        state.add_month(year, month)
        return 3 if year is not None else 2

    def _bound_to_a_name(self, tokens: list[str], i: int) -> bool:
        """Does the word at ``i`` stand beside a word it shares a name with (``open
        university``)?"""
        stems = [stem(t) for t in tokens[max(0, i - 1) : i + 2]]
        at = 1 if i > 0 else 0
        if stems[at] not in self.names:
            return False
        before = at == 1 and (stems[0], stems[1]) in self.bigrams
        after = at + 1 < len(stems) and (stems[at], stems[at + 1]) in self.bigrams
        return before or after


@dataclass
class _State:
    unions: list[str] = field(default_factory=list)
    union_groups: list[frozenset[str]] = field(default_factory=list)
    kinds: set[Kind] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    months: set[tuple[int | None, int]] = field(default_factory=set)
    statuses: set[str] = field(default_factory=set)
    words: list[Word] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    ambiguous: set[int] = field(default_factory=set)
    typos: int = 0

    @property
    def has_facets(self) -> bool:
        return named_facets(self)

    def add_word(self, token: str, prefix: bool, named: bool = False) -> None:
        if token in NOISE and not prefix and not named:
            return
        if any(w.text == (token if prefix else stem(token)) for w in self.words):
            return
        word = token if prefix else stem(token)
        generic = stem(token) in GENERIC_STEMS or (token,) in OCCUPATIONS
        self.words.append(Word(word, generic=generic, prefix=prefix))

    def add_month(self, year: int | None, month: int) -> None:
        self.months.add((year, month))
        name = MONTH_NAMES[month - 1]
        self.labels.append(f"{name} {year}" if year is not None else name)


def _day(token: str) -> int | None:
    """A day of a month as members write it: ``23``, ``03``, ``23rd``, ``1st``."""
    digits = token.removesuffix(token[-2:]) if token.endswith(("st", "nd", "rd", "th")) else token
    if 1 <= len(digits) <= 2 and digits.isdigit() and 1 <= int(digits) <= 31:
        return int(digits)
    return None


def _month_number(token: str) -> int | None:
    """A month written as its number beside a year: ``07``, ``7``."""
    if 1 <= len(token) <= 2 and token.isdigit() and 1 <= int(token) <= 12:
        return int(token)
    return None


def _year(token: str) -> int | None:
    if len(token) == 4 and token.isdigit() and FIRST_YEAR <= int(token) <= LAST_YEAR:
        return int(token)
    return None
