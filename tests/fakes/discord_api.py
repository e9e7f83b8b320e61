"""A small Discord on 127.0.0.1: the REST API and the gateway websocket, for the real discord.py.

The bot under test is the real discord.py client pointed here (``[discord] api_url`` and
``gateway_url``). The fake answers the REST calls discord.py makes (login, command sync,
interaction callbacks, webhook follow-ups, channel messages, DMs), records every one, and
drives the gateway: HELLO with a short heartbeat interval, READY after IDENTIFY, heartbeat
ACKs, then INTERACTION_CREATE dispatches built from the payloads in
``tests/fixtures/discord/``. It can answer a route with a scripted error or a 429.

Two details discord.py depends on: a JSON response's Content-Type must be exactly
``application/json`` (aiohttp's ``json_response`` adds ``; charset=utf-8``, which discord.py
then reads as text), and a 429 is only treated as a rate limit when it carries a ``Via``
header, as Discord's answers do behind Cloudflare.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "discord"
APP_ID = "1100000000000000001"
GUILD_ID = "900000000000000001"
CHANNEL_ID = "910000000000000001"
ORGANISER_ROLE = "920000000000000001"
MEMBER_ID = "930000000000000001"


def fixture(name: str) -> dict[str, Any]:
    """A fresh copy of a payload fixture (tests change their copy freely)."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """JSON with a Content-Type of exactly ``application/json``, as Discord sends it."""
    return web.Response(
        body=json.dumps(body).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


@dataclass
class Call:
    """One REST call as the fake received it; ``path`` is relative to ``/api/v10``."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    """Attachments of a multipart call: form field -> (file name, bytes)."""


@dataclass
class Failure:
    """A scripted answer for the next ``times`` calls matching ``method`` and ``path``."""

    method: str
    path: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class FakeDiscord:
    """Start with ``await fake.start()`` (or ``async with``); point the bot at ``api_url``."""

    def __init__(self, heartbeat_interval_ms: int = 1000) -> None:
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.calls: list[Call] = []
        self.frames: list[dict[str, Any]] = []  # gateway frames the bot sent
        self.messages: dict[str, dict[str, Any]] = {}
        self.commands: dict[str | None, list[dict[str, Any]]] = {}  # guild id (None: global)
        self.failures: list[Failure] = []
        self.listeners: list[Callable[[Call], None]] = []  # told of every call (benchmarks)
        self.limiter: Callable[[Call], float | None] | None = None
        """Platform limits (benchmarks): seconds to wait when a call is over them, else None."""
        self.identified = asyncio.Event()
        self._ids = itertools.count(1_400_000_000_000_000_000)
        self._interactions: dict[str, dict[str, Any]] = {}
        self._nonces: dict[tuple[str, str], str] = {}
        self._dm_channels: dict[str, str] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_lock = asyncio.Lock()
        self._sequence = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._app = app
        self.user = fixture("ready")["user"]

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        self._runner = web.AppRunner(self._app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        for socket in list(self._sockets):
            await socket.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- scripting ---------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        *,
        code: int = 0,
        message: str = "",
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls to ``method path`` (a regex) with an error."""
        body: dict[str, Any] = {"code": code, "message": message}
        headers: dict[str, str] = {}
        if retry_after is not None:
            body = {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": False,
                "code": 0,
            }
            headers = {"Via": "1.1 google", "X-RateLimit-Scope": "user"}
        self.failures.append(Failure(method, re.compile(path), status, body, headers, times))

    async def wait_for(self, predicate: Callable[[Call], bool], seconds: float = 5.0) -> Call:
        """The first recorded REST call matching ``predicate``, waiting for it if need be."""
        async with asyncio.timeout(seconds), self._changed:
            while True:
                for call in self.calls:
                    if predicate(call):
                        return call
                await self._changed.wait()

    def calls_to(self, method: str, pattern: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and re.fullmatch(pattern, c.path)]

    # -- interactions ------------------------------------------------------------------------

    def slash(
        self, query: str | None, *, guild: bool = True, roles: list[str] | None = None
    ) -> dict[str, Any]:
        """INTERACTION_CREATE for ``/ballot query:<query>`` (no option when ``query`` is None)."""
        payload = self._fresh("interaction_command", guild=guild, roles=roles)
        payload["data"]["options"] = (
            [] if query is None else [{"name": "query", "type": 3, "value": query}]
        )
        return payload

    def autocomplete(self, current: str) -> dict[str, Any]:
        payload = self._fresh("interaction_autocomplete")
        payload["data"]["options"] = [
            {"name": "query", "type": 3, "value": current, "focused": True}
        ]
        return payload

    def click(
        self, message: dict[str, Any], custom_id: str, roles: list[str] | None = None
    ) -> dict[str, Any]:
        """A click on the button ``custom_id`` of a message the bot sent (as stored here)."""
        payload = self._fresh("interaction_component", roles=roles)
        payload["data"] = {"custom_id": custom_id, "component_type": 2}
        payload["message"] = copy.deepcopy(message)
        return payload

    def modal_submit(
        self, modal: dict[str, Any], values: dict[str, str], roles: list[str] | None = None
    ) -> dict[str, Any]:
        """INTERACTION_CREATE of type 5: the member filled in the modal the bot opened (the
        ``data`` of its type-9 callback) and pressed Submit."""
        payload = self._fresh("interaction_component", roles=roles)
        payload["type"] = 5
        payload.pop("message", None)
        rows = []
        for row in modal["components"]:
            box = row["components"][0]
            rows.append(
                {
                    "type": 1,
                    "components": [
                        {
                            "type": 4,
                            "custom_id": box["custom_id"],
                            "value": values.get(box["custom_id"], box.get("value", "")),
                        }
                    ],
                }
            )
        payload["data"] = {"custom_id": modal["custom_id"], "components": rows}
        return payload

    def _fresh(
        self, name: str, *, guild: bool = True, roles: list[str] | None = None
    ) -> dict[str, Any]:
        payload = fixture(name)
        payload["id"] = self._snowflake()
        payload["token"] = f"token-{payload['id']}"
        if roles is not None:
            payload["member"]["roles"] = roles
        if not guild:  # a DM: a user instead of a member, a DM channel, no guild
            user = payload.pop("member")["user"]
            for key in ("guild", "guild_id", "guild_locale"):
                payload.pop(key, None)
            payload["user"] = user
            payload["channel"] = {
                "id": self._dm_channel(user["id"]),
                "type": 1,
                "recipients": [user],
                "last_message_id": None,
            }
            payload["channel_id"] = payload["channel"]["id"]
            payload["context"] = 1
        if "name" in payload["data"]:
            scope = GUILD_ID if guild and GUILD_ID in self.commands else None
            synced = {c["name"]: c for c in self.commands.get(scope, [])}
            if "ballot" in synced:
                payload["data"]["id"] = synced["ballot"]["id"]
            if scope is None:
                payload["data"].pop("guild_id", None)
        return payload

    async def interact(self, payload: dict[str, Any], seconds: float = 5.0) -> dict[str, Any]:
        """Dispatch an interaction and return the body of the bot's callback to it."""
        await self.dispatch("INTERACTION_CREATE", payload)
        path = f"/interactions/{payload['id']}/{payload['token']}/callback"
        call = await self.wait_for(lambda c: c.method == "POST" and c.path == path, seconds)
        return call.body

    async def followup(self, payload: dict[str, Any], seconds: float = 5.0) -> dict[str, Any]:
        """The body of the first follow-up message sent for an interaction (after a defer)."""
        path = f"/webhooks/{APP_ID}/{payload['token']}"
        call = await self.wait_for(lambda c: c.method == "POST" and c.path == path, seconds)
        return call.body

    def message_for(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The message the bot's callback to this interaction created."""
        return self.messages[self._interactions[payload["id"]]["response_message_id"]]

    # -- gateway -----------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send one DISPATCH frame on the current gateway session."""
        await asyncio.wait_for(self.identified.wait(), 5.0)
        if event == "INTERACTION_CREATE":
            self._interactions[data["id"]] = data
        self._sequence += 1
        await self._send(self._sockets[-1], {"op": 0, "t": event, "s": self._sequence, "d": data})

    async def _send(self, socket: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        async with self._socket_lock:
            await socket.send_str(json.dumps(frame))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        self.identified.clear()
        await self._send(
            socket, {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}
        )
        async for message in socket:
            if message.type is not WSMsgType.TEXT:
                continue
            frame = json.loads(message.data)
            self.frames.append(frame)
            if frame["op"] == 1:  # heartbeat
                await self._send(socket, {"op": 11})
            elif frame["op"] == 2:  # identify
                ready = fixture("ready")
                ready["resume_gateway_url"] = self.gateway_url
                self._sequence += 1
                await self._send(socket, {"op": 0, "t": "READY", "s": self._sequence, "d": ready})
                self.identified.set()
            elif frame["op"] == 6:  # resume
                self._sequence += 1
                await self._send(socket, {"op": 0, "t": "RESUMED", "s": self._sequence, "d": {}})
                self.identified.set()
        self._sockets.remove(socket)
        return socket

    # -- REST --------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await _read_body(request)
        call = Call(request.method, path, dict(request.query), body, files)
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        wait = self.limiter(call) if self.limiter is not None else None
        if wait is not None:
            body = {"message": "You are being rate limited.", "retry_after": wait, "global": True}
            headers = {"Retry-After": f"{wait:.3f}", "X-RateLimit-Global": "true"}
            return json_response(body, 429, headers)
        for listener in self.listeners:
            listener(call)
        for failure in self.failures:
            if failure.times > 0 and failure.method == call.method and failure.path.fullmatch(path):
                failure.times -= 1
                return json_response(failure.body, failure.status, failure.headers)
        for method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if method == call.method and match:
                return handler(call, **match.groupdict())
        return json_response({"code": 0, "message": "404: Not Found"}, 404)

    def _routes(self) -> list[tuple[str, str, Callable[..., web.Response]]]:
        return [
            ("GET", r"/users/@me", lambda call: json_response(self.user)),
            ("GET", r"/oauth2/applications/@me", self._application),
            ("GET", r"/gateway/bot", self._gateway_bot),
            ("PUT", r"/applications/(?P<app>\d+)/commands", self._sync),
            ("PUT", r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands", self._sync),
            ("POST", r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("POST", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)", self._webhook),
            (
                "PATCH",
                r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>[^/]+)",
                self._webhook_edit,
            ),
            ("POST", r"/channels/(?P<cid>\d+)/messages", self._post_message),
            ("PATCH", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)", self._edit_message),
            ("POST", r"/users/@me/channels", self._open_dm),
        ]

    def _application(self, call: Call) -> web.Response:
        return json_response(
            {
                "id": APP_ID,
                "name": "ballotbot",
                "icon": None,
                "description": "Union ballots",
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": {
                    "id": MEMBER_ID,
                    "username": "rep.amina",
                    "discriminator": "0",
                    "avatar": None,
                },
                "flags": 0,
                "team": None,
                "summary": "",
                "rpc_origins": [],
                "interactions_endpoint_url": None,
            }
        )

    def _gateway_bot(self, call: Call) -> web.Response:
        return json_response(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    def _sync(self, call: Call, app: str, guild: str | None = None) -> web.Response:
        synced = []
        for command in call.body:
            synced.append(
                {
                    **command,
                    "id": self._snowflake(),
                    "application_id": app,
                    "version": "1",
                    "default_member_permissions": None,
                    "type": command.get("type", 1),
                    **({"guild_id": guild} if guild else {}),
                }
            )
        self.commands[guild] = synced
        return json_response(synced)

    def _callback(self, call: Call, iid: str, token: str) -> web.Response:
        interaction = self._interactions.get(iid)
        if interaction is None or interaction["token"] != token:
            return json_response({"code": 10062, "message": "Unknown interaction"}, 404)
        kind = call.body["type"]
        answer: dict[str, Any] = {"id": iid, "type": interaction["type"]}
        result: dict[str, Any] = {"interaction": answer}
        if kind in (4, 5):
            data = call.body.get("data") or {}
            message = self._message(interaction["channel"]["id"], data, webhook=True)
            message["interaction_metadata"] = {
                "id": iid,
                "type": interaction["type"],
                "user": self._who(interaction),
            }
            answer["response_message_id"] = message["id"]
            answer["response_message_loading"] = kind == 5
            answer["response_message_ephemeral"] = bool(message["flags"] & 64)
            interaction["response_message_id"] = message["id"]
            result["resource"] = {"type": kind, "message": message}
        return json_response(result)

    def _webhook(self, call: Call, app: str, token: str) -> web.Response:
        interaction = next((i for i in self._interactions.values() if i["token"] == token), None)
        if interaction is None:
            return json_response({"code": 10015, "message": "Unknown Webhook"}, 404)
        message = self._message(interaction["channel"]["id"], call.body, webhook=True)
        return json_response(message)

    def _webhook_edit(self, call: Call, app: str, token: str, mid: str) -> web.Response:
        interaction = next((i for i in self._interactions.values() if i["token"] == token), None)
        if interaction is None:
            return json_response({"code": 10015, "message": "Unknown Webhook"}, 404)
        if mid == "@original":
            mid = interaction.get("response_message_id", "")
        return self._edit(mid, call.body)

    def _post_message(self, call: Call, cid: str) -> web.Response:
        nonce = call.body.get("nonce")
        if nonce and call.body.get("enforce_nonce") and (cid, nonce) in self._nonces:
            return json_response(self.messages[self._nonces[(cid, nonce)]])
        message = self._message(cid, call.body)
        if nonce:
            self._nonces[(cid, nonce)] = message["id"]
        return json_response(message)

    def _edit_message(self, call: Call, cid: str, mid: str) -> web.Response:
        if self.messages.get(mid, {}).get("channel_id") != cid:
            return json_response({"code": 10008, "message": "Unknown Message"}, 404)
        return self._edit(mid, call.body)

    def _edit(self, mid: str, body: dict[str, Any]) -> web.Response:
        message = self.messages.get(mid)
        if message is None:
            return json_response({"code": 10008, "message": "Unknown Message"}, 404)
        for key in ("content", "embeds", "components", "flags"):
            if key in body:
                message[key] = body[key] if body[key] is not None else message[key]
        message["edited_timestamp"] = datetime.now(UTC).isoformat()
        return json_response(message)

    def _open_dm(self, call: Call) -> web.Response:
        user_id = call.body["recipient_id"]
        user = {
            "id": str(user_id),
            "username": f"member{user_id}",
            "discriminator": "0",
            "avatar": None,
        }
        return json_response(
            {
                "id": self._dm_channel(str(user_id)),
                "type": 1,
                "recipients": [user],
                "last_message_id": None,
                "flags": 0,
            }
        )

    # -- helpers -----------------------------------------------------------------------------

    def _snowflake(self) -> str:
        return str(next(self._ids))

    def _dm_channel(self, user_id: str) -> str:
        return self._dm_channels.setdefault(user_id, self._snowflake())

    @staticmethod
    def _who(interaction: dict[str, Any]) -> dict[str, Any]:
        return interaction["member"]["user"] if "member" in interaction else interaction["user"]

    def _message(
        self, channel_id: str, body: dict[str, Any], *, webhook: bool = False
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "id": self._snowflake(),
            "channel_id": channel_id,
            "type": 20 if webhook else 0,
            "content": body.get("content") or "",
            "author": self.user,
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "flags": body.get("flags") or 0,
        }
        if body.get("nonce"):
            message["nonce"] = body["nonce"]
        if webhook:
            message["webhook_id"] = APP_ID
            message["application_id"] = APP_ID
        self.messages[message["id"]] = message
        return message


async def _read_body(request: web.Request) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    """JSON, or multipart as discord.py sends attachments: ``payload_json`` plus files."""
    if not request.can_read_body:
        return None, {}
    if not request.content_type.startswith("multipart/"):
        return await request.json(), {}
    body: Any = None
    files: dict[str, tuple[str, bytes]] = {}
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "payload_json":
            body = json.loads(await part.text())
        else:
            files[part.name or ""] = (part.filename or "", bytes(await part.read()))
    return body, files
