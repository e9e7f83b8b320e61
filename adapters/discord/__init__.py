"""Discord: the ``/ballot`` app command with autocomplete, embeds, buttons and DMs.

``DiscordAdapter`` is the entry point for ``ballotbot run``; ``DiscordSender`` the outgoing
side for announcements and reminders. See the README, section Discord for setting up the bot.
"""

from adapters.discord.adapter import DiscordAdapter, DiscordSending, token_from_env
from adapters.discord.sender import DiscordSender
from bot.privacy import logs as _logs

# discord.py / bolt log records name no member, even from a client used on its own.
_logs.guard()

__all__ = ["DiscordAdapter", "DiscordSender", "DiscordSending", "token_from_env"]
