"""The grammar: the text a member typed -> a Command. One grammar for every platform.

The help text is generated from :data:`GRAMMAR`, the single description of what the bot
understands, so ``/ballot help`` can never drift from the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    """``/ballot subscribe [filter]``: this channel follows results (all, or the filter)."""

    filter: str = ""


@dataclass(frozen=True)
class Unsubscribe:
    filter: str = ""


@dataclass(frozen=True)
class Subscriptions:
    pass


@dataclass(frozen=True)
class Admin:
    """``/ballot admin <verb> ...``: organisers only; the arguments are parsed by the verb."""

    verb: str
    args: str = ""


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


Command = (
    Help
    | Lookup
    | OpenBallots
    | Recent
    | Subscribe
    | Unsubscribe
    | Subscriptions
    | Admin
    | RemindMe
    | RemindStop
    | Voted
    | Replacement
    | ForgetMe
    | Invalid
)
READ_ONLY = (Help, Lookup, OpenBallots, Recent)
"""Commands whose answer depends only on the catalog, never on who asks."""


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
        return Subscribe(rest)
    if words[0] == "unsubscribe":
        return Unsubscribe(rest)
    if words == ["subscriptions"]:
        return Subscriptions()
    if words[0] == "admin":
        if len(words) < 2:
            return Invalid("Say what to do: `/ballot admin result <ballot id> for=N against=N`")
        return Admin(words[1], " ".join(body.split()[2:]))
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
