"""Slack: ``/ballot`` as a slash command, Block Kit cards, buttons, HTTP and Socket Mode.

``build_slack_adapter`` is the entry point for ``ballotbot run``; ``SlackSender`` the outgoing
side for announcements and reminders. See the README, section Slack for creating the app.
"""

from adapters.slack.app import (
    MissingSecret,
    RefusedSecret,
    SlackAdapter,
    SlackSecrets,
    build_slack_adapter,
    start_slack,
)
from adapters.slack.sender import SlackSender
from bot.privacy import logs as _logs

# discord.py / bolt log records name no member, even from a client used on its own.
_logs.guard()

__all__ = [
    "MissingSecret",
    "RefusedSecret",
    "SlackAdapter",
    "SlackSecrets",
    "SlackSender",
    "build_slack_adapter",
    "start_slack",
]
