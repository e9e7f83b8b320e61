"""What ``ballotbot run`` says it started, in a few lines: the first thing an operator reads.

Which adapters and roles run in this process, where it listens (the URL to give Slack, the
health and readiness checks for a load balancer), and which database it uses, with any
password hidden.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field

from bot.config import ConfigError, Settings
from storage.database import shown_url

HEALTH_PATHS = ("/healthz", "/readyz")


class CannotStart(ConfigError):
    """``ballotbot run`` cannot start what its settings ask for: a port is taken, a platform's
    API cannot be reached. The message names the setting, the value and what to do."""


def cannot_listen(exc: OSError, setting: str, host: str, port: int) -> CannotStart:
    """A listening socket refused (``setting`` is e.g. ``[slack] port``) as one clear line."""
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        why = (
            f"{where} is already in use by another program (another ballotbot?). Stop that "
            f"program, or set {setting} to a free port (0 picks any free port)"
        )
    elif exc.errno == errno.EACCES:
        why = (
            f"this user may not listen on {where} (ports below 1024 need root). Set {setting} "
            "to a port above 1023 and put your HTTPS proxy in front"
        )
    elif exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(exc.errno, str):
        why = (
            f"{host} is not an address of this machine. Set the host beside {setting} to one "
            "(127.0.0.1 behind a proxy on this machine, 0.0.0.0 for every address)"
        )
    else:
        why = f"cannot listen on {where}: {exc.strerror or exc}. Check {setting} and its host"
    return CannotStart(f"{setting}: {why}; nothing was started.")


def cannot_reach(platform: str, setting: str, url: str, exc: BaseException) -> CannotStart:
    """A platform's API that did not answer at start, as one clear line."""
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return CannotStart(
        f"cannot reach {platform}'s API at {url} ({detail}). Check this machine's network, "
        f"DNS and any proxy it must use (HTTPS_PROXY), and {setting} if you changed it; "
        "nothing was started."
    )


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
