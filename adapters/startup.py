"""What ``ballotbot run`` says it started, in a few lines: the first thing an operator reads.

Which adapters and roles run in this process, where it listens (the URL to give Slack, the
health and readiness checks for a load balancer), and which database it uses, with any
password hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import Settings
from storage.database import shown_url

HEALTH_PATHS = ("/healthz", "/readyz")


@dataclass
class Started:
    """What the runner started, as it learnt it (ports are only known once bound)."""

    slack_events: str | None = None
    """HTTP mode: the bound URL Slack posts to, e.g. ``http://127.0.0.1:3000/slack/events``."""
    health: str | None = None
    """The base URL of the separate health server (``[process] health_port``), if any."""
    parts: list[str] = field(default_factory=list)


def _base(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def summary(settings: Settings, started: Started) -> list[str]:
    """The start-up lines, without a prefix; every one is plain text."""
    roles = settings.process.roles
    platforms = [
        name
        for name, on in (("Slack", settings.slack.enabled), ("Discord", settings.discord.enabled))
        if on
    ]
    lines = [
        f"started {', '.join(platforms) or 'no adapter'}; roles here: {', '.join(roles) or 'none'}",
        f"database: {shown_url(settings.database.url)}",
    ]
    if started.slack_events is not None:
        base = _base(started.slack_events)
        lines.append(
            f"Slack (HTTP mode) listening: POST {started.slack_events} (Slack's request URL, "
            "behind your HTTPS proxy)"
        )
        lines.append(f"health: GET {base}/healthz, readiness: GET {base}/readyz")
    elif settings.slack.enabled and "slack" in roles:
        lines.append("Slack (Socket Mode): connected to Slack by websocket, no port to open")
    if settings.discord.enabled:
        gateway = "this process or another" if "discord" in roles else "another process"
        lines.append(
            f"Discord: REST {settings.discord.api_url}; the gateway runs in {gateway} "
            "(one at a time)"
        )
    if started.health is not None:
        base = started.health
        lines.append(f"health: GET {base}/healthz, readiness: GET {base}/readyz")
    elif started.slack_events is None:
        lines.append("health: none here (set [process] health_port for /healthz and /readyz)")
    if settings.feeds and "feeds" in roles:
        lines.append(f"results feeds: {len(settings.feeds)} (polled in one process at a time)")
    lines.append("stop with Ctrl-C or SIGTERM")
    return lines
