"""A small, real Slack: the Web API, ``response_url`` and the Socket Mode websocket, on loopback.

The Slack tests drive the real slack-bolt and slack_sdk against this server (bolt's own tests
do the same with ``tests/mock_web_api_server``). It records every call, and can be told to
answer the next calls to a method with a 429 and Retry-After, an HTTP 5xx, or a Slack error
such as ``channel_not_found``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"
SIGNING_SECRET = "test-signing-secret"
TEAM_ID = "T0BALLOT1"
BOT_USER_ID = "U0BALLOTBOT"


@dataclass(frozen=True)
class Call:
    """One request the fake received: the Web API method (or ``respond``) and its arguments."""

    method: str
    args: dict[str, Any]
    token: str | None
    path: str


@dataclass
class _Failure:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    """``async with FakeSlack() as slack:`` gives ``slack.api_url`` and the recorded ``calls``."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.socket_received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._failures: dict[str, deque[_Failure]] = {}
        self._ts = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_ready = asyncio.Event()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base = ""
        self.uploads: dict[str, bytes] = {}
        """Bytes posted to an upload URL handed out by files.getUploadURLExternal, by file id."""
        self._file_ids = itertools.count(1)
        self.limiter: Callable[[Call], float | None] | None = None
        """Platform limits (benchmarks): seconds to wait when a call is over them, else None."""

    # --- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        for ws in list(self._sockets):
            await ws.close()
        assert self._runner is not None
        await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str = "hook") -> str:
        return f"{self.base}/respond/{name}"

    # --- scripting -------------------------------------------------------------------------

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """The next ``times`` calls to ``method`` answer ``{"ok": false, "error": error}``."""
        for _ in range(times):
            self._queue(method, _Failure(200, {"ok": False, "error": error}))

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next ``times`` calls to ``method`` answer 429 with ``Retry-After``."""
        for _ in range(times):
            body = {"ok": False, "error": "ratelimited"}
            self._queue(method, _Failure(429, body, {"Retry-After": str(retry_after)}))

    def server_error(self, method: str, status: int = 503, times: int = 1) -> None:
        for _ in range(times):
            self._queue(method, _Failure(status, "upstream unavailable"))

    def _queue(self, method: str, failure: _Failure) -> None:
        self._failures.setdefault(method, deque()).append(failure)

    # --- reading what happened -------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 5.0) -> list[Call]:
        """The calls to ``method`` once there are ``count`` of them (follow-ups are async)."""

        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.calls_to(method)) >= count)

        await asyncio.wait_for(enough(), within)
        return self.calls_to(method)

    # --- Socket Mode -----------------------------------------------------------------------

    async def socket_send(self, envelope: dict[str, Any], within: float = 5.0) -> None:
        """Push an envelope to the connected app, as Slack does when a member acts."""
        await asyncio.wait_for(self._socket_ready.wait(), within)
        await self._sockets[-1].send_json(envelope)

    async def socket_reply(self, within: float = 5.0) -> dict[str, Any]:
        """The next message the app sent back on the websocket (its acknowledgement)."""
        return await asyncio.wait_for(self.socket_received.get(), within)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {}})
        self._socket_ready.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                await self.socket_received.put(json.loads(message.data))
        self._sockets.remove(ws)
        if not self._sockets:
            self._socket_ready.clear()
        return ws

    # --- HTTP ------------------------------------------------------------------------------

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args = await _arguments(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth else args.get("token")
        call = Call(method, args, token, request.path)
        await self._record(call)
        wait = self.limiter(call) if self.limiter is not None else None
        if wait is not None:
            retry_after = str(max(1, math.ceil(wait)))  # Slack sends whole seconds
            body = {"ok": False, "error": "ratelimited"}
            return web.json_response(body, status=429, headers={"Retry-After": retry_after})
        pending = self._failures.get(method)
        if pending:
            failure = pending.popleft()
            if isinstance(failure.body, str):
                return web.Response(status=failure.status, text=failure.body)
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(self._answer(method, args))

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        match method:
            case "auth.test":
                return {
                    "ok": True,
                    "url": "https://ballots.example.slack.com/",
                    "team": "Ballots",
                    "user": "ballotbot",
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "bot_id": "B0BALLOTBOT",
                    "is_enterprise_install": False,
                }
            case "chat.postMessage" | "chat.update":
                ts = args.get("ts") or f"1700000000.{next(self._ts):06d}"
                return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": args}
            case "conversations.open":
                return {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).lstrip("U")}}
            case "files.getUploadURLExternal":
                file_id = f"F{next(self._file_ids):08d}"
                return {
                    "ok": True,
                    "upload_url": f"{self.base}/upload/{file_id}",
                    "file_id": file_id,
                }
            case "files.completeUploadExternal":
                files = args.get("files")
                listed = json.loads(files) if isinstance(files, str) else files or []
                return {
                    "ok": True,
                    "files": [{"id": f["id"], "title": f.get("title")} for f in listed],
                }
            case "views.open":
                return {"ok": True, "view": {"id": "V0FORM1", **args.get("view", {})}}
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
            case "files.info":
                return {"ok": True, "file": {"id": args.get("file")}}
            case "apps.connections.open":
                return {"ok": True, "url": self.base.replace("http", "ws", 1) + "/socket"}
        return {"ok": False, "error": "unknown_method"}

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK - uploaded")

    async def _respond(self, request: web.Request) -> web.Response:
        args = await _arguments(request)
        await self._record(Call("respond", args, None, request.path))
        return web.Response(text="ok")


async def _arguments(request: web.Request) -> dict[str, Any]:
    """A Web API call's arguments, whichever way slack_sdk sent them (query, form or JSON)."""
    args: dict[str, Any] = dict(request.query)
    body = await request.text()
    if request.content_type == "application/json" and body:
        args.update(json.loads(body))
    elif body:
        args.update(parse_qsl(body, keep_blank_values=True))
    for key in ("blocks", "attachments"):
        if isinstance(args.get(key), str):
            args[key] = json.loads(args[key])
    return args
