"""A feed is read whole or not at all: slow, big, cut-off and oversized feeds from real servers.

Each feed here is a real HTTP server on 127.0.0.1: aiohttp's for well-behaved ones that send
slowly, and a bare socket server for the ones that lie about their length or hang up early.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from aiohttp import web

from adapters.feed_http import HttpFeedSource
from bot.announce.feeds import FeedWatcher, Poll
from bot.config import FeedSettings
from bot.domain import Ballot, Kind, Question
from tests.bot.announce.conftest import Branch, FakePlatform

HEADER = "id,unions,employer,kind,question,eligible,votes_for,votes_against,status,notes\n"
NOTES = "Reported at the branch meeting. " * 59  # 1,888 characters, under the 2,000 limit


def big_feed(rows: int) -> bytes:
    """A union's archive: ``rows`` ballots, the last one with 1,234,567 votes for."""
    lines = [HEADER]
    for n in range(rows - 1):
        lines.append(f"b-{n},GMB,Employer {n},strike,Strike?,900,600,200,declared,{NOTES}\n")
    lines.append(f"last,GMB,Last Employer,strike,Strike?,2000000,1234567,2,declared,{NOTES}\n")
    return "".join(lines).encode()


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    """Start an aiohttp server for one handler; returns the feed's URL."""
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_get("/results.csv", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}/results.csv"

    yield start
    for runner in runners:
        await runner.cleanup()


@dataclass
class LyingServer:
    """A server that writes a response head and only part of the body, then hangs up."""

    head: bytes
    body: bytes
    url: str = ""
    server: asyncio.Server | None = None

    async def answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(self.head + self.body)
        await writer.drain()
        writer.close()


@pytest.fixture
async def lying() -> AsyncIterator[Callable[[bytes, bytes], Awaitable[str]]]:
    servers: list[asyncio.Server] = []

    async def start(head: bytes, body: bytes) -> str:
        liar = LyingServer(head, body)
        server = await asyncio.start_server(liar.answer, "127.0.0.1", 0)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/results.csv"

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


def watching(
    branch: Branch, url: str, max_bytes: int | None = None
) -> tuple[FeedWatcher, FeedSettings]:
    settings = FeedSettings(url=url, format="csv", interval_seconds=60)
    branch.app.settings.feeds = [settings]
    source = HttpFeedSource() if max_bytes is None else HttpFeedSource(max_bytes=max_bytes)
    return branch.app.feed_watcher(source), settings


async def organisers_heard(branch: Branch) -> list[str]:
    slack = FakePlatform("slack")
    await branch.dispatcher(slack).run_once()
    return [reply.text for _, reply in slack.channels.get("C0ORGANISERS", [])]


async def assert_refused_and_told_once(
    branch: Branch, watcher: FeedWatcher, settings: FeedSettings, reason: str
) -> Poll:
    first = await watcher.poll(settings)
    again = await watcher.poll(settings)
    assert first.error is not None and reason in first.error, first.error
    assert again.error is not None and reason in again.error
    assert await branch.app.store.get("last") is None  # nothing from it was stored
    state = await branch.app.feed_states.get(settings.url)
    assert state.failures == 2 and not state.primed
    [notice] = await organisers_heard(branch)
    assert settings.url in notice and reason in notice
    return first


async def test_a_multi_megabyte_feed_sent_in_slow_chunks_is_read_whole(
    branch: Branch, serve: Callable[[Handler], Awaitable[str]]
) -> None:
    body = big_feed(1_300)
    assert len(body) > 2_500_000

    async def slowly(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/csv"})
        response.content_length = len(body)
        await response.prepare(request)
        for start in range(0, len(body), 100_000):  # 26 pieces, a pause before each
            await asyncio.sleep(0.02)
            await response.write(body[start : start + 100_000])
        await response.write_eof()
        return response

    watcher, settings = watching(branch, await serve(slowly))
    polled = await watcher.poll(settings)

    assert polled.error is None
    last = await branch.app.store.get("last")
    assert last is not None and last.questions[0].result.votes_for == 1_234_567
    assert await branch.app.store.count() >= 1_300
    assert await organisers_heard(branch) == []


async def test_a_chunked_feed_without_a_length_is_read_to_its_end(
    branch: Branch, serve: Callable[[Handler], Awaitable[str]]
) -> None:
    body = big_feed(200)

    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/csv"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(body), 7_000):
            await response.write(body[start : start + 7_000])
            await asyncio.sleep(0)
        await response.write_eof()
        return response

    watcher, settings = watching(branch, await serve(chunked))

    assert (await watcher.poll(settings)).error is None
    last = await branch.app.store.get("last")
    assert last is not None and last.questions[0].result.votes_for == 1_234_567


async def test_a_feed_cut_short_of_its_content_length_is_refused_and_organisers_told_once(
    branch: Branch, lying: Callable[[bytes, bytes], Awaitable[str]]
) -> None:
    body = big_feed(100)
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
    )
    # The cut falls inside the last row: "1234567" would become "12".
    cut = body[: body.rindex(b"1234567") + 2]
    watcher, settings = watching(branch, await lying(head, cut))

    await assert_refused_and_told_once(branch, watcher, settings, "cut short")


async def test_a_chunked_feed_that_hangs_up_before_its_last_chunk_is_refused(
    branch: Branch, lying: Callable[[bytes, bytes], Awaitable[str]]
) -> None:
    body = big_feed(50)
    half = body[: len(body) // 2]
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = f"{len(half):x}\r\n".encode() + half + b"\r\n"  # and never the closing 0 chunk
    watcher, settings = watching(branch, await lying(head, chunk))

    await assert_refused_and_told_once(branch, watcher, settings, "cut short")


async def test_an_oversized_feed_is_refused_by_its_announced_length(
    branch: Branch, serve: Callable[[Handler], Awaitable[str]]
) -> None:
    body = big_feed(600)

    async def whole(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="text/csv")

    watcher, settings = watching(branch, await serve(whole), max_bytes=1_000_000)

    await assert_refused_and_told_once(branch, watcher, settings, "larger than the 1,000,000")


async def test_an_oversized_feed_without_a_length_is_refused_while_reading(
    branch: Branch, serve: Callable[[Handler], Awaitable[str]]
) -> None:
    sent: list[int] = []

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/csv"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(HEADER.encode())
        try:
            for _ in range(10_000):  # 640 MB if nobody stopped reading
                await response.write(b"x" * 65_536)
                sent.append(1)
        except (ConnectionError, RuntimeError):
            pass  # the bot hung up
        return response

    watcher, settings = watching(branch, await serve(endless), max_bytes=1_000_000)

    await assert_refused_and_told_once(branch, watcher, settings, "larger than the 1,000,000")
    assert len(sent) < 1_000


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (HEADER + 'york-1,GMB,York,strike,Strike?,100,"1,552¹",1,declared,\n', "votes_for"),
        (HEADER + "york-1,GMB,York,strike,Strike?,100,--5,1,declared,\n", "votes_for"),
        (
            HEADER
            + "york-1,GMB,York,strike,Strike?,100,60,30,declared,\n"
            + "york-1,GMB,Hull,strike,Strike?,100,60,30,declared,\n",
            "differs",
        ),
        (HEADER + 'york-1,GMB,York,strike,Strike?,100,5,1,declared,"never closed\n', "quote"),
        ("id,id,unions\nx,y,GMB\n", "more than once"),
        (HEADER + "york-1,GMB,York,strike,Strike?,100,60,30,declared,caf\xe9\n", "UTF-8"),
    ],
)
async def test_a_feed_with_bad_contents_is_a_failing_feed_not_a_crash(
    branch: Branch, serve: Callable[[Handler], Awaitable[str]], body: str, reason: str
) -> None:
    raw = body.encode("latin-1" if "caf" in body else "utf-8")

    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=raw, content_type="text/csv")

    watcher, settings = watching(branch, await serve(answer))

    polled = await watcher.poll(settings)

    assert polled.error is not None and reason in polled.error, polled.error
    assert await branch.app.store.get("york-1") is None
    [notice] = await organisers_heard(branch)
    assert reason in notice


async def test_a_bug_while_storing_a_feed_is_a_failing_feed_not_a_crash(
    branch: Branch, serve: Callable[[Handler], Awaitable[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(text=HEADER + "york-1,GMB,York,strike,S?,100,60,30,declared,\n")

    watcher, settings = watching(branch, await serve(answer))

    async def broken(*args: object, **kwargs: object) -> None:
        raise OverflowError("the database driver gave up")

    monkeypatch.setattr(watcher.declarations, "declare", broken)
    polled = await watcher.poll(settings)
    await watcher.poll(settings)

    assert polled.error is not None and "OverflowError" in polled.error
    assert (await branch.app.feed_states.get(settings.url)).failures == 2
    [notice] = await organisers_heard(branch)
    assert "OverflowError" in notice


async def test_a_poll_with_the_database_down_returns_a_failure_and_the_watcher_goes_on(
    branch: Branch, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = FeedSettings(url="http://127.0.0.1:9/results.csv", interval_seconds=1)
    branch.app.settings.feeds = [unreachable]
    watcher = branch.app.feed_watcher()

    async def down(*args: object) -> None:
        raise ConnectionRefusedError("database is down")

    monkeypatch.setattr(watcher.states, "get", down)
    monkeypatch.setattr(watcher.states, "put", down)
    polled = await watcher.poll(unreachable)
    assert polled.error is not None and "ConnectionRefusedError" in polled.error

    stop = asyncio.Event()
    watching_task = asyncio.create_task(watcher.run_forever(stop))
    await asyncio.sleep(0.2)
    assert not watching_task.done()  # still watching, waiting to try again
    stop.set()
    await asyncio.wait_for(watching_task, 5)


async def test_a_feed_of_ballots_stored_before_the_id_rule_keeps_working(
    branch: Branch, serve: Callable[[Handler], Awaitable[str]]
) -> None:
    old = Ballot("York 1", ("GMB",), "York", (Question("Strike?", Kind.STRIKE),))
    await branch.app.store.save([old])

    async def answer(request: web.Request) -> web.Response:
        return web.Response(text=HEADER + '"York 1",GMB,York,strike,Strike?,100,60,30,declared,\n')

    watcher, settings = watching(branch, await serve(answer))

    assert (await watcher.poll(settings)).error is None
    stored = await branch.app.store.get("York 1")
    assert stored is not None and stored.questions[0].result.votes_for == 60
