"""What a button does: a verb from a fixed table and a ballot id, never command text.

A button travels to a platform and comes back when someone clicks it, possibly days later and
from someone other than the member it was drawn for. What comes back is only ``verb:id``
(``history:kirklees-2026``): the core looks the verb up in :data:`VERBS`, checks the id, and
runs that one thing. Ballot data (an employer called ``admin cancel victim``) can appear in a
button's label, which is shown as text, but never in what the button runs.

The id is percent-encoded (``urllib.parse.quote``) so that any stored id, even one from
before ids were restricted, travels as letters, digits and ``-_.~%`` only: it can never
carry a colon, a space or a quote into a platform's custom id. Slack allows 2,000 characters
in a button's value and Discord 100 in a custom id; :meth:`Action.value` is short, and a
platform that cannot fit one leaves that button out rather than cut it.

Buttons drawn before this table existed carried grammar text (``/ballot Kirklees history``);
:func:`legacy` names them so the core can answer them as plain lookups only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, unquote


class Verb(StrEnum):
    """Everything a button can do. Adding a member here is the only way to add a button."""

    CARD = "card"
    """Show the ballot's card (a line of a list, a campaign's ballots)."""
    PICK = "pick"
    """One of "Several ballots match": show the ballot picked."""
    HISTORY = "history"
    """Every ballot of the same employer, newest first."""
    SHARE = "share"
    """Post the ballot's card publicly in the channel, saying who shared it."""
    POSTED = "posted"
    """The clicker says they have posted their paper for this ballot: no more reminders."""
    REPLACEMENT = "replacement"
    """How to get a replacement ballot paper for this ballot."""
    REMIND = "remind"
    """Remind the clicker by direct message about this ballot while it is open."""


VERBS: dict[Verb, str] = {
    Verb.CARD: "the ballot's card",
    Verb.PICK: "the ballot picked from a list",
    Verb.HISTORY: "every ballot of the same employer",
    Verb.SHARE: "the ballot's card, posted in the channel",
    Verb.POSTED: "I have posted my paper",
    Verb.REPLACEMENT: "how to get a replacement paper",
    Verb.REMIND: "remind me by direct message",
}
"""The fixed table: what each verb shows, for refusals and documentation."""

MAX_ID = 200
"""The longest ballot id a button can carry (the id column's own limit)."""

_ENCODED_ID = re.compile(r"[A-Za-z0-9._~%-]{1,600}")
_VALUE = re.compile(r"(?P<verb>[a-z]{1,20}):(?P<id>.*)", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
LEGACY_PREFIX = "/ballot"


class BadAction(ValueError):
    """A button value the core will not run; the message says why, for the member."""


@dataclass(frozen=True)
class Action:
    """One button's intent: ``verb`` on the ballot ``ballot_id``."""

    verb: Verb
    ballot_id: str

    @property
    def value(self) -> str:
        """What the platform carries: ``verb:`` and the percent-encoded id."""
        return f"{self.verb.value}:{quote(self.ballot_id, safe='-_.~')}"

    @property
    def public(self) -> bool:
        """True when the answer goes to the whole channel rather than the clicker alone."""
        return self.verb is Verb.SHARE

    @property
    def typed(self) -> str:
        """The same thing as a member could type it, for platforms without buttons."""
        ref = f"#{self.ballot_id}"
        match self.verb:
            case Verb.HISTORY:
                return f"/ballot {ref} history"
            case Verb.POSTED:
                return f"/ballot voted {ref}"
            case Verb.REPLACEMENT:
                return f"/ballot replacement {ref}"
            case Verb.REMIND:
                return f"/ballot remind me {ref}"
        return f"/ballot {ref}"

    @classmethod
    def parse(cls, value: str) -> Action:
        """A platform's ``verb:id`` back as an Action.

        Raises :class:`BadAction` naming the problem: not ``verb:id``, a verb not in
        :data:`VERBS`, or an id that is empty, badly encoded, too long or holds control
        characters.
        """
        found = _VALUE.fullmatch(value)
        if found is None:
            raise BadAction("it does not say what to do (expected verb:ballot-id).")
        try:
            verb = Verb(found["verb"])
        except ValueError:
            known = ", ".join(v.value for v in Verb)
            raise BadAction(
                f"“{found['verb']}” is not something a button does ({known})."
            ) from None
        encoded = found["id"]
        if not _ENCODED_ID.fullmatch(encoded):
            raise BadAction("its ballot id is missing or malformed.")
        try:
            ballot_id = unquote(encoded, errors="strict")
        except UnicodeDecodeError:
            raise BadAction("its ballot id is malformed.") from None
        if not ballot_id.strip() or len(ballot_id) > MAX_ID or _CONTROL.search(ballot_id):
            raise BadAction("its ballot id is missing or malformed.")
        return cls(verb, ballot_id)


def ballot_ref(ballot_id: str) -> str:
    """A ballot as a member may name it, ``#id``, percent-encoded like :attr:`Action.value`
    so that no stored id (even one from before ids were restricted) reads as more words.

    Whatever the id, the grammar reads ``#...`` as a lookup by id and nothing else: this is
    what a pick from a list of names submits (Discord's autocomplete), never the name.
    """
    return "#" + quote(ballot_id, safe="-_.~")


def read_ref(ref: str) -> tuple[str, ...]:
    """The ballot ids ``#ref`` may mean, to try in turn: as typed, then percent-decoded
    (:func:`ballot_ref`) when that differs."""
    typed = ref.removeprefix("#").strip()
    try:
        decoded = unquote(typed, errors="strict")
    except UnicodeDecodeError:
        decoded = typed
    return (typed,) if decoded == typed else (typed, decoded)


def legacy(value: str) -> bool:
    """True for a button drawn before actions: its value is grammar text (``/ballot ...``)."""
    return value.lstrip().lower().startswith(LEGACY_PREFIX)


def is_public(value: str) -> bool:
    """Whether a button's value asks for a public answer (Share); False when unreadable."""
    try:
        return Action.parse(value).public
    except BadAction:
        return False
