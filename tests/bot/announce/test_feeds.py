"""A union's results feed, polled: the past fills in quietly, then only news is announced."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from bot.announce.feeds import FeedWatcher
from bot.config import FeedSettings
from tests.bot.announce.conftest import Branch, FakePlatform

HEADER = "id,unions,employer,kind,question,eligible,votes_for,votes_against,status\n"
YORK = "york-1,GMB,York Council,strike,Strike?,100,60,30,declared\n"
HULL = "hull-1,GMB,Hull Council,strike,Strike?,200,150,20,declared\n"


@dataclass
class Feed:
    """A union's web server publishing its results as CSV, with ETags like any real one."""

    body: str = HEADER + YORK
    status: int = 200
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    async def serve(self, request: web.Request) -> web.Response:
        self.requests.append(dict(request.headers))
        if self.status != 200:
            return web.Response(status=self.status, text="down for maintenance")
        etag = '"' + hashlib.sha256(self.body.encode()).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(text=self.body, content_type="text/csv", headers={"ETag": etag})


@pytest.fixture
async def feed() -> AsyncIterator[Feed]:
    published = Feed()
    app = web.Application()
    app.router.add_get("/results.csv", published.serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    published.url = f"http://127.0.0.1:{port}/results.csv"
    yield published
    await runner.cleanup()


def watcher(branch: Branch, feed: Feed) -> tuple[FeedWatcher, FeedSettings]:
    settings = FeedSettings(url=feed.url, format="csv", interval_seconds=60)
    branch.app.settings.feeds = [settings]
    return branch.app.feed_watcher(), settings


async def outbox(branch: Branch) -> list[tuple[str, str, str]]:
    rows = await branch.app.outbox.deliveries(None)
    return sorted((d.ballot_id, d.kind, d.target.channel_id) for d in rows)


async def test_the_first_poll_is_silent_and_the_second_announces_only_the_new_result(
    branch: Branch, feed: Feed
) -> None:
    await branch.subscribe("slack", "C0LEEDS")
    watch, settings = watcher(branch, feed)

    first = await watch.poll(settings)
    assert first.error is None and not first.announced
    assert await branch.app.store.get("york-1") is not None
    assert await outbox(branch) == []  # the past is not news

    unchanged = await watch.poll(settings)
    assert unchanged.declared is None  # 304 Not Modified
    assert feed.requests[-1]["If-None-Match"].startswith('"')

    feed.body = HEADER + YORK + HULL
    second = await watch.poll(settings)
    assert second.announced and second.declared is not None
    assert await outbox(branch) == [("hull-1", "result", "C0LEEDS")]

    slack = FakePlatform("slack")
    await branch.dispatcher(slack).run_once()
    assert slack.headers("C0LEEDS") == ["New result: Hull Council — GMB"]


async def test_a_feed_correcting_figures_corrects_the_message(branch: Branch, feed: Feed) -> None:
    await branch.subscribe("slack", "C0LEEDS")
    watch, settings = watcher(branch, feed)
    await watch.poll(settings)
    feed.body = HEADER + YORK + HULL
    await watch.poll(settings)
    slack = FakePlatform("slack")
    await branch.dispatcher(slack).run_once()

    feed.body = HEADER + YORK + HULL.replace(",150,", ",151,")
    await watch.poll(settings)
    await branch.dispatcher(slack).run_once()

    assert slack.headers("C0LEEDS") == ["New result: Hull Council — GMB"]
    [(_, _, correction)] = slack.edits
    assert "151" in correction.plain_text()


async def test_a_failing_feed_is_reported_once_and_tried_again(branch: Branch, feed: Feed) -> None:
    watch, settings = watcher(branch, feed)
    feed.status = 503

    first = await watch.poll(settings)
    again = await watch.poll(settings)

    assert first.error == again.error == "HTTP 503 Service Unavailable"
    state = await branch.app.feed_states.get(feed.url)
    assert state.failures == 2 and state.last_error == "HTTP 503 Service Unavailable"
    slack = FakePlatform("slack")
    await branch.dispatcher(slack).run_once()
    [(_, notice)] = slack.channels["C0ORGANISERS"]
    assert notice.header == "A results feed is failing" and feed.url in notice.text

    feed.status = 200
    assert (await watch.poll(settings)).error is None
    assert (await branch.app.feed_states.get(feed.url)).failures == 0


async def test_a_feed_with_a_bad_row_stores_nothing_and_says_which_row(
    branch: Branch, feed: Feed
) -> None:
    watch, settings = watcher(branch, feed)
    feed.body = HEADER + YORK + HULL.replace(",150,", ",-150,")

    polled = await watch.poll(settings)

    assert polled.error is not None and "row 3" in polled.error and "votes_for" in polled.error
    assert await branch.app.store.get("york-1") is None
    assert not (await branch.app.feed_states.get(feed.url)).primed


async def test_a_feed_nobody_answers_is_a_failure_not_a_crash(branch: Branch) -> None:
    unreachable = FeedSettings(url="http://127.0.0.1:9/results.csv", interval_seconds=60)
    branch.app.settings.feeds = [unreachable]

    polled = await branch.app.feed_watcher().poll(unreachable)

    assert polled.error is not None and "Connect" in polled.error
