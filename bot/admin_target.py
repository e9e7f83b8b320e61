"""Which ballot an organiser's command means: an id, or a search as members type it.

``/ballot admin reminders barchester`` works like ``/ballot barchester``: a search that leads
to exactly one ballot is used; one that leads to several (or to names of different ballots)
shows them with their ids and changes nothing; ids (and ``#id``) keep working. Search goes
through :meth:`bot.search.SearchIndex.find` and its :class:`~bot.search.Match`, as members'
searches do.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import Ballot
from bot.ports import BallotStore
from bot.replies import Reply, ReplyKind, Section, error
from bot.search import SearchIndex
from bot.search.current import find_in

SHOWN = 10
"""How many matching ballots a choice lists (newest first)."""


async def named_ballot(
    text: str, ballots: BallotStore, index: SearchIndex, command: str
) -> Ballot | Reply:
    """The one ballot ``text`` names, or a reply saying why there is not exactly one.

    ``command`` is what the organiser typed before the ballot (``admin reminders``): the
    reply to a search with several ballots tells them to repeat it with an id.
    """
    text = text.strip()
    wanted = text[1:].strip() if text.startswith("#") else text
    ballot = await ballots.get(wanted)
    if ballot is not None:
        return ballot
    if text.startswith("#") or not wanted:
        return error(
            "No such ballot", f"There is no ballot with id {wanted!r}; nothing was changed."
        )
    match = await find_in(index, wanted)  # bounded and off the loop, as members' searches
    if match.choices:
        ids = list(dict.fromkeys(match.choice_ids))
        return await _choose(text, await ballots.get_many(ids), command)
    if not match.found:
        hint = ", ".join(match.closest) if match.closest else "no ballots stored yet"
        return error(
            f"No ballot found for “{text}”",
            f"It is neither a ballot id nor a name I know (closest names: {hint}). "
            "Nothing was changed.",
        )
    if len(match.ballot_ids) == 1:
        found = await ballots.get(match.ballot_ids[0])
        if found is not None:
            return found
        return error(f"No ballot found for “{text}”", "It was removed just now.")
    shown = await ballots.get_many(match.ballot_ids[:SHOWN])
    return await _choose(text, shown, command, len(match.ballot_ids))


async def _choose(
    text: str, found: Sequence[Ballot], command: str, total: int | None = None
) -> Reply:
    total = len(found) if total is None else total
    lines = [f"{b.id} — {b.title} ({_when(b)})" for b in found]
    if total > len(found):
        lines.append(f"… and {total - len(found)} older")
    example = found[0].id if found else "<id>"
    return Reply(
        header=f"{total} ballots match “{text}”: which one?",
        text=f"Nothing was changed. Repeat the command with the id of the one you mean, "
        f"e.g. `/ballot {command} {example} …`.",
        sections=(Section(title="Ballots (id — name)", lines=tuple(lines)),),
        kind=ReplyKind.CHOICES,
        data={"choices": [b.id for b in found]},
    )


def _when(ballot: Ballot) -> str:
    if ballot.closes is not None:
        return f"closing date {ballot.closes.human()}"
    when = ballot.announced or ballot.opens
    return when.human() if when else "date not known"
