"""UK trade unions as members name them: acronyms, full names, former and merged names.

Search reads a union anywhere in a query (``unison falkirk``, ``royal college of nursing``,
``nut 2016``), and subscriptions follow a union however its ballots spell it. The built-in
table holds the unions affiliated to the TUC and the others UK members most often ballot in
(the royal colleges, the BMA, the Scottish, Welsh and Northern Irish teaching and public
service unions, the independent unions). A union that merged into another is listed as one of
its names (the NUT and ATL formed the NEU in 2017), so ``nut`` finds NEU ballots and the NUT's
own. The config's ``[[unions]]`` entries add unions or more names (see config.example.toml).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.config import UnionSettings
from bot.search.lexicon import GENERIC, STOP_WORDS
from bot.search.text import normalise, words


@dataclass(frozen=True)
class Union:
    """One union: its full name, what members call it, and every other name it goes by."""

    name: str
    short: str | None = None
    """The acronym or one-word name members use (``RCN``, ``UNISON``); shown in replies."""
    also: tuple[str, ...] = ()
    """Former names, unions merged into it, other spellings."""

    @property
    def display(self) -> str:
        return self.short or self.name

    @property
    def key(self) -> str:
        """The union's identity in the index and in subscriptions: ``rcn``, ``unison``."""
        return normalise(self.display)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *((self.short,) if self.short else ()), *self.also)


def U(name: str, short: str | None = None, *also: str) -> Union:
    return Union(name, short, also)


BUILTIN: tuple[Union, ...] = (
    # The big public-service and general unions.
    U("UNISON", "UNISON", "Unison the public service union", "NALGO", "NUPE", "COHSE"),
    U(
        "Unite the Union",
        "Unite",
        "Amicus",
        "TGWU",
        "T&G",
        "Transport and General Workers' Union",
        "UCATT",
        "Union of Construction, Allied Trades and Technicians",
    ),
    U("GMB", "GMB", "GMB Union", "General, Municipal, Boilermakers and Allied Trade Union"),
    U("Union of Shop, Distributive and Allied Workers", "Usdaw"),
    U("Public and Commercial Services Union", "PCS", "CPSA", "PTC"),
    U(
        "Communication Workers Union",
        "CWU",
        "Union of Communication Workers",
        "UCW",
        "National Communications Union",
        "NCU",
    ),
    U("Community", "Community", "Iron and Steel Trades Confederation", "ISTC", "KFAT", "Voice"),
    U("Prospect", "Prospect", "IPMS", "Engineers and Managers Association", "EMA"),
    U(
        "Broadcasting, Entertainment, Communications and Theatre Union",
        "Bectu",
        "Bectu sector of Prospect",
    ),
    # Education.
    U(
        "National Education Union",
        "NEU",
        "National Union of Teachers",
        "NUT",
        "Association of Teachers and Lecturers",
        "ATL",
    ),
    U(
        "National Association of Schoolmasters Union of Women Teachers",
        "NASUWT",
        "NASUWT the teachers' union",
    ),
    U(
        "University and College Union",
        "UCU",
        "Association of University Teachers",
        "AUT",
        "NATFHE",
        "National Association of Teachers in Further and Higher Education",
    ),
    U("Educational Institute of Scotland", "EIS"),
    U("National Association of Head Teachers", "NAHT"),
    U("Association of School and College Leaders", "ASCL"),
    U("Association of Educational Psychologists", "AEP"),
    U("National Society for Education in Art and Design", "NSEAD"),
    U("Scottish Secondary Teachers' Association", "SSTA"),
    U("Undeb Cenedlaethol Athrawon Cymru", "UCAC"),
    U("Irish National Teachers' Organisation", "INTO"),
    U("Ulster Teachers' Union", "UTU"),
    # Health.
    U("Royal College of Nursing", "RCN"),
    U("British Medical Association", "BMA"),
    U("Royal College of Midwives", "RCM"),
    U("Hospital Consultants and Specialists Association", "HCSA"),
    U("Chartered Society of Physiotherapy", "CSP"),
    U("Society of Radiographers", "SoR", "Society and College of Radiographers"),
    U("British Dietetic Association", "BDA"),
    U("British Association of Occupational Therapists", "BAOT"),
    U("Royal College of Podiatry", None, "Society of Chiropodists and Podiatrists"),
    # Transport.
    U(
        "National Union of Rail, Maritime and Transport Workers",
        "RMT",
        "National Union of Railwaymen",
        "NUR",
    ),
    U("Associated Society of Locomotive Engineers and Firemen", "ASLEF"),
    U("Transport Salaried Staffs' Association", "TSSA"),
    U("British Airline Pilots' Association", "BALPA"),
    U("Nautilus International", "Nautilus"),
    U("United Road Transport Union", "URTU"),
    # Emergency services, justice, civil service.
    U("Fire Brigades Union", "FBU"),
    U("Prison Officers' Association", "POA"),
    U("National Association of Probation Officers", "Napo"),
    U("FDA", "FDA", "First Division Association"),
    U("Northern Ireland Public Service Alliance", "NIPSA"),
    # Media, arts and sport.
    U("National Union of Journalists", "NUJ"),
    U("Equity", "Equity", "British Actors' Equity Association"),
    U("Musicians' Union", "MU"),
    U("Writers' Guild of Great Britain", "WGGB"),
    U("Professional Footballers' Association", "PFA"),
    # Industry, finance and the rest.
    U("Bakers, Food and Allied Workers' Union", "BFAWU", "Bakers Union"),
    U("National Union of Mineworkers", "NUM"),
    U("Unity the Union", "Unity", "Ceramic and Allied Trades Union", "CATU"),
    U("Accord", "Accord"),
    U("Advance", "Advance"),
    U("Aegis the Union", "Aegis"),
    U("Independent Workers' Union of Great Britain", "IWGB"),
    U("United Voices of the World", "UVW"),
)


def phrase(name: str) -> tuple[str, ...]:
    """A name as the words search matches, without the words it may be typed without."""
    return tuple(word for word in words(name) if word not in STOP_WORDS)


class UnionTable:
    """Every name of every union -> the union's key; built once, then read-only."""

    def __init__(self, unions: Iterable[Union]) -> None:
        self.unions: dict[str, Union] = {}
        for union in unions:
            self._add(union)
        self.phrases: dict[tuple[str, ...], str] = {}
        for key, union in self.unions.items():
            for name in union.names:
                for form in _forms(phrase(name)):
                    self.phrases.setdefault(form, key)
        self.longest = max(map(len, self.phrases), default=0)

    def _add(self, union: Union) -> None:
        """A union named like one already known adds its names to it."""
        known = {phrase(n): k for k, u in self.unions.items() for n in u.names}
        for name in union.names:
            key = known.get(phrase(name))
            if key is not None:
                old = self.unions[key]
                more = tuple(n for n in union.names if phrase(n) not in map(phrase, old.names))
                self.unions[key] = Union(old.name, old.short, (*old.also, *more))
                return
        self.unions[union.key] = union

    def extended(self, more: Iterable[Union]) -> UnionTable:
        """This table with more unions, or more names for known ones."""
        return UnionTable((*self.unions.values(), *more))

    def key_of(self, name: str) -> str:
        """The key of the union ``name`` means: exactly one of its names, else the longest
        union name inside it (``UNISON Scotland`` -> ``unison``), else ``name`` normalised."""
        words_of = phrase(name)
        exact = self.phrases.get(words_of)
        if exact is not None:
            return exact
        for length in range(min(self.longest, len(words_of)), 0, -1):
            for start in range(len(words_of) - length + 1):
                found = self.phrases.get(words_of[start : start + length])
                if found is not None:
                    return found
        return normalise(name)

    def display_of(self, key: str) -> str | None:
        union = self.unions.get(key)
        return union.display if union else None


def _forms(words_of: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A union name, and without a trailing ``union`` when what is left still says which
    (``fire brigades``, but not ``university college``, which is also an employer's name)."""
    if not words_of:
        return []
    forms = [words_of]
    if len(words_of) > 1 and words_of[-1] == "union":
        rest = words_of[:-1]
        if any(word not in GENERIC for word in rest):
            forms.append(rest)
    return forms


BUILTIN_TABLE = UnionTable(BUILTIN)
"""The built-in table alone; :func:`union_table` adds the config's ``[[unions]]``."""


def union_table(extra: Iterable[UnionSettings]) -> UnionTable:
    """The built-in table with the config's ``[[unions]]`` entries added."""
    more = [Union(e.name, e.short, tuple(e.also)) for e in extra]
    return BUILTIN_TABLE.extended(more) if more else BUILTIN_TABLE
