"""The Slack adapter's lifecycle: secrets from the environment, a bolt AsyncApp, HTTP or Socket
Mode, started and stopped by ``ballotbot run`` on the shared event loop.

Every Web API call (bolt's own ``auth.test``, ``apps.connections.open``, ``chat.postMessage``)
goes through one client built on ``[slack] api_url``, so a proxy or a test server can stand in
for slack.com. Request signatures are checked by bolt and are never turned off.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_sdk.errors import SlackApiError

from adapters.slack.handlers import ANSWER_BUDGET, BallotListeners
from adapters.slack.http import EventsServer, Ready
from adapters.slack.members import as_member
from adapters.slack.retries import FirstTime, once
from adapters.slack.sender import SlackSender, web_client
from adapters.startup import cannot_listen, cannot_reach
from bot.config import ConfigError, Settings, SlackSettings
from bot.ports import Answerer

if TYPE_CHECKING:
    from adapters.compose import App

log = logging.getLogger(__name__)


class MissingSecret(ConfigError):
    """A Slack secret is not in the environment; the message names the variable."""


class RefusedSecret(ConfigError):
    """Slack refused a token at start; the message names the variable and Slack's reason."""


TOKEN_REFUSALS = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}
)


@dataclass(frozen=True)
class SlackSecrets:
    """The three Slack secrets. They come from the environment only, never from a file."""

    bot_token: str
    signing_secret: str | None = None
    app_token: str | None = None

    def __repr__(self) -> str:
        # Never the secrets themselves: a repr is one log line away from a log file.
        def shown(value: str | None) -> str:
            return "None" if value is None else "'<redacted>'"

        return (
            f"SlackSecrets(bot_token={shown(self.bot_token)}, "
            f"signing_secret={shown(self.signing_secret)}, app_token={shown(self.app_token)})"
        )

    __str__ = __repr__

    @classmethod
    def from_env(cls, mode: str, env: Mapping[str, str] | None = None) -> SlackSecrets:
        """What ``mode`` needs: HTTP checks signatures, Socket Mode connects with the app token."""
        env = os.environ if env is None else env

        def need(name: str, what: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                raise MissingSecret(
                    f"{name} is not set: Slack is enabled in {mode} mode and needs {what}. "
                    "Set it in the environment (see the README, section Slack)."
                )
            return value

        bot_token = need("SLACK_BOT_TOKEN", "the bot token (xoxb-...)")
        if mode == "http":
            return cls(bot_token, signing_secret=need("SLACK_SIGNING_SECRET", "the signing secret"))
        return cls(bot_token, app_token=need("SLACK_APP_TOKEN", "an app-level token (xapp-...)"))


class _ClientOnPurpose(logging.Filter):
    """Drop bolt's "you gave `client` as well, `token` will be unused" when SLACK_BOT_TOKEN is
    set: we pass the client on purpose (built from that same token, aimed at ``api_url``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


class _NoRequestBodies(logging.Filter):
    """Bolt logs a refused request whole at INFO ("Invalid request signature detected
    (signature: …, body: …)"), and a slash command's body names the member who typed it:
    the line stays, short, without the request."""

    REFUSAL = "Invalid request signature detected"

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(self.REFUSAL):
            record.msg = "refused a Slack request: its signature or timestamp does not check out"
            record.args = ()
        return True


# Bolt's middleware log under their own names, configured from our logger when first made.
_BOLT_LOGGERS = ("slack_bolt.RequestVerification", "slack_bolt.AsyncRequestVerification")


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("adapters.slack.bolt")
    _add_once(logger, _ClientOnPurpose)
    for name in ("adapters.slack.bolt", *_BOLT_LOGGERS):
        _add_once(logging.getLogger(name), _NoRequestBodies)
    return logger


def _add_once(logger: logging.Logger, kind: type[logging.Filter]) -> None:
    if not any(isinstance(f, kind) for f in logger.filters):
        logger.addFilter(kind())


def build_app(
    core: Answerer, settings: SlackSettings, secrets: SlackSecrets, budget: float = ANSWER_BUDGET
) -> tuple[AsyncApp, BallotListeners]:
    """A bolt AsyncApp answering ``/ballot`` and our buttons with ``core``."""
    client = web_client(secrets.bot_token, settings.api_url)
    app = AsyncApp(
        client=client,
        # Socket Mode requests are not signed (the websocket is authenticated instead), and
        # bolt skips the check for them; HTTP requests always need the secret.
        signing_secret=secrets.signing_secret or "",
        # Answer inside the acknowledgement: the HTTP response waits for the listener, which
        # keeps the core within its budget (see handlers.ANSWER_BUDGET).
        process_before_response=True,
        logger=_bolt_logger(),
    )
    app.use(as_member)
    listeners = BallotListeners(core, SlackSender(client), budget)
    listeners.register(app)
    return app, listeners


class SlackAdapter:
    """Connect / listen / disconnect: ``start()`` returns once Slack can reach us."""

    name = "Slack"
    platform = "slack"

    def __init__(
        self,
        core: Answerer,
        settings: SlackSettings,
        secrets: SlackSecrets,
        budget: float = ANSWER_BUDGET,
        first_time: FirstTime | None = None,
        ready: Ready | None = None,
    ) -> None:
        self.settings = settings
        self.secrets = secrets
        self.ready = ready
        self.bolt, self.listeners = build_app(core, settings, secrets, budget)
        self._once = once(first_time) if first_time is not None else None
        if self._once is not None:
            self.bolt.use(self._once)
        self.sender = SlackSender(self.bolt.client)
        self._server: EventsServer | None = None
        self._socket: AsyncSocketModeHandler | None = None

    @property
    def url(self) -> str | None:
        """HTTP mode: where Slack should post (``http://host:port/slack/events``)."""
        return self._server.url if self._server else None

    async def start(self) -> None:
        """Check the bot token with ``auth.test``, then listen (HTTP) or connect (Socket Mode).

        Checking first turns a wrong token into one clear message at start, not a silent
        failure on a member's first ``/ballot``. The answer is handed to bolt, which would
        otherwise ask again for every request arriving before its own first ``auth.test``
        came back: a burst at start was a burst of ``auth.test`` calls, each on a new
        connection, all on the event loop.
        """
        try:
            identity = await self.bolt.client.auth_test()
        except SlackApiError as exc:
            reason = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            if reason in TOKEN_REFUSALS:
                raise RefusedSecret(f"Slack refused SLACK_BOT_TOKEN: {reason}") from None
            raise
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise cannot_reach("Slack", "[slack] api_url", self.settings.api_url, exc) from None
        for middleware in getattr(self.bolt, "_async_middleware_list", ()):
            if isinstance(middleware, AsyncSingleTeamAuthorization):
                middleware.auth_test_result = middleware.auth_test_result or identity
        if self.settings.mode == "http":
            server = EventsServer(self.bolt, ready=self.ready)
            try:
                await server.start(self.settings.host, self.settings.port)
            except OSError as exc:
                await server.stop()
                raise cannot_listen(
                    exc, "[slack] port", self.settings.host, self.settings.port
                ) from None
            self._server = server
            log.info("Slack (HTTP mode) listening on %s", server.url)
            return
        self._socket = AsyncSocketModeHandler(
            self.bolt, app_token=self.secrets.app_token, web_client=self.bolt.client
        )
        try:
            await self._socket.connect_async()
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            await self.stop()
            raise cannot_reach(
                "Slack", "[slack] api_url", "Slack's Socket Mode websocket", exc
            ) from None
        log.info("Slack (Socket Mode) connected")

    async def stop(self) -> None:
        """Stop taking new requests, then finish the follow-ups already promised."""
        if self._server is not None:
            await self._server.stop()
            self._server = None
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        await self.listeners.drain()
        if self._once is not None:
            await self._once.drain()


def build_slack_adapter(app: App, env: Mapping[str, str] | None = None) -> SlackAdapter:
    """The adapter ``ballotbot run`` starts (``adapters.runner``): not started yet.

    Secrets are read here, so a missing one stops ``run`` before anything listens. Requests
    Slack sends again are recognised across every process of the deployment (``seen``).
    """
    settings = app.settings.slack
    secrets = SlackSecrets.from_env(settings.mode, env)
    return SlackAdapter(app.core, settings, secrets, first_time=app.first_time, ready=app.ready)


async def start_slack(
    app: App, settings: Settings, env: Mapping[str, str] | None = None
) -> SlackAdapter:
    """A started adapter for ``settings`` around ``app.core`` (call ``stop()`` on shutdown)."""
    adapter = SlackAdapter(
        app.core, settings.slack, SlackSecrets.from_env(settings.slack.mode, env)
    )
    await adapter.start()
    return adapter
