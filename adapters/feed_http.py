"""Results feeds over HTTP (aiohttp): the :class:`~bot.ports.FeedSource` of ``[[feeds]]``.

A conditional GET (If-None-Match / If-Modified-Since once the feed was read), and a body read
whole or not at all: within :data:`MAX_FEED_BYTES`, and refused when it ends before the length
the server announced. Every failure is a :class:`~bot.ports.FeedError` saying what went wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.ports import FeedError, FeedState, Fetched

if TYPE_CHECKING:
    from aiohttp import ClientResponse

MAX_FEED_BYTES = 20 * 1024 * 1024
"""The most a feed may be: read whole up to this, refused beyond it."""


class HttpFeedSource:
    """Feeds fetched with aiohttp, each in ``timeout_seconds`` and up to ``max_bytes``."""

    def __init__(self, timeout_seconds: float = 30.0, max_bytes: int = MAX_FEED_BYTES) -> None:
        self.timeout_seconds = timeout_seconds
        self.max_bytes = max_bytes

    async def fetch(self, url: str, format: str, state: FeedState) -> Fetched | None:
        import aiohttp  # only a process that watches feeds pays for it

        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        headers = {"Accept": "text/csv" if format == "csv" else "application/json"}
        if state.primed and state.etag:
            headers["If-None-Match"] = state.etag
        if state.primed and state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(url, headers=headers) as response,
            ):
                if response.status == 304:
                    return None
                if response.status != 200:
                    raise FeedError(f"HTTP {response.status} {response.reason or ''}".strip())
                body = await self._body(response)
                etag = response.headers.get("ETag")
                modified = response.headers.get("Last-Modified")
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            # ClientPayloadError: the server closed before the body's end (Content-Length or
            # chunked); InvalidURL is a ValueError.
            raise FeedError(_describe(exc)) from exc
        try:
            return Fetched(body.decode("utf-8-sig"), etag, modified)
        except UnicodeDecodeError as exc:
            raise FeedError(f"not UTF-8 text (byte {exc.start})") from None

    async def _body(self, response: ClientResponse) -> bytes:
        """The whole body, or FeedError: never the part that happened to arrive first.

        The announced length is checked before reading, the running total while reading, and
        at the end the total against the announced length (for a body sent as it is; aiohttp
        itself refuses a compressed one that ends early)."""
        limit = self.max_bytes
        announced = response.content_length
        if announced is not None and announced > limit:
            raise FeedError(f"{announced:,} bytes, larger than the {_size(limit)} a feed may be")
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            total += len(chunk)
            if total > limit:
                raise FeedError(f"larger than the {_size(limit)} a feed may be")
            chunks.append(chunk)
        encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
        if announced is not None and not encoded and total != announced:
            raise FeedError(f"cut short: {total:,} of the {announced:,} bytes announced arrived")
        return b"".join(chunks)


def _describe(exc: BaseException) -> str:
    from aiohttp import ClientPayloadError

    if isinstance(exc, TimeoutError):
        return "no complete answer in time (TimeoutError)"
    if isinstance(exc, ClientPayloadError):
        return f"cut short: the server hung up before the end of the feed ({exc})"
    text = str(exc)
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def _size(limit: int) -> str:
    return f"{limit / 2**20:g} MiB" if limit >= 2**20 else f"{limit:,} bytes"
