"""The grammar: the text a member typed -> a typed Command. One grammar for every platform.

Every verb is read here and only here. Organisers' arguments are split into words once (shell
quoting: ``employer="Leeds City Council"``), and each value is parsed by its import column's
own parser (:mod:`bot.columns`, :mod:`bot.parsers`), so a handler receives typed values
(``AdminResult(ballot="leeds-2026", figures=Figures(votes_for=2000, ...))``) and never reads
text again. What cannot be read becomes :class:`Invalid` (or :class:`AdminInvalid` for an
organiser's command), naming what is wrong; :func:`parse` never raises.

What needs the stored ballot is checked by the handler: which ballot a name means, whether
question ``q=N`` exists on it, whether the figures fit its electorate.

The help text is generated from :data:`GRAMMAR`, the single description of what the bot
understands, so ``/ballot help`` can never drift from the parser.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, get_args

from bot import columns, invariants, parsers
from bot.announce.model import FilterKind
from bot.domain import Ballot, Percentage
from bot.replies import Reply
from bot.requests import Request

MAX_TEXT = 500
"""Longer input is refused: no ballot name is that long, and it keeps work bounded."""


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Lookup:
    """``/ballot <search>``: the latest matching ballot; with ``history``, every one."""

    search: str
    history: bool = False
    chart: bool = False


@dataclass(frozen=True)
class OpenBallots:
    pass


@dataclass(frozen=True)
class Recent:
    pass


@dataclass(frozen=True)
class Subscribe:
    """``/ballot subscribe [filter]``: this channel follows results (all, or the filter).
    ``kind``: named before a colon (``union:unison``); otherwise the filter is a name to
    look up."""

    filter: str = ""
    kind: FilterKind | None = None


@dataclass(frozen=True)
class Unsubscribe:
    filter: str = ""
    kind: FilterKind | None = None


def _filter(text: str) -> tuple[str, FilterKind | None]:
    """``kind:value`` when ``kind`` is a :class:`FilterKind`; else the text, kind unknown."""
    kind_text, colon, value = text.partition(":")
    kind = kind_text.strip().lower()
    if colon and kind in FilterKind.__members__.values():
        return value, FilterKind(kind)
    return text, None


@dataclass(frozen=True)
class Subscriptions:
    pass


@dataclass(frozen=True)
class RemindMe:
    """``/ballot remind me [search]``: DM me while matching ballots are open."""

    search: str = ""


@dataclass(frozen=True)
class RemindStop:
    """``/ballot remind stop [search]``: no more DMs (about those ballots, or any)."""

    search: str = ""


@dataclass(frozen=True)
class Voted:
    """``/ballot voted <search>``: I have posted my paper. How is never asked nor stored."""

    search: str


@dataclass(frozen=True)
class Replacement:
    """``/ballot replacement <search>``: how to get a new ballot paper."""

    search: str


@dataclass(frozen=True)
class ForgetMe:
    pass


@dataclass(frozen=True)
class Invalid:
    """Text the grammar cannot accept, with the reason to show the member."""

    reason: str
    header: str = "I could not read that"


# -- organisers' commands -------------------------------------------------------------------

FIGURE_ARGUMENTS: Mapping[str, str] = {
    "for": "votes_for",
    "against": "votes_against",
    "spoilt": "spoilt",
    "eligible": "eligible",
    "turnout": "turnout_pct",
    "for_pct": "for_pct",
}
"""The figures' short names (``admin result`` and ``admin correct``, typed or in their form)
-> the import column each one is. The one place ``for=`` is spelt ``votes_for``."""


def argument_of(column: str) -> str:
    """A column's short name in ``admin result`` (``votes_for`` -> ``for``), else itself."""
    return next((k for k, c in FIGURE_ARGUMENTS.items() if c == column), column)


REPORTED = ("reported_mandate", "reported_by")
"""What the union declared of a question: set with ``admin set``, like the ballot's details."""
SETTABLE = frozenset(
    {c.name for c in columns.BALLOT_COLUMNS} - {"id", *columns.RUNNING} | set(REPORTED)
)
"""The columns ``admin set`` changes: ballot details, not figures (nor turnout so far)."""


@dataclass(frozen=True)
class Figures:
    """``for=N against=N [spoilt=N] [eligible=N] [turnout=PCT] [for_pct=PCT] [q=N]``, each
    value parsed by its import column's parser. ``None``: not given (an empty value is refused,
    never read as "unknown"). ``question``: ``q=``, counted from 1 as on the paper; whether
    the ballot has it is the handler's check."""

    votes_for: int | None = None
    votes_against: int | None = None
    spoilt: int | None = None
    turnout_pct: Percentage | None = None
    for_pct: Percentage | None = None
    eligible: int | None = None
    question: int = 1

    def result(self) -> dict[str, Any]:
        """The given figures of the question's result, by column."""
        return {
            name: value
            for name in ("votes_for", "votes_against", "spoilt", "turnout_pct", "for_pct")
            if (value := getattr(self, name)) is not None
        }


@dataclass(frozen=True)
class PlanEdit:
    """``admin reminders`` options: ``days=7,3,1`` (``days_before_close``, largest first),
    ``open=yes|no``, ``posting_days=N``, ``replacement=YYYY-MM-DD``, ``contact="..."``.
    ``given`` names the fields the organiser set (an empty ``replacement=`` or ``contact=``
    sets ``None``: back to the default); the others keep the ballot's current plan."""

    days_before_close: tuple[int, ...] | None = None
    on_open: bool | None = None
    posting_days: int | None = None
    replacement_deadline: date | None = None
    contact: str | None = None
    given: tuple[str, ...] = ()

    def changes(self) -> dict[str, Any]:
        """The given fields and their values, for ``dataclasses.replace`` on a plan."""
        return {name: getattr(self, name) for name in self.given}


@dataclass(frozen=True)
class AdminAdd:
    """``admin add id=... employer=... unions=... question=... kind=...``: a ballot built from
    the import's columns exactly as an import builds it; ``None``: show the form."""

    VERB: ClassVar[str] = "add"
    ballot: Ballot | None = None


@dataclass(frozen=True)
class AdminSet:
    """``admin set <ballot> column=value ... [q=N]``: ``details`` are parsed ballot columns,
    ``reported`` the union's declaration (for every question, or question ``question``)."""

    VERB: ClassVar[str] = "set"
    ballot: str
    details: Mapping[str, Any] = field(default_factory=dict)
    reported: Mapping[str, Any] = field(default_factory=dict)
    question: int | None = None


@dataclass(frozen=True)
class AdminResult:
    """``admin result <ballot> for=N against=N ...``; no figures: show the form."""

    VERB: ClassVar[str] = "result"
    ballot: str
    figures: Figures | None = None


@dataclass(frozen=True)
class AdminCorrect:
    """``admin correct <ballot> for=N against=N ...``; no figures: the form, filled in."""

    VERB: ClassVar[str] = "correct"
    ballot: str
    figures: Figures | None = None


@dataclass(frozen=True)
class AdminTurnout:
    """``admin turnout <ballot> <percent>``: reported turnout so far."""

    VERB: ClassVar[str] = "turnout"
    ballot: str
    turnout: Percentage


@dataclass(frozen=True)
class AdminPreview:
    VERB: ClassVar[str] = "preview"
    ballot: str


@dataclass(frozen=True)
class AdminAnnounce:
    VERB: ClassVar[str] = "announce"
    ballot: str


@dataclass(frozen=True)
class AdminCancel:
    VERB: ClassVar[str] = "cancel"
    ballot: str


@dataclass(frozen=True)
class AdminAudit:
    VERB: ClassVar[str] = "audit"
    ballot: str


@dataclass(frozen=True)
class AdminDeliveries:
    """``admin deliveries [ballot]``: the delivery log, of one ballot or all."""

    VERB: ClassVar[str] = "deliveries"
    ballot: str | None = None


@dataclass(frozen=True)
class AdminReminders:
    """``admin reminders <ballot> [options]``: the plan; with ``edit``, changed first."""

    VERB: ClassVar[str] = "reminders"
    ballot: str
    edit: PlanEdit | None = None


@dataclass(frozen=True)
class AdminPrivacy:
    VERB: ClassVar[str] = "privacy"


@dataclass(frozen=True)
class AdminInvalid:
    """An organiser's command that cannot be read. Only organisers are told why; anyone else
    hears that the command is for organisers, as for any ``admin`` command."""

    header: str
    reason: str = ""


Command = (
    Help
    | Lookup
    | OpenBallots
    | Recent
    | Subscribe
    | Unsubscribe
    | Subscriptions
    | AdminAdd
    | AdminSet
    | AdminResult
    | AdminCorrect
    | AdminTurnout
    | AdminPreview
    | AdminAnnounce
    | AdminCancel
    | AdminAudit
    | AdminDeliveries
    | AdminReminders
    | AdminPrivacy
    | AdminInvalid
    | RemindMe
    | RemindStop
    | Voted
    | Replacement
    | ForgetMe
    | Invalid
)
READ_ONLY = (Help, Lookup, OpenBallots, Recent)
"""Commands whose answer depends only on the catalog, never on who asks."""
COMMAND_TYPES: tuple[type, ...] = get_args(Command)
"""Every kind of command, for dispatch tables that must answer each one."""

Handler = Callable[[Any, Request], Awaitable[Reply]]
"""What answers one type of command: ``await handler(command, request)``."""


@dataclass(frozen=True)
class Usage:
    usage: str
    does: str


GRAMMAR: tuple[Usage, ...] = (
    Usage("/ballot", "this help"),
    Usage("/ballot <search>", "latest ballot matching an employer, branch, union, area or alias"),
    Usage("/ballot <search> history", "every ballot that matches, newest first"),
    Usage("/ballot <search> chart", "the result card as a picture"),
    Usage("/ballot open", "ballots open now, with closing dates and tracked turnout"),
    Usage("/ballot recent", "the latest results"),
    Usage("/ballot subscribe [filter]", "this channel follows results"),
    Usage("/ballot unsubscribe [filter]", "this channel stops following them"),
    Usage("/ballot subscriptions", "what this channel follows"),
    Usage("/ballot remind me [search]", "DM me reminders while matching ballots are open"),
    Usage("/ballot remind stop [search]", "stop my reminders"),
    Usage(
        "/ballot voted <search>", "I have posted my paper: no more reminders (never records how)"
    ),
    Usage("/ballot replacement <search>", "how to get a replacement ballot paper"),
    Usage("/ballot forget me", "erase everything stored about me"),
    Usage(
        '/ballot admin add id=ID employer="..." unions="A; B" question="..." kind=strike '
        "[closes=YYYY-MM-DD eligible=N status=open ...]",
        "organisers: add a ballot (the import's column names)",
    ),
    Usage(
        "/ballot admin set <ballot> opens=... closes=... status=open method=postal ...",
        "organisers: change a ballot's details and status",
    ),
    Usage(
        "/ballot admin turnout <ballot> <percent>",
        "organisers: turnout so far while it runs (not a result, not announced)",
    ),
    Usage(
        "/ballot admin result <ballot> for=N against=N [spoilt=N] [eligible=N] [q=N]",
        "organisers: declare a result; every following channel hears it once",
    ),
    Usage("/ballot admin correct <ballot> for=N against=N ...", "organisers: correct it in place"),
    Usage("/ballot admin preview <ballot>", "organisers: the announcement, not sent"),
    Usage("/ballot admin announce <ballot>", "organisers: send the announcement now"),
    Usage("/ballot admin cancel <ballot>", "organisers: mark the ballot cancelled"),
    Usage("/ballot admin audit <ballot>", "organisers: each change, every field before → after"),
    Usage("/ballot admin deliveries [ballot]", "organisers: the delivery log"),
    Usage(
        "/ballot admin reminders <ballot> [days=7,3,1] [open=yes|no] [posting_days=N] "
        "[replacement=YYYY-MM-DD] [contact=...]",
        "organisers: the reminder plan with its local times, or change it",
    ),
    Usage(
        "/ballot admin privacy",
        "organisers: what is stored about members (counts only), the oldest, the next purge",
    ),
)

_PREFIX = re.compile(r"^/?ballot\b\s*", re.IGNORECASE)


def strip_prefix(text: str) -> str:
    """Drop a leading ``/ballot`` (or ``ballot``): Slack and Discord send the text without it."""
    return _PREFIX.sub("", text.strip(), count=1).strip()


def parse(text: str) -> Command:
    """Parse what a member typed. Never raises: bad input becomes :class:`Invalid`."""
    if len(text) > MAX_TEXT:
        return Invalid(f"That is {len(text):,} characters; the most I read is {MAX_TEXT}.")
    body = " ".join(strip_prefix(text).split())
    words = body.lower().split()
    if not words or words in (["help"], ["?"]):
        return Help()
    if words == ["open"]:
        return OpenBallots()
    if words == ["recent"]:
        return Recent()
    rest = " ".join(body.split()[1:])
    if words[0] == "subscribe":
        return Subscribe(*_filter(rest))
    if words[0] == "unsubscribe":
        return Unsubscribe(*_filter(rest))
    if words == ["subscriptions"]:
        return Subscriptions()
    if words[0] == "admin":
        if len(words) < 2:
            return Invalid("Say what to do: `/ballot admin result <ballot id> for=N against=N`")
        return parse_admin(words[1], " ".join(body.split()[2:]))
    if words[:2] == ["remind", "me"]:
        return RemindMe(" ".join(body.split()[2:]))
    if words[:2] == ["remind", "stop"]:
        return RemindStop(" ".join(body.split()[2:]))
    if words[0] == "remind":
        return Invalid("Say `/ballot remind me [search]` or `/ballot remind stop`.")
    if words == ["forget", "me"]:
        return ForgetMe()
    if words[0] in ("voted", "replacement"):
        if not rest:
            return Invalid(f"Say which ballot: `/ballot {words[0]} <search>`, e.g. kirklees.")
        return Voted(rest) if words[0] == "voted" else Replacement(rest)
    if words[-1] == "chart":
        search = " ".join(body.split()[:-1])
        if not search:
            return Invalid("Say which ballot: `/ballot <search> chart`, e.g. `kirklees chart`")
        return Lookup(search, chart=True)
    if words[-1] == "history":
        search = " ".join(body.split()[:-1])
        if not search:
            return Invalid(
                "Say which ballots: `/ballot <search> history`, e.g. `kirklees history`."
            )
        return Lookup(search, history=True)
    return Lookup(body)


BALLOT_NAMED = "<ballot> is a ballot's id or a search, as members type it"
"""How organisers name a ballot (:mod:`bot.admin_target`), said once under the help."""


def help_lines() -> list[str]:
    """One line per command, for every platform's help reply."""
    return [f"{u.usage} — {u.does}" for u in GRAMMAR]


# -- reading organisers' arguments --------------------------------------------------------------


class Unreadable(Exception):
    """Raised inside the parser for arguments it cannot read; :func:`parse_admin` turns it
    into :class:`AdminInvalid` (a header naming what is wrong, and the reason)."""

    def __init__(self, header: str, reason: str = "") -> None:
        super().__init__(header)
        self.header = header
        self.reason = reason


def split_target(verb: str, words: Sequence[str]) -> tuple[str, list[str]]:
    """The words naming the ballot, and the options after them.

    Options are ``key=value`` words; ``admin turnout <ballot> <percent>`` ends with a bare
    number instead. A search of several words may be quoted or not: ``admin audit kirklees
    council`` and ``admin audit "kirklees council"`` name the same ballot.
    """
    words = list(words)
    if verb == "turnout" and len(words) >= 2 and "=" not in words[-1]:
        return " ".join(words[:-1]), words[-1:]
    named: list[str] = []
    for position, word in enumerate(words):
        if "=" in word:
            return " ".join(named), words[position:]
        named.append(word)
    return " ".join(named), []


def _named(verb: str, named: str) -> str:
    if not named:
        raise Unreadable(
            f"Say which ballot: `/ballot admin {verb} <ballot>`",
            "Its id, or a search as members type it (an employer, branch or alias).",
        )
    return named


def _nothing_more(verb: str, usage: str, options: Sequence[str]) -> None:
    """Options a command does not take are refused, never silently dropped."""
    if options:
        raise Unreadable(
            f"I could not read “{options[0][:60]}”",
            f"`/ballot admin {verb}` takes {usage} only; nothing was changed.",
        )


def _key_values(words: Sequence[str]) -> dict[str, str]:
    """``column=value`` words with the import's column names, each column once."""
    found: dict[str, str] = {}
    for word in words:
        key, equals, value = word.partition("=")
        if not equals or key not in columns.NAMES:
            raise Unreadable(
                f"I could not read “{word[:60]}”",
                "Write column=value with the import's column names, quoting spaces: "
                'employer="Leeds City Council". Nothing was changed.',
            )
        if key in found:
            raise Unreadable(f"{key} is given twice", "Give each column once; nothing was changed.")
        found[key] = value
    return found


def _columns(raw: Mapping[str, str], wanted: Sequence[columns.Column]) -> dict[str, Any]:
    """The given columns parsed by the import's parsers; the first problem is refused."""
    values, problems = columns.parse_fields(dict(raw), wanted)
    if problems:
        column, problem = problems[0]
        raise Unreadable(f"{column} {problem}", "Nothing was changed.")
    return values


def _question(value: str) -> int:
    """``q=N``: a question's number on the paper (whether the ballot has it is checked later)."""
    try:
        number = parsers.count(value, "question number")
    except parsers.Invalid:
        number = None
    if number is None:
        raise Unreadable(
            f"q cannot be {value[:40]!r}",
            "q= is a question's number on the paper, counted from 1 (q=1 is the first). "
            "Nothing was changed.",
        )
    return number


def _add(words: Sequence[str]) -> AdminAdd:
    """A ballot from the import's columns, checked exactly as an import checks one row."""
    if not words:
        return AdminAdd()
    raw = _key_values(words)
    values = _columns(raw, columns.BALLOT_COLUMNS)
    question = columns.build_question(_columns(raw, columns.QUESTION_COLUMNS))
    ballot = columns.build_ballot(values, (question,))
    problems = invariants.consistency_problems(ballot)
    if problems:
        column, problem = problems[0]
        raise Unreadable(
            "Those details cannot all be true", f"{column}: {problem}; nothing was changed."
        )
    return AdminAdd(ballot)


def _set(named: str, options: Sequence[str]) -> AdminSet:
    given = [w.partition("=")[2] for w in options if w.startswith("q=")]
    if len(given) > 1:
        raise Unreadable("q is given twice", "Give each column once; nothing was changed.")
    question = _question(given[0]) if given else None
    raw = _key_values([w for w in options if not w.startswith("q=")])
    wrong = sorted(set(raw) - SETTABLE)
    if wrong:
        raise Unreadable(
            f"`admin set` cannot change {', '.join(wrong)}",
            "It sets ballot details (" + ", ".join(sorted(SETTABLE)) + "); figures go "
            "through `admin result`, `admin correct` and `admin turnout`.",
        )
    reported = {k: raw.pop(k) for k in REPORTED if k in raw}
    reported_values = _columns(
        reported, [c for c in columns.QUESTION_COLUMNS if c.name in reported]
    )
    details = _columns(raw, [c for c in columns.BALLOT_COLUMNS if c.name in raw])
    return AdminSet(named, details, reported_values, question)


def _figures(options: Sequence[str]) -> Figures | None:
    """``for=N against=N spoilt=N eligible=N q=N turnout=PCT``, checked like an import.

    Every argument needs a value (an empty one would make a known figure unknown), is given
    once, and is parsed by the import's own parser; a refusal names the argument. No
    options: ``None`` (the form is shown)."""
    if not options:
        return None
    values: dict[str, Any] = {}
    for option in options:
        key, equals, value = option.partition("=")
        if not equals or key not in (*FIGURE_ARGUMENTS, "q"):
            raise Unreadable(
                f"I could not read “{option[:60]}”",
                "Use for=N against=N [spoilt=N] [eligible=N] [q=N]; nothing was changed.",
            )
        name = FIGURE_ARGUMENTS.get(key, "question")
        if name in values:
            raise Unreadable(f"{key} is given twice", "Give each figure once; nothing was changed.")
        if not value.strip():
            raise Unreadable(
                f"{key} has no value", f"Give {key}= a value or leave it out; nothing was changed."
            )
        if key == "q":
            values[name] = _question(value)
            continue
        try:
            values[name] = columns.COLUMN_PARSERS[name](value)
        except columns.Invalid as exc:
            raise Unreadable(
                f"{key} cannot be {value[:40]!r}", f"{exc}; nothing was changed."
            ) from None
    return Figures(**values)


def _turnout(named: str, options: Sequence[str]) -> AdminTurnout:
    say = "Say the percentage: `/ballot admin turnout <ballot id> 34.5`"
    if len(options) != 1:
        raise Unreadable(say)
    try:
        pct = columns.COLUMN_PARSERS["turnout_so_far_pct"](options[0])
    except columns.Invalid as exc:
        raise Unreadable("That turnout cannot be right", f"{exc}; nothing was changed.") from None
    if pct is None:
        raise Unreadable(say)
    return AdminTurnout(named, pct)


PLAN_OPTIONS = (
    "Use days=7,3,1 open=yes|no posting_days=2 replacement=YYYY-MM-DD "
    'contact="..."; nothing was changed.'
)
_PLAN_FIELDS = {
    "days": "days_before_close",
    "open": "on_open",
    "posting_days": "posting_days",
    "replacement": "replacement_deadline",
    "contact": "contact",
}


def _plan_value(key: str, value: str) -> Any:
    """One ``admin reminders`` option's value; ValueError (or Invalid) says what is wrong."""
    match key:
        case "days":
            counted = (parsers.count(d, "number of days") for d in value.split(","))
            days = tuple(sorted({d for d in counted if d is not None}))
            if any(d < 0 or d > 90 for d in days):
                raise ValueError("days must be between 0 and 90")
            return tuple(reversed(days))
        case "open":
            if value.lower() not in ("yes", "no"):
                raise ValueError("open is yes or no")
            return value.lower() == "yes"
        case "posting_days":
            posting = parsers.count(value, "number of days") if value else None
            if posting is None or posting > 20:
                raise ValueError("posting_days is a whole number of working days, 0-20")
            return posting
        case "replacement":
            return date.fromisoformat(value) if value else None
        case "contact":
            if len(value) > 500:
                raise ValueError("contact is at most 500 characters")
            return value or None
    raise AssertionError(key)  # pragma: no cover - keys come from _PLAN_FIELDS


def _plan(options: Sequence[str]) -> PlanEdit | None:
    """``admin reminders`` options; a key given twice: the last one counts."""
    if not options:
        return None
    values: dict[str, Any] = {}
    for word in options:
        key, equals, value = word.partition("=")
        value = value.strip()
        if not equals or key not in _PLAN_FIELDS:
            raise Unreadable(f"I could not read “{word}”", PLAN_OPTIONS)
        try:
            values[_PLAN_FIELDS[key]] = _plan_value(key, value)
        except ValueError as exc:  # parsers.Invalid is one
            raise Unreadable(f"{key} cannot be {value!r}", f"{exc}; nothing was changed.") from None
    return PlanEdit(**values, given=tuple(values))


def _admin_words(verb: str, words: Sequence[str]) -> Command:
    """The typed command for ``admin <verb>`` and its words; raises :class:`Unreadable`."""
    if verb == "add":
        return _add(words)
    if verb == "privacy":
        _nothing_more(verb, "nothing", words)
        return AdminPrivacy()
    named, options = split_target(verb, words)
    if verb == "deliveries":
        _nothing_more(verb, "a ballot", options)
        return AdminDeliveries(named or None)
    named = _named(verb, named)
    match verb:
        case "set":
            return _set(named, options)
        case "result":
            return AdminResult(named, _figures(options))
        case "correct":
            return AdminCorrect(named, _figures(options))
        case "turnout":
            return _turnout(named, options)
        case "reminders":
            return AdminReminders(named, _plan(options))
    _nothing_more(verb, "a ballot", options)
    return BALLOT_ONLY[verb](named)


BALLOT_ONLY: Mapping[str, Callable[[str], Command]] = {
    "preview": AdminPreview,
    "announce": AdminAnnounce,
    "cancel": AdminCancel,
    "audit": AdminAudit,
}
ADMIN_VERBS = frozenset(
    {"add", "set", "result", "correct", "turnout", "deliveries", "reminders", "privacy"}
    | set(BALLOT_ONLY)
)
"""Every organiser verb the grammar reads."""


def quoted(word: str) -> str:
    """``word`` as the grammar reads it back as one word (a ballot id with a space)."""
    return shlex.quote(word)


def parse_admin(verb: str, args: str) -> Command:
    """``/ballot admin <verb> <args>`` as a typed command, or :class:`AdminInvalid` naming
    what is wrong. ``args`` is split into words once, with shell quoting."""
    if verb not in ADMIN_VERBS:
        return AdminInvalid(
            f"`/ballot admin {verb}` is not a command",
            "Organisers' commands: "
            + ", ".join(f"admin {v}" for v in sorted(ADMIN_VERBS))
            + ". Type `/ballot help`; nothing was changed.",
        )
    try:
        words = shlex.split(args)
    except ValueError as exc:
        return AdminInvalid("I could not read that", str(exc))
    return admin(verb, words)


def admin(verb: str, words: Sequence[str], ballot: str | None = None) -> Command:
    """``admin <verb>`` from words already apart (a form's boxes as ``key=value``); with
    ``ballot``, the ballot is that id and every word is an option. Never raises."""
    try:
        if ballot is not None and verb in ("result", "correct"):
            figures = _figures(words)
            return (AdminResult if verb == "result" else AdminCorrect)(ballot, figures)
        return _admin_words(verb, words)
    except Unreadable as exc:
        return AdminInvalid(exc.header, exc.reason)
