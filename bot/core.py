"""The core handler: a Request in, a Reply out, the same on every platform.

It owns the search index (rebuilt only when the catalog version changes) and turns commands
into cards. It knows nothing of Slack, Discord or the terminal.

No request holds the event loop (see :mod:`bot.offloop`): searching, building the index,
cards, listings and pictures run on worker threads (pictures in a process of their own), and
the work each does is bounded whatever the data holds: a query is cut to the length of the
longest name in the catalogue before it is matched (:class:`CatalogIndex`), and a card shows
at most :data:`bot.card_maker.CARD_QUESTIONS` questions and says how many more there are.
"""

from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from bot import commands, offloop
from bot.actions import Action, BadAction, Verb, legacy, read_ref
from bot.card_maker import CardMaker, first_questions
from bot.cards import Judge, Judged, ballot_line, open_line, unresolved
from bot.domain import Ballot
from bot.ports import BallotReader, BallotStore, CommandService, FormService
from bot.privacy.logs import acting_for
from bot.replies import Button, Reply, ReplyKind, Section, Tone, error
from bot.requests import FormSubmission, Request, in_hand
from bot.search import Match, SearchIndex, Suggestion
from bot.search.current import CatalogIndex

CampaignCard = Callable[[str, Sequence[Ballot]], Reply]


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


REMINDER_COMMANDS: tuple[type, ...] = (
    commands.RemindMe,
    commands.RemindStop,
    commands.Voted,
    commands.Replacement,
    commands.ForgetMe,
    commands.AdminReminders,
    commands.AdminPrivacy,
)
"""Commands the reminders service answers."""
ANNOUNCEMENT_COMMANDS: tuple[type, ...] = tuple(
    kind
    for kind in commands.COMMAND_TYPES
    if kind not in REMINDER_COMMANDS and kind not in (*commands.READ_ONLY, commands.Invalid)
)
"""Commands the announcements service answers: subscriptions and organisers' commands."""

HISTORY_LIMIT = 25
RECENT_LIMIT = 5
REPLY_CACHE_SIZE = 2048
"""Answers kept per catalog version: members ask for the same few ballots over and over."""

IN_PROGRESS = 32
"""Requests worked on at once; more wait their turn, holding nothing. A burst of hundreds
(a reminder went out, everyone answers at once) then keeps the event loop light enough for
the adapters to acknowledge each in time ("working on it") and answer in order."""


class Core:
    """Answers members. One instance per process, shared by every adapter."""

    def __init__(
        self,
        store: BallotStore,
        *,
        cards: CardMaker | None = None,
        catalog: CatalogIndex | None = None,
        campaign_card: CampaignCard | None = None,
        announcements: FormService | None = None,
        reminders: CommandService | None = None,
        today: Callable[[], date] = date.today,
        reader: BallotReader | None = None,
    ) -> None:
        self.store = store
        self.reader = reader
        """Where the store is an embedded file, ballots read on the CPU thread beside their
        card (one hop off the event loop, not three): see :meth:`_ballots`."""
        self.cards = cards if cards is not None else CardMaker()
        self.catalog = catalog if catalog is not None else CatalogIndex(store)
        self.campaign_card = campaign_card
        self.announcements = announcements
        self.reminders = reminders
        self.today = today
        self._replies: OrderedDict[tuple[object, ...], Reply] = OrderedDict()
        self._index_version: int | None = None
        self._turns = asyncio.Semaphore(IN_PROGRESS)
        self._cards: OrderedDict[tuple[str, int | None, date], Reply] = OrderedDict()
        self._building: dict[tuple[str, int | None, date], asyncio.Future[Reply | None]] = {}
        self._table: dict[type, commands.Handler] = {}
        self._table_for: tuple[object, ...] | None = None

    @property
    def judge(self) -> Judge:
        return self.cards.judge

    async def index(self) -> SearchIndex:
        """The search index for the current catalog (:class:`CatalogIndex`); the answers kept
        for an older catalog are dropped when it changed."""
        index = await self.catalog.current()
        if self.catalog.version != self._index_version:
            self._index_version = self.catalog.version
            self._replies.clear()
            self._cards.clear()
        return index

    def bounded_query(self, text: str) -> str:
        """``text`` cut to what a name in the catalogue can be (:class:`CatalogIndex`)."""
        return self.catalog.bounded_query(text)

    async def find(self, search: str) -> Match:
        """What a search leads to today: bounded, off the event loop, kept per catalog
        version (:meth:`CatalogIndex.find`)."""
        await self.index()  # refreshes the version, clearing stale answers
        return await self.catalog.find(search, self.today())

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

    def handlers(self) -> Mapping[type, commands.Handler]:
        """The one dispatch table: each command type and what answers it.

        The core answers help, refusals and the read-only lookups; each service answers the
        commands of its :meth:`CommandService.handlers`. A service not set up answers its
        commands with a message saying so. The table is built on first use, and again if a
        service is replaced (tests swap them).
        """
        services = (self.announcements, self.reminders)
        if self._table_for != services:
            table: dict[type, commands.Handler] = {
                commands.Help: self._help,
                commands.Invalid: self._invalid,
                commands.OpenBallots: self._open_command,
                commands.Recent: self._recent_command,
                commands.Lookup: self._lookup_command,
            }
            for service, kinds, name in (
                (self.announcements, ANNOUNCEMENT_COMMANDS, "Announcements"),
                (self.reminders, REMINDER_COMMANDS, "Reminders"),
            ):
                answers = service.handlers() if service is not None else {}
                for kind in kinds:
                    table[kind] = answers.get(kind) or _not_set_up(name)
            self._table, self._table_for = table, services
        return self._table

    async def _answer(self, command: commands.Command, request: Request) -> Reply:
        return await self.handlers()[type(command)](command, request)

    async def _help(self, command: commands.Help, request: Request) -> Reply:
        return help_reply()

    async def _invalid(self, command: commands.Invalid, request: Request) -> Reply:
        return error(command.header, command.reason)

    async def _open_command(self, command: commands.OpenBallots, request: Request) -> Reply:
        return await self._open()

    async def _recent_command(self, command: commands.Recent, request: Request) -> Reply:
        return await self._recent()

    async def _lookup_command(self, command: commands.Lookup, request: Request) -> Reply:
        return await self._lookup(command.search, command.history, command.chart)

    async def suggest(self, text: str, limit: int = 25) -> list[Suggestion]:
        """Names to offer while a member types (Discord autocomplete), each with the
        reference a pick submits (``#id``): the name is data and is only shown."""
        await self.index()
        return await self.catalog.suggest(commands.strip_prefix(text), limit, self.today())

    def judged(self, ballot: Ballot) -> Judged:
        """Every question of ``ballot`` judged once, for everything one reply shows of it."""
        return self.cards.judged(ballot)

    def card(self, ballot: Ballot, picture: bool = False) -> Reply:
        """A ballot's card; with ``picture``, the same figures drawn as well (where it is
        called: requests use :meth:`answer_card`)."""
        return self.cards.card(ballot, picture=picture)

    async def answer_card(self, ballot: Ballot, picture: bool = False) -> Reply:
        """A ballot's card built, and drawn, off the event loop."""
        return await self.cards.answer_card(ballot, picture=picture)

    async def pictured(self, ballot: Ballot, judged: Judged | None = None) -> Reply:
        """The card with its picture; an open ballot's thermometer counts confirmed voters."""
        return await self.cards.pictured(ballot, judged)

    async def _lookup(self, search: str, history: bool, picture: bool = False) -> Reply:
        if search.startswith("#"):
            ballot = None
            for ballot_id in read_ref(search):
                card = None if picture or history else await self._card_of(ballot_id)
                if card is not None:
                    return card
                ballot = next(iter(await self._ballots([ballot_id])), None)
                if ballot is not None:
                    break
            if ballot is None:
                return error("No ballot found", f"There is no ballot with id {search[1:]!r}.")
            if history:
                return await self._history_of(ballot)
            return await self.pictured(ballot) if picture else await self.answer_card(ballot)
        search = self.bounded_query(search)
        if history or picture:
            match = await self.find(search)
        else:
            await self.index()  # refreshes the version, clearing stale answers
            at = (self._index_version, self.today())
            match, found = await self.catalog.find_then(
                search, at[1], functools.partial(self._found, search, at)
            )
            reply, card_of = found if found is not None else (None, None)
            if reply is not None:
                if card_of is not None:
                    self._keep_card((card_of, *at), reply)
                return reply
        answer = unresolved(search, match)
        if answer is not None:
            return answer
        if match.campaign is not None and self.campaign_card is not None and not history:
            ballots = await self._ballots(match.ballot_ids)
            return await offloop.compute(self.campaign_card, match.campaign, ballots)
        if not history:
            card = None if picture else await self._card_of(match.ballot_ids[0])
            if card is not None:
                return card
            ballot = next(iter(await self._ballots(match.ballot_ids[:1])), None)
            if ballot is None:  # removed since the index was built
                return error(f"No ballot found for “{search}”", "It was removed just now.")
            return await self.pictured(ballot) if picture else await self.answer_card(ballot)
        ballots = await self._ballots(match.ballot_ids[:HISTORY_LIMIT])
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
        ballots = await self._ballots(ids[:HISTORY_LIMIT])
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
        if self.reader is not None:
            card = await offloop.compute(self._read_card, self.reader, key[0])
        else:
            ballot = await self.store.get(key[0])
            card = None if ballot is None else await self.answer_card(ballot)
        if card is not None:
            self._keep_card(key, card)
        return card

    def _keep_card(self, key: tuple[str, int | None, date], card: Reply) -> None:
        if key[1] == self._index_version:  # not built across a catalog change
            self._cards[key] = card
            if len(self._cards) > REPLY_CACHE_SIZE:
                self._cards.popitem(last=False)

    def _found(
        self, search: str, at: tuple[int | None, date], match: Match
    ) -> tuple[Reply | None, str | None]:
        """On the CPU thread, right after a new search (:meth:`CatalogIndex.find_then`):
        the answer, when it is one this thread can give at once (the choices, no match, or
        a ballot's card read from the embedded :attr:`reader`), with the id of the ballot
        whose card it is (to keep); ``(None, None)`` leaves the rest to the event loop (a
        campaign, a card already kept, no reader)."""
        answer = unresolved(search, match)
        if answer is not None:
            return answer, None
        if self.reader is None or match.campaign is not None:
            return None, None
        ballot_id = match.ballot_ids[0]
        if (ballot_id, *at) in self._cards:
            return None, None
        card = self._read_card(self.reader, ballot_id)
        return (card, ballot_id) if card is not None else (None, None)

    def _read_card(self, reader: BallotReader, ballot_id: str) -> Reply | None:
        """On the CPU thread: a ballot read and its card built in one go (None: no such
        ballot)."""
        found = reader.read_now([ballot_id])
        return self.cards.card_parts(found[0], None)[0] if found else None

    async def _ballots(self, ballot_ids: Sequence[str]) -> list[Ballot]:
        """The ballots of ``ballot_ids`` that exist, in the order asked: read on the CPU
        thread from an embedded :attr:`reader`, else through the store."""
        if self.reader is not None:
            return await offloop.compute(self.reader.read_now, ballot_ids)
        return await self.store.get_many(ballot_ids)

    async def _open(self) -> Reply:
        ballots = await self.store.open_ballots(self.today())
        if not ballots:
            return Reply(
                header="No ballots are open now", kind=ReplyKind.LIST, data={"ballots": []}
            )
        return await self._listing("Ballots open now", ballots, describe=open_line)

    async def _recent(self) -> Reply:
        ballots = await self.store.recent_results(RECENT_LIMIT)
        if not ballots:
            return Reply(header="No results yet", kind=ReplyKind.LIST, data={"ballots": []})
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
        ballots = [first_questions(b)[0] for b in ballots]
        judged = [self.judged(b) for b in ballots]
        lines = [describe(b, judged=j) for b, j in zip(ballots, judged, strict=True)]
        serialise = self.cards.serialise
        return Reply(
            header=header,
            sections=(Section(title=_ballots(len(ballots)), lines=tuple(lines)),),
            buttons=tuple(Button(b.employer[:70], Action(Verb.CARD, b.id)) for b in ballots[:5]),
            footer=footer,
            tone=Tone.NEUTRAL,
            kind=ReplyKind.LIST,
            data={
                "ballots": [serialise(b, j) for b, j in zip(ballots, judged, strict=True)]
                if serialise
                else []
            },
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


def _not_set_up(name: str) -> commands.Handler:
    async def unavailable(command: object, request: Request) -> Reply:
        return error(f"{name} are not set up in this installation")

    return unavailable


def _ballots(count: int) -> str:
    return f"{count} ballot" if count == 1 else f"{count} ballots"


def help_reply() -> Reply:
    """The help card, generated from the grammar so it never drifts."""
    return Reply(
        header="ballotbot: your ballots, their results, your reminders",
        text="Type `/ballot` followed by one of these:",
        sections=(Section(title="Commands", lines=tuple(commands.help_lines())),),
        footer=f"{commands.BALLOT_NAMED}.",
        kind=ReplyKind.HELP,
    )
