"""The shapes of what Slack sends us, written down once (fixtures in tests/fixtures/slack).

Slack documents these payloads in prose only; spelling out the fields the adapter reads keeps
the converter honest and lets a reader check a recorded payload against it. Only the fields
we use, or that a reader needs to recognise a payload, are listed (``total=False`` for those
Slack leaves out on some surfaces).
"""

from __future__ import annotations

from typing import Literal, TypedDict


class SlashCommand(TypedDict, total=False):
    """``/ballot kirklees`` as Slack posts it: a form body in HTTP mode, a dict in Socket Mode."""

    token: str  # deprecated verification token; bolt checks the signature instead
    team_id: str
    team_domain: str
    enterprise_id: str
    channel_id: str
    channel_name: str
    user_id: str
    user_name: str
    command: str  # "/ballot"
    text: str  # "kirklees": the words after the command, without it
    api_app_id: str
    is_enterprise_install: str  # "true" | "false"
    response_url: str  # 5 uses within 30 minutes
    trigger_id: str


class _Team(TypedDict, total=False):
    id: str
    domain: str


class _User(TypedDict, total=False):
    id: str
    username: str
    name: str
    team_id: str


class _Channel(TypedDict, total=False):
    id: str
    name: str


class Container(TypedDict, total=False):
    """Where the clicked button lives: an ephemeral card cannot be edited with chat.update."""

    type: Literal["message", "view"]
    message_ts: str
    channel_id: str
    is_ephemeral: bool


class _Text(TypedDict, total=False):
    type: Literal["plain_text", "mrkdwn"]
    text: str
    emoji: bool


class ButtonAction(TypedDict, total=False):
    """One clicked button in a ``block_actions`` payload."""

    type: Literal["button"]
    action_id: str  # "ballot:run:0" | "ballot:share"
    block_id: str
    text: _Text
    value: str  # the command text to run, e.g. "/ballot Kirklees Council history"
    style: str
    action_ts: str


class BlockActions(TypedDict, total=False):
    """A button click: form field ``payload`` holding this JSON in HTTP mode."""

    type: Literal["block_actions"]
    team: _Team
    user: _User
    api_app_id: str
    token: str
    container: Container
    trigger_id: str
    channel: _Channel
    response_url: str
    actions: list[ButtonAction]


class SocketModeEnvelope(TypedDict, total=False):
    """What the Socket Mode websocket carries; we answer with the same ``envelope_id``."""

    envelope_id: str
    type: Literal["slash_commands", "interactive", "events_api"]
    accepts_response_payload: bool
    retry_attempt: int
    retry_reason: str
    payload: SlashCommand | BlockActions
