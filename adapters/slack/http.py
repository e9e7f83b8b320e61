"""HTTP mode: ``POST /slack/events`` on aiohttp, handed to bolt as it came.

The handler is a converter and nothing else (bolt's own aiohttp adapter does the two
conversions); bolt checks the signature and the timestamp and answers 401 when either is bad.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

EVENTS_PATH = "/slack/events"
RECEIVED_AT = "ballotbot_received_at"
"""Key in bolt's context: when the request arrived (``time.monotonic()``), so the answer's
budget counts from there and not from when a busy process got round to the listener."""


Ready = Callable[[], Awaitable[bool]]


def events_app(
    bolt: AsyncApp, path: str = EVENTS_PATH, ready: Ready | None = None
) -> web.Application:
    """Slack's requests to ``bolt``, and the load balancer's health checks beside them."""

    async def events(request: web.Request) -> web.Response:
        received = time.monotonic()
        bolt_request = await to_bolt_request(request)
        bolt_request.context[RECEIVED_AT] = received
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    # Slack's payloads are small: a slash command is a few hundred bytes.
    web_app = web.Application(client_max_size=256 * 1024)
    web_app.router.add_post(path, events)
    add_health_routes(web_app, ready)
    return web_app


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
