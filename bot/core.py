"""The core handler: a Request in, a Reply out, the same on every platform.

It owns the search index (rebuilt only when the catalog version changes) and turns commands
into cards. It knows nothing of Slack, Discord or the terminal.

No request holds the event loop (see :mod:`bot.offloop`): searching, building the index,
cards, listings and pictures run on worker threads (pictures in a process of their own), and
the work each does is bounded whatever the data holds: a query is cut to the length of the
longest name in the catalogue before it is matched, and a card shows at most
:data:`CARD_QUESTIONS` questions and says how many more there are.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, Protocol

from bot import commands, offloop
from bot.actions import Action, BadAction, Verb, legacy
from bot.cards import (
    Judge,
    Judged,
    ballot_card,
    ballot_line,
    judge_ballot,
    open_line,
    simple_judge,
    unresolved,
)
from bot.domain import Ballot, CatalogEntry
from bot.ports import BallotStore
from bot.privacy.logs import acting_for
from bot.replies import Button, Image, Reply, Section, Tone, error
from bot.requests import FormSubmission, Request, in_hand
from bot.search import BUILTIN_TABLE, Match, SearchIndex, UnionTable


class Serialise(Protocol):
    """A ballot as JSON, with the verdicts of ``judged`` (judging it itself when not given)."""

    def __call__(self, ballot: Ballot, judged: Judged | None = None) -> dict[str, Any]: ...


class Draw(Protocol):
    """A ballot's picture, from the verdicts of ``judged``; for an open ballot, given how
    many members said they posted."""

    def __call__(
        self, ballot: Ballot, confirmed_voters: int | None = None, judged: Judged | None = None
    ) -> Image: ...


CampaignCard = Callable[[str, Sequence[Ballot]], Reply]
Confirmed = Callable[[str], Awaitable[int]]


class CommandService(Protocol):
    """A service the core hands some commands to: subscriptions and organiser commands
    (:mod:`bot.announce`), reminders (:mod:`bot.reminders`)."""

    async def handle(self, command: commands.Command, request: Request) -> Reply: ...


class FormService(CommandService, Protocol):
    """A service whose replies can be forms (organiser commands): it takes them back."""

    async def submit(self, form: FormSubmission, request: Request) -> Reply: ...


BUTTON_COMMANDS: dict[Verb, Callable[[str], commands.Command]] = {
    Verb.CARD: lambda ref: commands.Lookup(ref),
    Verb.PICK: lambda ref: commands.Lookup(ref),
    Verb.SHARE: lambda ref: commands.Lookup(ref),
    Verb.HISTORY: lambda ref: commands.Lookup(ref, history=True),
    Verb.POSTED: lambda ref: commands.Voted(ref),
    Verb.REPLACEMENT: lambda ref: commands.Replacement(ref),
    Verb.REMIND: lambda ref: commands.RemindMe(ref),
}
"""What each button verb runs, for the ballot ``#id``: a command built here, never parsed
from text, so nothing in a ballot's data can change which command it is."""


HISTORY_LIMIT = 25
RECENT_LIMIT = 5
REPLY_CACHE_SIZE = 2048
"""Answers kept per catalog version: members ask for the same few ballots over and over."""
MATCH_CACHE_SIZE = 4096
"""Searches kept per catalog version (reminders and lookups share them)."""

IN_PROGRESS = 32
"""Requests worked on at once; more wait their turn, holding nothing. A burst of hundreds
(a reminder went out, everyone answers at once) then keeps the event loop light enough for
the adapters to acknowledge each in time ("working on it") and answer in order."""

CARD_QUESTIONS = 20
"""Questions a card shows (statutory ballots ask one or two); a card says how many more."""
QUERY_MIN = 64
QUERY_MAX = 200
"""What a member types is cut to the longest name in the catalogue, but never below
QUERY_MIN characters (room for "kirklees council strike history") nor above QUERY_MAX:
anything longer cannot be a name, and fuzzy matching costs grow with the length."""


class Core:
    """Answers members. One instance per process, shared by every adapter."""

    def __init__(
        self,
        store: BallotStore,
        *,
        judge: Judge = simple_judge,
        serialise: Serialise | None = None,
        campaign_card: CampaignCard | None = None,
        draw: Draw | None = None,
        announcements: FormService | None = None,
        reminders: CommandService | None = None,
        confirmed: Confirmed | None = None,
        score_cutoff: float = 80.0,
        margin: float = 4.0,
        refresh_seconds: float = 1.0,
        today: Callable[[], date] = date.today,
        unions: UnionTable = BUILTIN_TABLE,
    ) -> None:
        self.store = store
        self.judge = judge
        self.serialise = serialise
        self.campaign_card = campaign_card
        self.draw = draw
        self.announcements = announcements
        self.reminders = reminders
        self.confirmed = confirmed
        self.score_cutoff = score_cutoff
        self.margin = margin
        self.unions = unions
        self.today = today
        self.refresh_seconds = refresh_seconds
        self._checked_at = -float("inf")
        self._replies: OrderedDict[tuple[object, ...], Reply] = OrderedDict()
        self._index: SearchIndex | None = None
        self._index_version: int | None = None
        self._lock = asyncio.Lock()
        self._turns = asyncio.Semaphore(IN_PROGRESS)
        self._query_limit = QUERY_MAX
        self._matches: OrderedDict[tuple[object, ...], Match] = OrderedDict()
        self._cards: OrderedDict[tuple[str, int | None, date], Reply] = OrderedDict()
        self._building: dict[tuple[str, int | None, date], asyncio.Future[Reply | None]] = {}

    async def index(self) -> SearchIndex:
        """The search index for the current catalog, rebuilt when any ballot changed.

        The catalog version is asked at most every ``refresh_seconds``: a member's query then
        costs one database read, not two, and an import shows up within that time.
        """
        now = time.monotonic()
        if self._index is not None and now - self._checked_at < self.refresh_seconds:
            return self._index
        self._checked_at = now
        version = await self.store.catalog_version()
        if self._index is not None and version == self._index_version:
            return self._index
        async with self._lock:
            if self._index is None or version != self._index_version:
                entries = await self.store.catalog()
                self._index, longest = await offloop.compute(self._build, entries)
                offloop.keep()
                self._query_limit = min(QUERY_MAX, max(QUERY_MIN, longest))
                self._index_version = version
                self._replies.clear()
                self._matches.clear()
                self._cards.clear()
        return self._index

    def _build(self, entries: Sequence[CatalogEntry]) -> tuple[SearchIndex, int]:
        """The index and the longest name in it (on the CPU thread: seconds for 50,000)."""
        longest = max((len(name) for entry in entries for _, name in entry.names), default=0)
        return SearchIndex(entries, self.score_cutoff, self.margin, self.unions), longest

    def bounded_query(self, text: str) -> str:
        """``text`` cut to what a name in the catalogue can be (at a word where it can)."""
        limit = self._query_limit
        if len(text) <= limit:
            return text
        cut = text[:limit]
        return cut.rsplit(None, 1)[0] if not text[limit].isspace() and " " in cut else cut

    async def find(
        self, search: str, today: date | None = None, among: Collection[str] | None = None
    ) -> Match:
        """What a search leads to (:meth:`SearchIndex.find`: ``today`` decides open or
        closed, ``among`` limits it to these ballot ids), cut to a name's length, worked out
        on the CPU thread and kept per catalog version: lookups and reminders both search
        through here."""
        index = await self.index()
        query = self.bounded_query(search)
        today = today or self.today()
        key = (self._index_version, query, today, None if among is None else tuple(among))
        found = self._matches.get(key)
        if found is None:
            found = await offloop.compute(index.find, query, today, among)
            self._matches[key] = found
            if len(self._matches) > MATCH_CACHE_SIZE:
                self._matches.popitem(last=False)
        return found

    async def handle(self, request: Request) -> Reply:
        """Answer one request: typed text, a button press (``request.action``) or a
        submitted form (``request.form``). Bad input gets a clear message and changes nothing.

        Read-only answers are the same for every member, so they are kept per catalog version
        (and per day, for "open"): a repeated question costs no database read.
        """
        with acting_for(request.platform, request.user_id), in_hand(request):
            return await self._handle(request)

    async def _handle(self, request: Request) -> Reply:
        if request.action is not None:
            command = button_command(request.action)
        elif request.form is not None:
            return await self._submit(request.form, request)
        else:
            command = commands.parse(request.text)
        if isinstance(command, Reply):
            return command
        pictured = isinstance(command, commands.Lookup) and command.chart
        if not isinstance(command, commands.READ_ONLY) or pictured:
            async with self._turns:
                return await self._answer(command, request)  # pictures have their own cache
        await self.index()  # refreshes the version, clearing stale answers
        key = (command, self._index_version, self.today())
        cached = self._replies.get(key)
        if cached is not None:
            self._replies.move_to_end(key)
            return cached
        async with self._turns:
            reply = await self._answer(command, request)
        self._replies[key] = reply
        if len(self._replies) > REPLY_CACHE_SIZE:
            self._replies.popitem(last=False)
        return reply

    async def press(self, action: str, request: Request) -> Reply:
        """A button pressed: ``action`` is its value as the platform sent it back."""
        return await self.handle(replace(request, action=action))

    async def _submit(self, form: FormSubmission, request: Request) -> Reply:
        if self.announcements is None:
            return error("Announcements are not set up in this installation")
        return await self.announcements.submit(form, request)

    async def _answer(self, command: commands.Command, request: Request) -> Reply:
        match command:
            case commands.Help():
                return help_reply()
            case commands.Invalid(reason):
                return error("I could not read that", reason)
            case commands.OpenBallots():
                return await self._open()
            case commands.Recent():
                return await self._recent()
            case commands.Lookup(search, history, chart):
                return await self._lookup(search, history, chart)
            case commands.Admin(verb="reminders" | "privacy") | (
                commands.RemindMe()
                | commands.RemindStop()
                | commands.Voted()
                | commands.Replacement()
                | commands.ForgetMe()
            ):
                if self.reminders is None:
                    return error("Reminders are not set up in this installation")
                return await self.reminders.handle(command, request)
            case (
                commands.Subscribe()
                | commands.Unsubscribe()
                | commands.Subscriptions()
                | commands.Admin()
            ):
                if self.announcements is None:
                    return error("Announcements are not set up in this installation")
                return await self.announcements.handle(command, request)
        raise AssertionError(f"unhandled command {command!r}")  # pragma: no cover

    async def suggest(self, text: str, limit: int = 25) -> list[str]:
        """Names to offer while a member types (Discord autocomplete)."""
        index = await self.index()
        query = self.bounded_query(commands.strip_prefix(text))
        return await offloop.compute(index.suggest, query, limit, self.today())

    def judged(self, ballot: Ballot) -> Judged:
        """Every question of ``ballot`` judged once, for everything one reply shows of it."""
        return judge_ballot(ballot, self.judge)

    def card(
        self,
        ballot: Ballot,
        picture: bool = False,
        confirmed_voters: int | None = None,
        judged: Judged | None = None,
    ) -> Reply:
        """A ballot's card; with ``picture``, the same figures drawn as well. The questions
        are judged once (or ``judged`` is used) for the text, the JSON and the picture.

        At most :data:`CARD_QUESTIONS` questions are shown (and judged, and in ``data``); a
        ballot with more gets a section saying how many are not shown. This runs where it is
        called: requests use :meth:`answer_card`, which keeps it off the event loop.
        """
        reply, shown, judged = self._card_parts(ballot, judged)
        if not picture:
            return reply
        if self.draw is None:
            return replace(reply, footer="Pictures are not available in this installation.")
        return replace(reply, image=self.draw(shown, confirmed_voters, judged))

    async def answer_card(
        self,
        ballot: Ballot,
        picture: bool = False,
        confirmed_voters: int | None = None,
        judged: Judged | None = None,
    ) -> Reply:
        """:meth:`card` off the event loop: built on the CPU thread, drawn on the pictures one."""
        reply, shown, judged = await offloop.compute(self._card_parts, ballot, judged)
        if not picture:
            return reply
        if self.draw is None:
            return replace(reply, footer="Pictures are not available in this installation.")
        image = await offloop.draw(self.draw, shown, confirmed_voters, judged)
        return replace(reply, image=image)

    def _card_parts(self, ballot: Ballot, judged: Judged | None) -> tuple[Reply, Ballot, Judged]:
        """The card, and the ballot and judgements it shows (its first questions)."""
        shown, more = _first_questions(ballot)
        judged = self.judged(shown) if judged is None else judged[: len(shown.questions)]
        data = {"ballot": self.serialise(shown, judged)} if self.serialise else {}
        if more:
            data["questions_shown"] = len(shown.questions)
            data["questions_total"] = len(ballot.questions)
        reply = ballot_card(shown, self.judge, data, judged=judged)
        if more:
            reply = replace(reply, sections=(*reply.sections, _more_questions(ballot, more)))
        return reply, shown, judged

    async def pictured(self, ballot: Ballot, judged: Judged | None = None) -> Reply:
        """The card with its picture; an open ballot's thermometer counts confirmed voters."""
        confirmed = None
        if not ballot.has_result and self.confirmed is not None:
            confirmed = await self.confirmed(ballot.id)
        return await self.answer_card(
            ballot, picture=True, confirmed_voters=confirmed, judged=judged
        )

    async def _lookup(self, search: str, history: bool, picture: bool = False) -> Reply:
        if search.startswith("#"):
            ballot_id = search[1:].strip()
            card = None if picture or history else await self._card_of(ballot_id)
            if card is not None:
                return card
            ballot = await self.store.get(ballot_id)
            if ballot is None:
                return error("No ballot found", f"There is no ballot with id {search[1:]!r}.")
            if history:
                return await self._history_of(ballot)
            return await self.pictured(ballot) if picture else await self.answer_card(ballot)
        search = self.bounded_query(search)
        match = await self.find(search)
        answer = unresolved(search, match)
        if answer is not None:
            return answer
        if match.campaign is not None and self.campaign_card is not None and not history:
            ballots = await self.store.get_many(match.ballot_ids)
            return await offloop.compute(self.campaign_card, match.campaign, ballots)
        if not history:
            card = None if picture else await self._card_of(match.ballot_ids[0])
            if card is not None:
                return card
            ballot = await self.store.get(match.ballot_ids[0])
            if ballot is None:  # removed since the index was built
                return error(f"No ballot found for “{search}”", "It was removed just now.")
            return await self.pictured(ballot) if picture else await self.answer_card(ballot)
        ballots = await self.store.get_many(match.ballot_ids[:HISTORY_LIMIT])
        more = len(match.ballot_ids) - len(ballots)
        return await self._listing(
            f"Ballots matching “{search}”, newest first",
            ballots,
            footer=f"{more} older ballots not shown." if more > 0 else None,
        )

    async def _history_of(self, ballot: Ballot) -> Reply:
        """Every ballot of ``ballot``'s employer, newest first (the History button).

        The employer is looked up as a name in the index, never read as a command; a name
        the index cannot hold (only punctuation) lists the ballot alone.
        """
        ids = list((await self.index()).employer_ballots(ballot.employer))
        if ballot.id not in ids:
            ids.insert(0, ballot.id)
        ballots = await self.store.get_many(ids[:HISTORY_LIMIT])
        more = len(ids) - len(ballots)
        return await self._listing(
            f"Ballots for “{ballot.employer}”, newest first",
            ballots,
            footer=f"{more} older ballots not shown." if more > 0 else None,
        )

    async def _card_of(self, ballot_id: str) -> Reply | None:
        """A ballot's card, read and built once per catalog version and day however many
        members ask for it and however they word it (a burst of new typos for one ballot
        is one read); None when there is no such ballot."""
        key = (ballot_id, self._index_version, self.today())
        card = self._cards.get(key)
        if card is not None:
            self._cards.move_to_end(key)
            return card
        building = self._building.get(key)
        if building is None:
            building = self._building[key] = asyncio.ensure_future(self._build_card(key))
            building.add_done_callback(lambda _: self._building.pop(key, None))
        return await asyncio.shield(building)

    async def _build_card(self, key: tuple[str, int | None, date]) -> Reply | None:
        ballot = await self.store.get(key[0])
        if ballot is None:
            return None
        card = await self.answer_card(ballot)
        if key[1] == self._index_version:  # not built across a catalog change
            self._cards[key] = card
            if len(self._cards) > REPLY_CACHE_SIZE:
                self._cards.popitem(last=False)
        return card

    async def _open(self) -> Reply:
        ballots = await self.store.open_ballots(self.today())
        if not ballots:
            return Reply(header="No ballots are open now", kind="list", data={"ballots": []})
        return await self._listing("Ballots open now", ballots, describe=open_line)

    async def _recent(self) -> Reply:
        ballots = await self.store.recent_results(RECENT_LIMIT)
        if not ballots:
            return Reply(header="No results yet", kind="list", data={"ballots": []})
        return await self._listing("Latest results", ballots)

    async def _listing(
        self,
        header: str,
        ballots: Sequence[Ballot],
        footer: str | None = None,
        describe: Callable[..., str] = ballot_line,
    ) -> Reply:
        """A list of ballots, built on the CPU thread (hundreds of open ballots, each with
        its figures and verdicts in ``data``)."""
        return await offloop.compute(self._list_reply, header, ballots, footer, describe)

    def _list_reply(
        self,
        header: str,
        ballots: Sequence[Ballot],
        footer: str | None,
        describe: Callable[..., str],
    ) -> Reply:
        """One line per ballot (``describe(ballot, judged=...)``: its headline by default),
        each ballot judged once for its line and its JSON (as its card shows it: its first
        questions)."""
        ballots = [_first_questions(b)[0] for b in ballots]
        judged = [self.judged(b) for b in ballots]
        lines = [describe(b, judged=j) for b, j in zip(ballots, judged, strict=True)]
        serialise = self.serialise
        return Reply(
            header=header,
            sections=(Section(title=_ballots(len(ballots)), lines=tuple(lines)),),
            buttons=tuple(Button(b.employer[:70], Action(Verb.CARD, b.id)) for b in ballots[:5]),
            footer=footer,
            tone=Tone.NEUTRAL,
            kind="list",
            data={
                "ballots": [serialise(b, j) for b, j in zip(ballots, judged, strict=True)]
                if serialise
                else []
            },
        )


def _first_questions(ballot: Ballot) -> tuple[Ballot, int]:
    """The ballot as a card shows it (its first :data:`CARD_QUESTIONS` questions) and how
    many questions that leaves out."""
    more = len(ballot.questions) - CARD_QUESTIONS
    if more <= 0:
        return ballot, 0
    return replace(ballot, questions=ballot.questions[:CARD_QUESTIONS]), more


def _more_questions(ballot: Ballot, more: int) -> Section:
    total = len(ballot.questions)
    return Section(
        title=f"{more:,} more questions not shown",
        lines=(
            f"This ballot asks {total:,} questions; this card shows the first "
            f"{CARD_QUESTIONS}. The figures of the others are in the export "
            "(`ballotbot export`) and at the source.",
        ),
    )


def button_command(value: str) -> commands.Command | Reply:
    """The command a button stands for, or the refusal to show the clicker.

    A current button is ``verb:id`` (:mod:`bot.actions`): its command comes from
    :data:`BUTTON_COMMANDS`. A button drawn by an older version carries grammar text; it is
    answered only when that text is a plain lookup (read-only, the same for everyone) and
    refused otherwise, so an old card can never run an organiser's, a subscription's or a
    member's own command (remind, voted, forget me) for whoever clicks it.
    """
    if legacy(value):
        command = commands.parse(value)
        if isinstance(command, commands.Lookup):
            return command
        return error(
            "That button no longer works",
            "It was drawn by an older version of ballotbot. Type the command instead "
            "(`/ballot help` lists them); nothing was changed.",
        )
    try:
        action = Action.parse(value)
    except BadAction as exc:
        return error(
            "That button is not one of mine", f"Its action was refused: {exc} Nothing was changed."
        )
    return BUTTON_COMMANDS[action.verb](f"#{action.ballot_id}")


def _ballots(count: int) -> str:
    return f"{count} ballot" if count == 1 else f"{count} ballots"


def help_reply() -> Reply:
    """The help card, generated from the grammar so it never drifts."""
    return Reply(
        header="ballotbot: your ballots, their results, your reminders",
        text="Type `/ballot` followed by one of these:",
        sections=(Section(title="Commands", lines=tuple(commands.help_lines())),),
        footer=f"{commands.BALLOT_NAMED}.",
        kind="help",
    )
