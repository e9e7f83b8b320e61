"""The Discord adapter's lifecycle: start beside the other adapters, stop cleanly.

``ballotbot run`` builds one :class:`DiscordAdapter` from ``[discord]`` settings and the shared
core, awaits :meth:`DiscordAdapter.start` (logged in, commands synced, gateway connected) and
:meth:`DiscordAdapter.stop` on the way out. The token comes from ``DISCORD_TOKEN`` only.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from types import TracebackType
from typing import Any, Self

import aiohttp
import discord
from pydantic import SecretStr

from adapters.discord.client import DISCORD_API_URL, BallotClient, intents, point_at
from adapters.discord.sender import DiscordSender
from adapters.startup import cannot_reach
from bot.config import ConfigError, DiscordSettings
from bot.ports import Answerer

TOKEN_VARIABLE = "DISCORD_TOKEN"


def token_from_env() -> str:
    """The bot token, from the environment only: never from a file that could be committed."""
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise ConfigError(
            f"[discord] is enabled but {TOKEN_VARIABLE} is not set: copy the bot token from the "
            "Discord developer portal (Bot > Reset Token) and export "
            f"{TOKEN_VARIABLE}=... before starting; see the README, section Discord."
        )
    return token


class DiscordAdapter:
    """One Discord connection per process, answering ``/ballot`` from the shared core."""

    name = "discord"
    platform = "discord"

    def __init__(
        self,
        core: Answerer,
        settings: DiscordSettings,
        *,
        token: str | None = None,
        defer_after: float = 2.0,
        max_ratelimit_timeout: float = 30.0,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        self.core = core
        self.settings = settings
        self.token = SecretStr(token if token is not None else token_from_env())
        """Shown as ``**********`` in every repr, str and log line."""
        self.defer_after = defer_after
        self.max_ratelimit_timeout = max_ratelimit_timeout
        self.client_options = client_options or {}
        self.client: BallotClient | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def sender(self) -> DiscordSender:
        """Posts, edits and DMs on this adapter's connection (after :meth:`start`)."""
        if self.client is None:
            raise RuntimeError("start the Discord adapter before sending")
        return DiscordSender(self.client)

    async def start(self, ready_timeout: float = 60.0) -> None:
        """Log in, sync ``/ballot``, connect the gateway; return once READY arrived."""
        point_at(self.settings.api_url, self.settings.gateway_url)
        client = BallotClient(
            self.core,
            guild_ids=self.settings.guild_ids,
            defer_after=self.defer_after,
            max_ratelimit_timeout=self.max_ratelimit_timeout,
            **self.client_options,
        )
        self.client = client
        try:
            await client.login(self.token.get_secret_value())
            if not self.settings.gateway_url and _is_custom(self.settings.api_url):
                # A proxy or fake API says where its gateway is, as Discord's own does.
                _, url, _ = await client.http.get_bot_gateway()
                point_at(self.settings.api_url, url)
        except discord.LoginFailure as exc:
            await self.stop()
            raise ConfigError(f"Discord refused {TOKEN_VARIABLE}: {exc}") from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            await self.stop()
            raise cannot_reach("Discord", "[discord] api_url", self.settings.api_url, exc) from None
        except BaseException:
            await self.stop()
            raise
        self._task = asyncio.create_task(client.connect(reconnect=True), name="discord-gateway")
        ready = asyncio.create_task(client.connected.wait())
        done, _ = await asyncio.wait(
            {self._task, ready}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ready
            failure = self._task.exception() if self._task in done else None
            await self.stop()
            if isinstance(failure, discord.PrivilegedIntentsRequired):
                raise ConfigError(
                    "Discord refused the gateway connection for a privileged intent that is not "
                    "enabled for this bot. ballotbot asks for none (Guilds only): check that "
                    f"{TOKEN_VARIABLE} is this bot's token, or enable the intent under Bot, "
                    "Privileged Gateway Intents, in the Discord Developer Portal."
                ) from None
            if failure is not None:
                raise failure
            raise TimeoutError(f"the Discord gateway sent no READY within {ready_timeout}s")

    async def stop(self) -> None:
        """Close the gateway and the HTTP session; safe to call twice."""
        client, task = self.client, self._task
        self._task = None
        if client is not None and not client.is_closed():
            await client.close()
        if task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


def _is_custom(api_url: str) -> bool:
    return api_url.rstrip("/") != DISCORD_API_URL


class DiscordSending:
    """Discord's REST side alone, for a dispatcher process that does not hold the gateway:
    posts, edits and DMs need a logged-in HTTP session, not a gateway connection."""

    platform = "discord"

    def __init__(
        self,
        settings: DiscordSettings,
        token: str | None = None,
        max_ratelimit_timeout: float = 30.0,
    ) -> None:
        self.settings = settings
        self.token = SecretStr(token if token is not None else token_from_env())
        """Shown as ``**********`` in every repr, str and log line."""
        self.client = discord.Client(
            # Never used (no gateway here), but without Guilds discord.py warns at start about
            # "state related issues" that cannot happen on a REST-only client.
            intents=intents(),
            max_ratelimit_timeout=max_ratelimit_timeout,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def start(self) -> DiscordSender:
        point_at(self.settings.api_url, self.settings.gateway_url)
        try:
            await self.client.login(self.token.get_secret_value())
        except discord.LoginFailure as exc:
            await self.client.close()
            raise ConfigError(f"Discord refused {TOKEN_VARIABLE}: {exc}") from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            await self.client.close()
            raise cannot_reach("Discord", "[discord] api_url", self.settings.api_url, exc) from None
        return DiscordSender(self.client)

    async def stop(self) -> None:
        await self.client.close()
