"""Stable, salted pseudonyms: who had trouble, without who they are.

A pseudonym is ``m-`` and the first 12 hex digits of HMAC-SHA256(salt, "platform:user id").
The same member always gets the same pseudonym under one salt, so an operator can follow one
member's failed DMs across days and processes; without the salt nobody can go back from the
pseudonym to the id, nor test a guessed id against it (Slack and Discord ids are short enough
to guess, which is why a plain hash would not do). 48 bits: two members of a union share a
pseudonym with odds of about 1 in 5 million for 10,000 members.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

DIGITS = 12


class Pseudonyms:
    """Pseudonyms under one salt (``[privacy] log_salt``, ``BALLOTBOT_LOG_SALT`` or the one
    stored in the database at first start). The salt never appears in a ``repr``."""

    def __init__(self, salt: str) -> None:
        if not salt:
            raise ValueError("a pseudonym salt cannot be empty")
        self._key = salt.encode("utf-8")

    @classmethod
    def random(cls) -> Pseudonyms:
        """Pseudonyms good for this process only (tests, a dispatcher built by hand)."""
        return cls(secrets.token_hex(32))

    def of(self, platform: str, user_id: str) -> str:
        """``m-`` and 12 hex digits; the same for the same member under the same salt."""
        message = f"{platform}:{user_id}".encode()
        return "m-" + hmac.new(self._key, message, hashlib.sha256).hexdigest()[:DIGITS]

    def label(self, platform: str, user_id: str) -> str:
        """How logs name a member: ``slack member m-3fa2c9d01b7e``."""
        return f"{platform} member {self.of(platform, user_id)}"

    def scrub(self, text: str, platform: str, user_id: str) -> str:
        """``text`` with every whole occurrence of the member's id replaced by their
        pseudonym (a platform's error message may quote the id it refused)."""
        if not user_id or user_id not in text:
            return text
        return whole(user_id).sub(self.of(platform, user_id), text)

    def __repr__(self) -> str:
        return "Pseudonyms(salt=<hidden>)"


def whole(user_id: str) -> re.Pattern[str]:
    """``user_id`` not inside a longer id or number (``42`` is not in ``1042``)."""
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(user_id)}(?![A-Za-z0-9])")


def dm_pacing_key(pseudonyms: Pseudonyms, platform: str, user_id: str) -> str:
    """The pacing slot of DMs to one member: by pseudonym, so the shared pacing table
    (``rate_slots`` on PostgreSQL) never holds a member id."""
    return f"dm:{platform}:{pseudonyms.of(platform, user_id)}"
