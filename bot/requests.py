"""Who asked what, where: the one thing an adapter hands the core."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    """A member's text from any platform.

    ``roles`` carries platform roles (Discord role ids) so that the core, not the adapter,
    decides who is an organiser. ``workspace`` is the Slack team or Discord guild.
    """

    text: str
    platform: str = "console"
    user_id: str = "local"
    channel_id: str = "console"
    roles: tuple[str, ...] = ()
    workspace: str | None = None
