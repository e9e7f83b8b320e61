"""HTTP mode: ``POST /slack/events`` on aiohttp, handed to bolt as it came.

The handler is a converter (bolt's own aiohttp adapter does the two conversions); bolt checks
the signature and the timestamp and answers 401 when either is bad. One thing is checked
before bolt sees the request: that it can be checked at all. Bolt parses the body before it
verifies it, reads ``X-Slack-Request-Timestamp`` with ``int()`` and compares
``X-Slack-Signature`` with ``hmac.compare_digest``; so a body that is not UTF-8 form data or
a JSON object (or one nested too deep to parse), a timestamp that is not a number, or a
signature that is not ASCII would crash it (HTTP 500 and a traceback in the log, for anyone
who can reach the port, unsigned). Such a request gets bolt's own 401 and one short log line;
Slack never sends one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

EVENTS_PATH = "/slack/events"
RECEIVED_AT = "ballotbot_received_at"
"""Key in bolt's context: when the request arrived (``time.monotonic()``), so the answer's
budget counts from there and not from when a busy process got round to the listener."""
log = logging.getLogger(__name__)


Ready = Callable[[], Awaitable[bool]]


def events_app(
    bolt: AsyncApp, path: str = EVENTS_PATH, ready: Ready | None = None
) -> web.Application:
    """Slack's requests to ``bolt``, and the load balancer's health checks beside them."""

    async def events(request: web.Request) -> web.Response:
        received = time.monotonic()
        try:
            bolt_request = await to_bolt_request(request)
        # Not UTF-8, not JSON, not an object, or JSON nested deeper than Python's recursion
        # limit (256 KB of ``[`` is enough): parsed before any signature is checked.
        except (ValueError, TypeError, AttributeError, RecursionError):
            return _refused(path, "its body is neither form data nor a JSON object")
        problem = unreadable_signature(bolt_request)
        if problem is not None:
            return _refused(path, problem)
        bolt_request.context[RECEIVED_AT] = received
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    # Slack's payloads are small: a slash command is a few hundred bytes.
    web_app = web.Application(client_max_size=256 * 1024)
    web_app.router.add_post(path, events)
    add_health_routes(web_app, ready)
    return web_app


def _refused(path: str, why: str) -> web.Response:
    """Bolt's own answer to a request it cannot verify, with one line in the log."""
    log.warning("refused a request to %s: %s (HTTP 401)", path, why)
    return web.json_response({"error": "invalid request"}, status=401)


def unreadable_signature(request: AsyncBoltRequest) -> str | None:
    """Why bolt could not even check this request's signature, or None when it can.

    The headers are read exactly as bolt reads them (the first value; a missing timestamp
    is "0", which bolt then refuses as too old).
    """
    timestamp = request.headers.get("x-slack-request-timestamp", ["0"])[0]
    try:
        int(timestamp)
    except (TypeError, ValueError):
        return "X-Slack-Request-Timestamp is not a number"
    signature = request.headers.get("x-slack-signature", [""])[0]
    if not isinstance(signature, str) or not signature.isascii():
        return "X-Slack-Signature is not ASCII"
    return None


def add_health_routes(web_app: web.Application, ready: Ready | None) -> None:
    """``GET /healthz``: the process answers. ``GET /readyz``: it can also reach its
    database, so a load balancer may send it traffic (503 until then)."""

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(request: web.Request) -> web.Response:
        ok = True if ready is None else await ready()
        return web.json_response({"ready": ok}, status=200 if ok else 503)

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)


class EventsServer:
    """The aiohttp server, started on the shared event loop and stopped cleanly."""

    def __init__(self, bolt: AsyncApp, path: str = EVENTS_PATH, ready: Ready | None = None):
        self.path = path
        self._runner = web.AppRunner(events_app(bolt, path, ready), access_log=None)
        self.url: str | None = None

    async def start(self, host: str, port: int) -> None:
        """Listen on ``host:port`` (port 0: any free port; :attr:`url` says which)."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}{self.path}"

    async def stop(self) -> None:
        await self._runner.cleanup()
